"""SymPy machinery: build derivatives, evaluate them, simplify under *named* assumptions.

Contract:
- Builders (:func:`class_sum`, :func:`partial`, :func:`chain_rule`) return *unevaluated*
  objects, so a derivation file states what is differentiated and the prover evaluates it.
- :func:`evaluate` runs ``doit`` (derivatives, sums over ``KroneckerDelta``, limits) and then
  resolves the ``Piecewise`` guards SymPy leaves behind (``j <= K``) using only the declared
  index ranges 1..K, the fact reported as :data:`INDEX_RANGE`.
- :func:`instantiate` turns a symbolic-K expression into explicit symbols for given sizes and
  index values; :func:`apply_assumptions` rewrites with named assumptions for symbolic or
  explicit sizes; :func:`zero_residual` decides whether an expression is identically zero and
  returns the simplified residual. Nothing here silently assumes anything: every rewrite
  is either an identity or one of the assumptions passed in.
- Custom functions: :class:`ClassMax` (a max over the class index, the stability shift) and
  :class:`xlogy` (``x log y`` with ``0 log 0 = 0``). Proofs treat ``ClassMax`` as an arbitrary
  real shift, which is sound because every claim using it holds for *every* shift.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence

import sympy as sp
from sympy.codegen.cfunctions import log1p

from symxent.registry import Assumption, Definition

__all__ = [
    "INDEX_RANGE",
    "At",
    "ClassMax",
    "SumTable",
    "apply_assumptions",
    "chain_rule",
    "class_sum",
    "evaluate",
    "exp_diff",
    "instantiate",
    "log1p",
    "partial",
    "decide_zero",
    "prepare",
    "unfold",
    "sign_cases",
    "xdivy",
    "xlog1py",
    "xlogy",
    "xmuly",
    "zero_residual",
]

INDEX_RANGE = "class indices lie in 1..K"


class ClassMax(sp.Function):
    """``ClassMax(expr, k)``: the maximum of ``expr`` over the class index ``k``.

    Printed as ``np.max(..., axis=-1, keepdims=True)``. In proofs it stands for an arbitrary
    real shift (see the module contract), and it is constant in every class variable.
    """

    nargs = 2
    is_real = True

    @property
    def free_symbols(self) -> set[sp.Basic]:
        # The class index is bound by the max, like a summation index.
        return self.args[0].free_symbols - {self.args[1]}

    def fdiff(self, argindex: int = 1) -> sp.Expr:  # pragma: no cover - never differentiated
        raise sp.ArgumentIndexError(self, argindex)

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return r"\max_{%s} %s" % (printer._print(self.args[1]), printer._print(self.args[0]))


class xlogy(sp.Function):
    """``x * log(y)`` with the convention ``0 * log(0) = 0`` (printed without a 0*inf NaN)."""

    nargs = 2

    def _eval_rewrite_as_log(self, x: sp.Expr, y: sp.Expr, **kwargs: object) -> sp.Expr:
        return x * sp.log(y)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x, y = self.args
        return sp.log(y) if argindex == 1 else xdivy(x, y)

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return r"%s \log %s" % (printer.parenthesize(self.args[0], 50), printer.parenthesize(self.args[1], 60))


class xdivy(sp.Function):
    """``x / y`` with the convention ``0 / 0 = 0``: the derivative of :class:`xlogy` in ``y``."""

    nargs = 2

    def _eval_rewrite_as_log(self, x: sp.Expr, y: sp.Expr, **kwargs: object) -> sp.Expr:
        return x / y

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x, y = self.args
        return 1 / y if argindex == 1 else -x / y**2

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return r"\frac{%s}{%s}" % (printer._print(self.args[0]), printer._print(self.args[1]))


class xmuly(sp.Function):
    """``x * y`` with ``0 * y = 0`` even where ``y`` is infinite: a weight that is exactly 0
    times a term that grows without bound (``y min(z, 0)`` at ``y = 0``, ``z = -inf``), whose
    limit is 0, where IEEE arithmetic gives nan."""

    nargs = 2

    def _eval_rewrite_as_Mul(self, x: sp.Expr, y: sp.Expr, **kwargs: object) -> sp.Expr:
        return x * y

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x, y = self.args
        return y if argindex == 1 else x

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return printer._print(sp.Mul(self.args[0], self.args[1], evaluate=False))


class xlog1py(sp.Function):
    """``x * log(1 + y)`` with ``0 * log(1 + y) = 0`` even at ``y = -1`` (scipy's ``xlog1py``).

    ``log1p`` keeps ``log(1 + y)`` accurate for small ``y``, where ``log`` of the rounded
    ``1 + y`` would not be (the focal loss's ``(1 - q) log(1 - q)`` for a small ``q``).
    """

    nargs = 2

    def _eval_rewrite_as_log(self, x: sp.Expr, y: sp.Expr, **kwargs: object) -> sp.Expr:
        return x * sp.log(1 + y)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x, y = self.args
        return log1p(y) if argindex == 1 else xdivy(x, 1 + y)

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return r"%s \log\left(%s\right)" % (printer.parenthesize(self.args[0], 50), printer._print(1 + self.args[1]))


class exp_diff(sp.Function):
    """``exp_diff(x, y)`` is ``exp(x - y)``: in proofs and references exactly that; printed with
    ``x - y`` carried exactly (TwoSum), where ``exp`` of the rounded difference would multiply
    its rounding by ``|x - y|`` (up to ~700 ulp in float64). See ``codegen.HELPERS["_exp_diff"]``."""

    nargs = 2

    @classmethod
    def eval(cls, x: sp.Expr, y: sp.Expr) -> sp.Expr | None:
        # exp(0) = 1 exactly (as the printed form gives it), so a term exp_diff(z_m, z_m) - 1
        # is 0 before any rounding, also in a 50-digit reference.
        return sp.Integer(1) if x == y else None

    def _eval_rewrite_as_exp(self, x: sp.Expr, y: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.exp(x - y)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self if argindex == 1 else -self

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return r"e^{%s}" % printer._print(self.args[0] - self.args[1])


class At(sp.Expr):
    """``At(expr, ((old, new), ...))``: evaluate ``expr`` (derivatives included), then substitute.

    ``old`` may be an ``IndexedBase`` (every entry is substituted) or a symbol. This is the
    "evaluated at" bar of a derivation: ``dL/dQ_j |_{Q = P}``.
    """

    def __new__(cls, expr: sp.Expr, pairs: tuple[tuple[sp.Basic, sp.Basic], ...]) -> "At":
        return sp.Expr.__new__(cls, expr, sp.Tuple(*[sp.Tuple(a, b) for a, b in pairs]))

    @property
    def expr(self) -> sp.Expr:
        return self.args[0]

    @property
    def pairs(self) -> tuple[tuple[sp.Basic, sp.Basic], ...]:
        return tuple((a, b) for a, b in self.args[1])

    @property
    def free_symbols(self) -> set[sp.Basic]:
        return self.expr.free_symbols | set().union(*(b.free_symbols for _, b in self.pairs))

    @property
    def bound_symbols(self) -> list[sp.Basic]:
        """What the bar substitutes: the loader does not require these to be declared."""
        return [a for a, _ in self.pairs]

    def doit(self, **hints: object) -> sp.Expr:
        inner = self.expr.doit(**hints)
        inner = inner.doit(**hints) if inner.has(sp.Sum) else inner
        return inner.xreplace(dict(self.pairs))

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        at = ", ".join(f"{printer._print(a)} = {printer._print(b)}" for a, b in self.pairs)
        return r"\left. %s \right|_{%s}" % (printer._print(self.expr), at)


# --- builders -----------------------------------------------------------------------------


def class_sum(expr: sp.Expr, index: sp.Symbol, size: sp.Expr) -> sp.Sum:
    """``sum_{index=1}^{size} expr`` (unevaluated)."""
    return sp.Sum(expr, (index, 1, size))


def partial(expr: sp.Expr, *wrt: sp.Expr) -> sp.Derivative:
    """The unevaluated partial derivative of ``expr`` in ``wrt`` (one or more entries)."""
    return sp.Derivative(expr, *wrt)


def chain_rule(outer: sp.Expr, inner_base: sp.IndexedBase, inner: sp.Expr, index: sp.Symbol, size: sp.Expr,
               wrt: sp.Expr) -> sp.Sum:
    """``sum_i d outer / d inner_i * d inner_i / d wrt``, the chain rule written out.

    ``outer`` is a function of the entries ``inner_base[i]`` and ``inner`` is the expression of
    ``inner_base[index]`` in the variables of ``wrt``. The result is an unevaluated sum of
    unevaluated derivatives: the raw, unsimplified chain-rule expression.
    """
    d_outer = sp.Derivative(outer, inner_base[index])
    d_inner = sp.Derivative(inner, wrt)
    return sp.Sum(sp.Mul(d_outer, d_inner, evaluate=False), (index, 1, size))


def unfold(expr: sp.Expr, definitions: Sequence[Definition], *, keep: frozenset[sp.Basic] = frozenset(),
           stable: Mapping[sp.Basic, sp.Expr] | None = None) -> sp.Expr:
    """Replace defined quantities by their definitions, recursively, except those in ``keep``.

    A partial derivative in a defined quantity (``Derivative(L, p[i])``) treats that quantity
    as an independent variable, as the chain rule is written by hand: its body is unfolded
    *except* for the quantity, differentiated, and only then is the rest unfolded.
    ``stable`` maps a base to the stable body to use instead of the definition (code
    generation), given with the definition's own index.
    """
    by_base = {d.base: d for d in definitions}

    def body_of(base: sp.Basic, at: tuple[sp.Expr, ...]) -> sp.Expr:
        d = by_base[base]
        if stable is not None and base in stable:
            return Definition(d.lhs, stable[base], d.description).body(at)
        return d.body(at)

    def name_of(e: sp.Basic) -> sp.Basic | None:
        if isinstance(e, sp.Indexed):
            return e.base
        if isinstance(e, sp.core.function.AppliedUndef):
            return e.func
        return e if isinstance(e, sp.Symbol) else None

    def rec(e: sp.Basic, keep: frozenset[sp.Basic]) -> sp.Basic:
        name = name_of(e)
        if name is not None and name in by_base and name not in keep:
            at = e.indices if isinstance(e, sp.Indexed) else e.args if isinstance(e, sp.core.function.AppliedUndef) else ()
            return rec(body_of(name, tuple(rec(a, keep) for a in at)), keep)
        if isinstance(e, sp.Derivative):
            wrt = [v for v, _ in e.variable_count]
            held = frozenset(n for n in map(name_of, wrt) if n is not None and n in by_base)
            inner = rec(e.expr, keep | held)
            if not held:
                # In primitive variables the derivative stays unevaluated, so an explicit-K
                # proof differentiates the explicit expression (independently of Sum rules).
                return sp.Derivative(inner, *e.variable_count)
            return rec(sp.Derivative(inner, *e.variable_count).doit(), keep)
        if not e.args or isinstance(e, (sp.Indexed, sp.Symbol)):
            return e
        return e.func(*[rec(a, keep) for a in e.args])

    return rec(expr, frozenset(keep))


# --- evaluation ---------------------------------------------------------------------------


def _decide_relational(rel: sp.Basic, ranges: Mapping[sp.Symbol, sp.Symbol]) -> sp.Basic:
    """Decide a relational between an index and its range (``j <= K``) from 1 <= j <= K."""
    idx = [s for s in rel.free_symbols if s in ranges]
    if len(idx) != 1:
        return rel
    (i,) = idx
    dim = ranges[i]
    a, b = sp.symbols("_a _b", integer=True, nonnegative=True)
    # Every pair 1 <= i <= K is i = 1 + a, K = 1 + a + b for some a, b >= 0.
    decided = rel.xreplace({i: 1 + a}).xreplace({dim: 1 + a + b})
    return decided if decided in (sp.true, sp.false) else rel


def resolve_index_ranges(expr: sp.Expr, ranges: Mapping[sp.Symbol, sp.Symbol]) -> sp.Expr:
    """Collapse ``Piecewise`` guards that follow from the index ranges (``INDEX_RANGE``)."""

    if not expr.has(sp.Piecewise):
        return expr

    def fix(pw: sp.Piecewise) -> sp.Expr:
        args = []
        for e, cond in pw.args:
            rels = cond.atoms(sp.core.relational.Relational)
            cond = cond.xreplace({r: _decide_relational(r, ranges) for r in rels})
            args.append((e, cond))
        return sp.Piecewise(*args)

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), fix)


def expand_terms(e: sp.Expr) -> sp.Expr:
    """Distribute products over sums, split ``exp(a + b)`` and ``log(a b)``; keep ``exp(Sum)``.

    Plain ``expand`` also rewrites ``exp(Sum(...))`` as ``Product(exp(...))``, a second name
    for the same quantity that the canonical forms would then fail to match.
    """
    e = e.replace(lambda x: isinstance(x, sp.exp) and isinstance(x.args[0], sp.Add),
                  lambda x: sp.Mul(*[sp.exp(a) for a in x.args[0].args]))
    # exp((z_k - c) / T) too (the tempered softmax): distributed, its argument is a sum.
    e = e.replace(lambda x: isinstance(x, sp.exp) and isinstance(x.args[0], sp.Mul) and x.args[0].has(sp.Add),
                  lambda x: sp.Mul(*[sp.exp(a) for a in sp.Add.make_args(sp.expand_mul(x.args[0]))]))
    return sp.expand(e, power_exp=False, power_base=False, log=True)


def _delta_partner(factor: sp.Basic, index: sp.Symbol) -> sp.Expr | None:
    """``x`` when ``factor`` is ``KroneckerDelta(index, x)`` (or a positive power of it)."""
    if isinstance(factor, sp.Pow) and factor.exp.is_Integer and factor.exp > 0:
        factor = factor.base
    if isinstance(factor, sp.KroneckerDelta) and index in factor.args:
        a, b = factor.args
        other = b if a == index else a
        return None if index in other.free_symbols else other
    return None


def _power_sum(term: sp.Expr, index: sp.Symbol) -> bool:
    """The index occurs only as a value, polynomially (no Indexed entry, no delta uses it)."""
    if not term.has(index) or term.has(sp.KroneckerDelta):
        return False
    if any(a.has(index) for a in term.atoms(sp.Indexed)):
        return False
    return bool(term.is_polynomial(index))


def _sum_doit(s: sp.Sum, ranges: Mapping[sp.Symbol, sp.Symbol]) -> sp.Expr:
    """Evaluate a sum: expand explicit limits, collapse Kronecker deltas, keep the rest.

    ``sum_{k=1}^{K} delta(k, j) f(k) = f(j)`` for an index ``j`` ranging over 1..K (the
    reported assumption :data:`INDEX_RANGE`); a term where the index is only a value, polynomially
    (``sum_k k^5``), takes its closed form; anything else stays a sum. All limits of a
    (possibly multiple) sum are handled together, since SymPy merges nested sums. Unlike
    ``Sum.doit`` this never searches for closed forms, which is slow and, on nested sums,
    can raise inside SymPy.
    """
    limits = list(s.limits)
    for n, (index, lo, hi) in enumerate(limits):
        if lo.is_Integer and hi.is_Integer:
            rest = limits[:n] + limits[n + 1:]
            body = sp.Add(*[s.function.xreplace({index: sp.Integer(v)}) for v in range(int(lo), int(hi) + 1)])
            return _sum_doit(sp.Sum(body, *rest), ranges) if rest else body
    if not s.function.has(sp.KroneckerDelta) and all(s.function.has(lim[0]) for lim in limits) \
            and not any(_power_sum(s.function, lim[0]) for lim in limits):
        return s
    total = sp.Integer(0)
    for term in sp.Add.make_args(expand_terms(s.function)):
        lims = list(limits)
        progress = True
        while progress and lims:
            progress = False
            for lim in lims:
                index, lo, hi = lim
                if not term.has(index):
                    term, progress = term * (hi - lo + 1), True
                else:
                    partner, rest = None, []
                    for factor in sp.Mul.make_args(term):
                        other = _delta_partner(factor, index) if partner is None else None
                        if other is not None:
                            partner = other
                        else:
                            rest.append(factor)
                    bound_here = {l[0]: l[2] for l in lims if l[1] == 1}
                    in_range = partner is not None and lo == 1 and (
                        ranges.get(partner) == hi or bound_here.get(partner) == hi
                        or (partner.is_Integer and bool((hi - partner).is_nonnegative) and partner >= 1))
                    if in_range:
                        term, progress = sp.Mul(*rest).xreplace({index: partner}), True
                    elif partner is None and _power_sum(term, index):
                        # sum_k k^5: the index only as a value, polynomially: Faulhaber's closed form
                        term, progress = sp.factor(sp.summation(term, (index, lo, hi))), True
                if progress:
                    lims.remove(lim)
                    break
        total += sp.Sum(term, *lims) if lims else term
    return total


def evaluate(expr: sp.Expr, ranges: Mapping[sp.Symbol, sp.Symbol]) -> sp.Expr:
    """Evaluate derivatives, limits, substitutions and sums of deltas, bottom-up.

    Differentiating a sum yields a sum of ``KroneckerDelta`` s, which is collapsed in turn
    (:func:`_sum_doit`); remaining ``Piecewise`` guards on index ranges are resolved with
    :data:`INDEX_RANGE`.
    """
    if not expr.has(sp.Sum, sp.Derivative, sp.Limit, sp.Piecewise, At, sp.Subs, sp.Product):
        return expr

    def rec(e: sp.Basic) -> sp.Basic:
        if not e.args or isinstance(e, (sp.Indexed, sp.Symbol, sp.IndexedBase)):
            return e
        if isinstance(e, sp.Sum):
            body = rec(e.function)
            out = _sum_doit(sp.Sum(body, *e.limits), ranges)
            return out if isinstance(out, sp.Sum) and out.function == body else rec(out)
        if isinstance(e, (sp.Derivative, sp.Limit, sp.Subs, At, sp.Product)):
            inner = rec(e.args[0])
            if isinstance(e, sp.Derivative) and inner.has(sp.log):
                # log(exp(z_k) / sum exp) -> z_k - log(sum exp) where SymPy knows the factors
                # are positive (an exact rewrite): differentiating the split form is far
                # cheaper than the quotient rule under a log, and simplifies to the same.
                inner = sp.expand_log(inner, deep=True)
            node = e.func(inner, *e.args[1:]) if inner != e.args[0] else e
            out = node.doit(deep=False) if not isinstance(node, At) else node.doit()
            return e if out == e else rec(out)
        new_args = [rec(a) for a in e.args]
        return e.func(*new_args) if new_args != list(e.args) else e

    return resolve_index_ranges(rec(expr), ranges)


def instantiate(expr: sp.Expr, sizes: Mapping[sp.Symbol, int], values: Mapping[sp.Symbol, int] | None = None) -> sp.Expr:
    """Explicit symbols: substitute sizes and index values, expand sums and derivatives."""
    sub = {k: sp.Integer(v) for k, v in sizes.items()}
    sub.update({k: sp.Integer(v) for k, v in (values or {}).items()})
    return evaluate(expr.xreplace(sub), {})


# --- assumptions --------------------------------------------------------------------------


class SumTable:
    """Canonical placeholders for sums over a class index, shared within one proof.

    Two sums equal up to renaming their index, and up to pulling factors that do not depend
    on the index outside, get the same placeholder symbol. The placeholder is positive when
    the summand is, so ``log(sum exp)`` expands like any positive quantity.
    """

    def __init__(self, indices: Iterable[sp.Symbol] = ()) -> None:
        self.indices = frozenset(indices)
        self._by_key: dict[sp.Basic, sp.Symbol] = {}
        self._rewrites: dict[sp.Basic, tuple[sp.Expr, tuple[sp.Symbol, ...], str]] = {}
        self.applied: set[str] = set()
        self.bodies: dict[sp.Basic, tuple[sp.Sum, tuple[sp.Symbol, ...]]] = {}

    def assume(self, assumption: Assumption) -> bool:
        """Register ``sum ... = rhs`` so that every matching sum is rewritten as it is met.

        Returns False when the assumption's left side is not a single sum.
        """
        lhs = assumption.lhs
        if not (isinstance(lhs, sp.Sum) and len(lhs.limits) == 1):
            return False
        key, deps = self._key(lhs.function, lhs.limits[0], frozenset())
        canon = [sp.Symbol(f"_outer_{n}", integer=True) for n in range(len(deps))]
        self._rewrites[key] = (assumption.rhs.xreplace(dict(zip(deps, canon))), tuple(canon), assumption.name)
        return True

    def _key(self, body: sp.Expr, limits: tuple[sp.Basic, ...], outer: frozenset[sp.Basic]
             ) -> tuple[sp.Basic, list[sp.Symbol]]:
        index, lo, hi = limits
        canon = sp.Symbol("_sum_index", integer=True)
        deps = sorted((s for s in (body.free_symbols - {index}) | lo.free_symbols | hi.free_symbols
                       if s in outer or s in self.indices), key=lambda s: s.name)
        canon_deps = [sp.Symbol(f"_outer_{n}", integer=True) for n in range(len(deps))]
        rename = {index: canon, **dict(zip(deps, canon_deps))}
        return sp.Tuple(body.xreplace(rename), lo.xreplace(rename), hi.xreplace(rename), len(deps)), deps
        self.bodies: dict[sp.Symbol, sp.Sum] = {}

    def placeholder(self, body: sp.Expr, limits: tuple[sp.Basic, ...], outer: frozenset[sp.Basic]) -> sp.Expr:
        """The placeholder of ``Sum(body, limits)``; indexed by the outer indices it uses.

        A sum that depends on another index (``sum_k Y[n, k]``) becomes ``S_m[n]``: an outer
        sum over ``n`` still sees the dependence, and ``sum_e X[s, e] T[a, e]`` and
        ``sum_e X[s, e] T[r, e]`` are entries of one placeholder family.
        """
        index, lo, hi = limits
        key, deps = self._key(body, limits, outer)
        canon_deps = [sp.Symbol(f"_outer_{n}", integer=True) for n in range(len(deps))]
        if key in self._rewrites:
            rhs, params, name = self._rewrites[key]
            self.applied.add(name)
            return rhs.xreplace(dict(zip(params, deps)))
        if key not in self._by_key:
            n = len(self._by_key)
            positive = bool(body.is_positive)
            sym = sp.Symbol(f"S_{n}", positive=True) if positive else sp.Symbol(f"S_{n}", real=True)
            if canon_deps:
                sym = sp.IndexedBase(f"S_{n}", positive=True) if positive else sp.IndexedBase(f"S_{n}", real=True)
            self._by_key[key] = sym
            self.bodies[sym] = (sp.Sum(body.xreplace({d: c for d, c in zip(deps, canon_deps)}),
                                       (index, lo, hi)), tuple(canon_deps))
        sym = self._by_key[key]
        return sym[tuple(deps)] if deps else sym

    def restore(self, expr: sp.Expr) -> sp.Expr:
        """Placeholders back to the sums they stand for (for reporting residuals)."""
        def back(e: sp.Basic) -> sp.Basic:
            base = e.base if isinstance(e, sp.Indexed) else e
            body, params = self.bodies[base]
            return body.xreplace(dict(zip(params, e.indices))) if params else body
        keys = set(self.bodies)
        return expr.replace(lambda e: (isinstance(e, sp.Symbol) and e in keys)
                            or (isinstance(e, sp.Indexed) and e.base in keys), back)

    def replace_sums(self, expr: sp.Expr) -> sp.Expr:
        """Replace every ``Sum`` by linear combinations of canonical placeholders."""
        return _replace_sums(expr, self)


def _replace_sums(expr: sp.Expr, table: SumTable, outer: frozenset[sp.Basic] = frozenset()) -> sp.Expr:
    if not expr.has(sp.Sum):
        return expr
    if isinstance(expr, sp.Sum):
        if len(expr.limits) != 1:
            # Sum(f, (a, ..), (b, ..)) is sum over b of (sum over a of f). The inner sum becomes
            # a placeholder first: rebuilt as a Sum, SymPy would merge the two again.
            first, rest = expr.limits[0], expr.limits[1:]
            inner = _replace_sums(sp.Sum(expr.function, first), table, outer | {lim[0] for lim in rest})
            return _replace_sums(sp.Sum(inner, *rest), table, outer)
        index, lo, hi = expr.limits[0]
        body = _replace_sums(expr.function, table, outer | {index})
        total = sp.Integer(0)
        for term in sp.Add.make_args(expand_terms(body)):
            const, dep = term.as_independent(index, as_Add=False)
            if dep == 1:
                total += const * (hi - lo + 1)
            else:
                total += const * table.placeholder(dep, (index, lo, hi), outer)
        return total
    return expr.func(*[_replace_sums(a, table, outer) for a in expr.args])


@functools.lru_cache(maxsize=256)
def _eliminate(equation: sp.Expr, sizes: tuple[tuple[sp.Symbol, int], ...],
               values: tuple[tuple[sp.Symbol, int], ...]) -> tuple[sp.Basic, sp.Expr] | None:
    """Solve the instantiated ``equation = 0`` for its last unknown: ``(unknown, solution)``."""
    eq = sp.expand(instantiate(equation, dict(sizes), dict(values)))
    unknowns = sorted(eq.atoms(sp.Indexed), key=sp.default_sort_key)
    if not unknowns:
        return None
    target = unknowns[-1]
    (solution,) = sp.solve(eq, target, dict=False)
    return target, solution


def apply_assumptions(expr: sp.Expr, assumptions: Sequence[Assumption], *, table: SumTable | None = None,
                      sizes: Mapping[sp.Symbol, int] | None = None,
                      ranges: Mapping[sp.Symbol, sp.Symbol] | None = None) -> sp.Expr:
    """Rewrite ``expr`` with each assumption ``lhs = rhs``.

    Symbolic sizes (``table`` given): the assumption's ``lhs`` is canonicalised with the same
    :class:`SumTable`, and its placeholder is substituted. Explicit ``sizes``: the instantiated
    equation is solved for its last unknown (the highest-indexed entry), which is eliminated.
    """
    for a in assumptions:
        if sizes is not None:
            # An assumption with a free index (sum_k Y[s, k] = 1) holds for each of its values.
            free = free_class_indices(a.lhs - a.rhs, ranges or {})
            combos = itertools.product(*[range(1, sizes[(ranges or {})[f]] + 1) for f in free])
            for combo in combos:
                elimination = _eliminate(a.lhs - a.rhs, tuple(sorted(sizes.items(), key=lambda kv: kv[0].name)),
                                         tuple(zip(free, combo)))
                if elimination is not None:
                    expr = expr.xreplace({elimination[0]: elimination[1]})
        else:
            assert table is not None
            lhs = table.replace_sums(sp.expand(a.lhs))
            if isinstance(lhs, sp.Indexed) and str(lhs.base).startswith("S_"):
                # A per-sample assumption (sum_k Y[s, k] = 1): every S_m[x] becomes rhs at x.
                params = lhs.indices
                expr = expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == lhs.base,
                                    lambda e: a.rhs.xreplace(dict(zip(params, e.indices))))
            elif isinstance(lhs, sp.Symbol):
                expr = expr.xreplace({lhs: a.rhs})
            else:
                expr = expr.subs(lhs, a.rhs)
    return expr


# --- deciding zero ------------------------------------------------------------------------


def _opaque_shifts(expr: sp.Expr) -> sp.Expr:
    """Replace each ``ClassMax`` by a real symbol: the claim must hold for every shift."""
    maxes = sorted(expr.atoms(ClassMax), key=sp.default_sort_key)
    return expr.xreplace({m: sp.Symbol(f"c_{n}", real=True) for n, m in enumerate(maxes)})


# The rewrites of _rewrite_special, in order: (the class rewritten, its replacement).
_SPECIAL_REWRITES: tuple[tuple[type, Callable[[sp.Basic], sp.Expr]], ...] = (
    (sp.UnevaluatedExpr, lambda e: e.args[0]),
    (ClassMax, _opaque_shifts),  # the whole expression: one symbol per distinct max
    (xlogy, lambda e: e.args[0] * sp.log(e.args[1])),
    (xdivy, lambda e: e.args[0] / e.args[1]),
    (xmuly, lambda e: e.args[0] * e.args[1]),
    (xlog1py, lambda e: e.args[0] * sp.log(1 + e.args[1])),
    (log1p, lambda e: sp.log(1 + e.args[0])),
    (exp_diff, lambda e: sp.exp(e.args[0] - e.args[1])),
)


def _rewrite_special(expr: sp.Expr) -> sp.Expr:
    # Only the rewrites of classes the expression holds: each is a walk that rebuilds the whole
    # tree, and most instances hold one or two of them (a rewrite never introduces another's
    # class, so the classes present at the start are the ones to rewrite).
    present = {type(x) for x in sp.preorder_traversal(expr)}
    for cls, rewrite in _SPECIAL_REWRITES:
        if not any(issubclass(t, cls) for t in present):
            continue
        if cls is ClassMax:
            expr = rewrite(expr)
        else:
            expr = expr.replace(lambda e, cls=cls: isinstance(e, cls), rewrite)
    if expr.has(sp.tanh, sp.sinh, sp.cosh):
        expr = expr.rewrite(sp.exp)
    return expr


def sign_cases(expr: sp.Expr) -> list[dict[sp.Basic, sp.Expr]]:
    """Substitutions that split real atoms under ``Abs``/``Max``/``Min`` by sign.

    Each atom ``u`` becomes ``t``, ``-t`` (``t > 0``) and ``0``: the three cases cover every real
    ``u``, and in each of them ``Abs``/``Max``/``Min`` evaluate to a single branch.
    """
    atoms: set[sp.Basic] = set()
    for f in expr.atoms(sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign):
        for arg in f.args:
            atoms |= _real_atoms(arg)
    if not atoms:
        return [{}]
    # A positive (negative) atom has one sign: substituting -t for it would be unsound for
    # the rest of the expression (log(-t)) and is never needed.
    ordered = sorted((a for a in atoms if not (a.is_positive or a.is_negative)), key=sp.default_sort_key)
    if not ordered:
        return [{}]
    if len(ordered) > 4:
        raise ValueError(f"too many sign cases to split: {ordered}")
    cases = []
    for signs in itertools.product((1, -1, 0), repeat=len(ordered)):
        cases.append({a: s * sp.Symbol(f"t_{n}", positive=True) for n, (a, s) in enumerate(zip(ordered, signs))})
    return cases


def _real_atoms(expr: sp.Expr) -> set[sp.Basic]:
    """Real variables of ``expr``: entries ``z[i]`` and real symbols, not indices or sums."""
    found: set[sp.Basic] = set(a for a in expr.atoms(sp.Indexed) if a.is_real)
    inside = {s for a in found for s in a.free_symbols}
    for s in expr.free_symbols - inside:
        if isinstance(s, sp.Symbol) and s.is_real and not s.is_integer and not s.name.startswith("S_"):
            found.add(s)
    return found


def _has_reciprocal(e: sp.Basic) -> bool:
    return any(a.is_Pow and a.exp.is_negative for a in sp.preorder_traversal(e))


def _common_numerator(expr: sp.Expr) -> sp.Expr | None:
    """The numerator of ``expr`` over the product of its terms' denominators, or None.

    Each term of the distributed sum is ``c * prod(b_i ** -e_i) * rest``; multiplying every
    term by the least common multiple of those powers (base by base, no GCDs) leaves a
    polynomial. None when a denominator nests another fraction (then ``together`` is used).
    """
    split = []
    lcd: dict[sp.Expr, int] = {}
    for term in sp.Add.make_args(sp.expand_mul(expr)):
        numerator, denominator = [], {}
        for f in sp.Mul.make_args(term):
            if f.is_Pow and f.exp.is_Integer and f.exp < 0:
                if _has_reciprocal(f.base):
                    return None
                denominator[f.base] = denominator.get(f.base, 0) - int(f.exp)
            elif f.is_Rational and f.q != 1:
                numerator.append(sp.Integer(f.p))
                q = sp.Integer(f.q)
                denominator[q] = denominator.get(q, 0) + 1
            elif _has_reciprocal(f):
                return None
            else:
                numerator.append(f)
        split.append((numerator, denominator))
        for base, e in denominator.items():
            lcd[base] = max(lcd.get(base, 0), e)
    terms = []
    for numerator, denominator in split:
        missing = [base ** (e - denominator.get(base, 0)) for base, e in lcd.items() if e > denominator.get(base, 0)]
        terms.append(sp.Mul(*numerator, *missing))
    return sp.Add(*terms)


def _zero_with_opaque_denominators(expr: sp.Expr) -> bool:
    """Whether ``expr`` is zero with each sum in a denominator replaced by its own symbol.

    Sound: if the expression vanishes identically with ``D`` independent of the other
    symbols, it vanishes for ``D = sum ...`` too. A denominator whose terms are a subset (or
    superset) of a larger one's is written through that one's symbol, ``S - e_c = D - e_c``,
    an identity at ``D = S``, so that related sums (a softmax's ``1 - p_c``) stay related.
    Cheap: the common denominator is then a product of monomials and binomials, where
    multiplying out powers of the sums themselves (``S**2 Q`` over a dozen exponentials) is
    what made the chain rule through two softmaxes (distillation) take minutes. ``False``
    means "not shown this way"; the caller then expands the sums.
    """
    # 1 - e_c / S as one fraction, (S - e_c) / S: its reciprocal is then a plain sum's.
    nested = {f: _common_denominator(f.base) ** f.exp for f in expr.atoms(sp.Pow)
              if f.base.is_Add and f.exp.is_Integer and f.exp < 0 and _has_reciprocal(f.base)}
    expr = expr.xreplace(nested)
    bases = sorted({f.base for f in expr.atoms(sp.Pow) if f.base.is_Add and f.exp.is_Integer and f.exp < 0},
                   key=lambda b: (-len(b.args), sp.default_sort_key(b)))
    if not bases:
        return False
    opaque: dict[sp.Expr, sp.Expr] = {}
    named: list[tuple[frozenset[sp.Expr], sp.Symbol]] = []
    for base in bases:
        terms = frozenset(base.args)
        for larger, symbol in named:
            if terms < larger:
                opaque[base] = symbol - sp.Add(*sorted(larger - terms, key=sp.default_sort_key))
                break
            if larger < terms:
                opaque[base] = symbol + sp.Add(*sorted(terms - larger, key=sp.default_sort_key))
                break
        else:
            symbol = sp.Symbol(f"_D_{len(named)}")
            named.append((terms, symbol))
            opaque[base] = symbol
    numerator = _common_numerator(expr.xreplace(opaque))
    return numerator is not None and sp.expand(numerator) == 0


def _rational_zero(expr: sp.Expr) -> bool | None:
    """Decide ``expr == 0`` for a rational function of its symbols; None if it is not one.

    Over a common denominator (an exact rewrite; the denominators are nonzero wherever the
    expression is defined), the expression is zero exactly when the expanded numerator is.
    The base-by-base common denominator of :func:`_common_numerator` is tried first: the
    GCDs of ``together`` and of field arithmetic dominate the run time in the dozens of
    variables of these derivations.
    """
    if expr.atoms(sp.Function):
        return None
    if _zero_with_opaque_denominators(expr):
        return True
    numerator = _common_numerator(expr)
    if numerator is None:
        numerator, _ = sp.fraction(sp.together(expr))
    return sp.expand(numerator) == 0


def _exp_symbols(expr: sp.Expr) -> tuple[sp.Expr, dict[sp.Symbol, sp.Expr]]:
    """Replace ``exp(c1 m1 + c2 m2 + ...)`` by ``E_1**c1 * E_2**c2 ...`` (``E_i = exp(m_i)``).

    Each monomial ``m`` under an exponential gets one positive symbol, so ``exp(2m)``,
    ``exp(m - n)`` and ``exp(m) exp(n)`` are all rational in the same symbols. Returns the new
    expression and ``{E_i: m_i}``, used to turn ``log(E_i)`` back into ``m_i``.
    """
    table: dict[sp.Expr, sp.Symbol] = {}

    def symbol_for(monomial: sp.Expr) -> sp.Symbol:
        if monomial not in table:
            table[monomial] = sp.Symbol(f"E_{len(table)}", positive=True)
        return table[monomial]

    def rewrite(e: sp.exp) -> sp.Expr:
        out = sp.Integer(1)
        for term in sp.Add.make_args(sp.expand(e.args[0])):
            coeff, monomial = term.as_coeff_Mul()
            if monomial == 1:
                out *= sp.exp(coeff)
            elif coeff.is_Rational:
                out *= symbol_for(monomial) ** coeff
            else:
                out *= symbol_for(term)
        return out

    found = sorted(expr.atoms(sp.exp), key=sp.default_sort_key)
    new = expr.xreplace({e: rewrite(e) for e in found})
    return new, {sym: m for m, sym in table.items()}


@functools.lru_cache(maxsize=1024)
def _common_denominator(base: sp.Expr) -> sp.Expr:
    """``base`` as one canonical fraction (the same base recurs in every instance of a proof)."""
    return sp.cancel(sp.together(base))


def _power_symbols(expr: sp.Expr) -> sp.Expr:
    """Replace each power with a symbolic exponent, ``b**(k e + n)``, by ``P**k * b**n``.

    ``P`` is one opaque symbol per (base, symbolic part ``e``) and ``k``, ``n`` are integers,
    so ``(1 - p)**gamma`` and ``(1 - p)**(gamma - 1)`` (the focal loss and its derivative)
    become ``P`` and ``P / (1 - p)``, and their identities rational ones. The base is kept
    whole (put over a common denominator, not split into factors): ``b**(e + n) = b**e b**n``
    and ``b**(k e) = (b**e)**k`` hold for every non-zero ``b`` and integers ``k``, ``n``, so
    as with logarithms, zero with the symbols independent implies zero for their values.
    """
    powers = sorted((x for x in expr.atoms(sp.Pow) if x.exp.free_symbols), key=sp.default_sort_key)
    if not powers:
        return expr
    table: dict[tuple[sp.Expr, sp.Expr], sp.Symbol] = {}
    replacements = {}
    for power in powers:
        number, symbolic = power.exp.as_coeff_Add()
        times, core = symbolic.as_coeff_Mul()
        if not (number.is_Integer and times.is_Integer):
            number, times, core = sp.Integer(0), sp.Integer(1), power.exp
        base = _common_denominator(power.base)
        key = (base, core)
        if key not in table:
            table[key] = sp.Symbol(f"P_{len(table)}")
        replacements[power] = table[key] ** times * base**number
    return expr.xreplace(replacements)


def _normal_zero(expr: sp.Expr) -> sp.Expr:
    """A canonical form in which the identities of this family become rational identities.

    Exponentials become positive symbols (:func:`_exp_symbols`), logarithms are expanded,
    ``log(E_i)`` becomes its monomial, and every remaining ``log(x)`` an opaque symbol. Zero
    with those symbols independent implies zero for their actual values: a sound proof.
    """
    e, exps = _exp_symbols(expr)
    # log of a sum of fractions -> log(numerator) - log(denominator), each with its monomial
    # content factored out, so equal logs are recognised however their sum was written.
    e = sp.expand_log(e, deep=True)
    for _ in range(4):  # expanding can expose new logs of sums; a few rounds reach a fixed point
        again = e.replace(lambda x: isinstance(x, sp.log) and isinstance(x.args[0], sp.Add),
                          lambda x: sp.log(sp.factor_terms(sp.cancel(sp.together(x.args[0])))))
        again = sp.expand_log(again, deep=True)
        if again == e:
            break
        e = again
    e = e.xreplace({sp.log(sym): m for sym, m in exps.items()})
    logs = sorted((x for x in e.atoms(sp.log) if not x.args[0].is_number), key=sp.default_sort_key)
    e = e.xreplace({x: sp.Symbol(f"L_{n}", real=True) for n, x in enumerate(logs)})
    e = _power_symbols(e)
    decided = _rational_zero(e)
    if decided is True:
        return sp.Integer(0)
    e = sp.cancel(sp.together(e))
    return e


def prepare(expr: sp.Expr, *, ranges: Mapping[sp.Symbol, sp.Symbol], assumptions: Sequence[Assumption] = (),
            sizes: Mapping[sp.Symbol, int] | None = None) -> tuple[sp.Expr, SumTable | None]:
    """Evaluate ``expr``, rewrite special functions, apply the assumptions.

    ``sizes`` None means symbolic sizes: sums are canonicalised to placeholders first (the
    table is returned to translate residuals back); otherwise ``expr`` must already be
    instantiated at those sizes.
    """
    e = _rewrite_special(evaluate(expr, ranges))
    if sizes is None:
        table = SumTable(ranges)
        rest = [a for a in assumptions if not table.assume(a)]
        return apply_assumptions(table.replace_sums(e), rest, table=table), table
    return apply_assumptions(e, assumptions, sizes=sizes, ranges=ranges), None


def _collapse_deltas(expr: sp.Expr) -> sp.Expr:
    """Each term ``delta_ab X(a, b)`` as ``delta_ab X(a, a)``: sound, since the term vanishes
    unless a = b. Lets symbolic-K proofs see that ``delta_jc (w_c - w_j)`` is zero."""
    out = []
    for term in sp.Add.make_args(sp.expand(expr)):
        deltas = [f for f in sp.Mul.make_args(term)
                  if isinstance(f, sp.KroneckerDelta) and all(isinstance(a, sp.Symbol) for a in f.args)]
        if deltas:
            delta = deltas[0]
            a, b = sorted(delta.args, key=sp.default_sort_key)
            rest = sp.Mul(*[f for f in sp.Mul.make_args(term) if f is not delta])
            term = delta * rest.xreplace({b: a})
        out.append(term)
    return sp.Add(*out)


def decide_zero(prepared: sp.Expr, table: SumTable | None = None) -> sp.Expr:
    """0 when the prepared expression is identically zero, else a simplified residual."""
    residuals = []
    for case in sign_cases(prepared):
        branch = prepared.xreplace(case) if case else prepared
        r = _normal_zero(branch)
        if r != 0 and r.has(sp.KroneckerDelta):
            numerator, denominator = sp.fraction(r)
            numerator = sp.expand(_collapse_deltas(numerator))
            r = sp.Integer(0) if numerator == 0 else numerator / denominator
        if r != 0:
            r = sp.simplify(r)
        if r != 0:
            residuals.append(r)
    if not residuals:
        return sp.Integer(0)
    return table.restore(residuals[0]) if table is not None else residuals[0]


def zero_residual(expr: sp.Expr, *, ranges: Mapping[sp.Symbol, sp.Symbol], assumptions: Sequence[Assumption] = (),
                  sizes: Mapping[sp.Symbol, int] | None = None) -> sp.Expr:
    """Evaluate and simplify ``expr`` under ``assumptions``; 0 exactly when it is proven zero."""
    return decide_zero(*prepare(expr, ranges=ranges, assumptions=assumptions, sizes=sizes))


def nonnegative(expr: sp.Expr, strict: bool = False) -> bool:
    """Whether ``expr`` is *manifestly* non-negative (positive when ``strict``).

    Structural: sums and products of such terms, even powers of real terms, ``exp``, and leaves
    whose SymPy assumptions say so. A ``False`` means "not shown", not "negative".
    """
    e = expr
    if strict:
        if e.is_positive:
            return True
    elif e.is_nonnegative:
        return True
    if isinstance(e, sp.Add):
        parts = [nonnegative(a) for a in e.args]
        if not all(parts):
            return False
        return not strict or any(nonnegative(a, strict=True) for a in e.args)
    if isinstance(e, sp.Mul):
        return all(nonnegative(a, strict) for a in e.args)
    if isinstance(e, sp.Pow):
        base, exp_ = e.args
        if exp_.is_integer and exp_.is_even and base.is_real:
            return not strict or bool(base.is_nonzero) or nonnegative(base, True)
        return nonnegative(base, strict) and bool(exp_.is_real)
    if isinstance(e, sp.exp):
        return bool(e.args[0].is_real)
    if isinstance(e, sp.Sum):
        body_ok = nonnegative(e.function, strict)
        return body_ok
    if isinstance(e, sp.KroneckerDelta):
        return not strict
    return False


def _free(e: sp.Basic, bound: frozenset[sp.Basic]) -> set[sp.Basic]:
    if isinstance(e, sp.Symbol):
        return set() if e in bound else {e}
    if isinstance(e, (sp.Sum, sp.Product)):
        out = _free(e.function, bound | {lim[0] for lim in e.limits})
        for lim in e.limits:
            for edge in lim[1:]:
                out |= _free(edge, bound)
        return out
    if isinstance(e, ClassMax):
        return _free(e.args[0], bound | {e.args[1]})
    # Derivative.free_symbols leaves out the variable (z[j]); its index j is free here.
    return set().union(*(_free(a, bound) for a in e.args)) if e.args else set()


def free_class_indices(expr: sp.Expr, ranges: Iterable[sp.Symbol]) -> list[sp.Symbol]:
    """Free index symbols of ``expr`` (not bound by a sum or max), sorted by name."""
    free = _free(expr, frozenset())
    return sorted((s for s in ranges if s in free), key=lambda s: s.name)
