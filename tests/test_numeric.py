"""The numeric layer: generated code against raw lambdify, finite differences, extremes, spectra."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conftest import ON_THE_REPORT, REGISTRY, load_module

# Every test on both kernel paths: C-contiguous arrays (fast kernels) and strided views (plain).
pytestmark = pytest.mark.usefixtures("kernel_path")

MODULE_DERIVATIONS = [d.name for d in REGISTRY.values() if d.modules]


@ON_THE_REPORT
@pytest.mark.parametrize("derivation", MODULE_DERIVATIONS)
def test_numeric_checks_pass(report, derivation):
    checks = [n for n in report.numeric if n.derivation == derivation]
    assert checks, f"{derivation}: no numeric checks ran"
    failed = [n for n in checks if not n.ok]
    assert not failed, "\n".join(f"{derivation} / {n.subject}: {n.check}: {n.max_error:.3g} > {n.tolerance:g} {n.detail}"
                                 for n in failed)
    kinds = {n.check.split(" ")[0] for n in checks}
    assert {"generated", "extreme"} <= kinds, f"{derivation}: missing check kinds, ran {sorted(kinds)}"


@ON_THE_REPORT
def test_every_kernel_output_is_checked_against_raw(report):
    for d in REGISTRY.values():
        for m in d.modules:
            for kernel in m.kernels:
                found = [n for n in report.numeric if n.derivation == d.name and f"{m.name}._{kernel.name} vs raw" in n.check]
                assert len(found) == len(kernel.outputs), f"{d.name}/{m.name}._{kernel.name}: {len(found)} raw checks"


logits = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=7),
                    elements=st.floats(-1e4, 1e4, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(logits)
def test_softmax_properties(z):
    sm = load_module("softmax")
    p = sm.softmax(z)
    assert np.all(np.isfinite(p)) and np.all(p >= 0), f"softmax not finite/non-negative for {z}"
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12, err_msg="softmax rows must sum to 1")
    np.testing.assert_allclose(sm.softmax(z + 7.5), p, rtol=1e-9, atol=1e-300, err_msg="shift invariance")
    np.testing.assert_allclose(np.exp(sm.log_softmax(z)), p, rtol=1e-9, atol=1e-300)


@settings(max_examples=60, deadline=None)
@given(logits, st.integers(0, 2**31 - 1))
def test_cross_entropy_properties(z, seed):
    ce = load_module("softmax_cross_entropy")
    rng = np.random.default_rng(seed)
    y = rng.dirichlet(np.ones(z.shape[-1]), size=z.shape[:-1])
    loss, g = ce.loss_and_grad(z, y, reduction="none")
    assert np.all(np.isfinite(loss)) and np.all(loss >= -1e-9), f"loss must be finite and >= 0 for {z}"
    np.testing.assert_allclose(g.sum(axis=-1), 0.0, atol=1e-9, err_msg="gradient rows sum to 0 for normalised y")
    c = rng.integers(0, z.shape[-1], size=z.shape[:-1])
    onehot = np.eye(z.shape[-1])[c]
    np.testing.assert_allclose(ce.loss(z, c, reduction="none"), ce.loss(z, onehot, reduction="none"), rtol=1e-9,
                               atol=1e-9, err_msg="index targets = one-hot probability targets")
    np.testing.assert_allclose(ce.grad(z, c), ce.grad(z, onehot), rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=6), elements=st.floats(-1e4, 1e4)),
       st.integers(0, 2**31 - 1))
def test_bce_with_logits_properties(z, seed):
    bce = load_module("binary_cross_entropy_with_logits")
    y = np.random.default_rng(seed).uniform(0, 1, size=z.shape)
    loss, g = bce.loss_and_grad(z, y, reduction="none")
    assert np.all(np.isfinite(loss)) and np.all(loss >= -1e-12)
    assert np.all(np.abs(g) <= 1)
    h = bce.hessian(z)
    assert np.all(h >= 0) and np.all(h <= 0.25)


@pytest.mark.parametrize("module", ["softmax", "sigmoid", "softmax_cross_entropy", "binary_cross_entropy_with_logits",
                                    "binary_cross_entropy"])
def test_float32_stays_float32(module):
    m = load_module(module)
    z = np.random.default_rng(0).normal(0, 3, size=(5, 4)).astype(np.float32)
    probs = np.random.default_rng(1).uniform(0.05, 0.95, size=(5, 4)).astype(np.float32)
    outputs = {
        "softmax": lambda: [m.softmax(z), m.log_softmax(z), m.jacobian(z), m.vjp(z, z), m.jvp(z, z)],
        "sigmoid": lambda: [m.sigmoid(z), m.log_sigmoid(z), m.derivative(z)],
        "softmax_cross_entropy": lambda: [*m.loss_and_grad(z, probs / probs.sum(-1, keepdims=True)),
                                          *m.loss_and_grad(z, np.array([0, 1, 2, 3, 0])), m.hessian(z), m.hvp(z, z)],
        "binary_cross_entropy_with_logits": lambda: [*m.loss_and_grad(z, probs), m.hessian(z)],
        "binary_cross_entropy": lambda: [*m.loss_and_grad(probs, probs.round())],
    }[module]()
    for out in outputs:
        assert np.asarray(out).dtype == np.float32, f"{module}: {np.asarray(out).dtype} from float32 input"


def test_extreme_logits_are_finite():
    ce = load_module("softmax_cross_entropy")
    bce = load_module("binary_cross_entropy_with_logits")
    for dtype, big in ((np.float64, 1e4), (np.float32, 1e3)):
        z = np.array([[big, -big, 0.0], [-big, -big, -big]], dtype=dtype)
        loss, g = ce.loss_and_grad(z, np.array([1, 2]), reduction="none")
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(g)), f"CE at +-{big} {dtype}"
        np.testing.assert_allclose(loss, [2 * big, np.log(3)], rtol=1e-6)
        loss, g = bce.loss_and_grad(z, np.ones_like(z), reduction="none")
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(g)), f"BCE at +-{big} {dtype}"


def test_bad_input_errors():
    ce = load_module("softmax_cross_entropy")
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match="reduction"):
        ce.loss(z, np.array([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match="out of range"):
        ce.loss(z, np.array([0, 3]))
    with pytest.raises(ValueError, match="shape"):
        ce.loss(z, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="axis"):
        ce.loss(z, np.array([0, 1]), axis=2)
    with pytest.raises(TypeError, match="numeric"):
        ce.loss(np.array([["a", "b"]]), np.array([0]))
    assert np.isnan(ce.loss(np.zeros((0, 3)), np.zeros(0, dtype=int)))
    bce = load_module("binary_cross_entropy")
    with pytest.raises(ValueError, match="probabilities"):
        bce.loss(np.array([1.5]), np.array([1.0]))
    assert np.isinf(bce.loss(np.array([0.0]), np.array([1.0]), reduction="sum"))
    assert bce.loss(np.array([0.0, 1.0]), np.array([0.0, 1.0]), reduction="sum") == 0.0


def test_axis_argument_moves_the_class_axis():
    ce = load_module("softmax_cross_entropy")
    z = np.random.default_rng(0).normal(size=(4, 3, 5))
    c = np.random.default_rng(1).integers(0, 3, size=(4, 5))
    moved = np.moveaxis(z, 1, -1)
    np.testing.assert_allclose(ce.loss(z, c, axis=1), ce.loss(moved, c))
    np.testing.assert_allclose(np.moveaxis(ce.grad(z, c, axis=1), 1, -1), ce.grad(moved, c))


# (module, function, its arguments after the logits (K classes last), options): every public
# function of a class-axis module that sums over the classes
SUMS_OVER_CLASSES = {
    "softmax": ("softmax", "softmax", lambda z, rng: (), {}),
    "log_softmax": ("softmax", "log_softmax", lambda z, rng: (), {}),
    "cross_entropy_index": ("softmax_cross_entropy", "loss_and_grad",
                            lambda z, rng: (rng.integers(0, z.shape[-1], z.shape[:-1]),),
                            {"label_smoothing": 0.5, "reduction": "none"}),
    "cross_entropy_onehot": ("softmax_cross_entropy", "loss_and_grad",
                             lambda z, rng: (np.eye(z.shape[-1], dtype=z.dtype)[rng.integers(0, z.shape[-1], z.shape[:-1])],),
                             {"label_smoothing": 0.5, "reduction": "none"}),
    "focal": ("focal_loss", "loss_and_grad", lambda z, rng: (rng.integers(0, z.shape[-1], z.shape[:-1]),),
              {"gamma": 2.0, "reduction": "none"}),
    "distillation": ("distillation", "loss_and_grad", lambda z, rng: (rng.standard_normal(z.shape).astype(z.dtype),),
                     {"temperature": 2.0, "reduction": "none"}),
}


@pytest.mark.parametrize("name", list(SUMS_OVER_CLASSES))
def test_a_class_axis_that_is_not_last_is_summed_as_accurately(name):
    """float32, K = 1000, classes on axis 1 of (N, K, d): as accurate as with the classes last.
    NumPy sums over an axis that is not the innermost in memory one term after another (an error
    of order K ulp); each of these was 2.3e-5 off in the cross-entropy's gradient, 40 times the
    classes-last error, before the classes were made innermost."""
    mod_name, fn, others, options = SUMS_OVER_CLASSES[name]
    rng = np.random.default_rng(5)
    z = rng.standard_normal((3, 4, 1000)).astype(np.float32)  # classes last: terms of like size
    args = others(z, rng)
    f = getattr(load_module(mod_name), fn)

    def outputs(zz, aa, **kw):
        out = f(zz, *aa, **dict(options, **kw))
        return [np.asarray(o) for o in (out if isinstance(out, tuple) else (out,))]

    exact = outputs(z.astype(np.float64), [a.astype(np.float64) if a.dtype.kind == "f" else a for a in args])
    last = outputs(z, args)
    moved = [np.moveaxis(a, -1, 1) if a.shape == z.shape else a for a in args]
    on_axis1 = [np.moveaxis(o, 1, -1) if o.shape == (3, 1000, 4) else o
                for o in outputs(np.moveaxis(z, -1, 1), moved, axis=1)]
    for n, (e, a, b) in enumerate(zip(exact, last, on_axis1)):
        # errors in units of each sample's largest value (the size of the terms it is made of)
        scale = np.abs(e).max(axis=-1, keepdims=True) if e.shape == z.shape else np.abs(e)
        err_last, err_axis1 = ((np.abs(x - e) / scale).max() for x in (a, b))
        allowed = 2 * err_last + 4 * np.finfo(np.float32).eps
        assert err_axis1 <= allowed, (f"{mod_name}.{fn} output {n}, {options}: float32 error {err_axis1:.3g} (relative to "
                                      f"each sample's largest value) with the classes on axis 1, {err_last:.3g} with "
                                      f"them last (allowed {allowed:.3g})")
