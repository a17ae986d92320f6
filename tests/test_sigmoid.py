"""generated/sigmoid.py on its own: identities, tails, dtypes, shapes and bad input.

The whole-range ulp measurement is tests/test_accuracy.py; here the identities the derivation
proves are checked on the committed module, each to a few ulps, over the range where both
sides are normal numbers, and the tails against mpmath at the inputs peers test (PyTorch's
OpInfo large values, SciPy's expit overflow edges).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from conftest import load_module

# Every test on both kernel paths: C-contiguous arrays (fast kernels) and strided views (plain).
pytestmark = pytest.mark.usefixtures("kernel_path")

sig = load_module("sigmoid")
DTYPES = [np.float64, np.float32]
ULP_TARGET = {np.float64: 4, np.float32: 8}


def _logits(dtype: type) -> np.ndarray:
    """Logits where sigma, its log and its derivative are all normal numbers of ``dtype``."""
    edge = 700.0 if dtype == np.float64 else 85.0
    rng = np.random.default_rng(0)
    return np.concatenate([np.linspace(-edge, edge, 2001), rng.normal(0, 5, 500)]).astype(dtype)


def _ulps(got: np.ndarray, want: np.ndarray, dtype: type) -> np.ndarray:
    """|got - want| in ulps of ``want`` (both of ``dtype``; want normal)."""
    want = want.astype(np.float64)
    return np.abs(got.astype(np.float64) - want) / np.spacing(np.abs(want).astype(dtype)).astype(np.float64)


def _true(f, z: float) -> mpmath.mpf:
    with mpmath.workdps(60):
        return f(mpmath.mpf(float(z)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_symmetry(dtype):
    """sigma(-z) = 1 - sigma(z): sigma(z) + sigma(-z) is 1 to rounding, for every z."""
    z = _logits(dtype)
    total = sig.sigmoid(z).astype(np.float64) + sig.sigmoid(-z).astype(np.float64)
    worst = np.max(np.abs(total - 1)) / np.finfo(dtype).eps
    assert worst <= ULP_TARGET[dtype], f"sigmoid(z) + sigmoid(-z) off 1 by {worst:.3g} eps ({np.dtype(dtype).name})"


@pytest.mark.parametrize("dtype", DTYPES)
def test_derivative_is_even_and_sigma_times_complement(dtype):
    z = _logits(dtype)
    d = sig.derivative(z)
    np.testing.assert_array_equal(d, sig.derivative(-z), err_msg="derivative(z) != derivative(-z)")
    product = sig.sigmoid(z).astype(np.float64) * sig.sigmoid(-z).astype(np.float64)
    worst = np.max(_ulps(d, product.astype(dtype), dtype))
    assert worst <= 2 * ULP_TARGET[dtype], f"derivative vs sigmoid(z) sigmoid(-z): {worst:.3g} ulp"


@pytest.mark.parametrize("dtype", DTYPES)
def test_derivative_in_zero_quarter(dtype):
    """0 < sigma' <= 1/4 (proven) holds after rounding too, most tightly near z = 0."""
    rng = np.random.default_rng(2)
    z = np.concatenate([rng.standard_normal(200_000) * scale for scale in (1e-12, 1e-6, 1e-3, 1.0)]).astype(dtype)
    d = sig.derivative(z)
    assert d.max() <= 0.25, f"derivative above 1/4: {d.max()!r} at z={z[np.argmax(d)]!r}"
    assert d.min() > 0, f"derivative not positive: {d.min()!r} at z={z[np.argmin(d)]!r}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_sigmoid_difference_is_z(dtype):
    """log sigma(z) - log sigma(-z) = z: the two tails agree with each other."""
    z = _logits(dtype)
    difference = sig.log_sigmoid(z).astype(np.float64) - sig.log_sigmoid(-z).astype(np.float64)
    scale = np.maximum(np.abs(z.astype(np.float64)), 1.0)
    worst = np.max(np.abs(difference - z) / scale) / np.finfo(dtype).eps
    assert worst <= ULP_TARGET[dtype], f"log_sigmoid(z) - log_sigmoid(-z) - z: {worst:.3g} eps"


# PyTorch OpInfo's large float values and SciPy TestExpit's overflow edges, both signs: where the
# tanh form returned 0 (or lost its digits) for a normal true value, and where log sigma(z) =
# -log1p(e^{-z}) is a tiny normal number that log(1 + e^{-z}) rounds to 0.
PEER_TAILS = [s * z for z in (11357.0, 11356.0, 1001.2, 710.0, 709.0, 501.0, 89.0, 88.0, 40.0, 37.0, 20.0, 10.0)
              for s in (-1, 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("z", PEER_TAILS)
@pytest.mark.parametrize("name,truth", [
    ("sigmoid", lambda t: 1 / (1 + mpmath.exp(-t))),
    ("derivative", lambda t: mpmath.exp(-t) / (1 + mpmath.exp(-t)) ** 2),
    ("log_sigmoid", lambda t: -mpmath.log1p(mpmath.exp(-t))),
])
def test_tails_against_mpmath(dtype, z, name, truth):
    info = np.finfo(dtype)
    x = dtype(z)
    got = float(getattr(sig, name)(np.array([x]))[0])
    true = _true(truth, x)
    if abs(true) < info.smallest_normal:  # underflows in this dtype: 0 or a subnormal of its sign
        assert abs(got) < info.smallest_normal and (got == 0 or (got < 0) == (true < 0)), \
            f"{name}({z}) {np.dtype(dtype).name}: {got!r}, true {true}"
        return
    ulps = float(abs(mpmath.mpf(got) - true) / mpmath.mpf(float(np.spacing(abs(dtype(float(true)))))))
    assert ulps <= ULP_TARGET[dtype], f"{name}({z}) {np.dtype(dtype).name}: {got!r}, true {mpmath.nstr(true, 17)}"


@pytest.mark.parametrize("name", ["sigmoid", "log_sigmoid", "derivative"])
def test_special_inputs(name):
    f = getattr(sig, name)
    expected = {"sigmoid": (1.0, 0.0), "log_sigmoid": (0.0, -np.inf), "derivative": (0.0, 0.0)}[name]
    for dtype in DTYPES:
        out = f(np.array([np.inf, -np.inf, np.nan], dtype=dtype))
        assert out[0] == expected[0] and out[1] == expected[1], f"{name} at +-inf: {out[:2]}"
        assert np.isnan(out[2]), f"{name}(nan) = {out[2]}"


@pytest.mark.parametrize("name", ["sigmoid", "log_sigmoid", "derivative"])
def test_dtype_shape_and_layout(name):
    f = getattr(sig, name)
    z = np.random.default_rng(1).normal(0, 10, size=(4, 6))
    for dtype in DTYPES:
        x = z.astype(dtype)
        out = f(x)
        assert out.dtype == dtype and out.shape == x.shape, f"{name}: {out.dtype} {out.shape} from {x.dtype} {x.shape}"
        np.testing.assert_array_equal(f(x[:, ::2]), out[:, ::2], err_msg=f"{name}: strided input")
        np.testing.assert_array_equal(f(x.T), out.T, err_msg=f"{name}: transposed input")
    assert f(np.array([1, 2])).dtype == np.float64, f"{name}: integers are computed in float64"
    assert np.ndim(f(0.5)) == 0 and f(np.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("name", ["sigmoid", "log_sigmoid", "derivative"])
def test_bad_input(name):
    with pytest.raises(TypeError, match="z: expected a numeric array"):
        getattr(sig, name)(np.array(["a"]))
