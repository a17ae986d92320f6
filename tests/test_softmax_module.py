"""generated/softmax.py and the BCE-with-logits Hessian, against independent references.

The references are not the derivation's closed forms typed again: softmax and log-softmax are
compared with mpmath at 50 digits, the Jacobian and the BCE Hessian with central finite
differences of the module's own first derivatives, and vjp / jvp with the Jacobian. Every
check runs on C-contiguous inputs (the fast kernels) and on strided views of the same values
(the plain kernels), in float64 and float32.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from conftest import LAYOUTS, as_layout as _layout, load_module
from symxent.accuracy import TARGET_ULPS, ulp_error

sm = load_module("softmax")
bce = load_module("binary_cross_entropy_with_logits")


def _logits(dtype: type, scale: float = 3.0, k: int = 4) -> np.ndarray:
    rng = np.random.default_rng(7)
    z = rng.normal(0.0, scale, size=(5, k))
    z[0, :4] = [1e3, -1e3, 0.0, 999.0]          # extreme logits: the shift must keep them finite
    z[1] = -1e3 + np.arange(k) % 3
    return z.astype(dtype)


# K = 4 takes the classes-first fast kernels, K = 20 the row-wise ones (over 16 classes)
CLASSES = [4, 20]


def _softmax_50(row: np.ndarray) -> list[mpmath.mpf]:
    with mpmath.workdps(50):
        e = [mpmath.exp(mpmath.mpf(float(x))) for x in row]
        s = mpmath.fsum(e)
        return [x / s for x in e]


@pytest.mark.parametrize("k", CLASSES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_softmax_and_log_softmax_match_50_digits(dtype, layout, k):
    z = _logits(dtype, k=k)
    z[2, 0] = 40.0  # a confident row: log p_0 = -log1p(the others' mass), about -1e-16
    z = _layout(z, layout)
    p, lp = sm.softmax(z), sm.log_softmax(z)
    assert p.dtype == dtype and lp.dtype == dtype
    # each entry within the accuracy target in ulps of its own value (relative, where normal)
    target = TARGET_ULPS[np.dtype(dtype).name]
    for r, row in enumerate(z):
        want = _softmax_50(row)
        for c, w in enumerate(want):
            for name, got, true in (("p", p[r, c], w), ("log p", lp[r, c], mpmath.log(w))):
                err, problem = ulp_error(got, true, dtype)
                assert err <= target and not problem, (name, r, c, got, mpmath.nstr(true, 20), err, problem)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_softmax_of_a_row_wider_than_the_largest_float(layout):
    """z - max z overflows to -inf there, whose exp is the right 0: no error under
    np.errstate(all="raise"), no nan from the exact difference's correction term."""
    z = _layout(np.array([[1e308, -1e308, 3.0], [-1e308, 0.0, 1e308]] * 3), layout)
    with np.errstate(all="raise"):
        p = sm.softmax(z)
    np.testing.assert_array_equal(p, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]] * 3)


@pytest.mark.parametrize("k", CLASSES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_jacobian_is_the_derivative_of_softmax(layout, k):
    z = _logits(np.float64, scale=1.0, k=k)[2:]       # moderate rows: finite differences are exact enough
    jac = sm.jacobian(_layout(z, layout))
    h = 1e-6
    for r, row in enumerate(z):
        for j in range(z.shape[1]):
            up, down = row.copy(), row.copy()
            up[j] += h
            down[j] -= h
            column = (sm.softmax(up[None])[0] - sm.softmax(down[None])[0]) / (2 * h)
            np.testing.assert_allclose(jac[r, :, j], column, rtol=1e-6, atol=1e-9,
                                       err_msg=f"jacobian row {r}, column {j} against finite differences")


@pytest.mark.parametrize("k", CLASSES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_vjp_and_jvp_are_products_with_the_jacobian(layout, k):
    z = _logits(np.float64, k=k)                      # N = 5 != K, so an axis mix-up shows
    v = np.random.default_rng(3).normal(size=z.shape)
    jac = sm.jacobian(z)
    np.testing.assert_allclose(sm.vjp(_layout(z, layout), _layout(v, layout)),
                               np.einsum("nk,nkj->nj", v, jac), rtol=1e-12, atol=1e-300, err_msg="vjp = v J")
    np.testing.assert_allclose(sm.jvp(_layout(z, layout), _layout(v, layout)),
                               np.einsum("nij,nj->ni", jac, v), rtol=1e-12, atol=1e-300, err_msg="jvp = J v")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_bce_with_logits_hessian_is_the_derivative_of_its_gradient(layout):
    rng = np.random.default_rng(5)
    z = rng.normal(0.0, 3.0, size=(6, 3))
    y = rng.uniform(0.0, 1.0, size=z.shape)
    hess = bce.hessian(_layout(z, layout))
    h = 1e-6
    fd = (bce.grad(z + h, y, reduction="sum") - bce.grad(z - h, y, reduction="sum")) / (2 * h)
    np.testing.assert_allclose(hess, fd, rtol=1e-6, atol=1e-10,
                               err_msg="BCE-with-logits Hessian against finite differences of its gradient")
