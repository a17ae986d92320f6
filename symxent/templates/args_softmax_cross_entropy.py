"""The argument handling of softmax_cross_entropy.py.j2: PyTorch's F.cross_entropy options checked, the
kernel picked for them, and the block driver run on it with the mean's divisor.

Contract: as ``runtime.py``: the part below is copied verbatim into the module the template renders
(``{{ parts.args_softmax_cross_entropy.arguments }}``), after its public functions; this header is
never copied. It imports what the module defines itself (the runtime's parts, the kernel tables), so
that linters and ``tests/test_runtime.py`` read this file as the Python it is.
"""

import numpy as np

from symxent.templates.runtime import (_as_array, _blocked, _class_last, _class_weights, _classes_inner,
                                       _fast_dtype, _fast_kernel, _move, _number, _scale)
from symxent.templates.runtime import _PLAIN  # each module's own tables


#: part arguments
def _smoothing(label_smoothing):
    eps = _number(label_smoothing, "label_smoothing", "a number in [0, 1]")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"label_smoothing: {label_smoothing!r} is outside [0, 1]")
    return eps


def _prepare(logits, target, weight, ignore_index, label_smoothing, axis):
    """Validated inputs, class axis last: (z, target, is_index, keep, w, eps); keep (which
    samples an index target does not ignore) is None when every sample counts."""
    logits = _as_array(logits, "logits")
    z = _class_last(logits, axis, "logits")
    eps = _smoothing(label_smoothing)
    k = z.shape[-1]
    w = _class_weights(weight, k, z.dtype)
    try:
        t = np.asarray(target)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"target: expected an array, got {type(target).__name__} ({exc})") from None
    batch = z.shape[:-1]
    if t.dtype.kind in "iu":
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
            raise TypeError(f"ignore_index: expected an integer, got {ignore_index!r}")
        if t.shape != batch:
            raise ValueError(f"target: class indices must have the logits' shape without the class axis, "
                             f"{batch}; got {t.shape}")
        if t.size == 0:
            return z, t, True, None, w, eps
        low, high = t.min(), t.max()
        if 0 <= low and high < k and not low <= ignore_index <= high:
            return z, t, True, None, w, eps  # the common case: every sample kept, no temporaries
        keep = t != ignore_index
        bad = keep & ((t < 0) | (t >= k))
        if np.any(bad):
            raise ValueError(f"target: class index {t[bad].flat[0]} is out of range; valid: 0..{k - 1} "
                             f"(or ignore_index={ignore_index})")
        return z, np.where(keep, t, 0), True, keep, w, eps
    if t.dtype.kind == "b":
        raise TypeError("target: booleans are neither class indices nor probabilities; use integers or floats")
    if t.dtype.kind not in "fc":
        raise TypeError(f"target: expected integer class indices or float probabilities, got dtype {t.dtype}")
    if t.shape != logits.shape:
        hint = " (float targets are probabilities; class indices must be integers)" if t.shape == batch else ""
        raise ValueError(f"target: probabilities must have the logits' shape {logits.shape}; got {t.shape}{hint}")
    return z, _classes_inner(_move(t, axis, -1)).astype(z.dtype, copy=False), False, None, w, eps


def _kernel(z, t, is_index, w, eps, with_grad):
    """The kernel's name and arguments for these options (class axis last)."""
    name = ("loss_and_grad_" if with_grad else "loss_") + ("index" if is_index else "probs")
    if w is None and eps == 0.0:
        return name, (z, t)
    w = np.broadcast_to(w if w is not None else np.ones(z.shape[-1], z.dtype), z.shape)
    return name + "_options", (z, t, w, np.asarray(eps, dtype=z.dtype))


def _per_sample(z, t, is_index, keep, w, eps, with_grad, reduction, out=None):
    """Each sample's loss and the gradient of the reduced loss (class axis last), and the
    divisor of "mean".

    Real float32/float64 logits with the class axis contiguous go through the block driver
    (written into ``out``'s memory when its layout allows); anything else through the plain
    kernels. Both print the same proven expressions.
    """
    batch, k = z.shape[:-1], z.shape[-1]
    n = z.size // k
    if not is_index:
        divisor = n  # probability targets: "mean" is over samples
    elif keep is None or keep.all():
        divisor = n if w is None else np.sum(w[t])
    else:
        divisor = np.sum(keep) if w is None else np.sum(np.where(keep, w[t], 0))
    mean = divisor if reduction == "mean" else 1
    fast = _fast_dtype(z) and (is_index or _fast_dtype(z, t))
    if fast:
        name, args = _kernel(z.reshape(n, k), t.reshape((n,) + t.shape[len(batch):]), is_index, w, eps, with_grad)
        kernel, buffers, wide, safe, classes_first, scaled = _fast_kernel(name, k)
        dest, copied = None, ()
        if with_grad:
            if out is not None and out.flags.c_contiguous:
                dest = out.reshape(n, k)
                if not safe[-1] and np.shares_memory(out, z):  # out=logits: the kernel reads copies
                    copied = (0,)
            else:
                dest = np.empty((n, k), z.dtype)
        outputs = _blocked(kernel, buffers, wide, args, (dest,) if with_grad else (),
                           (z.dtype.type(mean) if mean not in (0, 1) else None,), classes_first, scaled, copied)
        value = outputs[0].reshape(batch)
        g = outputs[1].reshape(z.shape) if with_grad else None
    else:
        name, args = _kernel(z, t, is_index, w, eps, with_grad)
        result = _PLAIN[name](*args)
        value, g = result if with_grad else (result, None)
        if with_grad:
            # a mean over nothing (0) is set below, after the ignored rows, as on the fast path:
            # scaled here, the ignored rows would be nan * 0 = nan instead of 0
            g = _scale(g, mean) if mean != 0 else g
    if keep is not None and not keep.all():
        # Ignored samples add nothing; where() rather than a product so their nan logits stay
        # out of the loss. Their gradient rows are 0 (nan for nan logits, as PyTorch's), never
        # divided: all ignored gives mean nan (0/0) but gradient 0, as in PyTorch.
        value = np.where(keep, value, 0).astype(value.dtype, copy=False)
        if with_grad:
            ignored = ~keep
            g[ignored] = g[ignored] * 0
    if with_grad and mean == 0:  # as _scale: the gradient of an undefined mean is undefined too
        if keep is not None:
            g[keep] = np.nan
        else:
            g.fill(np.nan)
    return value, g, mean
