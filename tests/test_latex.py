"""Tests for symxent/latex.py: the rendered documents must be accepted by real engines.

- Markdown: every ``$$ ... $$`` block is rendered by KaTeX (tests/katex_render.js, strict mode),
  found in ``$SYMXENT_KATEX_DIR`` (default ``.ci-cache/katex``, installed by
  ``.ci/install-latex-engines.sh``).
- TeX: the standalone document is compiled by ``pdflatex -halt-on-error``.
An engine that is missing fails the test in CI (``CI=true``) and skips it locally, with the
command that installs it. Check results come from the real prover at a small Kmax, once per
derivation (cached), and failures are also built by hand to see that they are shown.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest
import sympy as sp

from symxent import latex
from symxent.latex import FORMATS, NOTATION, latex_expr, render
from symxent.prove import FAILED, PROVEN, Check, ClaimResult, StepResult, check_chain, prove_claim
from symxent.registry import Derivation, load_registry

ROOT = Path(__file__).resolve().parent.parent
KATEX_SCRIPT = Path(__file__).resolve().parent / "katex_render.js"
KMAX = 3
REGISTRY = load_registry()
NAMES = list(REGISTRY)
WITH_CHAINS = [n for n in NAMES if REGISTRY[n].chains]
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
INSTALL = "bash .ci/install-latex-engines.sh"
# Every special character of LaTeX and Markdown, and a non-ASCII letter.
NASTY = r"50% of a_b & c#d ^e $f$ {g} ~h \i <j> |k| *l* `m` [n](o) ==p== σ: "


def _missing(what: str) -> None:
    # In CI a missing engine is a broken setup, never a reason to pass: fail. Locally, skip.
    message = f"{what}; install it with `{INSTALL}`"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: the rendering tests must run)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def katex():
    """A function rendering a list of TeX strings with KaTeX; raises AssertionError on failure."""
    directory = Path(os.environ.get("SYMXENT_KATEX_DIR") or ROOT / ".ci-cache" / "katex")
    node = shutil.which("node")
    if node is None:
        _missing("node is not on PATH (KaTeX needs it)")
    if not (directory / "node_modules" / "katex" / "package.json").is_file():
        _missing(f"KaTeX is not installed in {directory} (set SYMXENT_KATEX_DIR to another folder)")

    def run(expressions: list[str]) -> None:
        assert expressions, "nothing to render"
        proc = subprocess.run([node, str(KATEX_SCRIPT), str(directory)], input=json.dumps(expressions),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"KaTeX rejected the output:\n{proc.stderr}"
        assert f"rendered {len(expressions)} expressions" in proc.stdout

    return run


@pytest.fixture(scope="module")
def pdflatex():
    """A function compiling a .tex document in a directory; raises AssertionError on failure."""
    exe = shutil.which("pdflatex")
    if exe is None:
        _missing("pdflatex is not on PATH")

    def run(tex: str, directory: Path) -> Path:
        source = directory / "doc.tex"
        source.write_text(tex, encoding="utf-8")
        proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", source.name],
                              cwd=directory, capture_output=True, text=True, timeout=180)
        log = (directory / "doc.log").read_text(encoding="utf-8", errors="replace") if (directory / "doc.log").exists() else ""
        assert proc.returncode == 0, f"pdflatex failed:\n{proc.stdout[-3000:]}"
        # A glyph the font lacks is only a log line, not an error: it would silently vanish.
        assert "Missing character" not in log, re.findall(r"Missing character.*", log)
        pdf = directory / "doc.pdf"
        assert pdf.is_file() and pdf.stat().st_size > 1000
        return pdf

    return run


@lru_cache(maxsize=None)
def results(name: str) -> tuple[tuple[StepResult, ...], tuple[ClaimResult, ...]]:
    """The real check results of one derivation at a small Kmax (computed once per derivation)."""
    d = REGISTRY[name]
    steps = tuple(s for chain in d.chains for s in check_chain(d, chain, KMAX))
    claims = tuple(prove_claim(d, c, KMAX) for c in d.claims)
    return steps, claims


@lru_cache(maxsize=None)
def rendered(name: str, fmt: str) -> str:
    steps, claims = results(name)
    return render(REGISTRY[name], fmt, steps=steps, claims=claims)


def display_blocks(markdown: str) -> list[str]:
    return re.findall(r"^\$\$\n(.*?)\n\$\$$", markdown, flags=re.S | re.M)


def outside_math(markdown: str) -> str:
    return re.sub(r"^\$\$\n.*?\n\$\$$", "", markdown, flags=re.S | re.M)


def expected_blocks(d: Derivation) -> int:
    return bool(d.definitions) + bool(d.assumptions) + len(d.chains) + len(d.claims)


def failing(check_detail: str) -> Check:
    return Check(FAILED, check_detail, residual="1", counterexample={"K": 2, "z[1]": 0.5})


def proven(detail: str) -> Check:
    return Check(PROVEN, detail)


# --- real engines ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_markdown_renders_with_katex(name: str, katex) -> None:
    md = rendered(name, "markdown")
    blocks = display_blocks(md)
    # Every formula is a display block and none was missed by the extraction.
    assert len(blocks) == expected_blocks(REGISTRY[name])
    assert "$$" not in outside_math(md)
    katex(blocks)


@pytest.mark.parametrize("name", NAMES)
def test_tex_compiles_with_pdflatex(name: str, pdflatex, tmp_path: Path) -> None:
    pdflatex(rendered(name, "tex"), tmp_path)


@pytest.mark.parametrize("name", NAMES)
def test_special_characters_in_text_are_escaped(name: str, katex, pdflatex, tmp_path: Path) -> None:
    d = REGISTRY[name]
    nasty = replace(
        d, title=NASTY + d.title, summary=NASTY + d.summary,
        definitions=tuple(replace(x, description=NASTY + x.description) for x in d.definitions),
        chains=tuple(replace(ch, title=NASTY + ch.title,
                             steps=tuple(replace(s, reason=NASTY + s.reason) for s in ch.steps)) for ch in d.chains),
        claims=tuple(replace(c, statement=NASTY + c.statement) for c in d.claims),
    )
    md = render(nasty, "markdown")
    katex(display_blocks(md))
    text = outside_math(md)
    # No unescaped character that Markdown (or a math extension) would act on: drop heading
    # markers, entities and backslash-escaped pairs; no special may remain.
    body = re.sub(r"^#{1,6} ", "", text, flags=re.M)
    body = re.sub(r"\\.", "", re.sub(r"&(amp|lt|gt|#126);", "", body))
    left = re.findall(r"[$_*`\[\]|#<>&~\\]", body)
    assert not left, f"unescaped Markdown specials: {sorted(set(left))}"
    assert r"a\_b" in text and r"\$f\$" in text and "&lt;j&gt;" in text and r"\=\=p\=\=" in text
    pdflatex(render(nasty, "tex"), tmp_path)


# --- content -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_document_shows_every_part(name: str, fmt: str) -> None:
    d, out = REGISTRY[name], rendered(name, fmt)
    for definition in d.definitions:
        assert latex_expr(definition.rhs) in out
    for chain in d.chains:
        assert latex_expr(chain.label) in out
        for step in chain.steps:
            assert latex_expr(step.expr) in out
    steps, claims = results(name)
    for claim, result in zip(d.claims, claims):
        assert latex_expr(claim.lhs) in out and latex_expr(claim.rhs) in out
        if claim.certificate is not None:
            assert latex_expr(claim.certificate) in out
        for used in result.assumptions_used:
            assert latex._md_text(used) in out or latex._tex_text(used) in out
    if steps:
        # How the steps were checked: the sizes tried (Kmax = 3 here) and the symbolic proof.
        if d.dimensions:
            assert re.search(r"checked for (\w = \d+(\.\.\d+)?, )*K = 2\.\.3(, \w = \d+)* and symbolic K", out)
        else:
            assert "checked symbolically" in out
    # The registry's own proofs pass, so nothing may be marked as failed.
    assert "FAILED" not in out


@pytest.mark.parametrize("name", NAMES)
def test_no_doubled_signs(name: str) -> None:
    # "a - - b" is what SymPy prints for a - UnevaluatedExpr(-b + c): the grouping was lost.
    for block in display_blocks(rendered(name, "markdown")):
        assert not re.search(r"(?<![\\\w])[-+]\s+[-+]\s", block), block


@pytest.mark.parametrize("name", WITH_CHAINS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_step_is_marked(name: str, fmt: str) -> None:
    d = REGISTRY[name]
    chain = d.chains[-1]
    bad = len(chain.steps) - 1
    steps = [StepResult(d.name, chain.title, n, s.reason,
                        failing("K=2: residual 0.25 at a random point") if n == bad else proven("K=2..3, 4 instances"),
                        proven("symbolic K"))
             for n, s in enumerate(chain.steps)]
    out = render(d, fmt, steps=steps)
    assert out.count(r"\mathbf{FAILED}") == 1  # in the chain display, beside the step
    bold = "**FAILED**" if fmt == "markdown" else r"\textbf{FAILED}"
    # The status line at the top says so before any detail.
    status = next(x for x in out.splitlines() if "Status:" in x)
    assert "Status: FAILED" in status and "1 FAILED" in status
    assert out.index(status) < out.index(r"\mathbf{FAILED}")
    line = next(x for x in out.splitlines() if f"({bad + 1})" in x and bold in x)
    assert "residual 0.25" in line and "counterexample" in line
    # The FAILED mark sits on the failing step's row of the display, not another one.
    row = next(x for x in out.splitlines() if r"\mathbf{FAILED}" in x)
    assert f"({bad + 1})" in row


@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_claim_is_marked(fmt: str) -> None:
    d = REGISTRY[NAMES[0]]
    claim = d.claims[0]
    result = ClaimResult(d.name, claim.name, claim.statement, failing("K=2: residual does not simplify to 0"),
                         proven("symbolic K"), ())
    out = render(d, fmt, claims=[result])
    assert "Status: FAILED" in out
    assert "residual does not simplify to 0" in out


@pytest.mark.parametrize("name", WITH_CHAINS[:1])
def test_failed_documents_still_render(name: str, katex, pdflatex, tmp_path: Path) -> None:
    d = REGISTRY[name]
    chain = d.chains[0]
    steps = [StepResult(d.name, chain.title, n, s.reason, failing("K=2: 50% off & #1 ^_^"), failing("symbolic K"))
             for n, s in enumerate(chain.steps)]
    katex(display_blocks(render(d, "markdown", steps=steps)))
    pdflatex(render(d, "tex", steps=steps), tmp_path)


def test_results_of_another_derivation_raise() -> None:
    d, other = REGISTRY[WITH_CHAINS[0]], REGISTRY[WITH_CHAINS[1]]
    steps, _ = results(other.name)
    with pytest.raises(ValueError, match="matches no step"):
        render(d, steps=steps)


def test_unknown_format_raises_with_the_valid_ones() -> None:
    with pytest.raises(ValueError) as info:
        render(REGISTRY[NAMES[0]], "html")
    message = str(info.value)
    assert "html" in message and all(f in message for f in FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_output_is_deterministic(name: str, fmt: str) -> None:
    steps, claims = results(name)
    first = render(REGISTRY[name], fmt, steps=steps, claims=claims)
    assert first == render(REGISTRY[name], fmt, steps=list(steps), claims=list(claims))


def test_output_is_deterministic_across_processes() -> None:
    # Set iteration order changes with the hash seed; the bytes must not.
    code = ("import hashlib; from symxent.registry import load_registry; from symxent.latex import render, FORMATS; "
            "r = load_registry(); "
            "print(hashlib.sha256(''.join(render(d, f) for d in r.values() for f in FORMATS).encode()).hexdigest())")
    digests = set()
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        digests.add(proc.stdout.strip())
    here = hashlib.sha256("".join(render(d, f) for d in REGISTRY.values() for f in FORMATS).encode()).hexdigest()
    assert digests == {here}


def test_tex_is_a_standalone_document_with_basic_packages() -> None:
    tex = rendered(NAMES[0], "tex")
    assert tex.startswith(r"\documentclass")
    assert tex.rstrip().endswith(r"\end{document}")
    packages = {p for group in re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", tex) for p in group.split(",")}
    assert packages <= {"amsmath", "amssymb", "geometry"}
    assert r"\today" not in tex  # would make the bytes depend on the day


# --- notation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, tex", sorted(NOTATION.items()))
def test_notation_mapping(name: str, tex: str) -> None:
    assert latex_expr(sp.Symbol(name)) == tex
    assert tex in latex_expr(sp.Symbol(name) + sp.Symbol("x"))


def test_printing_rules() -> None:
    i, j, k, K, u = sp.symbols("i j k K u")
    p, z = sp.IndexedBase("p"), sp.IndexedBase("z")
    L = sp.Symbol("L")
    assert latex_expr(p[i]) == "p_{i}"
    assert latex_expr(sp.KroneckerDelta(i, j)) == r"\delta_{ij}"
    assert latex_expr(sp.Derivative(L, z[j])) == r"\frac{\partial L}{\partial z_{j}}"
    assert latex_expr(sp.Derivative(sp.Function("sigma")(u), u)) == r"\frac{\partial \sigma{\left(u \right)}}{\partial u}"
    assert latex_expr(sp.Derivative(L, z[j], z[k])) == r"\frac{\partial^{2} L}{\partial z_{k} \partial z_{j}}"
    assert latex_expr(sp.Sum(p[k], (k, 1, K))) == r"\sum_{k=1}^{K} p_{k}"
    assert latex_expr(sp.Sum(p[i] * z[j], (j, 1, K), (i, 1, K))) == r"\sum_{i=1}^{K} \sum_{j=1}^{K} p_{i} z_{j}"
    assert latex_expr(sp.Symbol("Theta")) == r"\Theta" and latex_expr(sp.IndexedBase("Theta")[k, j]) == r"\Theta_{k,j}"


def test_unevaluated_grouping_is_kept() -> None:
    a, b, c = sp.symbols("a b c")
    grouped = sp.UnevaluatedExpr(a - b)
    assert latex_expr(c - grouped) == r"c - \left(a - b\right)"
    assert latex_expr(-grouped) == r"- \left(a - b\right)"
    assert latex_expr(c * grouped) == r"c \left(a - b\right)"
