"""The argument handling of binary_cross_entropy.py.j2 for probabilities (the module
binary_cross_entropy): the probabilities, the target, the weight and log_clamp checked, and the
exact, weighted or clamped kernel run.

Contract: as ``runtime.py``: the part below is copied verbatim into the module the template renders
(``{{ parts.args_binary_cross_entropy.arguments }}``), after its public functions; this header is
never copied. It imports what the module defines itself, so that linters and
``tests/test_runtime.py`` read this file as the Python it is.
"""

import numpy as np

from symxent.templates.runtime import _as_array, _number, _weights
from symxent.templates.runtime import _PLAIN  # each module's own tables


#: part arguments
def _prepare(probs, target, weight):
    probs = _as_array(probs, "probs")
    target = _as_array(target, "target")
    if target.shape != probs.shape:
        raise ValueError(f"target: shape {target.shape} must equal the shape of probs, {probs.shape}")
    if probs.dtype.kind == "c" or not (np.all(probs >= 0) and np.all(probs <= 1)):
        raise ValueError("probs: probabilities must lie in [0, 1] (and not be nan)")
    # min/max rather than all(t >= 0): no boolean temporaries; nan fails both comparisons.
    if target.dtype.kind == "c" or target.size and not (target.min() >= 0 and target.max() <= 1):
        raise ValueError("target: values must lie in [0, 1] (and not be nan)")
    target = target.astype(probs.dtype, copy=False)
    weight = _weights(weight, "weight", probs.shape, probs.dtype, "probs")
    return probs, target, weight


def _clamp(log_clamp, dtype):
    if log_clamp is None:
        return None
    if not _number(log_clamp, "log_clamp", "None or a finite negative number") < 0:
        raise ValueError(f"log_clamp: {log_clamp!r} must be a finite negative number (PyTorch's is -100.0)")
    return np.asarray(log_clamp, dtype=dtype)


def _kernel(name, probs, target, weight, clamp):
    """The exact kernel, its weighted variant, or the clamped one (which takes the weight)."""
    with np.errstate(divide="ignore"):  # log(0) = -inf is the exact value
        if clamp is not None:
            w = np.ones((), probs.dtype) if weight is None else weight
            return _PLAIN[f"{name}_clamped"](probs, target, w, clamp)
        if weight is not None:
            return _PLAIN[f"{name}_weighted"](probs, target, weight)
        return _PLAIN[name](probs, target)
