"""Focal losses and distillation against PyTorch autograd references written here (issue 3).

The references are the losses' textbook formulas in PyTorch 2.13 (CPU, float64), with
gradients from autograd (of ``loss.sum()`` for reduction="none", matching the generated ``grad``):

- multiclass focal loss: ``-alpha[c] * (1 - p_c) ** gamma * log_softmax(z)[c]``, p = softmax(z);
- binary focal loss: torchvision.ops.sigmoid_focal_loss, line by line (p = sigmoid(x);
  ce = F.binary_cross_entropy_with_logits(x, t, reduction="none"); p_t = p t + (1 - p)(1 - t);
  loss = ce (1 - p_t) ** gamma; if alpha >= 0: loss *= alpha t + (1 - alpha)(1 - t));
- distillation: ``T ** 2 * F.cross_entropy(z / T, F.softmax(zt / T, -1))`` (without the T ** 2,
  and with the teacher's probabilities given).

Each option combination runs on a fixed grid and on random inputs drawn by hypothesis (batch
shapes, K up to 1000, logits up to +-1e3, gamma in {0, 0.5, 1, 2, 5}, T in {0.5, 1, 4, 20}).
float64 must agree to 1e-10 and float32 to 1e-5, relative to the size of the terms a value is
computed from (as in test_torch_parity.py, whose reasoning applies: rounding the terms leaves an
absolute error of about eps times their size, in any implementation). float32 results are
compared with PyTorch's float64 evaluation of the same, exactly widened, float32 inputs.

One place where PyTorch's reference has no value to compare: with 0 < gamma < 1, where the
computed 1 - p_t (or 1 - p_c) is exactly 0, autograd multiplies 0 by (1 - p_t) ** (gamma - 1) =
inf and returns nan. The true gradient there is finite and tiny: 1 - p_t rounds to 0 only below
about 1.1e-16, and the gradient is bounded by 2 alpha (1 + gamma) (1 - p_t) ** (1 + gamma)
< 1e-24 (it is a multiple of (1 - p_t) ** gamma times terms of size 1 - p_t). The reference
takes 0 there, and the generated module must be finite; everywhere else nan must sit exactly
where PyTorch has it.

Besides: gamma = 0 equals the generated (weighted) cross-entropy modules, bad input raises
ValueError/TypeError naming the argument, nan logits stay in their sample, an empty batch has
mean nan, float32 stays float32.

PyTorch is required in CI: without it the module skips locally but fails when ``CI=true``.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_module, on_both_kernel_paths
from reference import (DTYPES, REDUCTIONS, RTOL, assert_matches, f64, random_logits, random_unit_targets,
                       torch)

import torch.nn.functional as F  # noqa: E402  (after reference: torch may be missing)

GAMMAS = (0.0, 0.5, 1.0, 2.0, 5.0)
TEMPERATURES = (0.5, 1.0, 4.0, 20.0)


def _on_axis(z, case, kwargs):
    """The logits (classes last in ``z``) with their classes moved to ``case.axis`` (None: the
    default, last, and not passed in ``kwargs``), a function moving a gradient's classes back
    to last that checks its shape, and the axis."""
    if case.axis is not None:
        kwargs["axis"] = case.axis
    axis = -1 if case.axis is None else case.axis
    logits = np.moveaxis(z, -1, axis)

    def classes_last(g):
        assert np.shape(g) == logits.shape, f"grad: shape {np.shape(g)}, logits have {logits.shape}; case {case}"
        return np.moveaxis(g, axis, -1)

    return logits, classes_last, axis


@functools.cache
def module(name: str):
    return load_module(name)


def check_functions(mod, args, kwargs, ref_loss, ref_grad, case, *, loss_magnitude, grad_magnitude, dtype,
                    suffix="", grad_view=lambda g: g) -> None:
    """loss, grad and loss_and_grad (with ``suffix``: loss_probs, ...) against the reference."""
    loss = getattr(mod, f"loss{suffix}")(*args, **kwargs)
    assert_matches(loss, ref_loss, f"loss{suffix}", case, loss_magnitude, dtype)
    g = getattr(mod, f"grad{suffix}")(*args, **kwargs)
    assert_matches(grad_view(g), ref_grad, f"grad{suffix}", case, grad_magnitude, dtype)
    loss, g = getattr(mod, f"loss_and_grad{suffix}")(*args, **kwargs)
    assert_matches(loss, ref_loss, f"loss_and_grad{suffix}[0]", case, loss_magnitude, dtype)
    assert_matches(grad_view(g), ref_grad, f"loss_and_grad{suffix}[1]", case, grad_magnitude, dtype)


def reduce_np(values: np.ndarray, reduction: str) -> np.ndarray:
    """The magnitude of a reduced value: the sum of its terms' magnitudes, divided for "mean"."""
    if reduction == "none":
        return values
    total = values.sum()
    return total / values.size if reduction == "mean" and values.size else total


def mean_divisor(n: int, reduction: str) -> float:
    return n if reduction == "mean" and n else 1


def _loss_and_grad(fn, x, reduction):
    """``fn(x)`` per sample, reduced, and the autograd gradient of the reduced loss (of the sum
    for "none"), as NumPy."""
    x = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    per_sample = fn(x)
    loss = {"none": per_sample, "sum": per_sample.sum(), "mean": per_sample.mean()}[reduction]
    (g,) = torch.autograd.grad(loss.sum(), x)
    return loss.detach().numpy(), g.numpy()


# --- multiclass focal loss ---

def torch_focal(z, target, alpha, gamma, reduction):
    """-alpha[c] (1 - p_c) ** gamma log_softmax(z)[c], classes last; nan -> 0 where 1 - p_c == 0."""
    c = torch.tensor(np.asarray(target, dtype=np.int64))[..., None]
    a = None if alpha is None else torch.tensor(np.asarray(alpha, dtype=np.float64))
    flat = {}

    def fn(x):
        log_p = torch.gather(F.log_softmax(x, dim=-1), -1, c)[..., 0]
        p_c = torch.gather(F.softmax(x, dim=-1), -1, c)[..., 0]
        flat["certain"] = (1 - p_c == 0).detach().numpy()
        weight = 1.0 if a is None else a[c[..., 0]]
        return -weight * (1 - p_c) ** gamma * log_p

    loss, g = _loss_and_grad(fn, z, reduction)
    if 0 < gamma < 1:  # autograd's 0 * inf at 1 - p_c == 0; the true value is < 1e-24 there
        undefined = flat["certain"][..., None] & np.isnan(g) & np.isfinite(np.asarray(z)).all(-1, keepdims=True)
        g = np.where(undefined, 0.0, g)
    return loss, g


@dataclass(frozen=True)
class FocalCase:
    batch: tuple[int, ...]
    K: int
    alpha: bool
    gamma: float
    reduction: str
    dtype: str
    scale: str
    axis: int | None  # None: the default -1
    seed: int


def check_focal(case: FocalCase) -> None:
    rng = np.random.default_rng(case.seed)
    dtype = np.dtype(case.dtype)
    z = random_logits(rng, case.batch + (case.K,), case.scale).astype(dtype)  # classes last
    target = rng.integers(0, case.K, size=case.batch)
    alpha = rng.uniform(0.0, 2.0, case.K).astype(dtype) if case.alpha else None
    ref_loss, ref_grad = torch_focal(f64(z), target, f64(alpha), case.gamma, case.reduction)
    kwargs = {"gamma": case.gamma}
    if alpha is not None:
        kwargs["alpha"] = alpha
    if case.reduction != "mean":
        kwargs["reduction"] = case.reduction
    logits, classes_last, _ = _on_axis(z, case, kwargs)

    # The terms: alpha_c times -log p_c (a logsumexp of logits up to 1e3) and (1 - p_c)**gamma
    # (of size <= 1); the gradient, alpha_c (1 - p_c)**gamma (gamma R - 1)(onehot - p) with
    # |R| <= 1, is made of terms of size alpha_c (1 + gamma) per sample.
    a_c = np.ones(case.batch) if alpha is None else f64(alpha)[target]
    z64 = f64(z)
    neg_log_p = -np.take_along_axis(torch.log_softmax(torch.tensor(z64), -1).numpy(), target[..., None], -1)[..., 0]
    n = mean_divisor(int(np.prod(case.batch)), case.reduction)
    check_functions(module("focal_loss"), (logits, target), kwargs, ref_loss, ref_grad, case,
                    loss_magnitude=reduce_np(a_c * (1 + neg_log_p), case.reduction),
                    grad_magnitude=(a_c * (1 + case.gamma) / n)[..., None], dtype=dtype, grad_view=classes_last)


def _focal_grid():
    for n, (alpha, gamma, reduction, dtype, scale) in enumerate(
            product([False, True], GAMMAS, REDUCTIONS, DTYPES, ("unit", "extreme"))):
        yield FocalCase((4, 3), 5, alpha, gamma, reduction, dtype, scale, None, n)


@pytest.mark.parametrize("case", list(_focal_grid()), ids=repr)
def test_focal_every_option(case):
    check_focal(case)


@st.composite
def focal_cases(draw):
    batch = draw(st.sampled_from([(), (0,), (1,), (5,), (2, 3)]))
    return FocalCase(batch=batch, K=draw(st.one_of(st.integers(1, 6), st.sampled_from([37, 1000]))),
                     alpha=draw(st.booleans()), gamma=draw(st.sampled_from(GAMMAS)),
                     reduction=draw(st.sampled_from(REDUCTIONS)), dtype=draw(st.sampled_from(DTYPES)),
                     scale=draw(st.sampled_from(["unit", "wide", "extreme"])),
                     axis=draw(st.sampled_from([None, 0] if len(batch) == 0 else [None, 0, len(batch) - 1])),
                     seed=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=200, deadline=None)
@given(focal_cases())
def test_focal_matches_torch(case):
    check_focal(case)


# Below an ulp of 1 the other classes' mass rounds to 1 and p_c to ~0; beyond exp's range
# p_c underflows to 0. Offsets of the target's logit below the others: p_c ~ 1e-17, 1e-36,
# below the smallest normal, and 0 (float64), and ~1e-8, 1e-26 and 0 (float32).
UNDERFLOW_OFFSETS = {"float64": (39.0, 83.0, 720.0, 1e4), "float32": (18.0, 60.0, 110.0, 1e3)}


@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_focal_target_probability_underflows(dtype, gamma, axis):
    """p_c below an ulp of 1 or underflowing (the target's logit far below the others): the loss
    and gradient are PyTorch's, never nan (1 - p_c must not round above 1, where the ratio
    R = p log p / (1 - p) takes log1p(-(1 - p_c)) of a number below -1). axis=0 (the classes
    first in memory) summed the other classes' mass in another order than the whole sum, which
    made (1 - p_c) = others * (1 / sum) exceed 1 in a quarter of these rows."""
    rng = np.random.default_rng(11)
    offsets = UNDERFLOW_OFFSETS[dtype]
    rows, k = 64 * len(offsets), 37
    z = rng.standard_normal((rows, k)) * 3
    target = rng.integers(0, k, rows)
    z[np.arange(rows), target] = z.min(axis=-1) - np.repeat(offsets, 64)
    z = z.astype(dtype)
    ref_loss, ref_grad = torch_focal(f64(z), target, None, gamma, "none")
    neg_log_p = -np.take_along_axis(torch.log_softmax(torch.tensor(f64(z)), -1).numpy(), target[:, None], -1)[:, 0]
    logits = np.ascontiguousarray(np.moveaxis(z, -1, axis))
    case = f"focal_loss, target logit {offsets} below the others, gamma={gamma}, axis={axis}, {dtype}"
    check_functions(module("focal_loss"), (logits, target), {"gamma": gamma, "reduction": "none", "axis": axis},
                    ref_loss, ref_grad, case, loss_magnitude=1 + neg_log_p, grad_magnitude=np.full((rows, 1), 1 + gamma),
                    dtype=dtype, grad_view=lambda g: np.moveaxis(g, axis, -1))


# --- binary focal loss ---

ALPHAS = (0.25, -1.0, 0.0, 1.0, 0.8)


def torch_binary_focal(x, t, alpha, gamma, reduction):
    """torchvision.ops.sigmoid_focal_loss, line by line; nan -> 0 where 1 - p_t == 0 (see above)."""
    targets = torch.tensor(np.asarray(t, dtype=np.float64))
    flat = {}

    def fn(inputs):
        p = torch.sigmoid(inputs)
        ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        flat["certain"] = (1 - p_t == 0).detach().numpy()
        loss = ce_loss * ((1 - p_t) ** gamma)
        if alpha >= 0:
            alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
            loss = alpha_t * loss
        return loss

    loss, g = _loss_and_grad(fn, x, reduction)
    if 0 < gamma < 1:
        g = np.where(flat["certain"] & np.isnan(g) & np.isfinite(x), 0.0, g)
    return loss, g


@dataclass(frozen=True)
class BinaryFocalCase:
    shape: tuple[int, ...]
    alpha: float | None  # None: torchvision's default 0.25, not passed
    gamma: float | None  # None: the default 2.0, not passed
    reduction: str | None  # None: torchvision's default "none", not passed
    dtype: str
    scale: str
    seed: int


def check_binary_focal(case: BinaryFocalCase) -> None:
    rng = np.random.default_rng(case.seed)
    dtype = np.dtype(case.dtype)
    x = random_logits(rng, case.shape, case.scale).astype(dtype)
    y = random_unit_targets(rng, case.shape).astype(dtype)
    alpha = 0.25 if case.alpha is None else case.alpha
    gamma = 2.0 if case.gamma is None else case.gamma
    reduction = "none" if case.reduction is None else case.reduction
    ref_loss, ref_grad = torch_binary_focal(f64(x), f64(y), alpha, gamma, reduction)
    kwargs = {k: v for k, v in (("alpha", case.alpha), ("gamma", case.gamma), ("reduction", case.reduction))
              if v is not None}
    # The terms: alpha_t times ce = max(x, 0) - x y + log1p(exp(-|x|)) (size |x|(1 + y) + 1) times
    # (1 - p_t)**gamma <= 1; the gradient's, alpha_t (sigmoid - y) and alpha_t gamma ce times
    # sigmoid(x) sigmoid(-x) / (1 - p_t) <= 1.
    x64, y64 = f64(x), f64(y)
    alpha_t = np.ones_like(y64) if alpha < 0 else alpha * y64 + (1 - alpha) * (1 - y64)
    ce = alpha_t * (np.abs(x64) * (1 + y64) + 1)
    n = mean_divisor(x.size, reduction)
    check_functions(module("binary_focal_loss"), (x, y), kwargs, ref_loss, ref_grad, case,
                    loss_magnitude=reduce_np(ce, reduction),
                    grad_magnitude=(alpha_t * (1 + y64) + gamma * ce) / n, dtype=dtype)


def _binary_focal_grid():
    options = product(ALPHAS, GAMMAS, REDUCTIONS, DTYPES, ("unit", "extreme"))
    for n, (alpha, gamma, reduction, dtype, scale) in enumerate(options):
        yield BinaryFocalCase((4, 3), alpha, gamma, reduction, dtype, scale, n)
    yield BinaryFocalCase((4, 3), None, None, None, "float64", "wide", 10**6)  # torchvision's defaults


@pytest.mark.parametrize("case", list(_binary_focal_grid()), ids=repr)
def test_binary_focal_every_option(case):
    check_binary_focal(case)


@st.composite
def binary_focal_cases(draw):
    return BinaryFocalCase(
        shape=draw(st.sampled_from([(), (0,), (1,), (7,), (3, 4), (2, 2, 5), (2, 1000)])),
        alpha=draw(st.one_of(st.none(), st.sampled_from(ALPHAS), st.floats(0.0, 1.0))),
        gamma=draw(st.one_of(st.none(), st.sampled_from(GAMMAS))),
        reduction=draw(st.one_of(st.none(), st.sampled_from(REDUCTIONS))),
        dtype=draw(st.sampled_from(DTYPES)), scale=draw(st.sampled_from(["unit", "wide", "extreme"])),
        seed=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=200, deadline=None)
@given(binary_focal_cases())
def test_binary_focal_matches_torch(case):
    check_binary_focal(case)


# --- distillation ---

def torch_distillation(z, teacher, kind, T, t2_scaling, reduction):
    """T**2 F.cross_entropy(z / T, softmax(zt / T)) (or the given probabilities), classes last."""
    teacher = torch.tensor(np.asarray(teacher, dtype=np.float64))
    target = F.softmax(teacher / T, dim=-1) if kind == "logits" else teacher

    def fn(x):
        # F.cross_entropy wants classes on axis 1: flatten the batch, then restore its shape
        k = x.shape[-1]
        per_sample = F.cross_entropy(x.reshape(-1, k) / T, target.reshape(-1, k), reduction="none")
        per_sample = per_sample.reshape(x.shape[:-1])
        return T**2 * per_sample if t2_scaling else per_sample

    return _loss_and_grad(fn, z, reduction)


@dataclass(frozen=True)
class DistillationCase:
    batch: tuple[int, ...]
    K: int
    teacher: str  # "logits", or "probs": softmax(random logits), or "unnormalised": uniform in [0, 1]
    temperature: float | None  # None: the default 1.0, not passed
    t2_scaling: bool | None  # None: the default True, not passed
    reduction: str
    dtype: str
    scale: str
    axis: int | None
    seed: int


def check_distillation(case: DistillationCase) -> None:
    rng = np.random.default_rng(case.seed)
    dtype = np.dtype(case.dtype)
    shape = case.batch + (case.K,)
    z = random_logits(rng, shape, case.scale).astype(dtype)
    teacher_logits = random_logits(rng, shape, case.scale)
    if case.teacher == "logits":
        teacher = teacher_logits.astype(dtype)
    elif case.teacher == "probs":
        teacher = torch.softmax(torch.tensor(teacher_logits), -1).numpy().astype(dtype)
    else:
        teacher = rng.uniform(0.0, 1.0, shape).astype(dtype)
    T = 1.0 if case.temperature is None else case.temperature
    scaled = True if case.t2_scaling is None else case.t2_scaling
    kind = "logits" if case.teacher == "logits" else "probs"
    ref_loss, ref_grad = torch_distillation(f64(z), f64(teacher), kind, T, scaled, case.reduction)
    kwargs = {k: v for k, v in (("temperature", case.temperature), ("t2_scaling", case.t2_scaling)) if v is not None}
    if case.reduction != "mean":
        kwargs["reduction"] = case.reduction
    logits, classes_last, axis = _on_axis(z, case, kwargs)

    # The terms: T**s sum_k q_k (logsumexp(z / T) - z_k / T), each logit / T of size up to
    # max|z| / T; the gradient T**(s - 1) (sum(q) p - q), of size T**(s - 1) (sum(q) + 1).
    s = 2 if scaled else 0
    z64 = f64(z)
    q = torch.softmax(torch.tensor(f64(teacher)) / T, -1).numpy() if kind == "logits" else f64(teacher)
    neg_log_p = -torch.log_softmax(torch.tensor(z64) / T, -1).numpy()
    spread = np.abs(z64).max(axis=-1, initial=0.0) / T
    sum_q = q.sum(-1)
    n = mean_divisor(int(np.prod(case.batch)), case.reduction)
    loss_terms = T**s * ((q * neg_log_p).sum(-1) + sum_q * (spread + 1))
    check_functions(module("distillation"), (logits, np.moveaxis(teacher, -1, axis)), kwargs,
                    ref_loss, ref_grad, case, loss_magnitude=reduce_np(loss_terms, case.reduction),
                    grad_magnitude=(T ** (s - 1) * (sum_q + 1) / n)[..., None], dtype=dtype,
                    suffix="" if kind == "logits" else "_probs", grad_view=classes_last)


TEACHERS = ("logits", "probs", "unnormalised")


def _distillation_grid():
    options = product(TEACHERS, TEMPERATURES, [True, False], REDUCTIONS, DTYPES, ("unit", "extreme"))
    for n, (teacher, T, t2, reduction, dtype, scale) in enumerate(options):
        yield DistillationCase((4, 3), 5, teacher, T, t2, reduction, dtype, scale, None, n)
    yield DistillationCase((4,), 5, "logits", None, None, "mean", "float64", "wide", None, 10**6)  # the defaults


@pytest.mark.parametrize("case", list(_distillation_grid()), ids=repr)
def test_distillation_every_option(case):
    check_distillation(case)


@st.composite
def distillation_cases(draw):
    batch = draw(st.sampled_from([(), (0,), (1,), (5,), (2, 3)]))
    return DistillationCase(
        batch=batch, K=draw(st.one_of(st.integers(1, 6), st.sampled_from([37, 1000]))),
        teacher=draw(st.sampled_from(TEACHERS)),
        temperature=draw(st.one_of(st.none(), st.sampled_from(TEMPERATURES), st.floats(0.1, 50.0))),
        t2_scaling=draw(st.sampled_from([None, True, False])), reduction=draw(st.sampled_from(REDUCTIONS)),
        dtype=draw(st.sampled_from(DTYPES)), scale=draw(st.sampled_from(["unit", "wide", "extreme"])),
        axis=draw(st.sampled_from([None, 0] if len(batch) == 0 else [None, 0, len(batch) - 1])),
        seed=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=200, deadline=None)
@given(distillation_cases())
def test_distillation_matches_torch(case):
    check_distillation(case)


# --- gamma = 0 is the (weighted) cross-entropy, numerically too ---

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_focal_gamma_zero_is_weighted_cross_entropy(weighted, reduction, dtype):
    """focal_loss(gamma=0, alpha=w) = softmax_cross_entropy(weight=w) for "none" and "sum"; "mean"
    differs by design when weighted (over samples here, over sum(w[target]) there)."""
    rng = np.random.default_rng(7)
    z = (rng.standard_normal((6, 4)) * 5).astype(dtype)
    z[0] = [1e3, -1e3, 0, 5]
    c = rng.integers(0, 4, 6)
    w = rng.uniform(0.1, 2.0, 4).astype(dtype) if weighted else None
    n = 6 if reduction == "mean" else 1
    focal = module("focal_loss").loss_and_grad(z, c, alpha=w, gamma=0.0, reduction=reduction)
    ce_reduction = "sum" if reduction == "mean" and weighted else reduction
    ce = module("softmax_cross_entropy").loss_and_grad(z, c, weight=w, reduction=ce_reduction)
    divide = n if reduction == "mean" and weighted else 1
    rtol = RTOL[np.dtype(dtype)] * 10
    for what, ours, theirs in (("loss", focal[0], np.asarray(ce[0]) / divide), ("grad", focal[1], ce[1] / divide)):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * np.abs(theirs).max(),
                                   err_msg=f"focal {what} at gamma = 0 vs softmax_cross_entropy, weighted={weighted}, "
                                           f"reduction={reduction}, {dtype}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_binary_focal_gamma_zero_is_weighted_bce(alpha, reduction, dtype):
    """binary_focal_loss(gamma=0, alpha) = binary_cross_entropy_with_logits(weight=alpha_t)."""
    rng = np.random.default_rng(8)
    x = (rng.standard_normal((5, 3)) * 5).astype(dtype)
    x[0] = [1e3, -1e3, 0]
    y = random_unit_targets(rng, (5, 3)).astype(dtype)
    weight = None if alpha < 0 else (alpha * y + (1 - alpha) * (1 - y)).astype(dtype)
    focal = module("binary_focal_loss").loss_and_grad(x, y, alpha=alpha, gamma=0.0, reduction=reduction)
    bce = module("binary_cross_entropy_with_logits").loss_and_grad(x, y, weight=weight, reduction=reduction)
    rtol = RTOL[np.dtype(dtype)] * 10
    for what, ours, theirs in (("loss", focal[0], bce[0]), ("grad", focal[1], bce[1])):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * np.abs(theirs).max(),
                                   err_msg=f"binary focal {what} at gamma = 0 vs BCE with logits, alpha={alpha}, "
                                           f"reduction={reduction}, {dtype}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha, label", [(1.0, 0.0), (0.0, 1.0)])
def test_binary_focal_weight_zero_leaves_the_element_out(alpha, label, dtype):
    """alpha_t = 0 (alpha = 1 at y = 0, alpha = 0 at y = 1): loss and gradient 0 at every logit,
    also at +-inf where ce is infinite (torchvision: 0 * inf = nan), with no invalid operation."""
    z = np.array([np.inf, -np.inf, 1e3, -1e3, 0.0], dtype)
    y = np.full_like(z, label)
    with np.errstate(all="raise"):
        loss, g = module("binary_focal_loss").loss_and_grad(z, y, alpha=alpha, reduction="none")
    for what, value in (("loss", loss), ("grad", g)):
        np.testing.assert_array_equal(value, np.zeros_like(z), err_msg=f"binary focal {what}, alpha={alpha}, "
                                                                       f"y={label}, {dtype}, at {z.tolist()}")


# --- documented edge cases ---

def _call(name, fn, x, other, **kwargs):
    mod = module(name)
    suffix = "_probs" if kwargs.pop("probs", False) else ""
    return getattr(mod, f"{fn}{suffix}")(x, other, **kwargs)


EDGE = {
    # name: (module, second argument from the logits, options)
    "focal": ("focal_loss", lambda z, rng: rng.integers(0, z.shape[-1], z.shape[:-1]), {}),
    "focal_alpha": ("focal_loss", lambda z, rng: rng.integers(0, z.shape[-1], z.shape[:-1]),
                    {"alpha": np.array([0.5, 1.0, 2.0]), "gamma": 0.5}),
    "binary_focal": ("binary_focal_loss", lambda z, rng: rng.uniform(0, 1, z.shape), {}),
    "binary_focal_unweighted": ("binary_focal_loss", lambda z, rng: rng.uniform(0, 1, z.shape), {"alpha": -1.0}),
    "distillation": ("distillation", lambda z, rng: rng.standard_normal(z.shape), {"temperature": 4.0}),
    "distillation_probs": ("distillation", lambda z, rng: rng.dirichlet(np.ones(z.shape[-1]), z.shape[:-1]),
                           {"temperature": 4.0, "t2_scaling": False, "probs": True}),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(EDGE))
def test_empty_batch(name, reduction):
    """No samples: "mean" is nan (documented), "sum" is 0, "none" is empty; the gradient is empty."""
    mod_name, second, kwargs = EDGE[name]
    z = np.zeros((0, 3))
    other = second(z, np.random.default_rng(0))
    loss, g = _call(mod_name, "loss_and_grad", z, other, reduction=reduction, **kwargs)
    expected = {"mean": np.nan, "sum": 0.0, "none": np.zeros(other.shape[:1] if mod_name != "binary_focal_loss"
                                                             else z.shape)}[reduction]
    np.testing.assert_array_equal(loss, expected, err_msg=f"empty batch, {name}, {reduction}")
    assert np.shape(g) == z.shape, f"grad shape {np.shape(g)} for logits {z.shape}; {name}, {reduction}"


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(EDGE))
def test_nan_logits_stay_in_their_sample(name, reduction):
    """A nan logit makes its own sample's loss and gradient nan, no other; nothing raises or warns."""
    mod_name, second, kwargs = EDGE[name]
    rng = np.random.default_rng(2)
    z = rng.standard_normal((4, 3))
    other = second(z, rng)
    z[1, 0] = np.nan
    loss, g = _call(mod_name, "loss_and_grad", z, other, reduction=reduction, **kwargs)
    affected = np.zeros(z.shape, bool)
    affected[1] = mod_name != "binary_focal_loss"  # a softmax couples the sample's classes
    affected[1, 0] = True
    assert np.isnan(g[affected]).all() and np.isfinite(g[~affected]).all(), f"grad {g}; {name}, {reduction}"
    if reduction == "none":
        rows = affected if mod_name == "binary_focal_loss" else affected[:, 0]
        assert np.array_equal(np.isnan(loss), rows), f"loss {loss}; {name}"
    else:
        assert np.isnan(loss), f"a reduction over a nan sample is nan, got {loss}; {name}, {reduction}"


@pytest.mark.parametrize("scale", [1e3, 1e4])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(EDGE))
def test_extreme_logits_are_finite(name, dtype, scale):
    """Logits of +-1e3 and +-1e4: every loss and gradient finite, dtype kept (true values are)."""
    mod_name, second, kwargs = EDGE[name]
    rng = np.random.default_rng(3)
    z = rng.choice([-scale, scale, 0.0], size=(6, 3)).astype(dtype)
    other = second(z, rng)
    if name == "distillation":  # extreme teacher logits too
        other = rng.choice([-scale, scale, 0.0], size=z.shape)
    if other.dtype.kind == "f":
        other = other.astype(dtype)
    for gamma in (None, 0.0, 0.5, 5.0) if "focal" in mod_name else (None,):
        options = dict(kwargs, reduction="none", **({} if gamma is None else {"gamma": gamma}))
        loss, g = _call(mod_name, "loss_and_grad", z, other, **dict(options))
        for what, value in (("loss", loss), ("grad", g)):
            assert value.dtype == np.dtype(dtype), f"{what}: dtype {value.dtype} from {dtype}; {name}, {options}"
            assert np.isfinite(value).all(), f"{what} not finite at logits {z}: {value}; {name}, {options}"


# --- rows of logits with -inf, +inf or nan entries ---

INF, NAN = np.inf, np.nan
# one -inf, two -inf (a mask), a nan, one +inf, two +inf, all -inf; finite rows between them
INF_ROWS = np.array([[0.5, -1.0, 2.0, 0.0], [-INF, 0.3, 1.0, -2.0], [1.0, -INF, 0.2, -INF], [0.0, 1.0, NAN, 2.0],
                     [0.0, INF, 1.0, -1.0], [INF, INF, 0.0, 1.0], [-INF, -INF, -INF, -INF], [2.0, 0.1, -0.3, 1.5]])
LIMIT_ROWS = [0, 1, 2, 7]  # the rows whose value is the limit (finite logits or -inf ones); the others are nan
TARGETS = np.array([2, 0, 2, 1, 1, 1, 1, 3])  # row 1: its target class is -inf; row 2: not
PROBS = np.array([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25], [0.4, 0.0, 0.6, 0.0], [0.25] * 4,
                  [0.25] * 4, [0.25] * 4, [0.25] * 4, [0.7, 0.1, 0.1, 0.1]])  # row 2: no mass on its -inf classes
TEACHER = np.where(np.isneginf(INF_ROWS), -INF, np.array([[0.3, -0.2, 1.0, 0.0]] * len(INF_ROWS)))  # a shared mask


def _limit_stand_in(a):
    """-inf logits replaced by finite ones 1e30 below their row's others, where exp is 0 in float64
    also divided by a temperature: PyTorch there gives the limit at -inf, to rounding."""
    low = np.min(np.where(np.isfinite(a), a, np.inf), axis=-1, keepdims=True)
    return np.where(np.isneginf(a) & np.isfinite(low), low - 1e30, a)


def _torch_softmax(fn):
    return lambda z, _: (fn(torch.tensor(z), dim=-1).numpy(),)


ROW_FUNCTIONS = {
    # name: (module, function, second argument, options, PyTorch's outputs (float64) from the logits)
    "softmax": ("softmax", "softmax", None, {}, _torch_softmax(F.softmax)),
    "log_softmax": ("softmax", "log_softmax", None, {}, _torch_softmax(F.log_softmax)),
    "cross_entropy_index": ("softmax_cross_entropy", "loss_and_grad", TARGETS, {"reduction": "none"},
                            lambda z, t: _loss_and_grad(lambda x: F.cross_entropy(x, torch.tensor(t), reduction="none"),
                                                        z, "none")),
    "cross_entropy_index_options": (
        "softmax_cross_entropy", "loss_and_grad", TARGETS,
        {"reduction": "none", "weight": np.array([0.0, 1.0, 2.0, 0.5]), "label_smoothing": 0.2},
        lambda z, t: _loss_and_grad(lambda x: F.cross_entropy(x, torch.tensor(t), weight=torch.tensor([0.0, 1.0, 2.0, 0.5],
                                    dtype=torch.float64), label_smoothing=0.2, reduction="none"), z, "none")),
    "cross_entropy_probs": ("softmax_cross_entropy", "loss_and_grad", PROBS, {"reduction": "none"},
                            lambda z, t: _loss_and_grad(lambda x: F.cross_entropy(x, torch.tensor(t), reduction="none"),
                                                        z, "none")),
    "focal": ("focal_loss", "loss_and_grad", TARGETS, {"reduction": "none", "gamma": 2.0},
              lambda z, t: torch_focal(z, t, None, 2.0, "none")),
    "distillation": ("distillation", "loss_and_grad", TEACHER, {"reduction": "none", "temperature": 2.0},
                     lambda z, t: torch_distillation(z, _limit_stand_in(t), "logits", 2.0, True, "none")),
    "distillation_probs": ("distillation", "loss_and_grad_probs", PROBS, {"reduction": "none", "temperature": 2.0},
                           lambda z, t: torch_distillation(z, t, "probs", 2.0, True, "none")),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(ROW_FUNCTIONS))
def test_rows_with_infinite_or_nan_logits(name, dtype):
    """A row with -inf logits (not all) is the limit as they tend to -inf (PyTorch at a finite
    logit far enough below; beyond 1e20: inf), reached with no invalid operation on the way,
    where PyTorch itself may give nan (0 * -inf of a class with neither target mass nor
    probability); a row with a nan, a +inf (nan, as PyTorch's softmax, though one +inf alone
    has a limit) or only -inf logits is nan, as in PyTorch; no row changes another."""
    mod_name, fn, other, options, reference = ROW_FUNCTIONS[name]
    f = getattr(module(mod_name), fn)
    z = INF_ROWS.astype(dtype)
    other = None if other is None else other.astype(dtype) if other.dtype.kind == "f" else other
    kwargs = {k: (v.astype(dtype) if isinstance(v, np.ndarray) else v) for k, v in options.items()}

    def call(rows):
        out = f(z[rows], **kwargs) if other is None else f(z[rows], other[rows], **kwargs)
        return [np.asarray(o) for o in (out if isinstance(out, tuple) else (out,))]

    with np.errstate(all="raise", under="ignore"):  # the limits: no invalid operation on the way
        limits = call(LIMIT_ROWS)
    with np.errstate(invalid="ignore"):  # inf - inf in the +inf rows: the nan they are
        every = call(slice(None))
    at_limit = reference(_limit_stand_in(f64(z)), None if other is None else f64(other))
    actual = reference(f64(z), None if other is None else f64(other))
    rtol = RTOL[np.dtype(dtype)]
    for n, (ours_limits, ours, ref_limit, ref) in enumerate(zip(limits, every, at_limit, actual)):
        where = f"{mod_name}.{fn} output {n}, {options}, {dtype}"
        assert ours.dtype == np.dtype(dtype), f"{where}: dtype {ours.dtype}"
        want = np.where(np.abs(ref_limit) > 1e20, np.copysign(np.inf, ref_limit), ref_limit)[LIMIT_ROWS]
        np.testing.assert_allclose(ours_limits, want, rtol=rtol, atol=rtol,
                                   err_msg=f"{where}: rows with -inf logits vs the limit (PyTorch at them: "
                                           f"{ref[LIMIT_ROWS].tolist()})")
        np.testing.assert_array_equal(ours[LIMIT_ROWS], ours_limits, err_msg=f"{where}: rows change beside nan rows")
        nan_rows = [r for r in range(len(z)) if r not in LIMIT_ROWS]
        assert np.isnan(ours[nan_rows]).all(), f"{where}: rows with nan, +inf or only -inf logits: {ours[nan_rows]}"
        assert np.isnan(ref[nan_rows]).all(), f"{where}: PyTorch is not nan there: {ref[nan_rows]}"


# --- bad input: a ValueError/TypeError that names the argument, its value or shape ---

Z = np.random.default_rng(4).standard_normal((4, 3))
C = np.array([0, 2, 1, 2])
Y = np.random.default_rng(5).uniform(0, 1, (4, 3))
Q = Y / Y.sum(-1, keepdims=True)
STRINGS = np.array([["a", "b", "c"]] * 4)

BAD_INPUT = [
    # module, function suffix, args, kwargs, the argument the message must name
    ("focal_loss", "", (Z, np.array([0, 3, 1, 2])), {}, "target"),
    ("focal_loss", "", (Z, np.array([0, -1, 1, 2])), {}, "target"),
    ("focal_loss", "", (Z, C.astype(float)), {}, "target"),
    ("focal_loss", "", (Z, np.array([True, False, True, True])), {}, "target"),
    ("focal_loss", "", (Z, np.array([0, 1, 2])), {}, "target"),
    ("focal_loss", "", (Z, C), {"alpha": np.ones(4)}, "alpha"),
    ("focal_loss", "", (Z, C), {"alpha": np.array([1.0, -0.5, 1.0])}, "alpha"),
    ("focal_loss", "", (Z, C), {"alpha": np.array([1.0, np.nan, 1.0])}, "alpha"),
    ("focal_loss", "", (Z, C), {"alpha": 0.25}, "alpha"),  # a binary-style scalar: one weight per class needed
    ("focal_loss", "", (Z, C), {"gamma": -1.0}, "gamma"),
    ("focal_loss", "", (Z, C), {"gamma": math.nan}, "gamma"),
    ("focal_loss", "", (Z, C), {"gamma": math.inf}, "gamma"),
    ("focal_loss", "", (Z, C), {"gamma": "2"}, "gamma"),
    ("focal_loss", "", (Z, C), {"gamma": None}, "gamma"),
    ("focal_loss", "", (Z, C), {"reduction": "avg"}, "reduction"),
    ("focal_loss", "", (Z, C), {"axis": 2}, "axis"),
    ("focal_loss", "", (STRINGS, C), {}, "logits"),
    ("binary_focal_loss", "", (Z, Y[:, :2]), {}, "target"),
    ("binary_focal_loss", "", (Z, Y + 1), {}, "target"),
    ("binary_focal_loss", "", (Z, Y - 1), {}, "target"),
    ("binary_focal_loss", "", (Z, STRINGS), {}, "target"),
    ("binary_focal_loss", "", (Z, Y), {"alpha": 1.5}, "alpha"),
    ("binary_focal_loss", "", (Z, Y), {"alpha": math.nan}, "alpha"),
    ("binary_focal_loss", "", (Z, Y), {"alpha": None}, "alpha"),
    ("binary_focal_loss", "", (Z, Y), {"alpha": np.array([0.25, 0.5, 0.75])}, "alpha"),
    ("binary_focal_loss", "", (Z, Y), {"gamma": -0.5}, "gamma"),
    ("binary_focal_loss", "", (Z, Y), {"gamma": True}, "gamma"),
    ("binary_focal_loss", "", (Z, Y), {"reduction": "batchmean"}, "reduction"),
    ("binary_focal_loss", "", (STRINGS, Y), {}, "logits"),
    ("distillation", "", (Z, Z[:, :2]), {}, "teacher_logits"),
    ("distillation", "", (Z, Z[:2]), {}, "teacher_logits"),
    ("distillation", "", (Z, STRINGS), {}, "teacher_logits"),
    ("distillation", "", (Z, Z), {"temperature": 0.0}, "temperature"),
    ("distillation", "", (Z, Z), {"temperature": -2.0}, "temperature"),
    ("distillation", "", (Z, Z), {"temperature": math.nan}, "temperature"),
    ("distillation", "", (Z, Z), {"temperature": "4"}, "temperature"),
    ("distillation", "", (Z, Z), {"t2_scaling": 1}, "t2_scaling"),
    ("distillation", "", (Z, Z), {"reduction": "batchmean"}, "reduction"),
    ("distillation", "", (Z, Z), {"axis": -3}, "axis"),
    ("distillation", "", (STRINGS, Z), {}, "logits"),
    ("distillation", "_probs", (Z, Q[:, :2]), {}, "teacher_probs"),
    ("distillation", "_probs", (Z, Q + 1), {}, "teacher_probs"),
    ("distillation", "_probs", (Z, -Q), {}, "teacher_probs"),
    ("distillation", "_probs", (Z, np.where(Q > 0.5, np.nan, Q)), {}, "teacher_probs"),
    ("distillation", "_probs", (Z, Q), {"temperature": 0}, "temperature"),
]


def _bad_input_id(case):
    mod_name, suffix, args, kwargs, name = case
    shown = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    return f"{mod_name}{suffix}-{name}-{shown}-{[a.dtype.name + str(a.shape) for a in args]}"


@pytest.mark.parametrize("case", BAD_INPUT, ids=[_bad_input_id(c) for c in BAD_INPUT])
def test_bad_input_names_the_argument(case):
    mod_name, suffix, args, kwargs, name = case
    mod = module(mod_name)
    for fn in ("loss", "grad", "loss_and_grad"):
        fn = fn + suffix
        # Python's own "unexpected keyword argument" names the argument too: not what is tested
        unknown = set(kwargs) - set(inspect.signature(getattr(mod, fn)).parameters)
        assert not unknown, f"{mod_name}.{fn} has no option {sorted(unknown)}"
        with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
            getattr(mod, fn)(*args, **kwargs)


# Every test on both kernel paths (C-contiguous arrays: fast kernels; strided views: plain).
on_both_kernel_paths(globals())
