"""``symxent check``: verify a hand-written derivation step by step.

Contract
--------
``check_text(text, filename=..., K=3, defines=())`` finds every chain of
equalities in a Markdown (``$$``, ``aligned``, ``split``, ``&=`` rows; inline
``$...$`` only when it is an equality) or LaTeX (``equation``, ``align``...)
note and returns a :class:`FileReport` with one :class:`StepResult` per step
``A = B`` of every chain.  A step is

* ``ok``            -- the sides agree at every random test point (``method``
                       says whether SymPy also proved it symbolically);
* ``wrong``         -- a test point where the sides differ (both values kept);
* ``unparsed``      -- the LaTeX could not be read (reason and line:col);
* ``not checkable`` -- readable, but outside what can be verified here;
* ``definition``    -- ``\\ell = ...``, ``L(z) := ...``: introduces a name,
                       used by later steps (``\\frac{\\partial \\ell}{\\partial z_j}``).

Free class indices (i, j, k, ...) are instantiated over 1..K and sums are
expanded; samples (``y^{(n)}``, first index of ``Z_{nk}``) range over 1..N
(N = 2).  Test points respect the note's assumptions: each target vector y is
drawn from a Dirichlet (so y_k >= 0, sum_k y_k = 1), ``\\hat y`` is softmax(z)
(or sigma(z) for a scalar), logits are Gaussian.  The RNG is seeded, so
reports are deterministic.  ``run_check`` writes the linter-style report (or
JSON) and returns the exit code: 0 all fine, 1 some step wrong, 2 bad input.
This module is standalone: it imports nothing else from symxent.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from typing import Sequence, TextIO

import numpy as np
import sympy

from symxent.notation import (
    INDEX_LETTERS,
    Chain,
    Notation,
    NotCheckable,
    Unparsed,
    definition_from,
    extract_chains,
    index_roles,
)

N_SAMPLES = 2  # samples in a batch: enough to catch a missing 1/N or a wrong sample index
N_POINTS = 48
SEED = 20240611

STATUSES = ("ok", "wrong", "unparsed", "not checkable", "definition")


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

    def describe(self) -> str:
        head = f"{self.file}:{self.line}: step {self.step} -> {self.step + 1}: "
        if self.status == "ok":
            return head + ("ok" if self.method == "symbolic" else "ok (numerically)")
        if self.status == "wrong":
            return head + f"WRONG ({self.detail})"
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
        return (f"{self.file}: {n} steps: {c['ok']} ok, {c['wrong']} wrong, {c['unparsed']} unparsed, "
                f"{c['not checkable']} not checkable ({c['definition']} definitions)")


class BadInput(Exception):
    pass


def _fmt(v: float) -> str:
    return f"{v:.4g}"


class _Checker:
    def __init__(self, text: str, filename: str, K: int, defines: Sequence[str]):
        self.text = text
        self.filename = filename
        self.K = K
        self.nt = Notation(K=K, N=N_SAMPLES)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.rng_step = 0
        for d in defines:
            self._add_define(d)

    def linecol(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, pos)
        return line, pos - self._line_starts[line - 1] + 1

    def _add_define(self, spec: str) -> None:
        if "=" not in spec:
            raise BadInput(f"--define {spec!r}: expected NAME=LATEX")
        name, body = spec.split("=", 1)
        try:
            lhs = self.nt.parse(name)
            rhs = self.nt.parse(body)
        except (Unparsed, NotCheckable) as exc:
            raise BadInput(f"--define {spec!r}: {exc}") from None
        d = definition_from(self.nt, lhs, rhs, force=True)
        if d is None:
            raise BadInput(f"--define {spec!r}: the left side must be a new name such as p_i or L(z)")
        self.nt.definitions[_def_key(self.nt, lhs)] = d

    def run(self) -> FileReport:
        report = FileReport(self.filename)
        chains = [c for c in extract_chains(self.text, self.filename.endswith(".tex")) if not _trivial_inline(c)]
        parsed: list[list[object]] = []
        for ch in chains:
            row = []
            for p in ch.parts:
                try:
                    row.append(self.nt.parse(p.text))
                except Unparsed as u:
                    pos = p.abs_pos(u.pos) if u.pos is not None else p.start
                    row.append(Unparsed(u.msg, pos))
                except NotCheckable as e:
                    row.append(e)
            parsed.append(row)
        # Does the note index classes? Then an unsubscripted \hat y is the softmax vector.
        self.nt.vector_mode = any(
            (a.base in ("z", "y", "yhat") and len(a.idx) >= 1) or a.base in ("Z", "Y", "Yhat", "softmax")
            for a in self.nt.atoms.values())
        for ci, (ch, exprs) in enumerate(zip(chains, parsed), start=1):
            for t in range(len(ch.parts) - 1):
                line, _ = self.linecol(ch.parts[t + 1].start)
                res = StepResult(self.filename, line, ci, t + 1, "ok")
                self._step(ch, exprs, t, res)
                report.steps.append(res)
        return report

    def _step(self, ch: Chain, exprs: list, t: int, res: StepResult) -> None:
        rel = ch.relations[t]
        a, b = exprs[t], exprs[t + 1]
        for e in (a, b):
            if isinstance(e, Unparsed):
                line, col = self.linecol(e.pos)
                res.status, res.detail = "unparsed", f"{e.msg} at {line}:{col}"
                return
        if rel not in ("=", ":=", "≡"):
            res.status, res.detail = "not checkable", f"relation {rel} is not an equality"
            return
        for e in (a, b):
            if isinstance(e, NotCheckable):
                res.status, res.detail = "not checkable", str(e)
                return
        if t == 0:
            d = definition_from(self.nt, a, b, force=(rel != "="))
            if d is not None:
                self.nt.definitions[_def_key(self.nt, a)] = d
                self.nt._lazy_cache.clear()
                res.status, res.detail = "definition", f"defines {d.lhs_latex}"
                return
        try:
            # "..., for i = j" is written once but meant for the whole chain
            conds = [self._condition(*ch.conditions[k]) for k in sorted(ch.conditions)]
            self._compare(a, b, [c for group in conds for c in group], res)
        except NotCheckable as e:
            res.status, res.detail = "not checkable", str(e)
        except Unparsed as e:
            res.status, res.detail = "unparsed", e.msg
        except (RecursionError, ZeroDivisionError, TypeError, ValueError, AttributeError) as e:
            # SymPy can choke on odd input; report it instead of crashing the whole file
            res.status, res.detail = "not checkable", f"internal: {type(e).__name__}: {e}"

    def _condition(self, text: str, pos: int) -> list[tuple[str, str, str]]:
        t = re.sub(r"\\(?:text|mbox|textrm|mathrm)\s*\{([^}]*)\}", r" \1 ", text)
        t = re.sub(r"\\(?:quad|qquad)|\\[,;: ]|~", " ", t)
        t = re.sub(r"\b(for|if|when|and)\b", ",", t)
        out = []
        for piece in t.split(","):
            piece = re.sub(r"\b(all|every|any|each)\b", " ", piece).strip().rstrip(".")
            if not piece or re.fullmatch(r"[a-zA-Z](\s*\\in\s*.*)?", piece):
                continue  # "for all i, j": no restriction
            m = re.fullmatch(r"([a-zA-Z])\s*(=|\\neq|\\ne|!=)\s*([a-zA-Z0-9])", piece)
            if not m:
                line, col = self.linecol(pos)
                raise NotCheckable(f"condition '{piece}' at {line}:{col} not understood")
            out.append((m.group(1), "=" if m.group(2) == "=" else "!=", m.group(3)))
        return out

    def _compare(self, lhs, rhs, conds, res: StepResult) -> None:
        nt = self.nt
        roles: dict[str, set[str]] = {}
        for e in (lhs, rhs):
            for k, v in index_roles(nt, e, set()).items():
                roles.setdefault(k, set()).update(v)
        for a, _, b in conds:
            for x in (a, b):
                if not x.isdigit():
                    roles.setdefault(x, set()).add("?")
        letters = sorted(roles, key=lambda x: (x == "__vec__", x))
        ranges = []
        for x in letters:
            r = roles[x]
            if "N" in r and "K" in r:
                raise NotCheckable(f"index {x} is used both as a sample and as a class index")
            ranges.append(range(1, (N_SAMPLES if "N" in r else self.K) + 1))
        pairs = []
        envs = []
        for vals in itertools.product(*ranges):
            env = dict(zip(letters, vals))
            if not all(_holds(env, c) for c in conds):
                continue
            L = nt.expand_lazy(nt.concretize(lhs, env))
            R = nt.expand_lazy(nt.concretize(rhs, env))
            pairs.append((L, R))
            envs.append(env)
        if not pairs:
            raise NotCheckable("no index values satisfy the condition")
        syms = set()
        for L, R in pairs:
            syms |= L.free_symbols | R.free_symbols
        for s in syms:
            if s not in nt.var_info:
                raise NotCheckable(f"unknown quantity {s}")
        # show whole vectors in counterexamples, and Dirichlet needs all K components
        for s in list(syms):
            base, smp, idx = nt.var_info[s]
            if base in ("z", "y") and idx:
                syms |= {nt.var(base, smp, (c,)) for c in range(1, self.K + 1)}
        order = sorted(syms, key=lambda s: nt.var_info[s].__repr__())
        for L, R in pairs:
            if L.has(sympy.Derivative, sympy.Subs) or R.has(sympy.Derivative, sympy.Subs):
                raise NotCheckable("derivative of an unknown function")
        self.rng_step += 1
        values = None
        for attempt in range(2):
            point = self._sample(order, attempt)
            memo: dict = {}
            with np.errstate(all="ignore"):
                outs = [_numeval(x, point, memo) for p in pairs for x in p]
            outs = [np.broadcast_to(np.asarray(o, dtype=complex), (N_POINTS,)) for o in outs]
            valid_any = False
            bad = None
            for k in range(len(pairs)):
                lv, rv = outs[2 * k], outs[2 * k + 1]
                valid = np.isfinite(lv) & np.isfinite(rv) & (np.abs(lv.imag) < 1e-12) & (np.abs(rv.imag) < 1e-12)
                if valid.sum() >= 8:
                    valid_any = True
                l_, r_ = lv.real, rv.real
                close = np.abs(l_ - r_) <= 1e-8 + 1e-6 * np.maximum(np.abs(l_), np.abs(r_))
                wrong = valid & ~close
                if wrong.any() and bad is None:
                    bad = (k, int(np.argmax(wrong)), l_, r_)
            if bad is not None:
                k, p, l_, r_ = bad
                res.status = "wrong"
                res.left, res.right = float(l_[p]), float(r_[p])
                res.point = self._describe_point(envs[k], order, point, p)
                where = ", ".join(f"{n}={v}" for n, v in _flat_point(res.point))
                res.detail = (f"at {where}: " if where else "") + f"left {_fmt(res.left)}, right {_fmt(res.right)}"
                return
            if valid_any:
                values = outs
                break
        if values is None:
            raise NotCheckable("both sides are undefined at the sampled points")
        res.status = "ok"
        res.method = "symbolic" if all(self._symbolic_zero(L - R) for L, R in pairs) else "numeric"

    def _sample(self, order, attempt: int) -> dict:
        rng = np.random.default_rng(SEED + 7919 * self.rng_step + attempt)
        nt = self.nt
        point = {}
        simplex_done = set()
        for s in order:
            base, smp, idx = nt.var_info[s]
            if base == "y" and idx:
                if smp in simplex_done:
                    continue
                simplex_done.add(smp)
                draw = rng.dirichlet(np.ones(self.K), size=N_POINTS)
                for c in range(1, self.K + 1):
                    point[nt.var("y", smp, (c,))] = draw[:, c - 1]
            elif base == "y":
                point[s] = rng.uniform(0.05, 0.95, N_POINTS)
            elif base == "z" or attempt == 0:
                point[s] = rng.normal(0.0, 1.5, N_POINTS)
            else:
                # second try for free scalars: positive values keep logs and roots defined
                point[s] = rng.uniform(0.2, 2.5, N_POINTS)
        return point

    def _describe_point(self, env: dict, order, point: dict, p: int) -> dict:
        out: dict = {k: v for k, v in env.items() if k != "__vec__"}
        if "__vec__" in env:
            out["component"] = env["__vec__"]
        groups: dict[str, dict] = {}
        for s in order:
            base, smp, idx = self.nt.var_info[s]
            name = base + (f"^({smp})" if smp is not None else "")
            val = round(float(point[s][p]), 4)
            if idx:
                groups.setdefault(name, {})[idx] = val
            else:
                out[name] = val
        for name, comps in groups.items():
            out[name] = [comps[k] for k in sorted(comps)]
        return out

    def _symbolic_zero(self, d: sympy.Expr) -> bool:
        """Cheap exact test: y on the simplex, z -> log w (w > 0), then rational cancellation."""
        if d == 0:
            return True
        nt = self.nt
        subs = {}
        for s in d.free_symbols:
            base, smp, idx = nt.var_info[s]
            if base == "y" and idx and idx[0] == self.K:
                subs[s] = 1 - sum(nt.var("y", smp, (c,)) for c in range(1, self.K))
            elif base == "z":
                subs[s] = sympy.log(sympy.Symbol("w" + s.name, positive=True))
        try:
            e = sympy.expand_log(d.xreplace(subs), force=True)
            if sympy.cancel(sympy.together(e)) == 0:
                return True
            if sympy.count_ops(e) < 120:
                return sympy.simplify(e) == 0
        except (sympy.PolynomialError, RecursionError, TypeError, ValueError):
            pass
        return False


def _numeval(e: sympy.Expr, point: dict, memo: dict):
    """Evaluate at all sample points at once (complex, so log of a negative is not a crash).

    A direct tree walk: lambdify's code generation costs more than the evaluation here.
    """
    hit = memo.get(e)
    if hit is not None:
        return hit
    if e.is_Symbol:
        v = point[e].astype(complex)
    elif e.is_Number or e.is_NumberSymbol:
        v = complex(e) if e.is_finite else complex("nan")
    elif e.is_Add:
        v = sum(_numeval(a, point, memo) for a in e.args)
    elif e.is_Mul:
        v = 1
        for a in e.args:
            v = v * _numeval(a, point, memo)
    elif e.is_Pow:
        base, ex = e.args
        b = _numeval(base, point, memo)
        if ex.is_Integer and not np.isscalar(b):
            v = b ** int(ex)  # integer powers stay exact for negative bases
        else:
            v = np.power(b, _numeval(ex, point, memo))
    elif isinstance(e, sympy.exp):
        v = np.exp(_numeval(e.args[0], point, memo))
    elif isinstance(e, sympy.log):
        v = np.log(_numeval(e.args[0], point, memo))
    elif isinstance(e, sympy.tanh):
        v = np.tanh(_numeval(e.args[0], point, memo))
    else:
        raise NotCheckable(f"cannot evaluate {type(e).__name__} numerically")
    memo[e] = v
    return v


def _def_key(nt: Notation, lhs) -> str:
    name = lhs.name if isinstance(lhs, sympy.Symbol) else lhs.func.__name__
    return nt.atoms[name].base


def _holds(env: dict, cond: tuple[str, str, str]) -> bool:
    a, op, b = cond
    va = int(a) if a.isdigit() else env[a]
    vb = int(b) if b.isdigit() else env[b]
    return (va == vb) if op == "=" else (va != vb)


def _trivial_inline(ch: Chain) -> bool:
    # "for $i = j$", "$k=1$", "$K = 3$" in prose are not derivation steps
    if not ch.inline:
        return False
    lhs = ch.parts[0].text.strip()
    return bool(re.fullmatch(r"[0-9]+|[KN]|[" + "".join(sorted(INDEX_LETTERS)) + "]", lhs))


def _flat_point(point: dict):
    for k, v in point.items():
        if isinstance(v, list):
            yield k, "[" + ", ".join(_fmt(x) for x in v) + "]"
        elif isinstance(v, float):
            yield k, _fmt(v)
        else:
            yield k, v


def check_text(text: str, *, filename: str = "<text>", K: int = 3, defines: Sequence[str] = ()) -> FileReport:
    """Check every equality chain of one note (Markdown, or LaTeX when filename ends in .tex)."""
    return _Checker(text, filename, K, defines).run()


def run_check(paths: Sequence[str], *, K: int = 3, defines: Sequence[str] = (), as_json: bool = False,
              out: TextIO, err: TextIO | None = None) -> int:
    """Check each file, write the report to `out`, return the exit code (0 ok, 1 a wrong
    step, 2 bad input such as a missing file or bad --define, with a one-line message
    on `err` (default stderr) and no traceback)."""
    err = err if err is not None else sys.stderr
    if K < 1:
        print(f"symxent check: --K must be at least 1 (got {K})", file=err)
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
        _Checker("", "<define>", K, defines)
    except BadInput as exc:
        print(f"symxent check: {exc}", file=err)
        return 2
    reports = [check_text(t, filename=p, K=K, defines=defines) for p, t in texts]
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
    for r in reports:
        for s in r.steps:
            out.write(s.describe() + "\n")
        out.write(r.summary() + "\n")
    if len(reports) > 1:
        n = sum(v for k, v in totals.items() if k != "definition")
        out.write(f"total: {n} steps in {len(reports)} files: {totals['ok']} ok, {totals['wrong']} wrong, "
                  f"{totals['unparsed']} unparsed, {totals['not checkable']} not checkable\n")
    return code


__all__ = ["StepResult", "FileReport", "check_text", "run_check"]
