"""Prove every claim and check every step of a derivation.

Contract:
- :func:`prove_claim` proves one :class:`~symxent.registry.Claim` (a) with explicit symbols
  for every size in the derivation's dimensions (K = 2..Kmax unless a dimension fixes its
  sizes) and every value of the claim's free class indices, and (b) for a symbolic K when
  the claim asks for it. A point is first evaluated numerically at 30 digits: a non-zero
  residual there is a FAILED proof *with that counterexample*. Otherwise the residual must
  simplify to exactly 0 (see :func:`symxent.derive.zero_residual`); "numerically zero but not
  simplified" is also FAILED, never passed.
- Inequalities (">=", ">") are proven as ``lhs - rhs = certificate`` plus a structural check
  that the certificate is non-negative (positive).
- :func:`check_chain` checks each step of a human derivation equal to the one before (the
  first step equal to the chain's label), under that step's assumptions only.
- Results are plain frozen dataclasses; nothing is printed here. They are cached on disk under a
  key covering everything they depend on (see ``_cached``); ``SYMXENT_CACHE=off`` disables it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import pickle
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sympy as sp

from symxent import derive
from symxent.domains import sample_point
from symxent.registry import Assumption, Chain, Claim, Derivation

__all__ = [
    "Check",
    "ClaimResult",
    "DerivationProof",
    "StepResult",
    "check_chain",
    "prove",
    "prove_claim",
    "size_grid",
]

PROVEN, FAILED, NOT_APPLICABLE = "proven", "FAILED", "n/a"
# At 30 significant digits a true identity leaves ~1e-28; a false one leaves O(1).
NUMERIC_TOL = 1e-15


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
        return self.status != FAILED


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


@dataclass(frozen=True)
class StepResult:
    derivation: str
    chain: str
    step: int
    reason: str
    fixed_k: Check
    general_k: Check

    @property
    def ok(self) -> bool:
        return self.fixed_k.ok and self.general_k.ok


@dataclass(frozen=True)
class DerivationProof:
    derivation: str
    claims: tuple[ClaimResult, ...]
    steps: tuple[StepResult, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.claims) and all(s.ok for s in self.steps)


def size_grid(derivation: Derivation, kmax: int) -> list[dict[sp.Symbol, int]]:
    """Every combination of explicit sizes: K = 2..kmax for dimensions without fixed sizes."""
    if kmax < 2:
        raise ValueError(f"kmax must be at least 2, got {kmax}")
    dims = sorted(derivation.dimensions, key=lambda s: s.name)
    choices = [derivation.dimensions[d] or tuple(range(2, kmax + 1)) for d in dims]
    return [dict(zip(dims, combo)) for combo in itertools.product(*choices)]


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
    another: every sum runs over a whole dimension from 1, and every index is a bare index
    symbol (no literal z[1], no j + 1), with the definitions unfolded."""
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
    return True


def _numeric(prepared: sp.Expr, point: Mapping[sp.Basic, float]) -> complex:
    """The prepared residual at a point, to 30 digits (shifts set to 0: any shift is valid)."""
    value = prepared.xreplace({k: sp.Float(v, 30) for k, v in point.items()})
    return complex(sp.N(value, 30))


def _fmt_point(point: Mapping[sp.Basic, float], values: Mapping[sp.Symbol, int]) -> dict[str, float]:
    out = {str(k): v for k, v in values.items()}
    out.update({str(k): round(v, 6) for k, v in sorted(point.items(), key=lambda kv: sp.default_sort_key(kv[0]))})
    return out


def _residual_expr(lhs: sp.Expr, rhs: sp.Expr, certificate: sp.Expr | None) -> sp.Expr:
    return lhs - rhs - (certificate if certificate is not None else 0)


def _prove_fixed(derivation: Derivation, residual: sp.Expr, assumptions: Sequence[Assumption], kmax: int,
                 certificate: sp.Expr | None, strict: bool, rng: np.random.Generator) -> Check:
    start = time.perf_counter()
    ranges = derivation.indices
    free = derive.free_class_indices(residual, ranges)
    patterns_only = _relabel_invariant(residual, derivation)
    checked, largest = 0, 0.0
    for sizes in size_grid(derivation, kmax):
        # Expand sums and derivatives once per size; index values are substituted after.
        at_size, _ = derive.prepare(derive.instantiate(residual, sizes), ranges=ranges, sizes=sizes)
        for values in _index_values(free, derivation, sizes, patterns_only):
            # Rebuilding with index values collapses the deltas and guards that held them;
            # assumptions come after, so y[j] at j = K is eliminated like y[K].
            prepared = derive.evaluate(at_size.xreplace({k: sp.Integer(v) for k, v in values.items()}), ranges)
            prepared = derive.apply_assumptions(prepared, assumptions, sizes=sizes, ranges=ranges)
            point = sample_point(derivation, sizes, rng)
            shifts = {s: sp.Float(0) for s in prepared.free_symbols if s.name.startswith("c_")}
            try:
                value = _numeric(prepared.xreplace(shifts), point)
            except (TypeError, ValueError):
                value = None  # not numerically evaluable here (e.g. a limit): symbolic only
            where = ", ".join(f"{s.name}={v}" for s, v in sizes.items())
            if value is not None:
                largest = max(largest, abs(value))
            if value is not None and abs(value) > NUMERIC_TOL:
                return Check(FAILED, f"{where}: residual {value.real:.6g} at a random point",
                             residual=str(prepared), counterexample=_fmt_point(point, values),
                             seconds=time.perf_counter() - start)
            r = derive.decide_zero(prepared)
            if r != 0:
                return Check(FAILED, f"{where}: residual does not simplify to 0", residual=str(r),
                             counterexample=_fmt_point(point, values), seconds=time.perf_counter() - start)
            if certificate is not None:
                cert = derive.evaluate(derive.instantiate(derive.unfold(certificate, derivation.definitions), sizes, values), ranges)
                if not derive.nonnegative(cert, strict):
                    return Check(FAILED, f"{where}: certificate is not manifestly {'positive' if strict else 'non-negative'}",
                                 residual=str(cert), seconds=time.perf_counter() - start)
            checked += 1
    span = _describe_sizes(derivation, kmax)
    kind = " (one per pattern of equal indices: relabelling is a symmetry)" if patterns_only and free else ""
    return Check(PROVEN, f"{span}, {checked} instances{kind}", seconds=time.perf_counter() - start,
                 numeric_error=largest)


def _describe_sizes(derivation: Derivation, kmax: int) -> str:
    parts = []
    for d in sorted(derivation.dimensions, key=lambda s: s.name):
        fixed = derivation.dimensions[d]
        values = fixed or tuple(range(2, kmax + 1))
        parts.append(f"{d.name}={values[0]}" if len(values) == 1 else f"{d.name}={values[0]}..{values[-1]}")
    return ", ".join(parts)


def _prove_general(derivation: Derivation, residual: sp.Expr, assumptions: Sequence[Assumption],
                   certificate: sp.Expr | None, strict: bool) -> Check:
    start = time.perf_counter()
    r = derive.zero_residual(residual, ranges=derivation.indices, assumptions=assumptions)
    if r != 0:
        return Check(FAILED, "residual does not simplify to 0 for symbolic K", residual=str(r),
                     seconds=time.perf_counter() - start)
    if certificate is not None:
        cert = derive.evaluate(derive.unfold(certificate, derivation.definitions), derivation.indices)
        if not derive.nonnegative(cert, strict):
            return Check(FAILED, "certificate is not manifestly " + ("positive" if strict else "non-negative"),
                         residual=str(cert), seconds=time.perf_counter() - start)
    return Check(PROVEN, "symbolic K", seconds=time.perf_counter() - start)


def _guarded_used(derivation: Derivation, residual: sp.Expr, assumptions: Sequence[Assumption]) -> tuple[str, ...]:
    try:
        return _used(derivation, residual, assumptions)
    except Exception:  # the proof itself went through; report every listed assumption
        return tuple(a.name for a in assumptions)


def _used(derivation: Derivation, residual: sp.Expr, assumptions: Sequence[Assumption]) -> tuple[str, ...]:
    """The assumptions a proof actually needs: those without which it no longer goes through."""
    if not assumptions:
        return ()
    needed = []
    for a in assumptions:
        rest = [b for b in assumptions if b is not a]
        if derive.zero_residual(residual, ranges=derivation.indices, assumptions=rest) != 0:
            needed.append(a.name)
    return tuple(needed)


def _guarded(attempt: Callable[[], Check]) -> Check:
    """Run one proof attempt; an exception inside SymPy is a failed proof, with its reason."""
    start = time.perf_counter()
    try:
        return attempt()
    except Exception as exc:  # SymPy can raise almost anything on a hard expression
        return Check(FAILED, f"SymPy could not complete the proof: {type(exc).__name__}: {exc}",
                     seconds=time.perf_counter() - start)


def _prove_infinite(derivation: Derivation, claim: Claim) -> ClaimResult:
    """A claim ``lhs = oo`` (a limit): ``lhs`` must evaluate to exactly that infinity."""
    start = time.perf_counter()

    def attempt() -> Check:
        value = derive.evaluate(derive.unfold(claim.lhs, derivation.definitions), derivation.indices)
        if value == claim.rhs:
            return Check(PROVEN, "evaluated", seconds=time.perf_counter() - start)
        return Check(FAILED, f"evaluates to {value}, not {claim.rhs}", residual=str(value),
                     seconds=time.perf_counter() - start)

    fixed = _guarded(attempt)
    return ClaimResult(derivation.name, claim.name, claim.statement, fixed, Check(NOT_APPLICABLE, "not per class"),
                       tuple(a.name for a in claim.assumptions))


def prove_claim(derivation: Derivation, claim: Claim, kmax: int = 6, seed: int = 0) -> ClaimResult:
    """Prove one claim at explicit sizes and, if asked, for a symbolic K (cached, see above)."""
    return _cached(derivation, claim, kmax, seed, lambda: _prove_claim(derivation, claim, kmax, seed))


def _prove_claim(derivation: Derivation, claim: Claim, kmax: int, seed: int) -> ClaimResult:
    if claim.rhs.is_infinite:
        return _prove_infinite(derivation, claim)
    rng = np.random.default_rng(seed)
    residual = derive.unfold(_residual_expr(claim.lhs, claim.rhs, claim.certificate), derivation.definitions)
    strict = claim.relation == ">"
    fixed = _guarded(lambda: _prove_fixed(derivation, residual, claim.assumptions, kmax, claim.certificate, strict, rng))
    if claim.general_k:
        general = _guarded(lambda: _prove_general(derivation, residual, claim.assumptions, claim.certificate, strict))
    else:
        general = Check(NOT_APPLICABLE, "not a per-class claim")
    used = _guarded_used(derivation, residual, claim.assumptions) if claim.general_k and general.ok else tuple(
        a.name for a in claim.assumptions)
    if derive.free_class_indices(residual, derivation.indices):
        used = used + (derive.INDEX_RANGE,)
    return ClaimResult(derivation.name, claim.name, claim.statement, fixed, general, used)


def check_chain(derivation: Derivation, chain: Chain, kmax: int = 6, seed: int = 0) -> list[StepResult]:
    """Check ``label = steps[0]`` and each ``steps[n-1] = steps[n]`` under step n's assumptions."""
    return _cached(derivation, chain, kmax, seed, lambda: _check_chain(derivation, chain, kmax, seed))


def _check_chain(derivation: Derivation, chain: Chain, kmax: int, seed: int) -> list[StepResult]:
    rng = np.random.default_rng(seed)
    results = []
    previous = chain.label
    for n, step in enumerate(chain.steps):
        residual = derive.unfold(previous - step.expr, derivation.definitions)
        fixed = _guarded(lambda: _prove_fixed(derivation, residual, step.assumptions, kmax, None, False, rng))
        if derivation.dimensions:
            general = _guarded(lambda: _prove_general(derivation, residual, step.assumptions, None, False))
        else:
            general = Check(NOT_APPLICABLE, "no class dimension")
        results.append(StepResult(derivation.name, chain.title, n, step.reason, fixed, general))
        previous = step.expr
    return results


# --- cache -----------------------------------------------------------------------------------
# Proof results keyed by everything they depend on: the srepr of the item and of the whole
# derivation context (definitions, variables, indices, dimensions), Kmax, the seed, the SymPy
# version and the source of the proving modules. Any change to a claim changes its key, so
# a cached result can never stand for a changed claim.

_PROVER_MODULES = ("derive.py", "prove.py", "domains.py", "registry.py")


def cache_directory() -> Path | None:
    """Where results are cached (``$SYMXENT_CACHE``, default ~/.cache/symxent); None if "off"."""
    value = os.environ.get("SYMXENT_CACHE", "")
    if value.lower() in ("off", "0", "no"):
        return None
    return Path(value) if value else Path.home() / ".cache" / "symxent" / "proofs"


@functools.lru_cache(maxsize=1)
def _prover_fingerprint() -> str:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(sp.__version__.encode())
    for name in _PROVER_MODULES:
        h.update((here / name).read_bytes())
    return h.hexdigest()


def _context(d: Derivation) -> str:
    parts = [sp.srepr(sp.Tuple(*[sp.Tuple(x.lhs, x.rhs) for x in d.definitions])),
             repr([(sp.srepr(v.symbol), v.domain, [sp.srepr(i) for i in v.indices]) for v in d.variables]),
             repr(sorted((sp.srepr(k), sp.srepr(v)) for k, v in d.indices.items())),
             repr(sorted((sp.srepr(k), v) for k, v in d.dimensions.items()))]
    return "\n".join(parts)


def _item(x: Claim | Chain) -> str:
    def assumptions(group: tuple[Assumption, ...]) -> str:
        return repr([(a.name, sp.srepr(a.lhs), sp.srepr(a.rhs)) for a in group])

    if isinstance(x, Claim):
        return repr(("claim", x.name, x.statement, sp.srepr(x.lhs), sp.srepr(x.rhs), x.relation,
                     sp.srepr(x.certificate) if x.certificate is not None else None, assumptions(x.assumptions),
                     x.general_k))
    return repr(("chain", x.title, sp.srepr(x.label),
                 [(sp.srepr(st.expr), st.reason, assumptions(st.assumptions)) for st in x.steps]))


def _cached(derivation: Derivation, item: Claim | Chain, kmax: int, seed: int, compute: Callable[[], object]):
    directory = cache_directory()
    if directory is None:
        return compute()
    key = hashlib.sha256("\n".join([_prover_fingerprint(), _context(derivation), _item(item), str(kmax),
                                     str(seed), derivation.name]).encode()).hexdigest()
    path = directory / f"{key}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    result = compute()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(result, f)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a file
    except OSError:
        pass  # a read-only home is no reason to fail a proof
    return result


def prove(derivation: Derivation, kmax: int = 6) -> DerivationProof:
    """Every claim and every chain step of one derivation."""
    claims = tuple(prove_claim(derivation, c, kmax) for c in derivation.claims)
    steps = tuple(s for ch in derivation.chains for s in check_chain(derivation, ch, kmax))
    return DerivationProof(derivation.name, claims, steps)
