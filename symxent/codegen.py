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
- Common subexpressions are eliminated (``sympy.cse``) across all outputs of a kernel.
- Rendering is deterministic: sorted iteration, no timestamps, no Dummy names. The same
  registry gives the same bytes.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from symxent import __version__, derive
from symxent.registry import Derivation, Kernel, Module, Registry

__all__ = ["GeneratedFile", "KernelSource", "check", "kernel_source", "render_module", "render_registry", "write"]

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


class ClassAxisPrinter(NumPyPrinter):
    """NumPy printer with the class-axis rules: reductions, broadcasting, identity, one-hot.

    Emits ``np.<name>``; ``module_imports`` records every NumPy name printed.
    """

    def __init__(self, first_array: str | None) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
        self.first_array = first_array
        self.uses_size = False  # whether the printed code refers to K, the number of classes
        self.helpers: set[str] = set()  # module-level helper functions the code calls

    def _module_format(self, fqn: str, register: bool = True) -> str:
        if fqn.startswith("numpy."):
            self.module_imports["numpy"].add(fqn.split(".", 1)[1])
            return "np." + fqn.split(".", 1)[1]
        return super()._module_format(fqn, register)

    def _dtype(self) -> str:
        return f"{self.first_array}.dtype"

    def _print_Ref(self, e: Ref) -> str:
        name, spec = (str(a) for a in e.args)
        return name if spec == "..." else f"{name}[{spec}]"

    def _print_Take(self, e: Take) -> str:
        name, index, spec = (str(a) for a in e.args)
        taken = f"{self._module_format('numpy.take_along_axis')}({name}, {index}[..., None], axis=-1)"
        return taken if spec == "..." else f"{taken}[{spec}]"

    def _print_Reduce(self, e: Reduce) -> str:
        op, body, keepdims = e.args
        func = self._module_format("numpy.sum" if str(op) == "sum" else "numpy.max")
        keep = ", keepdims=True" if keepdims == sp.true else ""
        return f"{func}({self._print(body)}, axis=-1{keep})"

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

    def _print_Symbol(self, e: sp.Symbol) -> str:
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

    def _print_xlogy(self, e: sp.Basic) -> str:
        self.helpers.add("_xlogy")
        return f"_xlogy({', '.join(self._print(a) for a in e.args)})"

    def _print_xdivy(self, e: sp.Basic) -> str:
        self.helpers.add("_xdivy")
        return f"_xdivy({', '.join(self._print(a) for a in e.args)})"

    def _print_xlog1py(self, e: sp.Basic) -> str:
        self.helpers.add("_xlog1py")
        return f"_xlog1py({', '.join(self._print(a) for a in e.args)})"

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
    "_xlog1py": '''def _xlog1py(x, y):
    """x log(1 + y) with 0 log(1 + y) = 0 (y is replaced by 0 where x == 0, so log1p never sees -1)."""
    zero = x == 0
    return np.where(zero, 0, x * np.log1p(np.where(zero, 0, y)))
''',
}


# --- kernels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelSource:
    """A printed kernel: ``def _name(args): ...`` and what it returns."""

    name: str
    args: tuple[str, ...]
    outputs: tuple[str, ...]
    source: str
    imports: tuple[str, ...]
    helpers: tuple[str, ...] = ()


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


def kernel_source(derivation: Derivation, kernel: Kernel) -> KernelSource:
    """Print one kernel of a derivation's module."""
    arrays = {sym: name for name, sym in kernel.args if isinstance(sym, sp.IndexedBase)}
    class_index = {sym: name for name, sym in kernel.args if isinstance(sym, sp.Symbol) and sym in derivation.indices}
    scalars = {sym: name for name, sym in kernel.args if isinstance(sym, sp.Symbol) and sym not in derivation.indices}
    ctx = _Context(arrays, scalars, class_index, frozenset(derivation.dimensions), derivation.name)
    classy = bool(arrays)
    lowered = []
    for out in kernel.outputs:
        expr = printable(derivation, out.claim)
        if classy and not out.indices:
            # Per-sample scalars stay (..., 1) inside the kernel, shared with the gradient.
            slot = sp.Symbol("_sample_slot", integer=True)
            lowered.append(_lower(expr, (slot,), ctx))
        else:
            lowered.append(_lower(expr, tuple(out.indices), ctx))
    temps = sp.numbered_symbols("t")
    replacements, reduced = sp.cse(lowered, symbols=temps, order="canonical")
    first_array = next((name for name, sym in kernel.args if isinstance(sym, sp.IndexedBase)), None)
    printer = ClassAxisPrinter(first_array)
    body = [f"    {sym} = {printer.doprint(value)}" for sym, value in replacements]
    results = []
    for out, value in zip(kernel.outputs, reduced):
        text = printer.doprint(value)
        if classy and not out.indices:
            text = f"({text})[..., 0]" if not isinstance(value, sp.Symbol) else f"{text}[..., 0]"
        results.append(text)
    lines = [f"def _{kernel.name}({', '.join(name for name, _ in kernel.args)}):"]
    if printer.uses_size:
        lines.append(f"    K = {first_array}.shape[-1]")
    lines += body
    lines.append(f"    return {', '.join(results)}")
    imports = tuple(sorted(printer.module_imports.get("numpy", ())))
    return KernelSource(kernel.name, tuple(n for n, _ in kernel.args), tuple(o.name for o in kernel.outputs),
                        "\n".join(lines) + "\n", imports, tuple(sorted(printer.helpers)))


# --- modules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedFile:
    derivation: str
    module: str
    filename: str
    text: str


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("symxent", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _claims_of(derivation: Derivation, module: Module) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for kernel in module.kernels:
        for out in kernel.outputs:
            seen.setdefault(out.claim, derivation.claim(out.claim).statement)
    return [{"name": k, "statement": v} for k, v in seen.items()]


def render_module(derivation: Derivation, module: Module) -> GeneratedFile:
    """The text of one generated module (header, printed kernels, template structure)."""
    kernels = {k.name: kernel_source(derivation, k) for k in module.kernels}
    template = _environment().get_template(module.template)
    text = template.render(
        module=module,
        derivation=derivation,
        kernels=kernels,
        claims=_claims_of(derivation, module),
        regenerate=REGENERATE,
        version=__version__,
        options=dict(sorted(module.options.items())),
        kernel_claims={k.name: k.outputs[0].claim for k in module.kernels},
        helpers="\n\n".join(HELPERS[h] for h in sorted({h for k in kernels.values() for h in k.helpers})),
    )
    return GeneratedFile(derivation.name, module.name, f"{module.name}.py", text)


def render_registry(registry: Registry, names: Sequence[str] = ()) -> list[GeneratedFile]:
    """Every module of the selected derivations (all by default), sorted by file name."""
    files = [render_module(d, m) for d in registry.select(names) for m in d.modules]
    taken: dict[str, str] = {}
    for f in files:
        if f.filename in taken:
            raise ValueError(f"two derivations generate {f.filename}: {taken[f.filename]} and {f.derivation}")
        taken[f.filename] = f.derivation
    return sorted(files, key=lambda f: f.filename)


def write(files: Sequence[GeneratedFile], out_dir: str | Path) -> list[Path]:
    """Write the files into ``out_dir`` (created if needed); each file is replaced atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for f in files:
        target = out / f.filename
        tmp = target.with_suffix(".py.tmp")
        tmp.write_text(f.text, encoding="utf-8", newline="\n")
        tmp.replace(target)
        written.append(target)
    return written


def check(files: Sequence[GeneratedFile], out_dir: str | Path, with_diff: bool = False) -> list[str]:
    """Differences between ``files`` and ``out_dir``: changed, missing and extra ``.py`` files."""
    out = Path(out_dir)
    problems = []
    expected = {f.filename: f for f in files}
    present = {p.name for p in out.glob("*.py")} if out.is_dir() else set()
    for name in sorted(expected):
        path = out / name
        if name not in present:
            problems.append(f"missing: {path}")
            continue
        actual = path.read_text(encoding="utf-8")
        if actual != expected[name].text:
            problems.append(f"differs: {path}")
            if with_diff:
                problems.extend(difflib.unified_diff(actual.splitlines(), expected[name].text.splitlines(),
                                                     f"{path} (on disk)", f"{path} (generated)", lineterm=""))
    for name in sorted(present - set(expected)):
        problems.append(f"extra: {out / name} (no derivation generates it)")
    return problems
