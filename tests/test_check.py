"""Tests for ``symxent check`` (symxent/check.py and the stages in symxent/checker/).

The corpus in tests/check_corpus/ holds derivation notes as people write them.
``NAME.md`` / ``NAME.tex`` / ``NAME.ipynb`` are correct; ``NAME.broken-KIND.EXT`` is the same
note with one planted error of KIND (propagated through the rest of its chain,
as a real slip would be), and the line where the wrong right-hand side starts
carries a LaTeX comment ``% planted``.
"""

from __future__ import annotations

import io
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from symxent.check import FileReport, check_text, run_check

CORPUS = Path(__file__).parent / "check_corpus"
NOTES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".md", ".tex", ".ipynb"))
CORRECT = [p for p in NOTES if ".broken-" not in p.name]
BROKEN = [p for p in NOTES if ".broken-" in p.name]
ERROR_KINDS = {"sign", "index-swap", "missing-factor", "exponent", "dropped-term", "denominator"}


@lru_cache(maxsize=None)
def report_for(path: Path) -> FileReport:
    return check_text(path.read_text(encoding="utf-8"), filename=path.name)


def planted_lines(path: Path) -> list[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i + 1 for i, line in enumerate(lines) if re.search(r"%\s*planted", line)]


def _steps_text(report: FileReport) -> str:
    return "\n".join(s.describe() for s in report.steps)


def test_corpus_shape():
    assert len(CORRECT) >= 12
    assert {p.suffix for p in CORRECT} == {".md", ".tex", ".ipynb"}
    kinds = set()
    for p in BROKEN:
        stem, kind = re.fullmatch(r"(.+)\.broken-([a-z-]+)", p.stem).groups()
        assert kind in ERROR_KINDS, p.name
        assert (CORPUS / (stem + p.suffix)).exists(), f"{p.name} has no correct version"
        kinds.add(kind)
    assert kinds == ERROR_KINDS
    stems_with_broken = {p.name.split(".broken-")[0] + p.suffix for p in BROKEN}
    assert {p.name for p in CORRECT} <= stems_with_broken, "every correct note needs a broken version"


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.name)
def test_correct_note_has_no_wrong_step(path: Path):
    report = report_for(path)
    wrong = [s for s in report.steps if s.status == "wrong"]
    assert not wrong, f"{path.name}: correct steps reported wrong:\n" + "\n".join(s.describe() for s in wrong)
    assert any(s.status == "ok" for s in report.steps), f"{path.name}: nothing was checked"


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_note_flags_exactly_the_planted_step(path: Path):
    planted = planted_lines(path)
    assert len(planted) == 1, f"{path.name}: expected one '% planted' marker, found lines {planted}"
    report = report_for(path)
    wrong = [s for s in report.steps if s.status == "wrong"]
    assert [s.line for s in wrong] == planted, (
        f"{path.name}: planted error at line {planted[0]}, but wrong steps are "
        f"{[s.describe() for s in wrong] or 'none'}\nall steps:\n{_steps_text(report)}")
    (step,) = wrong
    # the report shows both sides' values at the counterexample
    assert step.left is not None and step.right is not None and step.left != pytest.approx(step.right)
    assert f"left {step.left:.4g}" in step.describe() and f"right {step.right:.4g}" in step.describe()


def test_unparsed_and_not_checkable_are_rare_over_corpus():
    total = skipped = 0
    for p in NOTES:
        for s in report_for(p).steps:
            if s.status == "definition":
                continue
            total += 1
            skipped += s.status in ("unparsed", "not checkable")
    share = skipped / total
    print(f"corpus: {skipped} unparsed or not checkable out of {total} steps ({share:.1%})")
    assert total >= 100
    assert share < 0.10


BAD_NOTE = r"""# A note with broken LaTeX
With $\hat y = \mathrm{softmax}(z)$, one-hot $y$:
$$
\ell = -\sum_k y_k \log \hat y_k
$$

$$
\frac{\partial \ell}{\partial z_j} = \frac{e^{z_j}{\sum_k e^{z_k}} - y_j = \hat y_j - y_j
$$

$$
\hat y_j = \foo{z_j} = \frac{e^{z_j}}{\sum_k e^{z_k}}
$$

$$
\begin{aligned}
\frac{\partial \ell}{\partial z_j} &= \hat y_j - y_j \\
&= y_j - \hat y_j
\end{aligned}
$$
"""


def test_bad_latex_is_unparsed_with_position_and_rest_is_checked():
    report = check_text(BAD_NOTE, filename="bad.md")
    by_line = {}
    for s in report.steps:
        by_line.setdefault(s.line, []).append(s)
    # unbalanced brace: \frac{e^{z_j}{...} never closes its first group
    unb = [s for s in report.steps if s.status == "unparsed" and "unbalanced" in s.detail]
    assert unb, _steps_text(report)
    assert re.search(r"at 8:\d+$", unb[0].detail), unb[0].describe()
    # unknown macro, at its exact column
    col = BAD_NOTE.splitlines()[11].index("\\foo") + 1
    unk = [s for s in report.steps if s.status == "unparsed" and "\\foo" in s.detail]
    assert len(unk) == 2 and all(s.detail.endswith(f"at 12:{col}") for s in unk), _steps_text(report)
    # everything after the bad lines is still checked
    statuses = [s.status for s in report.steps if s.line >= 17]
    assert statuses == ["ok", "wrong"], _steps_text(report)


@pytest.mark.parametrize("text", [
    "$$ a = \\frac{1}{2 $$", "$$ \\left( a = b $$", "$$ a = \\sum_{ $$", "$$ x = } $$",
    "$$ = = = $$", "$$ \\frac{\\partial}{\\partial} = 1 $$", "$$ y_{k+1} = y_k $$",
    "$$ \\mathrm{softmax} = 1 $$", "$$ \\hat{x} = \\hat y $$", "$$ \\sum_k = 2 $$",
])
def test_garbage_never_crashes(text):
    report = check_text(text, filename="g.md")
    assert all(s.status in ("unparsed", "not checkable", "ok", "wrong", "definition") for s in report.steps)


def _text_steps(output: str) -> list[tuple[str, int, int, str]]:
    out = []
    for line in output.splitlines():
        m = re.match(r"(.+):(\d+): step (\d+) -> \d+: (ok|WRONG|unparsed|not checkable|definition)", line)
        if m:
            status = {"WRONG": "wrong"}.get(m.group(4), m.group(4))
            out.append((m.group(1), int(m.group(2)), int(m.group(3)), status))
    return out


def test_json_output_matches_text_output():
    paths = [str(CORPUS / "ce_gradient.broken-sign.md"), str(CORPUS / "softmax_jacobian.tex")]
    text_out, json_out = io.StringIO(), io.StringIO()
    code_text = run_check(paths, out=text_out)
    code_json = run_check(paths, as_json=True, out=json_out)
    assert code_text == code_json == 1
    doc = json.loads(json_out.getvalue())
    from_json = [(s["file"], s["line"], s["step"], s["status"]) for f in doc["files"] for s in f["steps"]]
    assert from_json == _text_steps(text_out.getvalue())
    wrong = [s for f in doc["files"] for s in f["steps"] if s["status"] == "wrong"]
    assert len(wrong) == 1 and {"left", "right", "point", "detail"} <= set(wrong[0])
    assert doc["counts"]["wrong"] == 1 and doc["exit_code"] == 1


def test_exit_codes(tmp_path):
    err = io.StringIO()
    assert run_check([str(CORPUS / "ce_gradient.md")], out=io.StringIO(), err=err) == 0
    assert run_check([str(CORPUS / "ce_gradient.broken-sign.md")], out=io.StringIO(), err=err) == 1
    assert err.getvalue() == ""
    missing = tmp_path / "nope.md"
    assert run_check([str(missing)], out=io.StringIO(), err=err) == 2
    assert "nope.md" in err.getvalue() and "Traceback" not in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 1
    for bad in ["no equals sign", "p_i=\\frac{1}{", "\\frac{a}{b}=1", "p_i=\\foo{z}"]:
        err = io.StringIO()
        assert run_check([str(CORPUS / "ce_gradient.md")], defines=[bad], out=io.StringIO(), err=err) == 2
        assert "--define" in err.getvalue() and len(err.getvalue().strip().splitlines()) == 1


P_NOTE = r"""
$$
\frac{\partial p_i}{\partial z_j} = p_i \left( \delta_{ij} - p_j \right)
$$
"""


def test_define_option():
    without = check_text(P_NOTE, filename="p.md")
    assert [s.status for s in without.steps] == ["not checkable"]
    define = r"p_i=\frac{e^{z_i}}{\sum_k e^{z_k}}"
    with_def = check_text(P_NOTE, filename="p.md", defines=[define])
    assert [s.status for s in with_def.steps] == ["ok"]
    wrong_def = check_text(P_NOTE, filename="p.md", defines=[r"p_i=\frac{e^{2 z_i}}{\sum_k e^{2 z_k}}"])
    assert [s.status for s in wrong_def.steps] == ["wrong"]


@pytest.mark.parametrize("K", [2, 4])
def test_other_class_counts(K):
    steps = check_text((CORPUS / "chain_rule_gradient.md").read_text(), K=K).steps
    assert {s.status for s in steps} <= {"ok", "definition", "not checkable"}
    # the note never says its targets sum to 1: those steps say so, and nothing else is skipped
    assert all("sums to 1" in s.detail for s in steps if s.status == "not checkable"), steps
    report = check_text((CORPUS / "kl_gradient.broken-sign.md").read_text(), K=K)
    assert [s.status for s in report.steps].count("wrong") == 1


def test_report_is_deterministic():
    path = CORPUS / "batch_mean_gradient.broken-missing-factor.md"
    a, b = io.StringIO(), io.StringIO()
    run_check([str(path)], out=a)
    run_check([str(path)], out=b)
    assert a.getvalue() == b.getvalue()
    assert "WRONG (at " in a.getvalue()


def test_text_report_format():
    out = io.StringIO()
    run_check([str(CORPUS / "kl_gradient.broken-sign.md")], out=out)
    lines = out.getvalue().splitlines()
    assert any(re.fullmatch(r"\S+kl_gradient\.broken-sign\.md:17: step 2 -> 3: WRONG \(at l=\d, y=\[.*\], z=\[.*\]: "
                            r"left -?[\d.e-]+, right -?[\d.e-]+(; .*)?\)", ln) for ln in lines), lines
    assert re.fullmatch(r"\S+: \d+ steps: \d+ ok, 1 wrong, 0 recovered, 0 unparsed, \d+ not checkable "
                        r"\(\d+ definitions\)", lines[-1]), lines[-1]


NOTATION_CASES = [
    # (left, right, holds), in a note that defines y-hat and says the targets sum to 1
    (r"1 - \sigma(u)", r"\frac{1}{1+e^{u}}", True),
    (r"\mathrm{softmax}(z)_i", r"\frac{\exp(z_i)}{\sum_{k=1}^{K}\exp(z_k)}", True),
    (r"\operatorname{softmax}(z)_i", r"\hat{y}_i", True),
    (r"\frac{\partial \hat y_i}{\partial z_j}", r"\hat y_i (\mathbb{1}[i=j] - \hat y_j)", True),
    (r"\frac{\partial \hat y_i}{\partial z_j}", r"\hat y_j (\mathrm{I}[i=j] - \hat y_i)", True),
    (r"\frac{\partial \hat y_i}{\partial z_j}", r"\hat y_i (\delta_{ij} - \hat y_i)", False),
    (r"\sum_{j \neq i} \hat y_j", r"1 - \hat y_i", True),
    (r"\hat y \odot (1 - \hat y)", r"\hat y - \hat y^{2}", True),
    (r"\ln \hat y_c", r"z_c - \ln \sum_k e^{z_k}", True),
    (r"\left( \sum_k y_k \right)^{2}", r"1", True),
    (r"\sum_k y_k z_k", r"z_1", False),
    (r"\frac{\partial^2}{\partial z_i \partial z_j} \log \sum_k e^{z_k}", r"\hat y_i\,\delta_{ij} - \hat y_i \cdot \hat y_j", True),
]


NOTATION_PREFIX = "Let $\\hat y_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ with one-hot targets $y$.\n"


@pytest.mark.parametrize("lhs,rhs,holds", NOTATION_CASES)
def test_notation(lhs, rhs, holds):
    report = check_text(f"{NOTATION_PREFIX}$$\n{lhs} = {rhs}\n$$\n", filename="n.md")
    assert [s.status for s in report.steps if s.status != "definition"] == ["ok" if holds else "wrong"], \
        _steps_text(report)


def test_derivative_wrt_unconnected_variable_is_not_called_wrong():
    # z = w^T x is never written, so nothing links the loss to w: not checkable, not WRONG
    text = "$$\\ell = -y \\log \\hat y - (1-y)\\log(1-\\hat y)$$\n$$\\frac{\\partial \\ell}{\\partial w_j} = (\\hat y - y) x_j$$\n"
    report = check_text(text, filename="w.md")
    assert [s.status for s in report.steps] == ["definition", "not checkable"], _steps_text(report)
    jac = check_text("$$\\frac{\\partial z_i}{\\partial z_j} = \\delta_{ij}$$", filename="jz.md")
    assert [s.status for s in jac.steps] == ["ok"], _steps_text(jac)


def test_inline_math_only_when_equality():
    text = "Take $z \\in R$ and $K = 3$ classes, for $i = j$ we get $\\hat y_j = \\sigma(z_j)$.\n"
    report = check_text(text, filename="i.md")
    # a declaration, a size and a condition are no steps; y-hat, never defined before, is defined here
    assert [s.status for s in report.steps] == ["definition"], _steps_text(report)


def test_per_sample_definition_used_with_sample_superscript():
    text = r"""One-hot targets $y$.
$$ \hat y_k = \frac{e^{z_k}}{\sum_c e^{z_c}} $$
$$ \ell = -\sum_k y_k \log \hat y_k $$
$$
\frac{\partial}{\partial z^{(n)}_i} \frac{1}{N}\sum_{m=1}^{N} \ell^{(m)} = \frac{1}{N}(\hat y^{(n)}_i - y^{(n)}_i)
= \hat y^{(n)}_i - y^{(n)}_i
$$
"""
    report = check_text(text, filename="s.md")
    assert [s.status for s in report.steps] == ["definition", "definition", "ok", "wrong"], _steps_text(report)


def test_a_rounded_result_its_rounded_input_cannot_reach_is_wrong_and_shown_to_the_digit_that_differs():
    # σ(0.8953) = 0.70998: 0.8953 rounded or cut moves σ by -1e-5 to +2e-5 and 0.7101 stands for at
    # most 0.71015, so no rounding explains it; the sides are shown far enough to see it
    report = check_text("$$o = \\sigma(0.8953) = 0.7101$$\n\n$$o = \\sigma(0.8953) = 0.7100$$\n", filename="n.md")
    wrong, right = report.steps[1], report.steps[3]
    assert (wrong.status, right.status) == ("wrong", "ok"), [(s.status, s.detail) for s in report.steps]
    assert "left 0.70998, right 0.7101" in wrong.detail, wrong.detail


def test_sums_over_one_vector_to_two_size_names_are_no_slip():
    note = ("Let $a_i=\\frac{e^{z_i}}{\\sum_{k=1}^ne^{z_k}}$.\n\n"
            "$$\\frac{\\partial a_i}{\\partial z_j} = \\frac{e^{z_i}\\delta_{ij}}{\\sum_{k=1}^{N}e^{z_k}} - "
            "\\frac{e^{z_j}e^{z_i}}{(\\sum_k^ne^{z_k})^2}$$\n")
    step = check_text(note, filename="n.md").steps[-1]
    assert step.status == "not checkable" and "run to N and n" in step.detail, (step.status, step.detail)
