"""Render a derivation as a step-by-step document: Markdown (MathJax/KaTeX) or standalone LaTeX.

Contract:
- :func:`render` returns, for one :class:`~symxent.registry.Derivation`, a document with its
  title and summary, one status line, its definitions (``lhs := rhs``), the named assumptions,
  every chain as an aligned chain of equalities ``label = step_1 = step_2 ...`` with each
  step's number ("(1.5)") and reason beside it, printed once, and the claims in the
  derivation's groups, each ``lhs = rhs`` (``>=``/``>`` with the certificate ``lhs - rhs =
  certificate >= 0``) with its name and statement. A claim a chain derives (the chain starts at
  its ``lhs`` and ends at its ``rhs``) is named in the chain's heading instead of restated.
- Proof results are all or nothing: every step's and every claim's result (the document then
  states each verdict: a mark on each row, and the status line with what was proven, how,
  and which named assumptions were used where), or none ("Proofs not run."). Results for only
  some items, for another derivation or for an unknown step raise ValueError: a document never
  shows an unproven item as proven, nor drops a failure. FAILED (a confirmed counterexample)
  and NOT PROVEN (undecided) are named first in the status line, marked on their rows and
  explained under their display with the prover's detail.
- Steps are numbered from 1 in every output (:func:`step_label`: "step 1.5" is the fifth step
  of the first chain), as the command line and ``symxent verify`` name them.
- ``fmt="markdown"``: CommonMark text with ``$...$`` inline math (titles, summaries, reasons and
  statements may carry it) and ``$$ ... $$`` display blocks (``aligned`` inside) that KaTeX and
  MathJax render; special characters are backslash-escaped, never HTML entities.
  ``fmt="tex"``: a standalone document for pdflatex using only packages of a basic TeX Live
  install (amsmath, amssymb, geometry), ``align*`` displays that may break across pages, and
  no row wider than the page (rows are broken as :func:`display_lines` says). Any other
  ``fmt`` raises ValueError listing :data:`FORMATS`.
- Formulas are printed from the proven expressions (or from a derivation's display forms,
  checked to be the same expressions when the derivation was built) by a printer on SymPy's
  ``LatexPrinter`` with the project's notation (:data:`NOTATION`) and the order of terms people
  write: ``-\\sum_k y_k \\log p_k``, ``p_j - \\delta_{jc}``, ``e^{z_i - \\max_r z_r}``; every
  derivative is a partial fraction, a nested sum never reuses an index bound around it, and
  exponents hold inline fractions. An expression written with ``evaluate=False`` keeps its own
  order.
- Text is escaped for where it lands: Markdown text, LaTeX text, or text inside a formula
  (built from ``\\text{}`` pieces and math-mode escapes, because MathJax does not expand macros
  inside ``\\text{}``); its ``$...$`` pieces are passed through as math.
- Output is deterministic: the same inputs give the same bytes (no dates, no set iteration).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from symxent import derive
from symxent.prove import FAILED, PROVEN, Check, ClaimResult, StepResult
from symxent.registry import Chain, Claim, Derivation

__all__ = ["FORMATS", "NOTATION", "display_lines", "latex_expr", "render", "step_label", "step_name"]

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
    "ce": r"\mathrm{ce}",  # the binary cross-entropy in the focal loss: one name, not c times e
}


# --- formulas ------------------------------------------------------------------------------


def _authored(expr: sp.Basic) -> bool:
    """Whether ``expr`` (an Add, Mul or KroneckerDelta) was written with ``evaluate=False`` in
    an order of its own: its arguments are not those SymPy's evaluation would give."""
    try:
        return tuple(expr.func(*expr.args).args) != tuple(expr.args)
    except (TypeError, ValueError):  # pragma: no cover - an argument SymPy cannot rebuild
        return False


def _factor_rank(factor: sp.Basic) -> int:
    """Where a factor goes in a product as people write it: numbers, then letters (z_i, K,
    delta_ij, sigma(z), powers of these), then bracketed sums, then log and exp, then sums and
    derivatives, which must come last (anything after a \\sum reads as summed)."""
    base = factor.base if isinstance(factor, sp.Pow) else factor
    if factor.is_Number:
        return 0
    if isinstance(base, (sp.Symbol, sp.Indexed, sp.KroneckerDelta, sp.NumberSymbol, sp.core.function.AppliedUndef)):
        return 1
    if isinstance(base, (sp.Sum, sp.Derivative, sp.Limit)):
        return 4
    if isinstance(base, sp.Add) or (isinstance(base, sp.UnevaluatedExpr) and isinstance(base.args[0], sp.Add)):
        # (1 - epsilon) w_c: a bracket of scalars is a coefficient and leads; one of entries
        # (delta_jc - p_j) follows the letters.
        return 2 if base.has(sp.Indexed, sp.KroneckerDelta, sp.core.function.AppliedUndef) else 0
    return 3


def _rank_among(factors: Sequence[sp.Basic]) -> Callable[[sp.Basic], tuple[int, int]]:
    """The sort key of a product's factors: :func:`_factor_rank`, refined as people write
    products. A bracket of scalars with a constant term is a coefficient and leads
    ((1 - epsilon) w_c, (q - 1) y); one without follows the letters. Among the letters: a
    number power of a scalar first (T^2 L), then scalars (w L_q, gamma alpha_c), then entries,
    then powers with a symbolic exponent (alpha_c pbar_c^gamma)."""

    def key(f: sp.Basic) -> tuple[int, int]:
        r = _factor_rank(f)
        if r == 0 and not f.is_Number:
            return (0, 1) if (f.base if isinstance(f, sp.Pow) else f).as_coeff_Add()[0] != 0 else (2, 0)
        if r == 1:
            if isinstance(f, sp.Pow) and f.exp.is_Number and isinstance(f.base, sp.Symbol):
                return (1, 0)
            if isinstance(f, sp.Pow) and not f.exp.is_Number:
                return (1, 3)
            if isinstance(f, sp.Symbol) and "_" not in f.name:
                return (1, 1)
            return (1, 2)
        return (r, 0)

    return key


def _flat_args(expr: sp.Basic) -> list[sp.Basic]:
    """The arguments of an authored sum or product, nested authored ones of the same kind
    spliced in, in order (an evaluated one inside stays one argument: the author's grouping)."""
    out: list[sp.Basic] = []
    for a in expr.args:
        out += _flat_args(a) if a.func is expr.func and _authored(a) else [a]
    return out


class _Printer(LatexPrinter):
    """SymPy's LaTeX printer with the project's printing rules (see the module contract).

    Terms and factors print in the order people write them (:func:`_factor_rank`; a sum's
    positive terms before its negative ones) unless the expression was written in an order of
    its own with ``evaluate=False``, which is then kept as it is. A sum's index never shadows
    the index of a sum around it; exponents hold inline fractions.
    """

    def __init__(self, settings: dict | None = None, as_written: bool = False) -> None:
        super().__init__(settings)
        # A derivation's display form: every sum keeps the order of its terms as written (an
        # Add built with evaluate=False cannot be told from an evaluated one whose terms happen
        # to be in SymPy's order).
        self._as_written = as_written
        self._bound: list[sp.Symbol] = []  # summation indices of the sums being printed
        self._in_exponent = False

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

    # --- order of terms and factors ---------------------------------------------------------

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        tex = ""
        for n, (negative, term_tex) in enumerate(self.add_terms(expr)):
            if n == 0:
                tex = ("- " if negative else "") + term_tex
            else:
                tex += (" - " if negative else " + ") + term_tex
        return tex

    def add_terms(self, expr: sp.Add) -> list[tuple[bool, str]]:
        """The terms of a sum in printing order, each as (negative, its LaTeX without the sign)."""
        if self._as_written or _authored(expr):
            terms = _flat_args(expr) if not self._as_written else list(expr.args)
        else:
            terms = list(expr.as_ordered_terms())
            # p_j - y_j, z_i - max z: a leading minus only when every term has one.
            # ... and 1 + e^{-u}, 1 + (q - 1) y: a positive constant leads (but not in an
            # exponent, where (1 - p)^{gamma + 1} is the usual order).
            leads = [t for t in terms if t.is_Number and not t.could_extract_minus_sign() and not self._in_exponent]
            terms = leads + [t for t in terms if t not in leads and not t.could_extract_minus_sign()] + \
                [t for t in terms if t.could_extract_minus_sign()]
        out = []
        for term in terms:
            if term.is_Number and term.is_negative:
                out.append((True, self._print(-term)))
                continue
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = r"\left(%s\right)" % term_tex
            negative = term_tex.startswith("- ")
            out.append((negative, term_tex[2:] if negative else term_tex))
        return out

    def _print_Mul(self, expr: sp.Mul) -> str:
        # -UnevaluatedExpr(a - b): SymPy prints the lone factor after the sign unbracketed.
        if len(expr.args) == 2 and expr.args[0] == -1 and isinstance(expr.args[1], sp.UnevaluatedExpr) \
                and self._needs_add_brackets(expr.args[1]):
            return r"- \left(%s\right)" % self._print(expr.args[1].args[0])
        authored = _authored(expr)
        factors = _flat_args(expr) if authored else list(expr.as_ordered_factors())
        coeff = sp.Integer(1)
        rest = []
        for f in factors:
            if f.is_Number:
                coeff *= f
            else:
                rest.append(f)
        negative = bool(coeff.is_negative)
        coeff = abs(coeff)
        numer = [f for f in rest if not (isinstance(f, sp.Pow) and f.exp.is_Number and f.exp.is_negative)]
        denom = [sp.Pow(f.base, -f.exp) for f in rest if f not in numer]
        if not authored:
            numer.sort(key=_rank_among(numer))
            denom.sort(key=_rank_among(denom))
        p, q = sp.fraction(coeff)
        if p != 1:
            numer.insert(0, p)
        if q != 1:
            denom.insert(0, q)
        if not denom:
            body = self._product(numer, keep_signs=authored) if numer else "1"
        else:
            # Only numbers and letters go over a short denominator; brackets, logs and sums
            # follow the fraction: \frac{\epsilon}{K} \sum_k ..., \frac{1}{T} (p_j - y_j).
            short = len(denom) == 1 and _factor_rank(denom[0]) <= 1 and not self._in_exponent
            inside = [f for f in numer if authored or not short or _factor_rank(f) in (0, 1, 3)
                      or isinstance(f, sp.Pow)]
            after = [f for f in numer if f not in inside]
            # A lone factor over or under the bar needs no brackets: \frac{e^{x}}{1 + e^{-|u|}}.
            top = (self._print(inside[0]) if len(inside) == 1 else self._product(inside)) if inside else "1"
            bottom = self._print(denom[0]) if len(denom) == 1 and not self._in_exponent else self._product(denom)
            if top.startswith("- "):
                negative, top = not negative, top[2:]
            if self._in_exponent:
                # e^{z_i / T}: a stacked fraction in an exponent is too small to read.
                # (z_i - max z) / T: whatever has a sign or a product outside brackets is bracketed.
                if (len(inside) > 1 or _signed(top)) and not _wrapped(top):
                    top = r"\left(%s\right)" % top
                if (len(denom) > 1 or _signed(bottom) or " " in bottom.strip()) and not _wrapped(bottom):
                    bottom = r"\left(%s\right)" % bottom
                body = f"{top} / {bottom}"
            else:
                body = r"\frac{%s}{%s}" % (top, bottom)
            if after:
                tail = self._product(after, first=False)
                if tail.startswith("- "):
                    negative, tail = not negative, tail[2:]
                body += " " + tail
        if body.startswith("- "):
            negative, body = not negative, body[2:]
        return ("- " if negative else "") + body

    def _product(self, factors: list[sp.Basic], first: bool = True, keep_signs: bool = False) -> str:
        """The factors side by side, bracketed where needed; "- " in front when the signs the
        factors carried out of themselves leave the product negative. ``keep_signs`` (a product
        as its author wrote it) brackets a signed factor where it stands: (1 - eps) w_c (-log p_c)."""
        parts = []
        negative = False
        for n, f in enumerate(factors):
            tex = self._print(f)
            if tex.startswith("- ") and not isinstance(f, sp.Add) and not (keep_signs and (n > 0 or not first)):
                # -\sum_k ... as a factor: its sign belongs to the whole product, and the rest
                # is bracketed as the factor without its sign would be (w_c (-log p_c) -> - w_c log p_c).
                negative, tex = not negative, tex[2:]
                f = sp.Sum(-f.function, *f.limits) if isinstance(f, sp.Sum) else -f
            leading = first and n == 0
            if self._needs_mul_brackets(f, first=leading, last=(n == len(factors) - 1)) or tex.startswith("- "):
                tex = r"\left(%s\right)" % tex
            # Two numbers side by side need a visible product sign.
            if parts and f.is_Number and factors[n - 1].is_Number:
                parts.append(r"\cdot")
            parts.append(tex)
        return ("- " if negative else "") + " ".join(parts)

    # --- exponents, functions, indices -------------------------------------------------------

    def _exponent(self, e: sp.Basic) -> str:
        saved, self._in_exponent = self._in_exponent, True
        try:
            return self._print(e)
        finally:
            self._in_exponent = saved

    def _print_exp(self, expr: sp.Basic, exp: str | None = None) -> str:
        tex = "e^{%s}" % self._exponent(expr.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_ExpBase(self, expr: sp.Basic, exp: str | None = None) -> str:
        return self._print_exp(expr, exp)

    def _print_Pow(self, expr: sp.Pow) -> str:
        if expr.base is sp.E:
            return self._print_exp(sp.exp(expr.exp, evaluate=False))
        if expr.exp.is_Rational and expr.exp.is_negative and not self._in_exponent:
            return super()._print_Pow(expr)
        if expr.exp.is_Number or expr.exp.is_Symbol:
            return super()._print_Pow(expr)
        base = self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=True) if not isinstance(
            expr.base, (sp.Symbol, sp.Indexed)) else self._print(expr.base)
        if isinstance(expr.base, sp.Function) and not isinstance(expr.base, sp.KroneckerDelta):
            base = r"\left(%s\right)" % self._print(expr.base) if not base.startswith(r"\left(") else base
        return "%s^{%s}" % (base, self._exponent(expr.exp))

    def _print_Max(self, expr: sp.Basic, exp: str | None = None) -> str:
        return self._minmax(r"\max", expr, exp)

    def _print_Min(self, expr: sp.Basic, exp: str | None = None) -> str:
        return self._minmax(r"\min", expr, exp)

    def _minmax(self, name: str, expr: sp.Basic, exp: str | None) -> str:
        # max(z, 0), as written, not SymPy's sorted max(0, z).
        args = sorted(expr.args, key=lambda a: bool(a.is_Number))
        tex = r"%s\left(%s\right)" % (name, ", ".join(self._print(a) for a in args))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_Heaviside(self, expr: sp.Heaviside, exp: str | None = None) -> str:
        # \theta(u), as written: its value at 0 (SymPy's second argument, theta(u, 1)) is the
        # claim's statement's to say.
        tex = r"\theta\left(%s\right)" % self._print(expr.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        # \log p_k for a single letter, \log\left(...\right) otherwise.
        arg = expr.args[0]
        inner = self._print(arg)
        tex = r"\log %s" % inner if isinstance(arg, (sp.Symbol, sp.Indexed)) else r"\log\left(%s\right)" % inner
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        # p_{i}, P_{n,k}: SymPy would print {p}_{i}, which renders the same but reads worse.
        base = self._print(expr.base)
        return "%s_{%s}" % (base, ",".join(self._print(i) for i in expr.indices))

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: object = None) -> str:
        first, second = expr.args[:2]
        if not (self._as_written or _authored(expr)) and _index_rank(second) < _index_rank(first):
            # SymPy sorts the indices alphabetically (delta_cj); the running index reads first.
            first, second = second, first
        i, j = self._print(first), self._print(second)
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
        body = self.parenthesize(target, PRECEDENCE["Mul"], is_neg=target.could_extract_minus_sign(), strict=True)
        if (body.startswith("- ") or isinstance(target, (sp.Sum, sp.Mul, sp.Add))) and not _wrapped(body):
            # d/dz_j (T^2 L): the operator applies to the whole product.
            body = r"\left(%s\right)" % body
        return r"%s %s" % (operator, body)

    def _print_Sum(self, expr: sp.Sum) -> str:
        # An index already bound by a sum around this one is renamed: \sum_k y_k \log \sum_k
        # e^{z_k} would read as one index. The new name is the first letter free in both.
        # atoms, not free_symbols: the index of a max inside (max_r z_r) is taken too.
        taken = set(self._bound) | expr.atoms(sp.Symbol)
        renames = {}
        for limit in expr.limits:
            var = limit[0]
            if var in self._bound:
                fresh = next(s for s in (sp.Symbol(n, integer=True) for n in _SPARE_INDICES)
                             if s not in taken and all(s.name != t.name for t in taken))
                taken.add(fresh)
                renames[var] = fresh
        if renames:
            expr = expr.xreplace(renames)
        variables = [limit[0] for limit in expr.limits]
        self._bound.extend(variables)
        try:
            # Outermost sum first, one \sum per index, instead of SymPy's \substack of ranges.
            tex = "".join(r"\sum_{%s=%s}^{%s} " % tuple(self._print(x) for x in limit)
                          for limit in reversed(expr.limits))
            body = expr.function
            if isinstance(body, sp.Add) or (body.could_extract_minus_sign() and not isinstance(body, sp.Mul)):
                return tex + r"\left(%s\right)" % self._print(body)
            inner = self._print(body)
            if inner.startswith("- "):
                # -\sum_k y_k \log p_k: the sign of every term goes in front of the sum.
                return "- " + tex + inner[2:]
            return tex + inner
        finally:
            del self._bound[-len(variables):]


def _signed(tex: str) -> bool:
    """Whether ``tex`` has a + or - outside every bracket and brace: it needs brackets before
    a "/" or after a factor."""
    depth = 0
    for n, ch in enumerate(tex):
        if tex.startswith(r"\left", n) or ch == "{":
            depth += 1
        elif tex.startswith(r"\right", n) or ch == "}":
            depth -= 1
        elif depth == 0 and ch in "+-" and n > 0:
            return True
    return False


def _wrapped(tex: str) -> bool:
    """Whether ``tex`` is one bracketed group ``\\left( ... \\right)`` from end to end."""
    if not (tex.startswith(r"\left(") and tex.endswith(r"\right)")):
        return False
    depth = 0
    for n in range(len(tex)):
        if tex.startswith(r"\left", n):
            depth += 1
        elif tex.startswith(r"\right", n):
            depth -= 1
            if depth == 0 and n + len(r"\right)") < len(tex):
                return False
    return True


# The order of a Kronecker delta's indices when the author did not fix it: row and column
# indices first, then summation indices, then the target class c (p_j - delta_jc).
_INDEX_ORDER = ("i", "j", "l", "k", "r", "s", "t", "n", "a", "b", "c")


def _index_rank(index: sp.Basic) -> tuple[int, str]:
    name = str(index)
    return (_INDEX_ORDER.index(name) if name in _INDEX_ORDER else len(_INDEX_ORDER), name)


# Indices a nested sum may be renamed to, in order of preference.
_SPARE_INDICES = ("r", "s", "t", "m", "q", "a", "b")


def latex_expr(expr: sp.Basic, *, as_written: bool = False, bound: Sequence[sp.Symbol] = ()) -> str:
    """One expression in the project's notation (``y_hat`` -> ``\\hat{y}``, ``p[i]`` -> ``p_{i}``).

    Terms and factors print in the order people write them, unless written otherwise with
    ``evaluate=False``; ``as_written`` (for a derivation's display forms) keeps the order of
    every sum's terms as they are stored."""
    expr = _products(sp.sympify(expr))
    return _printer(expr, as_written, bound).doprint(expr)


def _products(expr: sp.Basic) -> sp.Basic:
    """``expr`` with each ``xmuly(x, y)`` (x y with 0 * inf = 0, a convention of the printed code)
    as the product x y it is in mathematics, ordered and broken across lines as products are."""
    if not expr.has(derive.xmuly):
        return expr
    return expr.replace(lambda e: isinstance(e, derive.xmuly), lambda e: e.args[0] * e.args[1])


def _printer(expr: sp.Basic, as_written: bool = False, bound: Sequence[sp.Symbol] = ()) -> _Printer:
    # symbol_names is keyed by Symbol objects; build it from the names the expression uses
    # (IndexedBase labels are Symbols too, so Theta[k, e] picks up \Theta).
    names = {s: NOTATION[s.name] for s in expr.atoms(sp.Symbol) if s.name in NOTATION}
    printer = _Printer({"symbol_names": names}, as_written)
    # Indices bound by sums around this piece of a broken formula: they must not be reused.
    printer._bound.extend(bound)
    return printer


_WIDE_COMMANDS = {"log": 2.0, "max": 3.0, "min": 2.4, "exp": 2.4, "operatorname": 0.0, "mathrm": 0.0,
                  "mathit": 0.0, "text": 0.0, "mathbf": 0.0, "hat": 0.0, "tilde": 0.0, "bar": 0.0, "left": 0.0,
                  "right": 0.0, "quad": 1.0, "qquad": 2.0, "cdot": 1.0, "times": 1.5, "coloneqq": 2.0,
                  "mathrel": 0.0, "geq": 1.5, "leq": 1.5, "neq": 1.5, "partial": 0.8, "sum": 2.4, "infty": 1.2,
                  "checkmark": 1.0, "lim": 2.0, "to": 1.5}


def _width(tex: str) -> float:
    """A rough printed width of a formula, in units of one letter of display math (about
    10pt in the documents): sub- and superscripts count 0.6, a fraction its wider part,
    ``\\left``/``\\right`` and font commands nothing, operators with their spacing."""

    def group(n: int) -> tuple[float, int]:
        """The width of the group or token starting at ``n``, and where it ends."""
        if n >= len(tex):
            return 0.0, n
        if tex[n] == "{":
            depth, m = 1, n + 1
            while m < len(tex) and depth:
                depth += {"{": 1, "}": -1}.get(tex[m], 0)
                m += 1
            return run(tex[n + 1:m - 1]), m
        if tex[n] == "\\":
            m = n + 1
            while m < len(tex) and tex[m].isalpha():
                m += 1
            return (1.0 if m == n + 1 else _WIDE_COMMANDS.get(tex[n + 1:m], 1.0)), max(m, n + 2)
        return (0.0 if tex[n] == " " else 1.6 if tex[n] in "+-=<>" else 1.0), n + 1

    def run(text: str) -> float:
        nonlocal tex
        saved, tex = tex, text
        total, n, scripts = 0.0, 0, []
        try:
            while n < len(tex):
                if tex.startswith("\\frac", n):
                    top, n = group(n + 5)
                    bottom, n = group(n)
                    total += max(top, bottom)
                elif tex[n] in "_^":
                    w, n = group(n + 1)
                    scripts.append(0.6 * w)
                    continue
                else:
                    if scripts:
                        total += max(scripts)  # a sub- and a superscript stack
                        scripts = []
                    w, n = group(n)
                    total += w
            return total + (max(scripts) if scripts else 0.0)
        finally:
            tex = saved

    return run(tex)


# Widest right side, in _width units, before a row is broken at its sum's terms (the note column
# beside it); measured with TeX's own widths of the documents' formulas (6.1pt a unit, at most
# 7.5pt).
_ROW_WIDTH = 38
# The formula columns of one display together (the widest left side plus the widest right
# side): a right side is broken to fit beside the display's widest left side.
_DISPLAY_WIDTH = 44


def display_lines(expr: sp.Basic, width: float = _ROW_WIDTH, *, as_written: bool = False,
                  bound: Sequence[sp.Symbol] = ()) -> list[str]:
    """``expr`` as one line, or, when wider than ``width``, broken before the ``+``/``-`` of
    its outermost sum into lines that each fit; a product still too wide is broken between
    its factors (the next line starts with ``\\times``). Later lines start with their sign."""
    expr = _products(sp.sympify(expr))
    whole = latex_expr(expr, as_written=as_written, bound=bound)
    if _width(whole) <= width:
        return [whole]
    printer = _printer(expr, as_written, bound)
    if isinstance(expr, sp.Add):
        pieces = []
        for n, (negative, tex) in enumerate(printer.add_terms(expr)):
            sign = "- " if negative else ("" if n == 0 else "+ ")
            term = _term_expr(expr, tex, negative, as_written, bound)
            # A term still too wide is broken between its factors in turn.
            too_wide = term is not None and _width(tex) > width
            sub = display_lines(term, width - 2, as_written=as_written, bound=bound) if too_wide else [tex]
            if sub[0].startswith("- "):
                sub = [tex]  # its sign would be printed twice: keep it whole
            pieces.append(sign + sub[0])
            pieces += sub[1:]
    elif isinstance(expr, sp.Mul) and not _authored(expr) and all(
            not (isinstance(f, sp.Pow) and f.exp.is_negative) for f in expr.args):
        coeff, factors = expr.as_coeff_Mul()
        ordered = sorted(sp.Mul.make_args(factors), key=_rank_among(sp.Mul.make_args(factors)))
        wide = [f for f in ordered if isinstance(f, (sp.Add, sp.UnevaluatedExpr, sp.Sum))
                and _width(latex_expr(f, as_written=as_written, bound=bound)) > width]
        if len(wide) == 1 and isinstance(wide[0], sp.Sum) and wide[0] is ordered[-1]:
            # T^2 \sum_k y_k (...): the other factors, then the sum broken as a sum is.
            others = ordered[:-1]
            head = (latex_expr(coeff * sp.Mul(*others), as_written=as_written, bound=bound) + " "
                    if others or coeff != 1 else "")
            lines = display_lines(wide[0], width - _width(head), as_written=as_written, bound=bound)
            if len(lines) > 1:
                return [head + lines[0]] + lines[1:]
        elif len(wide) == 1 and not isinstance(wide[0], sp.Sum):
            # w (a + b + c) too wide: w \Bigl(a + b \\ + c\Bigr), the bracket broken inside.
            inner = wide[0].args[0] if isinstance(wide[0], sp.UnevaluatedExpr) else wide[0]
            others = [f for f in ordered if f is not wide[0]]
            head = (latex_expr(coeff * sp.Mul(*others), as_written=as_written, bound=bound) + " "
                    if others or coeff != 1 else "")
            lines = display_lines(inner, width - 4, as_written=as_written, bound=bound)
            if len(lines) > 1:
                return [head + r"\Bigl(" + lines[0]] + lines[1:-1] + [lines[-1] + r"\Bigr)"]
        first = coeff * ordered[0]
        pieces = [printer._product(ordered[:1]) if coeff == 1
                  else latex_expr(first, as_written=as_written, bound=bound)]
        pieces += [r"\times " + printer._product([f], first=False) for f in ordered[1:]]
    elif isinstance(expr, sp.Sum) and len(expr.limits) == 1 and isinstance(expr.function, sp.Mul) \
            and not expr.function.could_extract_minus_sign():
        # \sum_k a_k (...) \\ \times (...): the sum's factors broken, the sum sign kept in front.
        operator = r"\sum_{%s=%s}^{%s} " % tuple(latex_expr(x) for x in expr.limits[0])
        body = display_lines(expr.function, width - 2, as_written=as_written,
                             bound=tuple(bound) + (expr.limits[0][0],))
        # (An index already bound around this sum is renamed in print: keep such a sum whole.)
        if len(body) == 1 or expr.limits[0][0] in bound:
            return [whole]
        return [operator + body[0]] + body[1:]
    else:
        return [whole]
    lines: list[str] = []
    for piece in pieces:
        if lines and _width(lines[-1] + piece) <= width:
            lines[-1] += " " + piece.removeprefix(r"\times ")
        else:
            lines.append(piece)
    return lines


def _term_expr(expr: sp.Add, tex: str, negative: bool, as_written: bool,
               bound: Sequence[sp.Symbol] = ()) -> sp.Basic | None:
    """The term of ``expr`` printed as ``tex`` (without its sign), or None."""
    for term in sp.Add.make_args(expr):
        candidate = -term if negative else term
        if latex_expr(candidate, as_written=as_written, bound=bound) == tex:
            return candidate
    return None


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


def _segments(text: str) -> list[tuple[bool, str]]:
    """``text`` split into (is_math, piece): ``$...$`` is LaTeX math, ``\\$`` a dollar sign. A
    ``$`` without its closing partner is an ordinary character."""
    line = _one_line(text)
    out: list[tuple[bool, str]] = []
    plain: list[str] = []
    n = 0
    while n < len(line):
        ch = line[n]
        if ch == "\\" and line.startswith("\\$", n):
            plain.append("$")
            n += 2
            continue
        if ch == "$":
            close = n + 1
            while True:
                close = line.find("$", close)
                if close == -1 or line[close - 1] != "\\":
                    break
                close += 1
            if close > n + 1:
                if plain:
                    out.append((False, "".join(plain)))
                    plain.clear()
                out.append((True, line[n + 1:close].strip()))
                n = close + 1
                continue
        plain.append(ch)
        n += 1
    if plain:
        out.append((False, "".join(plain)))
    return out


def _unicode_fallback(ch: str) -> str:
    return r"\texttt{U+%04X}" % ord(ch)


def _tex_plain(text: str) -> str:
    out = []
    for ch in text:
        if ch in _TEX_TEXT:
            out.append(_TEX_TEXT[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _UNICODE_MATH:
            out.append("$%s$" % _UNICODE_MATH[ch])
        else:
            out.append(_unicode_fallback(ch))
    return "".join(out)


def _tex_text(text: str) -> str:
    """Text for LaTeX text mode (pdflatex): every special character escaped, ``$...$`` math kept."""
    return "".join(f"${piece}$" if math else _tex_plain(piece) for math, piece in _segments(text))


def _math_plain(text: str) -> str:
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(r"\text{%s}" % "".join(run))
            run.clear()

    for ch in text:
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


def _math_text(text: str) -> str:
    """Text inside a formula, as ``\\text{}`` runs with math-mode escapes between them, and its
    ``$...$`` pieces as math.

    MathJax renders ``\\text{a\\_b}`` literally (it expands no macros in text), so specials are
    never put inside ``\\text{}``: ``dp_i`` becomes ``\\text{dp}\\_\\text{i}``, which KaTeX,
    MathJax and LaTeX all print as "dp_i".
    """
    return "".join("{%s}" % piece if math else _math_plain(piece) for math, piece in _segments(text))


# Characters with a meaning in CommonMark, GFM or Obsidian text: a backslash before any ASCII
# punctuation character is an escape in all of them, so no HTML entity is needed. "=" only
# matters doubled (Obsidian's ==highlight==) and "&" only where it would start an entity.
_MD_BACKSLASH = set("\\`*_{}[]#|$<>~")


def _md_plain(line: str) -> str:
    out = []
    for n, ch in enumerate(line):
        if ch in _MD_BACKSLASH or (ch == "=" and "==" in line[max(0, n - 1):n + 2]) or (
                ch == "&" and re.match(r"&#?\w+;", line[n:])):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _md_text(text: str) -> str:
    """Text for a Markdown paragraph, heading or list item; ``$...$`` math kept as inline math."""
    escaped = "".join(f"${piece}$" if math else _md_plain(piece) for math, piece in _segments(text))
    # A paragraph starting with "- ", "+ " or "1. " would become a list.
    if re.match(r"[-+](\s|$)", escaped):
        return "\\" + escaped
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", escaped)


def _ref(name: str) -> str:
    """A claim's name in running text: as math, the way the rows beside the formulas print it
    (an identifier such as gradient_general, not words to escape)."""
    return "$%s$" % _name_text(name)


def _name_text(name: str) -> str:
    """A claim's name (an identifier such as ``gradient_general``) beside a formula."""
    return r"\mathit{%s}" % name.replace("_", r"\_")


# --- proof status ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Status:
    """The prover's verdict on one step or claim, for printing.

    ``word`` is "proven", "FAILED" (a confirmed counterexample) or "NOT PROVEN" (undecided);
    ``how`` says how it was proven ("for K = 2..6 and symbolic K"); ``detail`` why it is not;
    ``condition`` the denominator a proof cancelled ("holds where ... is not 0")."""

    word: str
    how: str = ""
    detail: str = ""
    condition: str | None = None

    @property
    def ok(self) -> bool:
        return self.word == PROVEN


_WHERE = re.compile(r";?\s*holds where (.*) is not 0")


def _sizes(detail: str) -> str:
    # The prover's explicit-size detail is "K=2..6, 5 instances" (or "D=2, K=2..6, N=2, ...");
    # keep the sizes, spaced as math.
    parts = [part.strip() for part in detail.split("(")[0].split(",")]
    return ", ".join(re.sub(r"\s*=\s*", " = ", part) for part in parts if "=" in part)


def _check_text(check: Check) -> str:
    text = check.detail or check.status
    if check.counterexample:
        text += " (counterexample: " + ", ".join(f"{k} = {v}" for k, v in check.counterexample.items()) + ")"
    return text


def _status(fixed: Check, general: Check) -> _Status:
    condition = None
    for check in (fixed, general):
        found = _WHERE.search(check.detail or "")
        if found:
            condition = found.group(1)
    failures = [(label, c) for label, c in (("explicit sizes", fixed), ("symbolic sizes", general)) if not c.ok]
    if failures:
        # FAILED only with a confirmed counterexample; an undecided proof is "NOT PROVEN".
        word = "FAILED" if any(c.status == FAILED for _, c in failures) else "NOT PROVEN"
        return _Status(word, detail="; ".join(f"{label}: {_check_text(c)}" for label, c in failures),
                       condition=condition)
    sizes = _sizes(fixed.detail) if fixed.status == PROVEN else ""
    general_proven = general.status == PROVEN
    if sizes:
        how = f"for ${sizes}$" + (" and symbolic $K$" if general_proven else "")
        if general.status != PROVEN and "does not depend" in (general.detail or ""):
            # Proven at explicit sizes and free of K: the prover says so, and so does the line.
            how += ", independent of $K$"
    else:
        how = "symbolically"
    return _Status(PROVEN, how=how, condition=condition)


def _derived_claims(derivation: Derivation) -> dict[str, int]:
    """Claims a chain derives (the chain starts at the claim's left side and ends at its right
    side): claim name -> chain number. They are shown once, as the chain."""
    out: dict[str, int] = {}
    for number, chain in enumerate(derivation.chains, 1):
        if not chain.steps:
            continue
        for claim in derivation.claims:
            if claim.relation == "==" and claim.name not in out and claim.lhs == chain.label \
                    and claim.rhs == chain.steps[-1].expr:
                out[claim.name] = number
    return out


def step_label(chain_number: int, step_number: int) -> str:
    """How every output names a step: "step 1.5" is the fifth step of the first chain, both
    counted from 1 as the document numbers them."""
    return f"step {chain_number}.{step_number}"


def _chain_number(derivation: Derivation, title: str) -> int:
    return next(n for n, ch in enumerate(derivation.chains, 1) if ch.title == title)


def step_name(derivation: Derivation, result: StepResult) -> str:
    """``step_label`` of a prover's step result (whose ``step`` counts from 0)."""
    return step_label(_chain_number(derivation, result.chain), result.step + 1)


def _index_results(derivation: Derivation, steps: Sequence[StepResult],
                   claims: Sequence[ClaimResult]) -> tuple[dict[tuple[str, int], StepResult], dict[str, ClaimResult]]:
    """Results by (chain title, step) and by claim name. Unmatched or duplicated results raise,
    and so does a missing one: a document either shows every verdict or says proofs were not run."""
    known_steps = {(ch.title, n) for ch in derivation.chains for n in range(len(ch.steps))}
    by_step: dict[tuple[str, int], StepResult] = {}
    for r in steps:
        key = (r.chain, r.step)
        if r.derivation != derivation.name or key not in known_steps:
            raise ValueError(f"step result {r.derivation}/{r.chain!r} step {r.step + 1} matches no step of "
                             f"derivation {derivation.name}")
        if key in by_step:
            raise ValueError(f"two results for step {r.step + 1} of chain {r.chain!r}")
        by_step[key] = r
    known_claims = {c.name for c in derivation.claims}
    by_claim: dict[str, ClaimResult] = {}
    for c in claims:
        if c.derivation != derivation.name or c.claim not in known_claims:
            raise ValueError(f"claim result {c.derivation}/{c.claim} matches no claim of derivation {derivation.name}")
        if c.claim in by_claim:
            raise ValueError(f"two results for claim {c.claim}")
        by_claim[c.claim] = c
    if by_step or by_claim:
        unmatched = sorted(known_steps - set(by_step), key=lambda x: (_chain_number(derivation, x[0]), x[1]))
        missing = [step_label(_chain_number(derivation, t), n + 1) for t, n in unmatched]
        missing += [f"claim {c}" for c in sorted(known_claims - set(by_claim))]
        if missing:
            raise ValueError(f"derivation {derivation.name}: no result for {', '.join(missing)} (give every result, "
                             f"or none for a document that says the proofs were not run)")
    return by_step, by_claim


def _condition_tex(derivation: Derivation, condition: str) -> str | None:
    """The prover's "holds where X is not 0" condition as math, read back with the
    derivation's own symbols; None when it cannot be read (it is then shown as text)."""
    names: dict[str, object] = {}
    items = [x for c in derivation.claims for x in (c.lhs, c.rhs)] + [x.rhs for x in derivation.definitions]
    # An IndexedBase's label is a Symbol of the same name: the IndexedBase must win ("z[i]"),
    # whatever the order of iteration over the atoms (which depends on the hash seed).
    for e in items:
        for base in e.atoms(sp.IndexedBase):
            names[str(base)] = base
        for f in e.atoms(sp.core.function.AppliedUndef):
            names.setdefault(str(f.func), f.func)
    for e in items:
        for atom in sorted(e.atoms(sp.Symbol), key=str):
            names.setdefault(str(atom), atom)
    try:
        expr = sp.parse_expr(condition, local_dict=names)
    except Exception:  # noqa: BLE001 - any parse failure means: show the text as it is
        return None
    return latex_expr(expr) + r" \neq 0"


# --- document model ----------------------------------------------------------------------------
# Both formats are built from the same rows and paragraphs; only the wrapping differs.


@dataclass(frozen=True)
class _Style:
    """What differs between the two formats."""

    fmt: str
    text: Callable[[str], str]  # escape running text (its $...$ pieces stay math)
    bold: Callable[[str], str]  # bold, of already-escaped text
    define: str  # the "is defined as" relation

    def note(self, text: str, name: str | None = None) -> str:
        """Text beside a formula (a step's reason, a claim's statement, a definition's
        description), after the claim's name if given."""
        if self.fmt == "tex":
            # pdflatex can wrap it: a long reason then stays on the page instead of running off
            # the right edge (an aligned row never breaks).
            label = r"\emph{%s}: " % _tex_plain(name) if name else ""
            # A long claim name may break after an underscore rather than run out of its column.
            label = label.replace(r"\_", r"\_\allowbreak{}")
            return r"\parbox[t]{\symxentnote}{\raggedright\footnotesize %s%s}" % (label, _tex_text(text))
        label = _name_text(name) + r"\text{: }" if name else ""
        return label + _math_text(text)


# The note column's width in a LaTeX display, as a fraction of the line: 0.32 beside formulas
# up to _ROW_WIDTH wide, narrower beside wider ones, so that the row stays on the page. The
# page is 510pt wide (A4, 1.5cm margins); a _width unit is 6.1pt of a display formula on average,
# taken as 6.5pt; the mark column with the gaps between the columns takes about 70pt.
_NOTE_FRACTION = 0.32
_LINE_PT, _UNIT_PT, _GAPS_PT = 510.0, 6.5, 70.0


def _note_fraction(rows: Sequence[str]) -> float:
    """The note width for one display of ``rows`` (``lhs &rel rhs && mark && note``)."""
    cells = [row.split("&") for row in rows]
    left = max((_width(c[0]) for c in cells), default=0.0)
    right = max((_width(c[1]) for c in cells if len(c) > 1), default=0.0)
    free = (_LINE_PT - _GAPS_PT - _UNIT_PT * (left + right)) / _LINE_PT
    return round(min(_NOTE_FRACTION, max(0.22, free)), 2)

_MARKDOWN = _Style("markdown", _md_text, lambda s: f"**{s}**", r"\mathrel{:=}")
# \coloneqq is defined in the preamble (mathtools is not in a basic TeX Live install).
_TEX = _Style("tex", _tex_text, lambda s: r"\textbf{%s}" % s, r"\coloneqq")

_OK_MARK = r"\checkmark"


def _aligned(rows: Sequence[str]) -> str:
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def _display(expr: sp.Expr, display: sp.Expr | None, lefts: Sequence[sp.Expr] = ()) -> list[str]:
    """The author's display form where there is one (checked equal when the derivation was
    built), else the proven expression; as lines (see :func:`display_lines`) that fit beside
    the widest of the display's left sides ``lefts``."""
    left = max((_width(latex_expr(x)) for x in lefts), default=0.0)
    width = min(_ROW_WIDTH, max(12.0, _DISPLAY_WIDTH - left))
    if display is not None:
        return display_lines(display, width, as_written=True)
    return display_lines(expr, width)


def _rows(first: str, lines: Sequence[str], tail: str, blank_tail: str) -> list[str]:
    """A relation whose right side spans ``lines``: the mark and the note on the first row,
    the other lines indented under it (``blank_tail`` keeps their columns empty)."""
    rows = [first + lines[0] + tail]
    rows += [r" &\quad " + line + blank_tail for line in lines[1:]]
    return rows


def _mark_cell(status: _Status | None) -> str:
    if status is None:
        return ""
    return " && " + (_OK_MARK if status.ok else r"\mathbf{%s}" % status.word.replace(" ", r"\ "))


def _definition_rows(derivation: Derivation, style: _Style) -> list[str]:
    return [row for d in derivation.definitions
            for row in _rows(f"{latex_expr(d.lhs)} &{style.define} ",
                             _display(d.rhs, d.display, [x.lhs for x in derivation.definitions]),
                             f" && {style.note(d.description)}", "")]


def _chain_rows(number: int, chain: Chain, statuses: Sequence[_Status | None], style: _Style) -> list[str]:
    rows = []
    for n, (step, status) in enumerate(zip(chain.steps, statuses)):
        left = latex_expr(chain.label) if n == 0 else ""
        rows += _rows(f"{left} &= ", _display(step.expr, step.display, [chain.label]),
                      _mark_cell(status) + f" && {style.note(f'({number}.{n + 1}) {step.reason}')}", "")
    return rows


# A left side wider than this (in _width units) goes on a line of its own, above its right side,
# so that it does not widen the left column of every row in its display.
_LONG_LEFT = 22


def _long_left(expr: sp.Expr) -> bool:
    return _width(latex_expr(expr)) > _LONG_LEFT


def _claim_rows(claim: Claim, status: _Status | None, style: _Style, lefts: Sequence[sp.Expr] = ()) -> list[str]:
    relation = _RELATION_TEX[claim.relation]
    tail = _mark_cell(status) + f" && {style.note(claim.display_statement or claim.statement, claim.name)}"
    lefts = [x for x in lefts if not _long_left(x)]
    if _long_left(claim.lhs):
        # lhs on its own line (in the right-hand column), then "= rhs" under it.
        rows = [f" &\\mathrel{{\\phantom{{{relation}}}}} {latex_expr(claim.lhs)}" + tail]
        rows += _rows(f" &{relation} ", _display(claim.rhs, claim.display, lefts), "", "")
    else:
        rows = _rows(f"{latex_expr(claim.lhs)} &{relation} ", _display(claim.rhs, claim.display, lefts), tail, "")
    if claim.certificate is not None:
        # The proof: lhs - rhs equals a certificate that is manifestly >= 0 (> 0).
        left = latex_expr(claim.lhs) if claim.rhs == 0 else _difference(claim.lhs, claim.rhs)
        kind = "positive" if claim.relation == ">" else "non-negative"
        rows.append(f"{left} &= {latex_expr(claim.certificate)} {relation} 0" + (" && " if status else "")
                    + f" && {style.note(f'certificate: manifestly {kind}')}")
    return rows


def _labels(labels: Sequence[str]) -> str:
    """"step 1.2", "steps 1.2, 2.1", "step 1.2 and claim gradient": labels of one kind merged."""
    parts = []
    for kind in ("step", "claim"):
        names = [x[len(kind) + 1:] for x in labels if x.startswith(kind + " ")]
        if names:
            parts.append((kind if len(names) == 1 else kind + "s") + " " + ", ".join(names))
    return " and ".join(parts)


def _problems(items: Sequence[tuple[str, _Status]], derivation: Derivation, style: _Style) -> list[str]:
    """List items for what is not proven, and for proofs that hold only where a denominator is
    not 0 (one item per condition, naming every step and claim it concerns), under the display
    that shows them."""
    lines = []
    conditions: dict[str, list[str]] = {}
    for label, status in items:
        if not status.ok:
            lines.append(style.text(label + " ") + style.bold(status.word) + style.text(": " + status.detail))
        elif status.condition is not None:
            conditions.setdefault(status.condition, []).append(label)
    for condition, labels in conditions.items():
        tex = _condition_tex(derivation, condition)
        where = f"${tex}$" if tex is not None else condition.replace("$", "\\$")
        verb = "holds" if len(labels) == 1 else "hold"
        lines.append(style.text(f"{_labels(labels)} {verb} where {where}"))
    return lines


def _summary_line(derivation: Derivation, step_status: Mapping[tuple[str, int], _Status],
                  claim_status: Mapping[str, _Status], claim_results: Mapping[str, ClaimResult],
                  style: _Style) -> str:
    """The one status line at the top: what was proven and how, which named assumptions were
    used where, and first of all anything that failed or is not proven."""
    if not step_status and not claim_status:
        return style.bold(style.text("Proofs not run.")) + " " + style.text(
            "Run `symxent latex` without `--no-proofs` for each step's and claim's verdict.")
    labels = {key: step_label(_chain_number(derivation, key[0]), key[1] + 1) for key in step_status}
    order = sorted(step_status, key=lambda key: (_chain_number(derivation, key[0]), key[1]))
    parts = []
    for word in ("FAILED", "NOT PROVEN"):
        bad = [labels[k] for k in order if step_status[k].word == word]
        bad += [f"claim {_ref(c.name)}" for c in derivation.claims
                if c.name in claim_status and claim_status[c.name].word == word]
        if bad:
            parts.append(style.bold(word) + style.text(": " + ", ".join(bad)))
    n_steps = sum(s.ok for s in step_status.values())
    n_claims = sum(s.ok for s in claim_status.values())
    hows: dict[str, int] = {}
    for st in [*step_status.values(), *claim_status.values()]:
        if st.ok:
            hows[st.how] = hows.get(st.how, 0) + 1
    counted = " and ".join(f"{n} {what}{'' if n == 1 else 's'}" for n, what in ((n_steps, "step"), (n_claims, "claim"))
                           if n or what == "claim")
    # "Proven: 12 steps and 20 claims, for K = 2..6 and symbolic K" when all are; otherwise the
    # failures first, then "11 steps and 20 claims proven for ...".
    verb = "," if not parts else " proven"
    if not hows:
        proven = "nothing proven"
    elif len(hows) == 1:
        proven = f"{counted}{verb} {next(iter(hows))}"
    else:
        proven = f"{counted}{verb.rstrip(',')}: " + ", ".join(
            f"{n} {how}" for how, n in sorted(hows.items(), key=lambda x: -x[1]))
    head = "Proven" if not parts else "Status"
    text = style.bold(head + ":") + " " + "; ".join(parts + [style.text(proven)])
    # Which named assumption each proof used: steps are proven under the ones they list,
    # claims report the ones the prover needed.
    uses: dict[str, list[str]] = {}
    for key in order:
        if step_status[key].ok:
            for chain in derivation.chains:
                if chain.title == key[0]:
                    for a in chain.steps[key[1]].assumptions:
                        uses.setdefault(a.name, []).append(labels[key])
    for claim in derivation.claims:
        result = claim_results.get(claim.name)
        if result is not None and result.ok:
            for name in result.assumptions_used:
                uses.setdefault(name, []).append(f"claim {_ref(claim.name)}")
    if uses:
        said = []
        for name, where in uses.items():
            steps_ = [w for w in where if w.startswith("step")]
            claims_ = [w[len("claim "):] for w in where if w.startswith("claim")]
            bits = []
            if steps_:
                bits.append(", ".join(steps_) if len(steps_) <= 3 else f"{len(steps_)} steps")
            if claims_:
                bits.append(("claim " if len(claims_) == 1 else "claims ") + ", ".join(claims_)
                            if len(claims_) <= 3 else f"{len(claims_)} claims")
            said.append(f"{name} (in {' and '.join(bits)})")
        text += style.text("; assumption" + ("s" if len(said) > 1 else "") + " used: " + "; ".join(said))
    return text + style.text(".")


def _blocks(derivation: Derivation, style: _Style, steps: Sequence[StepResult],
            claims: Sequence[ClaimResult]) -> list[tuple[str, object]]:
    """The document as (kind, payload) blocks: heading levels, paragraphs, lists, displays."""
    by_step, by_claim = _index_results(derivation, steps, claims)
    step_status = {k: _status(r.fixed_k, r.general_k) for k, r in by_step.items()}
    claim_status = {k: _status(r.fixed_k, r.general_k) for k, r in by_claim.items()}
    derived = _derived_claims(derivation)

    out: list[tuple[str, object]] = [("h1", style.text(derivation.title)), ("p", style.text(derivation.summary)),
                                     ("p", _summary_line(derivation, step_status, claim_status, by_claim, style))]

    if derivation.definitions:
        out += [("h2", style.text("Definitions")), ("math", _aligned(_definition_rows(derivation, style)))]
    if derivation.assumptions:
        facts = "; ".join(f"${latex_expr(a.lhs)} = {latex_expr(a.rhs)}$ ({a.name.replace('$', '')})"
                          for a in derivation.assumptions)
        out.append(("p", style.bold(style.text("Assumptions.")) + " " + style.text(
            f"Named facts a proof may use, reported where it does: {facts}.")))

    if derivation.chains:
        out.append(("h2", style.text("Derivations")))
    for number, chain in enumerate(derivation.chains, 1):
        statuses = [step_status.get((chain.title, n)) for n in range(len(chain.steps))]
        claimed = [name for name, n in derived.items() if n == number]
        title = chain.title + (f" (claim {', '.join(_ref(n) for n in claimed)})" if claimed else "")
        # The number outside the escaping: "1." in a heading starts no list, so needs no "\.".
        out.append(("h3", f"{number}. " + style.text(title)))
        if not chain.steps:
            out += [("math", latex_expr(chain.label)), ("p", style.text("(no steps)"))]
            continue
        out.append(("math", _aligned(_chain_rows(number, chain, statuses, style))))
        items = [(step_label(number, n + 1), st) for n, st in enumerate(statuses) if st is not None]
        items += [(f"claim {_ref(name)}", claim_status[name]) for name in claimed if name in claim_status]
        problems = _problems(items, derivation, style)
        if problems:
            out.append(("list", problems))

    shown = [c for c in derivation.claims if c.name not in derived]
    groups = [(title, [derivation.claim(n) for n in names if n not in derived]) for title, names in derivation.groups]
    grouped = {c.name for _, members in groups for c in members}
    rest = [c for c in shown if c.name not in grouped]
    if rest:
        groups.append(("Other claims" if groups else "", rest))
    groups = [(title, members) for title, members in groups if members]
    if groups:
        out.append(("h2", style.text("Claims")))
    for title, members in groups:
        if title:
            out.append(("h3", style.text(title)))
        lefts = [c.lhs for c in members]
        rows = [row for c in members for row in _claim_rows(c, claim_status.get(c.name), style, lefts)]
        out.append(("math", _aligned(rows)))
        problems = _problems([(f"claim {_ref(c.name)}", claim_status[c.name])
                              for c in members if c.name in claim_status],
                             derivation, style)
        if problems:
            out.append(("list", problems))
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


_TEX_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage[margin=1.5cm]{geometry}
% \coloneqq is from mathtools/colonequals, not in a basic TeX Live install.
\providecommand{\coloneqq}{\mathrel{\mathop:}=}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.3\baselineskip}
% Long groups of claims continue on the next page.
\allowdisplaybreaks
% Limits beside sums and maxima, as in running text: a stacked \sum_{k=1}^{K} makes every row
% it is in three lines high, and the derivations would not fit on their pages.
\let\symxentsum\sum \renewcommand{\sum}{\symxentsum\nolimits}
\let\symxentmax\max \renewcommand{\max}{\symxentmax\nolimits}
% Tighter headings and displays than article's defaults (a derivation is mostly displays).
\makeatletter
\renewcommand\subsection{\@startsection{subsection}{2}{\z@}{-1.6ex\@plus -.5ex \@minus -.2ex}%
  {0.8ex \@plus .2ex}{\normalfont\large\bfseries}}
\renewcommand\subsubsection{\@startsection{subsubsection}{3}{\z@}{-1.4ex\@plus -.5ex \@minus -.2ex}%
  {0.5ex \@plus .2ex}{\normalfont\normalsize\bfseries}}
\makeatother
\AtBeginDocument{\setlength{\abovedisplayskip}{4pt}\setlength{\belowdisplayskip}{4pt}}
\setlength{\jot}{1pt}
% The width of the notes beside a display (set before each one).
\newlength{\symxentnote}
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
            # align*, not an aligned block: with allowdisplaybreaks a long group of claims
            # continues on the next page instead of being pushed off the bottom of this one.
            body = str(payload).removeprefix("\\begin{aligned}\n").removesuffix("\n\\end{aligned}")
            width = _note_fraction(body.split(" \\\\\n"))
            parts.append("\\setlength{\\symxentnote}{%.2f\\linewidth}\n" % width
                         + "\\begin{align*}\n" + body + "\n\\end{align*}")
    parts.append(r"\end{document}")
    return "\n\n".join(parts) + "\n"


def render(derivation: Derivation, fmt: str = "markdown", *, steps: Sequence[StepResult] = (),
           claims: Sequence[ClaimResult] = ()) -> str:
    """The step-by-step document of ``derivation`` in ``fmt`` (one of :data:`FORMATS`).

    ``steps`` and ``claims`` are the prover's results (:func:`symxent.prove.check_chain`,
    :func:`symxent.prove.prove_claim`) for this derivation: all of them, and the document shows
    every verdict; or none, and it says the proofs were not run. Results for another derivation,
    an unknown step, or only some of the results raise ValueError.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    style = _MARKDOWN if fmt == "markdown" else _TEX
    blocks = _blocks(derivation, style, steps, claims)
    return _markdown(blocks) if fmt == "markdown" else _tex(blocks)
