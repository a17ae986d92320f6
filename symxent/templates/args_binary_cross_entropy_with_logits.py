"""The argument handling of binary_cross_entropy.py.j2 for logits (the module
binary_cross_entropy_with_logits): the target and PyTorch's weight and pos_weight checked, and the
plain or blocked kernel run.

Contract: as ``runtime.py``: the part below is copied verbatim into the module the template renders
(``{{ parts.args_binary_cross_entropy_with_logits.arguments }}``), after its public functions; this
header is never copied. It imports what the module defines itself, so that linters and
``tests/test_runtime.py`` read this file as the Python it is.
"""

import numpy as np

from symxent.templates.runtime import (_as_array, _blocked, _fast_dtype, _reduce, _reduce_total,
                                       _scale, _weights)
from symxent.templates.runtime import _FAST, _PLAIN  # each module's own tables


#: part arguments
def _prepare(logits, target, weight, pos_weight):
    logits = _as_array(logits, "logits")
    target = _as_array(target, "target")
    if target.shape != logits.shape:
        raise ValueError(f"target: shape {target.shape} must equal the shape of logits, {logits.shape}")
    # min/max rather than all(t >= 0): no boolean temporaries; nan fails both comparisons.
    if target.dtype.kind == "c" or target.size and not (target.min() >= 0 and target.max() <= 1):
        raise ValueError("target: values must lie in [0, 1] (and not be nan)")
    target = target.astype(logits.dtype, copy=False)
    weight = _weights(weight, "weight", logits.shape, logits.dtype, "logits")
    pos_weight = _weights(pos_weight, "pos_weight", logits.shape, logits.dtype, "logits")
    if weight is None and pos_weight is None:
        return logits, target, None
    one = np.ones((), logits.dtype)
    return logits, target, (one if pos_weight is None else pos_weight, one if weight is None else weight)


def _kernel(name, logits, target, weights):
    """The plain kernel, or the one with pos_weight q and weight w."""
    if weights is None:
        return _PLAIN[name](logits, target)
    return _PLAIN[f"{name}_weighted"](logits, target, *weights)


def _elements(w):
    """A weight (a view broadcast to the logits' shape) as the block driver cuts it: 0-d when it
    is one number, else its elements in the logits' order (copied only if broadcast)."""
    if w.size and not any(w.strides):
        return np.asarray(w[(0,) * w.ndim])
    return np.ascontiguousarray(w).reshape(-1)


def _evaluate(name, logits, target, weights, reduction, out=None):
    """The reduced loss and/or the gradient of the reduced loss, from kernel ``name``.

    Real float32/float64 C-contiguous arrays go through the block driver (the loss summed
    block by block unless reduction is "none"; the gradient written into ``out`` when given);
    anything else through the plain kernels. Both print the same proven expressions.
    """
    has_loss, has_grad = name != "grad", name != "loss"
    mean = logits.size if reduction == "mean" else 1
    value = g = None
    fast = name if weights is None else f"{name}_weighted"
    if fast in _FAST and _fast_dtype(logits, target):
        entry = _FAST[fast]
        safe = entry.inplace_safe
        dests, divisors, copied = [], [], ()
        if has_loss:
            dests.append(np.empty(logits.size, logits.dtype) if reduction == "none" else None)
            divisors.append(None)
        if has_grad:
            usable = out is not None and out.flags.c_contiguous
            dests.append(out.reshape(-1) if usable else np.empty(logits.size, logits.dtype))
            divisors.append(None if mean in (0, 1) else logits.dtype.type(mean))
            if usable and not safe[-1] and np.shares_memory(out, logits):  # out=logits: read copies
                copied = (0,)
        args = (logits.reshape(-1), target.reshape(-1)) + tuple(_elements(w) for w in weights or ())
        outputs = _blocked(entry.kernel, entry.buffers, entry.wide, args, tuple(dests), tuple(divisors),
                           scaled=entry.scaled, copied=copied)
        if has_loss:
            value = (outputs[0].reshape(logits.shape) if reduction == "none"
                     else _reduce_total(outputs[0], reduction, logits.size))
        if has_grad:
            g = outputs[-1].reshape(logits.shape)
            if mean == 0:  # as _scale: the gradient of an undefined mean is undefined too
                g.fill(np.nan)
    else:
        result = _kernel(name, logits, target, weights)
        if has_loss:
            value = _reduce(result[0] if has_grad else result, reduction)
        if has_grad:
            g = _scale(result[1] if has_loss else result, mean)
    if out is not None and has_grad:
        if not np.shares_memory(g, out):
            np.copyto(out, g)
        g = out
    return value, g
