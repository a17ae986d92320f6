"""Stage 3a of ``symxent check``: expression trees, from token trees.

Contract
--------
:func:`parse_member` turns the tokens of one member of a chain (no top-level relation) into an
expression tree of the node classes below, built by a small precedence parser: sums and
products, juxtaposition, fractions, scripts, big operators (``\\sum`` takes the rest of its
term), derivatives (``\\frac{\\partial L}{\\partial z_j}``, ``\\partial a / \\partial b``,
``\\frac{d}{dx} f``, ``\\nabla_z L``, primes), cases and matrices.  The tables of notation
(relations, connectives, functions, accents, fonts, macros that are dropped) are data here, so a
notation is one row.  Nothing here decides what a name means: ``f(x)`` is a :class:`Call` marked
``maybe``, which the meaning stage reads as an application or a product.  A member that cannot
be read becomes :class:`Unreadable` with the reason and offset; nothing else raises.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field, fields, replace

from symxent.checker.tree import Env, Group, Item, Tok, TreeError, token_tree

__all__ = [
    "Add", "BigOp", "Call", "Case", "Cases", "Cond", "Deriv", "Ellipsis_", "Expect", "Fn", "Frac", "Grad", "Integral", "Matrix", "Mul",
    "Name", "Neg", "Node", "Num", "Paren", "Pow", "Script", "SyntaxProblem", "Unreadable", "parse_member",
]


# --- expression trees ----------------------------------------------------------------------

class Node:
    pass


@dataclass(frozen=True)
class Num(Node):
    value: str


@dataclass(frozen=True)
class Name(Node):
    """A name: ``z``, ``\\hat y`` (accent "hat"), ``\\ell``, ``\\text{loss}``, ``P(y|x)``."""
    base: str
    accent: str = ""

    @property
    def key(self) -> str:
        return f"{self.accent} {self.base}" if self.accent else self.base


@dataclass(frozen=True)
class Script(Node):
    """``base_sub^sup'``: what the scripts mean (index, sample, power, transpose) is decided later."""
    base: Node
    sub: tuple[Node, ...] = ()      # comma-separated or juxtaposed single indices
    sup: Node | None = None
    sup_paren: bool = False         # ^{(i)}: a sample index
    primes: int = 0


@dataclass(frozen=True)
class Add(Node):
    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True)
class Mul(Node):
    factors: tuple[Node, ...]
    op: str = ""  # "" for juxtaposition or \cdot; "circ" for Hadamard


@dataclass(frozen=True)
class Frac(Node):
    num: Node
    den: Node


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True)
class Paren(Node):
    items: tuple[Node, ...]  # more than one: a comma list (function arguments)
    kind: str = "("          # "(", "[", "{", "|", "||"


@dataclass(frozen=True)
class Fn(Node):
    """A known operator name: log, ln, exp, max, min, softmax, sqrt, ..."""
    name: str
    sub: Node | None = None
    sup: Node | None = None


@dataclass(frozen=True)
class Call(Node):
    func: Node
    args: tuple[Node, ...]
    maybe: bool  # f(x) with f not a known operator: application or product, decided by meaning
    sub: tuple[Node, ...] = ()  # softmax(z)_j


@dataclass(frozen=True)
class BigOp(Node):
    kind: str  # "sum" | "prod"
    sub: Node | None
    sup: Node | None
    body: Node
    where: tuple[Node, ...] = ()  # \sum_{j=1, j \neq i}: conditions the terms' index meets besides its range


@dataclass(frozen=True)
class Integral(Node):
    """``\\int_a^b f \\, dz``: the bounds (None: the whole real line) and the variable of ``dz``."""
    var: Node
    lo: Node | None
    hi: Node | None
    body: Node


@dataclass(frozen=True)
class Expect(Node):
    """``\\mathbb{E}_{x \\sim p}[f(x)]``, ``E_{q(z)}[...]``: an expectation, with its subscript as
    written (None when there is none)."""
    sub: Node | None
    body: Node


@dataclass(frozen=True)
class Deriv(Node):
    """d^n f / (d x1 d x2 ...): ``wrt`` the variables in order; ``f`` None for an operator."""
    f: Node | None
    wrt: tuple[Node, ...]
    partial: bool
    loose: bool = False  # ∂/∂x a · b with no bracket: does it reach past a?
    bare_den: bool = False  # \frac{\partial}{x}: the operator written without the denominator's ∂


@dataclass(frozen=True)
class Grad(Node):
    wrt: Node | None
    body: Node


@dataclass(frozen=True)
class Cond(Node):
    """``a = b``, ``a \\neq b`` inside an indicator or a case."""
    left: Node
    op: str
    right: Node


@dataclass(frozen=True)
class Case(Cond):
    """A condition the prose states as a case ("when $i = k$", a heading "When $j \\neq i$"): about
    a letter a sum binds, it picks that sum's terms."""


@dataclass(frozen=True)
class Cases(Node):
    rows: tuple[tuple[Node, tuple[Cond, ...] | None], ...]  # None: "otherwise"


@dataclass(frozen=True)
class Matrix(Node):
    rows: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Ellipsis_(Node):
    """``\\dots``: terms the author did not write; nothing can be computed from it."""


@dataclass(frozen=True)
class Unclosed(Node):
    """A member whose one bracket is never closed (``-(a + b = c``), read as closing at its end."""
    inner: Node


@dataclass(frozen=True)
class Unreadable(Node):
    reason: str
    pos: int


class SyntaxProblem(Exception):
    def __init__(self, msg: str, pos: int):
        super().__init__(msg)
        self.msg = msg
        self.pos = pos


# --- tables: a notation is a row here ---------------------------------------------------------

RELATIONS = {
    "=": "=", "\\neq": "!=", "\\ne": "!=", "≠": "!=", "<": "<", ">": ">", "\\le": "<=", "\\leq": "<=",
    "\\leqslant": "<=", "\\leqq": "<=", "≤": "<=", "\\ge": ">=", "\\geq": ">=", "\\geqslant": ">=", "\\geqq": ">=", "≥": ">=",
    "\\approx": "~", "≈": "~", "\\simeq": "~", "\\sim": "~", "\\equiv": ":=", "≡": ":=",
    "\\coloneqq": ":=", "\\triangleq": ":=", "\\doteq": ":=", "\\propto": "propto", "∝": "propto",
    "\\in": "in", "\\notin": "in", "\\subset": "in", "\\subseteq": "in", "\\to": "->",
    "\\rightarrow": "->", "→": "->", "\\mapsto": "->", "\\gets": "->", "\\leftarrow": "->",
}
CONNECTIVES = {
    "\\because", "\\therefore", "\\Rightarrow", "\\implies", "\\Longrightarrow", "\\Leftrightarrow",
    "\\iff", "\\Longleftrightarrow", "\\hence", "\\Leftarrow", "\\impliedby", "⇒", "∴", "∵", "\\thus",
    "\\so", "\\longrightarrow",
}
CONNECTIVE_WORDS = {"so", "then", "thus", "hence", "therefore", "because", "since", "as", "using",
                    "we get", "which gives", "gives", "and", "or", "where", "with", "for", "if", "when",
                    "otherwise", "else", "i.e.", "ie", "e.g.", "by", "from", "note", "let", "all",
                    "any", "each", "every", "其中", "因为", "所以", "当", "时", "若", "如果", "则", "即", "donde",
                    "si", "para", "cuando", "con", "proof", "recall", "assume", "suppose", "define", "denote",
                    "consider", "claim", "note that", "nota", "证明", "证", "设", "令"}
FUNCTIONS = {
    "\\log": "log", "\\ln": "log", "\\lg": "log10", "\\exp": "exp", "\\max": "max", "\\min": "min",
    "\\tanh": "tanh", "\\sinh": "sinh", "\\cosh": "cosh", "\\sin": "sin", "\\cos": "cos",
    "\\tan": "tan", "\\arctan": "arctan", "\\arcsin": "arcsin", "\\arccos": "arccos", "\\arg": "arg",
    "\\det": "det", "\\lim": "lim", "\\argmax": "argmax",
    "\\argmin": "argmin", "\\sup": "max", "\\inf": "min", "\\Pr": "Pr", "\\mathbb{E}": "E",
}
WORD_FUNCTIONS = {"log": "log", "ln": "log", "exp": "exp", "softmax": "softmax", "sigmoid": "sigmoid",
                  "max": "max", "min": "min", "tanh": "tanh", "logsumexp": "logsumexp", "LSE": "logsumexp",
                  "lse": "logsumexp", "sign": "sign", "sgn": "sign", "diag": "diag", "tr": "trace",
                  "Tr": "trace", "trace": "trace", "argmax": "argmax", "relu": "relu", "ReLU": "relu",
                  "Softmax": "softmax", "SOFTMAX": "softmax", "Sigmoid": "sigmoid"}
ACCENTS = {"\\hat": "hat", "\\widehat": "hat", "\\bar": "bar", "\\overline": "bar", "\\tilde": "tilde",
           "\\widetilde": "tilde", "\\dot": "dot", "\\check": "check", "\\breve": "breve",
           "\\mathring": "ring", "\\acute": "acute", "\\grave": "grave", "\\ddot": "ddot"}
# Fonts and vector arrows name the same quantity as the plain letter: \mathbf{z} is z.
FONTS = {"\\mathbf", "\\bold", "\\boldsymbol", "\\bm", "\\vec", "\\pmb", "\\mathbfit", "\\mathit", "\\mathsf",
         "\\mathbb", "\\mathcal", "\\mathscr", "\\mathfrak", "\\boldsymbol", "\\overrightarrow", "\\mathnormal"}
TRANSPARENT_1 = {"\\cancel", "\\bcancel", "\\xcancel", "\\boxed", "\\underbrace", "\\overbrace",
                 "\\underset", "\\mathop", "\\mathrel", "\\mathbin", "\\displaystyle", "\\ensuremath",
                 "\\phantom", "\\smash", "\\cancelto", "\\mathord", "\\underline"}
DROP = {"\\left", "\\right", "\\big", "\\Big", "\\bigg", "\\Bigg", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr",
        "\\biggl", "\\biggr", "\\Biggl", "\\Biggr", "\\displaystyle", "\\textstyle", "\\scriptstyle",
        "\\limits", "\\nolimits", "\\,", "\\;", "\\!", "\\:", "\\ ", "\\>", "~", "\\bf", "\\rm", "\\it",
        "\\cal", "\\nonumber", "\\notag", "\\middle", "\\hfill", "\\vphantom", "\\hphantom", "\\strut",
        "\\quad", "\\qquad", "\\enspace", "\\thinspace", "\\negthinspace", "\\medspace", "\\thickspace",
        "\\space", "\\nobreakspace", "\\negmedspace", "\\negthickspace",
        "\\relax", "\\tiny", "\\small", "\\large", "\\Large", "\\normalsize", "\\cdotp", "&",
        "\\blacksquare", "\\square", "\\Box", "\\qed", "\\qedhere", "\\hfill"}
ELLIPSES = {"\\dots", "\\cdots", "\\ldots", "\\dotsb", "\\dotsc", "\\dotsm", "\\vdots", "\\ddots", "…"}
WITH_ARG_DROPPED = {"\\label": 1, "\\require": 1, "\\eqref": 1, "\\ref": 1, "\\tag": 1, "\\color": 1, "\\hspace": 1, "\\vspace": 1,
                    "\\textcolor": 1, "\\colorbox": 1, "\\mathchoice": 0, "\\stackrel": 0}
GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho", "sigma", "varsigma",
    "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
    "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell", "hbar", "imath", "jmath",
}
MUL_OPS = {"*": "", "\\cdot": "", "\\times": "", "·": "", "×": "", "\\ast": "", "∗": "",
           "\\circ": "circ", "\\odot": "circ", "⊙": "circ", "∘": "circ", "\\otimes": "outer"}
DIV_OPS = {"/", "\\div", "÷"}
OPEN = {"(": ")", "[": "]", "\\{": "\\}", "\\lbrace": "\\rbrace", "\\lbrack": "\\rbrack",
        "\\langle": "\\rangle", "\\lvert": "\\rvert", "\\lVert": "\\rVert", "\\lfloor": "\\rfloor",
        "\\lceil": "\\rceil", "（": "）"}
CLOSE = set(OPEN.values())
INDEX_LETTERS = set("ijklmnrstcabpqud")  # letters that can be an index in a subscript (w_{kd}: feature d)
JOINT_INDEX_LETTERS = set("ijklmncpqrst")  # \delta_ij: two of these written together are two indices


# --- the token stream ---------------------------------------------------------------------------

@dataclass
class _Stream:
    items: list[Item]
    i: int = 0
    # \int_x p(x) \int_z f dz dx: the differentials an inner integral found after its own, each
    # the differential of the next integral out
    outer_differentials: list = field(default_factory=list)

    def peek(self, k: int = 0) -> Item | None:
        j = self.i + k
        return self.items[j] if j < len(self.items) else None

    def next(self) -> Item:
        it = self.items[self.i]
        self.i += 1
        return it

    def at_end(self) -> bool:
        return self.i >= len(self.items)


def _v(it: Item | None) -> str:
    return it.value if isinstance(it, Tok) else ""


def _pos(it: Item | None, default: int = 0) -> int:
    return it.pos if it is not None else default


# The small spaces' widths in eighteenths of a quad (TeX's mu), as TeX sets them (~ and \  are a
# word space, about a third of a quad)
_SPACE_WIDTH = {"\\,": 3, "\\:": 4, "\\>": 4, "\\;": 5, "\\ ": 6, "~": 6, "\\space": 6, "\\nobreakspace": 6,
                "\\enspace": 9}


_CASES_LAYOUTS = ("array", "matrix", "aligned", "align", "gathered", "smallmatrix")


def _clean(items, keep: tuple[str, ...] = (), glue: bool = True) -> list[Item]:
    """Drop spacing and sizing tokens; unwrap \\color{red}{x} and friends (their argument stays);
    with ``glue``, a letter typed glued to its number (``y1``) is that entry (``y_1``)."""
    out: list[Item] = []
    items = list(items)
    if not any(_v(it) == "\\rvert" for it in items):
        # p(y \lvert x): a left bar never closed is the bar of a conditional, as |
        items = [Tok("sym", "|", it.pos) if _v(it) == "\\lvert" else it for it in items]
    k = 0
    while k < len(items):
        it = items[k]
        v = _v(it)
        if "\\quad" in keep and v in _SPACE_WIDTH:
            # "\frac{d x^2}{dx} = 2x ~~~~~~ \frac{d e^x}{dx} = e^x": spacing a quad wide or more
            # separates two statements, as \quad does
            run = k
            while run < len(items) and isinstance(items[run], Tok) and _v(items[run]) in _SPACE_WIDTH:
                run += 1
            if sum(_SPACE_WIDTH[_v(x)] for x in items[k:run]) >= 18 and out and run < len(items):
                out.append(Tok("cmd", "\\quad", it.pos))
            k = run
            continue
        if v == "\\left" and k + 4 < len(items) and _v(items[k + 1]) in ("\\{", "\\lbrace") \
                and isinstance(items[k + 2], Env) and items[k + 2].name.rstrip("*") in _CASES_LAYOUTS \
                and _v(items[k + 3]) == "\\right" and _v(items[k + 4]) == ".":
            # \left\{ \begin{array}{ll} 1 & \text{if } w = o \\ 0 & ... \end{array} \right.: the cases
            # environment as written before amsmath
            env = items[k + 2]
            out.append(Env("cases", None, env.items, env.pos))
            k += 5
            continue
        if isinstance(it, Tok) and it.kind in ("cmd", "sym") and v in DROP and v not in keep:
            if v in ("\\left", "\\right", "\\middle") and k + 1 < len(items) and _v(items[k + 1]) == ".":
                k += 2
                continue
            k += 1
            continue
        if isinstance(it, Tok) and v in ("\\cancel", "\\bcancel", "\\xcancel", "\\cancelto") \
                and k + 1 < len(items) and isinstance(items[k + 1], Group) and items[k + 1].items \
                and _v(items[k + 1].items[0]) in ("+", "-"):
            # y \cancel{- y h}: the sign belongs to the term, which the author strikes out
            group = items[k + 1]
            out.extend([group.items[0], it, Group(group.items[1:], group.pos)])
            k += 2
            continue
        if isinstance(it, Tok) and v in WITH_ARG_DROPPED:
            k += 1 + WITH_ARG_DROPPED[v]
            continue
        if isinstance(it, Group) and not it.items and out and _v(out[-1]) in ("\\sum", "\\prod") \
                and k + 1 < len(items) and _v(items[k + 1]) in ("_", "^"):
            # \sum{}_{i \ne j}^C: an empty group between the operator and its limits is nothing
            k += 1
            continue
        if isinstance(it, Tok) and v == "\\not" and k + 1 < len(items) and _v(items[k + 1]) == "=":
            out.append(Tok("cmd", "\\neq", it.pos))
            k += 2
            continue
        if isinstance(it, Group) and it.items and _v(it.items[0]) in ("^", "_") and out \
                and not (isinstance(out[-1], Tok) and out[-1].kind in ("sym", "script")):
            # \theta{^T}: a script in braces after its base, which TeX attaches to the base
            items[k:k + 1] = list(it.items)
            continue
        if isinstance(it, Tok) and it.kind == "sym" and v == "." and k + 2 < len(items) \
                and all(isinstance(x, Tok) and x.kind == "sym" and x.value == "." for x in items[k + 1:k + 3]):
            # "- ... -" typed as three full stops: an ellipsis, as \dots
            out.append(Tok("sym", "…", it.pos))
            k += 3
            while k < len(items) and isinstance(items[k], Tok) and _v(items[k]) == ".":
                k += 1
            continue
        if isinstance(it, Tok) and it.kind == "sym" and v == "." and k + 1 < len(items) and _v(items[k + 1]) == "." \
                and out and _v(out[-1]) == ",":
            # {1,..K}: two full stops after a comma, an ellipsis in a list (the comma after it unwritten)
            out.append(Tok("sym", "…", it.pos))
            k += 2
            if k < len(items) and _v(items[k]) != ",":
                out.append(Tok("sym", ",", it.pos + 1))
            continue
        if glue and isinstance(it, Tok) and it.kind == "word" and len(v) == 1 and v.isascii() and k + 1 < len(items) \
                and isinstance(nxt := items[k + 1], Tok) and nxt.kind == "num" and nxt.value.isdigit() \
                and nxt.pos == it.pos + 1 and not (out and isinstance(out[-1], Tok) and out[-1].kind == "script"):
            # y1, w5 h1 (plain-text notes, worked examples): a letter glued to its number is that entry,
            # y_1, as the author's "y2" beside "y1" shows; 2x and x 2 stay products
            out.extend([it, Tok("script", "_", nxt.pos), nxt])
            k += 2
            continue
        out.append(it)
        k += 1
    return out


# --- expressions -------------------------------------------------------------------------------

def parse_member(items) -> Node:
    """One member of a chain (no top-level relations) as an expression tree."""
    return _words_as_names(_member(items))


def _member(items, glue: bool = True) -> Node:
    """A member, or a group inside one (a fraction's numerator): differentials still as marks."""
    s = _Stream(_clean(items, glue=glue))
    try:
        if s.at_end():
            raise SyntaxProblem("empty expression", 0)
        node = _expr(s)
        if s.outer_differentials:
            raise SyntaxProblem("more differentials after an integral than integrals around it", 0)
        if not s.at_end():
            it = s.peek()
            raise SyntaxProblem(f"unexpected {_describe(it)}", _pos(it))
        return node
    except SyntaxProblem as exc:
        closed = _closed_at_end(items) if exc.msg == "a bracket is never closed" else None
        return closed if closed is not None else Unreadable(exc.msg, exc.pos)
    except RecursionError:
        return Unreadable("nested too deeply", _pos(s.peek()))


def _closed_at_end(items) -> Node | None:
    """``-(0 \\times \\log 0.3 + 1 \\times \\log 0.4 = 0.91``: one ( more than ), the author's
    closing bracket left out; the member read with it closing at the end."""
    items = list(items)
    opened = sum(_v(t) == "(" for t in items if isinstance(t, Tok)) - sum(_v(t) == ")" for t in items if isinstance(t, Tok))
    if opened != 1 or not items:
        return None
    node = _member(items + [Tok("sym", ")", _pos(items[-1]))])
    if isinstance(node, (Unreadable, Unclosed)) or any(isinstance(n, Cond) for n in _nodes(node)):
        return None  # (a relation inside the bracket: the members were not split where the author meant)
    return Unclosed(node)


def _nodes(node: Node):
    yield node
    for value in vars(node).values():
        for child in (value if isinstance(value, tuple) else (value,)):
            if isinstance(child, Node):
                yield from _nodes(child)


def _words_as_names(node: Node) -> Node:
    """``dw = \\frac{1}{m} X^T e``: a word such as dw that no derivative's fraction took is a name
    (the gradient's name in Ng's notation), not a differential."""
    if isinstance(node, _DMark) and node.word and node.order is None:
        var = node.var
        if isinstance(var, Name):
            return Name(node.word)
        if isinstance(var, Script) and isinstance(var.base, Name):
            return replace(var, base=Name(node.word))
        return node
    changes = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, Node):
            new = _words_as_names(value)
        elif isinstance(value, tuple) and any(isinstance(v, Node) for v in value):
            new = tuple(_words_as_names(v) if isinstance(v, Node) else v for v in value)
        else:
            continue
        if new is not value and new != value:
            changes[f.name] = new
    return replace(node, **changes) if changes else node


def _describe(it: Item | None) -> str:
    if isinstance(it, Tok):
        return repr(it.value)
    if isinstance(it, Env):
        return f"\\begin{{{it.name}}}"
    return "{...}" if it is not None else "end"


def _expr(s: _Stream) -> Node:
    terms: list[Node] = []
    first = True
    while True:
        sign = 1
        while _v(s.peek()) in ("+", "-", "−", "\\pm", "\\mp") and isinstance(s.peek(), Tok):
            op = _v(s.next())
            if op in ("-", "−"):
                sign = -sign
            elif op in ("\\pm", "\\mp"):
                raise SyntaxProblem("± is not a single value", s.items[s.i - 1].pos)
        if not first and sign == 1 and not terms:
            pass
        term = _term(s)
        terms.append(term if sign == 1 else Neg(term))
        first = False
        if _v(s.peek()) in ("+", "-", "−", "\\pm", "\\mp") and isinstance(s.peek(), Tok):
            continue
        break
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


def _starts_factor(it: Item | None) -> bool:
    if it is None:
        return False
    if isinstance(it, Tok) and it.kind == "sym" and it.value == "…":
        return True
    if isinstance(it, (Group, Env)):
        return True
    v = it.value
    if it.kind in ("word", "num", "text"):
        return True
    if it.kind == "cmd":
        return not (v in RELATIONS or v in CONNECTIVES or v in MUL_OPS or v in DIV_OPS or v in CLOSE
                    or v in ("\\\\", "\\pm", "\\mp", "\\cr", "\\rvert", "\\rVert", "\\|"))
    if it.kind == "sym":
        return v in OPEN or v == "|"
    return False


def _term(s: _Stream) -> Node:
    first = s.peek()
    factors: list[Node] = [_unary(s)]
    ops: list[str] = []
    while True:
        it = s.peek()
        v = _v(it)
        if isinstance(it, Tok) and it.kind in ("sym", "cmd") and v in MUL_OPS:
            s.next()
            ops.append(MUL_OPS[v] or "*")
            if isinstance(s.peek(), Tok) and _v(s.peek()) in ("-", "−"):
                # p \times -\log p: the sign is the rest of the term's, so log keeps its argument
                s.next()
                factors.append(Neg(_term(s)))
                break
            factors.append(_unary(s))
        elif isinstance(it, Tok) and v == "." and it.kind == "sym" and _starts_factor(s.peek(1)):
            s.next()  # "e^{a}.e^{b}": a dot between factors is a product, as in code
            ops.append("*")
            factors.append(_unary(s))
        elif isinstance(it, Tok) and v in DIV_OPS:
            s.next()
            ops.append("/")
            factors.append(_unary(s))
        elif _starts_factor(it) and not (isinstance(it, Tok) and it.kind == "sym" and v == "|" and _closing_bar(s)):
            ops.append("")
            factors.append(_unary(s))
        else:
            break
    for k, f in enumerate(factors):
        if isinstance(f, Fn) and f.name == "exp" and f.sup is not None and f.sub is None \
                and (k == len(factors) - 1 or ops[k] in ("*", "/")):
            # \exp^{x_i} * \sum \exp^{x_k}: exp with a power and no argument (the term ends, or
            # an explicit product or quotient follows) is e to that power, as its author reads it
            factors[k] = Script(Name("e"), (), f.sup)
    if any(op == "" and isinstance(a, Num) and isinstance(b, Num) for op, a, b in zip(ops, factors, factors[1:])):
        # \boxed{0}\boxed{1}\boxed{0}, "0.090 0.245": numbers side by side are a list or a table
        # drawn in math, never a product (nobody writes 2 3 for 6)
        return Unreadable("numbers written side by side: a list, not a product", getattr(first, "pos", 0))
    # fold left to right; "/" binds its neighbours as in a/b c = (a/b) c
    node = factors[0]
    run: list[Node] = [node]
    kind = ""
    for op, f in zip(ops, factors[1:]):
        if op == "/":
            left = run.pop()
            run.append(_slash(left, f))
        elif op == "circ":
            kind = "circ"
            run.append(f)
        else:
            run.append(f)
    if len(run) == 1:
        return run[0]
    return Mul(tuple(run), kind)


_BAR_DEPTH: list[int] = []


def _closing_bar(s: _Stream) -> bool:
    return bool(_BAR_DEPTH) and _BAR_DEPTH[-1] > 0


def _slash(a: Node, b: Node) -> Node:
    # \partial L / \partial z: a derivative written with a slash
    if isinstance(a, _DMark) and a.var is not None:
        wrt = _split_differentials(b)
        if wrt is not None:
            return Deriv(a.var, wrt, a.partial)
    return Frac(a, b)


@dataclass(frozen=True)
class _DMark(Node):
    """A differential ``\\partial x``, ``dx``, ``\\partial^2 L`` (var None: the bare operator)."""
    partial: bool
    order: Node | None = None
    var: Node | None = None
    word: str = ""  # "dw" when read from one word: a name unless a derivative's fraction uses it


def _unary(s: _Stream) -> Node:
    v = _v(s.peek())
    if isinstance(s.peek(), Tok) and v in ("-", "−"):
        s.next()
        return Neg(_unary(s))
    if isinstance(s.peek(), Tok) and v == "+":
        s.next()
        return _unary(s)
    node = _postfix(s, _primary(s))
    if isinstance(node, Num) and isinstance(s.peek(), Tok) and _v(s.peek()) == "\\%":
        s.next()
        return Frac(node, Num("100"))  # 59.4\% is 59.4 hundredths
    return node


def _script_arg(s: _Stream) -> tuple[Item, ...]:
    if s.at_end():
        raise SyntaxProblem("a script with nothing after it", _pos(s.items[-1]))
    it = s.next()
    if isinstance(it, Tok) and it.value in ("-", "−") and not s.at_end():
        # ASCII maths: e^-x means e^{-x} (TeX would set e^{-}x, which no author means), and
        # e^-(w x + b) means e^{-(w x + b)}: the bracket goes with the sign
        if _v(s.peek()) == "(":
            return (it, *_bracket_run(s, s.next()))
        return (it,) + _script_arg(s)
    if _v(it) == "(" and _v(s.peek(-2)) == "^":
        # ASCII maths: e^(-x) means e^{-x}, the whole bracket (TeX would raise the "(" alone); a
        # lone letter or number in it, x^(i), is the sample superscript it is in TeX
        run = _bracket_run(s, it)
        return run if len(run) == 3 else run[1:-1]
    if isinstance(it, Group):
        return it.items
    if isinstance(it, Tok) and it.kind == "word" and len(it.value) > 1:
        # z_jk in TeX is z_j k; authors mean z_{jk} only for index letters, which we keep together,
        # unless another script or a bracket follows (a_ka_i is a_k a_i, s(x)_is(x)_j is s_i s(x)_j)
        nxt = s.peek()
        if all(c in JOINT_INDEX_LETTERS for c in it.value) and len(it.value) == 2 \
                and not (isinstance(nxt, Tok) and (nxt.kind == "script" or nxt.value == "(")):
            return (Tok("word", it.value[0], it.pos), Tok("word", it.value[1], it.pos + 1))
        s.items.insert(s.i, Tok("word", it.value[1:], it.pos + 1))
        return (Tok("word", it.value[0], it.pos),)
    if isinstance(it, Tok) and it.kind == "num" and len(it.value) > 1 and "." not in it.value:
        s.items.insert(s.i, Tok("num", it.value[1:], it.pos + 1))
        return (Tok("num", it.value[0], it.pos),)
    if isinstance(it, Tok) and it.kind == "cmd" and it.value in ACCENTS | {k: 1 for k in FONTS}:
        arg = s.next()
        return (it, arg)
    return (it,)


def _bracket_run(s: _Stream, opening: Item) -> tuple[Item, ...]:
    """``(`` and the items up to its matching ``)``."""
    depth, taken = 1, [opening]
    while not s.at_end():
        t = s.next()
        taken.append(t)
        depth += {"(": 1, ")": -1}.get(_v(t), 0)
        if depth == 0:
            return tuple(taken)
    raise SyntaxProblem("a bracket is never closed", _pos(opening))


def _sub_items(items: tuple[Item, ...]) -> tuple[Node, ...]:
    """A subscript: ``ij`` and ``i,j`` are two indices; ``i+1`` one; ``\\text{true}`` a label."""
    # (x_{i1}: inside a subscript, i1 is the sample i and the feature 1, not an entry of i)
    parts = _split_on(_clean(items, glue=False), (",",))
    out: list[Node] = []
    for p in parts:
        if not p:
            continue
        if len(p) == 1 and isinstance(p[0], Tok) and p[0].kind == "word" and len(p[0].value) == 2 \
                and all(c in INDEX_LETTERS for c in p[0].value):
            out.extend(Name(c) for c in p[0].value)  # \delta_{ij}
            continue
        if len(p) == 2 and all(isinstance(t, Tok) for t in p) and p[0].kind == "word" and len(p[0].value) == 2 \
                and all(c in INDEX_LETTERS for c in p[0].value) and p[1].kind == "prime":
            # \delta_{kk'}, z_{ic'}: two indices, the second primed
            out.extend((Name(p[0].value[0]), Script(Name(p[0].value[1]), primes=len(p[1].value))))
            continue
        if all(isinstance(t, Tok) and t.kind == "word" and len(t.value) == 1 for t in p) and len(p) > 1:
            out.extend(Name(t.value) for t in p)  # z_{ij}
            continue
        if len(p) == 2 and all(isinstance(t, Tok) for t in p) and p[0].kind == "word" and len(p[0].value) == 1 \
                and p[0].value in INDEX_LETTERS and p[1].kind == "num" and p[1].value.isdigit():
            # x_{i1}: feature 1 of sample i (two indices, as x_{i,1}), never i times 1 (but x_{2i}
            # is the entry 2i)
            out.extend((Name(p[0].value), Num(p[1].value)))
            continue
        if len(p) == 1 and isinstance(p[0], Tok) and (p[0].value.lstrip("\\") in ("max", "min", "log", "ln", "exp") or (
                p[0].kind == "word" and len(p[0].value) > 3 and p[0].value in WORD_FUNCTIONS)):
            # z_{max}: a name for a value, not max(); f_{sigmoid}, L_{softmax}, L_{log}: a label, not
            # the function (alone in the subscript, there is nothing for it to apply to)
            out.append(Name(p[0].value.lstrip("\\")))
            continue
        if len(p) == 1 and isinstance(p[0], Tok) and p[0].kind == "text":
            out.append(Name(_text_of(p[0])))  # x_\text{max}: a label, even when the word is an operator's
            continue
        node = _member(p, glue=False)
        if isinstance(node, Unreadable):
            # a subscript such as k \neq j or x \in X: keep it as a condition-like node
            node = _sub_condition(p) or node
        out.append(node)
    return tuple(out)


def _sub_condition(items: list[Item]) -> Node | None:
    for k, it in enumerate(items):
        if isinstance(it, Tok) and it.value in RELATIONS:
            left, right = _member(items[:k]), _member(items[k + 1:])
            if isinstance(left, Unreadable) or isinstance(right, Unreadable):
                return None
            return Cond(left, RELATIONS[it.value], right)
    return None


def _postfix(s: _Stream, node: Node) -> Node:
    sub: tuple[Node, ...] = ()
    sup: Node | None = None
    sup_paren = False
    primes = 0
    while True:
        it = s.peek()
        if isinstance(it, Tok) and it.kind == "script":
            s.next()
            arg = _script_arg(s)
            if it.value == "_":
                if sub:
                    raise SyntaxProblem("two subscripts", it.pos)
                sub = _sub_items(arg)
            else:
                if sup is not None:
                    raise SyntaxProblem("two superscripts", it.pos)
                arg_c = _clean(arg)
                tag = _tag_text(arg_c) if isinstance(node, Name) else None
                if tag is not None:
                    # x^{(p,3)}: sample p of layer 3, a tag of the name (a power has no comma)
                    node = Name(f"{node.base}^{{{tag}}}", node.accent)
                elif isinstance(node, Name) and node.base != "e" and len(arg_c) == 3 and _v(arg_c[0]) == "(" \
                        and _v(arg_c[-1]) == ")" and isinstance(arg_c[1], Tok) and arg_c[1].kind == "num" \
                        and arg_c[1].value.isdigit():
                    # \delta^{(2)} beside \delta_1^{(1)}: layer 2's quantity (or sample 2's), a name of
                    # its own whose shape is not the one of layer 1's, as W^{[2]} is
                    node = Name(f"{node.base}^{{({arg_c[1].value})}}", node.accent)
                elif (len(arg_c) >= 3 and _v(arg_c[0]) == "(" and _v(arg_c[-1]) == ")"
                        and not isinstance(node, (Num, Paren))):
                    inner = _member(arg_c[1:-1])
                    sup, sup_paren = inner, True
                elif arg_c and all(isinstance(a, Tok) and a.kind == "prime" or _v(a) == "\\prime" for a in arg_c):
                    primes += sum(len(a.value) if a.kind == "prime" else 1 for a in arg_c)
                elif len(arg_c) == 1 and _v(arg_c[0]) in ("*", "\\ast", "\\star") and isinstance(node, Name):
                    # w^*, j^*: a starred name (the optimum, the true word's index), never a power
                    node = Name(node.base + "*", node.accent)
                else:
                    sup = _member(arg_c)
                    if isinstance(sup, Unreadable):
                        raise SyntaxProblem(sup.reason, sup.pos)
        elif isinstance(it, Tok) and it.kind == "prime":
            s.next()
            primes += len(it.value)
        else:
            break
    layer = _layer_text(sup) if sup is not None and not sup_paren and isinstance(node, Name) else None
    if layer is not None:
        # z^{L}_c, W^{\ell}, a^{L-1}, W^{[1]}: the layer a quantity belongs to, a part of its name (never a power)
        node, sup = Name(f"{node.base}^{{{layer}}}", node.accent), None
    if isinstance(node, Fn) and (sub or sup is not None):
        node = Fn(node.name, sub[0] if sub else node.sub, sup if sup is not None else node.sup)
    elif sub or sup is not None or primes:
        if isinstance(node, Script) and not node.sub and not node.sup:
            node = node.base
        if sub and sup is None and not primes and isinstance(node, Paren) and node.kind == "(" \
                and len(node.items) == 1 and isinstance(node.items[0], Name):
            node = node.items[0]  # (x^{(p,3)})_j: the entry j of the name in brackets
        node = Script(node, sub, sup, sup_paren, primes)
    bang, after = s.peek(), s.peek(1)
    if isinstance(bang, Tok) and _v(bang) == "!" and not (isinstance(after, Tok) and _v(after) == "="
                                                          and after.pos == bang.pos + 1):
        # k!, \log(y!), 3! = 6: the factorial (a != b, typed without a space, stays a relation)
        s.next()
        return Call(Fn("factorial"), (node,), False)
    # application: f(x), \sigma(z), softmax(z)_j
    nxt = s.peek()
    if isinstance(nxt, Tok) and nxt.value == "[" and isinstance(node, Name) and node.base in ("E", "\\mathbb{E}"):
        # E[y | x; θ]: a conditional expectation, one name as P(y | x) is
        s.next()
        conditional = _conditional_name(s, node, nxt.pos)
        if conditional is not None:
            return conditional
        s.i -= 1
    if isinstance(nxt, Tok) and nxt.value == "[" and isinstance(node, Script) and isinstance(node.base, Name) \
            and node.base.base in ("E", "\\mathbb{E}") and node.sup is None and len(node.sub) == 1:
        # E_{x \sim p}[f(x)], \mathbb{E}_{q(z)}[...]: an expectation over what its subscript says
        s.next()
        items = _paren_items(s, "]", nxt.pos)
        if len(items) != 1:
            raise SyntaxProblem("an expectation of several values (a comma inside its brackets)", nxt.pos)
        return Expect(node.sub[0], items[0])
    if isinstance(nxt, Tok) and nxt.value == "(" and _callable(node) \
            and not (isinstance(node, Script) and node.sub and _entry_of_bracket(s)):
        s.next()
        divergence = _divergence(s, node)
        if divergence is not None:
            return divergence
        conditional = _conditional_name(s, node, nxt.pos)
        if conditional is not None:
            return conditional
        args = _paren_items(s, ")", nxt.pos)
        call_sub: tuple[Node, ...] = ()
        if isinstance(s.peek(), Tok) and _v(s.peek()) == "_":
            s.next()
            call_sub = _sub_items(_script_arg(s))
        node = Call(node, args, not _known_function(node), call_sub)
        if isinstance(s.peek(), Tok) and _v(s.peek()) in ("^",):
            # (s(x)_i^2: entry i of the value, squared)
            s.next()
            exp = _member(_script_arg(s))
            if node.maybe and len(args) == 1 and isinstance(exp, Name) and exp.base in ("T", "\\top", "\\intercal") \
                    and not call_sub:
                # x (p - y)^T: a transpose is of the bracket it is written on (a function's value
                # is seldom transposed), so this is the product x times (p - y)^T
                return Mul((node.func, Pow(Paren(args), exp)))
            node = Pow(node, exp)
    return node


_LAYER_LETTERS = ("l", "L", "\\ell")


def _tag_text(items: list[Item]) -> str | None:
    """``(p,3)``, ``(i, l)``: letters and whole numbers in brackets, joined by commas, as written; else None."""
    if len(items) < 5 or _v(items[0]) != "(" or _v(items[-1]) != ")":
        return None
    inner = items[1:-1]
    parts = [_v(x) for x in inner]
    if "," not in parts or not all(isinstance(x, Tok) and (x.kind in ("word", "num") and (x.value.isdigit() or len(x.value) == 1)
                                                         or x.value == ",") for x in inner):
        return None
    return "(" + "".join(parts) + ")"


def _layer_text(sup: Node) -> str | None:
    """``L``, ``\\ell``, ``L-1``, ``l+1``, ``[1]``, ``[l]``: a layer written as a superscript, else None."""
    if isinstance(sup, Paren) and sup.kind == "[" and len(sup.items) == 1:
        inner = _layer_text(sup.items[0]) if isinstance(sup.items[0], (Name, Add)) else (
            sup.items[0].value if isinstance(sup.items[0], Num) else None)
        return f"[{inner}]" if inner is not None else None
    if isinstance(sup, Name) and not sup.accent and sup.base in _LAYER_LETTERS:
        return sup.base
    if isinstance(sup, Add) and len(sup.terms) == 2 and isinstance(sup.terms[0], Name) \
            and sup.terms[0].base in _LAYER_LETTERS:
        second = sup.terms[1]
        if isinstance(second, Num) and second.value == "1":
            return f"{sup.terms[0].base}+1"
        if isinstance(second, Neg) and isinstance(second.arg, Num) and second.arg.value == "1":
            return f"{sup.terms[0].base}-1"
    return None


_PARALLEL = ("\\|", "\\parallel", "\\Vert")
_DIVERGENCES = ("D", "KL", "JS", "JSD", "CE", "H")


def _divergence(s: _Stream, node: Node) -> Node | None:
    """``D_{KL}(P \\parallel Q)``, ``KL(p || q)``, ``D(p \\| q)``: a divergence of two distributions,
    whose arguments a double bar separates (never a conditional, nor a norm).  Only of a divergence's
    name: ``p(x \\| C_k)`` is a conditional whose bar Markdown escaped."""
    head = node.base if isinstance(node, Script) else node
    if not (isinstance(head, Name) and head.base in _DIVERGENCES):
        return None
    extent = _call_extent(s)
    if extent is None:
        return None
    close, top = extent
    cut = [(k, k + 1) for k in top if _v(s.items[k]) in _PARALLEL]
    cut += [(k, k + 2) for k in top if _v(s.items[k]) == "|" and k + 1 in top and _v(s.items[k + 1]) == "|"
            and not (k - 1 in top and _v(s.items[k - 1]) == "|")]
    if len(cut) != 1:
        return None
    a, b = cut[0]
    left, right = _member(s.items[s.i:a]), _member(s.items[b:close])
    s.i = close + 1
    return Call(node, (left, right), False, ())


def _call_extent(s: _Stream) -> tuple[int, list[int]] | None:
    """Where the bracket opened just before ``s.i`` closes, and the indices of the items at its top
    level (inside no further bracket); None if it never closes."""
    depth, top = 0, []
    for k in range(s.i, len(s.items)):
        v = _v(s.items[k])
        if v in OPEN:
            depth += 1
        elif v in CLOSE:
            if depth == 0:
                return k, top
            depth -= 1
        elif depth == 0:
            top.append(k)
    return None


def _conditional_name(s: _Stream, node: Node, pos: int) -> Node | None:
    """``P(y | X, w)``, ``P(y=1)``: a probability written with a bar, or of one value, is one name, not a
    call or a product."""
    extent = _call_extent(s)
    if extent is None:
        return None
    inner = s.items[s.i:extent[0]]
    vals = [_v(t) for t in _clean(inner)]
    # (P(X = H), P(X = T): an outcome named by a capital, heads or tails; P(X = i) at a lowercase
    # letter is the entry at an index, read as a call)
    valued = isinstance(node, Name) and node.base in ("P", "Q", "p", "q", "Pr") and len(vals) == 3 \
        and vals[1] == "=" and len(vals[0]) == 1 and vals[0].isalpha() and (
            vals[2].replace(".", "").isdigit() or len(vals[2]) == 1 and vals[2].isupper())
    escaped = sum(_v(t) == "\\|" for t in inner) == 1  # p(x \| C_k): Markdown escaped the bar
    # P(S), P(\bar{S}), P(A, B): the probability of events named by capitals, a number
    events = isinstance(node, Name) and node.base in ("P", "Pr", "\\Pr") and _events(inner)
    if not (any(_v(t) in ("|", "\\mid", "\\vert") for t in inner) or escaped or valued or events):
        return None
    # (and P(y=1), Q(y=0): the probability of one value, a name too)
    s.i = extent[0] + 1
    head = node.key if isinstance(node, Name) else (
        f"{node.base.key}_{{{''.join(n.key for n in node.sub)}}}"
        if isinstance(node, Script) and isinstance(node.base, Name) and node.sup is None
        and node.sub and all(isinstance(n, Name) for n in node.sub) else type(node).__name__)
    return Name(head + "(" + _source(inner).replace("\\|", "|") + ")")


def _events(items) -> bool:
    """``S``, ``\\bar{S}``, ``A, B``, ``A \\cap B``: events named by single capitals (a bar, \\neg or
    ^c marks the complement), nothing else."""
    parts: list[list[str]] = [[]]
    for it in _clean(items):
        if _v(it) in (",", "\\cap"):
            parts.append([])
        elif isinstance(it, Group):
            parts[-1].extend(_v(x) for x in _clean(it.items))
        elif _v(it) not in ("\\bar", "\\overline", "\\neg", "\\lnot", "^", "c"):
            parts[-1].append(_v(it))
    return all(len(p) == 1 and len(p[0]) == 1 and p[0].isupper() for p in parts)


def _source(items) -> str:
    out = []
    for it in items:
        if isinstance(it, Tok):
            out.append(it.value)
        elif isinstance(it, Group):
            out.append("{" + _source(it.items) + "}")
        else:
            out.append("\\begin{" + it.name + "}" + _source(it.items) + "\\end{" + it.name + "}")
    return "".join(out)


def _entry_of_bracket(s: _Stream) -> bool:
    """The bracket at the stream's head is indexed after it closes: after an indexed name,
    ``w_{ij}(x^{(p,2)})_i`` is w_{ij} times the entry i, not w applied to x (σ(z)_i stays a call)."""
    depth = 0
    for k in range(s.i, len(s.items)):
        v = _v(s.items[k])
        if v in OPEN or v == "(":
            depth += 1
        elif v in CLOSE:
            depth -= 1
            if depth == 0:
                nxt = s.items[k + 1] if k + 1 < len(s.items) else None
                return isinstance(nxt, Tok) and nxt.kind == "script" and nxt.value == "_"
    return False


def _callable(node: Node) -> bool:
    base = node.base if isinstance(node, Script) else node
    return isinstance(base, (Name, Fn)) or (isinstance(node, Script) and isinstance(node.base, Fn))


def _known_function(node: Node) -> bool:
    base = node.base if isinstance(node, Script) else node
    return isinstance(base, Fn)


def _paren_items(s: _Stream, close: str, pos: int) -> tuple[Node, ...]:
    """Read up to the matching ``close``; commas at this level separate items."""
    depth = 0
    start = s.i
    parts: list[list[Item]] = [[]]
    while not s.at_end():
        it = s.next()
        v = _v(it)
        if isinstance(it, Tok) and (v in OPEN or v == "\\left"):
            depth += 1
        elif isinstance(it, Tok) and (v in CLOSE or v == "\\right"):
            if depth == 0 and (v == close or v in CLOSE):
                if v != close and not (close == "\\}" and v == "\\rbrace"):
                    raise SyntaxProblem(f"{v} closes a bracket opened by its partner at {pos}", it.pos)
                return tuple(parse_or_raise(p, pos) for p in parts if p) or (Unreadable("empty", pos),)
            depth -= 1
        if depth == 0 and isinstance(it, Tok) and v in (",", ";"):
            parts.append([])
            continue
        parts[-1].append(it)
    raise SyntaxProblem("a bracket is never closed", pos if start == 0 else pos)


def parse_or_raise(items, pos: int) -> Node:
    node = _member(items)
    if isinstance(node, Unreadable):
        cond = _sub_condition(list(_clean(items)))
        if cond is not None:
            return cond
        raise SyntaxProblem(node.reason, node.pos)
    return node


def _group_node(items: tuple[Item, ...], pos: int) -> Node:
    over = [k for k, it in enumerate(items) if isinstance(it, Tok) and it.value in ("\\over",)]
    if len(over) == 1:
        # {a \over b}: plain TeX's fraction
        k = over[0]
        return _fraction(tuple(items[:k]), tuple(items[k + 1:]), pos, _Stream([]))
    node = _member(items)
    if isinstance(node, Unreadable):
        raise SyntaxProblem(node.reason, node.pos)
    return node


def _text_of(tok: Tok) -> str:
    v = tok.value
    return v[v.index("{") + 1:-1].strip()


def _primary(s: _Stream) -> Node:
    if s.at_end():
        raise SyntaxProblem("an operand is missing", _pos(s.items[-1]) if s.items else 0)
    it = s.next()
    if isinstance(it, Group):
        return _group_node(it.items, it.pos)
    if isinstance(it, Env):
        return _environment(it)
    v = it.value
    if it.kind == "num":
        return Num(v)
    if it.kind == "word":
        return _word(s, it)
    if it.kind == "text":
        word = _text_of(it)
        cmd = v[:v.index("{")].strip()
        if word in WORD_FUNCTIONS and WORD_FUNCTIONS[word]:
            return Fn(WORD_FUNCTIONS[word])
        if cmd in ("\\mathrm", "\\operatorname", "\\operatorname*", "\\text") and word == "d":
            return _dmark(s, False)
        if word == "e" and cmd in ("\\mathrm", "\\text"):
            return Name("e")
        if not word:
            raise SyntaxProblem("empty text", it.pos)
        # (\text{Log Loss}: the words joined by a tie, as a space in a name's key parts an accent from its base)
        return Name("~".join(word.split()))
    if it.kind == "sym":
        if v in OPEN or v == "（":
            items = _paren_items(s, OPEN[v], it.pos)
            return Paren(items, "(" if v in ("(", "（") else v)
        if v == "|":
            return _bars(s, it)
        if v == "…":
            return Ellipsis_()
        raise SyntaxProblem(f"unexpected {v!r}", it.pos)
    if it.kind == "cmd":
        if v in OPEN:
            items = _paren_items(s, OPEN[v], it.pos)
            kind = {"\\{": "{", "\\lbrace": "{", "\\lvert": "|", "\\lVert": "||", "\\lfloor": "floor",
                    "\\lceil": "ceil", "\\langle": "<>", "\\lbrack": "["}[v]
            return Paren(items, kind)
        if v == "\\|":
            return _bars(s, it, double=True)
        if v in ("\\frac", "\\dfrac", "\\tfrac", "\\cfrac"):
            num, den = _arg(s, it), _arg(s, it)
            return _fraction(num, den, it.pos, s)
        if v in ("\\binom", "\\dbinom"):
            raise SyntaxProblem("binomial coefficients are not read", it.pos)
        if v == "\\sqrt":
            index = None
            if _v(s.peek()) == "[":
                s.next()
                index = _paren_items(s, "]", it.pos)[0]
            arg = _group_node(_arg(s, it), it.pos)
            return Pow(arg, Frac(Num("1"), index or Num("2")))
        if v in ("\\sum", "\\Sigma") and (v == "\\sum" or _v(s.peek()) in ("_",)):
            return _bigop(s, "sum")
        if v == "\\prod":
            return _bigop(s, "prod")
        if v in ("\\partial", "\\mathrm{d}"):
            return _dmark(s, True)
        if v == "\\nabla":
            return _grad(s)
        if v in FUNCTIONS:
            return Fn(FUNCTIONS[v])
        if v in ACCENTS:
            inner = _accent_arg(s, it)
            return Name(inner, ACCENTS[v])
        if v in FONTS:
            arg = _arg(s, it)
            inner = _group_node(arg, it.pos)
            if v == "\\mathbb" and isinstance(inner, Num) and inner.value == "1":
                return Name("\\mathbb{1}")
            if v == "\\mathbb" and isinstance(inner, Name) and inner.base in ("E", "R", "P", "I"):
                return Name("\\mathbb{" + inner.base + "}")
            return inner
        if v in TRANSPARENT_1:
            arg = _arg(s, it)
            if v in ("\\underset", "\\cancelto"):
                arg = _arg(s, it)
            node = _group_node(arg, it.pos)
            # \underbrace{x}_{text}: the label is not part of the value
            if v in ("\\underbrace", "\\overbrace") and isinstance(s.peek(), Tok) and s.peek().kind == "script":
                s.next()
                _script_arg(s)
            return node
        if v == "\\overset":
            _arg(s, it)
            return _group_node(_arg(s, it), it.pos)
        if v in ELLIPSES:
            return Ellipsis_()
        if v == "\\int":
            return _integral(s, it.pos)
        if v[1:] in GREEK or v in ("\\infty", "\\emptyset"):
            return Name(v)
        if v == "\\top" or v == "\\intercal":
            return Name("T")
        raise SyntaxProblem(f"{v} is not read here", it.pos)
    raise SyntaxProblem(f"unexpected {v!r}", it.pos)


_GLUED = re.compile(r"([a-zA-Z])?(log|ln|exp)([a-zA-Z])?")


_SPELLED_GREEK = frozenset({"sigma", "theta", "alpha", "beta", "gamma", "delta", "lambda", "epsilon", "omega"})


def _word(s: _Stream, it: Tok) -> Node:
    v = it.value
    if v in WORD_FUNCTIONS and WORD_FUNCTIONS[v] and len(v) > 1:
        return Fn(WORD_FUNCTIONS[v])
    glued = _GLUED.fullmatch(v)
    if glued and glued.group(2) is not None and not (glued.group(1) and glued.group(3)):
        # "ylog(p)" and "logh_w(x)" typed without spaces: TeX sets them as y log(p) and log h_w(x)
        head, fn, tail = glued.groups()
        pieces = ([Tok("word", head, it.pos)] if head else []) + [Tok("cmd", "\\" + fn, it.pos + len(head or ""))] \
            + ([Tok("word", tail, it.pos + len(v) - 1)] if tail else [])
        s.items[s.i:s.i] = pieces[1:]
        return _word(s, pieces[0]) if head else Fn(WORD_FUNCTIONS[fn])
    if v in _SPELLED_GREEK:
        # sigma(z), theta: a Greek letter spelled out in plain-text maths (no one means s·i·g·m·a)
        return Name("\\" + v)
    if v in ("sum", "prod") and isinstance(s.peek(), Tok) and s.peek().kind == "script" and _v(s.peek()) == "_":
        # sum_{i=1}^m with the backslash forgotten: a sum, as the rendered page shows it read
        return _bigop(s, v)
    if v == "d":
        return _dmark(s, False)
    if len(v) > 1 and v[0] == "d" and v[1:].isalpha() and len(v) <= 3:
        # dL, dz, dw: a differential; only a derivative's fraction gives it a meaning
        return _DMark(False, None, _postfix(s, Name(v[1:])), word=v)
    return Name(v)


def _accent_arg(s: _Stream, it: Tok) -> str:
    arg = _arg(s, it)
    node = _group_node(arg, it.pos)
    if isinstance(node, Name):
        return node.key
    if isinstance(node, Script) and isinstance(node.base, Name) and not node.sup:
        # \hat{y_i}: the accent covers the subscripted letter; keep the index outside
        s.items.insert(s.i, Tok("script", "_", it.pos))
        s.items.insert(s.i + 1, Group(tuple(_sub_tokens(node.sub, it.pos)), it.pos))
        return node.base.key
    raise SyntaxProblem("an accent over an expression", it.pos)


def _sub_tokens(sub: tuple[Node, ...], pos: int) -> list[Item]:
    out: list[Item] = []
    for k, n in enumerate(sub):
        if k:
            out.append(Tok("sym", ",", pos))
        out.extend(_unparse(n, pos))
    return out


def _unparse(n: Node, pos: int) -> list[Item]:
    if isinstance(n, Name) and not n.accent:
        return [Tok("word", n.base, pos)] if not n.base.startswith("\\") else [Tok("cmd", n.base, pos)]
    if isinstance(n, Num):
        return [Tok("num", n.value, pos)]
    raise SyntaxProblem("a complex subscript under an accent", pos)


def _arg(s: _Stream, it: Tok) -> tuple[Item, ...]:
    if s.at_end():
        raise SyntaxProblem(f"{it.value} needs an argument", it.pos)
    a = s.next()
    if isinstance(a, Group):
        return a.items
    if isinstance(a, Tok) and a.kind == "word" and len(a.value) > 1:
        s.items.insert(s.i, Tok("word", a.value[1:], a.pos + 1))
        return (Tok("word", a.value[0], a.pos),)
    if isinstance(a, Tok) and a.kind == "num" and len(a.value) > 1:
        s.items.insert(s.i, Tok("num", a.value[1:], a.pos + 1))
        return (Tok("num", a.value[0], a.pos),)
    return (a,)


def _bars(s: _Stream, it: Tok, double: bool = False) -> Node:
    _BAR_DEPTH.append(1)
    try:
        inner = _expr(s)
    finally:
        _BAR_DEPTH.pop()
    close = s.peek()
    if not (isinstance(close, Tok) and close.value in ("|", "\\|", "\\rvert", "\\rVert")):
        raise SyntaxProblem("| is never closed", it.pos)
    s.next()
    # P(y | x): a bar inside a call's parentheses is a conditional, read as one name by meaning
    return Paren((inner,), "||" if double or close.value in ("\\|", "\\rVert") else "|")


def _dmark(s: _Stream, partial: bool) -> Node:
    order = None
    if isinstance(s.peek(), Tok) and _v(s.peek()) == "^":
        s.next()
        order = _member(_script_arg(s))
    var = None
    nxt = s.peek()
    if _starts_factor(nxt) and not (isinstance(nxt, Tok) and nxt.value == "\\partial"):
        var = _postfix(s, _primary(s))
        if isinstance(var, Fn) and _starts_factor(s.peek()):
            # \partial \log y / \partial z: the differential of log y
            var = Mul((var, _postfix(s, _primary(s))))
    if var is None and not partial and order is None:
        return Name("d")  # a lone d: the meaning stage finds it undefined unless the note names it
    return _DMark(partial, order, var)


def _fraction(num: tuple[Item, ...], den: tuple[Item, ...], pos: int, s: _Stream) -> Node:
    num, den = _delta_as_partial(num, den)
    n = _member(num)
    d = _member(den)
    if isinstance(d, Unreadable):
        raise SyntaxProblem(d.reason, d.pos)
    dn = _split_differentials(d)
    if isinstance(n, Neg) and dn is not None and (isinstance(n.arg, _DMark) or (
            isinstance(n.arg, Mul) and n.arg.factors and isinstance(n.arg.factors[0], _DMark))):
        # \frac{-\partial f}{\partial x}
        return Neg(_fraction_node(n.arg, d, dn, pos, s))
    return _fraction_node(n, d, dn, pos, s)


def _delta_as_partial(num: tuple[Item, ...], den: tuple[Item, ...]) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """``\\frac{\\delta s_i}{\\delta x_j}``: δ opening both parts, and the denominator's δ followed by a
    variable (not ``\\delta_{ij}``), is the variation sign some authors write for ∂."""
    def opens(items: tuple[Item, ...]) -> bool:
        return len(items) >= 2 and isinstance(items[0], Tok) and items[0].value == "\\delta" \
            and not (isinstance(items[1], Tok) and items[1].value in ("_", "^"))

    if opens(num) and opens(den):
        return ((Tok("cmd", "\\partial", num[0].pos),) + num[1:], (Tok("cmd", "\\partial", den[0].pos),) + den[1:])
    return num, den


def _fraction_node(n: Node, d: Node, dn, pos: int, s: _Stream) -> Node:
    if isinstance(n, Name) and n.base == "d" and not n.accent and dn is None:
        # \frac{d}{y} under no differential: the name d over y (d the target in
        # d \log y + (1 - d) \log(1 - y)); the meaning stage says whether the note names d
        return Frac(n, d)
    if isinstance(n, Name) and n.base == "d":
        n = _DMark(False)
    head = n.factors[0] if isinstance(n, Mul) and n.factors else n
    if isinstance(head, _DMark):
        bare_den = False
        if dn is None and n is head and head.partial and head.var is None and head.order is None \
                and _plain_variable(d):
            # \frac{\partial}{o_k}: an operator over a variable can only mean ∂/∂o_k
            dn, bare_den = (d,), True
        if dn is None:
            raise SyntaxProblem("a derivative whose denominator is not a differential", pos)
        if isinstance(n, Mul):
            rest = ((head.var,) if head.var is not None else ()) + n.factors[1:]
            f: Node | None = rest[0] if len(rest) == 1 else Mul(tuple(rest))
        else:
            f = head.var
        if f is None:
            # \frac{\partial}{\partial z} applied to the bracket after it, or else to the rest of the term
            if not _starts_factor(s.peek()):
                raise SyntaxProblem("a derivative operator with nothing to act on", pos)
            nxt = s.peek()
            if isinstance(nxt, Tok) and nxt.value in ("(", "[", "\\left", "\\{"):
                # d/dh (log h) dh/dx: a bracket followed by another derivative is the operand alone
                # (the chain rule written out); otherwise the operator takes the whole term
                f = _unary(s)
                if _starts_factor(s.peek()):
                    mark = s.i
                    rest = _term(s)
                    first = rest.factors[0] if isinstance(rest, Mul) else rest
                    if isinstance(first, Deriv):
                        s.i = mark
                    else:
                        f = Mul((f,) + (rest.factors if isinstance(rest, Mul) else (rest,)))
            else:
                f = _term(s)
                return Deriv(f, dn, head.partial, loose=isinstance(f, Mul) or exp_times_bracket(f),
                             bare_den=bare_den)
        return Deriv(f, dn, head.partial, bare_den=bare_den)
    if isinstance(n, Unreadable):
        raise SyntaxProblem(n.reason, n.pos)
    return Frac(n, d)


def exp_times_bracket(node: Node) -> bool:
    """``e^{z_j} (\\sum_k e^{z_k})``: a power of e before a bracket, read as a product (no one
    applies an exponential as a function); after ∂/∂x, a product whose reach is not marked."""
    return isinstance(node, Call) and node.maybe and len(node.args) == 1 and not node.sub \
        and isinstance(node.func, Script) and isinstance(node.func.base, Name) and node.func.base.key == "e" \
        and node.func.sup is not None and not node.func.sub and not node.func.primes


def _plain_variable(d: Node) -> bool:
    """``o_k``, ``z``, ``w_{ij}``: a name with indices only."""
    return isinstance(d, Name) and not d.base.startswith("\\") and len(d.base) == 1 or (
        isinstance(d, Script) and isinstance(d.base, Name) and d.sup is None and not d.primes
        and len(d.base.base) == 1 and all(isinstance(x, (Name, Num)) for x in d.sub))


def _split_differentials(d: Node) -> tuple[Node, ...] | None:
    """``\\partial z_i \\partial z_j`` -> (z_i, z_j); ``\\partial z^2`` -> (z, z); else None."""
    factors = d.factors if isinstance(d, Mul) else (d,)
    out: list[Node] = []
    for f in factors:
        if not isinstance(f, _DMark) or f.var is None:
            return None
        var = f.var
        if isinstance(var, Script) and isinstance(var.sup, Num) and not var.sup_paren and var.sup.value.isdigit():
            # \partial z^2: the second derivative with respect to z
            out.extend([Script(var.base, var.sub, None, False, var.primes)] * int(var.sup.value))
        else:
            out.append(var)
    return tuple(out) or None


def _bigop(s: _Stream, kind: str) -> Node:
    sub = sup = None
    where: tuple[Node, ...] = ()
    while isinstance(s.peek(), Tok) and s.peek().kind == "script":
        t = s.next()
        arg = _clean(_script_arg(s))
        if t.value == "_":
            arg = _ascii_unequal(arg)
            sub = _member(arg)
            if isinstance(sub, Unreadable):
                sub = _sub_condition(list(arg)) or sub
            if isinstance(sub, Unreadable):
                sub, where = _sub_conditions(arg, sub)
        else:
            sup = _member(arg)
            bound = _sub_condition(list(arg)) if isinstance(sup, Unreadable) else None
            if isinstance(bound, Cond) and bound.op == "=" and isinstance(bound.left, Name) and (
                    sub is None or isinstance(sub, Cond) and sub.left == bound.left):
                # \sum_{i=1}^{i=8}: the upper bound written as the value its letter ends at
                sup = bound.right
    bare = kind == "sum" and sub is None
    if not _starts_factor(s.peek()) and not (isinstance(s.peek(), Tok) and _v(s.peek()) in ("-",) and not bare):
        if bare:
            # \frac{e_j}{\sum}, \sum' and \sum^2: the sign used as a name for the sum the note
            # abbreviates (it has no meaning until the note gives it one)
            return Name("\\Sigma") if sup is None else Pow(Name("\\Sigma"), sup)
        raise SyntaxProblem(f"a {kind} with no body", _pos(s.peek()))
    body = _term(s)
    return BigOp(kind, sub, sup, body, where)


def _ascii_unequal(items: list[Item]) -> list[Item]:
    """``j!=i`` (ASCII, as code writes it) is ``j \\neq i``."""
    out: list[Item] = []
    for it in items:
        if _v(it) == "=" and out and _v(out[-1]) == "!":
            out[-1] = Tok("cmd", "\\neq", _pos(out[-1]))
        else:
            out.append(it)
    return out


def _sub_conditions(items: list[Item], unread: Node) -> tuple[Node, tuple[Node, ...]]:
    """``\\sum_{j=1, j \\neq i}``, ``\\sum_{\\substack{j=1 \\\\ j \\neq i}}``: the index's range (``j=1``, or
    ``j`` alone) and the conditions its terms meet besides."""
    if len(items) == 2 and _v(items[0]) == "\\substack" and isinstance(items[1], Group):
        items = _clean(items[1].items)
    parts = [p for p in _split_on(items, (",", "\\\\")) if p]
    if len(parts) < 2:
        return unread, ()
    read = [_member(p) if len(p) == 1 else _sub_condition(p) for p in parts]
    ranges = [r for r in read if isinstance(r, Name) and len(r.base) == 1 or isinstance(r, Cond) and r.op in ("=", "in")]
    rest = [r for r in read if r not in ranges]
    if len(ranges) != 1 or not rest or not all(isinstance(r, Cond) and r.op == "!=" for r in rest):
        return unread, ()
    return ranges[0], tuple(rest)


def _integral(s: _Stream, pos: int) -> Node:
    """``\\int_{lo}^{hi} body \\, dz``: the term after the sign, which must end with its differential."""
    lo = hi = None
    while isinstance(s.peek(), Tok) and s.peek().kind == "script":
        t = s.next()
        arg = _member(_clean(_script_arg(s)))
        if t.value == "_":
            lo = arg
        else:
            hi = arg
    if not _starts_factor(s.peek()):
        raise SyntaxProblem("an integral with no body", _pos(s.peek(), pos))
    term = _term(s)
    factors = list(term.factors) if isinstance(term, Mul) else [term]
    trailing = 0
    while trailing < len(factors) - 1 and _plain_differential(factors[-1 - trailing]):
        trailing += 1
    if trailing > 1:
        # \int \int f dz dx: this integral's differential is the first; the others belong to the
        # integrals around it, innermost first
        s.outer_differentials[:0] = [d.var for d in factors[len(factors) - trailing + 1:]]
        factors = factors[:len(factors) - trailing + 1]
    last = factors[-1] if factors else None
    if _plain_differential(last):
        var, rest = last.var, factors[:-1]
    elif isinstance(last, Integral) and s.outer_differentials:
        var, rest = s.outer_differentials.pop(0), factors
    elif isinstance(last, Name) and last.base == "d" and len(factors) > 1:
        raise SyntaxProblem("an integral whose differential is not one variable", pos)
    elif isinstance(lo, Name) and not lo.accent and hi is None:
        var, rest = lo, factors  # \int_z q(z) \log q(z): the integral over the letter under it
    else:
        raise SyntaxProblem("an integral without its differential (dz)", pos)
    if lo == var and hi is None:
        lo = None  # \int_x p(x) \log p(x) dx: over x's whole range, not from x
    if not rest:
        raise SyntaxProblem("an integral with no body", pos)
    body = rest[0] if len(rest) == 1 else Mul(tuple(rest))
    return Integral(var, lo, hi, body)


def _plain_differential(node: Node) -> bool:
    """``dx``, as it ends an integral's body."""
    return isinstance(node, _DMark) and not node.partial and node.order is None and isinstance(node.var, Name)


def _grad(s: _Stream) -> Node:
    wrt, order = None, 1
    while isinstance(s.peek(), Tok) and _v(s.peek()) in ("_", "^"):
        tok = s.next()
        mark = _v(tok)
        arg = _member(_script_arg(s))
        if mark == "_" and wrt is None:
            wrt = arg
        elif mark == "^" and order == 1 and isinstance(arg, Num) and arg.value == "2":
            order = 2  # \nabla^2_w L: the Hessian, the gradient of the gradient
        else:
            raise SyntaxProblem("a \\nabla with scripts that are not read", _pos(tok))
    body = _term(s)
    node = Grad(wrt, body)
    return Grad(wrt, node) if order == 2 else node


def _split_on(items, separators: tuple[str, ...]) -> list[list[Item]]:
    """Top-level items cut at separator tokens (rows at \\\\, cells at &, indices at commas)."""
    parts: list[list[Item]] = [[]]
    for it in items:
        if isinstance(it, Tok) and it.value in separators:
            parts.append([])
        else:
            parts[-1].append(it)
    return parts


def _split_rows(items) -> list[list[Item]]:
    rows = _split_on(items, ("\\\\", "\\cr", "\\newline"))
    # \\[1.6em]: the space after a row break is layout, not the next row's first factor
    for k, row in enumerate(rows[1:], 1):
        close = next((n for n, t in enumerate(row[:5]) if _v(t) == "]"), None)
        if row and _v(row[0]) == "[" and close is not None and close >= 2 and all(
                isinstance(t, Tok) and t.kind in ("num", "word") for t in row[1:close]) \
                and isinstance(row[close - 1], Tok) and row[close - 1].value in _TEX_UNITS:
            rows[k] = row[close + 1:]
    return rows


_TEX_UNITS = frozenset({"em", "ex", "pt", "mm", "cm", "in", "mu", "bp", "pc", "dd", "cc", "sp"})


def _environment(env: Env) -> Node:
    name = env.name.rstrip("*")
    if name in ("cases", "dcases", "rcases"):
        out = []
        for row in _split_rows(env.items):
            cells = _split_cells(row)
            if not cells or not any(cells):
                continue
            head = list(cells[0])
            while head and isinstance(head[-1], Tok) and head[-1].value in (",", ".", ";"):
                head.pop()  # "S_j (1 - S_k), & \text{if } j = k": the comma before the condition
            value = _group_node(tuple(head), env.pos)
            when = cells[1] if len(cells) > 1 else []
            if len(when) == 1 and isinstance(when[0], Group):
                when = list(when[0].items)  # {\text{ if } w = o}: the condition in braces
            cond = _case_condition(when, env.pos)
            out.append((value, cond))
        return Cases(tuple(out))
    if name in ("bmatrix", "pmatrix", "matrix", "vmatrix", "Bmatrix", "array", "smallmatrix"):
        rows = []
        for row in _split_rows(env.items):
            cells = _split_cells(row)
            if cells and any(cells):
                rows.append(tuple(_group_node(tuple(c), env.pos) for c in cells))
        return Matrix(tuple(rows))
    raise SyntaxProblem(f"\\begin{{{env.name}}} inside an expression is not read", env.pos)


def _split_cells(row: list[Item]) -> list[list[Item]]:
    return _split_on(row, ("&",))


def _case_condition(items: list[Item], pos: int) -> tuple[Cond, ...] | None:
    words = []
    rest: list[Item] = []
    for it in _clean(items):
        if isinstance(it, Tok) and it.kind == "text" and math_in_text(_text_of(it)) is not None:
            rest.extend(math_in_text(_text_of(it)))  # \text{i $\neq$ j}: the condition typed as text
        elif isinstance(it, Tok) and it.kind == "text":
            words.append(_text_of(it).lower())
        elif isinstance(it, Tok) and it.value == ",":
            rest.append(Tok("sym", ",", it.pos))
        else:
            rest.append(it)
    if any(w.startswith(("otherwise", "else", "其他", "否则", "en otro", "sinon", "sonst", "senão", "de lo contrario",
                         "ngược lại", "иначе", "そうでない", "그 외")) for w in words) and not rest:
        return None
    conds = _conditions(rest) or _value_conditions(rest)
    if conds is None:
        raise SyntaxProblem("a case condition that is not read", pos)
    return conds


def _value_conditions(items: list[Item]) -> tuple[Cond, ...] | None:
    """``z \\geq 0``, ``x < 0``: inequalities on values (the stable sigmoid's two branches), not on
    indices; None if these items are something else."""
    out = []
    for p in _split_on(items, (",", ";")):
        if not p:
            continue
        c = _sub_condition(p)
        if c is None or c.op not in ("<", ">", "<=", ">=") or any(
                isinstance(n, Name) and n.base in INDEX_LETTERS for n in (c.left, c.right)):
            return None  # (i < j: a condition on indices, which the cases do not read)
        out.append(c)
    return tuple(out) or None


_CASE_WORDS = re.compile(r"^\s*(?:if|when|for|where|si|cuando|quand|wenn|falls|se|quando|nếu|если|当|若|如果)\b\s*",
                         re.IGNORECASE)


def math_in_text(text: str) -> tuple[Item, ...] | None:
    """The tokens of ``i $\\neq$ j`` or ``i = j`` written in a text argument: letters, one relation,
    no words (else None)."""
    bare = _CASE_WORDS.sub(" ", text.replace("$", " "))  # "si $y = 1$", "if i = j": the word is the frame
    bare = re.sub(r"[,.;:]\s*$", " ", bare)  # "for $j = i$,": the sentence's comma
    if not re.fullmatch(r"\s*[a-zA-Z]\s*(=|\\neq|\\ne|!=|≠)\s*[a-zA-Z0-9]\s*", bare):
        return None
    try:
        return token_tree(bare)
    except TreeError:
        return None


# words that open a case ("if $i = j$", "\text{when } y = 1")
CASE_WORDS = ("if", "for", "when", "si", "当", "若", "如果")


def _conditions(items: list[Item]) -> tuple[Cond, ...] | None:
    """``i = j``, ``i \\neq j, k = c``: index conditions; None if these items are something else."""
    parts: list[list[Item]] = [[]]
    for it in items:
        if isinstance(it, Tok) and (it.value in (",", ";") or (it.kind == "text" and _text_of(it).lower() in ("and", "y", "且", "和"))):
            parts.append([])
        elif isinstance(it, Tok) and it.kind == "text" and _text_of(it).lower() in CASE_WORDS + ("where",):
            continue
        else:
            parts[-1].append(it)
    out = []
    for p in parts:
        if not p:
            continue
        c = _sub_condition(p)
        if isinstance(c, Cond):
            c = entry_condition(c) or c
        if c is None or c.op not in ("=", "!=") or not _simple_index(c.left) or not _simple_index(c.right):
            return None
        out.append(c)
    return tuple(out) if out else None


def entry_condition(c: Cond) -> Cond | None:
    """``z_j \neq z_k`` as ``j \neq k``: two entries of one vector are equal exactly when they are
    the same entry, at the points where steps are checked (entries drawn at random are distinct)."""
    a, b = c.left, c.right
    if c.op not in ("=", "!=") or not all(
            isinstance(n, Script) and isinstance(n.base, Name) and len(n.sub) == 1 and n.sup is None
            and not n.primes and isinstance(n.sub[0], Name) and _simple_index(n.sub[0]) for n in (a, b)):
        return None
    if a.base != b.base or a.sub[0] == b.sub[0]:
        return None
    return Cond(a.sub[0], c.op, b.sub[0])


def _simple_index(n: Node) -> bool:
    # (a whole number: "b = 0.6" after a comma is a value given, never a case on an index)
    return (isinstance(n, Name) and len(n.base) == 1 and not n.accent) or isinstance(n, Num) and n.value.isdigit()
