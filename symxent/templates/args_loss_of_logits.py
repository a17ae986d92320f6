"""The argument handling of loss_of_logits.py.j2, the generic template: the target (class indices, or
probabilities where the module has their kernels) and the scalar parameters checked against the
ranges the module lists as data, and the kernel run.

Contract: as ``runtime.py``: the part below is copied verbatim into the module the template renders
(``{{ parts.args_loss_of_logits.arguments }}``), after its public functions and its ``_PARAMETERS``
and ``_PROBABILITY_TARGETS``; this header is never copied. It imports what the module defines itself
and holds an example of those two, so that linters and ``tests/test_runtime.py`` read this file as
the Python it is.
"""

import numpy as np

from symxent.templates.runtime import _as_array, _class_last, _driven, _move, _number

# name -> (what is valid, low, high, low end included, high end included), in the order the
# kernels take the parameters; each module lists its own.
_PARAMETERS = {"gamma": ("a number >= 0", 0.0, None, True, True)}
_PROBABILITY_TARGETS = True  # whether the module has kernels for probability targets


#: part arguments
def _parameter(value, name, valid, low, high, low_closed, high_closed, dtype):
    """A scalar parameter as a 0-d array of the logits' real dtype, checked against its range."""
    x = _number(value, name, valid)
    if (low is not None and (x < low or (x == low and not low_closed))) or \
            (high is not None and (x > high or (x == high and not high_closed))):
        raise ValueError(f"{name}: {value!r} is out of range; valid: {valid}")
    return np.asarray(x, dtype=dtype)


def _parameters(values, dtype):
    """The scalar parameters ``values`` (in the order of ``_PARAMETERS``), checked."""
    return tuple(_parameter(value, name, *spec, dtype) for value, (name, spec) in zip(values, _PARAMETERS.items()))


def _prepare(logits, target, axis, *params):
    """Validated inputs, class axis last: (z, target, is_index, parameters)."""
    z = _class_last(_as_array(logits, "logits"), axis, "logits")
    k = z.shape[-1]
    try:
        t = np.asarray(target)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"target: expected an array of class indices, got {type(target).__name__} ({exc})") from None
    if _PROBABILITY_TARGETS and t.dtype.kind == "f" and t.shape == _move(z, -1, axis).shape:
        y = _class_last(t, axis, "target").astype(z.dtype, copy=False)
        if not np.all((y >= 0) & (y <= 1)):
            raise ValueError("target: probabilities must lie in [0, 1] (and not be nan)")
        return z, y, False, _parameters(params, z.real.dtype)
    if t.dtype.kind not in "iu" and _PROBABILITY_TARGETS:
        raise TypeError(f"target: expected integer class indices in 0..{k - 1}, or float probabilities of the "
                        f"logits' shape {logits.shape}; got dtype {t.dtype}, shape {t.shape}")
    if t.dtype.kind not in "iu":
        raise TypeError(f"target: expected integer class indices in 0..{k - 1}, got dtype {t.dtype}")
    if t.shape != z.shape[:-1]:
        raise ValueError(f"target: class indices must have the logits' shape without the class axis, "
                         f"{z.shape[:-1]}; got {t.shape}")
    bad = (t < 0) | (t >= k)
    if np.any(bad):
        raise ValueError(f"target: class index {t[bad].flat[0]} is out of range; valid: 0..{k - 1}")
    return z, t.astype(np.intp, copy=False), True, _parameters(params, z.real.dtype)


def _per_sample(z, t, is_index, params, with_grad, reduction):
    """Each sample's loss and, with_grad, the gradient of the reduced loss."""
    suffix = "" if is_index else "_probs"
    if not with_grad:
        return _driven("loss" + suffix, (z, t), params)[0], None
    return _driven("loss_and_grad" + suffix, (z, t), params, z.size // z.shape[-1] if reduction == "mean" else None)
