"""``symxent check``: verify a hand-written derivation step by step.

Contract
--------
``check_text(text, filename=..., K=3, defines=(), timeout=10.0)`` reads a Markdown or LaTeX note
and returns a :class:`FileReport` with one :class:`StepResult` per step ``A = B`` of every chain
of relations, in file order.  The stages, each a module of :mod:`symxent.checker`:

``source`` (markdown-it-py / pylatexenc: headings, prose, math with file lines) ->
``tree`` (a Lark grammar: the math's token tree) -> ``syntax`` (chains, conditions, clauses,
expression trees) -> ``scope`` + ``meaning`` (definitions per section, declarations, stated
facts; SymPy values at concrete indices) -> ``verdict`` (proof, confirmed counterexample, or
the reason it cannot tell).

A step's ``status`` is

* ``ok``            -- proven (``method`` "symbolic") or equal at random points with every
                       symbol interpreted (``method`` "numeric"); ``uses`` lists the conventions
                       and stated assumptions it relied on;
* ``wrong``         -- every symbol has a meaning the note gave it and a counterexample holds at
                       50 digits: the point, both values, and a diagnosis where one is found;
* ``recovered``     -- the member after a wrong one agrees with the member before it: the slip
                       was already reported once (new in this version);
* ``unparsed``      -- the LaTeX could not be read (reason and line:col);
* ``not checkable`` -- read, but the checker cannot tell; the reason says what would help;
* ``definition``    -- introduces a name (``\\ell = ...``) or states an assumption
                       (``\\sum_k y_k = 1``); not checked.

Each step gets ``timeout`` seconds; past it the step is "not checkable: timed out" (the alarm
that interrupts SymPy exists only in the main thread: called from another thread, sizes are still
bounded, but time is not).  Reports are
deterministic (seeded points).  ``run_check`` streams the linter-style report (or JSON) and returns
the exit code: 0 no wrong step, 1 some step wrong, 2 bad input.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from typing import Iterator, Sequence, TextIO

import sympy

from symxent.budget import OverBudget, budget
from symxent.checker import scope as scope_mod
from symxent.checker.meaning import Definition, NotCheckable, information_call, key_of, pretty, primes_by, walk
from symxent.checker.source import note_kind, read_note
from symxent.checker.syntax import Call, Unreadable, parse_member
from symxent.checker.tree import TreeError, token_tree
from symxent.checker.verdict import EQUATION_REASONS, Verdict, condition_letters, judge, numbers_only, solve_for

STATUSES = ("ok", "wrong", "recovered", "unparsed", "not checkable", "definition")


@dataclass
class StepResult:
    file: str
    line: int  # 1-based line where the right-hand side of the step starts
    chain: int  # 1-based chain number in the file
    step: int  # the step goes from chain element `step` to `step + 1`
    status: str  # one of STATUSES
    detail: str = ""
    method: str = ""  # "symbolic" or "numeric" for ok steps
    left: float | None = None
    right: float | None = None
    point: dict = field(default_factory=dict)  # counterexample: index values and variables
    uses: list[str] = field(default_factory=list)  # conventions and assumptions an ok relied on

    def describe(self) -> str:
        head = f"{self.file}:{self.line}: step {self.step} -> {self.step + 1}: "
        uses = f" (uses: {'; '.join(self.uses)})" if self.uses else ""
        if self.status == "ok":
            return head + ("ok" if self.method == "symbolic" else "ok (numerically)") + uses
        if self.status == "wrong":
            # (the meanings the counterexample was computed with, so a reader can check them)
            return head + f"WRONG ({self.detail})" + uses
        return head + f"{self.status}: {self.detail}"


@dataclass
class FileReport:
    file: str
    steps: list[StepResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        c = {s: 0 for s in STATUSES}
        for st in self.steps:
            c[st.status] += 1
        return c

    def summary(self) -> str:
        c = self.counts()
        n = sum(v for k, v in c.items() if k != "definition")
        return (f"{self.file}: {n} steps: {c['ok']} ok, {c['wrong']} wrong, {c['recovered']} recovered, "
                f"{c['unparsed']} unparsed, {c['not checkable']} not checkable ({c['definition']} definitions)")


class BadInput(Exception):
    pass


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _shown_apart(left: float, right: float) -> tuple[str, str]:
    """Both sides to 4 significant digits, or to as many more as show their difference to a tenth
    (σ(0.8953) = 0.7101: "left 0.70998, right 0.7101", not "left 0.71"); to the last digit when
    they differ further down than a double shows."""
    diff, size = abs(left - right), max(abs(left), abs(right))
    digits = 4
    if isinstance(diff, float) and math.isfinite(diff) and diff > 0 and size > 0:
        while digits < 17 and 10.0 ** (math.floor(math.log10(size)) - digits + 1) > diff / 10:
            digits += 1
    shown = f"{left:.{digits}g}", f"{right:.{digits}g}"
    if shown[0] == shown[1]:
        return repr(float(left)), repr(float(right))
    return shown


def parse_define(spec: str) -> Definition:
    """``--define 'p_i=\\frac{e^{z_i}}{\\sum_k e^{z_k}}'``: a definition visible in the whole note."""
    if "=" not in spec:
        raise BadInput(f"--define {spec!r}: expected NAME=LATEX")
    name, body = spec.split("=", 1)
    try:
        lhs = parse_member(token_tree(name))
        rhs = parse_member(token_tree(body))
    except TreeError as exc:
        raise BadInput(f"--define {spec!r}: {exc.msg}") from None
    for side in (lhs, rhs):
        if isinstance(side, Unreadable):
            raise BadInput(f"--define {spec!r}: {side.reason}")
    info = scope_mod.definable(lhs)
    if info is None:
        raise BadInput(f"--define {spec!r}: the left side must be a name such as p_i or L(z)")
    key, indices, params, sample = info
    return Definition(key, indices, params, rhs, 0, -1, (), "--define", sample)


def _describe_point(point: dict) -> str:
    parts = []
    for k, v in point.items():
        if isinstance(v, list):
            parts.append(f"{k}=[" + ", ".join("?" if x is None else _fmt(x) for x in v) + "]")
        elif isinstance(v, float):
            parts.append(f"{k}={_fmt(v)}")
        else:
            parts.append(f"{k}={v}")
    return ", ".join(parts)


def _iter_steps(text: str, filename: str, K: int, defines: Sequence[Definition],
                timeout: float) -> Iterator[StepResult]:
    items = read_note(text, kind=note_kind(filename))
    blocks, table = scope_mod.analyse(items, class_size=K, defines=defines)
    chain_no = 0
    before: tuple | None = None  # the block just before, when it was one chain: (block, chain)
    for block in sorted(blocks, key=lambda b: (b.math.lines[0], b.order)):
        last, before = before, None
        if block.problem is not None:
            if "=" in block.math.text:
                msg, pos = block.problem
                chain_no += 1
                yield StepResult(filename, block.line(pos), chain_no, 1, "unparsed",
                                 f"{msg} at {_line_col(block, pos)}")
            continue
        identities: dict[int, bool] = {}   # chain -> every step of it proven or confirmed
        solutions: dict[int, tuple | None] = {}   # chain opening implications -> (name, its solution)
        equations: list[tuple] = []   # (chain, left, right, line): equations stated in rows above, not identities
        # (a block's steps in the order of their lines: a chain may go on after rows of its own,
        # "δ_ij = 1 when i = j" recalled between a derivation's rows)
        steps: list[StepResult] = []
        for ci, chain in enumerate(block.chains):
            if len(chain.members) < 2:
                lone = chain.members[0].node if chain.members else None
                if isinstance(lone, Unreadable) and "=" in block.math.text:
                    # a block with an equals sign that reads as one unreadable piece: said, not lost
                    chain_no += 1
                    steps.append(StepResult(filename, block.line(chain.members[0].pos), chain_no, 1, "unparsed",
                                            f"{lone.reason} at {_line_col(block, lone.pos)}"))
                continue
            chain_no += 1
            statuses, unchecked = [], None
            for step in _chain_steps(block, ci, chain, table, filename, chain_no, timeout, identities, solutions):
                if step.step == 1 and step.status in ("not checkable", "wrong") and last is not None:
                    step = _line_at_a_time(step, last, block, ci, chain, table, chain_no, timeout)
                if step.status == "wrong" and equations:
                    step = _below_an_equation(step, equations, block, ci, chain, table, chain_no, timeout)
                if step.status == "not checkable" and chain.relations[step.step - 1] == "=" and not chain.conditions \
                        and any(reason in step.detail for reason in EQUATION_REASONS):
                    equations.append((ci, chain.members[step.step - 1].node, chain.members[step.step].node, step.line))
                statuses.append(step.status)
                if unchecked is None and step.status not in ("ok", "definition", "wrong", "recovered") \
                        and not numbers_only(chain.members[step.step].node):
                    # (a name set equal to the example's numbers, a worked example's first line, is
                    # what the lines after it work out, not a claim they rest on; a member back at
                    # the value before a slip is checked)
                    unchecked = step
                steps.append(step)
            if ci in block.examples and statuses[-1:] != ["ok"]:
                # "net = w x + b = 0.5 + 0.75 = 1.35" with a slip (or not checked) in its last step: its
                # number is no value later steps may be judged with
                table.definitions.remove(block.examples[ci])
            head = chain.members[0].node
            if statuses[:1] not in ([], ["unparsed"]) and isinstance(head, Call) and information_call(head):
                table.stated.add(key_of(head.func) or "")  # (a later statement of it may be a slip)
            if len(block.chains) == 1 and len(chain.members) >= 2:
                before = (block, chain, statuses[-1:] == ["wrong"], unchecked)
            # a definition claims no identity: what follows it by => may be an equation to solve
            identities[ci] = bool(statuses) and all(st == "ok" for st in statuses)
        yield from sorted(steps, key=lambda s: s.line)


_UNCHECKED_ABOVE = "but that line's own claim is not checked ("


def _line_at_a_time(res: StepResult, last: tuple, block, ci: int, chain, table, chain_no: int,
                    timeout: float) -> StepResult:
    """``$$D_{KL}(P||Q) = 0.7 \\log_2(1.1667) + ...$$`` right under ``$$D_{KL}(P||Q) = ...$$``: a chain
    written a line at a time, each line opening with the same left side. When the step cannot
    be judged on its own, it is ok if it agrees with the last member of the line before; a
    WRONG that agrees with the line before, itself WRONG, carries that slip, which is reported
    once; any other verdict stays (the lines may also give a name a new value, as an update does).
    Agreeing with a line whose own claim was not checked (a step of its chain not checkable, other
    than one to numbers only, as a worked example's first line sets its name to the example's
    numbers) shows nothing about the left side: not checkable then, saying why."""
    above, above_chain, above_wrong, above_unchecked = last
    if not (block.order == above.order + 100 and (block.math.display or block.math.alone)
            and (above.math.display or above.math.alone)
            and above_chain.members[0].node == chain.members[0].node
            and not isinstance(above_chain.members[-1].node, Unreadable)):
        return res
    if res.status == "wrong" and not above_wrong:
        return res
    v = _judge(table, block, ci, above_chain.members[-1].node, chain.members[1].node, tuple(chain.conditions),
               chain_no * 100, timeout)
    if v.status != "ok":
        return res
    if res.status == "wrong":
        above_line = above.line(above_chain.members[-1].pos)
        res.status = "not checkable"
        res.detail = (f"agrees with the line before (line {above_line}), whose slip it carries on: that slip is "
                      f"reported once, there ({res.detail})")
        return res
    if above_unchecked is not None:
        root = f"line {above_unchecked.line}: {above_unchecked.detail}"
        if _UNCHECKED_ABOVE in above_unchecked.detail:  # (the line before agreed with an unchecked one too)
            root = above_unchecked.detail.split(_UNCHECKED_ABOVE, 1)[1][:-1]
        res.status = "not checkable"
        res.detail = (f"agrees with the line before (line {above.line(above_chain.members[-1].pos)}), "
                      f"{_UNCHECKED_ABOVE}{root})")
        return res
    _fill(res, v)
    res.uses = list(res.uses) + [f"the left side is the value the line before gives it (line "
                                 f"{above.line(above_chain.members[-1].pos)}): a chain written a line at a time, "
                                 "each line opening with the same left side"]
    return res


def _below_an_equation(res: StepResult, equations: list[tuple], block, ci: int, chain, table, chain_no: int,
                       timeout: float) -> StepResult:
    r"""``\ln \frac{P}{1 - P} = z`` in one row, then ``e^z (1 - P) = P`` in a row below it: the rows
    of a block that solve an equation stated above them (not an identity: it could not be checked)
    hold where it holds. A WRONG step that shares a name with such an equation is judged again with
    that name at the equation's one solution: ok then is ok where the equation holds, WRONG stays
    WRONG; where the equation cannot be solved for one name, the step is not checkable."""
    t = res.step - 1
    a, b = chain.members[t], chain.members[t + 1]
    mentioned = {key_of(n) for side in (a.node, b.node) for n in walk(side)} - {None}
    for cj, left, right, line in reversed(equations):
        if cj == ci:
            continue
        names = {key_of(n) for side in (left, right) for n in walk(side)} - {None}
        if not names & mentioned:
            continue
        try:
            with budget(timeout):
                found = solve_for(table, block.order + cj, block.scope, left, right)
        except OverBudget:
            found = None
        if found is None or found[0] not in mentioned:
            res.status = "not checkable"
            res.detail = (f"the rows below the equation of line {line} (not an identity) may be solving it, and this "
                          f"one may hold where it holds, which this checker could not solve ({res.detail})")
            return res
        key, value = found
        said = f"{pretty(key)} is the one solution of the equation of line {line}: {pretty(key)} = {sympy.sstr(value)}"
        v = _judge(table, block, ci, a.node, b.node, tuple(chain.conditions), chain_no * 100 + t, timeout, {key: value})
        if v.status == "ok":
            _fill(res, v)
            res.uses = list(res.uses) + [said]
        elif v.status == "wrong":
            res.detail += f"; it is WRONG too where the equation of line {line} holds ({said})"
        else:
            res.status = "not checkable"
            res.detail = f"where the equation of line {line} holds ({said}): {v.detail}"
        return res
    return res


def _chain_steps(block, ci: int, chain, table, filename: str, chain_no: int, timeout: float,
                 identities: dict[int, bool], solutions: dict) -> Iterator[StepResult]:
    # a case written in the chain (", i = j") overrides one stated in the prose about the same letters
    own = {x for c in chain.conditions for x in condition_letters(c)}
    wrong_at: int | None = None   # the member before the last reported slip
    last_status = ""
    primed = set()
    for k, m in enumerate(chain.members[1:], 1):
        read = primes_by(m.node, chain.members[0].node)
        if read != m.node:
            m.node = read
            primed.add(k)
    for t in range(len(chain.members) - 1):
        if t >= len(chain.relations):
            break
        a, b = chain.members[t], chain.members[t + 1]
        # a chain that goes on in a later block ("In the case of j = k: $$ = ... $$") holds there
        # under that block's case
        conditions = tuple(chain.conditions) + tuple(c for c in (b.block or block).conditions
                                                     if not (condition_letters(c) & own))
        line = (b.block or block).line(b.pos)
        res = StepResult(filename, line, chain_no, t + 1, "ok")
        rel = chain.relations[t]
        if (ci, t) in block.definitions and t == 0 and ci in block.redefines and \
                (v := _restatement(table, block, ci, a.node, b.node, conditions, chain_no * 100,
                                   timeout)).status == "ok":
            # a summary that states a defined name again with the same value: a checked restatement
            _fill(res, v)
            res.detail = f"agrees with the definition of {_name(a.node)} at line {block.redefines[ci]}" + \
                (f"; {res.detail}" if res.detail else "")
        elif (ci, t) in block.definitions:
            named = b.node if ci in block.named_last and t == len(chain.members) - 2 else a.node
            res.status, res.detail = "definition", f"defines {_name(named)}"
        elif (ci, t) in block.facts:
            res.status, res.detail = "definition", "states an assumption used by later steps"
        elif ci in block.delta_rows:
            res.status, res.detail = "definition", "states Kronecker's delta (one of its cases)"
        elif isinstance(a.node, Unreadable) or isinstance(b.node, Unreadable):
            bad = a.node if isinstance(a.node, Unreadable) else b.node
            owner = (a.block if bad is a.node else b.block) or block
            res.status, res.detail = "unparsed", f"{bad.reason} at {_line_col(owner, bad.pos)}"
        elif rel in ("in",):
            continue  # a declaration, not a step
        elif rel not in ("=", ":=") and not (rel == "~" and numbers_only(a.node) and numbers_only(b.node)):
            res.status, res.detail = "not checkable", f"the relation {_REL_WORDS.get(rel, rel)} is not checked (only equalities are)"
        elif chain.condition_problem:
            res.status, res.detail = "not checkable", chain.condition_problem
        else:
            judged = _restatement if t == 0 and ci in block.restated else _judge
            v = judged(table, block, ci, a.node, b.node, conditions, chain_no * 100 + t, timeout)
            if v.status == "wrong":
                v = _scaled_by_words(v, a, b)
            solved = _solved(block, ci, table, identities, solutions, timeout) if v.status != "ok" else None
            if solved is not None:
                # "p/(1-p) = e^x => p = e^x (1 - p)": p is what the opening equation makes it
                key, value, root_line = solved
                w = _judge(table, block, ci, a.node, b.node, conditions, chain_no * 100 + t, timeout, {key: value})
                said = f"{pretty(key)} is the one solution of the equation of line {root_line}: " \
                    f"{pretty(key)} = {sympy.sstr(value)}"
                if w.status in ("ok", "wrong"):
                    w.uses = list(w.uses) + [said]
                    if w.status == "wrong":
                        w.detail += f"; {said}"
                    v = w
            if v.status == "wrong" and chain.implied_by is not None and not identities.get(chain.implied_by, False) \
                    and solved is None:
                # "a = b => c = d" after an equation that is not an identity: an equation being
                # solved, true where the one before holds; not a slip of an identity
                v = Verdict("not checkable", "follows (by ⇒) from a line that is an equation, not an identity: "
                            "it holds where that one holds, which this checker does not solve")
            info = (key_of(a.node.func) or "") if isinstance(a.node, Call) and information_call(a.node) else None
            if v.status == "wrong" and t == 0 and info is not None and info not in table.stated \
                    and table.lookup(info, block.order + ci, block.scope) is None:
                # "D_{KL}(P || Q) = -\sum_x P(x) \log \frac{P(x)}{Q(x)}" the first time the note writes it:
                # the note may define its own quantity by the name (or slip in stating the usual one)
                shown = StepResult(filename, line, chain_no, t + 1, "wrong")
                _fill(shown, v)
                v = Verdict("not checkable", f"{pretty(info)} is not defined before here, and this differs from its "
                            f"usual meaning ({shown.detail}): the note's own definition, or a slip in stating it",
                            uses=v.uses)
                table.own_statements.setdefault(info, (a.node, b.node, line))
            elif v.status == "wrong" and t == 0 and info in table.own_statements \
                    and table.own_statements[info][:2] == (a.node, b.node):
                # the same statement again (a summary, "as shown above"): as undecided as the first
                v = Verdict("not checkable", f"states {pretty(info)} as line {table.own_statements[info][2]} did, "
                            "which differs from its usual meaning: the note's own definition, or a slip in stating it",
                            uses=v.uses)
            if v.status == "wrong" and (chain.iff_next and t == len(chain.members) - 2 or chain.iff_before and t == 0):
                v = Verdict("not checkable", "an equation joined to another by ⟺ or ⟸: it is said to hold where "
                            "the other holds, not for every value, and this checker does not solve it")
            if t == 0 and ci in block.restated and v.status == "wrong":
                # the note states a defined name again with another value: a new definition (a
                # generalisation, a special case) or a slip; nothing in the note tells which
                anew = any(d.source == "restated" and d.order == block.order + ci + 1 and d.scope == block.scope
                           for d in table.definitions)
                v = Verdict("not checkable", f"{_name(a.node)} is defined before with another value; " + (
                            "read as a new definition from here" if anew else
                            "read as its value at one point (the definition before still holds after)")
                            + " (a slip here cannot be told from one)")
            if v.status == "wrong" and wrong_at is not None:
                back = _judge(table, block, ci, chain.members[wrong_at].node, b.node, conditions,
                              chain_no * 100 + t, timeout)
                if back.status == "ok":
                    before = chain.members[wrong_at]
                    prev_line = (before.block or block).line(before.pos)
                    res.status = "recovered"
                    res.detail = (f"line {line} agrees with line {prev_line} again: only the slip "
                                  f"reported at line {(a.block or block).line(a.pos)} is wrong")
                    wrong_at = None
                    last_status = res.status
                    yield res
                    continue
                if back.status == "not checkable" and back.detail:
                    # it differs from the slip's member, but not from the one before the slip:
                    # whether the chain went back to its course is what ``back`` cannot tell
                    before = chain.members[wrong_at]
                    v = Verdict("not checkable", f"differs from the member with the slip (line "
                                f"{(a.block or block).line(a.pos)}); against the member before that slip (line "
                                f"{(before.block or block).line(before.pos)}): {back.detail}", uses=back.uses)
            if v.status == "wrong" and b.after_words and last_status not in ("ok", "recovered"):
                # (after an ok step that crossed the words, the chain is the one the note goes on with)
                v = Verdict("not checkable", f"differs from line {(a.block or block).line(a.pos)}, but this block opens "
                            "with \"=\" after a paragraph of words or a formula typed in a sentence: which expression "
                            "it goes on from is not marked (write its left side)")
            if v.status == "wrong" and b.left_in_words:
                v = Verdict("not checkable", f"differs from line {(a.block or block).line(a.pos)}, but its \"=\" "
                            f"comes after the words \"{b.left_in_words}\" in the same sentence: they may be its "
                            "left side (write it as a formula)")
            if rel == "~" and v.status == "ok":
                # 0.5374 \cdot 0.4626 \approx 0.2486: between numbers, ≈ says equal to the digits shown
                v.uses = list(v.uses) + ["≈ between numbers: equal to the digits shown"]
            elif rel == "~" and v.status == "wrong":
                v.detail += "; ≈ between numbers is read as equal to the digits shown, and the difference is larger"
            if primed & {t, t + 1}:
                v.uses = list(v.uses) + [f"(...)' is the derivative by {_name(chain.members[0].node.wrt[0])}, the "
                                         "variable of the derivative the chain opens with"]
            _fill(res, v)
            if v.status == "wrong":
                wrong_at = t if wrong_at is None else wrong_at
            elif v.status == "ok":
                wrong_at = None
        last_status = res.status
        yield res


def _solved(block, ci: int, table, identities: dict[int, bool], solutions: dict, timeout: float
            ) -> tuple[str, object, int] | None:
    """(name, value, line) when chain ``ci`` follows by ⇒ from an equation (not an identity) that
    opens the implications and has one real solution for the one name the note never defines
    (``solutions`` keeps each opening equation's, for the block's other chains)."""
    root = ci
    while block.chains[root].implied_by is not None:
        root = block.chains[root].implied_by
    chain = block.chains[root]
    if root == ci or identities.get(root, True) or len(chain.members) != 2 or chain.relations != ["="]:
        return None
    if root not in solutions:
        try:
            with budget(timeout):
                solutions[root] = solve_for(table, block.order + root, block.scope, chain.members[0].node,
                                            chain.members[1].node)
        except OverBudget:
            solutions[root] = None
    found = solutions[root]
    return None if found is None else (found[0], found[1], (chain.members[0].block or block).line(chain.members[0].pos))


def _line_col(block, pos: int) -> str:
    """``LINE:COL`` of an offset in a block's math: the file line, and the column within the
    math's line (the file's column too, except on a math line that starts after a delimiter)."""
    text = block.math.text
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"{block.line(pos)}:{col}"


_REL_WORDS = {"~": "≈", "<=": "≤", ">=": "≥", "!=": "≠", "->": "→", "propto": "∝"}




def _scaled_by_words(v: Verdict, a, b) -> Verdict:
    """A WRONG between a value and a number followed by words, off by a power of ten (100 and
    more): "2.25 × 10^6 × 3.58 ≈ 8.06 \\text{ milioane de biți}" gives the number in millions."""
    member = next((m for m in (b, a) if m.words_after and numbers_only(m.node)), None)
    if member is None or not v.left or not v.right:
        return v
    ratio = abs(v.left / v.right) if member is b else abs(v.right / v.left)
    power = round(math.log10(ratio)) if ratio > 0 else 0
    if power < 2 or abs(ratio / 10.0 ** power - 1) > 0.01:
        return v
    return Verdict("not checkable", f"the other side is 10^{power} times the number written before the words "
                   f"'{member.words_after.strip()}', which may give its scale or unit (millions, percent, ...): "
                   "words are not read", uses=v.uses)


def _restatement(table, block, ci: int, left, right, conditions, seed: int, timeout: float) -> Verdict:
    """A defined name stated again (``out = \\frac{1}{1 + e^{-net}}`` below ``out = ... = 0.7514``):
    judged against its formula, not against the example's value the worked chain gave it."""
    v = _judge(table, block, ci, left, right, conditions, seed, timeout)
    if v.status == "ok" or not any(d.source == "example" for d in table.definitions):
        return v
    formulas = copy.copy(table)
    formulas.definitions = [d for d in table.definitions if d.source != "example"]
    return _judge(formulas, block, ci, left, right, conditions, seed, timeout)


def _judge(table, block, ci: int, left, right, conditions, seed: int, timeout: float,
           solved: dict | None = None) -> Verdict:
    try:
        with budget(timeout):
            # the chain sees the definitions made before it, in earlier blocks and earlier chains of its own
            verdict = judge(table, block.order + ci, block.scope, left, right, conditions, seed, solved)
            if verdict.status == "wrong" and (somewhere := _said_of_some_values(table, block, ci, left, right)):
                return Verdict("not checkable", f"{somewhere} ({verdict.detail})", uses=verdict.uses)
            if verdict.status == "wrong" and block.option:
                # B. ∂L/∂z_i = y_i - p_i beside A. ∂L/∂z_i = p_i - y_i: a wrong answer offered on purpose
                return Verdict("not checkable", f"one of the answers a question offers ({block.option}), which "
                               "does not hold here: offered, not claimed by the note")
            if table.marked_indices:
                # (a primed or starred index is read as a spare letter: shown as written)
                verdict.point = {table.marked_indices.get(k, k): v for k, v in verdict.point.items()}
                shown = str.maketrans(table.marked_indices)
                verdict.detail = verdict.detail.translate(shown)
                verdict.uses = [u.translate(shown) for u in verdict.uses]
            return verdict
    except OverBudget:
        return Verdict("not checkable", f"timed out after {timeout:g} s (--timeout S to allow more)")
    except RecursionError:
        return Verdict("not checkable", "too large to evaluate (nested too deeply)")
    except NotCheckable as exc:
        return Verdict("not checkable", str(exc))
    except (ZeroDivisionError, OverflowError, MemoryError):
        return Verdict("not checkable", "too large to evaluate")
    except Exception as exc:  # noqa: BLE001 -- one step's failure must not end the file's report
        # A bug of the checker, never a verdict: said as such, so it is reported, not trusted
        return Verdict("not checkable", f"internal error of the checker ({type(exc).__name__}: {exc}); "
                       "please report this step")


def _said_of_some_values(table, block, ci: int, left, right) -> str | None:
    """Why a WRONG step may be no slip because the note says it of some values only: a value the
    words pick ("there exists $ε$"), a block after such words, a case whose condition is not read;
    None when the step is said of every value."""
    some = sorted({key_of(n) for side in (left, right) for n in walk(side)} & set(table.some_value))
    if some:
        return (f"{pretty(some[0])} is a value the words pick (\"there exists\", line {table.some_value[some[0]]}): "
                "this holds for it, not for every value")
    if block.existential:
        return ("the words before say it holds for some value (\"there exists ... such that\"): an equation in "
                "that value, not an identity")
    chain = block.chains[ci] if 0 <= ci < len(block.chains) else None
    if chain is not None and chain.unread_case:
        return f"written inside a case, and {chain.unread_case}: it may hold in that case only"
    return None


def _fill(res: StepResult, v: Verdict) -> None:
    res.status = v.status
    res.method = v.method
    res.uses = list(v.uses)
    if v.status == "wrong":
        res.left, res.right, res.point = v.left, v.right, v.point
        where = _describe_point(v.point)
        left, right = _shown_apart(v.left, v.right)
        res.detail = (f"at {where}: " if where else "") + f"left {left}, right {right}" + v.detail
    else:
        res.detail = v.detail


def _name(node) -> str:
    info = scope_mod.definable(node)
    return pretty(info[0]) if info else "a name"


def check_text(text: str, *, filename: str = "<text>", K: int = 3, defines: Sequence[str] = (),
               timeout: float = 10.0) -> FileReport:
    """Check every chain of one note (Markdown, or LaTeX when filename ends in .tex)."""
    parsed = [parse_define(d) for d in defines]
    return FileReport(filename, list(_iter_steps(text, filename, K, parsed, timeout)))


def run_check(paths: Sequence[str], *, K: int = 3, defines: Sequence[str] = (), as_json: bool = False,
              timeout: float = 10.0, out: TextIO, err: TextIO | None = None) -> int:
    """Check each file, write the report to `out`, return the exit code (0 ok, 1 a wrong
    step, 2 bad input such as a missing file or bad --define, with a one-line message
    on `err` (default stderr) and no traceback).  The text report streams step by step."""
    err = err if err is not None else sys.stderr
    if K < 2:
        print(f"symxent check: --K must be at least 2 (got {K})", file=err)
        return 2
    if timeout <= 0:
        print(f"symxent check: --timeout must be positive (got {timeout})", file=err)
        return 2
    texts = []
    for p in paths:
        try:
            with open(p, encoding="utf-8") as fh:
                texts.append((p, fh.read()))
        except (OSError, UnicodeDecodeError) as exc:
            print(f"symxent check: cannot read {p}: {exc.strerror if isinstance(exc, OSError) else exc}", file=err)
            return 2
    try:
        parsed = [parse_define(d) for d in defines]
    except BadInput as exc:
        print(f"symxent check: {exc}", file=err)
        return 2
    reports = []
    for p, t in texts:
        report = FileReport(p)
        for step in _iter_steps(t, p, K, parsed, timeout):
            report.steps.append(step)
            if not as_json:
                out.write(step.describe() + "\n")
                out.flush()
        reports.append(report)
        if not as_json:
            out.write(report.summary() + "\n")
    totals = {s: 0 for s in STATUSES}
    for r in reports:
        for k, v in r.counts().items():
            totals[k] += v
    code = 1 if totals["wrong"] else 0
    if as_json:
        doc = {
            "files": [{"file": r.file, "steps": [asdict(s) for s in r.steps], "counts": r.counts()} for r in reports],
            "counts": totals,
            "exit_code": code,
        }
        out.write(json.dumps(doc, indent=2) + "\n")
        return code
    if len(reports) > 1:
        n = sum(v for k, v in totals.items() if k != "definition")
        out.write(f"total: {n} steps in {len(reports)} files: {totals['ok']} ok, {totals['wrong']} wrong, "
                  f"{totals['recovered']} recovered, {totals['unparsed']} unparsed, "
                  f"{totals['not checkable']} not checkable\n")
    return code


__all__ = ["StepResult", "FileReport", "STATUSES", "check_text", "run_check", "parse_define"]
