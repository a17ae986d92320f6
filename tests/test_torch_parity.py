"""PyTorch parity of the generated losses, every option (issue 3).

The reference is ``torch.nn.functional.cross_entropy``, ``binary_cross_entropy_with_logits`` and
``binary_cross_entropy`` on the CPU, with gradients from autograd (of ``loss.sum()`` for
reduction="none", matching the generated ``grad``). Each option combination runs once on a fixed
grid and again on random inputs drawn by hypothesis (layouts, K up to 1000, logits up to +-1e3):
float64 must agree to a relative 1e-10, float32 to 1e-5, and float32 in gives float32 out.

float32 results are compared with PyTorch's float64 evaluation of the same (exactly widened)
float32 inputs: PyTorch's own float32 result is not that accurate (K = 1000 with label smoothing:
2e-5 relative off in the gradient; pos_weight: ``(q y + 1 - y)`` rounded at the size of 1, not of
q y), so comparing with it would test PyTorch's rounding rather than ours.

Tolerance: relative to the size of the terms a value is computed from, not to the value itself.
A gradient component ``p - y`` with p ~ y, or ``(1 - y) z - log sigmoid(z)`` at large |z|, is a
difference of terms much larger than the result; rounding them, in any implementation and in
PyTorch's, leaves an absolute error of about eps times their size, so the allowed error is
``rtol * M``. M is per sample for cross-entropy (the sample's weight mass, divided by the "mean"
normaliser, which bounds every term of its gradient), per element for the binary losses (the sum
of the absolute terms). Where a value is a sum of non-negative terms (the losses of cross-entropy
and of binary_cross_entropy) M is the value itself: plain relative error, element by element for
reduction="none". The edge-case tests compare normwise, ``atol = rtol * max|reference|``. NaN
and infinity must sit exactly where PyTorch has them.

Where PyTorch has no behaviour to match, the issue's contract is tested on its own: bad input
raises ValueError/TypeError naming the argument (PyTorch accepts label_smoothing < 0 or nan and
negative weights silently), ``binary_cross_entropy`` is exact unless ``log_clamp=-100.0``.

Point the suite at another implementation: with ``SYMXENT_PARITY_MODULES=/some/dir`` the modules
are imported from ``/some/dir/<name>.py`` instead of ``generated/``. This is how the suite itself
is checked: it must pass on a correct stand-in and fail on deliberately wrong ones.

PyTorch (pinned by .ci/run) is required in CI: without it the module skips locally but fails when
``CI=true``, since a parity check skipped in CI would pass a defect unseen.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import math
import os
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_module, on_both_kernel_paths
from reference import DTYPES, REDUCTIONS, assert_matches, f64, random_logits, random_unit_targets, torch

import torch.nn.functional as F  # noqa: E402  (after reference: torch may be missing)


@functools.cache
def module(name: str):
    """The module under test: generated/<name>.py, or <SYMXENT_PARITY_MODULES>/<name>.py."""
    directory = os.environ.get("SYMXENT_PARITY_MODULES")
    if not directory:
        return load_module(name)
    spec = importlib.util.spec_from_file_location(f"parity_{name}", Path(directory) / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def check_functions(mod, args, kwargs, ref_loss, ref_grad, options, *, loss_magnitude=None, grad_magnitude=None,
                    dtype=None, grad_view=lambda g: g, fns=("loss", "grad", "loss_and_grad")) -> None:
    """loss, grad and loss_and_grad of ``mod`` against PyTorch's loss and gradient."""
    for fn in fns:
        out = getattr(mod, fn)(*args, **kwargs)
        if fn == "loss":
            assert_matches(out, ref_loss, "loss", options, loss_magnitude, dtype)
        elif fn == "grad":
            assert_matches(grad_view(out), ref_grad, "grad", options, grad_magnitude, dtype)
        else:
            loss, g = out
            assert_matches(loss, ref_loss, "loss_and_grad[0]", options, loss_magnitude, dtype)
            assert_matches(grad_view(g), ref_grad, "loss_and_grad[1]", options, grad_magnitude, dtype)


def reduced(per_element: np.ndarray, reduction: str) -> np.ndarray:
    """The magnitude of a reduced value: the sum of its terms' magnitudes (already divided for "mean")."""
    return per_element if reduction == "none" else per_element.sum()


# --- the reference: torch.nn.functional with autograd ---

def _tensor(a):
    return None if a is None else torch.tensor(np.asarray(a))


def _loss_and_grad(fn, x, *args, **kwargs):
    x = torch.tensor(np.asarray(x), requires_grad=True)
    loss = fn(x, *args, **kwargs)
    (g,) = torch.autograd.grad(loss.sum(), x)
    return loss.detach().numpy(), g.numpy()


def torch_ce(logits, target, *, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """F.cross_entropy (class axis 1, or 0 unbatched) and its autograd gradient, as NumPy."""
    return _loss_and_grad(F.cross_entropy, logits, _tensor(target), weight=_tensor(weight), ignore_index=ignore_index,
                          reduction=reduction, label_smoothing=label_smoothing)


def torch_bce_with_logits(logits, target, *, weight=None, pos_weight=None, reduction="mean"):
    return _loss_and_grad(F.binary_cross_entropy_with_logits, logits, _tensor(target), weight=_tensor(weight),
                          pos_weight=_tensor(pos_weight), reduction=reduction)


def torch_bce(probs, target, *, weight=None, reduction="mean"):
    """F.binary_cross_entropy: clamps its logs at -100; its backward clamps x (1 - x) at 1e-12."""
    return _loss_and_grad(F.binary_cross_entropy, probs, _tensor(target), weight=_tensor(weight), reduction=reduction)


def non_default(options: dict) -> dict:
    """The options that differ from the defaults: passing only those checks that ours are PyTorch's."""
    return {k: v for k, v in options.items() if v is not None and not (isinstance(v, str) and v == "mean")}


# --- random inputs ---

def random_weight(rng, shape) -> np.ndarray:
    """Positive weights with about a quarter exactly zero."""
    w = rng.uniform(0.1, 3.0, shape)
    w[rng.random(shape) < 0.25] = 0.0
    return w


# --- softmax cross-entropy ---

# layout: (our class axis, passed as axis=; PyTorch's class axis). PyTorch puts classes on axis 1
# of (N, C, d1, ..., dk) and on axis 0 of an unbatched (C,); "channels_last" (N, d, C) exercises
# our default axis=-1 beyond 2-D, against PyTorch on the transposed input.
CE_LAYOUTS = {"2d": (None, 1), "kdim": (1, 1), "unbatched": (0, 0), "channels_last": (None, 1)}
CE_TARGETS = ("index", "dirichlet", "onehot", "unnormalised")
IGNORE_INDICES = (None, 2, -1)  # None: the default, -100, not passed
IGNORED = ("none", "some", "all")


@dataclass(frozen=True)
class CECase:
    layout: str
    batch: tuple[int, ...]
    K: int
    target: str
    weight: bool
    ignore_index: int | None
    ignored: str
    reduction: str
    label_smoothing: float
    dtype: str
    scale: str
    seed: int


def check_ce(case: CECase) -> None:
    rng = np.random.default_rng(case.seed)
    dtype = np.dtype(case.dtype)
    ours_axis, torch_axis = CE_LAYOUTS[case.layout]
    class_axis = -1 if ours_axis is None else ours_axis
    z = random_logits(rng, case.batch + (case.K,), case.scale).astype(dtype)  # classes last
    weight = random_weight(rng, case.K).astype(dtype) if case.weight else None
    ignore = -100 if case.ignore_index is None else case.ignore_index
    if case.target == "index":
        target = rng.integers(0, case.K, size=case.batch)
        ignored = {"none": np.zeros(case.batch, bool), "some": rng.random(case.batch) < 0.4,
                   "all": np.ones(case.batch, bool)}[case.ignored]
        target = np.where(ignored, ignore, target)
        live = target != ignore
        if weight is not None and live.any() and weight[target[live]].sum() == 0:
            weight[target[live][0]] = 1.0  # keep a positive total weight; zero total: test_zero_total_weight
        ours_target = torch_target = target
    else:
        if case.target == "dirichlet":
            y = rng.dirichlet(np.ones(case.K), size=case.batch)
        elif case.target == "onehot":
            y = np.eye(case.K)[rng.integers(0, case.K, size=case.batch)]
        else:  # unnormalised: PyTorch uses them as given, the gradient is sum(y) p - y
            y = rng.uniform(0.0, 2.0, case.batch + (case.K,))
        y = y.astype(dtype)
        ours_target, torch_target = np.moveaxis(y, -1, class_axis), np.moveaxis(y, -1, torch_axis)

    # The reference sees every input rounded to the dtype, label_smoothing too: ours computes
    # 1 - eps in that dtype (for float32 and eps = 0.99999 the rounding of eps alone moves
    # 1 - eps by 0.6%, beyond any float32 tolerance on the loss).
    eps = float(np.asarray(case.label_smoothing, dtype=dtype))
    ref_loss, ref_grad = torch_ce(f64(np.moveaxis(z, -1, torch_axis)), f64(torch_target), weight=f64(weight),
                                  ignore_index=ignore, reduction=case.reduction, label_smoothing=eps)
    # pass only the options that differ from the defaults, so that the defaults are PyTorch's too
    kwargs = {}
    if weight is not None:
        kwargs["weight"] = weight
    if case.target == "index" and case.ignore_index is not None:
        kwargs["ignore_index"] = case.ignore_index
    if case.reduction != "mean":
        kwargs["reduction"] = case.reduction
    if case.label_smoothing != 0.0:
        kwargs["label_smoothing"] = case.label_smoothing
    if ours_axis is not None:
        kwargs["axis"] = ours_axis
    logits = np.moveaxis(z, -1, class_axis)

    def classes_last(g):
        assert np.shape(g) == logits.shape, f"grad: shape {np.shape(g)}, logits have {logits.shape}; options: {case}"
        return np.moveaxis(g, class_axis, -1)

    scale = ce_sample_scale(case, weight, target if case.target == "index" else y, ignore)
    check_functions(module("softmax_cross_entropy"), (logits, ours_target), kwargs, ref_loss,
                    np.moveaxis(ref_grad, torch_axis, -1), case, grad_view=classes_last, dtype=dtype,
                    loss_magnitude=np.abs(ref_loss) + reduced(scale, case.reduction),
                    grad_magnitude=2 * scale[..., None])


def ce_sample_scale(case: CECase, weight, target, ignore) -> np.ndarray:
    """The size of each sample's terms: its gradient is (s p - v) / den, v >= 0 summing to s.

    s = (1 - eps) w[c] + (eps / K) sum(w) for an index c (0 if ignored), sum_k w_k y'_k for
    probabilities y' = (1 - eps) y + eps / K; den is the "mean" normaliser (1 otherwise). The loss,
    -sum_k v_k log p_k / den, has no cancellation; its logsumexp adds rounding of size s / den.
    """
    K, eps = case.K, case.label_smoothing
    w = np.ones(K) if weight is None else weight.astype(np.float64)
    if case.target == "index":
        live = target != ignore
        w_target = np.where(live, w[np.where(live, target, 0)], 0.0)
        s = np.where(live, (1 - eps) * w_target + eps / K * w.sum(), 0.0)
        den = w_target.sum()
    else:
        s = (((1 - eps) * target.astype(np.float64) + eps / K) * w).sum(axis=-1)
        den = s.size
    return s / den if case.reduction == "mean" and den > 0 else s


def _ce_grid():
    """Every option combination, on (N, C, d1, d2) inputs with axis=1, moderate and extreme logits."""
    index = product(["index"], [False, True], IGNORE_INDICES, IGNORED)
    probs = product(CE_TARGETS[1:], [False, True], [None], ["none"])
    for n, ((target, weight, ignore_index, ignored), reduction, ls, dtype, scale) in enumerate(
            product([*index, *probs], REDUCTIONS, (0.0, 0.1, 1.0), DTYPES, ("unit", "extreme"))):
        yield CECase("kdim", (3, 2, 2), 5, target, weight, ignore_index, ignored, reduction, ls, dtype, scale, n)


@pytest.mark.parametrize("case", list(_ce_grid()), ids=repr)
def test_cross_entropy_every_option(case):
    check_ce(case)


@st.composite
def ce_cases(draw):
    layout = draw(st.sampled_from(list(CE_LAYOUTS)))
    batch = {"2d": st.tuples(st.integers(0, 6)),
             "kdim": st.tuples(st.integers(0, 3), st.integers(1, 3), st.integers(1, 3)),
             "unbatched": st.just(()),
             "channels_last": st.tuples(st.integers(0, 3), st.integers(1, 4))}[layout]
    target = draw(st.sampled_from(CE_TARGETS))
    return CECase(
        layout=layout, batch=draw(batch), K=draw(st.one_of(st.integers(1, 6), st.sampled_from([37, 1000]))),
        target=target, weight=draw(st.booleans()),
        ignore_index=draw(st.sampled_from(IGNORE_INDICES)) if target == "index" else None,
        ignored=draw(st.sampled_from(IGNORED)) if target == "index" else "none",
        reduction=draw(st.sampled_from(REDUCTIONS)),
        label_smoothing=draw(st.one_of(st.sampled_from([0.0, 0.1, 1.0]), st.floats(0.0, 1.0))),
        dtype=draw(st.sampled_from(DTYPES)), scale=draw(st.sampled_from(["unit", "wide", "extreme"])),
        seed=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=500, deadline=None)
@given(ce_cases())
def test_cross_entropy_matches_torch(case):
    check_ce(case)


@pytest.mark.parametrize("weight", [None, np.array([0.5, 1.0, 2.0])], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_all_ignored(ignore_index, label_smoothing, weight):
    """Every sample ignored: "mean" is 0/0 = nan (as PyTorch) while the gradient is 0, not nan."""
    ce = module("softmax_cross_entropy")
    z = np.random.default_rng(0).standard_normal((4, 3))
    target = np.full(4, ignore_index)
    kwargs = {"weight": weight, "ignore_index": ignore_index, "label_smoothing": label_smoothing}
    for reduction in REDUCTIONS:
        ref_loss, ref_grad = torch_ce(z, target, reduction=reduction, **kwargs)
        check_functions(ce, (z, target), dict(kwargs, reduction=reduction), ref_loss, ref_grad,
                        dict(kwargs, target=target, reduction=reduction))
    assert np.isnan(ce.loss(z, target, **kwargs)), f"mean over no samples must be nan; {kwargs}"
    assert not ce.grad(z, target, **kwargs).any(), f"ignored samples have no gradient; {kwargs}"


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_zero_total_weight(label_smoothing):
    """Non-ignored samples whose class weights are all 0: "mean" is 0/0, loss and their gradient nan.

    PyTorch: nll_loss's backward multiplies w[target] = 0 by 1/total_weight = inf; ignored
    samples keep a zero gradient.
    """
    z = np.random.default_rng(1).standard_normal((4, 3))
    target = np.array([2, -100, 2, 2])
    w = np.array([1.0, 0.5, 0.0])
    ref_loss, ref_grad = torch_ce(z, target, weight=w, label_smoothing=label_smoothing)
    assert np.isnan(ref_loss) and np.isnan(ref_grad[[0, 2, 3]]).all() and not ref_grad[1].any()
    check_functions(module("softmax_cross_entropy"), (z, target), {"weight": w, "label_smoothing": label_smoothing},
                    ref_loss, ref_grad, {"weight": w, "target": target, "label_smoothing": label_smoothing})


# --- binary cross-entropy, from logits and from probabilities ---

SHAPES = {"1d": lambda n, k: (k,), "2d": lambda n, k: (n, k), "3d": lambda n, k: (n, 2, k)}
WEIGHT_SHAPES = {
    None: None,
    "full": lambda shape: shape,
    "last": lambda shape: shape[-1:],  # (K,)
    "column": lambda shape: shape[:-1] + (1,),  # (N, 1)
}


@dataclass(frozen=True)
class BCECase:
    shape: tuple[int, ...]
    weight: str | None
    pos_weight: bool  # (K,), along the last axis; logits only
    log_clamp: float | None  # probabilities only
    reduction: str
    dtype: str
    scale: str
    seed: int


def _bce_weight(rng, case, dtype):
    return None if case.weight is None else random_weight(rng, WEIGHT_SHAPES[case.weight](case.shape)).astype(dtype)


def check_bce_with_logits(case: BCECase) -> None:
    rng = np.random.default_rng(case.seed)
    dtype = np.dtype(case.dtype)
    z = random_logits(rng, case.shape, case.scale).astype(dtype)
    y = random_unit_targets(rng, case.shape).astype(dtype)
    kwargs = {"weight": _bce_weight(rng, case, dtype), "reduction": case.reduction,
              "pos_weight": rng.uniform(0.0, 4.0, case.shape[-1:]).astype(dtype) if case.pos_weight else None}
    ref_loss, ref_grad = torch_bce_with_logits(f64(z), f64(y), **{k: f64(v) for k, v in kwargs.items()})
    # the size of the terms, expanded: loss (1 - y) z + (1 + q y - y) softplus(-z), gradient
    # (q y + 1 - y) sigmoid(z) - q y; weighted, and divided by the number of elements for "mean"
    n = z.size if case.reduction == "mean" and z.size else 1
    w = (1.0 if kwargs["weight"] is None else f64(kwargs["weight"])) / n
    q = 1.0 if kwargs["pos_weight"] is None else f64(kwargs["pos_weight"])
    z64, y64 = f64(z), f64(y)
    loss_terms = w * ((1 + y64) * np.abs(z64) + (1 + q * y64 + y64) * (np.abs(z64) + 1))
    check_functions(module("binary_cross_entropy_with_logits"), (z, y), non_default(kwargs), ref_loss, ref_grad, case,
                    loss_magnitude=reduced(loss_terms, case.reduction), grad_magnitude=w * (2 * q * y64 + 1 + y64),
                    dtype=dtype)


# Probabilities kept where x (1 - x) >= 1e-12 with margin: there the exact derivative
# (x - y) / (x (1 - x)) is PyTorch's backward, (x - y) / max(x (1 - x), 1e-12) (1e-12 as a float,
# 9.99999996e-13), and no log reaches the clamp at -100. Below it PyTorch's gradient is not the
# derivative of any loss (1e-288 at x = 1e-300, y = 0, where the exact one is 1), so there is
# nothing to be at parity with. In float32, 1 - 1e-11 rounds to 1: the upper bound is 1 - 2^-20.
PROB_RANGE = {np.dtype(np.float64): (1e-11, 1 - 1e-11), np.dtype(np.float32): (1e-11, 1 - 2.0**-20)}


def check_bce(case: BCECase) -> None:
    rng = np.random.default_rng(case.seed)
    dtype = np.dtype(case.dtype)
    x = np.clip(0.5 + 0.5 * np.tanh(random_logits(rng, case.shape, case.scale) / 2), *PROB_RANGE[dtype]).astype(dtype)
    assert np.all(x * (1 - x) >= 2e-12)
    y = random_unit_targets(rng, case.shape).astype(dtype)
    weight = _bce_weight(rng, case, dtype)
    kwargs = {"weight": weight, "reduction": case.reduction}
    ref_loss, ref_grad = torch_bce(f64(x), f64(y), weight=f64(weight), reduction=case.reduction)
    kwargs = non_default(kwargs)
    if case.log_clamp is not None:
        kwargs["log_clamp"] = case.log_clamp
    # the loss adds two non-negative terms: relative, element by element; the gradient is
    # (1 - y) / (1 - x) - y / x, its terms' size is their sum
    n = x.size if case.reduction == "mean" and x.size else 1
    w = (1.0 if weight is None else f64(weight)) / n
    x64, y64 = f64(x), f64(y)
    bce = module("binary_cross_entropy")
    fns = ("loss", "grad", "loss_and_grad") if hasattr(bce, "loss_and_grad") else ("loss", "grad")
    check_functions(bce, (x, y), kwargs, ref_loss, ref_grad, case, fns=fns, loss_magnitude=np.abs(ref_loss),
                    grad_magnitude=w * (y64 / x64 + (1 - y64) / (1 - x64)), dtype=dtype)


def _bce_grid(logits: bool):
    """Every option combination on (N, K) inputs, logits of either sign up to about +-90."""
    options = product([False, True], [None]) if logits else product([False], [None, -100.0])
    for n, (weight, (pos_weight, log_clamp), reduction, dtype) in enumerate(
            product(WEIGHT_SHAPES, options, REDUCTIONS, DTYPES)):
        yield BCECase((4, 5), weight, pos_weight, log_clamp, reduction, dtype, "wide", n)


@pytest.mark.parametrize("case", list(_bce_grid(logits=True)), ids=repr)
def test_bce_with_logits_every_option(case):
    check_bce_with_logits(case)


@pytest.mark.parametrize("case", list(_bce_grid(logits=False)), ids=repr)
def test_bce_every_option(case):
    check_bce(case)


@st.composite
def bce_cases(draw, logits: bool):
    shape = draw(st.sampled_from(list(SHAPES)))
    shape = SHAPES[shape](draw(st.integers(0, 5)), draw(st.one_of(st.integers(1, 6), st.just(1000))))
    weights = [w for w in WEIGHT_SHAPES if not (w == "column" and len(shape) == 1)]
    return BCECase(
        shape=shape, weight=draw(st.sampled_from(weights)),
        pos_weight=draw(st.booleans()) if logits else False,
        log_clamp=None if logits else draw(st.sampled_from([None, -100.0])),
        reduction=draw(st.sampled_from(REDUCTIONS)), dtype=draw(st.sampled_from(DTYPES)),
        scale=draw(st.sampled_from(["unit", "wide", "extreme"])), seed=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=250, deadline=None)
@given(bce_cases(logits=True))
def test_bce_with_logits_matches_torch(case):
    check_bce_with_logits(case)


@settings(max_examples=250, deadline=None)
@given(bce_cases(logits=False))
def test_bce_matches_torch(case):
    check_bce(case)


def test_bce_loss_is_accurate_per_element():
    """-(y log x + (1 - y) log(1 - x)) adds two non-negative terms: 1e-10 relative, element by element.

    PyTorch takes log1p(-x); log(1 - x) is off by 8e-8 relative at x = 1e-10, y = 0.
    """
    x = np.concatenate([np.logspace(-15, -1, 29), 1 - np.logspace(-15, -1, 29), [0.5]])
    for yv in (0.0, 1.0, 0.25):
        y = np.full_like(x, yv)
        ref, _ = torch_bce(x, y, reduction="none")
        for log_clamp in (None, -100.0):
            ours = module("binary_cross_entropy").loss(x, y, reduction="none", log_clamp=log_clamp)
            np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=0,
                                       err_msg=f"elementwise loss, y = {yv}, log_clamp = {log_clamp}, x = {x}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_certain_predictions(dtype):
    """probs exactly 0 or 1: log_clamp=-100.0 is PyTorch's clamp; the default is exact, inf where wrong."""
    bce = module("binary_cross_entropy")
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.3, 0.7], dtype)
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.4, 0.6, 1.0, 0.0, 0.2, 0.9], dtype)
    wrong = ((x == 0) & (y > 0)) | ((x == 1) & (y < 1))
    for reduction in REDUCTIONS:
        ref, _ = torch_bce(x, y, reduction=reduction)
        options = {"probs": x, "target": y, "reduction": reduction}
        clamped = bce.loss(x, y, reduction=reduction, log_clamp=-100.0)
        assert_matches(clamped, ref, "loss", dict(options, log_clamp=-100.0))
        exact = np.asarray(bce.loss(x, y, reduction=reduction))
        assert exact.dtype == np.dtype(dtype), f"loss dtype {exact.dtype}; {options}"
        if reduction == "none":
            assert np.array_equal(np.isposinf(exact), wrong), f"inf exactly where certain and wrong: {exact}; {options}"
            assert_matches(exact[~wrong], ref[~wrong], "loss where right or uncertain", options)
        else:
            assert np.isposinf(exact), f"a wrong certain prediction has an infinite loss, got {exact}; {options}"
        for log_clamp in (None, -100.0):  # no parity claim at the boundary: must not raise nor warn
            assert np.shape(bce.grad(x, y, reduction=reduction, log_clamp=log_clamp)) == x.shape


# --- documented edge cases ---

EDGE_CASES = {
    # name: (module, torch reference, input shape, target kind, options)
    "ce_index": ("softmax_cross_entropy", torch_ce, (0, 3), "index", {}),
    "ce_index_kdim": ("softmax_cross_entropy", torch_ce, (0, 3, 2), "index", {"axis": 1}),
    "ce_index_options": ("softmax_cross_entropy", torch_ce, (0, 3), "index",
                         {"weight": np.array([1.0, 2.0, 0.5]), "label_smoothing": 0.1}),
    "ce_probs": ("softmax_cross_entropy", torch_ce, (0, 3), "probs", {"label_smoothing": 0.1}),
    "bce_with_logits": ("binary_cross_entropy_with_logits", torch_bce_with_logits, (0, 3), "probs",
                        {"pos_weight": np.array([1.0, 2.0, 0.5])}),
    "bce_with_logits_1d": ("binary_cross_entropy_with_logits", torch_bce_with_logits, (0,), "probs", {}),
    "bce": ("binary_cross_entropy", torch_bce, (0, 3), "probs", {}),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_empty_batch(name, reduction):
    """No samples: "mean" is nan (as PyTorch, documented), "sum" is 0, "none" is empty."""
    mod_name, reference, shape, kind, kwargs = EDGE_CASES[name]
    x = np.zeros(shape)
    target = np.zeros(shape[:1] + shape[2:], np.int64) if kind == "index" else np.zeros(shape)
    ref_loss, ref_grad = reference(x, target, reduction=reduction, **{k: v for k, v in kwargs.items() if k != "axis"})
    options = dict(kwargs, shape=shape, target=kind, reduction=reduction)
    check_functions(module(mod_name), (x, target), dict(kwargs, reduction=reduction), ref_loss, ref_grad, options)
    loss = module(mod_name).loss(x, target, reduction=reduction, **kwargs)
    expected = {"mean": np.nan, "sum": 0.0, "none": np.zeros(ref_loss.shape)}[reduction]
    np.testing.assert_array_equal(loss, expected, err_msg=f"empty batch, {options}")


NAN_CASES = {
    "ce_index": ("softmax_cross_entropy", torch_ce, "index", {}),
    "ce_index_options": ("softmax_cross_entropy", torch_ce, "index",
                         {"weight": np.array([1.0, 2.0, 0.5]), "label_smoothing": 0.1}),
    "ce_probs": ("softmax_cross_entropy", torch_ce, "probs", {"label_smoothing": 0.1}),
    "bce_with_logits": ("binary_cross_entropy_with_logits", torch_bce_with_logits, "probs",
                        {"weight": np.array([1.0, 2.0, 0.5]), "pos_weight": np.array([1.0, 2.0, 0.5])}),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(NAN_CASES))
def test_nan_logits_stay_in_their_sample(name, reduction):
    """A NaN logit makes its own sample's loss and gradient nan, no other; nothing raises or warns."""
    mod_name, reference, kind, kwargs = NAN_CASES[name]
    rng = np.random.default_rng(2)
    z = rng.standard_normal((4, 3))
    z[1, 0] = np.nan
    target = rng.integers(0, 3, 4) if kind == "index" else rng.uniform(0, 1, (4, 3))
    ref_loss, ref_grad = reference(z, target, reduction=reduction, **kwargs)
    options = dict(kwargs, logits=z, target=target, reduction=reduction)
    check_functions(module(mod_name), (z, target), dict(kwargs, reduction=reduction), ref_loss, ref_grad, options)
    g = module(mod_name).grad(z, target, reduction=reduction, **kwargs)
    affected = np.zeros(z.shape, bool)
    affected[1] = mod_name == "softmax_cross_entropy"  # a softmax couples the sample's classes
    affected[1, 0] = True
    assert np.isnan(g[affected]).all() and np.isfinite(g[~affected]).all(), f"grad {g}; {options}"


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(NAN_CASES) + ["bce"])
def test_float32_stays_float32(name, reduction):
    mod_name, kind = ("binary_cross_entropy", "probs") if name == "bce" else (NAN_CASES[name][0], NAN_CASES[name][2])
    kwargs = {} if name == "bce" else {k: v.astype(np.float32) if isinstance(v, np.ndarray) else v
                                       for k, v in NAN_CASES[name][3].items()}
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 0.9, (4, 3)).astype(np.float32)
    target = rng.integers(0, 3, 4) if kind == "index" else rng.uniform(0, 1, (4, 3)).astype(np.float32)
    mod = module(mod_name)
    for fn in ("loss", "grad"):
        out = np.asarray(getattr(mod, fn)(x, target, reduction=reduction, **kwargs))
        assert out.dtype == np.float32, f"{mod_name}.{fn}: float32 in, {out.dtype} out ({reduction}, {kwargs})"


# --- bad input: a ValueError/TypeError that names the argument ---

Z = np.random.default_rng(4).standard_normal((4, 3))
C = np.array([0, 2, 1, 2])
Y = np.random.default_rng(5).uniform(0, 1, (4, 3))
P = np.random.default_rng(6).uniform(0.05, 0.95, (4, 3))
STRINGS = np.array([["a", "b", "c"]] * 4)
OBJECTS = np.array([[1.0, None, 2.0]] * 4, dtype=object)

BAD_INPUT = [
    # module, args, kwargs, the argument the message must name
    ("softmax_cross_entropy", (Z, np.array([0, 3, 1, 2])), {}, "target"),  # index K
    ("softmax_cross_entropy", (Z, np.array([0, -1, 1, 2])), {}, "target"),  # negative index
    ("softmax_cross_entropy", (Z, np.array([0, -100, 1, 2])), {"ignore_index": 2}, "target"),  # -100 not ignored now
    ("softmax_cross_entropy", (Z, C.astype(float)), {}, "target"),  # floats where indices are expected
    ("softmax_cross_entropy", (Z, np.zeros((4, 3), np.int64)), {}, "target"),  # integers where probabilities are
    ("softmax_cross_entropy", (Z, np.array([0, 1, 2])), {}, "target"),  # index shape mismatch
    ("softmax_cross_entropy", (Z, Y[:, :2]), {}, "target"),  # probability shape mismatch
    ("softmax_cross_entropy", (Z, C), {"weight": np.ones(4)}, "weight"),
    ("softmax_cross_entropy", (Z, C), {"weight": np.ones(2)}, "weight"),
    ("softmax_cross_entropy", (Z, C), {"weight": np.array([1.0, -0.5, 1.0])}, "weight"),
    ("softmax_cross_entropy", (Z, Y), {"weight": np.array([1.0, -0.5, 1.0])}, "weight"),
    ("softmax_cross_entropy", (Z, C), {"weight": np.array(["a", "b", "c"])}, "weight"),
    ("softmax_cross_entropy", (Z, C), {"reduction": "avg"}, "reduction"),
    ("softmax_cross_entropy", (Z, C), {"reduction": "Mean"}, "reduction"),
    ("softmax_cross_entropy", (Z, C), {"reduction": None}, "reduction"),
    ("softmax_cross_entropy", (Z, C), {"label_smoothing": -0.1}, "label_smoothing"),
    ("softmax_cross_entropy", (Z, C), {"label_smoothing": 1.5}, "label_smoothing"),
    ("softmax_cross_entropy", (Z, C), {"label_smoothing": math.nan}, "label_smoothing"),
    ("softmax_cross_entropy", (Z, Y), {"label_smoothing": -0.1}, "label_smoothing"),
    ("softmax_cross_entropy", (Z, Y), {"label_smoothing": 1.5}, "label_smoothing"),
    ("softmax_cross_entropy", (STRINGS, C), {}, "logits"),
    ("softmax_cross_entropy", (OBJECTS, C), {}, "logits"),
    ("softmax_cross_entropy", (Z, np.array(["a", "b", "c", "d"])), {}, "target"),
    ("softmax_cross_entropy", (Z, np.array([0, None, 1, 2], dtype=object)), {}, "target"),
    ("binary_cross_entropy_with_logits", (Z, Y[:, :2]), {}, "target"),
    ("binary_cross_entropy_with_logits", (Z, Y + 1), {}, "target"),
    ("binary_cross_entropy_with_logits", (Z, Y - 1), {}, "target"),
    ("binary_cross_entropy_with_logits", (Z, Y), {"weight": np.ones(4)}, "weight"),
    ("binary_cross_entropy_with_logits", (Z, Y), {"weight": np.ones((2, 3))}, "weight"),
    ("binary_cross_entropy_with_logits", (Z, Y), {"weight": -np.ones(3)}, "weight"),
    ("binary_cross_entropy_with_logits", (Z, Y), {"pos_weight": np.ones(4)}, "pos_weight"),
    ("binary_cross_entropy_with_logits", (Z, Y), {"pos_weight": np.array([1.0, -1.0, 1.0])}, "pos_weight"),
    ("binary_cross_entropy_with_logits", (Z, Y), {"reduction": "avg"}, "reduction"),
    ("binary_cross_entropy_with_logits", (STRINGS, Y), {}, "logits"),
    ("binary_cross_entropy_with_logits", (OBJECTS, Y), {}, "logits"),
    ("binary_cross_entropy_with_logits", (Z, STRINGS), {}, "target"),
    ("binary_cross_entropy", (P + 1, Y), {}, "probs"),
    ("binary_cross_entropy", (P - 1, Y), {}, "probs"),
    ("binary_cross_entropy", (np.where(P > 0.5, np.nan, P), Y), {}, "probs"),
    ("binary_cross_entropy", (P, Y + 1), {}, "target"),
    ("binary_cross_entropy", (P, Y - 1), {}, "target"),
    ("binary_cross_entropy", (P, Y[:, :2]), {}, "target"),
    ("binary_cross_entropy", (P, Y), {"weight": np.ones(4)}, "weight"),
    ("binary_cross_entropy", (P, Y), {"weight": -np.ones(3)}, "weight"),
    ("binary_cross_entropy", (P, Y), {"reduction": "avg"}, "reduction"),
    ("binary_cross_entropy", (STRINGS, Y), {}, "probs"),
    ("binary_cross_entropy", (OBJECTS, Y), {}, "probs"),
    ("binary_cross_entropy", (P, STRINGS), {}, "target"),
]


def _bad_input_id(case):
    mod_name, args, kwargs, name = case
    shown = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    return f"{mod_name}-{name}-{shown}-{[a.dtype.name + str(a.shape) for a in args]}"


@pytest.mark.parametrize("case", BAD_INPUT, ids=[_bad_input_id(c) for c in BAD_INPUT])
def test_bad_input_names_the_argument(case):
    mod_name, args, kwargs, name = case
    mod = module(mod_name)
    for fn in ("loss", "grad", "loss_and_grad"):
        if not hasattr(mod, fn):
            continue
        # Python's own "unexpected keyword argument 'weight'" names the argument too: not what is tested
        unknown = set(kwargs) - set(inspect.signature(getattr(mod, fn)).parameters)
        assert not unknown, f"{mod_name}.{fn} has no option {sorted(unknown)}"
        with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
            getattr(mod, fn)(*args, **kwargs)


def test_softmax_at_least_as_accurate_as_torch():
    """softmax and log_softmax over the accuracy sweep (rows of 2 and 3 logits from the whole
    range of each dtype): the largest error in ulps of the 50-digit true value is no larger
    than that of torch.softmax / torch.log_softmax on the same rows (each in its own dtype).
    A non-finite result where the true value is finite counts as an infinite error."""
    from symxent import accuracy
    from conftest import REGISTRY

    d = REGISTRY["softmax"]
    spec = next(m for m in d.modules if m.name == "softmax")
    ours = module("softmax")
    peer = type(ours)("torch_softmax")
    peer.softmax = lambda z: torch.softmax(torch.from_numpy(np.ascontiguousarray(z)), dim=-1).numpy()
    peer.log_softmax = lambda z: torch.log_softmax(torch.from_numpy(np.ascontiguousarray(z)), dim=-1).numpy()
    with np.errstate(all="ignore"):
        theirs = {(a.function, a.dtype, a.case): a for a in accuracy.measure(d, spec, peer)}
    mine = accuracy.measure(d, spec, ours)
    assert {(a.function, a.dtype, a.case) for a in mine} == set(theirs)
    worse = [f"{a.function} {a.dtype} {a.case}: {a.max_ulp:.3g} ulp at {a.where}; torch "
             f"{theirs[a.function, a.dtype, a.case].max_ulp:.3g}" for a in mine
             if a.max_ulp > theirs[a.function, a.dtype, a.case].max_ulp]
    assert not worse, "\n".join(worse)
    # PyTorch's forms lose digits these rows expose: the comparison is not vacuous.
    assert all(t.max_ulp > t.target for t in theirs.values()), {k: t.max_ulp for k, t in theirs.items()}


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_at_infinite_logits(dtype):
    """At z = +-inf, y in {0, 1}, with and without pos_weight: the limit (0 where the label
    agrees, inf where it does not), never nan, and PyTorch's value wherever that is not nan
    (PyTorch 2.13 gives nan for the loss at z = -inf, whatever the label, and at z = +inf, y = 1);
    the gradient equals PyTorch's."""
    mod = module("binary_cross_entropy_with_logits")
    z = np.array([-np.inf, np.inf, -np.inf, np.inf], dtype)
    y = np.array([0.0, 1.0, 1.0, 0.0], dtype)
    for kwargs in ({}, {"pos_weight": 2.0}):
        with np.errstate(all="raise"):
            loss, grad = mod.loss_and_grad(z, y, reduction="none", **kwargs)
        torch_kwargs = {k: torch.tensor(v, dtype=getattr(torch, dtype)) for k, v in kwargs.items()}
        ref_loss, ref_grad = _loss_and_grad(F.binary_cross_entropy_with_logits, z, _tensor(y),
                                            reduction="none", **torch_kwargs)
        np.testing.assert_array_equal(loss, [0.0, 0.0, np.inf, np.inf], err_msg=str(kwargs))
        np.testing.assert_array_equal(grad, ref_grad, err_msg=str(kwargs))
        agree = ~np.isnan(ref_loss)
        np.testing.assert_array_equal(loss[agree], ref_loss[agree], err_msg=str(kwargs))


# (module, inputs where the loss is infinite or would be, targets, options, PyTorch's function)
ZERO_WEIGHT = {
    "logits": ("binary_cross_entropy_with_logits", [np.inf, -np.inf, np.inf, -np.inf, 1e4, np.nan],
               [0.0, 1.0, 1.0, 0.0, 0.0, 0.0], {}, F.binary_cross_entropy_with_logits),
    "logits_pos_weight": ("binary_cross_entropy_with_logits", [np.inf, -np.inf, np.inf, -np.inf, 1e4, np.nan],
                          [0.0, 1.0, 1.0, 0.0, 0.0, 0.0], {"pos_weight": 2.0}, F.binary_cross_entropy_with_logits),
    "probs": ("binary_cross_entropy", [1.0, 0.0, 1.0, 0.0, 1.0, 0.5], [0.0, 1.0, 1.0, 0.0, 0.5, 0.5], {},
              F.binary_cross_entropy),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(ZERO_WEIGHT))
def test_a_zero_weight_leaves_its_element_out(case, dtype):
    """weight = 0 times an infinite loss (z = +-inf against its label, a certain wrong probability):
    loss 0 and gradient 0, not 0 * inf = nan, with no invalid operation on the way; PyTorch's
    value wherever it is not nan (its loss is nan at infinite logits, its clamped probability
    loss 0); a nan input stays nan (the last element)."""
    mod_name, x, y, kwargs, torch_fn = ZERO_WEIGHT[case]
    mod = module(mod_name)
    x, y = np.array(x, dtype), np.array(y, dtype)
    w = np.zeros_like(x)
    where = f"{mod_name}, weight 0, {kwargs}, {dtype}, at {x.tolist()}"
    with np.errstate(all="raise", invalid="ignore" if np.isnan(x).any() else "raise"):
        loss, grad = mod.loss_and_grad(x, y, weight=w, reduction="none", **kwargs)
        total = mod.loss(x[:-1], y[:-1], weight=w[:-1], reduction="sum", **kwargs)
    torch_kwargs = {k: torch.tensor(v, dtype=getattr(torch, dtype)) for k, v in kwargs.items()}
    ref_loss, ref_grad = _loss_and_grad(torch_fn, x, _tensor(y), weight=_tensor(w), reduction="none", **torch_kwargs)
    expected = np.where(np.isnan(x), np.nan, 0.0)
    np.testing.assert_array_equal(loss, expected, err_msg=f"loss, {where}; PyTorch gives {ref_loss}")
    assert total == 0, f"sum of the losses {total}, expected 0; {where}"
    np.testing.assert_array_equal(grad, expected, err_msg=f"grad, {where}; PyTorch gives {ref_grad}")
    agree = ~np.isnan(ref_loss)
    np.testing.assert_array_equal(loss[agree], ref_loss[agree], err_msg=f"loss vs PyTorch's, {where}")
    agree = ~np.isnan(ref_grad)
    np.testing.assert_array_equal(grad[agree], ref_grad[agree], err_msg=f"grad vs PyTorch's, {where}")


# Every test on both kernel paths (C-contiguous arrays: fast kernels; strided views: plain).
on_both_kernel_paths(globals())
