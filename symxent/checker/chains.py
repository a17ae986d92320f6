"""Stage 3b of ``symxent check``: the chains of relations in one block of math.

Contract
--------
:func:`read_block` takes the token tree of one math block (see :mod:`symxent.checker.tree`)
and returns its :class:`Chain` s: the members of each chain (``a = b = c``, ``&=`` rows, a
member broken over rows), the relation between consecutive members, the conditions written
beside them (``, i = j``, ``\\quad (i \\neq j)``, ``\\text{if } i = k``), ``where``/``with`` clauses
(definitions) and ``since`` clauses (stated facts).  ``\\because`` opens a side chain (the next
``&=`` row goes on with the main one); ``\\therefore``, ``\\Rightarrow``, ``\\implies`` and ``=>``
start a chain that follows from the one before (``implied_by``), or from what came before the
block when the block opens with one (``concluded``); a block that opens with a relation goes on
from the block before (``leading``).  Values listed side by side on both sides of a relation
(``CE = a, b = 0.17, 0.82``) are one bracketed list each, compared entry by entry; cases whose
values are chains (``x = \\begin{cases} a = b & i = j \\\\ ... \\end{cases}``) are a chain per case,
under its condition (``unread_case`` when it is not read).  Members are
expression trees from
:func:`symxent.checker.syntax.parse_member`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from symxent.checker.syntax import (
    CASE_WORDS, CLOSE, CONNECTIVE_WORDS, CONNECTIVES, OPEN, RELATIONS, WORD_FUNCTIONS, Cond, Name, Node, Num,
    Script, SyntaxProblem, Unreadable, _ascii_unequal, _case_condition, _clean, _conditions, _pos, _split_cells,
    _split_on, _split_rows, _text_of, _v, math_in_text, parse_member,
)
from symxent.checker.tree import Env, Group, Item, Tok

__all__ = ["Chain", "Clause", "Member", "read_block"]


@dataclass
class Member:
    node: Node
    pos: int          # offset of its first token in the block's text
    block: object = None  # the block it was read from (set by the scope stage, for file lines)
    after_words: bool = False  # the first member of a block "= ..." joined to a chain across a paragraph
    left_in_words: str = ""  # "Toplam $= a + b$": the words typed just before an inline "= ...", its left side
    words_after: str = ""  # "8.06 \text{ milioane de biți}": the words typed right after it in the row


@dataclass
class Clause:
    kind: str          # "where" (definitions), "since" (a stated fact), "note"
    chains: list["Chain"]
    pos: int


@dataclass
class Chain:
    members: list[Member] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)  # relations[t] between members t and t+1
    conditions: list[Cond] = field(default_factory=list)
    condition_problem: str = ""   # a condition was written but not understood
    clauses: list[Clause] = field(default_factory=list)
    reason_of: int | None = None  # after \because: a reason for the chain before it
    implied_by: int | None = None  # after \Rightarrow, \therefore, =>: follows from the chain before
    leading: str | None = None     # the block opens with this relation: it goes on from the block before
    concluded: bool = False        # the block opens with \Rightarrow, \therefore: it follows from what came before
    # joined by \iff or \Leftarrow to the chain after it (its last step) or before it (its first
    # step): that step is an equation said to hold where the other side holds, not an identity
    iff_next: bool = False
    iff_before: bool = False
    pending: list[Item] = field(default_factory=list)
    indent: int | None = None     # leading \quad's of the row it starts on (\qquad counts two)
    let: bool = False             # the row opens with "let" (\text{Let } \log x = y): it defines
    # a chain written inside a case whose condition is not read: its steps may hold only in that
    # case, so a WRONG among them is not checkable (an ok holds in every case, so in that one too)
    unread_case: str = ""


def _top_split(row: list[Item]) -> list[tuple[str, object, int]]:
    """Split a row at top-level relations, connectives and separators (brackets are flat tokens
    here, so depth is tracked by hand)."""
    segs: list[tuple[str, object, int]] = []
    cur: list[Item] = []
    depth = 0
    bar_open = False

    def flush():
        if cur:
            segs.append(("expr", list(cur), _pos(cur[0])))
            cur.clear()

    k = 0
    row = _clean_keep_quads(_annotated_equals(row))
    # -(a + b = c: a ( never closed does not hold the relations after it (the author left out its ))
    opened: list[int] = []
    for j, it in enumerate(row):
        if isinstance(it, Tok) and it.value == "(":
            opened.append(j)
        elif isinstance(it, Tok) and it.value == ")" and opened:
            opened.pop()
    never_closed = set(opened)
    while k < len(row):
        it = row[k]
        v = _v(it)
        if isinstance(it, Tok):
            if (v in OPEN or v == "\\left") and k not in never_closed:
                depth += 1
            elif v in CLOSE or v == "\\right":
                depth = max(0, depth - 1)
            elif v == "|" and depth == 0:
                bar_open = not bar_open
            if depth == 0 and not bar_open:
                nxt = _v(row[k + 1]) if k + 1 < len(row) else ""
                if v == "=" and nxt == ">":
                    flush()
                    segs.append(("conn", "=>", it.pos))
                    k += 2
                    continue
                if v == ":" and nxt == "=":
                    flush()
                    segs.append(("rel", ":=", it.pos))
                    k += 2
                    continue
                if v in ("\\to", "\\rightarrow", "→") and _between_equations(segs, row, k):
                    # "P(S) = 0.5 \to P(\bar{S}) = 0.5": an arrow from one equation to another is
                    # "hence", as \Rightarrow (not a limit, z \to \infty)
                    flush()
                    segs.append(("conn", "\\Rightarrow", it.pos))
                    k += 1
                    continue
                if v in RELATIONS and not (v == "=" and cur and _v(cur[-1]) in ("<", ">", "!")):
                    flush()
                    segs.append(("rel", RELATIONS[v], it.pos))
                    k += 1
                    continue
                if v in CONNECTIVES:
                    flush()
                    segs.append(("conn", v, it.pos))
                    k += 1
                    continue
                if v in ("\\quad", "\\qquad") and (
                        (not cur and (not segs or segs[-1][0] == "rel")) or _relation_next(row, k + 1)):
                    # "g'(z) \quad & = \quad \frac{d}{dz} ...": spacing around the sign, not a
                    # separator before a condition (which follows a whole statement)
                    k += 1
                    continue
                if v in (",", ";", "\\quad", "\\qquad", "\\forall", "\\text{，}", "，", "；", "\\hspace"):
                    flush()
                    segs.append(("sep", v, it.pos))
                    k += 1
                    continue
                if it.kind == "word" and v.lower() in ("and", "where", "with") and any(k_ == "rel" for k_, _, _ in segs) \
                        and any(_v(x) in RELATIONS for x in row[k + 1:]):
                    # "L = -\sum_k y_k \log p_k \,\,and\, p_j = ...": a word typed as letters between
                    # two statements (TeX sets it in italics, the reader reads the word)
                    flush()
                    segs.append(("sep", v, it.pos))
                    k += 1
                    continue
                if it.kind == "text" and _is_prose(_text_of(it)) and not _text_as_name(row, k, bool(cur or segs)):
                    flush()
                    segs.append(("sep", _text_of(it), it.pos))
                    k += 1
                    continue
                if v == "." and all(_v(x) in ("\\quad", "\\qquad") for x in row[k + 1:]):
                    k += 1
                    continue
                if v == "&":
                    k += 1
                    continue
        cur.append(it)
        k += 1
    flush()
    return segs


def _between_equations(segs, row: list[Item], k: int) -> bool:
    """Whether the statement before ``row[k]`` (since the last connective) and the rest of the row
    after it each have an ``=`` at the top level."""
    since = list(itertools.takewhile(lambda seg: seg[0] != "conn", reversed(segs)))
    if not any(kind == "rel" and val == "=" for kind, val, _ in since):
        return False
    depth = 0
    for it in row[k + 1:]:
        v = _v(it)
        depth += 1 if v in OPEN or v == "\\left" else -1 if v in CLOSE or v == "\\right" else 0
        if depth == 0 and v == "=":
            return True
    return False


def _relation_next(row: list[Item], k: int) -> bool:
    """Whether the first item from ``k`` on that is not spacing or an alignment mark is ``=``."""
    while k < len(row) and _v(row[k]) in ("\\quad", "\\qquad", "&"):
        k += 1
    return k < len(row) and _v(row[k]) == "="


def _end(it: Item) -> int:
    """Where an item's source ends (whitespace inside a group not counted)."""
    if isinstance(it, Tok):
        return it.pos + len(it.value)
    return (_end(it.items[-1]) if it.items else it.pos + 1) + 1


def _without_equation_number(row: list[Item]) -> list[Item]:
    """``\\frac{dz_i}{dw_0} = 1 (5)``: a number in brackets after a space at the end of a row is the
    equation's number, typed where \\tag{5} would go. Not after a function's name (``\\sigma (0)``,
    ``f (1)``), where the brackets hold its argument."""
    end = len(row)
    while end and isinstance(row[end - 1], Tok) and row[end - 1].value in ("&", ".", ",", ";"):
        end -= 1
    if end < 5 or not all(isinstance(t, Tok) for t in row[end - 3:end]):
        return row
    before, lp, num, rp = row[end - 4:end]
    if not (lp.value == "(" and rp.value == ")" and num.kind == "num" and len(num.value) <= 4) \
            or _end(before) >= lp.pos or not any(isinstance(t, Tok) and t.value == "=" for t in row[:end - 4]):
        return row
    after_script = end >= 6 and isinstance(row[end - 5], Tok) and row[end - 5].kind == "script"
    if isinstance(before, Tok) and not after_script and (
            before.kind == "cmd" or (before.kind == "word" and len(before.value) == 1)):
        return row
    return row[:end - 3] + row[end:]


# a sign that defines (\overset{def}{=}); "a def" over the sign is a reason (by a's definition)
_DEFINING = re.compile(r"^\s*(?:def|defn|def\.|:|\\triangle|\\vartriangle|\\Delta|定义)\s*$", re.IGNORECASE)


def _annotated_equals(row: list[Item]) -> list[Item]:
    """``\\overset{\\text{def}}{=}`` as ``:=`` and ``\\stackrel{\\text{quotient rule}}{=}`` as ``=`` (a
    reason written over the sign); other stacked signs are left to the cleaning that follows."""
    out: list[Item] = []
    k = 0
    while k < len(row):
        it = row[k]
        if isinstance(it, Tok) and it.value in ("\\overset", "\\stackrel") and k + 2 < len(row) \
                and isinstance(row[k + 1], Group) and isinstance(row[k + 2], Group) \
                and [_v(x) for x in row[k + 2].items] == ["="]:
            label = " ".join(_text_of(x) if isinstance(x, Tok) and x.kind == "text" else _v(x)
                             for x in row[k + 1].items if isinstance(x, Tok))
            out.extend([Tok("sym", ":", it.pos)] if _DEFINING.search(label) else [])
            out.append(Tok("sym", "=", it.pos))
            k += 3
            continue
        out.append(it)
        k += 1
    return out


def _clean_keep_quads(row: list[Item]) -> list[Item]:
    """As :func:`_clean`, but spacing that separates a condition from its chain stays."""
    return _clean(row, keep=("\\quad", "\\qquad"))


def _text_as_name(row: list[Item], k: int, after_something: bool) -> bool:
    """``\\text{Log Loss}_4 = ...`` or a row that opens with ``\\text{Log Loss} = ...``: words in a
    text box that carry a script, or stand alone before the first relation, name a quantity."""
    nxt = row[k + 1] if k + 1 < len(row) else None
    if isinstance(nxt, Tok) and nxt.kind == "script":
        return True
    return not after_something and nxt is not None and _v(nxt) in RELATIONS and not any(
        ch in _text_of(row[k]) for ch in ",;:")


def _is_prose(text: str) -> bool:
    t = text.strip().lower().strip(".,:;() ")
    if not t:
        return True
    if t in WORD_FUNCTIONS or (len(t) <= 2 and t.isascii() and t.isalpha()
                               and t not in ("if", "so", "as", "by", "ie", "y", "si")):
        return False
    words = t.replace(",", " ").split()
    return any(w in CONNECTIVE_WORDS for w in words) or len(words) > 1 or any(ord(c) > 0x2E80 for c in t)


_REASON = ("since", "because", "as", "using", "by", "from", "given", "因为", "由于", "ya que", "porque", "dado")
_CONSEQUENCE = ("then", "so", "thus", "hence", "therefore", "那么", "所以", "因此", "则", "于是", "可得", "entonces",
                "luego", "donc", "alors")
# words that open a definition in a row of math ("\text{Let } \log_e x = y")
_LET = ("let", "define", "denote", "令", "设", "設", "sea", "soit", "sei", "seja")
# words that make the statement after them the condition of the chain before ("if and only if $P = Q$")
_IF = ("if and only if", "iff", "only if", "当且仅当", "si et seulement si", "genau dann, wenn", "si y solo si")
_WHERE = ("where", "with", "let", "here", "其中", "令", "设", "donde", "con", "sea", "and")


def leading_case(items) -> tuple[tuple[Cond, ...], list[Item]] | None:
    """``$$ if \\ s = i, \\\\ = ... $$``: a first row that only states a case (the word typed in the
    math, bare or in \\text) and the rows after it (or, in one row, the case up to a colon and the
    equation after it); None when the block does not open so."""
    items = list(items)
    while len(_clean(items)) == 1 and _rows_environment(_clean(items)[0]):
        # $$\begin{equation*}\begin{aligned} i \neq j 时：\\ ... $$: the rows of the environment
        items = list(_clean(items)[0].items)
    breaks = [k for k, it in enumerate(items) if isinstance(it, Tok) and it.value in ("\\\\", "\\cr", "\\newline")]
    if not breaks:
        # $$if\ y_i\ =\ 1:\ \ p(y|x)=\hat{y_i}$$ or {\rm if}~i=j,~\frac{..}{..} = ...: the case on
        # the row of the equation, up to its colon (else its comma)
        for marks in ((":", "："), (",", "，")):
            breaks = [k for k, it in enumerate(items) if isinstance(it, Tok) and it.value in marks][:1]
            if breaks:
                break
        if not breaks or not any(isinstance(it, Tok) and it.value == "=" for it in items[breaks[0] + 1:]):
            return None
    row = [it for it in _clean(items[:breaks[0]]) if _v(it) != "&"]
    if not row or not isinstance(row[0], (Tok, Group)):
        return None
    def said(tok: Item) -> str:
        if isinstance(tok, Group) and tok.items and _v(tok.items[0]) in _ROMAN_SWITCHES:
            # {\rm if}: the word set upright, as \text{if}
            return " ".join(_v(t) for t in tok.items[1:] if isinstance(t, Tok) and t.kind == "word").lower()
        if not isinstance(tok, Tok):
            return ""
        return tok.value.lower() if tok.kind == "word" else _text_of(tok).strip().lower() if tok.kind == "text" else ""

    while row and _v(row[-1]) in (",", ":", ";", "，", "："):
        row.pop()
    if _v(items[breaks[0]]) in (",", "，") and row and said(row[0]) == "for":
        return None  # "for i = 1, ..., K": the comma is the range's
    if row and said(row[0]) in CASE_WORDS:
        rest = row[1:]
    elif len(row) > 1 and said(row[-1]) in CASE_WORDS_AFTER:
        rest = row[:-1]  # "i = j 时：": the word for "when" after the case (Chinese, Japanese)
    else:
        return None
    while rest and _v(rest[-1]) in (",", ":", ";", "，", "："):
        rest.pop()
    conds = _conditions(rest) if rest else None
    if conds is None:
        return None
    return conds, items[breaks[0] + 1:]


# switches that set the rest of a group upright or in text style: {\rm if}
_ROMAN_SWITCHES = ("\\rm", "\\textrm", "\\mathrm", "\\it", "\\textit", "\\text")

# "when" written after the case: i = j 时, i = j のとき
CASE_WORDS_AFTER = ("时", "时候", "的时候", "時", "のとき", "の時", "の場合", "的情况", "情况下", "일 때", "일때")

_STYLE_WRAPPERS = ("\\mathbf", "\\bold", "\\boldsymbol", "\\bm", "\\bf", "\\large", "\\Large", "\\displaystyle")


def _holds_rows(items) -> bool:
    """Whether a group holds a relation or an environment of rows (not a lone name in bold)."""
    return any(isinstance(t, Tok) and t.value in ("=", "\\approx", "\\Rightarrow") or _rows_environment(t)
               for t in _clean(list(items)))


def read_block(items) -> list[Chain]:
    """The chains of one math block (its token tree)."""
    items = list(items)
    last = _clean(items)[-1:]
    if last and isinstance(last[0], Tok) and last[0].value in (":", "："):
        items.remove(last[0])  # "if $$i \neq j:$$": the colon that introduces what follows
    # an environment that is the whole block holds the rows (aligned inside $$, split inside equation)
    stripped = [it for it in _clean(items)]
    while len(stripped) > 1 and isinstance(stripped[-1], Tok) and stripped[-1].value in (".", ",", ";"):
        stripped.pop()  # \end{equation}. : the sentence's full stop after the environment
    if len(stripped) == 1 and _rows_environment(stripped[0]):
        return read_block(stripped[0].items)
    if len(stripped) > 2 and _v(items[0]) == "\\left" and _v(stripped[0]) in ("[", "(") \
            and _v(stripped[-1]) == {"[": "]", "(": ")"}[_v(stripped[0])] \
            and any(isinstance(t, Tok) and t.value == "=" for t in stripped[1:-1]) and _one_pair(stripped):
        # $$\left[ \sigma(z) = \frac{1}{1 + e^{-z}} \right]$$: \[ ... \] turned into brackets by a
        # converter; the equation inside is the block
        return read_block(stripped[1:-1])
    if len(stripped) == 1 and isinstance(stripped[0], Env) and stripped[0].name in ("cases", "dcases") \
            and _equation_system(stripped[0].items):
        return read_block(stripped[0].items)
    if len(stripped) == 2 and isinstance(stripped[0], Tok) and stripped[0].value in ("\\boxed", "\\fbox") \
            and isinstance(stripped[1], Group):
        return read_block(stripped[1].items)  # $$\boxed{dw = ...}$$: the result, framed
    if (len(stripped) == 1 and isinstance(stripped[0], Group) or len(stripped) == 2 and isinstance(stripped[0], Tok)
            and stripped[0].value in _STYLE_WRAPPERS and isinstance(stripped[1], Group)) \
            and _holds_rows(stripped[-1].items):
        # $$ \color{red}{ \begin{aligned} ... \end{aligned} } $$, $$ \mathbf{ L = ... } $$: a colour or
        # a bold face over the whole block; the block is what it wraps
        return read_block(stripped[-1].items)
    chains: list[Chain] = []
    current: Chain | None = None
    rows = [part for row in _split_rows(items) for part in _environments_apart(row)]
    nested = len({_indent(row) for row in rows if _clean(row)}) > 1
    split = [_top_split(_without_equation_number(row)) for row in rows]
    tuples = _tuple_rows(split)
    for row_number, row in enumerate(rows):
        alone = _clean(row)
        if len(alone) == 1 and _rows_environment(alone[0]):
            # "$$ x_{max} = \max(x) \\ \begin{align} ... \end{align} $$": an environment of rows
            # as a row of its own holds chains of its own
            if current is not None:
                _finish(current)
            inner = read_block(alone[0].items)
            for c in inner:
                c.reason_of = None if c.reason_of is None else c.reason_of + len(chains)
                c.implied_by = None if c.implied_by is None else c.implied_by + len(chains)
            chains.extend(inner)
            current = None
            continue
        if _signature(row):
            continue  # "\sigma: \mathbb{R} \to \mathbb{R}": a function's domain and range, no relation
        in_cases = _chains_in_cases(row)
        if in_cases is not None:
            if current is not None:
                _finish(current)
            for case_row, conds, problem in in_cases:
                made = len(chains)
                _read_row(_top_split(case_row), None, chains)
                for c in chains[made:]:
                    _finish(c)
                    c.conditions.extend(conds)
                    c.unread_case = problem
            current = None
            continue
        segs = tuples.get(row_number) or split[row_number]
        if not segs:
            continue
        indent = _indent(row)
        if nested and segs[0][0] == "rel" and current is not None:
            # "H(M) = ... \\ \quad\quad P(M) = ... = 0.53 \\ \quad = -(0.53 log 0.53 ...)": rows
            # indented deeper are a side computation; "= ..." goes on with the last chain begun at
            # its own depth or less
            outer = next((c for c in reversed(chains) if c.members and c.indent is not None and c.indent <= indent),
                         None)
            if outer is not None and outer is not current:
                _finish(current)
                current = outer
        current = _read_row(segs, current, chains)
        for c in chains:
            if c.indent is None:
                c.indent = indent
    for c in chains:
        _finish(c)
    # drop empty chains (a row that only opens with \\because) and keep the links pointing right
    kept = [k for k, c in enumerate(chains) if c.members]
    where = {old: new for new, old in enumerate(kept)}

    def relink(k: int | None) -> int | None:
        while k is not None and k >= 0 and k not in where:
            k -= 1
        return where.get(k) if k is not None and k >= 0 else None

    out = []
    for k in kept:
        c = chains[k]
        c.reason_of = relink(c.reason_of)
        c.implied_by = relink(c.implied_by)
        if c.reason_of == len(out):
            c.reason_of = None
        if c.implied_by == len(out):
            c.implied_by = None
        out.append(c)
    return out


def _chains_in_cases(row: list[Item]) -> list[tuple[list[Item], tuple[Cond, ...], str]] | None:
    r"""``rac{\partial E}{\partial u_j} = egin{cases} -rac{\sigma'}{\sigma} = \sigma - 1 & j = j^*
    \ \ldots \end{cases}``: cases whose values are chains of their own. Each case is a row of its own,
    the left side and its sign put before the case's chain, with the case's condition (or why that
    condition is not read); a case said "otherwise" is left out (its condition is the others' negation,
    which the rows do not state). None when the row is no such cases."""
    clean = _clean(row)
    if len(clean) < 3 or not isinstance(clean[-1], Env) or clean[-1].name.rstrip("*") not in ("cases", "dcases") \
            or _v(clean[-2]) != "=":
        return None
    cases = clean[-1]
    rows = [_split_on(r, ("&",)) for r in _split_rows(cases.items)]
    if not any(cells and any(_v(x) in ("=", "\\approx") for x in _clean(cells[0])) for cells in rows):
        return None
    head = row[: row.index(clean[-1])]
    out = []
    for cells in rows:
        if not cells or not _clean(cells[0]):
            continue
        value = list(cells[0])
        while value and isinstance(value[-1], Tok) and value[-1].value in (",", ".", ";"):
            value.pop()
        try:
            conds = _case_condition(cells[1] if len(cells) > 1 else [], cases.pos)
        except SyntaxProblem as exc:
            out.append((head + value, (), f"the case's condition is not read ({exc.args[0]})"))
            continue
        if conds is not None:
            out.append((head + value, tuple(conds), ""))
    return out


def _signature(row: list[Item]) -> bool:
    """``f: A \\to B`` (a name, a colon, sets joined by an arrow)."""
    return signature_name(row) is not None


def signature_name(row: list[Item]) -> str | None:
    """The function's name in ``f: A \\to B`` (``\\sigma``, ``f``), else None."""
    clean = _clean(row)
    if len(clean) >= 4 and isinstance(clean[0], Tok) and clean[0].kind in ("cmd", "word") \
            and (clean[0].kind == "cmd" or len(clean[0].value) == 1) and _v(clean[1]) == ":" \
            and any(_v(x) in ("\\to", "\\rightarrow", "→", "\\mapsto") for x in clean[2:]) \
            and not any(_v(x) == "=" for x in clean):
        return _v(clean[0])
    return None


_LIST_COMMAS = (",", "，")


def _list_lengths(segs) -> list[int] | None:
    r"""How many expressions each member of a row lists, members being what stands between its
    relations and a list expressions joined by bare commas (``CE = a, b = 0.17, 0.82``: 1, 2, 2; a
    row that opens with a relation has an empty first member, 0). None when the row holds anything
    else: a connective, another separator, a relation other than = and ≈."""
    lengths = [0]
    expecting = True  # an expression comes next
    for kind, value, _ in segs:
        if kind == "rel" and value in ("=", "~") and (not expecting or lengths == [0]):
            lengths.append(0)
            expecting = True
        elif kind == "expr" and expecting:
            lengths[-1] += 1
            expecting = False
        elif kind == "sep" and value in _LIST_COMMAS and not expecting:
            expecting = True
        else:
            return None
    return None if expecting and lengths[-1] else lengths


def _tuple_rows(rows: list) -> dict[int, list]:
    r"""Rows whose members are lists of values compared entry by entry, each list made one bracketed
    expression (``CE = -(\log 0.84), -(5 \log 0.98) = 0.17, 0.82`` is two values, as a program
    prints them): row number -> its segments so rewritten.

    A row is such a row when its last members are all lists of the same length n >= 2 and what
    comes before them is one expression at most, and it compares two lists, or it is one list going
    on from (``= a, b`` after ``... = c, d``) or leading to (before ``= a, b``) a list of n in the
    next row. ``a = 1, b = 2`` (lists 1, 2, 1) and ``k = 1, 2, \dots, K`` (one list) are no such rows."""
    lengths = [_list_lengths(segs) if segs else None for segs in rows]

    def list_at_end(k: int) -> int | None:
        """n when row k ends in lists of n, preceded by one expression at most."""
        ls = lengths[k] if 0 <= k < len(rows) else None
        if not ls or ls[-1] < 2:
            return None
        n = ls[-1]
        start = len(ls) - 1
        while start > 0 and ls[start - 1] == n:
            start -= 1
        return n if start <= 1 and all(x <= 1 for x in ls[:start]) else None

    written = [k for k, segs in enumerate(rows) if segs]  # (blank rows between the rows are skipped)
    out: dict[int, list] = {}
    for at, k in enumerate(written):
        n = list_at_end(k)
        if n is None:
            continue
        ls = lengths[k]
        before, after = (written[at - 1] if at else -1), (written[at + 1] if at + 1 < len(written) else -1)
        lists = sum(1 for x in ls if x == n)
        continues = ls[0] == 0 and len(ls) == 2 and list_at_end(before) == n
        leads = list_at_end(after) == n and lengths[after][0] == 0 and len(lengths[after]) == 2
        if lists >= 2 or continues or leads:
            out[k] = _bracket_lists(rows[k], n)
    return out


def _bracket_lists(segs, n: int) -> list:
    """The row's segments with each list of n expressions joined into one in brackets."""
    out: list = []
    k = 0
    while k < len(segs):
        kind, value, pos = segs[k]
        run = segs[k : k + 2 * n - 1]
        if kind == "expr" and len(run) == 2 * n - 1 and all(
                r[0] == ("expr" if j % 2 == 0 else "sep") for j, r in enumerate(run)):
            joined: list[Item] = [Tok("sym", "(", pos)]
            for j, r in enumerate(run):
                joined.extend(r[1] if j % 2 == 0 else [Tok("sym", ",", r[2])])
            joined.append(Tok("sym", ")", run[-1][2]))
            out.append(("expr", joined, pos))
            k += 2 * n - 1
        else:
            out.append(segs[k])
            k += 1
    return out


def _indent(row: list[Item]) -> int:
    """How deep a row is indented by the spacing it opens with (``\\quad`` one, ``\\qquad`` two)."""
    depth = 0
    for it in row:
        v = _v(it)
        if v in ("\\quad", "\\qquad"):
            depth += 1 if v == "\\quad" else 2
        elif v != "&":
            break
    return depth


def _environments_apart(row: list[Item]) -> list[list[Item]]:
    r"""``E = ... \quad\quad \begin{matrix} v & = & ... \end{matrix}``: an environment of rows
    beside an equation is a row of its own (what is before it, it, and what is after it)."""
    if len(_clean(row)) == 1:
        return [row]
    at, depth, before = [], 0, None
    whole, row = row, _clean_keep_quads(row)
    for k, it in enumerate(row):
        v = _v(it)
        if isinstance(it, Tok) and (v in OPEN or v == "\\left"):
            depth += 1
        elif isinstance(it, Tok) and (v in CLOSE or v == "\\right"):
            depth = max(0, depth - 1)
        elif depth == 0 and before in ("\\quad", "\\qquad") and _rows_environment(it):
            at.append(k)  # (an array inside brackets, or right after an operator, is a matrix)
        before = v
    if not at:
        return [whole]
    parts, start = [], 0
    for k in at:
        parts += [row[start:k], [row[k]]]
        start = k + 1
    parts.append(row[start:])
    return [p for p in parts if _clean(p)]


def _rows_environment(item) -> bool:
    r"""An environment whose rows are equations (``align``, ``aligned``, ``split``, ...), or a bare
    ``matrix`` laid out as eqnarray is (``v & = & w^T x + b \\ y & = & \sigma(v)``: a cell that
    is only the "=" in every row)."""
    return isinstance(item, Env) and (item.name.rstrip("*") in (
        "aligned", "split", "align", "gathered", "gather", "eqnarray", "multline", "equation",
        "alignat", "alignedat", "flalign", "array", "subequations") or item.name == "matrix" and _equation_cells(item))


def _equation_cells(env: Env) -> bool:
    rows = [r for r in _split_rows(list(env.items)) if _clean(r)]
    return bool(rows) and all(any(len(c := _clean(cell)) == 1 and _v(c[0]) == "=" for cell in _split_cells(r))
                              for r in rows)


def _one_pair(items) -> bool:
    """The first bracket closes at the last one ([a] = [b] is two pairs, not one)."""
    opening, closing = _v(items[0]), _v(items[-1])
    depth = 0
    for k, t in enumerate(items):
        depth += 1 if _v(t) == opening else -1 if _v(t) == closing else 0
        if depth == 0 and k < len(items) - 1:
            return False
    return depth == 0


def _equation_system(items) -> bool:
    """``\\begin{cases} a = b \\\\ c = d \\end{cases}``: a brace that groups equations (no row has a
    condition column, every row has an "="), not the cases of one value."""
    rows = [r for r in _split_rows(list(items)) if _clean(r)]
    return bool(rows) and all(not any(isinstance(t, Tok) and t.value == "&" for t in r)
                              and any(isinstance(t, Tok) and t.value == "=" for t in r) for r in rows)


def _finish(c: Chain) -> None:
    if c.pending:
        c.members.append(Member(parse_member(c.pending), _pos(c.pending[0])))
        c.pending = []


def delta_case(chain: Chain) -> bool:
    """``\\delta_{ij} = 1 \\text{ when } i = j``: the convention stated, with its case (whatever the
    case's letters: ``\\delta_{ij} = 1`` when ``i = k`` is the same statement, mistyped)."""
    if chain.pending:
        return False
    if len(chain.members) != 2 or chain.relations[:1] != ["="] or not chain.conditions:
        return False
    lhs, rhs = chain.members[0].node, chain.members[1].node
    return isinstance(lhs, Script) and isinstance(lhs.base, Name) and lhs.base.key == "\\delta" and len(lhs.sub) >= 1 \
        and isinstance(rhs, Num) and rhs.value in ("0", "1")


def _read_row(segs, current: Chain | None, chains: list[Chain]) -> Chain | None:
    first = segs[0]
    if first[0] == "rel" and current is not None:
        _finish(current)
        if delta_case(current):
            # "... = -Σ_k y_k p_k(δ_{ik} - p_i) \\ δ_{ij} = 1 when i = k, δ_{ij} = 0 when i ≠ k \\ = ...": the
            # convention recalled between the rows; the next row goes on with the derivation
            before = [c for c in chains if c is not current and c.members and not delta_case(c)]
            if before:
                current = before[-1]
    continuing = current is not None and (first[0] == "rel" or (
        first[0] == "expr" and current.pending == [] and current.relations
        and len(current.members) == len(current.relations)))
    if first[0] == "expr" and current is not None and current.pending and _starts_with_operator(first[1]):
        # a long member broken over rows: "&= a + b \\ &\quad + c"
        current.pending.extend(first[1])
        segs = segs[1:]
        continuing = True
    if first[0] == "sep" and not str(first[1]).startswith("\\") and first[1] not in (",", ";", "，", "；") \
            and current is not None and current.members and len(segs) > 1 \
            and all(kind != "sep" for kind, _, _ in segs[1:]):
        # "&\text{note that above } z_j = z_k \\ &= ...": a row of words and a condition between
        # the rows of a chain is a remark on it; the next row goes on with the chain
        conds = _conditions(_row_items(segs[1:]))
        if conds is not None:
            current.conditions.extend(conds)
            return current
    if not continuing and not (first[0] == "conn" and current is not None):
        if current is not None:
            _finish(current)
        current = Chain()
        chains.append(current)
    assert current is not None
    k = 0
    while k < len(segs):
        kind, val, pos = segs[k]
        if kind == "expr":
            if current.pending:
                current.pending.extend(val)
            else:
                current.pending = list(val)
        elif kind == "rel":
            if current.pending:
                _finish(current)
            elif not current.members:
                current.pending = []
            current.relations.append(val)
            if len(current.relations) > len(current.members):
                # a relation with nothing on its left: "$$ = x $$" goes on from the block before
                current.relations.pop()
                if not any(c.members for c in chains):
                    current.leading = val
        elif kind == "conn":
            _finish(current)
            new = Chain()
            if val in ("\\because", "∵"):
                new.reason_of = chains.index(current) if current in chains else len(chains) - 1
            elif val in _CONDITIONAL:
                # "p_k = 1 \iff z_k - z_j \to \infty": each side holds where the other does
                current.iff_next = new.iff_before = True
            else:
                # what it follows from: the last statement written, not an empty row start
                stated = [k for k, c in enumerate(chains) if c.members and len(c.members) + len(c.pending) > 1]
                new.implied_by = stated[-1] if stated else None
                # ("$$ \Rightarrow \lambda = 1 $$": a conclusion of what came before the block)
                new.concluded = not stated and not any(c.members for c in chains)
            chains.append(new)
            current = new
        elif kind == "sep":
            # everything up to the next connective is a tail clause of this chain
            j = k + 1
            while j < len(segs) and segs[j][0] != "conn":
                j += 1
            tail = segs[k:j]
            _finish(current)
            if current.members and k > 0 and segs[k - 1][0] == "expr" and not str(val).startswith("\\") \
                    and val not in (",", ";", "，", "；"):
                current.members[-1].words_after = str(val)
            more = _tail(current, tail, chains)
            if more is not None:
                current = more
            k = j
            continue
        k += 1
    if current.reason_of is not None and current in chains and 0 <= current.reason_of < len(chains):
        # "\\because ..." is said beside the derivation: the next row goes on with the main chain
        _finish(current)
        main = chains[current.reason_of]
        while main.reason_of is not None and main is not chains[main.reason_of]:
            main = chains[main.reason_of]
        return main
    return current


_CONDITIONAL = ("\\Leftarrow", "\\impliedby", "\\iff", "\\Leftrightarrow", "\\Longleftrightarrow")


def _starts_with_operator(items: list[Item]) -> bool:
    return bool(items) and isinstance(items[0], Tok) and items[0].value in ("+", "-", "−", "\\cdot", "\\times")


def _row_items(segs) -> list[Item]:
    """The tokens of expression and relation segments, joined back into one piece of math."""
    items: list[Item] = []
    for kind, v, pos in segs:
        if kind == "expr":
            items.extend(v)
        else:
            items.append(Tok("sym", {"=": "=", "!=": "\\neq"}.get(v, "?" + v), pos))
    return items


def _ascii_relations(items: list[Item]) -> list[Item]:
    """``i!=j`` and ``i==j`` (typed as code writes them, in a case beside a row): ``i \\neq j`` and
    ``i = j``."""
    out: list[Item] = []
    for it in _ascii_unequal(items):
        if _v(it) == "=" and out and _v(out[-1]) == "=":
            continue
        out.append(it)
    return out


def _said_condition(tail) -> tuple[Cond, ...] | None:
    """The index condition a tail of words says, its letters and relation typed in the words
    (``\\text{ when i =j}``) or around them (``\\text{ when i} \\ne \\text{j}``); else None."""
    parts = []
    for kind, v, _ in tail:
        if kind == "sep" and not str(v).startswith("\\"):
            parts.append(str(v))
        elif kind == "rel" and v in ("=", "!="):
            parts.append("=" if v == "=" else "\\neq")
        elif kind == "expr" and len(v) == 1 and isinstance(v[0], Tok) and v[0].kind == "text":
            parts.append(_text_of(v[0]))
        else:
            return None
    tokens = math_in_text(" ".join(parts))
    return _conditions(list(tokens)) if tokens is not None else None


def _tail(chain: Chain, tail, chains: list[Chain]) -> Chain | None:
    """Read what follows a separator: conditions, where-clauses, reasons, or another chain."""
    tail = list(tail)
    # ",\ for\ i=j": words typed as bare letters in math are prose too
    for k, (kind, v, pos) in enumerate(tail):
        if kind == "expr" and v and isinstance(v[0], Tok) and v[0].kind == "word" \
                and v[0].value.lower() in CONNECTIVE_WORDS and len(v[0].value) > 1:
            rest = v[1:]
            tail[k:k + 1] = [("sep", v[0].value, pos)] + ([("expr", rest, _pos(rest[0]))] if rest else [])
            break
    q = next((k for k, (kind, v, _) in enumerate(tail) if not (kind == "sep" and v in (",", ";"))), len(tail))
    if q < len(tail) and tail[q][0] == "sep" and tail[q][1] == "\\forall":
        # "\forall i \neq j" is a condition; "\forall i = 1, 2, 3" a range of the index: the
        # quantifier's own expression ends at the next comma
        end = next((k for k in range(q + 1, len(tail)) if tail[k][0] == "sep"), len(tail))
        if end < len(tail):
            return None
    def said_words(part) -> str:
        return " ".join(str(v).lower() for kind, v, _ in part if kind == "sep" and not str(v).startswith("\\")
                        and v not in (",", ";", "，", "；"))

    words = said_words(tail)
    # "\delta_{ij} = 1 \text{ when i = j}": the condition typed inside the words (or around a
    # relation: "\text{ when i} \ne \text{j}"); "... \text{ and } \delta_{ij} = 0 ..." goes on with
    # another statement
    cut = next((k for k, (kind, v, _) in enumerate(tail) if kind == "sep" and str(v).strip().lower() in ("and", ",", ";")),
               len(tail))
    said = _said_condition(tail[:cut]) if chain.members and cut else None
    if said is not None:
        chain.conditions.extend(said)
        tail = tail[cut + 1:]
        if not any(kind != "sep" for kind, _, _ in tail):
            return None
        words = said_words(tail)
    exprs = [(kind, v, pos) for kind, v, pos in tail if kind != "sep"]
    if not exprs:
        return None
    items = _ascii_relations(_row_items(exprs))
    # (i \neq j) in brackets
    if len(items) >= 3 and _v(items[0]) == "(" and _v(items[-1]) == ")":
        inner = items[1:-1]
    else:
        inner = items
    # (a word of its own: "so" is not "some"; Chinese is written without spaces)
    follows = any(w in words.split() or (not w.isascii() and words.startswith(w)) for w in _CONSEQUENCE)
    if chain.members and words.strip().startswith(_IF) and any(kind == "rel" for kind, _, _ in tail):
        # "H(P, Q) = H(P) \quad \text{if and only if} \quad P = Q": said to hold under a condition,
        # and only under it: an equation, which the chain's step alone does not state
        chain.condition_problem = "it is said to hold if and only if another statement holds, which is not read"
        return None
    conds = _conditions(list(inner)) if chain.members and not follows else None
    if conds is not None and not any(w in words for w in _REASON):
        chain.conditions.extend(conds)
        return None
    sub_chains: list[Chain] = []
    # "e^{1.0} = 2.7183, \quad e^{0.1} = 1.1052": each statement after a separator is its own
    # (the separators stay, so a comma inside the tail still ends one)
    first = next(k for k, (kind, _, _) in enumerate(tail) if kind != "sep")
    _read_row(list(tail[first:]), None, sub_chains)
    for c in sub_chains:
        _finish(c)
    sub_chains = [c for c in sub_chains if c.members]
    if not sub_chains:
        return None
    if not chain.members and not chain.pending:
        # a row that opens with words ("\\text{Let } f(x) = ..."): the statement itself
        if words.split()[:1] and words.split()[0] in _LET or any(words.startswith(w) for w in _LET if not w.isascii()):
            for c in sub_chains:
                c.let = True
        chains.extend(sub_chains)
        return sub_chains[-1]
    if follows:
        # ", then L = c", "，那么 L = c": a statement that follows from the chain, not a condition
        stated = chains.index(chain) if chain in chains else len(chains) - 1
        for c in sub_chains:
            c.implied_by = stated
        chains.extend(sub_chains)
        return sub_chains[-1]
    if any(w in words.split() or words.startswith(w) for w in _WHERE):
        chain.clauses.append(Clause("where", sub_chains, tail[0][2]))
        return None
    if any(w in words.split() or words.startswith(w) for w in _REASON):
        chain.clauses.append(Clause("since", sub_chains, tail[0][2]))
        return None
    if _looks_like_range(sub_chains):
        return None  # "k = 1, ..., K", "\forall i"
    if chain.relations and not words and tail[0][1] in (",", ";", "，", "；") and any(len(c.relations) for c in sub_chains):
        # "&= \frac{1}{σ} \frac{∂σ}{∂z} \frac{∂z}{∂b},\ \frac{∂σ}{∂z} = σ(1 - σ) \\ &= 1 - σ": a fact
        # put beside the chain after a comma; the next row goes on with the chain, not with the fact
        chains.extend(sub_chains)
        return chain
    if not chain.members or any(len(c.relations) for c in sub_chains):
        # a second statement on the same row
        chains.extend(sub_chains)
        return sub_chains[-1]
    chain.condition_problem = "a note beside the chain is not read"
    return None


def _looks_like_range(chains: list[Chain]) -> bool:
    for c in chains:
        if len(c.members) > 1 and any(isinstance(m.node, Num) and not m.node.value.isdigit()
                                      or isinstance(m.node, Name) and len(m.node.base) > 1 for m in c.members):
            return False  # "P(A) = 0.4, P(B|A) = 0.5": a second value given, not an index's range
        for m in c.members:
            n = m.node
            if not (isinstance(n, (Name, Num)) or isinstance(n, Unreadable)):
                return False
    return True
