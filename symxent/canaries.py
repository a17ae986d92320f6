"""Canary claims: false in the ways real derivations go wrong, proven with every ``verify``.

Contract:
- :data:`CANARIES` holds claims that are false, each in one typical way (true only for
  K <= 6, a factor 2, an index swap, a wrong sum bound, true only for one-hot targets, an
  epsilon term too small for a loose tolerance, a missing assumption, a wrong denominator,
  an index used as a number). The prover must answer
  each with FAILED and a confirmed counterexample; "not proven" or "proven" means the prover
  itself is broken (a tolerance weakened, a zero test skipped, a shortcut unsound), and
  ``symxent verify`` then fails whatever the derivations say.
- :func:`run_canaries` proves them afresh (never from the cache: the point is to exercise the
  prover as it is now) at their own Kmax, independent of the user's ``--kmax``, so "K <= 6
  only" is a canary at every setting.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symxent.derive import class_sum, partial
from symxent.prove import FAILED, ClaimResult, _prove_claim
from symxent.registry import Assumption, Claim, Definition, Derivation, Variable
from symxent.symbols import CLASS_INDICES, K, L, i, j, k, p, y, z

__all__ = ["CANARIES", "CANARY_KMAX", "Canary", "CanaryResult", "run_canaries", "run_canary"]

CANARY_KMAX = 6

_SUM_Y = Assumption("targets sum to 1", class_sum(y[k], k, K), sp.Integer(1))
_q = sp.Symbol("q", real=True)
_t = sp.Symbol("t", real=True)
_BCE = sp.Symbol("BCE", real=True)


@dataclass(frozen=True)
class Canary:
    """A false claim and the way it is false (what a prover that misses it gets wrong)."""

    kind: str
    claim: Claim


_CLASSES = [
    Canary("true only for K <= 6", Claim(
        "k_le_6", "sum_k (k-1)(k-2)...(k-6) p_k = 0 (each term vanishes for k <= 6 only)",
        class_sum(sp.Mul(*[k - n for n in range(1, 7)]) * p[k], k, K), sp.Integer(0))),
    Canary("factor 2", Claim("factor_2", "dL/dz_j = 2 (p_j - y_j)", partial(L, z[j]), 2 * (p[j] - y[j]),
                             assumptions=(_SUM_Y,))),
    Canary("index swap", Claim("index_swap", "dp_i/dz_j = p_j (delta_ij - p_j)", partial(p[i], z[j]),
                               p[j] * (sp.KroneckerDelta(i, j) - p[j]))),
    Canary("wrong sum bound", Claim("sum_bound", "L = -sum_{k=1}^{K-1} y_k log p_k", L,
                                    -class_sum(y[k] * sp.log(p[k]), k, K - 1))),
    Canary("true only for one-hot y", Claim("one_hot_only", "L = -log sum_k y_k p_k", L,
                                            -sp.log(class_sum(y[k] * p[k], k, K)))),
    Canary("an epsilon term (residual ~1e-12)", Claim(
        "epsilon", "L = -sum_k y_k log(p_k + 10^-12)", L,
        -class_sum(y[k] * sp.log(p[k] + sp.Rational(1, 10**12)), k, K))),
    Canary("index used as a number", Claim("index_as_number", "(j - 1) p_j = 0 (true at j = 1 only)",
                                           (j - 1) * p[j], sp.Integer(0), general_k=False)),
]

# Unnormalised targets (weights): the simplex gradient p - y needs sum_k y_k = 1, which does
# not hold here, so the claim is false at almost every point, not merely unproven.
_UNNORMALISED = [
    Canary("missing assumption", Claim("missing_assumption", "dL/dz_j = p_j - y_j (needs sum_k y_k = 1)",
                                       partial(L, z[j]), p[j] - y[j])),
]

_BINARY = [
    Canary("wrong denominator", Claim("denominator", "dBCE/dq = (q - t) / (q (1 + q))", partial(_BCE, _q),
                                      (_q - _t) / (_q * (1 + _q)))),
]

_CLASS_DERIVATION = Derivation(
    name="canaries", title="Canary claims (all false)", summary="false claims the prover must reject",
    dimensions={K: None}, indices=CLASS_INDICES,
    variables=(Variable(z, "real", "logits", indices=(k,)), Variable(y, "simplex", "targets", indices=(k,))),
    definitions=(Definition(p[i], sp.exp(z[i]) / class_sum(sp.exp(z[k]), k, K), "softmax"),
                 Definition(L, class_sum(-y[k] * sp.log(p[k]), k, K), "cross-entropy")),
    claims=tuple(c.claim for c in _CLASSES),
)

_UNNORMALISED_DERIVATION = Derivation(
    name="canaries_unnormalised", title="Canary claims, unnormalised targets (all false)",
    summary="false claims the prover must reject", dimensions={K: None}, indices=CLASS_INDICES,
    variables=(Variable(z, "real", "logits", indices=(k,)), Variable(y, "positive", "target weights", indices=(k,))),
    definitions=_CLASS_DERIVATION.definitions,
    claims=tuple(c.claim for c in _UNNORMALISED),
)

_BINARY_DERIVATION = Derivation(
    name="canaries_binary", title="Canary claims, binary (all false)", summary="false claims the prover must reject",
    dimensions={}, indices={},
    variables=(Variable(_q, "unit_interval", "predicted probability"),
               Variable(_t, "unit_interval", "target probability")),
    definitions=(Definition(_BCE, -(_t * sp.log(_q) + (1 - _t) * sp.log(1 - _q)), "binary cross-entropy"),),
    claims=tuple(c.claim for c in _BINARY),
)

CANARIES: tuple[tuple[Derivation, Canary], ...] = tuple(
    [(_CLASS_DERIVATION, c) for c in _CLASSES] + [(_UNNORMALISED_DERIVATION, c) for c in _UNNORMALISED]
    + [(_BINARY_DERIVATION, c) for c in _BINARY])


@dataclass(frozen=True)
class CanaryResult:
    kind: str
    result: ClaimResult

    @property
    def caught(self) -> bool:
        """Rejected as it must be: FAILED with a confirmed counterexample, not merely unproven."""
        return self.result.verdict == FAILED and any(
            c.status == FAILED and c.counterexample for c in (self.result.fixed_k, self.result.general_k))


def run_canary(n: int, seed: int = 0) -> CanaryResult:
    """Prove the canary ``CANARIES[n]`` afresh (one task of ``symxent verify``'s pool)."""
    d, c = CANARIES[n]
    return CanaryResult(c.kind, _prove_claim(d, c.claim, CANARY_KMAX, seed))


def run_canaries(seed: int = 0) -> list[CanaryResult]:
    """Prove every canary afresh with the prover as it is now; see the module contract."""
    return [run_canary(n, seed) for n in range(len(CANARIES))]
