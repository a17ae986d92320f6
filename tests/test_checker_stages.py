"""Unit tests for the stages of ``symxent check``: tree -> syntax -> scope/meaning -> verdict.

Each section is a small parametrized table of the contract its module's docstring states.
"""

from __future__ import annotations

import time

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symxent.check import check_text
from symxent.checker.meaning import Evaluator, NotCheckable
from symxent.checker.scope import analyse
from symxent.checker.source import read_note
from symxent.checker.chains import read_block
from symxent.checker.syntax import (
    Add, BigOp, Call, Cases, Cond, Deriv, Fn, Frac, Grad, Mul, Name, Neg, Num, Paren, Script, Unclosed, Unreadable,
    parse_member,
)
from symxent.checker.tree import Env, Group, Tok, TreeError, token_tree
from symxent.checker.verdict import judge


def N(base: str, accent: str = "") -> Name:
    return Name(base, accent)


def S(base: str, *sub: str, sup=None, primes: int = 0) -> Script:
    return Script(N(base), tuple(N(s) for s in sub), sup, False, primes)


# ============================================================================================
# 1. tree


def test_tree_frac_is_command_then_two_groups_with_offsets():
    assert token_tree(r"\frac{a}{b}") == (
        Tok("cmd", r"\frac", 0),
        Group((Tok("word", "a", 6),), 5),
        Group((Tok("word", "b", 9),), 8),
    )


@pytest.mark.parametrize("text, cells", [
    (r"x \begin{cases} a & {b} \end{cases}", [Tok("word", "a", 16), Tok("sym", "&", 18), Group((Tok("word", "b", 21),), 20)]),
    # a group opening the body is a cell, not an argument: only array-like environments take {cc}
    (r"x \begin{cases} {a} & b \end{cases}", [Group((Tok("word", "a", 17),), 16), Tok("sym", "&", 20), Tok("word", "b", 22)]),
    (r"x \begin{aligned} {} &= b \end{aligned}", [Group((), 18), Tok("sym", "&", 21), Tok("sym", "=", 22), Tok("word", "b", 24)]),
], ids=["group-in-cell", "group-first-in-cases", "empty-group-first-in-aligned"])
def test_tree_environment_nests_groups_with_offsets(text, cells):
    items = token_tree(text)
    assert items[0] == Tok("word", "x", 0)
    env = items[1]
    assert isinstance(env, Env) and env.pos == 2 and env.arg is None, env
    assert list(env.items) == cells, env


def test_tree_array_column_spec_is_the_argument():
    (env,) = token_tree(r"\begin{array}{cc} a & b \end{array}")
    assert env.name == "array" and env.arg == "cc" and [t.value for t in env.items] == ["a", "&", "b"]


@pytest.mark.parametrize("text, token", [
    (r"\text{if } i = j", r"\text{if }"),
    (r"\text{a {b} c} + x", r"\text{a {b} c}"),
    (r"\operatorname{softmax}(z)", r"\operatorname{softmax}"),
], ids=["text-if", "text-nested-group", "operatorname"])
def test_tree_text_stays_one_token(text, token):
    assert token_tree(text)[0] == Tok("text", token, 0)


def test_tree_full_width_forms_read_as_ascii():
    # y_i=１ typed with a Chinese input method: the digit one, at the same offset
    assert token_tree("y=１") == token_tree("y=1")


def test_tree_comments_are_ignored():
    items = token_tree("a % b = c {\n + d")
    assert [(it.kind, it.value) for it in items] == [("word", "a"), ("sym", "+"), ("word", "d")]


@pytest.mark.parametrize("text, pos", [
    ("{a + {b}", 0),
    (r"\frac{a}{b", 8),
    ("a + {b", 4),
    ("x = {a} + {{b}", 10),
], ids=["outer", "frac-denominator", "trailing", "double-open"])
def test_tree_unbalanced_brace_points_at_the_unclosed_brace(text, pos):
    with pytest.raises(TreeError) as info:
        token_tree(text)
    assert info.value.pos == pos, (text, info.value.msg, info.value.pos)
    assert text[info.value.pos] == "{"


# ============================================================================================
# 2. syntax


def member(text: str):
    return parse_member(token_tree(text))


SUM_K_BODY = Mul((S("y", "k"), Fn("log"), S("p", "k")))


@pytest.mark.parametrize("text, expected", [
    ("a b + c", Add((Mul((N("a"), N("b"))), N("c")))),
    (r"\frac{a}{b} c", Mul((Frac(N("a"), N("b")), N("c")))),
    (r"\sum_k y_k \log p_k + c", Add((BigOp("sum", N("k"), None, SUM_K_BODY), N("c")))),
    (r"-\sum_k y_k \log p_k", Neg(BigOp("sum", N("k"), None, SUM_K_BODY))),
    (r"\log \hat y_k z", Mul((Fn("log"), Script(N("y", "hat"), (N("k"),)), N("z")))),
    (r"\frac{\partial L}{\partial z_j}", Deriv(N("L"), (S("z", "j"),), True)),
    (r"\partial L / \partial z_j", Deriv(N("L"), (S("z", "j"),), True)),
    (r"\frac{dL}{dz}", Deriv(N("L"), (N("z"),), False)),
    (r"\frac{d}{dx} f", Deriv(N("f"), (N("x"),), False)),
    (r"\frac{\partial^2 L}{\partial z_i \partial z_j}", Deriv(N("L"), (S("z", "i"), S("z", "j")), True)),
    (r"\nabla_z L", Grad(N("z"), N("L"))),
    (r"f'(x)", Call(S("f", primes=1), (N("x"),), True)),
    (r"P(y|x)", N("P(y|x)")),
    (r"e^-x", S("e", sup=Neg(N("x")))),
    (r"a \cancel{- b}", Add((N("a"), Neg(N("b"))))),
    (r"\mathbf{E}[y|x;\theta]", N("E(y|x;\\theta)")),
    (r"e^(-x)", S("e", sup=Neg(N("x")))),
    (r"x^(i)", Script(N("x"), (), N("i"), True)),
    (r"u_{j^*} + w^*", Add((S("u", "j*"), N("w*")))),
    (r"\delta_{kk'}", Script(N("\\delta"), (N("k"), Script(N("k"), primes=1)))),
    (r"σ(z) + ∂L/∂z", Add((Call(N("\\sigma"), (N("z"),), True), Deriv(N("L"), (N("z"),), True)))),
    (r"\frac{\part L}{\part z}", Deriv(N("L"), (N("z"),), True)),
    (r"D_{KL}(P \parallel Q) + KL(p||q)", Add((Call(S("D", "KL"), (N("P"), N("Q")), False),
                                             Call(N("KL"), (N("p"), N("q")), False)))),
    (r"D_{\mathrm{KL}}(p \| q)", Call(S("D", "KL"), (N("p"), N("q")), False)),
    (r"D_{KL}(y|x)", N("D_{KL}(y|x)")),
    (r"p(x\|C_k)", N("p(x|C_k)")),
    (r"Cexp(x_i)", Mul((N("C"), Call(Fn("exp"), (S("x", "i"),), False)))),
    (r"f_{sigmoid} + L_{softmax}", Add((S("f", "sigmoid"), S("L", "softmax")))),
    (r"-(a + b", Unclosed(Neg(Paren((Add((N("a"), N("b"))),))))),
    (r"\unicode{x1D7D9}(y=i) + 𝟙(y=i)", Add((Call(N("\\mathbb{1}"), (Cond(N("y"), "=", N("i")),), True),) * 2)),
], ids=["juxtaposition", "frac-juxtaposed", "sum-takes-term", "neg-sum", "log-next-factor", "partial-frac",
        "partial-slash", "d-frac", "d-operator", "second-partial", "nabla", "prime", "conditional-prob",
        "e-minus-x", "cancel-keeps-sign", "conditional-expectation", "ascii-power-bracket", "ascii-sample-index",
        "starred-index-and-name", "primed-index-beside-a-letter", "unicode-greek-and-partial", "katex-part",
        "divergence-double-bars", "divergence-escaped-bars", "conditional-with-a-subscripted-head",
        "conditional-bar-escaped-for-markdown", "capital-letter-glued-to-exp", "function-word-as-a-label", "bracket-never-closed", "double-struck-one-typed-or-by-its-code"])
def test_syntax_member_tree(text, expected):
    assert member(text) == expected, text


def test_syntax_e_minus_x_is_e_to_minus_x():
    assert member("e^-x") == member("e^{-x}")


def summary(chain):
    """(members, relations, reason_of, implied_by, conditions, clause kinds) of one chain."""
    conds = tuple((c.left.base, c.op, c.right.base) for c in chain.conditions)
    return (len(chain.members), tuple(chain.relations), chain.reason_of, chain.implied_by, conds,
            tuple(cl.kind for cl in chain.clauses))


@pytest.mark.parametrize("text, expected", [
    (r"\begin{aligned} L &= a + b \\ &= c \end{aligned}", [(3, ("=", "="), None, None, (), ())]),
    (r"\begin{aligned} L &= a \\ &\because a = b \\ &= c \end{aligned}",
     [(3, ("=", "="), None, None, (), ()), (2, ("=",), 0, None, (), ())]),
    (r"a = b \Rightarrow c = d", [(2, ("=",), None, None, (), ()), (2, ("=",), None, 0, (), ())]),
    (r"a = b => c = d", [(2, ("=",), None, None, (), ()), (2, ("=",), None, 0, (), ())]),
    (r"a = b \therefore c = d", [(2, ("=",), None, None, (), ()), (2, ("=",), None, 0, (), ())]),
    (r"p_i = 1, i = j", [(2, ("=",), None, None, (("i", "=", "j"),), ())]),
    (r"p_i = 0 \quad (i \neq j)", [(2, ("=",), None, None, (("i", "!=", "j"),), ())]),
    (r"p_i = 1 \text{if } i = j", [(2, ("=",), None, None, (("i", "=", "j"),), ())]),
    # words that say a statement follows (", then", "，那么") start one; Chinese typed in math is words
    (r"a = b, \text{then } L = c", [(2, ("=",), None, None, (), ()), (2, ("=",), None, 0, (), ())]),
    (r"a = b,那么L = c", [(2, ("=",), None, None, (), ()), (2, ("=",), None, 0, (), ())]),
    (r"同样设u=b", [(2, ("=",), None, None, (), ())]),
    (r"p_i = 1, \text{for some } i = j", [(2, ("=",), None, None, (("i", "=", "j"),), ())]),
    (r"L = S^2 \text{where } S = a + b", [(2, ("=",), None, None, (), ("where",))]),
], ids=["aligned-continues", "because-side-chain", "Rightarrow", "=>", "therefore", "comma-condition",
        "quad-paren-condition", "text-if-condition", "then-starts-a-statement", "chinese-then-in-math",
        "chinese-let-in-math", "some-is-not-so", "where-clause"])
def test_syntax_chains(text, expected):
    chains = read_block(token_tree(text))
    assert [summary(c) for c in chains] == expected, text


@pytest.mark.parametrize("text, expected", [
    # the quantifier's range is not a statement (it once read as i = 1 * 2 * 3)
    (r"\hat y_i = \frac{a}{b}, \forall i = 1, 2, 3", [(2, ("=",), None, None, (), ())]),
    (r"\frac{\partial p_i}{\partial z_j} = c, \forall i \neq j", [(2, ("=",), None, None, (("i", "!=", "j"),), ())]),
    (r"\boxed{dw = \frac{1}{m} a = b}", [(3, ("=", "="), None, None, (), ())]),
], ids=["forall-range", "forall-condition", "boxed-block"])
def test_syntax_quantifiers_and_frames(text, expected):
    chains = read_block(token_tree(text))
    assert [summary(c) for c in chains] == expected, text


def test_syntax_row_spacing_and_text_labels():
    # \\[1.6em] after a row break is layout; x_\text{max} is a label even though max is an operator
    (chain,) = read_block(token_tree(r"\begin{aligned} a &= b \\[1.6em] &= c \end{aligned}"))
    assert [m.node for m in chain.members] == [N("a"), N("b"), N("c")]
    assert member(r"x_\text{max}") == Script(N("x"), (N("max"),))


def test_syntax_glued_function_words():
    # "ylog(p)" and "logh(x)" typed without spaces, as TeX sets them: y log(p), log h(x)
    assert member(r"ylog(p)") == Mul((N("y"), Call(Fn("log"), (N("p"),), False)))
    assert member(r"logh(x)") == Mul((Fn("log"), Call(N("h"), (N("x"),), True)))
    assert member(r"logit") == N("logit")


def test_syntax_word_differential_is_a_name_outside_a_derivative():
    assert member(r"dw") == N("dw")
    assert member(r"dw_j") == S("dw", "j")
    assert member(r"\frac{dL}{dw}") == Deriv(N("L"), (N("w"),), False)


def test_syntax_row_starting_with_operator_continues_the_member():
    (chain,) = read_block(token_tree(r"\begin{aligned} L &= a + b \\ &\quad + c \\ &= d \end{aligned}"))
    assert [m.node for m in chain.members] == [N("L"), Add((N("a"), N("b"), N("c"))), N("d")]


def test_syntax_where_clause_holds_the_definition():
    (chain,) = read_block(token_tree(r"L = S^2 \text{where } S = a + b"))
    (clause,) = chain.clauses
    assert [m.node for m in clause.chains[0].members] == [N("S"), Add((N("a"), N("b")))]


@pytest.mark.parametrize("text", [
    r"\begin{cases} 1 & i = j \\ 0 & \text{otherwise} \end{cases}",
    r"\begin{cases} p_i (1 - p_i) & \text{if } i = j \\ -p_i p_j & \text{if } i \neq j \end{cases}",
], ids=["otherwise", "two-conditions"])
def test_syntax_cases(text):
    node = member(text)
    assert isinstance(node, Cases), node
    assert len(node.rows) == 2


# ============================================================================================
# 3. scope and meaning


def analysed(text: str):
    blocks, table = analyse(read_note(text, kind="markdown"))
    return blocks, table


def value_of_last(text: str, env: dict):
    blocks, table = analysed(text)
    block = blocks[-1]
    return Evaluator(table, block.order, block.scope).value(block.chains[0].members[0].node, env)


def statuses(report):
    return [s.status for s in report.steps]


def steps_of(text: str, report) -> str:
    return text + "\n--\n" + "\n".join(s.describe() for s in report.steps)


@pytest.mark.parametrize("note, expected", [
    ("# A\nLet $S = z_1 + z_2$.\n\n$$ S - z_2 = z_1 $$\n", ["definition", "ok"]),
    ("# A\n## B\nLet $S = z_1 + z_2$.\n## C\n$$ S - z_2 = z_1 $$\n", ["definition", "ok"]),
    ("# A\nLet $S = z_1 + z_2$.\n## B\nLet $S = 2 z_1$.\n\n$$ S - z_1 = z_1 $$\n",
     ["definition", "definition", "ok"]),
    ("# A\n## B\nLet $S = z_1 + z_2$.\n# C\n$$ S - z_2 = z_1 $$\n", ["definition", "not checkable"]),
    # a subsection's setup holds in the later sections of the same chapter
    ("# A\n## B\n### C\nLet $S = z_1 + z_2$.\n## D\n$$ S - z_2 = z_1 $$\n", ["definition", "ok"]),
    ("$$ S - z_2 = z_1 $$\nwhere $S = z_1 + z_2$.\n", ["ok", "definition"]),
], ids=["same-section", "later-sibling", "shadowed", "not-in-other-chapter", "subsection-to-later-section",
        "where-after-display"])
def test_scope_definition_visibility(note, expected):
    report = check_text(note, filename="n.md")
    assert statuses(report) == expected, steps_of(note, report)


def test_scope_declaration_with_in():
    _, table = analysed("Let $z \\in \\mathbb{R}^K$ be the logits.\n\n$$ a = b $$\n")
    assert "z" in table.declared


def test_scope_one_hot_label_is_a_target_that_sums_to_1():
    _, table = analysed("$y$ is the one-hot label.\n\n$$ a = b $$\n")
    assert "y" in table.targets and "y" in table.simplex


def test_scope_differentiated_name_is_dependent():
    note = ("Let $p$ be the input.\n\n$$ \\frac{\\partial p_i}{\\partial z_j} = p_i $$\n")
    _, table = analysed(note)
    assert "p" in table.dependent and "z" not in table.dependent and ("z", True) in table.differentiated_by["p"]
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["not checkable"], steps_of(note, report)
    assert "p" in report.steps[0].detail


def z(k: int) -> sympy.Symbol:
    return sympy.Symbol(f"z[{k}]", real=True)


F_DEF = "Let $f(x) = x^2 + 1$.\n\n"


@pytest.mark.parametrize("note, env, expected", [
    ("$$ \\sum_k z_k = a $$", {}, z(1) + z(2) + z(3)),
    ("$$ \\sum_k z_k z_1 + z_2 = a $$", {}, (z(1) + z(2) + z(3)) * z(1) + z(2)),
    ("$$ \\log z_1 z_2 = a $$", {}, sympy.log(z(1)) * z(2)),
    ("$$ \\delta_{ij} = a $$", {"i": 2, "j": 2}, sympy.Integer(1)),
    ("$$ \\delta_{ij} = a $$", {"i": 1, "j": 3}, sympy.Integer(0)),
    ("$$ \\sum_k \\delta_{jk} z_k = a $$", {"j": 2}, z(2)),
    (F_DEF + "$$ f(z_1) = a $$", {}, z(1) ** 2 + 1),
    (F_DEF + "$$ f(2) + f(z_3) = a $$", {}, 5 + z(3) ** 2 + 1),
], ids=["sum-K3", "sum-takes-term", "log-next-factor", "delta-equal", "delta-differ", "delta-picks",
        "call", "call-number"])
def test_meaning_values(note, env, expected):
    got = value_of_last(note, env)
    assert sympy.simplify(got - expected) == 0, (note, got)


@pytest.mark.parametrize("note, reason", [
    ("$$ z_1 + \\dots + z_3 = a $$", "ellipsis"),
    ("$$ \\sum_{k=1}^{100000000} z_k = a $$", "too large"),
    ("$$ 10^{10^{10}} = a $$", "too large"),
], ids=["ellipsis", "huge-sum", "tower"])
def test_meaning_not_checkable(note, reason):
    t0 = time.monotonic()
    with pytest.raises(NotCheckable) as info:
        value_of_last(note, {})
    assert reason in str(info.value)
    assert time.monotonic() - t0 < 30


# ============================================================================================
# 4. verdict and check


SOFTMAX = "Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n"


def test_verdict_judge_direct():
    blocks, table = analysed(SOFTMAX + "$$ \\frac{\\partial p_i}{\\partial z_j} = p_i (\\delta_{ij} - p_j) $$\n")
    block = blocks[-1]
    left, right = (m.node for m in block.chains[0].members)
    v = judge(table, block.order, block.scope, left, right)
    assert v.status == "ok" and any("Kronecker" in u for u in v.uses), v
    v = judge(table, block.order, block.scope, left, Neg(right))
    assert v.status == "wrong" and v.left == pytest.approx(-v.right) and "sign" in v.detail, v


@pytest.mark.parametrize("note, expected, needles", [
    ("$$ \\sum_k \\delta_{jk} z_k = z_j $$\n", ["ok"], ["Kronecker"]),
    (SOFTMAX + "$$ \\frac{\\partial p_i}{\\partial z_j} = p_i (\\delta_{ij} - p_j) $$\n",
     ["definition", "ok"], ["Euler", "Kronecker"]),
    ("Let $y$ be the one-hot label.\n\n$$ \\sum_k y_k z_j = z_j $$\n", ["ok"], ["one-hot"]),
], ids=["kronecker", "softmax-jacobian", "one-hot"])
def test_check_true_step_is_ok_with_uses(note, expected, needles):
    report = check_text(note, filename="n.md")
    assert statuses(report) == expected, steps_of(note, report)
    uses = " ".join(report.steps[-1].uses)
    assert all(n in uses for n in needles), steps_of(note, report)


@pytest.mark.parametrize("note, expected, needles", [
    (SOFTMAX + "$$ \\frac{\\partial p_i}{\\partial z_j} = p_i (p_j - \\delta_{ij}) $$\n",
     ["definition", "wrong"], ["off by a sign"]),
    ("Let $L = \\frac{1}{N} \\sum_{n=1}^{N} z_n^2$.\n\n$$ \\frac{\\partial L}{\\partial z_m} = 2 z_m $$\n",
     ["definition", "wrong"], ["factor N"]),
    ("$$ \\frac{\\partial}{\\partial z_j} \\sum_k z_k^2 = 2 z_j = 3 z_j = 2 z_j $$\n",
     ["ok", "wrong", "recovered"], ["factor 3/2"]),
], ids=["sign", "factor-N", "slip-once"])
def test_check_false_step_is_wrong_with_diagnosis(note, expected, needles):
    report = check_text(note, filename="n.md")
    assert statuses(report) == expected, steps_of(note, report)
    bad = next(s for s in report.steps if s.status == "wrong")
    assert bad.left is not None and bad.right is not None and bad.left != pytest.approx(bad.right)
    assert all(n in bad.detail for n in needles), steps_of(note, report)
    if "sign" in needles[0]:
        assert bad.left == pytest.approx(-bad.right)


# z = w argmax(x) + b: argmax is not read, so z is taken as it stands where that is sound
UNREAD_Z = "Let $z = w \\, \\mathrm{argmax}(x) + b$ and $p = \\frac{1}{1 + e^{-z}}$.\n\n"


@pytest.mark.parametrize("note, expected, needle", [
    # holds for every value of z, so for z's too
    (UNREAD_Z + "$$ p (1 - p) = \\frac{e^{-z}}{(1 + e^{-z})^2} $$\n", "ok", "taken as it stands"),
    # false for z taken freely, but z's values are unknown: never WRONG
    (UNREAD_Z + "$$ p = \\frac{1}{1 + e^{z}} $$\n", "not checkable", "not read"),
    # a derivative by x goes through z's definition
    (UNREAD_Z + "$$ \\frac{\\partial p}{\\partial x} = p (1 - p) w $$\n", "not checkable", "depends on x"),
], ids=["ok-for-any-z", "wrong-demoted", "derivative-through-it"])
def test_check_unread_definition_taken_as_it_stands(note, expected, needle):
    report = check_text(note, filename="n.md")
    last = report.steps[-1]
    assert last.status == expected, steps_of(note, report)
    assert needle in (last.detail + " ".join(last.uses)), steps_of(note, report)


def test_check_ok_in_a_case_says_so():
    """An ok that holds only in the case the note states lists that case among what it used; a
    step without the case's letters does not."""
    note = ("Let $a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$ \\frac{\\partial a_j}{\\partial z_i} = -a_j a_i, "
            "\\quad i \\neq j $$\n\n$$ \\frac{\\partial a_i}{\\partial z_i} = a_i (1 - a_i) $$\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "ok", "ok"], steps_of(note, report)
    assert "in the case i ≠ j (as the note states it)" in report.steps[1].uses, steps_of(note, report)
    assert not any("in the case" in u for u in report.steps[2].uses), steps_of(note, report)


@pytest.mark.parametrize("above, expected", [
    # the line before sets the name to the example's numbers (what the lines after work out): the
    # next line agreeing with it is ok, given that line
    ("0.5 \\times 0.25", ["not checkable", "ok"]),
    # the line before is a claim that could not be checked (L is never defined): agreeing with it
    # shows nothing about the left side
    ("a (1 - a)", ["not checkable", "not checkable"]),
], ids=["line-before-the-example-numbers", "line-before-not-checked"])
def test_check_line_at_a_time_rests_on_a_checked_line(above, expected):
    below = "0.125" if "0.25" in above else "a - a^2"
    note = (f"$$ \\frac{{\\partial L}}{{\\partial z}} = {above} $$\n"
            f"$$ \\frac{{\\partial L}}{{\\partial z}} = {below} $$\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == expected, steps_of(note, report)
    if expected[-1] == "not checkable":
        assert "that line's own claim is not checked (line 1: L is never defined" in report.steps[-1].detail, \
            steps_of(note, report)


def test_check_update_step_is_not_a_definition():
    note = ("Let $p = \\frac{1}{1 + e^{-w x}}$.\n\n$$ w := w - \\alpha (p - y) x $$\n\n"
            "$$ \\frac{\\partial p}{\\partial w} = p (1 - p) x $$\n")
    report = check_text(note, filename="n.md")
    assert report.steps[-1].status == "ok", steps_of(note, report)


@pytest.mark.parametrize("note, expected", [
    # X^T v = Σ_i x^{(i)} v^{(i)} only where the note has per-sample vectors x^{(i)} and never defines X
    ("Let $z = w^T x$ with weights $w_j$, and $p = \\frac{1}{1 + e^{-z}}$.\n\n"
     "$$ \\sum_{i=1}^{N} (p^{(i)} - y^{(i)}) x^{(i)} = X^T (p - y) $$\n", "ok"),
    ("Let $z = w^T x$ with weights $w_j$, and $p = \\frac{1}{1 + e^{-z}}$.\n\n"
     "$$ \\sum_{i=1}^{N} (p^{(i)} - y^{(i)}) x^{(i)} = \\frac{1}{N} X^T (p - y) $$\n", "wrong"),
    # without samples X is no data matrix; the step holds by linearity whatever X is
    ("$$ X^T (p - y) = X^T p - X^T y $$\n", "ok"),
], ids=["design-matrix", "design-matrix-factor", "no-samples-no-convention"])
def test_check_design_matrix_convention(note, expected):
    report = check_text(note, filename="n.md")
    assert report.steps[-1].status == expected, steps_of(note, report)
    assert ("rows are the samples" in " ".join(report.steps[-1].uses)) == ("x^{(i)}" in note), steps_of(note, report)


def test_check_named_sum_and_case_lines():
    # "define \\sum_K = ..." makes \\sum_K a name; "$i \\neq j$" alone on a line is the case of
    # the block after it, and ends with the words after that block
    note = ("Let $p_i = \\frac{e^{z_i}}{\\sum_{k=1}^{K} e^{z_k}}$ (define $\\sum_K = \\sum_{k=1}^{K} e^{z_k}$).\n\n"
            "$i \\neq j$\n\n"
            "$$ \\frac{\\partial p_i}{\\partial z_j} = \\frac{0 - e^{z_i} e^{z_j}}{(\\sum_K)^2} = -p_i p_j $$\n\n"
            "Now any $i$ and $j$:\n\n"
            "$$ \\frac{\\partial p_i}{\\partial z_j} = -p_i p_j $$\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "definition", "ok", "ok", "wrong"], steps_of(note, report)


ELLIPSES = [
    ("$$ \\sum_{k=1}^{K} z_k^2 = z_1^2 + z_2^2 + \\cdots + z_K^2 $$\n", ["ok"]),
    ("$$ \\sum_{k=1}^{K} z_k^2 = z_1^2 + z_2^2 + \\cdots + z_K^2 + 1 $$\n", ["wrong"]),
    # terms before the run stay as written: w_0 is the bias
    ("$$ w_0 + w_1 x_1 + w_2 x_2 + \\dots + w_K x_K = w_0 + \\sum_{k=1}^K w_k x_k $$\n", ["ok"]),
    # x_0 only through a sum from 0: x_0 = 1 is the usual reading, so no verdict until it is said
    ("$$ w_0 + \\sum_{k=1}^K w_k x_k = \\sum_{k=0}^K w_k x_k $$\n", ["not checkable"]),
    ("Let $x_0 = 1$.\n\n$$ w_0 + \\sum_{k=1}^K w_k x_k = \\sum_{k=0}^K w_k x_k $$\n", ["ok"]),
    # odd terms: no single step between the written terms
    ("$$ z_1 + z_3 + \\dots + z_K = \\sum_{k=1}^K z_k $$\n", ["not checkable"]),
    # up to a letter the note never sums to: its value is unknown
    ("$$ e^{x_1} + e^{x_2} + \\dots + e^{x_n} = \\sum_{k=1}^{K} e^{x_k} $$\n", ["not checkable"]),
    # three full stops between subtracted terms
    ("$$ -\\sum_{k=1}^{K} y_k \\log p_k = -y_1 \\log p_1 - y_2 \\log p_2 - ... - y_K \\log p_K $$\n", ["ok"]),
]
ELLIPSES_IDS = ["power-sum", "power-sum-plus-1", "bias-kept", "x0-unsaid", "x0-said", "odd-terms", "unknown-end",
                "ascii-dots"]


ALONE = [
    # the chain rule through a function written alone: h is h(x^{(i)}), its one argument here
    ("Let $h(x) = \\frac{1}{1 + e^{-a - b x}}$.\n\n$$ \\frac{\\partial}{\\partial a} \\left( \\log h(x^{(i)}) \\right) = "
     "\\frac{\\partial}{\\partial h} \\left( \\log h(x^{(i)}) \\right) \\frac{\\partial h}{\\partial a} = 1 - h(x^{(i)}) $$\n",
     ["definition", "ok", "ok"]),
    ("Let $\\sigma(u) = \\frac{1}{1 + e^{-u}}$ and $z = a + b$.\n\n$$ \\frac{d\\sigma}{dz} = \\sigma(z)(1 - \\sigma(z)) $$\n",
     ["definition", "definition", "ok"]),
    # two arguments: which one the lone h stands for is not said
    ("Let $h(x) = x^2$.\n\n$$ h(a) + h(b) = 2 h $$\n", ["definition", "not checkable"]),
]
ALONE_IDS = ["chain-rule-bare-h", "dsigma-dz", "two-arguments"]


ENTRIES = [
    # y_i(z_i) = ... defines an entry as a function of z_i: y_k (1 - y_i) is a product
    ("Let $y_i(z_i) = \\frac{e^{z_i}}{\\sum_{k=1}^K e^{z_k}}$.\n\n"
     "$$ \\frac{\\partial y_k}{\\partial z_i} = y_k (1\\{k = i\\} - y_i) $$\n", ["definition", "ok"]),
    # a condition in a subscript: y_{k=i} is y_i; y_{k \\neq i} is y_k with the step under k ≠ i
    ("Let $y_k = \\frac{e^{z_k}}{\\sum_{j=1}^K e^{z_j}}$.\n\n"
     "$$ \\frac{\\partial y_{k=i}}{\\partial z_i} = y_{k=i}(1 - y_i) $$\n\n"
     "$$ \\frac{\\partial y_{k \\neq i}}{\\partial z_i} = - y_{k \\neq i} y_i $$\n", ["definition", "ok", "ok"]),
    # sum_{i=1}^m with the backslash forgotten is still a sum
    ("$$ sum_{i=1}^{3} z_i = z_1 + z_2 + z_3 $$\n", ["ok"]),
    # an output differentiated whole (∂a/∂z, a Jacobian) and entry by entry, in a note about
    # softmax: the softmax convention still holds, entry by entry
    ("The softmax Jacobian $\\frac{\\partial \\mathbf{a}}{\\partial \\mathbf{z}}$ has entries\n\n"
     "$$ \\frac{\\partial a_1}{\\partial z_2} = -a_1 a_2 $$\n", ["ok"]),
    # a word that opens a row ("Proof") is prose, not a factor
    ("$$ \\text{Proof } z_1 + z_2 = z_2 + z_1 $$\n", ["ok"]),
    # σ(z_i) = P_i does not make σ a value of P's names: σ stays the sigmoid for σ(-z)
    ("$$ \\sigma(z_i) = P_i = \\frac{1}{1 + e^{-z_i}} $$\n\n$$ \\sigma(-z) = 1 - \\sigma(z) $$\n",
     ["not checkable", "not checkable", "ok"]),
]
ENTRIES_IDS = ["entry-function-times-bracket", "subscript-conditions", "sum-without-backslash",
               "softmax-output-whole-and-by-entry", "proof-word", "sigma-names-P"]


def test_check_own_softmax_of_an_entry_and_two_case_equalities():
    # the note's own softmax over the rows of X; the case "i = k, l = j" keeps both equalities
    note = ("$$ \\text{softmax}(x_{ij}) = \\frac{e^{x_{ij}}}{\\sum_{p=1}^{N} e^{x_{ip}}} $$\n\n"
            "Case: $i = k$, $l = j$, then\n\n"
            "$$ \\frac{\\partial \\text{softmax}(x_{kl})}{\\partial x_{ij}} = "
            "\\text{softmax}(x_{ij}) - \\text{softmax}(x_{ij})^2 $$\n\n"
            "Case: $i = k$, $l \\neq j$, then\n\n"
            "$$ \\frac{\\partial \\text{softmax}(x_{kl})}{\\partial x_{ij}} = "
            "\\text{softmax}(x_{ij}) - \\text{softmax}(x_{ij})^2 $$\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "ok", "wrong"], steps_of(note, report)
    assert any("as the note defines it" in u for u in report.steps[1].uses), steps_of(note, report)


VECTOR_FUNCTIONS = [
    # a function of a vector: z_k in the body is entry k of whatever it is called with
    ("$$ \\sigma(\\mathbf{z})_i = \\frac{e^{z_i}}{\\sum_{j=1}^K e^{z_j}} $$\n\n"
     "$$ \\frac{\\partial [\\sigma(\\mathbf{a})]_i}{\\partial a_j} = "
     "\\frac{\\partial}{\\partial a_j} \\frac{e^{a_i}}{\\sum_{k=1}^K e^{a_k}} $$\n", ["definition", "ok"]),
    ("$$ s(\\mathbf x)_i = \\frac{e^{x_i}}{\\sum_{j=1}^K e^{x_j}} $$\n\n"
     "$$ s(\\mathbf x + c)_i = \\frac{e^{x_i + c}}{\\sum_{j=1}^K e^{x_j + c}} = s(\\mathbf x)_i $$\n",
     ["definition", "ok", "ok"]),
    ("$$ s(\\mathbf x)_i = \\frac{e^{x_i}}{\\sum_{j=1}^K e^{x_j}} $$\n\n$$ c = \\log 2 $$\n\n"
     "$$ s(\\mathbf x + c)_i = \\frac{e^{x_i} + c}{\\sum_{j=1}^K e^{x_j}} $$\n", ["definition", "definition", "wrong"]),
]
VECTOR_FUNCTIONS_IDS = ["entry-of-sigma-of-a", "shift-invariance", "shift-slip"]


@pytest.mark.parametrize("weights, chain, expected, needle", [
    # J = CE(y, p) = -Σ y_i log p_i defines CE too; a chain rule through a whole vector is the
    # gradient (a row) times the Jacobian, read as a matrix product
    ("\\theta_i = w_i x", "\\frac{\\partial J}{\\partial \\theta} \\frac{\\partial \\theta}{\\partial w}", "ok", ""),
    ("\\theta_i = w_i x", "2 \\frac{\\partial J}{\\partial \\theta} \\frac{\\partial \\theta}{\\partial w}", "wrong",
     "factor 2"),
    # w written w_{ik}: a matrix, used whole; which layout ∂J/∂w has is not said (read entry by
    # entry with one index, a real note's correct gradient was once reported WRONG)
    ("\\theta_k = \\sum_{i=1}^{3} w_{ik} x_i",
     "\\frac{\\partial J}{\\partial \\theta} \\frac{\\partial \\theta}{\\partial w}", "not checkable", "matrix"),
], ids=["product-of-jacobians", "product-of-jacobians-broken", "by-a-matrix"])
def test_check_chain_definition_and_jacobian_products(weights, chain, expected, needle):
    note = (f"Let $p_i = \\frac{{e^{{\\theta_i}}}}{{\\sum_{{k=1}}^K e^{{\\theta_k}}}}$ and ${weights}$.\n\n"
            "$$ J = CE(y, p) = -\\sum_{i=1}^K y_i \\log p_i $$\n\n"
            "$$ \\frac{\\partial J}{\\partial \\theta_j} = p_j - y_j $$\n\n"
            f"$$ \\frac{{\\partial J}}{{\\partial w}} = {chain} $$\n\n"
            "Where $y$ is one-hot.\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "definition", "definition", "definition", "ok", expected], \
        steps_of(note, report)
    assert needle in report.steps[-1].detail, steps_of(note, report)


VECTORS = [
    # a vector written out is compared entry by entry; W^T x with W written w_{ik} is a matrix product
    ("Let $\\theta_k = \\sum_{i=1}^{3} w_{ik} x_i + b_k$.\n\n"
     "$$ [\\theta_1, \\theta_2, \\theta_3]^T = w^T x + b $$\n", ["definition", "ok"]),
    ("Let $\\theta_k = \\sum_{i=1}^{3} w_{ik} x_i + b_k$.\n\n"
     "$$ [\\theta_1, \\theta_2, \\theta_3]^T = w^T x $$\n", ["definition", "wrong"]),
    ("$$ [z_1, z_2] = z $$\n", ["not checkable"]),
    # x w with both whole vectors: inner, outer or entry-wise is not said (read entry-wise, a real
    # note's correct gradient was once reported WRONG)
    ("Let $x = (x_1, x_2, x_3)$ and $w = (w_1, w_2, w_3)$.\n\n$$ \\mathbf{x}\\mathbf{w} = \\mathbf{w}\\mathbf{x} $$\n",
     ["ok", "ok", "not checkable"]),
]
VECTORS_IDS = ["list-and-matvec", "list-and-matvec-slip", "list-of-other-size", "two-vectors-side-by-side"]


# Matrices as wholes and readings that keep a verdict honest (session 7): each note has a right
# step and a broken one; where the reading is ambiguous the step is not checkable.
#   t1: "L = -log p_i where y_i = 1" is the true class's term, Σ_i y_i (-log p_i) for a one-hot y
#   t2: a note of row vectors: y log s^T is a number, s^T s an outer product, diag, gradient x Jacobian;
#       diag(s) - s s^T (a matrix minus a number there) is not read
#   t3: a Jacobian written out as a 3x3 matrix; the softmax Jacobian against an elementwise vector
#   t4: an elementwise map's Jacobian is diagonal, written as the vector of its diagonal
#   t5: δs/δx is ∂s/∂x; t6: boxed numbers side by side are a list, and 1.406 is a rounded value
#   t7: p_j = e^j / Σ_i e^i has no variable in it; t8: a case's result quoted in a sentence
#   t9: ∂/∂x e^x · e^{2x} without a bracket; t10: L without b, a name that cancels out
#   r1: w^T x_i makes x_i the i-th sample's vector; p^y (1 - p)^{1-y} (the exponent is the bracket's);
#       L(w) is L written with its variable
#   r2: ℓ_i(w) = ... defines the entry ℓ_i (w acts through z); Σ_{n=0}^{N-1} makes entry 0 one of N
#   r4: a setup in "### Logits" under "## Model" holds in "## Gradients"; w_{kd} is two indices;
#       σ_i(1 - σ_i) with σ_i(z) a function is the entry σ_i times the bracket
#   r5: y_k inside L's definition and y alone in the step: a vector and a number, not compared
#   r6: L = -log ŷ_c after "the correct class c has y_c = 1": c is that class in every step, as the
#       note never sums over c (in a note that also sums over its true-class letter i, not judged)
#   r8: "with true class $c$" in the prose names the letter as well
#   r7: ℓ(w) written alone keeps w whole (w^T x_i); ∂σ(z)/∂b with z never defined would be 0 only
#       if z did not depend on b: not checkable rather than WRONG
#   e1, e3: \end{equation}. ends a sentence; a block with "=" that reads as one unreadable piece
#       is reported unparsed, never dropped
MATRICES = [
    (('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$. The target $\\mathbf{y}$ is one-hot, $y_i = 1$ if the true class is $i$.\n'
     '\n'
     '$$ L = -\\log p_i \\text{ where } y_i = 1 $$\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial p_j} = -\\frac{y_j}{p_j} $$\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial p_j} = -\\frac{2 y_j}{p_j} $$\n'),
     ['definition', 'definition', 'ok', 'wrong']),
    (('Vectors here are row vectors. Let $s_i = \\frac{e^{x_i}}{\\sum_k e^{x_k}}$.\n'
     '\n'
     '$$ H = -\\sum_{i=1}^{K} y_i \\log s_i = -\\mathbf{y} \\log \\mathbf{s}^\\top $$\n'
     '\n'
     '$$ \\frac{\\partial \\mathbf{s}}{\\partial \\mathbf{x}} = \\text{diag}(\\mathbf{s}) - \\mathbf{s}^\\top \\mathbf{s} $$\n'
     '\n'
     '$$ \\frac{\\partial \\mathbf{s}}{\\partial \\mathbf{x}} = \\text{diag}(\\mathbf{s}) - \\mathbf{s} \\mathbf{s}^\\top $$\n'
     '\n'
     '$$ \\nabla_{\\mathbf{x}} H = -\\frac{\\mathbf{y}}{\\mathbf{s}} \\left[\\text{diag}(\\mathbf{s}) - \\mathbf{s}^\\top \\mathbf{s}\\right] $$\n'
     '\n'
     '$$ \\nabla_{\\mathbf{x}} H = \\frac{\\mathbf{y}}{\\mathbf{s}} \\left[\\text{diag}(\\mathbf{s}) - \\mathbf{s}^\\top \\mathbf{s}\\right] $$\n'),
     ['definition', 'definition', 'ok', 'ok', 'not checkable', 'ok', 'wrong']),
    (('Let $a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ and $K = 3$.\n'
     '\n'
     '$$ \\frac{\\partial \\mathbf{a}}{\\partial \\mathbf{z}} = \\begin{pmatrix} a_1(1 - a_1) & -a_1 a_2 & -a_1 a_3 \\\\ -a_2 a_1 & a_2(1 - a_2) & -a_2 a_3 \\\\ -a_3 a_1 & -a_3 a_2 & a_3(1 - a_3) \\end{pmatrix} $$\n'
     '\n'
     '$$ \\frac{\\partial \\mathbf{a}}{\\partial \\mathbf{z}} = \\begin{pmatrix} a_1(1 - a_1) & -a_1 a_2 & -a_1 a_3 \\\\ -a_2 a_1 & a_2(1 - a_2) & -a_2 a_3 \\\\ -a_3 a_1 & -a_3 a_2 & a_3(1 + a_3) \\end{pmatrix} $$\n'
     '\n'
     '$$ \\frac{\\partial \\mathbf{a}}{\\partial \\mathbf{z}} = \\mathbf{a} \\circ (1 - \\mathbf{a}) $$\n'),
     ['definition', 'ok', 'wrong', 'not checkable']),
    (('Let $h_i = \\frac{1}{1 + e^{-z_i}}$.\n'
     '\n'
     '$$ \\frac{\\partial \\mathbf{h}}{\\partial \\mathbf{z}} = \\mathbf{h} (1 - \\mathbf{h}) $$\n'
     '\n'
     '$$ \\frac{\\partial \\mathbf{h}}{\\partial \\mathbf{z}} = \\mathbf{h} (1 + \\mathbf{h}) $$\n'),
     ['definition', 'ok', 'wrong']),
    (('Denote softmax as $s$: $s_i = \\frac{e^{x_i}}{\\sum_k e^{x_k}}$.\n'
     '\n'
     '$$ \\frac{\\delta s_i}{\\delta x_i} = s_i (1 - s_i) $$\n'
     '\n'
     '$$ \\frac{\\delta s_i}{\\delta x_i} = s_i (1 + s_i) $$\n'),
     ['definition', 'ok', 'wrong']),
    (('The predicted probabilities are:\n'
     '\n'
     '$$ p = \\boxed{0.090}\\boxed{0.245}\\boxed{0.665} $$\n'
     '\n'
     '$$ L = -\\log(0.245) = 1.406 $$\n'
     '\n'
     '$$ L = -\\log(0.245) = 1.416 $$\n'),
     ['unparsed', 'definition', 'ok', 'ok', 'wrong']),
    (('Softmax is defined as $p_j = \\frac{e^j}{\\sum_i e^i}$ and the loss as $L = -\\log p_k$.\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial o_k} = p_k - 1 $$\n'),
     ['definition', 'definition', 'not checkable']),
    (('Let $s_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n'
     '\n'
     '### Case 2: off the diagonal ($i \\neq j$)\n'
     '\n'
     '$$ \\frac{\\partial s_i}{\\partial z_j} = -s_i s_j $$\n'
     '\n'
     '## Properties\n'
     '\n'
     'The Jacobian is symmetric because $\\frac{\\partial s_i}{\\partial z_j} = -s_i s_j = \\frac{\\partial s_j}{\\partial z_i}$.\n'
     '\n'
     '$$ \\frac{\\partial s_i}{\\partial z_j} = -s_i s_j $$\n'),
     ['definition', 'ok', 'not checkable', 'not checkable', 'wrong']),
    (('Let $f = e^{x}$ and $g = e^{2x}$.\n'
     '\n'
     '$$ \\frac{\\partial}{\\partial x} e^{x} \\cdot e^{2x} = 3 e^{3x} $$\n'
     '\n'
     '$$ \\frac{\\partial}{\\partial x} \\left( e^{x} e^{2x} \\right) = 3 e^{3x} $$\n'
     '\n'
     '$$ \\frac{\\partial}{\\partial x} \\left( e^{x} e^{2x} \\right) = 2 e^{3x} $$\n'),
     ['definition', 'definition', 'not checkable', 'ok', 'wrong']),
    (('Let $z = w x$ and $L = (y - z)^2$.\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial b} = 2 (z - y) $$\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial w} = 2 (z - y) x $$\n'
     '\n'
     '$$ \\frac{a z}{a} = 2 z $$\n'),
     ['definition', 'definition', 'not checkable', 'ok', 'not checkable']),
    (('Model: $\\hat{p}_i = \\sigma(\\mathbf{w}^\\top \\mathbf{x}_i)$ for $y_i \\in \\{0, 1\\}$.\n'
     '\n'
     '$$ \\mathcal{L}(\\mathbf{w}) = - \\sum_{i=1}^n \\left[ y_i \\log(\\hat{p}_i) + (1 - y_i) \\log(1 - \\hat{p}_i) \\right] $$\n'
     '\n'
     '$$ - \\sum_{i=1}^n \\log \\left( \\hat{p}_i^{y_i} (1 - \\hat{p}_i)^{1 - y_i} \\right) = \\mathcal{L}(\\mathbf{w}) $$\n'
     '\n'
     '$$ \\nabla_{\\mathbf{w}} \\mathcal{L}(\\mathbf{w}) = \\sum_{i=1}^n (\\hat{p}_i - y_i) \\mathbf{x}_i $$\n'
     '\n'
     '$$ \\nabla_{\\mathbf{w}} \\mathcal{L}(\\mathbf{w}) = \\sum_{i=1}^n (y_i - \\hat{p}_i) \\mathbf{x}_i $$\n'),
     ['definition', 'definition', 'ok', 'ok', 'wrong']),
    (('Let $z_i = w x_i$ and $\\ell_i(w) = (z_i - t_i)^2$.\n'
     '\n'
     '$$ E(w) = \\frac{1}{N} \\sum_{n=0}^{N-1} \\ell_n(w) $$\n'
     '\n'
     '$$ \\frac{\\partial E}{\\partial w} = \\frac{2}{N} \\sum_{n=0}^{N-1} (z_n - t_n) x_n $$\n'
     '\n'
     '$$ \\frac{\\partial E}{\\partial w} = \\frac{1}{N} \\sum_{n=0}^{N-1} (z_n - t_n) x_n $$\n'),
     ['definition', 'definition', 'definition', 'ok', 'wrong']),
    (('# Softmax regression\n'
     '\n'
     '## Model\n'
     '\n'
     '### Logits\n'
     '\n'
     '$$z_k = \\mathbf{w}_k^T \\mathbf{x} + b_k = \\sum_{d=1}^{D} w_{kd} x_d + b_k$$\n'
     '\n'
     'The softmax is $\\sigma_i(\\mathbf{z}) = \\frac{e^{z_i}}{\\sum_{j} e^{z_j}}$.\n'
     '\n'
     '## Gradients\n'
     '\n'
     '$$ \\frac{\\partial \\sigma_i}{\\partial z_i} = \\sigma_i(1 - \\sigma_i) $$\n'
     '\n'
     '$$ \\frac{\\partial \\sigma_i}{\\partial z_i} = \\sigma_i(1 + \\sigma_i) $$\n'
     '\n'
     '$$ \\frac{\\partial z_k}{\\partial w_{kd}} = x_d $$\n'
     '\n'
     '$$ \\frac{\\partial z_k}{\\partial w_{kd}} = x_k $$\n'),
     ['definition', 'ok', 'definition', 'ok', 'wrong', 'ok', 'not checkable']),
    (('Let $p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$ and $L = -\\sum_k y_k \\log p_k$, with $\\sum_k y_k = 1$.\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial z_1} = p_1 - y_1 $$\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial z_1} = p_1 - y $$\n'),
     ['definition', 'definition', 'definition', 'ok', 'not checkable']),
    (('Let $\\hat{y}_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$.\n'
     '\n'
     'For a one-hot label $y$ the loss is $L = -\\sum_{k=1}^{K} y_k \\log(\\hat{y}_k)$.\n'
     '\n'
     'Only the correct class $c$ has $y_c = 1$, so:\n'
     '\n'
     '$$L = -\\log(\\hat{y}_c)$$\n'
     '\n'
     '$$\\frac{\\partial L}{\\partial \\hat{y}_k} = -\\frac{y_k}{\\hat{y}_k}$$\n'
     '\n'
     '$$\\frac{\\partial L}{\\partial \\hat{y}_k} = -\\frac{1}{\\hat{y}_k}$$\n'),
     ['definition', 'definition', 'ok', 'ok', 'wrong']),
    (('The log-likelihood is $\\ell(\\mathbf{w}) = \\sum_{i=1}^n y_i \\ln \\sigma(\\mathbf{w}^T\\mathbf{x}_i)$, with features $x_{ij}$.\n'
     '\n'
     '$$ \\frac{\\partial \\ell}{\\partial w_j} = \\sum_{i=1}^n y_i (1 - \\sigma(\\mathbf{w}^T\\mathbf{x}_i)) x_{ij} $$\n'
     '\n'
     '$$ \\frac{\\partial \\ell}{\\partial w_j} = -\\sum_{i=1}^n y_i (1 - \\sigma(\\mathbf{w}^T\\mathbf{x}_i)) x_{ij} $$\n'
     '\n'
     '$$ \\frac{\\partial \\sigma(z)}{\\partial b} = \\sigma(z)(1 - \\sigma(z)) $$\n'),
     ['definition', 'ok', 'wrong', 'not checkable']),
    (('Text\n'
     '\n'
     '$$\n'
     '\\begin{equation}\n'
     '\\frac{\\partial y_1 \\log p_1}{\\partial p_1} = \\frac{y_1}{p_1}\n'
     '\\end{equation}.\n'
     '$$\n'),
     ['ok']),
    (('Text\n'
     '\n'
     '$$\n'
     '\\begin{equation}\n'
     ' a = b\n'
     '\\end{equation} x\n'
     '$$\n'),
     ['unparsed']),
    (('Let $s_j = \\frac{e^{z_j}}{\\sum_k e^{z_k}}$, followed by cross-entropy with true class $c$:\n'
     '\n'
     '$$ L = -\\log s_c $$\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial z_j} = s_j - y_j $$\n'
     '\n'
     '$$ \\frac{\\partial L}{\\partial z_j} = s_j + y_j $$\n'),
     ['definition', 'definition', 'ok', 'wrong']),
    (('Let $\\sigma_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ and the Jacobian $\\mathbf{J}_\\sigma = \\frac{\\partial \\boldsymbol{\\sigma}}{\\partial \\mathbf{z}}$.\n'
      '\n'
      '$$ \\mathbf{J}_\\sigma = \\text{diag}(\\boldsymbol{\\sigma}) - \\boldsymbol{\\sigma} \\boldsymbol{\\sigma}^T = \\mathbf{J}_\\sigma^T $$\n'
      '\n'
      '$$ \\mathbf{J}_\\sigma = \\text{diag}(\\boldsymbol{\\sigma}) + \\boldsymbol{\\sigma} \\boldsymbol{\\sigma}^T $$\n'
      '\n'
      'Let $a_i = z_1 z_i$ and $\\mathbf{J} = \\frac{\\partial \\mathbf{a}}{\\partial \\mathbf{z}}$.\n'
      '\n'
      '$$ \\mathbf{J}^T = \\mathbf{J}^T $$\n'
      '\n'
      'Let $A_{ij} = z_i + 2 z_j$.\n'
      '\n'
      '$$ \\mathbf{A}^T = \\mathbf{A} $$\n'),
     ['definition', 'definition', 'ok', 'ok', 'not checkable', 'definition', 'definition', 'ok', 'definition', 'wrong']),
    (('Let $\\hat{p}_i = \\sigma(\\mathbf{w}^\\top \\mathbf{x}_i)$ and\n'
      '\n'
      '$$ \\mathcal{L} = -\\sum_{i=1}^n \\left[ y_i \\log \\hat{p}_i + (1 - y_i) \\log(1 - \\hat{p}_i) \\right] $$\n'
      '\n'
      '$$ \\nabla^2_{\\mathbf{w}} \\mathcal{L} = \\sum_{i=1}^n \\hat{p}_i (1 - \\hat{p}_i) \\mathbf{x}_i \\mathbf{x}_i^\\top $$\n'
      '\n'
      '$$ \\nabla^2_{\\mathbf{w}} \\mathcal{L} = \\sum_{i=1}^n \\hat{p}_i (1 + \\hat{p}_i) \\mathbf{x}_i \\mathbf{x}_i^\\top $$\n'
      '\n'
      '$$ \\nabla_{\\mathbf{w}}^2 \\mathcal{L} = \\sum_{i=1}^n \\hat{p}_i (1 - \\hat{p}_i) \\mathbf{x}_i^\\top \\mathbf{x}_i $$\n'
      '\n'
      '$$ \\nabla^3_{\\mathbf{w}} \\mathcal{L} = 0 $$\n'),
     ['definition', 'definition', 'ok', 'wrong', 'not checkable', 'unparsed']),
    (('Let $z_k = \\sum_{d} w_{kd} x_d + b_k$, $\\hat{\\pi}_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$ and $\\mathcal{L} = -\\sum_k y_k \\log \\hat{\\pi}_k$, where $\\sum_k y_k = 1$.\n'
      '\n'
      '$$ \\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{W}} = (\\hat{\\boldsymbol{\\pi}} - \\mathbf{y}) \\mathbf{x}^T $$\n'
      '\n'
      '$$ \\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{W}} = \\mathbf{x} (\\hat{\\boldsymbol{\\pi}} - \\mathbf{y})^T $$\n'
      '\n'
      '$$ \\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{W}} = (\\hat{\\boldsymbol{\\pi}} - \\mathbf{y})^T \\mathbf{x} $$\n'),
     ['definition', 'definition', 'definition', 'definition', 'ok', 'wrong', 'not checkable']),
]
MATRICES_IDS = ['true-class-where', 'row-vectors-diag-outer', 'written-jacobian-matrix', 'elementwise-jacobian-diagonal', 'delta-as-partial', 'numbers-side-by-side-and-rounding', 'defined-by-index-alone', 'case-quoted-in-a-sentence', 'operator-reach', 'missing-variable-and-cancelled-name', 'sample-subscript-and-bracket-power', 'indexed-value-of-w-and-zero-based-sum', 'subsection-setup-and-entry-times-bracket', 'vector-and-number-in-one-step', 'true-class-letter-of-a-definition', 'function-of-a-whole-vector-and-tacit-logits', 'environment-then-full-stop', 'unreadable-block-reported', 'true-class-named-in-prose',
                'named-jacobian-and-matrix-used-whole',
                'hessian-as-the-gradient-of-the-gradient',
                'matrix-of-entries-w_kd-and-outer-product']


# Models written as other people write them (the held-out notes): the weights as a function's
# label, the loss of one sample as a function of the parameters, ∂/∂z through z's definition.
MODELS = [
    ('# Model\n\n$$\nh_w(x) = P(y = 1|x) = \\sigma(w^T x + b)\n$$\n\n$$\nL^{(i)}(w,b) = -\\left[ y^{(i)} \\log(h_w(x^{(i)})) + (1 - y^{(i)}) \\log(1 - h_w(x^{(i)})) \\right]\n$$\n\nLet $a^{(i)} = \\sigma(z^{(i)})$, where $z^{(i)} = w^T x^{(i)} + b$.\n\n$$\n\\frac{\\partial L^{(i)}}{\\partial z^{(i)}} = a^{(i)} - y^{(i)}\n$$\n\n$$\n\\frac{\\partial L^{(i)}}{\\partial z^{(i)}} = y^{(i)} - a^{(i)}\n$$\n\n$$\n\\frac{\\partial L^{(i)}}{\\partial w_j} = (a^{(i)} - y^{(i)}) x_j^{(i)}\n$$\n\n$$\n\\frac{\\partial L^{(i)}}{\\partial w_j} = (a^{(i)} - y^{(i)}) x_j^{(i)} (1 - a^{(i)})\n$$\n',
     ['definition', 'definition', 'definition', 'definition', 'definition', 'ok', 'wrong', 'ok', 'wrong']),
    ('# Error\n\n{{< katex >}}\nE_{n}({\\bf w}) = -(t_{n} \\log y_{n} + (1 - t_{n}) \\log(1 - y_{n}))\n{{< /katex >}}\n\nHere\n\n{{< katex >}}\ny_{n} = \\frac{1}{1 + \\exp(-a_{n})}, \\quad a_{n} = w_{0} x_{n} + w_{1}\n{{< /katex >}}\n\n$$ \\frac{\\partial E_{n}({\\bf w})}{\\partial a_{n}} = y_{n} - t_{n} $$\n\n$$ \\frac{\\partial E_{n}({\\bf w})}{\\partial a_{n}} = t_{n} - y_{n} $$\n\n$$ \\dfrac{\\partial}{a_{n}} \\log y_{n} = 1 - y_{n} $$\n\n$$ \\dfrac{\\partial}{a_{n}} \\log y_{n} = y_{n} $$\n',
     ['definition', 'definition', 'definition', 'ok', 'wrong', 'ok', 'wrong']),
    ("Let $S_j = \\frac{e^{z_j}}{\\sum_l e^{z_l}}$.\n\n$$ \\frac{\\partial S_j}{\\partial z_k} = \\frac{\\frac{\\partial e^{z_j}}{\\partial z_k} \\sum_l e^{z_l} - e^{z_j} e^{z_k}}{\\left(\\sum_l e^{z_l}\\right)^2} $$\n\nThe derivative of the numerator's first factor is 0 if $j \\neq k$ or $e^{z_j}$ if $j = k$. In the case of $j = k$, we substitute it and keep on with the same expression as before, step by step:\n\n$$ = \\frac{e^{z_j} \\sum_l e^{z_l} - e^{z_j} e^{z_k}}{\\left(\\sum_l e^{z_l}\\right)^2} $$\n\nWe split the fraction into two fractions, one for each factor, and each fraction is one softmax output:\n\n$$ = S_j (1 - S_k) $$\n\nAnd once more written as a product of the two outputs in the other order, to show the symmetry:\n\n$$ = (1 - S_k) S_k $$\n\nAnd the same thing once again, written with the plus sign by mistake for the second factor:\n\n$$ = (1 + S_k) S_k $$\n",
     ['definition', 'ok', 'ok', 'ok', 'ok', 'wrong']),
    ("Let $S_j = \\frac{e^{z_j}}{\\sum_l e^{z_l}}$.\n\n$$ \\frac{\\partial S_j}{\\partial z_k} = \\frac{\\frac{\\partial e^{z_j}}{\\partial z_k} \\sum_l e^{z_l} - e^{z_j} e^{z_k}}{\\left(\\sum_l e^{z_l}\\right)^2} $$\n\nThe derivative in the numerator's first term is a different case from the one of the sum:\n\n$$ \\frac{\\partial}{\\partial z_k} e^{z_j} $$\n\nIt is 0 if $j \\neq k$ and $e^{z_j}$ if $j = k$. In the case of $j = k$, we substitute it into the quotient above and get:\n\n$$ = \\frac{e^{z_j} \\sum_l e^{z_l} - e^{z_j} e^{z_k}}{\\left(\\sum_l e^{z_l}\\right)^2} $$\n",
     ['definition', 'ok', 'not checkable']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ and $h(x) = \\frac{1}{1 + e^{-\\theta{^T} x}}$.\n\n$$ \\frac{\\partial p_i}{\\partial z_j} = \\begin{cases} - p_i p_j, & \\text {i $\\neq$ j} \\\\ p_i - p_i^2, & \\text{i = j} \\end{cases} $$\n\n$$ \\frac{\\partial p_i}{\\partial z_j} = \\begin{cases} - p_i p_j, & \\text {i $\\neq$ j} \\\\ p_i + p_i^2, & \\text{i = j} \\end{cases} $$\n\n$$ h(x) = \\frac{1}{1 + e^{-\\theta^T x}} $$\n',
     ['definition', 'definition', 'ok', 'wrong', 'ok']),
    ('Let $a = \\sigma(z)$ and $z = w x + b$.\n\n$$ \\frac{\\partial L}{\\partial z} = \\frac{\\partial L}{\\partial a} \\frac{\\partial a}{\\partial z} $$\n\n$$ \\frac{\\partial L}{\\partial w} = \\frac{\\partial L}{\\partial a} a (1 - a) x $$\n\n$$ \\frac{\\partial L}{\\partial w} = \\frac{\\partial L}{\\partial a} a (1 + a) x $$\n\n$$ \\frac{\\partial L}{\\partial a} = \\frac{a - y}{a (1 - a)} $$\n',
     ['definition', 'definition', 'ok', 'ok', 'not checkable', 'not checkable']),
    ('$$ \\dfrac{d}{dg}\\ln(u) = \\frac{1}{u} \\cdot \\dfrac{du}{dg} $$\n\n$$ \\dfrac{da}{db} = \\dfrac{da}{dc} \\cdot \\dfrac{dc}{db} $$\n\n$$ \\dfrac{da}{db} = \\dfrac{da}{dc} \\cdot \\dfrac{db}{dc} $$\n',
     ['ok', 'ok', 'not checkable']),
    ('Softmax is $p_j = \\frac{e^j}{\\sum_i e^i}$ and the loss is $L = -\\log p_k$.\n\n$$ \\frac{\\partial}{\\partial o_k}(-\\log(p_k)) = -\\frac{1}{p_k}\\frac{\\partial}{\\partial o_k}(p_k) $$\n\n$$ \\frac{\\partial}{\\partial o_k}(-\\log(p_k)) = \\frac{1}{p_k}\\frac{\\partial}{\\partial o_k}(p_k) $$\n',
     ['definition', 'definition', 'ok', 'not checkable']),
    ('Let $L_i = -y_i \\log p_i - (1 - y_i) \\log(1 - p_i)$ with $p_i = \\sigma(z_i)$, and\n\n$$ L = \\frac{1}{N} \\sum_{i=1}^{N} L_i $$\n\n$$ \\frac{\\partial L}{\\partial z_i} = \\frac{1}{N} (p_i - y_i) $$\n\n$$ \\frac{\\partial L}{\\partial z_i} = \\frac{1}{N} (y_i - p_i) $$\n',
     ['definition', 'definition', 'definition', 'ok', 'wrong']),
    ('Solve for $p$:\n\n$$ \\frac{p}{1 - p} = e^x \\Rightarrow p = e^x (1 - p) \\Rightarrow p (1 + e^x) = e^x $$\n\n$$ \\frac{p}{1 - p} = e^x \\Rightarrow p = e^x (1 + p) \\Rightarrow p (1 + e^x) = e^x $$\n',
     ['not checkable', 'ok', 'ok', 'not checkable', 'wrong', 'ok']),
    ('Let $p_j = \\frac{e^{z_j}}{\\sum_k e^{z_k}}$.\n\n$$ \\frac{\\partial p_j}{\\partial z_i} = \\frac{\\partial}{\\partial z_i} \\left( \\frac{e^{z_j}}{\\sum_k e^{z_k}} \\right) $$\n\nIf $i = j$,\n\n$$ = p_j (1 - p_j) $$\n\nAnd if $i \\neq j$,\n\n$$ = -p_j p_i $$\n\nAnd if $i \\neq j$ once more, with a slip,\n\n$$ = p_j p_i $$\n',
     ['definition', 'ok', 'ok', 'ok', 'wrong']),
    ('Let $p_i = \\sigma(z_i)$ with $z_i = w x_i + b$.\n\n$$ J = -\\sum_{i=1}^{n} \\left[ y_i \\log p_i + (1 - y_i) \\log(1 - p_i) \\right] $$\n\n$$ J_i = -\\left[ y_i \\log p_i + (1 - y_i) \\log(1 - p_i) \\right] $$\n\n$$ \\frac{\\partial J}{\\partial b} = \\sum_{i=1}^{n} \\frac{\\partial J_i}{\\partial z_i} = \\sum_{i=1}^{n} (p_i - y_i) $$\n\n$$ \\frac{\\partial J}{\\partial b} = \\sum_{i=1}^{n} (y_i - p_i) $$\n',
     ['definition', 'definition', 'definition', 'definition', 'ok', 'ok', 'wrong']),
    ('# Mean squared error\n\n$$ m = \\frac{1}{2} (x - y)^T (x - y) = \\frac{1}{2} (x^T x + y^T y - 2 x^T y) $$\n\n$$ m = \\frac{1}{2} (x - y)^T (x - y) = \\frac{1}{2} (x^T x + y^T y + 2 x^T y) $$\n\n# Softmax\n\nLet $s_i = \\frac{e^{x_i}}{\\sum_k e^{x_k}}$.\n',
     ['definition', 'ok', 'ok', 'wrong', 'definition']),
    ("Let $f = e^{z_k}$ and $g = \\sum_j e^{z_j}$.\n\n$$ f' = e^{z_k} $$\n\n$$ f' = 2 e^{z_k} $$\n\n$$ g' = e^{z_k} $$\n",
     ['definition', 'definition', 'ok', 'not checkable', 'not checkable']),
    ('Let $\\hat{p}_i = \\sigma(\\mathbf{w}^\\top \\mathbf{x}_i)$ and\n\n$$ \\mathcal{L} = -\\sum_{i=1}^n \\left[ y_i \\log \\hat{p}_i + (1 - y_i) \\log(1 - \\hat{p}_i) \\right] $$\n\n$$ \\nabla_{\\mathbf{w}} \\mathcal{L} = \\sum_{i=1}^n (\\hat{p}_i - y_i) \\mathbf{x}_i = \\mathbf{X}^\\top (\\hat{\\mathbf{p}} - \\mathbf{y}) $$\n\n$$ \\nabla_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X}^\\top (\\mathbf{y} - \\hat{\\mathbf{p}}) $$\n',
     ['definition', 'definition', 'ok', 'ok', 'wrong']),
    ('Let $\\hat{p}_i = \\sigma(\\mathbf{w}^\\top \\mathbf{x}_i)$ and\n\n$$ \\mathcal{L} = -\\sum_{i=1}^n \\left[ y_i \\log \\hat{p}_i + (1 - y_i) \\log(1 - \\hat{p}_i) \\right] $$\n\n$$ \\nabla_{\\mathbf{w}} \\mathcal{L} = \\sum_{i=1}^n (\\hat{p}_i - y_i) \\mathbf{x}_i = \\mathbf{X}^\\top (\\hat{\\mathbf{p}} - \\mathbf{y}) $$\n\n$$ \\nabla_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X}^\\top (\\mathbf{y} - \\hat{\\mathbf{p}}) $$\n\nLet $\\hat{\\mathbf{p}} = \\sigma(\\mathbf{X} \\mathbf{w})$.\n\n$$ \\nabla_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X}^\\top (\\mathbf{y} - \\hat{\\mathbf{p}}) $$\n',
     ['definition', 'definition', 'ok', 'ok', 'wrong', 'ok', 'wrong']),
    ('# Softmax regression\n\n## One sample\n\nLet $z_k = w_k x + b_k$, $\\hat{\\pi}_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$ and $\\mathcal{L} = -\\sum_k y_k \\log \\hat{\\pi}_k$, where $\\sum_k y_k = 1$.\n\n## Summary\n\n$$ \\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{b}} = \\hat{\\boldsymbol{\\pi}} - \\mathbf{y} $$\n\n$$ \\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{b}} = \\mathbf{y} - \\hat{\\boldsymbol{\\pi}} $$\n\n$$ \\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{b}} = \\frac{1}{N} \\sum_{i=1}^{N} (\\hat{\\boldsymbol{\\pi}}^{(i)} - \\mathbf{y}^{(i)}) $$\n',
     ['definition', 'definition', 'definition', 'definition', 'ok', 'wrong', 'not checkable']),
    ('Softmax is $p_j = \\frac{e^j}{\\sum_i e^i}$.\n\n$$ \\frac{1}{p_k} \\left( p_k - p_k^2 \\right) = 1 - p_k $$\n\n$$ \\frac{1}{p_k} \\left( p_k - p_k^2 \\right) = 1 + p_k $$\n\n$$ \\frac{\\partial}{\\partial o_k} \\log p_k = 0 $$\n',
     ['definition', 'ok', 'not checkable', 'not checkable']),
    ('Let $z_i = w^\\top x_i + b$, $p_i = \\sigma(z_i)$ and $J = -\\sum_{i=1}^n \\left[ y_i \\log p_i + (1 - y_i) \\log(1 - p_i) \\right]$.\n\nLet $X$ be the design matrix (rows $x_i^\\top$) and $p = \\sigma(Xw + b\\mathbf{1})$.\n\n$$ \\nabla_w J = X^\\top (p - y), \\qquad \\frac{\\partial J}{\\partial b} = \\mathbf{1}^\\top (p - y) $$\n\n$$ \\frac{\\partial J}{\\partial b} = \\mathbf{1}^\\top (p - y) + 1 $$\n\n$$ \\nabla_w J = X^\\top (y - p) $$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'ok', 'wrong', 'wrong']),
    ('Let $s_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ and $h = \\sum_k e^{z_k} = \\Sigma$.\n\n$$ \\frac{\\partial s_i}{\\partial z_j} = \\frac{1_{i=j} e^{z_i} \\Sigma - e^{z_i} e^{z_j}}{\\Sigma^2} = s_i (1_{i=j} - s_j) $$\n\n$$ \\frac{\\partial s_i}{\\partial z_j} = \\frac{1_{i=j} e^{z_i} \\Sigma + e^{z_i} e^{z_j}}{\\Sigma^2} $$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'wrong']),
    ('We write $e_i$ for $e^{x_i}$ and a bare sign for the sum.\n\n$$ \\frac{e_i \\sum - e_i e_i}{\\sum^2} = \\frac{e_i}{\\sum} \\left( \\frac{\\sum - e_i}{\\sum} \\right) $$\n\n$$ \\frac{e_i \\sum - e_i e_i}{\\sum^2} = \\frac{e_i}{\\sum} \\left( \\frac{\\sum + e_i}{\\sum} \\right) $$\n\n$$ e_i = e_j $$\n',
     ['ok', 'not checkable', 'not checkable']),
    ('Let $S = \\sum_{l=1}^{L} e^{z_l}$.\n\n$$ \\frac{\\partial S}{\\partial z_k} = 0 + 0 + \\cdots + e^{z_k} + \\cdots + 0 + 0 = e^{z_k} $$\n\n$$ \\frac{\\partial S}{\\partial z_k} = 0 + \\cdots + 2 e^{z_k} + \\cdots + 0 $$\n\n$$ \\frac{\\partial S}{\\partial z_k} = 1 + \\cdots + e^{z_k} + \\cdots + 1 $$\n',
     ['definition', 'ok', 'ok', 'wrong', 'not checkable']),
    ('Let $s(\\mathbb{x})_i = \\frac{ e^{x_i}}{\\sum_k e^{x_k}}$.\n\n$$ -s(\\mathbb{x})_is(\\mathbb{x})_j = -s(\\mathbb{x})_i s(\\mathbb{x})_j $$\n',
     ['definition', 'ok']),
    ('Let $\\sigma(\\mathbf{z})_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$.\n\nThe Jacobian matrix $\\mathbf{J}_\\sigma \\in \\mathbb{R}^{K \\times K}$ can be written as:\n\n$$ \\mathbf{J}_\\sigma = \\text{diag}(\\boldsymbol{\\sigma}) - \\boldsymbol{\\sigma} \\boldsymbol{\\sigma}^T $$\n\n$$ \\mathbf{J}_\\sigma = \\text{diag}(\\boldsymbol{\\sigma}) + \\boldsymbol{\\sigma} \\boldsymbol{\\sigma}^T $$\n\n$$ \\mathbf{v}^T \\mathbf{J}_\\sigma \\mathbf{v} = \\sum_i \\sigma_i v_i^2 - \\left(\\sum_i \\sigma_i v_i\\right)^2 $$\n\n$$ \\mathbf{v}^T \\mathbf{J}_\\sigma \\mathbf{v} = \\sum_i \\sigma_i v_i^2 + \\left(\\sum_i \\sigma_i v_i\\right)^2 $$\n\n$$ \\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{z}} = \\mathbf{J}_\\sigma^T \\frac{\\partial \\mathcal{L}}{\\partial \\boldsymbol{\\sigma}} $$\n\n$$ \\frac{\\partial \\mathcal{L}}{\\partial \\mathbf{z}} = 2 \\mathbf{J}_\\sigma^T \\frac{\\partial \\mathcal{L}}{\\partial \\boldsymbol{\\sigma}} $$\n',
     ['definition', 'ok', 'wrong', 'ok', 'not checkable', 'ok', 'not checkable']),
    ('Let $\\mathbf{A} \\in \\mathbb{R}^{K \\times K}$.\n\n$$ \\mathbf{A} = \\mathbf{A}^T $$\n\n$$ 2 \\mathbf{A} = \\mathbf{A} + \\mathbf{A} $$\n',
     ['not checkable', 'not checkable']),
    ('Let $z_i = w_1 x_{i1} + w_2 x_{i2} + b$ and $J = \\frac{1}{N} \\sum_{i=1}^{N} z_i^2$.\n\n$$ \\frac{d z_i}{d w_1} = \\frac{d}{d w_1} [w_1 x_{i1} + w_2 x_{i2} + b] = x_{i1} + 0 + 0 = x_{i1} $$\n\n$$ \\frac{d z_i}{d w_1} = x_{i2} $$\n\n$$ \\frac{d z_i}{d w_1} = \\frac{d}{d w_i} [w_1 x_{i1} + w_2 x_{i2} + b] $$\n',
     ['definition', 'definition', 'ok', 'ok', 'ok', 'wrong', 'not checkable']),
    ('Let $h(x)_i = x_i^2$.\n\n$$ h(x)^T v = \\sum_i x_i^2 v_i $$\n\n$$ h (x)^T = 0 $$\n',
     ['definition', 'not checkable', 'not checkable']),
    ('Let $s_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\nWhen $i \\neq j$:\n\n$$ \\frac{\\partial s_i}{\\partial z_j} = \\frac{- e^{z_i} e^{z_j}}{(\\sum_j e^{z_j})^2} $$\n\n$$ \\frac{\\partial s_i}{\\partial z_j} = \\frac{e^{z_i} e^{z_j}}{(\\sum_j e^{z_j})^2} $$\n\n# Off the diagonal\n\nThe derivative of $s_i$ with respect to $z_j$, where $j \\neq i$:\n\n$$ \\frac{\\partial s_i}{\\partial z_j} = -s_i s_j $$\n\n$$ \\frac{\\partial s_i}{\\partial z_j} = s_i s_j $$\n',
     ['definition', 'ok', 'wrong', 'ok', 'wrong']),
    ('$$ \\log\\left(\\sum_j e^{z_j}\\right) = \\log\\left(\\sum_j e^{z_j - z_{max}}\\right) + z_{max} $$\n\n$$ \\log\\left(\\sum_j e^{z_j}\\right) = \\log\\left(\\sum_j e^{z_j - z_{\\max}}\\right) - z_{\\max} $$\n\n$$ \\frac{e^{Z_i - \\max(\\{Z_i\\})}}{\\sum_k e^{Z_k - \\max(\\{Z_i\\})}} = \\frac{e^{Z_i}}{\\sum_k e^{Z_k}} $$\n\n$$ \\frac{e^{Z_i - max(Z_i)}}{\\sum_k e^{Z_k}} = \\frac{e^{Z_i}}{\\sum_k e^{Z_k}} $$\n',
     ['ok', 'not checkable', 'ok', 'wrong']),
    ('Let $\\hat{p}_i = \\sigma(\\mathbf{w}^\\top \\mathbf{x}_i)$ and\n\n$$ \\mathcal{L} = -\\sum_{i=1}^N \\left[ y_i \\log \\hat{p}_i + (1 - y_i) \\log(1 - \\hat{p}_i) \\right] $$\n\n$$ \\nabla^2_{\\mathbf{w}} \\mathcal{L} = \\sum_{i=1}^N \\hat{p}_i (1 - \\hat{p}_i) \\mathbf{x}_i \\mathbf{x}_i^\\top $$\n\nLet $\\mathbf{X} \\in \\mathbb{R}^{N \\times p}$ (rows $x_i^\\top$) and $\\mathbf{S} = \\text{diag}(\\hat{p}_i (1 - \\hat{p}_i)) \\in \\mathbb{R}^{N \\times N}$.\n\n$$ \\nabla^2_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X}^\\top \\mathbf{S} \\mathbf{X} $$\n\n$$ \\nabla^2_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X}^\\top \\mathbf{X} $$\n\n$$ \\nabla_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X}^\\top (\\hat{\\mathbf{p}} - \\mathbf{y}) $$\n\n$$ \\mathbf{X}^\\top \\mathbf{S} \\mathbf{X} = \\sum_{i=1}^N \\hat{p}_i (1 - \\hat{p}_i) \\mathbf{x}_i \\mathbf{x}_i^\\top $$\n',
     ['definition', 'definition', 'ok', 'definition', 'ok', 'wrong', 'ok', 'ok']),
    ('Let $\\hat{p}_i = \\sigma(\\mathbf{w}^\\top \\mathbf{x}_i)$ and\n\n$$ \\mathcal{L} = -\\sum_{i=1}^N \\left[ y_i \\log \\hat{p}_i + (1 - y_i) \\log(1 - \\hat{p}_i) \\right] $$\n\n$$ \\nabla^2_{\\mathbf{w}} \\mathcal{L} = \\sum_{i=1}^N \\hat{p}_i (1 - \\hat{p}_i) \\mathbf{x}_i \\mathbf{x}_i^\\top $$\n\nLet $\\mathbf{X} \\in \\mathbb{R}^{N \\times p}$ (rows $x_i^\\top$) and $\\mathbf{S} = \\text{diag}(\\hat{p}_i (1 - \\hat{p}_i)) \\in \\mathbb{R}^{N \\times N}$.\n\n$$ \\nabla^2_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X} \\mathbf{S} \\mathbf{X}^\\top $$\n\n$$ \\nabla^2_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X}^\\top \\mathbf{X} $$\n\n$$ \\nabla_{\\mathbf{w}} \\mathcal{L} = \\mathbf{X}^\\top (\\hat{\\mathbf{p}} - \\mathbf{y}) $$\n\n$$ \\mathbf{X}^\\top \\mathbf{S} \\mathbf{X} = \\sum_{i=1}^N \\hat{p}_i (1 - \\hat{p}_i) \\mathbf{x}_i \\mathbf{x}_i^\\top $$\n',
     ['definition', 'definition', 'ok', 'definition', 'not checkable', 'wrong', 'ok', 'ok']),
    ('We replace the error by\n$$\n\\begin{aligned}\n\\tag{2}\n    E_{n} ( { \\bf w } )\n        &= - ( t_{n} \\log y_{n} + (1 - t_{n}) \\log (1 - y_{n}) )\n\\end{aligned}\n$$\n\n$$\n\\begin{aligned}\nE( { \\bf w } ) &= \\frac{1}{N} \\sum_{n=0}^{N-1} E_{n} ( { \\bf w } )\n\\end{aligned}\n$$\n\n$$ \\frac{\\partial}{\\partial w_{0}} E({\\bf w}) = \\frac{1}{N} \\sum_{n=0}^{N-1} \\frac{\\partial}{\\partial w_{0}} E_{n}({\\bf w}) $$\n\n$$ \\frac{\\partial}{\\partial w_{0}} E({\\bf w}) = \\sum_{n=0}^{N-1} \\frac{\\partial}{\\partial w_{0}} E_{n}({\\bf w}) $$\n\n$$ \\frac{\\partial}{\\partial w_{0}} E_{n}({\\bf w}) = y_n - t_n $$\n',
     ['not checkable', 'definition', 'ok', 'not checkable', 'not checkable']),
    ('Let $s_i = \\frac{e^{x_i - x_{max}}}{\\sum_j e^{x_j - x_{max}}}$ with $x_{max} = \\max(x)$. The denominator has a term with $x_k = x_{max}$, so it is at least 1.\n\n$$ x_k = x_{max} $$\n',
     ['definition', 'definition', 'not checkable', 'wrong']),
    ('Let $J(\\mathbf{w}; \\mathbf{x}_i, y_i) = -(y_i \\log \\hat{y}_i + (1 - y_i) \\log(1 - \\hat{y}_i))$ with $\\hat{y}_i = \\sigma(\\mathbf{w}^T \\mathbf{x}_i)$.\n\n$$ \\frac{\\partial J(\\mathbf{w}; \\mathbf{x}_i, y_i)}{\\partial \\hat{y}} = -\\frac{y}{\\hat{y}} + \\frac{1 - y}{1 - \\hat{y}} $$\n',
     ['definition', 'definition', 'not checkable']),
    ("Let $f(z_j) = e^{z_j}$ and $g(z) = \\sum_{c} e^{z_c}$, and $p_j = \\frac{e^{z_j}}{\\sum_c e^{z_c}}$.\n\n$$ \\frac{\\partial p_j}{\\partial z_i} = \\frac{f'(z_i) g(z) - f(z_j) g'(z_i)}{g(z)^2} $$\n\n**Case 2: i ≠ j** (the numerator does not depend on $z_i$)\n\n$$ \\frac{\\partial p_j}{\\partial z_i} = \\frac{0 - e^{z_j} e^{z_i}}{g(z)^2} = -p_j p_i $$\n\n$$ \\frac{\\partial p_j}{\\partial z_i} = p_j p_i $$\n\nWith logits $z = (2.0, 1.0, 0.1)$, first $z - \\max(z) = (0, -1, -1.9)$.\n",
     ['definition', 'definition', 'definition', 'not checkable', 'ok', 'ok', 'wrong', 'definition', 'not checkable']),
    ('$$ \\sigma^{-1}(y) = \\log \\frac{y}{1 - y} $$\n\n$$ \\sigma^{-1}(y) = \\log \\frac{1 - y}{y} $$\n\nLet $u = 1 + e^{-z}$, so that $\\sigma(z) = u^{-1}$.\n\n$$ \\frac{d\\sigma(z)}{dz} = \\frac{d\\sigma}{du} \\cdot \\frac{du}{dz} $$\n\n$$ \\frac{d}{dz}(1) = 0 $$\n',
     ['ok', 'wrong', 'definition', 'ok', 'not checkable', 'ok']),
    ('Let $\\sigma(z) = \\frac{1}{1 + e^{-z}}$ and $u = 1 + e^{-z}$, so that $\\sigma(z) = u^{-1}$.\n\n$$ \\frac{d\\sigma(z)}{dz} = \\frac{d\\sigma}{du} \\cdot \\frac{du}{dz} = -u^{-2} \\cdot \\frac{du}{dz} $$\n',
     ['definition', 'definition', 'ok', 'ok', 'ok']),
    ('$$\\left[ \\sigma(z) = \\frac{1}{1 + e^{-z}} \\right]$$\n\n$$\\left[ \\frac{d\\sigma}{dz} = \\sigma(1 - \\sigma) \\right]$$\n\n$$\\left[ \\frac{d\\sigma}{dz} = \\sigma(1 + \\sigma) \\right]$$\n\n$$\n\\begin{cases}\n\\sigma(0) = \\frac{1}{2} \\\\\n1 - \\sigma(z) = \\sigma(-z)\n\\end{cases}\n$$\n\n$$ \\mathcal{L} = \\sum_i L(g(xᵢ), yᵢ) $$\n\n$$\nV(a, y) = \\begin{cases} a & \\text{si $y = 1$} \\\\ 1 - a & \\text{sinon} \\end{cases}\n$$\n\n$$ L(a, y) = -\\log(V(a, y)) $$\n\n$$ L(1.0, 1) = -\\log(1.0) = 0 $$\n\n$$ L(0.0, 1) = -\\log(0.0) = +\\infty $$\n',
     ['definition', 'ok', 'wrong', 'ok', 'ok', 'not checkable', 'definition', 'definition', 'ok', 'ok', 'not checkable', 'not checkable']),
    ('Let $z^{L}_c = \\sum_j W^{L}_{cj} a^{L-1}_j$ and $\\mathcal{L} = -\\sum_c y_c \\log \\hat{y}_c$ with $\\hat{y}_c = \\text{softmax}(z^{L}_c)$.\n\n$$ \\frac{\\partial z^{L}_c}{\\partial W^{L}_{cj}} = a^{L-1}_j $$\n\n$$ \\frac{\\partial z^{L}_c}{\\partial W^{L}_{cj}} = a^{L}_j $$\n\n$$ \\frac{\\partial \\hat{y}_i}{\\partial z^{L}_j} = \\hat{y}_i (\\delta_{ij} - \\hat{y}_j) $$\n\n# Binary aside\n\nFor $K = 2$ classes, $p_1 = \\frac{e^{z_1}}{e^{z_1} + e^{z_2}}$.\n\n# Example\n\nTake $K = 3$ classes. Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$. For the off-diagonal case ($i \\neq j$):\n\n$$ \\frac{\\partial p_i}{\\partial z_j} = -p_i p_j $$\n\n$$ \\frac{\\partial p_1}{\\partial z_2} = -p_1 p_2 $$\n\n$$ p - y = (0.659 - 1, 0.242 - 0, 0.099 - 0) = (-0.341, 0.242, 0.099) $$\n',
     ['definition', 'definition', 'definition', 'not checkable', 'not checkable', 'ok', 'definition', 'definition', 'ok', 'ok', 'not checkable', 'ok']),
    ('Let $z = f(y)$ and $y = g(x)$.\n\n$$ \\frac{dz}{dx} = \\frac{dz}{dy} \\cdot \\frac{dy}{dx} $$\n\n$$ \\frac{dz}{dx} = \\frac{dz}{dy} + \\frac{dy}{dx} $$\n\n$$ \\frac{d}{dx} f(g(x)) = f(g(x)) g(x) $$\n',
     ['definition', 'definition', 'ok', 'not checkable', 'not checkable']),
    ('$$\n\\mathcal{J}(w,0)=2\\log(1+e^{-w})\\longrightarrow 0\\quad\\text{as }w\\longrightarrow\\infty.\n$$\n',
     ['not checkable']),
    ('# LSE\n\nLet $f = \\log{\\sum_{i=1}^n \\exp(z_i - m) + m}$ where $m$ is a constant.\n\n$$\nf = \\log{\\sum_{i=1}^n \\exp(z_i - m)} + m = \\log{\\sum_{i=1}^n \\exp(z_i)}\n$$\n\n$$\ng = \\log{2 + z_1} = \\log(2 + z_1)\n$$\n\n$$\nh = \\log{2 + z_1} = \\log(3 + z_1)\n$$\n',
     ['definition', 'ok', 'ok', 'definition', 'ok', 'definition', 'wrong']),
    ('# Stable log-sum-exp\n\n$$\n\\begin{align*}\nz &\\in \\mathbb{R}^n\\\\\nz_k &= \\max{z}\\\\\nf &= \\log{\\sum_{i=1}^n \\exp{(z_i - \\max{z})}} + \\max{z}\\\\\n&= \\log{\\sum_{i=1}^n \\exp(z_i - \\max{z})} + z_k\\\\\n&= \\log{\\sum_{i=1}^n \\exp(z_i - z_k)} + z_k\\\\\n&= \\log{\\sum_{i=1}^n \\exp(z_i)}\\\\\n&= \\log{\\sum_{i=1}^n \\exp(2 z_i)}\n\\end{align*}\n$$\n\nWhen $z_j \\neq z_k$:\n\n$$\n\\begin{align*}\n\\frac{\\partial f}{\\partial z_j} &= \\frac{\\exp(z_j)}{\\sum_{i=1}^n \\exp(z_i)}\\\\\n&\\text{note that here } z_j \\neq z_k\\\\\n&= \\frac{\\exp(z_j - z_k)}{\\sum_{i=1}^n \\exp(z_i - z_k)}\n\\end{align*}\n$$\n\n## Uniform\n\nWhen $p$ is uniform, i.e. $p(1) = p(2) = \\cdots = p(K)$, the entropy is largest, and $p_1 = p_2 = \\cdots = p_K = \\frac{1}{K}$.\n',
     ['definition', 'definition', 'not checkable', 'not checkable', 'ok', 'wrong', 'ok', 'ok', 'not checkable', 'not checkable', 'not checkable', 'not checkable', 'not checkable', 'not checkable', 'not checkable']),
    ('# Logistic loss\n\nLet $\\sigma(t) = \\frac{1}{1 + e^{-t}}$, $t_i = w^\\top x_i + b$ and $p_i = \\sigma(t_i)$.\n\n$$\n\\ell(w,b) = \\sum_{i=1}^n \\big[ y_i\\log p_i + (1-y_i)\\log(1-p_i) \\big]\n$$\n\n- $\\{0,1\\}$ labels: $\\ell(w,b) = \\sum_i \\big[ y_i\\log \\sigma(t_i) + (1-y_i)\\log(1-\\sigma(t_i)) \\big]$.\n- $\\{-1,+1\\}$ labels: using $y_i\\in\\{-1,+1\\}$, $\\ell(w,b) = \\sum_i \\log \\sigma(y_i t_i)$.\n',
     ['definition', 'definition', 'definition', 'definition', 'ok', 'not checkable']),
    ('# Chain rule\n\nPut $z_i = w_0 + w_1x_1 + w_2x_2$.\n\n$$\\frac{dz_i}{dw_0} = 1 (5)$$\n\n$$\\frac{dz_i}{dw_1} = x_1 (6)$$\n\n$$\\frac{dz_i}{dw_2} = x_1 (7)$$\n\n$$\\frac{dz_i}{dw_2} = x_2 (8)$$\n',
     ['definition', 'ok', 'ok', 'wrong', 'ok']),
    ('# Softmax\n\n$$\n\\sigma_i = \\frac{e^{z_{i}}}{\\sum^k_{j=1} e^{z_{j}}}\n$$\n\n$$\n\\frac{\\partial \\sigma_i}{\\partial z_{s}} = \\frac{ \\frac{\\partial e^{z_{i}}}{\\partial z_{s}} (\\sum^k_{j=1} e^{z_{j}}) - \\frac{\\partial (\\sum^k_{j=1} e^{z_{j}})}{\\partial z_{s}} e^{z_{i}}  }{(\\sum^k_{j=1} e^{z_{j}})^2}\n$$\n\n$$\nif \\  s = i,  \\\\\n=   \\frac{ e^{z_{i}} * (\\sum^k_{j=1} e^{z_{j}}) - e^{z_{i}} * e^{z_{i}}  }{(\\sum^k_{j=1} e^{z_{j}})^2}  \\\\\n= \\sigma_i * (1 - \\sigma_i) \\\\\n= \\sigma_i * (1 + \\sigma_i)\n$$\n\n$$\nif \\  s \\neq i,  \\\\\n=   \\frac{ 0 -  e^{z_{s}} * e^{z_{i}}  }{(\\sum^k_{j=1} e^{z_{j}})^2}  \\\\\n= - \\sigma_s \\sigma_i \\\\\n= \\sigma_s \\sigma_i\n$$\n',
     ['definition', 'ok', 'ok', 'ok', 'wrong', 'ok', 'ok', 'wrong']),
    ('# Softmax\n\nLet $s_j = \\frac{e^{x_j}}{\\sum_{l} e^{x_l}}$.\n\nFor not $i$ th item, denote by $z$\n\n$$\n\\frac{\\partial s_z}{\\partial x_i} = 0 - \\frac{e^{x_z} e^{x_i}}{(\\sum_{l} e^{x_l})^2} = - s_z s_i\n$$\n\nThe same, said for every pair:\n\n$$\n\\frac{\\partial s_j}{\\partial x_i} = - s_j s_i\n$$\n',
     ['definition', 'not checkable', 'ok', 'wrong']),
    ('# Two layers\n\nLet $a^2_{s} = x^1_{s,1} w^2_{1} + x^1_{s,2} w^2_{2}$ where $x^1_{s,j} = x^0_{s,1} w^1_{1,j} + x^0_{s,2} w^1_{2,j}$.\n\n$$\n\\frac{\\partial a^2_{s}}{\\partial w^2_{1}} = x^1_{s,1}\n$$\n\n$$\n\\frac{\\partial a^2_{s}}{\\partial w^1_{1,1}} = w^2_{1} x^0_{s,1}\n$$\n\n$$\n\\frac{\\partial a^2_{s}}{\\partial w^1_{1,1}} = w^1_{1,1} x^0_{s,1}\n$$\n',
     ['definition', 'definition', 'ok', 'ok', 'not checkable']),
    ('# Softmax\n\nLet $a_{i} = \\frac{e^{z_{i}}}{\\sum_k e^{z_k}}$.\n\n$$\\frac{\\partial a_j}{\\partial z_i} = -a_j a_i,$$ where $j \\neq i$.\n\n$$\\frac{\\partial a_j}{\\partial z_i} \\stackrel{a \\text{ def}}{=} \\frac{\\partial}{\\partial z_i} \\left( \\frac{e^{z_j}}{\\sum_k e^{z_k}} \\right) \\stackrel{\\text{quotient rule}}{=} \\frac{-e^{z_j} e^{z_i}}{\\left( \\sum_k e^{z_k} \\right) ^ 2} = -a_j a_i. \\quad \\blacksquare$$\n\n$$\\frac{\\partial a_j}{\\partial z_i} \\stackrel{\\text{quotient rule}}{=} \\frac{e^{z_j} e^{z_i}}{\\left( \\sum_k e^{z_k} \\right) ^ 2}. \\quad \\blacksquare$$\n\n# Without the condition\n\n$$\\frac{\\partial a_j}{\\partial z_i} = -a_j a_i$$\n',
     ['definition', 'ok', 'ok', 'ok', 'ok', 'wrong', 'wrong']),
    ('# Likelihood\n\nLet $\\sigma(t) = \\frac{1}{1 + e^{-t}}$.\n\n$$\np(y_1, \\dots, y_n \\lvert x_1, \\dots, x_n) = \\prod_{i=1}^n \\sigma(w^\\top x_i)^{y_i}(1-\\sigma(w^\\top x_i))^{1-y_i}\n$$\n\n$$\n\\begin{align}\nJ &= \\log p(y_1, \\dots, y_n \\lvert x_1, \\dots, x_n) \\\\\n&= \\sum_{i=1}^n \\log \\sigma(w^\\top x_i)^{y_i}(1-\\sigma(w^\\top x_i))^{1-y_i} \\\\\n&= \\sum_{i=1}^n \\log \\sigma(w^\\top x_i)^{y_i} + \\log (1-\\sigma(w^\\top x_i))^{1-y_i} \\\\\n&= \\sum_{i=1}^n y_i \\log \\sigma(w^\\top x_i) + (1-y_i) \\log (1-\\sigma(w^\\top x_i)) \\\\\n&= \\sum_{i=1}^n y_i \\log \\sigma(w^\\top x_i) + (1+y_i) \\log (1-\\sigma(w^\\top x_i))\n\\end{align}\n$$\n\n$$\n\\frac{\\partial J}{\\partial w} = \\sum_{i=i}^{n} (y_i - \\sigma(w^\\top x_i)) x_i\n$$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'ok', 'wrong', 'not checkable']),
    ('# Loss\n\nIn linear regression we use $L(\\hat{y},y)=\\frac{1}{2}(y-\\hat{y})^2$, but here the cross-entropy:\n$$\nL(\\hat{y},y)=-y\\log(\\hat{y})-(1-y)\\log(1-\\hat{y})\n$$\n当y=1时，$L=-\\log(\\hat{y})$，同理，y=0时，$L=-\\log(1-\\hat{y})$。\n\nWhen $y = 1$, $L = \\log(\\hat{y})$.\n',
     ['definition', 'not checkable', 'ok', 'ok', 'wrong']),
    ('# Sigmoid\n\n$$\n\\sigma(x) = \\frac{g(x)}{h(x)}\n$$\n\nwhere\n\n$$\ng(x) = 1, \\quad h(x) = 1 + e^{-x}\n$$\n\n# Tanh\n\n$$\n\\tanh(x) = \\frac{g(x)}{h(x)}\n$$\n\nwhere\n\n$$\ng(x) = e^x - e^{-x}, \\quad h(x) = e^x + e^{-x}\n$$\n\n$$\n\\tanh(x) = \\frac{g(x)}{h(x) + 1}\n$$\n',
     ['definition', 'definition', 'definition', 'not checkable', 'definition', 'definition', 'wrong']),
    ('# Cost\n\nOur target vector $y$ is one-hot. For a single example the cost is $C = -\\sum_i y_i \\ln a_{i}$, with $a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$, and it simplifies to $C = -\\ln a_j$, where $j$ is the index of the element of $y$ that is hot.\n\n$$\n\\frac{\\partial C}{\\partial z_i} = \\frac{\\partial}{\\partial z_i} \\left( - \\sum_k y_k \\ln a_k \\right)\n$$\n\nThe gradient by the weights, with $\\sigma$ never said:\n\n$$\n\\nabla_w \\sigma = \\sigma (1 - \\sigma) w\n$$\n',
     ['definition', 'definition', 'not checkable', 'not checkable', 'not checkable']),
    ('# Power\n\n$$\\begin{aligned}\nz = x^y\n\\\\\\\\\n\\frac{\\partial{z}}{\\partial{x}} = yx^{y-1}\n\\\\\\\\\n\\frac{\\partial{z}}{\\partial{x}} = xy^{x-1}\n\\end{aligned}$$\n\n# Attention\n\nWith $S = QK^T$, note that $QK^T = KQ^T$.\n',
     ['definition', 'ok', 'wrong', 'definition', 'not checkable']),
    ("# Tanh\n\n$$\n\\begin{aligned}\n\\tanh'(x) &= \\frac{(e^x + e^{-x})^2 - (e^x - e^{-x})^2}{(e^x + e^{-x})^2} \\\\\n&= 1 - \\tanh^2(x) \\\\\n&= 1 + \\tanh^2(x)\n\\end{aligned}\n$$\n\n# Sigmoid\n\nLet $\\sigma(x) = \\frac{1}{1 + e^{-x}}$.\n\n$$\n\\frac{d\\left[ \\frac{1}{\\sigma(x)} \\right]}{dx} = [\\sigma(x)^{-1}]' = -\\sigma(x)^{-2} \\sigma'(x) = \\sigma(x)^{-2} \\sigma'(x)\n$$\n",
     ['ok', 'ok', 'wrong', 'definition', 'ok', 'ok', 'wrong']),
    ('# Skip-gram\n\nLet $\\hat{y}_w = \\frac{e^{u_w^T v_c}}{\\sum_{x \\in Vocab} e^{u_x^T v_c}}$, $y$ one-hot with $y_o = 1$.\n\n$$\n-\\sum_{w \\in Vocab} y_{w} \\log \\hat{y}_{w} = -\\log \\hat{y}_{o}\n$$\n\n$$\n-\\sum_{w \\in Vocab} y_{w} \\log \\hat{y}_{w} = -\\log \\hat{y}_{w}\n$$\n\n$$\n\\sum_{x \\in \\mathcal{X}} p(x) = \\sum_{k} p(k)\n$$\n',
     ['definition', 'ok', 'not checkable', 'ok']),
    ("# Softmax\n\nLet $p_k = \\frac{e^{z_k}}{\\sum_{k'} e^{z_{k'}}}$.\n\n$$\\frac{\\partial p_k}{\\partial z_{k'}} = \\frac{e^{z_k} \\delta_{kk'} \\sum_{j} e^{z_j} - e^{z_k} e^{z_{k'}}}{(\\sum_{j} e^{z_j})^2} = p_k (\\delta_{kk'} - p_{k'})$$\n\n$$\\frac{\\partial p_k}{\\partial z_{k'}} = p_k (\\delta_{kk'} - p_{k})$$\n",
     ['definition', 'ok', 'ok', 'wrong']),
    ('# Log-sum-exp\n\n$$\nx_{max} = \\max(x)\\\\\n\\begin{align}\n\\log \\sum_j e^{x_j} &= x_{max} + \\log\\sum_j \\exp(x_j - x_{max}) \\\\\n&= x_{max} - \\log\\sum_j \\exp(x_j - x_{max}) \\\\\n\\end{align}\n$$\n',
     ['definition', 'ok', 'wrong']),
    ("# Softmax\n\nLet $a_j = \\frac{e^{z_j}}{\\sum_k e^{z_k}}$.\n\n$$\\frac{\\partial a_j}{\\partial z_j} = \\left( \\frac{e^{z_j}}{\\sum_k e^{z_k}}\\right)_{z_j}^{'} = a_j(1 - a_j)$$\n\n$$\\frac{\\partial a_j}{\\partial z_j} = \\left( \\frac{e^{z_j}}{\\sum_k e^{z_k}}\\right)'_{z_j} = a_j(1 + a_j)$$\n",
     ['definition', 'ok', 'ok', 'ok', 'wrong']),
    ('# Softmax\n\nLet $a_i = \\frac{e^{z_i}}{\\sum_{k=1}^q e^{z_k}}$, and $y$ is one-hot.\n\n$$\\frac{\\partial a_j}{\\partial z_i} = -a_i a_j, \\quad j \\neq i$$\n\n$$-y_i(1-a_i)+\\sum _{j=1,j\\neq i}^q y_j a_i = -y_i +a_i \\sum _{j=1}^q y_j$$\n\n$$-y_i(1-a_i)+\\sum _{j=1,j\\neq i}^q y_j a_i = -y_i +a_i \\sum _{j=1}^q y_j a_j$$\n\n$$\\sum_{z_k \\neq z_i} e^{z_k - z_i} = \\frac{1}{a_i} - 1$$\n\n$$\\sum\\limits_{k!=i}^{q} a_k = 1 - a_i$$\n\n$$\\sum\\limits_{k!=i}^{q} a_k = 1 + a_i$$\n',
     ['definition', 'ok', 'ok', 'wrong', 'ok', 'ok', 'wrong']),
    ('# Loss\n\nLet $g(x) = \\sigma(w x + b)$ and\n$$V(a, y) = \\begin{cases} a & \\text{if } y = 1 \\\\ 1 - a & \\text{if } y = 0 \\end{cases}$$\n\n$$L(a, y) = -\\log(V(a, y))$$\n\n$$L(g(x), y) = -\\log\\left[g(x)×y + (1-g(x))×(1-y)\\right]$$\n\n$$L(g(x), y) = -\\log\\left[g(x)y + (1-g(x))y\\right]$$\n\n$$\\frac{\\partial L(g(x), y)}{\\partial w} = (g(x)-y)x$$\n\n$$\\frac{\\partial L(g(x), y)}{\\partial b} = (y - g(x))$$\n',
     ['definition', 'definition', 'definition', 'ok', 'wrong', 'ok', 'wrong']),
    ('# Softmax\n\nLet $s_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}$.\n\nFor not $i$ th item, denote by $z$\n\n$$\\frac{\\partial s_z}{\\partial x_i} = - s_z s_i$$\n\nThen overall\n\n$$\\sum_j \\frac{\\partial s_j}{\\partial x_i} = s_i - s_i^2 + \\sum_{j \\neq i} - s_z s_i$$\n\n# A slip\n\n$$\\sum_k e^{x_k} = \\sum_k e^{x_j}$$\n\n# Another slip\n\nHere the i-th sample:\n\n$$\\frac{e^{x_i}}{\\sum_l e^{x_l}} = \\frac{\\sum_l e^{x_i}}{\\sum_l e^{x_l}}$$\n',
     ['definition', 'not checkable', 'not checkable', 'wrong', 'wrong']),
    ("# Plain\n\nLet $p_i = exp(z_i) / Σ_j exp(z_j)$ and $L = -Σ_j y_j × log(p_j)$, and $y$ is one-hot.\n\n$$dL/dp_j = -y_j / p_j$$\n\n$$dp_i/dz_i = p_i × (1 - p_i)$$\n\n$$dL/dz_i = Σ_j (-y_j / p_j) × (dp_j/dz_i)$$\n\n$$-y_i + p_i × Σ_j y_j = -y_i + p_i × 1$$\n\n$$sigma'(z) = sigma(z) * [ 1 - sigma(z) ]$$\n\n$$∂L/∂z_i = p_i - y_i$$\n\n$$ŷ = sigma(z)$$\n\n$$∂L/∂z_i = y_i - p_i$$\n",
     ['definition', 'definition', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'definition', 'wrong']),
    ('# Softmax in plain text\n\n```\np_i = exp(z_i) / Σ_j exp(z_j)\n```\n\nWhen `j != i`:\n```\ndp_j/dz_i = -p_j × p_i\n```\n\nWhen `j = i`:\n```\ndp_i/dz_i = p_i × (1 + p_i)\n```\n\nCode that is not maths:\n\n```\nw = w - lr * grad\nloss = F.cross_entropy(logits, y)\ntotal = 2 * total\n```\n\nThe update `W := W - lr * g` and the call `softmax(z) == p` are code too.\n',
     ['definition', 'ok', 'wrong']),
    ("# Skip-gram\n\nFor the scores $u$, let $y_j = \\frac{\\exp(u_j)}{\\sum_{j'=1}^{V}\\exp(u_{j'})}$ and $E = -u_{j^*} + \\log\\sum_{j'=1}^{V}\\exp(u_{j'})$, where $t_j=\\mathbb{1}\\left(j=j^*\\right)$.\n\n$$\\frac{\\partial E}{\\partial u_j} = y_j - t_j$$\n\n$$\\frac{\\partial E}{\\partial u_{j^*}} = y_{j^*} - 1$$\n\n$$\\frac{\\partial E}{\\partial u_{j^*}} = y_{j^*} + 1$$\n\n$$w^* = w^*$$\n",
     ['definition', 'definition', 'definition', 'ok', 'ok', 'wrong', 'ok']),
    ('# Minimum of cross-entropy\n\n$$ H(p,q) = -\\sum_{i} p_i \\log q_i $$\n\n$$ -\\frac{p_i}{q_i} + \\lambda = 0 $$\n\n$$ p_i = \\lambda q_i $$\n\n$$ \\Rightarrow \\lambda = 1 $$\n\n# Convexity\n\n$$ \\frac{\\partial H}{\\partial q_i} = -\\frac{p_i}{q_i} $$\n\n$$ \\frac{\\partial H}{\\partial q_i} = \\frac{p_i}{q_i} $$\n',
     ['definition', 'not checkable', 'not checkable', 'not checkable', 'ok', 'wrong']),
    ('# Running mean\n\n$$w_{k}=\\frac{1}{k}\\sum_{i=1}^{k} x_i$$\n\n$$w_{k+1}=\\frac{1}{k+1}(\\sum_{i=1}^{k}x_i+x_{k+1}) = \\frac{1}{k+1}(k w_k + x_{k+1})$$\n\n$$w_{k+1}=\\frac{1}{k+1}(\\sum_{i=1}^{k}x_i+x_k)$$\n',
     ['definition', 'ok', 'ok', 'wrong']),
    ('# Cross-entropy\n\nLet $\\hat{y}_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$. And only k-th dimension of $y$ is 1, so\n\n$$s = - \\sum_{i} y_i \\log(\\hat{y}_i) = -\\log(\\hat{y}_k)$$\n\n# Without the words\n\n$$- \\sum_{i} y_i \\log(\\hat{y}_i) = -\\log(\\hat{y}_k)$$\n',
     ['definition', 'definition', 'not checkable', 'wrong']),
    ('# Likelihood\n\nLet $\\mu_n = \\sigma(\\bm{w}^T\\bm{x}_n)$.\n\n$$l(\\bm{w}) = -\\sum_{n = 1}^{N} \\left\\\\{ y_n \\log \\mu_n + (1 - y_n) \\log (1 - \\mu_n) \\right\\\\}$$\n\n$$\\frac{\\partial l}{\\partial w_j} = \\sum_{n = 1}^{N} ( \\mu_n - y_n )x_{nj}$$\n\n$$\\frac{\\partial l}{\\partial w_j} = \\sum_{n = 1}^{N} ( y_n - \\mu_n )x_{nj}$$\n',
     ['definition', 'definition', 'ok', 'wrong']),
    ('# Cross-entropy\n\nLet $\\hat{y}_i = \\frac{e^{\\theta_i}}{\\sum_j e^{\\theta_j}}$ and $J = CE(y, \\hat{y})$, where $y$ is one-hot.\n\n$$J = -\\sum_i y_i \\log \\hat{y}_i$$\n\n$$\\frac{\\partial J}{\\partial \\theta_i} = \\hat{y}_i - y_i$$\n\n$$\\frac{\\partial J}{\\partial \\theta_i} = y_i - \\hat{y}_i$$\n\n$$\\text{CE}(\\hat{y}, y) = -\\sum_i y_i \\log \\hat{y}_i$$\n\n$$CE(y, \\hat{y}) = -\\sum_i \\hat{y}_i \\log y_i + 1$$\n',
     ['definition', 'definition', 'ok', 'ok', 'wrong', 'definition', 'wrong']),
    ('Let $CE(p) = -\\log(p)$.\n\n$$\\frac{d}{dp} CE(p) = -\\frac{1}{p}$$\n\n$$\\frac{d}{dp} CE(p) = \\frac{1}{p}$$\n',
     ['definition', 'ok', 'wrong']),
    ('# Data\n\n$$X = \\begin{pmatrix} x_1^T \\\\ \\vdots \\\\ x_N^T \\end{pmatrix}$$\n\nLet $\\mu_n = \\sigma(w^T x_n)$ and $l = -\\sum_{n=1}^N [y_n \\log \\mu_n + (1 - y_n)\\log(1 - \\mu_n)]$.\n\n$$\\frac{\\partial l}{\\partial w} = X^T (\\mu - y)$$\n\n# Components\n\n$$z = (z_1, z_2, z_3)$$\n\n$$\\sum_{k=1}^{3} z_k = z_1 + z_2 + z_3$$\n',
     ['definition', 'definition', 'definition', 'not checkable', 'ok', 'ok']),
    ('# Likelihood of one sample\n\nLet $p_i = \\sigma(z_i)$ and\n$$V(a, y) = \\begin{cases} a & \\text{if } y = 1 \\\\ 1 - a & \\text{if } y = 0 \\end{cases}$$\n\n$$-\\log V(p_i, y_i) = -y_i \\log p_i - (1 - y_i)\\log(1 - p_i)$$\n\n$$-\\log V(p_i, y_i) = -y_i \\log p_i + (1 - y_i)\\log(1 - p_i)$$\n',
     ['definition', 'definition', 'ok', 'wrong']),
    ('- $f(x,y)=xy, \\ \\ \\ \\to \\ \\ \\ \\frac{\\partial f}{\\partial x}=y, \\ \\frac{\\partial f}{\\partial y}=x$\n\n- $f(x,y)=x+y, \\ \\ \\ \\to \\ \\ \\ \\frac{\\partial f}{\\partial x}=1, \\ \\frac{\\partial f}{\\partial y}=1$\n\n- $f(x,y)=max(x,y), \\ \\ \\ \\to \\ \\ \\ \\frac{\\partial f}{\\partial x}=1(x \\ge y), \\ \\frac{\\partial f}{\\partial y}=1(y \\ge x)$\n\n$$\\frac{\\partial f}{\\partial q_k} = 2 q_k, \\quad x_j = 1$$\n',
     ['definition', 'not checkable', 'not checkable', 'definition', 'ok', 'ok', 'not checkable', 'not checkable', 'not checkable', 'not checkable', 'definition']),
    ('# Two outputs\n\nLet $q = [q_1, q_2]^T$, where $q_k = \\sum_j W_{k,j} x_j$.\n\n$$\\frac{\\partial q_k}{\\partial W_{i,j}}=1_{k=i}x_j$$\n\n$$\\sum_k(2q_k)(1_{k=i}x_j) = 2q_ix_j$$\n\n$$\\sum_k(2q_k)(1_{k=i}x_j) = q_ix_j$$\n',
     ['ok', 'definition', 'ok', 'ok', 'wrong']),
    ('# One-hot\n\nThe label $d$ becomes the vector $y$:\n\n$$y_k = \\begin{cases} 1 & k = d \\\\ 0 & k \\neq d \\end{cases}$$\n\nLet $p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$ and $L = -\\sum_k y_k \\log p_k$.\n\n$$L = -\\log p_d$$\n\n$$\\frac{\\partial L}{\\partial z_d} = p_d - 1$$\n\n$$\\frac{\\partial L}{\\partial z_d} = 1 - p_d$$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'wrong']),
    ('Let $\\sigma(x) = \\frac{1}{1 + e^{-x}}$.\n\n$$\\frac{d \\sigma(0)}{d x} = 0.25$$\n\n$$\\frac{d \\sigma(0)}{d x} = 0.5$$\n',
     ['definition', 'ok', 'wrong']),
    ('Let $p = \\mathrm{softmax}(z)$ and $L = -\\sum_k y_k \\log p_k$.\n\n$$\\frac{\\partial L}{\\partial z} = \\begin{bmatrix} p_1 - y_1 \\\\ \\vdots \\\\ p_K - y_K \\end{bmatrix} = p - y$$\n\n$$\\frac{\\partial L}{\\partial z} = \\begin{pmatrix} p_1 - y_1 & \\cdots & p_K - y_K \\end{pmatrix}^T$$\n\n$$\\frac{\\partial L}{\\partial z} = \\begin{bmatrix} p_1 - y_1 \\\\ p_2 - y_2 \\\\ \\vdots \\\\ p_K - y_K \\end{bmatrix}$$\n\n$$\\frac{\\partial L}{\\partial z} = \\begin{bmatrix} p_1 - y_1 \\\\ \\vdots \\\\ p_K - y_1 \\end{bmatrix}$$\n\n$$\\frac{\\partial L}{\\partial z} = \\begin{bmatrix} p_1 - y_1 \\\\ p_2 + y_2 \\\\ \\vdots \\\\ p_K - y_K \\end{bmatrix}$$\n',
     ['definition', 'definition', 'ok', 'ok', 'ok', 'ok', 'wrong', 'not checkable']),
    ('Let $p = \\mathrm{softmax}(z)$.\n\n$$\\frac{\\partial p}{\\partial z} = \\begin{bmatrix} \\frac{\\partial p_1}{\\partial z_1} & \\cdots & \\frac{\\partial p_K}{\\partial z_1} \\\\ \\vdots & \\ddots & \\vdots \\\\ \\frac{\\partial p_1}{\\partial z_K} & \\cdots & \\frac{\\partial p_K}{\\partial z_K} \\end{bmatrix} = \\mathrm{diag}(p) - p p^T$$\n\n$$\\begin{bmatrix} \\frac{\\partial p_1}{\\partial z_1} & \\cdots & \\frac{\\partial p_1}{\\partial z_K} \\\\ \\vdots & \\ddots & \\vdots \\\\ \\frac{\\partial p_K}{\\partial z_1} & \\cdots & \\frac{\\partial p_K}{\\partial z_K} \\end{bmatrix} = \\begin{bmatrix} p_1(1 - p_1) & \\cdots & -p_1 p_K \\\\ \\vdots & \\ddots & \\vdots \\\\ -p_K p_1 & \\cdots & p_K (1 - p_K) \\end{bmatrix}$$\n\n$$\\begin{bmatrix} \\frac{\\partial p_1}{\\partial z_1} & \\cdots & \\frac{\\partial p_1}{\\partial z_K} \\\\ \\vdots & \\ddots & \\vdots \\\\ \\frac{\\partial p_K}{\\partial z_1} & \\cdots & \\frac{\\partial p_K}{\\partial z_K} \\end{bmatrix}^T = \\mathrm{diag}(p) - p p^T$$\n\n$$\\begin{bmatrix} \\frac{\\partial p_1}{\\partial z_1} & \\cdots & \\frac{\\partial p_1}{\\partial z_K} \\\\ \\vdots & \\ddots & \\vdots \\\\ \\frac{\\partial p_K}{\\partial z_1} & \\cdots & \\frac{\\partial p_K}{\\partial z_K} \\end{bmatrix} = \\mathrm{diag}(p) + p p^T$$\n',
     ['definition', 'ok', 'ok', 'not checkable', 'ok', 'wrong']),
    ('Let $y_i = \\frac{e^{x_i}}{\\sum_{j=1}^D e^{x_j}}$.\n\n$$y_i = \\frac{e^{x_i - \\max_{k=1}^{D} x_k}}{\\sum_{j=1}^{D} e^{x_j - \\max_{k=1}^{D} x_k}} = \\frac{e^{x_i - \\max_{k=1}^{D} x_k}}{\\sum_{j=1}^{D} e^{x_j}}$$\n',
     ['definition', 'ok', 'wrong']),
    ('# Entropy and divergence\n\nLet $H(p) = -\\sum_x p(x) \\log p(x)$ and $H(p, q) = -\\sum_x p(x) \\log q(x)$.\n\n$$D_{KL}(p \\parallel q) = \\sum_x p(x) \\log \\frac{p(x)}{q(x)} = H(p, q) - H(p)$$\n\n$$D_{KL}(p \\parallel q) = -\\sum_x p(x) \\log \\frac{p(x)}{q(x)}$$\n\n$$H(q) = -\\sum_x p(x) \\log q(x)$$\n\n$$D_{KL}(P \\| Q) = H(q) - H(p)$$\n',
     ['definition', 'definition', 'ok', 'ok', 'wrong', 'not checkable', 'not checkable']),
    ('$$H(p) = -\\sum_{j=1}^m p(x_j) \\log p(x_j)$$\n\n$$\\sum_{j=1}^m p(x_j) \\log \\frac{p(x_j)}{q(x_j)} = -H(p(x)) + H(p, q)$$\n\n$$\\sum_{j=1}^m p(x_j) \\log \\frac{p(x_j)}{q(x_j)} = H(p(x)) - H(p, q)$$\n',
     ['definition', 'ok', 'wrong']),
    ('$$\\frac{\\partial \\log\\sum_{j=1}^n e^{x_j}}{\\partial x_j} = \\frac{e^{x_i}}{\\sum_{j=1}^n e^{x_j}}$$\n\n$$\\frac{\\partial \\log\\sum_{j=1}^n e^{x_j}}{\\partial x_i} = \\frac{e^{x_i}}{\\sum_{j=1}^n e^{x_j}}$$\n\n$$\\frac{\\partial \\log\\sum_{j=1}^n e^{x_j}}{\\partial x_i} = \\frac{e^{x_i}}{\\sum_{j=1}^n e^{2 x_j}}$$\n',
     ['not checkable', 'ok', 'wrong']),
    ('Let $q_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$.\n\n$$\\sum_{i \\in \\{1,..K\\}} q_i = 1$$\n\n$$\\sum_{i \\in \\{1, 2, \\dots, K\\}} q_i = 1$$\n\n$$\\sum_{i \\in \\{1, \\dots, K\\}} q_i = 2$$\n',
     ['definition', 'ok', 'ok', 'wrong']),
    ('$$\\begin{bmatrix} 1.0 \\\\ 2.0 \\end{bmatrix} \\begin{bmatrix} 1.0 & 3.0 \\end{bmatrix} = \\begin{bmatrix} 1.0 \\times 1.0 & 1.0 \\times 3.0 \\\\ 2.0 \\times 1.0 & 2.0 \\times 3.0 \\end{bmatrix} = \\begin{bmatrix} 1.0 & 3.0 \\\\ 2.0 & 6.0 \\end{bmatrix}$$\n\n$$\\begin{bmatrix} 1.0 & 3.0 \\end{bmatrix} \\begin{bmatrix} 0.5 & 1.0 \\\\ -0.5 & 0.0 \\end{bmatrix} = \\begin{bmatrix} -1.0 & 1.0 \\end{bmatrix}$$\n\n$$\\begin{bmatrix} 1.0 & 3.0 \\end{bmatrix} \\begin{bmatrix} 0.5 & 1.0 \\\\ -0.5 & 0.0 \\end{bmatrix} = \\begin{bmatrix} -1.0 & 2.0 \\end{bmatrix}$$\n\n$$\\begin{bmatrix} 0.3 & 0.7 \\end{bmatrix}^T \\begin{bmatrix} 1 & 2 \\end{bmatrix} = \\begin{bmatrix} 0.333 & 0.6 \\\\ 0.7 & 1.4 \\end{bmatrix}$$\n\n$$\\begin{bmatrix} 1 & 2 \\end{bmatrix} \\begin{bmatrix} 1 & 2 \\end{bmatrix} = 5$$\n\n$$\\begin{bmatrix} 1 & 2 \\end{bmatrix} \\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} = 5$$\n\n$$\\frac{1}{2}\\begin{bmatrix} 1 & 2 \\end{bmatrix} = \\begin{bmatrix} 0.5 & 1 \\end{bmatrix}$$\n',
     ['ok', 'ok', 'ok', 'wrong', 'wrong', 'not checkable', 'ok', 'ok']),
    ("The true distribution has $P(y=1) = 0.7$ and the model's $Q(y=1) = 0.6$.\n\n$$H(P, Q) = -\\sum_x P(x) \\log Q(x)$$\n\n$$H(P, Q) = -[0.7 \\log 0.6 + 0.3 \\log 0.4]$$\n\n$$H(P, Q) = -[0.7 \\times (-0.510826) + 0.3 \\times (-0.916291)] = 0.632465$$\n\n$$H(P, Q) = -[0.7 \\times (-0.510826) + 0.3 \\times (-0.916291)] = 0.832465$$\n\n$$H(P) + D_{KL}(P||Q) = H(P, Q)$$\n",
     ['definition', 'not checkable', 'ok', 'ok', 'ok', 'wrong', 'ok']),
    ('$$-(0 \\times \\log(0.3) + 1 \\times \\log(0.4) = 0.916$$\n\n$$-(0 \\times \\log(0.3) + 1 \\times \\log(0.4) = 0.5$$\n',
     ['ok', 'wrong']),
    ('Let $f(x) = x^3$.\n\n$$f^\\prime = \\frac{3 f(x)}{x}$$\n\n$$f^\\prime = \\frac{2 f(x)}{x}$$\n',
     ['definition', 'ok', 'wrong']),
    ('Let $f(x) = 3 x$ and $f(w, x) = \\frac{1}{1 + e^{-w x}}$.\n\n$$\\frac{df}{dx} = 3$$\n\n$$\\frac{d f(x)}{dx} = 3$$\n\n$$\\frac{d f(x)}{dx} = 2$$\n',
     ['definition', 'definition', 'not checkable', 'ok', 'wrong']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$\\frac{\\partial p_i}{\\partial z_j} = p_i (1 - p_j)$$ if $$i = j$$, otherwise $$-p_i p_j$$.\n\n$$\\frac{\\partial p_i}{\\partial z_j} = p_i (1 - p_i)$$ if $$i = j$$.\n\n$$\\frac{\\partial p_i}{\\partial z_j} = p_i (1 + p_i)$$ if $$i = j$$.\n',
     ['definition', 'ok', 'ok', 'wrong']),
    ('With a gain $a$:\n\n$$\\sigma(x) = \\frac{1}{1 + \\exp(-ax)}$$\n\n$$\\frac{d \\sigma(x)}{dx} = a \\sigma(x)(1 - \\sigma(x))$$\n\n$$\\frac{d \\sigma(x)}{dx} = \\sigma(x)(1 - \\sigma(x))$$\n',
     ['definition', 'not checkable', 'not checkable']),
    ('$$f(x, y) = x y$$\n\n$$f(x, y, z) = (x + y) z$$\n\n$$\\frac{\\partial f}{\\partial z} = x + y$$\n\n$$\\frac{\\partial f}{\\partial z} = x y$$\n\n$$f_{sig} = \\frac{1}{1 + e^{-x}} \\\\ \\frac{df}{dx} = \\frac{e^{-x}}{(1 + e^{-x})^2}$$\n',
     ['definition', 'definition', 'ok', 'wrong', 'definition', 'not checkable']),
    ("$$[e^{2.1}, e^{-0.3}, e^{0.8}] = [8.17, 0.74, 2.23]$$\n\n$$[e^{2.1}, e^{-0.3}, e^{0.8}] = [8.17, 0.84, 2.23]$$\n\nLet $y = 3\\sigma(x) + 5$.\n\n$$\\frac{d y}{d x} = 3 \\sigma(2)(1 - \\sigma(2)) = 0.3149$$\n\nThe best constant $c$ satisfies\n\n$$\\sigma(c) = \\frac{1}{N}\\sum_{i=1}^N y_i$$\n\n$$\\sigma'(x) = \\sigma(x)(1 - \\sigma(x))$$\n",
     ['ok', 'wrong', 'definition', 'not checkable', 'not checkable', 'not checkable', 'ok']),
    ('$$w_{2,1} x_1 + w_{2,2} x_2 + \\dots + w_{2,K} x_K = \\sum_k w_{2,k} x_k$$\n\n$$w_{2,1} x_1 + w_{2,2} x_2 + \\dots + w_{2,K} x_K = \\sum_k w_{k,2} x_k$$\n',
     ['ok', 'wrong']),
    ('Let $q = Wx$ and $f = \\sum_k q_k^2$.\n\n$$\\frac{\\partial q_k}{\\partial W_{i,j}} = 1_{k=i} x_j$$\n\n$$\\frac{\\partial f}{\\partial W_{i,j}} = \\sum_k 2 q_k 1_{k=i} x_j = 2 q_i x_j$$\n\n$$\\frac{\\partial q_k}{\\partial x_i} = W_{k,i}$$\n',
     ['definition', 'definition', 'ok', 'ok', 'ok', 'ok']),
    ('Let $q = Wx$ and $f = \\sum_k q_k^2$.\n\n$$\\frac{\\partial q_k}{\\partial W_{i,j}} = 1_{k=i} x_j$$\n\n$$\\frac{\\partial f}{\\partial W_{i,j}} = \\sum_k 2 q_k 1_{k=i} x_j = 2 q_i x_j$$\n\n$$\\frac{\\partial q_k}{\\partial x_i} = W_{i,k}$$\n',
     ['definition', 'definition', 'ok', 'ok', 'ok', 'wrong']),
    ('The output layer computes\n\n$$z = Wh + b$$\n\n$$p = \\text{softmax}(z)$$\n\n$$L = -\\sum_{i=1}^{K} y_i \\log p_i$$\n\nwhere $y$ is one-hot. Then\n\n$$\\frac{\\partial p_i}{\\partial z_i} = p_i(1 - p_i)$$\n\n$$\\frac{\\partial L}{\\partial z_i} = p_i - y_i$$\n\n$$\\frac{\\partial L}{\\partial W} = (p - y) h^T$$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'not checkable']),
    ('The output layer computes\n\n$$z = Wh + b$$\n\n$$p = \\text{softmax}(z)$$\n\n$$L = -\\sum_{i=1}^{K} y_i \\log p_i$$\n\nwhere $y$ is one-hot. Then\n\n$$\\frac{\\partial p_i}{\\partial z_i} = p_i(1 - p_i)$$\n\n$$\\frac{\\partial L}{\\partial z_i} = y_i - p_i$$\n\n$$\\frac{\\partial L}{\\partial W} = (p - y) h^T$$\n',
     ['definition', 'definition', 'definition', 'ok', 'not checkable', 'not checkable']),
    ('The sigmoid is $\\sigma(x) = \\frac{1}{1 + e^{-x}}$.\n\n$$\\lim_{x \\rightarrow +\\infty} \\sigma(x) = \\lim_{x \\rightarrow +\\infty} \\frac{1}{1+e^{-x}} = 1$$\n\n$$\\lim_{x \\rightarrow -\\infty} \\sigma(x) = 0$$\n\n$$\\lim_{x \\to 0} \\sigma(x) = \\frac{1}{2}$$\n\n$$\\lim_{t \\to \\infty} t \\sigma(x) = \\infty$$\n',
     ['definition', 'ok', 'ok', 'ok', 'ok', 'not checkable']),
    ('The sigmoid is $\\sigma(x) = \\frac{1}{1 + e^{-x}}$.\n\n$$\\lim_{x \\rightarrow +\\infty} \\sigma(x) = \\lim_{x \\rightarrow +\\infty} \\frac{1}{1+e^{-x}} = 0$$\n\n$$\\lim_{x \\rightarrow -\\infty} \\sigma(x) = 0$$\n\n$$\\lim_{x \\to 0} \\sigma(x) = 1$$\n\n$$\\lim_{t \\to \\infty} t \\sigma(x) = \\infty$$\n',
     ['definition', 'ok', 'wrong', 'ok', 'wrong', 'not checkable']),
    ('Let $z = w^T x + b$ and $\\hat y = \\sigma(z)$.\n\n$$\\lim_{z \\to -\\infty} \\hat y = 0$$\n\n$$\\lim_{z \\to -\\infty} \\hat y = 1$$\n',
     ['definition', 'definition', 'ok', 'wrong']),
    ('$$\\frac{1}{0.6} = 1.6666\\ldots$$\n\n$$-\\ln(0.6666\\ldots) = \\ln(1.5)$$\n\n$$\\frac{1}{6} = 0.1666\\dots$$\n\n$$\\pi = 3.14159\\ldots$$\n',
     ['ok', 'ok', 'ok', 'not checkable']),
    ('$$\\frac{1}{0.6} = 1.5555\\ldots$$\n\n$$-\\ln(0.6666\\ldots) = \\ln(1.5)$$\n\n$$\\frac{1}{6} = 0.1555\\dots$$\n\n$$\\pi = 3.14159\\ldots$$\n',
     ['wrong', 'ok', 'wrong', 'not checkable']),
    ('## Example\n\nTake the logits $z = (2.0, 1.0, 0.1)$ and the one-hot target $y = (1, 0, 0)$, with $p = \\text{softmax}(z)$.\n\n$$\\text{softmax}(z) = (0.659, 0.242, 0.099)$$\n\n$$z - \\max(z) = (0, -1, -1.9)$$\n\n$$\\sum_{k} e^{z_k - \\max(z)} = 1.518$$\n\n$$L = -\\sum_k y_k \\log p_k = -\\log(0.659) = 0.417$$\n\n$$\\frac{\\partial L}{\\partial z_1} = p_1 - y_1 = -0.341$$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'not checkable', 'definition', 'ok', 'ok', 'ok', 'ok']),
    ('## Example\n\nTake the logits $z = (2.0, 1.0, 0.1)$ and the one-hot target $y = (1, 0, 0)$, with $p = \\text{softmax}(z)$.\n\n$$\\text{softmax}(z) = (0.659, 0.242, 0.099)$$\n\n$$z - \\max(z) = (0, -1, -1.9)$$\n\n$$\\sum_{k} e^{z_k - \\max(z)} = 1.918$$\n\n$$L = -\\sum_k y_k \\log p_k = -\\log(0.659) = 0.417$$\n\n$$\\frac{\\partial L}{\\partial z_1} = p_1 - y_1 = 0.341$$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'wrong', 'definition', 'ok', 'ok', 'ok', 'wrong']),
    ('The inputs are $x_{ij}$, feature $j$ of sample $i$.\n\n$$\\frac{\\partial e^x}{\\partial x} = e^x$$\n\n$$\\frac{d\\sigma(x)}{dx} = \\frac{e^{-x}}{(1 + e^{-x})^2} = \\frac{1}{1 + e^{-x}} - \\frac{1}{(1 + e^{-x})^2} = \\sigma(x)(1 - \\sigma(x))$$\n',
     ['ok', 'ok', 'ok', 'ok']),
    ('The inputs are $x_{ij}$, feature $j$ of sample $i$.\n\n$$\\frac{\\partial e^x}{\\partial x} = e^x$$\n\n$$\\frac{d\\sigma(x)}{dx} = \\frac{e^{-x}}{(1 + e^{-x})^2} = \\frac{1}{1 + e^{-x}} + \\frac{1}{(1 + e^{-x})^2} = \\sigma(x)(1 - \\sigma(x))$$\n',
     ['ok', 'ok', 'wrong', 'recovered']),
    ('$$-\\log(0.659) = 0.417$$\n\n$$\\frac{e^{2}}{e^{2} + e^{1} + e^{0.1}} = 0.659$$\n\n$$(0.0936 \\times -0.479) + (0.9292 \\times 0.332) + (-0.318) = -0.0541$$\n\n$$(7.0 \\times -0.125) + (3.2 \\times 0.231) = -0.1358$$\n',
     ['ok', 'ok', 'not checkable', 'ok']),
    ('$$-\\log(0.659) = 0.417$$\n\n$$\\frac{e^{2}}{e^{2} + e^{1} + e^{0.1}} = 0.659$$\n\n$$(0.0936 \\times -0.479) + (0.9292 \\times 0.332) + (-0.318) = -0.0641$$\n\n$$(7.0 \\times -0.125) + (3.2 \\times 0.231) = -0.2358$$\n',
     ['ok', 'ok', 'wrong', 'wrong']),
    ('Let $q = Wx$, a vector $q = [q_1, q_2]^T$, and $f = q_1^2 + q_2^2$.\n\n$$\\frac{\\partial f}{\\partial q} = [2q_1, 2q_2]^T = 2q$$\n\n$$\\frac{\\partial f}{\\partial W_{i,j}} = \\sum_k \\frac{\\partial f}{\\partial q_k}\\frac{\\partial q_k}{\\partial W_{i,j}} = 2 q_i x_j$$\n',
     ['definition', 'ok', 'definition', 'ok', 'ok', 'ok', 'ok']),
    ('Let $q = Wx$, a vector $q = [q_1, q_2]^T$, and $f = q_1^2 + q_2^2$.\n\n$$\\frac{\\partial f}{\\partial q} = [2q_1, 2q_2]^T = 2q$$\n\n$$\\frac{\\partial f}{\\partial W_{i,j}} = \\sum_k \\frac{\\partial f}{\\partial q_k}\\frac{\\partial q_k}{\\partial W_{i,j}} = 2 q_j x_i$$\n',
     ['definition', 'ok', 'definition', 'ok', 'ok', 'ok', 'wrong']),
    ("The hidden layer gives $a^1 = \\sigma(z^1)$ and the output $a^2 = \\sigma(z^2)$.\n\n$$\\sigma'(z^2) = a^2(1 - a^2)$$\n\n$$\\frac{d}{dx} x^2 = 2x$$\n\n$$\\sigma'(z^2) = a^2(1 + a^2)$$\n",
     ['definition', 'definition', 'ok', 'ok', 'wrong']),
    ('For distributions $P$ and $Q$ over $x$:\n\n$$\\sum_x Q(x)\\frac{1}{2}\\left|\\frac{P(x)}{Q(x)} - 1\\right| = \\frac{1}{2}\\sum_x |P(x) - Q(x)|$$\n\n$$\\sum_x Q(x)\\frac{P(x)}{Q(x)}\\log\\frac{P(x)}{Q(x)} = \\sum_x P(x)\\log\\frac{P(x)}{Q(x)}$$\n',
     ['ok', 'ok']),
    ('For distributions $P$ and $Q$ over $x$:\n\n$$\\sum_x Q(x)\\frac{1}{2}\\left|\\frac{P(x)}{Q(x)} - 1\\right| = \\sum_x |P(x) - Q(x)|$$\n\n$$\\sum_x Q(x)\\frac{P(x)}{Q(x)}\\log\\frac{P(x)}{Q(x)} = \\sum_x P(x)\\log\\frac{P(x)}{Q(x)}$$\n',
     ['not checkable', 'ok']),
    ('Two linear functions $f(x) = W_f x + b_f$ and $g(x) = W_g x + b_g$.\n\n$$(f+g)(x) = (W_f x + b_f) + (W_g x + b_g)$$\n',
     ['definition', 'definition', 'not checkable']),
    ('## Model\n\nThe loss is $L = \\frac{1}{2}(\\hat{y} - y)^2$ and the activation is the identity $\\sigma(z) = z$.\n\n### Example\n\n$$L = \\frac{1}{2}(-0.5 - 1)^2 = \\frac{1}{2}(-1.5)^2 = 1.125$$\n\n$$\\frac{\\partial L}{\\partial \\hat{y}} = \\hat{y} - y$$\n\n$$\\sigma(3) = 3$$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'ok', 'ok']),
    ('## Model\n\nThe loss is $L = \\frac{1}{2}(\\hat{y} - y)^2$ and the activation is the identity $\\sigma(z) = z$.\n\n### Example\n\n$$L = \\frac{1}{2}(-0.5 - 1)^2 = \\frac{1}{2}(-1.5)^2 = 1.25$$\n\n$$\\frac{\\partial L}{\\partial \\hat{y}} = y - \\hat{y}$$\n\n$$\\sigma(3) = 3$$\n',
     ['definition', 'definition', 'definition', 'ok', 'wrong', 'not checkable', 'ok']),
    ('$$ \\color{red}\n  {\n  \\begin{aligned}\n \\frac {\\partial L}{\\partial z_i} = -\\sum_k y_k \\frac {1}{p_k} \\frac {\\partial { p_k}}{\\partial z_i}\n \\\\ \\\\\n =-\\sum_k y_k \\frac {1}{p_k} p_k(\\delta_{ik} -p_i)\n \\\\ \\\\ \\text{taking the two cases} \\\\ \\\\\n \\delta_{ij} = 1 \\text{ when i =j} \\text{ and }\n   \\delta_{ij} = 0 \\text{ when i} \\ne \\text{j}\n \\\\ \\\\\n = -y_i + p_i \\sum_k y_k\n\\end{aligned}\n}\n$$\n\nwhere $L = -\\sum_k y_k \\log p_k \\,\\,and \\,p_j = \\frac {e^{z_j}} {\\sum_k e^{z_k}}$.\n',
     ['ok', 'ok', 'definition', 'definition', 'ok', 'definition']),
    ('$$ \\color{red}\n  {\n  \\begin{aligned}\n \\frac {\\partial L}{\\partial z_i} = -\\sum_k y_k \\frac {1}{p_k} \\frac {\\partial { p_k}}{\\partial z_i}\n \\\\ \\\\\n =-\\sum_k y_k \\frac {1}{p_k} p_k(\\delta_{ik} -p_i)\n \\\\ \\\\ \\text{taking the two cases} \\\\ \\\\\n \\delta_{ij} = 1 \\text{ when i =j} \\text{ and }\n   \\delta_{ij} = 0 \\text{ when i} \\ne \\text{j}\n \\\\ \\\\\n = -y_i + p_i \\sum_k y_k - p_i\n\\end{aligned}\n}\n$$\n\nwhere $L = -\\sum_k y_k \\log p_k \\,\\,and \\,p_j = \\frac {e^{z_j}} {\\sum_k e^{z_k}}$.\n',
     ['ok', 'ok', 'definition', 'definition', 'wrong', 'definition']),
    ('Given $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ and $L = -\\sum_i y_i \\ln p_i$ with $y$ one-hot, the gradient is:\n\n- **A.** $\\frac{\\partial L}{\\partial z_i} = p_i - y_i$\n- **B.** $\\frac{\\partial L}{\\partial z_i} = y_i - p_i$\n- **C.** $\\frac{\\partial L}{\\partial z_i} = p_i(1 - p_i)$\n\nA letter alone is only a label: (a) $\\frac{d}{dx} x^2 = 2x$.\n',
     ['definition', 'definition', 'ok', 'not checkable', 'not checkable', 'ok']),
    ('Given $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ and $L = -\\sum_i y_i \\ln p_i$ with $y$ one-hot, the gradient is:\n\n- **A.** $\\frac{\\partial L}{\\partial z_i} = p_i - y_i$\n- **B.** $\\frac{\\partial L}{\\partial z_i} = y_i - p_i$\n- **C.** $\\frac{\\partial L}{\\partial z_i} = p_i(1 - p_i)$\n\nA letter alone is only a label: (a) $\\frac{d}{dx} x^2 = x$.\n',
     ['definition', 'definition', 'ok', 'not checkable', 'not checkable', 'not checkable']),
    ("## Model\n\n$$z = w x + b$$\n\n$$\\hat{y} = \\sigma(z) = \\frac{1}{1 + e^{-z}}$$\n\n## Example\n\n$$z = (0.5)(2) + 0 = 1.0$$\n\n$$\\hat{y} = \\sigma(1.0) = \\frac{1}{1 + e^{-1}} = 0.73106$$\n\nThe sigmoid's derivative is $\\sigma'(z) = \\hat{y}(1-\\hat{y})$:\n\n$$\\frac{\\partial \\hat{y}}{\\partial z} = 0.73106 \\times (1 - 0.73106) = 0.19661$$\n\nWith log: $1000 \\cdot \\log(0.01) = -2000$.\n",
     ['definition', 'definition', 'definition', 'definition', 'ok', 'ok', 'ok', 'ok', 'ok', 'not checkable', 'ok', 'not checkable']),
    ("## Model\n\n$$z = w x + b$$\n\n$$\\hat{y} = \\sigma(z) = \\frac{1}{1 + e^{-z}}$$\n\n## Example\n\n$$z = (0.5)(2) + 0 = 1.0$$\n\n$$\\hat{y} = \\sigma(1.0) = \\frac{1}{1 + e^{-1}} = 0.73106$$\n\nThe sigmoid's derivative is $\\sigma'(z) = \\hat{y}(1-\\hat{y})$:\n\n$$\\frac{\\partial \\hat{y}}{\\partial z} = 0.73106 \\times (1 - 0.73106) = 0.29661$$\n\nWith log: $1000 \\cdot \\log(0.01) = -2000$.\n",
     ['definition', 'definition', 'definition', 'definition', 'ok', 'ok', 'ok', 'ok', 'ok', 'not checkable', 'wrong', 'not checkable']),
    ('## Loss\n\n$$L = -\\log p_k$$\n\nwhere $k$ is the true class and $p = \\text{softmax}(z)$.\n\n## Example\n\nTake $z = (2.0, 1.0, 0.1)$ and $y = (1, 0, 0)$.\n\nCross-entropy loss: $L = -\\log(0.659)$.\n\n$$\\frac{\\partial L}{\\partial z} = p - y = (0.659 - 1, 0.242 - 0, 0.099 - 0)$$\n',
     ['definition', 'definition', 'definition', 'definition', 'definition', 'not checkable', 'ok']),
    ('$$\\text{ReLU}(1.25) = 1.25$$\n\n$$\\text{ReLU}(-2) = 0$$\n\n$$\\mathrm{ReLU}(x) = \\max(0, x)$$\n\n$$\\text{ReLU}(-3) = -3$$\n',
     ['ok', 'ok', 'ok', 'wrong']),
    ('$$\\lim_{|z| \\to \\infty} \\sigma(z)(1-\\sigma(z)) = 0$$\n\n$$\\lim_{|z| \\to \\infty} \\sigma(z) = 1$$\n',
     ['ok', 'not checkable']),
    ('Weights $w_1 = 0.5$, $w_2 = 1.5$ and inputs $x_1 = 1$, $x_2 = 0.5$.\n\n$$net_{h1} = w_1 x_1 + w_2 x_2 = (0.5)(1) + (1.5)(0.5) = 0.5 + 0.75 = 1.25$$\n\n$$h_1 = \\text{ReLU}(net_{h1}) = \\text{ReLU}(1.25) = 1.25$$\n\n$$y = \\text{ReLU}(net_y) = \\text{ReLU}(5.05) = 5.05$$\n',
     ['definition', 'ok', 'ok', 'ok', 'definition', 'ok', 'ok', 'definition', 'not checkable', 'ok']),
    ('Weights $w_1 = 0.5$, $w_2 = 1.5$ and inputs $x_1 = 1$, $x_2 = 0.5$.\n\n$$net_{h1} = w_1 x_1 + w_2 x_2 = (0.5)(1) + (1.5)(0.5) = 0.5 + 0.75 = 1.35$$\n\n$$h_1 = \\text{ReLU}(net_{h1}) = \\text{ReLU}(1.25) = 1.25$$\n\n$$y = \\text{ReLU}(net_y) = \\text{ReLU}(5.05) = 5.05$$\n',
     ['definition', 'ok', 'ok', 'wrong', 'definition', 'ok', 'ok', 'definition', 'not checkable', 'ok']),
    ('Let $p(x) = \\mathcal{N}(x; \\mu_p, \\sigma_p)$.\n\n$$\\log \\frac{\\sigma_q}{\\sigma_p} = \\log \\sigma_q - \\log \\sigma_p$$\n',
     ['definition', 'ok']),
    ('# Intro\n\nThe loss is $L = -\\sum_i y_i \\log p_i$ with $p = \\mathrm{softmax}(x)$.\nSuppose that $y_2 = 1$. Then the loss is $-\\log p_2$.\n\n# Derivative\n\n$$\n\\frac{\\partial L}{\\partial x_i} = p_i - y_i\n$$\n\n# Broken\n\n$$\n\\frac{\\partial L}{\\partial x_i} = p_i + y_i\n$$\n',
     ['definition', 'definition', 'ok', 'wrong']),
    ('$$ \\sigma(z) = \\frac{1}{1 + e^{-0.15}} \\approx 0.5374 $$\n\n$$ 0.5374 (1 - 0.5374) = 0.5374 \\cdot 0.4626 \\approx 0.2486 $$\n\n$$ -\\log(0.9) \\approx 0.105 $$\n\n$$ -\\log(0.1) \\approx 2.3 $$\n\n$$ e^{0.7} \\approx 2 $$\n\n$$ 0.5374 \\cdot 0.4626 \\approx 0.2586 $$\n\n$$ \\sigma(x) \\approx x $$\n',
     ['not checkable', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'wrong', 'not checkable']),
    ('Let $\\hat{y1} = \\sigma(y1)$ and $y1 = w5 x1 + w6 x2$.\n\n$$ \\frac{\\partial \\hat{y1}}{\\partial y1} = \\hat{y1}(1 - \\hat{y1}) $$\n\n$$ \\frac{\\partial \\hat{y1}}{\\partial y1} = \\hat{y1}(1 + \\hat{y1}) $$\n\n$$ \\frac{\\partial y1}{\\partial w5} = x1 $$\n\n$$ \\frac{\\partial y1}{\\partial w5} = x2 $$\n',
     ['definition', 'definition', 'ok', 'wrong', 'ok', 'wrong']),
    ('Here $p$ is the probability of the positive class and $\\log\\frac{p}{1-p} = z$.\n\n$$ \\frac{p}{1-p} = e^z \\implies p = e^z(1-p) \\implies p(1+e^z) = e^z $$\n\n$$ \\frac{p}{1-p} = e^z \\implies p = e^z(1+p) \\implies p(1+e^z) = e^z $$\n',
     ['not checkable', 'not checkable', 'ok', 'ok', 'not checkable', 'wrong', 'ok']),
    ('Let $x1 = 0.5$.\n\n\\begin{align}\n  y1 = 2 x1 \\\\\n  \\hat{y1} = \\sigma (y1) \\\\\n           = 0.7311\n\\end{align}\n\nAnd with a slip:\n\n\\begin{align}\n  y2 = 2 x1 \\\\\n  \\hat{y2} = \\sigma (y2) \\\\\n           = 0.8311\n\\end{align}\n',
     ['definition', 'definition', 'ok', 'definition', 'definition', 'wrong']),
    ('Layer 1: $z^1 = w^1 x + b^1$ and $a^1 = \\sigma(z^1)$. Layer 2: $z^2 = w^2 a^1 + b^2$ and $a^2 = \\sigma(z^2)$.\n\n$$ \\frac{\\partial a^2}{\\partial z^2} = a^2 (1 - a^2) $$\n\n$$ \\frac{\\partial a^2}{\\partial z^2} = a^2 (1 + a^2) $$\n\n$$ \\frac{\\partial z^2}{\\partial a^1} = w^2 $$\n\n$$ \\frac{\\partial z^2}{\\partial a^1} = w^1 $$\n',
     ['definition', 'definition', 'definition', 'definition', 'ok', 'wrong', 'ok', 'not checkable']),
    ('Here $L(a, y) = \\frac{1}{2}(a - y)^2$, and a layer gives $a^1 = \\sigma(z^1)$.\n\n$$ \\frac{\\partial L}{\\partial w^2} = (a - y) a^1 $$\n\n$$ \\frac{\\partial L}{\\partial a} = a - y $$\n\n$$ \\frac{\\partial L}{\\partial a} = a + y $$\n',
     ['definition', 'definition', 'not checkable', 'ok', 'wrong']),
    ('A stable form of the sigmoid:\n\n$$\n\\frac{1}{1+e^{-z}} = \\begin{cases}\n\\frac{1}{1+e^{-z}} & \\text{if } z \\geq 0 \\\\[4pt]\n\\frac{e^z}{1+e^z} & \\text{if } z < 0\n\\end{cases}\n$$\n\nWith a slip in the second branch:\n\n$$\n\\frac{1}{1+e^{-z}} = \\begin{cases}\n\\frac{1}{1+e^{-z}} & z \\geq 0 \\\\\n\\frac{e^{-z}}{1+e^{-z}} & z < 0\n\\end{cases}\n$$\n\nAn index case stays as it was: $\\delta_{ij} = \\begin{cases} 1 & i < j \\\\ 0 & i \\geq j \\end{cases}$.\n',
     ['ok', 'wrong', 'unparsed']),
    ('- $p \\in (0, 1)$ is the probability of the event.\n\n$$ \\log\\frac{p}{1-p} = X\\beta $$\n\n$$ p = \\frac{1}{1 + e^{-X\\beta}} $$\n\nRidge adds $\\sum_{j=1}^p w_j^2$ for the $p$ predictors.\n\n$$ \\frac{\\partial}{\\partial w_1} \\sum_{j=1}^{3} w_j^2 = 2 w_1 $$\n\n$$ \\frac{\\partial}{\\partial w_1} \\sum_{j=1}^{3} w_j^2 = w_1 $$\n',
     ['not checkable', 'not checkable', 'ok', 'wrong']),
    ('Let $a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$, a vector, e.g., $a = [0.1, 0.6, 0.3]$.\n\n$$ \\frac{\\partial a_i}{\\partial z_i} = \\frac{e^{z_i}}{\\sum_k e^{z_k}} \\left(1 - \\frac{e^{z_i}}{\\sum_k e^{z_k}}\\right) = a_i(1 - a_i) $$\n\n$$ \\frac{\\partial a_i}{\\partial z_i} = \\frac{e^{z_i}}{\\sum_k e^{z_k}} \\left(1 - \\frac{e^{z_i}}{\\sum_k e^{z_k}}\\right) = a_i(1 + a_i) $$\n',
     ['definition', 'definition', 'ok', 'not checkable', 'ok', 'wrong']),
    ('Let $a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$ \\frac{\\partial a_i}{\\partial z_i} = \\frac{e^{z_i} \\cdot \\sum_k{e^{z_k} - (e^{z_i})^2}}{(\\sum_k e^{z_k})^2} = a_i(1 - a_i) $$\n\n$$ \\frac{\\partial a_i}{\\partial z_i} = \\frac{e^{z_i} \\cdot \\sum_k{e^{z_k} + (e^{z_i})^2}}{(\\sum_k e^{z_k})^2} $$\n\n$$ \\sum_k{(z_k - 1)} = \\sum_k z_k - K $$\n',
     ['definition', 'ok', 'ok', 'wrong', 'not checkable']),
    ('Each class has the probability\n`$$\ny_i = \\frac{e^{z_i}}{\\sum_{k=1}^C e^{z_k}}\n$$`\nand the derivative, for $i = j$:\n`$$\n\\frac{\\partial y_i}{\\partial z_j} = \\frac{e^{z_i}\\sum_{k=1}^C e^{z_k} - e^{z_i}e^{z_j}}{(\\sum_{k=1}^C e^{z_k})^2} = y_i(1-y_j)\n$$`\nand again for $i = j$, with a slip:\n`$$\n\\frac{\\partial y_i}{\\partial z_j} = y_i(1+y_j)\n$$`\n\nCode stays code: `$HOME` and `a = $x$ + 1`.\n',
     ['definition', 'ok', 'ok', 'wrong']),
    ('Let $p_j = \\frac{e^{z_j}}{\\sum_{k=1}^K e^{z_k}}$.\n\n$$\n-t_j + \\sum{}_{i=1}^K t_i p_j = -t_j + p_j \\sum_{i=1}^K t_i = -t_j + 2 p_j \\sum_{i=1}^K t_i = p_j - t_j\n$$\n\n$$\n-t_j + \\sum{}_{i=1}^K t_i p_j = -t_j + 2 p_j \\sum_{i=1}^K t_i = -t_j + p_j \\sum_{i=1}^K t_i\n$$\n',
     ['definition', 'ok', 'wrong', 'not checkable', 'wrong', 'recovered']),
    ('The data: $P = (0.7, 0.3)$ and $Q = (0.6, 0.4)$.\n\n$$D_{KL}(P||Q) = 0.7 \\times \\log_2\\frac{0.7}{0.6} + 0.3 \\times \\log_2\\frac{0.3}{0.4}$$\n$$D_{KL}(P||Q) = 0.7 \\times \\log_2(1.1667) + 0.3 \\times \\log_2(0.75)$$\n$$D_{KL}(P||Q) = 0.7 \\times 0.222392 + 0.3 \\times (-0.415037)$$\n$$D_{KL}(P||Q) = 0.155675 + (-0.124511)$$\n$$D_{KL}(P||Q) = 0.031163$$\n\nThe same, with a slip in the third line:\n\n$$D_{KL}(P||Q) = 0.7 \\times \\log_2\\frac{0.7}{0.6} + 0.3 \\times \\log_2\\frac{0.3}{0.4}$$\n$$D_{KL}(P||Q) = 0.7 \\times 0.222392 + 0.3 \\times (-0.415037)$$\n$$D_{KL}(P||Q) = 0.155675 + (-0.134511)$$\n\nA value in bits: $-[0.5 \\log 0.5 + 0.5 \\log 0.5] = 1$, and in nats $-\\log 0.5 = 0.693$.\n',
     ['definition', 'definition', 'not checkable', 'ok', 'ok', 'ok', 'ok', 'not checkable', 'ok', 'not checkable', 'not checkable', 'ok']),
    ('The model has learned $$w = [1, 1]^\\top $$. A new data point, $$ x = [-3, 1]^\\top $$.\n\n$$\ny = 1 \\\\\n\\nabla_w J = (y - \\sigma(w^\\top x)) x = 0.88 \\begin{bmatrix} -3 \\\\ 1 \\end{bmatrix} = \\begin{bmatrix} -2.64 \\\\ 0.88 \\end{bmatrix}\n$$\n\nWith a slip in the rounded factor:\n\n$$\ny = 1 \\\\\n(y - \\sigma(w^\\top x)) x = 0.83 \\begin{bmatrix} -3 \\\\ 1 \\end{bmatrix}\n$$\n',
     ['definition', 'definition', 'definition', 'not checkable', 'ok', 'ok', 'ok', 'wrong']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ and $L = -\\sum_i y_i \\log p_i$, where $y$ is one-hot.\n\n1. $y_i = j$: the class of the sample is j.\n\n$$\n-\\sum_{i=j} \\frac{y_i}{p_i} p_i (1 - p_i) - \\sum_{i \\neq j} \\frac{y_i}{p_i} (-p_i p_j) = -y_j + y_j p_j + \\sum_{i \\neq j} y_i p_j = p_j - y_j\n$$\n\n$$\n-\\sum_{i=j} \\frac{y_i}{p_i} p_i (1 - p_i) - \\sum_{i \\neq j} \\frac{y_i}{p_i} (-p_i p_j) = -y_j + y_j p_j - \\sum_{i \\neq j} y_i p_j\n$$\n',
     ['definition', 'definition', 'not checkable', 'ok', 'ok', 'wrong']),
    ('$$H(P, Q) = -\\sum_x P(x) \\log Q(x)$$\n\n$$H(P) = -\\sum_x P(x) \\log P(x)$$\n\nFor the example, $$H(P, Q) = -[0.7 \\log 0.6 + 0.3 \\log 0.4] = 0.632$$ and $$H(P) = -[0.7 \\log 0.7 + 0.3 \\log 0.3] = 0.611$$.\n\n$$H(P, Q) = H(P) + D_{KL}(P||Q)$$\n\n$$H(P, Q) = H(P) - D_{KL}(P||Q)$$\n',
     ['definition', 'definition', 'not checkable', 'ok', 'not checkable', 'ok', 'ok', 'not checkable']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$ and $\\ell = -\\sum_k y_k \\log p_k$.\n\n$$if\\ i = j:\\ \\ \\frac{\\partial p_i}{\\partial z_j} = p_i (1 - p_i)$$\n\n$$if\\ i \\neq j:\\ \\ \\frac{\\partial p_i}{\\partial z_j} = -p_i p_j$$\n\n$$if\\ i \\neq j:\\ \\ \\frac{\\partial p_i}{\\partial z_j} = p_i p_j$$\n\nWith $s(\\mathbf x)_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}$, entry $i$ of the value, squared:\n\n$$\\frac{\\partial s(\\mathbf x)_i}{\\partial x_i} = s(\\mathbf x)_i - s(\\mathbf x)_i^2$$\n\n$$\\frac{\\partial s(\\mathbf x)_i}{\\partial x_i} = s(\\mathbf x)_i + s(\\mathbf x)_i^2$$\n',
     ['definition', 'definition', 'ok', 'ok', 'wrong', 'definition', 'ok', 'wrong']),
    ('$$\\frac{e^3}{e^3+e^{-1}+e^2} = 0.7213$$\n\n$$\\frac{e^3}{e^3+e^{-1}+e^2} = 0.7214$$\n\n$$(7.0 \\times -0.125) + (3.2 \\times 0.231) + 0.101 = -0.035$$\n\n$$(7.0 \\times -0.125) + (3.2 \\times 0.231) + 0.101 = -0.037$$\n\n$$2.0 + \\ln(1.517448) = 2.0 + 0.417031$$\n\n$$2.0 + \\ln(1.517448) = 2.0 + 0.417030$$\n',
     ['not checkable', 'ok', 'ok', 'not checkable', 'not checkable', 'ok']),
    ("Let $p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$.\n\nHere the numerator's $e^{z_k}$ is constant with respect to $z_i$:\n\n$$\\frac{\\partial p_k}{\\partial z_i} = \\frac{0 \\cdot \\sum_j e^{z_j} - e^{z_k} e^{z_i}}{(\\sum_j e^{z_j})^2} = -p_k p_i$$\n\n## For every index\n\nThe Jacobian has a diagonal.\n\nIt is symmetric.\n\nWritten for every pair of indices, with a slip:\n\n$$\\frac{\\partial p_k}{\\partial z_i} = -p_k p_i$$\n",
     ['definition', 'not checkable', 'ok', 'wrong']),
    ('The shifted exponentials:\n\n* $e^{-1.0} = 0.367879$\n* $e^{-1.9} = 0.149569$\n* Sum of the terms $= 1.000000 + 0.367879 + 0.149569 = 1.517448$\n* Sum of the terms $= 1.000000 + 0.367879 + 0.149569 = 1.617448$\n',
     ['ok', 'ok', 'not checkable', 'ok', 'ok', 'wrong']),
    ('Take the logits $z = (2.0, 1.0, 0.1)$ and $p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$.\n\n$$ p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}} = 1.0 \\iff z_k - z_j \\to \\infty \\quad \\forall j \\ne k $$\n\n$$ p_k = \\frac{e^{2 z_k}}{\\sum_j e^{z_j}} = 1.0 \\iff z_k - z_j \\to \\infty \\quad \\forall j \\ne k $$\n',
     ['definition', 'definition', 'ok', 'not checkable', 'not checkable', 'wrong', 'not checkable', 'not checkable']),
    ('Using the identity\n\n$$ (a+b)^2 - (a-b)^2 = 4ab, $$\n\nwith $$a = e^z$$ and $$b = e^{-z}$$,\n\n$$ = \\frac{4 e^z e^{-z}}{(e^z + e^{-z})^2} $$\n\nand again, now with its left side:\n\n$$ \\frac{(e^z+e^{-z})^2-(e^z-e^{-z})^2}{(e^z+e^{-z})^2} = \\frac{4 e^z e^{-z}}{(e^z + e^{-z})^2} $$\n\n$$ \\frac{(e^z+e^{-z})^2-(e^z-e^{-z})^2}{(e^z+e^{-z})^2} = \\frac{4 e^{2z}}{(e^z + e^{-z})^2} $$\n',
     ['ok', 'definition', 'definition', 'not checkable', 'ok', 'wrong']),
    ('Two rules side by side:\n\n$$\\frac{\\mathrm{d} x^2}{\\mathrm{d} x} = 2x ~~~~~~ \\frac{\\mathrm{d} e^x}{\\mathrm{d} x} = e^x$$\n\n$$\\frac{\\mathrm{d} x^2}{\\mathrm{d} x} = x ~~~~~~ \\frac{\\mathrm{d} e^x}{\\mathrm{d} x} = x e^x$$\n',
     ['ok', 'ok', 'not checkable', 'not checkable']),
    ('With $z = (2.0, 1.0, 0.1)$ and $c = \\max(z) = 2.0$, the sum of the shifted exponentials is $1.517448$.\n\n$$\\text{LSE}(z) = \\log \\sum_j e^{z_j} = c + \\ln(1.517448) = 2.417030$$\n\n$$\\text{LSE}(z) = \\log \\sum_j e^{z_j} = c + \\ln(1.917448) = 2.650995$$\n',
     ['definition', 'definition', 'ok', 'ok', 'ok', 'ok', 'ok', 'wrong', 'ok']),
    ("````{admonition} Solution\n:class: dropdown\n\nLet $p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$ and $Z = \\sum_j e^{z_j}$.\n\n$$\n\\frac{\\partial p_k}{\\partial z_k} = \\frac{e^{z_k} Z - e^{z_k} e^{z_k}}{Z^2} = p_k (1 - p_k)\n$$\n\n$$\n\\frac{\\partial p_k}{\\partial z_k} = \\frac{e^{z_k} Z - e^{z_k} e^{z_k}}{Z^2} = p_k (1 + p_k)\n$$\n````\n\n```{math}\n\\sigma'(x) = \\sigma(x) (1 - \\sigma(x))\n```\n\n```{code-block} python\n# the gradient: $\\sigma'(x) = 2 \\sigma(x)$ (a wrong comment in code is code)\ngrad = s * (1 - s)\n```\n",
     ['definition', 'definition', 'ok', 'ok', 'ok', 'wrong', 'ok']),
    ('Soit $p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}$.\n\nPour $k \\neq j$ :\n\n$$ \\frac{\\partial p_k}{\\partial z_j} = -p_k p_j $$\n\n$$ \\frac{\\partial p_k}{\\partial z_j} = p_k p_j $$\n',
     ['definition', 'ok', 'wrong']),
    ('        A função sigmoide é dada por $\\sigma(x) = \\frac{1}{1 + e^{-x}}$ e sua derivada é\n        $$\\sigma\'(x) = \\sigma(x)(1 - \\sigma(x))$$\n        mas com o sinal trocado teríamos um erro:\n        $$\\sigma\'(x) = \\sigma(x)(1 + \\sigma(x))$$\n\nCode that prints a formula stays code:\n\n    def show(x):\n        return "$\\sigma\'(x) = 2 \\sigma(x)$"\n',
     ['definition', 'ok', 'wrong']),
    ('A forward pass by hand, one neuron.\n\n$$\n\\begin{align}\nnet &= w_1 x_1 + b \\\\\n&= 0.15 \\cdot 0.05 + 0.35 \\\\\n&= 0.3575 \\\\\nout &= \\frac{1}{1 + e^{-net}} \\\\\n&= \\frac{1}{1 + e^{-0.3575}} \\\\\n&= 0.588435\n\\end{align}\n$$\n\nThe same with a digit slip in the middle row:\n\n$$\n\\begin{align}\nout &= \\frac{1}{1 + e^{-net}} \\\\\n&= \\frac{1}{1 + e^{-0.3757}} \\\\\n&= 0.588435\n\\end{align}\n$$\n\nIts derivative still takes the formula: $\\frac{\\partial net}{\\partial w_1} = x_1$.\n',
     ['definition', 'not checkable', 'ok', 'definition', 'ok', 'ok', 'ok', 'wrong', 'recovered', 'ok']),
    ('Numbers written to ten decimals inside exponentials:\n\n$$ \\frac{1}{1 + e^{-1.1059059670}} = 0.7513650695 $$\n\n$$ \\frac{1}{1 + e^{-1.1059059670}} = \\frac{1}{1 + e^{-1.1059059067}} $$\n',
     ['ok', 'wrong']),
    ('Let $h^{(i)} = \\sigma(\\theta x^{(i)})$ and $J = -\\frac{1}{m} \\sum_{i=1}^m y^{(i)} \\log h^{(i)} + (1 - y^{(i)}) \\log(1 - h^{(i)})$.\n\n$$\n\\begin{align*}\n\\frac{\\partial J}{\\partial \\theta} &= \\frac{\\partial}{\\partial \\theta} \\frac{-1}{m} \\sum_{i=1}^m y^{(i)} \\log h^{(i)} + (1 - y^{(i)}) \\log(1 - h^{(i)}) \\\\\n&= -\\frac{1}{m} \\sum_{i=1}^m \\frac{\\partial}{\\partial \\theta} \\left( y^{(i)} \\log h^{(i)} \\right) + \\frac{\\partial}{\\partial \\theta} \\left( (1 - y^{(i)}) \\log(1 - h^{(i)}) \\right) \\\\\n&= \\frac{1}{m} \\sum_{i=1}^m (h^{(i)} - y^{(i)}) x^{(i)} \\\\\n&= \\frac{1}{m} \\sum_{i=1}^m (y^{(i)} - h^{(i)}) x^{(i)}\n\\end{align*}\n$$\n',
     ['definition', 'definition', 'ok', 'ok', 'ok', 'wrong']),
    ('$$ \\left[ \\frac{0.149}{1.517}, \\frac{1.0}{1.517}, \\frac{0.368}{1.517} \\right] \\approx [0.098, 0.659, 0.242] $$\n\n$$ \\left[ \\frac{0.149}{1.517}, \\frac{1.0}{1.517}, \\frac{0.368}{1.517} \\right] \\approx [0.098, 0.659, 0.252] $$\n\n$$ \\frac{1}{1 + 0.182683} = \\frac{1}{1.182683} \\approx 0.8455347 $$\n\n$$ \\frac{1}{1 + 0.182683} = \\frac{1}{1.182683} \\approx 0.8455447 $$\n',
     ['not checkable', 'wrong', 'ok', 'not checkable', 'ok', 'wrong']),
    ('# A divergence stated with the other sign\n\n$$ D_{KL}(P || Q) = -\\sum_x P(x) \\log \\frac{P(x)}{Q(x)} = \\sum_x P(x) \\log Q(x) - \\sum_x P(x) \\log P(x) $$\n\n$$ \\sum_x P(x) \\log Q(x) - \\sum_x P(x) \\log P(x) = H(P, Q) - H(P) $$\n',
     ['not checkable', 'ok', 'wrong']),
    ('$$ D_{KL}(P || Q) = \\sum_x P(x) \\log \\frac{P(x)}{Q(x)} = H(P, Q) - H(P) $$\n',
     ['ok', 'ok']),
    ('$$z = \\begin{bmatrix} 2.0 & 1.0 & 0.1 \\end{bmatrix}$$\n\n$$\\mathcal{L} = \\text{LSE}(z) - z_{\\text{hedef}} = 2.417031 - 1.0 = 1.417031$$\n\n$$\\frac{\\partial \\mathcal{L}}{\\partial z_0} = 0.659001 - 0.0 = +0.659001$$\n',
     ['definition', 'definition', 'not checkable', 'ok', 'not checkable', 'ok']),
    ("$$\n\\begin{aligned}\n\\frac{ \\partial E }{ \\partial w_{ji} }\n    &= ( \\sum_{k=0}^{K-1} (y_{k}-t_{k}) \\cdot \\frac{\\partial }{\\partial z_{j}} \\sum_{j=0}^{M} v_{kj} z_{j} ) \\frac{\\partial }{\\partial b_{j} } h(b_{j}) \\cdot x_{i} \\\\\n    &= ( \\sum_{k=0}^{K-1} (y_{k}-t_{k}) \\cdot v_{kj} ) h'(b_{j}) \\cdot x_{i}\n\\end{aligned}\n$$\n",
     ['not checkable', 'not checkable']),
    ('Predicted probabilities $p = [0.1, 0.3]$ for labels $y = [0, 0]$.\n\n\\[\n\\begin{align*}\n\\text{Log Loss}_1 &= -\\left( 0 \\cdot \\log(0.1) + (1 - 0) \\cdot \\log(1 - 0.1) \\right) = -\\log(0.9) \\approx 0.1054 \\\\\n\\text{Log Loss}_2 &= -\\left( 0 \\cdot \\log(0.3) + (1 - 0) \\cdot \\log(1 - 0.3) \\right) = -\\log(0.7) \\approx 0.3567 \\\\\n\\end{align*}\n\\]\n\n\\[\n\\text{Log Loss} = \\frac{1}{2} \\left( 0.1054 + 0.3567 \\right) \\approx 0.2311\n\\]\n\n\\[\n\\text{Log Loss} = \\frac{1}{2} \\left( 0.1054 + 0.3567 \\right) \\approx 0.2411\n\\]\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'definition', 'ok', 'ok', 'definition', 'ok', 'ok', 'wrong']),
    ('$\\sigma(-20) = \\frac{1}{1 + e^{20}}$\n\n$\\sigma(-20) = \\frac{1}{1 + 485165195.31}$\n\n$\\sigma(-20) = \\frac{1}{485165196.31}$\n\n$\\sigma(-20) = 2.06115362\\times10^{-9} \\approx .00000000206115$\n\n$\\sigma(20) = 0.99999999793884631$\n\n$\\sigma(20) = 0.99999999793994631$\n\n$\\sigma(20) = 0.9999999979$\n',
     ['ok', 'wrong', 'not checkable', 'ok', 'ok', 'ok', 'wrong', 'ok']),
    ('Donc\n\n$$ \\frac{\\partial \\log p_k}{\\partial z_j} = \\delta_{kj} - p_j $$\n\noù $ \\delta_{kj} = 1$ si $k = j$, $0$ sinon.\n\nEt encore, avec une faute, où $\\delta_{kj} = 0$ si $k = j$.\n',
     ['not checkable', 'ok', 'wrong']),
    ('\\begin{frame}{クロスエントロピー}\n\\begin{itemize}\n\\item $q \\in \\mathbb{R}^m$を$y_i$のone-hot vectorとする.\n\\end{itemize}\n\\begin{align*}\n&  -\\sum_{k=1}^m q_k \\log \\left( \\frac{ \\exp(z_k)}{\\sum_{j=1}^m \\exp(z_j)} \\right) \\\\\n= &- \\sum_{k=1}^m q_k z_k + \\log(\\sum_{j=1}^m \\exp(z_j))  \\\\\n= &- \\sum_{k=1}^m q_k z_k - \\log(\\sum_{j=1}^m \\exp(z_j))\n\\end{align*}\n\\end{frame}\n',
     ['ok', 'wrong']),
    ('The input is $x$, the weight $w$, so $z = wx+b$ and the output $y_i = \\sigma(z)$.\n\n$$\nL(y_i,\\hat{y}_i) = -(y_i\\log \\hat{y_i} + (1-y_i)\\log (1-\\hat{y_i}))\n$$\n\n$$\n\\frac{\\partial{L(y_i,\\hat{y_i})} }{ {\\partial w} } = (\\sigma(z)-y_i)x = (\\hat{y}_i-y_i)x\n$$\n',
     ['definition', 'definition', 'definition', 'not checkable', 'not checkable']),
    ('The input is $x$, the weight $w$, so $z = wx+b$ and the output $y_i = \\sigma(z)$.\n\n$$\nL(y_i,\\hat{y}_i) = -(y_i\\hat{y_i} + (1-y_i)(1-\\hat{y_i}))\n$$\n\n$$\n\\frac{\\partial{L(y_i,\\hat{y_i})} }{ {\\partial w} } = (\\sigma(z)-y_i)x = (\\hat{y}_i-y_i)x\n$$\n',
     ['definition', 'definition', 'definition', 'wrong', 'wrong']),
    ('Let $X=[x_1,x_2,x_3]$ and $y_i = \\frac{e^{x_i}}{\\sum_{j}e^{x_j}}$.\n\n$$C = -\\sum_{k} \\hat{y}_k y_k$$\n\nWhen $i \\neq j$:\n\n$$ \\frac{\\partial y_i}{\\partial x_j} = \\frac{\\partial}{\\partial x_i}\\left(\\frac{e^{x_i}}{\\sum_k e^{x_k}}\\right) $$\n',
     ['definition', 'definition', 'definition', 'wrong']),
    ('Let $z = w x + b$.\n\n$$\\begin{aligned}\n\\frac{\\partial}{\\partial b}\\ln\\sigma(z) &=\\frac{1}{\\sigma(z)} \\frac{\\partial \\sigma(z)}{\\partial z}\\frac{\\partial z}{\\partial b},\\ \\frac{\\partial \\sigma(z)}{\\partial z}=\\sigma(z)(1-\\sigma(z)) \\\\\n&=(1-\\sigma(z)) \\\\\n\\frac{\\partial}{\\partial b}\\ln\\sigma(z) &=\\frac{1}{\\sigma(z)} \\frac{\\partial \\sigma(z)}{\\partial z}\\frac{\\partial z}{\\partial b},\\ \\frac{\\partial \\sigma(z)}{\\partial z}=\\sigma(z)(1-\\sigma(z)) \\\\\n&=\\sigma(z)(1-\\sigma(z))\n\\end{aligned}$$\n',
     ['definition', 'ok', 'ok', 'ok', 'ok', 'ok', 'wrong']),
    ('$$\\text{Error Reduction} = \\frac{0.143 - 0.058}{0.143}\\cdot 100\\% = 59.4\\% $$\n\n$$\\text{Error Reduction} = \\frac{0.143 - 0.058}{0.143}\\cdot 100\\% = 69.4\\% $$\n',
     ['definition', 'not checkable', 'ok', 'wrong']),
    ('Simplify notation: $\\sigma = \\sigma(w^\\top x)$.\n\n$$\n\\begin{align*}\n\\nabla_w J &= \\frac{y(1-\\sigma) - (1-y)\\sigma}{\\sigma(1-\\sigma)} \\nabla_w\\sigma \\\\\n&= \\frac{y - \\sigma y - \\sigma + \\sigma y}{\\sigma(1-\\sigma)} \\nabla_w\\sigma \\\\\n&= \\frac{y - \\sigma}{\\sigma(1-\\sigma)}\\nabla_w\\sigma \\\\\n&= \\frac{y + \\sigma}{\\sigma(1-\\sigma)}\\nabla_w\\sigma\n\\end{align*}\n$$\n',
     ['not checkable', 'not checkable', 'ok', 'ok', 'not checkable']),
    ('\\section{Couche de sortie}\nDe plus,\n\\begin{equation}\n    (x^{(p,3)})_{j} = \\sum\\limits_{i=1}^{n_{hidden}} w_{ij}^{(2)}(x^{(p,2)})_i + b_j^{(2)}\n\\end{equation}\ndonc\n\\begin{equation}\n    \\frac{\\partial (x^{(p,3)})_{k}}{\\partial (x^{(p,2)})_{j}} = w_{jk}^{(2)}\n\\end{equation}\net, avec une faute,\n\\begin{equation}\n    \\frac{\\partial (x^{(p,3)})_{k}}{\\partial (x^{(p,2)})_{j}} = w_{kj}^{(2)}\n\\end{equation}\n',
     ['definition', 'ok', 'wrong']),
    ('The **softmax function** is given by $$\\sigma (\\mathbf{z})_{i}={\\frac {e^{z_{i}}}{\\sum_{k=1}^{K}e^{z_{k}}}}$$\nfor $$i=1,\\dots,K.$$\n\nif $$i=j:$$\n$$\n\\frac{\\partial \\sigma(\\mathbf{z})_{i}}{\\partial \\mathbf{z}_{j}}\n=\n\\left(\\frac {e^{z_{j}}}{\\sum _{k=1}^{K}e^{z_{k}}}\\right)^{\\prime}\n=\n\\frac { \\left(\\sum_{k=1}^{K}e^{z_{k}}\\right) \\left(e^{z_{j}}\\right) - e^{z_{j}}e^{z_{j}} } { \\left(\\sum_{k=1}^{K}e^{z_{k}}\\right)^2 }\n$$\n\nif $$i \\neq j:$$\n$$\n\\frac{\\partial \\sigma(\\mathbf{z})_{i}}{\\partial \\mathbf{z}_{j}}\n=\n\\left(\\frac {e^{z_{i}}}{\\sum _{k=1}^{K}e^{z_{k}}}\\right)^{\\prime}\n=\n\\frac { 0 - e^{z_{j}}e^{z_{i}} } { \\left(\\sum_{k=1}^{K}e^{z_{k}}\\right)^2 }\n=\n\\frac { 0 + e^{z_{j}}e^{z_{i}} } { \\left(\\sum_{k=1}^{K}e^{z_{k}}\\right)^2 }\n$$\n',
     ['definition', 'ok', 'ok', 'ok', 'ok', 'wrong']),
    ("Let $z = X \\Theta + \\epsilon$ and $p = g(z) = \\frac{1}{1+e^{-z}}$.\n\n$$\ng'(z) = \\frac{d}{dz} \\frac{1}{1+e^{-z}} = g(z)(1-g(z))\n$$\n\n$$\ng'(z) = \\frac{d}{dz} \\frac{1}{1-e^{-z}} = g(z)(1-g(z))\n$$\n\nLet $r(z) = \\max(0, z)$.\n\n$$\n\\frac{d}{dz} r(z) = 1\n$$\n\n$$\n\\frac{d}{dz} r(z) = \\frac{|z|}{z}\n$$\n",
     ['definition', 'definition', 'definition', 'ok', 'ok', 'wrong', 'recovered', 'definition', 'not checkable', 'not checkable']),
    ('# Two counts\n\n$$p_c = \\frac{e^{z_c}}{\\sum_{k=1}^{C} e^{z_k}}$$\n\n真实标签若为第 2 类，则 $$y = [0,\\,1,\\,0]$$：\n\n$$\nL = -\\sum_{c=1}^{C} y_c \\log(p_c) = -(0 \\cdot \\log(p_0) + 1 \\cdot \\log(p_1) + 0 \\cdot \\log(p_2))\n$$\n\n$$\nL = -\\sum_{c=1}^{C} y_c \\log(p_c) = -\\log(p_1)\n$$\n\n$$\nL = -\\sum_{c=1}^{C} y_c \\log(p_c) = -\\log(p_2)\n$$\n',
     ['definition', 'definition', 'definition', 'not checkable', 'ok', 'wrong', 'ok', 'ok']),
    ('# Scores counted from 0\n\n$$\\text{softmax}(\\vec{s})_j = \\frac{e^{s_j}}{\\sum_{k=0}^{K-1} e^{s_k}}$$\n\nTake $\\vec{s} = [2, 1, 0]$.\n\n$$\\text{softmax}(\\vec{s}) = \\left[\\frac{7.389}{11.107},\\ \\frac{2.718}{11.107},\\ \\frac{1.000}{11.107}\\right]$$\n\n$$\\text{softmax}(\\vec{s}) = \\left[\\frac{2.718}{11.107},\\ \\frac{7.389}{11.107},\\ \\frac{1.000}{11.107}\\right]$$\n',
     ['ok', 'definition', 'not checkable', 'wrong']),
    ('# An indicator with a number for its index\n\n$$T(y)_i = 1\\{y=1\\}$$\n\n$$p(y;\\phi) = \\prod_{i=1}^{k} \\phi_i^{1\\{y=i\\}} = \\prod_{i=1}^{k} \\phi_i^{T(y)_i}$$\n\n## With the index\n\n$$S(y)_i = 1\\{y=i\\}$$\n\n$$q(y;\\phi) = \\prod_{i=1}^{k} \\phi_i^{1\\{y=i\\}} = \\prod_{i=1}^{k} \\phi_i^{S(y)_i} = \\prod_{i=1}^{k} \\phi_i^{1\\{y=1\\}}$$\n',
     ['definition', 'definition', 'not checkable', 'definition', 'definition', 'not checkable', 'wrong']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_{c=1}^{C} e^{z_c}}$.\n\n$$\nloss_i = -\\log \\frac{e^{z_i}}{\\sum_{c=1}^{C} e^{z_c}} = -\\log(p_1)\n$$\n\n$$\n\\frac{\\partial p_i}{\\partial z_j} = p_i(1 - p_i) = p_1(1-p_2)\n$$\n',
     ['definition', 'definition', 'not checkable', 'wrong', 'wrong']),
    ('# The reach of a product\n\nLet $\\phi_i = \\frac{e^{z_i}}{\\sum_{j=1}^{k} e^{z_j}}$.\n\n$$T(y)_i = 1\\{y=i\\}$$\n\n$$\np = \\prod_{i=1}^{k-1} \\phi_i^{T(y)_i} \\cdot \\phi_k^{1-\\sum_{j=1}^{k-1}T(y)_j}\n= \\prod_{i=1}^{k-1} \\exp \\log \\left( \\phi_i^{T(y)_i} \\cdot \\phi_k^{1-\\sum_{j=1}^{k-1}T(y)_j} \\right)\n$$\n\n$$\nq = \\left(\\prod_{i=1}^{k-1} \\phi_i^{T(y)_i}\\right) \\phi_k^{1-\\sum_{j=1}^{k-1}T(y)_j}\n= \\prod_{i=1}^{k-1} \\exp \\log \\left( \\phi_i^{T(y)_i} \\cdot \\phi_k^{1-\\sum_{j=1}^{k-1}T(y)_j} \\right)\n$$\n',
     ['definition', 'definition', 'definition', 'not checkable', 'definition', 'wrong']),
    ('# Softmax 求导\n\n$$p_i = \\frac{e^{z_i}}{\\sum_{c=1}^{C} e^{z_c}}$$\n\n对 $$j=i$$ 时，偏导数为：\n\n$$\n\\frac{\\partial p_i}{\\partial z_j} = p_i(1 - p_j)\n$$\n\n对 $$j\\ne i$$ 时，偏导数为：\n\n$$\n\\frac{\\partial p_i}{\\partial z_j} = -p_i p_j\n$$\n\n$$\n\\frac{\\partial p_i}{\\partial z_j} = p_i p_j\n$$\n\n我们对 $$\\frac{\\partial p_i}{\\partial z_i} = p_i - p_i^2$$ 进行变换。\n',
     ['definition', 'ok', 'ok', 'wrong', 'ok']),
    ('## Forward pass\n\nThe weights are given in the figure.\n\n$z_{1}=W_{1}x_{1} + W_{2}x_{2}=0.3 \\text{×} 0.1 + 0.25 \\text{×} 0.2= 0.08$<br/>\n$z_{2}=W_{3}x_{1} + W_{4}x_{2}=0.4 \\text{×} 0.1 + 0.35 \\text{×} 0.2= 0.21$\n\n$h_{1}=sigmoid(z_{1}) = 0.51998934$\n',
     ['definition', 'not checkable', 'ok', 'definition', 'not checkable', 'wrong', 'definition', 'ok']),
    ('# Worked example\n\n$$z^{(2)} = 0.7 \\times 0.6225 + 0.8 \\times 0.5744 = 0.8953$$\n\n$$o = \\sigma(0.8953) = 0.7101$$\n\n$$o = \\sigma(0.8953) = 0.7100$$\n\n$$\\sigma(0.7186 \\times 0.6236 + 0.8171 \\times 0.5759) = \\sigma(0.9190) = 0.7148$$\n',
     ['definition', 'ok', 'definition', 'wrong', 'ok', 'ok', 'not checkable', 'ok']),
    ('### Softmax of $Z = \\{1, 2, 3\\}$\n\nThe softmax is $\\sigma(z_i) = \\frac{e^{z_i}}{\\sum_{j=1}^{K} e^{z_j}}$.\n\n$$\\text{Sum} = e^{1} + e^{2} + e^{3} \\approx 2.718 + 7.389 + 20.086 \\approx 30.193$$\n\n- For $ z_1 = 1 $:\n  $$\\sigma(z_1) = \\frac{e^{1}}{\\text{Sum}} \\approx \\frac{2.718}{30.193} \\approx 0.0900$$\n- For $ z_2 = 2 $:\n  $$\\sigma(z_2) = \\frac{e^{2}}{\\text{Sum}} \\approx \\frac{7.389}{30.193} \\approx 0.2547$$\n',
     ['definition', 'definition', 'definition', 'ok', 'ok', 'not checkable', 'not checkable', 'ok', 'not checkable', 'not checkable', 'wrong']),
    ('# Activation functions\n\n## Sigmoid\n\n$$\nh_\\theta(x)=\\frac{1}{1+e^{-\\theta^Tx}}\n$$\n\nThe derivative by one weight:\n\n$$\n\\frac{\\partial h_\\theta(x)}{\\partial \\theta_j} = h_\\theta(x)(1-h_\\theta(x))x_j = h_\\theta(x)(1+h_\\theta(x))x_j\n$$\n\n## Softmax\n\nWith weight decay the loss is $J(\\theta) = \\frac{\\lambda}{2}\\sum_{i=1}^k\\sum_{j=1}^n\\theta_{ij}^2$.\n',
     ['definition', 'ok', 'wrong', 'definition']),
    ('# Activation functions\n\n## Sigmoid\n\nLet $z = \\theta \\cdot x$ and $h(z) = \\frac{1}{1+e^{-z}}$.\n\n## Softmax\n\nThe input is a vector $z=[z_1,z_2,\\cdots,z_n]$ and the output $a=[a_1,a_2,\\cdots,a_n]$, with $a_i=\\frac{e^{z_i}}{\\sum_{k=1}^ne^{z_k}}$.\n\n$$\n\\frac{\\partial a_i}{\\partial z_j} = a_i(\\delta_{ij} - a_j) = a_i(\\delta_{ij} + a_j)\n$$\n\nFor $i \\neq j$:\n$$\n\\frac{\\partial \\frac{e^{z_i}}{\\sum_{k=1}^{N}e^{z_k}}}{\\partial z_j} = \\frac{0-e^{z_j}e^{z_i}}{(\\sum_k^ne^{z_k})^2} = -a_j a_i\n$$\n',
     ['definition', 'definition', 'not checkable', 'not checkable', 'definition', 'ok', 'wrong', 'not checkable', 'ok']),
    ('## Mean squared error\n\n$MSE = \\frac{1}{N} \\sum_{i=1}^{N} (y_i - \\hat{y}_i)^2$\n\nFor a single sample, the gradient with respect to the prediction is\n\n$\\frac{\\partial MSE}{\\partial \\hat{y}} = \\frac{\\partial}{\\partial \\hat{y}} \\frac{1}{2} (y - \\hat{y})^2 = -(y - \\hat{y})$\n\nand for the mean over the batch\n\n$\\frac{\\partial MSE}{\\partial \\hat{y}_i} = -\\frac{2}{N}(y_i - \\hat{y}_i)$\n',
     ['definition', 'not checkable', 'ok', 'ok']),
    ('### Learning\n\n$$ s(z_i) = \\frac{e^{z_i}}{\\sum^{K}_{i=1} e^{z_i}} $$\n\nThe batch update takes $s(z_{j,i})$ for sample $j$ and class $i$.\n\n### Derivations\n\n$$ \\frac{\\partial s(z_i)}{\\partial z_i} = s(z_i)(1 - s(z_i)) = s(z_i)(1 + s(z_i)) $$\n',
     ['definition', 'ok', 'wrong']),
    ('Let $p_j = \\frac{e^{z_j}}{\\sum_k e^{z_k}}$.\n\n$$ \\frac{\\partial p_j}{\\partial z_j} = \\frac{\\frac{\\partial}{\\partial z_j} e^{z_j} (\\sum_k e^{z_k}) - e^{z_j} e^{z_j}}{(\\sum_k e^{z_k})^2} $$\n\n$$ \\frac{\\partial p_j}{\\partial z_j} = \\frac{(\\frac{\\partial}{\\partial z_j} e^{z_j}) (\\sum_k e^{z_k}) - e^{z_j} e^{z_j}}{(\\sum_k e^{z_k})^2} = \\frac{e^{z_j} (\\sum_k e^{z_k}) + e^{z_j} e^{z_j}}{(\\sum_k e^{z_k})^2} $$\n',
     ['definition', 'not checkable', 'ok', 'wrong']),
    ('Let $v_b = h_i W_{ib} + c_b$, with the repeated index summed.\n\n$$ \\frac{\\partial v_b}{\\partial h_c} = W_{ib} \\frac{\\partial h_i}{\\partial h_c} = W_{ib} \\delta_{ic} = W_{cb} $$\n\n$$ W_{ib} \\delta_{ic} = W_{bc} $$\n',
     ['definition', 'not checkable', 'ok', 'not checkable', 'wrong']),
    ('For $y = 1$:\n\n$$ \\text{Cost} = -\\log(0.6225) \\approx 0.4740 $$\n\nFor $y = 0$:\n\n$$ \\text{Cost} = -\\log(0.3775) \\approx 0.9742 $$\n\nFor $y = 0$ again, rounded badly:\n\n$$ -\\log(0.3775) \\approx 0.9842 $$\n',
     ['definition', 'ok', 'definition', 'ok', 'wrong']),
    ('The entropy is $H(X) = -\\sum_{i=1}^n p_i \\log_2 p_i$.\n\nFor a fair coin, $p(\\text{heads}) = p(\\text{tails}) = 0.5$:\n\n$$ H(X) = -2 \\times 0.5 \\log_2 0.5 = 1 \\text{ bit} $$\n\n$$ -2 \\times 0.5 \\log_2 0.5 = 2 \\text{ bit} $$\n\nGroups $S_1$ and $S_2$: $H(S_1) = 0$ and $H(S_2) = -0.5 \\log_2 0.5 - 0.5 \\log_2 0.5 = 1$.\n',
     ['definition', 'not checkable', 'not checkable', 'not checkable', 'ok', 'wrong', 'not checkable', 'ok']),
    ('$$ I = 2.25 \\times 10^6 \\times 3.58 \\approx 8.06 \\text{ million bits} $$\n\n$$ I_2 = 2.25 \\times 10^6 \\times 3.58 \\approx 8.6 \\text{ million bits} $$\n',
     ['definition', 'not checkable', 'definition', 'wrong']),
    ("## Tanh\n\n$$ g(z) = \\tanh(z) $$\n\n$$ g'(z) = 1 - \\tanh^2(z) $$\n\n## Arctan\n\n$$ g(z) = \\arctan(z) $$\n\n$$ g'(z) = \\frac{1}{1 + z^2} = \\frac{1}{1 - z^2} $$\n\n## Error function\n\n$$ g(z) = \\operatorname{erf}(z) $$\n\n$$ g'(z) = 1 - \\tanh^2(z) $$\n",
     ['definition', 'ok', 'definition', 'ok', 'wrong', 'definition', 'not checkable']),
    ("## Tanh\n\n$$ g(z) = \\tanh(z) $$\n\n$$ g'(z) = 1 - \\tanh^2(z) $$\n\n## Another activation\n\n$$ g(z) = \\arcsec(z) $$\n\n$$ g'(z) = 1 - \\tanh^2(z) $$\n",
     ['definition', 'ok', 'unparsed', 'not checkable']),
    ('In Einstein notation, with the repeated index summed, let $v_b = h_i W_{ib} + c_b$.\n\n$$ \\frac{\\partial v_b}{\\partial h_c} = W_{ib} \\frac{\\partial h_i}{\\partial h_c} = W_{ib} \\delta_{ic} = W_{cb} $$\n\n$$ W_{ib} \\delta_{ic} = W_{bc} $$\n',
     ['definition', 'not checkable', 'ok', 'ok', 'wrong']),
    ("Let $s(t) = \\frac{1}{1 + e^{-t}}$.\n\n$$\n\\begin{aligned}\ns'(t) \\quad & = \\quad \\frac{d}{dt} \\frac{1}{1 + e^{-t}} \\\\\n& = \\quad \\frac{e^{-t}}{(1 + e^{-t})^2} \\\\\n& = \\quad s(t)(1 - s(t)) \\\\\n& = \\quad s(t)(1 + s(t))\n\\end{aligned}\n$$\n",
     ['definition', 'ok', 'ok', 'ok', 'wrong']),
    ('$$P(A) = 0.4, \\quad P(\\bar{A}) = 0.6, \\quad P(B|A) = 0.5, \\quad P(B|\\bar{A}) = 0.2$$\n\n$$\nT = U + V \\\\\n\\quad U = P(B|A)P(A) = 0.5 \\times 0.4 = 0.2 \\\\\n\\quad V = P(B|\\bar{A})P(\\bar{A}) = 0.2 \\times 0.6 = 0.12 \\\\\n= 0.2 + 0.12 = 0.32 \\\\\n= 0.30\n$$\n',
     ['definition', 'definition', 'definition', 'definition', 'definition', 'definition', 'ok', 'ok', 'definition', 'ok', 'ok', 'not checkable', 'ok', 'wrong']),
    ('## Backward pass\n\n$$h = 0.6$$\n\n$$\\delta^{(2)} = (h - 1) \\cdot h = -0.24$$\n\n$$\\delta_1^{(1)} = 0.5 \\cdot \\delta^{(2)} = -0.12$$\n\n$$\\delta_2^{(1)} = 0.25 \\cdot \\delta^{(2)} = -0.07$$\n',
     ['definition', 'definition', 'ok', 'definition', 'ok', 'definition', 'wrong']),
    ('# Softmax with a temperature\n\nThe softmax of $z = [1.0, 2.0]$ has $\\sigma(1.0) = \\frac{e^1}{e^1 + e^2} \\approx 0.269$ and $\\sigma(2.0) = \\frac{e^2}{e^1 + e^2} \\approx 0.713$.\n',
     ['definition', 'not checkable', 'ok', 'not checkable', 'wrong']),
    ('## Two examples\n\n$$P(S) = 0.1$$\n\n$$2 P(S) = 0.2$$\n\nNow take another event probability:\n\n$$P(S) = 0.5$$\n\n$$2 P(S) = 1.0$$\n\n$$3 P(S) = 1.6$$\n',
     ['definition', 'ok', 'not checkable', 'ok', 'wrong']),
    ('$$0.03 \\log_2 0.12 + 0.5 = -0.0918 + 0.5$$\n\n$$0.03 \\log_2 0.12 + 0.5 = -0.0917 + 0.5$$\n\n$$0.03 \\log_2 0.12 + 0.5 = -0.0817 + 0.5$$\n',
     ['ok', 'ok', 'not checkable']),
    ('The target $y$ is one-hot: $y_c = 1$ for the true class $c$, and the other $y_i = 0$. Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n**Case 2**, $i \\ne c$:\n\n$$p_i = p_i - y_i$$\n\n$$p_i - y_i = 2 p_i$$\n',
     ['definition', 'not checkable', 'wrong']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$\n\\begin{aligned}\ni = j 时：\\\\\n\\frac{\\partial p_i}{\\partial z_j} &= p_j(1 - p_j)\n\\end{aligned}\n$$\n\n$$\n\\begin{aligned}\ni \\neq j 时：\\\\\n\\frac{\\partial p_i}{\\partial z_j} &= -p_i p_j \\\\\n&= p_i p_j\n\\end{aligned}\n$$\n',
     ['definition', 'ok', 'ok', 'wrong']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$\n\\eqalign{\n\\log p_i &= z_i - \\log \\sum_k e^{z_k} \\\\\n&= \\log e^{z_i} - \\log \\sum_k e^{z_k} \\\\\n&= z_i + \\log \\sum_k e^{z_k}\n}\n$$\n',
     ['definition', 'ok', 'ok', 'wrong']),
    # a note with no delimited math: formulas typed as paragraphs, and two values side by side
    ('Softmax by hand, for z = (2, 1).\n\nq1 = e^2 / (e^2 + e^1) = 0.7311\n\nq2 = e^1 / (e^2 + e^1) = 0.2311\n\n'
     'CE = -(1 * log(0.7311)), -(1 * log(0.2689))\n\n= 0.3132, 1.3134\n\n= 0.3132, 1.2\n',
     ['definition', 'ok', 'definition', 'wrong', 'definition', 'ok', 'wrong']),
    ('$$\n\\begin{aligned}\nL &= -\\log 0.5, -\\log 0.25 \\\\\n&= 0.6931, 1.3863 \\\\\n&= 0.6931, 1.2\n\\end{aligned}\n$$\n',
     ['definition', 'ok', 'wrong']),
    ('$$ -\\log 0.5, -\\log 0.25 = 0.6931, 1.3863 $$\n\n$$ \\log 2, \\log 4 = 0.6931, 1.2 $$\n', ['ok', 'wrong']),
    ('<p>With $p = \\sigma(z)$,\n\\begin{align}\n\\frac{dp}{dz} &= p(1 - p) \\\\\n&= p - p^2 \\\\\n&= p + p^2\n'
     '\\end{align}\nas claimed.</p>\n', ['definition', 'ok', 'ok', 'wrong']),
    # rows that solve an equation stated above them hold where it holds
    ('Let $z = w x + b$, and $P \\in [0, 1]$ the probability.\n\n$$\n\\begin{aligned}\n\\log \\frac{P}{1 - P} &= z \\\\\n'
     '\\frac{P}{1 - P} &= e^z \\\\\nP &= e^z (1 - P) \\\\\nP (1 + e^z) &= e^z \\\\\nP (1 - e^z) &= e^z\n\\end{aligned}\n$$\n',
     ['definition', 'not checkable', 'not checkable', 'ok', 'ok', 'wrong']),
    # a row not checkable for another reason (L never defined) is no equation the rows below solve
    ('$$\n\\begin{aligned}\n\\frac{\\partial L}{\\partial z} &= \\sigma(z) - y \\\\\n'
     '\\sigma(z)(1 - \\sigma(z)) &= \\sigma(z) + \\sigma(z)^2\n\\end{aligned}\n$$\n', ['not checkable', 'wrong']),
    # σ(z) = P names σ(z)'s value; σ stays the sigmoid in the next section
    ('## Model\n\n$$\\sigma(z) = \\frac{1}{1 + e^{-z}}$$\n\n$$\\sigma(z) = P$$\n\n## Symmetry\n\n$$\\sigma(-z) = 1 - \\sigma(z)$$\n',
     ['definition', 'definition', 'ok']),
    ('The labels are $y \\in \\{0, 1\\}$.\n\n$$\n\\begin{aligned}\n\\text{Let } \\ln x &= y \\\\\n\\text{Then } e^y &= x \\\\\n'
     '\\text{so } e^{2y} &= 2x\n\\end{aligned}\n$$\n', ['definition', 'ok', 'wrong']),
    # the entry's index on the function's letter, as its definition writes it
    ('$$\\sigma_i(z)=\\frac{e^{z_i}}{\\sum_{k=1}^n e^{z_k}}$$\n\n'
     '$$\\frac{\\partial\\sigma_i(z)}{\\partial z_j} = \\sigma_i(z)(\\delta_{ij} - \\sigma_j(z))$$\n\n'
     '$$\\frac{\\partial\\sigma_i(z)}{\\partial z_j} = \\sigma_i(z)(\\delta_{ij} + \\sigma_j(z))$$\n',
     ['definition', 'ok', 'wrong']),
    # the note's own macro, defined in its math as MathJax reads it
    ('$$\\newcommand{\\pd}[2]{\\frac{\\partial #1}{\\partial #2}}$$\n\nLet $p = \\sigma(z)$.\n\n'
     '$$\\pd{p}{z} = p(1 - p)$$\n\n$$\\pd{p}{z} = p(1 + p)$$\n', ['definition', 'ok', 'wrong']),
    # σ said to be the sigmoid in words, in a note about softmax; a function's signature is no step
    ('# Softmax and the sigmoid\n\nLet $\\sigma$ be the sigmoid function.\n\n$$\\sigma(-z) = 1 - \\sigma(z)$$\n\n'
     '$$\\sigma(-z) = \\sigma(z)$$\n', ['ok', 'wrong']),
    ('# ソフトマックス\n\n$\\sigma: \\mathbb{R} \\to \\mathbb{R}$をシグモイド関数とする。\n\n$$\\sigma(-z) = 1 - \\sigma(z)$$\n\n'
     '$$\\sigma(-z) = \\sigma(z)$$\n', ['ok', 'wrong']),
    # p_A (model A's) beside p: another quantity named after p
    ('# Model\n\n$$p = \\sigma(1.2 x - 2.0)$$\n\n# Two models\n\n$$p_A = \\sigma(1.0 x - 1.8)$$\n\n$$p = \\sigma(1.2 x - 2.0)$$\n',
     ['definition', 'not checkable', 'ok']),
    # \\ in inline math: a blog's escaped space where the rows it would make are no statements; two
    # equations in one inline formula stay two rows
    ('Let $S_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}$.\n\nFor $i \\neq k$:\n\n$\\frac{\\partial S_i}{\\partial x_k} = '
     '- \\frac{e^{x_i}}{\\sum_j e^{x_j}} \\\\ \\frac{e^{x_k}}{\\sum_j e^{x_j}} = -S_i \\\\ S_k$\n', ['definition', 'ok', 'ok']),
    ('Let $p = \\sigma(z)$.\n\n$q = 1 - p \\\\ r = p q$\n\n$$r = p (1 - p)$$\n', ['definition', 'definition', 'definition', 'ok']),
    # the true class named by a letter in words (Korean), a case after 경우, and a function's argument
    # elsewhere (H(p, q)) differentiated here: not a free input
    ('$$H(p, q) = -\\sum_i p_i \\log q_i$$\n\n$y$ is one-hot. 따라서 k가 정답 레이블이라고 가정하면 '
     '$L = - \\sum_{i=1}^c y_i \\log p_i = -\\log p_k$.\n\n1) 정답인 경우, $i = k$\n\n'
     '$\\frac{\\partial p(x_k)}{\\partial x_k} = p_k(1 - p_k)$\n\n$$p_k - 1 = p_i - 1$$\n',
     ['definition', 'definition', 'ok', 'not checkable', 'ok']),
    # "y is the true label" names the target, not the class letter
    ('Here y is the true label, one-hot.\n\n$$L = -\\sum_k y_k \\log p_k$$\n\n$$L = -\\log p_y$$\n',
     ['definition', 'not checkable']),
    # chains written inside the cases of a value: each case its own chain, under its condition
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$\\frac{\\partial p_i}{\\partial z_j} = \\begin{cases} '
     'p_i - p_i p_j = p_i(1 - p_j) & i = j \\\\ -p_i p_j = -p_j p_i & i \\neq j \\end{cases}$$\n',
     ['definition', 'ok', 'ok', 'ok', 'ok']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$\\frac{\\partial p_i}{\\partial z_j} = \\begin{cases} '
     'p_i - p_i p_j = p_i(1 + p_j) & i = j \\\\ p_i p_j = -p_j p_i & i \\neq j \\end{cases}$$\n',
     ['definition', 'ok', 'wrong', 'wrong', 'recovered']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$\\frac{\\partial p_i}{\\partial z_j} = \\begin{cases} '
     'p_i(1 - p_j) = p_i - p_i^2 & \\text{for $j = i$,} \\\\ -p_i p_j & \\text{otherwise} \\end{cases}$$\n',
     ['definition', 'ok', 'ok']),
    ('Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$\\frac{\\partial p_i}{\\partial z_j} = \\begin{cases} '
     'p_i(1 - p_j) = p_i - p_i^2 & \\text{if $j$ is the class} \\\\ 0 & \\text{otherwise} \\end{cases}$$\n',
     ['definition', 'not checkable', 'not checkable']),
    # an equation the words say holds for some value (the mean value theorem's c)
    ('$$f(t) = \\log(e^{t x} + e^{t y})$$\n\nBy the mean value theorem there is $c \\in (0, 1)$ such that\n\n'
     '$$f\'(c) = f(1) - f(0)$$\n\n$$f\'(s) = \\frac{x e^{s x} + y e^{s y}}{e^{s x} + e^{s y}}$$\n', ['definition', 'not checkable', 'ok']),
    # tx in a function's definition: its parameter t times x
    ('$$f(t) = \\text{logsumexp}(tx + (1-t)y)$$\n\n$$f\'(s) = \\frac{\\sum_{i=1}^n e^{s x_i + (1-s)y_i}(x_i - y_i)}'
     '{\\sum_{i=1}^n e^{s x_i + (1-s)y_i}}$$\n', ['definition', 'ok']),
    # said to hold if and only if another statement holds; a norm
    ('$$H(P, Q) = -\\sum_x P(x) \\log Q(x)$$\n\n$$\nH(P, Q) = -\\sum_x P(x) \\log P(x) \\quad \\text{if and only if} '
     '\\quad P = Q\n$$\n', ['definition', 'not checkable']),
    ('$$\\frac{\\sum_i e^{x_i} |x - y|_{\\infty}}{\\sum_i e^{x_i}} = |x - y|_{\\infty}$$\n', ['not checkable']),
    # the value the words pick ("there exists $c$") holds only for it, in the blocks after too
    ('$$f(t) = \\log(e^{t x} + e^{t y})$$\n\nThere exists $c$ such that\n\n$$f\'(c) = f(1) - f(0)$$\n\nSo\n\n'
     '$$\\frac{x e^{c x} + y e^{c y}}{e^{c x} + e^{c y}} = f(1) - f(0)$$\n', ['definition', 'not checkable', 'not checkable']),
    # \log(a)^t (b)^{1-t}: the log of the whole product is the other reading of its reach
    ('$$t x + (1-t) y = \\log\\left(e^x\\right)^t \\left(e^y\\right)^{(1-t)}$$\n\n'
     '$$t x + (1-t) y = \\log\\left(e^x\\right)^t \\left(e^y\\right)^{(2-t)}$$\n', ['ok', 'wrong']),
    # y = f(u) in a section on the chain rule, then the true values y_i in the next: another y,
    # neither f's value nor differentiated there (a slip in the second section is still found)
    ('## Chain rule\n\n- $y = f(u)$ and $u = g(x)$, so:\n\n$$\\frac{dy}{dx} = \\frac{dy}{du} \\frac{du}{dx}$$\n\n'
     '## Cross entropy\n\nWith the true labels $y_i$ and the softmax $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$:\n\n'
     '$$L = -\\sum_k y_k \\log p_k$$\n\n'
     '$$\\frac{\\partial L}{\\partial z_i} = -\\sum_k \\frac{y_k}{p_k} \\frac{\\partial p_k}{\\partial z_i}$$\n\n'
     '$$\\frac{\\partial L}{\\partial z_i} = -\\sum_k \\frac{y_k}{p_k^2} \\frac{\\partial p_k}{\\partial z_i}$$\n',
     ['definition', 'definition', 'ok', 'definition', 'definition', 'ok', 'wrong']),
    # L defined with a_j^i (two indices), differentiated by a_i: 0 only by that reading, no WRONG
    ('In the context of logistic regression, this is simply $z=w^Tx$.\n\n'
     'We apply the softmax function to the logits of the network to get the activations $a_1,..,a_h$.\n\n'
     '$$\\mathcal{L} = \\sum_{i=1}^n \\sum_{j=1}^h -y_j^i \\log(a_j^i)$$\n\n'
     '$$\\frac{\\partial\\mathcal{L}}{\\partial a_i} = \\frac{\\partial}{\\partial a_i}\\left[\\sum_{j=1}^h -y_j \\log a_j\\right]$$\n\n'
     '$$\\frac{dL}{dw_{1,1}} = \\sum_{i=1}^3 \\frac{dL}{da_i} \\frac{da_i}{dz_1} \\frac{dz_1}{dw_{1,1}}$$\n',
     ['definition', 'definition', 'not checkable', 'not checkable']),
    # p = e^v / (1 + e^v) in one section, the sum up to p samples in another: which p is not said
    ('## Activation\n\n' '$$\\varphi(v) = \\frac{1}{1 + e^{-v}}$$\n\n' '## Logistic neuron\n\n'
     '$$\\log \\frac{p}{1-p} = v \\quad\\quad \\frac{p}{1-p} = e^v$$\n\n' '$$p = \\frac{e^v}{1 + e^v}$$\n\n'
     '## Loss over the samples\n\n' '$$E = \\frac{1}{p} \\sum_{i=1}^p (d_i - y_i)^2$$\n',
     ['definition', 'not checkable', 'not checkable', 'definition', 'definition']),
    # "since m = 2" in a binary aside (it holds there), vectors of m entries written with 3 later
    ('# Cross entropy\n\n' '$m$ is the number of classes.\n\n' '$$loss = -\\sum_{j=1}^{m} y_j \\log a_j$$\n\n'
     'For two classes, since $m=2，y_1=1-y_2，a_1=1-a_2$:\n\n'
     '$$loss = -y_1 \\log a_1 - (1 - y_1) \\log (1 - a_1)$$\n\n' '## Softmax\n\n'
     'If the model outputs $z$ values $[3,1,-3]$, the softmax gives\n\n'
     '$$a_j = \\text{Softmax}(z_j) = \\frac{e^{z_j}}{\\sum\\limits_{i=1}^m e^{z_i}}$$\n\n'
     'When the input $[z_1,z_2,z_3]$ is $[3, 1, -3]$, the output is $[0.879,0.119,0.002]$.\n',
     ['definition', 'definition', 'definition', 'definition', 'ok', 'definition', 'not checkable']),
    # "Для случая $k \neq l$:" (for the case k != l) before the display it is the case of
    ('$$Y_{ik} = \\frac{e^{Z_{ik}}}{\\sum_{j} e^{Z_{ij}}}$$\n\n'
     'Для случая $ k \\neq l $:\n$$\n\\frac{\\partial Y_{ik}}{\\partial Z_{il}} = -Y_{ik} Y_{il}\n$$\n',
     ['definition', 'ok']),
    # the upper bound of a sum written as the value its letter ends at
    ('$$-\\sum_{i=1}^{i=4} \\frac{1}{4} \\ln \\frac{1}{4} = \\ln 4$$\n\n'
     '$$-\\sum_{i=1}^{i=4} \\frac{1}{4} \\ln \\frac{1}{4} = \\ln 8$$\n', ['ok', 'wrong']),
    # a bare matrix laid out as eqnarray (v & = & ...) beside an equation after \quad, and d a name
    # the note uses on its own (d \log y, \frac{d}{y}), not a differential
    ('Here $d$ is the target and $y$ the output.\n\n'
     '$$\nE = - \\left[ d\\log(y) + (1-d)\\log(1-y) \\right]\n\\quad\\quad\n\\begin{matrix}\n    y & = & \\sigma(v) \\\\\n    \\sigma(v) & = & \\frac{1}{1+e^{-v}}\n\\end{matrix}\n$$\n\n'
     '$$\n\\begin{matrix}\n    \\dfrac{\\partial E}{\\partial y} & = & -\\frac{d}{y} + \\frac{1-d}{1-y} \\\\\n    \\dfrac{\\partial E}{\\partial y} & = & -\\frac{d}{y} - \\frac{1-d}{1-y}\n\\end{matrix}\n$$\n\n'
     '$$\nd\\log(y) + (1-d)\\log(1-y) = d\\log(y) - d\\log(1-y) + \\log(1-y)\n$$\n',
     ['definition', 'definition', 'definition', 'ok', 'wrong', 'ok']),
    # MathJax's \space before the sentence's full stop
    ('$$\\frac{d}{dx} \\left( x^2 \\right) = 2x \\space.$$\n', ['ok']),
    # a factorial (k!, y!), at real points Γ(x + 1), and a slip through it once λ has a value
    ('$$\\frac{\\lambda^k}{k!} e^{-\\lambda} = \\frac{1}{k!} e^{k \\ln \\lambda - \\lambda}$$\n\n'
     '$$\\lambda = 2$$\n\n'
     '$$\\log \\frac{\\lambda^y e^{-\\lambda}}{y!} = y \\log \\lambda - \\lambda + \\log(y!)$$\n',
     ['ok', 'definition', 'wrong']),
    # K = n_y (the number of classes given another name the note never defines): a size under two
    # names, not n at the index y
    ("$$ L = - \\sum_{k=1}^{K} y_k \\log \\hat{y}_k $$\n\nwhere $K = n_y$ is the number of classes and "
     "$\\hat{y}_k = \\frac{e^{z_k}}{\\sum_{j=1}^{K} e^{z_j}}$.\n\n"
     "$$ \\frac{\\partial L}{\\partial z_i} = \\sum_{k=1}^{K} y_k (\\hat{y}_i - \\delta_{ik}) = \\hat{y}_i \\sum_{k=1}^{K} y_k "
     "- y_i $$\n",
     ["definition", "definition", "definition", "ok", "ok"]),
    # \left\{ \begin{array} ... \end{array} \right.: cases as written before amsmath (a condition in
    # braces too); y one-hot at the o the cases name
    ("$$ y_w=\\left\\{\\begin{array}{ll}\n{1} & {\\text { if } w = o} \\\\\n{0} & {\\text { if } w \\ne o}\n"
     "\\end{array}\\right. $$\n\n$$ -\\sum_{w} y_w \\log(\\hat{y}_o) = - y_o \\log(\\hat{y}_o) = - \\log(\\hat{y}_o) $$\n",
     ["definition", "ok", "ok"]),
    # "Let z = e^x and σ(z) = z/(z + 1)": σ written through z, so σ(x) may be that quantity or
    # x/(x + 1); not said, so not judged
    ("Let $z = e^x \\text{ and } \\sigma(z) = \\frac{z}{z+1}$\n\n$$ \\frac{\\partial \\sigma}{\\partial x} = "
     "\\frac{1}{(z+1)^2} e^x = \\frac{e^x}{(e^x+1)} (1 - \\frac{e^x}{(e^x+1)}) = \\sigma(x)(1-\\sigma(x)) $$\n",
     ["definition", "ok", "ok", "not checkable"]),
    # labels "0 or 1" (or y \in \{0, 1\}): a step holding only at those values is checked at them,
    # each combination of the samples' labels
    ("Each label $y^{(i)}$ (0 or 1) and $\\phi(z) = \\frac{1}{1 + e^{-z}}$.\n\n$$ \\prod_i \\left( \\phi(z^{(i)}) "
     "y^{(i)} + (1-\\phi(z^{(i)})) (1 - y^{(i)}) \\right) = \\prod_i \\left( \\phi(z^{(i)}) \\right)^{y^{(i)}} \\left( "
     "1-\\phi(z^{(i)}) \\right)^{1 - y^{(i)}} $$\n\n$$ \\prod_i \\left( \\phi(z^{(i)}) y^{(i)} + (1-\\phi(z^{(i)})) "
     "(1 - y^{(i)}) \\right) = \\prod_i \\left( \\phi(z^{(i)}) \\right)^{y^{(i)}} \\left( \\phi(z^{(i)}) "
     "\\right)^{1 - y^{(i)}} $$\n\nWith $t \\in \\{0, 1\\}$: $$ t \\log \\phi(z) + (1 - t) \\log(1 - \\phi(z)) = "
     "\\log(t \\phi(z) + (1 - t)(1 - \\phi(z))) $$\n",
     ["definition", "ok", "wrong", "ok"]),
    # kramdown's inline $$ (words before and after on its line): the words around speak of it, here
    # labels 0 or 1; a sum's letter used again outside the sum, where it is free, is not judged;
    # P(X = H), P(X = T): probabilities of outcomes named by capitals, one name each
    ('# A\n\n各データサンプルの正解ラベル $$y^{(i)}$$（0 or 1）と $$\\phi(z) = \\frac{1}{1 + e^{-z}}$$ 。\n\n$$\n\\prod_i \\left( \\phi(z^{(i)}) y^{(i)} + (1-\\phi(z^{(i)})) (1 - y^{(i)}) \\right) = \\prod_i \\left( \\phi(z^{(i)}) \\right)^{y^{(i)}} \\left( 1-\\phi(z^{(i)}) \\right)^{1 - y^{(i)}}\n$$\n\n$$\n\\frac{\\partial l}{\\partial w_j} = \\left( \\sum_i y^{(i)} (1-\\phi(z^{(i)})) - \\sum_i (1-y^{(i)}) \\phi(z^{(i)}) \\right) x_j^{(i)} = \\sum_i (y^{(i)} - \\phi(z^{(i)}) ) x_j^{(i)}\n$$\n\n- $$ P(X = H) = p $$\n\n- $$ P(X = T) = 1 - p $$\n\n$$ H = -P(X = H) \\log P(X = H) - P(X = T) \\log P(X = T) = -p \\log p - (1 - p) \\log (1 - p) $$\n',
     ["definition", "ok", "not checkable", "not checkable", "definition", "definition", "definition", "ok"]),
    # the note's first statement of D_KL differs from the usual one (its own definition, or a slip):
    # the same statement again is as undecided; another one that differs under both readings is WRONG
    ('$$ D_{KL}(P \\| Q) = \\sum_x P(x) \\log \\frac{Q(x)}{P(x)} $$\n\nAs above:\n\n$$ D_{KL}(P \\| Q) = \\sum_x P(x) \\log \\frac{Q(x)}{P(x)} $$\n\n$$ D_{KL}(P \\| Q) = \\sum_x P(x) \\log \\frac{P(x)}{Q(x)} + 1 $$\n',
     ["not checkable", "not checkable", "wrong"]),
    # arg max / arg min: ok when the functions are equal (up to the sign that turns one into the
    # other) or one is the log of the other; a positive factor or a flipped sign is not judged
    ('# A\n\n$$\n\\arg\\max_{\\theta} \\prod_{i=1}^n p(x_i\\mid \\theta) = \\arg\\max_{\\theta} \\log\\prod_{i=1}^n p(x_i\\mid \\theta) = \\arg\\max_{\\theta} \\sum_{i=1}^n \\log p(x_i\\mid \\theta) = \\arg\\min_{\\theta} - \\sum_{i=1}^n \\log p(x_i\\mid \\theta)\n$$\n\n$$\n\\arg\\max_{\\theta} \\sum_{i=1}^n \\log p(x_i\\mid \\theta) = \\arg\\max_{\\theta} \\frac{1}{n} \\sum_{i=1}^n \\log p(x_i\\mid \\theta)\n$$\n\n$$\n\\arg\\max_{\\theta} \\sum_{i=1}^n \\log p(x_i\\mid \\theta) = \\arg\\max_{\\theta} - \\sum_{i=1}^n \\log p(x_i\\mid \\theta)\n$$\n',
     ["ok", "ok", "ok", "not checkable", "not checkable"]),
    # p \times -\log p: the sign after \times is the rest of the term's, so log keeps its argument;
    # a unit of information in brackets, \text{(bit)}, is a unit as \text{bit} is
    ('$$ H = \\frac{1}{4} \\times -\\log_{2}{(\\frac{1}{4})} + \\frac{3}{4} \\times -\\log_{2}{(\\frac{3}{4})} = 0.811 \\text{(bit)} $$\n\n$$ \\frac{1}{2} \\times -\\log_{2}{(\\frac{1}{2})} + \\frac{1}{2} \\times -\\log_{2}{(\\frac{1}{2})} = -1 \\text{ bit} $$\n',
     ["definition", "ok", "wrong"]),
    # a sum of rounded numbers negated as a whole adds their roundings as the plain sum does; a
    # transposed digit there is beyond them, but 0.7 and 0.3 in plain arithmetic may be roundings
    # too, which could reach it
    ('$$ -[0.7 \\times (-0.736966) + 0.3 \\times (-1.321928)] = -[(-0.515876) + (-0.396578)] $$\n\n'
     '$$ -[0.7 \\times (-0.736966) + 0.3 \\times (-1.321928)] = -[(-0.515876) + (-0.396587)] $$\n',
     ["ok", "not checkable"]),
    # w_{21} where the note also writes w_{jk}: the entry (2, 1), as worked networks number their
    # weights (not a row numbered 21)
    ('$$ z_k = \\sum_j w_{jk} x_j $$\n\n$$ z_1 = w_{11}x_1 + w_{21}x_2 $$\n\n'
     '$$ \\frac{\\partial z_1}{\\partial w_{21}} = x_2 $$\n\n$$ \\frac{\\partial z_1}{\\partial w_{21}} = x_1 $$\n',
     ["definition", "definition", "ok", "wrong"]),
    # a case typed as code writes it beside the row (",i!=j", ",i==j")
    ('Let $a_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$.\n\n$$ \\frac{da_{j}}{dz_{i}}=-a_{j}a_{i},i!=j $$\n\n'
     '$$ \\frac{da_{i}}{dz_{i}}=a_{i}(1-a_{i}),i==j $$\n\n$$ \\frac{da_{j}}{dz_{i}}=a_{j}a_{i},i!=j $$\n',
     ["definition", "ok", "ok", "wrong"]),
    # "the derivative of $S_i$ when $k \\ne i$:": the case is the display's below, not something
    # said of the name just before it (which states nothing)
    ('Let $S_i = \\frac{e^{z_i}}{\\sum_{j=1}^K{e^{z_j}}}$.\n\nthe derivative of $S_i$ when $k \\ne i$:\n\n'
     '$$\n\\frac{\\partial S_i}{\\partial z_k}=-S_i S_k\n$$\n',
     ["definition", "ok"]),
    # layer digits in braces (x^{1}_{s,1}) number layers as x^1_{s,1} does
    ('$$ a^1_{s,1} = x^0_{s,1} w^1_{1,1} $$\n\n$$ x^{1}_{s,1} w^{2}_{1,1} = x^1_{s,1} w^2_{1,1} $$\n\n'
     '$$ x^{1}_{s,1} w^{2}_{1,1} = x^1_{s,1} w^1_{1,1} $$\n',
     ["not checkable", "ok", "not checkable"]),
    # "the state vector, $s$": an input, as "the input $x$" is; Θ_a where Θ is written with two
    # indices is a row, and a row beside a whole vector is a product of two whole vectors (which
    # one is not said)
    ('I will use $\\Theta_{ij}$ for the entry of $\\Theta$; the state vector, $s$, is a column vector.\n\n'
     '$$ \\frac{\\partial}{\\partial \\Theta_{ij}} \\sum_{n}{\\Theta_{an}s_{n}} = \\delta_{ai} s_j $$\n\n'
     '$$ \\frac{\\partial}{\\partial \\Theta_{ij}} \\sum_{n}{\\Theta_{an}s_{n}} = \\delta_{aj} s_i $$\n\n'
     '$$ \\frac{\\partial}{\\partial \\Theta_{ij}} \\Theta_a s = \\frac{\\partial}{\\partial \\Theta_{ij}} '
     '\\sum_{n}{\\Theta_{an}s_{n}} $$\n',
     ["ok", "wrong", "not checkable"]),
    # ‖v‖ and ‖v‖_2 of a vector: the Euclidean norm over its entries; of a name never shown as a
    # vector, or another norm (‖v‖_1), not read
    ('$$ \\frac{1}{2n}\\sum_{q=1}^n \\lVert t_q - y_q \\rVert^2 = \\frac{1}{2n}\\sum_{q=1}^n \\sum_{j=1}^{K}(t_{qj} - y_{qj})^2 $$\n\n'
     '$$ \\|z\\|_2 = \\sum_k z_k $$\n\n$$ \\frac{\\partial}{\\partial z_k} \\lVert z \\rVert^2 = 2 z_k $$\n\n'
     '$$ \\| c \\|^2 = c^2 $$\n\n$$ \\|z\\|_1 = \\sum_k |z_k| $$\n',
     ["ok", "wrong", "ok", "not checkable", "not checkable"]),
    # softmax(x_i - b): entry i of the softmax of x - b, as softmax(z_i) is of z
    ('$$ Softmax(x_i - b)=\\frac{\\exp(x_i-b)}{\\sum_{j=1}^n\\exp(x_j-b)} $$\n\n'
     '$$ \\mathrm{softmax}(z_i - 2) = \\frac{e^{z_i}}{\\sum_k e^{z_k - 2}} $$\n',
     ["ok", "wrong"]),    # "{\rm if}~i=j,~" opening a display: the case of the chain after its comma, not a member
    ('Let $y_i = \\frac{e^{x_i}}{\\sum_k e^{x_k}}$.\n\n'
     '$$\n{\\rm if}~i=j,~\\frac{\\partial y_i}{\\partial x_j}=\\frac{\\partial y_i}{\\partial x_i} = '
     '\\frac{e^{x_i}\\sum_k e^{x_k}-e^{x_i}e^{x_i}}{(\\sum_k e^{x_k})^2} = y_i(1-y_i)\n$$\n\n'
     '$$\n{\\rm if}~i\\ne j,~\\frac{\\partial y_i}{\\partial x_j} = -y_i y_j\n$$\n\n'
     '$$\n\\text{if } i\\ne j,~\\frac{\\partial y_i}{\\partial x_j} = y_i y_j\n$$\n\n'
     '$$ \\text{for } k = 1, y_k = 1 $$\n',
     ["definition", "ok", "ok", "ok", "ok", "wrong", "definition", "definition"]),    # "Trong đó:" (where) after a display, then its definitions each alone in a paragraph
    ('$$\n\\frac{\\partial L}{\\partial z} = \\frac{\\partial L}{\\partial a} \\frac{\\partial a}{\\partial z} = a - y\n$$\n\n'
     'Trong đó:\n\n> $a = \\sigma(z)$\n>\n> $L = -y\\log a - (1-y)\\log(1-a)$\n\n'
     '$$\n\\frac{\\partial L}{\\partial z} = y - a\n$$\n',
     ["ok", "ok", "definition", "definition", "wrong"]),    # \sum_{i \ne j} beside a free i: the sum runs over j, the letter written nowhere outside it
    ('Let $y_i = \\frac{e^{x_i}}{\\sum_k e^{x_k}}$.\n\n'
     '$$ \\sum_{c=1}^K t_c \\frac{\\partial y_c}{\\partial x_i} = t_i \\frac{\\partial y_i}{\\partial x_i} + '
     '\\sum_{i \\ne j}^K t_j \\frac{\\partial y_j}{\\partial x_i} $$\n\n'
     '$$ \\sum_{c=1}^K t_c \\frac{\\partial y_c}{\\partial x_i} = t_i \\frac{\\partial y_i}{\\partial x_i} + '
     '\\sum_{i \\ne j}^K t_i \\frac{\\partial y_j}{\\partial x_i} $$\n',
     ["definition", "ok", "wrong"]),    # s_i = e^{x_i} / \sum e^{x_j} in a step by x_j: the sum without a subscript keeps its own j
    ('Let $s_i = \\frac{e^{x_i}}{\\sum e^{x_j}}$.\n\n$$ \\frac{\\partial s_i}{\\partial x_j} = - s_i s_j $$\n\n'
     'where $j \\neq i$.\n\n$$ \\frac{\\partial s_i}{\\partial x_j} = s_i s_j $$\n',
     ["definition", "ok", "wrong"]),    # \exp^{x_i} * ... (exp with a power and no argument: e to that power), cases typed as words
    ('$$ f(x_j) = \\frac{ \\exp^{x_j} }{ \\sum_{k}^{n} \\exp^{x_k} } $$\n\nWhen i = j:\n\n$$ \\frac {\\partial f(x_j)}{\\partial x_i} = \\frac{ \\exp^{x_i} * \\sum_k^n \\exp^{x_k} - \\exp^{x_j} * \\exp^{x_i} }{ (\\sum_k^n\\exp^{x_k})^{2} }   $$\n\nWhen i != j:\n\n$$ \\frac {\\partial f(x_j)}{\\partial x_i} = \\frac{ - \\exp^{x_j} * \\exp^{x_i} }{ (\\sum_k^n\\exp^{x_k})^{2} }   $$\n\n$$ \\frac {\\partial f(x_j)}{\\partial x_i} = \\frac{ \\exp^{x_j} * \\exp^{x_i} }{ (\\sum_k^n\\exp^{x_k})^{2} }   $$\n',
     ["definition", "ok", "ok", "wrong"]),    # a worked network's entries (o_1 = w_5 a_1 + ...), the only definitions of o, hold in the
    # next section as the rest of the setup does
    ('## Forward\n\n##### Hidden\n\n\\( z_1 = w_1 x_1 + w_3 x_2 \\)\n\n\\( a_1 = \\frac{1}{1+e^{-z_1}} \\)\n\n\\( a_2 = \\frac{1}{1+e^{-z_2}} \\)\n\n##### Result\n\n\\( o_1 = w_5 \\cdot a_1 + w_6 \\cdot a_2 \\)\n\n## Backward\n\n$$\n\\frac{\\partial o_1}{\\partial w_5} = a_1\n$$\n\n$$\n\\frac{\\partial o_1}{\\partial w_1} = w_5 a_1 (1 - a_1) x_1\n$$\n',
     ["definition", "definition", "definition", "definition", "ok", "ok"]),    # L_{log}: log alone in a subscript is a label, as max and softmax are
    ('$$L_{log} = \\sum_{i=1}^n \\log(\\frac{p_i}{q_i}) \\tag{7}$$\n\n$$L_{log} = \\sum_{i=1}^n (\\log p_i - \\log q_i)$$\n\n$$L_{log} = \\sum_{i=1}^n (\\log p_i + \\log q_i)$$\n',
     ["definition", "ok", "not checkable"]),    # Σ_{k=1}^N beside a softmax over K: wrong only while N counts samples (2), so not checkable;
    # a sign slip, wrong with N = 3 too, stays WRONG with the counterexample at N = 3
    ('# N\n\n\n### Softmax\n\n$$\na_j = \\phi (\\mathbf {z} )_{j}={\\frac {\\mathrm {e} ^{z_{j}}}{\\sum _{k=1}^{K}\\mathrm {e} ^{z_{k}}}}\n$$\n\nsi $j=i$ :\n\n$$\n\\frac{\\partial \\phi_i}{\\partial z_j} = \\frac{\\partial \\frac{e^{z_i}}{\\sum_{k=1}^{N}e^{z_k}}}{\\partial z_j} = \\frac{e^{z_i}(\\sum_{k=1}^{N}{e^{z_k}})-e^{z_j}e^{z_i}}{(\\sum_{k=1}^{N}{e^{z_k}})^2}\n$$\n\n$$\n\\frac{\\partial \\phi_i}{\\partial z_j} = \\frac{e^{z_i}(\\sum_{k=1}^{N}{e^{z_k}})+e^{z_j}e^{z_i}}{(\\sum_{k=1}^{N}{e^{z_k}})^2}\n$$\n',
     ["definition", "definition", "not checkable", "not checkable", "wrong"]),
]
MODELS_IDS = ['weights-as-label-and-derivative-through-a-definition', 'katex-shortcodes-value-defined-later-and-operator-over-a-variable',
              'chain-goes-on-after-words-in-the-case-they-state', 'chain-after-words-and-an-expression-between',
              'case-conditions-typed-as-text-and-script-in-braces', 'chain-rule-of-a-loss-never-defined',
              'chain-rule-of-functions-never-defined', 'chain-rule-through-a-definition-with-no-variable',
              'total-of-per-sample-losses-with-the-same-letter', 'implications-from-an-equation-solved-for-p',
              'second-case-goes-on-from-where-the-cases-began', 'total-and-term-of-a-sample-each-defined',
              'an-index-in-another-chapter-makes-no-vector-here', 'prime-of-a-value-with-one-variable',
              'data-matrix-of-samples-written-x_i', 'data-matrix-times-a-vector-restated-then-a-slip',
              'vector-of-an-earlier-section-and-one-sample-against-a-batch',
              'entries-defined-by-their-index-alone-taken-as-any-value',
              'design-matrix-times-weights-and-ones-transposed',
              'chain-ending-in-a-new-name-and-indicator-with-a-condition',
              'bare-sum-sign-as-a-name-and-indexed-e-not-euler',
              'dots-beside-zeros-stand-for-zeros', 'two-index-letters-before-a-bracket-are-an-index-and-a-name',
              'the-jacobian-matrix-named-in-prose', 'a-declared-matrix-is-never-one-number',
              'feature-index-after-the-sample-and-one-letter-with-two-ranges',
              'a-function-called-then-transposed-is-not-read-as-a-product',
              'a-case-on-a-letter-both-free-and-summed-and-an-inequality-after-where',
              'a-max-subscript-is-a-name-and-max-of-an-entry-runs-over-its-index',
              'data-matrix-used-whole-in-x-transpose-s-x-with-samples-and-features-apart',
              'data-matrix-products-whose-sizes-do-not-fit',
              'a-name-never-defined-inside-a-differentiated-definition-is-any-function',
              'an-entry-equal-to-the-max-in-a-sentence-is-for-some-index',
              'a-lone-name-beside-its-entry-i-in-a-definition-is-not-said',
              'prime-at-another-entry-a-typed-case-and-a-vector-of-numbers',
              'inverse-sigmoid-and-a-derivative-by-a-piece-of-its-formula',
              'a-derivative-by-a-piece-of-a-defined-sigmoid-through-its-definition',
              'bracketed-displays-equation-systems-unicode-scripts-and-cases-in-french',
              'layer-superscripts-softmax-of-an-entry-and-an-entry-value-redefined-for-every-entry',
              'chain-rule-of-two-functions-never-defined-called-with-their-arguments',
              'a-limit-said-after-quad-with-one-member-is-no-fact-and-no-crash',
              'braces-of-log-print-no-brackets-both-readings-tried',
              'an-entry-set-to-the-max-picks-its-index-and-entries-set-equal-are-a-condition',
              'labels-coded-minus-one-plus-one-are-not-drawn',
              'equation-numbers-typed-in-brackets-after-the-right-side',
              'a-case-typed-as-the-first-row-of-a-display',
              'a-letter-the-words-before-speak-of-and-the-same-formula-without-words',
              'superscript-digits-0-and-1-make-digits-layers',
              'a-condition-after-the-display-annotated-equals-and-an-end-of-proof-mark',
              'log-of-a-product-log-of-a-power-and-a-sum-over-the-terms-after-it-read-both-ways',
              'a-value-of-the-label-typed-in-words-or-math-is-a-case',
              'names-defined-again-after-the-step-in-its-section',
              'one-hot-said-in-words-and-sigma-of-the-weights-is-no-convention',
              'a-power-on-letters-typed-together-and-a-transpose-of-a-name-with-no-shape',
              'a-prime-on-a-known-function-and-on-a-bracket-of-one-variable',
              'a-sum-over-a-set-the-note-never-lists',
              'a-primed-index-is-another-index-and-kk-prime-two-indices',
              'an-align-environment-as-a-row-after-a-definition',
              'a-prime-with-the-variable-under-it',
              'a-sum-with-a-range-and-an-exclusion-ascii-unequal-and-entries-unequal',
              'a-definition-with-cases-on-a-label-value-taken-at-each-value-and-unicode-times',
              'a-sum-whose-terms-use-a-letter-the-words-describe-instead-of-its-index',
              'math-typed-in-unicode-and-spelled-greek',
              'formulas-in-plain-fences-with-cases-in-code-spans-and-code-left-out',
              'a-starred-index-in-an-indicator-call-and-a-starred-name',
              'an-equation-solved-for-a-name-and-a-conclusion-are-no-definitions',
              'a-sum-bound-that-is-the-definitions-index',
              'one-hot-at-the-k-th-class-said-in-words',
              'a-row-of-a-data-matrix-in-an-inner-product-and-escaped-left-braces',
              'cross-entropy-ce-of-two-vectors-either-order',
              'a-note-s-own-ce-of-one-argument',
              'a-matrix-of-other-names-rows-is-a-definition-not-named-components',
              'cases-on-a-label-entry-y-i-taken-at-each-value',
              'a-function-restated-after-a-derivative-value-is-no-equation-solved-for-it',
              'an-index-in-an-unsized-matrix-slot-takes-the-range-of-a-written-out-vector',
              'a-target-one-hot-by-cases-at-the-label-letter',
              'the-derivative-of-f-at-a-number-by-x-is-f-prime-there',
              'vector-written-with-dots',
              'jacobian-written-with-dots',
              'max-from-one-to-an-upper-bound',
              'entropy-cross-entropy-and-divergence-of-distributions-written-p-of-x',
              'a-distribution-at-its-outcomes-x-j-summed-to-m',
              'a-derivative-by-an-entry-whose-index-a-sum-inside-binds',
              'a-sum-over-a-set-written-with-dots',
              'matrices-of-numbers-multiplied-as-written',
              'a-worked-example-of-h-p-q-beside-the-identity-for-any-distributions',
              'a-bracket-never-closed-closes-at-the-end-of-its-member',
              'a-prime-alone-beside-one-call-of-the-function',
              'a-function-of-one-and-of-two-arguments-written-alone',
              'a-display-then-if-and-its-case-in-a-display',
              'a-function-whose-body-writes-its-argument-after-a-letter',
              'a-function-letter-reused-with-more-arguments-and-one-with-a-label',
              'numbers-listed-a-sigmoid-at-a-number-and-a-value-at-the-optimum',
              'an-ellipsis-whose-terms-repeat-the-pattern-number-in-a-fixed-slot',
              'matrix-times-vector-typed-together',
              'matrix-times-vector-broken-transposed-entry',
              'vector-of-names-never-indexed-stands-as-any-vector',
              'vector-of-names-never-indexed-broken-sign',
              'limit-of-the-sigmoid-at-infinity-and-a-point',
              'limit-broken-values',
              'limit-by-a-defined-name',
              'repeating-decimals-are-the-fractions-they-make',
              'repeating-decimals-broken',
              'worked-example-values-given-as-lists',
              'worked-example-values-broken',
              'one-letter-rule-of-calculus-in-a-letter-indexed-elsewhere',
              'one-letter-rule-broken-sign',
              'rounding-one-number-is-ok-roundings-adding-up-are-not-checkable',
              'rounding-broken-beyond-the-roundings',
              'matrix-times-vector-with-its-entries-written-out-at-their-size',
              'matrix-times-vector-entries-written-broken-indices',
              'numbered-superscripts-beside-a-first-power-are-layers',
              'distribution-values-written-p-of-x',
              'distribution-values-broken-factor',
              'function-names-as-weight-labels-are-not-indices',
              'a-value-in-numbers-at-the-example-point-keeps-the-formula',
              'a-value-in-numbers-broken-sum',
              'colour-over-a-whole-aligned-block-delta-cases-and-a-word-between-statements',
              'colour-over-a-whole-block-broken-last-row',
              'answers-a-question-offers-are-not-claims',
              'answers-offered-broken-label',
              'a-name-at-the-example-point-beside-free-names',
              'a-name-at-the-example-point-broken-product',
              'a-derivative-behind-the-example-number-gives-no-wrong',
              'relu-is-max-of-zero-and-its-argument',
              'limit-as-the-magnitude-grows',
              'units-named-by-a-letter-and-number-are-labels',
              'units-named-broken-sum',
              'parameters-named-after-a-defined-function',
              'an-example-entry-value-does-not-bind-a-general-step',
              'approx-between-numbers-is-equal-to-the-digits-shown',
              'a-letter-glued-to-its-number-is-that-entry',
              'implications-solved-for-a-probability-the-words-name',
              'a-value-of-the-sigmoid-at-a-point-defines-no-function',
              'digit-superscripts-of-a-letter-written-with-1-are-layers',
              'a-function-whose-parameters-miss-the-variable-gives-no-zero-derivative',
              'cases-on-the-sign-of-a-value-are-branches',
              'a-probability-that-also-bounds-a-sum-is-not-a-count',
              'example-numbers-after-a-formula-make-no-wrong-of-a-general-step',
              'sum-braces-printed-without-brackets-read-both-ways',
              'math-in-backtick-code-spans-is-math-and-other-code-is-not',
              'after-a-slip-a-member-undecided-against-the-one-before-is-no-second-wrong',
              'a-chain-written-a-line-at-a-time-rounded-values-and-a-log-in-bits',
              'a-rounded-factor-of-a-vector-of-numbers-is-a-rounding-in-every-entry',
              'a-label-set-to-an-index-is-an-unread-case-and-a-sum-at-i-equals-j-is-one-term',
              'an-identity-for-any-distributions-after-the-examples-numbers-holds-at-them-too',
              'a-case-before-a-colon-on-the-equations-row-and-an-entry-of-a-call-squared',
              'a-value-cut-not-rounded-and-data-in-plain-arithmetic-are-not-roundings',
              'an-entry-said-constant-in-another-sets-their-letters-apart',
              'words-before-an-inline-equals-are-its-left-side',
              'iff-step-is-an-equation-not-an-identity',
              'display-typed-in-a-sentence-is-an-aside',
              'tilde-run-a-quad-wide-separates-statements',
              'rounded-literal-beside-a-valued-name',
              'myst-directive-bodies-are-markdown',
              'case-in-french-words-before-the-block',
              'note-indented-as-a-whole-is-not-code',
              'worked-chain-gives-the-name-its-example-value',
              'ten-decimals-in-exponentials-answer-in-time',
              'sum-after-a-derivative-operator-takes-the-terms-after',
              'roundings-inside-vectors-and-cut-inputs',
              'divergence-stated-against-its-usual-sign-the-first-time',
              'divergence-stated-as-usual-is-checked',
              'derivative-of-a-name-never-defined-at-the-example-values',
              'two-readings-of-a-loose-derivative-of-a-function-never-defined',
              'text-box-words-with-a-script-name-a-worked-loss',
              'a-chain-a-line-at-a-time-carries-one-slip-and-prints-doubles',
              'formula-in-a-sentence-holds-if-the-condition-after-it',
              'one-hot-said-of-a-name-in-japanese-makes-the-log-sum-exp-step-hold',
              'prediction-defined-with-the-targets-letter-while-the-log-takes-the-hat',
              'target-letter-defined-and-the-hat-never-under-a-log-keeps-the-slip',
              'hat-as-the-target-and-a-derivative-by-the-wrong-entry',
              'a-fact-after-a-comma-and-the-chain-goes-on-below',
              'percent-sign-after-a-number',
              'function-of-several-values-and-of-one-cancels-out',
              'sample-and-layer-tags-entries-of-brackets-and-a-labelled-size',
              'prime-on-a-bracket-by-the-chains-variable-and-cases-typed-with-display-dollars',
              'a-rule-of-calculus-in-a-letter-the-note-defines',
              'a-list-of-numbers-beside-an-entry-zero-is-not-read-as-counting-from-one',
              'a-vector-summed-from-zero-counts-its-entries-from-zero',
              'an-indexed-definition-comparing-a-number-where-its-index-would-be',
              'an-index-replaced-by-an-entry-number-holds-there-only',
              'the-reach-of-a-product-over-a-factor-without-its-index-read-both-ways',
              'a-case-said-as-dui-shi-in-chinese',
              'multiplication-sign-typed-as-text-and-values-the-chain-ends-with',
              'a-rounded-result-its-rounded-input-cannot-reach',
              'a-value-set-equal-to-a-number-through-a-defined-name',
              'a-vector-in-one-section-a-matrix-in-another',
              'a-vector-listed-anew-ends-a-setup-and-sums-to-two-size-names',
              'an-ok-that-holds-only-at-the-sample-size-drawn',
              'a-name-indexed-by-sample-and-class-in-one-section-is-one-entry-in-the-next',
              'a-derivative-before-e-to-a-power-and-a-bracket-reaches-an-unmarked-product',
              'an-index-written-twice-in-a-term-is-summed-only-where-the-note-says-so',
              'a-worked-value-given-again-under-another-case-is-defined-anew',
              'a-function-at-an-outcome-named-in-words-is-a-value-not-a-definition',
              'words-after-a-number-may-scale-it-by-a-power-of-ten',
              'arctan-is-read-and-defines-g-anew',
              'a-definition-that-cannot-be-read-ends-the-one-before',
              'an-index-written-twice-in-a-term-is-summed-in-einstein-notation',
              'spacing-around-the-sign-in-aligned-rows',
              'rows-indented-deeper-are-a-side-computation-and-values-after-commas',
              'a-numbered-layer-superscript-names-its-own-quantity',
              'sigma-at-a-number-in-a-note-about-softmax',
              'event-probabilities-and-the-data-of-a-second-example',
              'a-sum-of-rounded-terms-checked-term-by-term',
              'one-hot-at-the-true-class-in-the-case-away-from-it',
              'a-case-row-with-the-word-for-when-after-it',
              'plain-tex-eqalign-rows', 'paragraphs-of-plain-formulas-and-two-values-side-by-side',
              'rows-of-two-values-compared-entry-by-entry', 'two-values-on-each-side-of-one-equation',
              'bare-align-inside-an-html-paragraph', 'rows-solving-an-equation-stated-above-them',
              'a-row-that-is-no-equation-leaves-the-rows-below-it-alone',
              'a-function-said-equal-to-a-name-names-its-value', 'a-row-that-opens-with-let-defines-the-name-on-its-right',
              'an-entry-index-on-the-function-letter', 'a-macro-the-note-defines',
              'sigma-said-the-sigmoid-in-a-note-about-softmax', 'sigma-said-the-sigmoid-in-japanese-after-its-signature',
              'a-capital-subscript-names-another-quantity', 'a-row-break-in-inline-math-is-a-space',
              'two-equations-in-one-inline-formula',
              'true-class-letter-in-korean-words-and-a-case-after-the-word-for-case',
              'the-target-said-to-be-the-true-label-is-no-class-letter', 'chains-inside-cases',
              'chains-inside-cases-with-slips', 'chains-inside-cases-condition-in-text-with-a-comma',
              'chains-inside-a-case-whose-condition-is-not-read', 'an-equation-for-some-value-the-words-name',
              'a-parameter-inside-a-glued-product', 'said-to-hold-if-and-only-if', 'a-norm-with-its-subscript',
              'a-value-the-words-pick-in-later-blocks', 'a-log-over-a-product-of-powered-brackets',
              'a-target-said-in-a-later-section-is-not-the-value-of-a-function-before',
              'a-derivative-by-a-name-the-definition-writes-with-other-indices',
              'a-sum-bound-given-a-value-in-another-section',
              'a-size-set-in-a-binary-aside-and-vectors-written-longer',
              'a-case-said-in-russian',
              'a-sum-bound-written-as-the-value-its-letter-ends-at',
              'a-matrix-of-equation-rows-and-d-as-a-name',
              'the-space-command-before-a-full-stop',
              'a-factorial', 'a-size-named-by-another-size',
              'cases-as-a-braced-array', 'a-function-written-through-a-defined-parameter',
              'labels-that-are-0-or-1', 'kramdown-inline-display-outcomes-and-a-sum-letter-outside',
              'an-unusual-first-statement-stated-again', 'arg-max-and-arg-min',
              'a-sign-after-times-and-a-unit-in-brackets',
              'a-negated-sum-of-rounded-numbers',
              'two-digits-under-a-matrix-name', 'a-case-typed-as-code', 'a-case-after-a-name-in-the-sentence',
              'layer-digits-in-braces', 'a-state-vector-and-a-row-of-a-matrix',
              'the-euclidean-norm-of-a-vector', 'softmax-of-an-entry-expression',
              'a-case-opening-the-row-before-a-comma', 'definitions-alone-in-paragraphs-after-where',
              'a-sum-under-i-ne-j-runs-over-the-letter-not-written-outside',
              'a-definitions-sum-without-subscript-keeps-its-letter', 'exp-to-a-power-and-cases-as-plain-words',
              'a-worked-networks-entries-hold-in-the-next-section', 'log-alone-in-a-subscript-is-a-label',
              'a-sum-to-n-beside-a-softmax-over-k']


@pytest.mark.parametrize("note, expected", ELLIPSES + ALONE + ENTRIES + VECTOR_FUNCTIONS + VECTORS + MATRICES + MODELS,
                         ids=ELLIPSES_IDS + ALONE_IDS + ENTRIES_IDS + VECTOR_FUNCTIONS_IDS + VECTORS_IDS + MATRICES_IDS
                         + MODELS_IDS)
def test_check_notation_statuses(note, expected):
    """Each table above: notes in one notation, and the status of each of their steps."""
    report = check_text(note, filename="n.md")
    assert statuses(report) == expected, steps_of(note, report)
    assert not [s for s in report.steps if "internal error" in s.detail], steps_of(note, report)


def test_check_integral_is_read_but_never_judged():
    # quadrature and SymPy's closed forms both guess (a narrow density, the sign of σ): an
    # integral's value is never worked out, and integrals are only compared by their integrands
    note = ("$$ q(z) = \\frac{1}{\\sqrt{2 \\pi \\sigma^2}} e^{-\\frac{(z - \\mu)^2}{2 \\sigma^2}} $$\n\n"
            "$$ \\int q(z) dz = 1 $$\n\n$$ \\int q(z) \\log q(z) = 0 $$\n\n"
            "$$ \\int_0^1 \\log q(z) dz = \\int_0^2 \\log q(z) dz $$\n\n"
            "$$ \\log \\int q(z) dz = \\int \\log q(z) dz $$\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "not checkable", "unparsed", "not checkable",
                                "not checkable"], steps_of(note, report)
    for step in (report.steps[1], report.steps[3]):
        assert "integrands of ∫" in step.detail and "may still be equal" in step.detail, steps_of(note, report)
    assert "differential" in report.steps[2].detail, steps_of(note, report)
    assert "inside a function of it" in report.steps[4].detail, steps_of(note, report)


INTEGRALS = [
    # ∫ is linear: the sides' integrands over one range, each times its factor, agree
    ("$$ \\int p(x) \\log \\frac{p(x)}{q(x)} dx = \\int p(x) \\log p(x) dx - \\int p(x) \\log q(x) dx $$\n",
     ["ok"]),
    ("$$ \\int p(x) \\log \\frac{p(x)}{q(x)} dx = \\int p(x) \\log p(x) dx + \\int p(x) \\log q(x) dx $$\n",
     ["not checkable"]),
    # the variable's letter does not matter; the range does
    ("Let $f(x) = x^2 + 1$.\n\n$$ \\int_0^1 3 f(x) dx = 3 \\int_0^1 (t^2 + 1) dt $$\n\n"
     "$$ \\int_0^1 f(x) dx - \\int_0^1 x^2 dx = \\int_0^1 1 dx $$\n\n$$ \\int_0^1 f(x) dx = \\int_0^2 f(x) dx $$\n",
     ["definition", "ok", "ok", "not checkable"]),
    # E_{x ~ p}[f] is ∫ p(x) f(x) dx, also when written E_{q(z)}
    ("$$ \\mathbb{E}_{x \\sim p}[\\log p(x) - \\log q(x)] = \\mathbb{E}_{x \\sim p}[\\log p(x)] - "
     "\\mathbb{E}_{x \\sim p}[\\log q(x)] = \\int p(x) \\log \\frac{p(x)}{q(x)} dx $$\n\n"
     "$$ \\mathbb{E}_{q(z)}[\\log r(z) - \\log q(z)] = - \\mathbb{E}_{q(z)}[\\log q(z)] + \\mathbb{E}_{q(z)}[\\log r(z)] $$\n\n"
     "$$ E_p[-\\log q] = E_p[\\log q] $$\n",
     ["ok", "ok", "ok", "not checkable"]),
    # nested integrals: each differential at the end belongs to the next integral out
    ("$$ \\int_x r(x) \\int_z q(z) \\log \\frac{q(z)}{s(z)} dz dx = \\int_x r(x) \\int_z q(z) \\log q(z) dz dx "
     "- \\int \\int r(x) q(z) \\log s(z) dz dx $$\n\n"
     "$$ \\int_x r(x) \\int_z q(z) \\log s(z) dz dx = \\int_z \\int_x r(x) q(z) \\log s(z) dx dz $$\n\n"
     "$$ \\int f(x) dz dx = 0 $$\n",
     ["ok", "not checkable", "unparsed"]),
    # q(z|x) written as one name, and a distribution written without its argument, depend on the
    # variable inside the integral: they do not move out of it; a parameter σ does
    ('$$ \\int q(z|x) f(z) dz = q(z|x) \\int f(z) dz $$\n\n$$ \\int q(z|x) \\log \\frac{q(z|x)}{r(z)} dz = \\int q(z|x) \\log q(z|x) dz - \\int q(z|x) \\log r(z) dz $$\n\n$$ \\int p \\log p \\, dz = p \\int \\log p \\, dz $$\n\n$$ \\int p \\log \\frac{p}{q} \\, dz = \\int p \\log p \\, dz - \\int p \\log q \\, dz $$\n\n$$ \\int_0^1 \\frac{1}{\\sigma} e^{-x^2} dx = \\frac{1}{\\sigma} \\int_0^1 e^{-x^2} dx $$\n',
     ["not checkable", "ok", "not checkable", "ok", "ok"]),
]


@pytest.mark.parametrize("note, expected", INTEGRALS, ids=["linear", "linear-slip", "range-and-letter", "expectation",
                                                         "nested", "names-that-depend-on-the-variable"])
def test_check_integrals_compared_by_their_integrands(note, expected):
    """Integrals are never evaluated: ok when the integrands over one range agree, else not checkable."""
    report = check_text(note, filename="n.md")
    assert statuses(report) == expected, steps_of(note, report)


def test_check_summary_restating_a_definition_is_checked():
    note = ("# A\n\n$$ g = \\frac{1}{2} (a + b) $$\n\n# Summary\n\n$$ g = \\frac{a + b}{2} $$\n\n"
            "# Another\n\n$$ g = a b $$\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "ok", "definition"], steps_of(note, report)
    assert "agrees with the definition of g at line 3" in report.steps[1].detail


def test_cross_entropy_weights_sum_to_one_by_the_named_convention():
    note = ("Let $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$, $L = -\\sum_k y_k \\log p_k$.\n\n"
            "$$ \\frac{\\partial L}{\\partial z_j} = p_j - y_j $$\n")
    report = check_text(note, filename="n.md")
    last = report.steps[-1]
    assert last.status == "ok", steps_of(note, report)
    assert any("sums to 1" in u and "cross-entropy" in u for u in last.uses), steps_of(note, report)


@pytest.mark.parametrize("note, needles", [
    ("$$ z_1 + p = z_1 $$\n", ["p", "never defined"]),
    ("$$ \\frac{\\partial p}{\\partial z} = 2 z $$\n", ["p", "never defined"]),
    ("$$ \\sum_k y_k z_j = z_j $$\n", ["sums to 1"]),
    # no cross-entropy is defined: nothing says the weights sum to 1
    ("$$ \\frac{\\partial}{\\partial z_j} \\left(\\sum_k y_k\\right) \\log \\sum_c e^{z_c} = "
     "\\frac{e^{z_j}}{\\sum_c e^{z_c}} $$\n", ["sums to 1"]),
    ("$$ z_1 - z_2 = 0 $$\n", ["equal to a number", "equation"]),
    ("$$ 0.5 = \\frac{1}{1 + e^{-z}} $$\n", ["equal to a number", "equation"]),
    ("$$ 2 z_1 = z_2 \\Rightarrow 4 z_1 = 3 z_2 $$\n", ["follows"]),
    ("$$ d\\mathcal{L} = \\text{Tr}(G^T dY) $$\n", ["differential", "not read"]),
    ("$$ \\begin{bmatrix} 1 & 2 \\end{bmatrix} \\begin{bmatrix} 1 & 2 \\end{bmatrix} = 5 $$\n", ["1x2", "do not fit"]),
], ids=["undefined-p", "undefined-p-derivative", "not-said-sums-to-1", "no-cross-entropy-not-said",
        "equals-zero", "equals-a-number", "implied-by-equation", "total-differential", "matrix-shapes-do-not-fit"])
def test_check_not_checkable(note, needles):
    report = check_text(note, filename="n.md")
    last = report.steps[-1]
    assert last.status == "not checkable", steps_of(note, report)
    assert all(n in last.detail for n in needles), steps_of(note, report)


@pytest.mark.parametrize("note", [
    "$$ 10^{10^{10}} = 10^{10^{10}} $$\n",
    "$$ \\sum_{k=1}^{100000000} z_k = \\sum_{k=1}^{100000000} z_k $$\n",
    "$$ \\sum_{k=1}^{5000} z_k^2 = \\sum_{j=1}^{5000} z_j^2 $$\n",
], ids=["power-tower", "1e8-terms", "5000-terms"])
def test_check_pathological_inputs_answer_in_time(note):
    t0 = time.monotonic()
    report = check_text(note, filename="n.md", timeout=2)
    elapsed = time.monotonic() - t0
    assert statuses(report) == ["not checkable"], steps_of(note, report)
    assert elapsed < 30, f"{elapsed:.1f} s\n" + steps_of(note, report)


def test_check_unparsed_block_reports_the_brace():
    note = "$$ a = \\frac{b}{c $$\n"
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["unparsed"], steps_of(note, report)
    assert "never closed" in report.steps[0].detail


def test_syntax_unreadable_member_is_a_node_not_an_exception():
    assert isinstance(member("a + )"), Unreadable)
    assert member("2") == Num("2")


@pytest.mark.parametrize("note, expected", [
    ("$$ \\sum_{k=1}^{5000} k^2 = 41679167500 $$\n", "ok"),           # a closed form, not 5,000 terms
    ("$$ \\sum_{k=1}^{5000} k^2 = 41679167501 $$\n", "wrong"),        # off in the 11th digit
    ("$$ z_1 + 10^{-12} z_1^2 = z_1 $$\n", "wrong"),                   # equal to 8 digits, not at 50
    ("$$ \\sum_{k=1}^{3} (k - 1) z_k = z_2 + 2 z_3 $$\n", "ok"),       # an index used as a value
    ("$$ \\sum_{k=1}^{3} (k - 1) z_k = z_2 + z_3 $$\n", "wrong"),
], ids=["closed-form-sum", "closed-form-sum-off-by-one", "twelfth-digit", "index-as-value", "index-as-value-wrong"])
def test_numbers_are_compared_exactly(note, expected):
    report = check_text(note, filename="n.md")
    assert statuses(report) == [expected], steps_of(note, report)


def test_a_transpose_of_names_never_indexed_is_their_product_and_says_so():
    note = "Let $z = w^T x + b$.\n\n$$ \\frac{\\partial z}{\\partial w} = x $$\n"
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "ok"], steps_of(note, report)
    assert any("w^T x" in u for u in report.steps[-1].uses), steps_of(note, report)


def test_a_step_that_needs_the_targets_to_sum_to_one_is_not_refuted_by_their_rounding(monkeypatch):
    # Without the symbolic proof the numeric ok is confirmed at 50 digits; targets drawn in
    # doubles sum to 1 only to ~1e-16, which must not count as a counterexample.
    from symxent.checker import verdict
    monkeypatch.setattr(verdict, "_symbolic_zero", lambda *args: False)
    note = ("With one-hot $y$ and $p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$:\n\n"
            "$$ p_j \\sum_k y_k - y_j = p_j - y_j $$\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "ok"], steps_of(note, report)
    assert report.steps[-1].method == "numeric" and any("sums to 1" in u for u in report.steps[-1].uses)


# ============================================================================================
# robustness: whatever the note holds, every step gets a status and nothing raises

_PIECES = ["x", "y_i", "z_{ij}", "g_1", "h_\\theta", "(", ")", "=", "+", "-", "\\frac{", "}{", "}", "^", "_",
           "\\sum_{k=1}^K", "\\sum_K", "\\log", "e^{", "\\partial", "d", "dz", "dw", "\\int", "&", "\\\\", ",",
           "\\cdot", "[", "]", "\\dots", "...", "1", "2", "\\sigma(", "\\hat{y}", "\\text{max}", "\\boxed{",
           "\\forall", "i = j", "\\neq", "^T", "X", "w^T x", "\\mathbf{a}", "softmax(", "1\\{k = i\\}", "y_{k=i}",
           "x^{(i)}", "'", ":=", "\\Rightarrow", "\\because", "\\begin{cases}", "\\end{cases}", "\\in"]


_ATOMS = ["x", "z_j", "y_i", "p_k", "w^T x", "g_1(x_1)", "g(x)", "\\sigma(z)", "\\text{softmax}(z)_j", "h_\\theta(x^{(i)})",
          "x^{(i)}", "\\hat{y}_i", "\\sum_K", "1", "2", "X^T(p - y)", "[a, b, c]^T", "\\delta_{ij}", "e^{z_j}",
          "\\log p_i", "y_{k=i}", "J(w, b)", "dw", "\\mathbf{a}", "\\dots", "...", "\\int q(z) dz", "x_0"]

_EXPRESSIONS = st.recursive(
    st.sampled_from(_ATOMS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" + ", " - ", " \\cdot ", " ", " . "]), inner).map("".join),
        st.tuples(inner, inner).map(lambda t: f"\\frac{{{t[0]}}}{{{t[1]}}}"),
        inner.map(lambda a: f"({a})"),
        inner.map(lambda a: f"{{{a}}}^2"),
        inner.map(lambda a: f"\\sum_{{k=1}}^K {a}"),
        inner.map(lambda a: f"\\frac{{\\partial {a}}}{{\\partial z_j}}"),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_EXPRESSIONS, min_size=2, max_size=3), st.lists(_EXPRESSIONS, min_size=2, max_size=4),
       st.lists(st.sampled_from(_PIECES), max_size=20))
def test_check_never_raises(definition, chain, noise):
    note = (f"Let ${' = '.join(definition)}$.\n\n$$ {' = '.join(chain)} $$\n\n$i \\neq j$\n\n"
            f"$$ {' '.join(noise)} $$\n\n${' = '.join(chain[:2])}$\n")
    report = check_text(note, filename="n.md", timeout=5)
    assert all(s.status in ("ok", "wrong", "recovered", "unparsed", "not checkable", "definition")
               for s in report.steps)
    assert not [s for s in report.steps if "internal error" in s.detail], steps_of(note, report)


def test_check_loss_never_defined_is_any_function_of_its_variable():
    # ok only when it holds for every such function, and it says what it took; a chain rule
    # that holds for no such function is still no WRONG: what L is, the note never says
    note = ("Let $a = \\sigma(z)$.\n\n$$ \\frac{\\partial L}{\\partial z} = \\frac{\\partial L}{\\partial a} a (1 - a) $$\n\n"
            "$$ \\frac{\\partial L}{\\partial z} = \\frac{\\partial L}{\\partial a} a (1 + a) $$\n")
    report = check_text(note, filename="n.md")
    assert statuses(report) == ["definition", "ok", "not checkable"], steps_of(note, report)
    assert "L is never defined here: taken as any function of a, as the derivatives of it here treat it" \
        in report.steps[1].uses
    assert "the sides differ for some such function" in report.steps[2].detail


@pytest.mark.parametrize("K", [2, 3, 5])
def test_check_a_vector_written_out_fixes_its_size_whatever_the_K_option(K):
    # z written out with 4 entries: the classes are 4 in this note, so --K does not change a verdict
    note = 'Let $\\hat{y}_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$, with the scores written out as $\\mathbf{z} = [z_1, z_2, z_3, z_4]^T$.\n\n$$ \\frac{\\partial \\hat{y}_1}{\\partial z_1} = \\frac{e^{z_1}(e^{z_2} + e^{z_3} + e^{z_4})}{(e^{z_1} + e^{z_2} + e^{z_3} + e^{z_4})^2} $$\n\n$$ \\frac{\\partial \\hat{y}_1}{\\partial z_1} = \\frac{e^{z_1}(e^{z_2} + e^{z_3})}{(e^{z_1} + e^{z_2} + e^{z_3} + e^{z_4})^2} $$\n'
    report = check_text(note, filename="n.md", K=K)
    assert statuses(report) == ["definition", "ok", "ok", "wrong"], steps_of(note, report)


def test_a_power_at_a_confirmation_point_is_not_taken_as_exact_rationals():
    # ŷ^y at a point of exact rationals (denominators 2^52) made SymPy look for exact roots: the
    # step ran out of its 10 s budget ("timed out") before its reason could be given
    note = ("# Loss\n\nThe output is $A = \\frac{e^z}{\\Sigma e^z}$.\n\n"
            "$$ P(\\frac{y}{x}) = \\hat{y}^y(1-\\hat{y})^{1-y}$$\n\n"
            "- A -> the output, or $\\hat{y}$\n- z -> $wx + b$\n\n$$L = -\\Sigma {y_i}\\log{A_i}$$\n")
    step = next(s for s in check_text(note, filename="n.md").steps if s.line == 5)
    assert step.status == "not checkable" and "one side only" in step.detail, steps_of(note, check_text(note))
