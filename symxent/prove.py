"""Prove every claim and check every step of a derivation.

Contract:
- Every verdict is one of three (see DESIGN.md, "Verdicts"): ``proven``; ``FAILED``, only with a
  counterexample confirmed at 50 digits, both sides' values shown; or ``not proven`` (the
  prover could not decide: the residual it could not simplify, a time budget spent, SymPy
  giving up), which is not ok either but never claims the statement is false.
- :func:`prove_claim` proves one :class:`~symxent.registry.Claim` (a) with explicit symbols
  for every size in the derivation's dimensions (K = 2..Kmax unless a dimension fixes its
  sizes) and every value of the claim's free class indices, and (b) for a symbolic K whenever
  the claim depends on a dimension of unfixed size (``general_k=False`` is honoured only for
  claims that do not). Each instance is screened numerically at 30 digits; a non-zero
  residual there is re-evaluated side by side at 50 digits and is a FAILED proof only when
  that confirms it. Otherwise the residual must simplify to exactly 0 (see
  :func:`symxent.derive.zero_residual`). A symbolic-K residual that does not vanish is
  searched for a counterexample at sizes beyond Kmax before it is called "not proven".
- Inequalities (">=", ">") are proven as ``lhs - rhs = certificate`` plus a structural check
  that the certificate is non-negative (positive).
- A proof that cancels a denominator which may vanish says so: the detail ends with
  "holds where ... is not 0".
- :func:`check_chain` checks each step of a human derivation equal to the one before (the
  first step equal to the chain's label), under that step's assumptions only.
- Each claim and each step has a time budget (``SYMXENT_TIMEOUT`` seconds, default
  :data:`DEFAULT_TIMEOUT`; ``symxent verify --timeout``); past it the answer is "not proven:
  timed out". A recursion-depth overflow is "not proven: too large", and so is an exact power
  of numbers with more than :data:`MAX_DIGITS` digits, refused before it is computed (in C,
  beyond the reach of the budget).
- Results are plain frozen dataclasses; nothing is printed here. They are cached as checked
  plain JSON (see :mod:`symxent.cache`); ``SYMXENT_CACHE=off`` disables the cache.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import os
import signal
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symxent import derive
from symxent.domains import sample_point
from symxent.registry import Assumption, Chain, Claim, Derivation

__all__ = [
    "DEFAULT_TIMEOUT",
    "FAILED",
    "NOT_APPLICABLE",
    "NOT_PROVEN",
    "PROVEN",
    "Check",
    "ClaimResult",
    "DerivationProof",
    "StepResult",
    "check_chain",
    "prove",
    "prove_claim",
    "size_grid",
    "timeout_seconds",
]

PROVEN, FAILED, NOT_PROVEN, NOT_APPLICABLE = "proven", "FAILED", "not proven", "n/a"
STATUSES = (PROVEN, FAILED, NOT_PROVEN, NOT_APPLICABLE)
# The screen: at 30 significant digits a true identity leaves ~1e-28; a false one leaves O(1).
NUMERIC_TOL = 1e-15
# The confirmation: at 50 digits a true identity leaves ~1e-48 of the sides' size. A larger
# gap is a real counterexample, however small (a claim off by e^-60 is still false).
CONFIRM_DIGITS = 50
CONFIRM_TOL = 1e-40
# Sizes beyond Kmax searched for a counterexample when the symbolic-K residual does not vanish.
EXTRA_SIZES = 3
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class Check:
    """The outcome of one proof attempt (explicit sizes, or symbolic K)."""

    status: str
    detail: str = ""
    residual: str | None = None
    counterexample: Mapping[str, float] | None = None
    seconds: float = 0.0
    numeric_error: float | None = None  # largest |lhs - rhs| at the random points, 30 digits

    @property
    def ok(self) -> bool:
        return self.status in (PROVEN, NOT_APPLICABLE)


@dataclass(frozen=True)
class ClaimResult:
    derivation: str
    claim: str
    statement: str
    fixed_k: Check
    general_k: Check
    assumptions_used: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.fixed_k.ok and self.general_k.ok

    @property
    def verdict(self) -> str:
        """FAILED if either proof found a confirmed counterexample, else not proven / proven."""
        return _verdict((self.fixed_k, self.general_k))


@dataclass(frozen=True)
class StepResult:
    derivation: str
    chain: str
    step: int  # 0-based position in the chain; messages for people number from 1
    reason: str
    fixed_k: Check
    general_k: Check

    @property
    def ok(self) -> bool:
        return self.fixed_k.ok and self.general_k.ok

    @property
    def verdict(self) -> str:
        return _verdict((self.fixed_k, self.general_k))


def _verdict(checks: Sequence[Check]) -> str:
    statuses = {c.status for c in checks}
    for status in (FAILED, NOT_PROVEN):
        if status in statuses:
            return status
    return PROVEN


@dataclass(frozen=True)
class DerivationProof:
    derivation: str
    claims: tuple[ClaimResult, ...]
    steps: tuple[StepResult, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.claims) and all(s.ok for s in self.steps)


# --- time budget -------------------------------------------------------------------------------


class ProofTimeout(BaseException):
    """Raised inside a proof when its budget is spent.

    A BaseException, so the ``except Exception`` blocks inside SymPy cannot swallow it."""


def timeout_seconds() -> float | None:
    """The budget of one claim or step: ``$SYMXENT_TIMEOUT`` seconds ("off" or 0: none)."""
    value = os.environ.get("SYMXENT_TIMEOUT", "").strip().lower()
    if value in ("off", "none", "0"):
        return None
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"SYMXENT_TIMEOUT must be a number of seconds, got {value!r}") from None
    return seconds if seconds > 0 else None


def _unraisable(frame: types.FrameType | None) -> bool:
    """Whether an exception raised at ``frame`` would be dropped instead of propagated: inside a
    garbage-collector callback (hypothesis installs one) or a ``__del__``. The alarm repeats, so
    the budget is enforced a moment later, back in the proof's own code."""
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


@contextlib.contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Raise :class:`ProofTimeout` in this block after ``seconds`` (SIGALRM, main thread only).

    Worker processes run their tasks on their main thread, so this covers ``verify --jobs`` as
    well; where no alarm is available (another thread, Windows) the budget is not enforced.
    """
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    active = True

    def expire(signum: int, frame: types.FrameType | None) -> None:
        if active and not _unraisable(frame):
            raise ProofTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    # Repeating, so an alarm that lands where an exception cannot propagate (see _unraisable)
    # is not lost: the next one, 0.25 s later, raises in the proof itself.
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3), 0.25)
    try:
        yield
    finally:
        active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Budget:
    """What is left of one claim's or step's budget, shared by its proof attempts."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.end = None if seconds is None else time.monotonic() + seconds

    def left(self) -> float | None:
        return None if self.end is None else max(self.end - time.monotonic(), 0.0)


def _guarded(attempt: Callable[[], Check], budget: _Budget) -> Check:
    """Run one proof attempt within what is left of the budget. SymPy raising, recursing too
    deep or running out of time is "not proven", with the reason; never a verdict."""
    start = time.perf_counter()
    try:
        left = budget.left()
        if left is not None and left <= 0:
            raise ProofTimeout
        with _deadline(left):
            return attempt()
    except ProofTimeout:
        return Check(NOT_PROVEN, f"timed out (budget {budget.seconds:g} s; raise it with --timeout)",
                     seconds=time.perf_counter() - start)
    except RecursionError:
        return Check(NOT_PROVEN, "too large: SymPy exceeded the maximum recursion depth",
                     seconds=time.perf_counter() - start)
    except Exception as exc:  # SymPy can raise almost anything on a hard expression
        return Check(NOT_PROVEN, f"SymPy could not complete the proof: {type(exc).__name__}: {exc}",
                     seconds=time.perf_counter() - start)


# --- sizes and instances ---------------------------------------------------------------------


def size_grid(derivation: Derivation, kmax: int) -> list[dict[sp.Symbol, int]]:
    """Every combination of explicit sizes: K = 2..kmax for dimensions without fixed sizes."""
    if kmax < 2:
        raise ValueError(f"kmax must be at least 2, got {kmax}")
    return _grid(derivation, range(2, kmax + 1))


def _grid(derivation: Derivation, unfixed: Sequence[int]) -> list[dict[sp.Symbol, int]]:
    dims = sorted(derivation.dimensions, key=lambda s: s.name)
    choices = [derivation.dimensions[d] or tuple(unfixed) for d in dims]
    return [dict(zip(dims, combo)) for combo in itertools.product(*choices)]


def _unfixed(derivation: Derivation) -> list[sp.Symbol]:
    return [d for d, sizes in derivation.dimensions.items() if not sizes]


def _depends_on_size(derivation: Derivation, residual: sp.Expr) -> bool:
    """Whether the residual involves a dimension of unfixed size (a free class index, a sum
    to K, K itself): then explicit sizes 2..Kmax prove nothing about larger K."""
    if derive.free_class_indices(residual, derivation.indices):
        return True
    return bool(residual.free_symbols & set(_unfixed(derivation)))


def _index_values(free: Sequence[sp.Symbol], derivation: Derivation, sizes: Mapping[sp.Symbol, int],
                  patterns_only: bool = False) -> Iterator[dict[sp.Symbol, int]]:
    """Every value of the free indices; or, with ``patterns_only``, one per pattern of equal
    indices within each dimension (j = c and j != c, not all K^2 pairs).

    The patterns suffice when relabelling the values of a dimension is a symmetry of the
    residual (see :func:`_relabel_invariant`): the instance at (pi(j), pi(c)) is the one at
    (j, c) with the arrays' entries renamed, and the proof holds for every value of them.
    """
    if not patterns_only:
        ranges = [range(1, sizes[derivation.indices[i]] + 1) for i in free]
        for combo in itertools.product(*ranges):
            yield dict(zip(free, combo))
        return
    by_dimension: dict[sp.Symbol, list[sp.Symbol]] = {}
    for i in free:
        by_dimension.setdefault(derivation.indices[i], []).append(i)
    choices = []
    for dimension, indices in by_dimension.items():
        size = sizes[dimension]
        patterns: list[tuple[int, ...]] = []

        def grow(prefix: tuple[int, ...], largest: int) -> None:  # restricted growth strings
            if len(prefix) == len(indices):
                patterns.append(prefix)
                return
            for v in range(1, min(largest + 1, size) + 1):
                grow(prefix + (v,), max(largest, v))

        grow((), 0)
        choices.append([dict(zip(indices, p)) for p in patterns])
    for combo in itertools.product(*choices):
        yield {k: v for part in combo for k, v in part.items()}


def _relabel_invariant(residual: sp.Expr, derivation: Derivation) -> bool:
    """Whether permuting the values of each dimension maps the residual's instances onto one
    another: every sum runs over a whole dimension from 1, every index is a bare index symbol
    (no literal z[1], no j + 1), and no index is used as a number ((j - 1) p_j, k p_k), with
    the definitions unfolded."""
    e = derive.unfold(residual, derivation.definitions)
    for s in e.atoms(sp.Sum):
        if any(lo != 1 or hi not in derivation.dimensions for _, lo, hi in s.limits):
            return False
    for x in e.atoms(sp.Indexed):
        if any(not (isinstance(i, sp.Symbol) and i in derivation.indices) for i in x.indices):
            return False
    for x in e.atoms(sp.KroneckerDelta):
        if any(not (isinstance(i, sp.Symbol) and i in derivation.indices) for i in x.args):
            return False
    return not _index_as_value(e, frozenset(derivation.indices))


def _index_as_value(e: sp.Basic, indices: frozenset[sp.Basic]) -> bool:
    """Whether an index symbol occurs anywhere but as a subscript, a delta's argument or the
    variable of a sum or max: there its value, not only its equality with others, matters."""
    if isinstance(e, sp.Symbol):
        return e in indices
    if isinstance(e, (sp.Indexed, sp.KroneckerDelta)):
        return False  # subscripts are bare index symbols, checked by the caller
    if isinstance(e, sp.Sum):
        return _index_as_value(e.function, indices) or any(
            _index_as_value(edge, indices) for lim in e.limits for edge in lim[1:])
    if isinstance(e, derive.ClassMax):
        return _index_as_value(e.args[0], indices)
    return any(_index_as_value(a, indices) for a in e.args)


def _prepare_instance(derivation: Derivation, expr: sp.Expr, sizes: Mapping[sp.Symbol, int],
                      values: Mapping[sp.Symbol, int], assumptions: Sequence[Assumption]) -> sp.Expr:
    ranges = derivation.indices
    at_size, _ = derive.prepare(derive.instantiate(expr, sizes), ranges=ranges, sizes=sizes)
    # Rebuilding with index values collapses the deltas and guards that held them;
    # assumptions come after, so y[j] at j = K is eliminated like y[K].
    prepared = derive.evaluate(at_size.xreplace({k: sp.Integer(v) for k, v in values.items()}), ranges)
    return derive.apply_assumptions(prepared, assumptions, sizes=sizes, ranges=ranges)


def _at_point(prepared: sp.Expr, point: Mapping[sp.Basic, float | sp.Expr], digits: int) -> sp.Expr:
    """The prepared expression at a point, to ``digits`` digits (shifts set to 0: any shift is
    valid, every claim using one holds for all)."""
    shifts = {s: sp.Integer(0) for s in prepared.free_symbols if s.name.startswith("c_")}
    exact = {k: v if isinstance(v, sp.Basic) else sp.Float(v, digits) for k, v in point.items()}
    return sp.N(prepared.xreplace(shifts).xreplace(exact), digits)


def _exact_point(derivation: Derivation, point: Mapping[sp.Basic, float]) -> dict[sp.Basic, sp.Expr]:
    """The point as exact rationals, each simplex renormalised to sum to exactly 1.

    A sampled simplex sums to 1 only to ~1e-16 in doubles; at 50 digits that rounding would
    "confirm" a counterexample that lies off the declared domain (a claim that silently needs
    sum(y) = 1 would be shown false at a point where sum(y) != 1)."""
    exact: dict[sp.Basic, sp.Expr] = {key: sp.Rational(value) for key, value in point.items()}
    for var in derivation.variables:
        if var.domain != "simplex":
            continue
        groups: dict[tuple[sp.Expr, ...], list[sp.Basic]] = {}
        for key in exact:
            if isinstance(key, sp.Indexed) and key.base == var.symbol:
                groups.setdefault(tuple(key.indices[:-1]), []).append(key)
        for keys in groups.values():
            total = sp.Add(*[exact[key] for key in keys])
            for key in keys:
                exact[key] = exact[key] / total
    return exact


def _numeric(prepared: sp.Expr, point: Mapping[sp.Basic, float]) -> complex | None:
    """The screen: the prepared residual at a point to 30 digits, None if not a number there."""
    try:
        return complex(_at_point(prepared, point, 30))
    except (TypeError, ValueError):
        return None  # not numerically evaluable here (e.g. a limit): symbolic only


# Both sides of a claim or step, unfolded: only a suspected counterexample needs them (to
# confirm it at 50 digits), so they are unfolded then, once (unfolding a derivative in a defined
# quantity differentiates it: a second time what the residual's unfolding did).
Sides = Callable[[], tuple[sp.Expr, sp.Expr]]


def _unfolded_sides(derivation: Derivation, lhs: sp.Expr, rhs: sp.Expr) -> Sides:
    return functools.cache(lambda: (derive.unfold(lhs, derivation.definitions),
                                    derive.unfold(rhs, derivation.definitions)))


def _confirm(derivation: Derivation, sides: Sides, sizes: Mapping[sp.Symbol, int],
             values: Mapping[sp.Symbol, int], assumptions: Sequence[Assumption],
             point: Mapping[sp.Basic, float]) -> tuple[sp.Expr, sp.Expr] | None:
    """Both sides at the point, to 50 digits, when they differ beyond doubt; else None."""
    try:
        exact = _exact_point(derivation, point)
        lhs, rhs = (_at_point(_prepare_instance(derivation, side, sizes, values, assumptions), exact, CONFIRM_DIGITS)
                    for side in sides())
        gap, scale = abs(complex(lhs - rhs)), max(1.0, abs(complex(lhs)), abs(complex(rhs)))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not (np.isfinite(gap) and np.isfinite(scale)):
        return None
    return (lhs, rhs) if gap > CONFIRM_TOL * scale else None


def _fmt_number(x: sp.Expr) -> str:
    return str(sp.N(x, 20))


def _fmt_point(point: Mapping[sp.Basic, float], values: Mapping[sp.Symbol, int],
               sizes: Mapping[sp.Symbol, int] | None = None) -> dict[str, float]:
    out: dict[str, float] = {str(k): v for k, v in (sizes or {}).items()}
    out.update({str(k): v for k, v in values.items()})
    out.update({str(k): round(v, 6) for k, v in sorted(point.items(), key=lambda kv: sp.default_sort_key(kv[0]))})
    return out


def _residual_expr(lhs: sp.Expr, rhs: sp.Expr, certificate: sp.Expr | None) -> sp.Expr:
    return lhs - rhs - (certificate if certificate is not None else 0)


def _denominators(expr: sp.Expr) -> list[sp.Expr]:
    """The denominators of ``expr`` that are not manifestly non-zero: cancelling them is what
    a zero proof does, so the identity is only shown where they are not 0."""
    found = []
    for power in expr.atoms(sp.Pow):
        base, exponent = power.args
        if not (exponent.is_number and exponent.is_negative) or base.is_number:
            continue
        if base.is_nonzero or derive.nonnegative(base, strict=True) or derive.nonnegative(-base, strict=True):
            continue
        found.append(sp.factor(base))
    return sorted(set(found), key=sp.default_sort_key)


def _where(denominators: Sequence[sp.Expr]) -> str:
    if not denominators:
        return ""
    # Worded without "=", which symxent.latex reads as a size ("K=2..6") in a detail.
    return f"; holds where {sp.sstr(sp.Mul(*denominators))} is not 0"


def _prove_fixed(derivation: Derivation, residual: sp.Expr, sides: Sides,
                 assumptions: Sequence[Assumption], grid: Sequence[Mapping[sp.Symbol, int]],
                 certificate: sp.Expr | None, strict: bool, rng: np.random.Generator,
                 screen_only: bool = False) -> Check:
    """Prove every instance of ``grid`` (or, with ``screen_only``, only look for a confirmed
    counterexample: the search beyond Kmax when the symbolic-K proof did not close)."""
    start = time.perf_counter()
    ranges = derivation.indices
    free = derive.free_class_indices(residual, ranges)
    patterns_only = _relabel_invariant(residual, derivation)
    checked, largest = 0, 0.0
    excluded: set[sp.Expr] = set()
    unfixed = _unfixed(derivation)
    for sizes in grid:
        at_size, _ = derive.prepare(derive.instantiate(residual, sizes), ranges=ranges, sizes=sizes)
        for values in _index_values(free, derivation, sizes, patterns_only):
            prepared = derive.evaluate(at_size.xreplace({k: sp.Integer(v) for k, v in values.items()}), ranges)
            prepared = derive.apply_assumptions(prepared, assumptions, sizes=sizes, ranges=ranges)
            point = sample_point(derivation, sizes, rng)
            value = _numeric(prepared, point)
            where = ", ".join([f"{s.name}={v}" for s, v in sizes.items()] + [f"{s.name}={v}" for s, v in values.items()])
            at = f"{where}: " if where else ""  # nothing to say where without dimensions
            if value is not None:
                largest = max(largest, abs(value))
            def failed(lhs: sp.Expr, rhs: sp.Expr, residual: sp.Expr) -> Check:
                return Check(FAILED, f"{at}lhs = {_fmt_number(lhs)} but rhs = {_fmt_number(rhs)} "
                                     f"(both at {CONFIRM_DIGITS} digits)", residual=str(residual),
                             counterexample=_fmt_point(point, values, sizes), seconds=time.perf_counter() - start,
                             numeric_error=largest)

            screened = value is not None and abs(value) > NUMERIC_TOL
            if screened:
                confirmed = _confirm(derivation, sides, sizes, values, assumptions, point)
                if confirmed is not None:
                    return failed(*confirmed, prepared)
                # Not confirmed at 50 digits: the screen lost precision (cancellation), so the
                # symbolic zero test decides, as for any other instance.
            if screen_only:
                checked += 1
                continue
            zero = derive.decide_zero(prepared)
            if zero == 0:
                if certificate is not None:
                    cert = derive.evaluate(derive.instantiate(derive.unfold(certificate, derivation.definitions),
                                                              sizes, values), ranges)
                    if not derive.nonnegative(cert, strict):
                        return Check(NOT_PROVEN, f"{at}certificate is not manifestly "
                                                 f"{'positive' if strict else 'non-negative'}",
                                     residual=str(cert), seconds=time.perf_counter() - start)
                if not unfixed:  # at explicit K the list would name z[1]..z[K]: symbolic K lists it
                    excluded.update(_denominators(prepared))
                checked += 1
                continue
            # A residual the screen let through may still be real (an epsilon of 1e-20).
            confirmed = None if screened else _confirm(derivation, sides, sizes, values, assumptions, point)
            if confirmed is not None:
                return failed(*confirmed, zero)
            numeric = "not a number at a random point" if value is None else f"{abs(value):.2g} at a random point"
            return Check(NOT_PROVEN, f"{at}residual does not simplify to 0 (numerically {numeric})",
                         residual=str(zero), seconds=time.perf_counter() - start, numeric_error=largest)
    span = _describe_sizes(grid)
    kind = " (one per pattern of equal indices: relabelling is a symmetry)" if patterns_only and free else ""
    if screen_only:
        return Check(NOT_PROVEN, f"{span}: no counterexample in {checked} instances{kind}",
                     seconds=time.perf_counter() - start, numeric_error=largest)
    return Check(PROVEN, f"{span}, {checked} instances{kind}{_where(sorted(excluded, key=sp.default_sort_key))}",
                 seconds=time.perf_counter() - start, numeric_error=largest)


def _describe_sizes(grid: Sequence[Mapping[sp.Symbol, int]]) -> str:
    parts = []
    for d in sorted({d for sizes in grid for d in sizes}, key=lambda s: s.name):
        values = sorted({sizes[d] for sizes in grid})
        parts.append(f"{d.name}={values[0]}" if len(values) == 1 else f"{d.name}={values[0]}..{values[-1]}")
    return ", ".join(parts)  # "" without dimensions: symxent.latex reads ", 1 instances" as "symbolically"


def _prove_general(derivation: Derivation, residual: sp.Expr, sides: Sides,
                   assumptions: Sequence[Assumption], certificate: sp.Expr | None, strict: bool, kmax: int,
                   rng: np.random.Generator) -> Check:
    start = time.perf_counter()
    prepared, table = derive.prepare(residual, ranges=derivation.indices, assumptions=assumptions)
    r = derive.decide_zero(prepared, table)
    if r != 0 and not _unfixed(derivation):
        return Check(NOT_PROVEN, "residual does not simplify to 0", residual=str(r), seconds=time.perf_counter() - start)
    if r != 0:
        # Not proven for every K; sizes past Kmax may still show it false (true only for K <= 6).
        beyond = _grid(derivation, range(kmax + 1, kmax + 1 + EXTRA_SIZES))
        search = _prove_fixed(derivation, residual, sides, assumptions, beyond, certificate, strict, rng,
                              screen_only=True)
        if search.status == FAILED:
            return Check(FAILED, f"symbolic K does not simplify to 0, and beyond Kmax {search.detail}",
                         residual=str(r), counterexample=search.counterexample, seconds=time.perf_counter() - start,
                         numeric_error=search.numeric_error)
        return Check(NOT_PROVEN, f"residual does not simplify to 0 for symbolic K ({search.detail})",
                     residual=str(r), seconds=time.perf_counter() - start)
    if certificate is not None:
        cert = derive.evaluate(derive.unfold(certificate, derivation.definitions), derivation.indices)
        if not derive.nonnegative(cert, strict):
            return Check(NOT_PROVEN, "certificate is not manifestly " + ("positive" if strict else "non-negative"),
                         residual=str(cert), seconds=time.perf_counter() - start)
    excluded = _denominators(table.restore(prepared) if table is not None else prepared)
    return Check(PROVEN, "symbolic K" + _where(excluded), seconds=time.perf_counter() - start)


def _used(derivation: Derivation, residual: sp.Expr, assumptions: Sequence[Assumption], budget: _Budget
          ) -> tuple[str, ...]:
    """The assumptions a proof actually needs: those without which it no longer goes through.
    Out of time or beyond SymPy, every listed assumption is reported (never fewer than used)."""
    if not assumptions:
        return ()
    needed = []
    try:
        with _deadline(budget.left()):
            for a in assumptions:
                rest = [b for b in assumptions if b is not a]
                if derive.zero_residual(residual, ranges=derivation.indices, assumptions=rest) != 0:
                    needed.append(a.name)
    except (ProofTimeout, RecursionError, Exception):
        return tuple(a.name for a in assumptions)
    return tuple(needed)


def _prove_infinite(derivation: Derivation, claim: Claim, budget: _Budget) -> ClaimResult:
    """A claim ``lhs = oo`` (a limit): ``lhs`` must evaluate to exactly that infinity."""
    start = time.perf_counter()

    def attempt() -> Check:
        value = derive.evaluate(derive.unfold(claim.lhs, derivation.definitions), derivation.indices)
        if value == claim.rhs:
            return Check(PROVEN, "evaluated", seconds=time.perf_counter() - start)
        if value.is_number and not value.has(sp.Limit):
            # An exact evaluation is its own counterexample: the limit is this value, not rhs.
            return Check(FAILED, f"lhs evaluates exactly to {value}, not {claim.rhs}", residual=str(value),
                         counterexample={"lhs": str(value)}, seconds=time.perf_counter() - start)
        return Check(NOT_PROVEN, f"SymPy left the limit as {value}", residual=str(value),
                     seconds=time.perf_counter() - start)

    fixed = _guarded(attempt, budget)
    return ClaimResult(derivation.name, claim.name, claim.statement, fixed, Check(NOT_APPLICABLE, "not per class"),
                       tuple(a.name for a in claim.assumptions))


def prove_claim(derivation: Derivation, claim: Claim, kmax: int = 6, seed: int = 0) -> ClaimResult:
    """Prove one claim at explicit sizes and, where it depends on K, for a symbolic K.

    Cached as checked plain data (see :mod:`symxent.cache`); a cached "proven" is re-screened
    numerically at the smallest size before it is believed."""
    from symxent import cache

    return cache.cached(derivation, claim, kmax, seed, lambda: _prove_claim(derivation, claim, kmax, seed),
                        encode=_encode_claim, decode=lambda data: _decode_claim(data, derivation, claim),
                        believable=lambda result: _believable_claim(derivation, claim, result, seed))


# A power of numbers with more digits than this is refused before anything evaluates it: the
# big-integer arithmetic runs in C, where no time budget can interrupt it (10^(10^10) would
# take minutes and gigabytes).
MAX_DIGITS = 10**5


def _too_large(expr: sp.Basic) -> str | None:
    """Why ``expr`` cannot be evaluated within any budget (an exact power of numbers with more
    than :data:`MAX_DIGITS` digits), or None. Sizes are estimated with floats, never computed."""
    for e in sp.preorder_traversal(expr):
        if isinstance(e, sp.Pow) and e.base.is_number and e.exp.is_number:
            try:
                base = abs(complex(sp.N(e.base, 15)))
                exponent = abs(complex(sp.N(e.exp, 15)))
            except (TypeError, ValueError, OverflowError):
                return f"too large: {sp.sstr(e)[:60]} cannot even be estimated"
            digits = exponent * np.log10(base) if base > 0 else 0.0
            if not np.isfinite(digits) or digits > MAX_DIGITS:
                return f"too large: {sp.sstr(e)[:60]} has about {digits:.3g} digits (more than {MAX_DIGITS})"
    return None


def _prove_claim(derivation: Derivation, claim: Claim, kmax: int, seed: int) -> ClaimResult:
    budget = _Budget(timeout_seconds())
    reason = _too_large(sp.Tuple(claim.lhs, claim.rhs, claim.certificate if claim.certificate is not None else 0))
    if reason is not None:
        refused = Check(NOT_PROVEN, reason)
        return ClaimResult(derivation.name, claim.name, claim.statement, refused, refused,
                           tuple(a.name for a in claim.assumptions))
    if claim.rhs.is_infinite:
        return _prove_infinite(derivation, claim, budget)
    rng = np.random.default_rng(seed)
    unfold = functools.partial(derive.unfold, definitions=derivation.definitions)
    residual = unfold(_residual_expr(claim.lhs, claim.rhs, claim.certificate))
    sides = _unfolded_sides(derivation, claim.lhs, claim.rhs + (claim.certificate if claim.certificate is not None else 0))
    strict = claim.relation == ">"
    fixed = _guarded(lambda: _prove_fixed(derivation, residual, sides, claim.assumptions, size_grid(derivation, kmax),
                                          claim.certificate, strict, rng), budget)
    if claim.general_k or _depends_on_size(derivation, residual):
        general = _guarded(lambda: _prove_general(derivation, residual, sides, claim.assumptions, claim.certificate,
                                                  strict, kmax, rng), budget)
    else:
        general = Check(NOT_APPLICABLE, "does not depend on the number of classes")
    used = (_used(derivation, residual, claim.assumptions, budget) if general.status == PROVEN
            else tuple(a.name for a in claim.assumptions))
    if derive.free_class_indices(residual, derivation.indices):
        used = used + (derive.INDEX_RANGE,)
    return ClaimResult(derivation.name, claim.name, claim.statement, fixed, general, used)


def check_chain(derivation: Derivation, chain: Chain, kmax: int = 6, seed: int = 0) -> list[StepResult]:
    """Check ``label = steps[0]`` and each ``steps[n-1] = steps[n]`` under step n's assumptions."""
    from symxent import cache

    return cache.cached(derivation, chain, kmax, seed, lambda: _check_chain(derivation, chain, kmax, seed),
                        encode=_encode_steps, decode=lambda data: _decode_steps(data, derivation, chain),
                        believable=lambda result: _believable_chain(derivation, chain, result, seed))


def _step_residual(derivation: Derivation, chain: Chain, n: int) -> tuple[sp.Expr, Sides]:
    previous = chain.label if n == 0 else chain.steps[n - 1].expr
    return (derive.unfold(previous - chain.steps[n].expr, derivation.definitions),
            _unfolded_sides(derivation, previous, chain.steps[n].expr))


def _check_chain(derivation: Derivation, chain: Chain, kmax: int, seed: int) -> list[StepResult]:
    rng = np.random.default_rng(seed)
    results = []
    for n, step in enumerate(chain.steps):
        budget = _Budget(timeout_seconds())
        reason = _too_large(sp.Tuple(chain.label if n == 0 else chain.steps[n - 1].expr, step.expr))
        if reason is not None:
            refused = Check(NOT_PROVEN, reason)
            results.append(StepResult(derivation.name, chain.title, n, step.reason, refused, refused))
            continue
        residual, sides = _step_residual(derivation, chain, n)
        fixed = _guarded(lambda: _prove_fixed(derivation, residual, sides, step.assumptions,
                                              size_grid(derivation, kmax), None, False, rng), budget)
        if derivation.dimensions or _depends_on_size(derivation, residual):
            general = _guarded(lambda: _prove_general(derivation, residual, sides, step.assumptions, None, False,
                                                      kmax, rng), budget)
        else:
            general = Check(NOT_APPLICABLE, "no class dimension")
        results.append(StepResult(derivation.name, chain.title, n, step.reason, fixed, general))
    return results


def prove(derivation: Derivation, kmax: int = 6) -> DerivationProof:
    """Every claim and every chain step of one derivation."""
    claims = tuple(prove_claim(derivation, c, kmax) for c in derivation.claims)
    steps = tuple(s for ch in derivation.chains for s in check_chain(derivation, ch, kmax))
    return DerivationProof(derivation.name, claims, steps)


# --- results as plain data (for the cache) ------------------------------------------------------
# Decoding is strict: exact fields, exact types, and the result must name the very claim or
# chain it is read for. Anything else raises ValueError and the cache proves the item again.

_CHECK_FIELDS = ("status", "detail", "residual", "counterexample", "seconds", "numeric_error")


def _encode_check(c: Check) -> dict[str, object]:
    return {"status": c.status, "detail": c.detail, "residual": c.residual,
            "counterexample": dict(c.counterexample) if c.counterexample is not None else None,
            "seconds": c.seconds, "numeric_error": c.numeric_error}


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


def _fields(data: object, names: Sequence[str], what: str) -> dict:
    _expect(isinstance(data, dict) and sorted(data) == sorted(names),
            f"{what} must be an object with exactly the fields {', '.join(names)}")
    return data  # type: ignore[return-value]


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _decode_check(data: object, what: str) -> Check:
    d = _fields(data, _CHECK_FIELDS, what)
    _expect(d["status"] in STATUSES, f"{what}: unknown status {d['status']!r}")
    _expect(isinstance(d["detail"], str), f"{what}: detail is not a string")
    _expect(d["residual"] is None or isinstance(d["residual"], str), f"{what}: residual is not a string")
    ce = d["counterexample"]
    _expect(ce is None or (isinstance(ce, dict) and all(isinstance(v, (int, float, str)) for v in ce.values())),
            f"{what}: counterexample is not a mapping of numbers")
    _expect(d["status"] != FAILED or bool(ce), f"{what}: FAILED without a counterexample")
    _expect(d["status"] == FAILED or ce is None, f"{what}: a counterexample without FAILED")
    _expect(_number(d["seconds"]), f"{what}: seconds is not a number")
    _expect(d["numeric_error"] is None or _number(d["numeric_error"]), f"{what}: numeric_error is not a number")
    return Check(d["status"], d["detail"], d["residual"], ce, float(d["seconds"]),
                 None if d["numeric_error"] is None else float(d["numeric_error"]))


def _encode_claim(result: ClaimResult) -> dict[str, object] | None:
    if any("timed out" in c.detail for c in (result.fixed_k, result.general_k)):
        return None  # a bigger budget may decide it: never cache running out of time
    return {"derivation": result.derivation, "claim": result.claim, "statement": result.statement,
            "fixed_k": _encode_check(result.fixed_k), "general_k": _encode_check(result.general_k),
            "assumptions_used": list(result.assumptions_used)}


def _decode_claim(data: object, derivation: Derivation, claim: Claim) -> ClaimResult:
    d = _fields(data, ("derivation", "claim", "statement", "fixed_k", "general_k", "assumptions_used"), "result")
    _expect((d["derivation"], d["claim"], d["statement"]) == (derivation.name, claim.name, claim.statement),
            f"result is for {d['derivation']!r} / {d['claim']!r}, not {derivation.name!r} / {claim.name!r}")
    allowed = {a.name for a in claim.assumptions} | {derive.INDEX_RANGE}
    used = d["assumptions_used"]
    _expect(isinstance(used, list) and all(isinstance(a, str) and a in allowed for a in used),
            "assumptions_used names an assumption the claim does not list")
    return ClaimResult(derivation.name, claim.name, claim.statement, _decode_check(d["fixed_k"], "fixed_k"),
                       _decode_check(d["general_k"], "general_k"), tuple(used))


def _encode_steps(results: Sequence[StepResult]) -> list[dict[str, object]] | None:
    if any("timed out" in c.detail for s in results for c in (s.fixed_k, s.general_k)):
        return None
    return [{"derivation": s.derivation, "chain": s.chain, "step": s.step, "reason": s.reason,
             "fixed_k": _encode_check(s.fixed_k), "general_k": _encode_check(s.general_k)} for s in results]


def _decode_steps(data: object, derivation: Derivation, chain: Chain) -> list[StepResult]:
    _expect(isinstance(data, list) and len(data) == len(chain.steps),
            f"result must be a list of {len(chain.steps)} steps")
    out = []
    for n, (item, step) in enumerate(zip(data, chain.steps)):
        d = _fields(item, ("derivation", "chain", "step", "reason", "fixed_k", "general_k"), f"step {n + 1}")
        _expect((d["derivation"], d["chain"], d["step"], d["reason"]) == (derivation.name, chain.title, n, step.reason),
                f"step {n + 1} is for another derivation, chain or step")
        out.append(StepResult(derivation.name, chain.title, n, step.reason,
                              _decode_check(d["fixed_k"], f"step {n + 1} fixed_k"),
                              _decode_check(d["general_k"], f"step {n + 1} general_k")))
    return out


def _spot_check(derivation: Derivation, residual: sp.Expr, assumptions: Sequence[Assumption], seed: int) -> str | None:
    """Why a cached "proven" cannot be believed (None: it can): the 30-digit screen at the
    smallest sizes, every index value. Cheap next to the proof, and it makes a hand-written
    "proven" entry for a false claim fail even when its key material is right."""
    rng = np.random.default_rng(seed + 1)  # other points than the proof's own
    sizes = size_grid(derivation, 2)[0]
    free = derive.free_class_indices(residual, derivation.indices)
    try:
        with _deadline(timeout_seconds()):
            for values in _index_values(free, derivation, sizes):
                prepared = _prepare_instance(derivation, residual, sizes, values, assumptions)
                value = _numeric(prepared, sample_point(derivation, sizes, rng))
                if value is not None and abs(value) > NUMERIC_TOL:
                    where = ", ".join(f"{s.name}={v}" for s, v in {**sizes, **values}.items())
                    return f"it says proven, but the residual is {abs(value):.3g} at {where}"
    except (ProofTimeout, RecursionError, Exception) as exc:
        return f"its numeric spot check did not complete ({type(exc).__name__})"
    return None


def _believable_claim(derivation: Derivation, claim: Claim, result: ClaimResult, seed: int) -> str | None:
    if not result.ok or claim.rhs.is_infinite:
        return None
    residual = derive.unfold(_residual_expr(claim.lhs, claim.rhs, claim.certificate), derivation.definitions)
    return _spot_check(derivation, residual, claim.assumptions, seed)


def _believable_chain(derivation: Derivation, chain: Chain, results: Sequence[StepResult], seed: int) -> str | None:
    for n, result in enumerate(results):
        if result.ok:
            reason = _spot_check(derivation, _step_residual(derivation, chain, n)[0], chain.steps[n].assumptions, seed)
            if reason is not None:
                return f"step {n + 1}: {reason}"
    return None
