"""Stage 4a of ``symxent check``: the note's blocks, scopes and symbol table.

Contract
--------
:func:`analyse` takes the items of a note (:mod:`symxent.checker.source`) and returns the
:class:`Block` s of math, each with its chains (:mod:`symxent.checker.syntax`), its position
(``order``) and section (``scope``: the heading path), and one
:class:`~symxent.checker.meaning.SymbolTable` for the whole note:

* a chain whose first member is a name not yet defined where it stands (``\\ell = ...``,
  ``\\hat y_j = ...``, ``J(w, b) = ...``, or any name after ``:=``) defines it from there to
  the end of its section; the step is reported as a definition, not checked; so does a chain
  that ends in a plain name with no meaning yet (``h = \\sum_k e^{a_k} = \\Sigma``);
* "the Jacobian matrix $J_\\sigma$" with σ defined from one vector z defines J_σ = ∂σ/∂z;
* prose definitions: inline math in a sentence defines a new name as a display does, whatever
  words come before it ("let", "where", "令", "sea" or none); "where $S = ...$" right after a
  display block is visible to that block;
* declarations: ``z \\in \\mathbb{R}^K``; "$x$ is/denotes the input" (the name is then an
  independent input); targets and labels ("label", "target", "one-hot", "标签") are inputs
  that do not depend on what the note differentiates by;
* stated facts: ``\\sum_k y_k = 1`` for an undefined y, or the words "one-hot", "distribution",
  "sums to 1", "独热", "概率分布" in the section: the targets sum to 1;
* conditions in prose ("when $i = j$", "for $i \\neq j$") apply to the next display block;
* sizes (``K = 3``) and each vector's index range (the bound of a sum over its index).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from symxent.checker.meaning import (
    Definition, at_a_point, bound_letter, conventional_input, SymbolTable, bare_in, information_call, is_label, listed_numbers, matrix_times, outcome_letter, value_case, key_of, pretty, transform, transposed, walk,
)
from symxent.checker.source import Heading, Math, Prose
from symxent.checker.chains import Chain, Member, delta_case, leading_case, read_block, signature_name
from symxent.checker.syntax import (
    Add, BigOp, Call, Case, Cases, Cond, Deriv, Ellipsis_, Fn, Frac, Grad, Matrix, Mul, Name, Neg, Node, Num, Paren, Pow,
    Script, Unreadable, entry_condition,
)
from symxent.checker.tree import Env, Group, Tok, TreeError, token_tree

__all__ = ["Block", "analyse", "definable"]

_WHERE_AFTER = re.compile(r"^\s*[,.;:]?\s*(where|with|here|其中|这里|donde|con|y\s+donde|"
                          # "where" in French, German, Portuguese, Vietnamese, Russian, Turkish, Korean,
                          # Japanese (not their "with": "mit ... folgt", "com isso" open sentences)
                          r"où|wobei|onde|trong\s+đó|где|burada|여기서|ここで|ただし)(?!\w)",
                          re.IGNORECASE)
# "$$\delta_{ij} = 1$$ if $$i = j$$": the condition written right after the display it belongs to
_IF_AFTER = re.compile(r"(if|when|only if|当|若|如果|si|cuando)\s*[:：,]?", re.IGNORECASE)
_DECLARE_AFTER = re.compile(r"^\s*(is|are|be|denotes?|represents?|stands? for|refers? to|为|是|表示|代表|es|son|"
                            r"denota|representa)\b", re.IGNORECASE)
_CONDITION_BEFORE = re.compile(r"(\bwhen\b|\bif\b|\bfor\b|\bcase\b|\bcase \d+\b|\bcase of\b|当|若|如果|情况.{0,2}|\bsi\b|\bcuando\b|"
                               r"\bpara\b|\bcaso\b|"
                               # French, German, Italian, Portuguese, Vietnamese, Indonesian, Czech, Russian
                               r"\bpour\b|\bquand\b|\blorsque\b|\bcas\b|\bfür\b|\bfalls\b|\bwenn\b|\bfall\b|\bper\b|"
                               r"\bquando\b|\bse\b|\bkhi\b|\bnếu\b|\bjika\b|\buntuk\b|\bketika\b|\bkasus\b|\bpro\b|"
                               r"\bkdyž\b|\bpokud\b|\bесли\b|\bкогда\b|\bпри\b|\bдля\b|"
                               # "(for the) case" in Russian, Polish, Vietnamese, Turkish; Polish "when", "if"
                               r"случа[еяй]|\bprzypadku\b|\bgdy\b|\bje[śż]li\b|\bjeżeli\b|trường hợp|durumunda|"
                               # Korean and Japanese "in the case (of ...)": 정답인 경우, $i = k$
                               r"경우|場合)\s*[:：,]?\s*[(（]?\s*$",
                               re.IGNORECASE)
_TARGET_NOUN = (r"(?:one[- ]?hot\s+)?(?:true\s+|ground[- ]truth\s+|target\s+)?(?:labels?|targets?|ground[- ]truth|"
                r"true class(?:es)?|classes|标签|真实标签|真实值|独热|etiquetas?|objetivos?|"
                # the same words in the other languages of the measured notes: Chinese (traditional),
                # Japanese, Korean, Vietnamese, French, German, Portuguese, Italian, Russian, Turkish
                r"標籤|真實值|目标值|目標值|正解ラベル|正解|教師ラベル|教師データ|ラベル|정답 ?레이블|정답|레이블|라벨|"
                r"nhãn|giá trị thực(?: tế)?|[ée]tiquettes?|cibles?|Labels?|Zielwerte?|r[óo]tulos?|"
                r"etichett[ae]|метк[аи]|etiketler?)")
_INPUT_NOUN = (r"(?:inputs?|logits?|scores?|features?|weights?|bias(?:es)?|parameters?|pre-?activations?|"
               r"states?|observations?|"  # (a policy's input: "the state vector, $s$")
               r"(?:arbitrary |any )?(?:real )?(?:constants?|scalars?|real numbers?)|输入|特征|权重|参数|常数|"
               r"entradas?|pesos?|par[aá]metros?)")
_NAMES_AFTER = r"^\s*[,:：]?\s*(?:\(|is|are|be|denotes?|represents?|stands? for|为|是|表示|代表|es|son|denota|representa)\s*" \
               r"(?:the\s+|a\s+|an\s+|our\s+|its\s+|one\s+|一个|el\s+|la\s+|los\s+|las\s+|un\s+|una\s+)?(?:\w+[- ]){0,2}?"
# A name counts as declared only by words right beside it: "the logits $z$", "$x$ is the input",
# "$y$ (one-hot label)".  Words further away describe something else.
_TARGET_BEFORE = re.compile(r"(?:" + _TARGET_NOUN + r")(?:\s+vectors?)?\s*[:：,]?\s*$", re.IGNORECASE)
_TARGET_AFTER = re.compile(_NAMES_AFTER + _TARGET_NOUN + r"\b", re.IGNORECASE)
_INPUT_BEFORE = re.compile(r"(?:" + _INPUT_NOUN + r")(?:\s+vectors?)?\s*[:：,]?\s*$", re.IGNORECASE)
_INPUT_AFTER = re.compile(_NAMES_AFTER + _INPUT_NOUN + r"\b", re.IGNORECASE)
_FUNCTION_SAID = re.compile(r"^\s*[,:]?\s*(?:is|be|denotes|represents|为|為|是|表示|es|を|은|는|이|가)\s*(?:the\s+|a\s+|el\s+|la\s+)?"
                            r"(softmax|sigmoid|logistic|ソフトマックス|シグモイド|소프트맥스|시그모이드)(?:\b|関数|함수|函数|函數)",
                            re.IGNORECASE)
# "$y^{(i)}$（0 or 1）", "$y$ is 0 or 1": labels that take the values 0 and 1 only
_BINARY_AFTER = re.compile(r"^\s*[(（]?\s*(?:is\s+|are\s+|takes?\s+(?:the\s+values?\s+)?|は\s*)?(?:either\s+)?0\s*"
                           r"(?:or|または|か|或者|或|혹은|또는|hoặc|o|ou|oder|или|lub|veya|atau|of)\s*1(?!\d)",
                           re.IGNORECASE)
_SIMPLEX_WORDS = re.compile(r"one[- ]?hot|distribution|sums? to (1|one)|add(s)? up to (1|one)|独热|概率分布|"
                            r"和为\s*1|distribuci[oó]n|suman? 1", re.IGNORECASE)


@dataclass
class Block:
    math: Math
    order: int
    scope: tuple[int, ...]
    chains: list[Chain] = field(default_factory=list)
    problem: tuple[str, int] | None = None        # the math could not be read: reason, offset
    conditions: list[Cond] = field(default_factory=list)  # from the prose before it
    definitions: set[tuple[int, int]] = field(default_factory=set)  # (chain, step) that define
    facts: set[tuple[int, int]] = field(default_factory=set)        # (chain, step) stating a fact
    delta_rows: set[int] = field(default_factory=set)  # chains that state Kronecker's delta (δ_ij = 1 when i = j)
    option: str = ""  # "B." when the block is one of the answers a question offers (see _answer_options)
    existential: bool = False  # the words before say it holds for some value ("there exists ε such that")
    restated: set[int] = field(default_factory=set)                 # chains that restate a defined name
    examples: dict[int, Definition] = field(default_factory=dict)   # chain -> the value its last number gives
    # chain -> line of the definition it replaces (a summary restating dw = ... in a new section)
    redefines: dict[int, int] = field(default_factory=dict)
    named_last: set[int] = field(default_factory=set)  # chains whose last step names its value (= \Sigma)

    def line(self, pos: int) -> int:
        text = self.math.text
        row = text.count("\n", 0, max(0, min(pos, len(text))))
        return self.math.lines[min(row, len(self.math.lines) - 1)]


def definable(node) -> tuple[str, tuple[str, ...], tuple, str | None] | None:
    """(key, index letters, parameters, sample letter) when ``node`` can be the left side of a definition."""
    if isinstance(node, Name):
        if node.base in ("e", "\\pi", "d", "\\infty") or node.base.isdigit():
            return None
        return node.key, (), (), None
    if isinstance(node, Script) and isinstance(node.base, Name) and not node.primes:
        idx = [n for n in node.sub if not is_label(n)]
        if idx and all(isinstance(n, Num) and n.value.isdigit() for n in idx) and (
                node.sup is None or node.sup_paren):
            # x_0 = 1, z_1 = W_1 x: one entry (a layer, a bias input) given its own value
            sample = node.sup.base if node.sup_paren and isinstance(node.sup, Name) else None
            return f"{key_of(node)}[{','.join(n.value for n in idx)}]", (), (), sample
        if not all(isinstance(n, Name) and len(n.base) == 1 and n.base.islower() for n in idx):
            return None
        sample = None
        if node.sup is not None:
            if not (node.sup_paren and isinstance(node.sup, Name) and len(node.sup.base) == 1):
                return None
            sample = node.sup.base
        if node.base.base == "\\delta":
            return None
        return key_of(node), tuple(n.base for n in idx), (), sample
    if isinstance(node, Call) and node.maybe:
        f = node.func
        sample = f.sup.base if isinstance(f, Script) and f.sup_paren and isinstance(f.sup, Name) \
            and len(f.sup.base) == 1 else None
        if isinstance(f, Name) or (isinstance(f, Script) and isinstance(f.base, Name) and not f.primes
                                   and (f.sup is None or sample is not None)):
            if isinstance(f, Script) and not all(isinstance(n, Name) for n in f.sub):
                return None  # g_1(x_1) = ...: a numbered function, which the evaluator does not tell from g_2
            if all(isinstance(a, (Name, Script, Call)) for a in node.args):
                key = key_of(f)
                idx = tuple(n.base for n in f.sub if not is_label(n)) if isinstance(f, Script) else ()
                # sigma(z)_i = ...: a vector-valued function, indexed after the call
                idx += tuple(n.base for n in node.sub if isinstance(n, Name) and len(n.base) == 1)
                indices = [n for n in (f.sub if isinstance(f, Script) else ()) if not is_label(n)] + list(node.sub)
                if len(idx) != len(indices):
                    return None
                # L^{(i)}(w, b) = ...: the loss of sample i, written with the parameters it depends on
                return key, idx, tuple(node.args), sample
    if isinstance(node, Call) and isinstance(node.func, Fn) and node.func.name in ("softmax", "sigmoid") \
            and node.func.sub is None and node.func.sup is None and not node.sub and node.args and all(
                isinstance(a, Script) and isinstance(a.base, Name) and a.sup is None and a.sub
                and all(isinstance(n, Name) and len(n.base) == 1 for n in a.sub) for a in node.args):
        # softmax(x_{ij}) = e^{x_ij} / Σ_k e^{x_ik}: the note's own softmax, of an entry
        return node.func.name, (), tuple(node.args), None
    return None


def _scope_path(stack: list[tuple[int, int]]) -> tuple[int, ...]:
    return tuple(ident for _, ident in stack)


def _sum_head(items, k: int) -> tuple[str, int] | None:
    """``\\sum_K`` at items[k] with no upper bound: (the subscript's letter, tokens it spans)."""
    if not (isinstance(items[k], Tok) and items[k].value == "\\sum" and k + 2 < len(items)
            and isinstance(items[k + 1], Tok) and items[k + 1].value == "_"):
        return None
    sub = items[k + 2]
    if isinstance(sub, Group) and len(sub.items) == 1:
        sub = sub.items[0]
    if not (isinstance(sub, Tok) and sub.kind == "word" and len(sub.value) == 1):
        return None
    if k + 3 < len(items) and isinstance(items[k + 3], Tok) and items[k + 3].value == "^":
        return None
    return sub.value, 3


def _named_sums(texts: list[str]) -> set[str]:
    """Sums the note names: ``\\sum_K = \\sum_{j=1}^K e^{\\theta_j}`` makes ``\\sum_K`` a name (the
    subscript is the name's, not an index: the sum has no body)."""
    names: set[str] = set()
    for text in texts:
        try:
            items = _strip_styles(token_tree(text))
        except (TreeError, RecursionError):
            continue
        head = _sum_head(items, 0) if items else None
        if head is not None and len(items) > 3 and isinstance(items[3], Tok) and items[3].value in ("=", ":="):
            names.add(head[0])
    return names


def _strip_styles(items) -> list:
    return [it for it in items if not (isinstance(it, Tok) and it.value in ("\\displaystyle", "\\textstyle"))]


def _with_named_sums(items, names: set[str]) -> tuple:
    """The token tree with each named sum ``\\sum_K`` read as one word (a name)."""
    out: list = []
    k = 0
    items = list(items)
    while k < len(items):
        it = items[k]
        head = _sum_head(items, k) if names else None
        if head is not None and head[0] in names:
            out.append(Tok("word", f"Σ_{head[0]}", it.pos))
            k += head[1]
            continue
        if isinstance(it, Group):
            it = Group(_with_named_sums(it.items, names), it.pos)
        elif isinstance(it, Env):
            it = Env(it.name, it.arg, _with_named_sums(it.items, names), it.pos)
        out.append(it)
        k += 1
    return tuple(out)


_LAYER_DIGIT = re.compile(r"(?<![A-Za-z\\])([A-Za-z])(?:\^\{?\s*[01]\s*\}?\s*_|_(?:\{[^{}]*\}|[A-Za-z0-9])\s*\^\{?\s*[01]\s*\}?)")


def _layer_digits(texts: list[str]) -> bool:
    """Whether the note writes a letter with a superscript 0 or 1 beside a subscript (``x^0_{s,i}``,
    ``w^1_{i,j}``): no one writes a power 0 or 1, so the note numbers its layers with superscript
    digits, and ``a^2_{s,1}`` is layer 2 too."""
    return any(_LAYER_DIGIT.search(text) for text in texts)


def _with_layer_digits(items) -> tuple:
    """The token tree with ``w^2_{j,1}`` written ``w^{[2]}_{j,1}`` (a layer, see :func:`_layer_digits`)."""
    out: list = []
    items = list(items)
    for k, it in enumerate(items):
        digit = it.items[0] if isinstance(it, Group) and len(it.items) == 1 else it
        # w^2_{j,1}, w^{2}_{j,1} or w_{j,1}^2: the letter, then the digit beside a subscript
        before = k >= 2 and _letter(items[k - 2]) and k + 1 < len(items) and _token(items[k + 1], "_")
        after = k >= 4 and _token(items[k - 3], "_") and _letter(items[k - 4])
        if k >= 2 and _token(items[k - 1], "^") and isinstance(digit, Tok) and digit.kind == "num" \
                and len(digit.value) == 1 and (before or after):
            it = Group((Tok("sym", "[", digit.pos), digit, Tok("sym", "]", digit.pos)), digit.pos)
        elif isinstance(it, Group):
            it = Group(_with_layer_digits(it.items), it.pos)
        elif isinstance(it, Env):
            it = Env(it.name, it.arg, _with_layer_digits(it.items), it.pos)
        out.append(it)
    return tuple(out)


# a^1, z^{1}, \delta^1: no one writes a first power, so that letter's superscript digits number layers
_FIRST_POWER = re.compile(r"(?<![A-Za-z\\])([A-Za-z]|\\[A-Za-z]+)\s*\^\s*(?:1|\{\s*1\s*\})(?![\d.])")


def _layer_letters(texts: list[str]) -> frozenset[str]:
    """The letters the note writes with a superscript 1 (``a^1``, ``\\delta^1``): each of their
    one-digit superscripts is a layer (``a^2`` is layer 2's a), as ``a^{[2]}`` writes it."""
    found = {m.group(1) for text in texts for m in _FIRST_POWER.finditer(text)}
    return frozenset(found - {"e", "\\pi", "\\mathrm", "\\text", "\\operatorname"})


def _with_layer_letters(items, letters: frozenset[str]) -> tuple:
    """The token tree with ``a^2`` written ``a^{[2]}`` for each letter of :func:`_layer_letters`."""
    out: list = []
    items = list(items)
    for k, it in enumerate(items):
        digit = it.items[0] if isinstance(it, Group) and len(it.items) == 1 else it
        if k >= 2 and _token(items[k - 1], "^") and isinstance(items[k - 2], Tok) \
                and items[k - 2].value in letters and (items[k - 2].kind == "cmd" or _letter(items[k - 2])) \
                and isinstance(digit, Tok) and digit.kind == "num" and len(digit.value) == 1:
            # a^2 and a^{2} alike
            it = Group((Tok("sym", "[", digit.pos), digit, Tok("sym", "]", digit.pos)), digit.pos)
        elif isinstance(it, Group):
            it = Group(_with_layer_letters(it.items, letters), it.pos)
        elif isinstance(it, Env):
            it = Env(it.name, it.arg, _with_layer_letters(it.items, letters), it.pos)
        out.append(it)
    return tuple(out)


def _token(it, value: str) -> bool:
    return isinstance(it, Tok) and it.value == value


def _letter(it) -> bool:
    return isinstance(it, Tok) and it.kind == "word" and len(it.value) == 1


def analyse(items, *, class_size: int = 3, defines=()) -> tuple[list[Block], SymbolTable]:
    """The note's blocks of math, in document order, and its symbol table."""
    items = _with_heading_math(items)
    named_sums = _named_sums([it.text for it in items if isinstance(it, Math)])
    layers = _layer_digits([it.text for it in items if isinstance(it, Math)])
    layer_letters = _layer_letters([it.text for it in items if isinstance(it, Math)])
    table = SymbolTable()
    table.class_size = class_size
    blocks: list[Block] = []
    stack: list[tuple[int, int]] = []
    next_id = 0
    pending_conditions: list[Cond] = []
    fresh_conditions = False
    line_case = False   # the pending case was set by a case line ("$i \\neq j$" alone)
    last_prose = ""
    prose_since_block = ""
    order = 0
    inline_defs: list[tuple[Block, str, int]] = []   # (inline block, words before, item index)
    trivial: list[tuple[Block, str, int]] = []         # declarations and the like: (block, words before, item index)
    last_display: Block | None = None
    where_run = False  # the blocks since "where" after the last display, each alone in its paragraph
    last_chain: Chain | None = None
    for d in defines:
        table.definitions.append(d)
    for position, item in enumerate(items):
        order += 100  # room for the chains of a block: a definition is seen by the chains after it
        if isinstance(item, Heading):
            table.chapters = table.chapters or item.level == 1
            while stack and stack[-1][0] >= item.level:
                stack.pop()
            next_id += 1
            stack.append((item.level, next_id))
            pending_conditions = _heading_conditions(item)
            table.cases.extend((c, item.line) for c in pending_conditions)
            last_prose = ""
            prose_since_block = ""
            last_display = None
            last_chain = None
            continue
        if isinstance(item, Prose):
            following = items[position + 2] if position + 2 < len(items) else None
            if _DUI.search(item.text) and isinstance(following, Prose) and following.text.lstrip().startswith("时"):
                # "对 $$j=i$$ 时" (for j = i): 对 ... 时 frames a case as 当 ... 时 does; 对 alone is
                # "of", "on" ("我们对 $f(x) = ...$ 进行变换": we transform the formula)
                item = replace(item, text=_DUI.sub("当", item.text))
            if line_case and not fresh_conditions:
                # words after the case's blocks: the case (a line of its own) is over
                pending_conditions, line_case = [], False
            last_prose = item.text
            prose_since_block += " " + item.text
            _prose_facts(item, table, stack)
            if table.einstein is None and _EINSTEIN.search(item.text):
                table.einstein = item.line
            for letter in _ORDINAL_LETTER.findall(item.text):
                # "only the k-th dimension of y is 1": the words speak of the letter k
                table.letters_in_words.setdefault(letter, []).append(order)
            valued = _value_case_in_words(item.text)
            if valued is not None:
                # "当y=1时，$L = -\log \hat y$": a value of y typed in the words, a case of what follows
                pending_conditions = [c for c in pending_conditions if not (_letters_of(c) & _letters_of(valued))]
                pending_conditions, fresh_conditions, line_case = pending_conditions + [valued], True, True
                table.cases.append((valued, item.line))
                continue
            typed = _typed_case(item.text)
            if typed is not None:
                # "**Case 2: i ≠ j** (...)": a case typed as words, as "$i \neq j$" on its own line is
                pending_conditions, fresh_conditions, line_case = [typed], True, True
                table.cases.append((typed, item.line))
            continue
        assert isinstance(item, Math)
        block = Block(item, order, _scope_path(stack))
        try:
            tree = _with_named_sums(token_tree(item.text), named_sums)
            if layers:
                tree = _with_layer_digits(tree)
            if layer_letters:
                tree = _with_layer_letters(tree, layer_letters)
            lead = leading_case(tree) if item.display else None
            if lead is not None:
                # "$$ if \ s = i, \\ = ... $$": the case typed as the display's first row, as if
                # the words before the block said it (it replaces a case on the same letters)
                conds = [Case(c.left, c.op, c.right) for c in lead[0]]
                letters = {x for c in conds for x in _letters_of(c)}
                pending_conditions = [c for c in pending_conditions if not (_letters_of(c) & letters)] + conds
                fresh_conditions = True
                table.cases.extend((c, block.line(0)) for c in conds)
                tree = lead[1]
            block.chains = read_block(tree)
        except TreeError as exc:
            block.problem = (exc.msg, exc.pos)
        except RecursionError:
            block.problem = ("nested too deeply", 0)
        # a formula that is its whole paragraph is a display block, unless it is a case ("$i \neq j$")
        # or a value ("$k = 1$")
        display = item.display or (item.alone and _inline_condition(block) is None
                                   and not (block.problem is None and _trivial_inline(block)))
        case_of_the_display = last_display is not None and _IF_AFTER.fullmatch(prose_since_block.strip()) \
            and last_display.math.lines[-1] == item.lines[0] and not item.text.rstrip().endswith((":", "："))
        if item.display_after_words and not case_of_the_display \
                and (_INDEX_RANGE.fullmatch(item.text) or _CONDITION_BEFORE.search(
                    last_prose or "") and _inline_condition(block) is not None):
            # "for $$i=1,\dots,K.$$", "if $$i \neq j:$$": a range or a case typed with display dollars in
            # the sentence, for what follows (not "$$...$$ if $$i = j$$" on one line: the case of that display)
            display = False
        if item.within_words and not case_of_the_display:
            display = False  # (kramdown's inline $$: a formula in the sentence, which the words around speak of)
        if not display:
            table.in_sentence.add(block.order)
            lone = block.chains[0].members[0].node if len(block.chains) == 1 and len(block.chains[0].members) == 1 \
                else None
            letter = lone.base if isinstance(lone, Name) and len(lone.base) == 1 and lone.base.islower() \
                and not lone.accent else None
            ahead = " ".join(getattr(it, "text", "") for it in items[position + 1:position + 4])[:200]
            if letter and _HOT_WORDS.search(ahead):
                # "where $j$ is the index of the element of $y$ that is hot": the letter of the true class
                table.hot_letters.add(letter)
            if letter and _DISTINCT.search(prose_since_block + " " + last_prose):
                # "For not $i$ th item, denote by $z$": words that may set the letters apart
                table.letters_in_words.setdefault(letter, []).append(block.order)
            if lone is not None and not letter and _CONSTANT.search(prose_since_block + " " + last_prose + " " + ahead):
                # "paydaki $e^{z_k}$ ifadesi $z_i$'ye göre sabittir" (e^{z_k} is constant in z_i): words
                # that set the entries' letters apart
                for x in {n.base for m in walk(lone) if isinstance(m, Script) for n in m.sub
                          if isinstance(n, Name) and len(n.base) == 1 and n.base.islower()}:
                    table.letters_in_words.setdefault(x, []).append(block.order)
        if _EXISTS_BEFORE.search(prose_since_block + " " + last_prose):
            # "by the mean value theorem there is ε in (0, 1) such that f'(ε) = ...": the block holds
            # for some value the words name, not for every one (an equation in it, no definition)
            block.existential = True
        if display or (any("=" in c.relations for c in block.chains) and _inline_condition(block) is None):
            # "when $i = k$, we have ...": the equations that follow, to the next case or heading,
            # hold under the condition (the verdict keeps it only where the step uses its letters)
            block.conditions = list(pending_conditions)
            fresh_conditions = False
        for chain in block.chains:
            for m in chain.members:
                m.block = block
            for clause in chain.clauses:
                for c in clause.chains:
                    for m in c.members:
                        m.block = block
        if block.chains and block.chains[0].leading and last_chain is not None:
            # "$$ ... $$ $$ = ... $$": a chain that goes on in the next block (after words that
            # explain the step, however long: a leading "=" has no other left side)
            head, prev = block.chains.pop(0), last_chain
            prev_aside = bool(prev.members) and prev.members[-1].block is not None \
                and prev.members[-1].block.math.display_after_words
            if head.members and (len(prose_since_block.strip()) > 60 or prev_aside):
                # (but an expression displayed in between may be what it goes on from; and a display
                # typed in a sentence, "con $$a=e^z$$ y $$b=e^{-z}$$,", is an aside, not the chain)
                head.members[0].after_words = True
            before = items[position - 1] if position else None
            if not display and isinstance(before, Prose) and head.members and before.text.strip():
                # "Toplam $= 1.0 + 0.30 + 0.25$" (total = ...): in a sentence, the words just before
                # the "=" are its left side, not the formula before
                head.members[0].left_in_words = before.text.strip()[-60:]
            fork = _case_fork(prev, block)
            if fork is not None:
                # "∂p_j/∂a_i = ... If $i = j$: $$ = ... $$ And if $i \neq j$: $$ = ... $$": the second
                # case goes on from where the cases began, not from the first case's result
                block.chains.insert(0, Chain([prev.members[fork]] + head.members, [head.leading] + head.relations,
                                             conditions=head.conditions, clauses=head.clauses))
            else:
                prev.relations += [head.leading] + head.relations
                prev.members += head.members
                prev.conditions += head.conditions
                prev.clauses += head.clauses
        after = _inline_condition(block) if display and last_display is not None \
            and _IF_AFTER.fullmatch(prose_since_block.strip()) else None
        if after is not None:
            # "$$\delta_{ij} = 1$$ if $$i = j$$": the display before holds in that case
            assert last_display is not None
            letters = {x for c in after for x in _letters_of(c)}
            last_display.conditions = [c for c in last_display.conditions if not (_letters_of(c) & letters)] + after
            continue
        where_run = display and not item.display and last_display is not None and (
            (where_run and not prose_since_block.strip())
            or (_WHERE_AFTER.search(prose_since_block.strip()) is not None and len(prose_since_block.strip()) < 40))
        if where_run:
            # "$$ ... \hat y ... $$ where: \n\n $\hat y = σ(z)$ \n\n $z = w^T x$": formulas alone in
            # their paragraphs after "where", definitions of the display before (read before it)
            assert last_display is not None
            block.order = last_display.order - 1
            blocks.append(block)
            prose_since_block = ""
        elif display:
            blocks.append(block)
            last_display = block
            prose_since_block = ""
            if block.chains:
                last_chain = block.chains[-1]
        else:
            conds = _inline_condition(block)
            said_of = blocks[-1] if blocks and position >= 2 and items[position - 2] is blocks[-1].math \
                and not blocks[-1].math.display and blocks[-1].math.lines[-1] == item.lines[0] \
                and _IF_AFTER.fullmatch(last_prose.strip()) and any(c.relations for c in blocks[-1].chains) else None
            if conds is not None and said_of is not None:
                # "où $\delta_{kj} = 1$ si $k = j$": the formula just before, in the sentence, holds in that case
                letters = {x for c in conds for x in _letters_of(c)}
                said_of.conditions = [c for c in said_of.conditions if not (_letters_of(c) & letters)] + list(conds)
                continue
            if conds is not None and item.alone:
                # "$i \neq j$" on a line of its own, between the cases' display blocks: a new case
                conds = [Case(c.left, c.op, c.right) for c in conds]
                pending_conditions, fresh_conditions = list(conds), True
                table.cases.extend((c, block.line(0)) for c in conds)
                line_case = True
                continue
            if conds is None and _CONDITION_BEFORE.search(last_prose or ""):
                conds = _value_condition(block)  # "when $y = 1$": a value of y
            if conds is not None and _CASE_BEFORE.search(last_prose or ""):
                conds = [Case(c.left, c.op, c.right) for c in conds]
            if conds is not None and (_CONDITION_BEFORE.search(last_prose or "") or (
                    # "with respect to $x_j$, where $j \neq i$": an inequality is never a claim
                    all(c.op == "!=" for c in conds) and _WHERE_BEFORE.search(last_prose or "")) or (fresh_conditions and
                                                                                    len(last_prose.strip(" ,;")) <= 4)):
                # "when $i = j$ and $k$ ..." adds to the case; "0 if $j \neq k$ ... if $j = k$" names
                # another case of the same letters, which replaces the first
                letters = {x for c in conds for x in _letters_of(c)}
                if last_display is not None and _WHERE_AFTER.search(prose_since_block.strip() or last_prose) \
                        and len(prose_since_block.strip()) < 40:
                    # "$$ ∂a_j/∂z_i = -a_j a_i $$ where $j \neq i$": the condition of the display it follows
                    last_display.conditions = [c for c in last_display.conditions
                                               if not (_letters_of(c) & letters)] + list(conds)
                pending_conditions = [c for c in pending_conditions if not (_letters_of(c) & letters)] + conds \
                    if fresh_conditions else conds
                table.cases.extend((c, block.line(0)) for c in conds)
                fresh_conditions = True
                continue
            after_display = last_display is not None and _WHERE_AFTER.search(prose_since_block.strip() or last_prose) is not None \
                and len(prose_since_block) < 200
            if after_display:
                assert last_display is not None
                block.order = last_display.order - 1
            if _CONDITION_BEFORE.search(last_prose or "") and any("=" in c.relations for c in block.chains):
                continue  # "when $p_i = p_j$": a case, not a claim
            if _trivial_inline(block):
                trivial.append((block, last_prose, position))
                for chain in block.chains:
                    entry = _written_entry(chain.members[0].node) if chain.members else None
                    if entry is not None and _define_from(chain, block, table, block.order, "math"):
                        # "$x_0 = 1$": one entry's value (a bias input), not a step
                        table.written_entries.add(entry)
                        continue
                    _one_hot_fact(chain, block, table)
                continue
            inline_defs.append((block, last_prose, position))
            if _OPTION_LABEL.fullmatch(last_prose.strip()):
                block.option = last_prose.strip()
            blocks.append(block)
        last_prose = ""
    _answer_options(blocks)
    _marked_indices(blocks, table)
    _parameter_labels(blocks)
    _totals(blocks)
    _learn(blocks, table)
    _transpose_partners(blocks, table)
    previous: Block | None = None
    for block in sorted(blocks, key=lambda b: b.order):
        _definitions(block, table, _equation_before(previous, block))
        previous = block
    _dims_through_definitions(table)
    _vector_arguments(blocks, table)
    _cross_entropy_weights(table)
    _output_conventions(items, table)
    for block, words, position in inline_defs:
        after = items[position + 1].text if position + 1 < len(items) and isinstance(items[position + 1], Prose) else ""
        _declarations(block, words, after, table)
        _simplex_declared(block, _sentence_after(items, position), table)
    for block, words, position in trivial:
        # "the Jacobian matrix $J_\sigma \in \mathbb{R}^{K \times K}$": a declaration that names it
        for chain in block.chains:
            _name_jacobian(chain, words, block, table)
        _simplex_declared(block, _sentence_after(items, position), table)
    return blocks, table


_CONVENTION_NAMES = ("hat y", "p", "a", "s", "y", "o", "q", "h", "\\sigma", "hat p", "S")


def _inner_piece(body: Node) -> bool:
    """A value made with exp or log (1 + e^{-z}, Σ_k e^{z_k}): a piece of a sigmoid's or softmax's
    formula, where an input (w^T x + b) is made without them."""
    for n in walk(body):
        if isinstance(n, Script) and isinstance(n.base, Name) and n.base.base == "e" and n.sup is not None:
            return True
        if isinstance(n, Fn) and n.name in ("exp", "log"):
            return True
    return False


_PARAMETERS = frozenset({"w", "W", "b", "\\theta", "\\Theta", "\\beta", "\\omega", "bold w", "vec w"})


def _output_conventions(items, table: SymbolTable) -> None:
    """Outputs the note differentiates but never defines, in a note about softmax or the sigmoid.

    ``\\partial \\hat y_i / \\partial z_j`` (or ``p_i``, ``a_i``, ...) with ŷ never defined, in a note
    that speaks of softmax: ŷ = softmax(z); ``d\\hat y / dz`` with scalars, in a note that speaks of
    the sigmoid: ŷ = σ(z); ŷ_i or p_i used with the note's logits z: softmax(z).  A documented
    convention, reported in every verdict that uses it; a name the note defines or declares
    anywhere never gets it."""
    text = " ".join(it.title if isinstance(it, Heading) else it.text for it in items).lower()
    softmax = "softmax" in text
    table.about_softmax = softmax
    sigmoid = "sigmoid" in text or "logistic" in text or "\\sigma" in text or "σ" in text
    defined = {d.key for d in table.definitions}
    for key, inputs in sorted(table.differentiated_by.items()):
        if key not in _CONVENTION_NAMES or key in defined or (key in table.declared and key not in table.dependent):
            continue
        if len({v for v, _ in inputs}) != 1:
            continue  # differentiated by two different names: which one it is a function of is not said
        # ∂a_1/∂z_2 and ∂a/∂z in one note: entry by entry, the vector's entries
        var, indexed = next(iter(inputs))[0], any(ix for _, ix in inputs)
        if var in _PARAMETERS:
            continue  # ∇_w σ: σ of the weights is σ(w^T x), whose input is not said (never σ(w))
        if any(d.key == var and _inner_piece(d.body) for d in table.definitions):
            # dσ/du with u = 1 + e^{-z}: u is a piece of σ's own formula (σ = 1/u), not its input
            continue
        if indexed and softmax:
            body = Call(Fn("softmax"), (Name(var),), False, (Name("i"),))
            table.definitions.append(Definition(key, ("i",), (), body, 0, -1, (), f"convention:softmax({var})"))
            defined.add(key)
        elif not indexed and sigmoid and key not in table.indexed:
            body = Call(Fn("sigmoid"), (Name(var),), False)
            table.definitions.append(Definition(key, (), (), body, 0, -1, (), f"convention:sigmoid({var})"))
            defined.add(key)
    if not softmax or "z" not in table.indexed:
        return
    for key in ("hat y", "p"):
        if key in table.indexed and key not in defined and key not in table.declared:
            body = Call(Fn("softmax"), (Name("z"),), False, (Name("i"),))
            table.definitions.append(Definition(key, ("i",), (), body, 0, -1, (), "convention:softmax(z)"))


def _cross_entropy_weights(table: SymbolTable) -> None:
    """y in a defined loss -Σ_k y_k log q_k weighs a cross-entropy: a distribution over classes
    (cross-entropy is defined between distributions), so its entries sum to 1."""
    for d in table.definitions:
        body = d.body.arg if isinstance(d.body, Neg) else d.body
        if isinstance(body, Mul) and len(body.factors) == 2 and isinstance(body.factors[0], Num):
            body = body.factors[1]
        if isinstance(body, BigOp) and body.kind == "sum" and isinstance(body.body, Mul):
            f = body.body.factors
            logs = [k for k, x in enumerate(f) if isinstance(x, Fn) and x.name == "log"]
            weights = [x for k, x in enumerate(f) if isinstance(x, Script) and isinstance(x.base, Name)
                       and not x.sup and (not logs or k != logs[0] + 1)]
            if len(logs) == 1 and len(weights) == 1 and len(f) == 3:
                key = key_of(weights[0])
                if key and key not in {x.key for x in table.definitions}:
                    table.simplex.setdefault(key, (d.line, f"it weighs the cross-entropy {d.key} = -Σ {key} log(...)"))


_OPTION_LABEL = re.compile(r"\(?[A-Ea-e][.)]\)?|\*\*\(?[A-Ea-e][.)]\)?\*\*")


def _answer_options(blocks: list[Block]) -> None:
    """``A. $\\partial L/\\partial z_i = p_i - y_i$  B. $\\partial L/\\partial z_i = y_i - p_i$ ...``: formulas
    each after a letter, with one left side, are the answers a question offers (all but one wrong
    on purpose), not claims of the note.  A letter alone before one formula is only a label."""
    def left(block: Block) -> str | None:
        chain = block.chains[0] if len(block.chains) == 1 else None
        return repr(chain.members[0].node) if chain is not None and len(chain.members) == 2 else None

    groups: list[list[Block]] = []
    for k, block in enumerate(blocks):
        if not block.option or left(block) is None:
            block.option = ""
            continue
        if groups and groups[-1][-1] is blocks[k - 1] and left(groups[-1][0]) == left(block):
            groups[-1].append(block)
        else:
            groups.append([block])
    for group in groups:
        if len(group) < 2:
            group[0].option = ""


# "i=1,\dots,K.": an index letter running over its values
_INDEX_RANGE = re.compile(r"\s*[a-z]\s*=\s*[^=]*(?:\\[lc]?dots|\.\.\.|…)[^=]*")
_SENTENCE_END = re.compile(r"[。！？]|[.!?](?:\s|$)")


def _sentence_after(items: list, position: int) -> str:
    """The rest of the sentence after item ``position``, its inline math written between dollars."""
    out = []
    for item in items[position + 1:]:
        if isinstance(item, Prose):
            end = _SENTENCE_END.search(item.text)
            out.append(item.text[:end.start()] if end else item.text)
            if end:
                break
        elif isinstance(item, Math) and not item.display:
            out.append(f" ${item.text}$ ")
        else:
            break
    return "".join(out)


def _simplex_declared(block: Block, after: str, table: SymbolTable) -> None:
    """"$q \\in \\mathbb{R}^m$を$y_i$のone-hot vectorとする" (let q be the one-hot vector of y_i): a name
    declared in prose (alone, or with its space) that the rest of its sentence, up to the sentence's
    end, calls one-hot or a distribution is a target that sums to 1."""
    said = _SIMPLEX_WORDS.search(after)
    if said is None or len(block.chains) != 1:
        return
    chain = block.chains[0]
    if not (len(chain.members) == 1 or chain.relations[:1] == ["in"]):
        return
    node = chain.members[0].node
    key = key_of(node) if isinstance(node, (Name, Script)) else None
    if key:
        table.simplex.setdefault(key, (block.line(0), f"the note says '{said.group(0)}'"))
        table.targets.setdefault(key, block.line(0))


def _trivial_inline(block: Block) -> bool:
    """``$i = 1..N$``, ``$K = 3$``, ``$k=1$``, ``$p_j = \\tfrac12$`` in prose: ranges, sizes and
    values at a point, not derivation steps."""
    if block.problem is not None:
        return True
    for c in block.chains:
        if len(c.members) == 2 and definable(c.members[0].node) is not None and _is_number(c.members[1].node):
            continue
        head = c.members[0].node if c.members else None
        if isinstance(head, Name) and (len(head.base) == 1 and (head.base.islower() and head.base != "e" or head.base in ("K", "N", "C", "M"))):
            value = c.members[1].node if len(c.members) == 2 else None
            if isinstance(value, (Num, Unreadable)) or isinstance(value, Name) and not matrix_times(value):
                continue
        return False
    return True


def _written_entry(node) -> tuple[str, tuple[int, ...]] | None:
    """``x_0``, ``z_{2,1}``: (the name, the entry's numbers) of an entry written out."""
    if not (isinstance(node, Script) and isinstance(node.base, Name)):
        return None
    idx = [n for n in node.sub if not is_label(n)]
    if idx and all(isinstance(n, Num) and n.value.isdigit() for n in idx):
        return key_of(node), tuple(int(n.value) for n in idx)
    return None


def _calls_undefined(node, table: SymbolTable, order: int, block: Block) -> bool:
    """Whether ``node`` applies a function the note never defines (g(x w + b))."""
    for n in walk(node):
        if isinstance(n, Call) and n.maybe and isinstance(n.func, (Name, Script)):
            k = key_of(n.func.base if isinstance(n.func, Script) and not n.func.sub else n.func)
            if k and table.lookup(k, order, block.scope) is None and k not in ("\\sigma",) and k not in table.aliases:
                return True
    return False


def _probability_name(node, table: SymbolTable, order: int, block: Block) -> bool:
    """``P(y=1|x)`` that the note never defines: a name for a probability, not its value."""
    return isinstance(node, Name) and "(" in node.base and table.lookup(node.key, order, block.scope) is None


def _mentions_probability_name(node, table: SymbolTable, order: int, block: Block) -> bool:
    return any(_probability_name(n, table, order, block) for n in walk(node))


def _mentions_itself(key: str, body) -> bool:
    """Whether ``body`` uses the name ``key`` (w_j := w_j - α ∂J/∂w_j), not as a subscript only
    (f(x) = W_f x + b_f: f labels the weights)."""
    labels = {id(s) for n in walk(body) if isinstance(n, Script) for x in n.sub for s in walk(x)}
    if "[" in key:
        # ŷ_1 = 1/(1 + e^{-ŷ_1}): one entry's value through that entry (an equation, not a definition)
        return any(isinstance(n, Script) and definable(n) is not None and definable(n)[0] == key
                   and id(n) not in labels for n in walk(body))
    return any(isinstance(n, (Name, Script)) and key_of(n) == key and id(n) not in labels for n in walk(body))


def _through_itself(key: str, body, table: SymbolTable, order: int, block: Block) -> bool:
    """Whether the body names something the note defines through ``key`` (σ(z) = P after P = σ(z))."""
    for n in walk(body):
        d = table.lookup(key_of(n), order, block.scope) if isinstance(n, (Name, Script)) and key_of(n) else None
        if d is not None and d.key != key and _mentions_itself(key, d.body):
            return True
    return False


def _mentions_defined(body, table: SymbolTable, order: int, block: Block) -> bool:
    """Whether the body uses a name the note defines (through which the arguments may act)."""
    return any(isinstance(n, (Name, Script)) and key_of(n) and table.lookup(key_of(n), order, block.scope)
               is not None for n in walk(body))


def _mentions(body, params) -> bool:
    names = {key_of(p) for p in params if isinstance(p, (Name, Script))}
    return any(n in params or (isinstance(n, (Name, Script)) and key_of(n) in names)
               # σ(x) = 1/(1 + exp(-ax)): TeX sets the word ax as a times x
               or (isinstance(n, Name) and not n.accent and 1 < len(n.base) <= 3 and n.base.isascii()
                   and n.base.isalpha() and any(c in names for c in n.base)) for n in walk(body))


def _is_number(node) -> bool:
    if isinstance(node, Num):
        return True
    if isinstance(node, Neg):
        return _is_number(node.arg)
    if isinstance(node, Frac):
        return _is_number(node.num) and _is_number(node.den)
    return False


def _with_heading_math(items) -> list:
    """Math written in a heading ("## $y' = y(1 - y)$", as some notes are written throughout) is
    math of the note too: its pieces follow the heading, on the heading's line."""

    from symxent.checker.source import read_note
    out = []
    for item in items:
        out.append(item)
        if isinstance(item, Heading) and "$" in item.title:
            for piece in read_note(item.title, kind="markdown"):
                if isinstance(piece, Math):
                    out.append(replace(piece, lines=tuple(item.line for _ in piece.lines)))
                elif isinstance(piece, Prose):
                    out.append(replace(piece, line=item.line))
    return out


def _case_fork(chain: Chain, block: Block) -> int | None:
    """The member of ``chain`` from which a block under a new case goes on: the last one written
    before any case on the same letters, when the chain's last member is under another case."""
    letters = {x for c in block.conditions for x in _letters_of(c)}
    if not letters or not chain.members:
        return None

    def cases(m) -> list:
        return [c for c in (m.block.conditions if m.block is not None else []) if _letters_of(c) & letters]

    last = cases(chain.members[-1])
    if not last or last == [c for c in block.conditions if _letters_of(c) & letters]:
        return None
    before = [k for k, m in enumerate(chain.members) if not cases(m)]
    return before[-1] if before else None


def _letters_of(c: Cond) -> set[str]:
    return {n.base for n in walk(c) if isinstance(n, Name) and len(n.base) == 1}


_VALUE_IN_WORDS = re.compile(r"(?:\b(?:when|if|for)\s+([A-Za-z])\s*=\s*(-?[01])\s*[,:]?|"
                             r"([A-Za-z])\s*=\s*(-?[01])\s*(?:时|的时候))\s*[,，:：]?\s*$", re.IGNORECASE)


def _value_case_in_words(text: str) -> Case | None:
    """"当y=1时，", "when y = 0:": a value of a one-letter name typed in words (not math) at the end of
    a paragraph's piece, the case of the math that follows it."""
    m = _VALUE_IN_WORDS.search(text)
    if m is None:
        return None
    letter, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    number = Num(value.lstrip("-"))
    return Case(Name(letter), "=", Neg(number) if value.startswith("-") else number)


def _value_condition(block: Block) -> list[Cond] | None:
    """``y = 1`` after "when": a value of a one-letter name (a label's), the case of what follows."""
    if len(block.chains) != 1 or len(block.chains[0].members) != 2 or block.chains[0].relations != ["="]:
        return None
    a, b = (m.node for m in block.chains[0].members)
    number = b.arg if isinstance(b, Neg) else b
    if isinstance(a, Name) and len(a.base) == 1 and not a.accent and isinstance(number, Num) \
            and number.value in ("0", "1"):
        return [Cond(a, "=", b)]
    return None


def _heading_conditions(item: Heading) -> list[Cond]:
    """"### When $j \\neq i$", "### Case 2: Off-diagonal ($i \\neq j$)": the case holds for the whole
    section (a relation of two index letters in a heading is a case whatever words frame it)."""
    from symxent.checker.source import read_note
    for piece in read_note(item.title, kind="markdown"):
        if isinstance(piece, Math):
            try:
                conds = _inline_condition(Block(piece, 0, (), read_block(token_tree(piece.text))))
            except TreeError:
                conds = None
            if conds:
                return [Case(c.left, c.op, c.right) for c in conds]
    return []


_TYPED_CASE = re.compile(r"^\W*(?:(?:case|caso|cas|fall|情况|情形)\s*\d*\s*[:：.)]?\s*(?:when|if|cuando|si)?"
                         # "When i = j:" opening a paragraph, the letters typed without dollars
                         r"|when|if|cuando|si|quand|wenn|falls)\s*"
                         r"((?-i:[a-z]))\s*(=|≠|!=|==)\s*((?-i:[a-z]))(?![\w(])", re.IGNORECASE)


def _typed_case(text: str) -> Case | None:
    """``Case 2: i ≠ j`` or ``When i = j:`` opening a paragraph, the relation typed as plain text:
    that case."""
    m = _TYPED_CASE.match(text)
    if m is None:
        return None
    op = "=" if m.group(2) in ("=", "==") else "!="
    return Case(Name(m.group(1)), op, Name(m.group(3)))


def _inline_condition(block: Block) -> list[Cond] | None:
    if len(block.chains) != 1:
        return None
    c = block.chains[0]
    if len(c.members) != 2 or len(c.relations) != 1 or c.relations[0] not in ("=", "!="):
        return None
    a, b = c.members[0].node, c.members[1].node
    if all((isinstance(n, Name) and len(n.base) == 1 and n.base.islower() and n.base not in "ey") for n in (a, b)):
        return [Cond(a, c.relations[0], b)]
    entries = entry_condition(Cond(a, c.relations[0], b))
    return [entries] if entries is not None else None


_ORDINAL_LETTER = re.compile(r"\b([a-z])(?:-th|th|'th|-te[nr]?|-ième)\b")  # the k-th, i-th
# "in Einstein notation the sum is implied by the repeated indices": the note sums them unwritten
_EINSTEIN = re.compile(r"einstein|summation convention|implied sum|implicit sum|repeated ind\w+ (?:are|is) summed|"
                       r"爱因斯坦求和|アインシュタインの縮約|sumatoria impl[ií]cita|convenci[oó]n de (?:suma|einstein)",
                       re.IGNORECASE)
_HOT_WORDS = re.compile(r"\bhot\b|true class|correct class|target class|真实类别|正确类别|clase correcta", re.IGNORECASE)
# words that may say two index letters differ ("for not $i$ th item", "the other entries")
_DISTINCT = re.compile(r"\b(?:not|other|another|different|distinct|else|except|off-diagonal|otro|otra|distint[oa]s?|"
                       r"diferentes?|autres?|diff[ée]rente?s?|anderen?)\b|其他|其它|不|非|另|除", re.IGNORECASE)
# "constant with respect to": words that say one entry does not move with another
_CONSTANT = re.compile(r"\b(?:constant|constants|sabit\w*|costant[ei]|constantes?|konstant\w*|const)\b|定数|常数|常量|상수",
                       re.IGNORECASE)
_WHERE_BEFORE = re.compile(r"(\bwhere\b|\bwith\b|其中|\bdonde\b|\bcon\b|\boù\b|\bwobei\b|\bonde\b|"
                           r"\btrong\s+đó\b|\bгде\b|여기서|ここで)\s*[:：,]?\s*$", re.IGNORECASE)
_DUI = re.compile(r"对于?\s*$")
_EXISTS_BEFORE = re.compile(r"(?:\bthere (?:exists?|is|are) (?:an? |some )?(?:[^.]{0,40}?)\bsuch that\b|\bfor some\b|"
                            r"\bexists?\b[^.]{0,40}?\bsuch that\b|存在[^。]{0,40}?使得|∃|\bil existe\b|\bes gibt\b|"
                            r"\bexiste\b[^.]{0,40}?\btal (?:que|de)\b)[^.。]{0,40}$", re.IGNORECASE)
_CASE_BEFORE = re.compile(r"(\bwhen\b|\bcase\b|\bcase \d+\b|\bcase of\b|当|情况.{0,2}|\bcuando\b|\bcaso\b|경우|場合)"
                          r"\s*[:：,]?\s*[(（]?\s*$",
                          re.IGNORECASE)
_TRUE_CLASS = re.compile(r"\b(?:true|correct|actual|target|right|ground[- ]truth)\s+(?:class|label|category)\b|"
                         r"真实类别|正确类别|目标类别|clase (?:correcta|verdadera|real)", re.IGNORECASE)


_TRUE_CLASS_LETTER = re.compile(r"(?<![\w$])([a-z])\s+(?:is|be)\s+the\s+(?:true|correct|target|right)\s+(?:class|label)\b"
                                r"|(?<![\w$])([a-z])\s*(?:가|이|는)\s*정답")
_ROW_VECTORS = re.compile(r"\brow[- ]vectors?\b|\brow gradients?\b|行向量|vectores? fila", re.IGNORECASE)


def _prose_facts(item: Prose, table: SymbolTable, stack) -> None:
    if not table.speaks_of_true_class and _TRUE_CLASS.search(item.text):
        table.speaks_of_true_class = item.line
    if not table.row_vectors and _ROW_VECTORS.search(item.text):
        table.row_vectors = item.line
    if _SIMPLEX_WORDS.search(item.text):
        for key in ("y", "t"):
            table.simplex.setdefault(key, (item.line, "the note says '" + _SIMPLEX_WORDS.search(item.text).group(0) + "'"))
    said = _TRUE_CLASS_LETTER.search(item.text)
    letter = (said.group(1) or said.group(2)) if said else None
    targets = {"y", "t"} | set(table.targets)
    if letter is not None and letter not in targets:
        # "assume k is the true class", "k가 정답 레이블이라고 가정하면": the class letter, typed as a word
        # ("y is the true label" names the target, not a class)
        for target_key in targets:
            table.one_hot.setdefault(target_key, (letter, item.line))


def _transpose_partners(blocks: list[Block], table: SymbolTable) -> None:
    """``w^T x`` with w a vector the note indexes and x never indexed: x is a vector as well (of
    the same size), as an inner product needs; otherwise ``∂z/∂w = x`` would
    compare a vector's entry with a number."""
    for block in blocks:
        for chain in block.chains:
            for m in chain.members:
                for n in walk(m.node):
                    if not isinstance(n, Mul):
                        continue
                    for f, g in zip(n.factors, n.factors[1:]):
                        t = transposed(f)
                        if isinstance(t, Name) and isinstance(g, Script) and isinstance(g.base, Name) \
                                and len(g.sub) == 1 and isinstance(g.sub[0], Name) and len(g.sub[0].base) == 1 \
                                and g.sup is None and table.arity.get(key_of(g.base), 1) == 1:
                            # w^T x_i: an inner product needs a vector, so x_i is the i-th sample's
                            # vector (x^{(i)}), wherever the note writes x with one index
                            table.sample_subscript.setdefault(key_of(g.base), block.line(0))
                            table.sampled.add(key_of(g.base))
                            table.indexed.add(key_of(g.base))
                            # (and w is a vector of the same size, indexed or not)
                            scopes = table.indexed_in.setdefault(t.key, {block.scope})
                            table.indexed.add(t.key)
                            table.indexed_in.setdefault(key_of(g.base), set()).update(scopes)
                            continue
                        pair = [key_of(x) if isinstance(x, Name) else None for x in (t, g)]
                        if None in pair:
                            continue
                        for a, b in (pair, pair[::-1]):
                            if a in table.indexed_in and b not in table.indexed_in:
                                table.indexed_in[b] = set(table.indexed_in[a])
                                table.indexed.add(b)
                                if a in table.dims:
                                    table.dims.setdefault(b, table.dims[a])


def _vector_arguments(blocks: list[Block], table: SymbolTable) -> None:
    """``softmax(z)``, ``logsumexp(z / T)``, ``H(p, q)``, ``KL(p || q)`` with z, p, q never indexed nor
    defined: vectors there, as the operation's meaning needs (the softmax of one number is 1)."""
    # P(y=1) = 0.7: a distribution the note gives values is that one, not any distribution
    valued = {n.key.split("(", 1)[0] for block in blocks for chain in block.chains for node in _chain_nodes(chain)
              for n in walk(node) if isinstance(n, Name) and "(" in n.key}
    for block in blocks:
        for chain in block.chains:
            for n in (x for node in _chain_nodes(chain) for x in walk(node)):
                if isinstance(n, Call) and isinstance(n.func, Fn) and n.func.name in ("softmax", "logsumexp") \
                        and len(n.args) == 1:
                    args = (n.args[0].num if isinstance(n.args[0], Frac) else n.args[0],)
                elif isinstance(n, Call) and information_call(n) is not None:
                    args = n.args  # H(p, q), KL(p || q): distributions over the classes
                else:
                    continue
                for arg in args:
                    key = key_of(arg) if isinstance(arg, Name) else None
                    if not key or any(d.key == key for d in table.definitions):
                        continue
                    if key not in table.indexed_in:
                        table.indexed_in[key] = {block.scope}
                        table.indexed.add(key)
                    if not isinstance(n.func, Fn) and key not in valued:
                        # any distributions: the identities written of them hold for every one
                        what = f"the argument of {pretty(key_of(n.func) or '')}, a distribution"
                        table.declared.setdefault(key, (block.line(0), what))
                        table.simplex.setdefault(key, (block.line(0), what))


def _chain_nodes(chain: Chain) -> list[Node]:
    return [m.node for m in chain.members] + [m.node for c in chain.clauses for s in c.chains for m in s.members]


def _parameter_labels(blocks: list[Block]) -> None:
    """``h_w(x) = \\sigma(w^T x + b)``: a subscript the body uses as a whole name (the weights) labels
    the function with its parameters, as ``h_\\theta`` does; it is not an index of h. Every ``h_w``
    of the note is then read as one name."""
    labelled: set[tuple[str, str]] = set()
    for chain, head in _definition_heads(blocks):
        f = head.func if isinstance(head, Call) and head.maybe else None
        if not (isinstance(f, Script) and isinstance(f.base, Name) and len(f.sub) == 1 and f.sup is None
                and not f.primes and isinstance(f.sub[0], Name) and len(f.sub[0].base) == 1):
            continue
        letter = f.sub[0].base
        if any(_uses_whole(m.node, letter) for m in chain.members[1:]):
            labelled.add((f.base.key, letter))
    if not labelled:
        return

    def relabel(n: Node) -> Node:
        if isinstance(n, Script) and isinstance(n.base, Name) and len(n.sub) == 1 and isinstance(n.sub[0], Name) \
                and (n.base.key, n.sub[0].base) in labelled:
            name = Name(f"{n.base.base}_{n.sub[0].base}", n.base.accent)
            return name if n.sup is None and not n.primes else replace(n, base=name, sub=())
        return n

    _rewrite(blocks, lambda node: transform(node, relabel))


# letters a marked index is read as: lowercase letters a note's names never are (Greek typed in
# Unicode reads as its command, \varkappa), so messages can show the index as written instead
_SPARE_INDEX_LETTERS = "ϰϱϖϐϑϕϵϗϙϛϝϟϡϣϥϧϩϫϭϯ"


def _marked_index(node: Node) -> str | None:
    """``k'`` or ``j^*`` where an index stands, as written ("k'", "j*"); not ``f'``, a derivative,
    which is never a subscript."""
    if isinstance(node, Script) and isinstance(node.base, Name) and len(node.base.base) == 1 \
            and not node.base.accent and node.base.base.isalpha() and not node.sub and node.sup is None \
            and node.primes > 0:
        return node.base.base + "'" * node.primes
    if isinstance(node, Name) and len(node.base) == 2 and node.base[0].isalpha() and node.base[1] == "*" \
            and not node.accent:
        return node.base
    return None


def _marked_indices(blocks: list[Block], table: SymbolTable) -> None:
    """``\\sum_{k'} e^{z_{k'}}``, ``\\delta_{kk'}``, ``u_{j^*}``: a primed or starred index is another
    index letter than k. Each such index of the note is read as one letter the note's math never
    uses, in subscripts, under sums and in the conditions of cases (``k \\neq k'``, ``j = j^*``);
    messages show it as written."""
    used: set[str] = set()
    marked: set[str] = set()

    def index_spots(n: Node) -> Iterator[Node]:
        if isinstance(n, Script):
            yield from n.sub
        elif isinstance(n, BigOp) and n.sub is not None:
            yield n.sub.left if isinstance(n.sub, Cond) else n.sub
        elif isinstance(n, Cond):
            yield from (n.left, n.right)

    conditions = [c for block in blocks for c in block.conditions] + [c for c, _ in table.cases] \
        + [c for block in blocks for chain in block.chains for c in chain.conditions]
    for node in [n for block in blocks for chain in block.chains for n in _chain_nodes(chain)] + conditions:
        for n in walk(node):
            if isinstance(n, Name) and len(n.base) == 1:
                used.add(n.base)
            marked.update(filter(None, map(_marked_index, index_spots(n))))
    if not marked:
        return
    letters: dict[str, str] = {}
    for written in sorted(marked):
        spare = next((c for c in _SPARE_INDEX_LETTERS if c not in used), None)
        if spare is None:
            return  # (every spare letter is taken: the marked index stays unread)
        used.add(spare)
        letters[written] = spare
        table.marked_indices[spare] = written

    def read(n: Node) -> Node:
        written = _marked_index(n)
        return Name(letters[written]) if written in letters else n

    def rename(n: Node) -> Node:
        if isinstance(n, Script) and n.sub:
            return replace(n, sub=tuple(read(x) for x in n.sub))
        if isinstance(n, BigOp) and isinstance(n.sub, Cond):
            return replace(n, sub=replace(n.sub, left=read(n.sub.left)))
        if isinstance(n, BigOp) and n.sub is not None:
            return replace(n, sub=read(n.sub))
        if isinstance(n, Cond):
            return replace(n, left=read(n.left), right=read(n.right))
        return n

    _rewrite(blocks, lambda node: transform(node, rename))
    for block in blocks:
        block.conditions = [transform(c, rename) for c in block.conditions]
        for chain in block.chains:
            chain.conditions = [transform(c, rename) for c in chain.conditions]
    table.cases = [(transform(c, rename), line) for c, line in table.cases]


def _definition_heads(blocks: list[Block]) -> Iterator[tuple[Chain, Node]]:
    """(chain, its first member) for every chain that opens with ``name =``."""
    for block in blocks:
        for chain in block.chains:
            if len(chain.members) >= 2 and chain.relations[0] in ("=", ":="):
                yield chain, chain.members[0].node


def _rewrite(blocks: list[Block], fn: Callable[[Node], Node]) -> None:
    """Every member of every chain (and of its clauses) replaced by ``fn`` of it."""
    for block in blocks:
        for chain in block.chains:
            for m in chain.members:
                m.node = fn(m.node)
            for clause in chain.clauses:
                for sub in clause.chains:
                    for m in sub.members:
                        m.node = fn(m.node)


def _totals(blocks: list[Block]) -> None:
    """``L = \\frac{1}{N} \\sum_i L_i`` (or L and L_i each defined): the letter alone is the total of
    the terms L_i, another quantity than any one of them (not the vector of them). Every L of the
    note written without an index is then read as that total."""
    totals: set[str] = set()
    bare_heads: set[str] = set()
    indexed_heads: set[str] = set()
    for chain, head in _definition_heads(blocks):
        f = head.func if isinstance(head, Call) and head.maybe else head
        if isinstance(f, Script) and isinstance(f.base, Name) and not f.base.accent and len(f.sub) == 1 \
                and isinstance(f.sub[0], Name) and len(f.sub[0].base) == 1 and f.sup is None:
            indexed_heads.add(f.base.base)  # J_i = -[y_i log p_i + ...]
        if not isinstance(f, Name) or f.accent:
            continue
        if any(isinstance(n, BigOp) and n.kind == "sum" for m in chain.members[1:] for n in walk(m.node)):
            bare_heads.add(f.base)  # a sum: a total (z = w_1 x_1 + b beside z_i = ... is one sample's)
        for m in chain.members[1:]:
            for n in walk(m.node):
                if isinstance(n, BigOp) and n.kind == "sum" and any(
                        isinstance(t, Script) and isinstance(t.base, Name) and t.base == f and len(t.sub) == 1
                        and isinstance(t.sub[0], Name) and bound_letter(n) == t.sub[0].base for t in walk(n.body)):
                    totals.add(f.base)
    # J(w, b) = -Σ_i [...] and J_i = -[...] both defined: the total and the term of sample i
    totals |= bare_heads & indexed_heads
    if not totals:
        return

    def whole(n: Node) -> Node:
        return Name(n.base, "whole") if isinstance(n, Name) and not n.accent and n.base in totals else n

    def rename(n: Node) -> Node:
        # the total is the letter alone: not as an index, not as the base of L_i
        if isinstance(n, Script):
            return replace(n, base=n.base, sub=n.sub) if n.sub else replace(n, base=whole(n.base))
        if isinstance(n, Call):
            return replace(n, func=whole(n.func))
        if isinstance(n, Deriv):
            return replace(n, f=whole(n.f) if n.f is not None else None)
        if isinstance(n, Grad):
            return replace(n, body=whole(n.body))
        if isinstance(n, (Add, Mul, Neg, Frac, Pow, Paren, BigOp)):
            return replace(n, **{k: tuple(whole(x) for x in v) if isinstance(v, tuple) else whole(v)
                                 for k, v in vars(n).items() if isinstance(v, (Node, tuple))})
        return n

    _rewrite(blocks, lambda node: whole(transform(node, rename)))


def _dims_through_definitions(table: SymbolTable) -> None:
    """``L = 1/N Σ_{i=1}^N L_i`` with ``L_i = -y_i log p_i`` and ``p_i = σ(z_i)``: the entries of y, p and
    z are counted by N too (a free i of a step about z_i runs over 1..N, as the sum does)."""
    changed = True
    while changed:
        changed = False
        for d in table.definitions:
            if len(d.indices) == 1 and d.key not in table.dims:
                # y_j = exp(u_j) / Σ_{j'=1}^V exp(u_{j'}): y has the entries of the vectors it is made of
                ranges = {table.dims.get(key_of(n) or "") for n in walk(d.body) if isinstance(n, Script)
                          and isinstance(n.base, Name) and len(n.sub) == 1 and n.sub[0] == Name(d.indices[0])}
                if len(ranges) == 1 and None not in ranges:
                    table.dims[d.key] = ranges.pop()  # type: ignore[assignment]
                    changed = True
            if len(d.indices) != 1 or d.key not in table.dims:
                continue
            for n in walk(d.body):
                if isinstance(n, Script) and isinstance(n.base, Name) and len(n.sub) == 1 \
                        and isinstance(n.sub[0], Name) and n.sub[0].base == d.indices[0] \
                        and key_of(n) not in table.dims:
                    table.dims[key_of(n)] = table.dims[d.key]
                    changed = True


def _uses_whole(node: Node, letter: str) -> bool:
    """``letter`` appears as a value (``w^T x``), not only as an index (``x_w``)."""
    names = sum(1 for n in walk(node) if isinstance(n, Name) and n.base == letter and not n.accent)
    indices = sum(1 for n in walk(node) if isinstance(n, Script) for s in n.sub
                  if isinstance(s, Name) and s.base == letter)
    return names > indices


def _learn(blocks: list[Block], table: SymbolTable) -> None:
    """Which names are vectors, functions, inputs; each vector's size; the note's sizes."""
    written: dict[str, set[int]] = {}   # vector -> the numbers of entries it is written out with
    _learn_blocks(blocks, table, written)
    # (θ_1, θ_2, θ_3)^T, a pmatrix of ŷ_1..ŷ_3: the note's own size for the classes (or whatever
    # counts the vector), which --K does not override, as "K = 3" written in the note
    sizes: dict[str, set[int]] = {}
    for key, counts in written.items():
        if key not in table.dims and len(counts) == 1:
            # counted by no sum of the note: its own size ([x_1, x_2] beside [b_1, b_2, b_3])
            table.dims[key] = f"#{key}"
        sizes.setdefault(table.dims[key] if key in table.dims else "K", set()).update(counts)
    for name, counts in sizes.items():
        if len(counts) == 1 and name not in table.sizes:
            table.sizes[name] = table.listed_sizes[name] = counts.pop()


def _written_out(n: Node) -> tuple[str, int] | None:
    """(key, M) for a vector written out entry by entry: ``[x_1, x_2, x_3]``, a one-column pmatrix."""
    if isinstance(n, Matrix):
        items = [row[0] for row in n.rows] if all(len(r) == 1 for r in n.rows) else \
            list(n.rows[0]) if len(n.rows) == 1 else []
    elif isinstance(n, Paren) and len(n.items) > 1:
        items = list(n.items)
    else:
        return None
    keys, numbers = set(), []
    for it in items:
        if not (isinstance(it, Script) and isinstance(it.base, Name) and len(it.sub) == 1
                and isinstance(it.sub[0], Num) and it.sub[0].value.isdigit() and it.sup is None):
            return None
        keys.add(key_of(it))
        numbers.append(int(it.sub[0].value))
    if len(keys) != 1 or numbers != list(range(1, len(numbers) + 1)) or len(numbers) < 2:
        return None
    return keys.pop(), len(numbers)


def _log_arguments(n: Node) -> list[Node]:
    """What a log is taken of at this node: ``\\log(1 - \\hat y)``, or the factor after ``\\log`` in a product."""
    if isinstance(n, Call) and isinstance(n.func, Fn) and n.func.name in ("log", "ln"):
        return list(n.args)
    if isinstance(n, Mul):
        return [g for f, g in zip(n.factors, n.factors[1:]) if isinstance(f, Fn) and f.name in ("log", "ln")]
    return []


def _learn_blocks(blocks: list[Block], table: SymbolTable, written: dict[str, set[int]]) -> None:
    said_sizes: dict[str, set[int]] = {}   # K -> the values "K = 3" gives it
    for block in blocks:
        for chain in block.chains:
            nodes = [m.node for m in chain.members]
            for clause in chain.clauses:
                nodes += [m.node for c in clause.chains for m in c.members]
            for root in nodes:
                for n in walk(root):
                    for arg in _log_arguments(n):
                        table.logged.update(k for m in walk(arg) if isinstance(m, (Name, Script)) and (k := key_of(m)))
                    if isinstance(n, Script) and isinstance(n.base, Name):
                        if isinstance(n.sup, Num) and n.sup.value == "1" and not n.sup_paren \
                                and n.base.key not in ("e", "\\pi"):
                            # a^1, z^1: no one writes a first power; the superscripts number layers
                            table.layered.add(key_of(n.base))
                        idx = [s for s in n.sub if not is_label(s)]
                        if _written_entry(n) is not None:
                            table.written_entries.add(_written_entry(n))
                        if idx:
                            table.arity[key_of(n)] = max(table.arity.get(key_of(n), 0), len(idx))
                            here = table.arity_in.setdefault(key_of(n), {})
                            here[block.scope] = max(here.get(block.scope, 0), len(idx))
                            table.indexed.add(key_of(n))
                            table.indexed_in.setdefault(key_of(n), set()).add(block.scope)
                        if n.sup_paren:
                            table.sampled.add(key_of(n))
                    if isinstance(n, Call) and n.maybe:
                        k = key_of(n.func.base if isinstance(n.func, Script) and not n.func.sub else n.func)
                        if k:
                            table.called.add(k)
                    elif isinstance(n, (Name, Script)):
                        k = key_of(n)
                        if k:
                            table.plain.add(k)
                    if isinstance(n, BigOp) and (isinstance(n.sub, Name) or isinstance(n.sub, Cond)
                                                 and isinstance(n.sub.left, Name)):
                        table.generic_letters.add(n.sub.base if isinstance(n.sub, Name) else n.sub.left.base)
                    if isinstance(n, (Deriv, Grad)):
                        f = n.f if isinstance(n, Deriv) else n.body
                        if isinstance(f, Call) and f.maybe and isinstance(f.func, (Name, Script)):
                            f = f.func  # ∂p(x_k)/∂x_i: p is differentiated
                        fk = key_of(f) if isinstance(f, (Name, Script)) else None
                        if fk:
                            # the note differentiates it: a quantity that depends on others
                            table.dependent.setdefault(fk, set()).add(block.scope)
                            for w in (n.wrt if isinstance(n, Deriv) else (n.wrt,) if n.wrt is not None else ()):
                                wk = key_of(w) if isinstance(w, (Name, Script)) else None
                                if wk and not (isinstance(w, Script) and w.sup is not None):
                                    both = isinstance(f, Script) and bool(f.sub) and isinstance(w, Script) and bool(w.sub)
                                    table.differentiated_by.setdefault(fk, set()).add((wk, both))
                    count = _written_out(n)
                    if count is not None:
                        written.setdefault(count[0], set()).add(count[1])
                    if isinstance(n, BigOp) and isinstance(n.sub, Cond) and n.sup is not None \
                            and isinstance(n.sub.left, Name):
                        letter = n.sub.left.base
                        size = n.sup
                        if isinstance(size, Paren) and size.kind == "|" and len(size.items) == 1:
                            size = size.items[0]
                        if isinstance(size, Add) and len(size.terms) == 2 and isinstance(size.terms[0], Name) \
                                and isinstance(size.terms[1], (Num, Neg)):
                            size = size.terms[0]  # \sum_{n=0}^{N-1}: N is the size
                            if isinstance(n.sub.right, Num) and n.sub.right.value == "0":
                                table.zero_based.add(key_of(size))  # entries 0..N-1: entry 0 is one of them
                        k = key_of(size) if isinstance(size, (Name, Script)) else None
                        if k and isinstance(size, Name):
                            table.size_names.add(k)
                        if isinstance(size, Name) and not size.accent:
                            for m in walk(n.body):
                                if isinstance(m, Call) and isinstance(m.func, Name) and len(m.args) == 1 \
                                        and outcome_letter(m.args[0]) == letter:
                                    # \sum_{j=1}^m p(x_j): the distribution p has m entries
                                    table.dims.setdefault(m.func.key, size.base)
                                if isinstance(m, Script) and isinstance(m.base, Name) and any(
                                        isinstance(s, Name) and s.base == letter for s in m.sub):
                                    table.dims.setdefault(key_of(m), size.base)
                                    for slot, s in enumerate(m.sub):
                                        if isinstance(s, Name) and s.base == letter:
                                            table.slot_dims.setdefault((key_of(m), slot), size.base)
            head = definable(chain.members[0].node) if chain.members and chain.relations[:1] == ["="] else None
            if head is not None:
                table.heads.add(head[0])
            # K = 3, N = 2: the note's sizes
            if len(chain.members) == 2 and chain.relations == ["="]:
                a, b = chain.members[0].node, chain.members[1].node
                if isinstance(a, Name) and a.base.isupper() and len(a.base) == 1 and isinstance(b, Num) \
                        and b.value.isdigit() and 1 <= int(b.value) <= 12:
                    # "K = 2" in a binary aside and "K = 3" in an example: the note gives K no one
                    # value, so none is used (a size said once is the note's)
                    said = said_sizes.setdefault(a.base, set())
                    said.add(int(b.value))
                    if len(said) == 1:
                        table.sizes[a.base] = int(b.value)
                    else:
                        table.sizes.pop(a.base, None)
            # z \in R^K, y \in {0,1}^K: declared inputs
            if chain.relations and chain.relations[0] == "in":
                for n in _names_listed(chain.members[0].node):
                    table.declared.setdefault(n, (block.line(chain.members[0].pos), "declared with \\in"))
                    space = chain.members[1].node if len(chain.members) > 1 else None
                    if isinstance(space, Paren) and space.kind in ("(", "[") and len(space.items) == 2:
                        # p \in (0, 1): a value in an interval, never a count (whatever a sum's
                        # bound \sum_{j=1}^p says elsewhere)
                        table.in_interval.add(n)
                    if isinstance(space, Script) and isinstance(space.sup, Mul) and len(space.sup.factors) == 2 \
                            and isinstance(space.base, Name) and space.base.key == "\\mathbb{R}":
                        table.matrices.setdefault(n, block.line(chain.members[0].pos))  # R^{m \times n}
                    values = _number_set(space)
                    if values is not None and set(values) == {0, 1}:
                        table.binary.setdefault(n, []).append(
                            (block.line(chain.members[0].pos), block.order, block.scope))
                    if values is not None and set(values) != {0, 1}:
                        # y_i \in \{-1, +1\}: labels coded otherwise than the 0/1 the checker draws between
                        table.value_sets.setdefault(n, []).append(
                            (block.line(chain.members[0].pos), values, block.order, block.scope))


def _number_set(node) -> tuple[int, ...] | None:
    """``\\{-1, +1\\}``: the whole numbers of a set written out, else None."""
    if not (isinstance(node, Paren) and node.kind == "{" and len(node.items) >= 2):
        return None
    out = []
    for item in node.items:
        sign = -1 if isinstance(item, Neg) else 1
        item = item.arg if isinstance(item, Neg) else item
        if not (isinstance(item, Num) and item.value.isdigit()):
            return None
        out.append(sign * int(item.value))
    return tuple(out)


def _names_listed(node) -> list[str]:
    k = key_of(node) if isinstance(node, (Name, Script)) else None
    return [k] if k else []


def _equation_before(previous: Block | None, block: Block) -> set[str]:
    """The names of the block just before, in its section, when it is an equation to solve (its
    chain ends in a number: ``-p_i/q_i + \\lambda = 0``); else nothing."""
    if previous is None or previous.scope != block.scope or not previous.chains:
        return set()
    last = previous.chains[-1]
    if len(last.members) != 2 or not _is_number(last.members[-1].node) \
            or not isinstance(last.members[0].node, (Add, Mul, Neg)):
        return set()  # (∂f/∂y = 1, f(0) = 1: a value, not an equation to solve)
    return {k for m in last.members for n in walk(m.node) if (k := key_of(n)) is not None}


_INDEX_LETTERS = frozenset("ijklc")


def _set_to_an_index(chain: Chain) -> str | None:
    """``y_i = j``: an entry set equal to a lone index letter (another than its own): the entry,
    as LaTeX; else None."""
    if len(chain.members) != 2 or chain.relations[0] != "=":
        return None
    left, right = chain.members[0].node, chain.members[1].node
    if not (isinstance(left, Script) and isinstance(left.base, Name) and len(left.sub) == 1
            and isinstance(left.sub[0], Name) and left.sub[0].base in _INDEX_LETTERS and left.sup is None):
        return None
    if not (isinstance(right, Name) and right.base in _INDEX_LETTERS and not right.accent
            and right.base != left.sub[0].base):
        return None
    return f"{pretty(key_of(left.base) or '')}_{left.sub[0].base}"


def _definitions(block: Block, table: SymbolTable, solving: set[str] | None = None) -> None:
    if block.existential:
        return  # (f'(ε) = (f(1) - f(0)) / (1 - 0) for some ε: no definition of f')
    solving = solving or set()
    table.block_cases[block.order] = tuple(filter(None, map(value_case, block.conditions)))
    for ci, chain in enumerate(block.chains):
        for clause in chain.clauses:
            for sub in clause.chains:
                if clause.kind == "where":
                    _define_from(sub, block, table, block.order - 1, "where")
                elif clause.kind == "since":
                    # "\\text{since } \\sum_k y_k = 1": a fact the step beside it may use
                    _is_fact(sub, block, table) or _one_hot_fact(sub, block, table)
        if not chain.members or not chain.relations:
            continue
        if chain.let and _let(chain, ci, block, table):
            continue
        if chain.implied_by is not None or chain.concluded or chain.iff_next or chain.iff_before:
            # "=> z_2 = ...": a conclusion; "p = 1/2 \iff w^T x = 0": a condition; not definitions,
            # but "P(S) = 0.5 \to P(\bar{S}) = 0.5" gives a number-valued name its next example's value
            _concluded_value(chain, ci, block, table)
            continue
        equal = _equal_entries(chain)
        if equal is not None:
            # "p(1) = p(2) = ... = p(K)" (uniform), "p_1 = p_2 = ... = 1/K" (a solution): entries of one
            # vector set equal to each other say which vectors are meant, never an identity
            chain.condition_problem = f"sets entries of {pretty(equal)} equal to each other: a condition on " \
                "them or the solution of an equation, not an identity"
            continue
        label = _set_to_an_index(chain)
        if label is not None:
            # "1. $y_i = j$:" (cs231n's y_i, the class of sample i): a case on a label, not y's
            # definition as the index itself
            chain.condition_problem = f"sets {label} equal to an index: a case on which class a label names, " \
                "which is not read"
            continue
        head = definable(chain.members[0].node)
        if head is not None and head[0] in solving and len(chain.members) == 2 and ci == 0 \
                and any(key_of(n) in solving for n in walk(chain.members[1].node) if key_of(n) != head[0]):
            # "-p_i/q_i + λ = 0" then "p_i = λ q_i": the equation solved for p, not p's definition
            continue
        before = _seen(table, head[0], head[2], block.order + ci, block.scope) if head is not None else None
        if chain.relations[0] in ("=", ":=") and _define_from(chain, block, table, block.order + ci + 1, "math"):
            block.definitions.add((ci, 0))
            _true_class_sum(chain, table)
            middle = chain.members[1].node if len(chain.members) > 2 else None
            if (isinstance(middle, Call) and middle.maybe and isinstance(middle.func, Name)
                and table.lookup(middle.func.key, block.order + ci, block.scope) is None
                and all(isinstance(a, (Name, Script)) for a in middle.args)
                or middle is not None and _probability_name(middle, table, block.order + ci, block)) \
                    and chain.relations[1] in ("=", ":=") and not _is_number(chain.members[2].node) \
                    and _define_from(Chain(chain.members[1:], chain.relations[1:]), block, table,
                                     block.order + ci + 1, "math"):
                # J(θ) = CE(y, ŷ) = -Σ_i y_i log ŷ_i, h(x) = P(y=1|x) = σ(w^T x): the chain defines the
                # middle name as well (not ŷ = σ(y1) = 0.7311: a value at a point)
                block.definitions.add((ci, 1))
            if before is not None and not before.source.startswith("convention") and before.source != "--define":
                block.redefines[ci] = before.line
            _value_at_the_example(chain, ci, block, table)
            _name_last(chain, ci, block, table)
            continue
        info = definable(chain.members[0].node)
        prev = _seen(table, info[0], info[2], block.order + ci, block.scope) if info is not None else None
        if info is not None and chain.relations[0] == "=" and len(chain.members) > 1 and prev is not None \
                and (not info[2] or tuple(info[2]) == tuple(prev.params) or _other_names(info[2], prev.params)):
            # (L(ŷ, y) = -y log ŷ - ... after "L(ŷ, y) = ½(y - ŷ)² in linear regression": the same
            # function, given another value; H(q) = -Σ p log q after H(p) = -Σ p log p as well: at
            # another argument's name, a new quantity by the same letter or a slip)
            # a defined name stated again: checked against the old value, and the new one holds
            # from here (a note that generalises a formula restates its name)
            key, indices, params, sample = info
            readable = [m for m in chain.members[1:] if not isinstance(m.node, Unreadable)]
            valued = any(value_case(c) is not None for c in block.conditions)
            if not valued:
                block.restated.add(ci)
            # ("when y = 1, L = -log ŷ": L's value in that case only; σ(z) = P after P = σ(z): no news)
            if readable and (not _is_number(readable[0].node) or _is_number(prev.body)) \
                    and not _mentions_itself(key, readable[0].node) \
                    and not valued and not _through_itself(key, readable[0].node, table, block.order + ci, block) \
                    and not _calls_undefined(readable[0].node, table, block.order + ci, block) \
                    and (tuple(params) == tuple(prev.params) or _mentions(readable[0].node, params)) \
                    and (not params or _mentions(readable[0].node, params) or _is_number(readable[0].node)):
                # (σ(z) = f(z)/g(z) with f, g never defined gives σ no value to use; σ(z) = P, a body
                # without z, names σ(z)'s value: σ stays the function it is)
                # ("P = 0.5" is a value at a point, "w = w - α g" an update step; so is σ(c) = Σ y_i / N
                # at other names, whose body has none of them: the value at the optimum c; but
                # P(S) = 0.5 after P(S) = 0.1 is the data of another example)
                _restate(table, info, readable[0], block, ci)
        if chain.relations[0] == "=" and len(chain.members) == 2 and (
                _is_fact(chain, block, table) or _picks_index(chain, block, block.order + ci, table)):
            block.facts.add((ci, 0))
        if delta_case(chain):
            block.delta_rows.add(ci)
        _name_last(chain, ci, block, table)


def _value_at_the_example(chain: Chain, ci: int, block: Block, table: SymbolTable) -> None:
    """``net_{o1} = w_5 out_{h1} + b_2 = 0.4 \\cdot 0.5933 + 0.6 = 1.1059`` (a worked example): the name
    defined by the formula also has the chain's last number as its value at the example's point, as
    if stated again below; a derivative of it still takes the formula (Evaluator.definition)."""
    head = definable(chain.members[0].node)
    if head is None or head[1] or head[2] or len(chain.members) < 3 \
            or any(r not in ("=", ":=") for r in chain.relations):
        return
    last = chain.members[-1]
    if not _is_number(last.node) or at_a_point(chain.members[1].node):
        return
    key, indices, params, sample = head
    # (kept only if the chain's last step holds: a slip there must not make later steps WRONG too)
    block.examples[ci] = Definition(key, indices, params, last.node, block.line(last.pos), block.order + ci + 1,
                                    block.scope, "example", sample)
    table.definitions.append(block.examples[ci])


def _seen(table: SymbolTable, key: str, params, order: int, scope: tuple[int, ...]) -> Definition | None:
    """The definition of ``key`` seen here; for a function, the one of as many arguments when the
    note defines several (H(p, q) = ... after H(p) = ...: another function by the same letter, not a
    redefinition; f(x, y, z) after f(x, y): the latest is what f written alone stands for)."""
    seen = table.lookup(key, order, scope)
    if seen is not None and seen.params and params and len(seen.params) != len(params):
        return table.lookup(key, order, scope, arity=len(params))
    return seen


def _other_names(params, before) -> bool:
    """``H(q)`` after ``H(p) = ...``: the function written again at other plain names (a new
    quantity by the same letter, or a slip), not at an expression (L(g(x), y) is a claim about L) nor
    at its own names swapped (CE(y, ŷ) after CE(ŷ, y))."""
    return len(params) == len(before) and all(isinstance(p, Name) for p in params) \
        and {key_of(p) for p in params} != {key_of(p) for p in before}


def _let(chain: Chain, ci: int, block: Block, table: SymbolTable) -> bool:
    """``\\text{Let } \\log_e x = y`` (a row of math that opens with "let"): the plain name on one
    side, the left one first, means the other side from here, whatever it meant before."""
    if len(chain.members) != 2 or chain.relations != ["="]:
        return False
    left, right = chain.members[0].node, chain.members[1].node
    for t, (name, value) in enumerate(((left, right), (right, left))):
        info = definable(name) if isinstance(name, (Name, Script)) else None
        if info is None or _mentions_itself(info[0], value) or isinstance(value, Unreadable):
            continue
        key, indices, params, sample = info
        table.definitions.append(Definition(key, indices, params, value, block.line(chain.members[t].pos),
                                            block.order + ci + 1, block.scope, "where", sample))
        block.definitions.add((ci, 0))
        if t:
            block.named_last.add(ci)
        return True
    return False


def _name_last(chain: Chain, ci: int, block: Block, table: SymbolTable) -> None:
    """``h_i = \\sum_k e^{a_k} = \\Sigma``: a chain that ends in a plain name with no meaning yet
    (never defined or declared, no input by convention, not in the member before it) names the
    value it ends with: a claim about a name with no meaning could never be judged."""
    last, before = chain.members[-1].node, chain.members[-2].node if len(chain.members) > 1 else None
    t = len(chain.members) - 2
    if before is None or chain.relations[-1] != "=" or (ci, t) in block.definitions or chain.implied_by is not None \
            or not isinstance(last, Name) or isinstance(before, (Name, Unreadable)) or definable(last) is None:
        return
    key = last.key
    order = block.order + ci
    if table.lookup(key, order, block.scope) is not None or key in table.declared or key in table.indexed \
            or key in table.size_names or conventional_input(key) \
            or key in {key_of(n) for n in walk(before) if isinstance(n, (Name, Script))}:
        return
    table.definitions.append(Definition(key, (), (), before, block.line(chain.members[-1].pos), order + 1,
                                        block.scope, "math"))
    block.definitions.add((ci, t))
    block.named_last.add(ci)


def _one_hot_fact(chain: Chain, block: Block, table: SymbolTable) -> bool:
    """``y_i = 1`` (where i is the true class): the target is one-hot at that letter."""
    form = _one_hot_form(chain, table)
    if form is None:
        return False
    key, letter = form
    table.one_hot.setdefault(key, (letter, block.line(chain.members[0].pos)))
    table.simplex.setdefault(key, (block.line(chain.members[0].pos), f"one-hot: {key}_{letter} = 1"))
    return True


def _one_hot_form(chain: Chain, table: SymbolTable) -> tuple[str, str] | None:
    """(target, letter) when the chain is ``y_i = 1`` for a target ``y``."""
    if len(chain.members) != 2 or chain.relations != ["="]:
        return None
    a, b = chain.members[0].node, chain.members[1].node
    if not (isinstance(a, Script) and isinstance(a.base, Name) and len(a.sub) == 1 and isinstance(a.sub[0], Name)
            and len(a.sub[0].base) == 1):
        return None
    key, letter = key_of(a), a.sub[0].base
    if not (key in table.targets or key in ("y", "t", "Y")):
        return None
    if isinstance(b, Num) and b.value == "1":
        return key, letter
    if isinstance(b, Cases) and len(b.rows) == 2:
        # y_k = 1 if k = d, 0 otherwise: one-hot at d
        (one, c1), (zero, c0) = b.rows
        if isinstance(one, Num) and one.value == "1" and isinstance(zero, Num) and zero.value == "0" and c1 \
                and len(c1) == 1 and c1[0].op == "=" and c1[0].left == Name(letter) \
                and isinstance(c1[0].right, Name) and len(c1[0].right.base) == 1:
            return key, c1[0].right.base
    return None


def _true_class_sum(chain: Chain, table: SymbolTable) -> None:
    """``L = -\\log p_i`` where ``y_i = 1``: the letter names the true class, so the loss is the term
    of that class, ``-Σ_i y_i \\log p_i`` for the one-hot ``y`` the clause states (exactly, for every
    one-hot y). Read so, ``∂L/∂p_j`` has a value for any ``j``; the letter alone would be a free
    index that the steps never bind."""
    d = table.definitions[-1] if table.definitions else None
    head = definable(chain.members[0].node)
    if d is None or head is None or d.key != head[0]:
        return  # (the chain named components, or defined nothing new)
    for clause in chain.clauses:
        if clause.kind != "where":
            continue
        for sub in clause.chains:
            form = _one_hot_form(sub, table)
            hot = table.one_hot.get(form[0]) if form else None
            if hot is None or hot[0] != form[1]:
                continue
            letter = hot[0]
            if letter in d.indices or not _mentions_letter(d.body, letter):
                continue
            target = sub.members[0].node
            body = BigOp("sum", Name(letter), None, Mul((target, Paren((d.body,)))))
            table.definitions[-1] = replace(
                d, body=body, reading=f"{pretty(d.key)} at the true class {letter} ({pretty(key_of(target))}_{letter} = 1, "
                f"line {hot[1]}) read as Σ_{letter} {pretty(key_of(target))}_{letter} (...), its value for a one-hot "
                f"{pretty(key_of(target))}")
            return


def _mentions_letter(node: Node, letter: str) -> bool:
    return any(isinstance(n, Script) and any(isinstance(x, Name) and x.base == letter for x in n.sub)
               for n in walk(node))


def _listed_here(table: SymbolTable, key: str, order: int, scope: tuple[int, ...]) -> None:
    """``key`` written as a vector of its components at ``order``: indexed in ``scope``, and a
    definition made of it before no longer carried on past here (SymbolTable.listed_anew)."""
    table.listed_anew.setdefault(key, []).append((order, scope))
    table.indexed.add(key)
    table.indexed_in.setdefault(key, set()).add(scope)


def _concluded_value(chain: Chain, ci: int, block: Block, table: SymbolTable) -> None:
    r"""``... \Rightarrow P(\bar{S}) = 0.5`` where P(\bar{S}) had a number (0.9) before: the value in the
    example from here, as if stated anew (a name given a formula before is not changed)."""
    if chain.implied_by is None or len(chain.members) != 2 or chain.relations != ["="] \
            or not _is_number(chain.members[1].node):
        return
    info = definable(chain.members[0].node)
    if info is None or info[2]:
        return
    prev = table.lookup(info[0], block.order + ci, block.scope)
    if prev is not None and _is_number(prev.body):
        _restate(table, info, chain.members[1], block, ci)


def _restate(table: SymbolTable, info: tuple, value: Member, block: Block, ci: int) -> None:
    """The name of ``info`` (see :func:`definable`) holds ``value`` from chain ``ci`` of ``block`` on."""
    key, indices, params, sample = info
    table.definitions.append(Definition(key, indices, params, value.node, block.line(value.pos),
                                        block.order + ci + 1, block.scope, "restated", sample))


def _names_one_thing(node: Node) -> bool:
    """A word (``\\text{cap}``) or a name numbered (``S_1``): one thing, not a variable."""
    if isinstance(node, Name):
        return len(node.base) > 1 and node.base.isalpha()
    return isinstance(node, Script) and node.sup is None and bool(node.sub) and all(
        isinstance(n, Num) for n in node.sub)


def _under_another_case(d: Definition, block: Block, table: SymbolTable) -> bool:
    """``d`` was made under a case on a value that this block takes another value of ("For $y = 1$:
    Cost = -log(0.6225)", then "For $y = 0$: Cost = -log(0.3775)"): the name's value in this case."""
    theirs = dict(table.block_cases.get(d.order - d.order % 100, ()))
    return any(name in theirs and theirs[name] != value for name, value in table.block_cases.get(block.order, ()))


def _define_from(chain: Chain, block: Block, table: SymbolTable, order: int, source: str) -> bool:
    if not chain.members or not chain.relations or chain.relations[0] not in ("=", ":="):
        return False
    if _one_hot_fact(chain, block, table):
        return True
    lhs = chain.members[0].node
    rhs = chain.members[1].node if len(chain.members) > 1 else None
    if len(chain.members) == 2 and isinstance(lhs, Call) and isinstance(rhs, (Name, Script)) \
            and definable(rhs) is not None and table.lookup(definable(rhs)[0], order, block.scope) is None \
            and not any(_mentions_itself(definable(rhs)[0], a) for a in lhs.args) \
            and definable(rhs)[0] not in table.declared:
        # "\sigma(z) = P": the new name is on the right; P is what is defined, as sigma(z) (but
        # σ(z) = z, the identity, defines σ)
        key, indices, params, sample = definable(rhs)
        table.definitions.append(Definition(key, indices, params, lhs, block.line(chain.members[0].pos),
                                            order, block.scope, source, sample))
        return True
    info = definable(lhs)
    if info is None or len(chain.members) < 2:
        return False
    if isinstance(chain.members[1].node, Unreadable):
        if info[2] and _seen(table, info[0], info[2], order, block.scope) is not None and len(chain.members) == 2:
            # g(z) = \arctan(z) (not read) after g(z) = \tanh(z): g is no longer the tanh from here,
            # and what it is could not be read (the step itself stays unparsed). Only a function's:
            # p = \boxed{0.090}\boxed{0.245}... is the example's values, which leave p's formula standing
            table.definitions.append(Definition(info[0], info[1], info[2], chain.members[1].node,
                                                block.line(chain.members[1].pos), order, block.scope, source,
                                                info[3]))
        return False
    key, indices, params, sample = info
    body = chain.members[1].node
    if (_calls_undefined(body, table, order, block) or _mentions_probability_name(body, table, order, block)) \
            and len(chain.members) > 2 and chain.relations[1] == "=":
        # \hat y = g(xw + b) = 1/(1 + e^{-(xw + b)}) with g never defined, h_w(x) = P(y=1|x) = σ(w^T x):
        # the chain says what it is
        later = [m.node for m in chain.members[2:] if not isinstance(m.node, Unreadable)
                 and not _calls_undefined(m.node, table, order, block)]
        if later:
            body = later[0]
    listed = body.base if isinstance(body, Script) and transposed(body) is not None else body
    if isinstance(listed, Paren) and len(listed.items) > 1 and all(
            isinstance(x, (Name, Script)) and key_of(x) == key for x in listed.items):
        # q = [q_1, q_2]^T: how many entries q has here (see verdict._at_written_size)
        table.components.setdefault(key, len(listed.items))
    if not params and not indices and sample is None and isinstance(listed, Paren) and len(listed.items) > 1 \
            and any(isinstance(x, Script) for x in listed.items) and all(
                isinstance(x, Ellipsis_) or isinstance(x, (Name, Script)) and key_of(x) == key for x in listed.items):
        # z = [z_1, z_2, ..., z_n]: z is the vector of its entries here, whatever a section before
        # made it (z = θ · x under "## Sigmoid"): an earlier definition ends (the step itself is
        # still checked as written, an identity)
        _listed_here(table, key, order, block.scope)
    if _mentions_itself(key, body):
        return False  # w_j := w_j - α ∂J/∂w_j: an update step, not a definition
    if params and _is_number(body) and all(_names_one_thing(p) for p in params):
        # p(\text{cap}) = 0.5, H(S_1) = 0: the value at an outcome or a set named in words or by a
        # number, not the function for any argument (H(S_2) is another number)
        return False
    written: tuple = ()
    if params and not _mentions(body, params) and not _is_number(body):
        # (f(z) = 1 after "let": a constant function, defined)
        if not (isinstance(lhs, Call) and (isinstance(lhs.func, Name) or (
                isinstance(lhs.func, Script) and (lhs.func.sup is None or lhs.func.sup_paren) and not lhs.func.primes))
                and key != "\\sigma" and (_mentions_defined(body, table, order, block) or (
                    not isinstance(body, (Name, Script))
                    and any(isinstance(n, (Name, Script)) and key_of(n) in table.heads for n in walk(body))))):
            # (σ(z_i) = P_i names P; σ stays the function it is)
            return False  # "sigma(z) = P": no function of z is defined by a body without z
        # J(w, b) = -1/m Σ_i [y log ŷ^{(i)} + ...], ℓ_i(w) = -[y_i log σ(z_i) + ...]: w and b act
        # through other definitions (made before, or later: "E_n(w) = -(t log y_n ...)", "where
        # y_n = σ(a_n)"), so J is a value of the note's names and "J(w, b)" is its name
        params, written = (), lhs.args
    if not params and not indices and sample is None and listed_numbers(body) is not None \
            and table.arity.get(key, 1) <= 1:
        # (t = (1, 0, 1)^T where t_{nk} is written too: an example of one row, not t's values)
        # z = (2.0, 1.0, 0.1), p = [0.7, 0.2, 0.1]^T: the values of a worked example (see Evaluator.valued)
        table.definitions.append(Definition(key, (), (), body, block.line(chain.members[1].pos), order,
                                            block.scope, source))
        table.indexed.add(key)
        table.indexed_in.setdefault(key, set()).add(block.scope)
        return True
    if (isinstance(body, Paren) and len(body.items) > 1) or (isinstance(body, Matrix) and all(
            isinstance(x, (Name, Script, Ellipsis_)) for row in body.rows for x in row)
            and not _rows_of_another(body, key)):
        # z = (z_1, ..., z_K), θ = [w b]: the vector's components are named, nothing is defined (X
        # with rows x_1^T ... x_N^T is another name's entries stacked: a definition)
        table.declared.setdefault(key, (block.line(chain.members[0].pos), "a vector of components"))
        _listed_here(table, key, order, block.scope)
        return True
    visible = _seen(table, key, params, order, block.scope)
    forced = chain.relations[0] == ":=" or source == "where" or (
        visible is not None and _under_another_case(visible, block, table))
    if visible is not None and not forced and visible.scope == block.scope:
        return False
    # a name the prose declared an input before this point is not redefined by an equation
    # (a function's parameter, L(y, \hat y) = ..., is a dummy: it does not make \hat y an input)
    declared_before = key in table.declared and table.declared[key][0] <= block.line(chain.members[0].pos) \
        and not table.declared[key][1].startswith("the argument of")
    if declared_before and not forced:
        return False
    table.definitions.append(Definition(key, indices, params, body, block.line(chain.members[1].pos),
                                        order, block.scope, source, sample, written))
    for p in params:
        # sigma(u) = ...: the argument is a free variable of the definition, for any value
        pk = key_of(p)
        if pk:
            table.declared.setdefault(pk, (block.line(chain.members[0].pos), f"the argument of {key}"))
    return True


def _rows_of_another(body: Matrix, key: str) -> bool:
    """The entries are one other name's, by index (x_1^T, ..., x_N^T), not names of their own."""
    written = [x for row in body.rows for x in row if not isinstance(x, Ellipsis_)]
    bases = {key_of(x.base) for x in written if isinstance(x, Script) and x.sub}
    return len(written) == sum(isinstance(x, Script) and bool(x.sub) for x in written) and len(bases) == 1 \
        and key not in bases


def _is_fact(chain: Chain, block: Block, table: SymbolTable) -> bool:
    """``\\sum_k y_k = 1`` for a name the note does not define: a stated assumption."""
    if len(chain.members) < 2:
        return False
    a, b = chain.members[0].node, chain.members[1].node
    if isinstance(a, BigOp) and a.kind == "sum" and isinstance(b, Num) and b.value == "1":
        body = a.body
        if isinstance(body, Script) and isinstance(body.base, Name):
            key = key_of(body)
            if key and table.lookup(key, block.order, block.scope) is None:
                table.simplex.setdefault(key, (block.line(chain.members[0].pos), "stated"))
                return True
    return False


def _one_entry(node) -> tuple[str, Node] | None:
    """(vector, index) of one entry written with one letter or number: ``p_1``, ``z_k``, ``p(1)``."""
    if isinstance(node, Script) and isinstance(node.base, Name) and len(node.sub) == 1 and node.sup is None \
            and not node.primes and isinstance(node.sub[0], (Name, Num)):
        return key_of(node), node.sub[0]
    if isinstance(node, Call) and node.maybe and isinstance(node.func, Name) and len(node.args) == 1 \
            and isinstance(node.args[0], (Name, Num)) and not node.sub:
        return node.func.key, node.args[0]
    return None


def _equal_entries(chain: Chain) -> str | None:
    """The vector's key when the chain opens ``p_1 = p_2`` or ``p(1) = p(2)``: two entries of one vector."""
    if len(chain.members) < 2 or chain.relations[0] != "=":
        return None
    entries = [_one_entry(m.node) for m in chain.members[:2]]
    if None in entries:
        return None
    (a, i), (b, j) = entries
    if a != b or i == j or (isinstance(i, Name) and isinstance(j, Name)):
        return None  # (z_j = z_k is a case, read as j = k)
    return a


def _picks_index(chain: Chain, block: Block, order: int, table: SymbolTable) -> bool:
    """``z_k = \\max z``: an entry, by a letter the other side lacks, set equal to a value of the
    whole vector names which entry k is (the largest), a fact about k and not a claim for every k."""
    a, b = chain.members[0].node, chain.members[1].node
    entry = _one_entry(a) if isinstance(a, Script) else None
    if entry is None or not (isinstance(entry[1], Name) and len(entry[1].base) == 1 and entry[1].base.islower()):
        return False
    key, letter = entry[0], entry[1].base
    whole = bare_in(b, key)
    if not whole or any(isinstance(n, Name) and n.base == letter for n in walk(b)) \
            or table.lookup(key, order, block.scope) is not None:
        return False
    table.picked.setdefault(letter, []).append((key, block.line(chain.members[0].pos), order, block.scope))
    return True


_JACOBIAN_BEFORE = re.compile(r"\bjacobian(?:\s+matrix)?\s*$|雅可比(?:矩阵)?\s*$|\bjacobiana?\s*$", re.IGNORECASE)


def _name_jacobian(chain: Chain, before: str, block: Block, table: SymbolTable) -> bool:
    """"the Jacobian matrix $J_\\sigma$" with σ_i defined from one vector z: J_σ = ∂σ/∂z from here
    (a definition added to the table); whether the chain's first member was so named."""
    definition = _jacobian_of(chain.members[0].node, before, block, table) if chain.members else None
    if definition is not None:
        table.definitions.append(definition)
    return definition is not None


def _jacobian_of(node, before: str, block: Block, table: SymbolTable) -> Definition | None:
    """J_σ's definition when the words before it call it the Jacobian matrix, else None."""
    if not (isinstance(node, Script) and isinstance(node.base, Name) and node.base.base == "J" and len(node.sub) == 1
            and isinstance(node.sub[0], Name) and node.sup is None and not node.primes) \
            or not _JACOBIAN_BEFORE.search(before or ""):
        return None
    key, f = key_of(node), node.sub[0]
    d = table.lookup(f.key, block.order, block.scope)
    if not key or d is None or len(d.indices) != 1 or table.lookup(key, block.order, block.scope):
        return None
    # its one vector variable: the parameter of σ(z)_i = ..., or the one indexed name of the body
    variables = {p.key for p in d.params if isinstance(p, Name)} if d.params else {
        n.base.key for n in walk(d.body) if isinstance(n, Script) and isinstance(n.base, Name) and n.sub
        and table.lookup(n.base.key, block.order, block.scope) is None}
    if len(variables) != 1 or len(d.params) > 1:
        return None
    var = variables.pop()
    return Definition(key, (), (), Deriv(f, (Name(var),), True), block.line(0), block.order, block.scope, "prose",
                      reading=f"{pretty(key)} is the Jacobian ∂{pretty(f.key)}/∂{pretty(var)}, as the prose says")


_SOME_VALUE_BEFORE = re.compile(r"(?:存在|there (?:exists?|is|are)(?: an?| some)?|for some|exists?|∃|il existe(?: un)?|"
                                r"es gibt(?: ein)?|existe(?: un)?)\s*$", re.IGNORECASE)


def _signature_of(block: Block) -> str | None:
    """The function a block names in a signature, ``$\\sigma: \\mathbb{R} \\to \\mathbb{R}$``."""
    try:
        return signature_name(token_tree(block.math.text))
    except TreeError:
        return None


def _declarations(block: Block, before: str, after: str, table: SymbolTable) -> None:
    """Inline math that names an independent quantity in prose: "$x$ is the input", "the logits $z$".

    Only words that make it independent count (input, logit, weight, label...): a name the prose
    calls "the predicted probability" stays undefined, since its value depends on others."""
    for chain in block.chains:
        if chain.members and (len(chain.members) == 1 or chain.relations[:1] == ["in"]) \
                and isinstance(chain.members[0].node, Name) and _SOME_VALUE_BEFORE.search(before or ""):
            # "存在$\varepsilon \in (0, 1)$使得", "there is $c$ such that": a value the words pick, for which
            # alone what follows is said to hold
            table.some_value.setdefault(chain.members[0].node.key, block.line(0))
            continue
        if (len(chain.members) == 1 or chain.relations[:1] == ["in"]) and _name_jacobian(chain, before, block, table):
            continue
        said = _FUNCTION_SAID.search(after or "")
        signature = _signature_of(block)
        if len(chain.members) != 1 and not (said and signature):
            continue
        node = chain.members[0].node
        named = node.func if isinstance(node, Call) and node.maybe and isinstance(node.func, Name) else \
            node if isinstance(node, Name) and node.base in ("\\sigma", "\\phi", "g", "f", "s", "S") and not node.accent else \
            Name(signature) if signature and len(block.chains) == 1 else None
        if said and named is not None:
            # "$\sigma(A_i)$ is the softmax function applied to the logit $A_i$", "let $\sigma$ be the
            # sigmoid", "$\sigma: \mathbb{R} \to \mathbb{R}$をシグモイド関数とすると"
            what = said.group(1).lower()
            table.aliases.setdefault(named.key, ("softmax" if what in ("softmax", "ソフトマックス", "소프트맥스")
                                                 else "sigmoid", block.line(0)))
            continue
        if len(chain.members) != 1:
            continue
        key = key_of(node) if isinstance(node, (Name, Script)) else None
        if not key:
            continue
        if isinstance(node, Name) and len(node.base) == 1 and node.base.islower() and not node.accent \
                and re.search("(?:" + _TRUE_CLASS.pattern + r")\s*$", before or "", re.IGNORECASE):
            # "with true class $c$": the letter of the class where the one-hot target is 1
            for target_key in {"y", "t"} | set(table.targets):
                table.one_hot.setdefault(target_key, (node.base, block.line(0)))
            continue
        binary = bool(_BINARY_AFTER.search(after or ""))
        if binary:
            table.binary.setdefault(key, []).append((block.line(0), block.order, block.scope))
        target = binary or bool(_TARGET_BEFORE.search(before or "") or _TARGET_AFTER.search(after or ""))
        independent = bool(_INPUT_BEFORE.search(before or "") or _INPUT_AFTER.search(after or ""))
        if target:
            # (an input said of a name, "a scalar $L$", may describe the value it was given; a target
            # is data, never a value computed from the others)
            table.declared_in.setdefault(key, []).append((block.order, block.scope))
            table.targets.setdefault(key, block.line(0))
            table.declared.setdefault(key, (block.line(0), "a target, by the prose"))
        elif independent:
            table.declared.setdefault(key, (block.line(0), "an input, by the prose"))
