"""symxent.checker.source: notes in every dialect -> headings, prose and math with file lines."""

from __future__ import annotations

import textwrap
import time
from dataclasses import replace

import pytest
from markdown_it import MarkdownIt

from symxent.checker.source import Heading, Math, Prose, note_kind, read_note


def H(level: int, title: str, line: int) -> Heading:
    return Heading(level, title, line)


def P(text: str, line: int) -> Prose:
    return Prose(text, line)


def M(text: str, first_line: int, *, display: bool = True, env: str | None = None,
      display_after_words: bool = False, within_words: bool = False) -> Math:
    """A Math whose lines run on from ``first_line`` -- the only shape a piece can have."""
    return Math(text, display, tuple(range(first_line, first_line + text.count("\n") + 1)), env,
                display_after_words=display_after_words, within_words=within_words)


def I(text: str, line: int) -> Math:  # noqa: E743 -- I for inline, as in the tables below
    return M(text, line, display=False)


def A(text: str, line: int) -> Math:
    """Inline math that is the whole of its paragraph."""
    return replace(I(text, line), alone=True)


def md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


MARKDOWN = [
    ("headings and inline markup", md("""
        # Softmax **gradient**

        Let $z$ be the [logits](http://x) and
        $p = \\mathrm{softmax}(z)$ the *probabilities*.

        Setext title
        ------------
        """), [
        H(1, "Softmax gradient", 1),
        P("Let", 3), I("z", 3), P("be the logits and", 3),
        I("p = \\mathrm{softmax}(z)", 4), P("the probabilities.", 4),
        H(2, "Setext title", 6),
    ]),
    ("prices are not math", "It costs $5 and $10, or $ 3 $ here; $x$ is.\n", [
        P("It costs $5 and $10, or $ 3 $ here;", 1), I("x", 1), P("is.", 1),
    ]),
    ("space-padded math, but not prices", "其中 $ p_i $ 是概率，$5 for $x$ and $ 5 and $ 6.\n", [
        P("其中", 1), I("p_i", 1), P("是概率，$5 for", 1), I("x", 1), P("and $ 5 and $ 6.", 1),
    ]),
    ("a lone $ on its line opens math that starts with a digit", "so:\n$\n1 - x = y\n$\nand $ 5 and $ 6.\n", [
        P("so:", 1), I("1 - x = y", 3), P("and $ 5 and $ 6.", 5),
    ]),
    ("unclosed dollar is prose", "Let $x be\n\nnew $y$\n", [
        P("Let $x be", 1), P("new", 3), I("y", 3),
    ]),
    ("escaped dollar is prose", "a \\$x$ b\n", [P("a $x$ b", 1)]),
    ("MkDocs admonitions hold math, folded ones too", md("""
        !!! note "Given"

            *   $t = 4$

        ??? question "Forward"
            $$
            z = w x
            $$
        """), [
        P("Given", 1), A("t = 4", 3), P("Forward", 5), M("z = w x", 7),
    ]),
    ("display block with aligned", md("""
        $$
        \\begin{aligned}
        \\ell &= -\\sum_k y_k \\log p_k \\\\
        &= b
        \\end{aligned}
        $$
        """), [M("\\ell &= -\\sum_k y_k \\log p_k \\\\\n&= b", 3, env="aligned")]),
    ("display block, plain, blank line kept", "$$\na = b\n\n= c\n$$\n", [M("a = b\n\n= c", 2)]),
    ("one-line display and label", "$$a = b$$\n\n$$c = d$$ (eq1)\n", [M("a = b", 1), M("c = d", 3)]),
    ("multi-line labelled block in a quote", "> $$\n>   a = b\n> c $$ (eq1)\n", [M("a = b\nc", 2)]),
    ("double dollar inside a paragraph is display, marked as typed within words", "Then $$a = b$$ so.\n", [
        P("Then", 1), M("a = b", 1, display_after_words=True, within_words=True), P("so.", 1),
    ]),
    ("double dollar after words at a line's end is not within words", "Then $$a = b$$\n", [
        P("Then", 1), M("a = b", 1, display_after_words=True),
    ]),
    ("Obsidian: $$ opening on a line of text", md("""
        The loss is $$
        L = -\\log p_y
        $$ and more.
        """), [P("The loss is", 1), M("L = -\\log p_y", 2), P("and more.", 3)]),
    ("a $$ line ends the paragraph: rows like '- c' stay math", md("""
        Thus
        $$
        a = b
        - c
        + d
        $$
        after
        """), [P("Thus", 1), M("a = b\n- c\n+ d", 3), P("after", 7)]),
    # the $$ that closed the display just above opens nothing: the next $$ starts a display (read
    # as closing one, it paired every $$ after it the wrong way and swallowed the headings between)
    ("a $$ line after text that follows a display", md("""
        $$
        a = b

        c = d
        $$
        then $x$ for
        $$
        e = f

        g = h
        $$
        ## Next
        $$
        k = l
        $$
        """), [M("a = b\n\nc = d", 2), P("then", 6), I("x", 6), P("for", 6), M("e = f\n\ng = h", 8),
               H(2, "Next", 12), M("k = l", 14)]),
    ("Obsidian: closing $$ alone on its line", md("""
        The loss is $$
        M
        $$
        more text
        """), [P("The loss is", 1), M("M", 2), P("more text", 4)]),
    ("two aligned environments are not one", "$$\\begin{aligned}a\\end{aligned}+\\begin{aligned}b\\end{aligned}$$\n",
     [M("\\begin{aligned}a\\end{aligned}+\\begin{aligned}b\\end{aligned}", 1)]),
    ("MathJax brackets inline", "and \\(u_i\\) or \\[v\\].\n", [
        P("and", 1), I("u_i", 1), P("or", 1), M("v", 1, display_after_words=True), P(".", 1),
    ]),
    ("MathJax bracket block with a list-like row", md("""
        Text
        \\[
        w = 1
        + b
        \\]
        after
        """), [P("Text", 1), M("w = 1\n+ b", 3), P("after", 6)]),
    ("unclosed or escaped bracket is text", "see \\[1] and \\\\[x]\n", [P("see [1] and \\[x]", 1)]),
    ("amsmath block", md("""
        Text.

        \\begin{align}
        a &= b \\\\
        c &= d
        \\end{align}
        """), [P("Text.", 1), M("a &= b \\\\\nc &= d", 4, env="align")]),
    ("amsmath in a quote", "> \\begin{align}\n> a &= b\n> \\end{align}\n", [M("a &= b", 2, env="align")]),
    ("amsmath starred on one line", "\\begin{align*} a &= b \\end{align*}\n", [M("a &= b", 1, env="align*")]),
    ("bare aligned block (Jupyter, MathJax)", md("""
        Text
        \\begin{aligned}
        a &= b \\\\
        - c &= d
        \\end{aligned}
        after
        """), [P("Text", 1), M("a &= b \\\\\n- c &= d", 3, env="aligned"), P("after", 6)]),
    ("math fence", "```math\nx = y\n\\frac{a}{b}\n```\n", [M("x = y\n\\frac{a}{b}", 2)]),
    ("latex fence of pure math", "```latex\n$$\nx = y\n$$\n```\n", [M("x = y", 3)]),
    ("latex fence of one bare formula", "```latex\n\\frac{\\partial L}{\\partial z_j} = p_j - y_j\n```\n",
     [M("\\frac{\\partial L}{\\partial z_j} = p_j - y_j", 2)]),
    ("latex fence of a macro or words is code",
     "```latex\n\\newcommand{\\R}{\\mathbb{R}}\n```\n\n```tex\nSee the proof below for details\n```\n", []),
    ("latex fence of a document is code", "```latex\n\\section{A}\n$x$\n```\n", []),
    ("code is not math", md("""
        ```python
        x = $a$  # $$b$$
        ```

            indented $c$

        Inline `$d$` code.
        """), [P("Inline $d$ code.", 7)]),
    ("display math in a code span is math, on its own lines", md("""
        For $i = j$:
        `$$
        \\frac{\\partial y_i}{\\partial a_j} = y_i(1-y_j) \\\\
        = y_i - y_i^2
        $$` and `$$x = 1$$` too.
        """), [P("For", 1), I("i = j", 1), P(":", 1),
              M("\\frac{\\partial y_i}{\\partial a_j} = y_i(1-y_j) \\\\\n= y_i - y_i^2", 3), P("and", 5),
              M("x = 1", 5), P("too.", 5)]),
    ("front matter skipped", "---\ntitle: $x$\ntags: [a]\n---\n# T\n$y$\n", [H(1, "T", 5), A("y", 6)]),
    ("Hexo front matter without opening ---", "title: x\ntags:\n  - ml\n---\n# T\n$y$\n",
     [H(1, "T", 5), A("y", 6)]),
    ("Hugo TOML front matter", "+++\ntitle = \"$x$\"\n+++\n# T\n", [H(1, "T", 4)]),
    ("a setext heading is no front matter", "Some words: here\n---\n", [H(2, "Some words: here", 1)]),
    ("script display", md("""
        <script type="math/tex; mode=display">
        s = t
        </script>

        Inline <script type="math/tex">r</script> here.
        """), [M("s = t", 2), P("Inline", 5), I("r", 5), P("here.", 5)]),
    ("Hugo katex shortcodes", md("""
        Let
        {{< katex >}}
        \\tag{5} y_n = \\sigma(a_n)
        {{< /katex >}}

        {{< katex display >}} a_n = w_0 x_n {{< /katex >}}

        {{< katex >}}
        \\begin{aligned} E &= a \\\\ &= b \\end{aligned}
        {{< /katex >}}
        {{< katex >}} x {{< /katex >}} and words
        """), [P("Let", 1), M("\\tag{5} y_n = \\sigma(a_n)", 3), M("a_n = w_0 x_n", 6),
               M("E &= a \\\\ &= b", 9, env="aligned"), P("{{< katex >}} x {{< /katex >}} and words", 11)]),
    ("math in HTML blocks, not in pre or comments", md("""
        <div align="center">
        $$x = 1$$
        and $y$ &amp; **z**
        </div>

        <details><summary>Proof of $z$</summary>
        <pre>$no$</pre>
        </details>

        <!-- $c$ -->
        """), [M("x = 1", 2), P("and", 3), I("y", 3), P("& z", 3), P("Proof of", 6), I("z", 6)]),
    ("a bare environment in HTML text is display math", md("""
        <p>By the chain rule
        \\begin{align}
        a &= b \\\\
        &= c
        \\end{align}
        with $d$.</p>
        """), [P("By the chain rule", 1), M("a &= b \\\\\n&= c", 3, env="align"), P("with", 6), I("d", 6), P(".", 6)]),
    # an environment inside $$ ... $$ in HTML text (a <div> with no blank line after it): taken
    # out alone it left its $$ to pair with the next display's, and every display after it shifted
    ("an environment inside dollars in HTML text", md("""
        <div>
        x
        </div>
        so $L$ is
        $$
        \\begin{aligned} a &= b \\\\ &= c \\end{aligned}
        $$
        then $J$
        $$
        d = e
        $$
        """), [P("x", 2), P("so", 4), I("L", 4), P("is", 4), M("a &= b \\\\ &= c", 6, env="aligned"), P("then", 8),
               I("J", 8), M("d = e", 10)]),
    ("nested lists and quotes", md("""
        - item $a_1$
          - nested $b$
            > quote $c = d$ end
        1. $$
           e = f
           $$
        > $$
        > g = h
        > $$
        """), [
        P("item", 1), I("a_1", 1), P("nested", 2), I("b", 2),
        P("quote", 3), I("c = d", 3), P("end", 3), M("e = f", 5), M("g = h", 8),
    ]),
    ("table cells", md("""
        | name | formula |
        |------|---------|
        | norm | $\\|x\\|$ |
        | pipe | $a \\| b$ and $c$ |
        """), [
        P("name", 1), P("formula", 1), P("norm", 3), I("|x|", 3),
        P("pipe", 4), I("a | b", 4), P("and", 4), I("c", 4),
    ]),
    ("Hexo escapes undone", md("""
        $$
        a\\_i = b \\\\\\\\
        \\\\{c\\\\} \\* d \\\\, e
        $$

        Inline $x\\_{i}\\*y$ too, $$p\\_k$$ kramdown.
        """), [
        M("a_i = b \\\\\n\\{c\\} * d \\, e", 2),
        P("Inline", 6), I("x_{i}*y", 6), P("too,", 6), M("p_k", 6, display_after_words=True, within_words=True), P("kramdown.", 6),
    ]),
    ("Hexo bracket delimiters", md("""
        a \\\\(x\\_i\\\\) b \\\\[y\\\\].

        \\\\[
        u \\\\\\\\
        v
        \\\\]
        """), [P("a", 1), I("x_i", 1), P("b", 1), M("y", 1, display_after_words=True), P(".", 1),
                 M("u \\\\\nv", 4)]),
    ("an underscore in text is LaTeX's", "$\\text{log\\_softmax}(z) = \\|z\\|$\n",
     [A("\\text{log\\_softmax}(z) = \\|z\\|", 1)]),
    ("but escaped text is undone with the rest", "$\\text{log\\_softmax}(z\\_i)$\n",
     [A("\\text{log_softmax}(z_i)", 1)]),
    ("plain LaTeX left alone", "$$a \\\\ b \\{c\\} \\|x\\| \\,$$\n", [M("a \\\\ b \\{c\\} \\|x\\| \\,", 1)]),
    ("Chinese note", md("""
        ## 交叉熵的梯度

        设 $z$ 为 logits，则
        $$
        \\frac{\\partial L}{\\partial z_j} = p_j - y_j
        $$
        其中 $p=\\text{softmax}(z)$。
        """), [
        H(2, "交叉熵的梯度", 1), P("设", 3), I("z", 3), P("为 logits，则", 3),
        M("\\frac{\\partial L}{\\partial z_j} = p_j - y_j", 5), P("其中", 7),
        I("p=\\text{softmax}(z)", 7), P("。", 7),
    ]),
    ("multi-line inline math keeps lines", "Let $a +\nb$ and\n$c$\n", [
        P("Let", 1), I("a +\nb", 1), P("and", 2), I("c", 3),
    ]),
    ("CRLF line ends", "# T\r\n\r\n$x$\r\n", [H(1, "T", 1), A("x", 3)]),
    ("heading with math", "## Gradient of $\\ell$\n", [H(2, "Gradient of $\\ell$", 1)]),
    # a paragraph that is one inline formula is marked: scope reads it as a display block (blogs
    # write each row so) or, for "$i \\neq j$", as the case of the block after it
    ("a formula alone in its paragraph", "a\n\n$= b - c$\n\n$i \\neq j$\n",
     [P("a", 1), A("= b - c", 3), A("i \\neq j", 5)]),
    # formulas typeset as pictures by an equation service (READMEs without math): the URL's query
    ("equation images", md("""
        Sigmoid ![](http://latex.codecogs.com/svg.latex?S(x)=\\\\frac{1}{1+e^{-x}}), a curve.

        <p align="center">
          <img src="https://latex.codecogs.com/svg.latex?%5Cdpi%7B110%7D%20L%20=%20-%20y%20%5Clog(p)" />
        </p>

        ![a cat](https://example.com/cat.png)
        """), [P("Sigmoid", 1), M("S(x)=\\frac{1}{1+e^{-x}}", 1), P(", a curve.", 1), M("L = - y \\log(p)", 4),
               P("a cat", 7)]),
    ("equation images beside words in a paragraph", md("""
        With <img src="https://render.githubusercontent.com/render/math?math=p"> and
        <img src="https://render.githubusercontent.com/render/math?math=H(p) = -\\sum_i p_i \\log p_i"> <img src="https://render.githubusercontent.com/render/math?math=(1)">
        """), [P("With", 1), M("p", 1), P("and", 1), M("H(p) = -\\sum_i p_i \\log p_i", 2), M("(1)", 2)]),
    # a note with no delimited math writes its formulas as code: spans and plain fences that hold a
    # formula are math (a "=" line goes on with the one before); code is not
    ("formulas written as code", md("""
        Let `s = sigma(z)`, so `ds/dz = s * (1 - s)`. Call `loss.backward()`.

        ```
        dL/dz_i = p_i - y_i
        w = w - lr * grad
        = a
        ```

        ```python
        y = 2 * x
        ```
        """), [P("Let", 1), I("s = sigma(z)", 1), P(", so", 1), I("ds/dz = s * (1 - s)", 1),
               P(". Call loss.backward().", 1), M("dL/dz_i = p_i - y_i \\\\\n \\\\\n= a", 4)]),
    # rows of a derivation typed one inline formula per line, "=" before or inside the math: each is
    # its line's whole (read as a display row); a formula inside a hard-wrapped sentence is not
    ("one formula per line as rows", md("""
        > Answer:
        > $a$ <br>
        > = $b + c$ <br>
        > = $d$

        Q1:
        $x = a + b$
        $= c$

        the value is
        $p - y$
        which is small
        """), [P("Answer:", 1), A("a", 2), A("= b + c", 3), A("= d", 4), P("Q1:", 6), A("x = a + b", 7),
               A("= c", 8), P("the value is", 10), I("p - y", 11), P("which is small", 12)]),
    # a page escaped for HTML, and Obsidian's block id after the closing $$
    ("html entities in math and a block id", "a\n\n$$\n\\begin{align}\ng&amp;=a&#43;b \\\\\n&amp;=b&#43;a \\end{align}\n$$ ^637fb6\n",
     [P("a", 1), Math("g&=a+b \\\\\n&=b+a", True, (5, 6), "align")]),
    # reStructuredText (Sphinx): the math directive, its formula on its line or indented under it
    # (options left out), and the :math: role
    ("restructuredtext math", md("""
        Let :math:`\\eta = a` hold.

        .. math::
            :label: eq1

            a = b \\\\
              = c

        .. math:: f(x) = 1

        after
        """), [P("Let", 1), I("\\eta = a", 1), P("hold.", 1), M("a = b \\\\\n      = c", 6), M("f(x) = 1", 9),
               P("after", 11)]),
    ("code is code beside delimited math", "Let $a = b$ and `c = d`.\n\n```\ne = f\n```\n",
     [P("Let", 1), I("a = b", 1), P("and c = d.", 1)]),
    # a function's name typed as a formula of its own, its argument in the next one
    ("a lone function name and its argument", "so $ln$ $e^x=x$, but $a$ $b = c$.\n",
     [P("so", 1), I("ln e^x=x", 1), P(", but", 1), I("a", 1), I("b = c", 1), P(".", 1)]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in MARKDOWN], ids=[c[0] for c in MARKDOWN])
def test_markdown(text: str, expected: list) -> None:
    assert read_note(text, kind="markdown") == expected


LATEX = [
    ("document with sections and align", md("""
        \\documentclass{article}
        \\usepackage{amsmath}
        \\newcommand{\\R}{\\mathbb{R}} % $preamble$ is skipped
        \\begin{document}
        \\section{Softmax $z$}
        Let $z$ be logits % a comment
        and \\emph{p} the probs.

        New paragraph \\(q\\).
        \\subsection*{Rows}
        \\begin{align*}
          \\ell &= -\\sum_k y_k \\log p_k \\\\
               &= \\text{loss}
        \\end{align*}
        \\end{document}
        """), [
        H(1, "Softmax $z$", 5), P("Let", 6), I("z", 6), P("be logits and p the probs.", 6),
        P("New paragraph", 9), I("q", 9), P(".", 9), H(2, "Rows", 10),
        M("\\ell &= -\\sum_k y_k \\log p_k \\\\\n       &= \\text{loss}", 12, env="align*"),
    ]),
    ("display delimiters and wrappers", md("""
        \\[ c = d \\]
        $$e$$
        \\begin{equation}
        \\begin{split}
        a &= b
        \\end{split}
        \\end{equation}
        \\begin{equation} f = g \\end{equation}
        \\begin{alignat}{2} h &= i \\end{alignat}
        \\begin{gather*}
        j \\\\ k
        \\end{gather*}
        """), [
        M("c = d", 1), M("e", 2), M("a &= b", 5, env="split"), M("f = g", 8, env="equation"),
        M("h &= i", 9, env="alignat"), M("j \\\\ k", 11, env="gather*"),
    ]),
    ("lists, paragraph headings, no document", md("""
        \\begin{itemize}
        \\item first $f$
        \\end{itemize}
        \\paragraph{P} text \\subsubsection{S}
        """), [P("first", 2), I("f", 2), H(4, "P", 4), P("text", 4), H(3, "S", 4)]),
    ("math environment is inline", "a \\begin{math}x\\end{math} b\n", [
        P("a", 1), Math("x", False, (1,), "math"), P("b", 1),
    ]),
    ("unclosed dollar is prose", "\\begin{document}\nSee $x here\n\\end{document}\n",
     [P("See $x here", 2)]),
    ("code and comments skipped, theorem text kept", md("""
        \\begin{verbatim}
        $x$
        \\end{verbatim}
        \\begin{lstlisting}
        $y$
        \\end{lstlisting}
        \\begin{comment}
        $z$
        \\end{comment}
        \\begin{theorem}[Softmax] $w$ holds \\label{t}.\\end{theorem}
        """), [I("w", 10), P("holds .", 10)]),
    ("unclosed environment is text", "a\n\\begin{align}\nb &= c\n", [P("a b &= c", 1)]),
    ("paragraphs end at blank lines and \\par", "a\n  \nb\n\nc % x\nd\\par e\n",
     [P("a", 1), P("b", 3), P("c d", 5), P("e", 6)]),
    ("escaped dollar and percent", "It costs \\$5, 50\\% off.\n", [P("It costs $5, 50% off.", 1)]),
    # the note's own macros are written out in its math, each call's line breaks kept after it
    ("the note's macros", md("""
        \\newcommand{\\pd}[2]{\\frac{\\partial #1}{\\partial #2}}
        \\def\\R{\\mathbb{R}}
        \\DeclareMathOperator{\\softmax}{softmax}
        \\newcommand{\\opt}[2][0]{#1 + #2}
        \\begin{align}
        \\pd{L}{z_i
        } &= \\softmax(z)_i - y_i, \\quad z \\in \\R^K \\\\
        \\opt{a}{b} &= c
        \\end{align}
        """), [M("\\frac{\\partial L}{\\partial z_i } \n &= \\operatorname{softmax} (z)_i - y_i, \\quad z \\in "
                 "\\mathbb{R} ^K \\\\\n\\opt{a}{b} &= c", 6, env="align")]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in LATEX], ids=[c[0] for c in LATEX])
def test_latex(text: str, expected: list) -> None:
    assert read_note(text, kind="latex") == expected


@pytest.mark.parametrize(("name", "kind"), [
    ("notes.md", "markdown"), ("a.markdown", "markdown"), ("x.TEX", "latex"), ("y.latex", "latex"),
    ("README", "markdown"), ("Softmax.IPYNB", "notebook"),
])
def test_note_kind(name: str, kind: str) -> None:
    assert note_kind(name) == kind


NASTY = [
    "$", "$$", "$$$", "\\(", "\\[", "\\]", "```math\n", "\\begin{align}", "<script type='math/tex'>",
    "$$\n\\begin{aligned}\n", "> $$\nx", "| $a | b$ |\n|-|-|\n", "\\\\\\\\\\", "\x00$x\x00$",
    "---\n", "- $\n  - $$", "$`$`", "\\begin{aligned}\\begin{aligned}\\end{aligned}",
    "{{< katex >}}", "{{< katex >}}\n{{< /katex >}}", "> {{< katex >}}\nx\n\n{{< /katex >}}",
]


@pytest.mark.parametrize("text", NASTY)
@pytest.mark.parametrize("kind", ["markdown", "latex"])
def test_never_raises_and_lines_fit(text: str, kind: str) -> None:
    for item in read_note(text, kind=kind):
        if isinstance(item, Math):
            assert len(item.lines) == item.text.count("\n") + 1
            assert all(1 <= n <= text.count("\n") + 1 for n in item.lines)


def test_a_notebooks_markdown_cells_at_the_lines_of_its_file() -> None:
    """Markdown cells only (not code), each line at the JSON line holding its string: one escaped
    as ASCII too, a cell whose source is one string, and a string that does not end its line."""
    import json

    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Entropía\n", "\n", "Sea $p = 1$ y\n", "$$q = 2$$"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["$$c = 3$$"]},
             {"cell_type": "markdown", "metadata": {}, "source": "$$\na = b\n$$"},
             {"cell_type": "markdown", "metadata": {}, "source": ["$x = ", "y$ \n"]}]
    for ascii_only in (False, True):
        text = json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5}, indent=1, ensure_ascii=ascii_only)
        lines = text.split("\n")
        items = read_note(text, kind="notebook")
        assert [type(i).__name__ for i in items] == ["Heading", "Prose", "Math", "Prose", "Math", "Math", "Math"]
        for item in items:
            held = item.text if isinstance(item, Math) else item.title if isinstance(item, Heading) else item.text
            at = item.lines if isinstance(item, Math) else (item.line,)
            spelled = json.dumps(held.split()[0], ensure_ascii=ascii_only)[1:-1]  # as the file writes it
            assert any(spelled in lines[n - 1] for n in at), (item, at)
        assert [i.text for i in items if isinstance(i, Math)] == ["p = 1", "q = 2", "a = b", "x = y"]
        assert not any("c = 3" in line for i in items if isinstance(i, Math) for line in [i.text])
    # not a notebook's JSON: read as Markdown
    assert read_note("$$a = b$$\n", kind="notebook") == read_note("$$a = b$$\n", kind="markdown")


def test_two_displays_and_words_on_one_line() -> None:
    """``$$A$$ for $$B$$``: two formulas and the word between, not one formula from the first $$ to
    the last (a line that is one display stays one)."""
    items = read_note("$$g(x) = e^{-x}$$ for $$x \\in R$$\n\n$$a = b$$\n", kind="markdown")
    assert [(type(i).__name__, getattr(i, "text", "")) for i in items] == [
        ("Math", "g(x) = e^{-x}"), ("Prose", "for"), ("Math", "x \\in R"), ("Math", "a = b")]


def test_math_lines_point_at_the_math() -> None:
    """Every line of every math piece is the file line holding it (escapes or not)."""
    text = md("""
        # T
        > - a $x\\_1 +
        >   y$ and
        >   $$
        >   \\begin{aligned} p\\_k &= q \\\\\\\\
        >   &= r \\end{aligned}
        >   $$
        """)
    file_lines = text.split("\n")
    pieces = [item for item in read_note(text, kind="markdown") if isinstance(item, Math)]
    assert len(pieces) == 2
    for piece in pieces:
        for row, line in zip(piece.text.split("\n"), piece.lines):
            first_word = row.split()[0].replace("_", "\\_")
            assert first_word in file_lines[line - 1], (row, line)


def test_a_megabyte_of_markdown_is_read_quickly() -> None:
    """About markdown-it-py's own speed (half a second a megabyte, alone on this machine).

    Timed against a plain markdown-it parse of the same text, so a busy machine does not fail it.
    """
    block = md("""
        ## Step

        Let $z_i$ be the logits and $p = \\mathrm{softmax}(z)$, so that
        $$
        \\frac{\\partial \\ell}{\\partial z_j} = p_j - y_j
        $$
        which is **simple**; see [the notes](http://example.com) for why.

        """)
    text = block * (1_000_000 // len(block))
    read_note("warm up", kind="markdown")
    start = time.perf_counter()
    MarkdownIt("commonmark").enable("table").parse(text)
    plain = time.perf_counter() - start
    start = time.perf_counter()
    items = read_note(text, kind="markdown")
    elapsed = time.perf_counter() - start
    assert sum(isinstance(item, Math) for item in items) == 3 * (1_000_000 // len(block))
    assert elapsed < 2 * plain + 0.2
