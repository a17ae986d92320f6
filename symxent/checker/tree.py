"""Stage 2 of ``symxent check``: the token tree of one piece of math.

Contract: :func:`token_tree` parses LaTeX math text with the Lark grammar in ``latex.lark`` and
returns a tuple of :class:`Tok`, :class:`Group` and :class:`Env` items, each with its offset in
the text.  It knows nothing of what a command means; it only pairs braces and environments, so
``\\frac{a}{b}`` is the command token followed by two groups.  Unbalanced braces raise
:class:`TreeError` with the offset where reading stopped.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import lark

__all__ = ["Env", "Group", "Item", "Tok", "TreeError", "token_tree"]


@dataclass(frozen=True)
class Tok:
    kind: str  # "text" | "cmd" | "word" | "num" | "sym" | "script" | "prime"
    value: str
    pos: int


@dataclass(frozen=True)
class Group:
    items: tuple["Item", ...]
    pos: int


@dataclass(frozen=True)
class Env:
    name: str
    arg: str | None  # \begin{array}{cc}: the column spec
    items: tuple["Item", ...]
    pos: int


Item = Tok | Group | Env


class TreeError(Exception):
    def __init__(self, msg: str, pos: int):
        super().__init__(msg)
        self.msg = msg
        self.pos = pos


_SCRIPT_LETTERS = str.maketrans("ᵢⱼₖₙₘₗₜₓₐₑₒₚₛₕ₀₁₂₃₄₅₆₇₈₉ᵀⁱⁿ⁰¹²³⁴⁵⁶⁷⁸⁹", "ijknmltxaeopsh0123456789Tin0123456789")
_KINDS = {"TEXT": "text", "COMMAND": "cmd", "WORD": "word", "NUMBER": "num", "SYMBOL": "sym",
          "SCRIPT": "script", "PRIME": "prime"}


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    grammar = resources.files("symxent.checker").joinpath("latex.lark").read_text(encoding="utf-8")
    return lark.Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def _convert(tree: lark.Tree) -> tuple[Item, ...]:
    out: list[Item] = []
    for child in tree.children:
        if isinstance(child, lark.Token) and child.type in ("USUB", "USUP"):
            # xᵢ is x_{i}, wᵀ is w^{T}: the script and its letters, all at the character's position
            letters = str(child).translate(_SCRIPT_LETTERS)
            pos = child.start_pos
            out.append(Tok("script", "_" if child.type == "USUB" else "^", pos))
            out.append(Group(tuple(Tok("num" if c.isdigit() else "word", c, pos)
                                   for c in re.findall(r"\d+|\D", letters)), pos))
        elif isinstance(child, lark.Token) and child.type == "WORD" and _UNICODE_LETTERS.search(str(child)):
            out.extend(_unicode_word(str(child), child.start_pos))
        elif isinstance(child, lark.Token) and child.type == "SYMBOL" and _CJK.match(str(child)):
            # 设u = ..., 那么 ...: words of Chinese or Japanese typed in math (KaTeX sets them as text)
            out.append(Tok("text", "\\text{" + str(child) + "}", child.start_pos))
        elif isinstance(child, lark.Token) and child.type == "SYMBOL" and str(child) in _DOUBLE_STRUCK:
            out.extend(_double_struck(str(child), child.start_pos))
        elif isinstance(child, lark.Token) and child.type == "SYMBOL" and str(child) in _UNICODE_SYMBOLS:
            out.append(Tok("cmd", _UNICODE_SYMBOLS[str(child)], child.start_pos))
        elif isinstance(child, lark.Token) and child.type == "TEXT" and _text_operator(str(child)):
            # 0.3 \text{×} 0.1: a multiplication sign typed as text (to keep it from reading as x)
            out.append(Tok("cmd", _text_operator(str(child)), child.start_pos))
        elif isinstance(child, lark.Token) and child.type == "COMMAND" and str(child) in _ALIASES:
            out.append(Tok("cmd", _ALIASES[str(child)], child.start_pos))
        elif isinstance(child, lark.Token):
            out.append(Tok(_KINDS[child.type], str(child), child.start_pos))
        elif child.data == "group":
            pos = child.meta.start_pos if not child.meta.empty else 0
            out.append(Group(_convert(child.children[0]), pos))
        elif child.data == "env":
            begin, seq, end = child.children
            head = str(begin)[len("\\begin"):].strip()
            name = head[1:head.index("}")].strip()
            rest = head[head.index("}") + 1:].strip()
            end_name = str(end)[len("\\end"):].strip()[1:-1].strip()
            if end_name != name:
                raise TreeError(f"\\begin{{{name}}} ended by \\end{{{end_name}}}", end.start_pos)
            out.append(Env(name, rest[1:-1] if rest else None, _convert(seq), begin.start_pos))
        else:  # pragma: no cover - the grammar has no other rules
            raise AssertionError(child.data)
    return tuple(out)


# Math typed in Unicode (σ(z), Σ_j, ∂L/∂z, ŷ), as input methods and chatbots write it: the
# commands TeX users type for them, each token at the character's position
# (relations and connectives such as →, ⇒, ≠ are read as typed: syntax.RELATIONS and CONNECTIVES list them)
_UNICODE_SYMBOLS = {"∂": "\\partial", "∇": "\\nabla", "∑": "\\sum", "∏": "\\prod", "∞": "\\infty", "⋅": "\\cdot",
                    "∈": "\\in", "≔": "\\coloneqq", "⟹": "\\implies"}
_TEXT_OPERATORS = {"×": "\\times", "·": "\\cdot", "⋅": "\\cdot", "*": "\\ast", "∗": "\\ast", "÷": "\\div"}


def _text_operator(token: str) -> str | None:
    """The operator command a ``\\text{×}`` (any text command holding one operator sign) stands for."""
    return _TEXT_OPERATORS.get(token[token.index("{") + 1:-1].strip())


_DOUBLE_STRUCK = {"𝟙": "1", "𝟘": "0"}  # the indicator 𝟙{...} MathJax users type as \\unicode{x1D7D9}
_CJK = re.compile("[\u4e00-\u9fff\u3040-\u30ff]")
# KaTeX's other names for commands (\part is ∂ in math mode)
_ALIASES = {"\\part": "\\partial"}
_GREEK_NAMES = {"epsilon": "varepsilon", "final sigma": "varsigma", "lamda": "lambda", "phi": "varphi",
                "theta symbol": "vartheta", "phi symbol": "phi"}
_ACCENT_MARKS = {"0302": "\\hat", "0304": "\\bar", "0303": "\\tilde", "0307": "\\dot"}
_UNICODE_LETTERS = re.compile("[\u0370-\u03ff]|[\u00c0-\u024f]")


@functools.lru_cache(maxsize=256)
def _unicode_letter(c: str) -> tuple[str, str] | None:
    """("cmd", "\\sigma") for σ, ("hat", "y") for ŷ; None for a letter kept as it is (é in a word)."""
    name = unicodedata.name(c, "")
    greek = re.fullmatch(r"GREEK (SMALL|CAPITAL) LETTER ([A-Z ]+)", name) or \
        re.fullmatch(r"GREEK (SMALL|CAPITAL)? ?([A-Z]+ SYMBOL)", name)
    if greek:
        word = greek.group(2).lower()
        word = _GREEK_NAMES.get(word, word)
        if greek.group(1) == "CAPITAL":
            word = word.capitalize()
        return ("cmd", "\\" + word) if " " not in word else None
    base, *marks = unicodedata.decomposition(c).split() or [""]
    if len(marks) == 1 and marks[0] in _ACCENT_MARKS and base and not base.startswith("<"):
        letter = chr(int(base, 16))
        return (_ACCENT_MARKS[marks[0]], letter) if letter.isascii() and letter.isalpha() else None
    return None


def _unicode_word(word: str, pos: int) -> list[Item]:
    """A word with Greek or accented letters: each such letter as its command (σ, ŷ = \\hat{y}); the
    rest of the word as it is (a name typed in a language with accents stays one word)."""
    if not all(_unicode_letter(c) or c.isascii() for c in word):
        return [Tok("word", word, pos)]
    out: list[Item] = []
    run = ""
    for k, c in enumerate(word):
        read = None if c.isascii() else _unicode_letter(c)
        if read is None:
            run += c
            continue
        if run:
            out.append(Tok("word", run, pos + k - len(run)))
            run = ""
        kind, value = read
        if kind == "cmd":
            out.append(Tok("cmd", value, pos + k))
        else:
            out.extend((Tok("cmd", kind, pos + k), Group((Tok("word", value, pos + k),), pos + k)))
    if run:
        out.append(Tok("word", run, pos + len(word) - len(run)))
    return out


def _unclosed(text: str) -> tuple[str, int]:
    """Where the group that never closes opens (the reader's error is at the end of the text)."""
    opened: list[tuple[str, int]] = []
    k = 0
    while k < len(text):
        c = text[k]
        if c == "\\":
            m = re.match(r"\\(begin|end)\s*\{([a-zA-Z*]+)\}", text[k:])
            if m and m.group(1) == "begin":
                opened.append(("\\begin{" + m.group(2) + "}", k))
            elif m and opened and opened[-1][0].startswith("\\begin"):
                opened.pop()
            k += m.end() if m else 2
            continue
        if c == "%":
            nl = text.find("\n", k)
            k = len(text) if nl < 0 else nl
            continue
        if c == "{":
            opened.append(("{", k))
        elif c == "}" and opened:
            opened.pop()
        k += 1
    what, pos = opened[-1] if opened else ("{", len(text))
    return f"unbalanced: this {what} is never closed", pos


# Full-width forms that a Chinese or Japanese input method types in math (y_i=１, Ｗ, ＋): the
# ASCII character each stands for, one for one, so positions in the text do not move.
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def token_tree(text: str) -> tuple[Item, ...]:
    """The token tree of ``text`` (math mode LaTeX)."""
    text = text.translate(_FULL_WIDTH)
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedCharacters as exc:
        raise TreeError(f"unexpected {text[exc.pos_in_stream]!r}", exc.pos_in_stream) from None
    except lark.exceptions.UnexpectedToken as exc:
        tok = exc.token
        if tok.type == "$END":
            raise TreeError(*_unclosed(text)) from None
        raise TreeError(f"unexpected {str(tok)!r}", tok.start_pos) from None
    except lark.exceptions.UnexpectedEOF:
        raise TreeError(*_unclosed(text)) from None
    return _rewritten(_rewritten(_convert(tree.children[0]), _unicode_command), _plain_tex_rows)


def _rewritten(items: tuple[Item, ...], rule: Callable[[Tok, Group], list[Item] | None]) -> tuple[Item, ...]:
    """``items`` with each command followed by a group that ``rule`` replaces (``rule(command,
    group)``: the items in their place, or None to keep them), inside groups and environments too."""
    out: list[Item] = []
    k = 0
    while k < len(items):
        it = items[k]
        nxt = items[k + 1] if k + 1 < len(items) else None
        if isinstance(it, Tok) and isinstance(nxt, Group):
            replaced = rule(it, nxt)
            if replaced is not None:
                out.extend(replaced)
                k += 2
                continue
        if isinstance(it, Group):
            it = Group(_rewritten(it.items, rule), it.pos)
        elif isinstance(it, Env):
            it = Env(it.name, it.arg, _rewritten(it.items, rule), it.pos)
        out.append(it)
        k += 1
    return tuple(out)


# plain TeX's (and MathJax's) macros of rows, as the environment that reads the same way
_PLAIN_ROWS = {"\\eqalign": "aligned", "\\eqalignno": "aligned", "\\displaylines": "gathered"}


def _plain_tex_rows(command: Tok, group: Group) -> list[Item] | None:
    """``\\eqalign{ a &= b \\\\ &= c }`` as ``\\begin{aligned} ... \\end{aligned}``, and
    ``\\displaylines{...}`` as ``gathered``: rows, whatever the note's TeX dialect."""
    if command.value not in _PLAIN_ROWS:
        return None
    return [Env(_PLAIN_ROWS[command.value], None, _rewritten(group.items, _plain_tex_rows), command.pos)]


def _double_struck(char: str, pos: int) -> list[Item]:
    return [Tok("cmd", "\\mathbb", pos), Group((Tok("num", _DOUBLE_STRUCK[char], pos),), pos)]


def _unicode_command(command: Tok, group: Group) -> list[Item] | None:
    """MathJax's ``\\unicode{x1D7D9}`` (𝟙) as the character it names, read as if typed."""
    if command.value != "\\unicode":
        return None
    code = "".join(t.value for t in group.items if isinstance(t, Tok)).strip()
    char = chr(int(code[1:], 16)) if re.fullmatch(r"[xX][0-9a-fA-F]{2,6}", code) else None
    if char in _DOUBLE_STRUCK:
        return _double_struck(char, command.pos)
    if char in _UNICODE_SYMBOLS:
        return [Tok("cmd", _UNICODE_SYMBOLS[char], command.pos)]
    return None
