"""Read a note into headings, prose and math pieces, each with its file lines.

Contract
--------
``read_note(text, kind="markdown" | "latex")`` returns the note's items in document order:

* :class:`Heading` -- level (Markdown ``#`` = 1; LaTeX ``\\part`` = -1, ``\\chapter`` = 0,
  ``\\section`` = 1 ... ``\\subparagraph`` = 5), title as plain text (inline math kept as
  ``$...$``), 1-based line;
* :class:`Prose` -- the plain words of a run of text between math pieces (Markdown inline markup
  removed, LaTeX comments dropped, whitespace collapsed), with the line it starts on;
* :class:`Math` -- the LaTeX between the delimiters, ``display`` or inline, the 1-based file line of
  every line of ``text`` (``len(lines) == text.count("\\n") + 1``), and ``env`` when the whole
  piece is one environment (then ``text`` is that environment's body).  A piece that is only
  ``\\begin{aligned}...\\end{aligned}`` (inside ``$$``, ``\\[``, ``equation``...) is reported as
  ``env="aligned"`` with the body, so later stages see the rows whatever the wrapper.

``note_kind(filename)`` says which reader a file name calls for (.tex/.latex: LaTeX; .ipynb: a
Jupyter notebook, whose Markdown cells are read as one Markdown note, each line reported at the
line of the notebook's JSON file that holds it; a file that is not a notebook's JSON is read
as Markdown).

Markdown is read by markdown-it-py (CommonMark + tables + strikethrough + YAML front matter)
with mdit-py-plugins' ``dollarmath`` and ``amsmath`` and small rules of this module:

* ``$``: Pandoc's rule (no space just inside, no digit after the closing ``$``), so "$5 and
  $10" stays prose; then ``$ x $`` padded with spaces when its content starts with no digit;
* ``$$...$$`` on its own lines, or inside a paragraph (display, as Obsidian and kramdown write
  it; with words before and after it on its line it is marked ``within_words``, which kramdown
  typesets inline and the scope stage reads as part of the sentence).  A bare ``$$`` line ends
  the paragraph above it (so rows such as ``- c`` stay math), unless that paragraph holds an
  unclosed ``$$`` (Obsidian's ``text $$`` opening);
* MathJax's ``\\(...\\)`` and ``\\[...\\]``, inline or as blocks;
* bare ``\\begin{align}`` blocks (amsmath) and ``aligned``, ``split``, ``gathered`` (as Jupyter
  writes them);
* ``<script type="math/tex[; mode=display]">``; in HTML blocks also the math and words of the
  text outside tags (MathJax typesets them, bare ``\\begin{align}`` environments there as display
  math), not those of ``<pre>``, ``<code>``, comments;
* Hugo's ``{{< katex >}}...{{< /katex >}}`` and ``{{< math >}}`` shortcodes on their own lines,
  and those that take the formula as an argument in backticks (``{{< texd `...` >}}``);
* a code span that is exactly ``$$...$$`` (```$$ ... $$```: display math kept from the Markdown
  renderer, which MathJax typesets all the same; ```$x$``` stays code, as it often shows how
  math is typed);
* ```` ```math ```` fences; ```` ```latex ```` fences only when all they hold is delimited math
  or one bare formula (no words, no source-only macros);
* reStructuredText's ``.. math::`` directive and ``:math:`...``` role (Sphinx notes);
* equation images (``![](https://latex.codecogs.com/svg.latex?...)``, ``<img src=...>`` in HTML
  blocks and among a paragraph's words, GitHub's ``render/math`` and Google's chart ``cht=tx``
  URLs): the URL's query, decoded, is a display formula, on the image's line.

A note with no delimited math at all (its author types formulas as code) is read again with
its code taken as math where it holds a formula and not code: inline code spans, the lines
of plain fences (no language, ``text``), a line that starts with ``=`` going on with the one
before, and paragraphs whose every line is a formula (one that opens with ``=`` going on with
the paragraph of formulas just before it).  A line or span is a formula when it has an ``=`` and none of code's marks (keywords,
``a.b`` attributes, strings, comments, ``==``/``+=``, braces other than a script's group, a
run of three words, or an update ``w = w - ...``).

Other code and the front matter (YAML between ``---``, Hexo's ``key: value`` lines closed by
``---``, Hugo's TOML between ``+++``) are skipped.

Blog escapes (Hexo, Jekyll): authors whose renderer runs Markdown over the math write ``\\_`` for
``_``, ``\\\\\\\\`` for the row break ``\\\\``, ``\\*`` for ``*``, ``\\\\{`` for ``\\{``.  A math piece
is taken as escaped when it holds ``\\\\\\\\`` or an odd run of backslashes before ``_`` or ``*``
outside a text argument such as ``\\text{log\\_softmax}`` (neither means anything in a
derivation); in such a piece, runs of four backslashes become two, ``\\\\`` before one of
``{},;!:|`` becomes ``\\``, and ``\\`` before ``_``, ``*``, ``|`` is removed.  Such authors also
write MathJax's delimiters as ``\\\\(`` ``\\\\)`` ``\\\\[`` ``\\\\]`` (CommonMark turns them into
``\\(``...), so those delimit math too.  A GFM table cell's ``\\|`` is always ``|``.
Unescaping never crosses a line, so ``lines`` stays exact.

LaTeX is read by pylatexenc's ``LatexWalker`` (tolerant): only the ``document`` environment when
there is one; ``$``, ``\\(``, ``\\begin{math}`` inline; ``$$``, ``\\[`` and the display
environments (:data:`MATH_ENVIRONMENTS`) display.  Code environments (verbatim, lstlisting,
minted, comment) are skipped; of other macros only the text ones (``\\emph``, ``\\textbf``...)
give words, so labels, references and citations do not.

In both kinds the note's own macros (``\\newcommand``, ``\\renewcommand``, ``\\providecommand``,
``\\def``, ``\\DeclareMathOperator``, in a preamble or in the math, as MathJax and KaTeX read
them) are written out in every math piece, as TeX would, each call's line breaks kept after its
expansion so ``lines`` stays exact; a macro with an optional argument is left as written.

Neither reader raises: what cannot be read as math is prose (an unclosed ``$`` or environment
included).
"""

from __future__ import annotations

import bisect
import contextvars
import html
import json
import re
import textwrap
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.amsmath import amsmath_block, amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar, math_inline_dollar
from mdit_py_plugins.front_matter import front_matter_plugin
from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexNode,
    LatexWalker,
    get_default_latex_context_db,
)

Kind = Literal["markdown", "latex", "notebook"]


@dataclass(frozen=True)
class Heading:
    level: int  # Markdown: the number of #; LaTeX: \section = 1, \subsection = 2 ...
    title: str  # plain text; inline math kept as $...$
    line: int  # 1-based file line


@dataclass(frozen=True)
class Prose:
    text: str  # the words between math pieces, inline markup removed, whitespace collapsed
    line: int  # 1-based file line where the words start


@dataclass(frozen=True)
class Math:
    text: str  # the LaTeX inside the delimiters (or the environment's body), unescaped
    display: bool  # a display block, or inline
    lines: tuple[int, ...]  # the 1-based file line of each line of text
    env: str | None  # "align", "aligned", "split"... when the piece is one such environment
    alone: bool = False  # inline, but the whole of its paragraph
    display_after_words: bool = False  # "con $$a=e^z$$ y ...": display math typed after words on its line
    # "正解ラベル $$y^{(i)}$$（0 or 1）に属する": display dollars with words before and after on one line,
    # which kramdown (Jekyll) typesets inline, in the sentence
    within_words: bool = False


Item = Heading | Prose | Math

# Environments whose body is math.  ``math`` is the inline one; the rest are display.
MATH_ENVIRONMENTS = frozenset(
    name + star
    for name in (
        "equation", "align", "alignat", "flalign", "gather", "multline", "eqnarray",
        "displaymath", "math",
    )
    for star in ("", "*")
) | {"aligned", "alignedat", "gathered", "split", "multlined", "subequations"}
# Wrappers that add nothing to the rows: ``equation`` around ``aligned`` is reported as ``aligned``.
_WRAPPERS = frozenset({"equation", "equation*", "displaymath", "math"})

SECTION_LEVELS = {
    "part": -1, "chapter": 0, "section": 1, "subsection": 2, "subsubsection": 3,
    "paragraph": 4, "subparagraph": 5,
}
# LaTeX text macros whose argument is prose; any other macro's arguments (labels, refs, citations)
# are not words of the note.
_TEXT_MACROS = frozenset({
    "emph", "textbf", "textit", "textrm", "textsf", "texttt", "textsc", "textup", "textsl",
    "underline", "text", "mbox", "footnote", "caption", "item", "textnormal",
})


# LaTeX environments holding code or commented-out text, not words of the note (pylatexenc
# already reads ``verbatim`` verbatim).
_CODE_ENVIRONMENTS = frozenset({"lstlisting", "minted", "comment", "Verbatim", "filecontents"})


def note_kind(filename: str) -> Kind:
    """``latex`` for .tex / .latex files, ``notebook`` for .ipynb, ``markdown`` for everything else."""
    name = filename.lower()
    return "latex" if name.endswith((".tex", ".latex")) else "notebook" if name.endswith(".ipynb") else "markdown"


def read_note(text: str, *, kind: Kind) -> list[Item]:
    """Items in document order (see the module docstring)."""
    # One newline convention, so every reader counts lines the same way as a text-mode file read.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        cells = _notebook_markdown(text) if kind == "notebook" else None
        if cells is not None:
            text, where = cells
            items = [_at_lines(item, where) for item in _read_markdown(text)]
        else:
            items = _read_latex(text) if kind == "latex" else _read_markdown(text)
        macros = user_macros(text)
        if macros:
            items = [replace(item, text=expand_macros(item.text, macros)) if isinstance(item, Math) else item
                     for item in items]
        return items
    except Exception:  # noqa: BLE001 -- the contract: never raise; a reader bug must not lose the note
        words = _collapse(text)
        return [Prose(words, 1)] if words else []


def _notebook_markdown(text: str) -> tuple[str, list[int]] | None:
    """A Jupyter notebook's Markdown cells as one Markdown text (a blank line between cells), and
    the notebook file's line of each of its lines (``where[k]`` for line k + 1); None when
    ``text`` is not a notebook's JSON (nbformat 4, or 3's worksheets)."""
    try:
        notebook = json.loads(text)
        cells = notebook["cells"] if "cells" in notebook else notebook["worksheets"][0]["cells"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    lines: list[str] = []
    where: list[int] = []
    cursor = 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", [])
        # a source written as one string (nbformat allows it) is one line of the file
        pieces = [source] if isinstance(source, str) else list(source)
        body, at_line = "", []  # the cell's text, and the file line of each of its lines
        for piece in pieces:
            if not isinstance(piece, str):
                return None
            # the string as the file spells it (Jupyter writes non-ASCII as is; others escape it),
            # found after the one before it: its line is where the file holds it
            found = [(at, len(spelled)) for spelled in (json.dumps(piece, ensure_ascii=False), json.dumps(piece))
                     if (at := text.find(spelled, cursor)) >= 0]
            line = at_line[-1] if at_line else where[-1] if where else 1
            if found:
                at, length = min(found)
                line, cursor = text.count("\n", 0, at) + 1, at + length
            if not body or body.endswith("\n"):
                at_line.append(line)  # the piece starts a line (else it goes on with the one before)
            at_line.extend([line] * piece.removesuffix("\n").count("\n"))  # lines it starts inside
            body += piece
        rows = body.split("\n")
        if rows[-1] == "":
            rows.pop()
        lines.extend(rows)
        where.extend(at_line[:len(rows)])
        lines.append("")  # a blank line ends the cell's last paragraph
        where.append(where[-1] if where else 1)
    return "\n".join(lines), where


def _at_lines(item: Item, where: Sequence[int]) -> Item:
    """``item`` with its lines (of the text read) as the lines of the file they came from."""
    def line(n: int) -> int:
        return where[min(max(n, 1), len(where)) - 1] if where else n

    if isinstance(item, Math):
        return replace(item, lines=tuple(line(n) for n in item.lines))
    return replace(item, line=line(item.line))


# --------------------------------------------------------------------------------------------
# The note's own macros: \newcommand{\pd}[2]{\frac{\partial #1}{\partial #2}} in a LaTeX preamble,
# or in a Markdown note's math (MathJax and KaTeX read them there too).

_MACRO_DEFINITION = re.compile(
    r"\\(?:(?:re|provide|new)command\*?\s*(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))\s*(?:\[(\d)\])?\s*(?=\{)"
    r"|def\s*\\([A-Za-z]+)((?:#\d)*)\s*(?=\{)"
    r"|DeclareMathOperator\*?\s*\{\s*\\([A-Za-z]+)\s*\}\s*(?=\{))")
_EXPANSIONS = 2000  # macro calls expanded in one piece of math at most (a macro that calls itself ends)


def _group(text: str, at: int) -> tuple[str, int] | None:
    """The content of the brace group opening at ``text[at]`` and the offset after it."""
    if at >= len(text) or text[at] != "{":
        return None
    close = _matching_brace(text, at)
    return None if close < 0 else (text[at + 1 : close], close + 1)


def user_macros(text: str) -> dict[str, tuple[int, str]]:
    """The macros a note defines: name -> (number of arguments, body). A macro with an optional
    argument (``\\newcommand{\\x}[2][0]{...}``) is left out: which calls give it is not read."""
    macros: dict[str, tuple[int, str]] = {}
    if "command" not in text and "\\def" not in text and "DeclareMathOperator" not in text:
        return macros
    for m in _MACRO_DEFINITION.finditer(text):
        body = _group(text, m.end())
        if body is None:
            continue
        if m.group(6):
            macros[m.group(6)] = (0, f"\\operatorname{{{body[0]}}}")
        elif m.group(4):
            macros[m.group(4)] = (len(m.group(5) or "") // 2, body[0])
        else:
            macros[m.group(1) or m.group(2)] = (int(m.group(3) or 0), body[0])
    return {name: (n, body.replace("\n", " ")) for name, (n, body) in macros.items() if 0 <= n <= 9}


def expand_macros(math: str, macros: dict[str, tuple[int, str]]) -> str:
    """``math`` with the note's macros written out (their arguments put in); each call keeps the
    line breaks it spanned, after its expansion, so the rows stay on their file lines."""
    call = re.compile(r"\\(" + "|".join(sorted(map(re.escape, macros), key=len, reverse=True)) + r")(?![A-Za-z])")
    done = 0
    at = 0
    while done < _EXPANSIONS:
        m = call.search(math, at)
        if m is None:
            break
        n, body = macros[m.group(1)]
        end, args = m.end(), []
        for _ in range(n):
            while end < len(math) and math[end] in " \t\n":
                end += 1
            group = _group(math, end)
            if group is not None:
                args.append(group[0])
                end = group[1]
            elif end < len(math):
                one = re.match(r"\\[A-Za-z]+|.", math[end:], re.DOTALL)
                assert one is not None
                args.append(one.group(0))
                end += len(one.group(0))
        if len(args) < n:
            at = m.end()
            continue
        written = re.sub(r"#(\d)", lambda g: args[int(g.group(1)) - 1].replace("\n", " ")
                         if 0 < int(g.group(1)) <= n else g.group(0), body)
        # (as TeX: the tokens put in, no group around them; a space keeps \\R x from reading as \\Rx)
        math = math[: m.start()] + written + " " + "\n" * math.count("\n", m.start(), end) + math[end:]
        at = m.start()  # (the expansion may call other macros)
        done += 1
    return math


# --------------------------------------------------------------------------------------------
# Shared: turning a raw math piece into a Math item.


def _collapse(text: str) -> str:
    return " ".join(text.split())


_HTML_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);")


def _delimited_in_code(src: str, pos: int, content: str) -> tuple[int, int] | None:
    """Where the math of a code span that is exactly ``$$...$$`` lies in ``src`` (start and end of
    the body), searching from ``pos``; None for other code (```$x$``` shows how math is typed).
    CommonMark turns a code span's line breaks into spaces, so the body is taken from ``src``."""
    core = content.strip()
    if not (len(core) > 4 and core.startswith("$$") and core.endswith("$$") and "$" not in core[2:-2]):
        return None
    opening = src.find("`$$", pos)
    if opening < 0:
        return None
    ticks = len(src[:opening + 1]) - len(src[:opening + 1].rstrip("`"))
    body_start = src.index("$$", opening) + 2
    body_end = src.find("$$" + "`" * ticks, body_start)
    return (body_start, body_end) if body_end >= 0 else None


def _math_item(
    text: str, first_line: int, *, display: bool, env: str | None, escaped: str = "none"
) -> Math | None:
    """A Math from raw delimited content starting on file line ``first_line``.

    ``escaped``: "blog" undoes blog escapes when the piece shows them, "table" also undoes GFM's
    ``\\|``; "none" for raw sources (fences, scripts, LaTeX files).
    """
    if escaped != "none":
        text = _unescape(text, table=escaped == "table")
    # a page escaped for HTML (g&amp;=-\sum ... &#43;\frac{w}{v}): the characters the entities stand for
    text = _HTML_ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    if len(text) >= 2 and text[0] == "`" and text[-1] == "`" and "\n" not in text:
        text = text[1:-1]  # GitLab's inline math, $`...`$: the backticks are delimiters
    text, first_line = _trim(text, first_line)
    rows = _INLINE_ROW_BREAK.split(text) if not display and "\\begin" not in text else [text]
    if len(rows) > 1 and (_ESCAPED_NOTE.get() or not all(_RELATION_IN.search(row) for row in rows)):
        # an inline \\ is kramdown's escape of "\ ", a space, in a note whose row breaks are typed
        # \\\\, or where the rows it would make are no statements ("-\frac{a}{s} \\ \frac{b}{s}")
        text = _INLINE_ROW_BREAK.sub(r"\\ ", text)
    if env is None or env in _WRAPPERS:
        inner = _single_environment(text)
        if inner is not None:
            env, start, end = inner
            display = display or env != "math"
            first_line += text.count("\n", 0, start)
            text, first_line = _trim(text[start:end], first_line)
    if not text:
        return None
    return Math(text, display, tuple(range(first_line, first_line + text.count("\n") + 1)), env)


_INLINE_ROW_BREAK = re.compile(r"(?<!\\)\\\\(?![\\A-Za-z])")
_RELATION_IN = re.compile(r"=|\\approx|\\neq|\\ne\b|\\le|\\ge|<|>")
# whether the note being read types its row breaks as \\\\ (a blog whose renderer escapes \\)
_ESCAPED_NOTE: contextvars.ContextVar[bool] = contextvars.ContextVar("escaped_note", default=False)


def _trim(text: str, first_line: int) -> tuple[str, int]:
    """Strip surrounding whitespace, moving the first line past the blank lines dropped."""
    stripped = text.lstrip()
    first_line += text.count("\n", 0, len(text) - len(stripped))
    return stripped.rstrip(), first_line


def _single_environment(text: str) -> tuple[str, int, int] | None:
    """(name, body start, body end) when ``text`` is one math environment and nothing else.

    A scan of ``\\begin{name}`` / ``\\end{name}`` pairs, not a LaTeX parse: this runs on every
    math piece, and a parse costs a millisecond each.
    """
    if not text.startswith("\\begin{"):
        return None
    close_brace = text.find("}", 7)
    if close_brace < 0:
        return None
    name = text[7:close_brace]
    if name not in MATH_ENVIRONMENTS:
        return None
    begin, end = f"\\begin{{{name}}}", f"\\end{{{name}}}"
    if not text.endswith(end):
        return None
    depth, pos = 0, 0
    while True:  # the \begin at 0 must be closed by the \end at the very end, not earlier
        next_begin = text.find(begin, pos)
        next_end = text.find(end, pos)
        if next_end < 0:
            return None
        if 0 <= next_begin < next_end:
            depth, pos = depth + 1, next_begin + len(begin)
            continue
        depth, pos = depth - 1, next_end + len(end)
        if depth == 0:
            if pos != len(text):
                return None
            break
    start = close_brace + 1
    if name in ("alignat", "alignat*", "alignedat"):  # \begin{alignat}{2}: skip the column count
        if text.startswith("{", start):
            arg_end = text.find("}", start)
            start = arg_end + 1 if arg_end > 0 else start
    return name, start, len(text) - len(end)


def _environment_body(text: str, node: LatexEnvironmentNode) -> tuple[int, int] | None:
    """Offsets of the body of ``\\begin{env}[args] body \\end{env}``, or None if it never closes."""
    end_node = node.pos + node.len
    start = text.find("}", node.pos, end_node) + 1  # the end of \begin{name}
    args = node.nodeargd.argnlist if node.nodeargd is not None else []
    for arg in args:  # \begin{alignat}{2}, \begin{array}{cc}: the body follows the arguments
        if arg is not None:
            start = max(start, arg.pos + arg.len)
    end = text.rfind("\\end", start, end_node)
    if start <= 0 or end < 0:
        return None
    return start, end


def _backslash_run(text: str, i: int) -> int:
    """Length of the run of backslashes starting at ``i``."""
    j = i
    while j < len(text) and text[j] == "\\":
        j += 1
    return j - i


# Macros whose argument is text, where ``\_`` is LaTeX's own underscore (``\text{log\_softmax}``)
# and so no sign of blog escaping.
_TEXT_ARGUMENT = ("text", "textrm", "texttt", "textit", "textbf", "mathrm", "operatorname", "mbox")


def _blog_escaped(text: str) -> bool:
    r"""Does this piece show Markdown escapes (``\\\\``, or ``\_`` / ``\*`` outside text)?"""
    i = text.find("\\")
    while i >= 0:
        n = _backslash_run(text, i)
        after = text[i + n : i + n + 1]
        if n >= 4 or (n % 2 == 1 and after in ("_", "*") and after):
            return True
        if n == 2 and after in ("{", "}") and text[max(0, i - 5):i] in ("\\left", "right"):
            return True  # \left\\{ : TeX has no row break there, only an escaped \{
        if n % 2 == 1:
            name_end = i + n
            while name_end < len(text) and text[name_end].isalpha():
                name_end += 1
            if text[i + n : name_end] in _TEXT_ARGUMENT and text.startswith("{", name_end):
                closing = _matching_brace(text, name_end)
                if closing > 0:  # the argument is text: skip it
                    i = text.find("\\", closing)
                    continue
        i = text.find("\\", i + n)
    return False


def _matching_brace(text: str, open_: int) -> int:
    """Offset of the ``}`` closing the ``{`` at ``open_`` (escaped braces skipped), or -1."""
    depth, i = 0, open_
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _unescape(text: str, *, table: bool) -> str:
    """Undo blog (and, in table cells, GFM pipe) escapes; see the module docstring."""
    blog = _blog_escaped(text)
    if not blog and not (table and "\\|" in text):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        j = text.find("\\", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        n = _backslash_run(text, j)
        after = text[j + n : j + n + 1]
        i = j + n
        if not blog:  # only the table's \| is an escape here
            if n % 2 == 1 and after == "|":
                out.append("\\" * (n - 1))
            else:
                out.append("\\" * n)
            continue
        out.append("\\\\" * (n // 4))  # \\\\ -> \\ : the row break
        n %= 4
        if n == 3:  # \\ (an escaped backslash) then a single backslash before `after`
            out.append("\\")
            n = 1
        if n == 2:
            out.append("\\" if after and after in "{},;!:|" else "\\\\")
        elif n == 1:
            out.append("" if after and after in "_*|" else "\\")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Markdown


def _record_span(rule: Callable[[StateInline, bool], bool], opening: int):
    """Wrap an inline math rule so its token remembers where its content starts and ends.

    markdown-it's inline tokens carry no positions; with the offsets in the paragraph's text the
    file line of every math line is exact.
    """

    def wrapped(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not rule(state, silent):
            return False
        if not silent:
            token = state.tokens[-1]
            width = 2 if token.type == "math_inline_double" else opening
            token.meta = {"start": start + width, "end": state.pos - width}
        return True

    return wrapped


_LOOSE_DOLLAR = math_inline_dollar(allow_space=True, allow_digits=False, allow_double=False)


def _spaced_dollar(state: StateInline, silent: bool) -> bool:
    """``$ x $``: inline math padded with spaces, as some notes (Typora, CSDN) write it.

    Pandoc's rule (used first) refuses it, to keep prices prose.  Here it is math when what the
    dollars hold does not look like a price (a digit first, with no command, "=" or line break in
    it: "$ 5 and $ 10") and the closing ``$`` is not glued to a following letter or digit.
    """
    src, start = state.src, state.pos
    if src[start] != "$" or not src[start + 1 : start + 2].isspace():
        return False
    if not _LOOSE_DOLLAR(state, True):  # silent: only finds the closing $, moving state.pos
        return False
    end = state.pos - 1
    state.pos = start
    content = src[start + 1 : end]
    after = src[end + 1 : end + 2]
    priced = content.strip()[:1].isdigit() and not any(c in content for c in ("\\", "=", "\n"))
    if not content.strip() or priced or (after.isascii() and after.isalnum()):
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = content
        token.markup = "$"
        token.meta = {"start": start + 1, "end": end}
    state.pos = end + 1
    return True


def _closing(src: str, start: int, delimiter: str) -> int:
    """Offset of the first unescaped ``delimiter`` (``\\)``, ``\\]``, ``\\\\]``...) from ``start``."""
    i = src.find(delimiter, start)
    while i >= 0:
        # the delimiter's backslashes must not follow another one: ``\\\\)`` is no ``\\)``
        run = 0
        while i - run - 1 >= start and src[i - run - 1] == "\\":
            run += 1
        if run % 2 == 0:
            return i
        i = src.find(delimiter, i + 1)
    return -1


def _bracket_opening(src: str, pos: int) -> tuple[int, str] | None:
    r"""(width of the opening, closing delimiter) for ``\(`` / ``\[`` at ``pos``, else None.

    ``\\(`` and ``\\[`` count too: that is how blog authors whose renderer runs Markdown escapes
    write MathJax delimiters (CommonMark turns ``\\(`` into the ``\(`` MathJax sees).
    """
    width = 2 if src.startswith("\\\\", pos) else 1
    bracket = src[pos + width : pos + width + 1]
    if src[pos] != "\\" or bracket not in ("(", "["):
        return None
    return width + 1, "\\" * width + (")" if bracket == "(" else "]")


def _bracket_inline(state: StateInline, silent: bool) -> bool:
    r"""MathJax's ``\(...\)`` (inline) and ``\[...\]`` (display) inside a paragraph.

    Runs before CommonMark's escape rule, which would otherwise read ``\[`` as a literal ``[``.
    """
    src, pos = state.src, state.pos
    opening = _bracket_opening(src, pos)
    if opening is None:
        return False
    width, close = opening
    end = _closing(src, pos + width, close)
    if end < 0 or not src[pos + width : end].strip():
        return False
    if not silent:
        token = state.push("math_bracket_inline", "math", 0)
        token.content = src[pos + width : end]
        token.markup = src[pos : pos + width]
        token.meta = {"start": pos + width, "end": end, "display": close.endswith("]")}
    state.pos = end + len(close)
    return True


def _bracket_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    r"""A ``\[ ... \]`` block: opens at the start of a line, closes at the end of a later one.

    A block rule, not only the inline one, so that rows like ``+ b`` or a blank line inside the
    math do not start a list or end a paragraph.
    """
    if state.sCount[start_line] - state.blkIndent >= 4:  # indented code
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    opening = _bracket_opening(state.src, begin)
    if opening is None or not opening[1].endswith("]"):
        return False
    width, close = opening
    line = start_line
    while line < end_line:
        first = begin + width if line == start_line else state.bMarks[line] + state.tShift[line]
        text = state.src[first : state.eMarks[line]].rstrip()
        if text.endswith(close) and _closing(text, 0, close) == len(text) - len(close):
            break
        if line > start_line and state.sCount[line] < state.blkIndent:
            return False  # left the container (list item, quote) before closing
        line += 1
    else:
        return False
    if silent:
        return True
    parts = []
    for n in range(start_line, line + 1):
        first = begin + width if n == start_line else state.bMarks[n]
        parts.append(state.src[first : state.eMarks[n]])
    content = "\n".join(parts).rstrip()
    token = state.push("math_bracket_block", "math", 0)
    token.block = True
    token.content = content[: content.rfind(close)]
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


_SHORTCODE = re.compile(r"\{\{([<%])\s*(katex|math)\b[^}]*?[>%]\}\}")


def _opening(state: StateBlock, start_line: int, pattern: re.Pattern) -> re.Match | None:
    """``pattern`` matched at the start of the line's text (not in indented code), else None."""
    if state.sCount[start_line] - state.blkIndent >= 4:  # indented code
        return None
    begin = state.bMarks[start_line] + state.tShift[start_line]
    return pattern.match(state.src, begin, state.eMarks[start_line])


def _shortcode_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    r"""Hugo's math shortcode ``{{< katex >}} ... {{< /katex >}}`` (hugo-book; ``math`` in other
    themes; ``display`` or not): KaTeX typesets what it holds, a formula on its own lines."""
    opening = _opening(state, start_line, _SHORTCODE)
    if opening is None:
        return False
    bracket, name = opening.group(1), opening.group(2)
    closing = re.compile(r"\{\{" + re.escape(bracket) + r"\s*/" + name + r"\s*" + re.escape(
        ">" if bracket == "<" else "%") + r"\}\}")
    return _math_until(state, start_line, end_line, silent, opening, closing)


def _math_until(state: StateBlock, start_line: int, end_line: int, silent: bool, opening: re.Match,
                closing: re.Pattern) -> bool:
    """The lines from ``opening`` to the first ``closing`` after it, which must end its line: one
    display math token (a shortcode's body)."""
    line, found = start_line, None
    while line < end_line:
        if line > start_line and state.sCount[line] < state.blkIndent:
            return False  # left the container (list item, quote) before closing
        first = opening.end() if line == start_line else state.bMarks[line] + state.tShift[line]
        found = closing.search(state.src, first, state.eMarks[line])
        if found is not None:
            break
        line += 1
    if found is None or state.src[found.end() : state.eMarks[line]].strip():
        return False  # unclosed, or words after it on its line: left to the paragraph
    if silent:
        return True
    parts = []
    for n in range(start_line, line + 1):
        first = opening.end() if n == start_line else state.bMarks[n]
        last = found.start() if n == line else state.eMarks[n]
        parts.append(state.src[first:last])
    token = state.push("math_shortcode_block", "math", 0)
    token.block = True
    token.content = "\n".join(parts)
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


_RST_MATH = re.compile(r"\.\.[ \t]+math::[ \t]*(.*)$")
_RST_OPTION = re.compile(r"^\s*:[a-z-]+:")


def _rst_math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    r"""reStructuredText's ``.. math::`` directive (Sphinx notes): the formula after it on its line
    and in the lines indented under it (options such as ``:label:`` left out)."""
    opening = _opening(state, start_line, _RST_MATH)
    if opening is None:
        return False
    if silent:
        return True
    indent = state.sCount[start_line]
    parts = [opening.group(1)]
    line = start_line + 1
    while line < end_line:
        text = state.src[state.bMarks[line] : state.eMarks[line]]
        if text.strip() and state.sCount[line] <= indent:
            break
        parts.append("" if _RST_OPTION.match(text) and not any(p.strip() for p in parts) else text)
        line += 1
    while len(parts) > 1 and not parts[-1].strip():
        parts.pop()
        line -= 1
    token = state.push("math_rst_block", "math", 0)
    token.block = True
    token.content = "\n".join(parts)
    token.map = [start_line, line]
    state.line = line
    return True


_SHORTCODE_ARG = re.compile(r"\{\{<\s*(texd|tex|katex|math|latex)\s+`")
_SHORTCODE_ARG_END = re.compile(r"`\s*>\}\}")


def _shortcode_arg_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    r"""A Hugo shortcode that takes its formula as an argument in backticks, ``{{< texd `\begin{aligned}
    ...` >}}``, on lines of its own."""
    opening = _opening(state, start_line, _SHORTCODE_ARG)
    if opening is None:
        return False
    return _math_until(state, start_line, end_line, silent, opening, _SHORTCODE_ARG_END)


class _HtmlMath(HTMLParser):
    """Math scripts and text of an HTML fragment, in order, with the line each starts on.

    ``found`` holds ``(body, display, line)`` for ``<script type="math/tex[; mode=display]">``
    (``display`` True/False) and ``(text, None, line)`` for text outside tags, which MathJax
    also typesets (``<div align="center">$$...$$</div>``); lines are 0-based in the fragment.
    """

    _RAW = frozenset({"script", "style", "pre", "code", "textarea"})  # never words of the note

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool | None, int]] = []
        self._script: bool | None = None  # display mode of the math script being read, if any
        self._raw = 0  # depth inside raw elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        formula = equation_image(dict(attrs).get("src") or "") if tag == "img" else None
        if formula is not None:
            self.found.append((formula, True, self.getpos()[0] - 1))
        if tag == "script":
            kind = (dict(attrs).get("type") or "").replace(" ", "").lower()
            self._script = ("mode=display" in kind) if kind.startswith("math/tex") else None
        if tag in self._RAW:
            self._raw += 1

    def handle_data(self, data: str) -> None:
        line = self.getpos()[0] - 1  # getpos() is where this data starts
        if self._script is not None:
            self.found.append((data, self._script, line))
        elif not self._raw and data.strip():
            self.found.append((data, None, line))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        if tag in self._RAW:
            self._raw = max(0, self._raw - 1)


# Services that typeset the LaTeX in their URL's query as a picture, as READMEs write formulas
# where the renderer has no math: the query (after any size and colour settings) is the formula.
_EQUATION_IMAGE = re.compile(r"^https?://(?:latex\.codecogs\.com/(?:svg|gif|png)\.(?:latex|image|download)\?|"
                             r"render\.githubusercontent\.com/render/math\?math=|"
                             r"chart\.googleapis\.com/chart\?cht=tx&chl=)(.+)$", re.IGNORECASE)
_IMAGE_SETTINGS = re.compile(r"^(?:\s*(?:\\(?:dpi\{\d+\}|bg_?\w+|bg\{\w+\}|inline|large|Large|small|normalsize|"
                             r"huge|Huge|fn_\w+|color\{\w+\}))\s*)+")


def equation_image(src: str) -> str | None:
    """The LaTeX of an equation image's URL (``https://latex.codecogs.com/svg.latex?p%20=%20...``), or None."""
    m = _EQUATION_IMAGE.match(src.strip())
    if m is None:
        return None
    formula = _IMAGE_SETTINGS.sub("", urllib.parse.unquote(m.group(1)))
    return formula.strip() or None


def _html_pieces(html: str) -> list[tuple[str, bool | None, int]]:
    parser = _HtmlMath()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 -- malformed HTML: keep what was found
        pass
    return parser.found


def _script_inline(state: StateInline, silent: bool) -> bool:
    """A whole ``<script type="math/tex">...</script>`` inside a paragraph, as one math token."""
    src, pos = state.src, state.pos
    if src[pos] != "<" or src[pos : pos + 7].lower() != "<script":
        return False
    tag_end = src.find(">", pos)
    close = src.lower().find("</script>", tag_end)
    if tag_end < 0 or close < 0:
        return False
    found = [piece for piece in _html_pieces(src[pos : close + 9]) if piece[1] is not None]
    if not found:
        return False
    if not silent:
        body, display, _ = found[0]
        assert display is not None
        token = state.push("math_script_inline", "math", 0)
        token.content = body
        token.meta = {"start": tag_end + 1, "end": close, "display": display}
    state.pos = close + 9
    return True


def _dollar_block_content(state: StateBlock, start_line: int, token: Token) -> None:
    """Re-read a multi-line ``$$`` block's content without the container prefixes (``> ``).

    mdit-py-plugins before 0.7 slices the raw source, so a block in a quote or list kept ``>``
    and indentation on its inner lines; this takes each line from where its container starts.
    """
    last = state.line - 1
    if last <= start_line:
        return  # one line: the plugin's slice is right in every version
    src = state.src
    begin = state.bMarks[start_line] + state.tShift[start_line] + 2
    close = src.rfind("$$", state.bMarks[last], state.eMarks[last])  # before any (label)
    if close < 0:
        return
    parts = [src[begin : state.eMarks[start_line]]]
    parts += [src[state.bMarks[n] : state.eMarks[n]] for n in range(start_line + 1, last)]
    parts.append(src[state.bMarks[last] : close])
    token.content = "\n".join(parts)


def _dollar_block_interrupts(rule: Callable[[StateBlock, int, int, bool], bool]):
    """The ``$$`` block rule, allowed to end the paragraph above it, but only on a ``$$`` line.

    As on Obsidian and MathJax pages, text followed by a ``$$`` line starts a display block; else a
    row such as ``- c`` or ``+ d`` inside it would start a list.  It does not interrupt when the
    paragraph so far holds an unclosed ``$$`` (Obsidian's ``text $$`` opening: this line closes
    it) or when the line has text after the ``$$`` (inline ``$$...$$`` within the paragraph).
    The plugin's rule ignores ``silent``, which is how a paragraph asks; hence the clean-up.
    """

    def wrapped(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        first = state.bMarks[start_line] + state.tShift[start_line]
        text = state.src[first : state.eMarks[start_line]].strip()
        if text.startswith("$$") and text.endswith("$$") and "$$" in text[2:-2]:
            # "$$g(x) = ...$$ for $$x \in \mathbb{R}$$": two formulas and words on one line, a
            # paragraph (the rule would take the first $$ to the last for one formula)
            return False
        if not silent:
            tokens = len(state.tokens)
            if not rule(state, start_line, end_line, silent):
                return False
            if len(state.tokens) > tokens:
                _dollar_block_content(state, start_line, state.tokens[-1])
            return True
        if not (text == "$$" or (len(text) > 4 and text.startswith("$$") and text.endswith("$$"))):
            return False
        open_dollars = 0
        line = start_line - 1
        # the paragraph starts after the last block read: a $$ that closed a display just above
        # ("$$ ... $$" then "text" then "$$") opens nothing
        floor = next((t.map[1] for t in reversed(state.tokens) if t.map), 0)
        floor = floor if floor <= start_line else 0
        while line >= floor and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
            open_dollars += state.src.count("$$", state.bMarks[line], state.eMarks[line])
            line -= 1
        if open_dollars % 2:
            return False
        tokens, line = len(state.tokens), state.line
        matched = rule(state, start_line, end_line, silent)
        del state.tokens[tokens:]
        state.line = line
        return matched

    return wrapped


# Environments MathJax typesets bare in Markdown that mdit-py-plugins' amsmath does not know.
_MORE_BARE_ENVIRONMENTS = frozenset({"aligned", "alignedat", "gathered", "split", "multlined"})


def _environment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    r"""A bare ``\begin{aligned}`` ... ``\end{aligned}`` block (and the others above).

    Jupyter and MathJax pages (``processEnvironments``) typeset them outside any delimiters; the
    block runs to the first line ending with the matching ``\end``, as the amsmath plugin's does.
    """
    if state.sCount[start_line] - state.blkIndent >= 4:  # indented code
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\begin{", begin):
        return False
    name_end = state.src.find("}", begin, state.eMarks[start_line])
    name = state.src[begin + 7 : name_end]
    if name_end < 0 or name not in _MORE_BARE_ENVIRONMENTS:
        return False
    closing = f"\\end{{{name}}}"
    line = start_line
    while line < end_line:
        if line > start_line and state.sCount[line] < state.blkIndent:
            return False  # left the container (list item, quote) before closing
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        if text.rstrip().endswith(closing):
            break
        line += 1
    else:
        return False
    if silent:
        return True
    token = state.push("math_environment_block", "math", 0)
    token.block = True
    token.content = state.getLines(start_line, line + 1, state.sCount[start_line], False)
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


def _amsmath_lines(rule: Callable[[StateBlock, int, int, bool], bool]):
    """The amsmath block rule, its content re-read line by line from the container's starts.

    mdit-py-plugins before 0.7 slices the raw source, keeping a quote's ``>`` on inner lines.
    """

    def wrapped(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        tokens = len(state.tokens)
        if not rule(state, start_line, end_line, silent):
            return False
        if not silent and len(state.tokens) > tokens:
            state.tokens[-1].content = state.getLines(
                start_line, state.line, state.sCount[start_line], False
            )
        return True

    return wrapped


def _markdown_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    front_matter_plugin(md)
    # MkDocs (Material) and Python-Markdown admonitions, !!! note "title" and ??? note (folded):
    # their body is indented four spaces, which CommonMark alone reads as a code block
    admon_plugin(md)
    # Pandoc's rule for $: no space just inside, no digit just outside -- prices stay prose.
    dollarmath_plugin(md, allow_space=False, allow_digits=False, double_inline=True)
    md.inline.ruler.at(
        "math_inline",
        _record_span(math_inline_dollar(allow_space=False, allow_digits=False, allow_double=True), 1),
    )
    md.block.ruler.at(
        "math_block",
        _dollar_block_interrupts(math_block_dollar(allow_labels=True, allow_blank_lines=True)),
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.after("math_inline", "math_inline_spaced", _spaced_dollar)
    amsmath_plugin(md)
    md.block.ruler.at(
        "amsmath", _amsmath_lines(amsmath_block),
        {"alt": ["paragraph", "reference", "blockquote", "list", "footnote_def"]},
    )
    md.inline.ruler.before("escape", "math_bracket_inline", _bracket_inline)
    md.inline.ruler.before("html_inline", "math_script_inline", _script_inline)
    for name, rule in (("math_bracket_block", _bracket_block), ("math_shortcode_block", _shortcode_block),
                       ("math_shortcode_arg_block", _shortcode_arg_block), ("math_rst_block", _rst_math_block),
                       ("math_environment_block", _environment_block)):
        # (block rules that may interrupt a paragraph, tried before fences)
        md.block.ruler.before("fence", name, rule, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    return md


_MD: MarkdownIt | None = None  # built on first use: the rules are compiled once per process
# Block tokens whose content is the math of a display block (an environment's \begin/\end kept:
# _math_item unwraps it).
_MATH_BLOCKS = frozenset({
    "math_block", "math_block_label", "math_bracket_block", "amsmath", "math_environment_block",
    "math_shortcode_block", "math_rst_block",
})


def _blank_bare_front_matter(text: str) -> str:
    """Blank out front matter the YAML plugin does not know, keeping every line in place.

    Hexo accepts ``key: value`` lines closed by ``---`` with no opening ``---`` (else they read as
    a setext heading); Hugo writes TOML between ``+++`` lines.
    """
    lines = text.split("\n")
    if lines[0].strip() == "+++":
        end = next((n for n in range(1, len(lines)) if lines[n].strip() == "+++"), None)
    else:
        end = next((n for n, line in enumerate(lines) if line.strip() in ("---", "")), None)
        if end is None or lines[end].strip() != "---" or end == 0:
            return text
        for line in lines[:end]:
            key, colon, _ = line.partition(":")
            is_item = line.startswith((" ", "\t", "- "))  # a list entry or continuation
            if not is_item and not (colon and key.strip() and " " not in key.strip()):
                return text
    if end is None:
        return text
    return "\n" * end + "\n" + "\n".join(lines[end + 1 :])


_BLOCK_ID = re.compile(r"(\$\$[ \t]+)(\^[A-Za-z0-9-]+)[ \t]*$", re.MULTILINE)


def _read_markdown(text: str) -> list[Item]:
    global _MD
    if _MD is None:
        _MD = _markdown_parser()
    # Obsidian's block ids after a closing $$ ("$$ ^637fb6") would keep the block open
    text = _BLOCK_ID.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    escaped = _ESCAPED_NOTE.set("\\\\\\\\" in text)
    try:
        return _markdown_note_items(text)
    finally:
        _ESCAPED_NOTE.reset(escaped)


def _markdown_note_items(text: str) -> list[Item]:
    tokens = _MD.parse(_blank_bare_front_matter(text))
    items = _markdown_items(tokens, plain=False)
    if not any(isinstance(item, Math) for item in items):
        # a note with no delimited math at all writes its formulas as code (`dL/dz = p - y`)
        items = _markdown_items(tokens, plain=True)
    return items


def _markdown_items(tokens: list[Token], *, plain: bool) -> list[Item]:
    """The items of the parsed note; ``plain``: formulas written as code are math too."""
    items: list[Item] = []
    in_table = False
    plain_rows: tuple[int, Math] | None = None  # the last paragraph of formulas: its first line, its Math
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = tok.map[0] + 1 if tok.map else _last_line(items)
        if tok.type == "heading_open" and i + 1 < len(tokens):
            items.append(Heading(int(tok.tag[1:]), _heading_title(tokens[i + 1]), line))
            i += 2
            continue
        if tok.type in ("table_open", "table_close"):
            in_table = tok.type == "table_open"
        elif tok.type == "inline" and plain and not in_table and _plain_paragraph(tok.content):
            # a paragraph of formulas typed as plain text, one per line (f(2) = e^2 / (e + e^2) = 0.73);
            # one that opens with "=" is the next rows of the paragraph of formulas just before it
            rows = tok.content.split("\n")
            if plain_rows is not None and plain_rows[1] is items[-1] and rows[0].lstrip().startswith("="):
                first, previous = plain_rows[0], plain_rows[1]
                rows = [""] * (line - previous.lines[-1] - 1) + rows
                rows = previous.text.split(" \\\\\n") + rows
                items.pop()
            else:
                first = line
            item = _math_item(" \\\\\n".join(rows), first, display=True, env=None)
            _add(items, item)
            plain_rows = (first, item) if item is not None else None
        elif tok.type == "inline":
            _inline_items(tok, line, items, table=in_table, plain=plain)
        elif tok.type in _MATH_BLOCKS:
            _add(items, _math_item(tok.content, line, display=True, env=None, escaped="blog"))
        elif tok.type == "fence":
            _fence_items(tok, line, items, plain=plain)
        elif tok.type == "code_block" and _indented_note(tok.content):
            # Markdown indented as a whole (a notebook cell's string, kept as it was): not code
            _nested_markdown(textwrap.dedent(tok.content), line, items, plain=plain)
        elif tok.type == "html_block":
            for body, display, offset in _html_pieces(tok.content):
                if display is None:  # text: Markdown inside HTML is not parsed, but math is
                    for piece, environment, lines_in in _environments_apart(body):
                        if environment:
                            _add(items, _math_item(piece, line + offset + lines_in, display=True, env=None))
                            continue
                        for inline in _MD.parseInline(piece):  # type: ignore[union-attr]
                            _inline_items(inline, line + offset + lines_in, items, table=False)
                else:
                    _add(items, _math_item(body, line + offset, display=display, env=None))
        i += 1
    return items


_BARE_ENVIRONMENT = re.compile(r"\\begin\{(" + "|".join(re.escape(n) for n in sorted(MATH_ENVIRONMENTS - {"math"}))
                               + r")\}.*?\\end\{\1\}", re.DOTALL)


_DOLLAR_DISPLAY = re.compile(r"\$\$.*?\$\$", re.DOTALL)


def _environments_apart(text: str) -> list[tuple[str, bool, int]]:
    r"""HTML text cut into runs of words and bare math environments (``<p>... \begin{align} ...
    \end{align} ...</p>``, which MathJax typesets as display math where it finds them):
    ``(piece, is an environment, lines before it in text)``."""
    pieces: list[tuple[str, bool, int]] = []
    at = 0
    # (an environment inside $$ ... $$ is not bare: cut out of it, it would leave its $$ to pair
    # with the next display's, and every display after it would be read shifted)
    wrapped = [m.span() for m in _DOLLAR_DISPLAY.finditer(text)]
    for m in _BARE_ENVIRONMENT.finditer(text):
        if any(a <= m.start() and m.end() <= b for a, b in wrapped):
            continue
        pieces.append((text[at : m.start()], False, text.count("\n", 0, at)))
        pieces.append((m.group(0), True, text.count("\n", 0, m.start())))
        at = m.end()
    pieces.append((text[at:], False, text.count("\n", 0, at)))
    return [p for p in pieces if p[0].strip()]


def _last_line(items: Sequence[Item]) -> int:
    if not items:
        return 1
    last = items[-1]
    return last.lines[-1] if isinstance(last, Math) else last.line


def _add(items: list[Item], item: Item | None) -> None:
    if item is not None:
        items.append(item)


def _nested_markdown(body: str, first_line: int, items: list[Item], *, plain: bool) -> None:
    """The items of Markdown held in a container (a directive's body, an indented block) whose
    first line is file line ``first_line``."""
    assert _MD is not None
    inner = _MD.parse(body)
    for t in inner:
        if t.map:
            t.map = [t.map[0] + first_line - 1, t.map[1] + first_line - 1]
    items.extend(_markdown_items(inner, plain=plain))


_WORDS_LINE = re.compile(r"^\s*[^\s$\\`]\S*\s+\S+\s+\S+\s+\S+", re.MULTILINE)


def _indented_note(content: str) -> bool:
    """Is an indented block Markdown indented by its container (a notebook's string, a nested
    list) rather than code: it holds delimited math and lines of words, and no code?"""
    return "$" in content and len(_WORDS_LINE.findall(content)) >= 2 and _MATH_DELIMITED.search(content) is not None \
        and not re.search(r"^\s*(def |class |import |from \S+ import|return\b|for .* in |if .*:$)", content,
                          re.MULTILINE)


_MATH_DELIMITED = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)


def _fence_items(tok: Token, line: int, items: list[Item], *, plain: bool = False) -> None:
    lang = tok.info.strip().split()[0].lower() if tok.info.strip() else ""
    body_line = line + 1  # the content starts on the line after the opening fence
    if lang == "math":
        _add(items, _math_item(tok.content, body_line, display=True, env=None))
    elif plain and lang in _PLAIN_FENCES:
        # formulas one per line, "= ..." lines going on with the one before; other lines blank,
        # so each row keeps its file line
        rows = [row if _plain_formula(row) else "" for row in tok.content.rstrip("\n").split("\n")]
        if any(rows):
            _add(items, _math_item(" \\\\\n".join(rows), body_line, display=True, env=None))
    elif (directive := _myst_directive(lang)) is not None:
        # MyST (Jupyter Book): ````{admonition} Solution```` holds Markdown, ```{math}``` a formula
        body, skipped = _directive_body(tok.content)
        if directive == "math":
            _add(items, _math_item(body, body_line + skipped, display=True, env=None))
        elif directive not in _MYST_LITERAL:
            _nested_markdown(body, body_line + skipped, items, plain=plain)
    elif lang in ("latex", "tex"):
        # A LaTeX listing (a preamble, a macro, a document) is code: only pure math is read,
        # either delimited pieces and nothing else or one bare formula.
        found = _latex_items(tok.content, whole_file=False)
        if found and all(isinstance(item, Math) for item in found):
            for item in found:
                assert isinstance(item, Math)
                items.append(
                    Math(item.text, item.display, tuple(n + body_line - 1 for n in item.lines), item.env)
                )
        elif _bare_formula(tok.content):
            _add(items, _math_item(tok.content, body_line, display=True, env=None))


# MyST directives whose body is not Markdown (code, data, diagrams)
_MYST_LITERAL = frozenset({"code", "code-block", "code-cell", "sourcecode", "literalinclude", "raw", "eval-rst",
                           "csv-table", "mermaid", "graphviz", "glue", "bibliography", "toctree", "include"})


def _myst_directive(lang: str) -> str | None:
    """``{admonition}`` -> ``admonition``, ``{prf:proof}`` -> ``prf:proof``; None for a language."""
    m = re.fullmatch(r"\{([\w:.-]+)\}", lang)
    return m.group(1) if m else None


def _directive_body(content: str) -> tuple[str, int]:
    """A MyST directive's body without its options (``:class: dropdown`` lines, or a ``---`` YAML
    block), and how many lines those took."""
    lines = content.split("\n")
    k = 0
    if lines and lines[0].strip() == "---":
        end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
        k = end + 1 if end is not None else 0
    while k < len(lines) and re.match(r"\s*:[\w-]+:", lines[k]):
        k += 1
    return "\n".join(lines[k:]), k


# Fences whose lines may be formulas typed as plain text (in a note with no delimited math)
_PLAIN_FENCES = frozenset({"", "text", "txt", "plaintext", "plain"})
_CODE_WORDS = re.compile(r"\b(def|return|import|from|print|for|while|if|else|elif|class|lambda|np|torch|tf|"
                         r"self|range|len|var|let|const|function|true|false|True|False|None|null)\b")
_ASSIGNMENT_OPS = re.compile(r"==|[-+*/%<>!&|^]=|=>|=<")
_SCRIPT_GROUP = re.compile(r"[_^]\{[^{}]*\}")
_PROSE_RUN = re.compile(r"\b[A-Za-z]{3,}\s+[A-Za-z]{3,}\s+[A-Za-z]{3,}\b")
_QUOTED = re.compile(r"'[\w ]+'|\"")
_METHOD = re.compile(r"[A-Za-z_]\.[A-Za-z_]")


def _plain_formula(text: str) -> bool:
    """Does code hold a formula (``dL/dz_i = p_i - y_i``, ``= -y_i + p_i × 1``) rather than code
    (``loss = F.cross_entropy(x, y)``, ``w = w - lr * g``) or words?"""
    text = text.strip()
    if re.fullmatch(r"[a-z]\s*(=|≠|!=|\\neq)\s*[a-z]", text):
        return True  # `j ≠ i`: a case, as "when $j \neq i$" writes it
    if not text or len(text) > 200 or "=" not in text or _ASSIGNMENT_OPS.search(text):
        return False
    if _CODE_WORDS.search(text) or _QUOTED.search(text) or _METHOD.search(text) or "#" in text \
            or ";" in text or _PROSE_RUN.search(text):
        return False
    if re.search(r"[{}]", _SCRIPT_GROUP.sub("", text)):
        return False  # braces other than a script's group: a block of code
    head, _, rest = text.partition("=")
    head = head.rstrip(":").strip()
    if re.fullmatch(r"[A-Za-z_]\w*", head) and re.search(r"(?<![\w.])" + re.escape(head) + r"(?![\w(])", rest):
        return False  # w = w - lr * g: an update, as code writes it
    return True


def _plain_paragraph(text: str) -> bool:
    """Is every line of a paragraph a formula typed as plain text (no code span, no math)?"""
    lines = [row for row in text.split("\n") if row.strip()]
    return bool(lines) and "`" not in text and all(_plain_formula(row) for row in lines)


# Macros that make a LaTeX fence a listing of LaTeX source rather than a formula.
_SOURCE_MACROS = frozenset(SECTION_LEVELS) | {
    "documentclass", "usepackage", "newcommand", "renewcommand", "providecommand", "def", "let",
    "DeclareMathOperator", "input", "include", "maketitle", "title", "author", "item", "caption",
    "includegraphics", "emph", "textbf", "textit",
}


def _bare_formula(content: str) -> bool:
    """Is a LaTeX fence one formula written without delimiters (``a = \\frac{1}{2}``)?

    It is when it has no delimited math, no text environment, no source-only macro, and no run
    of words (three or more words of letters at the top level read as a sentence).
    """
    nodes, _, _ = LatexWalker(content, latex_context=_LATEX_CONTEXT, tolerant_parsing=True).get_latex_nodes()
    seen_any = False
    for node in nodes:
        if node is None or type(node).__name__ == "LatexCommentNode":
            continue
        if isinstance(node, LatexMathNode):
            return False
        if isinstance(node, LatexEnvironmentNode) and node.environmentname not in MATH_ENVIRONMENTS:
            return False
        if isinstance(node, LatexMacroNode) and node.macroname in _SOURCE_MACROS:
            return False
        if isinstance(node, LatexCharsNode):
            words = [w for w in node.chars.split() if w.isalpha() and len(w) > 1]
            if len(words) >= 3:
                return False
        seen_any = seen_any or not (isinstance(node, LatexCharsNode) and not node.chars.strip())
    return seen_any


_MATH_TOKENS = ("math_inline", "math_inline_double", "math_bracket_inline", "math_script_inline")


def _heading_title(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in _MATH_TOKENS:
            parts.append(f"${child.content.strip()}$")
        elif child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _collapse("".join(parts))


_ROW_BEFORE = re.compile(r"^[\s>]*(=|≈|\\approx)?\s*(\$\$|\$|\\\()$")
_ROW_AFTER = re.compile(r"^(\$\$|\$|\\\))\s*(<br\s*/?>|\\\\)?\s*$", re.IGNORECASE)


def _formula_row(src: str, start: int, end: int) -> str | None:
    """For inline math between ``start`` and ``end`` that is the whole of its line of a paragraph
    (``= $a + b$ <br>``, ``$= a + b$``): the relation typed before it ("" if none); else None."""
    line_start = src.rfind("\n", 0, start) + 1
    line_end = src.find("\n", end)
    before = _ROW_BEFORE.match(src[line_start:start])
    if before is None or not _ROW_AFTER.match(src[end:len(src) if line_end < 0 else line_end]):
        return None
    return before.group(1) or ""


def _formula_rows(src: str, children: list[Token]) -> dict[int, str]:
    """The inline formulas of a paragraph that are rows of a derivation, one per line: those that
    open with a relation (typed before the math or inside it) and the row each goes on from.
    start offset -> the relation typed before it ("" if none)."""
    found = []  # (start, relation typed before, opens with a relation)
    for child in children:
        if child.type in _MATH_TOKENS and child.type != "math_script_inline" and "start" in child.meta:
            start, end = child.meta["start"], child.meta["end"]
            row = _formula_row(src, start, end)
            if row is not None:
                opens = bool(row) or src[start:end].lstrip().startswith(("=", "\\approx", "≈"))
                found.append((start, row, opens, src.count("\n", 0, start)))
    rows = {}
    for k, (start, row, opens, line) in enumerate(found):
        after = found[k + 1] if k + 1 < len(found) else None
        if opens or (after is not None and after[2] and after[3] == line + 1):
            rows[start] = row
    return rows


_LONE_FUNCTION = re.compile(r"\\?(?:ln|log|exp|sin|cos|tanh)")


def _inline_items(tok: Token, first_line: int, items: list[Item], *, table: bool, plain: bool = False) -> None:
    """Prose and Math of one inline run (a paragraph, a table cell), in order.

    A paragraph that is one inline formula and nothing else (``$= a - b$`` on a line of its own,
    as many blogs write each row of a derivation, or a case ``$i \\neq j$``) is marked ``alone``:
    the scope stage reads it as a display block or as a case.
    """
    first_item = len(items)
    src = tok.content
    line, line_pos = first_line, 0  # the file line of offset line_pos in src
    words: list[str] = []
    words_line: int | None = None  # where the first non-blank word of `words` is

    def flush() -> None:
        nonlocal words_line
        text = _collapse("".join(words))
        if text and words_line is not None:
            items.append(Prose(text, words_line))
        words.clear()
        words_line = None

    def say(text: str) -> None:
        nonlocal words_line
        if words_line is None and text.strip():
            words_line = line
        words.append(text)

    rows = {} if table else _formula_rows(src, tok.children or [])
    for child in tok.children or []:
        kind = child.type
        if kind in _MATH_TOKENS and "start" in child.meta:
            start, end = child.meta["start"], child.meta["end"]
            row = rows.get(start)
            if row:
                # "> = $...$ <br>": a formula that is its line's whole, as a derivation's row; the
                # relation typed before it is the row's, not words
                typed = "".join(words).rstrip()
                words[:] = [typed[: -len(row)]] if typed.endswith(row) else words
            spaces = list(words)
            flush()
            line += src.count("\n", line_pos, start)
            display = kind == "math_inline_double" or bool(child.meta.get("display"))
            raw = src[start:end] if kind != "math_script_inline" else child.content
            escaped = "none" if kind == "math_script_inline" else ("table" if table else "blog")
            math = _math_item(raw, line, display=display, env=None, escaped=escaped)
            if math is not None and row is not None:
                math = replace(math, text=(row + " " if row else "") + math.text, alone=not display)
            line_before = src[src.rfind("\n", 0, start) + 1:start]
            if math is not None and display and "\n" not in raw and re.search(r"\w", line_before):
                after = src.find("\n", end)
                math = replace(math, display_after_words=True,
                               within_words=bool(re.search(r"\w", src[end:after if after >= 0 else len(src)])))
            before = items[-1] if len(items) > first_item else None
            if math is not None and not display and isinstance(before, Math) and not before.display \
                    and _LONE_FUNCTION.fullmatch(before.text) and not "".join(spaces).strip() \
                    and "\n" not in "".join(spaces) and len(math.lines) == 1:
                # "$ln$ $e^x = x$": a function's name typed as a formula of its own, then its argument
                items[-1] = replace(math, text=before.text + " " + math.text)
                math = None
            _add(items, math)
            line += src.count("\n", start, end)
            line_pos = end
        elif kind == "code_inline" and "".join(words).endswith(":math:"):
            # reStructuredText's :math:`\eta = ...` role: inline math
            typed = "".join(words)
            words[:] = [typed[: -len(":math:")]]
            flush()
            start = src.find(child.content, line_pos)
            if start >= 0:
                line += src.count("\n", line_pos, start)
                line_pos = start
            _add(items, _math_item(child.content, line, display=False, env=None))
        elif kind == "code_inline" and (found := _delimited_in_code(src, line_pos, child.content)) is not None:
            # `$$ ... $$` in backticks: math the author kept from the Markdown renderer (MathJax
            # still typesets it); its rows are the code span's raw lines
            body_start, body_end = found
            flush()
            line += src.count("\n", line_pos, body_start)
            _add(items, _math_item(src[body_start:body_end], line, display=True, env=None))
            line += src.count("\n", body_start, body_end)
            line_pos = body_end
        elif kind == "code_inline" and plain and _plain_formula(child.content):
            # `sigma(z) = 1 / (1 + exp(-z))` in a note with no delimited math: its formula
            flush()
            start = src.find(child.content, line_pos)
            if start >= 0:
                line += src.count("\n", line_pos, start)
                line_pos = start
            _add(items, _math_item(child.content.replace("!=", "≠"), line, display=False, env=None))
        elif kind in ("text", "code_inline"):
            say(child.content)
        elif kind == "image" and (formula := equation_image(str(child.attrs.get("src") or ""))) is not None:
            # ![](https://latex.codecogs.com/svg.latex?\frac{...}): a formula typeset as a picture
            flush()
            _add(items, _math_item(formula, line, display=True, env=None))
        elif kind == "image":
            say(child.content)  # the alt text
        elif kind in ("softbreak", "hardbreak"):
            say(" ")
            # re-find the newline this break stands for, so the count stays tied to src
            nl = src.find("\n", line_pos)
            if nl >= 0:
                line += 1
                line_pos = nl + 1
        elif kind == "html_inline" and (pictures := [f for f, shown, _ in _html_pieces(child.content) if shown]):
            # <img src="https://render.githubusercontent.com/render/math?math=..."> beside words
            flush()
            for formula in pictures:
                _add(items, _math_item(formula, line, display=True, env=None))
        elif kind == "html_inline":
            say(" ")
    flush()
    added = items[first_item:]
    if not table and len(added) == 1 and isinstance(added[0], Math) and not added[0].display:
        items[first_item] = replace(added[0], alone=True)


# --------------------------------------------------------------------------------------------
# LaTeX


def _read_latex(text: str) -> list[Item]:
    return _latex_items(text, whole_file=True)


# pylatexenc's default context without its specials (``--``, quotes, ``~``...): looking for them
# at every character is a quarter of the parse time, and the checker needs none of them (math is
# sliced from the source; in prose a ``~`` is read as a space).
_LATEX_CONTEXT = get_default_latex_context_db().filter_context(keep_which=["macros", "environments"])


def _latex_items(text: str, *, whole_file: bool) -> list[Item]:
    walker = LatexWalker(text, latex_context=_LATEX_CONTEXT, tolerant_parsing=True)
    nodes, _, _ = walker.get_latex_nodes()
    if whole_file:
        document = next(
            (
                n for n in nodes
                if isinstance(n, LatexEnvironmentNode) and n.environmentname == "document"
            ),
            None,
        )
        if document is not None:  # the preamble holds no words or math of the note
            nodes = document.nodelist
    reader = _LatexReader(text)
    reader.walk(nodes)
    reader.flush()
    return reader.items


class _LatexReader:
    """Walks pylatexenc nodes, gathering prose between math pieces and headings."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[Item] = []
        self.words: list[str] = []
        self.words_line: int | None = None  # where the first non-blank word of `words` is
        self._starts = [0]
        newline = text.find("\n")
        while newline >= 0:
            self._starts.append(newline + 1)
            newline = text.find("\n", newline + 1)

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self._starts, pos)

    def say(self, text: str, pos: int) -> None:
        """Add ``text`` (at ``pos`` in the source) to the prose; a blank line ends a paragraph."""
        rows = text.split("\n")
        for k, row in enumerate(rows):
            if 0 < k < len(rows) - 1 and not row.strip():  # a whole line of nothing: a break
                self.flush()
            elif row.strip() and self.words_line is None:
                self.words_line = self.line(pos)
            self.words.append(row if k == 0 else "\n" + row)
            pos += len(row) + 1

    def flush(self) -> None:
        text = _collapse("".join(self.words))
        if text and self.words_line is not None:
            self.items.append(Prose(text, self.words_line))
        self.words.clear()
        self.words_line = None

    def walk(self, nodes: Iterable[LatexNode | None]) -> None:
        pending_title: tuple[int, int] | None = None  # (level, line) of a heading awaiting {title}
        for node in nodes:
            if node is None:
                continue
            if pending_title is not None:
                # pylatexenc gives some sectioning macros (\paragraph) no argument: the title is
                # the group that follows.
                level, line = pending_title
                pending_title = None
                if isinstance(node, LatexGroupNode):
                    self.items.append(Heading(level, self.group_text(node), line))
                    continue
                self.items.append(Heading(level, "", line))
            if isinstance(node, LatexMacroNode) and node.macroname in SECTION_LEVELS and not any(
                isinstance(a, LatexGroupNode) for a in (node.nodeargd.argnlist if node.nodeargd else [])
            ):
                self.flush()
                pending_title = (SECTION_LEVELS[node.macroname], self.line(node.pos))
                continue
            if isinstance(node, LatexCharsNode):
                self.say(node.chars.replace("~", " "), node.pos)  # ~ is a tie: a space
            elif isinstance(node, LatexMathNode):
                open_, close = node.delimiters
                start, end = node.pos + len(open_), node.pos + node.len - len(close)
                if self.text[end : end + len(close)] != close:
                    # An unclosed $: the tolerant parse ran to the end; its delimiter is a
                    # character of the prose and what follows is read as text again.
                    self.say(open_, node.pos)
                    self.walk(node.nodelist)
                    continue
                self.flush()
                _add(
                    self.items,
                    _math_item(self.text[start:end], self.line(start),
                               display=node.displaytype == "display", env=None),
                )
            elif isinstance(node, LatexEnvironmentNode):
                self.environment(node)
            elif isinstance(node, LatexMacroNode):
                self.macro(node)
            elif isinstance(node, LatexGroupNode):
                self.walk(node.nodelist)
            # comments and anything else: not words of the note
        if pending_title is not None:
            self.items.append(Heading(pending_title[0], "", pending_title[1]))

    def group_text(self, group: LatexGroupNode) -> str:
        """A heading title: the group's source without braces (inline math kept as $...$)."""
        return _collapse(self.text[group.pos + 1 : group.pos + group.len - 1])

    def environment(self, node: LatexEnvironmentNode) -> None:
        name = node.environmentname
        if name in _CODE_ENVIRONMENTS:
            return
        if name not in MATH_ENVIRONMENTS:
            self.walk(node.nodelist)
            return
        span = _environment_body(self.text, node)
        if span is None:  # never closed: like an unclosed $, what it holds is read as text
            self.walk(node.nodelist)
            return
        self.flush()
        start, end = span
        _add(
            self.items,
            _math_item(self.text[start:end], self.line(start), display=name != "math", env=name),
        )

    def macro(self, node: LatexMacroNode) -> None:
        name = node.macroname
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        if name in SECTION_LEVELS:
            self.flush()
            groups = [a for a in args if isinstance(a, LatexGroupNode)]
            title = self.group_text(groups[-1]) if groups else ""
            self.items.append(Heading(SECTION_LEVELS[name], title, self.line(node.pos)))
        elif name in _TEXT_MACROS:
            self.walk(args)
        elif name in ("$", "%", "&", "#", "_", "{", "}"):
            self.say(name, node.pos)  # an escaped character is a character of the prose
        elif name in ("\\", "newline", "par"):
            self.say(" " if name != "par" else "\n\n", node.pos)
