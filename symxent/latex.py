"""Render a derivation as a step-by-step document: Markdown (MathJax/KaTeX) or standalone LaTeX.

Contract:
- :func:`render` returns, for one :class:`~symxent.registry.Derivation`, a document with its
  title and summary, its definitions (``lhs := rhs``), the named assumptions, every chain as
  an aligned chain of equalities ``label = step_1 = step_2 ...`` with each step's reason beside
  it, and every claim with its statement and ``lhs = rhs`` (``>=``/``>`` with the certificate
  ``lhs - rhs = certificate >= 0``).
- Check results are optional input, matched by (chain title, step index) and claim name. A step
  or claim with a result is marked with how it was checked ("checked for K = 2..6 and symbolic
  K"); one whose result is not ok is marked **FAILED** (a confirmed counterexample) or **NOT
  PROVEN** (undecided) in the display and in the text, with the
  prover's detail and counterexample, and counted in a status line at the top. Nothing that
  failed is ever left out. A result that matches nothing in the derivation raises ValueError
  (a mismatched result list would otherwise silently drop failures).
- ``fmt="markdown"``: CommonMark/kramdown text with ``$$ ... $$`` display blocks (``aligned``
  inside) that KaTeX and MathJax render; no inline ``$...$`` math (its delimiters differ between
  renderers), so every formula is a display block. ``fmt="tex"``: a standalone document for
  pdflatex using only packages of a basic TeX Live install (amsmath, amssymb, geometry).
  Any other ``fmt`` raises ValueError listing :data:`FORMATS`.
- Formulas are printed by SymPy's LaTeX printer with the project's notation (:data:`NOTATION`,
  the one mapping of symbol names to LaTeX) and a few printing rules: every derivative is a
  partial fraction, nested sums print as ``\\sum_{j=1}^{K} \\sum_{l=1}^{K}``, ``p[i]`` as
  ``p_{i}``, ``KroneckerDelta(i, j)`` as ``\\delta_{ij}``.
- Text (titles, reasons, statements, assumption names) is escaped for where it lands: Markdown
  text, LaTeX text, or text inside a formula (where it is built from ``\\text{}`` pieces and
  math-mode escapes, because MathJax does not expand macros inside ``\\text{}``).
- Output is deterministic: the same inputs give the same bytes (no dates, no set iteration).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from symxent.prove import FAILED, NOT_APPLICABLE, PROVEN, Check, ClaimResult, StepResult
from symxent.registry import Chain, Claim, Derivation

__all__ = ["FORMATS", "NOTATION", "latex_expr", "render"]

FORMATS = ("markdown", "tex")

# The project's notation: symbol (and undefined-function) name -> LaTeX. The one place where
# a name gets a printed form; everything else is SymPy's printer.
NOTATION: Mapping[str, str] = {
    "y_hat": r"\hat{y}",
    "LSE": r"\operatorname{LSE}(z)",
    "L_z": "L",
    "H_PQ": "H(P, Q)",
    "H_P": "H(P)",
    "KL_PQ": r"\operatorname{KL}(P \,\|\, Q)",
    "Lambda": r"\Lambda",
    "lambda": r"\lambda",
    "Theta": r"\Theta",
    "sigma": r"\sigma",
}


# --- formulas ------------------------------------------------------------------------------


class _Printer(LatexPrinter):
    """SymPy's LaTeX printer with the project's printing rules (see the module contract)."""

    def _hprint_Function(self, func: str) -> str:
        # Undefined functions (sigma) take their name from the same notation mapping.
        return NOTATION.get(func, super()._hprint_Function(func))

    # SymPy prints c - UnevaluatedExpr(a - b) as "c - a - b" and -UnevaluatedExpr(a - b) as
    # "- a - b": Add and Mul do not bracket the wrapper, which only exists to keep a grouping
    # the author wanted. Bracket it where its content would be bracketed (or is an Add).
    def _needs_add_brackets(self, expr: sp.Basic) -> bool:
        if isinstance(expr, sp.UnevaluatedExpr):
            inner = expr.args[0]
            return isinstance(inner, sp.Add) or inner.could_extract_minus_sign() or self._needs_add_brackets(inner)
        return super()._needs_add_brackets(expr)

    def _needs_mul_brackets(self, expr: sp.Basic, first: bool = False, last: bool = False) -> bool:
        if isinstance(expr, sp.UnevaluatedExpr):
            return self._needs_mul_brackets(expr.args[0], first=first, last=last)
        return super()._needs_mul_brackets(expr, first=first, last=last)

    def _print_Mul(self, expr: sp.Mul) -> str:
        # -UnevaluatedExpr(a - b): SymPy prints the lone factor after the sign unbracketed.
        if len(expr.args) == 2 and expr.args[0] == -1 and isinstance(expr.args[1], sp.UnevaluatedExpr) \
                and self._needs_add_brackets(expr.args[1]):
            return r"- \left(%s\right)" % self._print(expr.args[1].args[0])
        return super()._print_Mul(expr)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        # p_{i}, P_{n,k}: SymPy would print {p}_{i}, which renders the same but reads worse.
        base = self._print(expr.base)
        return "%s_{%s}" % (base, ",".join(self._print(i) for i in expr.indices))

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: object = None) -> str:
        i, j = (self._print(a) for a in expr.args[:2])
        # \delta_{ij} for single-letter indices; a comma keeps longer ones (k+1, j) unambiguous.
        sub = i + j if len(i) == 1 and len(j) == 1 else f"{i}, {j}"
        tex = r"\delta_{%s}" % sub
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        # Always \partial: these are partial derivatives even when SymPy sees one variable.
        total = 0
        denominator = []
        for var, count in reversed(expr.variable_count):
            total += count
            v = self._print(var)
            denominator.append(r"\partial %s" % v if count == 1 else r"\partial {%s}^{%s}" % (v, self._print(count)))
        order = "" if total == 1 else "^{%d}" % total
        target = expr.expr
        if isinstance(target, (sp.Symbol, sp.Indexed, sp.core.function.AppliedUndef)):
            # A named quantity goes in the numerator: \frac{\partial L}{\partial z_{j}}.
            return r"\frac{\partial%s %s}{%s}" % (order, self._print(target), " ".join(denominator))
        operator = r"\frac{\partial%s}{%s}" % (order, " ".join(denominator))
        return r"%s %s" % (operator, self.parenthesize(target, PRECEDENCE["Mul"], is_neg=target.could_extract_minus_sign(),
                                                       strict=True))

    def _print_Sum(self, expr: sp.Sum) -> str:
        # Outermost sum first, one \sum per index, instead of SymPy's \substack of ranges.
        tex = "".join(r"\sum_{%s=%s}^{%s} " % tuple(self._print(x) for x in limit) for limit in reversed(expr.limits))
        body = expr.function
        if isinstance(body, sp.Add) or body.could_extract_minus_sign():
            return tex + r"\left(%s\right)" % self._print(body)
        return tex + self._print(body)


def latex_expr(expr: sp.Basic) -> str:
    """One expression in the project's notation (``y_hat`` -> ``\\hat{y}``, ``p[i]`` -> ``p_{i}``)."""
    expr = sp.sympify(expr)
    # symbol_names is keyed by Symbol objects; build it from the names the expression uses
    # (IndexedBase labels are Symbols too, so Theta[k, e] picks up \Theta).
    names = {s: NOTATION[s.name] for s in expr.atoms(sp.Symbol) if s.name in NOTATION}
    return _Printer({"symbol_names": names}).doprint(expr)


_RELATION_TEX = {"==": "=", ">=": r"\geq", ">": ">"}


def _difference(lhs: sp.Expr, rhs: sp.Expr) -> str:
    """``lhs - rhs`` as written (no simplification, which could reorder or cancel terms)."""
    right = latex_expr(rhs)
    if isinstance(rhs, sp.Add) or rhs.could_extract_minus_sign():
        right = r"\left(%s\right)" % right
    return f"{latex_expr(lhs)} - {right}"


# --- text escaping ---------------------------------------------------------------------------

# Non-ASCII characters people type in statements, and their LaTeX math form: pdflatex's
# default fonts cannot print them as text.
_UNICODE_MATH = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon", "η": r"\eta",
    "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau",
    "φ": r"\phi", "ψ": r"\psi", "ω": r"\omega", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda",
    "Σ": r"\Sigma", "Ω": r"\Omega", "∑": r"\sum", "∂": r"\partial", "∞": r"\infty", "≤": r"\leq",
    "≥": r"\geq", "≠": r"\neq", "≈": r"\approx", "→": r"\to", "←": r"\leftarrow", "⇒": r"\Rightarrow",
    "·": r"\cdot", "×": r"\times", "−": "-", "±": r"\pm", "‖": r"\|", "∈": r"\in", "√": r"\surd",
}
# Text-mode LaTeX for ASCII specials. <, > and | are not in OT1 text fonts (they would print
# as other glyphs), so they get their text commands too.
_TEX_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
}
# Math-mode forms of the same specials, for text inside a formula (see _math_text).
_MATH_SPECIAL = {
    "\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_", "^": r"\hat{\ }", "~": r"\sim ", "<": "<", ">": ">", "|": r"\vert ",
}


def _one_line(text: str) -> str:
    # Reasons and statements are one line; a stray newline must not end a Markdown paragraph
    # or a table row, nor leave an empty line inside a LaTeX display.
    return " ".join(str(text).split())


def _unicode_fallback(ch: str) -> str:
    return r"\texttt{U+%04X}" % ord(ch)


def _tex_text(text: str) -> str:
    """Text for LaTeX text mode (pdflatex): every special character escaped."""
    out = []
    for ch in _one_line(text):
        if ch in _TEX_TEXT:
            out.append(_TEX_TEXT[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _UNICODE_MATH:
            out.append("$%s$" % _UNICODE_MATH[ch])
        else:
            out.append(_unicode_fallback(ch))
    return "".join(out)


def _math_text(text: str) -> str:
    """Text inside a formula, as ``\\text{}`` runs with math-mode escapes between them.

    MathJax renders ``\\text{a\\_b}`` literally (it expands no macros in text), so specials are
    never put inside ``\\text{}``: ``dp_i`` becomes ``\\text{dp}\\_\\text{i}``, which KaTeX,
    MathJax and LaTeX all print as "dp_i".
    """
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(r"\text{%s}" % "".join(run))
            run.clear()

    for ch in _one_line(text):
        if ch in _MATH_SPECIAL:
            flush()
            out.append(_MATH_SPECIAL[ch])
        elif ord(ch) >= 128:
            # KaTeX in strict mode and pdflatex reject non-ASCII inside \text{}.
            flush()
            out.append(_UNICODE_MATH.get(ch, r"\text{%s}" % _unicode_fallback(ch)))
        else:
            run.append(ch)
    flush()
    return "".join(out)


# Characters with a meaning in CommonMark, GFM, kramdown (Jekyll) or Obsidian text. All of
# them accept a backslash before these ASCII punctuation characters; &, <, >, ~ become entities
# because kramdown does not accept "\~" or "\&" as escapes. "=" only matters doubled
# (Obsidian's ==highlight==), so only a run of them is escaped.
_MD_BACKSLASH = set("\\`*_{}[]#|$")
_MD_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "~": "&#126;"}


def _md_text(text: str) -> str:
    """Text for a Markdown paragraph, heading or list item."""
    line = _one_line(text)
    out = []
    for n, ch in enumerate(line):
        if ch in _MD_BACKSLASH or (ch == "=" and "==" in line[max(0, n - 1):n + 2]):
            out.append("\\" + ch)
        elif ch in _MD_ENTITY:
            out.append(_MD_ENTITY[ch])
        else:
            out.append(ch)
    escaped = "".join(out)
    # A paragraph starting with "- ", "+ " or "1. " would become a list.
    if re.match(r"[-+](\s|$)", escaped):
        return "\\" + escaped
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", escaped)


# --- check marks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mark:
    """How one step or claim was checked: ok or not, and one line saying how (starting with
    ``word`` when not ok: FAILED, or NOT PROVEN where the prover could not decide)."""

    ok: bool
    text: str
    word: str = "FAILED"


def _sizes(detail: str) -> str:
    # The prover's explicit-size detail is "K=2..6, 5 instances" (or "D=2, K=2..6, N=2, ...");
    # keep the sizes, spaced for reading.
    parts = [p.strip() for p in detail.split(",")]
    return ", ".join(re.sub(r"\s*=\s*", " = ", p) for p in parts if "=" in p)


def _check_text(check: Check) -> str:
    text = check.detail or check.status
    if check.counterexample:
        text += " (counterexample: " + ", ".join(f"{k} = {v}" for k, v in check.counterexample.items()) + ")"
    return text


def _mark(fixed: Check, general: Check) -> _Mark:
    failures = [(label, c) for label, c in (("explicit sizes", fixed), ("symbolic sizes", general)) if not c.ok]
    if failures:
        # FAILED only with a confirmed counterexample; an undecided proof is "NOT PROVEN".
        word = "FAILED" if any(c.status == FAILED for _, c in failures) else "NOT PROVEN"
        return _Mark(False, f"{word}: " + "; ".join(f"{label}: {_check_text(c)}" for label, c in failures), word)
    bits = []
    if fixed.status == PROVEN:
        sizes = _sizes(fixed.detail)
        if sizes:
            bits.append(f"for {sizes}")
        elif fixed.detail and not re.fullmatch(r"[\s,]*\d+ instances?", fixed.detail):
            bits.append(f"({fixed.detail})")
        else:
            bits.append("symbolically")
    elif fixed.status != NOT_APPLICABLE:
        bits.append(f"({fixed.status}: {fixed.detail})")
    if general.status == PROVEN:
        bits.append(general.detail or "symbolic sizes")
    elif general.status != NOT_APPLICABLE:
        bits.append(f"({general.status}: {general.detail})")
    return _Mark(True, "checked " + " and ".join(bits) if bits else "nothing to check (n/a)")


def _index_results(derivation: Derivation, steps: Sequence[StepResult],
                   claims: Sequence[ClaimResult]) -> tuple[dict[tuple[str, int], StepResult], dict[str, ClaimResult]]:
    """Results by (chain title, step) and by claim name; anything unmatched raises."""
    known_steps = {(ch.title, n) for ch in derivation.chains for n in range(len(ch.steps))}
    by_step: dict[tuple[str, int], StepResult] = {}
    for r in steps:
        key = (r.chain, r.step)
        if r.derivation != derivation.name or key not in known_steps:
            raise ValueError(f"step result {r.derivation}/{r.chain!r} step {r.step} matches no step of derivation "
                             f"{derivation.name}")
        if key in by_step:
            raise ValueError(f"two results for step {r.step} of chain {r.chain!r}")
        by_step[key] = r
    known_claims = {c.name for c in derivation.claims}
    by_claim: dict[str, ClaimResult] = {}
    for c in claims:
        if c.derivation != derivation.name or c.claim not in known_claims:
            raise ValueError(f"claim result {c.derivation}/{c.claim} matches no claim of derivation {derivation.name}")
        if c.claim in by_claim:
            raise ValueError(f"two results for claim {c.claim}")
        by_claim[c.claim] = c
    return by_step, by_claim


# --- document model ----------------------------------------------------------------------------
# Both formats are built from the same rows and paragraphs; only the wrapping differs.


@dataclass(frozen=True)
class _Style:
    """What differs between the two formats."""

    fmt: str
    text: Callable[[str], str]  # escape running text
    bold: Callable[[str], str]  # bold, of already-escaped text
    define: str  # the "is defined as" relation

    def note(self, text: str) -> str:
        """Text beside a formula (a step's reason, a definition's description)."""
        if self.fmt == "tex":
            # pdflatex can wrap it: a long reason then stays on the page instead of running off
            # the right edge (an aligned row never breaks).
            return r"\parbox[t]{0.34\linewidth}{\raggedright %s}" % _tex_text(text)
        return _math_text(text)


_MARKDOWN = _Style("markdown", _md_text, lambda s: f"**{s}**", r"\mathrel{:=}")
# \coloneqq is defined in the preamble (mathtools is not in a basic TeX Live install).
_TEX = _Style("tex", _tex_text, lambda s: r"\textbf{%s}" % s, r"\coloneqq")

_OK_MARK = r"\checkmark"


def _aligned(rows: Sequence[str]) -> str:
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def _definition_rows(derivation: Derivation, style: _Style) -> list[str]:
    return [f"{latex_expr(d.lhs)} &{style.define} {latex_expr(d.rhs)} && {style.note(d.description)}"
            for d in derivation.definitions]


def _assumption_rows(derivation: Derivation, style: _Style) -> list[str]:
    return [f"{latex_expr(a.lhs)} &= {latex_expr(a.rhs)} && {style.note(a.name)}" for a in derivation.assumptions]


def _chain_rows(chain: Chain, marks: Sequence[_Mark | None], style: _Style) -> list[str]:
    rows = []
    for n, (step, mark) in enumerate(zip(chain.steps, marks)):
        left = latex_expr(chain.label) if n == 0 else ""
        row = f"{left} &= {latex_expr(step.expr)}"
        if mark is not None:
            # The mark comes before the reason, in a column of its own, so it is never pushed
            # off the page by a long reason and every FAILED lines up with the others.
            row += " && " + (_OK_MARK if mark.ok else r"\mathbf{%s}" % mark.word.replace(" ", r"\ "))
        rows.append(row + f" && {style.note(f'({n + 1}) {step.reason}')}")
    return rows


def _claim_rows(claim: Claim) -> list[str]:
    rows = [f"{latex_expr(claim.lhs)} &{_RELATION_TEX[claim.relation]} {latex_expr(claim.rhs)}"]
    if claim.certificate is not None:
        # The proof: lhs - rhs equals a certificate that is manifestly >= 0 (> 0).
        left = latex_expr(claim.lhs) if claim.rhs == 0 else _difference(claim.lhs, claim.rhs)
        rows.append(f"{left} &= {latex_expr(claim.certificate)} {_RELATION_TEX[claim.relation]} 0")
    return rows


def _step_line(n: int, reason: str, mark: _Mark | None, assumptions: Sequence[str], style: _Style) -> str:
    status = style.text("not checked") if mark is None else (
        style.text(mark.text) if mark.ok else style.bold(mark.word) + style.text(mark.text[len(mark.word):]))
    line = f"({n}) {style.text(reason)}: {status}"
    if assumptions:
        line += style.text(f"; assumes {', '.join(assumptions)}")
    return line


def _status_line(step_marks: Sequence[_Mark], claim_marks: Sequence[_Mark], style: _Style) -> str | None:
    if not step_marks and not claim_marks:
        return None
    parts = []
    for what, marks in (("steps", step_marks), ("claims", claim_marks)):
        if marks:
            failed = sum(m.word == "FAILED" for m in marks if not m.ok)
            unproven = sum(not m.ok for m in marks) - failed
            parts.append(f"{len(marks) - failed - unproven} of {len(marks)} {what} checked"
                         + (f", {failed} FAILED" if failed else "") + (f", {unproven} NOT PROVEN" if unproven else ""))
    words = {m.word for m in [*step_marks, *claim_marks] if not m.ok}
    head = style.bold("Status: " + ("FAILED" if "FAILED" in words else "NOT PROVEN" if words else "all checked"))
    return f"{head} ({style.text('; '.join(parts))})"


def _blocks(derivation: Derivation, style: _Style, steps: Sequence[StepResult],
            claims: Sequence[ClaimResult]) -> list[tuple[str, object]]:
    """The document as (kind, payload) blocks: heading levels, paragraphs, lists, displays."""
    by_step, by_claim = _index_results(derivation, steps, claims)
    step_marks = {k: _mark(r.fixed_k, r.general_k) for k, r in by_step.items()}
    claim_marks = {k: _mark(r.fixed_k, r.general_k) for k, r in by_claim.items()}

    out: list[tuple[str, object]] = [("h1", style.text(derivation.title)), ("p", style.text(derivation.summary))]
    status = _status_line([step_marks[k] for k in sorted(step_marks)], [claim_marks[k] for k in sorted(claim_marks)],
                          style)
    if status is not None:
        out.append(("p", status))

    if derivation.definitions:
        out += [("h2", style.text("Definitions")), ("math", _aligned(_definition_rows(derivation, style)))]
    if derivation.assumptions:
        out += [("h2", style.text("Assumptions")),
                ("p", style.text("Named facts a step or claim may use; each use is listed where it occurs.")),
                ("math", _aligned(_assumption_rows(derivation, style)))]

    if derivation.chains:
        out.append(("h2", style.text("Derivations")))
    for number, chain in enumerate(derivation.chains, 1):
        marks = [step_marks.get((chain.title, n)) for n in range(len(chain.steps))]
        out.append(("h3", style.text(f"{number}. {chain.title}")))
        if not chain.steps:
            out += [("math", latex_expr(chain.label)), ("p", style.text("(no steps)"))]
            continue
        out.append(("math", _aligned(_chain_rows(chain, marks, style))))
        out.append(("list", [_step_line(n + 1, s.reason, m, [a.name for a in s.assumptions], style)
                             for n, (s, m) in enumerate(zip(chain.steps, marks))]))

    if derivation.claims:
        out.append(("h2", style.text("Claims")))
    for claim in derivation.claims:
        out.append(("h3", style.text(claim.name)))
        out.append(("p", style.text(claim.statement)))
        out.append(("math", _aligned(_claim_rows(claim))))
        result, mark = by_claim.get(claim.name), claim_marks.get(claim.name)
        items = []
        if mark is None:
            items.append(style.text("Proof: not checked"))
            declared = [a.name for a in claim.assumptions]
            items.append(style.text("Declared assumptions: " + (", ".join(declared) if declared else "none")))
        else:
            assert result is not None
            if mark.ok:
                items.append(style.text(f"Proof: {mark.text}"))
            else:
                items.append(style.text("Proof: ") + style.bold(mark.word) + style.text(mark.text[len(mark.word):]))
            used = list(result.assumptions_used)
            items.append(style.text("Assumptions used: " + (", ".join(used) if used else "none")))
        if claim.certificate is not None:
            kind = "positive" if claim.relation == ">" else "non-negative"
            items.append(style.text(f"Certificate: lhs - rhs equals the expression above, which is manifestly {kind}"))
        out.append(("list", items))
    return out


# --- the two formats ---------------------------------------------------------------------------


def _markdown(blocks: Sequence[tuple[str, object]]) -> str:
    parts = []
    for kind, payload in blocks:
        if kind in ("h1", "h2", "h3"):
            parts.append("#" * int(kind[1]) + " " + str(payload))
        elif kind == "p":
            parts.append(str(payload))
        elif kind == "list":
            parts.append("\n".join(f"- {item}" for item in payload))  # type: ignore[union-attr]
        elif kind == "math":
            # $$ on their own lines with blank lines around: kramdown then makes a display
            # block, and Obsidian/KaTeX see one block (no blank line may occur inside).
            parts.append(f"$$\n{payload}\n$$")
    return "\n\n".join(parts) + "\n"


_TEX_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage[margin=2cm]{geometry}
% \coloneqq is from mathtools/colonequals, not in a basic TeX Live install.
\providecommand{\coloneqq}{\mathrel{\mathop:}=}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5\baselineskip}
"""


def _tex(blocks: Sequence[tuple[str, object]]) -> str:
    parts = [_TEX_PREAMBLE.rstrip("\n"), r"\begin{document}"]
    for kind, payload in blocks:
        if kind == "h1":
            parts.append(r"\section*{%s}" % payload)
        elif kind == "h2":
            parts.append(r"\subsection*{%s}" % payload)
        elif kind == "h3":
            parts.append(r"\subsubsection*{%s}" % payload)
        elif kind == "p":
            parts.append(str(payload))
        elif kind == "list":
            items = "\n".join(rf"  \item {item}" for item in payload)  # type: ignore[union-attr]
            parts.append("\\begin{itemize}\n" + items + "\n\\end{itemize}")
        elif kind == "math":
            parts.append("\\[\n" + str(payload) + "\n\\]")
    parts.append(r"\end{document}")
    return "\n\n".join(parts) + "\n"


def render(derivation: Derivation, fmt: str = "markdown", *, steps: Sequence[StepResult] = (),
           claims: Sequence[ClaimResult] = ()) -> str:
    """The step-by-step document of ``derivation`` in ``fmt`` (one of :data:`FORMATS`).

    ``steps`` and ``claims`` are check results (from :func:`symxent.prove.check_chain` and
    :func:`symxent.prove.prove_claim`) for this derivation; those given are marked in the
    document, failures visibly. Results for another derivation or an unknown step raise.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    style = _MARKDOWN if fmt == "markdown" else _TEX
    blocks = _blocks(derivation, style, steps, claims)
    return _markdown(blocks) if fmt == "markdown" else _tex(blocks)
