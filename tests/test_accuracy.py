"""Accuracy in ulps over the whole range, measured on the committed generated modules.

Every entry of a module's ``options["accuracy"]`` (parametrized over the registry) must stay
within 4 ulp (float64) / 8 ulp (float32) of the 50-digit true value wherever that is a normal
number, give the correct inf/0/nan elsewhere, and the limit at infinite inputs. The
measurement itself must catch the forms it was built against (the tanh sigmoid, sigma(z) - y).
No generated function may raise FloatingPointError from a harmless underflow under
``np.errstate(all="raise")``, on contiguous (fast kernels) or strided (plain kernels) inputs.
"""

from __future__ import annotations

import inspect
import types

import numpy as np
import pytest
import sympy as sp

from symxent import accuracy
from conftest import LAYOUTS, ON_THE_REPORT, REGISTRY, as_layout, load_module

MEASURED = [(d.name, m.name) for d in REGISTRY.values() for m in d.modules
            if any(m.options.get(key) for key in accuracy.ENTRY_KINDS)]


def _module(derivation: str, module: str):
    d = REGISTRY[derivation]
    return d, next(m for m in d.modules if m.name == module)


@pytest.fixture(scope="module")
def measured(report) -> dict[tuple[str, str], list[accuracy.Accuracy]]:
    """The session's verification's measurements: of generated/, imported from its files."""
    out: dict[tuple[str, str], list[accuracy.Accuracy]] = {key: [] for key in MEASURED}
    modules = {module: derivation for derivation, module in MEASURED}
    for a in report.accuracy():
        module = a.function.split(".")[0]
        out[modules[module], module].append(a)
    return out


@ON_THE_REPORT
@pytest.mark.parametrize("derivation,module", MEASURED)
def test_within_target(measured, derivation, module):
    gated = [a for a in measured[derivation, module] if not a.not_gated]
    bad = [f"{a.function} {a.dtype} ({a.case}): {a.max_ulp:.3g} ulp > {a.target:g} at {a.where} {a.problem}"
           for a in gated if not a.within]
    assert not bad, "\n".join(bad)


@ON_THE_REPORT
@pytest.mark.parametrize("derivation,module", MEASURED)
def test_every_entry_measured_in_both_dtypes(measured, derivation, module):
    results = measured[derivation, module]
    d, m = _module(derivation, module)
    functions = {e[0] for key in accuracy.ENTRY_KINDS for e in m.options.get(key, ())}
    assert {a.function for a in results} == {f"{module}.{f}" for f in functions}
    for a in results:
        assert {r.dtype for r in results if r.function == a.function} == {"float64", "float32"}, a.function
        # confident rows are a subset: the target class ahead of the others by 1 or more
        least = 100 if "confident" in a.case else 400
        assert a.points >= least, f"{a.function} {a.dtype} {a.case}: only {a.points} inputs"


SPECIAL = MEASURED + [(d.name, m.name) for d in REGISTRY.values() for m in d.modules
                      if m.options.get("special_values") and (d.name, m.name) not in MEASURED]
ELEMENTWISE = [(d, m) for d, m in SPECIAL if not isinstance(_module(d, m)[1].kernels[0].args[0][1], sp.IndexedBase)]


@pytest.mark.parametrize("derivation,module", ELEMENTWISE)
def test_special_values(derivation, module):
    d, m = _module(derivation, module)
    problems = accuracy.special_values(d, m, load_module(module))
    assert not problems, "\n".join(problems)


def test_special_values_catch_zero_times_infinity():
    """max(z, 0) - z y + log1p(exp(-|z|)), the textbook stable loss, is nan at z = +inf, y = 1
    (inf - inf) and warns of it; its limit there is 0."""
    d, module = _module("binary_cross_entropy", "binary_cross_entropy_with_logits")
    real = load_module("binary_cross_entropy_with_logits")
    m = types.ModuleType("textbook_loss")
    m.grad, m.hessian, m.loss_and_grad = real.grad, real.hessian, real.loss_and_grad
    m.loss = lambda z, y, reduction="none", **_: np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    problems = accuracy.special_values(d, module, m)
    assert any("loss(y=1)" in p and "z=inf" in p for p in problems), problems


def test_sweep_covers_the_whole_range():
    for dtype in (np.float64, np.float32):
        info = np.finfo(dtype)
        x = accuracy.sweep(dtype)
        assert x.dtype == dtype
        assert x.max() >= info.max / 2 and x.min() <= -info.max / 2, dtype
        positive = x[x > 0]
        assert positive.min() < 2 * info.smallest_normal, dtype
        binades = np.unique(np.frexp(positive)[1])
        assert binades.size >= info.maxexp - info.minexp, f"{dtype}: {binades.size} binades"


@pytest.mark.parametrize("got,true,dtype,ulps", [
    (1.0, "1", np.float64, 0.0),
    (1.0 + 2.0 ** -52, "1", np.float64, 1.0),
    (np.nextafter(np.float32(1), np.float32(2)), "1", np.float32, 1.0),
    (0.0, "1e-320", np.float64, 0.0),  # below the smallest normal: a subnormal or 0 is right
    (np.inf, "1e400", np.float64, 0.0),  # beyond the largest float: inf is right
])
def test_ulp_error_counts(got, true, dtype, ulps):
    import mpmath

    err, problem = accuracy.ulp_error(got, mpmath.mpf(true), dtype)
    assert not problem and err == pytest.approx(ulps), (got, true, err, problem)


@pytest.mark.parametrize("got,true,dtype", [
    (0.0, "2.6e-218", np.float64),  # the tanh sigmoid's 0: a normal true value
    (np.nan, "1", np.float64),
    (np.inf, "1e300", np.float64),
    (1e-310, "-1e-310", np.float64),  # the wrong sign below normal
    (1.0, "inf", np.float64),
])
def test_ulp_error_rejects(got, true, dtype):
    import mpmath

    err, _ = accuracy.ulp_error(got, mpmath.mpf(true), dtype)
    assert err == np.inf or err > 1e6, (got, true, err)


def _tanh_sigmoid() -> types.ModuleType:
    """The forms this measurement was built to catch: sigma = (1 + tanh(z/2)) / 2 (0 below
    -38), sigma' = (1 - tanh^2) / 4, and log sigma as log of that sigma."""
    m = types.ModuleType("tanh_sigmoid")
    m.sigmoid = lambda z: (1 + np.tanh(np.asarray(z) / 2)) / 2
    m.derivative = lambda z: (1 - np.tanh(np.asarray(z) / 2) ** 2) / 4
    m.log_sigmoid = lambda z: np.log(np.maximum(m.sigmoid(z), np.finfo(np.asarray(z).dtype).tiny))
    return m


def test_measurement_catches_the_tanh_sigmoid():
    d, module = _module("sigmoid", "sigmoid")
    with np.errstate(all="ignore"):
        results = accuracy.measure(d, module, _tanh_sigmoid())
    caught = {(a.function, a.dtype) for a in results if not a.ok}
    assert {("sigmoid.sigmoid", "float64"), ("sigmoid.sigmoid", "float32"), ("sigmoid.derivative", "float64"),
            ("sigmoid.log_sigmoid", "float64")} <= caught, caught


def test_measurement_catches_sigmoid_minus_y():
    """sigma(z) - y, the form PyTorch prints, rounds to 0 for y = 1 beyond z = 37."""
    d, module = _module("binary_cross_entropy", "binary_cross_entropy_with_logits")
    real = load_module("binary_cross_entropy_with_logits")
    m = types.ModuleType("naive_grad")
    m.loss, m.hessian = real.loss, real.hessian
    sig = load_module("sigmoid").sigmoid
    m.grad = lambda z, y, reduction="none": sig(z) - y
    results = accuracy.measure(d, module, m)
    bad = {(a.function, a.dtype, a.case) for a in results if not a.ok}
    assert ("binary_cross_entropy_with_logits.grad", "float64", "y=1") in bad, bad


def test_measurement_catches_the_uncompensated_softmax():
    """exp of the rounded z - max z (up to ~700 ulp) and z - max z - log(sum), which loses a
    confident row's log-probability: the forms softmax printed before exp_diff and log1p."""
    d, module = _module("softmax", "softmax")
    m = types.ModuleType("naive_softmax")

    def softmax(z):
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)

    def log_softmax(z):
        shifted = z - np.max(z, axis=-1, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))

    m.softmax, m.log_softmax = softmax, log_softmax
    with np.errstate(all="ignore"):
        results = accuracy.measure(d, module, m)
    caught = {(a.function, a.dtype) for a in results if not a.ok}
    assert {("softmax.softmax", "float64"), ("softmax.softmax", "float32"), ("softmax.log_softmax", "float64"),
            ("softmax.log_softmax", "float32")} <= caught, caught


def _public(module: types.ModuleType) -> list:
    return [f for name, f in sorted(vars(module).items())
            if inspect.isfunction(f) and not name.startswith("_") and f.__module__ == module.__name__]


GENERATED = sorted({m.name for d in REGISTRY.values() for m in d.modules})


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_underflow_is_not_an_error(name, dtype, layout):
    """Logits of +-1e4 underflow exp(-|z|) to 0: the right value, not a FloatingPointError."""
    m = load_module(name)
    z = np.array([[1e4, -1e4, 3.0], [-1e4, 2.0, 1e4]], dtype=dtype)
    probs = np.full(z.shape, 0.3, dtype)
    index = np.array([0, 2])
    z, probs = as_layout(z, layout), as_layout(probs, layout)
    called = 0
    for f in _public(m):
        params = [p for p in inspect.signature(f).parameters.values()
                  if p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
        first = probs if params[0].name == "probs" else z
        for second in ([index, (z > 0).astype(dtype), probs] if len(params) > 1 else [None]):
            args = [first] + ([] if second is None else [second])
            try:
                with np.errstate(all="ignore"):
                    f(*args)
            except (ValueError, TypeError):
                continue  # not an argument this function takes (an index where a target is due)
            with np.errstate(all="raise"):
                f(*args)
            called += 1
    assert called, f"{name}: no public function could be called"


def test_measurement_in_ulps_of_the_largest_term_catches_the_unshifted_gradient():
    """exp(z) / sum(exp(z)) - onehot(c): inf / inf = nan beyond z = 709 (89 in float32), where
    the gradient is finite."""
    d, module = _module("softmax_cross_entropy", "softmax_cross_entropy")
    real = load_module("softmax_cross_entropy")
    m = types.ModuleType("unshifted_grad")
    m.loss = real.loss

    def grad(z, target, reduction="none"):
        e = np.exp(z)
        onehot = np.arange(z.shape[-1]) == (target[..., None] if target.dtype.kind == "i" else -1)
        return e / np.sum(e, axis=-1, keepdims=True) - (onehot if target.dtype.kind == "i" else target)

    m.grad = grad
    with np.errstate(all="ignore"):
        results = accuracy.measure(d, module, m)
    caught = {(a.function, a.dtype, a.case) for a in results if not a.ok}
    assert ("softmax_cross_entropy.grad", "float64", "c=0, K=2 (largest term)") in caught, caught
