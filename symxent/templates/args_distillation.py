"""The argument handling of distillation.py.j2: the temperature, t2_scaling and the teacher's logits or
probabilities checked, and the kernel run.

Contract: as ``runtime.py``: the part below is copied verbatim into the module the template renders
(``{{ parts.args_distillation.arguments }}``), after its public functions; this header is never
copied. It imports what the module defines itself (the runtime's parts), so that linters and
``tests/test_runtime.py`` read this file as the Python it is.
"""

import numpy as np

from symxent.templates.runtime import (_as_array, _check_reduction, _class_last, _classes_inner, _driven,
                                       _move, _number, _reduce)


#: part arguments
def _temperature(temperature, dtype):
    if not _number(temperature, "temperature", "a finite T > 0") > 0:
        raise ValueError(f"temperature: {temperature!r} is not a finite positive number; valid: T > 0")
    return np.asarray(temperature, dtype=dtype)


def _t2(t2_scaling):
    if not isinstance(t2_scaling, (bool, np.bool_)):
        raise TypeError(f"t2_scaling: expected True or False, got {t2_scaling!r}")
    return bool(t2_scaling)


def _prepare(logits, teacher, teacher_name, temperature, t2_scaling, axis):
    """Validated inputs, class axis last: (z, teacher, T, t2_scaling)."""
    logits = _as_array(logits, "logits")
    z = _class_last(logits, axis, "logits")
    t = _as_array(teacher, teacher_name)
    if t.shape != logits.shape:
        raise ValueError(f"{teacher_name}: shape {t.shape} must equal the shape of logits, {logits.shape}")
    if t.dtype.kind == "c":
        raise TypeError(f"{teacher_name}: expected a real array, got dtype {t.dtype}")
    if teacher_name == "teacher_probs" and not (np.all(t >= 0) and np.all(t <= 1)):
        raise ValueError("teacher_probs: probabilities must lie in [0, 1] (and not be nan)")
    t = _classes_inner(_move(t, axis, -1)).astype(z.real.dtype, copy=False)
    return z, t, _temperature(temperature, z.real.dtype), _t2(t2_scaling)


def _evaluate(kind, logits, teacher, temperature, t2_scaling, reduction, axis, with_grad):
    _check_reduction(reduction)
    name = "teacher_logits" if kind == "logits" else "teacher_probs"
    z, t, T, scaled = _prepare(logits, teacher, name, temperature, t2_scaling, axis)
    kernel = f"loss{'_and_grad' if with_grad else ''}_{kind}{'_t2' if scaled else ''}"
    mean = z.size // z.shape[-1] if reduction == "mean" else None
    out = _driven(kernel, (z, t), (T,), mean if with_grad else None)
    if not with_grad:
        return _reduce(out[0], reduction)
    return _reduce(out[0], reduction), _move(out[1], -1, axis)
