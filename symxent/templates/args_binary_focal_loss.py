"""The argument handling of binary_focal_loss.py.j2: torchvision's alpha and gamma and the target
checked, and the weighted or unweighted kernel run.

Contract: as ``runtime.py``: the part below is copied verbatim into the module the template renders
(``{{ parts.args_binary_focal_loss.arguments }}``), after its public functions; this header is never
copied. It imports what the module defines itself (the runtime's parts), so that linters and
``tests/test_runtime.py`` read this file as the Python it is.
"""

import numpy as np

from symxent.templates.runtime import _as_array, _driven_elements, _number


#: part arguments
def _prepare(logits, target, alpha, gamma):
    """Validated inputs: (logits, target, alpha or None for no weighting, gamma)."""
    logits = _as_array(logits, "logits")
    target = _as_array(target, "target")
    if target.shape != logits.shape:
        raise ValueError(f"target: shape {target.shape} must equal the shape of logits, {logits.shape}")
    if target.dtype.kind == "c" or not (np.all(target >= 0) and np.all(target <= 1)):
        raise ValueError("target: values must lie in [0, 1] (and not be nan)")
    a = _number(alpha, "alpha", "a number in [0, 1], or negative for no weighting")
    if a > 1:
        raise ValueError(f"alpha: {alpha!r} is greater than 1; valid: a number in [0, 1], or negative for no "
                         "weighting")
    g = _number(gamma, "gamma", "a number >= 0")
    if g < 0:
        raise ValueError(f"gamma: {gamma!r} is negative; valid: a number >= 0 (0 is the alpha-weighted binary "
                         "cross-entropy)")
    # Python floats, not arrays of the logits' dtype: NumPy keeps float32 with them either way,
    # but 1 - alpha is then formed in double precision (alpha = 0.99999 rounded to float32
    # first would leave 1 - alpha, the weight of negatives, 1e-3 off).
    return logits, target.astype(logits.dtype, copy=False), None if a < 0 else a, g


def _kernel(name, logits, target, alpha, gamma, divisor=None):
    """The alpha-weighted kernel, or the unweighted one (torchvision's alpha < 0); the
    gradient, if any, divided by ``divisor``."""
    if alpha is None:
        return _driven_elements(f"{name}_unweighted", (logits, target), (gamma,), divisor)
    return _driven_elements(name, (logits, target), (alpha, gamma), divisor)
