"""Notation layer for ``symxent check``: find equality chains in notes and turn
hand-written LaTeX into concrete SymPy expressions.

Contract
--------
* :func:`extract_chains` finds every chain ``A = B = C ...`` in a Markdown or
  LaTeX note (display math ``$$``, ``\\[ \\]``, ``equation``/``align``/... envs,
  ``aligned``/``split`` rows joined by ``&=``, and inline ``$...$`` only when it
  is an equality).  Every chain element remembers its offset in the file so
  reports can point at the line where a right-hand side starts.
* :class:`Notation` parses one element (:meth:`Notation.parse`) with SymPy's
  LaTeX parser (antlr backend) after rewriting the notation people use
  (``\\hat y_j``, ``y^{(n)}_k``, ``\\mathrm{softmax}(z)_i``, ``\\delta_{ij}``,
  ``\\mathbb{1}[i=j]``, ``\\frac{\\partial \\ell}{\\partial z_j}``, ``cases``...)
  into placeholder symbols the parser keeps intact.  The result is a *raw*
  expression whose placeholders still carry index letters.
* :meth:`Notation.concretize` instantiates a raw expression for concrete index
  values (classes 1..K, samples 1..N), expands sums, Kronecker deltas,
  definitions, softmax/sigmoid and derivatives, and returns an expression in
  the base variables ``z``, ``y`` and any free scalars.
* Problems in the input raise :class:`Unparsed` (with an absolute offset when
  one is known) or :class:`NotCheckable`; nothing else is expected to escape.

Index conventions: a subscript on ``z``, ``y``, ``\\hat y`` is a class index;
``^{(n)}`` is a sample index; two subscripts (``Z_{ij}``) are (sample, class).
An unsubscripted ``\\hat y`` is ``sigma(z)`` unless the note indexes classes
(then it is the softmax vector and the step is checked elementwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

import sympy
from sympy.core.function import AppliedUndef


class Unparsed(Exception):
    """The LaTeX could not be understood; ``pos`` is an absolute file offset or None."""

    def __init__(self, msg: str, pos: int | None = None):
        super().__init__(msg)
        self.msg = msg
        self.pos = pos


class NotCheckable(Exception):
    """Parsed fine, but the claim is outside what can be verified."""


# ---------------------------------------------------------------------------
# Chain extraction
# ---------------------------------------------------------------------------

@dataclass
class Part:
    """One element of a chain: text pieces with their absolute offsets."""

    segments: list[tuple[int, str]]

    @property
    def text(self) -> str:
        return " ".join(s for _, s in self.segments)

    @property
    def start(self) -> int:
        for off, s in self.segments:
            stripped = len(s) - len(s.lstrip())
            if s.strip():
                return off + stripped
        return self.segments[0][0]

    def abs_pos(self, rel: int) -> int:
        # Map an offset in ``text`` back to the file (segments are joined by one space).
        for off, s in self.segments:
            if rel <= len(s):
                return off + rel
            rel -= len(s) + 1
        return self.segments[-1][0] + len(self.segments[-1][1])


@dataclass
class Chain:
    parts: list[Part]
    relations: list[str]  # relations[t] sits between parts[t] and parts[t+1]
    # conditions[t] applies to the step ending at part t (and later ones)
    conditions: dict[int, tuple[str, int]] = field(default_factory=dict)
    inline: bool = False


_FLATTEN_ENVS = r"(?:aligned|alignedat|split|gathered|align\*?|equation\*?|gather\*?|multline\*?|eqnarray\*?|flalign\*?|alignat\*?|array)"
_DISPLAY_ENVS = r"(equation|align|gather|multline|eqnarray|flalign|alignat|displaymath|math)(\*?)"
_RELATION_CMDS = {
    "approx": "≈", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "propto": "∝",
    "coloneqq": ":=", "triangleq": ":=", "equiv": "≡", "simeq": "≈", "neq": "≠", "ne": "≠",
}


def _blank(text: str, start: int, end: int) -> str:
    """Replace text[start:end] with spaces, keeping newlines (offsets stay valid)."""
    chunk = "".join("\n" if c == "\n" else " " for c in text[start:end])
    return text[:start] + chunk + text[end:]


def _mask_percent_comments(text: str) -> str:
    out = list(text)
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            i += 2
            continue
        if c == "%":
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        i += 1
    return "".join(out)


def _mask_markdown(text: str) -> str:
    for pat in (r"<!--.*?-->", r"^(```|~~~).*?^\1[^\n]*$", r"`[^`\n]+`"):
        for m in re.finditer(pat, text, flags=re.S | re.M):
            text = _blank(text, m.start(), m.end())
    return text


def _math_blocks(text: str, is_tex: bool) -> list[tuple[int, int, bool]]:
    """(start, end, inline) of math content, in file order, non-overlapping."""
    spans: list[tuple[int, int, bool]] = []
    pats = [
        (r"\$\$(.+?)\$\$", 1),
        (r"\\\[(.+?)\\\]", 1),
        (r"\\begin\{" + _DISPLAY_ENVS + r"\}(.*?)\\end\{\1\2\}", 3),
    ]
    for pat, grp in pats:
        for m in re.finditer(pat, text, flags=re.S):
            spans.append((m.start(grp), m.end(grp), False))
    spans.sort()
    display: list[tuple[int, int, bool]] = []
    for s in spans:
        if display and s[0] < display[-1][1]:
            continue  # nested (e.g. align inside $$): the outer block wins
        display.append(s)
    masked = text
    for s, e, _ in display:
        masked = _blank(masked, max(0, s - 2), min(len(masked), e + 2))
    inline = []
    for m in re.finditer(r"(?<![\\$])\$([^$\n]+?)(?<!\\)\$(?!\$)", masked):
        inline.append((m.start(1), m.end(1), True))
    for m in re.finditer(r"\\\((.+?)\\\)", masked):
        inline.append((m.start(1), m.end(1), True))
    return sorted(display + inline)


def _depths(s: str) -> list[int]:
    """Bracket depth before each character (cases/matrix environments count as brackets)."""
    d = 0
    out = [0] * (len(s) + 1)
    i = 0
    n = len(s)
    while i < n:
        out[i] = d
        c = s[i]
        if c == "\\":
            m = re.match(r"\\(begin|end)\{([^}]*)\}", s[i:])
            if m:
                width = m.end()
                if m.group(1) == "begin":
                    for k in range(i, i + width):
                        out[k] = d
                    d += 1
                else:
                    d = max(0, d - 1)
                    for k in range(i, i + width):
                        out[k] = d
                i += width
                continue
            m = re.match(r"\\[a-zA-Z]+", s[i:])
            if m:
                for k in range(i, i + m.end()):
                    out[k] = d
                i += m.end()
                continue
            if i + 1 < n:
                out[i + 1] = d
                if s[i + 1] == "{":
                    d += 1
                elif s[i + 1] == "}":
                    d = max(0, d - 1)
            i += 2
            continue
        if c in "{([":
            d += 1
        elif c in "})]":
            d = max(0, d - 1)
        i += 1
    out[n] = d
    return out


_COND_RE = re.compile(
    r"(?:,|\\quad|\\qquad|\\[,;: ]|~|\s)*"
    r"(?:\\(?:text|mbox|textrm|mathrm)\{\s*(?:for|if|when)\b[^}]*\}|(?<![a-zA-Z\\])(?:for|if|when)\s*(?:\\ |~))"
)


def _split_block(content: str, offset: int, inline: bool) -> list[tuple[list[tuple[int, str]], list[str], tuple[str, int] | None]]:
    """Rows of a block; each row -> (parts as (abs_offset, text), relations, condition)."""
    # Environment markers and tags carry no math: blank them, keep offsets.
    for pat in (r"\\(?:begin|end)\{" + _FLATTEN_ENVS + r"\}(?:\{[^}]*\})?", r"\\(?:label|tag)\*?\{[^}]*\}", r"\\(?:nonumber|notag)\b"):
        for m in re.finditer(pat, content):
            content = _blank(content, m.start(), m.end())
    # \stackrel{def}{=} and friends are just "="
    for m in re.finditer(r"\\(?:stackrel|overset)\{[^{}]*\}\{=\}", content):
        content = content[: m.start()] + " " * (m.end() - m.start() - 1) + "=" + content[m.end():]
    depth = _depths(content)
    rows: list[tuple[int, int]] = []
    start = 0
    i = 0
    while i < len(content):
        if content.startswith("\\\\", i) and depth[i] == 0:
            rows.append((start, i))
            i += 2
            start = i
            continue
        if content[i] == "\\":
            i += 2
            continue
        i += 1
    rows.append((start, len(content)))
    result = []
    for rs, re_ in rows:
        cond = None
        for m in _COND_RE.finditer(content, rs, re_):
            if m.group(0).strip() and depth[m.start()] == 0 and re.search(r"(for|if|when)", m.group(0)):
                cond = (content[m.start():re_], offset + m.start())
                re_ = m.start()
                break
        parts: list[tuple[int, str]] = []
        rels: list[str] = []
        ps = rs
        i = rs
        while i < re_:
            c = content[i]
            if c == "\\":
                m = re.match(r"\\([a-zA-Z]+)", content[i:re_])
                if m:
                    name = m.group(1)
                    if depth[i] == 0 and name in _RELATION_CMDS and _RELATION_CMDS[name] != "≠":
                        parts.append((offset + ps, content[ps:i]))
                        rels.append(_RELATION_CMDS[name])
                        ps = i + m.end()
                    i += m.end()
                    continue
                i += 2
                continue
            if depth[i] == 0 and c in "=<>":
                text = content[ps:i]
                rel = c
                if c == "=" and text.rstrip().endswith(":"):
                    text = text.rstrip()[:-1]
                    rel = ":="
                parts.append((offset + ps, text))
                rels.append(rel)
                ps = i + 1
            i += 1
        parts.append((offset + ps, content[ps:re_]))
        # '&' only aligns; drop it (same length, offsets preserved)
        parts = [(o, _strip_amp(t)) for o, t in parts]
        result.append((parts, rels, cond))
    return result


def _strip_amp(t: str) -> str:
    depth = _depths(t)
    return "".join(" " if (c == "&" and depth[k] == 0 and (k == 0 or t[k - 1] != "\\")) else c for k, c in enumerate(t))


def extract_chains(text: str, is_tex: bool) -> list[Chain]:
    """Every chain of (in)equalities in the note, in file order."""
    masked = _mask_percent_comments(text) if is_tex else _mask_markdown(text)
    chains: list[Chain] = []
    for s, e, inline in _math_blocks(masked, is_tex):
        content = _mask_percent_comments(masked[s:e])
        current: Chain | None = chains[-1] if (chains and not inline and not chains[-1].inline) else None
        first_row = True
        for parts, rels, cond in _split_block(content, s, inline):
            head_empty = not parts[0][1].strip()
            if rels and head_empty and current is not None:
                # "&= ..." continues the chain (also across blocks)
                first_new = len(current.parts)
                for o, t in parts[1:]:
                    current.parts.append(Part([(o, t)]))
                current.relations.extend(rels)
                if cond:
                    current.conditions[first_new] = cond
            elif rels and not head_empty:
                current = Chain([Part([(o, t)]) for o, t in parts], list(rels), inline=inline)
                if cond:
                    current.conditions[1] = cond
                chains.append(current)
            elif not rels and parts[0][1].strip() and current is not None and not first_row:
                # a row without a relation continues the last expression
                current.parts[-1].segments.append(parts[0])
                if cond:
                    current.conditions.setdefault(len(current.parts) - 1, cond)
            elif not rels and parts[0][1].strip():
                current = None
            first_row = False
        if inline:
            current = None
    return [c for c in chains if len(c.parts) >= 2]


# ---------------------------------------------------------------------------
# LaTeX -> raw SymPy
# ---------------------------------------------------------------------------

GREEK = {
    "alpha", "beta", "gamma", "epsilon", "varepsilon", "eta", "theta", "lambda", "mu", "nu",
    "tau", "phi", "varphi", "rho", "omega", "kappa", "xi", "zeta", "psi", "chi", "Lambda", "Theta",
}
KNOWN_MACROS = GREEK | {
    "frac", "dfrac", "tfrac", "partial", "hat", "widehat", "ell", "log", "ln", "exp", "sum",
    "cdot", "odot", "times", "ast", "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr",
    "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr", "mathrm", "operatorname", "text", "textrm",
    "mbox", "mathbb", "mathbf", "boldsymbol", "bm", "vec", "mathcal", "mathit", "mathsf", "mathds",
    "delta", "sigma", "quad", "qquad", "displaystyle", "textstyle", "limits", "nolimits", "begin", "end",
    "sqrt", "neq", "ne", "leq", "le", "geq", "ge", "approx", "propto", "in", "coloneqq", "triangleq",
    "equiv", "stackrel", "overset", "nabla", "tanh", "softmax", "sigmoid", "label", "tag", "nonumber",
    "notag", "lbrack", "rbrack", "lbrace", "rbrace", "mid", "vert", "lvert", "rvert", "one",
}
UNSUPPORTED_MACROS = {
    "cdots": "ellipsis (\\cdots) cannot be expanded", "ldots": "ellipsis (\\ldots) cannot be expanded",
    "dots": "ellipsis (\\dots) cannot be expanded", "top": "transpose is not supported",
    "intercal": "transpose is not supported", "int": "integrals are not supported",
    "prod": "products \\prod are not supported", "max": "max is not supported", "min": "min is not supported",
}
BUILTIN_BASES = {"z", "y", "yhat", "Z", "Y", "Yhat", "delta", "softmax", "K", "N", "ind"}
FUNCTION_LETTERS = {"f", "g", "h"}
LOSS_NAMES = {"ell", "L", "calL", "J", "E"}  # a bare f(x) is an unknown function, not f*x
INDEX_LETTERS = set("ijklcnm")


@dataclass(frozen=True)
class Atom:
    """A variable as written: base name, index tokens, optional sample index."""

    base: str
    idx: tuple[str, ...] = ()
    sample: str | None = None
    arg: object = None  # raw argument for softmax atoms
    neg: bool = False  # for indicator atoms: [a != b]

    def latex(self) -> str:
        s = {"yhat": "\\hat y", "Yhat": "\\hat Y", "ell": "\\ell"}.get(self.base, self.base)
        if self.sample:
            s += f"^{{({self.sample})}}"
        if self.idx:
            s += "_{" + "".join(self.idx) + "}"
        return s


def _read_group(s: str, i: int) -> tuple[str, int]:
    """TeX argument at s[i:]: a braced group or one token. Returns (content, end)."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        raise Unparsed("missing argument")
    if s[i] == "{":
        d = 0
        for j in range(i, len(s)):
            if s[j] == "{" and (j == 0 or s[j - 1] != "\\"):
                d += 1
            elif s[j] == "}" and s[j - 1] != "\\":
                d -= 1
                if d == 0:
                    return s[i + 1:j], j + 1
        raise Unparsed("unbalanced '{'")
    m = re.match(r"\\[a-zA-Z]+|\\.|.", s[i:])
    return m.group(0), i + m.end()


def _match_close(s: str, i: int, open_: str, close: str) -> int:
    d = 0
    for j in range(i, len(s)):
        if s[j] == open_:
            d += 1
        elif s[j] == close:
            d -= 1
            if d == 0:
                return j
    raise Unparsed(f"unbalanced '{open_}'")


def check_balance(text: str) -> tuple[str, int] | None:
    """First bracket problem as (message, relative offset), or None.

    Escaped braces \\{ \\} and \\left. / \\right. are not counted: they pair loosely in real notes.
    """
    stack: list[tuple[str, int]] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            m = re.match(r"\\[a-zA-Z]+", text[i:])
            i += m.end() if m else 2
            continue
        if c in "([{":
            stack.append((c, i))
        elif c in ")]}":
            if not stack or stack[-1][0] != pairs[c]:
                return (f"unbalanced '{c}'", i)
            stack.pop()
        i += 1
    if stack:
        c, pos = stack[-1]
        return (f"unbalanced '{c}' (never closed)", pos)
    return None


def check_macros(text: str) -> tuple[str, int] | None:
    for m in re.finditer(r"\\([a-zA-Z]+)", text):
        name = m.group(1)
        if name in UNSUPPORTED_MACROS:
            return (UNSUPPORTED_MACROS[name], m.start())
        if name not in KNOWN_MACROS:
            return (f"unknown macro \\{name}", m.start())
    return None


def _parse_latex(src: str) -> sympy.Expr:
    """SymPy's antlr LaTeX parser, trying antlr's fast SLL prediction first.

    SymPy always runs antlr in full LL mode, which costs ~0.1 s per expression;
    SLL gives the same trees ~12x faster and, as usual with antlr's two-stage
    parsing, any failure is retried with SymPy's own (LL) entry point.
    """
    from sympy.parsing.latex import parse_latex
    try:
        import antlr4
        from antlr4.atn.PredictionMode import PredictionMode
        from sympy.parsing.latex import _parse_latex_antlr as impl

        src = src.strip()
        listener = impl.MathErrorListener(src)
        lexer = impl.LaTeXLexer(antlr4.InputStream(src))
        lexer.removeErrorListeners()
        lexer.addErrorListener(listener)
        parser = impl.LaTeXParser(antlr4.CommonTokenStream(lexer))
        parser.removeErrorListeners()
        parser.addErrorListener(listener)
        parser._interp.predictionMode = PredictionMode.SLL
        return impl.convert_relation(parser.math().relation())
    except Exception:  # SLL ambiguity, or SymPy internals moved: use the public API
        return parse_latex(src, backend="antlr")


class Notation:
    """Parser and evaluator for the notation of one note (definitions accumulate)."""

    def __init__(self, K: int = 3, N: int = 2):
        self.K = K
        self.N = N
        self.atoms: dict[str, Atom] = {}
        self._atom_names: dict[Atom, str] = {}
        self.definitions: dict[str, "Definition"] = {}
        self.vector_mode = False
        self._vars: dict[tuple, sympy.Symbol] = {}
        self.var_info: dict[sympy.Symbol, tuple] = {}
        self._lazy: dict[tuple, sympy.Symbol] = {}
        self.lazy_info: dict[sympy.Symbol, tuple] = {}
        self._lazy_cache: dict[sympy.Symbol, sympy.Expr] = {}

    # -- placeholders -----------------------------------------------------
    def _placeholder(self, atom: Atom) -> str:
        name = self._atom_names.get(atom)
        if name is None:
            k = len(self._atom_names)
            letters = ""
            while True:
                letters = chr(ord("a") + k % 26) + letters
                k //= 26
                if k == 0:
                    break
            name = "zq" + letters
            self._atom_names[atom] = name
            self.atoms[name] = atom
        return "\\" + name + " "

    # -- parsing ------------------------------------------------------------
    def parse(self, text: str) -> sympy.Expr:
        """Raw SymPy expression for one chain element (raises Unparsed with relative pos)."""
        lead = len(text) - len(text.lstrip())  # positions are reported relative to the raw part
        text = text.strip().rstrip(",.;").strip()
        if not text:
            raise Unparsed("empty expression")
        problem = check_balance(text) or check_macros(text)
        if problem:
            raise Unparsed(problem[0], problem[1] + lead)
        src = self._rewrite(text)
        try:
            expr = _parse_latex(src)
        except Exception as exc:  # the parser raises several exception types
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise Unparsed(f"LaTeX parser: {first}") from None
        if isinstance(expr, sympy.core.relational.Relational):
            raise Unparsed("unexpected relation inside an expression")
        return expr

    def _rewrite(self, s: str) -> str:
        # spacing, sizing and font wrappers carry no meaning
        s = re.sub(r"\\(?:left|right)\s*\.", " ", s)
        s = re.sub(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\s*", "", s)
        s = re.sub(r"\\(?:quad|qquad|displaystyle|textstyle|limits|nolimits)(?![a-zA-Z])", " ", s)
        s = re.sub(r"\\[,;:! ]|~", " ", s)
        s = s.replace("\\lbrack", "[").replace("\\rbrack", "]").replace("\\lbrace", "\\{").replace("\\rbrace", "\\}")
        s = re.sub(r"\\(?:odot|times|ast)(?![a-zA-Z])", r"\\cdot ", s)
        s = re.sub(r"\\[dt]frac(?![a-zA-Z])", r"\\frac", s)
        s = re.sub(r"\\frac\s*(\d)\s*(\d|[a-zA-Z])", r"\\frac{\1}{\2}", s)
        s = re.sub(r"\\frac\s*(\d)\s*\{", r"\\frac{\1}{", s)
        s = self._rewrite_indicators(s)
        s = self._rewrite_cases(s)
        s = re.sub(r"\\(?:mathbf|boldsymbol|bm|vec|mathit)\s*\{([^{}]*)\}", r"\1", s)
        s = re.sub(r"\\(?:mathbf|boldsymbol|bm|vec)\s+([a-zA-Z])", r"\1", s)
        s = re.sub(r"\\(?:mathrm|operatorname|text|textrm|mathsf)\s*\{\s*(?:softmax|SOFTMAX|Softmax)\s*\}|\\softmax(?![a-zA-Z])", r"\\zqSOFTMAX", s)
        s = re.sub(r"\\(?:mathrm|operatorname|text|textrm|mathsf)\s*\{\s*(?:sigmoid|sigm)\s*\}|\\sigmoid(?![a-zA-Z])", r"\\sigma", s)
        s = re.sub(r"\\(?:mathrm|operatorname|text)\s*\{\s*(exp|log|ln|tanh)\s*\}", r"\\\1", s)
        s = re.sub(r"\\(?:mathrm|operatorname)\s*\{\s*([de])\s*\}", r"\1", s)
        s = re.sub(r"\\sigma\s*'\s*", r"\\zqdsigma", s)
        s = self._rewrite_softmax(s)
        s = self._rewrite_derivatives(s)
        s = self._rewrite_sums(s)
        s = self._rewrite_atoms(s)
        s = re.sub(r"\\zqSIGMA", r"\\sigma", s)
        return s

    def _indicator(self, cond: str) -> str:
        m = re.fullmatch(r"\s*([a-zA-Z0-9])\s*(=|\\neq|\\ne|!=)\s*([a-zA-Z0-9])\s*", cond)
        if not m:
            raise Unparsed(f"indicator condition not understood: {cond.strip()}")
        a, op, b = m.groups()
        ph = self._placeholder(Atom("ind", (a, b)))
        return ph if op == "=" else f"(1-{ph})"

    def _rewrite_indicators(self, s: str) -> str:
        head = r"(?:\\(?:mathbb|mathbf|mathrm|mathds|mathbb)\s*\{\s*(?:1|I)\s*\}|\\mathbb\s*1|\\one(?![a-zA-Z])|\\mathrm\s*I(?![a-zA-Z]))"
        out = []
        i = 0
        for m in re.finditer(head, s):
            if m.start() < i:
                continue
            j = m.end()
            while j < len(s) and s[j] == " ":
                j += 1
            if j < len(s) and s[j] in "[(":
                close = _match_close(s, j, s[j], "]" if s[j] == "[" else ")")
                cond = s[j + 1:close]
                end = close + 1
            elif s.startswith("\\{", j):
                close = s.find("\\}", j)
                if close < 0:
                    raise Unparsed("unbalanced '\\{'")
                cond = s[j + 2:close]
                end = close + 2
            elif j < len(s) and s[j] == "_":
                cond, end = _read_group(s, j + 1)
            else:
                continue
            out.append(s[i:m.start()])
            out.append(self._indicator(cond))
            i = end
        out.append(s[i:])
        s = "".join(out)
        # bare Iverson bracket [i=j]
        return re.sub(r"\[\s*([a-zA-Z0-9])\s*(=|\\neq|\\ne)\s*([a-zA-Z0-9])\s*\]",
                      lambda m: self._indicator(m.group(0)[1:-1]), s)

    def _rewrite_cases(self, s: str) -> str:
        while True:
            m = re.search(r"\\begin\{cases\}", s)
            if not m:
                return s
            e = s.find("\\end{cases}", m.end())
            if e < 0:
                raise Unparsed("\\begin{cases} without \\end{cases}")
            body = s[m.end():e]
            terms = []
            prev = []
            for row in re.split(r"\\\\", body):
                if not row.strip():
                    continue
                if "&" not in row:
                    raise Unparsed("cases row without '&' condition")
                val, cond = row.split("&", 1)
                cond = re.sub(r"\\(?:text|mbox|textrm|mathrm)\s*\{([^}]*)\}", r" \1 ", cond)
                cond = re.sub(r"\b(if|for|when)\b|,|\\[,;: ]|~|\\quad|\\qquad", " ", cond).strip()
                if re.fullmatch(r"(otherwise|else|o\.w\.)?", cond.strip()):
                    ind = "(1-(" + ("+".join(prev) or "0") + "))"
                else:
                    ind = self._indicator(cond)
                prev.append(ind)
                terms.append(f"{ind}\\cdot\\left({val}\\right)")
            s = s[:m.start()] + "\\left(" + "+".join(terms) + "\\right)" + s[e + len("\\end{cases}"):]

    def _rewrite_softmax(self, s: str) -> str:
        out = []
        i = 0
        for m in re.finditer(r"\\zqSOFTMAX\s*", s):
            if m.start() < i:
                continue
            j = m.end()
            if j >= len(s) or s[j] not in "([":
                raise NotCheckable("softmax without an argument in parentheses")
            close = _match_close(s, j, s[j], ")" if s[j] == "(" else "]")
            arg = s[j + 1:close]
            k = close + 1
            while k < len(s) and s[k] == " ":
                k += 1
            if k >= len(s) or s[k] != "_":
                # the whole vector: compared componentwise like \hat y
                idx, end = "__vec__", close + 1
            else:
                idx, end = _read_group(s, k + 1)
                idx = idx.strip()
            out.append(s[i:m.start()])
            if re.fullmatch(r"\s*z\s*", arg):
                out.append(" \\hat{y} " if idx == "__vec__" else f" \\hat{{y}}_{{{idx}}} ")
            else:
                mm = re.fullmatch(r"\s*z\s*\^\s*\{\s*\(\s*([a-zA-Z0-9])\s*\)\s*\}\s*", arg)
                if mm and idx == "__vec__":
                    out.append(f" \\hat{{y}}^{{({mm.group(1)})}} ")
                elif mm:
                    out.append(f" \\hat{{y}}^{{({mm.group(1)})}}_{{{idx}}} ")
                else:
                    raw = self.parse(arg)
                    if not re.fullmatch(r"[a-zA-Z0-9]|__vec__", idx):
                        raise Unparsed(f"softmax index not understood: {idx}")
                    out.append(self._placeholder(Atom("softmax", (idx,), arg=raw)))
            i = end
        out.append(s[i:])
        return "".join(out)

    _DIFF = r"(?:\\partial(?![a-zA-Z])|d(?![a-zA-Z]{2})|\\mathrm\{d\}|\\operatorname\{d\})"

    def _rewrite_derivatives(self, s: str) -> str:
        # Innermost-first is not needed: operands are re-scanned on the next pass.
        for _ in range(20):
            found = False
            for m in re.finditer(r"\\frac\s*(?=\{)", s):
                num, nend = _read_group(s, m.end())
                den, dend = _read_group(s, nend)
                nm = re.fullmatch(r"\s*" + self._DIFF + r"\s*(?:\^\s*\{?\s*(\d)\s*\}?)?(.*)", num, flags=re.S)
                if not nm or not re.match(r"\s*" + self._DIFF, den):
                    continue
                order = int(nm.group(1) or 1)
                operand = nm.group(2).strip()
                variables = self._diff_variables(den)
                if len(variables) != order and not (order == 1 and len(variables) == 1):
                    raise Unparsed(f"derivative order {order} does not match denominator '{den.strip()}'")
                end = dend
                if not operand:
                    operand, end = self._operator_operand(s, dend)
                    if not operand.strip():
                        raise Unparsed("derivative operator without operand")
                s = s[:m.start()] + "\\zqder(" + operand + "," + ",".join(variables) + ")" + s[end:]
                found = True
                break
            if not found:
                break
        if re.search(r"\\partial(?![a-zA-Z])", s):
            raise Unparsed("\\partial outside a \\frac{\\partial ...}{\\partial ...} derivative")
        m = re.search(r"\\nabla\s*_", s)
        while m:
            var, vend = _read_group(s, m.end())
            operand, end = self._operator_operand(s, vend)
            s = s[:m.start()] + "\\zqder(" + operand + "," + var + ")" + s[end:]
            m = re.search(r"\\nabla\s*_", s)
        if "\\nabla" in s:
            raise Unparsed("\\nabla without a subscript variable")
        return s

    def _diff_variables(self, den: str) -> list[str]:
        pieces = re.split(r"\\partial(?![a-zA-Z])|(?<![a-zA-Z\\])d(?=\s*[a-zA-Z\\])|\\mathrm\{d\}|\\operatorname\{d\}", den)
        if pieces[0].strip():
            raise Unparsed(f"derivative denominator not understood: {den.strip()}")
        out = []
        for p in pieces[1:]:
            p = p.strip()
            mm = re.fullmatch(r"(.*?)\s*\^\s*\{?\s*2\s*\}?", p, flags=re.S)
            if mm and not p.endswith(")}"):
                out += [mm.group(1), mm.group(1)]
            elif p:
                out.append(p)
        if not out:
            raise Unparsed(f"derivative denominator not understood: {den.strip()}")
        return out

    @staticmethod
    def _operator_operand(s: str, i: int) -> tuple[str, int]:
        # d/dx applies to the rest of the term: up to a '+'/'-' at depth 0.
        d = 0
        j = i
        while j < len(s) and s[j] == " ":
            j += 1
        start = j
        while j < len(s):
            c = s[j]
            if c == "\\" and j + 1 < len(s):
                if s[j + 1] in "{}":
                    d += 1 if s[j + 1] == "{" else -1
                    j += 2
                    continue
                mm = re.match(r"\\[a-zA-Z]+", s[j:])
                j += mm.end() if mm else 2
                continue
            if c in "([{":
                d += 1
            elif c in ")]}":
                if d == 0:
                    break
                d -= 1
            elif c in "+-" and d == 0 and j > start:
                break
            j += 1
        return s[start:j], j

    def _rewrite_sums(self, s: str) -> str:
        out = []
        i = 0
        for m in re.finditer(r"\\sum(?![a-zA-Z])\s*", s):
            if m.start() < i:
                continue
            j = m.end()
            sub = sup = None
            for _ in range(2):
                while j < len(s) and s[j] == " ":
                    j += 1
                if j < len(s) and s[j] == "_" and sub is None:
                    sub, j = _read_group(s, j + 1)
                elif j < len(s) and s[j] == "^" and sup is None:
                    sup, j = _read_group(s, j + 1)
            if sub is None:
                raise NotCheckable("sum without an index")
            sub = sub.strip()
            mm = re.fullmatch(r"([a-zA-Z])\s*(?:=\s*([0-9]+|[a-zA-Z]))?", sub)
            mx = re.fullmatch(r"([a-zA-Z])\s*(?:\\neq?|!=)\s*([a-zA-Z])", sub)
            mi = re.fullmatch(r"([a-zA-Z])\s*\\in\s*(?:\[\s*([KN])\s*\]|\\\{[^}]*\\\})", sub)
            if mm:
                var, lo = mm.group(1), mm.group(2) or "1"
                hi = sup.strip() if sup else "\\zqbound"
            elif mx:
                var, lo, hi = mx.group(1), "1", "\\zqbex" + mx.group(2)
            elif mi:
                var, lo, hi = mi.group(1), "1", mi.group(2) or "\\zqbound"
            else:
                raise Unparsed(f"sum range not understood: \\sum_{{{sub}}}")
            if not re.fullmatch(r"[0-9]+|[a-zA-Z]|\\zqb[a-z]+", hi):
                raise Unparsed(f"sum upper bound not understood: {hi}")
            out.append(s[i:m.start()])
            out.append(f"\\sum_{{{var}={lo}}}^{{{hi}}} ")
            i = j
        out.append(s[i:])
        return "".join(out)

    def _rewrite_atoms(self, s: str) -> str:
        """Replace every variable (with its indices) by a placeholder command."""
        out = []
        i = 0
        n = len(s)
        while i < n:
            c = s[i]
            if s.startswith("\\sum_{", i):
                # keep the sum's own index/bounds as the parser wants them
                _, j = _read_group(s, i + 5)
                if j < n and s[j] == "^":
                    _, j = _read_group(s, j + 1)
                out.append(s[i:j])
                i = j
                continue
            if c == "\\":
                m = re.match(r"\\([a-zA-Z]+)", s[i:])
                if not m:
                    out.append(s[i:i + 2])
                    i += 2
                    continue
                name = m.group(1)
                j = i + m.end()
                base = None
                if name in ("hat", "widehat"):
                    arg, j = _read_group(s, j)
                    arg = arg.strip()
                    if arg not in ("y", "Y"):
                        raise NotCheckable(f"\\hat{{{arg}}} is not a known quantity")
                    base = "yhat" if arg == "y" else "Yhat"
                elif name in ("mathcal",):
                    arg, j = _read_group(s, j)
                    base = "cal" + arg.strip()
                elif name in ("mathrm", "operatorname", "text", "textrm", "mathsf", "mathbb"):
                    arg, j = _read_group(s, j)
                    arg = arg.strip()
                    if not re.fullmatch(r"[A-Za-z]+", arg):
                        raise Unparsed(f"\\{name}{{{arg}}} not understood")
                    base = arg
                elif name == "ell" or name in GREEK or (name in ("delta",)):
                    base = name
                elif name == "sigma" and not re.match(r"\s*[(_^]", s[j:]):
                    base = "sigma"
                if base is None:
                    out.append(s[i:j])
                    i = j
                    continue
                atom, j = self._read_indices(s, j, base)
                out.append(self._placeholder(atom))
                i = j
                continue
            if c.isalpha():
                if c == "e" and not (i + 1 < n and s[i + 1] == "_"):
                    out.append(c)
                    i += 1
                    continue
                atom, j = self._read_indices(s, i + 1, c)
                out.append(self._placeholder(atom))
                i = j
                continue
            out.append(c)
            i += 1
        return "".join(out)

    def _read_indices(self, s: str, j: int, base: str) -> tuple[Atom, int]:
        idx: tuple[str, ...] = ()
        sample = None
        for _ in range(2):
            k = j
            while k < len(s) and s[k] == " ":
                k += 1
            if k < len(s) and s[k] == "_" and not idx:
                grp, k2 = _read_group(s, k + 1)
                toks = re.sub(r"[\s,]", "", grp)
                if not re.fullmatch(r"[a-zA-Z0-9]{1,2}", toks):
                    raise NotCheckable(f"index '{grp.strip()}' is not a single letter or digit")
                idx = tuple(toks)
                j = k2
                continue
            mm = re.match(r"\^\s*\{\s*\(\s*([a-zA-Z0-9])\s*\)\s*\}", s[k:])
            if mm and sample is None:
                sample = mm.group(1)
                j = k + mm.end()
                continue
            break
        return Atom(base, idx, sample), j

    # -- concrete quantities ------------------------------------------------
    def var(self, base: str, sample: int | None, idx: tuple) -> sympy.Symbol:
        key = (base, sample, idx)
        sym = self._vars.get(key)
        if sym is None:
            name = base + (f"^({sample})" if sample is not None else "") + ("_" + ",".join(map(str, idx)) if idx else "")
            sym = sympy.Symbol(name, real=True)
            self._vars[key] = sym
            self.var_info[sym] = key
        return sym

    def lazy(self, base: str, sample: int | None, idx: tuple) -> sympy.Symbol:
        key = (base, sample, idx)
        sym = self._lazy.get(key)
        if sym is None:
            name = "⟨" + base + (f"^({sample})" if sample is not None else "") + ("_" + ",".join(map(str, idx)) if idx else "") + "⟩"
            sym = sympy.Symbol(name)
            self._lazy[key] = sym
            self.lazy_info[sym] = key
        return sym

    def _value(self, tok: str, env: dict, role: str) -> int:
        if tok.isdigit():
            v = int(tok)
        elif tok in env:
            v = env[tok]
        else:
            raise NotCheckable(f"index {tok} is not bound")
        hi = self.K if role == "K" else self.N
        if not 1 <= v <= hi:
            raise NotCheckable(f"index value {v} outside 1..{hi}")
        return v

    def atom_value(self, atom: Atom, env: dict) -> sympy.Expr:
        base = atom.base
        if base == "ind" or (base == "delta" and len(atom.idx) == 2):
            a, b = (self._value(t, env, "K") if not t.isdigit() else int(t) for t in atom.idx)
            return sympy.Integer(1 if a == b else 0)
        if base == "K" and not atom.idx:
            return sympy.Integer(self.K)
        if base == "N" and not atom.idx:
            return sympy.Integer(self.N)
        if base == "softmax":
            c = self._value(atom.idx[0], env, "K")
            comps = [self.concretize(atom.arg, {**env, "__vec__": k}) for k in range(1, self.K + 1)]
            return sympy.exp(comps[c - 1]) / sympy.Add(*[sympy.exp(x) for x in comps])
        if base in ("z", "y", "yhat", "Z", "Y", "Yhat"):
            low = base.lower() if base != "Yhat" else "yhat"
            if len(atom.idx) == 2:
                if atom.sample is not None:
                    raise NotCheckable(f"{atom.latex()}: two sample indices")
                s = self._value(atom.idx[0], env, "N")
                c = self._value(atom.idx[1], env, "K")
            else:
                if base[0].isupper():
                    raise NotCheckable(f"{atom.latex()}: a matrix needs two indices")
                s = self._value(atom.sample, env, "N") if atom.sample else env.get("__sample__")
                if atom.idx:
                    c = self._value(atom.idx[0], env, "K")
                elif self.vector_mode:
                    if "__vec__" not in env:
                        raise NotCheckable(f"{atom.latex()} is a vector here; cannot compare vectors without an index")
                    c = env["__vec__"]
                else:
                    c = None
            if low == "yhat":
                return self.lazy("yhat", s, (c,) if c else ())
            return self.var(low, s, (c,) if c else ())
        # defined names are expanded lazily so derivatives w.r.t. them work
        s = self._value(atom.sample, env, "N") if atom.sample else env.get("__sample__")
        d = self.definitions.get(base)
        if d is not None:
            # \ell defined for one example, used as \ell^{(m)}: the same formula on sample m
            if s is not None and d.sample_param is None and not d.vector and d.func_params is None:
                if len(atom.idx) != len(d.params):
                    raise NotCheckable(f"{atom.latex()} does not match its definition {d.lhs_latex}")
                vals = tuple(self._value(t, env, r) for t, r in zip(atom.idx, d.roles))
                return self.lazy(base, s, vals)
            if (atom.sample is None) != (d.sample_param is None):
                raise NotCheckable(f"{atom.latex()} does not match its definition {d.lhs_latex}")
            if d.vector and not d.params:
                # s = softmax(z) used as s_c, or bare s inside an elementwise step
                if len(atom.idx) == 1:
                    return self.lazy(base, s, (self._value(atom.idx[0], env, "K"),))
                if not atom.idx and "__vec__" in env:
                    return self.lazy(base, s, (env["__vec__"],))
                raise NotCheckable(f"{atom.latex()} is a vector here; cannot compare vectors without an index")
            if len(atom.idx) != len(d.params):
                raise NotCheckable(f"{atom.latex()} does not match its definition {d.lhs_latex}")
            vals = tuple(self._value(t, env, r) for t, r in zip(atom.idx, d.roles))
            return self.lazy(base, s, vals)
        vals = tuple(self._value(t, env, "K") for t in atom.idx)
        return self.var(base, s, vals)

    def expand_lazy(self, expr: sympy.Expr, keep: Iterable[str] = ()) -> sympy.Expr:
        keep = set(keep)
        for _ in range(30):
            subs = {}
            for sym in expr.free_symbols:
                info = self.lazy_info.get(sym)
                if info is not None and info[0] not in keep:
                    subs[sym] = self._lazy_value(sym)
            if not subs:
                return expr
            expr = expr.xreplace(subs)
        raise NotCheckable("definitions refer to each other in a cycle")

    def _lazy_value(self, sym: sympy.Symbol) -> sympy.Expr:
        if sym in self._lazy_cache:
            return self._lazy_cache[sym]
        base, s, idx = self.lazy_info[sym]
        if base == "yhat":
            if idx:
                zs = [self.var("z", s, (k,)) for k in range(1, self.K + 1)]
                val = sympy.exp(zs[idx[0] - 1]) / sympy.Add(*[sympy.exp(x) for x in zs])
            else:
                val = 1 / (1 + sympy.exp(-self.var("z", s, ())))
        else:
            d = self.definitions[base]
            env = dict(zip(d.params, idx))
            if d.vector and not d.params:
                env = {"__vec__": idx[0]}
            if d.sample_param is None and s is not None:
                env["__sample__"] = s
            if d.sample_param is not None:
                env[d.sample_param] = s
            val = self.concretize(d.body, env)
        self._lazy_cache[sym] = val
        return val

    def concretize(self, expr: sympy.Expr, env: dict) -> sympy.Expr:
        """Concrete expression for index values ``env`` (letter -> int)."""
        if isinstance(expr, sympy.Symbol):
            name = expr.name
            if name in self.atoms:
                return self.atom_value(self.atoms[name], env)
            if name == "e":
                return sympy.E
            if name == "K":
                return sympy.Integer(self.K)
            if name == "N":
                return sympy.Integer(self.N)
            if name in env:
                return sympy.Integer(env[name])
            if name == "zqbound" or name.startswith("zqbex"):
                raise NotCheckable("sum bound used outside a sum")
            return self.var(name, None, ())
        if isinstance(expr, (sympy.Number, sympy.NumberSymbol)):
            return expr
        if isinstance(expr, sympy.Sum):
            return self._sum(expr, env)
        if isinstance(expr, AppliedUndef):
            return self._apply(expr, env)
        if isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow, sympy.exp, sympy.log, sympy.tanh)):
            return expr.func(*[self.concretize(a, env) for a in expr.args])
        raise NotCheckable(f"unsupported construct {type(expr).__name__}")

    def _sum(self, expr: sympy.Sum, env: dict) -> sympy.Expr:
        return self._sum_limits(expr.function, list(expr.limits), env)

    def _sum_limits(self, body: sympy.Expr, limits: list, env: dict) -> sympy.Expr:
        if not limits:
            return self.concretize(body, env)
        var, lo, hi = limits[-1]  # SymPy lists the innermost limit first
        letter = var.name
        roles = index_roles(self, body, {lim[0].name for lim in limits[:-1]}).get(letter, set())
        role = "N" if roles == {"N"} else "K"
        excl = None
        if isinstance(hi, sympy.Symbol) and hi.name == "zqbound":
            top = self.K if role == "K" else self.N
        elif isinstance(hi, sympy.Symbol) and hi.name.startswith("zqbex"):
            top = self.K if role == "K" else self.N
            excl = self._value(hi.name[5:], env, role)
        else:
            hv = self.concretize(hi, env)
            if not hv.is_Integer:
                raise NotCheckable(f"sum upper bound {hi} is not K or N")
            top = int(hv)
        lv = self.concretize(lo, env)
        if not lv.is_Integer:
            raise NotCheckable("sum lower bound is not a number")
        return sympy.Add(*[self._sum_limits(body, limits[:-1], {**env, letter: v})
                           for v in range(int(lv), top + 1) if v != excl])

    def _apply(self, expr: AppliedUndef, env: dict) -> sympy.Expr:
        name = expr.func.__name__
        args = expr.args
        if name == "sigma" and len(args) == 1:
            return 1 / (1 + sympy.exp(-self.concretize(args[0], env)))
        if name == "zqdsigma" and len(args) == 1:
            sg = 1 / (1 + sympy.exp(-self.concretize(args[0], env)))
            return sg * (1 - sg)
        if name == "zqder":
            return self._derivative(args[0], args[1:], env)
        atom = self.atoms.get(name)
        base = atom.base if atom else name
        d = self.definitions.get(base)
        if d is not None and d.func_params is not None:
            if len(args) != len(d.func_params):
                raise NotCheckable(f"{base} called with {len(args)} arguments, defined with {len(d.func_params)}")
            body = self.concretize(d.body, {})
            subs = {}
            for p, a in zip(d.func_params, args):
                if p in BUILTIN_BASES or p == "yhat":
                    continue  # L(z), CE(y, \hat y): the argument is the quantity itself
                subs[self.var(p, None, ())] = self.concretize(a, env)
            return self.expand_lazy(body).xreplace(subs)
        if atom is not None and len(args) == 1:
            if (base in LOSS_NAMES or (d is not None and not d.params)) and self._is_bare_data(args[0]):
                return self.atom_value(atom, env)  # L(z) where L was defined without arguments
            if base in FUNCTION_LETTERS and d is None:
                raise NotCheckable(f"function {base}(...) is not defined")
            # "y_k (z_k - c)" is a product, not a function call
            return self.atom_value(atom, env) * self.concretize(args[0], env)
        raise NotCheckable(f"function {base}(...) is not defined")

    def _is_bare_data(self, e: sympy.Expr) -> bool:
        a = self.atoms.get(e.name) if isinstance(e, sympy.Symbol) else None
        return a is not None and not a.idx and a.base in ("z", "y", "yhat", "Z", "Y", "Yhat", "u", "x")

    def _derivative(self, f_raw: sympy.Expr, var_raws: tuple, env: dict) -> sympy.Expr:
        if isinstance(f_raw, sympy.Symbol) and self.atoms.get(f_raw.name) == Atom("sigma"):
            # d\sigma/du: the bare function name stands for sigma(u)
            f_raw = sympy.Function("sigma")(var_raws[0])
        if isinstance(f_raw, sympy.Symbol) and f_raw.name in self.atoms:
            a = self.atoms[f_raw.name]
            if a.base not in BUILTIN_BASES and a.base not in self.definitions:
                raise NotCheckable(f"{a.latex()} is differentiated but never defined")
        if isinstance(f_raw, AppliedUndef) and f_raw.func.__name__ in self.atoms:
            a = self.atoms[f_raw.func.__name__]
            if a.base not in self.definitions:
                raise NotCheckable(f"{a.latex()} is differentiated but never defined")
        val = self.concretize(f_raw, env)
        for v_raw in var_raws:
            v = self.concretize(v_raw, env)
            if not isinstance(v, sympy.Symbol):
                raise NotCheckable(f"cannot differentiate with respect to {v_raw}")
            if v in self.lazy_info:
                val = self.expand_lazy(val, keep={self.lazy_info[v][0]})
            elif v in self.var_info:
                val = self.expand_lazy(val)
            else:
                raise NotCheckable(f"cannot differentiate with respect to {v}")
            # d/dw of something with no w at all is far more often a missing definition
            # (z = w^T x never written down) than a genuine zero: do not call it wrong.
            info = self.var_info.get(v) or self.lazy_info.get(v)
            kin = [self.var_info.get(x) or self.lazy_info.get(x) for x in val.free_symbols]
            if not any(k is not None and k[:2] == info[:2] for k in kin):
                raise NotCheckable(f"the expression does not depend on {v} at all; is a definition missing?")
            val = sympy.diff(val, v)
        return val


@dataclass
class Definition:
    lhs_latex: str
    params: tuple[str, ...]
    roles: tuple[str, ...]
    sample_param: str | None
    func_params: tuple[str, ...] | None
    body: sympy.Expr
    vector: bool = False  # body is a vector (e.g. s = softmax(z)): s_c picks a component


def index_roles(nt: Notation, expr: sympy.Expr, bound: set[str], vector_mode: bool | None = None) -> dict[str, set[str]]:
    """Free index letters of a raw expression -> {'K'} (class), {'N'} (sample) or both.

    ``__vec__`` appears when the expression is a vector compared componentwise.
    """
    out: dict[str, set[str]] = {}
    vmode = nt.vector_mode if vector_mode is None else vector_mode

    def merge(sub: dict[str, set[str]]) -> None:
        for k, v in sub.items():
            out.setdefault(k, set()).update(v)

    def add(tok: str | None, role: str) -> None:
        if tok and not tok.isdigit() and tok not in bound:
            out.setdefault(tok, set()).add(role)

    if isinstance(expr, sympy.Symbol):
        a = nt.atoms.get(expr.name)
        if a is not None:
            if a.base in ("ind", "delta") and len(a.idx) == 2:
                for t in a.idx:
                    add(t, "?")
            elif a.base == "softmax":
                if a.idx[0] == "__vec__":
                    out.setdefault("__vec__", set()).add("K")
                else:
                    add(a.idx[0], "K")
                for k, v in index_roles(nt, a.arg, bound, vmode).items():
                    if k != "__vec__":
                        out.setdefault(k, set()).update(v)
            elif len(a.idx) == 2:
                add(a.idx[0], "N")
                add(a.idx[1], "K")
            else:
                for t in a.idx:
                    add(t, "K")
                add(a.sample, "N")
                d = nt.definitions.get(a.base)
                if not a.idx and ((vmode and a.base in ("z", "y", "yhat")) or (d is not None and d.vector)):
                    out.setdefault("__vec__", set()).add("K")
                if d is not None and d.params and a.idx:
                    # a defined name's index takes the role of the parameter
                    for t, r in zip(a.idx, d.roles):
                        if t in out and r == "N":
                            out[t].discard("K")
                            out[t].add("N")
        if expr.name.startswith("zqbex"):
            add(expr.name[5:], "?")
        return out
    if isinstance(expr, sympy.Sum):
        names = {lim[0].name for lim in expr.limits}
        merge(index_roles(nt, expr.function, bound | names, vmode))
        for lim in expr.limits:
            merge(index_roles(nt, lim[2], bound, vmode))
        return out
    for a in expr.args:
        merge(index_roles(nt, a, bound, vmode))
    return out


def definition_from(nt: Notation, lhs: sympy.Expr, body: sympy.Expr, force: bool) -> Definition | None:
    """A Definition if ``lhs = body`` defines a name, else None."""
    if isinstance(lhs, sympy.Symbol) and lhs.name in nt.atoms:
        a = nt.atoms[lhs.name]
        if a.base in BUILTIN_BASES or a.base in ("e",):
            return None
        old = nt.definitions.get(a.base)
        if old is not None and not force and (len(old.params), old.sample_param is None, old.func_params) == (len(a.idx), a.sample is None, None):
            return None  # same name, same shape: a claim about it, checked against the definition
        if not all(t.isalpha() for t in a.idx):
            return None
        roles = tuple("K" for _ in a.idx) if len(a.idx) < 2 else ("N", "K")
        vector = not a.idx and "__vec__" in index_roles(nt, body, set())
        return Definition(a.latex(), a.idx, roles, a.sample, None, body, vector)
    if isinstance(lhs, AppliedUndef) and lhs.func.__name__ in nt.atoms:
        a = nt.atoms[lhs.func.__name__]
        if a.base in BUILTIN_BASES or (a.base in nt.definitions and not force) or a.idx:
            return None
        params = []
        for arg in lhs.args:
            if not (isinstance(arg, sympy.Symbol) and arg.name in nt.atoms and not nt.atoms[arg.name].idx):
                return None
            params.append(nt.atoms[arg.name].base)
        return Definition(a.latex() + "(" + ", ".join(params) + ")", (), (), None, tuple(params), body)
    return None


def raw_atoms(nt: Notation, expr: sympy.Expr) -> list[Atom]:
    out = []
    for s in expr.atoms(sympy.Symbol):
        if s.name in nt.atoms:
            out.append(nt.atoms[s.name])
    for f in expr.atoms(AppliedUndef):
        if f.func.__name__ in nt.atoms:
            out.append(nt.atoms[f.func.__name__])
    return out
