"""Benchmark of the generated cross-entropy modules against what their users would otherwise call.

Run from the repository root (several minutes on the 2-core development machine)::

    .venv/bin/python benchmarks/bench_losses.py                 # all cases, writes benchmarks/results.json
    .venv/bin/python benchmarks/bench_losses.py --quick         # tiny shapes, 3 rounds: a smoke run
    .venv/bin/python benchmarks/bench_losses.py --only ce --rounds 15 --json /tmp/ce.json

Contract:
- It prints one table (every implementation of every case: median ms, multiple of the copy
  floor, time relative to the generated module, peak extra memory, agreement with the generated
  module), then one row per target of issue 15 with PASS or MISS, and writes the same data as
  JSON (``--json PATH``, default ``benchmarks/results.json``) with the machine, the date and the
  exact command line. The first line names the machine: CPU model, the SIMD extensions NumPy
  dispatches to and PyTorch's CPU capability, so figures from two machines can be told apart.
- Implementations: the generated modules (``generated/softmax_cross_entropy.py`` and
  ``generated/binary_cross_entropy_with_logits.py``, loaded by file path as a user who copied them
  would; ``loss_and_grad(logits, target, reduction="mean")``, integer targets for CE, and a second
  row passing a preallocated ``out=`` gradient buffer when the signature has ``out``); a
  straightforward NumPy version; ``sympy.lambdify`` of the raw chain-rule gradient from the
  registry, with and without ``cse=True`` (K = 10 only); PyTorch CPU with 2 threads and with 1
  thread, when ``torch`` imports (otherwise the torch rows are reported as skipped); for CE, "exp,
  sum, scale", the three passes any NumPy softmax gradient makes, blocked on 2 threads as the
  generated driver runs them: a lower bound to hold the targets against.
- Timing: interleaved rounds (A, B, C, A, B, C, ...; default 9, at least 7 for real numbers),
  medians, garbage collection off while timing. Each sample repeats a call until it lasts about
  50 ms, so sub-millisecond calls are not lost in timer noise. The floor is measured in the same
  process and the same interleaving: ``np.copyto(dst, logits)`` of the same size, i.e. read the
  logits once and write a gradient once.
- Memory: the peak of one call under ``tracemalloc`` (NumPy reports its allocations to it), as a
  multiple of the logits' ``nbytes``; the returned gradient counts. Not measured for torch.
- Targets are measurements, never assertions: the exit code is 0 whatever is missed. It is 1 when
  an implementation disagrees with the generated module (checked on the benchmark's own inputs
  before timing, reported loudly), and non-zero on a crash.
- ``--quick`` runs tiny shapes carrying the same roles, so the tables and JSON have the same
  structure; its numbers mean nothing. ``tests/test_benchmark_smoke.py`` runs it.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.util
import inspect
import json
import math
import os
import platform
import shlex
import statistics
import sys
import time
import timeit
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"
DEFAULT_ROUNDS = 9
QUICK_ROUNDS = 3
SAMPLE_SECONDS = 0.05  # a timed sample repeats the call until it lasts about this long
QUICK_SAMPLE_SECONDS = 0.002
EXTREME = 1e3  # logits of +-1e3: exp overflows in float32 and float64 unless shifted
MB = 1e6

# Agreement with the generated module, relative to the largest gradient entry (and to max(1, |loss|)).
TOLERANCE = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}

FLOOR = "copy floor"
EXP = "np.exp alone"
PASSES = "exp, sum, scale"
GENERATED = "generated"
GENERATED_OUT = "generated out="
NUMPY = "numpy"
LAMBDIFY = "lambdify"
LAMBDIFY_CSE = "lambdify cse"
TORCH2 = "torch 2 threads"
TORCH1 = "torch 1 thread"


# --- cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One input shape of one family. ``role`` ties it to the issue's targets (see TARGETS)."""

    family: str  # "ce", "bce" or "lambdify" (CE at K = 10 against lambdify)
    shape: tuple[int, ...]
    dtype: np.dtype
    role: str

    @property
    def label(self) -> str:
        dims = ",".join(str(n) for n in self.shape)
        return f"{self.family} ({dims}) {self.dtype.name}"

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


F32, F64 = np.dtype(np.float32), np.dtype(np.float64)

# (shape, role): the shapes; --quick keeps the roles at tiny sizes.
FULL_SHAPES: dict[str, list[tuple[tuple[int, ...], str]]] = {
    "ce": [((4096, 10), "small-K"), ((4096, 1000), "K=1000"), ((1024, 32000), "large-K"),
           ((256, 128000), "large-K")],
    "bce": [((1_000_000,), "1e6"), ((10_000_000,), "1e7")],
    "lambdify": [((100_000, 10), "K=10,N=1e5")],
}
QUICK_SHAPES: dict[str, list[tuple[tuple[int, ...], str]]] = {
    "ce": [((64, 10), "small-K"), ((16, 1000), "K=1000"), ((4, 32000), "large-K")],
    "bce": [((1000,), "1e6"), ((10_000,), "1e7")],
    "lambdify": [((500, 4), "K=10,N=1e5")],  # K = 4: lambdify at K = 10 takes seconds to build
}
FAMILIES = ("ce", "bce", "lambdify")


def make_cases(quick: bool, only: Sequence[str]) -> list[Case]:
    shapes = QUICK_SHAPES if quick else FULL_SHAPES
    return [Case(family, shape, dtype, role)
            for family in FAMILIES if not only or family in only
            for shape, role in shapes[family]
            for dtype in (F32, F64)]


def make_inputs(case: Case, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Logits ~ N(0, 2^2) and targets: int64 class indices (CE; torch wants int64) or 0/1 labels (BCE)."""
    logits = rng.standard_normal(case.shape, dtype=case.dtype)
    logits *= 2
    if case.family == "bce":
        return logits, (rng.random(case.shape) < 0.5).astype(case.dtype)
    return logits, rng.integers(0, case.shape[-1], size=case.shape[0], dtype=np.int64)


def extreme_inputs(case: Case, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A small batch of logits at +-1e3 for the stability column (same K and dtype as ``case``)."""
    k = case.shape[-1]
    logits = (EXTREME * rng.choice([-1.0, 1.0], size=(8, k))).astype(case.dtype)
    return logits, rng.integers(0, k, size=8, dtype=np.int64)


# --- implementations -----------------------------------------------------------------------

Call = Callable[[], Any]


@dataclass(frozen=True)
class Implementation:
    """``bind(logits, target)`` does the untimed preparation and returns the timed call."""

    name: str
    bind: Callable[[np.ndarray, np.ndarray], Call]
    setup: Callable[[], None] | None = None  # untimed, before every timed sample (torch threads)
    traced: bool = True  # tracemalloc sees its allocations (NumPy does, torch does not)
    checked: bool = True  # returns (loss, grad), compared with the generated module


def load_module(path: Path) -> ModuleType:
    """A generated module imported by file path, as a user who copied it would."""
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def accepts_out(func: Callable[..., Any]) -> bool:
    """Whether ``func`` takes an ``out=`` gradient buffer (the generated API may gain one)."""
    try:
        return "out" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def exp_impl() -> Implementation:
    """np.exp over the logits on one thread: what a softmax pays for its exp alone, for scale
    (on some CPUs NumPy's exp costs many times the copy floor)."""
    def bind(logits: np.ndarray, target: np.ndarray) -> Call:
        dst = np.empty_like(logits)
        return lambda: np.exp(logits, out=dst)

    return Implementation(EXP, bind, traced=True, checked=False)


def passes_impl() -> Implementation:
    """The least any NumPy softmax gradient does, on 2 threads as the generated driver runs:
    over blocks of rows of about 1 MiB, exp of every logit into the gradient buffer, one sum per
    row, one in-place scale by its reciprocal. No max, no loss, no target: a lower bound for a
    CE kernel written in NumPy on this machine. Each row sum is the faster here of
    ``np.add.reduce`` and ``np.einsum`` (timed on one block, untimed)."""
    def bind(logits: np.ndarray, target: np.ndarray) -> Call:
        dst = np.empty_like(logits)
        rows = max(1, (1 << 20) // max(1, logits[0:1].nbytes))
        starts = list(range(0, logits.shape[0], rows))
        sums = (lambda a: np.add.reduce(a, axis=-1, keepdims=True),
                lambda a: np.einsum("ij->i", a)[:, None])
        probe = np.exp(logits[:rows])
        row_sum = min(sums, key=lambda f: min(timeit.repeat(lambda: f(probe), number=3, repeat=3)))

        def block(s: int) -> None:
            e = np.exp(logits[s:s + rows], out=dst[s:s + rows])
            np.multiply(e, 1 / row_sum(e), out=e)

        def half(part: list[int]) -> None:
            for s in part:
                block(s)

        def call() -> np.ndarray:
            other = _passes_pool().submit(half, starts[1::2])
            half(starts[0::2])
            other.result()
            return dst

        return call

    return Implementation(PASSES, bind, traced=True, checked=False)


_POOL: list[Any] = []


def _passes_pool() -> Any:
    """One worker thread, started once: the caller's thread is the other of the two."""
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor
        _POOL.append(ThreadPoolExecutor(1))
    return _POOL[0]


def floor_impl() -> Implementation:
    def bind(logits: np.ndarray, target: np.ndarray) -> Call:
        dst = np.empty_like(logits)
        return lambda: np.copyto(dst, logits)

    return Implementation(FLOOR, bind, traced=True, checked=False)


def generated_impls(module: ModuleType) -> list[Implementation]:
    """The plain call, and with a preallocated gradient buffer when the signature has ``out``."""
    func = module.loss_and_grad

    def plain(logits: np.ndarray, target: np.ndarray) -> Call:
        return lambda: func(logits, target, reduction="mean")

    def with_out(logits: np.ndarray, target: np.ndarray) -> Call:
        buf = np.empty_like(logits)
        return lambda: func(logits, target, reduction="mean", out=buf)

    impls = [Implementation(GENERATED, plain)]
    if accepts_out(func):
        impls.append(Implementation(GENERATED_OUT, with_out))
    return impls


def ce_numpy(logits: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean softmax cross-entropy and its gradient, as one would first write it in NumPy."""
    n = logits.shape[0]
    rows = np.arange(n)
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(shifted)
    s = np.sum(e, axis=1, keepdims=True)
    loss = np.mean(np.log(s[:, 0]) - shifted[rows, target])
    onehot = np.zeros_like(logits)
    onehot[rows, target] = 1
    return loss, (e / s - onehot) / n


def bce_numpy(logits: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean binary cross-entropy from logits and its gradient: the usual stable NumPy forms."""
    loss = np.mean(np.logaddexp(0, logits) - logits * target)
    e = np.exp(-np.abs(logits))
    sigmoid = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    return loss, (sigmoid - target) / logits.size


def numpy_impl(func: Callable[[np.ndarray, np.ndarray], Any]) -> Implementation:
    return Implementation(NUMPY, lambda logits, target: lambda: func(logits, target))


def raw_ce_functions(k: int) -> dict[str, Callable[..., list[Any]]]:
    """``lambdify`` of the raw loss and chain-rule gradient of the registry's CE at explicit K.

    Returns {LAMBDIFY: without cse, LAMBDIFY_CSE: with cse=True}. Arguments are the columns
    z_1..z_K, then y_1..y_K; the functions return [loss, dL/dz_1, ..., dL/dz_K], one value per
    sample. The expressions are built as ``symxent verify`` builds them, with its own helpers:
    the definitions unfolded as defined, the chain rule of claim "gradient_general" (its left
    side, sum_i dL/dp_i dp_i/dz_j) evaluated at explicit K, nothing simplified. Not
    ``verify._lambdify_grid`` itself: it fixes ``cse=False`` and casts every output to complex,
    which would slow the reference down unfairly.
    """
    import sympy as sp

    _import_symxent_from_checkout()
    from symxent.registry import load_registry
    from symxent.symbols import K, L, j, y, z
    from symxent.accuracy import at_size
    from symxent.verify import _entries

    d = load_registry()["softmax_cross_entropy"]
    sizes = {K: k}
    loss = at_size(d, L, sizes, False)
    grad = _entries(d, at_size(d, d.claim("gradient_general").lhs, sizes, False), (j,), sizes)
    symbols = [z[n] for n in range(1, k + 1)] + [y[n] for n in range(1, k + 1)]
    # Plain symbols, as verify does: with Indexed arguments lambdify re-substitutes dummies.
    plain = [sp.Symbol(f"_a{n}") for n in range(len(symbols))]
    rename = dict(zip(symbols, plain))
    exprs = [sp.sympify(e).xreplace(rename) for e in [loss, *grad.reshape(-1)]]
    return {name: sp.lambdify(plain, exprs, modules="numpy", cse=cse, dummify=False)
            for name, cse in ((LAMBDIFY, False), (LAMBDIFY_CSE, True))}


def _import_symxent_from_checkout() -> None:
    """Make ``symxent`` importable when the benchmark runs from a checkout without an install."""
    if importlib.util.find_spec("symxent") is None:
        sys.path.insert(0, str(ROOT))


def lambdify_impl(name: str, func: Callable[..., list[Any]]) -> Implementation:
    def bind(logits: np.ndarray, target: np.ndarray) -> Call:
        n = logits.shape[0]
        # The raw expression takes the target as one-hot columns; built untimed (in favour of
        # lambdify). Columns of logits are strided views, no copy: the user's natural call.
        onehot = np.zeros_like(logits)
        onehot[np.arange(n), target] = 1
        columns = (*logits.T, *onehot.T)

        def call() -> tuple[Any, np.ndarray]:
            loss, *grad = func(*columns)
            return np.mean(loss), np.stack(grad, axis=-1) / n

        return call

    return Implementation(name, bind)


def import_torch() -> tuple[ModuleType | None, str]:
    """``torch`` or None with the reason; its import warnings must not fail a warnings-as-errors run."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import torch
    except Exception as exc:  # ImportError, or a broken install (OSError from a shared library)
        return None, f"torch not importable ({type(exc).__name__}: {exc})"
    return torch, ""


def torch_impls(torch: ModuleType, family: str) -> list[Implementation]:
    """Forward and backward through autograd, on tensors sharing the NumPy buffers (no copy)."""
    functional = torch.nn.functional
    loss_fn = functional.cross_entropy if family != "bce" else functional.binary_cross_entropy_with_logits

    def bind(logits: np.ndarray, target: np.ndarray) -> Call:
        x = torch.from_numpy(logits).requires_grad_(True)
        t = torch.from_numpy(target)

        def call() -> tuple[Any, Any]:
            loss = loss_fn(x, t)
            (g,) = torch.autograd.grad(loss, x)  # no .grad accumulation to reset between calls
            return loss, g

        return call

    return [Implementation(TORCH2, bind, setup=lambda: torch.set_num_threads(2), traced=False),
            Implementation(TORCH1, bind, setup=lambda: torch.set_num_threads(1), traced=False)]


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Result:
    """One implementation on one case; times in seconds per call."""

    name: str
    samples: list[float] = field(default_factory=list)
    inner: int = 1
    peak_bytes: int | None = None
    error: float | None = None  # relative disagreement with the generated module
    ok: bool = True
    finite_extreme: bool | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan


def to_numpy(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):  # a torch tensor
        return x.detach().numpy()
    return np.asarray(x)


def disagreement(got: Any, ref: Any) -> float:
    """Relative difference of (loss, grad) pairs: loss to max(1, |loss|), grad to its largest entry."""
    if not (isinstance(got, tuple) and len(got) == 2):
        return math.inf
    loss, grad = to_numpy(got[0]).astype(np.float64), to_numpy(got[1]).astype(np.float64)
    ref_loss, ref_grad = to_numpy(ref[0]).astype(np.float64), to_numpy(ref[1]).astype(np.float64)
    if loss.shape != ref_loss.shape or grad.shape != ref_grad.shape:
        return math.inf
    loss_err = float(np.max(np.abs(loss - ref_loss))) / max(1.0, float(np.max(np.abs(ref_loss))))
    scale = float(np.max(np.abs(ref_grad))) if ref_grad.size else 1.0
    grad_err = float(np.max(np.abs(grad - ref_grad))) / (scale or 1.0) if grad.size else 0.0
    err = max(loss_err, grad_err)
    return err if math.isfinite(err) else math.inf


def finite_result(result: Any) -> bool:
    return all(bool(np.all(np.isfinite(to_numpy(part)))) for part in result)


def peak_extra_bytes(call: Call) -> int:
    """Peak bytes allocated during one call (the returned arrays included)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
        del result
    finally:
        tracemalloc.stop()
    return peak - base


@dataclass
class Bound:
    impl: Implementation
    call: Call
    result: Result


def time_interleaved(bound: list[Bound], rounds: int, sample_seconds: float) -> None:
    """Samples of every implementation in interleaved rounds, so drift hits all of them alike."""
    for b in bound:  # calibrate the repeats per sample from one more warm call
        if b.impl.setup:
            b.impl.setup()
        start = time.perf_counter()
        b.call()
        once = max(time.perf_counter() - start, 1e-9)
        b.result.inner = max(1, min(10_000, math.ceil(sample_seconds / once)))
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection inside one sample is noise, not the code's cost
    try:
        for _ in range(rounds):
            for b in bound:
                if b.impl.setup:
                    b.impl.setup()
                inner, call = b.result.inner, b.call
                start = time.perf_counter()
                for _ in range(inner):
                    call()
                b.result.samples.append((time.perf_counter() - start) / inner)
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class CaseRun:
    case: Case
    results: list[Result]

    def get(self, name: str) -> Result | None:
        return next((r for r in self.results if r.name == name), None)


def implementations(case: Case, modules: dict[str, ModuleType], torch: ModuleType | None,
                    lambdified: dict[str, Callable[..., list[Any]]]) -> list[Implementation]:
    bound = [passes_impl()] if case.family == "ce" else []
    impls = [floor_impl(), exp_impl(), *bound, *generated_impls(modules[case.family if case.family == "bce" else "ce"])]
    impls.append(numpy_impl(bce_numpy if case.family == "bce" else ce_numpy))
    if case.family == "lambdify":
        impls += [lambdify_impl(name, func) for name, func in lambdified.items()]
    elif torch is not None:
        impls += torch_impls(torch, case.family)
    return impls


def run_case(case: Case, impls: list[Implementation], rounds: int, sample_seconds: float, seed: int,
             log: Callable[[str], None]) -> CaseRun:
    rng = np.random.default_rng(seed)
    logits, target = make_inputs(case, rng)
    bound = [Bound(impl, impl.bind(logits, target), Result(impl.name)) for impl in impls]

    # Agreement first (also the first warm-up call): a wrong implementation is not worth timing.
    reference = next(b for b in bound if b.impl.name == GENERATED).call()
    tol = TOLERANCE[case.dtype]
    for b in bound:
        if b.impl.setup:
            b.impl.setup()
        got = b.call()
        if b.impl.checked:
            b.result.error = disagreement(got, reference)
            b.result.ok = b.result.error <= tol
            if not b.result.ok:
                log(f"!!! MISMATCH: {case.label}: {b.impl.name} differs from the generated module by "
                    f"{b.result.error:.3g} (tolerance {tol:g})")
        del got
    del reference

    time_interleaved(bound, rounds, sample_seconds)

    for b in bound:
        if b.impl.traced:
            b.result.peak_bytes = peak_extra_bytes(b.call)

    if case.family == "lambdify":  # stability at extreme logits, on a small batch of the same K and dtype
        z, t = extreme_inputs(case, rng)
        for impl, b in zip(impls, bound):
            if impl.checked:
                with np.errstate(all="ignore"):
                    b.result.finite_extreme = finite_result(impl.bind(z, t)())

    results = [b.result for b in bound]
    del bound, logits, target
    gc.collect()  # the largest float64 logits are 262 MB: free them before the next case
    return CaseRun(case, results)


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A goal of issue 15 for the cases of some roles.

    kinds: "speedup" (``other`` time / generated time >= goal), "floor" (generated / floor <=
    goal, ``stretch`` the harder goal; "floor out=": the generated call with ``out=``),
    "memory" (peak extra bytes <= the gradient plus O(N)), "memory out=" (with a caller's
    buffer: only O(N)), "finite" (generated finite at +-1e3). ``dtype``: the one dtype the goal
    is for (None: both).
    """

    text: str
    kind: str
    goal: float = 0.0
    other: str = ""
    stretch: float | None = None
    dtype: str | None = None


# Slack for "O(N)" temporaries: 16 float64 per sample (CE rows; none for elementwise BCE) plus
# 4 MiB for cache-sized blocks of a blocked implementation (2 threads).
SLACK_PER_ROW = 16 * 8
SLACK_BLOCKS = 4 * 2**20
# torch with 2 threads this much slower than with 1: the other core was busy (shared machine).
TORCH_BUSY = 1.5

_MEMORY = Target("peak extra memory <= gradient + O(N)", "memory")
_MEMORY_OUT = Target("peak extra memory with out= <= O(N)", "memory out=")
# float64: no slower than torch with 2 threads at any of the sizes.
_F64 = Target("float64 no slower than torch 2 threads", "speedup", 1.0, TORCH2, dtype="float64")


def _torch32(goal: float) -> Target:
    return Target(f"float32 >= {goal:g}x faster than torch 2 threads", "speedup", goal, TORCH2, dtype="float32")


TARGETS: dict[tuple[str, str], list[Target]] = {
    ("ce", "small-K"): [_torch32(4.0), _F64,
                        Target("generated >= 3x faster than straightforward numpy", "speedup", 3.0, NUMPY)],
    ("ce", "K=1000"): [_torch32(2.0), _F64,
                       Target("generated >= 4x faster than straightforward numpy", "speedup", 4.0, NUMPY),
                       _MEMORY, _MEMORY_OUT],
    ("ce", "large-K"): [_torch32(4.0), _F64,
                        Target("float32 within 3x the copy floor", "floor", 3.0, FLOOR, dtype="float32"),
                        Target("float32 with out= within 2x the copy floor", "floor out=", 2.0, FLOOR,
                               dtype="float32"),
                        Target("generated >= 4x faster than straightforward numpy", "speedup", 4.0, NUMPY),
                        _MEMORY, _MEMORY_OUT],
    ("bce", "1e7"): [_torch32(3.0), _F64,
                     Target("generated >= 3x faster than straightforward numpy", "speedup", 3.0, NUMPY),
                     _MEMORY, _MEMORY_OUT],
    ("bce", "1e6"): [Target("generated no slower than torch 1 thread", "speedup", 1.0, TORCH1),
                     _MEMORY, _MEMORY_OUT],
    ("lambdify", "K=10,N=1e5"): [
        Target("generated >= 40x faster than lambdify (raw chain rule)", "speedup", 40.0, LAMBDIFY),
        Target("generated >= 5x faster than lambdify(cse=True)", "speedup", 5.0, LAMBDIFY_CSE),
        Target(f"generated finite at logits +-{EXTREME:g} (lambdify: see the finite column)", "finite")],
}


def targets_for(case: Case) -> list[Target]:
    """The targets of a case: its role's, for its dtype."""
    return [t for t in TARGETS.get((case.family, case.role), []) if t.dtype in (None, case.dtype.name)]


def evaluate(target: Target, run: CaseRun, torch_note: str) -> dict[str, Any]:
    """A target's measured value, goal and status on one case, as a JSON-ready row."""
    case, gen = run.case, run.get(GENERATED)
    row: dict[str, Any] = {"case": case.label, "target": target.text, "kind": target.kind}
    assert gen is not None
    slack = SLACK_BLOCKS + (SLACK_PER_ROW * case.shape[0] if case.family != "bce" else 0)
    if target.kind == "speedup":
        other = run.get(target.other)
        if other is None:
            why = torch_note if target.other in (TORCH1, TORCH2) else f"{target.other} not run"
            return {**row, "measured": None, "goal": f">= {target.goal:g}x", "status": "n/a", "note": why}
        value = other.median / gen.median
        result = {**row, "measured": value, "shown": f"{value:.2f}x", "goal": f">= {target.goal:g}x",
                  "status": "PASS" if value >= target.goal else "MISS"}
        one = run.get(TORCH1)
        if target.other == TORCH2 and one is not None and other.median > TORCH_BUSY * one.median:
            # OpenMP's barrier waits for a second core that another process holds: not torch's cost.
            result["note"] = f"unreliable: 2 threads {other.median / one.median:.1f}x slower than 1, second core busy?"
        return result
    if target.kind in ("floor", "floor out="):
        timed = gen if target.kind == "floor" else run.get(GENERATED_OUT)
        if timed is None:
            return {**row, "measured": None, "goal": f"<= {target.goal:g}x", "status": "MISS", "note": "no out= argument"}
        value = timed.median / run.get(FLOOR).median
        status = "PASS" if value <= target.goal else "MISS"
        if target.stretch is not None:
            status += f" (stretch {target.stretch:g}x: {'PASS' if value <= target.stretch else 'MISS'})"
        return {**row, "measured": value, "shown": f"{value:.2f}x", "goal": f"<= {target.goal:g}x", "status": status}
    if target.kind in ("memory", "memory out="):
        allowed = slack + (case.nbytes if target.kind == "memory" else 0)
        goal = f"<= {allowed / case.nbytes:.3g}x"
        result = run.get(GENERATED if target.kind == "memory" else GENERATED_OUT)
        if result is None:
            return {**row, "measured": None, "goal": goal, "status": "MISS", "note": "no out= argument"}
        value = result.peak_bytes / case.nbytes
        return {**row, "measured": value, "shown": f"{value:.2f}x", "goal": goal,
                "status": "PASS" if result.peak_bytes <= allowed else "MISS"}
    if target.kind == "finite":
        return {**row, "measured": gen.finite_extreme, "shown": "yes" if gen.finite_extreme else "NO",
                "goal": "finite", "status": "PASS" if gen.finite_extreme else "MISS"}
    raise ValueError(f"unknown target kind {target.kind!r}")


# --- output --------------------------------------------------------------------------------


def format_table(header: Sequence[str], rows: Sequence[Sequence[str] | None], right: Sequence[bool]) -> str:
    """Columns padded to their widest cell; a ``None`` row is an empty line between groups."""
    cells = [r for r in rows if r is not None]
    widths = [max([len(h), *(len(r[n]) for r in cells)]) for n, h in enumerate(header)]

    def line(row: Sequence[str] | None) -> str:
        if row is None:
            return ""
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def timing_rows(runs: Sequence[CaseRun]) -> list[list[str] | None]:
    rows: list[list[str] | None] = []
    for run in runs:
        if rows:
            rows.append(None)
        floor, gen = run.get(FLOOR).median, run.get(GENERATED).median
        for r in run.results:
            check = "-" if r.error is None else (f"{r.error:.1e}" if r.ok else f"WRONG {r.error:.1e}")
            finite = "" if r.finite_extreme is None else ("yes" if r.finite_extreme else "NO (nan/inf)")
            peak = "-" if r.peak_bytes is None else f"{r.peak_bytes / run.case.nbytes:.2f}x"
            rows.append([run.case.label, r.name, f"{r.median * 1e3:.3f}", f"{r.median / floor:.1f}",
                         f"{r.median / gen:.2f}", peak, check, finite])
    return rows


TIMING_HEADER = ["case", "implementation", "median ms", "x floor", "x generated", "peak mem x logits",
                 "rel err vs generated", "finite at +-1e3"]


def cpu_model() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo; else what the platform module says)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def numpy_simd() -> dict[str, list[str]]:
    """The SIMD extensions NumPy was built for (baseline) and those it dispatches to here."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
    found = [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]
    return {"baseline": list(umath.__cpu_baseline__), "dispatched": found}


def torch_capability(torch: ModuleType | None) -> str | None:
    """The vector instruction set PyTorch's CPU kernels use here ("AVX2", "AVX512", ...)."""
    if torch is None:
        return None
    try:
        return str(torch.backends.cpu.get_cpu_capability())
    except AttributeError:  # an old torch
        return "unknown"


def machine_line(machine: dict[str, Any]) -> str:
    """One line telling machines apart: CPU, its cores, NumPy's and PyTorch's SIMD."""
    simd = machine["numpy_simd"]
    usable = machine["usable_cpus"]
    return (f"machine: {machine['cpu_model']}, {machine['cpu_count']} cpus"
            f"{f' ({usable} usable)' if usable is not None else ''}; numpy {machine['numpy']} SIMD baseline "
            f"{' '.join(simd['baseline']) or '-'}, dispatched {' '.join(simd['dispatched']) or '-'}; "
            f"torch {machine['torch'] or '-'} CPU capability {machine['torch_cpu_capability'] or '-'}")


def machine_info(torch: ModuleType | None, torch_note: str) -> dict[str, Any]:
    import sympy

    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        affinity = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_model": cpu_model(),
        "numpy_simd": numpy_simd(),
        "torch_cpu_capability": torch_capability(torch),
        "cpu_count": os.cpu_count(),
        "usable_cpus": affinity,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sympy": sympy.__version__,
        "torch": None if torch is None else torch.__version__,
        "torch_note": torch_note,
    }


# --- command line --------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_losses.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes and 3 rounds (a smoke run)")
    parser.add_argument("--rounds", type=int, default=None,
                        help=f"interleaved rounds (default {DEFAULT_ROUNDS}; {QUICK_ROUNDS} with --quick)")
    parser.add_argument("--only", action="append", choices=FAMILIES, default=[],
                        help="run only this family (repeatable)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"JSON output (default {DEFAULT_JSON})")
    parser.add_argument("--generated", type=Path, default=ROOT / "generated",
                        help="directory of the generated modules (default: the repository's generated/)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even when it imports")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    rounds = args.rounds or (QUICK_ROUNDS if args.quick else DEFAULT_ROUNDS)
    sample_seconds = QUICK_SAMPLE_SECONDS if args.quick else SAMPLE_SECONDS

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    torch, torch_note = (None, "torch skipped (--no-torch)") if args.no_torch else import_torch()
    machine = machine_info(torch, torch_note)  # the load average before the run: others share the machine
    threads_before = torch.get_num_threads() if torch is not None else None
    modules = {"ce": load_module(args.generated / "softmax_cross_entropy.py"),
               "bce": load_module(args.generated / "binary_cross_entropy_with_logits.py")}
    cases = make_cases(args.quick, args.only)
    lambdified: dict[str, Callable[..., list[Any]]] = {}
    if any(c.family == "lambdify" for c in cases):
        start = time.perf_counter()
        k = next(c.shape[-1] for c in cases if c.family == "lambdify")
        lambdified = raw_ce_functions(k)
        log(f"lambdify of the raw CE loss and chain-rule gradient at K={k}: {time.perf_counter() - start:.1f}s")
    if torch is None:
        log(f"PyTorch rows skipped: {torch_note}")
    # SymPy and torch leave hundreds of thousands of long-lived objects: move them out of the
    # collector's sight, or each gc.collect() between cases costs ~0.1 s.
    gc.collect()
    gc.freeze()

    runs: list[CaseRun] = []
    try:
        for n, case in enumerate(cases):
            log(f"[{n + 1}/{len(cases)}] {case.label}: {case.nbytes / MB:.1f} MB logits, {rounds} rounds")
            impls = implementations(case, modules, torch, lambdified)
            runs.append(run_case(case, impls, rounds, sample_seconds, args.seed + n, log))
    finally:
        if torch is not None:
            torch.set_num_threads(threads_before)  # a caller's process (the smoke test) keeps its setting
        gc.unfreeze()
    if hasattr(os, "getloadavg"):
        machine["load_average_end"] = list(os.getloadavg())

    targets = [evaluate(t, run, torch_note) for run in runs for t in targets_for(run.case)]
    mismatches = [f"{run.case.label}: {r.name} (error {r.error:.3g})" for run in runs for r in run.results if not r.ok]
    out_api = {name: accepts_out(m.loss_and_grad) for name, m in modules.items()}
    settings = {"rounds": rounds, "quick": args.quick, "only": args.only, "seed": args.seed,
                "sample_seconds": sample_seconds, "generated": str(args.generated), "generated_out_argument": out_api,
                "tolerance": {k.name: v for k, v in TOLERANCE.items()}}

    print_report(runs, targets, mismatches, settings, machine)
    script = os.path.relpath(__file__) if not os.path.relpath(__file__).startswith("..") else __file__
    payload = {"command": shlex.join([sys.executable, script, *argv]), "cwd": os.getcwd(), "machine": machine,
               "settings": settings, "cases": [case_json(run) for run in runs], "targets": targets,
               "summary": status_counts(targets), "mismatches": mismatches}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=1, allow_nan=False, default=_json_default) + "\n")
    print(f"wrote {args.json}")
    return 1 if mismatches else 0


def status_counts(targets: Sequence[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for t in targets if t["status"].startswith(s)) for s in ("PASS", "MISS", "n/a")}


def print_report(runs: Sequence[CaseRun], targets: Sequence[dict[str, Any]], mismatches: Sequence[str],
                 settings: dict[str, Any], machine: dict[str, Any]) -> None:
    out_api = settings["generated_out_argument"]
    load, end = machine["load_average"], machine.get("load_average_end")
    print(f"symxent benchmark: {settings['rounds']} interleaved rounds, medians; floor = np.copyto(dst, logits)"
          + ("  [--quick: tiny shapes, the numbers mean nothing]" if settings["quick"] else ""))
    print(machine_line(machine))
    print(f"generated loss_and_grad with out=: ce {'yes' if out_api['ce'] else 'no'}, "
          f"bce {'yes' if out_api['bce'] else 'no'}; torch {machine['torch'] or machine['torch_note']}; "
          f"numpy {machine['numpy']}; {machine['cpu_count']} cpus; "
          f"load average {f'{load[0]:.2f}' if load else 'unknown'} at start, "
          f"{f'{end[0]:.2f}' if end else 'unknown'} at the end")
    print()
    print(format_table(TIMING_HEADER, timing_rows(runs), [False, False, True, True, True, True, True, False]))
    print()
    rows: list[list[str] | None] = []
    for t in targets:
        if rows and rows[-1] is not None and rows[-1][0] != t["case"]:
            rows.append(None)
        note = f" ({t['note']})" if t.get("note") else ""
        rows.append([t["case"], t["target"], t.get("shown", "-"), t["goal"], t["status"] + note])
    print(format_table(["case", "target", "measured", "goal", "status"], rows, [False, False, True, True, False]))
    print()
    print("measured: the other's time / the generated module's time (\"faster than\"), generated / floor "
          "(the floor), peak extra bytes / logits bytes (memory)")
    counts = status_counts(targets)
    print(f"targets: {counts['PASS']} PASS, {counts['MISS']} MISS, {counts['n/a']} n/a")
    if mismatches:
        print("!!! NUMERICALLY WRONG (disagrees with the generated module): " + "; ".join(mismatches))


def case_json(run: CaseRun) -> dict[str, Any]:
    floor, gen = run.get(FLOOR).median, run.get(GENERATED).median
    case = run.case
    return {"label": case.label, "family": case.family, "role": case.role, "shape": list(case.shape),
            "dtype": case.dtype.name, "logits_bytes": case.nbytes,
            "results": [{"implementation": r.name, "median_ms": r.median * 1e3, "x_floor": r.median / floor,
                         "x_generated": r.median / gen, "samples_ms": [t * 1e3 for t in r.samples],
                         "calls_per_sample": r.inner, "peak_extra_bytes": r.peak_bytes,
                         "peak_x_logits": None if r.peak_bytes is None else r.peak_bytes / case.nbytes,
                         "max_error_vs_generated": _finite_or_text(r.error), "agrees": r.ok,
                         "finite_at_extreme": r.finite_extreme} for r in run.results]}


def _finite_or_text(x: float | None) -> float | str | None:
    """JSON has no inf or nan: a non-finite error is written as text."""
    return x if x is None or math.isfinite(x) else str(x)


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


if __name__ == "__main__":
    raise SystemExit(main())
