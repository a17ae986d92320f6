"""Stage 5 of ``symxent check``: the verdict on one step ``left = right``.

Contract
--------
:func:`judge` evaluates both members with an :class:`~symxent.checker.meaning.Evaluator` at
every instance of the step's free indices (classes 1..3, samples 1..2, filtered by the
step's conditions) and returns a :class:`Verdict`:

* ``ok`` -- proven by the prover's zero test (:func:`symxent.derive.decide_zero`) or equal at
  random points drawn with :func:`symxent.domains.draw`; ``uses`` lists every convention and
  stated assumption it relied on.  A name the note never defines may appear only where the
  equality holds for every value of it (and never inside a derivative).
* ``wrong`` -- only when every leaf has a meaning the note gave it, and a counterexample found
  in double precision is confirmed at 50 digits (mpmath, through SymPy's ``evalf``); both
  values and a diagnosis (a constant factor, a sign, an assumption that would make it hold).
* ``not checkable`` -- everything else, with the reason and what would let it decide.

Targets (``y``) are sampled freely first; a step that holds only when they sum to 1 is ok
when the note says so ("one-hot", ``\\sum_k y_k = 1``) and not checkable, with that reason,
when it does not.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import mpmath
import numpy as np

import sympy

from symxent import derive
from symxent.checker.meaning import (READINGS, CONVENTIONAL_TARGETS, INDEX_ALONE, UNKNOWN_DEPENDENCE,
                                     CaseOnAValue, Evaluator, NotCheckable, SHORT_LIST, SymbolTable, UnknownDependence,
                                     CLASS_SIZE, SAMPLE_SIZE, SAMPLE_SIZE_NAMES, bound_letter, sum_letter, pretty)
from symxent.checker.meaning import (at_point, cond_text, index_alone, integrands, key_of, subscript_conditions, transposed, transposed_exp,
                                     conventional_input, listed_numbers, number_list, transform, value_case, walk,
                                     written_value)
from symxent.checker.syntax import (Add, BigOp, Call, Case, Cond, Deriv, Fn, Frac, Matrix, Mul, Name, Neg, Node, Num, Paren,
                                    Pow, Script)
from symxent.domains import draw

__all__ = ["Verdict", "judge", "numbers_only", "N_POINTS", "SEED", "EQUATION_REASONS"]

# the reasons a step is an equation relating names the note gives meanings, not an identity
ONE_SIDED = "appear(s) on one side only"
SET_EQUAL = "sets an expression that varies equal to a number"
EQUATION_REASONS = (ONE_SIDED, SET_EQUAL)

N_POINTS = 24
SEED = 20240611
MAX_INSTANCES = 64
REL_TOL = 1e-8


@dataclass
class Verdict:
    status: str                      # "ok" | "wrong" | "not checkable"
    detail: str = ""
    method: str = ""                 # "symbolic" | "numeric" for ok
    left: float | None = None
    right: float | None = None
    point: dict = field(default_factory=dict)
    uses: list[str] = field(default_factory=list)
    # a name never defined, met inside a derivative by this variable (see judge's second reading)
    unknown: tuple[str, Node] | None = None
    # a definition's case on the value of a name that varies here (V(a, y) = a if y = 1): (key, value)
    case_on: tuple[str, int] | None = None
    through: dict[str, int] = field(default_factory=dict)  # definitions the values went through: key -> line


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def instances(table: SymbolTable, order: int, scope, left: Node, right: Node, conditions,
              generic: dict | None = None, solved: dict | None = None) -> tuple[list[dict], Evaluator]:
    """Every assignment of the step's free indices that satisfies its conditions."""
    ev = Evaluator(table, order, scope)
    ev.generic = dict(generic or {})
    ev.solved = dict(solved or {})
    ev.given = dict(filter(None, map(value_case, conditions)))
    ev.step_calls = _step_calls(left, right)
    ev.plain_vars = calculus_variables(table, order, scope, left, right)
    ev.dry = True
    ev.value(left, {})
    ev.value(right, {})
    letters = dict(ev.free)
    # a condition about letters the step does not use says nothing about it
    # a case about a letter a sum binds ("when i = k" beside sum_k): the term of that sum it names
    bound = {b.sub.left.base if isinstance(b.sub, Cond) else getattr(b.sub, "base", None)
             for side in (left, right) for b in walk(side) if isinstance(b, BigOp) and b.sub is not None}
    # (a letter also free in the step, as j in ∂s_i/∂x_j = (Σ_j e^{x_j} ...), is the condition's)
    restrict = [c for c in conditions if isinstance(c, Case) and condition_letters(c) & bound - set(letters)
                and condition_letters(c) - bound <= set(letters) and len(condition_letters(c)) == 2]
    conditions = [c for c in conditions if condition_letters(c) and condition_letters(c) <= set(letters)]
    for c in conditions:
        for side in (c.left, c.right):
            name = getattr(side, "base", None)
            if isinstance(name, str) and len(name) == 1 and name.islower() and name not in letters:
                letters[name] = "K"
    order_ = sorted(letters)
    first = {x: 0 if letters[x] in table.zero_based else 1 for x in order_}  # (a size summed as 0..N-1)
    ranges = [range(first[x], first[x] + table.size(letters[x])) for x in order_]
    out = []
    probe = Evaluator(table, order, scope)
    for vals in itertools.product(*ranges):
        env = dict(zip(order_, vals))
        if all(probe.condition(c, env) == 1 for c in conditions):
            out.append(env)
    if len(out) > MAX_INSTANCES:
        step = len(out) / MAX_INSTANCES
        out = [out[int(k * step)] for k in range(MAX_INSTANCES)]
    for env in out:
        if restrict:
            env["__restrict__"] = tuple(restrict)
    return out, ev


def condition_letters(c: Cond) -> set[str]:
    names = {getattr(side, "base", None) for side in (c.left, c.right)}
    return {n for n in names if isinstance(n, str) and len(n) == 1 and n.islower()}


def judge(table: SymbolTable, order: int, scope: tuple[int, ...], left: Node, right: Node,
          conditions: tuple[Cond, ...] = (), seed: int = 0, solved: dict | None = None) -> Verdict:
    """The verdict on ``left = right`` as seen from ``order`` in ``scope``; ``solved`` gives names the
    note never defines the value an equation solved for them has (see :func:`solve_for`)."""
    left, right, read = _unequal_sum_indices(left, right)
    verdict = _judged_whole(table, order, scope, left, right, conditions, seed, solved)
    if read and verdict.status in ("ok", "wrong"):
        verdict.uses.extend(read)
    return verdict


def _judged_whole(table: SymbolTable, order: int, scope: tuple[int, ...], left: Node, right: Node,
                  conditions: tuple[Cond, ...], seed: int, solved: dict | None) -> Verdict:
    """``judge`` once the sums' indices are read."""
    optimised = _arg_opt(left), _arg_opt(right)
    if optimised[0] is not None and optimised[1] is not None:
        return _same_optimiser(table, order, scope, optimised[0], optimised[1], conditions, seed, solved)
    verdict = _judged(table, order, scope, left, right, conditions, seed, solved)
    dropped = _accent_dropped(verdict.through, table) if verdict.status == "wrong" else None
    if dropped is None and verdict.status == "wrong":
        dropped = _counted_from_zero(table, order, scope, left, right) or _index_unused(verdict.through, table) \
            or _specialised(table, order, scope, left, right, conditions, seed, solved)
    if dropped is not None:
        return Verdict("not checkable", dropped, uses=verdict.uses)
    return verdict


def _arg_opt(node: Node) -> tuple[str, Node, Node] | None:
    """``\\arg\\max_θ f``, ``\\argmin_θ f``, ``\\operatorname*{arg\\,max}_θ f`` (and ``\\arg\\min_θ - f``, whose
    minus reads as a difference): ("max" or "min", θ, f), else None."""
    if isinstance(node, Add) and len(node.terms) >= 2:
        head = _arg_head(node.terms[0])
        if head is not None and head[2] is None:
            return head[0], head[1], Add(node.terms[1:]) if len(node.terms) > 2 else node.terms[1]
        return None
    head = _arg_head(node)
    return head if head is not None and head[2] is not None else None  # type: ignore[return-value]


def _arg_head(node: Node) -> tuple[str, Node, Node | None] | None:
    if not isinstance(node, Mul):
        return None
    first, *rest = node.factors
    if isinstance(first, Fn) and first.name == "arg" and rest and isinstance(rest[0], Fn) \
            and rest[0].name in ("max", "min") and rest[0].sub is not None and rest[0].sup is None:
        kind, var, rest = rest[0].name, rest[0].sub, rest[1:]
    elif isinstance(first, Fn) and first.name in ("argmax", "argmin") and first.sub is not None:
        kind, var = first.name[3:], first.sub
    elif isinstance(first, Script) and isinstance(first.base, Name) and len(first.sub) == 1 and first.sup is None \
            and (word := first.base.base.replace("\\,", "").replace(" ", "")) in ("argmax", "argmin"):
        kind, var = word[3:], first.sub[0]
    else:
        return None
    body = None if not rest else rest[0] if len(rest) == 1 else Mul(tuple(rest), node.op)
    return kind, var, body


def _same_optimiser(table: SymbolTable, order: int, scope: tuple[int, ...], left: tuple[str, Node, Node],
                    right: tuple[str, Node, Node], conditions, seed: int, solved: dict | None) -> Verdict:
    """``\\arg\\max_θ f = \\arg\\max_θ g`` (or an arg min on a side): ok when g is f (-f for arg min against
    arg max), or log f, or f is log g (log is increasing), judged as those equalities; never WRONG,
    since an optimiser is kept by many other changes (a constant added, a positive factor)."""
    (kind_a, var_a, f), (kind_b, var_b, g) = left, right
    if var_a != var_b:
        return Verdict("not checkable", "arg max or arg min over different variables on the two sides")
    if kind_a != kind_b:
        g = Neg(g)
    log_of = lambda node: Mul((Fn("log"), Paren((node,), "(")), "")  # noqa: E731
    of = "" if kind_a == kind_b else "minus "
    tries = ((f, g, f"arg {kind_a} of a function and arg {kind_b} of {of}it are one point"),
             (log_of(f), g, f"arg {kind_a} of a function and arg {kind_b} of {of}its log are one point (log is "
                            "increasing)"),
             (f, log_of(g), f"arg {kind_a} of a function and arg {kind_b} of {of}its exponential are one point (exp "
                            "is increasing)"))
    uses: list[str] = []
    for a, b, how in tries:
        v = _judged(table, order, scope, a, b, conditions, seed, solved)
        if v.status == "ok":
            return Verdict("ok", v.detail, method=v.method, uses=sorted(set(v.uses)) + [how])
        uses = v.uses or uses
    return Verdict("not checkable", f"the functions whose arg {kind_a} and arg {kind_b} are taken are not equal, nor one "
                   "the log of the other: the optimiser may still be the same (a constant added, a positive factor), "
                   "which is not worked out here", uses=uses)


def _subscripts(node: Node) -> tuple[set[str], set[str]]:
    """The index letters and the index numbers written in a member's subscripts."""
    letters, numbers = set(), set()
    for n in walk(node):
        if isinstance(n, Script):
            for i in n.sub:
                if isinstance(i, Name) and len(i.base) == 1 and i.base.islower():
                    letters.add(i.base)
                elif isinstance(i, Num) and i.value.isdigit():
                    numbers.add(i.value)
    return letters, numbers


def _specialised(table: SymbolTable, order: int, scope: tuple[int, ...], left: Node, right: Node,
                 conditions: tuple[Cond, ...], seed: int, solved: dict | None) -> str | None:
    """"$loss_i = -\\log \\frac{e^{z_i}}{\\sum_c e^{z_c}} = -\\log(p_1)$": an index letter on one side
    only, where the other writes an entry number, and the step holds with the letter that number:
    the note may have put in the value of i it has in mind (the example's true class), which it
    does not say here. Why the WRONG is not one, or None."""
    (left_letters, left_numbers), (right_letters, right_numbers) = _subscripts(left), _subscripts(right)
    for letters, numbers in ((left_letters - right_letters, right_numbers), (right_letters - left_letters, left_numbers)):
        for letter in sorted(letters):
            if any(letter in condition_letters(c) for c in conditions):
                continue
            for number in sorted(numbers):
                case = Case(Name(letter), "=", Num(number))
                at = _judged(table, order, scope, left, right, tuple(conditions) + (case,), seed, solved)
                if at.status == "ok":
                    return (f"holds at {letter} = {number} only: the step writes entry {number} where {letter} was, and "
                            f"the note may mean {letter} = {number} here without saying so")
    return None


def _index_unused(through: dict[str, int], table: SymbolTable) -> str | None:
    """"$T(y)_i = 1\\{y = 1\\}$": a WRONG through a definition of an indexed name whose right side
    does not use the index but compares something with a number: that definition may be the slip
    (1 typed for i), and then the step is not. Why the WRONG is not one, or None."""
    for key, line in sorted(through.items()):
        for d in table.definitions:
            if d.key != key or d.line != line or not d.indices or numbers_only(d.body):
                continue
            letters = {n.base for n in walk(d.body) if isinstance(n, Name)}
            # (a number compared inside, where the index would be: an indicator 1{y = 1} for 1{y = i})
            compared = any(isinstance(n, Cond) and isinstance(n.right, Num) for n in walk(d.body))
            if compared and not letters & set(d.indices):
                return (f"the sides differ with {pretty(key)} as defined at line {line}, whose right side does not "
                        f"use its index {', '.join(d.indices)}: that definition may be the slip")
    return None


def _counted_from_zero(table: SymbolTable, order: int, scope, left: Node, right: Node) -> str | None:
    """"$y = [0, 1, 0]$ ... $-\\sum_{c=1}^{C} y_c \\log p_c = -(1 \\cdot \\log p_1 + 0 \\cdot \\log p_0 +
    \\ldots)$": a WRONG that reads a list of numbers as entries 1, 2, 3 in a step that writes an entry 0
    (p_0): the note may count that list from 0, and which count it means it does not say. Why the
    WRONG is not one, or None. (Where the note sums a size as 0..N-1, its lists count from 0 already.)"""
    if table.zero_based or not any((d := table.lookup(k, order, scope)) is not None and listed_numbers(d.body)
                                   for k in _reached_names(table, order, scope, left, right)):
        return None
    for side in (left, right):
        for n in walk(side):
            if isinstance(n, Script) and any(isinstance(i, Num) and i.value == "0" for i in n.sub):
                return (f"the sides differ with the note's list of numbers as entries 1, 2, ..., but the step writes "
                        f"entry 0 ({pretty(key_of(n.base)) if isinstance(n.base, Name) else 'a name'}_0): the list may "
                        "count from 0, and the note does not say which")
    return None


def _judged(table: SymbolTable, order: int, scope: tuple[int, ...], left: Node, right: Node,
            conditions: tuple[Cond, ...], seed: int, solved: dict | None) -> Verdict:
    verdict = _judged_as_written(table, order, scope, left, right, conditions, seed, solved)
    if verdict.status != "wrong":
        return verdict
    summed = _einstein(left, right, conditions)
    if summed is None:
        return verdict
    letters, left, right = summed
    # W_{ib} δ_{ic} = W_{cb}: i written twice in one term and nowhere on the other side is summed
    # (Einstein's convention); a WRONG stands only if it is wrong that way too
    alt = _judged_as_written(table, order, scope, left, right, conditions, seed, solved)
    said = (f"{', '.join(letters)}, written twice in a term and not on the other side, summed over "
            "(Einstein's convention" + (f", line {table.einstein})" if table.einstein is not None else ")"))
    if alt.status == "wrong":
        # (wrong both ways: the counterexample of the summed reading, which the note more likely means)
        alt.uses = alt.uses + [said]
        return alt
    if alt.status == "ok" and table.einstein is not None:
        alt.uses = alt.uses + [said]
        return alt
    if alt.status == "ok":
        # ∂J/∂b_0 = ∂J/∂ŷ_i ∂ŷ_i/∂z_i ∂z_i/∂b_0 in a note that writes its sums: the Σ left out is a slip
        # or the convention, which the note does not state
        return Verdict("not checkable", f"differs as written, and holds with {said}, which the note does not "
                       "state: a sum left out or the convention", uses=verdict.uses)
    return Verdict("not checkable", f"differs as written; with {said} it is not checkable ({alt.detail}): which "
                   "the note means it does not say", uses=verdict.uses)


def _unequal_sum_indices(left: Node, right: Node) -> tuple[Node, Node, list[str]]:
    """``-\\frac{t_i}{y_i} ... - \\sum_{i \\ne j} \\frac{t_j}{y_j} ...``: a sum under ``i \\ne j`` runs over
    the letter the step writes nowhere outside it (j), not the first one, where the other (i) is
    written outside it; the subscript is then read as ``j \\ne i``. Where both or neither are, it
    stays as written. Also the readings taken, for the verdict's uses."""
    def unequal(n: Node) -> bool:
        return isinstance(n, BigOp) and isinstance(n.sub, Cond) and n.sub.op == "!=" and all(
            isinstance(x, Name) and len(x.base) == 1 for x in (n.sub.left, n.sub.right))

    sums = {n for side in (left, right) for n in walk(side) if unequal(n)}
    if not sums:
        return left, right, []
    total = _index_counts(left) + _index_counts(right)  # outside the sums that bind them
    swapped = set()
    for n in sums:
        first, other = n.sub.left.base, n.sub.right.base
        if total[first] and not total[other] - _index_counts(n.body)[other]:
            swapped.add(n)

    def swap(n: Node) -> Node:
        return replace(n, sub=Cond(n.sub.right, "!=", n.sub.left)) if n in swapped else n

    read = sorted({f"the sum under {n.sub.left.base} ≠ {n.sub.right.base} runs over {n.sub.right.base} "
                   f"({n.sub.left.base} is written outside it)" for n in swapped})
    return (transform(left, swap), transform(right, swap), read) if swapped else (left, right, [])


def _einstein(left: Node, right: Node, conditions: tuple[Cond, ...]) -> tuple[list[str], Node, Node] | None:
    """The step with each index letter summed that one side writes twice in every term holding it
    and the other side never writes (W_{ib} δ_{ic} = W_{cb}); None if there is none."""
    said = {n.base for c in conditions for n in walk(c) if isinstance(n, Name)}
    counts = {id(side): [_index_counts(t) for t in _terms(side)] for side in (left, right)}
    letters = []
    for side, other in ((left, right), (right, left)):
        everywhere = set().union(*counts[id(other)])
        for letter in sorted(set().union(*counts[id(side)]) - everywhere - said):
            if all(c[letter] >= 2 for c in counts[id(side)] if letter in c):
                letters.append((side, letter))
    if not letters:
        return None

    def summed(side: Node) -> Node:
        mine = [letter for s, letter in letters if s is side]
        if not mine:
            return side
        terms = []
        for term, count in zip(_terms(side), counts[id(side)]):
            negated = isinstance(term, Neg)
            body = term.arg if negated else term
            for letter in mine:
                if letter in count:
                    body = BigOp("sum", Name(letter), None, body)
            terms.append(Neg(body) if negated else body)
        return terms[0] if len(terms) == 1 else Add(tuple(terms))
    return [letter for _, letter in letters], summed(left), summed(right)


def _terms(side: Node) -> tuple[Node, ...]:
    """The terms of a side (a side that is no sum: itself)."""
    inner = side.arg if isinstance(side, Neg) else side
    return inner.terms if isinstance(inner, Add) and inner is side else (side,)


def _index_counts(node: Node, bound: frozenset[str] = frozenset()) -> Counter:
    """How often each one-letter index is written in ``node`` (outside the sums that bind it)."""
    if isinstance(node, BigOp) and bound_letter(node) is not None:
        bound = bound | {bound_letter(node)}
    subs = node.sub if isinstance(node, Script) else ()
    counts = Counter(n.base for n in subs if isinstance(n, Name) and len(n.base) == 1 and n.base.islower()
                     and n.base not in bound)
    for value in vars(node).values():
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, Node) and not (isinstance(child, Name) and child in subs):
                counts += _index_counts(child, bound)
    return counts


def _judged_as_written(table: SymbolTable, order: int, scope: tuple[int, ...], left: Node, right: Node,
                       conditions: tuple[Cond, ...], seed: int, solved: dict | None) -> Verdict:
    written = _written_matrices(left, right)
    if written is not None:
        return written
    verdict = _judge_reading(table, order, scope, left, right, conditions, seed, solved)
    if verdict.case_on is not None:
        verdict = _at_each_value(verdict, table, order, scope, left, right, conditions, seed, solved)
    if verdict.status == "wrong" or verdict.detail.startswith(SHORT_LIST):
        verdict = _at_written_size(verdict, table, order, scope, left, right, conditions, seed, solved)
    if verdict.status == "ok":
        verdict = _at_another_sample_size(verdict, table, order, scope, left, right, conditions, seed, solved)
    if verdict.status == "wrong":
        verdict = _at_class_size(verdict, table, order, scope, left, right, conditions, seed, solved)
    if verdict.status == "wrong":
        verdict = _with_later_definitions(verdict, table, order, scope, left, right, conditions, seed, solved)
    if verdict.status == "wrong":
        verdict = _without_entry_values(verdict, table, order, scope, left, right, conditions, seed, solved)
    if verdict.status == "wrong":
        verdict = _without_example_values(verdict, table, order, scope, left, right, conditions, seed, solved)
    if verdict.status == "not checkable" and "is used here as the number worked out" in verdict.detail:
        verdict = _without_point_values(verdict, table, order, scope, left, right, conditions, seed, solved)
    if verdict.status == "wrong" and "natural log" in verdict.uses:
        # 1000 \log(0.01) = -2000: log in base 10, as many numeric examples mean it; H(p) = -\sum p \log p
        # = 0.88 (bits): log in base 2, as information theory means it
        for reading, base, written in (("log10", "10", "\\log_{10}"), ("log2", "2", "\\log_2")):
            other = _judge_reading(table, order, scope, left, right, conditions, seed, solved, frozenset([reading]))
            if other.status == "ok":
                return Verdict("not checkable", f"differs with log as the natural log and holds with log in base {base}: "
                               f"which base is meant here the note does not say (write \\ln or {written})")
    if verdict.status == "ok" and READINGS["prod"][0] in verdict.uses:
        # an ok with the product's reach taken one way stands only if the other way agrees too
        reach = frozenset(["prod"])
        other = _judge_reading(table, order, scope, left, right, conditions, seed, solved, reach)
        if other.case_on is not None:
            other = _at_each_value(other, table, order, scope, left, right, conditions, seed, solved, reach)
        if other.status == "wrong":
            return Verdict("not checkable", f"holds with {READINGS['prod'][0]} and differs with {READINGS['prod'][1]}: "
                           "which the note means it does not say (brackets would)", uses=verdict.uses)
        if other.status != "ok":
            return Verdict("not checkable", f"holds with {READINGS['prod'][0]}; with {READINGS['prod'][1]} it is not "
                           f"checkable ({other.detail}), and which the note means it does not say", uses=verdict.uses)
    if verdict.status != "wrong" and not verdict.detail.startswith(_UNDEFINED):
        return verdict
    met = [name for name, (taken, _) in READINGS.items() if taken in verdict.uses]
    # \log{a + b} prints "log a + b", \log a b may be log(a b), ...: a WRONG stands only if the
    # other readings are wrong too (each alone, then all together)
    tries = [frozenset([name]) for name in met] + ([frozenset(met)] if len(met) > 1 else [])
    alts = []
    for other in tries:
        alt = _judge_reading(table, order, scope, left, right, conditions, seed, solved, other)
        # (the evaluator names the reading it met; say the one it took)
        said = [READINGS[name] for name in other]
        alt.uses = [u for u in alt.uses if u not in {t for t, _ in said}] + [o for _, o in said]
        if alt.status == "ok":
            return alt
        alts.append(alt)
    if not alts or all(alt.status == "wrong" for alt in alts):
        return verdict if verdict.status == "wrong" or not alts else alts[0]
    if verdict.status == "wrong":
        unread = next(alt for alt in alts if alt.status != "wrong")
        return Verdict("not checkable", f"differs with {'; '.join(READINGS[n][0] for n in met)}; read the other "
                       f"way it is not checkable: {unread.detail}")
    return verdict


def _written_matrices(left: Node, right: Node) -> Verdict | None:
    """``[1; 2] [1 3] = [1×1 1×3; 2×1 2×3]``: a step written with numbers and matrices of numbers
    only, computed with matrix algebra at the sizes written (the note's K plays no part).  A number
    written with decimals may be the value rounded to them; shapes that do not fit are not judged."""
    if not any(isinstance(n, Matrix) or number_list(n) for side in (left, right) for n in walk(side)) \
            or not (numbers_only(left) and numbers_only(right)):
        return None
    ev = Evaluator(SymbolTable(), 0, ())
    try:
        a, b = (_as_matrix(written_value(side, ev)) for side in (left, right))
    except NotCheckable as exc:
        return Verdict("not checkable", str(exc))
    uses = ["matrices of numbers multiplied and added as written (rows times columns)"]
    if a.shape != b.shape:
        return Verdict("not checkable", f"a {a.rows}x{a.cols} and a {b.rows}x{b.cols} value: a row for a column, or "
                       "a slip in the shape; not judged", uses=uses)
    halves = [_half_unit(side, a.shape) for side in (left, right)]
    rounded = False
    slack = None
    for r, c in itertools.product(range(a.rows), range(a.cols)):
        x, y = complex(sympy.N(a[r, c], 30)), complex(sympy.N(b[r, c], 30))
        if abs(x - y) <= 1e-12 * (1 + abs(x) + abs(y)):
            continue
        half = max(h[r][c] for h in halves)
        if abs(x - y) <= half * (1 + 1e-9):
            rounded = True
            continue
        slack = _matrix_slack(left, right, ev, a.shape) if slack is None else slack
        if slack and abs(x - y) <= slack[r][c] * (1 + 1e-9):
            # [0.368 / 1.517] ≈ [0.242]: more than half a unit of the result apart, but the numbers
            # inside were rounded (or cut) too, and that could add up to it
            return Verdict("not checkable", f"entry ({r + 1}, {c + 1}) differs by {abs(x - y):.3g}, within what the "
                           f"numbers written, rounded or cut, could add up to ({slack[r][c]:.3g}): a slip cannot "
                           "be told from the roundings", uses=uses)
        return Verdict("wrong", "", left=x.real, right=y.real, point={"entry": (r + 1, c + 1)})
    if rounded:
        uses.append("a number written with decimals is the value rounded to them")
    return Verdict("ok", method="numeric", uses=uses)


def _as_matrix(value) -> sympy.Matrix:
    return sympy.Matrix(value) if isinstance(value, sympy.MatrixBase) else sympy.Matrix([[value]])


# From this many decimals on, a number written may be a worked-out value cut rather than rounded
_CUT_PLACES = 3


def _matrix_slack(left: Node, right: Node, ev, shape: tuple[int, int]) -> list[list[float]]:
    """For each entry of a step in matrices of numbers: how far its sides may move when every
    decimal written moves by half a unit of its last digit, a full unit from 3 decimals on (cut
    rather than rounded), summed to first order; empty when a side cannot be evaluated so."""
    total = [[0.0] * shape[1] for _ in range(shape[0])]
    longest = max((_places(n) for side in (left, right) for n in _decimal_nums(side)), default=0)
    try:
        for side in (left, right):
            base = _as_matrix(written_value(side, ev))
            for n in _decimal_nums(side):
                places = _places(n)
                if places < longest and not _arithmetic(side):
                    continue  # [e^{-1.9}, e^{-1.0}] ≈ [0.149, 0.368]: the data put in a function, not roundings
                unit = sympy.Rational(1 if places >= _CUT_PLACES else sympy.Rational(1, 2), 10 ** places)
                v = written_value(_replace_num(side, n, Num(str(sympy.Rational(n.value) + unit))), ev)
                moved = _as_matrix(v)
                for r, c in itertools.product(range(shape[0]), range(shape[1])):
                    total[r][c] += abs(complex(sympy.N(moved[r, c] - base[r, c], 30)))
    except (NotCheckable, TypeError, ValueError, IndexError, sympy.ShapeError):
        return []
    return total


def numbers_only(node: Node) -> bool:
    """No name in ``node`` but e, π, a unit, and the T of a transpose."""
    marks = {id(n.sup) for n in walk(node) if isinstance(n, Script) and transposed(n) is not None} \
        | {id(n.exp) for n in walk(node) if isinstance(n, Pow) and transposed_exp(n)}
    return not any(isinstance(n, Name) and n.base not in ("e", "\\pi") + _UNITS and id(n) not in marks
                   or isinstance(n, (Deriv, BigOp)) for n in walk(node))


def _half_unit(side: Node, shape: tuple[int, int]) -> list[list[float]]:
    """For a side written as one matrix of numbers: half a unit of each entry's last decimal."""
    out = [[0.0] * shape[1] for _ in range(shape[0])]
    inner = side.items[0] if isinstance(side, Paren) and len(side.items) == 1 else side
    written = inner.rows if isinstance(inner, Matrix) else tuple((x,) for x in inner.items) if number_list(inner) else ()
    if written and len(written) * max(len(r) for r in written) == shape[0] * shape[1]:
        flat = [x for row in written for x in row]
        for k, x in enumerate(flat):
            num = x.arg if isinstance(x, Neg) else x
            if isinstance(num, Num) and "." in num.value:
                out[k // shape[1]][k % shape[1]] = 0.5 * 10.0 ** -_places(num)
    return out


def _at_each_value(verdict: Verdict, table: SymbolTable, order: int, scope, left: Node, right: Node,
                   conditions, seed: int, solved: dict | None, other: frozenset[str] = frozenset()) -> Verdict:
    """``V(a, y) = a`` if ``y = 1`` and ``1 - a`` if ``y = 0``, met as ``V(g(x), y)``: the step taken at
    each value of y, the values a label takes (0 and 1, or those the note gives: ``y \\in \\{-1, 1\\}``).
    ok only if it holds at every one; WRONG at the value where it is wrong."""
    assert verdict.case_on is not None
    key, value = verdict.case_on
    sets = [values for _, values, at, where in table.value_sets.get(key, ())
            if at <= order and scope[:len(where)] == where]
    values = sets[-1] if sets else (0, 1) if value in (0, 1) else None
    if values is None or value not in values:
        return verdict
    accent, _, base = key.rpartition(" ")
    name = Name(base, accent)
    results = []
    for v in values:
        case = Case(name, "=", Num(str(v)) if v >= 0 else Neg(Num(str(-v))))
        at = _judge_reading(table, order, scope, left, right, tuple(conditions) + (case,), seed, solved, other)
        if at.status == "wrong":
            at.point = {**at.point, pretty(key): v}  # (the case is part of the point)
            return at
        results.append(at)
    if all(r.status == "ok" for r in results):
        said = f"{pretty(key)} taken as each of {', '.join(map(str, values))} (the values a case of its definition names)"
        uses = sorted({u for r in results for u in r.uses if not u.startswith("the case ")} | {said})
        return Verdict("ok", results[0].detail, method=results[0].method, uses=uses)
    unread = next(r for r in results if r.status != "ok")
    return Verdict("not checkable", f"at {pretty(key)} = {values[results.index(unread)]}: {unread.detail}")


def _at_written_size(verdict: Verdict, table: SymbolTable, order: int, scope, left: Node, right: Node,
                     conditions, seed: int, solved: dict | None) -> Verdict:
    """``w_1 x_1 + w_2 x_2 + b = w^T x + b``: a step that writes a vector's entries out to M (or whose
    names' definitions do), fewer than the K classes drawn (--K), is taken at K = M, the size it
    shows; ok there says so."""
    written = {}
    # (the step and the definitions of its names: z = w_1 x_1 + w_2 x_2 + b writes w out for ∂L/∂w)
    for side in _reached_bodies(table, order, scope, left, right):
        for n in walk(side):
            if isinstance(n, Script) and len(n.sub) == 1 and isinstance(n.sub[0], Num) and n.sub[0].value.isdigit() \
                    and (key := key_of(n.base)) and table.dims.get(key, "K") == "K":
                written[key] = max(written.get(key, 0), int(n.sub[0].value))
            elif isinstance(n, (Name, Script)) and (key := key_of(n)) in table.components:
                # q = [q_1, q_2]^T said of q in the note: q has 2 entries
                written[key] = max(written.get(key, 0), table.components[key])
            elif isinstance(n, (Name, Script)) and (key := key_of(n)) and (
                    d := table.lookup(key, order, scope)) is not None and (items := listed_numbers(d.body)):
                # P = (1, 0) given as numbers: P has 2 entries
                written[key] = max(written.get(key, 0), len(items))
    size = max(written.values(), default=0)
    if not 2 <= size < table.class_size or "K" in table.sizes:
        return verdict
    shown = copy.copy(table)
    shown.class_size = size
    alt = _judge_reading(shown, order, scope, left, right, conditions, seed, solved)
    if alt.status == "wrong":
        return alt  # (wrong at the written size too: its point has the sizes the note shows)
    if alt.status != "ok":
        return verdict
    key = sorted(k for k, m in written.items() if m == size)[0]
    alt.uses = alt.uses + [f"{size} entries for the vectors of the classes, as {pretty(key)}_1 ... "
                           f"{pretty(key)}_{size} are written out (not --K)"]
    return alt


# The second sample size an ok is tried at: neither the one drawn (SAMPLE_SIZE, 2) nor the classes'
# (3), so a factor 2/N or K/N left over shows.
_OTHER_SAMPLE_SIZE = 4


def _at_another_sample_size(verdict: Verdict, table: SymbolTable, order: int, scope, left: Node, right: Node,
                            conditions, seed: int, solved: dict | None) -> Verdict:
    """An ok that reaches a sample size the note never gives (N, m, drawn as 2) stands only if it
    holds with every such size 4 as well: ∂MSE/∂ŷ = -(y - ŷ) with MSE = (1/N) Σ_i (y_i - ŷ_i)^2
    holds where 2/N = 1 alone. Otherwise it is not checkable, never WRONG: N may be the note's two
    samples, or the length of a vector whose size the note ties to another name."""
    reached = _sample_sizes_reached(table, order, scope, left, right)
    if not reached:
        return verdict
    other = copy.copy(table)
    # (all of them at once, as they are all 2 at once: m examples are X's rows whatever X's size is named)
    other.sizes = {**{k: _OTHER_SAMPLE_SIZE for k in SAMPLE_SIZE_NAMES}, **table.sizes}
    # (its ok only keeps the first one's, which was proven or confirmed: agreement at 50 digits is enough)
    alt = _judge_reading(other, order, scope, left, right, conditions, seed, solved, prove=False)
    if alt.case_on is not None:
        alt = _at_each_value(alt, other, order, scope, left, right, conditions, seed, solved)
    if alt.status == "ok":
        return verdict
    sizes = " and ".join(sorted(reached))
    why = "differs" if alt.status == "wrong" else f"is not checkable ({alt.detail})"
    return Verdict("not checkable", f"holds with {sizes} = {SAMPLE_SIZE} samples and {why} with {_OTHER_SAMPLE_SIZE}: "
                   "the note does not say how many there are", uses=verdict.uses)


def _sample_sizes_reached(table: SymbolTable, order: int, scope, left: Node, right: Node) -> set[str]:
    """The sample-size names (N, m, ...) the step reaches, as a sum's bound or an index's range,
    that the note never gives a value (m in W_{jm} x_m is an index letter)."""
    names = _reached_names(table, order, scope, left, right)
    reached = {k for k in (names & table.size_names) | {table.dims.get(k, "") for k in names} if k in SAMPLE_SIZE_NAMES}
    return reached - set(table.sizes)


def _at_class_size(verdict: Verdict, table: SymbolTable, order: int, scope, left: Node, right: Node,
                   conditions, seed: int, solved: dict | None) -> Verdict:
    """A WRONG through a sample size the note never gives (N, drawn as 2) that holds with that size
    the number of classes: ∂φ_i/∂z_j of φ_i = e^{z_i} / Σ_{k=1}^K e^{z_k} written with Σ_{k=1}^N,
    the note counting its classes with N there. Not checkable, never WRONG: which it counts the
    note does not say. Wrong with both: the WRONG with the classes' count, whose counterexample
    shows the slip alone."""
    reached = _sample_sizes_reached(table, order, scope, left, right)
    if not reached:
        return verdict
    other = copy.copy(table)
    other.sizes = {**{k: CLASS_SIZE for k in SAMPLE_SIZE_NAMES}, **table.sizes}
    alt = _judge_reading(other, order, scope, left, right, conditions, seed, solved, prove=False)
    if alt.case_on is not None:
        alt = _at_each_value(alt, other, order, scope, left, right, conditions, seed, solved)
    sizes = " and ".join(sorted(reached))
    if alt.status == "wrong":
        # wrong either way: the counterexample where only the slip differs, not the sizes too
        alt.uses.append(f"{sizes} = {CLASS_SIZE}, the number of classes (it differs with {sizes} a number of samples too)")
        return alt
    if alt.status != "ok":
        return verdict
    return Verdict("not checkable", f"differs with {sizes} = {SAMPLE_SIZE} (a number of samples) and holds with {sizes} "
                   f"= {CLASS_SIZE}, the number of classes: which {sizes} counts here the note does not say",
                   uses=verdict.uses)


def _with_later_definitions(verdict: Verdict, table: SymbolTable, order: int, scope, left: Node, right: Node,
                            conditions, seed: int, solved: dict | None) -> Verdict:
    """A WRONG on a name the note defines again further on in the section (tanh = g/h, "where g = e^x -
    e^{-x}" with g the sigmoid's a few lines up) stands only if it is wrong with the later value too."""
    named = {key_of(n) for side in (left, right) for n in walk(side) if isinstance(n, (Name, Script)) and key_of(n)}
    later = sorted((d.order, d.line, d.key) for d in table.definitions if d.key in named and d.scope == scope
                   and d.order >= order - order % 100 + 100  # (a later block: not the step's own restatement)
                   and table.lookup(d.key, order, scope) is not None)
    if not later:
        return verdict
    at, line, key = later[0]
    # (as seen from the end of that block: g and h given new values in one display both count)
    alt = _judge_reading(table, at - at % 100 + 99, scope, left, right, conditions, seed, solved)
    if alt.status == "wrong":
        return verdict
    return Verdict("not checkable", f"{pretty(key)} is defined again at line {line}, after this step and in its "
                   "section, and with that value the step " + ("holds" if alt.status == "ok" else "is not checkable")
                   + ": which of its definitions it means is not said", uses=verdict.uses)


def _without_entry_values(verdict: Verdict, table: SymbolTable, order: int, scope, left: Node, right: Node,
                          conditions, seed: int, solved: dict | None) -> Verdict:
    """A WRONG with one entry of a vector given a number earlier ("suppose that $y_2 = 1$" in an
    example) stands only if it is wrong for every value of that entry too. A step that holds for every
    value of the vector holds at the example's value as well (the entry is a point of its domain), so
    it is ok whichever the author meant; one that holds only once the example's value is forgotten is
    not a slip that can be told from a general step read at the example."""
    named = _reached_names(table, order, scope, left, right)
    valued = [d for d in table.definitions if "[" in d.key and d.key.split("[", 1)[0] in named
              and isinstance(d.body, (Num, Neg)) and _literal_number(d.body)
              and table.lookup(d.key, order, scope) is d]
    if not valued:
        return verdict
    forgotten = copy.copy(table)
    forgotten.definitions = [d for d in table.definitions if all(d is not v for v in valued)]
    alt = _judge_reading(forgotten, order, scope, left, right, conditions, seed, solved)
    def number(n: Node) -> str:
        return f"-{number(n.arg)}" if isinstance(n, Neg) else n.value

    def entry(key: str) -> str:
        base, _, index = key.partition("[")
        return f"{pretty(base)}_{index.rstrip(']')}"
    given = ", ".join(f"{entry(d.key)} = {number(d.body)} (line {d.line})" for d in valued)
    if alt.status == "ok":
        alt.uses = alt.uses + [f"holds without {given}, so also with {'it' if len(valued) == 1 else 'them'}"]
        return alt
    if alt.status == "wrong":
        return alt  # (wrong either way; its point draws the whole vector, as the step's letter does)
    return Verdict("not checkable", f"differs with {given}; with any value there it is not checkable: "
                   f"{alt.detail}", uses=verdict.uses)


def _reached_bodies(table: SymbolTable, order: int, scope, left: Node, right: Node) -> list[Node]:
    """The step's members and the bodies of the definitions they reach (ŷ = σ(z), then z = w_1 x_1
    + ... inside it)."""
    bodies, seen = [left, right], set()
    for body in bodies:  # (grows as definitions are met)
        for n in walk(body):
            if (k := key_of(n)) and k not in seen and (d := table.lookup(k, order, scope)) is not None:
                seen.add(k)
                bodies.append(d.body)
    return bodies


def _reached_names(table: SymbolTable, order: int, scope, left: Node, right: Node) -> set[str]:
    """The names of the step and of the definitions it reaches (L, then y inside L's body)."""
    return {key_of(n) for body in _reached_bodies(table, order, scope, left, right) for n in walk(body)
            if isinstance(n, (Name, Script)) and key_of(n)}


def _without_example_values(verdict: Verdict, table: SymbolTable, order: int, scope, left: Node, right: Node,
                            conditions, seed: int, solved: dict | None) -> Verdict:
    """A WRONG with a vector the note defined by a formula and then gave numbers ("e.g., $a = [0.1,
    0.6, 0.3]$" after ``a_i = e^{z_i} / Σ_k e^{z_k}``) stands only if it is wrong with the formula too:
    a general step read at an example's numbers is no slip of the general step."""
    named = _reached_names(table, order, scope, left, right)
    examples = [d for d in table.definitions if "[" not in d.key and d.key in named
                and listed_numbers(d.body) is not None and table.lookup(d.key, order, scope) is d]
    if not examples:
        return verdict
    forgotten = copy.copy(table)
    forgotten.definitions = [d for d in table.definitions if all(d is not v for v in examples)]
    formulas = {d.key: forgotten.lookup(d.key, order, scope) for d in examples}
    if any(f is None or listed_numbers(f.body) is not None for f in formulas.values()):
        return verdict  # (the numbers are all the note gives that name)
    alt = _judge_reading(forgotten, order, scope, left, right, conditions, seed, solved)
    if alt.status == "wrong":
        return verdict  # (wrong with the example's numbers and with the formula)
    d = examples[0]
    return Verdict("not checkable", f"differs with the numbers line {d.line} gives {pretty(d.key)} (an example?); "
                   f"with its definition at line {formulas[d.key].line} it "
                   + ("holds" if alt.status == "ok" else "is not checkable") + ": which one is meant here is not said",
                   uses=verdict.uses)


def _without_point_values(verdict: Verdict, table: SymbolTable, order: int, scope, left: Node, right: Node,
                          conditions, seed: int, solved: dict | None) -> Verdict:
    """``H(P, Q) = H(P) + D_{KL}(P||Q)`` after the worked example's ``H(P) = 0.881291`` and ``H(P, Q) =
    0.912454``: not checkable at the example's numbers beside letters that stand for any values, but
    ok when it holds with the functions' formulas (or their built-in meanings), for every value,
    so also at the example's. Only an ok is taken from that reading."""
    named = _reached_names(table, order, scope, left, right)
    points = [d for d in table.definitions if d.source == "restated" and d.params and d.key in named
              and table.lookup(d.key, order, scope) is not None
              and not any(key_of(n) in {key_of(p) for p in d.params} for n in walk(d.body) if key_of(n))]
    if not points:
        return verdict
    general = copy.copy(table)
    general.definitions = [d for d in table.definitions if all(d is not p for p in points)]
    alt = _judge_reading(general, order, scope, left, right, conditions, seed, solved)
    if alt.status != "ok":
        return verdict
    said = ", ".join(f"{pretty(d.key)}({', '.join(pretty(key_of(p) or '') for p in d.params)}) at line {d.line}"
                     for d in points[:2])
    alt.uses = list(alt.uses) + [f"holds for any values, with the formulas, so also at the worked example "
                                 f"(its numbers set aside: {said})"]
    return alt


def _judge_reading(table: SymbolTable, order: int, scope: tuple[int, ...], left: Node, right: Node,
                   conditions: tuple[Cond, ...], seed: int, solved: dict | None,
                   other: frozenset[str] = frozenset(), prove: bool = True) -> Verdict:
    """The verdict on one reading; ``prove=False``: an ok may rest on the numeric agreement alone
    (confirmed at 50 digits), for a second look whose ok only keeps the first one's."""
    if solved:
        return _judge(table, order, scope, left, right, conditions, seed, solved=solved,
                      other=other, prove=prove)
    verdict = _judge(table, order, scope, left, right, conditions, seed, other=other, prove=prove)
    if verdict.status == "not checkable" and any(m in verdict.detail for m in (UNKNOWN_DEPENDENCE, INDEX_ALONE)):
        # ∂L/∂z = ∂L/∂a ∂a/∂z with L never defined: true for every L that depends on z through a,
        # which is what the step's own derivatives of L say; only an ok is taken from that reading
        plan = _generic_plan(table, order, scope, left, right)
        met = verdict
        for _ in range(3):
            if met.unknown is not None and met.unknown[0] not in plan and key_of(met.unknown[1]) != met.unknown[0]:
                # y inside E_n's definition, by w_0 (E = (1/N) Σ_n E_n differentiated term by term):
                # also taken as any function of the variable; only an ok comes of it
                plan[met.unknown[0]] = met.unknown[1]
            if not plan:
                break
            met = _judge(table, order, scope, left, right, conditions, seed, plan, other=other, prove=prove)
            if met.status == "ok" or _DIFFER_FOR_SOME in met.detail:
                return met
            if met.unknown is None or met.unknown[0] in plan:
                break
    return verdict


_DIFFER_FOR_SOME = "the sides differ for some such function"


def _generic_plan(table: SymbolTable, order: int, scope, left: Node, right: Node) -> dict[str, Node]:
    """For each name the step differentiates and the note never defines, the variable it is a
    function of: the one of its derivatives' variables that depends on all the others."""
    wrt: dict[str, list[Node]] = {}
    for side in (left, right):
        for n in walk(side):
            if not (isinstance(n, Deriv) and n.f is not None and len(n.wrt) == 1
                    and isinstance(n.wrt[0], (Name, Script))):
                continue
            w = key_of(n.wrt[0])
            # ∂p/∂o, and ∂/∂o (log p) with p a quantity the note differentiates elsewhere too
            inside = [n.f] if isinstance(n.f, (Name, Script)) else [
                m for m in walk(n.f) if isinstance(m, (Name, Script)) and key_of(m) and (
                    table.depends(key_of(m), scope) or (d := table.lookup(key_of(m), order, scope)) is not None
                    and index_alone(d, table))]
            for m in inside:
                k = key_of(m)
                d = table.lookup(k, order, scope) if k else None
                if k and w and k != w and (d is None or index_alone(d, table)):
                    wrt.setdefault(k, []).append(n.wrt[0])

    def depends(a: str, b: str, seen: frozenset = frozenset()) -> bool:
        if a == b:
            return True
        if a in seen or len(seen) > 8:
            return False
        d = table.lookup(a, order, scope)
        names = {key_of(n) for n in walk(d.body) if isinstance(n, (Name, Script))} if d is not None else set()
        names |= {key_of(w) for w in wrt.get(a, ())}
        return any(depends(m, b, seen | {a}) for m in names if m)

    plan: dict[str, Node] = {}
    for k, nodes in wrt.items():
        keys = {key_of(w) for w in nodes}
        inner = [w for w in keys if all(depends(w, o) for o in keys)]
        if len(inner) != 1 or depends(inner[0], k):
            continue
        plan[k] = next(w for w in nodes if key_of(w) == inner[0])
    return plan


def solve_for(table: SymbolTable, order: int, scope, left: Node, right: Node) -> tuple[str, sympy.Expr] | None:
    """``log(p / (1 - p)) = x`` with p never defined and everything else an input: (p, its one real
    solution), else None (several solutions, none, or more than one unknown)."""
    try:
        envs, _ = instances(table, order, scope, left, right, ())
        if envs != [{}]:
            return None
        ev = Evaluator(table, order, scope)
        L, R = ev.value(left, {}), ev.value(right, {})
    except (NotCheckable, RecursionError, TypeError, ValueError):
        return None
    unknown = {s: lf for s, lf in ev.leaves.items() if (L - R).has(s) and not lf.index and lf.sample is None
               and table.lookup(lf.key, order, scope) is None and lf.key not in table.declared
               and not conventional_input(lf.key) and lf.key not in CONVENTIONAL_TARGETS}
    if not unknown:
        # p / (1 - p) = e^z with p a probability the words name and z an input by convention: the
        # pairs that satisfy it are p's one solution at each z, so solving for p describes them all
        unknown = {s: lf for s, lf in ev.leaves.items() if (L - R).has(s) and not lf.index and lf.sample is None
                   and table.lookup(lf.key, order, scope) is None and not conventional_input(lf.key)}
    if len(unknown) != 1:
        return None
    (u, leaf), = unknown.items()
    try:
        solutions = sympy.solve(sympy.Eq(L, R), u, dict=False)
    except (NotImplementedError, TypeError, ValueError):
        return None
    solutions = [x for x in solutions if not x.has(sympy.I) and not x.has(u)]
    return (leaf.key, solutions[0]) if len(solutions) == 1 else None


def _judge(table: SymbolTable, order: int, scope: tuple[int, ...], left: Node, right: Node,
           conditions: tuple[Cond, ...] = (), seed: int = 0, generic: dict | None = None,
           solved: dict | None = None, other: frozenset[str] = frozenset(), prove: bool = True) -> Verdict:
    integrals: list[str] = []
    verdict = _judge_values(table, order, scope, left, right, conditions, seed, generic, solved, other, prove,
                            integrals)
    if integrals and (verdict.status == "wrong" or verdict.status == "not checkable" and not verdict.detail):
        # integrands that differ can still integrate to one value (∫ p dx = 1 for a density): a
        # step with integrals is ok when its integrands agree, and otherwise not judged
        return Verdict("not checkable", f"the integrands of {integrals[0]} differ on the two sides: integrals of "
                       "different integrands may still be equal (∫ p dx = 1 for a density), which is not worked out "
                       "here", uses=verdict.uses)
    return verdict


def _judge_values(table: SymbolTable, order: int, scope: tuple[int, ...], left: Node, right: Node,
                  conditions: tuple[Cond, ...], seed: int, generic: dict | None, solved: dict | None,
                  other: frozenset[str], prove: bool, integrals: list[str]) -> Verdict:
    """The verdict on one reading of a step; ``integrals`` gets how the integrals the step was
    compared through are written (then the caller turns a WRONG into not checkable)."""
    conditions = tuple(conditions) + tuple(c for c in subscript_conditions(left, right) if c not in conditions)
    try:
        envs, dry = instances(table, order, scope, left, right, conditions, generic, solved)
        if not envs:
            return Verdict("not checkable", "no index values satisfy the step's conditions")
        ev = Evaluator(table, order, scope)
        ev.generic = dict(generic or {})
        ev.solved = dict(solved or {})
        ev.other_readings = other
        ev.given = dict(filter(None, map(value_case, conditions)))
        cases = [cond_text(c) for c in conditions if value_case(c) is None and condition_letters(c)
                 and condition_letters(c) <= set(envs[0])]
        if cases:
            # (an ok that holds only in the case the note states, beside the chain or in the words
            # before it, says so: without the case it may be WRONG)
            ev.conventions["index-case"] = "in the case " + ", ".join(dict.fromkeys(cases)) + " (as the note states it)"
        if "__vec__" in envs[0]:
            envs = _shapes_agree(ev, left, right, envs)
            if isinstance(envs, Verdict):
                return envs
        pairs = []
        ev.step_calls = _step_calls(left, right)
        ev.plain_vars = calculus_variables(table, order, scope, left, right)
        for env in envs:
            ev.bare_used, ev.called, ev.called_args, ev.bare_args = set(), set(), {}, {}
            ev.zero_by_letters = None
            pair = (ev.value(left, env), ev.value(right, env))
            both = sorted(ev.bare_used & ev.called)
            if both and all(len(ev.called_args.get(k, ())) == 1 for k in both):
                # h alone and h(x^{(i)}) in one step, h called at that one argument only: the
                # lone h is that call (the chain rule written as dlog h/dh dh/dθ)
                ev.bare_args = {k: next(iter(ev.called_args[k])) for k in both}
                ev.zero_by_letters = None
                pair = (ev.value(left, env), ev.value(right, env))
            elif both:
                return Verdict("not checkable", f"{pretty(both[0])} is written both alone and with an argument "
                               "here: which argument the lone one stands for is not said")
            if ev.zero_by_letters:
                return Verdict("not checkable", ev.zero_by_letters)
            pairs.append(pair)
    except UnknownDependence as exc:
        return Verdict("not checkable", str(exc), unknown=(exc.key, exc.wrt) if exc.wrt is not None else None)
    except CaseOnAValue as exc:
        return Verdict("not checkable", str(exc), case_on=(exc.key, exc.value))
    except NotCheckable as exc:
        return Verdict("not checkable", str(exc))
    except RecursionError:
        return Verdict("not checkable", "too deeply nested to evaluate")
    given = _given_values(conditions, ev)
    if given:
        # "when y = 1, L = -log ŷ": the step at that value of y
        pairs = [(L.xreplace(given), R.xreplace(given)) for L, R in pairs]
        ev.conventions["given"] = "the case " + ", ".join(
            f"{pretty(ev.leaves[x].key)} = {v}" for x, v in sorted(given.items(), key=lambda kv: kv[0].name))
    if ev.integrals:
        split = _integrands(pairs, ev.integrals)
        if isinstance(split, str):
            return Verdict("not checkable", split)
        pairs, envs = [pair for pair, _ in split], [envs[k] for _, k in split]
        integrals.extend(sorted({written for _, written, _ in ev.integrals.values()}))
    slack = 0.0
    if ev.valued:
        pairs, slack = _put_in_values(pairs, ev)
    if any(side.has(sympy.zoo, sympy.nan) for pair in pairs for side in pair):
        return Verdict("not checkable", "a side divides by zero here (for the index values of this step)")
    uses = sorted(set(ev.conventions.values()))
    def number_of(node: Node) -> complex | None:
        try:
            return complex(sympy.N(ev.value(node, {}), 30))
        except (NotCheckable, TypeError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
            return None  # (nothing the evaluator can put a number to: no term-by-term reading)

    rounded = _rounded(left, right, pairs, uses, slack, number_of)
    if rounded is not None:
        return rounded
    leaves = {s: ev.leaves[s] for L, R in pairs for s in (L.free_symbols | R.free_symbols) if s in ev.leaves}
    stray = sorted(s for L, R in pairs for s in (L.free_symbols | R.free_symbols) if s not in ev.leaves)
    if stray:
        return Verdict("not checkable", f"internal: unknown symbol {stray[0]}")
    keys = {lf.key for lf in leaves.values()}
    met = list(ev.leaves.values())  # (a derivative may have removed some from the sides)
    both_ways = sorted(ev.design_names & {lf.key for lf in met})
    if both_ways:
        # X^T v read with X the matrix of the samples, and X w (in p = σ(X w)) as a number X
        return Verdict("not checkable", f"{pretty(both_ways[0])} is the matrix of the samples in one place of this "
                       "step and a single number in another: which is meant is not clear here")
    mixed = sorted({lf.key for lf in met if not lf.index and lf.sample is None}
                   & {lf.key for lf in met if lf.index and lf.sample is None})
    if mixed:
        # y_k inside L's definition, y alone in the step: a vector there, a number here
        return Verdict("not checkable", f"{pretty(mixed[0])} is a vector in one place of this step (with an "
                       "index) and a single number in another: which is meant is not clear here")
    # a name the note differentiates depends on others: prose calling it an input does not make
    # it free (only a definition says how it depends)
    # (a function's argument elsewhere, H(p, q), is free where the step takes a derivative by it, but
    # its own derivative here, ∂p(x_k)/∂x_k, needs to know how it depends: p is no free input then)
    differentiated_here = {key_of(f.func if isinstance(f, Call) else f) for side in (left, right) for n in walk(side)
                           if isinstance(n, Deriv) for f in (n.f,) if isinstance(f, (Name, Script, Call))}

    def without_meaning(k: str) -> bool:
        return table.lookup(k, order, scope) is None and (
            (k not in table.declared and k not in table.targets)
            or (table.depends(k, scope) and (k in differentiated_here
                                          or not table.declared.get(k, (0, ""))[1].startswith("the argument of"))))

    unnamed = {k for k in keys if without_meaning(k)}
    conventional = {k for k in keys | {lf.key for lf in ev.leaves.values()}
                    if conventional_input(k) and not table.depends(k, scope)}
    undefined = sorted(unnamed - conventional)
    # names met on the way that cancelled out (δs/δx read as δ times s over δ times x): a slip
    # found after they cancel may be a misreading of what they are
    cancelled = sorted({lf.key for lf in ev.leaves.values()} - keys - conventional
                       - set(CONVENTIONAL_TARGETS))
    cancelled = [k for k in cancelled if without_meaning(k)]
    by_convention = sorted(unnamed & conventional)
    if by_convention:
        uses.append(", ".join(pretty(k) for k in by_convention) + " as free inputs (conventional names, "
                    "not defined in the note)")
    stated = {**{k: (0, f"{pretty(k)}(x) at a sum's letter: a distribution's values") for k in ev.probabilities},
              **table.simplex}
    simplex_keys = sorted(k for k in keys if k in stated)
    # (P in Σ_x Q(x) |P(x)/Q(x) - 1|, never defined: a distribution's values, drawn in (0, 1))
    target_keys = sorted(k for k in keys if k in table.targets or k in table.simplex or k in ev.probabilities
                         or (k in CONVENTIONAL_TARGETS and not table.depends(k, scope)))
    rng_seed = SEED + seed
    natural = set(target_keys)   # targets drawn where targets live: on the simplex, or in (0, 1)
    if ev.generic_used:
        return _for_any_function(pairs, leaves, table, natural, rng_seed, envs, ev, uses, undefined)

    # 1. in the targets' natural domain: a mismatch here is a slip (if every name has a meaning)
    result = _compare(pairs, leaves, table, natural, rng_seed, envs)
    result.through = dict(ev.unfolded)
    if result.status == "wrong" and integrals:
        return result  # (the caller says why integrals whose integrands differ are not judged)
    # (a label said to be 0 or 1 is one number per sample: entries y[k] of a vector y are read otherwise)
    binary = {x: line for x, lf in leaves.items() if not lf.index
              for line, at, where in table.binary.get(lf.key, ()) if _seen(at, where, order, scope)}
    if result.status == "wrong" and 0 < len(binary) <= _BINARY_LEAVES:
        # ∏ (φ y + (1 - φ)(1 - y)) = ∏ φ^y (1 - φ)^(1 - y) with y "0 or 1": the step where the labels
        # take the values the note gives them, each combination of them, not between them
        combos = list(itertools.product((0, 1), repeat=len(binary)))
        pairs = [(L.xreplace(dict(zip(binary, c))), R.xreplace(dict(zip(binary, c)))) for c in combos
                 for L, R in pairs]
        envs = [{**env, "__given__": {x.name: v for x, v in zip(binary, c)}} for c in combos for env in envs]
        leaves = {x: lf for x, lf in leaves.items() if x not in binary}
        keys_binary = sorted({ev.leaves[x].key for x in binary})
        uses.append(f"{', '.join(pretty(k) for k in keys_binary)} taken as 0 and as 1, the values the note gives "
                    f"{'it' if len(keys_binary) == 1 else 'them'} (line {min(binary.values())})")
        result = _compare(pairs, leaves, table, natural, rng_seed, envs)
        result.through = dict(ev.unfolded)
    lone = sorted({lf.key for lf in leaves.values() if lf.sample is None}
                  & {lf.key for lf in leaves.values() if lf.sample is not None})
    if result.status == "wrong" and lone:
        # ∂L/∂b (L of one sample x) against (1/N) Σ_i (π^(i) - y^(i)): the lone x may be any sample,
        # or the note may mean the batch loss by the same letter
        return Verdict("not checkable", f"{pretty(lone[0])} is written per sample ({pretty(lone[0])}^(i)) and "
                       "also alone in this step: which sample the lone one is, or whether the step is about "
                       "the whole batch, is not said", uses=uses)
    named = {lf.key for lf in met}   # (∂LSE(X)/∂x_i: X is gone from the sides, but was met)
    pointed = sorted(k for k, (_, params) in ev.point_values.items()
                     if set(params) & (_names_outside(left, k) | _names_outside(right, k)))
    if result.status == "wrong" and pointed:
        # H(P) + D_KL(P || Q) = H(P, Q) after "H(P, Q) = 0.912" worked out for the note's example
        line, params = ev.point_values[pointed[0]]
        return Verdict("not checkable", f"{pretty(pointed[0])} is used here as the number worked out for the note's "
                       f"example (line {line}), while {', '.join(pretty(k) for k in params)} stand for any values "
                       "elsewhere in the step", uses=uses)
    if result.status == "wrong" and ev.behind_point:
        # ∂L/∂z = p - y after the example's L = -log(0.659): the derivative is of L's formula, whose
        # letters (the true class k) the example may not have put at its values
        key, (at, formula) = next(iter(sorted(ev.behind_point.items())))
        return Verdict("not checkable", f"{pretty(key)} is the example's number here (line {at}); the derivative "
                       f"reads the formula it evaluates (line {formula}), whose names may not all be at the "
                       "example's values", uses=uses)
    at_point = sorted(k for k, (_, params) in ev.point_values.items() if not params)
    if result.status == "wrong" and at_point and leaves:
        # σ'(z) = ŷ(1 - ŷ) after the worked example's ŷ = σ(1.0) = 0.73106, with z = w x + b: one name at
        # the example's point, the others any values
        line, _ = ev.point_values[at_point[0]]
        others = sorted({pretty(lf.key) for lf in leaves.values()})
        return Verdict("not checkable", f"{pretty(at_point[0])} is used here as the value worked out for the note's "
                       f"example (line {line}), while {', '.join(others)} "
                       f"stand{'s' if len(others) == 1 else ''} for any values in the step", uses=uses)
    clash = _derivative_by_bound_letter(left) or _derivative_by_bound_letter(right)
    if result.status == "wrong" and clash:
        # ∂(log Σ_j e^{x_j}) / ∂x_j = e^{x_i} / Σ_j e^{x_j}: j names the sum's terms and the variable
        return Verdict("not checkable", f"the derivative is by an entry with index {clash}, which also runs "
                       f"over a sum inside what is differentiated: which entry is meant is not clear", uses=uses)
    cased = sorted(k for k in named if k.isalpha() and k.isupper() and k.lower() in named
                   and any(x in table.simplex or without_meaning(x) for x in (k, k.lower())))
    if result.status == "wrong" and cased:
        # D_KL(P || Q) = H(q) - H(p): notes write a distribution P and its mass function p(x), a
        # vector X and its entries x_i
        return Verdict("not checkable", f"{cased[0]} and {cased[0].lower()} both appear here, and the note "
                       "does not say whether they are one name (P and its p(x), X and its x_i) or two", uses=uses)
    if result.status == "wrong" and "sigma-beside-softmax" in ev.conventions:
        return Verdict("not checkable", "σ is never defined here and the note speaks of softmax, also written σ: "
                       "the sides differ when σ is the sigmoid, but the note may mean softmax at an entry "
                       "(define σ or pass --define)", uses=uses)
    primed = sorted(k.split(":", 1)[1] for k in ev.conventions if k.startswith("prime:"))
    if result.status == "wrong" and primed:
        # f' with no argument: by f's one variable is a reading, not what the note says (f' = 0 in
        # "f = e^{z_k}, f' = 0" is by z_i, i ≠ k)
        return Verdict("not checkable", f"{pretty(primed[0])}' has no argument: the sides differ when it is the "
                       f"derivative by the one variable of {pretty(primed[0])}, but the note may mean another "
                       f"(write \\frac{{\\partial {pretty(primed[0])}}}{{\\partial x}})", uses=uses)
    if result.status == "wrong" and ev.assumed_independent:
        key, by = next(iter(sorted(ev.assumed_independent.items())))
        return Verdict("not checkable", f"a derivative by {', '.join(pretty(k) for k in by)} took {pretty(key)} as "
                       f"independent of it ({pretty(key)} is never defined here): the note may mean "
                       f"{pretty(key)} to depend on it (as z = w^T x); define {pretty(key)} or pass --define",
                       uses=uses)
    if result.status == "wrong" and cancelled:
        return Verdict("not checkable", f"{', '.join(pretty(k) for k in cancelled)} "
                       f"{'is' if len(cancelled) == 1 else 'are'} never defined here and cancelled out of the "
                       "sides: what it stands for may change them", uses=uses)
    unwritten = sorted({f"{pretty(lf.key)}_0" for lf in leaves.values()
                        if 0 in lf.index and (lf.key, lf.index) not in table.written_entries
                        and table.dims.get(lf.key) not in table.zero_based})
    if result.status == "wrong" and unwritten:
        # Σ_{i=0}^n w_i x_i with x_0 never written: x_0 = 1 (a bias input) is the usual reading
        return Verdict("not checkable", f"{unwritten[0]} comes only from a sum that starts at 0 and the note "
                       f"never says what it is (often 1, a bias input): write {unwritten[0]} = ...", uses=uses)
    if result.status == "wrong" and "case" in ev.conventions:
        # "∑_k y_k δ_{ki} = y_i" under a case k ≠ i said lines before: the case picked the sum's
        # terms, which the note may not mean here (a sum over every k is the usual reading)
        return Verdict("not checkable", f"differs when {ev.conventions['case']}, a case said before this block; "
                       "whether it still holds here the note does not say", uses=uses)
    letters = {k for k in envs[0] if not k.startswith("__")}
    # (a case on the picked letter, "when z_j ≠ z_k", brings it in too)
    near = letters | {x for c in conditions for x in condition_letters(c)}
    picked = [(letter, key, line) for letter in sorted(near) for key, line, at, where in table.picked.get(letter, ())
              if _seen(at, where, order, scope)]
    coded = [(key, line, values) for key in sorted(keys) for line, values, at, where in table.value_sets.get(key, ())
             if _seen(at, where, order, scope)]
    if result.status == "wrong" and coded:
        # ℓ = Σ_i log σ(y_i t_i) "using y_i ∈ {-1, +1}": the values the note gives y are not the ones drawn
        key, line, values = coded[0]
        return Verdict("not checkable", f"{pretty(key)} takes the values {{{', '.join(map(str, values))}}} "
                       f"(line {line}), which this checker does not draw", uses=uses)
    if result.status == "wrong" and picked:
        # f = log Σ exp ẑ_i + z_k after "z_k = max z": k is the entry the note picked, which the
        # sampled index values do not follow
        letter, key, line = picked[0]
        return Verdict("not checkable", f"{letter} is the entry picked at line {line} ({pretty(key)}_{letter} = ...): "
                       f"which entry that is at each point is not read here", uses=uses)
    clash = sorted({k for k, letter in ev.by_letter if letter in letters} & ev.whole_entry)
    if result.status == "wrong" and clash and "__vec__" in envs[0]:
        # ∂J/∂ŷ = -y/ŷ + ... with J(w; x_i, y_i) written with ŷ_i: the lone ŷ, y are entry i (as the
        # author surely meant) or the whole vector taken entry by entry (as read): not said
        letter = sorted(lt for k, lt in ev.by_letter if k == clash[0] and lt in letters)[0]
        return Verdict("not checkable", f"{pretty(clash[0])} is written with the index {letter} "
                       f"({pretty(clash[0])}_{letter}) and also whole in this step: whether the lone one "
                       f"is entry {letter} or the whole vector is not said", uses=uses)
    outside = sorted(letters & {x for side in (left, right) for x in _sum_letter_outside(side)})
    if result.status == "wrong" and outside:
        # (Σ_i y^(i) (1 - φ(z^(i))) - ...) x_j^(i): the sum's letter used again outside it, where it
        # is free; the author may mean the sum to run over that factor too
        return Verdict("not checkable", f"{outside[0]} runs over a sum in this step and is also used outside "
                       f"it, where it is free: whether the sum is meant to run over the factors after it too is "
                       "not said", uses=uses)
    if result.status == "wrong" and (bounds := _sum_bounds_differ(left, right)) is not None:
        # Σ_{k=1}^N e^{z_k} on the left, Σ_k^n e^{z_k} on the right: the author's N and n are surely
        # the one length of z, which the two size names are not drawn as
        return Verdict("not checkable", bounds, uses=uses)
    if result.status == "wrong":
        if any(_literal_number(m) or _number_by_definitions(m, table, order, scope) for m in (left, right)) and any(
                _equation(L, R, leaves, table, natural, rng_seed) for L, R in pairs):
            # "0.5 = sigma(z)", "... = 0": a value that varies set equal to a number is an equation
            # that holds where it is solved, never an identity that could be a slip
            return Verdict("not checkable", f"{SET_EQUAL}: an equation that holds where it is solved, not an identity",
                           uses=uses)
        in_sentence = (order // 100) * 100 in table.in_sentence
        if in_sentence and _holds_for_some_index(pairs):
            # "some $x_k = x_{max}$": at each point some index value makes it hold; a sentence may
            # say there is such a k, which only the words tell
            return Verdict("not checkable", "holds for some values of its index and not others; quoted in a "
                           "sentence, which may say for which (there is such a k) or mean every one", uses=uses)
        said = _said_before(table, order, letters)
        if said is not None and _holds_when_distinct(pairs, leaves, table, natural, rng_seed, envs, letters):
            # "For not $i$ th item, denote by $z$: ∂(e^{x_z}/Σ)/∂x_i = 0 - ...": holds whenever the
            # letters differ, and the words just before say something about the letter
            return Verdict("not checkable", f"holds whenever its index letters differ; the words just before "
                           f"the formula speak of {said}, which may say so", uses=uses)
        idle = _idle_sum(left, right, letters)
        if idle is not None and _said_before(table, order, {idle[1]}):
            # Σ_{j≠i} -Softmax(x_z) Softmax(x_i) after "for not i th item, denote by $z$": the terms are
            # z's and the sum runs over j; that z stands for j the words may say (a slip otherwise)
            return Verdict("not checkable", f"the sum over {idle[0]} never uses {idle[0]}, and its terms use "
                           f"{idle[1]}, a letter the words before speak of: whether {idle[1]} stands for "
                           f"{idle[0]} is not said", uses=uses)
        case = _holds_in_a_case(pairs, leaves, table, natural, rng_seed, envs)
        if case is not None and in_sentence:
            # "... is symmetric because $∂σ_i/∂z_j = -σ_i σ_j$": a case's result quoted in a sentence
            return Verdict("not checkable", f"holds when {case[0]}, the case the note treats at line {case[1]}; "
                           "quoted in a sentence without it (a summary of that case, or a slip if meant for "
                           "every index)", uses=uses)
        hot = _one_hot_at(pairs, leaves, table, envs, target_keys, rng_seed)
        written = {n.base for side in (left, right) for n in walk(side) if isinstance(n, Name)}
        if hot is not None and table.one_hot.get(hot[0], (None,))[0] == hot[1] \
                and (hot[1] not in written or hot[1] not in table.generic_letters) \
                and _confirm_equal(_one_hot_pairs(pairs, leaves, envs, *hot),
                                   {s: lf for s, lf in leaves.items() if lf.key != hot[0]}, table,
                                   natural - {hot[0]}, rng_seed) is None:
            # L = -log ŷ_c after "y_c = 1 for the correct class c": the c of L's definition is that
            # class, and this step does not write c itself, or the note never runs a sum over c
            # (then c is no generic index anywhere); confirmed at 50 digits
            return Verdict("ok", method="numeric", uses=uses + [
                f"{pretty(hot[0])} is one-hot at {hot[1]}, the true class the note names (line "
                f"{table.one_hot[hot[0]][1]})"])
        if ev.opaque:
            # up to here only readings that hold for every value of the opaque names (an ok above,
            # or not checkable); a slip needs what the unread definition says
            return Verdict("not checkable", _opaque_reason(ev), uses=uses)
        kept = sorted(k.split(":", 1)[1] for k in ev.conventions if k.startswith("plain-defined:"))
        if kept and any(side.has(*_NOT_ANALYTIC) for pair in pairs for side in pair):
            # a rule of calculus in a defined letter is WRONG for the letter's own values too only
            # when both sides are analytic (then agreeing on its range would mean agreeing everywhere)
            return Verdict("not checkable", f"the sides differ with {pretty(kept[0])} as a plain variable, but they "
                           "use |.|, max, min or cases, so on the values its definition gives it they may agree",
                           uses=uses)
        if hot is not None and table.speaks_of_true_class:
            # the note speaks of "the correct class": its i here may be that class, or any
            return Verdict("not checkable", f"holds if {pretty(hot[0])} is one-hot with its 1 at {hot[1]}; the note "
                           f"speaks of a true class (line {table.speaks_of_true_class}) but does not say "
                           f"{hot[1]} is it here", uses=uses)
        if hot is not None and table.one_hot.get(hot[0], (None,))[0] == hot[1]:
            # the note says y_i = 1 for its true class i; whether this step's i is that class it
            # does not say, so neither ok nor WRONG
            return Verdict("not checkable", f"holds if {pretty(hot[0])} is one-hot at {hot[1]}, as the note says "
                           f"at line {table.one_hot[hot[0]][1]}; whether {hot[1]} here is that class it does not say",
                           uses=uses)
        away = _one_hot_away(pairs, leaves, table, envs, target_keys, rng_seed)
        if away is not None:
            # "y_j = 1, 其余 y_i = 0", then in the case i ≠ j: a_i = a_i - y_i. With y one-hot at the
            # note's true class j, the step holds where its indices are not j
            key, at, letters = away
            return Verdict("not checkable", f"holds if {pretty(key)} is one-hot at {at}, the true class the note "
                           f"names (line {table.one_hot[key][1]}), and {', '.join(letters)} ≠ {at}; whether this step "
                           f"is in that case the note does not say here", uses=uses)
        one_sided = _one_sided(pairs, leaves, {k for k in keys if table.lookup(k, order, scope) is None})
        if one_sided:
            return Verdict("not checkable", f"{', '.join(pretty(k) for k in one_sided)} {ONE_SIDED} and "
                           "is never defined here: the note may relate it to the other side's names "
                           "(as z = w^T x); define it or pass --define", uses=uses)
        if undefined:
            names = ", ".join(pretty(k) for k in undefined)
            return Verdict("not checkable", f"{names} {'is' if len(undefined) == 1 else 'are'} never defined "
                           f"here, so the sides cannot be compared (they differ if {names} is an arbitrary "
                           f"number): write {pretty(undefined[0])} = ... or pass --define '{pretty(undefined[0])}=...'", uses=uses)
        if dry.two_ranges:
            # dz_i/dw_1 = d/dw_i [...] with i the sample of x_{i1}: i as an index of w is not a sample
            letter, (a, b) = next(iter(sorted(dry.two_ranges.items())))
            return Verdict("not checkable", f"the index {letter} runs over the entries of {pretty(a)} and of "
                           f"{pretty(b)} in this step, which the note gives different ranges: which one is meant "
                           "is not said", uses=uses)
        result.uses = uses
        result.detail += _diagnose(pairs, leaves, table, natural, rng_seed)
        if case is not None:
            result.detail += f"; holds only when {case[0]}, the case of line {case[1]}"
        hot = _one_hot_at(pairs, leaves, table, envs, target_keys, rng_seed)
        if hot is not None and hot[0] in table.simplex and "one" in table.simplex[hot[0]][1].lower() \
                and hot[1] in table.hot_letters:
            # C_x = -ln a_j "where j is the index of the element of y that is hot": the note says
            # y is one-hot and names its class in words, which are not read
            return Verdict("not checkable", f"holds if {pretty(hot[0])} is one-hot with its 1 at {hot[1]}; the note "
                           f"says {pretty(hot[0])} is one-hot (line {table.simplex[hot[0]][0]}) and speaks of {hot[1]} "
                           "as its class in words, which are not read", uses=uses)
        if hot is not None and _said_before(table, order, {hot[1]}):
            # "only the k-th dimension of y is 1, so ... = -log ŷ_k": the words say which class
            return Verdict("not checkable", f"holds if {pretty(hot[0])} is one-hot with its 1 at {hot[1]}; the "
                           f"words just before speak of {hot[1]}, which may say so", uses=uses)
        if hot is not None:
            result.detail += f"; holds if {pretty(hot[0])} is one-hot with its 1 at {hot[1]} (a true class " \
                             "the note does not name)"
        return result
    if result.status != "ok":
        result.uses = uses
        return result
    # 2. does it hold only because the targets sum to 1?  Fine if the note says so.
    needs = sorted(k for k in target_keys if _needs_simplex(pairs, leaves, table, natural, k, rng_seed))
    unstated = [k for k in needs if k not in simplex_keys]
    if unstated:
        return Verdict("not checkable", f"holds if {', '.join(pretty(k) for k in unstated)} sums to 1 over the classes "
                       "(a distribution or one-hot), which the note does not say here: state it "
                       "(e.g. \\sum_k y_k = 1) or pass --define", uses=uses)
    result.uses = uses + [f"{pretty(k)} sums to 1 ({stated[k][1]}" + (f", line {stated[k][0]})" if stated[k][0] else ")")
                          for k in needs]
    result.method = "symbolic" if prove and _symbolic_zero(pairs, leaves, table, set(needs)) else "numeric"
    if result.method == "numeric":
        # agreement to 1e-8 is not equality: a difference in the 12th digit (41679167500 against
        # ...501) must not pass, so a numeric ok is confirmed at 50 digits too
        slip = _confirm_equal(pairs, leaves, table, natural, rng_seed)
        if slip is not None and ev.opaque:
            return Verdict("not checkable", _opaque_reason(ev), uses=uses)
        if slip is not None:
            slip.uses, slip.through = uses, dict(ev.unfolded)
            return slip
    if undefined:
        result.uses.append("holds for any value of " + ", ".join(pretty(k) for k in undefined) + " (never defined here)")
    return result


_BINARY_LEAVES = 4  # labels taken at 0 and 1 together: 2^4 combinations at most
_NOT_ANALYTIC = (sympy.Abs, sympy.Max, sympy.Min, sympy.Piecewise, sympy.sign, sympy.floor, sympy.ceiling,
                 sympy.Heaviside)
_SIMPLIFY_FIRST_OPS = 120  # (operations in a step's differences up to which simplify is tried first)


def _for_any_function(pairs, leaves, table, natural, rng_seed: int, envs, ev: Evaluator, uses: list[str],
                      undefined: list[str]) -> Verdict:
    """ok when the sides agree whatever the unknown functions are: symbolically, or for two random
    smooth choices of them (at random points, confirmed at 50 digits); else not checkable."""
    taken = "; ".join(f"{pretty(k)} as a function of {pretty(key_of(w) or '')}" for k, w in sorted(ev.generic.items()))
    no = Verdict("not checkable", f"{', '.join(pretty(k) for k in sorted(ev.generic))} has no definition that can "
                 f"be read here: with {taken} (as the step's derivatives of it say), {_DIFFER_FOR_SOME}, so "
                 "whether they agree depends on what it is: define it or pass --define", uses=uses)
    if not all(side.atoms(sympy.core.function.AppliedUndef) for pair in pairs for side in pair):
        # ∂p/∂z = 2z: on one side only, the function is the whole question (the caller says so)
        no = Verdict("not checkable", "", uses=uses)
    if undefined:
        uses = uses + ["holds for any value of " + ", ".join(pretty(k) for k in undefined) + " (never defined here)"]
    def simplified_to_zero() -> bool:
        try:
            return all(sympy.simplify((L - R).doit()) == 0 for L, R in pairs)
        except (TypeError, ValueError, NotImplementedError):
            return False

    # (simplify takes seconds on a loss of three samples: large steps try the concrete functions
    # first, which settle most of them at once)
    small = sum(sympy.count_ops(L - R) for L, R in pairs) <= _SIMPLIFY_FIRST_OPS
    if small and simplified_to_zero():
        return Verdict("ok", method="symbolic", uses=uses)
    clash = _arity_clash(pairs, ev)
    concrete_verdict = None if clash else _for_concrete_functions(pairs, leaves, table, natural, rng_seed, envs,
                                                                  ev, uses, no)
    if concrete_verdict is None and not small and simplified_to_zero():
        return Verdict("ok", method="symbolic", uses=uses)
    if clash:
        return Verdict("not checkable", f"{pretty(clash)} has no definition that can be read here, and the step uses "
                       "it as a function of a different number of values in different places (of the whole vector "
                       "and of one number): define it or pass --define", uses=uses)
    return concrete_verdict or no


def _arity_clash(pairs, ev: Evaluator) -> str | None:
    """An unknown function the step calls with different numbers of values (σ(w) of the whole
    vector beside σ(1 - σ)): no one concrete function stands for both."""
    for key, fn in ev.generic_used.items():
        calls = {call for L, R in pairs for side in (L, R) for call in side.atoms(sympy.core.function.AppliedUndef)
                 if call.func == fn}
        if len({len(c.args) for c in calls}) > 1:
            return key
    return None


def _for_concrete_functions(pairs, leaves, table, natural, rng_seed: int, envs, ev: Evaluator, uses: list[str],
                            no: Verdict) -> Verdict | None:
    """ok if the sides agree for two random smooth choices of the unknown functions, ``no`` if they
    differ for one, None if the choices leave a derivative that cannot be worked out."""
    pairs = [(_as_subs(L), _as_subs(R)) for L, R in pairs]
    rng = np.random.default_rng(rng_seed)
    for _ in range(2):
        concrete = {}
        for key, fn in ev.generic_used.items():
            args = [call for p in pairs for side in p for call in side.atoms(sympy.core.function.AppliedUndef)
                    if call.func == fn]
            n = len(args[0].args) if args else 1
            t = sympy.symbols(f"_t0:{n}", real=True)
            c = [sympy.Rational(int(x), 8) for x in rng.integers(-16, 17, size=3 * n + 2)]
            linear = sum(c[i] * t[i] for i in range(n))
            mix = sum(c[n + i] * t[i] for i in range(n))
            wave = sum(c[2 * n + i] * t[i] for i in range(n))
            # values in (0, 1), so that log u, log(1 - u) and 1/u of it are defined everywhere
            concrete[fn] = sympy.Lambda(t, 1 / (1 + sympy.exp(-(linear + c[-2] * mix ** 2 / 2 + c[-1] * sympy.sin(wave)))))
        def chosen_for(e: sympy.Expr) -> sympy.Expr:
            return e.replace(lambda x: isinstance(x, sympy.core.function.AppliedUndef) and x.func in concrete,
                             lambda x: concrete[x.func](*x.args)).doit()

        chosen = [(chosen_for(L), chosen_for(R)) for L, R in pairs]
        if any(side.atoms(sympy.Subs, sympy.Derivative, sympy.core.function.AppliedUndef)
               for pair in chosen for side in pair):
            return None
        if _compare(chosen, leaves, table, natural, rng_seed, envs).status != "ok" \
                or _confirm_equal(chosen, leaves, table, natural, rng_seed) is not None:
            return no
    return Verdict("ok", method="numeric", uses=uses)


def _integrands(pairs, integrals: dict) -> list[tuple[tuple, int]] | str:
    """Each pair of sides as pairs to compare without integrals: for each integral written (one
    variable over one range) the sum of its integrands on each side, each times the factor it
    stands with, and the rest of each side (see meaning.integrands). When every such pair agrees
    the sides do (∫ is linear: Σ c_i ∫ f_i dx = ∫ Σ c_i f_i dx for c_i free of x). The reason when
    a side is no such sum. Each new pair comes with the number of the pair it is from."""
    out = []
    for k, (L, R) in enumerate(pairs):
        parts = [integrands(side, integrals) for side in (L, R)]
        for part in parts:
            if isinstance(part, str):
                return part
        (left, rest_l), (right, rest_r) = parts
        for fn in sorted(set(left) | set(right), key=str):
            out.append(((left.get(fn, sympy.S.Zero), right.get(fn, sympy.S.Zero)), k))
        out.append(((rest_l, rest_r), k))
    return out


def _as_subs(e: sympy.Expr) -> sympy.Expr:
    """``Derivative(F(G(x)), G(x))`` (SymPy's chain rule) as ``Subs(Derivative(F(t), t), t, G(x))``, so
    that G can be replaced by a concrete function."""
    def rewrite(d: sympy.Derivative) -> sympy.Expr:
        out = d.expr
        points = []
        for v, n in d.variable_count:
            if v.is_Symbol:
                out = sympy.Derivative(out, (v, n))
                continue
            t = sympy.Dummy("t", real=True)
            out = sympy.Derivative(out.xreplace({v: t}), (t, n))
            points.append((t, v))
        for t, v in points:
            out = sympy.Subs(out, t, v)
        return out

    return e.replace(lambda x: isinstance(x, sympy.Derivative) and not all(v.is_Symbol for v in x.variables), rewrite)


def _shapes_agree(ev: Evaluator, left: Node, right: Node, envs: list[dict]) -> list[dict] | Verdict:
    """The entries to compare when a side is a vector or a matrix, or why the sides cannot be.

    A number against a vector is not checkable (an index missing, or a vector meant). A matrix on
    one side (∂a/∂z of two vectors: a Jacobian) and a vector or a number on the other: where the
    matrix is diagonal (the derivative of an elementwise map, ∂θ/∂b = 1) the vector is
    its diagonal, the usual shorthand: only the diagonal entries are compared.  Otherwise the
    two sides are different kinds of thing, and a shape is no slip to report."""
    shapes = {side: ev.shape(node, {}) for side, node in (("left", left), ("right", right))}
    if "S" in shapes.values() and ({"C", "R"} & set(shapes.values())):
        # ∂L/∂w_i = (...) x_i with x_i a row of a matrix: a number against a vector's entries
        return Verdict("not checkable", "one side is a number and the other a vector: they cannot be equal "
                       "entry by entry (is an index missing, or a vector meant where one entry is written?)")
    if (shapes["left"] == "M") == (shapes["right"] == "M"):
        return envs
    matrix = left if shapes["left"] == "M" else right
    if any("__col__" not in env for env in envs):
        # the instances were found without a column (a reading the dry run did not see): no
        # entry of the matrix is asked for, so nothing is compared
        return Verdict("not checkable", "one side is a matrix here and the other not, in a reading whose entries "
                       "are not known")
    off = [env for env in envs if env["__vec__"] != env["__col__"]]
    if any(ev.value(matrix, env) != 0 for env in off):
        other = shapes["right" if matrix is left else "left"]
        return Verdict("not checkable", "one side is a matrix (a Jacobian: ∂a/∂z of two vectors) with entries off "
                       f"its diagonal, the other {'a number' if other == 'S' else 'a vector'}: the two cannot be equal "
                       "entry by entry, and which product or layout the note means is not said")
    ev.conventions["diagonal"] = ("a Jacobian that is diagonal (an elementwise map) is written as the vector of its "
                                  "diagonal")
    return [env for env in envs if env["__vec__"] == env["__col__"]]


def _holds_in_a_case(pairs, leaves, table: SymbolTable, natural, rng_seed: int, envs) -> tuple[str, int] | None:
    """(case, line) when the step fails only outside a case the note states elsewhere for the same
    index letters (∂σ_i/∂z_j = -σ_i σ_j restated after "Case 2: i ≠ j")."""
    probe = Evaluator(table, 0, ())
    for cond, line in table.cases:
        letters = condition_letters(cond)
        if len(letters) != 2 or not all(letters <= set(env) for env in envs):
            continue
        inside = [k for k, env in enumerate(envs) if probe.condition(cond, env) == 1]
        if inside and len(inside) < len(envs) and \
                _compare([pairs[k] for k in inside], leaves, table, natural, rng_seed).status == "ok":
            return cond_text(cond), line
    return None


def _seen(at: int, where: tuple[int, ...], order: int, scope: tuple[int, ...]) -> bool:
    """Whether what was said at ``at`` in section ``where`` holds at ``order`` in ``scope``: from
    there to the end of its section's parent, as a definition (see SymbolTable.lookup)."""
    return at <= order and scope[:max(0, len(where) - 1)] == where[:-1]


def _given_values(conditions, ev: Evaluator) -> dict:
    """Leaves set to a number by a case on a value (``y = 1``): the step's symbols for that name."""
    out = {}
    for key, value in filter(None, map(value_case, conditions)):
        # (every entry met, as the evaluator's cases read them: see Evaluator.condition)
        out.update({x: sympy.Integer(value) for x, lf in ev.leaves.items() if lf.key == key and lf.sample is None})
    return out


def _sum_letter_outside(node: Node) -> set[str]:
    """Letters a sum runs over that a factor beside the sum, in one product, uses free:
    ``(Σ_i a_i - Σ_i b_i) x^(i)``."""
    out = set()
    for m in walk(node):
        if not isinstance(m, Mul):
            continue
        for k, factor in enumerate(m.factors):
            summed = {bound_letter(n) for n in walk(factor) if isinstance(n, BigOp) and n.kind == "sum"} - {None}
            if not summed:
                continue
            for other in m.factors[:k] + m.factors[k + 1:]:
                inner = {bound_letter(n) for n in walk(other) if isinstance(n, BigOp)}
                out |= {n.base for n in walk(other) if isinstance(n, Name)} & summed - inner
    return out


def _idle_sum(left: Node, right: Node, free: set[str]) -> tuple[str, str] | None:
    """(j, z) for a sum over j whose terms never use j but use z, an index letter free in the step and
    written nowhere else in it."""
    idle = []  # (sum, its letter, the free letters its terms use)
    for n in (m for side in (left, right) for m in walk(side) if isinstance(m, BigOp)):
        sub = n.sub.left if isinstance(n.sub, Cond) else n.sub
        used = {x.base for m in walk(n.body) if isinstance(m, Script) for x in m.sub
                if isinstance(x, Name) and len(x.base) == 1}
        if isinstance(sub, Name) and len(sub.base) == 1 and sub.base not in used and used & free:
            idle.append((n, sub.base, sorted(used & free)))
    if not idle:
        return None
    # (the letter written only in such sums' terms, if there is one: the others are the step's own)
    inside = {id(m) for n, _, _ in idle for m in walk(n)}
    outside = {x.base for side in (left, right) for m in walk(side) if id(m) not in inside
               and isinstance(m, Script) for x in m.sub if isinstance(x, Name)}
    _, letter, candidates = idle[0]
    inside_only = [x for x in candidates if x not in outside]
    # (terms whose free letters all stand elsewhere in the step too are a sum over nothing: a slip)
    return (letter, inside_only[0]) if inside_only else None


def _said_before(table: SymbolTable, order: int, letters: set[str]) -> str | None:
    """The letters of the step written alone in the prose of the few items before its block ("i and z")."""
    block = order - order % 100
    said = [x for x in sorted(letters) if any(block - 400 <= at < block for at in table.letters_in_words.get(x, ()))]
    return " and ".join(said) or None


def _holds_when_distinct(pairs, leaves, table: SymbolTable, natural, rng_seed: int, envs, letters: set[str]) -> bool:
    """The step fails only where two of its index letters take one value."""
    if len(letters) < 2:
        return False
    apart = [k for k, env in enumerate(envs) if len({env[x] for x in letters}) == len(letters)]
    return 0 < len(apart) < len(envs) and \
        _compare([pairs[k] for k in apart], leaves, table, natural, rng_seed).status == "ok"


def _holds_for_some_index(pairs) -> bool:
    """At each of three random points, some index value makes the sides agree and another does not."""
    if len(pairs) < 2:
        return False
    syms = sorted({s for pair in pairs for side in pair for s in side.free_symbols}, key=lambda x: x.name)
    rng = random.Random(SEED)
    for _ in range(3):
        point = {x: sympy.Float(rng.uniform(-2, 2), 30) for x in syms}
        agree = []
        for L, R in pairs:
            try:
                a, b = complex(sympy.N(L.xreplace(point), 30)), complex(sympy.N(R.xreplace(point), 30))
            except (TypeError, ValueError):
                return False
            agree.append(abs(a - b) <= 1e-12 * (1 + abs(a) + abs(b)))
        if all(agree) or not any(agree):
            return False
    return True


def _accent_dropped(through: dict[str, int], table: SymbolTable) -> str | None:
    """"output $y_i = \\sigma(z)$" in a note whose loss reads L(y_i, \\hat y_i) and never defines \\hat y:
    the definition the slip goes through may have lost its accent (the prediction, whose log the
    note takes, written as the target's letter). Why a WRONG through it is not one, or None."""
    written = table.called | table.plain | table.indexed
    for key, line in sorted(through.items()):
        if " " in key:
            continue
        for accent in ("hat", "tilde", "bar"):
            twin = f"{accent} {key}"
            if twin in written and twin in table.logged and not any(d.key == twin for d in table.definitions):
                return (f"the sides differ with {pretty(key)} as defined at line {line}, but the note also writes "
                        f"{pretty(twin)} and never defines it: that definition may have meant {pretty(twin)} "
                        "(its accent dropped)")
    return None


def _opaque_reason(ev: Evaluator) -> str:
    key, (line, why) = next(iter(sorted(ev.opaque.items())))
    return (f"the sides differ when {pretty(key)} is taken as any value, but {pretty(key)} is defined at line "
            f"{line} and that definition is not read ({why}): the values it can take may be the ones where "
            "they agree")


def _put_in_values(pairs, ev: Evaluator) -> tuple[list, float]:
    """The pairs with the values the note gives (z = (2.0, 1.0, 0.1)) put in, and how far apart the
    sides may be if those values are roundings (2.0 and 0.1 may be exact inputs, 0.659 surely is a
    rounding): to first order, the sum over each value of half a unit of its last decimal times
    how much the difference moves with it."""
    values = {s: v for s, (v, _) in ev.valued.items()}
    slack = 0.0
    for L, R in pairs:
        moved, bound = L - R, 0.0
        for s, (_, half) in ev.valued.items():
            if half and moved.has(s):
                try:
                    bound += abs(complex(sympy.N(moved.diff(s).xreplace(values), 30))) * float(half)
                except (TypeError, ValueError):
                    bound = float("inf")
        slack = max(slack, bound)
    return [(at_point(L, values), at_point(R, values)) for L, R in pairs], slack


def _rounded(left: Node, right: Node, pairs, uses: list[str], given: float = 0.0,
             number_of: Callable[[Node], complex | None] | None = None) -> Verdict | None:
    """``-\\log(0.245) = 1.406``: a number written with d decimals is that value rounded to them.
    Equal within half a unit of the last decimal is ok; further off is judged as any step.  ``given``
    is how far the values the note gave its vectors (z = (2.0, 1.0, 0.1)) may move the sides if
    they are roundings (see _put_in_values)."""
    # (each entry of a list of numbers, and each number an entry adds: (0.659 - 1, 0.242 - 0))
    tops = [t for side in (left, right) for x in (side.items if number_list(side) else (side,))
            for t in (x.terms if isinstance(x, Add) and number_list(side) else (x,))]
    decimals = [_places(n) for n in tops for n in ([n.arg] if isinstance(n, Neg) else [n])
                if isinstance(n, Num) and "." in n.value]
    if not all(side.is_number for pair in pairs for side in pair):
        return None  # (names, or a derivative of a function never defined taken at numbers)
    pairs = list(dict.fromkeys(pairs))  # (numbers only: the pairs for each index value are one pair)
    worst = max((abs(complex(sympy.N(L - R, 30))) for L, R in pairs), default=0.0)
    size = max((abs(complex(sympy.N(x, 30))) for pair in pairs for x in pair), default=0.0)
    if worst <= 1e-25 * max(1.0, size):
        # equal as written: no rounding to speak of (relative to the sides' size: σ(-20) = 2.06115362
        # × 10^{-9} differs by 2e-18 and is a rounding, not an equality)
        return None
    printed = max((_significant(n) for side in (left, right) for n in _decimal_nums(side)), default=0)
    if printed >= _DOUBLE_DIGITS and worst <= 4 * _DOUBLE_EPS * size:
        # L(1, .82) = 0.19845093872383832: 17 digits, as a program prints a double; its last
        # ones are the binary rounding's, not the author's
        return Verdict("ok", method="numeric", uses=uses + [f"a number written with {printed} significant digits is "
                                                            "a double as a program prints it: equal within its precision"])
    half = 0.5 * 10.0 ** -min(decimals) if decimals else 0.0
    if decimals:
        if worst <= half * (1 + 1e-9):
            return Verdict("ok", method="numeric", uses=uses + [f"a number written with {min(decimals)} decimals is "
                                                                "the value rounded to them"])
        if len(pairs) == 1 and worst < 2 * half and _truncated(left, right, pairs[0]):
            # 0.7213 for 0.72140: right if the author cut the digits, wrong if they rounded; which
            # one they did the note does not say (labellers hold authors to rounding)
            return Verdict("not checkable", f"the number written with {min(decimals)} decimals is the value cut "
                           "after them, not rounded: whether the note cuts or rounds is not said", uses=uses)
    if len(pairs) > 1:
        return _rounded_by_entry(left, right, pairs, uses, given)
    signed = _rounding_slack(left, right) or _atom_moves(left, right, pairs[0])
    moves = [(p, abs(m)) for p, m in signed]
    literal, count = sum(m for _, m in moves), len(moves)
    # (2.0 + 0.417031: the 2.0 is data, not a rounding to one decimal)
    longest = max((_places(n) for side in (left, right) for n in _decimal_nums(side)), default=0)
    terms = _rounded_terms(left, longest) + _rounded_terms(right, longest)
    apart = _term_apart(left, right, number_of) if len(pairs) == 1 else None
    if apart is not None and worst <= max(terms, literal, sum(m for _, m in moves)) * (1 + 1e-9):
        # (the ok's below would take the roundings together, where one term is not its partner's)
        return Verdict("not checkable", apart, uses=uses)
    if len(pairs) == 1 and terms and worst <= terms * (1 + 1e-9):
        # e^{2.0} + e^{1.0} + e^{0.1} = 7.3891 + 2.7183 + 1.1052 = 11.2126: numbers added as they are
        # written, each a value rounded to its last digit: their roundings add up
        return Verdict("ok", method="numeric", uses=uses + ["numbers written with decimals are values rounded "
                                                            "to them (their roundings add up)"])
    if count == 1 and worst <= literal * (1 + 1e-9):
        # -\log(0.659) = -\log p_1 with p_1 = 0.65900...: the one decimal written, inside, is the
        # value rounded to it
        return Verdict("ok", method="numeric", uses=uses + ["the number written with decimals is the value rounded "
                                                            "to them"])
    # (some shorter ones are left exact: with every number a rounding, a slip cannot be told from
    # the roundings adding up, below; and only where a function's value was worked out: in plain
    # arithmetic, (7.0 × -0.125) + ... + 0.101 = -2.270, the numbers are the data)
    shortest = min((p for p, _ in moves), default=0)
    worked = sorted({p for p, _ in moves if p >= 3 and p > shortest}, reverse=True) \
        if not (_arithmetic(left) and _arithmetic(right)) else []
    for places in worked:
        # H = -[0.7 (-0.736966) + 0.3 (-1.321928)] after H = -[0.7 log_2 0.6 + 0.3 log_2 0.4]: the
        # values worked out to 6 decimals (then also to 4, as 1.1667 for 7/6) are roundings, the
        # data (0.7, 0.3) exact; taking the data as roundings too could only widen the slack
        if worst <= sum(m for p, m in moves if p >= places) * (1 + 1e-9):
            return Verdict("ok", method="numeric", uses=uses + [f"numbers written with {places} or more decimals are "
                                                                "values rounded to them (the shorter ones exact)"])
    # (twice the first-order bound for the values the note gave: the curvature is not counted; and
    # a full unit for values worked out to 3 decimals or more, which may be cut rather than rounded:
    # 1.182683 for 1 + e^{-1.7}; 1.5 in \frac12 (-1.5)^2 is data)
    bound = max(half, literal + sum(m for p, m in moves if p >= _CUT_PLACES)) + 2 * given
    if bound and worst <= bound * (1 + 1e-9) and _roundings_reach(pairs[0], signed, given):
        # (0.0936 × -0.479) + (0.9292 × 0.332) + (-0.318) = -0.0541: more than half a unit of the
        # result apart, but the roundings of the numbers written could add up to it: whether the
        # author slipped or computed with the unrounded numbers is not said
        return Verdict("not checkable", f"the sides differ by {worst:.3g}, more than the rounding of the result "
                       f"explains but within what the numbers {'the note gives' if given else 'written'}, "
                       f"rounded or cut, could add up to ({bound:.3g}): a slip "
                       "cannot be told from the roundings", uses=uses)
    return None  # judged as any other step: a slip beyond the rounding


def _roundings_reach(pair, signed: list[tuple[int, float]], given: float) -> bool:
    """Whether the roundings (or cuts) of the numbers written can take left - right to 0, each in
    its own direction. Each decimal's true value is the written one moved by t half units of its
    last digit, t in [-1, 1] if rounded, or [0, 2) if its digits were cut (a number written is
    never negative: a minus sign is outside it, so a cut one only grows), the latter only for
    numbers with _CUT_PLACES decimals or more, which may be worked-out values. ``signed`` holds
    how far left - right moves with half a unit of each (to first order; a tenth of the range
    more either way for the curvature). σ(0.8953) = 0.7101: 0.8953 rounded or cut moves σ by -1e-5
    to 2e-5, and 0.7101 can stand for at most 0.71015: never for 0.70998."""
    if not signed:
        return True
    gap = -complex(sympy.N(pair[0] - pair[1], 30)).real
    low = sum(min(-m, 2 * m) if p >= _CUT_PLACES else -abs(m) for p, m in signed)
    high = sum(max(-m, 2 * m) if p >= _CUT_PLACES else abs(m) for p, m in signed)
    margin = 0.1 * (high - low) + 2 * given
    return low - margin <= gap <= high + margin


def _rounded_by_entry(left: Node, right: Node, pairs, uses: list[str], given: float) -> Verdict | None:
    """``(y - \\sigma(w^T x)) x = 0.88 [-3; 1]``: _rounded for a step checked entry by entry. Each
    decimal of a member written with numbers only is moved by half a unit of its last digit in
    every entry (the member evaluated at that entry); one such decimal that explains every
    entry's difference is ok, several are not checkable, as for one number."""
    worst = [abs(complex(sympy.N(L - R, 30))) for L, R in pairs]
    # (the entries are the pairs, in order)
    moves = _literal_moves(left, right, [{"__vec__": c} for c in range(1, len(pairs) + 1)], len(pairs))
    if not moves:
        return None
    slack = [sum(abs(m[c]) for _, m in moves) for c in range(len(pairs))]
    cut = [sum(abs(m[c]) for p, m in moves if p >= _CUT_PLACES) for c in range(len(pairs))]
    if not all(w <= (b + k + 2 * given) * (1 + 1e-9) for w, b, k in zip(worst, slack, cut)):
        return None  # judged as any other step: a slip beyond the rounding (or cut) numbers
    if len(moves) == 1 and not given and all(w <= b * (1 + 1e-9) for w, b in zip(worst, slack)):
        return Verdict("ok", method="numeric", uses=uses + ["the number written with decimals is the value rounded "
                                                            "to them (in every entry)"])
    return Verdict("not checkable", f"the entries differ by up to {max(worst):.3g}, within what the numbers "
                   "written, rounded or cut, could add up to: a slip cannot be told from the roundings", uses=uses)


def _arithmetic(side: Node) -> bool:
    """A member of numbers joined by + - × / and brackets only (no function, no name)."""
    return all(isinstance(n, (Num, Add, Neg, Paren, Mul, Frac)) for n in walk(side))


def _rounded_terms(side: Node, places: int = 0) -> float:
    """Half a unit of the last decimal of each number ``side`` adds as written (7.3891 + 2.7183 -
    1.1052, or one number), summed over those with ``places`` decimals or more; 0 when it does
    anything else with them. A sum negated as a whole (``-[(-0.515876) + (-0.396578)]``) adds
    them too."""
    whole = _through_signs(side, ("(", "[", "{"))
    terms = whole.terms if isinstance(whole, Add) else (side,)
    total = 0.0
    for t in terms:
        n = _bare_number(t)
        if n is None:
            return 0.0
        if "." in n.value and _places(n) >= places:
            total += 0.5 * 10.0 ** -_places(n)
    return total


def _term_apart(left: Node, right: Node, number_of: Callable[[Node], complex | None] | None) -> str | None:
    """``0.07 log_2 0.28 + 0.03 log_2 0.12 = -0.128 - 0.0917``: a sum of as many numbers as the
    other side has terms, term by term. Why a term is not its partner rounded (the sums agree
    within the roundings, but the author cut -0.12856 to -0.128), or None when each is."""
    if number_of is None:
        return None
    for other, written in ((left, right), (right, left)):
        if not (isinstance(other, Add) and isinstance(written, Add) and len(other.terms) == len(written.terms)) \
                or not _rounded_terms(written):
            continue
        for k, (t, w) in enumerate(zip(other.terms, written.terms)):
            value, shown, inner = number_of(t), number_of(w), _bare_number(w)
            if value is None or shown is None or inner is None:
                return None
            if max((_places(n) for n in walk(t) if isinstance(n, Num)), default=0) >= _places(inner):
                continue  # (0.7 × 0.222392 = 0.155675: the term's own numbers are worked values, rounded too)
            half = 0.5 * 10.0 ** -_places(inner)
            if abs(value - shown) > half * (1 + 1e-9):
                cut = abs(value) * 10 ** _places(inner)
                how = "cut after its digits, not rounded" if abs(int(cut) / 10 ** _places(inner) - abs(shown)) \
                    < 10.0 ** -(_places(inner) + 6) else "further off than its rounding"
                return (f"the sums agree within the roundings of the numbers written, but term {k + 1} "
                        f"({inner.value}) is {value.real:.6g} {how}: whether the note cuts, rounds or "
                        "slipped is not said")
        return None
    return None


def _bare_number(term: Node) -> Num | None:
    """The number a term writes, through its sign and brackets (``-0.128``, ``(-0.124511)``,
    ``-(0.5)``), or None when the term is anything else."""
    term = _through_signs(term, ("(",))  # 0.155675 + (-0.124511)
    return term if isinstance(term, Num) else None


def _through_signs(node: Node, brackets: tuple[str, ...]) -> Node:
    """``node`` without the minus signs and the one-item brackets of these kinds around it."""
    while isinstance(node, Neg) or isinstance(node, Paren) and node.kind in brackets and len(node.items) == 1:
        node = node.arg if isinstance(node, Neg) else node.items[0]
    return node


def _places(n: Num) -> int:
    """How many decimals a number is written with (0.659 -> 3)."""
    return len(n.value.split(".")[1]) if "." in n.value else 0


_DOUBLE_DIGITS = 16  # significant digits from which a number reads as a printed double
_DOUBLE_EPS = 2.0 ** -52


def _significant(n: Num) -> int:
    """How many significant digits a number is written with (0.0301 -> 3)."""
    return len(n.value.replace(".", "").lstrip("0"))


def _decimal_nums(node: Node) -> list[Num]:
    return [n for n in walk(node) if isinstance(n, Num) and "." in n.value]


def _rounding_slack(left: Node, right: Node) -> list[tuple[int, float]]:
    """How far two members written with rounded decimals may be apart, one decimal at a time:
    for each, how many decimals it has and how much its member moves with half a unit of its
    last digit (signed: its effect on left - right). Empty when a member with decimals cannot be
    evaluated so."""
    return [(places, moved[0]) for places, moved in _literal_moves(left, right, [{}])]


def _atom_moves(left: Node, right: Node, pair) -> list[tuple[int, float]]:
    """_rounding_slack for members that also hold names the note gave values (``c + \\ln(1.517448)``
    with c = 2.0): each decimal that is still one number of the side's value (not added into
    another) is moved there by half a unit of its last digit (signed, as _rounding_slack). Empty
    when any decimal is not."""
    moves: list[tuple[int, float]] = []
    for sign, side, value in zip((1, -1), (left, right), pair):
        for n in _decimal_nums(side):
            places = _places(n)
            r = sympy.Rational(n.value)
            if r.is_integer or sum(1 for x in sympy.preorder_traversal(value) if x == r) != 1:
                return []  # (merged with other numbers, or written twice: which one moves is unknown)
            half = sympy.Rational(1, 2 * 10 ** places)
            moves.append((places, sign * complex(sympy.N(value.xreplace({r: r + half}) - value, 30)).real))
    return moves


def _literal_moves(left: Node, right: Node, envs: list[dict], size: int | None = None) -> list[tuple[int, list[float]]]:
    """For each decimal of a member written with numbers only: how many decimals it has, and how
    much left - right moves (signed), at each of ``envs`` (one entry of a vector each, or the one
    value), when the decimal moves by half a unit of its last digit (``size``: the length of a
    vector written out, when ``envs`` are its entries). Empty when one cannot be evaluated."""
    moves: list[tuple[int, list[float]]] = []
    ev = Evaluator(SymbolTable() if size is None else SymbolTable(class_size=size), 0, ())
    for sign, side in ((1, left), (-1, right)):
        nums = _decimal_nums(side)
        if not nums or not _literal_number(side):
            continue
        try:
            base = [ev.value(side, env) for env in envs]
            for n in nums:
                places = _places(n)
                half = sympy.Rational(1, 2 * 10 ** places)
                moved = _replace_num(side, n, Num(str(sympy.Rational(n.value) + half)))
                moves.append((places, [sign * complex(sympy.N(ev.value(moved, env) - b, 30)).real
                                       for env, b in zip(envs, base)]))
        except (NotCheckable, TypeError, ValueError, RecursionError):
            return []
    return moves


def _replace_num(node, old: Num, new: Num):
    """``node`` with the one literal ``old`` (by identity) replaced, walking fields as meaning's ``transform`` does."""
    if node is old:
        return new
    if isinstance(node, tuple):
        return tuple(_replace_num(v, old, new) for v in node)
    if not isinstance(node, Node):
        return node
    return dataclasses.replace(node, **{f.name: _replace_num(getattr(node, f.name), old, new)
                                        for f in dataclasses.fields(node)})


def _truncated(left: Node, right: Node, pair) -> bool:
    """``... = 0.32`` for 0.3251: the written number is the value with its further digits cut off."""
    for written, other in ((left, pair[1]), (right, pair[0])):
        n = written.arg if isinstance(written, Neg) else written
        if isinstance(n, Num) and "." in n.value:
            d = _places(n)
            value = float(sympy.N(other, 30)) * (-1 if isinstance(written, Neg) else 1)
            cut = int(abs(value) * 10 ** d) / 10 ** d
            return abs(cut - float(n.value)) < 10.0 ** -(d + 6)
    return False


_UNITS = ("bits", "bit", "nats", "nat")  # 1.75 bits: information's units after a number


def _literal_number(node: Node) -> bool:
    """A member written with numbers only (0, 0.5, -1, 1/2, 0.659 - 1, (0, -1, -1.9),
    -[0.7 \\log_2 0.6 + 0.3 \\log_2 0.4], e^{2.0}, 3 σ(2)(1 - σ(2)): the sigmoid at a number)."""
    at_numbers = {id(n.func) for n in walk(node) if isinstance(n, Call) and isinstance(n.func, Name)
                  and n.func.key == "\\sigma" and n.args and all(_literal_number(a) for a in n.args)}
    return any(isinstance(n, Num) for n in walk(node)) and all(
        n.base in ("e", "\\pi") + _UNITS or id(n) in at_numbers for n in walk(node) if isinstance(n, Name)) \
        and not any(isinstance(n, (Deriv, BigOp)) for n in walk(node))


def _sum_bounds_differ(left: Node, right: Node) -> str | None:
    """Sums over the entries of one vector that run to two different size names in one step
    (``\\sum_{k=1}^N e^{z_k}`` and ``\\sum_k^n e^{z_k}``): the reason a difference would not count."""
    bounds: dict[str, set[str]] = {}
    for n in (m for side in (left, right) for m in walk(side)):
        letter = sum_letter(n)
        if letter is None or not isinstance(n.sup, Name):
            continue
        for m in walk(n.body):
            if isinstance(m, Script) and any(isinstance(x, Name) and x.base == letter for x in m.sub) and key_of(m):
                bounds.setdefault(key_of(m), set()).add(n.sup.key)
    for key, names in sorted(bounds.items()):
        if len(names) > 1:
            shown = " and ".join(sorted(names))
            return (f"sums over the entries of {pretty(key)} run to {shown}: the sides differ when these sizes "
                    f"differ, and whether they are one length the note does not say")
    return None


def _number_by_definitions(node: Node, table: SymbolTable, order: int, scope) -> bool:
    """A member of numbers and names the note defines (``e^1/\\text{Sum}`` after ``Sum = e^1 + e^2 +
    e^3``), with no derivative, sum or prime: whether it is a number is then for its value to say
    (``_equation``). A derivative that comes out a number (∂z/∂b = 1) stays a claim of calculus."""
    names = [n for n in walk(node) if isinstance(n, Name)]
    return bool(names) and not any(isinstance(n, (Deriv, BigOp)) or getattr(n, "primes", 0) for n in walk(node)) \
        and all(n.base in ("e", "\\pi") + _UNITS or table.lookup(n.key, order, scope) is not None for n in names) \
        and any(table.lookup(n.key, order, scope) is not None for n in names)


def calculus_variables(table: SymbolTable, order: int, scope, left: Node, right: Node) -> frozenset[str]:
    """``\\frac{\\partial e^x}{\\partial x} = e^x`` in a note that writes x_{ij} elsewhere: a rule of
    calculus in the one letter it differentiates by, which is then a plain variable, whatever the
    letter stands for elsewhere.  The step may hold no other name (but functions it calls, e, π),
    and the letter no index, and no definition; or a definition, never an index anywhere, and
    the step a derivative by it (``\\frac{d\\sigma(z)}{dz}`` after ``z = w x + b``)."""
    nodes = [n for side in (left, right) for n in walk(side)]
    wrt = {key_of(w) for n in nodes if isinstance(n, Deriv) for w in n.wrt if isinstance(w, Name)}
    if not wrt:
        # e^{-x} / (1 + e^{-x})^2 = σ(x) - σ(x)^2, going on from dσ(x)/dx: an identity in one letter
        # and functions applied to it (no transpose, which would make a matrix product) reads the
        # same for a number as for each entry of a matrix
        if any(isinstance(n, Pow) and transposed_exp(n) for n in nodes):
            return frozenset()
        wrt = {n.key for n in nodes if isinstance(n, Name) and (table.arity_at(n.key, scope) or 0) >= 2}
    defined = {v for v in wrt if v and table.lookup(v, order, scope) is not None and not table.arity_at(v, scope)
               and any(isinstance(n, Deriv) for n in nodes)}
    wrt = {v for v in wrt if v and (table.arity_at(v, scope) or 0) >= 2 and table.lookup(v, order, scope) is None} or defined
    if len(wrt) != 1:
        return frozenset()
    called = {key_of(n.func) for n in nodes if isinstance(n, Call)}
    if wrt == defined and {n.key for n in nodes if isinstance(n, Name)} - wrt - called - {"e", "\\pi"}:
        return frozenset()  # (a defined letter: no other name at all, not even an indexed one)
    for n in nodes:
        if isinstance(n, Script) and isinstance(n.base, Name) and n.base.key in wrt and n.sub:
            return frozenset()
        if isinstance(n, Name) and n.key not in wrt | called | {"e", "\\pi"}:
            if not any(isinstance(c, Script) and c.base is n for c in nodes):
                return frozenset()
    return frozenset(wrt)


def _step_calls(left: Node, right: Node) -> dict[str, set]:
    """Each name the step calls with one argument, and the arguments (f' alone beside f(x))."""
    calls: dict[str, set] = {}
    for n in (n for side in (left, right) for n in walk(side)):
        if isinstance(n, Call) and isinstance(n.func, Name) and len(n.args) == 1:
            calls.setdefault(n.func.key, set()).add(n.args[0])
    return calls


def _names_outside(node: Node, function: str) -> set[str]:
    """The names written in ``node`` outside the calls of ``function`` (P, Q in H(P) + D(P||Q) = H(P, Q))."""
    if isinstance(node, Call) and key_of(node.func) == function:
        return set()
    own = {k for k in [key_of(node)] if k} if isinstance(node, (Name, Script)) else set()
    if isinstance(node, (Name, Num)):
        return own
    children = [c for v in vars(node).values() for c in (v if isinstance(v, tuple) else (v,)) if isinstance(c, Node)]
    return own.union(*(_names_outside(c, function) for c in children))


def _derivative_by_bound_letter(node: Node) -> str | None:
    """The index letter of a derivative's variable that a sum inside the differentiated expression
    also binds (∂ Σ_j e^{x_j} / ∂x_j), or None."""
    for d in walk(node):
        if not isinstance(d, Deriv) or d.f is None:
            continue
        letters = {s.base for w in d.wrt if isinstance(w, Script) for s in w.sub if isinstance(s, Name)}
        for b in walk(d.f):
            if isinstance(b, BigOp):
                bound = b.sub.left if isinstance(b.sub, Cond) else b.sub
                if isinstance(bound, Name) and bound.base in letters:
                    return bound.base
    return None


def _equation(L, R, leaves, table, simplex, rng_seed: int) -> bool:
    """One side a number, the other taking different values at the sample points."""
    for const, other in ((L, R), (R, L)):
        if not const.free_symbols and other.free_symbols:  # (a number, or log(0.6)/log(2))
            syms = sorted((s for s in other.free_symbols if s in leaves), key=lambda s: s.name)
            point = _sample({s: leaves[s] for s in syms}, table, simplex, rng_seed, False)
            values = _numeric(other, syms, point)
            finite = values[np.isfinite(values)]
            if finite.size >= 2 and np.ptp(finite.real) > 1e-9 * (1 + np.abs(finite).max()):
                return True
    return False


def _one_sided(pairs, leaves, by_convention) -> list[str]:
    """Model quantities taken as free inputs without a definition (z, x, w, b, ...) that occur on
    one side of the step, with others only on the other side: a relation between them (z = w^T x)
    may be tacit."""
    out: set[str] = set()
    for L, R in pairs:
        lk = {leaves[s].key for s in L.free_symbols if s in leaves}
        rk = {leaves[s].key for s in R.free_symbols if s in leaves}
        only_left = {k for k in lk - rk if k in by_convention and k not in CONVENTIONAL_TARGETS}
        only_right = {k for k in rk - lk if k in by_convention and k not in CONVENTIONAL_TARGETS}
        if only_left and only_right:  # z on one side, w and x on the other
            out |= only_left | only_right
    return sorted(out)


def _one_hot_at(pairs, leaves, table, envs, target_keys, rng_seed: int) -> tuple[str, str] | None:
    """(target, letter) when the step holds once the target is one-hot at that free index letter:
    the tacit "let i be the true class" of many notes."""
    letters = sorted({x for env in envs for x in env if len(x) == 1})
    for key in target_keys:
        if not any(lf.key == key and lf.index for lf in leaves.values()) or \
                any(lf.key == key and not lf.index for lf in leaves.values()):
            continue
        for letter in letters:
            fixed = _one_hot_pairs(pairs, leaves, envs, key, letter)
            rest = {s: lf for s, lf in leaves.items() if lf.key != key}
            if _compare(fixed, rest, table, set(target_keys) - {key}, rng_seed).status == "ok":
                return key, letter
    return None


def _one_hot_away(pairs, leaves, table, envs, target_keys, rng_seed: int) -> tuple[str, str, list[str]] | None:
    """(target, its class letter, the step's letters) when the step holds once the target is
    one-hot at the true class the note names (table.one_hot), taken as none of the step's own
    index values (a letter the step does not write: y_j = 1 and the step's y_i with i ≠ j)."""
    letters = sorted({x for env in envs for x in env if len(x) == 1})
    for key in target_keys:
        at = table.one_hot.get(key, (None,))[0]
        if at is None or at in letters or not letters \
                or not any(lf.key == key and lf.index for lf in leaves.values()):
            continue
        if not any(c.op != "=" and condition_letters(c) & set(letters) and at in condition_letters(c)
                   for c, _ in table.cases):
            continue  # (the note treats no case "i ≠ j": its step is for every index, j = i too)
        size = table.size(table.dims.get(key, "K"))
        fixed = []
        for (L, R), env in zip(pairs, envs):
            taken = {v for x, v in env.items() if x in letters}
            free = [c for c in range(1, size + 1) if c not in taken]
            if not free:
                break
            sub = _one_hot_sub(leaves, key, free[0])
            fixed.append((L.xreplace(sub), R.xreplace(sub)))
        else:
            rest = {s: lf for s, lf in leaves.items() if lf.key != key}
            if fixed and _compare(fixed, rest, table, set(target_keys) - {key}, rng_seed).status == "ok":
                return key, at, letters
    return None


def _one_hot_pairs(pairs, leaves, envs, key: str, letter: str) -> list:
    """The step's pairs with the target ``key`` one-hot at the index ``letter``."""
    fixed = []
    for (L, R), env in zip(pairs, envs):
        sub = _one_hot_sub(leaves, key, env[letter])
        fixed.append((L.xreplace(sub), R.xreplace(sub)))
    return fixed


def _one_hot_sub(leaves, key: str, hot: int) -> dict:
    """Every entry of the target ``key`` put to 1 at index ``hot`` and 0 elsewhere."""
    return {s: sympy.Integer(int(lf.index[-1] == hot)) for s, lf in leaves.items()
            if lf.key == key and lf.index}


def _sample(leaves, table: SymbolTable, simplex: set[str], rng_seed: int, positive: bool):
    """Seeded points: keys in ``simplex`` on the simplex over their last index (in (0, 1) when
    scalar: a binary target), everything else real (positive on the second try)."""
    rng = np.random.default_rng(rng_seed + (7919 if positive else 0))
    point: dict[sympy.Symbol, np.ndarray] = {}
    groups: dict[tuple, list[sympy.Symbol]] = {}
    for s, lf in sorted(leaves.items(), key=lambda kv: kv[0].name):
        if lf.key in simplex and lf.index:
            groups.setdefault((lf.key, lf.sample, lf.index[:-1]), []).append(s)
        elif lf.key in simplex:
            point[s] = draw("unit_interval", (N_POINTS,), rng)
        else:
            point[s] = draw("positive" if positive else "real", (N_POINTS,), rng, scale=1.5)
    for (key, sample, head), syms in sorted(groups.items(), key=lambda kv: str(kv[0])):
        size = table.size(table.dims.get(key, "K"))
        vals = draw("simplex", (N_POINTS, size), rng)
        by_index = {leaves[s].index[-1]: s for s in syms}
        for c, s in by_index.items():
            if 1 <= c <= size:
                point[s] = vals[:, c - 1]
            else:
                point[s] = rng.uniform(0.0, 1.0, N_POINTS)
    return point


@functools.lru_cache(maxsize=4096)
def _compiled(args: tuple[sympy.Symbol, ...], expr: sympy.Expr) -> Callable:
    """``expr`` as a NumPy function of ``args``. Cached: a step's sides are evaluated again at the
    second sample size, on positive points, and in the diagnosis, and printing them as code is a
    third of a note's time. (``docstring_limit=0``: lambdify's docstring prints the expression
    once more, for nobody.)"""
    return sympy.lambdify(args, expr, modules=[_NUMPY_MORE, "numpy"], dummify=False, docstring_limit=0)


def _factorial(x):
    """x! = Γ(x + 1) elementwise, also at complex points (NumPy has no gamma, and lambdify's
    default needs SciPy); nan at its poles."""
    x = np.asarray(x)
    kind = complex if np.iscomplexobj(x) else float

    def one(v):
        try:
            return kind(mpmath.gamma(v + 1))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return kind(math.nan)
    return np.vectorize(one, otypes=[kind])(x)


_NUMPY_MORE = {"factorial": _factorial}


def _numeric(expr: sympy.Expr, syms: list[sympy.Symbol], point) -> np.ndarray:
    if expr.has(sympy.zoo):
        expr = expr.xreplace({sympy.zoo: sympy.nan})  # 1/0 where a value was put in: undefined there
    if not (expr.free_symbols & set(syms)):
        # a number (-\log 10^{-2000} is one NumPy cannot form): computed at 30 digits
        try:
            value = complex(sympy.N(expr, 30))
        except (TypeError, ValueError):
            value = complex("nan")
        return np.full(N_POINTS, value, dtype=complex)
    # leaf names such as y^(1) are no identifiers: one renaming pass (lambdify's dummify walks the
    # expression once per symbol, which dominates on a softmax of a matrix product)
    safe = [sympy.Symbol(f"_leaf{k}", real=True) for k in range(len(syms))]
    expr = expr.xreplace(dict(zip(syms, safe)))
    # (the derivative of max z holds Heaviside steps, which NumPy's printer rewrites into conditions it
    # then simplifies, seconds per step; (1 + sign)/2 is the same step, 1/2 at 0 as SymPy's)
    steps = {h: (1 + sympy.sign(h.args[0])) / 2 for h in expr.atoms(sympy.Heaviside)
             if len(h.args) == 1 or h.args[1] == sympy.S.Half}
    if steps:
        expr = expr.xreplace(steps)
    f = _compiled(tuple(safe), expr)
    with np.errstate(all="ignore"):
        out = f(*[point[s].astype(complex) for s in syms])
    return np.broadcast_to(np.asarray(out, dtype=complex), (N_POINTS,))


def _compare(pairs, leaves, table, simplex: set[str], rng_seed: int, envs: list[dict] | None = None) -> Verdict:
    syms = sorted(leaves, key=lambda s: s.name)
    for positive in (False, True):
        point = _sample(leaves, table, simplex, rng_seed, positive)
        enough = True
        for k, (L, R) in enumerate(pairs):
            lv, rv = _numeric(L, syms, point), _numeric(R, syms, point)
            valid = np.isfinite(lv) & np.isfinite(rv) & (np.abs(lv.imag) < 1e-9 * (1 + np.abs(lv))) \
                & (np.abs(rv.imag) < 1e-9 * (1 + np.abs(rv)))
            if valid.sum() < N_POINTS // 3:
                enough = False
                break
            close = np.abs(lv - rv) <= REL_TOL * (1 + np.maximum(np.abs(lv), np.abs(rv)))
            for p in np.flatnonzero(valid & ~close):
                confirmed = _confirm(L, R, syms, point, int(p), _simplex_groups(leaves, simplex))
                if confirmed is not None:
                    lval, rval = confirmed
                    where = {x: v for x, v in sorted((envs or [{}] * len(pairs))[k].items()) if not x.startswith("__")}
                    if envs and "__col__" in envs[k]:
                        where["entry"] = f"({envs[k]['__vec__']}, {envs[k]['__col__']})"  # row, column
                    elif envs and "__vec__" in envs[k]:
                        where["component"] = envs[k]["__vec__"]
                    where.update(_describe(leaves, point, int(p), k))
                    if envs:
                        where.update(envs[k].get("__given__", {}))  # (values put in before sampling)
                    return Verdict("wrong", "", left=lval, right=rval, point=where)
        if enough:
            return Verdict("ok")
    return Verdict("not checkable", _UNDEFINED + " (log of a negative, division by 0) at most sampled points")


_UNDEFINED = "both sides are undefined"


def _confirm_equal(pairs, leaves, table, simplex, rng_seed: int) -> Verdict | None:
    """A wrong verdict when the sides differ at 50 digits at one of two sample points."""
    syms = sorted(leaves, key=lambda s: s.name)
    point = _sample(leaves, table, simplex, rng_seed + 1, False)
    for L, R in pairs[:4]:  # a few instances: each is a 50-digit evaluation
        for p in (0, 1):
            found = _confirm(L, R, syms, point, p, _simplex_groups(leaves, simplex), tolerance=1e-30)
            if found is not None:
                return Verdict("wrong", " (they agree to 8 digits but not at 50)", left=found[0], right=found[1],
                               point=_describe(leaves, point, p, 0))
    return None


def _simplex_groups(leaves, simplex: set[str]) -> list[list[sympy.Symbol]]:
    """The entries of each target drawn on the simplex, one list per vector (per sample)."""
    groups: dict[tuple, list[sympy.Symbol]] = {}
    for s, lf in leaves.items():
        if lf.key in simplex and lf.index:
            groups.setdefault((lf.key, lf.sample, lf.index[:-1]), []).append(s)
    return list(groups.values())


def _confirm(L, R, syms, point, p: int, groups: list[list[sympy.Symbol]],
             tolerance: float = 1e-20) -> tuple[float, float] | None:
    """Both sides at 50 digits at the point: a mismatch only counts if it survives this.

    The point is taken exactly (a double is exact in 70 digits), each simplex renormalised to sum
    to 1 within 1e-69, as the prover's confirmation does (symxent.prove._exact_point): drawn in
    doubles a simplex sums to 1 only to ~1e-16, and at 50 digits that rounding would "confirm" a
    step that needs sum(y) = 1. Not as Rationals: ŷ^y at rationals with 2^52 denominators makes
    SymPy look for exact roots, which takes minutes."""
    subs = {s: sympy.Float(float(point[s][p]), 70) for s in syms}
    for group in groups:
        total = sympy.Add(*[subs[s] for s in group if s in subs])
        if total != 0:
            for s in group:
                if s in subs:
                    subs[s] = subs[s] / total
    try:
        lv = sympy.N(L.xreplace(subs), 50)
        rv = sympy.N(R.xreplace(subs), 50)
        lc, rc = complex(lv), complex(rv)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not (np.isfinite(lc) and np.isfinite(rc)):
        return None
    if abs(lc.imag) > 1e-30 or abs(rc.imag) > 1e-30:
        return None  # a log of a negative at this point: a branch of the logarithm, not the note's value
    difference = abs(sympy.N(lv - rv, 50))
    if difference <= tolerance * (1 + max(abs(lc), abs(rc))):
        return None
    return lc.real, rc.real


def _describe(leaves, point, p: int, k: int) -> dict:
    out: dict = {}
    groups: dict[str, dict] = {}
    for s in sorted(leaves, key=lambda s: s.name):
        lf = leaves[s]
        name = lf.key.replace(" ", "") + (f"^({lf.sample})" if lf.sample is not None else "")
        val = float(point[s][p].real)
        if lf.index:
            groups.setdefault(name, {})[lf.index] = val
        else:
            out[name] = val
    for name, comps in groups.items():
        if all(len(i) == 1 and i[0] >= 1 for i in comps):  # (w_0 is named, not a list's first entry)
            top = max(i[0] for i in comps)
            out[name] = [comps.get((c,), None) for c in range(1, top + 1)]
        else:
            for i, v in sorted(comps.items()):
                out[f"{name}[{','.join(map(str, i))}]"] = v
    return out


def _needs_simplex(pairs, leaves, table, natural: set[str], key: str, rng_seed: int) -> bool:
    """Whether the equality fails once ``key`` may take any real values (the others stay natural)."""
    if not any(lf.key == key and lf.index for lf in leaves.values()):
        return False
    return _compare(pairs, leaves, table, natural - {key}, rng_seed).status == "wrong"


def _symbolic_zero(pairs, leaves, table, simplex: set[str]) -> bool:
    """The prover's own zero test on each instance (sound: 0 means proven)."""
    for L, R in pairs:
        d = L - R
        if not d.free_symbols and d != 0:
            # numbers only (e^{-1.105905967} against e^{-1.1059059067}): the prover's canonical form
            # would raise one exponential to the 10^10-th power; the 50-digit comparison decides
            return False
        subs = {}
        if simplex:
            by_group: dict[tuple, list] = {}
            for s in d.free_symbols:
                lf = leaves.get(s)
                if lf is not None and lf.key in simplex and lf.index:
                    by_group.setdefault((lf.key, lf.sample, lf.index[:-1]), []).append(s)
            for (key, sample, head), _ in by_group.items():
                size = table.size(table.dims.get(key, "K"))
                syms = [s for s, lf in leaves.items() if lf.key == key and lf.sample == sample
                        and lf.index[:-1] == head]
                by_c = {leaves[s].index[-1]: s for s in syms}
                if size in by_c:
                    last = by_c[size]
                    rest = [sympy.Symbol(f"{key}{'^(' + str(sample) + ')' if sample is not None else ''}"
                                         f"[{','.join(map(str, head + (c,)))}]".replace(" ", ""), real=True)
                            for c in range(1, size)]
                    subs[last] = 1 - sympy.Add(*rest)
        try:
            if derive.decide_zero(d.xreplace(subs) if subs else d) != 0:
                return False
        except (TypeError, ValueError, NotImplementedError, RecursionError, ZeroDivisionError,
                sympy.PolynomialError, AttributeError):
            return False
    return True


def _diagnose(pairs, leaves, table, simplex, rng_seed) -> str:
    """A constant ratio between the sides is the usual slip: a factor or a sign."""
    syms = sorted(leaves, key=lambda s: s.name)
    point = _sample(leaves, table, simplex, rng_seed, False)
    ratios = []
    for L, R in pairs:
        lv, rv = _numeric(L, syms, point), _numeric(R, syms, point)
        ok = np.isfinite(lv) & np.isfinite(rv) & (np.abs(lv) > 1e-12)
        if ok.sum() < 3:
            return ""
        ratios.append(rv[ok] / lv[ok])
    r = np.concatenate(ratios)
    if np.allclose(r, r[0], rtol=1e-7) and abs(r[0].imag) < 1e-9:
        c = sympy.nsimplify(float(r[0].real), rational=True, tolerance=1e-9)
        if c == -1:
            return "; off by a sign (the right side is minus the left)"
        if c == 0:
            return "; the right side is 0"
        if c != 1 and len(str(c)) <= 12:
            # a factor equal to a size of the note is most likely that size: 1/m dropped, say
            for name in sorted(table.size_names):
                n = table.size(name)
                if c == n:
                    return f"; off by a factor {name} (= {n} here, or a constant {n}; right = {name} x left)"
                if c == sympy.Rational(1, n):
                    return f"; off by a factor 1/{name} (= 1/{n} here, or a constant 1/{n}; right = left / {name})"
            return f"; off by a factor {c} (right = {c} x left)"
    return ""
