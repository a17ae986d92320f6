"""Print proven symbolic-K expressions as broadcasting NumPy, and render the modules.

Contract:
- A kernel's outputs are the right-hand sides of proven claims, with every definition
  unfolded to its *proven stable form* (``Definition.stable``); nothing numeric is typed here
  or in a template.
- Lowering maps index notation to arrays whose last axis is the class axis. Each free index of
  an output gets an axis slot (``(j,)``: shape (..., K); ``(j, l)``: (..., K, K)); a ``Sum`` or
  ``ClassMax`` over an index is a reduction over one extra trailing slot, printed with
  ``keepdims=True`` when its summand uses no outer index; ``z[c]`` with a per-sample class
  index ``c`` is ``take_along_axis``; ``KroneckerDelta`` is an identity (two slots) or a
  one-hot (slot and class index). Per-sample scalars are kept as (..., 1) inside a kernel so
  common subexpressions are shared between a loss and its gradient, and squeezed on return.
- Common subexpressions are eliminated (``sympy.cse``) across all outputs of a kernel. A
  temporary is named after what it holds where that has a short name (``TemporaryNames``: the
  derivation's ``max_z`` and ``shifted``, the arguments, a word per operation, as
  ``sum_exp_shifted``), else numbered ``t0``, ``t1``, ... without gaps.
- The fast (in-place, blocked) form of a kernel is a list of typed instructions over
  registers, allocated to buffers and printed at the end; a gradient's "mean" divisor is
  folded into its per-sample factor when that costs no pass. Where a loss of index targets
  reads the logits only through ``exp(x - max z)`` and ``z_c``, the rows-first fast form takes
  the target's logit for the shift (the claims hold for every shift) and prints each
  ``exp(x - max z)`` as ``exp(x) / exp(z_c)`` (``_pivot_factored``, checked with the prover's
  zero test): no pass for the max nor for ``z - max z``. Rows where that is less accurate than
  the max shift are found per row at run time and computed again by the plain kernel, which
  keeps the max shift (``HELPERS["_pivot_rows"]``, ``HELPERS["_redo_rows"]``).
- Rendering is deterministic: sorted iteration, no timestamps, no Dummy names. The same
  registry gives the same bytes.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib.resources
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import log1p
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from symxent import __version__, atomic, derive
from symxent.registry import Derivation, Kernel, Module, Registry, template_directories

__all__ = ["GeneratedFile", "KernelSource", "TemporaryNames", "check", "kernel_source", "render_all", "render_module",
           "render_registry", "template_parts", "write"]

REGENERATE = "symxent generate"


# --- array operations produced by lowering -------------------------------------------------


class Ref(sp.Function):
    """``Ref(name, spec)``: an input array, indexed by ``spec`` (e.g. "..., :, None")."""

    nargs = 2


class Take(sp.Function):
    """``Take(array, index_array, spec)``: the entry of each sample's class index, (..., 1)."""

    nargs = 3


class Reduce(sp.Function):
    """``Reduce(op, body, keepdims)``: a sum or max over the last axis."""

    nargs = 3


class Expand(sp.Function):
    """``Expand(value, spec)``: insert broadcast axes into a reduced value."""

    nargs = 2


class Eye(sp.Function):
    """``Eye(spec)``: the K x K identity, broadcast as ``spec``."""

    nargs = 1


class OneHot(sp.Function):
    """``OneHot(index_array, spec)``: ``class == index`` along the class axis."""

    nargs = 2


class exp_apart(sp.Function):
    """``exp_apart(x)`` is ``exp(x)``, kept apart from the other exponentials of a product
    (SymPy would merge ``exp(z_j) / exp(z_c)`` back into ``exp(z_j - z_c)``, the pass over the
    block the pivot form saves): see ``_pivot_factored``."""

    nargs = 1


class pivot_rows(sp.Function):
    """``pivot_rows(s, e)``: the rows of a block whose pivot form (the sum ``s`` of their
    ``exp(z)``, the pivot's ``e = exp(z_c)``) is less accurate than the max shift; printed as
    a call of the helper ``_pivot_rows`` (``HELPERS``), which says when."""

    nargs = 2


class CodegenError(ValueError):
    """An expression the lowering cannot express as broadcasting NumPy."""


def _spec(slots: int, position: int | None) -> str:
    """The indexing suffix placing a class axis at ``position`` among ``slots`` slots."""
    parts = ["None"] * slots
    if position is not None:
        parts[position] = ":"
    return ", ".join(["..."] + parts)


@dataclass
class _Context:
    arrays: Mapping[sp.Basic, str]  # IndexedBase -> argument name (class arrays)
    scalars: Mapping[sp.Basic, str]  # Symbol -> argument name (elementwise arrays)
    class_index: Mapping[sp.Symbol, str]  # per-sample class-index Symbol -> argument name
    dims: frozenset[sp.Symbol]
    derivation: str


def _lower(e: sp.Basic, layout: tuple[sp.Symbol, ...], ctx: _Context) -> sp.Expr:
    m = len(layout)
    if e.is_Number:
        return e
    if isinstance(e, sp.Indexed):
        name = ctx.arrays.get(e.base)
        (index,) = e.indices
        if name is None:
            raise CodegenError(f"{ctx.derivation}: {e.base} is not an argument of the kernel")
        if index in layout:
            if m == 1:
                return sp.Symbol(name)  # the array itself: an atom, never a cse temporary
            return Ref(sp.Symbol(name), sp.Symbol(_spec(m, layout.index(index))))
        if index in ctx.class_index:
            spec = "..., 0" if m == 0 else "..." if m == 1 else _spec(m, None)
            return Take(sp.Symbol(name), sp.Symbol(ctx.class_index[index]), sp.Symbol(spec))
        raise CodegenError(f"{ctx.derivation}: index {index} of {e} is neither an output axis nor a class-index argument")
    if isinstance(e, sp.Symbol):
        if e in ctx.scalars:
            if ctx.arrays and m:
                # A scalar of a class-axis kernel is per sample (or 0-d): it broadcasts against
                # the class slots, so it gets one trailing axis per slot.
                return Ref(sp.Symbol(ctx.scalars[e]), sp.Symbol(_spec(m, None)))
            return sp.Symbol(ctx.scalars[e])
        if e in ctx.dims:
            return sp.Symbol("K")
        raise CodegenError(f"{ctx.derivation}: symbol {e} is not an argument of the kernel")
    if isinstance(e, sp.KroneckerDelta):
        a, b = e.args
        if a in layout and b in layout:
            qa, qb = sorted((layout.index(a), layout.index(b)))
            if (qa, qb) != (m - 2, m - 1):
                raise CodegenError(f"{ctx.derivation}: identity on axes {qa}, {qb} of {m} is not supported")
            return Eye(sp.Symbol(", ".join(["..."] + ["None"] * (m - 2) + [":", ":"])))
        for slot, other in ((a, b), (b, a)):
            if slot in layout and other in ctx.class_index:
                return OneHot(sp.Symbol(ctx.class_index[other]),
                              sp.Symbol(_spec(m, layout.index(slot)) if m > 1 else "..."))
        raise CodegenError(f"{ctx.derivation}: cannot print {e} in layout {layout}")
    if isinstance(e, (sp.Sum, derive.ClassMax)):
        if isinstance(e, sp.Sum):
            if len(e.limits) != 1:
                raise CodegenError(f"{ctx.derivation}: multiple sums are not supported: {e}")
            body, (index, lo, hi) = e.function, e.limits[0]
            if lo != 1 or hi not in ctx.dims:
                raise CodegenError(f"{ctx.derivation}: only sums over 1..K print as reductions: {e}")
            op = "sum"
        else:
            body, index = e.args
            op = "max"
        if index in layout:
            # The reduction's own index shadows an outer one of the same name (sum_k inside
            # sum_k): rename it, or the inner sum would be read along the outer axis.
            fresh = sp.Symbol(f"{index.name}_{m}", integer=True)
            body, index = body.xreplace({index: fresh}), fresh
        used = tuple(x for x in layout if x in derive.free_class_indices(body, list(layout)))
        lowered = _lower(body, used + (index,), ctx)
        if not used:
            reduced = Reduce(sp.Symbol(op), lowered, sp.true if m else sp.false)
            return Expand(reduced, sp.Symbol(_spec(m - 1, None))) if m > 1 else reduced
        reduced = Reduce(sp.Symbol(op), lowered, sp.false)
        if used == layout:
            return reduced
        spec = ", ".join(["..."] + [":" if x in used else "None" for x in layout])
        return Expand(reduced, sp.Symbol(spec))
    if isinstance(e, (sp.Derivative, sp.Limit, sp.Subs, derive.At)):
        raise CodegenError(f"{ctx.derivation}: unevaluated {type(e).__name__} cannot be printed: {e}")
    if not e.args:
        raise CodegenError(f"{ctx.derivation}: cannot print {e!r}")
    return e.func(*[_lower(a, layout, ctx) for a in e.args])


# --- printer -------------------------------------------------------------------------------


# The functions of derive printed as calls of a helper of HELPERS named _<function>: the
# 0 log 0 = 0 and 0 / 0 = 0 conventions of the proven expressions, and exp of an exact difference.
HELPER_FUNCTIONS = ("exp_diff", "xdivy", "xlog1py", "xlogy", "xmuly")


class ClassAxisPrinter(NumPyPrinter):
    """NumPy printer with the class-axis rules: reductions, broadcasting, identity, one-hot.

    Emits ``np.<name>``; ``module_imports`` records every NumPy name printed.
    """

    def __init__(self, first_array: str | None, classes_first: bool = False, blocks: bool = False) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
        self.first_array = first_array
        # For the block driver's 2-D blocks, called once per block: the cheapest calls (a
        # reduction's ufunc rather than its np.sum / np.max wrapper, a flat index rather than
        # take_along_axis) save microseconds that matter when blocks or batches are small.
        self.blocks = blocks or classes_first
        # The layout of the fast kernels for few classes: (K, rows), the class axis first, so
        # each reduction over classes is K - 1 elementwise passes over contiguous rows.
        self.classes_first = classes_first
        self.class_axis = "0" if classes_first else "-1"
        self.uses_size = False  # whether the printed code refers to K, the number of classes
        self.helpers: set[str] = set()  # module-level helper functions the code calls
        self.temp_names: dict[sp.Symbol, str] = {}  # cse temporary -> its printed name (TemporaryNames)

    def _module_format(self, fqn: str, register: bool = True) -> str:
        if fqn.startswith("numpy."):
            self.module_imports["numpy"].add(fqn.split(".", 1)[1])
            return "np." + fqn.split(".", 1)[1]
        return super()._module_format(fqn, register)

    def _dtype(self) -> str:
        return f"{self.first_array}.dtype"

    def _print_UnevaluatedExpr(self, e: sp.UnevaluatedExpr) -> str:
        # Bracketed when it starts with "-": SymPy's Add printer takes a term's leading "-"
        # for the term's sign, so c + UnevaluatedExpr(-a + b) would print as c - (a + b).
        text = self._print(e.args[0])
        return f"({text})" if text.startswith("-") else text

    def _print_Ref(self, e: Ref) -> str:
        name, spec = (str(a) for a in e.args)
        if self.classes_first:
            if spec != "..., None":
                raise CodegenError(f"no classes-first form of {name}[{spec}]")
            return f"{name}[None]"
        return name if spec == "..." else f"{name}[{spec}]"

    def per_sample(self, index: str) -> str:
        """A per-sample array as a slot beside the class axis."""
        return f"{index}[None]" if self.classes_first else f"{index}[..., None]"

    def _print_Take(self, e: Take) -> str:
        name, index, spec = (str(a) for a in e.args)
        if self.classes_first and spec != "...":
            raise CodegenError(f"no classes-first form of {name}[{index}][{spec}]")
        if self.blocks:
            helper = "_take0" if self.classes_first else "_take"
            self.helpers.update((helper, "_target"))
            return f"{helper}({name}, {index})" if spec == "..." else f"{helper}({name}, {index})[{spec}]"
        taken = (f"{self._module_format('numpy.take_along_axis')}({name}, {self.per_sample(index)}, "
                 f"axis={self.class_axis})")
        return taken if spec == "..." else f"{taken}[{spec}]"

    def reduction(self, op: sp.Basic) -> str:
        """The function reducing with ``op`` ("sum" or "max") over the class axis."""
        if self.blocks:
            return self._module_format("numpy.add" if str(op) == "sum" else "numpy.maximum") + ".reduce"
        return self._module_format("numpy.sum" if str(op) == "sum" else "numpy.max")

    def _print_Reduce(self, e: Reduce) -> str:
        op, body, keepdims = e.args
        keep = ", keepdims=True" if keepdims == sp.true else ""
        return f"{self.reduction(op)}({self._print(body)}, axis={self.class_axis}{keep})"

    def _print_Expand(self, e: Expand) -> str:
        value, spec = e.args
        return f"{self.parenthesize(value, 1000)}[{spec}]"

    def _print_Eye(self, e: Eye) -> str:
        (spec,) = e.args
        self.uses_size = True
        eye = f"{self._module_format('numpy.eye')}(K, dtype={self._dtype()})"
        return eye if str(spec) == "..., :, :" else f"{eye}[{spec}]"

    def _print_OneHot(self, e: OneHot) -> str:
        index, spec = (str(a) for a in e.args)
        self.uses_size = True
        onehot = f"({self._module_format('numpy.arange')}(K) == {index}[..., None])"
        return onehot if spec == "..." else f"{onehot}[{spec}]"

    def _print_Add(self, e: sp.Add, order: str | None = None) -> str:
        # A one-hot (a boolean array, which NumPy refuses to negate) with a minus sign is never
        # the first term: after another term, -onehot prints as a subtraction.
        terms = self._as_ordered_terms(e, order=order)
        if len(terms) > 1 and isinstance(-terms[0], OneHot):
            terms = terms[1:] + terms[:1]
        return super()._print_Add(sp.Add(*terms, evaluate=False), order="none")

    def _print_Symbol(self, e: sp.Symbol) -> str:
        if e in self.temp_names:
            return self.temp_names[e]
        if e.name == "K":
            self.uses_size = True
        return super()._print_Symbol(e)

    def _print_Max(self, e: sp.Max) -> str:
        return self._fold("numpy.maximum", e.args)

    def _print_Min(self, e: sp.Min) -> str:
        return self._fold("numpy.minimum", e.args)

    def _fold(self, func: str, args: Sequence[sp.Basic]) -> str:
        ordered = sorted(args, key=sp.default_sort_key)
        out = self._print(ordered[0])
        for a in ordered[1:]:
            out = f"{self._module_format(func)}({out}, {self._print(a)})"
        return out

    def _print_Pow(self, e: sp.Pow, rational: bool = False) -> str:
        if e.exp == -1:
            return f"1/{self.parenthesize(e.base, PRECEDENCE['Pow'])}"
        return super()._print_Pow(e, rational=rational)

    def _operand(self, e: sp.Basic) -> str:
        return self.parenthesize(e, PRECEDENCE["Mul"])

    def _print_helper_call(self, e: sp.Basic) -> str:
        """A call of the module-level helper (``HELPERS``) named after the function's class
        (one of ``HELPER_FUNCTIONS``)."""
        name = f"_{type(e).__name__}"
        self.helpers.add(name)
        return f"{name}({', '.join(self._print(a) for a in e.args)})"

    # The 0 log 0 = 0 and 0 / 0 = 0 conventions, exp of an exact difference, the rows the
    # pivot form leaves to the max shift: each prints as a call of its helper.
    _print_xlogy = _print_xdivy = _print_xlog1py = _print_xmuly = _print_exp_diff = _print_helper_call
    _print_pivot_rows = _print_helper_call

    def _print_exp_apart(self, e: sp.Basic) -> str:
        return self._print(sp.exp(e.args[0]))

    def _print_Heaviside(self, e: sp.Heaviside) -> str:
        # Not SymPy's Piecewise/select form: that builds float64 lists and breaks float32.
        arg, at_zero = e.args if len(e.args) == 2 else (e.args[0], sp.Rational(1, 2))
        return f"{self._module_format('numpy.heaviside')}({self._print(arg)}, {float(at_zero)!r})"


# The 0 log 0 = 0 and 0 / 0 = 0 conventions of the proven expressions, emitted once per module
# that prints them: a function evaluates each argument once, where inlined np.where would
# repeat it.
HELPERS = {
    "_xlogy": '''def _xlogy(x, y):
    """x log y with 0 log y = 0 (y is replaced by 1 where x == 0, so log never sees 0 there)."""
    zero = x == 0
    return np.where(zero, 0, x * np.log(np.where(zero, 1, y)))
''',
    "_xdivy": '''def _xdivy(x, y):
    """x / y with 0 / y = 0 (y is replaced by 1 where x == 0)."""
    zero = x == 0
    return np.where(zero, 0, x / np.where(zero, 1, y))
''',
    "_target": '''def _target(a, index, classes_first=False):
    """(array, key): array[key] are the entries a[r, index[r]] (a[index[r], r] classes first) of
    the 2-D block a, one per sample; a flat view and one index when a or its transpose is
    contiguous (a classes-first block written through its rows' transposed view), which costs
    a third of an index pair."""
    samples = np.arange(index.shape[0])
    if a.flags.c_contiguous:
        return a.reshape(-1), (index * a.shape[1] + samples if classes_first else samples * a.shape[1] + index)
    if a.flags.f_contiguous:
        return a.T.reshape(-1), (samples * a.shape[0] + index if classes_first else index * a.shape[0] + samples)
    return a, ((index, samples) if classes_first else (samples, index))
''',
    "_take": '''def _take(a, index):
    """take_along_axis(a, index[:, None], axis=-1) for the 2-D block a."""
    flat, key = _target(a, index)
    return flat[key][:, None]
''',
    "_take0": '''def _take0(a, index):
    """take_along_axis(a, index[None], axis=0) for the classes-first block a."""
    flat, key = _target(a, index, True)
    return flat[key][None]
''',
    "_onehot_add": '''def _onehot_add(a, index, value):
    """a[r, index[r]] += value[r] for each row r of the 2-D block a, in place (a one-hot term,
    never materialised)."""
    flat, key = _target(a, index)
    np.add.at(flat, key, np.reshape(value, -1) if np.ndim(value) else value)  # one key per row
''',
    "_onehot_add0": '''def _onehot_add0(a, index, value):
    """a[index[r], r] += value[r] for each column r of the classes-first block a, in place."""
    flat, key = _target(a, index, True)
    np.add.at(flat, key, np.reshape(value, -1) if np.ndim(value) else value)  # one key per column
''',
    # TwoSum (Knuth): d + e = x - y exactly, for any x, y (no ordering needed). Then
    # exp(x - y) = exp(d) exp(e), and exp(e) = 1 + e to far below an ulp wherever exp(d) is not
    # 0: |e| <= ulp(d) / 2 <= 2^-53 |d| (2^-24 |d| in float32) and exp(d) > 0 only for |d| < 746
    # (104), so e^2 / 2 < 1e-26 (2e-11). Where exp(d) is 0, 1 + e is any finite number (or nan,
    # when d overflowed to -inf): fmax(1 + e, 0) keeps it finite, and the product the right 0.
    "_exp_diff": '''def _exp_diff(x, y):
    """exp(x - y) without the rounding of x - y, which exp would multiply by |x - y|: x - y =
    d + e exactly (TwoSum) and exp(d + e) = exp(d) (1 + e) to far below an ulp."""
    with np.errstate(over="ignore"):  # to -inf only where exp(x - y) = 0 is the right value
        d = np.subtract(x, y)
    with np.errstate(invalid="ignore"):  # e is nan only where d overflowed (exp(d) = 0): fmax drops it
        # e = (x - u) + ((u - d) - y) with u = d + y, in three arrays (each pass in place)
        e = np.add(d, y)
        w = np.subtract(e, d)
        np.subtract(w, y, out=w)
        np.subtract(x, e, out=e)
        np.add(e, w, out=e)
        np.add(e, 1, out=e)
        np.fmax(e, 0, out=e)
    np.exp(d, out=d)
    return np.multiply(d, e, out=d)
''',
    # A product, and a masked copy only where it has a nan (rare): np.where or a copy over a mixed
    # mask costs tens of products here.
    "_xmuly": '''def _xmuly(x, y):
    """x y with 0 y = 0 also for an infinite y (0 * inf, nan in IEEE arithmetic, is set to 0); a
    nan stays nan."""
    with np.errstate(invalid="ignore"):  # 0 * inf: set to 0 below
        product = np.asarray(np.multiply(x, y))
    nan = np.isnan(product)
    if nan.any():  # 0 * inf, set to 0, or a nan argument, kept
        np.copyto(product, 0, where=nan & np.equal(x, 0) & np.isinf(y))
    return product
''',
    # _xmuly for the fast kernels, called as a ufunc with out= (a block buffer, which may be y's
    # or x's own): no allocation but where y has an inf or a nan (rare: its largest and smallest
    # entries show whether it has one, two reductions at a third of a product's cost each).
    "_xmuly_in": '''def _xmuly_in(y, x, out):
    """out = y x, with 0 y = 0 also for an infinite y (0 * inf, nan in IEEE arithmetic, is set to
    0); a nan stays nan. out may be y or x itself."""
    finite = not y.size or (np.isfinite(np.maximum.reduce(y, axis=None))
                            and np.isfinite(np.minimum.reduce(y, axis=None)))
    zero = None if finite else np.isinf(y) & np.equal(x, 0)  # the mask before out (maybe x) is written
    with np.errstate(invalid="ignore"):  # 0 * inf: set to 0 below
        np.multiply(y, x, out=out)
    if zero is not None:
        np.copyto(out, 0, where=zero)
''',
    # The pivot form (codegen._pivot_factored): a block's exponentials are exp(z) itself, with
    # no pass for the row max nor for z - max z (the broadcast of a column, which costs more
    # than the exp; benchmarks/profile_ce.py), and more accurate, since z - max z is rounded and
    # exp multiplies that rounding by |z - max z|. These two say where that holds and redo the
    # other rows with the max shift.
    "_pivot_rows": '''def _pivot_rows(sum_exp, exp_pivot):
    """The rows (indices into the block) where exp(z) / exp(z_c), the pivot form, is less
    accurate than exp(z - max z), or None when there is none. A row is kept where the sum s of
    its exp(z) is at least 1, exp(z_c) at least tiny and s / exp(z_c) at most max (tiny and
    max: the dtype's smallest normal and largest numbers; exp(z_c) is a term of s). Then its largest exp(z), at
    least s / K, is a normal number, every exp(z_i) is finite, an exp(z_i) below tiny gives a
    probability exp(z_i) / s below tiny either way, and the loss log(s / exp(z_c)) is finite.
    A nan or infinite logit fails the test, so its row keeps the max shift's value too."""
    info = np.finfo(sum_exp.dtype)
    with np.errstate(all="ignore"):
        kept = (sum_exp >= 1) & (exp_pivot >= info.tiny) & (sum_exp / exp_pivot <= info.max)
    if kept.all():
        return None
    return np.flatnonzero(~kept.reshape(-1))
''',
    "_redo_rows": '''def _redo_rows(rows, kernel, args, outputs, *scale):
    """outputs, their given rows computed again from those rows of args by kernel, the plain
    kernel of the same claims (the max shift), the last output multiplied by scale if given;
    rows None (_pivot_rows): outputs as they are. Written in place; returns outputs."""
    if rows is None:
        return outputs
    values = kernel(*(a[rows] if np.ndim(a) else a for a in args))
    for o, value in zip(outputs, values if len(outputs) > 1 else (values,)):  # one output: not a tuple
        o[rows] = value
    if scale:
        outputs[-1][rows] *= scale[0]
    return outputs
''',
    "_xlog1py": '''def _xlog1py(x, y):
    """x log(1 + y) with 0 log(1 + y) = 0 (y is replaced by 0 where x == 0, so log1p never sees -1)."""
    zero = x == 0
    return np.where(zero, 0, x * np.log1p(np.where(zero, 0, y)))
''',
}


# --- names of temporaries ------------------------------------------------------------------
#
# A kernel's temporaries are named after what they hold where that has a short name: the
# derivation's own names for its standard values (``max_z``; ``shifted``, the logits less their
# max: symxent.symbols), the arguments' names, and one word per operation from the tables
# below (``exp_shifted``, ``sum_exp_shifted``, ``log_sum_exp_shifted``, ``z_c``); any other is
# numbered ``t0``, ``t1``, ... in the order the kernel defines them, without gaps.

# function -> the word that names its value: exp_<x>, log_<x>, ...
FUNCTION_WORDS = {sp.exp: "exp", sp.log: "log", log1p: "log1p", sp.Abs: "abs", sp.sqrt: "sqrt",
                  sp.Heaviside: "step"}
# helper of HELPERS -> how its value of (a, b) is named
HELPER_WORDS = {"exp_diff": "exp_{}_minus_{}", "xlogy": "{}_log_{}", "xlog1py": "{}_log1p_{}",
                "xdivy": "{}_over_{}", "xmuly": "{}_times_{}"}
# Reduce's operation -> the word that names its value: sum_<x>, max_<x>
REDUCTION_WORDS = {"sum": "sum", "max": "max"}
NUMBER_WORDS = {0: "zero", 1: "one", 2: "two"}
NAME_LIMIT = 24  # a longer description is numbered instead: no one reads it faster than t3


class TemporaryNames:
    """The names of one kernel's temporaries (see above). ``names``: the names the kernel's
    code already uses for what they are (its arguments, K), which larger names are composed of;
    ``taken``: other names in use, which a temporary never takes."""

    def __init__(self, names: Iterable[str], taken: Iterable[str] = ()) -> None:
        self.taken = set(names) | set(taken)
        self.numbered = 0
        # what a symbol holds, where it has a name: composed into larger names
        self.meanings: dict[sp.Basic, str] = {sp.Symbol(n): n for n in names}
        self.values: dict[sp.Symbol, sp.Basic] = {}  # a cse temporary -> its expression

    def bind(self, sym: sp.Symbol, value: sp.Basic) -> None:
        """The cse temporary ``sym`` holds ``value``, without a name of its own (it lives in a
        buffer): what is made of it is still named after it."""
        self.values[sym] = value
        word = self.describe(value)
        if word is not None:
            self.meanings[sym] = word

    def new(self, value: sp.Basic | None, of: sp.Basic | None = None) -> str:
        """A fresh name for a temporary holding ``value`` (``of``: the symbol that stands for it
        in expressions, whose name then describes it where it is read)."""
        if of is not None and value is not None:
            self.values[of] = value
        word = self.describe(value) if value is not None else None
        if word is not None:
            name, n = word, 2
            while name in self.taken:
                name, n = f"{word}_{n}", n + 1
        else:
            name = f"t{self.numbered}"
            while name in self.taken:
                self.numbered += 1
                name = f"t{self.numbered}"
            self.numbered += 1
        self.taken.add(name)
        if word is not None and of is not None:
            self.meanings[of] = name
        return name

    def describe(self, e: sp.Basic) -> str | None:
        """The name of what ``e`` holds, or None where it has no short one."""
        word = self._word(e)
        return word if word is not None and len(word) <= NAME_LIMIT and word.isidentifier() else None

    def _word(self, e: sp.Basic) -> str | None:
        if e in self.meanings:
            return self.meanings[e]
        if isinstance(e, sp.Symbol):
            return None  # a numbered temporary, or a name not given a meaning
        if e.is_Integer:
            return NUMBER_WORDS.get(int(e))
        if isinstance(e, sp.UnevaluatedExpr):
            return self._word(e.args[0])
        if isinstance(e, Ref):  # an argument with broadcast axes (per sample, against the classes)
            array = self._word(e.args[0])
            return None if array is None else f"{array}_bcast"
        if isinstance(e, Expand):  # a reduced value with its axes back: the same value
            return self._word(e.args[0])
        if isinstance(e, Take):
            array, index = self._word(e.args[0]), self._word(e.args[1])
            return None if array is None or index is None else f"{array}_{index}"
        if isinstance(e, Reduce):
            body = self._word(e.args[1])
            return None if body is None else f"{REDUCTION_WORDS[str(e.args[0])]}_{body}"
        if isinstance(e, OneHot):
            index = self._word(e.args[0])
            return None if index is None else f"onehot_{index}"
        if isinstance(e, sp.Add):
            return self._sum(e)
        if isinstance(e, sp.Mul):
            return self._product(e)
        if isinstance(e, sp.Pow):
            base = self._word(e.base)
            if base is None:
                return None
            if e.exp == -1:
                return f"inv_{base}"
            if e.exp == 2:
                return f"{base}_squared"
            exponent = self._word(e.exp)
            return None if exponent is None else f"{base}_pow_{exponent}"
        if isinstance(e, exp_apart):
            x = self._word(e.args[0])
            return None if x is None else f"exp_{x}"
        if isinstance(e, pivot_rows):
            return "redo"
        if type(e).__name__ in HELPER_WORDS and len(e.args) == 2:
            if type(e).__name__ == "exp_diff" and _is_max_of(e.args[1], e.args[0]):
                return f"exp_{self._shifted(e.args[0])}"
            a, b = (self._word(x) for x in e.args)
            return None if a is None or b is None else HELPER_WORDS[type(e).__name__].format(a, b)
        if type(e) in FUNCTION_WORDS and (len(e.args) == 1 or isinstance(e, sp.Heaviside)):
            arg = self._word(e.args[0])  # a step is named after its argument, not its value at 0
            return None if arg is None else f"{FUNCTION_WORDS[type(e)]}_{arg}"
        if isinstance(e, (sp.Max, sp.Min)) and len(e.args) == 2:
            a, b = (self._word(x) for x in sorted(e.args, key=sp.default_sort_key))
            return None if a is None or b is None else f"{'max' if isinstance(e, sp.Max) else 'min'}_{a}_{b}"
        return None

    def _shifted(self, x: sp.Basic) -> str:
        """The derivation's name of x - max z: shifted (z), shifted_c (z_c)."""
        return "shifted" if not isinstance(x, Take) else f"shifted_{self._word(x.args[1])}"

    def _sum(self, e: sp.Add) -> str | None:
        terms = sp.Add.make_args(e)
        if len(terms) != 2:
            return None
        resolved = [t.xreplace(self.values) for t in terms]  # -max z may be a temporary of its own
        for a, b in (resolved, resolved[::-1]):
            if b.could_extract_minus_sign() and _is_max_of(-b, _logits_of(a)):
                return self._shifted(a)  # x - max z: the derivation's shifted(x)
        a, b = sorted(terms, key=lambda t: t.could_extract_minus_sign())
        first, second = self._word(a), self._word(-b if b.could_extract_minus_sign() else b)
        if first is None or second is None:
            return None
        return f"{first}_{'minus' if b.could_extract_minus_sign() else 'plus'}_{second}"

    def _product(self, e: sp.Mul) -> str | None:
        factors = sp.Mul.make_args(e)
        if factors[0] == -1:
            rest = self._word(sp.Mul(*factors[1:]))
            return None if rest is None else f"minus_{rest}"
        if len(factors) != 2:
            return None
        over = [f for f in factors if isinstance(f, sp.Pow) and f.exp == -1]
        if len(over) == 1:
            top = self._word(next(f for f in factors if f is not over[0]))
            bottom = self._word(over[0].base)
            return None if top is None or bottom is None else f"{top}_over_{bottom}"
        a, b = (self._word(f) for f in factors)
        return None if a is None or b is None else f"{a}_times_{b}"


def _logits_of(x: sp.Basic) -> sp.Basic:
    """The array an entry is taken from (z of z_c), or x."""
    return x.args[0] if isinstance(x, Take) else x


def _is_max_of(m: sp.Basic, x: sp.Basic) -> bool:
    """Whether ``m`` is the row max of ``x`` (Reduce(max, x), maybe broadcast)."""
    while isinstance(m, (Ref, Expand)):
        m = m.args[0]
    return isinstance(m, Reduce) and str(m.args[0]) == "max" and m.args[1] == _logits_of(x)


# --- the fast printer: three-address, in place, one block of rows at a time --------------
#
# The same lowered, cse'd expressions as the plain kernel, printed as one NumPy call per
# operation: every class-sized ("wide") value is written with ``out=`` into a scratch buffer
# of the block's shape, or into an output's destination until that output is written there (a
# buffer whose value is dead is reused, so a whole kernel needs none to three in most cases),
# per-sample ("narrow") values are ordinary small arrays, and the outputs are written straight
# into the caller's destination. Registers are written once, so a repeated call on the same
# operands is emitted once. The block driver in the templates calls it on blocks of rows; the
# fewer scratch buffers, the larger the blocks it can afford in the same memory.
#
# Three stages, as SymPy's code generators do it: _FastBuilder turns the expressions into a
# list of typed instructions (``Instr``: kind, NumPy function, destination register, operands
# that are registers or printed values); _allocate binds the registers to buffers over one
# order of that list (outputs first, then scratch, reusing dead ones), for each order
# _schedules allows; _fast_render prints the allocation with the fewest buffers once. Nothing
# printed is edited afterwards.


@dataclass(frozen=True)
class FastSource:
    """A kernel printed for the block driver (``def _fast_<name>(<args>, out, scratch)``).

    ``out`` holds one destination per wide output (``wide[i]``), ``scratch`` ``buffers``
    arrays of the block's shape and dtype; the function returns the outputs in order (a wide
    one is its destination). ``inplace_safe[d]``: no argument array is read after the first
    write to destination d, so d may be the logits' own memory (``out=logits``). ``scaled``:
    the kernel takes one more argument, ``scale``, a number its last (wide) output is
    multiplied by inside the steps that write it (the "mean" of a loss folded into the
    per-sample factor of the gradient), costing no pass over the block of its own; ``passes``:
    the in-place calls over the block (the measure of the kernel's cost that the folding keeps).
    """

    name: str
    source: str
    buffers: int
    wide: tuple[bool, ...]
    inplace_safe: tuple[bool, ...]
    helpers: tuple[str, ...]
    scaled: bool = False
    passes: int = 0


class _Unsupported(Exception):
    """The kernel has a shape the fast printer does not handle; it keeps only the plain form."""


# --- the intermediate form: typed instructions over registers ------------------------------


@dataclass(frozen=True)
class Reg:
    """A block-sized ("wide") value, written once; bound to a buffer when the kernel is printed."""

    n: int


@dataclass(frozen=True)
class Value:
    """An operand that is not a register, as printed: an argument array, a per-sample value's
    name, a number. ``inputs``: the wide argument arrays it reads."""

    text: str
    inputs: frozenset[str] = frozenset()


Operand = Reg | Value


@dataclass(frozen=True)
class Instr:
    """One step of a fast kernel.

    kind: "ufunc" (``func(*operands, out=<dest's buffer>)``), "scatter" (``func(*operands)``
    adds into its first operand's buffer in place; ``dest`` names the updated value), "call" (a
    helper of ``HELPERS`` that returns a new array, ``dest``), "reduce" (a per-sample value
    ``dest = func(operand<keywords>)``), "narrow" (a per-sample value ``dest = func``: SymPy's
    printing of an expression without wide values).
    """

    kind: str
    dest: Reg | str
    func: str
    operands: tuple[Operand, ...] = ()
    keywords: str = ""
    inputs: frozenset[str] = frozenset()  # wide argument arrays read

    @property
    def reads(self) -> tuple[Reg, ...]:
        return tuple(o for o in self.operands if isinstance(o, Reg))


def _read(operands: Iterable[Operand]) -> frozenset[str]:
    return frozenset().union(*(o.inputs for o in operands if isinstance(o, Value)))


class _FastBuilder:
    """Lowered, cse'd expressions -> a list of ``Instr`` (``self.code``)."""

    def __init__(self, printer: ClassAxisPrinter, wide_inputs: frozenset[str],
                 names: TemporaryNames | None = None) -> None:
        self.printer = printer
        self.wide_inputs = wide_inputs
        # of the per-sample values and the helpers' results (by default, the inputs' names known)
        self.names = names if names is not None else TemporaryNames(sorted(wide_inputs))
        self.code: list[Instr] = []
        self.registers = 0
        self.temps: dict[sp.Symbol, Reg] = {}  # wide cse temporaries -> register
        self.computed: dict[tuple[str, tuple[Operand, ...]], Reg] = {}  # (ufunc, operands) -> its register
        self.call_names: dict[Reg, str] = {}  # a helper's result (a new array, not a buffer) -> its name
        self.placeholders = 0  # symbols standing for reductions emitted first (_strip), n0, n1, ...

    # the kernel, in order: the values given first, the cse temporaries, the outputs
    def given(self, name: str, text: str, inputs: frozenset[str]) -> None:
        """A per-sample value the kernel computes before its expressions, ``name = text``
        (``Kernel.argmax``: the class of each row's largest entry); ``inputs``: the wide
        arguments it reads."""
        self.names.taken.add(name)
        self.names.meanings[sp.Symbol(name)] = name
        self._emit(Instr("narrow", name, text, inputs=inputs))

    def define(self, sym: sp.Symbol, value: sp.Basic) -> None:
        """The cse temporary ``sym = value``: a register when class-sized, else a per-sample
        value named for what it holds."""
        if value.has(Expand, Eye):
            raise _Unsupported("broadcast expansion")
        if self.is_wide(value):
            token = self.wide(value)
            if not isinstance(token, Reg) or token in self.temps.values():
                token = self._ufunc("positive", token)
            self.temps[sym] = token
            self.names.bind(sym, value)  # names what is made of it (sum_exp_shifted), though it is a buffer
        elif isinstance(value, Reduce) and self.is_wide(value.args[1]):
            self._strip(value, sym)
        else:
            self.narrow(self._strip(value), sym, value)

    def output(self, value: sp.Basic) -> tuple[Operand, bool]:
        """An output's value (a register, or a per-sample value) and whether it is wide."""
        if value.has(Expand, Eye):
            raise _Unsupported("broadcast expansion")
        if self.is_wide(value):
            return self.wide(value), True
        return self.operand(value), False

    # classification
    def is_wide(self, e: sp.Basic) -> bool:
        if isinstance(e, (Take, Reduce)):
            return False
        if isinstance(e, OneHot):
            return True
        if isinstance(e, sp.Symbol):
            return e in self.temps or e.name in self.wide_inputs
        return any(self.is_wide(a) for a in e.args)

    def _reads(self, e: sp.Basic) -> frozenset[str]:
        """The wide argument arrays among the symbols of ``e``."""
        return frozenset(s.name for s in e.free_symbols if isinstance(s, sp.Symbol)) & self.wide_inputs

    def _value(self, text: str, e: sp.Basic | None = None) -> Value:
        """``text`` as an operand, reading the wide arguments of ``e`` (or ``text``, a name)."""
        return Value(text, self._reads(e) if e is not None else frozenset({text}) & self.wide_inputs)

    def _new(self) -> Reg:
        self.registers += 1
        return Reg(self.registers - 1)

    def _emit(self, instr: Instr) -> Reg | str:
        self.code.append(instr)
        return instr.dest

    def _ufunc(self, func: str, *operands: Operand, helper: bool = False) -> Reg:
        """``func(*operands, out=<a buffer>)``: a NumPy ufunc, or with ``helper`` a function of
        ``HELPERS`` called the same way."""
        # Registers are written once (a one-hot update forgets the one it updates), so the
        # same call on the same operands is the same value: computed once, read again.
        if helper:
            self.printer.helpers.add(func)
        name = func if helper else self.printer._module_format("numpy." + func)
        key = (name, operands)
        if key not in self.computed:
            self.computed[key] = self._new()
            self._emit(Instr("ufunc", self.computed[key], name, operands, inputs=_read(operands)))
        return self.computed[key]

    # narrow values: printed whole, their reductions of wide bodies emitted first
    def _strip(self, e: sp.Basic, of: sp.Symbol | None = None) -> sp.Basic:
        """``e`` with each reduction of a wide body emitted first (as the temporary ``of`` if
        ``e`` is one)."""
        if isinstance(e, Reduce) and self.is_wide(e.args[1]):
            op, body, keepdims = e.args
            keep = ", keepdims=True" if keepdims == sp.true else ""
            operand = self.wide(body)
            if of is None:
                # named n<k>, as SymPy sorts the terms around it (the printed order of the sums),
                # printed as its own name
                of = sp.Symbol(f"n{self.placeholders}")
                self.placeholders += 1
            dest = self._name(e, of)
            self._emit(Instr("reduce", dest, self.printer.reduction(op), (operand,),
                             f", axis={self.printer.class_axis}{keep}", _read((operand,))))
            return of
        if isinstance(e, sp.Symbol) and e in self.temps:
            raise _Unsupported(f"wide temporary {e} inside a narrow expression")
        if not e.args or isinstance(e, (Take, Ref, OneHot)):
            return e
        return e.func(*[self._strip(a) for a in e.args])

    def _name(self, value: sp.Basic, of: sp.Symbol | None = None) -> str:
        """A new per-sample value's name, after what it holds; for the cse temporary ``of``, the
        name the printer gives it from now on."""
        name = self.names.new(value, of)
        if of is not None:
            self.printer.temp_names[of] = name
        return name

    def narrow(self, e: sp.Basic, of: sp.Symbol | None = None, value: sp.Basic | None = None) -> str:
        """Emit the narrow expression ``e`` (its reductions already emitted), named after
        ``value`` (by default ``e``), what it stands for."""
        dest = self._name(e if value is None else value, of)
        self._emit(Instr("narrow", dest, self.printer.doprint(e), inputs=self._reads(e)))
        return dest

    def operand(self, e: sp.Basic) -> Operand:
        """A wide register or input, or a narrow value (inlined when atomic)."""
        if self.is_wide(e):
            return self.wide(e)
        stripped = self._strip(e)
        if stripped.is_Atom or isinstance(stripped, Ref) or isinstance(stripped, sp.Rational):
            return self._value(self.printer.doprint(stripped), stripped)
        return Value(self.narrow(stripped))  # its instruction, not the name, reads the arguments

    # wide values
    def wide(self, e: sp.Basic) -> Operand:
        if isinstance(e, sp.UnevaluatedExpr):  # the order it fixes is kept: its operand is formed first
            return self.wide(e.args[0])
        if isinstance(e, sp.Symbol):
            return self.temps[e] if e in self.temps else self._value(e.name)
        if isinstance(e, sp.Add):
            return self._add(e)
        if isinstance(e, sp.Mul):
            return self._mul(e)
        if isinstance(e, sp.Pow):
            base = self.operand(e.base)
            if e.exp == -1:
                return self._ufunc("divide", Value("1"), base)
            if e.exp == 2:
                return self._ufunc("square", base)
            if e.exp == sp.Rational(1, 2):
                return self._ufunc("sqrt", base)
            return self._ufunc("power", base, self.operand(e.exp))
        if isinstance(e, sp.Abs):
            return self._ufunc("absolute", self.operand(e.args[0]))
        if isinstance(e, log1p):
            # NumPy's log1p: here as fast as log(1 + x) with the correction of its rounding
            # (log(u) - ((u - 1) - x) / u, five passes and a log), and more accurate in float32.
            return self._ufunc("log1p", self.operand(e.args[0]))
        if isinstance(e, (sp.Max, sp.Min)):
            func = "maximum" if isinstance(e, sp.Max) else "minimum"
            args = sorted(e.args, key=sp.default_sort_key)
            acc = self.operand(args[0])
            for a in args[1:]:
                acc = self._ufunc(func, acc, self.operand(a))
            return acc
        if isinstance(e, OneHot):
            index, _ = (str(a) for a in e.args)
            self.printer.uses_size = True
            arange = f"{self.printer._module_format('numpy.arange')}(K)" + ("[:, None]" if self.printer.classes_first else "")
            return self._ufunc("equal", Value(arange), Value(self.printer.per_sample(index)))
        if isinstance(e, sp.Heaviside):
            # as ClassAxisPrinter._print_Heaviside: the value at 0 stays a number
            arg, at_zero = e.args if len(e.args) == 2 else (e.args[0], sp.Rational(1, 2))
            if at_zero in (0, 1):
                # The step as a comparison, x >= 0 (x > 0 where H(0) = 0), written as 1 or 0 into
                # the block's buffer: np.heaviside costs 25 comparisons here. At nan it is 0 where
                # np.heaviside is nan; verify's special values check that nan in gives nan out.
                return self._ufunc("greater_equal" if at_zero == 1 else "greater", self.operand(arg), Value("0"))
            return self._ufunc("heaviside", self.operand(arg), Value(repr(float(at_zero))))
        if isinstance(e, derive.xmuly) and self.is_wide(e.args[1]):
            return self._xmuly(*e.args)
        if isinstance(e, exp_apart):
            return self._ufunc("exp", self.operand(e.args[0]))
        if type(e).__name__ in HELPER_FUNCTIONS:  # a helper of HELPERS: allocates its result
            operands = tuple(self.operand(a) for a in e.args)
            name = f"_{type(e).__name__}"
            self.printer.helpers.add(name)
            result = self._new()
            self.call_names[result] = self.names.new(e)
            return self._emit(Instr("call", result, name, operands, inputs=_read(operands)))
        known = self.printer.known_functions.get(type(e).__name__)
        if isinstance(e, sp.Function) and isinstance(known, str) and known.startswith("numpy."):
            if isinstance(getattr(np, known.split(".", 1)[1], None), np.ufunc):  # a ufunc: it takes out=
                return self._ufunc(known.split(".", 1)[1], *(self.operand(a) for a in e.args))
        raise _Unsupported(f"no in-place form for {type(e).__name__}")

    def _xmuly(self, x: sp.Basic, y: sp.Basic) -> Operand:
        """x y with 0 y = 0 for an infinite y, written into a buffer as a ufunc writes (the helper
        _xmuly would allocate its result and cost a copy into the destination: a quarter of a
        weighted BCE)."""
        return self._ufunc("_xmuly_in", self.wide(y), self.operand(x), helper=True)

    def _add(self, e: sp.Add) -> Operand:
        wide, narrow, onehots = [], [], []
        for a in e.args:
            factors = sp.Mul.make_args(a)
            hot = [f for f in factors if isinstance(f, OneHot)]
            rest = sp.Mul(*[f for f in factors if not isinstance(f, OneHot)])
            if len(hot) == 1 and not self.is_wide(rest):
                onehots.append((hot[0], rest))
            elif self.is_wide(a):
                wide.append(a)
            else:
                narrow.append(a)
        if not wide:
            raise _Unsupported("a sum without a class-sized term")
        terms = [(False, a) for a in wide if not a.could_extract_minus_sign()]
        terms += [(True, -a) for a in wide if a.could_extract_minus_sign()]
        negative, first = terms[0]
        if negative and narrow and len(terms) == 1:  # c - a in one pass (the same rounding as -a + c)
            acc = self._ufunc("subtract", self.operand(sp.Add(*narrow)), self.wide(first))
            narrow = []
        else:
            acc = self._ufunc("negative", self.wide(first)) if negative else self.wide(first)
        for negative, a in terms[1:]:
            acc = self._ufunc("subtract" if negative else "add", acc, self.operand(a))
        if narrow:
            acc = self._ufunc("add", acc, self.operand(sp.Add(*narrow)))
        if onehots and (not isinstance(acc, Reg) or acc in self.temps.values()):
            acc = self._ufunc("positive", acc)  # a copy: the one-hot update writes in place
        for hot, coefficient in onehots:
            index = str(hot.args[0])
            helper = "_onehot_add0" if self.printer.classes_first else "_onehot_add"
            self.printer.helpers.update((helper, "_target"))
            self.computed = {k: r for k, r in self.computed.items() if r != acc}
            operands = (acc, Value(index), self.operand(coefficient))
            acc = self._emit(Instr("scatter", self._new(), helper, operands, inputs=_read(operands)))
        return acc

    def _mul(self, e: sp.Mul) -> Operand:
        wide, inverse, narrow = [], [], []
        for f in e.args:
            if not self.is_wide(f):
                narrow.append(f)
            elif isinstance(f, sp.Pow) and f.exp == -1:
                inverse.append(f.base)
            else:
                wide.append(f)
        coefficient = sp.Mul(*narrow)
        if wide:
            acc = self.wide(wide[0])
            for f in wide[1:]:
                acc = self._ufunc("multiply", acc, self.operand(f))
        else:
            numerator = self.operand(coefficient) if coefficient != -1 else Value("-1")
            acc, coefficient = self._ufunc("divide", numerator, self.operand(inverse.pop(0))), sp.Integer(1)
        for b in inverse:
            acc = self._ufunc("divide", acc, self.operand(b))
        if coefficient == -1:
            acc = self._ufunc("negative", acc)
        elif coefficient != 1:
            acc = self._ufunc("multiply", acc, self.operand(coefficient))
        return acc


# The number a scaled fast kernel multiplies its last output by (see FastSource.scaled).
SCALE = sp.Symbol("scale")


def _fast_source(kernel: Kernel, indices: Sequence[tuple[sp.Symbol, ...]], replacements, reduced, ctx: _Context,
                 first_array: str | None, classy: bool, classes_first: bool = False,
                 may_scale: bool = True, redo: str | None = None) -> FastSource | None:
    """The kernel printed for the block driver, or None when it has no in-place form here
    (more than one class axis, identities, broadcast expansions). ``classes_first``: for
    blocks laid out (K, rows) (class-axis kernels only). ``redo``: the forms are the pivot
    form's (``_pivot_factored``), the last of ``reduced`` the rows it leaves, which the kernel
    named here (the plain one) computes again.

    When the last output is wide and multiplying it by ``scale`` costs no more passes over the
    block (the product lands in a per-sample factor, as ``p = e * (1/s)`` becomes
    ``e * (scale/s)``), the scaled form is returned: the driver's division of the gradient by
    the "mean" divisor is then no pass of its own."""
    plain = _fast_source_scaled(kernel, indices, replacements, reduced, ctx, first_array, classy, classes_first,
                                scaled=False, redo=redo)
    if not may_scale or plain is None or not plain.wide[-1] or SCALE.name in (name for name, _ in kernel.args):
        return plain
    scaled = _fast_source_scaled(kernel, indices, replacements, reduced, ctx, first_array, classy, classes_first,
                                 scaled=True, redo=redo)
    return scaled if scaled is not None and scaled.passes <= plain.passes else plain


def _fast_source_scaled(kernel: Kernel, indices: Sequence[tuple[sp.Symbol, ...]], replacements, reduced,
                        ctx: _Context, first_array: str | None, classy: bool, classes_first: bool,
                        scaled: bool, redo: str | None = None) -> FastSource | None:
    """``_fast_source`` with the last output multiplied by ``SCALE`` or not."""
    if any(len(ix) > 1 for ix in indices) or (classes_first and not classy):
        return None
    rows = None
    if redo is not None:
        reduced, rows = list(reduced[:-1]), reduced[-1]
    if scaled:
        # scale * (a + b + ...) as scale*a + scale*b + ...: each term's per-sample coefficient
        # (a one-hot term's too) absorbs the factor; SymPy's Mul keeps it a plain factor.
        reduced = list(reduced[:-1]) + [sp.Add(*[SCALE * term for term in sp.Add.make_args(reduced[-1])])]
    wide_inputs = frozenset(ctx.arrays.values()) if classy else frozenset(ctx.scalars.values()) - set(kernel.numbers)
    printer = ClassAxisPrinter(first_array, classes_first, blocks=True)
    names = TemporaryNames([n for n, _ in kernel.args] + ["K"] + ([SCALE.name] if scaled else []),
                           taken=("np", "out", "scratch"))
    builder = _FastBuilder(printer, wide_inputs, names)
    for name, value in _argmax(kernel, printer):
        builder.given(name, value, frozenset(n for n, _ in kernel.args) & wide_inputs)
    try:
        for sym, value in replacements:
            builder.define(sym, value)
        results: list[Operand] = []
        wide: list[bool] = []
        for value in reduced:
            result, is_wide = builder.output(value)
            if not is_wide and not classy:
                raise _Unsupported("an elementwise output that is not an array")
            wide.append(is_wide)
            results.append(result)
        redone = None if rows is None or redo is None else (builder.output(rows)[0], redo)
    except (_Unsupported, CodegenError):
        return None
    return _fast_render(kernel, builder, results, tuple(wide), classy, first_array, printer, scaled, redone)


def _schedules(code: list[Instr], results: list[Operand]) -> list[list[Instr]]:
    """The orders the kernel's steps may run in: the builder's, and for a kernel of elementwise
    steps alone (every step a ufunc of registers and arguments) each output computed after the
    other, its operands just before it (depth first), the outputs taken last to first, then
    first to last. The same operations on the same operands in any of them: the same values.
    A kernel with per-sample values, one-hot updates or helper calls keeps the builder's order,
    whose dependencies through names the registers do not show."""
    orders = [list(code)]
    if not code or any(instr.kind != "ufunc" for instr in code):
        return orders
    producer = {instr.dest: instr for instr in code}
    for ordered in (results[::-1], results):
        order: list[Instr] = []
        done: set[Reg] = set()

        def emit(r: Reg) -> None:
            if r in done or r not in producer:
                return
            done.add(r)
            for operand in producer[r].reads:
                emit(operand)
            order.append(producer[r])

        for result in ordered:
            if isinstance(result, Reg):
                emit(result)
        if len(order) == len(code) and order not in orders:
            orders.append(order)
    return orders


@dataclass
class _Allocation:
    """Registers bound to buffers over one order of a kernel's steps (see ``_allocate``)."""

    code: list[Instr]
    binding: dict[Reg, str]
    buffers: int
    copies: list[tuple[str, Operand]]


def _allocate(code: list[Instr], results: list[Operand], wide: tuple[bool, ...], outs: list[str],
              call_names: Mapping[Reg, str], scratch_outs: bool) -> _Allocation:
    """Buffers for the registers of ``code``, run in this order.

    Wide outputs are bound to their destinations ``out<k>`` (a chain of one-hot updates from
    its first step on); other registers to scratch buffers ``b<k>``, a buffer reused once the
    value in it is dead, and an operation whose operand dies with it writes in place. With
    ``scratch_outs``, a destination also holds values that die by the step that writes its
    output (so a kernel needs fewer scratch buffers, and the driver blocks that many times
    larger in the same memory); it is then written before the arguments are last read, which
    ``inplace_safe`` reports.
    """
    last_use: dict[Reg, int] = {}
    for n, instr in enumerate(code):
        for r in instr.reads:
            last_use[r] = n
    # An output computed by a chain of in-place one-hot updates is written into its
    # destination from the chain's first operation on.
    producer = {instr.dest: instr for instr in code if isinstance(instr.dest, Reg)}
    position = {instr.dest: n for n, instr in enumerate(code)}
    binding: dict[Reg, str] = {}
    copies: list[tuple[str, Operand]] = []
    reserved: dict[str, int] = {}  # destination -> the step that first writes its output
    destinations = iter(outs)
    for result, is_wide in zip(results, wide):
        if not is_wide:
            continue
        dest = next(destinations)
        r = result if isinstance(result, Reg) else None
        while r is not None and r in producer and producer[r].kind == "scatter":
            r = producer[r].reads[0]
        if r is None or r in binding or producer[r].kind == "call":
            copies.append((dest, result))
            reserved[dest] = len(code)
        else:
            binding[r] = dest
            last_use[r] = len(code)
            reserved[dest] = position[r]
    for result in results:
        if isinstance(result, Reg):
            last_use[result] = len(code)
    # the last step a value's buffer is read in, through the one-hot updates made in it
    updated = {instr.reads[0]: instr.dest for instr in code if instr.kind == "scatter"}

    def end(r: Reg) -> int:
        return max(last_use.get(r, position[r]), end(updated[r]) if r in updated else -1)

    def fits(r: Reg, slot: str) -> bool:
        return not slot.startswith("out") or end(r) <= reserved[slot] < len(code)

    free: list[str] = []
    holding: dict[str, Reg] = {}  # destination -> the value it holds before its output
    buffers = 0
    for n, instr in enumerate(code):
        given = None
        if instr.kind == "ufunc" and instr.dest not in binding:
            # an operand dying here gives its buffer (a destination only if the value fits there)
            dying = [r for r in instr.reads if last_use.get(r) == n and r not in updated
                     and (binding.get(r, "").startswith("b") or holding.get(binding.get(r, "")) == r)
                     and fits(instr.dest, binding[r])]
            spare = sorted((reserved[o], o) for o in outs if scratch_outs and o not in holding
                           and n < reserved[o] and fits(instr.dest, o))
            if dying:
                given = dying[0]
                binding[instr.dest] = binding[given]
            elif free:
                binding[instr.dest] = free.pop(0)
            elif spare:
                binding[instr.dest] = spare[0][1]  # the destination needed soonest that it fits
            else:
                binding[instr.dest] = f"b{buffers}"
                buffers += 1
            if binding[instr.dest] in outs:
                holding[binding[instr.dest]] = instr.dest
        elif instr.kind == "scatter":
            given = instr.reads[0]
            binding[instr.dest] = binding[given]
            if holding.get(binding[given]) == given:
                holding[binding[given]] = instr.dest
        elif instr.kind == "call":
            binding[instr.dest] = call_names[instr.dest]
        for r in instr.reads:
            if last_use.get(r) == n and r != given and r not in updated:
                if binding.get(r, "").startswith("b"):
                    free.append(binding[r])
                elif holding.get(binding.get(r, "")) == r:
                    del holding[binding[r]]
        free.sort()
    return _Allocation(code, binding, buffers, copies)


def _fast_render(kernel: Kernel, builder: _FastBuilder, results: list[Operand], wide: tuple[bool, ...],
                 classy: bool, first_array: str | None, printer: ClassAxisPrinter, scaled: bool = False,
                 redo: tuple[Operand, str] | None = None) -> FastSource:
    """Registers allocated over ``builder.code`` (in the order of ``_schedules`` that needs the
    fewest scratch buffers, the builder's on a tie) and the kernel printed once. ``redo``: the
    rows the pivot form leaves, and the kernel that computes them again, after the pivot form's
    steps, under the caller's floating-point settings."""
    outs = [f"out{n}" for n in range(sum(wide))]
    # A classes-first kernel writes its destinations through transposed views: no scratch there.
    scratch_outs = not printer.classes_first
    allocations = [_allocate(order, results, wide, outs, builder.call_names, scratch_outs)
                   for order in _schedules(builder.code, results)]
    chosen = min(allocations, key=lambda a: a.buffers)  # the first of the fewest
    code, binding, buffers, copies = chosen.code, chosen.binding, chosen.buffers, chosen.copies

    def show(operand: Operand) -> str:
        return binding[operand] if isinstance(operand, Reg) else operand.text

    def call(instr: Instr) -> str:
        return f"{instr.func}({', '.join(show(o) for o in instr.operands)}{instr.keywords})"

    lines = []
    first_write: dict[str, int] = {}  # destination -> the first operation writing it
    for n, instr in enumerate(code):
        if instr.kind == "ufunc":
            lines.append(f"    {call(instr)[:-1]}, out={binding[instr.dest]})")
        elif instr.kind == "scatter":
            lines.append(f"    {call(instr)}")
        elif instr.kind == "call":
            lines.append(f"    {binding[instr.dest]} = {call(instr)}")
        elif instr.kind == "reduce":
            lines.append(f"    {instr.dest} = {call(instr)}")
        else:
            lines.append(f"    {instr.dest} = {instr.func}")
        if instr.kind in ("ufunc", "scatter") and binding[instr.dest].startswith("out"):
            first_write.setdefault(binding[instr.dest], n)
    for dest, source in copies:
        lines.append(f"    {printer._module_format('numpy.copyto')}({dest}, {show(source)})")
    for dest, _ in copies:
        first_write.setdefault(dest, len(code))
    # the rows redone read the arguments after every write
    safe = tuple(redo is None and not any(instr.inputs for instr in code[first_write[dest] + 1:]) for dest in outs)
    returns, destinations = [], iter(outs)
    for result, is_wide in zip(results, wide):
        if is_wide:
            returns.append(next(destinations))
        else:
            text = show(result)
            returns.append((f"{text}[0]" if printer.classes_first else f"{text}[..., 0]") if classy else text)
    args = ", ".join(name for name, _ in kernel.args)
    prefix = "_fast0_" if printer.classes_first else "_fast_"
    head = [f"def {prefix}{kernel.name}({args}, out, scratch{', ' + SCALE.name if scaled else ''}):"]
    if printer.uses_size:
        head.append(f"    K = {first_array}.shape[{printer.class_axis}]")
    if outs:
        head.append(f"    {', '.join(outs)}, = out")
    if buffers:
        head.append(f"    {', '.join(f'b{n}' for n in range(buffers))}, = scratch")
    returned = ", ".join(returns) + ("," if len(returns) == 1 else "")
    if redo is None:
        body = _underflow_ok(head + lines + [f"    return {returned}"])
    else:
        rows, again = redo
        printer.helpers.add("_redo_rows")
        body = _underflow_ok(head + lines, PIVOT_ERRSTATE)
        arguments = args + ("," if len(kernel.args) == 1 else "")
        body.append(f"    return _redo_rows({show(rows)}, {again}, ({arguments}), ({returned})"
                    f"{', ' + SCALE.name if scaled else ''})")
    layout = "a (K, rows) block, classes first" if printer.classes_first else "a block of rows"
    body.insert(0, f"# {_claims_comment(kernel)}: in place, over {layout}")
    if redo is not None:
        body.insert(1, "# (each exp(x - max z) as exp(x) / exp(z_c), and the rows where that is less accurate")
        body.insert(2, "# again with the max shift: see _pivot_rows)")
    passes = sum(instr.kind in ("ufunc", "call") for instr in code) + len(copies)
    return FastSource(kernel.name, "\n".join(body) + "\n", buffers, wide, safe, tuple(sorted(printer.helpers)),
                      scaled, passes)


# --- kernels -------------------------------------------------------------------------------

# An underflow inside a kernel (exp(-|z|) at |z| = 1e4, say) rounds to 0 or a subnormal, the
# correctly rounded value: never an error, also under a caller's np.errstate(all="raise"),
# which would otherwise turn it into a FloatingPointError. Overflow and invalid operations keep
# the caller's setting.
UNDERFLOW_OK = 'with np.errstate(under="ignore"):  # an underflow here is the correctly rounded value'
# The pivot form's steps: a row where exp(z) overflows, or that holds nan or inf, is computed
# again after them with the max shift (_redo_rows), under the caller's settings.
PIVOT_ERRSTATE = 'with np.errstate(all="ignore"):  # rows where this overflows are redone below'


def _claims_comment(kernel: Kernel) -> str:
    """What a kernel prints, for the comment above it: each output and its proven claim."""
    return "prints " + ", ".join(f"{out.name} = claim {out.claim}" for out in kernel.outputs)


def _underflow_ok(lines: list[str], errstate: str = UNDERFLOW_OK) -> list[str]:
    """A kernel's ``def`` line and its body, the body run under ``errstate``."""
    return [lines[0], f"    {errstate}"] + [f"    {line}" for line in lines[1:]]



@dataclass(frozen=True)
class KernelSource:
    """A printed kernel: ``def _name(args): ...`` and what it returns."""

    name: str
    args: tuple[str, ...]
    outputs: tuple[str, ...]
    source: str
    imports: tuple[str, ...]
    helpers: tuple[str, ...] = ()
    fast: FastSource | None = None
    fast0: FastSource | None = None  # the classes-first form, for few classes


def stable_forms(derivation: Derivation) -> dict[sp.Basic, sp.Expr]:
    """Definition base -> proven stable body (the right side of its ``stable`` claim)."""
    return {d.base: derivation.claim(d.stable).rhs for d in derivation.definitions if d.stable is not None}


def printable(derivation: Derivation, claim_name: str) -> sp.Expr:
    """The expression printed for a claim: its right side with stable definitions unfolded."""
    claim = derivation.claim(claim_name)
    expr = derive.unfold(claim.rhs, derivation.definitions, stable=stable_forms(derivation))
    if expr.has(sp.Derivative, sp.Subs, derive.At):
        expr = derive.evaluate(expr, derivation.indices)
    return expr


def _argmax(kernel: Kernel, printer: ClassAxisPrinter) -> list[tuple[str, str]]:
    """(name, printed value) of each class index the kernel computes (``Kernel.argmax``): the
    first largest entry's class, along the printer's class axis."""
    names = {sym: name for name, sym in kernel.args}
    return [(index.name, f"{printer._module_format('numpy.argmax')}({names[array]}, axis={printer.class_axis})")
            for index, array in kernel.argmax]


def _pivot_factored(derivation: Derivation, exprs: Sequence[sp.Expr],
                    per_sample: Iterable[sp.Symbol]) -> tuple[list[sp.Expr], sp.Expr] | None:
    """``exprs`` for the rows-first fast kernel with the target's logit ``z_c`` for the shift
    ``m`` (a ``ClassMax``), and the expression of the rows to redo: each ``exp(x - m)`` as
    ``exp(x) / exp(z_c)``, the per-sample factor ``1 / exp(z_c)`` taken out of each sum, every
    other ``m`` as ``z_c``. The block's exponentials are then ``exp(z)``, one pass, and neither
    the row max nor the block-sized ``z - m`` is formed. None where that saves no pass or has no
    pivot: not one shift, no ``z_c`` of a class index of ``per_sample`` (the class-index
    arguments), or a block-sized ``x - m`` read elsewhere too (the loss of probability targets
    reads every ``z_k - max z``).

    The claims hold for every shift (the prover takes ``max z`` as any real number), so ``z_c``
    gives the proven values; the factoring is ``exp``'s addition rule, proven here with the
    prover's zero test at explicit sizes for every expression it rewrites (None where it is not). Where ``exp(z)`` overflows or the sum is small, the
    max shift is more accurate: ``pivot_rows`` finds those rows at run time."""
    maxes = set().union(*(e.atoms(derive.ClassMax) for e in exprs))
    if len(maxes) != 1:
        return None
    (m,) = maxes
    entry, bound = m.args
    size = derivation.indices.get(bound)
    pivots = sorted((entry.xreplace({bound: c}) for c in per_sample), key=sp.default_sort_key)
    pivots = [p for p in pivots if any(e.has(p) for e in exprs)]
    if size is None or not pivots or not isinstance(entry, sp.Indexed):
        return None
    pivot = pivots[0]
    # 1 / exp(z_c), kept apart (SymPy would merge two exps back): exp(z_c) is the target's
    # exponential as the block has it, so a row with one dominant class sums to exactly it and
    # its loss log(sum / exp(z_c)) is log 1 = 0, as the max-shifted form gives.
    factor = 1 / exp_apart(pivot)

    def shifted_exp(e: sp.Basic) -> bool:
        return isinstance(e, sp.exp) and -m in sp.Add.make_args(e.args[0])

    def factored(e: sp.exp) -> sp.Expr:
        return exp_apart(e.args[0] + m) * factor

    def out_of_sum(e: sp.Sum) -> sp.Expr:
        body = e.function
        if factor not in sp.Mul.make_args(body):
            return e
        return factor * sp.Sum(body / factor, *e.limits)

    def is_wide(x: sp.Basic) -> bool:  # an entry of a class-sized array, outside m's own max
        per = set(per_sample)
        return any(not set(ix.indices) <= per for ix in x.xreplace({m: sp.Dummy()}).atoms(sp.Indexed))

    rewritten = []
    for e in exprs:
        r = e.replace(shifted_exp, factored).replace(lambda x: isinstance(x, sp.Sum), out_of_sum)
        if any(s.function.has(factor) for s in r.atoms(sp.Sum)):
            return None  # the factor inside a sum would cost a pass of its own
        # a block-sized x - m still read: the pass forming it stays, and the rewrite saves nothing
        if any(-m in sp.Add.make_args(a) and is_wide(a) for a in r.atoms(sp.Add)):
            return None
        # z_c - m, kept in its order as an UnevaluatedExpr, is 0 at m = z_c
        rewritten.append(r.xreplace({m: pivot}).replace(
            lambda x: isinstance(x, sp.UnevaluatedExpr) and x.args[0].is_Number, lambda x: x.args[0]))
    sums = {s for r in rewritten for s in r.atoms(sp.Sum) if isinstance(s.function, exp_apart)}
    if rewritten == list(exprs) or len(sums) != 1:
        return None
    for e, r in zip(exprs, rewritten):
        for n in (2, 3):
            at_size = derive.instantiate(r.replace(exp_apart, sp.exp) - e.xreplace({m: pivot}), {size: n})
            if derive.zero_residual(at_size, ranges=derivation.indices, assumptions=derivation.assumptions,
                                    sizes={size: n}) != 0:
                return None  # not shown equal (a power with a symbolic exponent, say): the max shift stays
    return rewritten, pivot_rows(sums.pop(), exp_apart(pivot))


def kernel_source(derivation: Derivation, kernel: Kernel) -> KernelSource:
    """Print one kernel of a derivation's module."""
    arrays = {sym: name for name, sym in kernel.args if isinstance(sym, sp.IndexedBase)}
    class_index = {sym: name for name, sym in kernel.args if isinstance(sym, sp.Symbol) and sym in derivation.indices}
    class_index.update({sym: sym.name for sym, _ in kernel.argmax})  # computed first: see _argmax
    scalars = {sym: name for name, sym in kernel.args if isinstance(sym, sp.Symbol) and sym not in derivation.indices}
    ctx = _Context(arrays, scalars, class_index, frozenset(derivation.dimensions), derivation.name)
    classy = bool(arrays)
    exprs = [printable(derivation, out.claim) for out in kernel.outputs]

    def lowered(exprs: Sequence[sp.Expr], redo: sp.Expr | None = None) -> tuple[list, list]:
        """(cse replacements, reduced outputs) of the kernel's expressions, lowered; ``redo``
        (``_pivot_factored``), per sample, after the outputs."""
        forms = []
        for out, expr in zip([*kernel.outputs, None], [*exprs, redo]):
            if expr is None:
                continue
            if classy and (out is None or not out.indices):
                # Per-sample scalars stay (..., 1) inside the kernel, shared with the gradient.
                slot = sp.Symbol("_sample_slot", integer=True)
                forms.append(_lower(expr, (slot,), ctx))
            else:
                forms.append(_lower(expr, tuple(out.indices), ctx))
        return sp.cse(forms, symbols=sp.numbered_symbols("t"), order="canonical")

    replacements, reduced = lowered(exprs)
    first_array = next((name for name, sym in kernel.args if isinstance(sym, sp.IndexedBase)), None)
    printer = ClassAxisPrinter(first_array)
    names = TemporaryNames([n for n, _ in kernel.args] + ["K"] + [index.name for index, _ in kernel.argmax],
                           taken=("np",))
    body = []
    for sym, value in replacements:
        printer.temp_names[sym] = names.new(value, sym)
        body.append(f"    {printer.temp_names[sym]} = {printer.doprint(value)}")
    results = []
    for out, value in zip(kernel.outputs, reduced):
        text = printer.doprint(value)
        if classy and not out.indices:
            text = f"({text})[..., 0]" if not isinstance(value, sp.Symbol) else f"{text}[..., 0]"
        results.append(text)
    lines = [f"def _{kernel.name}({', '.join(name for name, _ in kernel.args)}):"]
    if printer.uses_size:
        lines.append(f"    K = {first_array}.shape[-1]")
    lines += [f"    {name} = {value}" for name, value in _argmax(kernel, printer)]
    lines += body
    lines.append(f"    return {', '.join(results)}")
    lines = [f"# {_claims_comment(kernel)}"] + _underflow_ok(lines)
    indices = [out.indices for out in kernel.outputs]
    # The pivot form (_pivot_factored) only where the logits are the one class-sized argument:
    # exp(z) / exp(z_c) may exceed 1, and a product with another array could overflow where
    # exp(z - max z) <= 1 could not. And only in the rows layout: the classes-first one runs
    # K <= 16, where the pivot's few calls per block would only add to the fixed cost that
    # dominates there. The plain kernel (the max shift) redoes the rows it leaves.
    pivoted = _pivot_factored(derivation, exprs, class_index) if len(arrays) == 1 else None
    pivot_forms = lowered(*pivoted) if pivoted is not None else None

    def layouts(may_scale: bool) -> tuple[FastSource | None, FastSource | None]:
        fast0 = _fast_source(kernel, indices, replacements, reduced, ctx, first_array, classy, True, may_scale)
        fast = None
        if pivot_forms is not None:
            fast = _fast_source(kernel, indices, *pivot_forms, ctx, first_array, classy, False, may_scale,
                                redo=f"_{kernel.name}")
        if fast is None:
            fast = _fast_source(kernel, indices, replacements, reduced, ctx, first_array, classy, False, may_scale)
        return fast, fast0

    fast, fast0 = layouts(True)
    if fast is not None and fast0 is not None and fast.scaled != fast0.scaled:
        # one record per kernel says whether it takes ``scale``: both layouts then do without
        fast, fast0 = layouts(False)
    imports = tuple(sorted(printer.module_imports.get("numpy", ())))
    return KernelSource(kernel.name, tuple(n for n, _ in kernel.args), tuple(o.name for o in kernel.outputs),
                        "\n".join(lines) + "\n", imports, tuple(sorted(printer.helpers)), fast, fast0)


# --- modules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedFile:
    derivation: str
    module: str
    filename: str
    text: str


def _environment() -> jinja2.Environment:
    # The built-in templates first: a user's folder (--templates) adds templates and never
    # changes a built-in module; a user's template may include the built-in parts (_header...).
    loader: jinja2.BaseLoader = jinja2.PackageLoader("symxent", "templates")
    user = template_directories()
    if user:
        loader = jinja2.ChoiceLoader([loader, jinja2.FileSystemLoader([str(d) for d in user])])
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


PART_MARK = "#: part "


@functools.cache
def template_parts() -> dict[str, dict[str, str]]:
    """The fixed Python the templates copy verbatim, by file and part name: every ``*.py`` file
    of ``symxent/templates`` (``runtime.py``, shared by the modules; ``args_<template>.py``, one
    template's argument handling) by its stem, and in it the text from each ``#: part <name>``
    line to the next, without the surrounding blank lines (the templates place them). A file's
    header, before its first part, is not a part: it makes the file a module that linters and
    tests import."""
    root = importlib.resources.files("symxent.templates")
    files = sorted((f for f in root.iterdir() if f.name.endswith(".py") and f.name != "__init__.py"),
                   key=lambda f: f.name)
    return {f.name.removesuffix(".py"): _parts(f.name, f.read_text(encoding="utf-8")) for f in files}


def _parts(filename: str, text: str) -> dict[str, str]:
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(PART_MARK):
            name = line[len(PART_MARK):].strip()
            if name in parts:
                raise ValueError(f"{filename}: part {name!r} appears twice")
            current = parts[name] = []
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip("\n") for name, lines in parts.items()}


def _claims_of(derivation: Derivation, module: Module) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for kernel in module.kernels:
        for out in kernel.outputs:
            seen.setdefault(out.claim, derivation.claim(out.claim).statement)
    return [{"name": k, "statement": v} for k, v in seen.items()]


def _helpers(kernels: Iterable[KernelSource], fast: bool) -> str:
    """The helper functions the kernels call (with ``fast``, the fast kernels' too)."""
    names = {h for k in kernels for h in k.helpers}
    if fast:
        names |= {h for k in kernels for f in (k.fast, k.fast0) if f for h in f.helpers}
    return "\n\n\n".join(HELPERS[h].rstrip("\n") for h in sorted(names))


def render_module(derivation: Derivation, module: Module) -> GeneratedFile:
    """The text of one generated module (header, printed kernels, template structure)."""
    kernels = {k.name: kernel_source(derivation, k) for k in module.kernels}
    template = _environment().get_template(module.template)
    # Twice: the first text names the module's public functions, which the second lists in
    # __all__ (a template that prints no ``exports`` simply has none).
    text = _render(template, derivation, module, kernels, exports="")
    text = _render(template, derivation, module, kernels, exports=_all_statement(text))
    return GeneratedFile(derivation.name, module.name, f"{module.name}.py", text)


def _all_statement(text: str) -> str:
    """``__all__ = [...]``: the public functions a module's text defines, in the order it does."""
    names = [node.name for node in ast.parse(text).body
             if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]
    one_line = "__all__ = [" + ", ".join(f'"{n}"' for n in names) + "]"
    if len(one_line) <= 100:
        return one_line
    return "__all__ = [\n" + "".join(f'    "{n}",\n' for n in names) + "]"


def _render(template: jinja2.Template, derivation: Derivation, module: Module, kernels: Mapping[str, KernelSource],
            exports: str) -> str:
    return template.render(
        exports=exports,
        parts=template_parts(),
        module=module,
        derivation=derivation,
        kernels=kernels,
        claims=_claims_of(derivation, module),
        # Each claim's statement by name, so that docstrings quote what was proven.
        statements={c.name: c.statement for c in derivation.claims},
        regenerate=REGENERATE,
        version=__version__,
        options=dict(sorted(module.options.items())),
        kernel_claims={k.name: k.outputs[0].claim for k in module.kernels},
        helpers=_helpers(kernels.values(), fast=False),
        helpers_fast=_helpers(kernels.values(), fast=True),
    )


def render_all(registry: Registry, names: Sequence[str] = ()) -> tuple[list[GeneratedFile], list[str]]:
    """Every module of the selected derivations that renders, sorted by file name, and one line
    for each that does not (its derivation's file, the module, the template and the reason):
    one user's module that cannot be printed never stops the others from being written."""
    files, failed = [], []
    for d in registry.select(names):
        for m in d.modules:
            try:
                files.append(render_module(d, m))
            except Exception as exc:  # a user's module may fail anywhere in printing or rendering
                reason = " ".join(str(exc).split()) or type(exc).__name__
                failed.append(f"{d.source}: derivation {d.name}, module {m.name} (template {m.template}): "
                              f"{type(exc).__name__}: {reason}")
    _unique(files)
    return sorted(files, key=lambda f: f.filename), failed


def render_registry(registry: Registry, names: Sequence[str] = ()) -> list[GeneratedFile]:
    """Every module of the selected derivations (all by default), sorted by file name."""
    files = [render_module(d, m) for d in registry.select(names) for m in d.modules]
    _unique(files)
    return sorted(files, key=lambda f: f.filename)


def _unique(files: Sequence[GeneratedFile]) -> None:
    taken: dict[str, str] = {}
    for f in files:
        if f.filename in taken:
            raise ValueError(f"two derivations generate {f.filename}: {taken[f.filename]} and {f.derivation}")
        taken[f.filename] = f.derivation


def write(files: Sequence[GeneratedFile], out_dir: str | Path) -> list[Path]:
    """Write the files into ``out_dir`` (created if needed); each file is replaced atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for f in files:
        # A unique temporary name per write: concurrent runs never share (or delete) one.
        written.append(atomic.write_text(out / f.filename, f.text))
    return written


def check(files: Sequence[GeneratedFile], out_dir: str | Path, with_diff: bool = False,
          unknown: Iterable[str] = ()) -> list[str]:
    """Differences between ``files`` and ``out_dir``: changed, missing and extra ``.py`` files.
    ``unknown``: file names of modules that could not be rendered (not "extra": their
    derivation generates them, but what it generates is unknown)."""
    out = Path(out_dir)
    problems = []
    expected = {f.filename: f for f in files}
    present = {p.name for p in out.glob("*.py")} if out.is_dir() else set()
    for name in sorted(expected):
        path = out / name
        if name not in present:
            problems.append(f"missing: {path}")
            continue
        try:
            actual = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(f"differs: {path} (not UTF-8 text)")
            continue
        if actual != expected[name].text:
            problems.append(f"differs: {path}")
            if with_diff:
                problems.extend(difflib.unified_diff(actual.splitlines(), expected[name].text.splitlines(),
                                                     f"{path} (on disk)", f"{path} (generated)", lineterm=""))
    for name in sorted(present - set(expected) - set(unknown)):
        problems.append(f"extra: {out / name} (no derivation generates it)")
    return problems
