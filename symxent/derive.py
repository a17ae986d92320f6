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

import itertools
from collections.abc import Iterable, Mapping, Sequence

import sympy as sp
from sympy.codegen.cfunctions import log1p

from symxent.registry import Assumption, Definition

__all__ = [
    "INDEX_RANGE",
    "ClassMax",
    "SumTable",
    "apply_assumptions",
    "chain_rule",
    "class_sum",
    "evaluate",
    "instantiate",
    "log1p",
    "partial",
    "unfold",
    "sign_cases",
    "xlogy",
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
        return sp.log(y) if argindex == 1 else x / y

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return r"%s \log %s" % (printer.parenthesize(self.args[0], 50), printer.parenthesize(self.args[1], 60))


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

    def body_of(base: sp.Basic, at: sp.Expr | None) -> sp.Expr:
        d = by_base[base]
        if stable is not None and base in stable:
            body = stable[base]
            return body.xreplace({d.lhs.indices[0]: at}) if isinstance(d.lhs, sp.Indexed) and at is not None else body
        return d.body(at)

    def rec(e: sp.Basic, keep: frozenset[sp.Basic]) -> sp.Basic:
        if isinstance(e, sp.Indexed) and e.base in by_base and e.base not in keep:
            return rec(body_of(e.base, e.indices[0]), keep)
        if isinstance(e, sp.Symbol) and e in by_base and e not in keep:
            return rec(body_of(e, None), keep)
        if isinstance(e, sp.Derivative):
            wrt = [v for v, _ in e.variable_count]
            held = frozenset(v.base if isinstance(v, sp.Indexed) else v for v in wrt if
                             (v.base if isinstance(v, sp.Indexed) else v) in by_base)
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
    decided = sp.simplify(decided)
    return decided if decided in (sp.true, sp.false) else rel


def resolve_index_ranges(expr: sp.Expr, ranges: Mapping[sp.Symbol, sp.Symbol]) -> sp.Expr:
    """Collapse ``Piecewise`` guards that follow from the index ranges (``INDEX_RANGE``)."""

    def fix(pw: sp.Piecewise) -> sp.Expr:
        args = []
        for e, cond in pw.args:
            rels = cond.atoms(sp.core.relational.Relational)
            cond = cond.xreplace({r: _decide_relational(r, ranges) for r in rels})
            args.append((e, cond))
        return sp.Piecewise(*args)

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), fix)


def evaluate(expr: sp.Expr, ranges: Mapping[sp.Symbol, sp.Symbol]) -> sp.Expr:
    """``doit`` everything (derivatives, sums of deltas, limits), then resolve index guards."""
    out = resolve_index_ranges(expr.doit(), ranges)
    # Differentiating a Sum yields a new Sum of KroneckerDeltas that only a further doit
    # collapses; iterate to a fixed point (a few passes in practice).
    for _ in range(4):
        again = resolve_index_ranges(out.doit(), ranges)
        if again == out:
            break
        out = again
    return out


def instantiate(expr: sp.Expr, sizes: Mapping[sp.Symbol, int], values: Mapping[sp.Symbol, int] | None = None) -> sp.Expr:
    """Explicit symbols: substitute sizes and index values, expand sums and derivatives."""
    sub = {k: sp.Integer(v) for k, v in sizes.items()}
    sub.update({k: sp.Integer(v) for k, v in (values or {}).items()})
    return expr.xreplace(sub).doit()


# --- assumptions --------------------------------------------------------------------------


class SumTable:
    """Canonical placeholders for sums over a class index, shared within one proof.

    Two sums equal up to renaming their index, and up to pulling factors that do not depend
    on the index outside, get the same placeholder symbol. The placeholder is positive when
    the summand is, so ``log(sum exp)`` expands like any positive quantity.
    """

    def __init__(self) -> None:
        self._by_key: dict[sp.Basic, sp.Symbol] = {}
        self.bodies: dict[sp.Symbol, sp.Sum] = {}

    def placeholder(self, body: sp.Expr, limits: tuple[sp.Basic, ...]) -> sp.Symbol:
        index, lo, hi = limits
        canon = sp.Symbol("_sum_index", integer=True)
        key = sp.Tuple(body.xreplace({index: canon}), lo, hi)
        if key not in self._by_key:
            n = len(self._by_key)
            positive = bool(body.is_positive)
            sym = sp.Symbol(f"S_{n}", positive=True) if positive else sp.Symbol(f"S_{n}", real=True)
            self._by_key[key] = sym
            self.bodies[sym] = sp.Sum(body, limits)
        return self._by_key[key]

    def replace_sums(self, expr: sp.Expr) -> sp.Expr:
        """Replace every ``Sum`` by linear combinations of canonical placeholders."""
        return _replace_sums(expr, self)


def _replace_sums(expr: sp.Expr, table: SumTable) -> sp.Expr:
    if not expr.has(sp.Sum):
        return expr
    if isinstance(expr, sp.Sum):
        if len(expr.limits) != 1:
            inner = sp.Sum(expr.function, *expr.limits[:-1])
            return _replace_sums(sp.Sum(inner, expr.limits[-1]), table)
        index, lo, hi = expr.limits[0]
        body = _replace_sums(expr.function, table)
        total = sp.Integer(0)
        for term in sp.Add.make_args(sp.expand(body)):
            const, dep = term.as_independent(index, as_Add=False)
            if dep == 1:
                total += const * (hi - lo + 1)
            else:
                total += const * table.placeholder(dep, (index, lo, hi))
        return total
    return expr.func(*[_replace_sums(a, table) for a in expr.args])


def apply_assumptions(expr: sp.Expr, assumptions: Sequence[Assumption], *, table: SumTable | None = None,
                      sizes: Mapping[sp.Symbol, int] | None = None) -> sp.Expr:
    """Rewrite ``expr`` with each assumption ``lhs = rhs``.

    Symbolic sizes (``table`` given): the assumption's ``lhs`` is canonicalised with the same
    :class:`SumTable`, and its placeholder is substituted. Explicit ``sizes``: the instantiated
    equation is solved for its last unknown (the highest-indexed entry), which is eliminated.
    """
    for a in assumptions:
        if sizes is not None:
            eq = sp.expand(instantiate(a.lhs - a.rhs, sizes))
            unknowns = sorted(eq.atoms(sp.Indexed), key=sp.default_sort_key)
            if not unknowns:
                continue
            target = unknowns[-1]
            (solution,) = sp.solve(eq, target, dict=False)
            expr = expr.xreplace({target: solution})
        else:
            assert table is not None
            lhs = table.replace_sums(sp.expand(a.lhs))
            if isinstance(lhs, sp.Symbol):
                expr = expr.xreplace({lhs: a.rhs})
            else:
                expr = expr.subs(lhs, a.rhs)
    return expr


# --- deciding zero ------------------------------------------------------------------------


def _opaque_shifts(expr: sp.Expr) -> sp.Expr:
    """Replace each ``ClassMax`` by a real symbol: the claim must hold for every shift."""
    maxes = sorted(expr.atoms(ClassMax), key=sp.default_sort_key)
    return expr.xreplace({m: sp.Symbol(f"c_{n}", real=True) for n, m in enumerate(maxes)})


def _rewrite_special(expr: sp.Expr) -> sp.Expr:
    expr = _opaque_shifts(expr)
    expr = expr.replace(lambda e: isinstance(e, xlogy), lambda e: e.args[0] * sp.log(e.args[1]))
    expr = expr.replace(lambda e: isinstance(e, log1p), lambda e: sp.log(1 + e.args[0]))
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
    ordered = sorted(atoms, key=sp.default_sort_key)
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


def _exp_atoms(expr: sp.Expr) -> list[sp.Basic]:
    found: set[sp.Basic] = set()
    for e in expr.atoms(sp.exp):
        found |= _real_atoms(e.args[0])
    return sorted(found, key=sp.default_sort_key)


def _log_substitution(expr: sp.Expr) -> sp.Expr:
    """Substitute every real ``u`` under ``exp`` by ``log(E_u)`` with ``E_u > 0``.

    A bijection of the reals onto the positive reals, so the identity is unchanged; after it,
    sums of exponentials are rational functions, whose zero test (``cancel``) is decisive.
    """
    atoms = _exp_atoms(expr)
    if not atoms:
        return expr
    sub = {a: sp.log(sp.Symbol(f"E_{n}", positive=True)) for n, a in enumerate(atoms)}
    out = expr.xreplace(sub)
    return sp.expand_power_exp(sp.powsimp(out, combine="exp"))


def _normal_zero(expr: sp.Expr) -> sp.Expr:
    """A cheap canonical form; returns 0 for the identities this project proves."""
    e = sp.expand_log(expr, deep=True)
    e = _log_substitution(e)
    e = sp.expand_log(e, deep=True)
    e = sp.expand_power_exp(e)
    e = sp.cancel(sp.together(e))
    if e != 0 and e.has(sp.log):
        e = sp.cancel(sp.expand(sp.expand_log(e, deep=True, force=False)))
    return e


def zero_residual(expr: sp.Expr, *, ranges: Mapping[sp.Symbol, sp.Symbol], assumptions: Sequence[Assumption] = (),
                  sizes: Mapping[sp.Symbol, int] | None = None) -> sp.Expr:
    """Evaluate and simplify ``expr`` under ``assumptions``; 0 exactly when it is proven zero.

    ``sizes`` None means symbolic sizes (sums are canonicalised to placeholders first);
    otherwise ``expr`` must already be instantiated at those sizes.
    """
    e = evaluate(expr, ranges)
    e = _rewrite_special(e)
    table: SumTable | None = None
    if sizes is None:
        table = SumTable()
        e = table.replace_sums(e)
        e = apply_assumptions(e, assumptions, table=table)
    else:
        e = apply_assumptions(e, assumptions, sizes=sizes)
    residuals = []
    for case in sign_cases(e):
        branch = e.xreplace(case) if case else e
        r = _normal_zero(branch)
        if r != 0:
            r = sp.simplify(r)
        if r != 0:
            residuals.append(r)
    if not residuals:
        return sp.Integer(0)
    r = residuals[0]
    if table is not None:
        r = r.xreplace(table.bodies)
    return r


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
