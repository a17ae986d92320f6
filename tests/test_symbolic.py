"""The symbolic layer: every claim proven, every step checked, and wrong ones rejected."""

from __future__ import annotations

import sympy as sp
import pytest

from conftest import ON_THE_REPORT, REGISTRY, TEST_KMAX, claim_ids, step_ids
from symxent.derive import class_sum, partial
from symxent.prove import check_chain, prove_claim
from symxent.registry import Chain, Claim, Step
from symxent.symbols import K, L, j, k, p, y, z


@ON_THE_REPORT
@pytest.mark.parametrize("derivation,claim", claim_ids(), ids=[f"{d}-{c}" for d, c in claim_ids()])
def test_claim_proven(report, derivation, claim):
    proof = next(p for p in report.proofs if p.derivation == derivation)
    result = next(c for c in proof.claims if c.claim == claim)
    for kind, check in (("explicit K", result.fixed_k), ("symbolic K", result.general_k)):
        assert check.ok, (f"{derivation}/{claim} ({kind}) {check.status}: {check.detail}; "
                          f"residual {check.residual}; counterexample {check.counterexample}")
    declared = REGISTRY[derivation].claim(claim)
    if declared.general_k:
        assert result.general_k.status == "proven", f"{derivation}/{claim}: symbolic K not proven"


@ON_THE_REPORT
@pytest.mark.parametrize("derivation,chain,step", step_ids(), ids=[f"{d}-{c[:20]}-{n}" for d, c, n in step_ids()])
def test_step_checked(report, derivation, chain, step):
    proof = next(p for p in report.proofs if p.derivation == derivation)
    result = next(s for s in proof.steps if s.chain == chain and s.step == step)
    assert result.ok, (f"{derivation}: step {step} of {chain!r} ({result.reason}): "
                       f"{result.fixed_k.detail or result.general_k.detail}; residual "
                       f"{result.fixed_k.residual or result.general_k.residual}")


WRONG_CLAIMS = [
    # (derivation, claim, a wrong right-hand side)
    ("softmax_cross_entropy", "gradient", p[j] + y[j]),
    ("softmax", "jacobian", p[sp.Symbol("i", integer=True)] * (sp.KroneckerDelta(sp.Symbol("i", integer=True), j) + p[j])),
    ("sigmoid", "derivative", sp.Function("sigma", real=True)(sp.Symbol("u", real=True)) ** 2),
]


@pytest.mark.parametrize("derivation,claim,wrong", WRONG_CLAIMS, ids=[f"{d}-{c}" for d, c, _ in WRONG_CLAIMS])
def test_wrong_claim_fails_with_counterexample(derivation, claim, wrong):
    d = REGISTRY[derivation]
    original = d.claim(claim)
    bad = Claim(original.name, "deliberately wrong", original.lhs, wrong, assumptions=original.assumptions,
                general_k=original.general_k)
    result = prove_claim(d, bad, kmax=3)
    assert not result.fixed_k.ok, f"{derivation}/{claim}: a wrong claim was proven at explicit K"
    assert result.fixed_k.counterexample, f"{derivation}/{claim}: no counterexample reported"
    if original.general_k:
        assert not result.general_k.ok, f"{derivation}/{claim}: a wrong claim was proven for symbolic K"


def test_missing_assumption_is_not_silently_used():
    d = REGISTRY["softmax_cross_entropy"]
    without = Claim("gradient", "p - y without sum(y) = 1", partial(L, z[j]), p[j] - y[j])
    result = prove_claim(d, without, kmax=3)
    assert not result.ok, "p - y needs 'targets sum to 1'; the prover must not assume it silently"
    with_it = prove_claim(d, d.claim("gradient"), kmax=3)
    assert "targets sum to 1" in with_it.assumptions_used


def test_wrong_step_fails():
    d = REGISTRY["softmax_cross_entropy"]
    chain = Chain("broken", partial(L, z[j]), (
        Step(p[j] - y[j], "claimed", ()),
    ))
    results = check_chain(d, chain, kmax=3)
    assert not results[0].ok, "a step that needs an unlisted assumption must fail"
    chain = Chain("sign slip", partial(L, z[j]), (Step(y[j] - p[j] * class_sum(y[k], k, K), "sign slip"),))
    assert not check_chain(d, chain, kmax=TEST_KMAX)[0].ok


def test_cache_never_serves_a_changed_claim(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMXENT_CACHE", str(tmp_path))
    d = REGISTRY["softmax_cross_entropy"]
    good = d.claim("gradient_onehot")
    first = prove_claim(d, good, kmax=2)
    assert first.ok and len(list(tmp_path.glob("*.json"))) == 1
    assert prove_claim(d, good, kmax=2) == first, "the same claim should be served from the cache"
    changed = Claim(good.name, good.statement, good.lhs, good.rhs + y[j])
    assert not prove_claim(d, changed, kmax=2).ok, "a changed claim was served a stale cached proof"
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_fixed_k_instances_are_one_per_pattern_of_equal_indices():
    from symxent import prove

    d = REGISTRY["softmax_cross_entropy"]
    c = next(i for i in d.indices if i.name == "c")
    assert list(prove._index_values([j, c], d, {K: 3}, patterns_only=True)) == [{j: 1, c: 1}, {j: 1, c: 2}]
    assert len(list(prove._index_values([j, c], d, {K: 3}))) == 9
    # A literal index or a partial sum breaks the symmetry: every value is checked then.
    assert prove._relabel_invariant(z[j] - p[j], d)
    assert not prove._relabel_invariant(z[1] - z[j], d)
    assert not prove._relabel_invariant(class_sum(z[k], k, K - 1), d)


def test_a_claim_wrong_only_where_indices_coincide_fails():
    d = REGISTRY["softmax_cross_entropy"]
    c = next(i for i in d.indices if i.name == "c")
    wrong = Claim("wrong_on_diagonal", "dp_j/dz_c = -p_j p_c (false for j = c)", partial(p[j], z[c]), -p[j] * p[c])
    result = prove_claim(d, wrong, kmax=3)
    assert not result.ok, f"{wrong.name} passed: {result}"
