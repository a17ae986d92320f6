"""Numbers against symbols: proofs, then the generated code against independent references.

Contract: :func:`verify` returns a :class:`Report` for the selected derivations. It holds
- the proofs (:mod:`symxent.prove`) of every claim and chain step;
- for every claim, the prover's own numeric screen (``Check.numeric_error``): the residual at
  a random point of every explicit instance, evaluated to 30 digits;
- for every generated kernel output, the generated function against ``lambdify`` of the
  claim's raw left side
  (definitions unfolded *as defined*, derivatives taken at explicit K), K = 2..Kmax;
- extreme inputs: generated kernels at logits of +-1e4 (float64) and +-1e3 (float32) against
  a 50-digit evaluation of the raw expression, with finiteness and dtype preserved;
- accuracy (:mod:`symxent.accuracy`): the public functions named in ``Module.options["accuracy"]``
  against a 50-digit reference over the whole range of float64 and float32, in ulps of the
  true value (targets 4 and 8 ulp), contiguous and strided inputs, and (elementwise ones) at
  inf and nan inputs;
  those in ``options["accuracy_report"]`` are measured and shown with the reason they are not
  yet held to the target;
- module checks declared in ``Module.options``: gradients against central finite differences
  and the complex step (where the printed form is analytic), Hessians against finite
  differences of the gradient and through their spectra, with bounds read from proven claims.
The generated module checked is the file users import: ``generated/<module>.py`` (any
directory, ``verify(..., generated=DIR)``) imported from its path where it exists, else the
module rendered in memory (exactly what ``symxent generate`` writes); :func:`verify_module`
checks one copied module file, found from the derivation and module its header names.
With ``with_canaries``, the canary claims of :mod:`symxent.canaries` are proven afresh in the
same pool (``Report.canaries``).
Each check records its maximum relative error, its tolerance and, on failure, a point.
Nothing here is timed against a budget; ``seconds`` is reported for information.
"""

from __future__ import annotations

import concurrent.futures
import gc
import itertools
import math
import os
import re
import time
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from symxent import accuracy, canaries, codegen, derive
from symxent.domains import draw, sample_batch, sample_point
from symxent.prove import DerivationProof, check_chain, prove, prove_claim, size_grid
from symxent.registry import Claim, Derivation, Kernel, Module, Registry

__all__ = ["NumericCheck", "Report", "load_generated", "load_module_file", "module_origin", "verify",
           "verify_derivation", "verify_module"]

BATCH = 64  # random samples per size
TOL_RAW = 1e-9  # generated vs raw lambdify, float64 relative
TOL_FD = 1e-7  # central finite differences, relative to the gradient's scale
TOL_CS = 1e-12  # complex step
TOL_EXTREME64 = 1e-10
TOL_EXTREME32 = 1e-4


@dataclass(frozen=True)
class NumericCheck:
    derivation: str
    subject: str  # a claim name, or "module.function" for module checks
    check: str
    max_error: float
    tolerance: float
    ok: bool
    detail: str = ""
    seconds: float = 0.0
    accuracy: accuracy.Accuracy | None = None  # the measurement behind an accuracy check


@dataclass
class Report:
    proofs: list[DerivationProof] = field(default_factory=list)
    numeric: list[NumericCheck] = field(default_factory=list)
    seconds: float = 0.0
    # The canary claims, proven afresh when ``verify(..., canaries=True)`` asked for them
    # (their verdicts are the caller's to judge: see symxent.canaries).
    canaries: list[canaries.CanaryResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.proofs) and all(n.ok for n in self.numeric)

    def claim_numeric(self, derivation: str, claim: str) -> list[NumericCheck]:
        return [n for n in self.numeric if n.derivation == derivation and n.subject == claim]

    def accuracy(self) -> list[accuracy.Accuracy]:
        """The ulp measurements, in the order they were made."""
        return [n.accuracy for n in self.numeric if n.accuracy is not None]

    def module_checks(self) -> list[NumericCheck]:
        claims = {(p.derivation, c.claim) for p in self.proofs for c in p.claims}
        return [n for n in self.numeric if (n.derivation, n.subject) not in claims]


# --- helpers -------------------------------------------------------------------------------


def _rel_error(actual: np.ndarray, expected: np.ndarray) -> float:
    actual, expected = np.asarray(actual, dtype=complex), np.asarray(expected, dtype=complex)
    if actual.shape != expected.shape:
        return math.inf
    both_inf = np.isinf(actual) & np.isinf(expected) & (np.sign(actual.real) == np.sign(expected.real))
    diff = np.where(both_inf, 0.0, np.abs(actual - expected))
    scale = np.maximum(1.0, np.abs(np.where(both_inf, 0.0, expected)))
    err = diff / scale
    return float(np.max(err)) if err.size else 0.0


def _entries(d: Derivation, expr: sp.Expr, free: Sequence[sp.Symbol], sizes: dict[sp.Symbol, int]) -> np.ndarray:
    """An object array of ``expr`` over every value of the free indices (shape K, K x K, ...)."""
    shape = tuple(sizes[d.indices[i]] for i in free)
    out = np.empty(shape, dtype=object)
    for position in np.ndindex(*shape) if shape else [()]:
        out[position] = expr.xreplace({i: sp.Integer(v + 1) for i, v in zip(free, position)})
        out[position] = derive.evaluate(out[position], d.indices)
    return out


def _symbols_of(d: Derivation, sizes: dict[sp.Symbol, int]) -> list[sp.Basic]:
    return sorted(sample_point(d, sizes, np.random.default_rng(0)), key=sp.default_sort_key)


def _batch_point(d: Derivation, sizes: dict[sp.Symbol, int], rng: np.random.Generator, n: int,
                 scale: float = 1.0) -> dict[sp.Basic, np.ndarray]:
    """``n`` random points, as one array of length n per entry symbol; real variables scaled."""
    batch = sample_batch(d, sizes, rng, n)
    if scale != 1.0:
        real = {v.symbol for v in d.variables if v.domain == "real"}
        for key in batch:
            if (key.base if isinstance(key, sp.Indexed) else key) in real:
                batch[key] = batch[key] * scale
    return batch


class _GridPrinter(NumPyPrinter):
    """lambdify's NumPy printer with the entries printed by the names given: with Indexed
    arguments lambdify re-substitutes dummies through the whole expression, and renaming them
    first rebuilds it (re-sorting every Max); either dominated the run time."""

    def __init__(self, names: Mapping[sp.Basic, str]) -> None:
        # order="none": sorting the terms of every Add for printing took most of the time.
        super().__init__({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                          "user_functions": {}, "order": "none"})
        self.names = names

    def _print_Indexed(self, e: sp.Indexed) -> str:
        return self.names[e] if e in self.names else super()._print_Indexed(e)

    def _print_Symbol(self, e: sp.Symbol) -> str:
        return self.names[e] if e in self.names else super()._print_Symbol(e)


def _lambdify_grid(symbols: list[sp.Basic], grid: np.ndarray) -> Callable[..., np.ndarray]:
    """A vectorised numeric function of the entries, returning an array shaped like ``grid``."""
    plain = [sp.Symbol(f"_a{n}") for n in range(len(symbols))]
    printer = _GridPrinter({s: p.name for s, p in zip(symbols, plain)})
    flat = [sp.sympify(e) for e in grid.reshape(-1)]
    # docstring_limit=0: no docstring printing the whole expression (str() of the raw form at
    # K = 6 was a quarter of lambdify's time, for a docstring nobody reads)
    f = sp.lambdify(plain, flat, modules="numpy", cse=False, dummify=False, printer=printer, docstring_limit=0)

    def call(values: dict[sp.Basic, np.ndarray]) -> np.ndarray:
        n = len(next(iter(values.values())))
        with np.errstate(all="ignore"):
            out = f(*[values[s] for s in symbols])
        cols = [np.broadcast_to(np.asarray(o, dtype=complex), (n,)) for o in out]
        return np.stack(cols, axis=-1).reshape((n,) + grid.shape)

    return call


def load_generated(text: str, name: str) -> types.ModuleType:
    """Execute a generated module's text as a fresh module (never imported from a path)."""
    module = types.ModuleType(f"symxent_generated_{name}")
    module.__file__ = f"<generated {name}.py>"
    exec(compile(text, module.__file__, "exec"), module.__dict__)
    return module


def load_module_file(path: str | os.PathLike) -> types.ModuleType:
    """A generated module imported from its file, as a user who copied it would."""
    import importlib.util

    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"symxent_checked_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_ORIGIN = re.compile(r'Generated by symxent \S+ from the derivation "([^"]+)" \([^\n]*\),\s*module "([^"]+)"')


def module_origin(path: str | os.PathLike) -> tuple[str, str]:
    """(derivation, module) named by a generated module's header, else ValueError."""
    text = Path(path).read_text(encoding="utf-8")
    found = _ORIGIN.search(text[:2000])
    if not found:
        raise ValueError(f"{path}: no symxent header naming its derivation and module (regenerate it with "
                         "`symxent generate`)")
    return found.group(1), found.group(2)


def _kernel_inputs(d: Derivation, kernel: Kernel, values: dict[sp.Basic, np.ndarray],
                   sizes: dict[sp.Symbol, int], rng: np.random.Generator, dtype: type) -> tuple[list[np.ndarray], dict]:
    """Arrays for a kernel's arguments from per-entry samples; class indices drawn at random."""
    n = len(next(iter(values.values())))
    args, chosen = [], {}
    for _, sym in kernel.args:
        if isinstance(sym, sp.IndexedBase):
            var = next(v for v in d.variables if v.symbol == sym)
            size = sizes[d.indices[var.indices[0]]]
            args.append(np.stack([values[sym[k]] for k in range(1, size + 1)], axis=-1).astype(dtype))
        elif sym in d.indices:
            size = sizes[d.indices[sym]]
            chosen[sym] = rng.integers(0, size, size=n)
            args.append(chosen[sym])
        else:
            args.append(np.asarray(values[sym]).astype(dtype))
    return args, chosen


# --- checks --------------------------------------------------------------------------------


_RAW: dict[tuple, tuple] = {}
_RAW_ENTRIES: dict[tuple, np.ndarray] = {}


def _raw_key(d: Derivation, claim: Claim, sizes: dict[sp.Symbol, int], free: tuple[sp.Symbol, ...]) -> tuple:
    return (d.name, claim.name, sp.srepr(claim.lhs), tuple(sorted((s.name, v) for s, v in sizes.items())),
            tuple(i.name for i in free))


def _raw_entries(d: Derivation, claim: Claim, sizes: dict[sp.Symbol, int], free: tuple[sp.Symbol, ...]) -> np.ndarray:
    """The raw left side of a claim at explicit sizes, one expression per value of the free
    indices; built once per process (the lambdify check and the 50-digit one share it)."""
    key = _raw_key(d, claim, sizes, free)
    if key not in _RAW_ENTRIES:
        _RAW_ENTRIES[key] = _entries(d, accuracy.at_size(d, claim.lhs, sizes, False), free, sizes)
    return _RAW_ENTRIES[key]


def _raw_grid(d: Derivation, claim: Claim, sizes: dict[sp.Symbol, int], free: tuple[sp.Symbol, ...]):
    """The symbols and the lambdified raw left side of a claim at explicit sizes, built once
    per process (kernels sharing a claim, e.g. loss and loss_and_grad, share it)."""
    key = _raw_key(d, claim, sizes, free)
    if key not in _RAW:
        symbols = _symbols_of(d, sizes)
        _RAW[key] = symbols, _lambdify_grid(symbols, _raw_entries(d, claim, sizes, free))
    return _RAW[key]


def _kernel_vs_raw(d: Derivation, module: Module, kernel: Kernel, generated: types.ModuleType, kmax: int,
                   rng: np.random.Generator) -> list[NumericCheck]:
    """Each output of the generated kernel against ``lambdify`` of the claim's raw left side."""
    checks = []
    func = getattr(generated, f"_{kernel.name}")
    class_index = [sym for _, sym in kernel.args if sym in d.indices]
    for out_pos, out in enumerate(kernel.outputs):
        start = time.perf_counter()
        claim = d.claim(out.claim)
        free = tuple(out.indices) + tuple(class_index)
        worst, where = 0.0, ""
        for sizes in size_grid(d, kmax):
            symbols, raw = _raw_grid(d, claim, sizes, free)
            values = _batch_point(d, sizes, rng, BATCH)
            expected = raw(values)
            args, chosen = _kernel_inputs(d, kernel, values, sizes, rng, np.float64)
            for sym in reversed(class_index):  # select each sample's class index
                idx = chosen[sym].reshape((-1,) + (1,) * (expected.ndim - 1))
                expected = np.take_along_axis(expected, idx, axis=-1)[..., 0]
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                result = func(*args)
            actual = result[out_pos] if len(kernel.outputs) > 1 else result
            err = _rel_error(actual, expected)
            if err > worst:
                worst, where = err, ", ".join(f"{s.name}={v}" for s, v in sizes.items())
        ok = worst <= TOL_RAW
        checks.append(NumericCheck(d.name, claim.name, f"generated {module.name}._{kernel.name} vs raw lambdify",
                                   worst, TOL_RAW, ok, "" if ok else f"worst at {where}", time.perf_counter() - start))
    return checks


def _kernel_extremes(d: Derivation, module: Module, kernel: Kernel, generated: types.ModuleType,
                     rng: np.random.Generator) -> list[NumericCheck]:
    """Logits at +-1e4 (float64) and +-1e3 (float32): finite, dtype kept, accurate to 50 digits."""
    checks = []
    func = getattr(generated, f"_{kernel.name}")
    class_index = [sym for _, sym in kernel.args if sym in d.indices]
    sizes_list = size_grid(d, 3)
    for dtype, scale, tol in ((np.float64, 1e4, TOL_EXTREME64), (np.float32, 1e3, TOL_EXTREME32)):
        start = time.perf_counter()
        worst, detail, ok = 0.0, "", True
        for sizes in sizes_list:
            values = _batch_point(d, sizes, rng, 4, scale=scale / 3.0)
            args, chosen = _kernel_inputs(d, kernel, values, sizes, rng, dtype)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    result = func(*args)
                except (FloatingPointError, RuntimeWarning) as exc:
                    ok, detail = False, f"{type(exc).__name__}: {exc}"
                    continue
            results = result if len(kernel.outputs) > 1 else (result,)
            for out, actual in zip(kernel.outputs, results):
                actual = np.asarray(actual)
                if actual.dtype != np.dtype(dtype):
                    ok, detail = False, f"{out.name}: dtype {actual.dtype} from {np.dtype(dtype)} input"
                if not np.all(np.isfinite(actual)):
                    ok, detail = False, f"{out.name}: non-finite output at extreme inputs"
                    continue
                # 50-digit reference of the raw expression at the same (rounded) inputs.
                claim = d.claim(out.claim)
                free = tuple(out.indices) + tuple(class_index)
                grid = _raw_entries(d, claim, sizes, free)
                symbols = _symbols_of(d, sizes)
                cast = {s: np.asarray(values[s]).astype(dtype).astype(np.float64) for s in symbols}
                for sample in range(actual.shape[0] if actual.ndim else 1):
                    point = {s: sp.Float(float(cast[s][sample]), 60) for s in symbols}
                    sub = grid
                    for sym in class_index:
                        sub = sub[..., int(chosen[sym][sample])]
                    # A plain loop, not np.vectorize: inside a ufunc loop NumPy would report the
                    # machine-float overflow flag SymPy's evalf raises while estimating magnitudes.
                    ref = np.array([complex(sp.N(e.xreplace(point), 50)) for e in np.ravel(sub)]).reshape(np.shape(sub))
                    got = actual[sample] if actual.ndim else actual
                    err = _rel_error(got, ref)
                    worst = max(worst, err)
        ok = ok and worst <= tol
        checks.append(NumericCheck(d.name, f"{module.name}._{kernel.name}",
                                   f"extreme inputs +-{scale:g} {np.dtype(dtype).name} vs 50-digit raw", worst, tol, ok,
                                   detail, time.perf_counter() - start))
    return checks


TOL_BLOCKED64 = 1e-12  # the block driver against the plain kernel: the same expressions, reordered
TOL_BLOCKED32 = 1e-5


def _kernel_blocked(d: Derivation, module: Module, kernel: Kernel, generated: types.ModuleType,
                    rng: np.random.Generator) -> list[NumericCheck]:
    """The fast kernel, run by the module's block driver, against the plain kernel.

    Blocks of 3 rows on 2 threads over batches of 1, 7 and 97 rows (blocks that do not divide
    the batch, a batch of one row), float64 and float32, ordinary and extreme (+-1e4 / +-1e3)
    inputs: the same values to rounding, the input's dtype kept, and finite wherever the plain
    kernel is. Wide outputs are checked both written out and summed by the driver; a kernel
    that folds the "mean" divisor into its last output (``scaled``) also with a divisor of 7,
    against the plain output divided by 7.
    """
    fast = getattr(generated, "_FAST", {}).get(kernel.name)
    if fast is None:
        return []
    wide = fast.wide
    layouts = [(fast.kernel, fast.buffers, False)]
    if fast.classes_first is not None:
        layouts.append((fast.classes_first, fast.classes_first_buffers, True))
    plain = getattr(generated, f"_{kernel.name}")
    checks = []
    saved = generated._BLOCK_BYTES, generated._ELEMENTWISE_BLOCK_BYTES, generated._THREADS
    try:
        for (func, buffers, flipped), (dtype, scale, tol) in itertools.product(
                layouts, ((np.float64, 1e4, TOL_BLOCKED64), (np.float32, 1e3, TOL_BLOCKED32))):
            start = time.perf_counter()
            worst, problems = 0.0, []
            for sizes in size_grid(d, 3):
                for n, factor in ((1, 1.0), (7, 1.0), (97, 1.0), (7, scale / 3.0)):
                    values = _batch_point(d, sizes, rng, n, scale=factor)
                    args, _ = _kernel_inputs(d, kernel, values, sizes, rng, dtype)
                    with warnings.catch_warnings():
                        warnings.simplefilter("error")
                        expected = plain(*args)
                        expected = expected if len(kernel.outputs) > 1 else (expected,)
                        generated._BLOCK_BYTES = generated._ELEMENTWISE_BLOCK_BYTES = 3 * args[0][0:1].nbytes
                        generated._THREADS = 2
                        written = [np.empty_like(e) for e, w in zip(expected, wide) if w]
                        actual = generated._blocked(func, buffers, wide, args, tuple(written), None, flipped,
                                                    fast.scaled)
                        summed = generated._blocked(func, buffers, wide, args, tuple(None for w in wide if w), None,
                                                    flipped, fast.scaled)
                        if fast.scaled:
                            divisors = (None,) * (len(written) - 1) + (7,)
                            divided = generated._blocked(func, buffers, wide, args,
                                                         tuple(np.empty_like(w) for w in written), divisors, flipped,
                                                         True)
                            worst = max(worst, _rel_error(np.asarray(divided[-1]), np.asarray(expected[-1]) / 7))
                    for out, e, a, t, w in zip(kernel.outputs, expected, actual, summed, wide):
                        e, a = np.asarray(e), np.asarray(a)
                        if a.dtype != np.dtype(dtype):
                            problems.append(f"{out.name}: dtype {a.dtype} from {np.dtype(dtype)} input")
                        if np.any(np.isfinite(e) & ~np.isfinite(a)):
                            problems.append(f"{out.name}: non-finite where the plain kernel is finite (n={n})")
                        worst = max(worst, _rel_error(a, e))
                        if w:
                            total = np.sum(e)
                            worst = max(worst, _rel_error(t, total) / max(1.0, float(np.sum(np.abs(e)) / max(1.0, abs(total)))))
            ok = worst <= tol and not problems
            checks.append(NumericCheck(d.name, f"{module.name}._fast{'0' if flipped else ''}_{kernel.name}",
                                       f"blocked {np.dtype(dtype).name} (3-row blocks, 2 threads, n = 1, 7, 97) vs plain",
                                       worst, tol, ok, "; ".join(sorted(set(problems))), time.perf_counter() - start))
    finally:
        generated._BLOCK_BYTES, generated._ELEMENTWISE_BLOCK_BYTES, generated._THREADS = saved
    return checks


def _finite_difference_checks(d: Derivation, module: Module, generated: types.ModuleType,
                              rng: np.random.Generator) -> list[NumericCheck]:
    """Declared derivative pairs: central differences and (where analytic) the complex step."""
    checks = []
    for value_name, derivative_name, kind in module.options.get("derivatives", ()):
        value_fn, deriv_fn = getattr(generated, value_name), getattr(generated, derivative_name)
        start = time.perf_counter()
        worst_fd, worst_cs = 0.0, 0.0
        analytic = kind == "gradient" and _analytic(d, module, value_name)
        for shape in ((3,), (4, 5), (2, 3, 6)):
            x, extra = _module_inputs(d, module, shape, rng)
            if kind == "gradient":  # d/dx of the summed loss, plain and with every keyword option
                for kw in ({}, _keyword_options(module, shape, rng)) if module.options.get("keywords") else ({},):
                    g = np.asarray(deriv_fn(x, *extra, reduction="sum", **kw))
                    fd = _central(lambda t: float(np.real(value_fn(t, *extra, reduction="sum", **kw))), x)
                    worst_fd = max(worst_fd, _rel_error(g, fd))
                    if analytic:
                        cs = _complex_step(lambda t: value_fn(t, *extra, reduction="sum", **kw), x)
                        worst_cs = max(worst_cs, _rel_error(g, cs))
            elif kind == "hessian":  # per-sample Jacobian of the per-sample gradient
                fd = _jacobian_fd(lambda t: np.asarray(value_fn(t, *extra, reduction="none")), x,
                                  module.options.get("class_axis", True))
                worst_fd = max(worst_fd, _rel_error(np.asarray(deriv_fn(x)), fd))
            elif kind == "jacobian":  # per-sample Jacobian of a vector function of the class axis
                fd = _jacobian_fd(lambda t: np.asarray(value_fn(t)), x, True)
                worst_fd = max(worst_fd, _rel_error(np.asarray(deriv_fn(x)), fd))
            elif kind == "elementwise":
                fd = _jacobian_fd(lambda t: np.asarray(value_fn(t)), x, False)
                worst_fd = max(worst_fd, _rel_error(np.asarray(deriv_fn(x)), fd))
            else:
                raise ValueError(f"{d.name}/{module.name}: unknown derivative kind {kind!r}")
        checks.append(NumericCheck(d.name, f"{module.name}.{derivative_name}",
                                   f"vs central differences of {value_name}", worst_fd, TOL_FD, worst_fd <= TOL_FD,
                                   seconds=time.perf_counter() - start))
        if analytic:
            checks.append(NumericCheck(d.name, f"{module.name}.{derivative_name}", f"vs complex step of {value_name}",
                                       worst_cs, TOL_CS, worst_cs <= TOL_CS))
    return checks


def _keyword_options(module: Module, shape: tuple[int, ...], rng: np.random.Generator) -> dict[str, object]:
    """Random values for a module's keyword options (``Module.options["keywords"]``: name ->
    (domain, "scalar" | "class" (one per class, the last axis) | "elementwise"))."""
    out: dict[str, object] = {}
    for name, (domain, kind) in sorted(module.options["keywords"].items()):
        size = {"scalar": (), "class": shape[-1:], "elementwise": shape}[kind]
        value = draw(domain, size, rng)
        out[name] = float(value) if kind == "scalar" else value
    return out


def _analytic(d: Derivation, module: Module, function: str) -> bool:
    """Whether the printed loss is analytic (no |.|, max, min, xlogy): complex step applies."""
    kernel = next((k for k in module.kernels if k.name.startswith(function)), None)
    if kernel is None:
        return False
    exprs = [codegen.printable(d, o.claim) for o in kernel.outputs]
    return not any(e.has(sp.Abs, sp.Max, sp.Min, derive.xlogy, derive.xdivy, derive.xlog1py, derive.xmuly)
               for e in exprs)


def _module_inputs(d: Derivation, module: Module, shape: tuple[int, ...], rng: np.random.Generator
                   ) -> tuple[np.ndarray, list[np.ndarray]]:
    """A first argument and the remaining arguments of a loss module's public functions.

    They are the symbols of ``Module.options["arguments"]`` when given (a module whose first
    kernel also takes options), else the first kernel's arguments. A class-index symbol is
    drawn as integer class indices, one per sample (the shape without the class axis).
    """
    symbols = module.options.get("arguments") or tuple(sym for _, sym in module.kernels[0].args)
    x = draw(_variable(d, symbols[0]).domain, shape, rng)
    extra = [rng.integers(0, shape[-1], size=shape[:-1]) if sym in d.indices else
             draw(_variable(d, sym).domain, shape, rng) for sym in symbols[1:]]
    return x, extra


def _variable(d: Derivation, symbol: sp.Basic):
    return next(v for v in d.variables if v.symbol == symbol)


def _central(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _complex_step(f: Callable[[np.ndarray], complex], x: np.ndarray, h: float = 1e-30) -> np.ndarray:
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros(x.shape, dtype=complex)
        e[idx] = 1j * h
        g[idx] = np.imag(f(x + e)) / h
    return g


def _jacobian_fd(grad_fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray, class_axis: bool,
                 h: float = 1e-6) -> np.ndarray:
    """Per-sample Jacobian of ``grad_fn`` by central differences: (..., K, K) or elementwise."""
    if not class_axis:
        return (grad_fn(x + h) - grad_fn(x - h)) / (2 * h)
    k = x.shape[-1]
    cols = []
    for j in range(k):
        e = np.zeros_like(x)
        e[..., j] = h
        cols.append((grad_fn(x + e) - grad_fn(x - e)) / (2 * h))
    return np.stack(cols, axis=-1)


def _spectrum_checks(d: Derivation, module: Module, generated: types.ModuleType,
                     rng: np.random.Generator) -> list[NumericCheck]:
    """Hessian eigenvalues against the bounds the derivation proves (read from its claims)."""
    spec = module.options.get("spectrum")
    if not spec:
        return []
    start = time.perf_counter()
    hessian = getattr(generated, "hessian")
    z = rng.normal(0.0, 3.0, size=(200, 6))
    problems, worst = [], 0.0
    if spec.get("matrix", False):
        h = hessian(z)
        eig = np.linalg.eigvalsh(h)
        if "psd" in spec and eig.min() < -1e-12:
            problems.append(f"smallest eigenvalue {eig.min():.3g} < 0")
        if "null_ones" in spec:
            worst = max(worst, float(np.max(np.abs(h @ np.ones(z.shape[-1])))))
        if "upper" in spec:
            bound = float(d.claim(spec["upper"]).lhs)
            if eig.max() > bound + 1e-12:
                problems.append(f"largest eigenvalue {eig.max():.6g} > {bound}")
        detail = f"eigenvalues in [{eig.min():.3g}, {eig.max():.6g}]"
    else:
        h = hessian(z)
        lower = float(d.claim(spec["lower"]).rhs)
        upper = float(d.claim(spec["upper"]).lhs)
        if np.any(h > upper) or np.any(h < lower):
            problems.append(f"values outside [{lower}, {upper}]: [{h.min():.3g}, {h.max():.3g}]")
        moderate = hessian(rng.normal(0.0, 3.0, size=100))
        if np.any(moderate <= lower):
            problems.append(f"not strictly above {lower} at moderate logits")
        detail = f"values in [{h.min():.3g}, {h.max():.6g}]"
    ok = not problems and worst <= 1e-12
    return [NumericCheck(d.name, f"{module.name}.hessian", "spectrum / range from the proven bounds", worst, 1e-12, ok,
                         "; ".join(problems) or detail, time.perf_counter() - start)]


TOL_PUBLIC = 1e-9  # public functions (float64) vs the raw lambdified claims, relative


def _reference(d: Derivation, kernel: Kernel, values: dict[sp.Basic, np.ndarray], sizes: dict[sp.Symbol, int],
               index: np.ndarray | None) -> list[np.ndarray]:
    """Each output of ``kernel``'s claims, raw (definitions unfolded as defined), at ``values``;
    with a class-index argument, each sample's own class ``index`` selected."""
    class_index = [sym for _, sym in kernel.args if sym in d.indices]
    out = []
    for o in kernel.outputs:
        claim = d.claim(o.claim)
        symbols, raw = _raw_grid(d, claim, sizes, tuple(o.indices) + tuple(class_index))
        length = len(next(iter(values.values())))
        # The grid takes every symbol of the derivation; those this claim does not use are unread.
        expected = raw({s: values.get(s, np.full(length, 0.5)) for s in symbols})
        if class_index:
            idx = index.reshape((-1,) + (1,) * (expected.ndim - 1))
            expected = np.take_along_axis(expected, idx, axis=-1)[..., 0]
        out.append(np.real(expected))
    return out


def _public_cases(module: Module, rng: np.random.Generator, x: np.ndarray):
    """(keywords, kernel argument values) for every combination of the module's options."""
    spec = module.options["public"]
    names = sorted(spec["keywords"])
    for chosen in itertools.product((False, True), repeat=len(names)):
        keywords, kernel_values = {}, dict(spec["defaults"])
        for name, on in zip(names, chosen):
            if not on:
                continue
            symbol, kind, *bounds = spec["keywords"][name]
            low, high = bounds[0] if bounds else (0.2, 2.0) if kind != "scalar" else (0.05, 0.4)
            size = {"class": x.shape[-1], "elementwise": x.shape, "scalar": None}[kind]
            value = rng.uniform(low, high, size)
            value = float(value) if size is None else value
            keywords[name] = value
            kernel_values[symbol] = value
        yield keywords, kernel_values


def _public_checks(d: Derivation, module: Module, generated: types.ModuleType,
                   rng: np.random.Generator) -> list[NumericCheck]:
    """The public loss functions, with every option and reduction, against the symbols.

    ``Module.options["public"]``: {"kind": "elementwise" | "classes", "kernels": {target kind
    ("index", "probs" or "logits"): kernel}, "keywords": {keyword: (kernel argument, "class" |
    "elementwise" | "scalar"[, (low, high), the range drawn from])}, "defaults": {kernel argument: value when the keyword is not
    given}, "mean": {target kind: "elements" | "samples" | "kept weight"}, and optionally
    "inputs": "probs" (the first argument is a probability), "ignore_index": True, "suffix":
    {target kind: the public functions' suffix, e.g. "_probs"}, "switches": {keyword: (value,
    kernel, kernel argument)}: a keyword that selects another kernel, which takes its value}. The reference is the raw left
    side of the kernel's claims (lambdified, float64), per element or per sample, then what the
    docstrings state: "none" the values (0 for an ignored class index), "sum" their total,
    "mean" the total over the number of elements, of samples, or the total weight w_c of the
    kept class indices (PyTorch's weighted cross-entropy); the gradient is that of the reduced
    loss. Inputs are C-contiguous (the block driver's
    ``_fast_`` kernels), strided (the plain kernels) and, for "classes", with the class axis
    first (``axis=0``); float32 inputs must give float32 results; a class index out of range
    must raise ValueError.
    """
    spec = module.options.get("public")
    if not spec:
        return []
    if spec["kind"] == "vector":
        return _public_vector_checks(d, module, generated, rng)
    start = time.perf_counter()
    worst, problems = 0.0, []
    n, k = 6, 4
    kernels = {name: next(kk for kk in module.kernels if kk.name == kernel) for name, kernel in spec["kernels"].items()}

    def note(err: float, what: str) -> None:
        nonlocal worst
        if err > TOL_PUBLIC and len(problems) < 3:
            problems.append(f"{what}: relative error {err:.3g}")
        worst = max(worst, err)

    runs = list(kernels.items())
    for keyword, (value, kernel_name, argument) in spec.get("switches", {}).items():
        for target_kind in list(kernels):
            runs.append((target_kind, next(kk for kk in module.kernels if kk.name == kernel_name), (keyword, value, argument)))
    for target_kind, kernel, *switched in runs:
        switch = switched[0] if switched else None
        x = rng.uniform(0.05, 0.95, (n, k)) if spec.get("inputs") == "probs" else rng.normal(0.0, 3.0, (n, k))
        if target_kind == "index":
            target = rng.integers(0, k, n)
        elif target_kind == "logits":
            target = rng.normal(0.0, 3.0, (n, k))
        elif spec["kind"] == "classes":
            target = rng.dirichlet(np.ones(k), n)
        else:
            target = rng.uniform(0.0, 1.0, (n, k))
        suffix = spec.get("suffix", {}).get(target_kind, "")
        public = {f: getattr(generated, f + suffix) for f in ("loss", "grad", "loss_and_grad")}
        index_options = [None]
        if target_kind == "index" and spec.get("ignore_index"):
            index_options = [None, int(target[1])]  # the default ignore_index (unused), and one class ignored
        for (keywords, kernel_values), ignore in itertools.product(list(_public_cases(module, rng, x)), index_options):
            sizes = {d.indices[next(iter(d.indices))]: k} if spec["kind"] == "classes" else {}
            values: dict[sp.Basic, np.ndarray] = {}
            for name, sym in kernel.args:
                if switch is not None and name == switch[2]:
                    value = switch[1]
                else:
                    value = x if name == kernel.args[0][0] else target if name == kernel.args[1][0] else kernel_values[name]
                if isinstance(sym, sp.IndexedBase):
                    value = np.broadcast_to(np.asarray(value, float), (n, k))
                    for c in range(k):
                        values[sym[c + 1]] = value[:, c] if spec["kind"] == "classes" else value.reshape(-1)
                elif sym not in d.indices:
                    values[sym] = np.broadcast_to(np.asarray(value, float), (n, k) if spec["kind"] != "classes"
                                                  else (n,)).reshape(-1)
            if spec["kind"] != "classes":
                values = {key: np.broadcast_to(v, (n * k,)) for key, v in values.items()}
                first = kernel.args[0][1]
                values[first] = x.reshape(-1)
            loss_ref, grad_ref = _reference(d, kernel, values, sizes, target if target_kind == "index" else None)
            loss_ref, grad_ref = loss_ref.reshape(x.shape[:-1] if spec["kind"] == "classes" else x.shape), grad_ref.reshape(x.shape)
            keep = np.ones(n, bool)
            options = dict(keywords)
            if switch is not None:
                options[switch[0]] = switch[1]
            if ignore is not None:
                options["ignore_index"] = ignore
                keep = target != ignore
                loss_ref = np.where(keep, loss_ref, 0.0)
                grad_ref = np.where(keep[:, None], grad_ref, 0.0)
            rule = spec["mean"][target_kind]
            if rule == "elements":
                divisor = x.size
            elif rule == "samples":
                divisor = n
            else:  # "kept weight"
                w = np.asarray(kernel_values.get("w", 1.0)) * np.ones(k)
                divisor = float(np.sum(np.where(keep, w[target], 0.0)))
            for reduction in ("none", "sum", "mean"):
                scale = divisor if reduction == "mean" else 1.0
                want_loss = loss_ref if reduction == "none" else np.sum(loss_ref) / scale
                want_grad = grad_ref / scale
                layouts = [("contiguous", x, target, {}), ("strided", np.repeat(x, 2, axis=1)[:, ::2], target, {})]
                if spec["kind"] == "classes":
                    layouts.append(("axis=0", np.ascontiguousarray(x.T), target if target_kind == "index"
                                    else np.ascontiguousarray(target.T), {"axis": 0}))
                for layout, xx, tt, extra in layouts:
                    what = f"{module.name} {target_kind} {sorted(options)} {reduction} {layout}"
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("error")
                            value, g = public["loss_and_grad"](xx, tt, reduction=reduction, **options, **extra)
                            alone = public["loss"](xx, tt, reduction=reduction, **options, **extra)
                            g_alone = public["grad"](xx, tt, reduction=reduction, **options, **extra)
                    except Exception as exc:  # a wrong module may raise anything: a failed check
                        problems.append(f"{what}: {type(exc).__name__}: {exc}")
                        continue
                    if extra:
                        g, g_alone = np.moveaxis(g, 0, -1), np.moveaxis(g_alone, 0, -1)
                    note(_rel_error(np.asarray(value), want_loss), f"{what}: loss_and_grad's loss")
                    note(_rel_error(np.asarray(alone), want_loss), f"{what}: loss")
                    note(_rel_error(np.asarray(g), want_grad), f"{what}: loss_and_grad's gradient")
                    note(_rel_error(np.asarray(g_alone), want_grad), f"{what}: grad")
                    x32 = xx.astype(np.float32)
                    t32 = tt if target_kind == "index" else tt.astype(np.float32)
                    kw32 = {key: (v.astype(np.float32) if isinstance(v, np.ndarray) else v) for key, v in options.items()}
                    with warnings.catch_warnings():
                        warnings.simplefilter("error")
                        value32, g32 = public["loss_and_grad"](x32, t32, reduction=reduction, **kw32, **extra)
                    if np.asarray(value32).dtype != np.float32 or g32.dtype != np.float32:
                        problems.append(f"{what}: float32 in, {np.asarray(value32).dtype} / {g32.dtype} out")
        if target_kind == "index":
            bad = target.copy()
            bad[0] = k
            try:
                public["loss"](x, bad)
                problems.append(f"{module.name}: class index {k} of {k} classes accepted")
            except ValueError:
                pass
            except Exception as exc:  # IndexError and the like: not the documented error
                problems.append(f"{module.name}: class index {k} of {k} classes: {type(exc).__name__}, not ValueError")
    ok = not problems and worst <= TOL_PUBLIC
    return [NumericCheck(d.name, module.name, "public functions (options, reductions, layouts) vs raw lambdify",
                         worst, TOL_PUBLIC, ok, "; ".join(problems), time.perf_counter() - start)]


def _public_vector_checks(d: Derivation, module: Module, generated: types.ModuleType,
                          rng: np.random.Generator) -> list[NumericCheck]:
    """``Module.options["public"]`` of kind "vector": {"functions": {public function: kernel}},
    functions of a row of logits with an ``axis`` option (softmax). Each against the raw left
    side of its kernel's claim, on contiguous and strided rows and with the class axis first."""
    start = time.perf_counter()
    worst, problems = 0.0, []
    n, k = 6, 4
    sizes = {d.indices[next(iter(d.indices))]: k}
    x = rng.normal(0.0, 3.0, (n, k))
    for function, kernel_name in module.options["public"]["functions"].items():
        kernel = next(kk for kk in module.kernels if kk.name == kernel_name)
        first = kernel.args[0][1]
        values = {first[c + 1]: x[:, c] for c in range(k)}
        (want,) = _reference(d, kernel, values, sizes, None)
        for layout, xx, extra in (("contiguous", x, {}), ("strided", np.repeat(x, 2, axis=1)[:, ::2], {}),
                                  ("axis=0", np.ascontiguousarray(x.T), {"axis": 0})):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    got = np.asarray(getattr(generated, function)(xx, **extra))
            except Exception as exc:  # a wrong module may raise anything: a failed check
                problems.append(f"{module.name}.{function} {layout}: {type(exc).__name__}: {exc}")
                continue
            err = _rel_error(got.T if extra else got, want)
            if err > TOL_PUBLIC:
                problems.append(f"{module.name}.{function} {layout}: relative error {err:.3g}")
            worst = max(worst, err)
    ok = not problems and worst <= TOL_PUBLIC
    return [NumericCheck(d.name, module.name, "public functions (layouts, axis) vs raw lambdify", worst, TOL_PUBLIC,
                         ok, "; ".join(problems), time.perf_counter() - start)]


# Rows of logits with an infinite or nan entry: which row holds what (_special_rows).
SPECIAL_ROWS = ("finite", "one -inf", "two -inf (a mask)", "nan", "+inf", "all -inf")
# The value at a logit of -inf is the limit as it tends to -inf; it is reached, to rounding, at
# a finite logit MASK_OFFSET below the row's others (its exp is 0 in either dtype, also divided by
# a temperature), where the outputs that tend to +-inf are beyond MASK_LARGE.
MASK_OFFSET, MASK_LARGE = 1e30, 1e20


def _special_rows(rng: np.random.Generator, k: int) -> np.ndarray:
    """Six rows of k >= 4 logits, as SPECIAL_ROWS says."""
    x = rng.normal(0.0, 3.0, (len(SPECIAL_ROWS), k))
    x[1, 0] = -np.inf
    x[2, [1, 3]] = -np.inf
    x[3, 2] = np.nan
    x[4, 1] = np.inf
    x[5] = -np.inf
    return x


def _masked_limit(x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` without nan or +inf, each -inf replaced by a finite logit MASK_OFFSET below
    the row's finite ones (a row of -inf only stays as it is)."""
    finite = np.isfinite(x)
    low = np.min(np.where(finite, x, np.inf), axis=-1, keepdims=True)
    return np.where(np.isneginf(x) & np.isfinite(low), low - MASK_OFFSET, x)


def _as_limit(values: np.ndarray) -> np.ndarray:
    """Values computed at the finite stand-in of -inf logits, where those beyond MASK_LARGE are
    the +-inf they tend to."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.abs(values) > MASK_LARGE, np.copysign(np.inf, values), values)


def _special_row_checks(d: Derivation, module: Module, generated: types.ModuleType,
                        rng: np.random.Generator) -> list[NumericCheck]:
    """For a module with ``options["special_rows"]``: rows of logits with -inf, +inf and nan
    entries (SPECIAL_ROWS), through every public function (``options["public"]``: "vector" or "classes", every option
    combination), float64 and float32, C-contiguous and strided, reduction "none". A row with
    -inf logits (not all) is the limit (a class of probability 0: log-probability -inf, a loss of
    inf where the target weighs that class, else finite), computed without an invalid
    operation on the way; a row with a nan, a +inf (the limit exists for one +inf but not two: nan,
    as PyTorch's softmax) or only -inf logits (no class has any probability) is nan throughout; no
    row changes another's values."""
    spec = module.options.get("public")
    if not module.options.get("special_rows") or not spec or spec["kind"] not in ("vector", "classes"):
        return []
    start = time.perf_counter()
    problems: list[str] = []
    k = 4
    x = _special_rows(rng, k)
    limited = slice(0, 3)  # the rows whose value is a limit; the others are nan
    calls = []  # (what, function, second argument or None, keywords)
    if spec["kind"] == "vector":
        calls = [(f, getattr(generated, f), None, {}) for f in spec["functions"]]
    else:
        for target_kind in spec["kernels"]:
            if target_kind == "index":
                target = np.array([1, 0, 2, 0, 0, 0])  # row 1: its target class is -inf; row 2: not
            elif target_kind == "logits":  # a teacher masked as the student, finite where the student is not
                target = np.where(np.isneginf(x), -np.inf, rng.normal(0.0, 3.0, x.shape))
            else:  # probabilities; row 1 weighs its -inf class, row 2 does not (a shared mask)
                target = rng.dirichlet(np.ones(k), len(x))
                target[2] = rng.dirichlet(np.ones(k - 2))[[0, 0, 1, 0]] * [1, 0, 1, 0]
                target[2, 0] = 1 - target[2, 2]
            function = getattr(generated, "loss_and_grad" + spec.get("suffix", {}).get(target_kind, ""))
            for keywords, _ in _public_cases(module, rng, x):
                calls.append((f"{target_kind} {sorted(keywords)}", function, target, dict(keywords, reduction="none")))

    def run(function, logits, second, keywords):
        out = function(logits, **keywords) if second is None else function(logits, second, **keywords)
        return [np.asarray(o) for o in (out if isinstance(out, tuple) else (out,))]

    for what, function, second, keywords in calls:
        for dtype in (np.float64, np.float32):
            kw = {key: (v.astype(dtype) if isinstance(v, np.ndarray) else v) for key, v in keywords.items()}
            cast = (lambda a: a) if second is None or second.dtype.kind != "f" else (lambda a: a.astype(dtype))
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    want = [_as_limit(o) for o in run(function, _masked_limit(x[limited]).astype(dtype),
                                                      None if second is None else cast(_masked_limit(second[limited])
                                                                                       if second.dtype.kind == "f"
                                                                                       else second[limited]), kw)]
            except Exception as exc:  # a wrong module may raise anything: a failed check
                problems.append(f"{module.name} {what} {np.dtype(dtype).name} at the finite stand-in: "
                                f"{type(exc).__name__}: {exc}")
                continue
            for layout, view in (("contiguous", lambda a: np.ascontiguousarray(a)),
                                 ("strided", lambda a: np.repeat(a, 2, axis=-1)[..., ::2] if a.ndim == 2 else a)):
                where = f"{module.name} {what} {np.dtype(dtype).name} {layout}"
                xx = view(x.astype(dtype))
                tt = None if second is None else view(cast(second))
                try:
                    with np.errstate(all="raise", under="ignore"):  # no invalid operation for the limits
                        alone = run(function, xx[limited], None if tt is None else tt[limited], kw)
                    with np.errstate(all="ignore"):
                        every = run(function, xx, tt, kw)
                except Exception as exc:  # FloatingPointError, or anything a wrong module raises
                    problems.append(f"{where}: {type(exc).__name__}: {exc}")
                    continue
                for n, (got_alone, got, expected) in enumerate(zip(alone, every, want)):
                    if got.dtype != dtype:
                        problems.append(f"{where}: output {n} has dtype {got.dtype}")
                    rows = got.reshape(len(x), -1).astype(np.float64)
                    if not np.isnan(rows[3:]).all():
                        bad = [SPECIAL_ROWS[3 + r] for r in range(3) if not np.isnan(rows[3 + r]).all()]
                        problems.append(f"{where}: output {n} is not nan in the rows with {', '.join(bad)}: "
                                        f"{rows[3:].tolist()}")
                    if not np.array_equal(rows[:3], got_alone.reshape(3, -1), equal_nan=True):
                        problems.append(f"{where}: output {n} of the rows with -inf changes beside rows with nan, +inf")
                    got64 = np.asarray(got_alone, np.float64).reshape(expected.shape)
                    finite = np.isfinite(expected)
                    with np.errstate(invalid="ignore"):  # nan and inf are compared exactly, below
                        err = _rel_error(np.where(finite, got64, 0.0), np.where(finite, expected, 0.0))
                    if not (err <= (1e-5 if dtype == np.float32 else 1e-12) and np.isfinite(got64[finite]).all()
                            and np.array_equal(got64[~finite], expected[~finite], equal_nan=True)):
                        problems.append(f"{where}: output {n} at -inf logits {got_alone.reshape(3, -1).tolist()}, "
                                        f"the limit is {expected.reshape(3, -1).tolist()}")
    shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
    return [NumericCheck(d.name, module.name, "rows with -inf, +inf, nan logits: the limit, or nan",
                         float(len(problems)), 0.0, not problems, shown, time.perf_counter() - start)]


def _accuracy_checks(d: Derivation, module: Module, generated: types.ModuleType, seed: int) -> list[NumericCheck]:
    """The ulp measurements of :mod:`symxent.accuracy` as checks, and the inf/nan inputs."""
    if not any(module.options.get(key) for key in (*accuracy.ENTRY_KINDS, "special_values")):
        return []
    start = time.perf_counter()
    checks = []
    for a in accuracy.measure(d, module, generated, seed):
        detail = f"max at {a.where}" + (f"; {a.problem}" if a.problem else "")
        if a.not_gated and not a.within:
            detail += f"; over the target, not gated: {a.not_gated}"
        checks.append(NumericCheck(d.name, a.function, f"accuracy in ulps, {a.dtype}, {a.case} ({a.points} inputs)",
                                   a.max_ulp, a.target, a.ok, detail, accuracy=a))
    if isinstance(module.kernels[0].args[0][1], sp.IndexedBase):
        return checks  # rows of logits: inf and nan rows are not measured (see accuracy.special_values)
    problems = accuracy.special_values(d, module, generated)
    checks.append(NumericCheck(d.name, module.name, "inf and nan inputs: the limit, no 0 * inf on the way",
                               float(len(problems)), 0.0, not problems, "; ".join(problems),
                               time.perf_counter() - start))
    return checks


# --- driver --------------------------------------------------------------------------------


def _load(d: Derivation, module: Module, paths: Mapping[str, str]) -> types.ModuleType:
    """The module from its file in ``paths`` (module name -> path) where given, else rendered."""
    if module.name in paths:
        return load_module_file(paths[module.name])
    return load_generated(codegen.render_module(d, module).text, module.name)


def _numeric_for(d: Derivation, kmax: int, seed: int, paths: Mapping[str, str] | None = None,
                 only: str | None = None, accuracy_apart: bool = False,
                 exitfirst: bool = False) -> list[NumericCheck | str]:
    """The numeric checks of ``d``'s modules (``only`` one of them): each loaded from its file in
    ``paths`` (module name -> path) where given, else rendered in memory. With
    ``accuracy_apart``, each module's accuracy checks are left to :func:`_accuracy_for` (another
    task, as they take the longest) and their place is marked by the module's name. With
    ``exitfirst``, the checks stop after the first stage in which one fails."""
    rng = np.random.default_rng(seed)
    checks: list[NumericCheck | str] = []
    paths = paths or {}
    for module in d.modules:
        if only is not None and module.name != only:
            continue
        stage = "loading" if module.name in paths else "rendering"
        try:
            generated = _load(d, module, paths)
            # The accuracy sweeps come last: they take the longest, and they draw nothing from
            # rng, so where they run changes no other check's points.
            stages = [(f"kernel _{k.name}", lambda k=k: (_kernel_vs_raw(d, module, k, generated, kmax, rng)
                                                         + _kernel_extremes(d, module, k, generated, rng)
                                                         + _kernel_blocked(d, module, k, generated, rng)))
                      for k in module.kernels]
            stages += [("finite differences", lambda: _finite_difference_checks(d, module, generated, rng)),
                       ("spectrum", lambda: _spectrum_checks(d, module, generated, rng)),
                       ("public functions", lambda: _public_checks(d, module, generated, rng)),
                       ("inf and nan rows", lambda: _special_row_checks(d, module, generated, rng)),
                       ("accuracy", lambda: [module.name] if accuracy_apart
                        else _accuracy_checks(d, module, generated, seed))]
            for stage, run in stages:
                found = run()
                checks += found
                if exitfirst and any(not c.ok for c in found if isinstance(c, NumericCheck)):
                    return checks
        except Exception as exc:  # a broken module is a failed check with its reason, not a crash
            checks.append(NumericCheck(d.name, module.name, f"{stage}: raised", float("inf"), 0.0, False,
                                       f"{type(exc).__name__}: {exc}"))
            if exitfirst:
                return checks
    return checks


def _accuracy_for(d: Derivation, seed: int, paths: Mapping[str, str] | None = None) -> dict[str, list[NumericCheck]]:
    """Each module's accuracy checks (module name -> checks), for ``_numeric_for(...,
    accuracy_apart=True)``; a module that cannot be loaded has none (the numeric task reports it)."""
    out = {}
    for module in d.modules:
        try:
            generated = _load(d, module, paths or {})
        except Exception:  # reported by the numeric task, which loads it too
            out[module.name] = []
            continue
        try:
            out[module.name] = _accuracy_checks(d, module, generated, seed)
        except Exception as exc:  # a broken module is a failed check with its reason, not a crash
            out[module.name] = [NumericCheck(d.name, module.name, "accuracy: raised", float("inf"), 0.0, False,
                                             f"{type(exc).__name__}: {exc}")]
    return out


def verify_derivation(d: Derivation, kmax: int = 6, seed: int = 0) -> tuple[DerivationProof, list[NumericCheck]]:
    """Proofs and numeric checks of one derivation, in this process."""
    return prove(d, kmax), _numeric_for(d, kmax, seed)


# A task is one claim, one chain, one derivation's numeric layer or its accuracy sweeps, or
# one canary: small enough that two processes stay busy until the end, each seeded on its own
# so the order does not matter.
Task = tuple[str, str, str | int | None]
_CANARY = "canary"  # a canary task: ("canary", "", its position in canaries.CANARIES)


def _tasks(selected: Sequence[Derivation], with_canaries: bool = False) -> list[Task]:
    tasks: list[Task] = []
    for d in selected:
        tasks += [("claim", d.name, c.name) for c in d.claims]
        tasks += [("chain", d.name, n) for n in range(len(d.chains))]
        tasks.append(("numeric", d.name, None))
        if any(m.options.get(key) for m in d.modules for key in (*accuracy.ENTRY_KINDS, "special_values")):
            tasks.append(("accuracy", d.name, None))
    if with_canaries:
        tasks += [(_CANARY, "", n) for n in range(len(canaries.CANARIES))]
    return tasks


def _cost(registry: Registry, task: Task) -> int:
    """A rough cost estimate, to start the longest tasks first (the short ones then fill the
    gaps at the end, so neither process waits long for the other)."""
    kind, name, item = task
    if kind == _CANARY:  # a fraction of a second each: the last to start
        return 1
    d = registry[name]
    if kind == "claim":
        c = d.claim(str(item))
        free = len(derive.free_class_indices(sp.Tuple(c.lhs, c.rhs), d.indices))
        second = sum(1 for x in sp.preorder_traversal(c.lhs) if isinstance(x, sp.Derivative) and len(x.variables) > 1)
        return (1 + 3 * free + 6 * second) * (1 + 2 * len(d.dimensions))
    if kind == "chain":
        return 4 * len(d.chains[int(item)].steps) * (1 + 2 * len(d.dimensions))
    if kind == "accuracy":  # the longest tasks: thousands of 50-digit references per entry
        # (and a few SymPy limits for each case of the inf and nan inputs: a tenth of a second)
        return 100 * sum(len(entry[2]) or 1 for m in d.modules for key in accuracy.ENTRY_KINDS
                         for entry in m.options.get(key, ())) \
            + 8 * sum(len(entry[2]) or 1 for m in d.modules for key in (*accuracy.ENTRY_KINDS, "special_values")
                      for entry in m.options.get(key, ()) if not isinstance(m.kernels[0].args[0][1], sp.IndexedBase))
    # every output against the raw expression at each size: as a claim, longer with a class dimension
    return 4 * sum(len(k.outputs) for m in d.modules for k in m.kernels) * (1 + 2 * len(d.dimensions))


def _run(registry: Registry, task: Task, kmax: int, seed: int, paths: Mapping[str, str] | None = None):
    kind, name, item = task
    if kind == _CANARY:
        return canaries.run_canary(int(item))
    d = registry[name]
    if kind == "claim":
        return prove_claim(d, d.claim(str(item)), kmax, seed)
    if kind == "chain":
        return check_chain(d, d.chains[int(item)], kmax, seed)
    if kind == "accuracy":
        return _accuracy_for(d, seed, paths)
    return _numeric_for(d, kmax, seed, paths, accuracy_apart=True)


_WORKER_REGISTRY: Registry | None = None
_WORKER_DIRECTORIES: list[str] | None = None


# A worker's collector thresholds: SymPy and mpmath allocate millions of short-lived objects,
# nearly all freed by reference counting, and the default (a collection every 700 allocations)
# spent ~5% of a worker's time looking for cycles among them.
_WORKER_GC_THRESHOLD = (100_000, 50, 100)


def _init_worker(directories: list[str]) -> None:
    """A worker's registry: a forked worker has the parent's already (set by :func:`verify`
    just before the pool starts, for the same directories); a spawned one loads it. And the
    worker's collector thresholds (the process is ours: nothing else runs in it)."""
    global _WORKER_REGISTRY, _WORKER_DIRECTORIES
    from symxent.registry import load_registry

    gc.set_threshold(*_WORKER_GC_THRESHOLD)
    if _WORKER_REGISTRY is not None and _WORKER_DIRECTORIES == directories:
        return
    _WORKER_REGISTRY, _WORKER_DIRECTORIES = load_registry(directories), directories


def _run_in_worker(task: Task, kmax: int, seed: int, paths: Mapping[str, str] | None = None):
    assert _WORKER_REGISTRY is not None
    return _run(_WORKER_REGISTRY, task, kmax, seed, paths)


def _on_disk(selected: Sequence[Derivation], generated: str | os.PathLike | None) -> dict[str, str]:
    """Module name -> the path of its file in ``generated``, for the files that exist."""
    if generated is None:
        return {}
    return {m.name: str(Path(generated) / f"{m.name}.py") for d in selected for m in d.modules
            if (Path(generated) / f"{m.name}.py").is_file()}


def verify_module(registry: Registry, path: str | os.PathLike, kmax: int = 6, seed: int = 0,
                  exitfirst: bool = False) -> Report:
    """The numeric checks of one generated module file (a vendored copy, say), against the
    derivation and module its header names. The proofs are ``verify(registry, [name])``'s.
    With ``exitfirst``, they stop after the first stage of checks in which one fails."""
    start = time.perf_counter()
    derivation, module = module_origin(path)
    d = registry[derivation]
    if module not in {m.name for m in d.modules}:
        raise ValueError(f"{path}: the derivation {derivation!r} has no module {module!r}")
    report = Report(numeric=_numeric_for(d, kmax, seed, {module: str(path)}, only=module, exitfirst=exitfirst))
    report.seconds = time.perf_counter() - start
    return report


def verify(registry: Registry, names: Sequence[str] = (), kmax: int = 6, jobs: int | None = None,
           seed: int = 0, directories: Sequence[str] = (), generated: str | os.PathLike | None = None,
           with_canaries: bool = False) -> Report:
    """Verify the selected derivations (all by default), in ``jobs`` processes (default: cores).

    ``directories`` are the extra derivation directories ``registry`` was loaded with; worker
    processes load the registry from them instead of receiving pickled SymPy objects (a
    forked worker has it already).
    ``generated``: the directory of the generated modules; the numeric checks run on the files
    found there (imported from their paths), and on the in-memory render of the others.
    ``with_canaries``: also prove the canary claims afresh (``Report.canaries``), as tasks of
    the same pool: they fill the end of the run instead of following it.
    """
    global _WORKER_REGISTRY, _WORKER_DIRECTORIES
    start = time.perf_counter()
    selected = registry.select(names)
    paths = _on_disk(selected, generated)
    tasks = _tasks(selected, with_canaries)
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs <= 1:
        results = [_run(registry, t, kmax, seed, paths) for t in tasks]
    else:
        order = sorted(range(len(tasks)), key=lambda n: -_cost(registry, tasks[n]))
        # inherited by forked workers (see _init_worker), so they do not load it again
        _WORKER_REGISTRY, _WORKER_DIRECTORIES = registry, list(directories)
        try:
            with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                                        initargs=(list(directories),)) as pool:
                futures = {n: pool.submit(_run_in_worker, tasks[n], kmax, seed, paths) for n in order}
                results = [futures[n].result() for n in range(len(tasks))]
        finally:
            _WORKER_REGISTRY = _WORKER_DIRECTORIES = None
    report = Report()
    by_task = dict(zip(tasks, results))
    report.canaries = [by_task[t] for t in tasks if t[0] == _CANARY]
    for d in selected:
        claims = tuple(by_task[("claim", d.name, c.name)] for c in d.claims)
        steps = tuple(s for n in range(len(d.chains)) for s in by_task[("chain", d.name, n)])
        report.proofs.append(DerivationProof(d.name, claims, steps))
        measured = by_task.get(("accuracy", d.name, None), {})
        for check in by_task[("numeric", d.name, None)]:
            report.numeric.extend(measured.get(check, []) if isinstance(check, str) else [check])
    report.seconds = time.perf_counter() - start
    return report
