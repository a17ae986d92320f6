"""The argument handling of focal_loss.py.j2: alpha, gamma and the class-index target checked, and the
kernel run.

Contract: as ``runtime.py``: the part below is copied verbatim into the module the template renders
(``{{ parts.args_focal_loss.arguments }}``), after its public functions; this header is never
copied. It imports what the module defines itself (the runtime's parts), so that linters and
``tests/test_runtime.py`` read this file as the Python it is.
"""

import numpy as np

from symxent.templates.runtime import _as_array, _class_last, _class_weights, _driven, _number


#: part arguments
def _gamma(gamma, dtype):
    g = _number(gamma, "gamma", "a number >= 0")
    if g < 0:
        raise ValueError(f"gamma: {gamma!r} is negative; valid: a number >= 0 (0 is the weighted cross-entropy)")
    return np.asarray(g, dtype=dtype)


def _alpha(alpha, k, dtype):
    """``alpha`` as a length-K array of ``dtype``; None means every class weighs 1."""
    a = _class_weights(alpha, k, dtype, "alpha")
    return np.ones(k, dtype) if a is None else a


def _prepare(logits, target, alpha, gamma, axis):
    """Validated inputs, class axis last: (z, c, alpha, gamma)."""
    z = _class_last(_as_array(logits, "logits"), axis, "logits")
    k = z.shape[-1]
    try:
        t = np.asarray(target)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"target: expected an array of class indices, got {type(target).__name__} ({exc})") from None
    if t.dtype.kind not in "iu":
        raise TypeError(f"target: expected integer class indices in 0..{k - 1}, got dtype {t.dtype}")
    if t.shape != z.shape[:-1]:
        raise ValueError(f"target: class indices must have the logits' shape without the class axis, "
                         f"{z.shape[:-1]}; got {t.shape}")
    bad = (t < 0) | (t >= k)
    if np.any(bad):
        raise ValueError(f"target: class index {t[bad].flat[0]} is out of range; valid: 0..{k - 1}")
    return z, t.astype(np.intp, copy=False), _alpha(alpha, k, z.dtype), _gamma(gamma, z.real.dtype)


def _per_sample(z, c, alpha, gamma, with_grad, reduction):
    """Each sample's loss and, with_grad, the gradient of the reduced loss."""
    # alpha broadcast to the logits: the kernel picks alpha[c] per sample.
    arrays = (z, c, np.broadcast_to(alpha, z.shape))
    if not with_grad:
        return _driven("loss", arrays, (gamma,))[0], None
    return _driven("loss_and_grad", arrays, (gamma,), z.size // z.shape[-1] if reduction == "mean" else None)
