"""Scalar options of the generated losses: a 0-d NumPy array is a number like np.float32 (issue 16)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import load_module

# Every test on both kernel paths: C-contiguous arrays (fast kernels) and strided views (plain).
pytestmark = pytest.mark.usefixtures("kernel_path")

# (module, keyword, a valid value, the second argument: index targets or teacher logits)
OPTIONS = [
    ("softmax_cross_entropy", "label_smoothing", 0.1, "index"),
    ("focal_loss", "gamma", 1.5, "index"),
    ("binary_focal_loss", "alpha", 0.3, "binary"),
    ("binary_focal_loss", "gamma", 1.5, "binary"),
    ("distillation", "temperature", 2.5, "logits"),
]


def _inputs(kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if kind == "binary":
        return rng.normal(size=(4, 3)), rng.uniform(size=(4, 3)).round()
    logits = rng.normal(size=(4, 3))
    return logits, rng.integers(0, 3, size=4) if kind == "index" else rng.normal(size=(4, 3))


@pytest.mark.parametrize("module,keyword,value,kind", OPTIONS, ids=[f"{m}-{k}" for m, k, _, _ in OPTIONS])
@pytest.mark.parametrize("wrap", [np.float32, np.float64, lambda v: np.array(v), lambda v: np.array(v, np.float32)],
                         ids=["np.float32", "np.float64", "0-d float64 array", "0-d float32 array"])
def test_a_numpy_scalar_option_equals_the_python_number(module, keyword, value, kind, wrap):
    m = load_module(module)
    logits, second = _inputs(kind, np.random.default_rng(0))
    expected = m.loss(logits, second, **{keyword: value})
    actual = m.loss(logits, second, **{keyword: wrap(value)})
    np.testing.assert_allclose(actual, expected, rtol=1e-6, err_msg=f"{module}.loss({keyword}={wrap(value)!r})")


@pytest.mark.parametrize("bad,error", [(np.array([0.1]), TypeError), (np.array(True), TypeError),
                                       (np.array("0.1"), TypeError), (np.array(np.nan), ValueError)],
                         ids=["1-d array", "0-d bool", "0-d string", "0-d nan"])
def test_other_arrays_are_still_refused(bad, error):
    m = load_module("softmax_cross_entropy")
    logits, target = _inputs("index", np.random.default_rng(0))
    with pytest.raises(error, match="label_smoothing"):
        m.loss(logits, target, label_smoothing=bad)
