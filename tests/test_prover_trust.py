"""A prover and proof cache that cannot be fooled (issue 16).

Every verdict is proven, FAILED with a confirmed counterexample, or "not proven" with its
residual; the cache is checked plain JSON; canary claims catch a weakened prover; each proof
answers within its time budget.
"""

from __future__ import annotations

import json
import pickle
import textwrap
import time
from pathlib import Path

import pytest
import sympy as sp

from conftest import REGISTRY, gradient_file, run_cli as run
from symxent import cache, canaries, derive, prove
from symxent.derive import class_sum, partial
from symxent.registry import Claim, Derivation, Variable
from symxent.symbols import CLASS_INDICES, K, L, j, k, l, p, y, z


@pytest.fixture(autouse=True)
def no_session_cache(monkeypatch):
    """No test here reads or writes the session's proof cache (tests/conftest.py): some weaken
    the prover in this process (WEAKENINGS, a canary that slips), which the cache key cannot
    see, one proves under a 1 s budget, and the cache tests set their own directory."""
    monkeypatch.setenv("SYMXENT_CACHE", "off")





def _write(directory: Path, sign: str) -> Derivation:
    directory.mkdir(exist_ok=True)
    (directory / "gradient.py").write_text(gradient_file("gradient_check", sign))
    from symxent.registry import load_directory

    registry = load_directory(directory)
    assert not registry.errors, registry.errors
    return registry["gradient_check"]


def _entry(directory: Path, d: Derivation, kmax: int = 2) -> Path:
    return cache.entry_path(directory, cache.key_material(d, d.claim("gradient"), kmax, 0))


# --- the cache ---------------------------------------------------------------------------------


def test_cache_entry_is_plain_json_with_its_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMXENT_CACHE", str(tmp_path / "cache"))
    d = _write(tmp_path / "true", "-")
    first = prove.prove_claim(d, d.claim("gradient"), kmax=2)
    assert first.ok, first
    entry = json.loads(_entry(tmp_path / "cache", d).read_text())
    assert entry["format"] == cache.FORMAT
    assert entry["key"]["derivation"] == "gradient_check" and entry["key"]["item"] == "gradient"
    assert entry["key"]["sympy"] == sp.__version__ and entry["key"]["kmax"] == 2 and entry["key"]["seed"] == 0
    assert entry["result"]["fixed_k"]["status"] == "proven"
    assert prove.prove_claim(d, d.claim("gradient"), kmax=2) == first, "the same claim should come from the cache"


def _copied(true_entry: dict, false_d: Derivation) -> dict:
    """A "proven" entry of the true claim, copied as is under the false claim's file name."""
    return true_entry


def _hand_written(true_entry: dict, false_d: Derivation) -> dict:
    """A "proven" entry whose key material and names are exactly the false claim's."""
    claim = false_d.claim("gradient")
    entry = json.loads(json.dumps(true_entry))
    entry["key"] = cache.key_material(false_d, claim, 2, 0)
    entry["result"]["statement"] = claim.statement
    return entry


def _wrong_type(true_entry: dict, false_d: Derivation) -> dict:
    entry = _hand_written(true_entry, false_d)
    entry["result"] = ["proven"]
    return entry


def _failed_without_counterexample(true_entry: dict, false_d: Derivation) -> dict:
    entry = _hand_written(true_entry, false_d)
    entry["result"]["fixed_k"]["status"] = "FAILED"
    return entry


FORGERIES = {
    "proven entry copied under the false claim's key": (_copied, "computed for other inputs"),
    "hand-written proven entry with the right key": (_hand_written, "it says proven, but the residual is"),
    "a result of the wrong type": (_wrong_type, "malformed result"),
    "FAILED without a counterexample": (_failed_without_counterexample, "FAILED without a counterexample"),
}


@pytest.mark.parametrize("forge,warning", FORGERIES.values(), ids=list(FORGERIES))
def test_forged_cache_entry_is_reproven(tmp_path, monkeypatch, capsys, forge, warning):
    directory = tmp_path / "cache"
    monkeypatch.setenv("SYMXENT_CACHE", str(directory))
    true_d = _write(tmp_path / "true", "-")
    assert prove.prove_claim(true_d, true_d.claim("gradient"), kmax=2).ok
    false_d = _write(tmp_path / "false", "+")
    target = _entry(directory, false_d)
    target.write_text(json.dumps(forge(json.loads(_entry(directory, true_d).read_text()), false_d)))
    capsys.readouterr()

    code, out, _ = run("verify", "--derivations", str(tmp_path / "false"), "gradient_check", "--kmax", "2",
                       "--jobs", "1")
    stderr = capsys.readouterr().err
    print(stderr + out[out.index("\n1 derivations"):])  # the test's evidence, shown with -s
    assert code == 1 and "FAILED gradient_check / gradient" in out, out
    warnings = [line for line in stderr.splitlines() if "ignoring cached proof" in line]
    assert len(warnings) == 1 and warning in warnings[0] and str(target) in warnings[0], stderr
    rewritten = json.loads(target.read_text())
    assert rewritten["key"] == cache.key_material(false_d, false_d.claim("gradient"), 2, 0)
    assert rewritten["result"]["fixed_k"]["status"] == "FAILED", "the forged entry was not overwritten"


@pytest.mark.parametrize("content", [
    pytest.param(b"{not json", id="corrupt"),
    pytest.param(b"\xff\xfe\x00", id="not UTF-8"),
    pytest.param(b"[1, 2, 3]", id="valid JSON of the wrong type"),
    pytest.param(pickle.dumps(print), id="a pickle"),
])
def test_corrupt_cache_entry_is_ignored_with_one_line(tmp_path, monkeypatch, capsys, content):
    directory = tmp_path / "cache"
    directory.mkdir()
    monkeypatch.setenv("SYMXENT_CACHE", str(directory))
    d = _write(tmp_path / "true", "-")
    _entry(directory, d).write_bytes(content)
    assert prove.prove_claim(d, d.claim("gradient"), kmax=2).ok
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "ignoring cached proof" in lines[0], lines
    assert json.loads(_entry(directory, d).read_text())["format"] == cache.FORMAT


def test_cache_writes_leave_no_temporary_files(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMXENT_CACHE", str(tmp_path))
    d = REGISTRY["softmax_cross_entropy"]
    prove.prove_claim(d, d.claim("gradient_onehot"), kmax=2)
    assert [f.suffix for f in tmp_path.iterdir()] == [".json"]


# --- three verdicts ----------------------------------------------------------------------------

GCE = textwrap.dedent('''
    import sympy as sp
    from symxent.registry import Claim, Derivation, Variable
    from symxent.symbols import (CLASS_INDICES, K, LOGSUMEXP, LOGSUMEXP_STABLE, LSE, SOFTMAX, SOFTMAX_STABLE,
                                 c, k, p, z)

    q = sp.Symbol("q", positive=True)
    DERIVATIONS = [Derivation(
        name="gce", title="Generalized cross-entropy", summary="(1 - p_c^q)/q",
        dimensions={K: None}, indices=CLASS_INDICES,
        variables=(Variable(z, "real", "logits", indices=(k,)), Variable(q, "unit_interval", "q")),
        definitions=(SOFTMAX, LOGSUMEXP),
        claims=(SOFTMAX_STABLE, LOGSUMEXP_STABLE,
                Claim("gce", "(1 - e^{q(z_c - LSE)})/q = (1 - p_c^q)/q", (1 - sp.exp(q * (z[c] - LSE))) / q,
                      (1 - p[c] ** q) / q)),
    )]
''')


def test_an_undecided_true_identity_is_not_proven_not_failed(tmp_path):
    (tmp_path / "gce.py").write_text(GCE)
    code, out, _ = run("verify", "--derivations", str(tmp_path), "gce", "--kmax", "3", "--jobs", "1")
    assert code == 1, out
    assert "1 claim not proven" in out and "not proven gce / gce" in out and "residual:" in out, out
    assert "FAILED" not in out.split("\n1 derivations")[1], "a true identity was called FAILED"


def test_failed_shows_both_sides_and_counts_claims_not_lines(tmp_path):
    _write(tmp_path, "+")
    code, out, _ = run("verify", "--derivations", str(tmp_path), "gradient_check", "--kmax", "2", "--jobs", "1")
    assert code == 1
    summary = next(line for line in out.splitlines() if line.startswith("1 derivations"))
    assert "1 claim FAILED;" in summary, summary
    assert "lhs = " in out and "but rhs = " in out and "(both at 50 digits)" in out, out


def test_a_counterexample_off_the_simplex_is_not_a_counterexample():
    # Without "targets sum to 1", p - y is unproven but true on the simplex: sampled targets sum
    # to 1 only to 1e-16, and that rounding must not be "confirmed" at 50 digits.
    d = REGISTRY["softmax_cross_entropy"]
    result = prove.prove_claim(d, Claim("no_assumption", "p - y", partial(L, z[j]), p[j] - y[j]),
                               kmax=2)
    assert result.verdict == prove.NOT_PROVEN, result


# --- the prover checks itself ------------------------------------------------------------------


def test_per_class_claims_always_get_the_symbolic_k_proof():
    d = REGISTRY["softmax_cross_entropy"]
    claim = Claim("opt_out", "dp_j/dz_j = p_j (1 - p_j)", partial(p[j], z[j]), p[j] * (1 - p[j]), general_k=False)
    result = prove.prove_claim(d, claim, kmax=2)
    assert result.general_k.status == prove.PROVEN, result.general_k


def test_an_index_used_as_a_number_disables_relabelling():
    d = REGISTRY["softmax_cross_entropy"]
    assert prove._relabel_invariant(p[j] * z[j], d)
    assert not prove._relabel_invariant((j - 1) * p[j], d)
    assert not prove._relabel_invariant(class_sum(k * p[k], k, K), d)


@pytest.mark.parametrize("rhs, verdict", [
    (K**2 * (K + 1)**2 * (2 * K**2 + 2 * K - 1) / 12, "proven"),      # Faulhaber: sum_k k^5
    (K**2 * (K + 1)**2 * (2 * K**2 + 2 * K + 1) / 12, "FAILED"),
], ids=["faulhaber", "faulhaber-wrong"])
def test_sums_polynomial_in_the_index_are_evaluated(rhs, verdict):
    d = REGISTRY["softmax_cross_entropy"]
    result = prove.prove_claim(d, Claim("power_sum", "sum_k k^5", class_sum(k**5, k, K), rhs), kmax=3)
    assert result.general_k.status == (prove.PROVEN if verdict == "proven" else prove.FAILED), result.general_k


def test_a_proof_that_clears_a_denominator_says_where_it_holds():
    d = REGISTRY["binary_cross_entropy"]
    result = prove.prove_claim(d, d.claim("dloss_dprob"), kmax=2)
    assert result.ok and "holds where 1 - y_hat is not 0" in result.fixed_k.detail, result


def test_every_canary_is_caught():
    results = canaries.run_canaries()
    missed = [(c.kind, c.result.verdict, c.result.fixed_k.detail, c.result.general_k.detail)
              for c in results if not c.caught]
    assert not missed, missed
    assert len(results) == len(canaries.CANARIES) >= 7


def _ignore_zero_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derive, "decide_zero", lambda expr, table=None: sp.Integer(0))


WEAKENINGS = {
    # name: (how the prover is weakened, the canary that must then slip through)
    "confirmation tolerance 1e-3": (lambda mp: mp.setattr(prove, "CONFIRM_TOL", 1e-3),
                                    "an epsilon term (residual ~1e-12)"),
    "screen tolerance 1e-3 and zero test ignored": (
        lambda mp: (mp.setattr(prove, "NUMERIC_TOL", 1e-3), _ignore_zero_test(mp)),
        "an epsilon term (residual ~1e-12)"),
    "zero test ignored": (_ignore_zero_test, "true only for K <= 6"),
    "relabelling shortcut blind to an index used as a number": (
        lambda mp: mp.setattr(prove, "_index_as_value", lambda e, indices: False), "index used as a number"),
}


@pytest.mark.parametrize("weaken,slips", WEAKENINGS.values(), ids=list(WEAKENINGS))
def test_a_weakened_prover_lets_a_canary_through(monkeypatch, weaken, slips):
    weaken(monkeypatch)
    missed = {c.kind for c in canaries.run_canaries() if not c.caught}
    assert slips in missed, f"weakened, the prover still caught every canary, {slips!r} included"


def test_verify_fails_when_a_canary_slips(monkeypatch):
    code, out, _ = run("verify", "sigmoid", "--kmax", "2", "--jobs", "1")
    assert code == 0 and f"canaries: {len(canaries.CANARIES)}/{len(canaries.CANARIES)} caught" in out, out
    monkeypatch.setattr(prove, "CONFIRM_TOL", 1e3)
    code, out, _ = run("verify", "sigmoid", "--kmax", "2", "--jobs", "1")
    assert code == 1 and f"canaries: 0/{len(canaries.CANARIES)} caught" in out and "CANARY NOT CAUGHT" in out, out


# --- time budget -------------------------------------------------------------------------------


_u = sp.Symbol("u", real=True)
_TOWER = sp.Pow(10, sp.Pow(10, 10, evaluate=False), evaluate=False)
PATHOLOGICAL = {
    # name: (dimensions, claim, what the answer must say)
    "a sum of 5,000 terms": ({K: (5000,)}, Claim("sum", "sum_k exp(z_k) / sum_l exp(z_l) = 1", class_sum(
        sp.exp(z[k]) / class_sum(sp.exp(z[l]), l, K), k, K), sp.Integer(1)), "timed out"),
    "10^(10^10)": ({}, Claim("tower", "10^(10^10) + u = u + 10^(10^10)", _TOWER + _u, _u + _TOWER),
                   "too large: 10**(10**10) has about 1e+10 digits"),
}


@pytest.mark.parametrize("dimensions,claim,answer", PATHOLOGICAL.values(), ids=list(PATHOLOGICAL))
def test_a_pathological_claim_is_not_proven_within_its_budget(monkeypatch, dimensions, claim, answer):
    monkeypatch.setenv("SYMXENT_TIMEOUT", "1")
    d = Derivation(name="huge", title="huge", summary="pathological sizes", dimensions=dimensions,
                   indices=CLASS_INDICES if dimensions else {},
                   variables=(Variable(z, "real", "logits", indices=(k,)),) if dimensions else (
                       Variable(_u, "real", "u"),), definitions=(), claims=())
    start = time.perf_counter()
    result = prove.prove_claim(d, claim, kmax=2)
    elapsed = time.perf_counter() - start
    assert result.verdict == prove.NOT_PROVEN and answer in result.fixed_k.detail, result
    assert elapsed < 5, f"a 1 s budget took {elapsed:.1f} s"


def test_timeout_must_be_positive():
    code, _, err = run("verify", "sigmoid", "--timeout", "-1")
    assert code == 2 and "--timeout must be a positive number" in err and err.count("\n") == 1


# --- the printed derivation uses the same words ------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "tex"])
@pytest.mark.parametrize("status,word,display", [
    (prove.FAILED, "FAILED", r"\mathbf{FAILED}"),
    (prove.NOT_PROVEN, "NOT PROVEN", r"\mathbf{NOT\ PROVEN}"),
], ids=["FAILED", "not proven"])
def test_latex_marks_an_undecided_step_not_proven_not_failed(fmt, status, word, display):
    from symxent import latex

    d = REGISTRY["softmax_cross_entropy"]
    chain = d.chains[0]
    counterexample = {"K": 2} if status == prove.FAILED else None
    proven = prove.Check(prove.PROVEN, "K=2..3, 4 instances")
    # A document shows every verdict or none: the other steps and the claims are proven.
    steps = [prove.StepResult(d.name, ch.title, n, s.reason,
                              prove.Check(status, "K=2: the detail", residual="r", counterexample=counterexample)
                              if (ch, n) == (chain, 0) else proven,
                              prove.Check(prove.PROVEN, "symbolic K"))
             for ch in d.chains for n, s in enumerate(ch.steps)]
    claims = [prove.ClaimResult(d.name, c.name, c.statement, proven, prove.Check(prove.PROVEN, "symbolic K"))
              for c in d.claims]
    out = latex.render(d, fmt, steps=steps, claims=claims)
    status_line = next(line for line in out.splitlines() if "Status:" in line)
    assert out.count(display) == 1 and word in status_line and "step 1.1" in status_line, out[:2000]
    other = "NOT PROVEN" if word == "FAILED" else "FAILED"
    assert other not in out, f"{status!r} was printed as {other}"
