"""Test your own implementation against the proof: ``compare``, ``assert_matches``.

Contract:
- ``compare(fn, "MODULE.FUNCTION", **options) -> Report`` calls ``fn`` on a fixed set of inputs
  chosen to catch the usual mistakes (N != K in every case, N = 1, K = 2, a large K, logits of
  magnitude 1e3, float64 and float32, index and probability targets where the function takes
  them) and compares what it returns with the *proof*: the right-hand side of the proven
  claims behind ``MODULE.FUNCTION`` (definitions unfolded as defined, not their stable forms),
  evaluated at 50 significant digits with mpmath at exactly the values ``fn`` received, then
  reduced as the generated function's docstring states (``Module.options["public"]``). The
  generated module itself is never called: a bug in it cannot hide the same bug in ``fn``.
- MODULE is any module symxent generates (built-in, or from ``derivations=`` directories) and
  FUNCTION any of its public functions: ``loss``/``grad``/``loss_and_grad`` (and suffixed
  variants) of a loss module, or a function whose body is one kernel (``softmax``, ``jacobian``,
  ``hessian``, ``sigmoid``, ...). ``fn`` takes the same leading positional arguments.
- ``options`` are the reference function's keywords (``reduction="sum"``, ``label_smoothing=0.1``,
  ``weight=[...]``). Each is passed to ``fn`` when ``fn`` accepts it by name; otherwise ``fn`` is
  expected to compute that behaviour itself, and the report says so.
- A case agrees when every entry satisfies ``|got - want| <= rtol * (|want| + scale)``, where
  ``scale`` is the median over samples of each sample's largest ``|want|`` (so an entry that
  underflows in a confident row is judged on the size of the output, and one huge sample cannot
  hide an error in the others); ``rtol`` is 1e-9 for float64 and 1e-4 for float32. Float32 in
  must give float32 out.
- A disagreement is diagnosed in words where a known mistake explains it (a constant factor
  such as 1/K instead of 1/N, a missing mean or a factor 2; a sign; transposed output or the
  class axis first; a reduction over the wrong axis; overflow without the max shift; float32
  promoted; a one-hot assumption on soft targets; an option or reduction ignored), each
  hypothesis checked against every failing input of up to 64 classes, never guessed from one;
  with the smallest failing input and both values.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import itertools
import math
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from symxent.budget import budget
from symxent import derive
from symxent.domains import draw
from symxent.registry import Derivation, Kernel, Module, Registry, load_registry

__all__ = ["Case", "Counterexample", "Report", "Reference", "assert_matches", "compare", "load_function",
           "parse_option", "resolve"]

DIGITS = 50  # the reference's working precision
# At logits of 1e3 a closed form may hold 1 - sigma(z) = 1 - (1 - e^-1000): the difference is
# ~1e-435 of the terms, so those inputs are evaluated with 1200 digits (e^-2000 ~ 1e-869).
DIGITS_EXTREME = 1200
RTOL = {"float64": 1e-9, "float32": 1e-4}
# Seconds one call of the user's function may take (the largest input is (N, 1000)): past it the
# call is reported as a finding ("raised OverBudget: ran past its time budget"), never a hang.
CALL_BUDGET = 60.0
LARGE_K = 1000  # "large K" for outputs with one class axis
LARGE_K_MATRIX = 40  # for (K, K) outputs: K^2 entries at 50 digits
LARGE_M = 100  # the widest elementwise input
EXTREME = 1e3  # magnitude of the extreme logits
DIAGNOSIS_K = 64  # hypotheses are tested on the failing inputs of at most this many classes
REDUCTIONS = ("none", "sum", "mean")
# Keywords that change the layout, not the value: symxent test feeds the class axis last.
LAYOUT_KEYWORDS = ("axis", "out")


class TestingError(ValueError):
    """Bad usage of compare: an unknown module, function or option (exit code 2)."""


# --- the reference: the proven closed form at 50 digits -----------------------------------------


def _unary(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    vectorised = np.frompyfunc(f, 1, 1)
    return lambda x: vectorised(x) if isinstance(x, np.ndarray) else f(x)


def _where(cond: Any, a: Any, b: Any) -> Any:
    if isinstance(cond, np.ndarray):
        return np.where(cond, a, b)
    return a if cond else b


_ZERO, _ONE = mpmath.mpf(0), mpmath.mpf(1)


def _heaviside(x: Any, at_zero: Any) -> Any:
    return _where(x > 0, _ONE, _where(x < 0, _ZERO, at_zero))


def _xlogy(x: Any, y: Any) -> Any:
    return _where(x == 0, _ZERO, x * _LOG(_where(x == 0, _ONE, y)))


def _xdivy(x: Any, y: Any) -> Any:
    return _where(x == 0, _ZERO, x / _where(x == 0, _ONE, y))


def _xmuly(x: Any, y: Any) -> Any:
    return _where(x == 0, _ZERO, x * _where(x == 0, _ZERO, y))


def _xlog1py(x: Any, y: Any) -> Any:
    return _where(x == 0, _ZERO, x * _LOG1P(_where(x == 0, _ZERO, y)))


_EXP, _LOG, _LOG1P, _ABS = _unary(mpmath.exp), _unary(mpmath.log), _unary(mpmath.log1p), _unary(abs)
_MAX2 = np.frompyfunc(lambda a, b: a if a >= b else b, 2, 1)
_MIN2 = np.frompyfunc(lambda a, b: a if a <= b else b, 2, 1)


def _fold(parts: list[Any], add: bool) -> Any:
    """The sum or product of mpf scalars and object arrays, arrays first: ``mpf * array`` would
    have mpmath convert the array (through its repr), ``array * mpf`` is numpy's loop."""
    parts = sorted(parts, key=lambda x: not isinstance(x, np.ndarray))
    total = parts[0]
    for part in parts[1:]:
        total = total + part if add else total * part
    return total


ALL = "every class"  # an index value: all classes at once, along the last axis


class _Evaluator:
    """A symbolic-K expression at explicit values, vectorised over samples and one class index,
    in mpmath.

    Every value is an mpf or a 2-D object array of mpf: (n, K) for what varies over the classes,
    (n, 1) for what does not. ``arrays`` maps an ``IndexedBase`` to its (n, K) entries and a plain
    ``Symbol`` to its (n, 1) values; ``fixed`` maps a per-sample class index to 1-based integers
    (n, 1). An index bound to ``ALL`` in ``env`` stands for every class at once (1..K along the
    last axis); sums and maxima over classes loop over 1..K. A subexpression is evaluated once
    per value of the loop indices it uses (a sum that does not depend on j is not redone).
    """

    def __init__(self, derivation: Derivation, sizes: Mapping[sp.Symbol, int], arrays: Mapping[sp.Basic, np.ndarray],
                 fixed: Mapping[sp.Symbol, np.ndarray], n: int) -> None:
        self.d, self.sizes, self.arrays, self.fixed, self.n = derivation, dict(sizes), arrays, fixed, n
        size = next(iter(self.sizes.values()), 1)
        self.every_class = np.arange(1, size + 1)[None, :]
        self.memo: dict[tuple, Any] = {}
        self.free: dict[sp.Basic, tuple[sp.Symbol, ...]] = {}

    def _key(self, e: sp.Basic, env: Mapping[sp.Symbol, int]) -> tuple:
        """``e`` and the values of the loop indices it uses: the memo's key."""
        free = self.free.get(e)
        if free is None:
            free = self.free[e] = tuple(sorted((s for s in e.free_symbols if isinstance(s, sp.Symbol)),
                                               key=lambda s: s.name))
        return (e,) + tuple(env.get(s) for s in free)

    def value(self, e: sp.Basic, env: Mapping[sp.Symbol, int]) -> Any:
        key = self._key(e, env)
        if key not in self.memo:
            self.memo[key] = self._eval(e, env)
        return self.memo[key]

    def magnitude(self, e: sp.Basic, env: Mapping[sp.Symbol, int]) -> Any:
        """The size of the terms that make up ``e``: sums and products taken of absolute values,
        every other node at its absolute value. Rounding to a dtype's precision costs about
        eps times this, which is the least error any float code can promise (p_j (v_j - sum p v)
        at p_j = 1 - 1e-26 is 1e-26 of terms of size 1)."""
        key = ("magnitude",) + self._key(e, env)
        if key not in self.memo:
            if isinstance(e, (sp.Add, sp.Mul)):
                parts = [self.magnitude(a, env) for a in e.args]
                self.memo[key] = _fold(parts, isinstance(e, sp.Add))
            elif isinstance(e, sp.Sum) and len(e.limits) == 1:
                self.memo[key] = self._reduce(e, env, self.magnitude, add=True)
            elif isinstance(e, sp.UnevaluatedExpr):
                self.memo[key] = self.magnitude(e.args[0], env)
            else:
                self.memo[key] = _ABS(self.value(e, env))
        return self.memo[key]

    def _reduce(self, e: sp.Basic, env: Mapping[sp.Symbol, Any], how: Callable[..., Any], add: bool) -> Any:
        """A sum (``add``) or a ClassMax: over every class at once when no other index of the
        body already stands for every class, else term by term."""
        if isinstance(e, sp.Sum):
            body, (index, lo, hi) = e.function, e.limits[0]
            first, last = self._index(lo, env), self._index(hi, env)
        else:
            body, index = e.args
            first, last = 1, self.sizes[self.d.indices[index]]
        busy = any(env.get(s) is ALL for s in self.free.get(body, ()) or body.free_symbols if s != index)
        if (first, last) == (1, self.every_class.shape[1]) and not busy:
            terms = np.asarray(how(body, {**env, index: ALL}), dtype=object)
            if terms.ndim < 2 or terms.shape[1] == 1:  # the body does not depend on the index
                return terms * last if add else terms
            return np.sum(terms, axis=1, keepdims=True) if add else _MAX2.reduce(terms, axis=1, keepdims=True)
        total = None
        for v in range(first, last + 1):
            term = how(body, {**env, index: v})
            total = term if total is None else (total + term if add else _MAX2(total, term))
        return _ZERO if total is None else total

    def _index(self, e: sp.Basic, env: Mapping[sp.Symbol, int]) -> Any:
        if isinstance(e, sp.Symbol) and e in env:
            return self.every_class if env[e] is ALL else env[e]
        if isinstance(e, sp.Symbol) and e in self.fixed:
            return self.fixed[e]
        if isinstance(e, sp.Symbol) and e in self.sizes:
            return self.sizes[e]
        if e.is_Integer:
            return int(e)
        if isinstance(e, sp.Add):
            return sum(self._index(a, env) for a in e.args)
        if isinstance(e, sp.Mul):
            return math.prod(self._index(a, env) for a in e.args)
        raise TestingError(f"cannot evaluate the index {e} in the reference")

    def _eval(self, e: sp.Basic, env: Mapping[sp.Symbol, int]) -> Any:
        if e.is_Number or isinstance(e, sp.NumberSymbol):
            if e.is_Rational:
                return mpmath.mpf(int(e.p)) / int(e.q)
            return mpmath.mpf(str(sp.N(e, mpmath.mp.dps + 10)))
        if isinstance(e, sp.Symbol):
            if e in self.arrays:
                return self.arrays[e]
            if e in env or e in self.fixed or e in self.sizes:
                return mpmath.mpf(1) * self._index(e, env)
            raise TestingError(f"{self.d.name}: {e} has no value in the reference (not an argument of the kernel)")
        if isinstance(e, sp.Indexed):
            base = self.arrays.get(e.base)
            if base is None:
                raise TestingError(f"{self.d.name}: {e.base} has no value in the reference")
            (index,) = e.indices
            at = self._index(index, env)
            if isinstance(at, np.ndarray):
                return np.take_along_axis(base, np.broadcast_to(at - 1, (self.n, at.shape[1])), axis=1)
            return base[:, at - 1:at]
        if isinstance(e, (sp.Add, sp.Mul)):
            return _fold([self.value(a, env) for a in e.args], isinstance(e, sp.Add))
        if isinstance(e, sp.Pow):
            base, exponent = self.value(e.base, env), self.value(e.exp, env)
            if isinstance(exponent, np.ndarray) and not isinstance(base, np.ndarray):
                base = np.full(exponent.shape, base, dtype=object)
            return base ** exponent
        if isinstance(e, sp.UnevaluatedExpr):
            return self.value(e.args[0], env)
        if isinstance(e, sp.KroneckerDelta):
            a, b = (self._index(x, env) for x in e.args)
            return _where(np.equal(a, b), _ONE, _ZERO)
        if isinstance(e, sp.Sum):
            if len(e.limits) != 1:
                raise TestingError(f"{self.d.name}: a multiple sum in the reference: {e}")
            return self._reduce(e, env, self.value, add=True)
        if isinstance(e, derive.ClassMax):
            return self._reduce(e, env, self.value, add=False)
        if isinstance(e, (sp.Max, sp.Min)):
            fold = _MAX2 if isinstance(e, sp.Max) else _MIN2
            out = self.value(e.args[0], env)
            for a in e.args[1:]:
                out = fold(out, self.value(a, env))
            return out
        simple = {sp.exp: _EXP, sp.log: _LOG, sp.Abs: _ABS, derive.log1p: _LOG1P}
        if type(e) in simple or e.func in simple:
            return simple.get(type(e), simple.get(e.func))(self.value(e.args[0], env))
        two = {derive.xlogy: _xlogy, derive.xdivy: _xdivy, derive.xlog1py: _xlog1py, derive.xmuly: _xmuly,
               derive.exp_diff: lambda x, y: _EXP(x - y)}
        if e.func in two:
            return two[e.func](*(self.value(a, env) for a in e.args))
        if isinstance(e, sp.Heaviside):
            at_zero = self.value(e.args[1], env) if len(e.args) > 1 else mpmath.mpf(0.5)
            return _heaviside(self.value(e.args[0], env), at_zero)
        name = type(e).__name__
        if isinstance(e, sp.Function) and callable(getattr(mpmath, name, None)):
            return _unary(getattr(mpmath, name))(*(self.value(a, env) for a in e.args))
        raise TestingError(f"{self.d.name}: the reference cannot evaluate {name} ({e})")


def closed_form(derivation: Derivation, claim: str) -> sp.Expr:
    """The proven closed form of a claim: its right side, definitions unfolded as defined."""
    return derive.unfold(derivation.claim(claim).rhs, derivation.definitions)


def _mp(array: np.ndarray) -> np.ndarray:
    """Exact mpf copies of the entries (float32 values are exactly representable in float64)."""
    return np.frompyfunc(mpmath.mpf, 1, 1)(np.asarray(array, dtype=np.float64))


# --- what the reference function is -------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """What ``MODULE.FUNCTION`` computes, read from the derivation and its module's options.

    ``shape`` is "loss" (``loss``/``grad``/``loss_and_grad`` of a loss module: ``returns`` is
    "loss", "grad" or "both") or "kernel" (the function is one kernel's single output).
    ``layout`` is "classes" (rows of K class scores) or "elementwise".
    ``kernels`` maps a target kind ("index", "probs", "logits") to the kernel whose claims
    define the values.
    """

    derivation: Derivation
    module: Module
    function: str
    shape: str
    layout: str
    returns: str
    kernels: Mapping[str, Kernel]
    spec: Mapping[str, Any] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)  # the function's keyword defaults

    @property
    def name(self) -> str:
        return f"{self.module.name}.{self.function}"

    @property
    def claims(self) -> list[str]:
        seen: list[str] = []
        for kernel in self.kernels.values():
            for out in kernel.outputs:
                wanted = self.returns == "both" or out.name in (self.returns, self.function) or self.shape == "kernel"
                if wanted and out.claim not in seen:
                    seen.append(out.claim)
        return seen

    def keywords(self) -> dict[str, str]:
        """The options this function models: name -> what it is."""
        if self.shape != "loss":
            return {}
        out = {"reduction": f"one of {', '.join(REDUCTIONS)} (default {_option(self, {}, 'reduction')})"}
        for name, (symbol, kind, *_) in self.spec.get("keywords", {}).items():
            out[name] = f"{kind} value of {symbol}"
        if self.spec.get("ignore_index"):
            out["ignore_index"] = "an index target to ignore (default -100)"
        for name in self.spec.get("switches", {}):
            out[name] = "selects the proven clamped form when not None"
        return out


def _modules(registry: Registry) -> dict[str, tuple[Derivation, Module]]:
    return {m.name: (d, m) for d in registry.values() for m in d.modules}


_SIGNATURES: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}


def _signatures(derivation: Derivation, module: Module) -> dict[str, dict[str, Any]]:
    """Public function -> its keyword defaults, read (never run) from the module's rendered text:
    the reduction a loss means when none is given is the generated function's own default."""
    from symxent import codegen

    key = (derivation.source, derivation.name, module.name)
    if key not in _SIGNATURES:
        try:
            text = codegen.render_module(derivation, module).text
        except Exception as exc:  # a user's module may fail anywhere in printing or rendering
            raise TestingError(f"module {module.name} of {derivation.source} cannot be generated "
                               f"({type(exc).__name__}: {_one_line(exc)}), so its functions are unknown") from None
        tree = ast.parse(text)
        found: dict[str, dict[str, Any]] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                a = node.args
                named = a.args[len(a.args) - len(a.defaults):] + a.kwonlyargs
                values = list(a.defaults) + list(a.kw_defaults)
                defaults = {}
                for arg, value in zip(named, values):
                    if value is not None:
                        with contextlib.suppress(ValueError):
                            defaults[arg.arg] = ast.literal_eval(value)
                found[node.name] = defaults
        _SIGNATURES[key] = found
    return _SIGNATURES[key]


def _public_functions(derivation: Derivation, module: Module) -> list[str]:
    """The public functions the generated module defines."""
    return sorted(_signatures(derivation, module))


_FALLBACK = {"reduction": "mean", "ignore_index": -100}


def _option(ref: Reference, options: Mapping[str, Any], name: str) -> Any:
    """An option's value: the user's, else the function's default."""
    return options.get(name, ref.defaults.get(name, _FALLBACK.get(name)))


def resolve(against: str, registry: Registry | None = None) -> Reference:
    """The :class:`Reference` of ``"MODULE.FUNCTION"``; TestingError naming what is known."""
    registry = load_registry() if registry is None else registry
    module_name, dot, function = against.rpartition(".")
    modules = _modules(registry)
    if not dot or module_name not in modules:
        raise TestingError(f"--against {against!r}: no generated module {module_name or against!r}; "
                           f"known: {', '.join(sorted(modules))} (write MODULE.FUNCTION)")
    d, module = modules[module_name]
    found = _reference(d, module, function)
    if found is not None:
        return found
    public = _public_functions(d, module)
    modelled = [f for f in public if _modelled(d, module, f)]
    if function in public:
        raise TestingError(f"--against {against!r}: {function} is public but not modelled by a proven claim here; "
                           f"modelled: {', '.join(modelled)}")
    raise TestingError(f"--against {against!r}: {module_name} has no public function {function!r}; "
                       f"functions: {', '.join(modelled)}")


def _reference(d: Derivation, module: Module, function: str) -> Reference | None:
    """What ``function`` of the module computes, when a proven claim models it: a loss function
    of ``Module.options["public"]``, a vector function it lists, or a public function whose body
    is one kernel of the same name with one output."""
    spec = module.options.get("public") or {}
    if spec.get("kind") in ("classes", "elementwise"):
        kinds: dict[str, Kernel] = {}
        returns = "both"
        for kind, kernel_name in spec["kernels"].items():
            suffix = spec.get("suffix", {}).get(kind, "")
            for base, what in (("loss", "loss"), ("grad", "grad"), ("loss_and_grad", "both")):
                if function == base + suffix:
                    kinds[kind] = next(k for k in module.kernels if k.name == kernel_name)
                    returns = what
        if kinds:
            return Reference(d, module, function, "loss", spec["kind"], returns, kinds, spec,
                             _signatures(d, module).get(function, {}))
    if spec.get("kind") == "vector" and function in spec["functions"]:
        kernel = next(k for k in module.kernels if k.name == spec["functions"][function])
        return Reference(d, module, function, "kernel", "classes", function, {"none": kernel}, spec)
    kernel = next((k for k in module.kernels if k.name == function and len(k.outputs) == 1), None)
    if kernel is not None and function in _public_functions(d, module):
        layout = "classes" if isinstance(kernel.args[0][1], sp.IndexedBase) else "elementwise"
        return Reference(d, module, function, "kernel", layout, function, {"none": kernel}, spec)
    return None


def _modelled(d: Derivation, module: Module, function: str) -> bool:
    return _reference(d, module, function) is not None


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One input: a batch of ``n`` samples of ``k`` classes (or an (n, k) elementwise array)."""

    name: str
    n: int
    k: int
    dtype: str
    target: str  # "index", "probs", "logits", "hard", "soft", or "none"
    extreme: bool = False

    @property
    def label(self) -> str:
        target = "" if self.target == "none" else f", {self.target} target"
        return f"{self.name}, {self.dtype}{target}"


def _shapes(ref: Reference, fixed_k: int | None) -> list[tuple[str, int, int, bool]]:
    letter = "K" if ref.layout == "classes" else "M"
    large = LARGE_K if all(len(o.indices) <= 1 for k in ref.kernels.values() for o in k.outputs) else LARGE_K_MATRIX
    if ref.layout == "elementwise":
        large = LARGE_M  # no class axis: a wider array only costs time
    shapes = [(3, 5, False), (5, 3, False), (1, 4, False), (4, 2, False), (2, large, False), (3, 4, True)]
    out = []
    for n, k, extreme in shapes:
        if fixed_k is not None:
            k = fixed_k
            if n == k:  # never N = K: a 1/K where 1/N is due would pass
                n += 1
        name = f"N={n}, {letter}={k}" + (f", logits +-{EXTREME:g}" if extreme else "")
        out.append((name, n, k, extreme))
    return out


def _target_kinds(ref: Reference) -> list[str]:
    if ref.shape != "loss":
        return ["none"]
    if ref.layout == "elementwise":
        return ["hard", "soft"]
    return list(ref.kernels)


def _kernel_for(ref: Reference, target: str) -> Kernel:
    if target in ref.kernels:
        return ref.kernels[target]
    return ref.kernels["probs"] if "probs" in ref.kernels else next(iter(ref.kernels.values()))


def _variable(d: Derivation, symbol: sp.Basic):
    return next(v for v in d.variables if v.symbol == symbol)


def _inputs(ref: Reference, case: Case, rng: np.random.Generator) -> list[np.ndarray]:
    """The positional arguments of one case, in the case's dtype (class indices as int64)."""
    d, kernel = ref.derivation, _kernel_for(ref, case.target)
    shape = (case.n, case.k)
    first_domain = _variable(d, kernel.args[0][1]).domain
    if ref.shape == "loss" and ref.spec.get("inputs") == "probs":
        first_domain = "unit_interval"
    if case.extreme and first_domain == "real":
        x = rng.choice([-EXTREME, EXTREME], size=shape) * rng.uniform(0.5, 1.0, size=shape)
        x[0, :2] = (EXTREME, -EXTREME)  # one row with both signs at full size
    elif case.extreme and first_domain == "unit_interval":
        # Near 0 and 1, but 1 - tiny stays below 1 in float32 (eps/2 = 6e-8): the loss is finite.
        tiny = 10.0 ** rng.uniform(-7, -4, size=shape)
        x = np.where(rng.random(shape) < 0.5, tiny, 1 - tiny)
    else:
        x = draw(first_domain, shape, rng)
    args = [x.astype(case.dtype)]
    if ref.shape == "loss":
        if case.target == "index":
            args.append(rng.integers(0, case.k, size=case.n))
        elif case.target == "probs":
            args.append(rng.dirichlet(np.ones(case.k), size=case.n).astype(case.dtype))
        elif case.target == "logits":
            args.append(rng.normal(0.0, 3.0, size=shape).astype(case.dtype))
        elif case.target == "hard":
            args.append(rng.integers(0, 2, size=shape).astype(case.dtype))
        else:
            args.append(rng.uniform(0.0, 1.0, size=shape).astype(case.dtype))
        return args
    for _, symbol in kernel.args[1:]:
        args.append(draw(_variable(d, symbol).domain, shape, rng).astype(case.dtype))
    return args


# --- reference values ---------------------------------------------------------------------------


def _kernel_values(ref: Reference, kernel: Kernel, case: Case, args: Sequence[np.ndarray],
                   options: Mapping[str, Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each output of ``kernel`` at ``args`` (and the options' kernel arguments), per sample
    (classes) or per element, as object arrays of mpf: shapes (n,), (n, K) or (n, K, K); with
    its magnitude (see ``_Evaluator.magnitude``)."""
    d = ref.derivation
    spec = ref.spec
    values: dict[str, Any] = dict(spec.get("defaults", {}))
    for name, (symbol, *_rest) in spec.get("keywords", {}).items():
        if options.get(name) is not None:
            values[symbol] = _in_dtype(options[name], case.dtype)
    for name, (_default, kernel_name, symbol) in spec.get("switches", {}).items():
        if options.get(name) is not None and kernel.name == kernel_name:
            values[symbol] = _in_dtype(options[name], case.dtype)
    names = [name for name, _ in kernel.args]
    for position, value in enumerate(args):
        values[names[position]] = value
    classes = ref.layout == "classes"
    n = case.n if classes else case.n * case.k
    arrays: dict[sp.Basic, np.ndarray] = {}
    fixed: dict[sp.Symbol, np.ndarray] = {}
    sizes = {dim: case.k for dim in d.dimensions} if classes else {}
    for name, symbol in kernel.args:
        if name not in values:
            raise TestingError(f"{ref.name}: no value for the kernel argument {name}")
        value = np.asarray(values[name], dtype=np.int64 if symbol in d.indices else np.float64)
        if symbol in d.indices:
            fixed[symbol] = value.reshape(-1, 1) + 1  # class indices are 1-based in the symbols
        elif isinstance(symbol, sp.IndexedBase):
            arrays[symbol] = _mp(np.broadcast_to(value, (case.n, case.k)))
        elif classes:
            arrays[symbol] = _mp(np.broadcast_to(value, (case.n,)).reshape(-1, 1))
        else:
            arrays[symbol] = _mp(np.broadcast_to(value, (case.n, case.k)).reshape(-1, 1))
    names = dict((symbol, name) for name, symbol in kernel.args)
    for index, array in kernel.argmax:  # computed by the kernel: the first largest entry's class
        fixed[index] = np.argmax(np.broadcast_to(np.asarray(values[names[array]], dtype=np.float64),
                                                 (case.n, case.k)), axis=-1).reshape(-1, 1) + 1
    evaluator = _Evaluator(d, sizes, arrays, fixed, n)
    outputs = []
    with mpmath.workdps(_digits(case)):
        for out in kernel.outputs:
            expr = closed_form(d, out.claim)
            # The first free index runs over every class at once; the others are looped over.
            width = case.k if out.indices else 1
            try:
                grid = np.empty((2, n) + (case.k,) * len(out.indices), dtype=object)
                for position in itertools.product(range(case.k), repeat=max(len(out.indices) - 1, 0)):
                    env = dict(zip(out.indices, (ALL,) + tuple(v + 1 for v in position)))
                    for row, how in enumerate((evaluator.value, evaluator.magnitude)):
                        value = np.broadcast_to(np.asarray(how(expr, env), dtype=object), (n, width))
                        grid[(row, slice(None)) + ((slice(None),) + position if out.indices else ())] = (
                            value if out.indices else value[:, 0])
            except ZeroDivisionError:
                raise TestingError(f"{ref.name}: the proven closed form of {out.claim} divides by zero at an input "
                                   f"of {case.label}; there is no reference value there") from None
            pair = (grid[0], grid[1]) if classes else (grid[0].reshape(case.n, case.k), grid[1].reshape(case.n, case.k))
            outputs.append(pair)
    return outputs


def _reference_values(ref: Reference, case: Case, args: Sequence[np.ndarray], options: Mapping[str, Any]
                      ) -> list[_Want]:
    """What ``ref.function`` returns at ``args`` with ``options``, as float64 arrays (a tuple's
    items in order): the proven values, reduced as the module documents."""
    kernel = _kernel_for(ref, case.target)
    for name, (_default, kernel_name, _symbol) in ref.spec.get("switches", {}).items():
        if options.get(name) is not None:
            kernel = next(k for k in ref.module.kernels if k.name == kernel_name)
    kernel_args = list(args)
    if ref.shape == "loss" and case.target in ("hard", "soft"):
        kernel_args[1] = np.asarray(args[1], dtype=np.float64)
    outputs = _kernel_values(ref, kernel, case, kernel_args, options)
    if ref.shape == "kernel":
        return [_Want(_to_float(outputs[0][0]), _to_float(outputs[0][1]))]
    (loss_values, loss_size), *rest = outputs
    grad_values, grad_size = rest[0] if rest else (None, None)
    keep = np.ones(case.n, dtype=bool)
    if case.target == "index" and ref.spec.get("ignore_index"):
        keep = np.asarray(args[1]) != _option(ref, options, "ignore_index")
        loss_values, loss_size = np.where(keep, loss_values, _ZERO), np.where(keep, loss_size, _ZERO)
        if grad_values is not None:
            grad_values = np.where(keep[:, None], grad_values, _ZERO)
            grad_size = np.where(keep[:, None], grad_size, _ZERO)
    reduction = _option(ref, options, "reduction")
    with mpmath.workdps(_digits(case)):
        if reduction == "none":
            divisor = mpmath.mpf(1)
        else:
            divisor = mpmath.mpf(1) if reduction == "sum" else _mean_divisor(ref, case, args, options, keep)
            loss_values = np.asarray(mpmath.fsum(loss_values.reshape(-1)) / divisor, dtype=object)
            loss_size = np.asarray(mpmath.fsum(loss_size.reshape(-1)) / abs(divisor), dtype=object)
        result = []
        if ref.returns in ("loss", "both"):
            result.append(_Want(_to_float(loss_values), _to_float(loss_size)))
        if ref.returns in ("grad", "both"):
            result.append(_Want(_to_float(grad_values / divisor), _to_float(grad_size / abs(divisor))))
    return result


@dataclass(frozen=True)
class _Want:
    """A reference output: its value and the magnitude of the terms it is made of."""

    value: np.ndarray
    magnitude: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    def scaled(self, factor: float) -> _Want:
        return _Want(self.value * factor, self.magnitude * abs(factor))


def _digits(case: Case) -> int:
    return DIGITS_EXTREME if case.extreme else DIGITS


def _mean_divisor(ref: Reference, case: Case, args: Sequence[np.ndarray], options: Mapping[str, Any],
                  keep: np.ndarray) -> Any:
    rule = ref.spec["mean"]["probs" if case.target in ("hard", "soft") else case.target]
    if rule == "elements":
        return mpmath.mpf(case.n * case.k)
    if rule == "samples":
        return mpmath.mpf(case.n)
    symbol = ref.spec["keywords"].get("weight", ("w",))[0]
    weight = _in_dtype(options.get("weight"), case.dtype)
    w = np.ones(case.k) if weight is None else np.broadcast_to(np.asarray(weight, dtype=np.float64), (case.k,))
    if symbol is None:
        w = np.ones(case.k)
    return mpmath.fsum(_mp(w[np.asarray(args[1])[keep]]))


def _to_float(values: np.ndarray) -> np.ndarray:
    def real(x: Any) -> float:
        if isinstance(x, mpmath.mpc):
            return float(x.real) if abs(x.imag) <= 1e-30 * max(abs(x), 1) else math.nan
        return float(x)

    return np.asarray(np.frompyfunc(real, 1, 1)(np.asarray(values, dtype=object)), dtype=np.float64)


# --- comparing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counterexample:
    """The smallest failing input, and the worst entry's two values."""

    case: str
    inputs: Mapping[str, np.ndarray]
    output: str
    got: float | str
    expected: float | str

    def lines(self) -> list[str]:
        out = [f"smallest failing input ({self.case}):"]
        for name, value in self.inputs.items():
            text = np.array2string(np.asarray(value), precision=6, separator=", ", threshold=40)
            out.append(f"  {name} = " + text.replace("\n", "\n  " + " " * (len(name) + 3)))
        got = self.got if isinstance(self.got, str) else f"{self.got:.10g}"
        expected = self.expected if isinstance(self.expected, str) else f"{self.expected:.10g}"
        out.append(f"  {self.output}: got {got}, expected {expected}")
        return out


@dataclass(frozen=True)
class CaseResult:
    case: Case
    ok: bool
    error: float  # the largest |got - want| / (|want| + scale); inf for a wrong shape or non-finite value
    tolerance: float
    problem: str = ""


@dataclass(frozen=True)
class Report:
    """The outcome of :func:`compare`: ``ok``, every case, the diagnosis and a counterexample."""

    function: str
    against: str
    reference: str
    options: Mapping[str, Any]
    passed: tuple[str, ...]
    cases: tuple[CaseResult, ...]
    diagnosis: tuple[str, ...] = ()
    counterexample: Counterexample | None = None
    notes: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()  # "name: statement" of each proven claim the reference evaluates

    @property
    def ok(self) -> bool:
        return bool(self.cases) and all(c.ok for c in self.cases)

    @property
    def summary(self) -> str:
        failed = sum(not c.ok for c in self.cases)
        if self.ok:
            return f"ok: {self.function} agrees with {self.against} on {len(self.cases)} inputs"
        return (f"WRONG: {self.function} disagrees with {self.against} on {failed} of {len(self.cases)} inputs"
                + (f": {self.diagnosis[0]}" if self.diagnosis else ""))

    def lines(self) -> list[str]:
        out = [f"{self.function} against {self.against}", f"reference: {self.reference}"]
        out += [f"  {line}" for line in self.claims]
        for name, value in self.options.items():
            how = "passed" if name in self.passed else f"not a parameter of {self.function}: it must compute this itself"
            out.append(f"option {name}={value!r} ({how})")
        out += [f"note: {n}" for n in self.notes]
        rows = [("input", "rel. error", "tolerance", "")]
        for c in self.cases:
            rows.append((c.case.label, "-" if math.isnan(c.error) else f"{c.error:.2g}", f"{c.tolerance:g}",
                         "ok" if c.ok else f"WRONG: {c.problem}"))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        out.append("")
        out += [("  ".join(cell.ljust(w) for cell, w in zip(r[:3], widths)) + "  " + r[3]).rstrip() for r in rows]
        out.append("")
        out.append(self.summary)
        out += [f"diagnosis: {line}" for line in self.diagnosis[1:]]
        if self.counterexample is not None:
            out += self.counterexample.lines()
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass
class _Outcome:
    """What the user's function did on one case."""

    case: Case
    args: list[np.ndarray]
    want: list[_Want]
    got: list[np.ndarray] | None
    raised: BaseException | None
    result: CaseResult
    worst: tuple[int, tuple[int, ...]] | None = None  # (output position, entry)


def _in_dtype(value: Any, dtype: str) -> Any:
    """An array option as ``fn`` receives it in a case: in the case's dtype, as every input is
    (a float64 weight would promote a float32 computation by itself)."""
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return value.astype(dtype)
    return value


def _call(fn: Callable[..., Any], args: Sequence[np.ndarray], keywords: Mapping[str, Any], count: int,
          dtype: str) -> list[np.ndarray]:
    # Inputs are copies: a function that writes into its arguments must not change the reference.
    # A call that hangs raises OverBudget (a finding about fn, like any exception it raises).
    with warnings.catch_warnings(), budget(CALL_BUDGET):
        warnings.simplefilter("ignore")  # overflow warnings are judged by the values they leave
        with np.errstate(all="ignore"):
            result = fn(*[np.array(a, copy=True) for a in args],
                        **{name: _in_dtype(value, dtype) for name, value in keywords.items()})
    items = list(result) if count > 1 and isinstance(result, (tuple, list)) else [result]
    if len(items) != count:
        raise TypeError(f"returned {len(items)} value(s), expected {count}")
    return [np.asarray(x) for x in items]


def _scale(want: np.ndarray, per_sample: bool) -> float:
    """The median over samples of each sample's largest |want| (the largest for a scalar or an
    elementwise output)."""
    magnitude = np.abs(np.where(np.isfinite(want), want, 0.0))
    if magnitude.ndim == 0 or not per_sample:
        return float(np.max(magnitude)) if magnitude.size else 0.0
    rows = magnitude.reshape(magnitude.shape[0], -1).max(axis=1)
    return float(np.median(rows))


def _error(got: np.ndarray, expected: _Want, rtol: float, per_sample: bool, floor: float = 0.0
           ) -> tuple[float, tuple[int, ...] | None, str]:
    """(largest scaled error, where, problem) of one output. ``floor``: the smallest normal
    number of the case's dtype; a true value below it is 0 or subnormal in that dtype."""
    want = expected.value
    if got.shape != want.shape:
        return math.inf, None, f"shape {got.shape}, expected {want.shape}"
    if not np.issubdtype(got.dtype, np.number) or np.iscomplexobj(got):
        return math.inf, None, f"returned {got.dtype} values"
    got64 = got.astype(np.float64)
    bad = ~np.isfinite(got64) & np.isfinite(want)
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        return math.inf, where, "nan/inf where the true value is finite"
    scale = _scale(want, per_sample) + max(floor, np.finfo(np.float64).tiny)
    both = np.isfinite(want)
    diff = np.where(both, np.abs(got64 - want), np.where(got64 == want, 0.0, np.inf))
    size = np.where(np.isfinite(expected.magnitude), expected.magnitude, 0.0)
    err = diff / (np.abs(np.where(both, want, 0.0)) + size + scale)
    if err.size == 0:
        return 0.0, None, ""
    where = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
    worst = float(err[where])
    return worst, where, "" if worst <= rtol else "values differ"


def _judge(ref: Reference, case: Case, args: list[np.ndarray], want: list[_Want], fn: Callable[..., Any],
           keywords: Mapping[str, Any]) -> _Outcome:
    rtol = RTOL[case.dtype]
    try:
        got = _call(fn, args, keywords, len(want), case.dtype)
    except Exception as exc:  # the user's function may raise anything: that is a finding, not a crash
        result = CaseResult(case, False, math.inf, rtol, f"raised {type(exc).__name__}: {_one_line(exc)}")
        return _Outcome(case, args, want, None, exc, result)
    worst, where, problem, position = 0.0, None, "", 0
    for pos, (g, w) in enumerate(zip(got, want)):
        err, at, what = _error(g, w, rtol, w.ndim > 0 and ref.layout == "classes", _floor(case))
        if err > worst or (what and not problem):
            worst, where, problem, position = err, at, what, pos
    if not problem and case.dtype == "float32":
        promoted = [str(g.dtype) for g in got if g.dtype != np.float32]
        if promoted:
            problem = f"float32 in, {promoted[0]} out"
    result = CaseResult(case, not problem, worst, rtol, problem)
    return _Outcome(case, args, want, got, None, result, None if where is None else (position, where))


def _floor(case: Case) -> float:
    return float(np.finfo(case.dtype).tiny)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


# --- diagnosis ----------------------------------------------------------------------------------


def _agrees(got: list[np.ndarray], want: list[_Want], case: Case, per_sample: bool, slack: float = 1.0) -> bool:
    if len(got) != len(want):
        return False
    rtol = slack * RTOL[case.dtype]
    return all(_error(np.asarray(g), w, rtol, per_sample and w.ndim > 0, _floor(case))[2] == ""
               for g, w in zip(got, want))


def _factor_names(ref: Reference, case: Case, args: Sequence[np.ndarray], options: Mapping[str, Any]
                  ) -> dict[str, float]:
    """The sizes a constant factor can be made of, by name, for this case."""
    letter = "K" if ref.layout == "classes" else "M"
    names = {"N": case.n, letter: case.k}
    if ref.layout == "elementwise":
        names["N*M"] = case.n * case.k
    if ref.shape == "loss" and _option(ref, options, "reduction") == "mean" and case.target == "index":
        keep = np.ones(case.n, bool)
        if ref.spec.get("ignore_index"):
            keep = np.asarray(args[1]) != _option(ref, options, "ignore_index")
        divisor = float(_mean_divisor(ref, case, args, options, keep))
        if divisor not in names.values():
            names["the kept weight"] = divisor
    return names


_FACTOR_WORDS = {
    ("N", None): "not divided by N: a missing mean (the sum over samples where the mean is expected)",
    (None, "N"): "divided by N once too often (a mean where the sum is expected)",
    ("N", "K"): "divided by K instead of N (1/K where the mean over the N samples is 1/N)",
    ("N", "M"): "divided by M instead of N",
    ("K", "N"): "divided by N instead of K",
    (None, "K"): "divided by K (the number of classes) where nothing is divided",
    ("K", None): "multiplied by K (the number of classes)",
    ("N*M", "N"): "divided by N (the samples) instead of N*M (every element)",
    ("N", "N*M"): "divided by N*M (every element) instead of N (the samples)",
    (None, "M"): "divided by M where nothing is divided",
    ("the kept weight", "N"): "divided by N instead of the total weight of the kept targets (PyTorch's weighted mean)",
    ("N", "the kept weight"): "divided by the total weight of the targets instead of N",
    ("the kept weight", None): "not divided by the total weight of the kept targets (a missing mean)",
}


def _factor(outcomes: Sequence[_Outcome], ref: Reference, options: Mapping[str, Any]) -> str | None:
    """A constant factor explaining every failing case: got = c * want, c named by the sizes."""
    fitted = []
    for o in outcomes:
        if o.got is None or len(o.got) != len(o.want):
            return None
        num = den = 0.0
        for g, expected in zip(o.got, o.want):
            w = expected.value
            if g.shape != w.shape:
                return None
            g64, mask = g.astype(np.float64), np.isfinite(w) & np.isfinite(g.astype(np.float64))
            num += float(np.sum(g64[mask] * w[mask]))
            den += float(np.sum(w[mask] * w[mask]))
        if den == 0.0:
            return None
        c = num / den
        scaled = [w.scaled(c) for w in o.want]
        if not _agrees(o.got, scaled, o.case, ref.layout == "classes", slack=10):
            return None
        fitted.append((o, c))
    if not fitted:
        return None
    candidates: dict[tuple[str | None, str | None, int, int], list[bool]] = {}
    for o, c in fitted:
        names = _factor_names(ref, o.case, o.args, options)
        names_or_one = [(None, 1.0)] + list(names.items())
        for (top, a), (bottom, b) in itertools.product(names_or_one, repeat=2):
            if top is not None and top == bottom:
                continue
            for sign, two in itertools.product((1, -1), (0, 1, -1)):
                value = sign * a / b * 2.0 ** two
                key = (top, bottom, sign, two)
                candidates.setdefault(key, []).append(abs(c - value) <= 1e-6 * abs(value))
    matching = [key for key, hits in candidates.items() if len(hits) == len(fitted) and all(hits)]
    if not matching:
        constant = {round(c, 12) for _, c in fitted}
        if len(constant) == 1:
            return f"a constant factor {fitted[0][1]:.6g}: the result is {fitted[0][1]:.6g} times the true one"
        return None
    matching.sort(key=lambda key: (key[0] is not None) + (key[1] is not None) + abs(key[3]) + (key[2] < 0))
    top, bottom, sign, two = matching[0]
    parts = []
    if sign < 0:
        parts.append("wrong sign (the result is minus the true one)")
    if two == 1:
        parts.append("a factor 2 (twice the true value)")
    elif two == -1:
        parts.append("a factor 1/2 (half the true value)")
    if (top, bottom) != (None, None):
        parts.append(_FACTOR_WORDS.get((top, bottom), f"a constant factor {top or 1}/{bottom or 1}"))
    if not parts:
        return None
    c = fitted[0][1]
    return "; ".join(parts) + f" (got / expected = {c:.6g} at {fitted[0][0].case.name})"


def _diagnose(fn: Callable[..., Any], ref: Reference, failing: Sequence[_Outcome], keywords: Mapping[str, Any],
              options: Mapping[str, Any], all_outcomes: Sequence[_Outcome]) -> list[str]:
    found: list[str] = []
    raised = [o for o in failing if o.raised is not None]
    if raised:
        kinds = sorted({o.case.target for o in raised})
        found.append(f"raised {type(raised[0].raised).__name__}: {_one_line(raised[0].raised)} "
                     f"(on {len(raised)} input(s): {', '.join(kinds)} targets)" if kinds != ["none"] else
                     f"raised {type(raised[0].raised).__name__}: {_one_line(raised[0].raised)} on {len(raised)} input(s)")
    values = [o for o in failing if o.raised is None]
    wrong = [o for o in values if not o.result.problem.startswith("float32 in")]
    if wrong:
        found += _diagnose_values(fn, ref, wrong, keywords, options, all_outcomes)
    # A float32 case whose values are right but whose dtype is not is judged by dtype alone;
    # one whose values are wrong too is among ``wrong``, so the value mistake is named first.
    promoted = [o for o in all_outcomes if o.got is not None and o.case.dtype == "float32"
                and any(g.dtype != np.float32 for g in o.got)]
    if promoted:
        dtype = next(g.dtype for g in promoted[0].got if g.dtype != np.float32)
        found.append(f"float32 promoted: float32 in, {dtype} out (the generated module keeps float32; a float64 "
                     "constant or np.float64 array mixed in promotes it)")
    return found


def _diagnose_values(fn: Callable[..., Any], ref: Reference, wrong: list[_Outcome], keywords: Mapping[str, Any],
                     options: Mapping[str, Any], all_outcomes: Sequence[_Outcome]) -> list[str]:
    """The mistake that explains every case with wrong values (or shapes), if a known one does."""
    found: list[str] = []
    shapes = [o for o in wrong if o.result.problem.startswith("shape")]
    if shapes:
        o = shapes[0]
        pos = next(i for i, (g, w) in enumerate(zip(o.got, o.want)) if g.shape != w.shape)
        g, w = o.got[pos], o.want[pos].value
        if g.shape == w.T.shape and w.ndim == 2:
            found.append(f"transposed: shape {g.shape} where {w.shape} (samples, classes) is expected")
        else:
            found.append(f"wrong shape: {g.shape} where {w.shape} is expected")
        return found
    moderate = [o for o in wrong if not o.case.extreme]
    overflow = [o for o in wrong if o.result.problem.startswith("nan/inf")]
    if overflow and not moderate:
        found.append(f"overflow at logits of magnitude {EXTREME:g}: nan/inf where the true value is finite, "
                     "right at moderate logits: shift by the max (softmax(z - max z), log-sum-exp) before exp")
        return found
    if overflow and moderate:
        wrong = [o for o in wrong if not o.case.extreme] or wrong
    # Hypotheses re-evaluate the reference; the K = 1000 inputs cost most of that and tell
    # nothing the smaller ones (N above and below K, N = 1, K = 2) do not.
    wrong = [o for o in wrong if o.case.k <= DIAGNOSIS_K] or wrong
    if ref.layout == "classes":
        first = _class_axis_first(fn, ref, wrong, keywords)
        if first:
            found.append(first)
            return found
        mixed = _mixes_samples(fn, ref, wrong, keywords)
        if mixed:
            found.append(mixed)
            return found
    alternative = _alternative_options(ref, wrong, options)
    if alternative:
        found.append(alternative)
        return found
    onehot = _onehot_assumption(ref, wrong, options, all_outcomes)
    if onehot:
        found.append(onehot)
        return found
    factor = _factor(wrong, ref, options)
    if factor:
        found.append(factor)
        return found
    if overflow:
        found.append("nan/inf where the true value is finite")
    extreme_only = all(o.case.extreme for o in wrong)
    found.append("values differ" + (f" only at logits of magnitude {EXTREME:g} (lost accuracy: compute with the "
                                    "max shift / log-sum-exp)" if extreme_only else "")
                 + "; no single known mistake explains every failing input")
    return found


def _class_axis_first(fn: Callable[..., Any], ref: Reference, wrong: Sequence[_Outcome],
                      keywords: Mapping[str, Any]) -> str | None:
    """Does ``fn`` treat axis 0 as the class axis? (It agrees when given every array transposed.)"""
    for o in wrong[:3]:
        args = [a.T if a.ndim == 2 else a for a in o.args]
        try:
            got = _call(fn, args, keywords, len(o.want), o.case.dtype)
        except Exception:  # noqa: BLE001 - the hypothesis simply does not hold
            return None
        got = [g.T if g.ndim == 2 else g for g in got]
        if not _agrees(got, o.want, o.case, True):
            return None
    return "class-axis mix-up: the function reads the class axis first, (K, N); it agrees when given the " \
           "transposed inputs (symxent's convention, and the generated module's default, is the class axis last)"


def _mixes_samples(fn: Callable[..., Any], ref: Reference, wrong: Sequence[_Outcome],
                   keywords: Mapping[str, Any]) -> str | None:
    """Does one sample's result depend on the other samples' logits? (Sums over the wrong axis.)"""
    if ref.shape == "loss" and ref.spec.get("inputs") == "probs":
        return None  # the first argument is probabilities: rescaling it would leave the domain
    for o in wrong:
        if o.case.n < 2 or o.got is None:
            continue
        per_sample = [i for i, w in enumerate(o.want) if w.ndim >= 1 and w.shape[0] == o.case.n]
        if not per_sample:
            continue
        args = [a.copy() for a in o.args]
        # Other samples' logits changed, not only shifted (a shift leaves their softmax as it was).
        args[0][1:] = (args[0][1:].astype(np.float64) * 0.5 + 1.0).astype(args[0].dtype)
        try:
            got = _call(fn, args, keywords, len(o.want), o.case.dtype)
        except Exception:  # noqa: BLE001 - a function that fails here is diagnosed elsewhere
            return None
        for i in per_sample:
            if got[i].shape != o.got[i].shape or not np.allclose(got[i][0], o.got[i][0], rtol=1e-6, atol=0,
                                                                 equal_nan=True):
                return ("class-axis mix-up: sample 0's result changes when only the other samples' logits change: "
                        "a sum or max over the samples (axis 0, or no axis at all) where the class axis (-1, "
                        "keepdims=True) is meant")
    return None


def _alternative_options(ref: Reference, wrong: Sequence[_Outcome], options: Mapping[str, Any]) -> str | None:
    """Does every failing case agree with the reference under another reduction, or with one
    option left at its default? (The function ignores that option.)"""
    if ref.shape != "loss":
        return None
    trials: list[tuple[str, dict[str, Any]]] = []
    asked = _option(ref, options, "reduction")
    for reduction in REDUCTIONS:
        if reduction != asked and not (reduction == "none" and ref.returns == "grad"):
            trials.append((f"the values are those of reduction={reduction!r} where reduction={asked!r} is asked"
                           + (" (a missing mean)" if (asked, reduction) == ("mean", "sum") else ""),
                           {**options, "reduction": reduction}))
    for name, value in options.items():
        if name != "reduction" and value is not None:
            trials.append((f"{name}={value!r} seems ignored: the values are those without it",
                           {k: v for k, v in options.items() if k != name}))
    for words, trial in trials:
        if all(_matches_variant(ref, o, trial) for o in wrong):
            return words
    return None


def _matches_variant(ref: Reference, o: _Outcome, trial: Mapping[str, Any], args: Sequence[np.ndarray] | None = None
                     ) -> bool:
    if o.got is None:
        return False
    try:
        want = _reference_values(ref, o.case, list(o.args if args is None else args), trial)
    except (TestingError, KeyError, ValueError):
        return False
    return _agrees(o.got, want, o.case, ref.layout == "classes")


def _onehot_assumption(ref: Reference, wrong: Sequence[_Outcome], options: Mapping[str, Any],
                       all_outcomes: Sequence[_Outcome]) -> str | None:
    soft = [o for o in wrong if o.case.target in ("probs", "soft")]
    if not soft or len(soft) != len(wrong):
        return None
    if not all(o.result.ok for o in all_outcomes if o.case.target not in ("probs", "soft")):
        return None
    for o in soft:
        t = np.asarray(o.args[1])
        if o.case.target == "probs":
            hard = np.eye(o.case.k, dtype=t.dtype)[np.argmax(t, axis=-1)]
        else:
            hard = (t >= 0.5).astype(t.dtype)
        if not _matches_variant(ref, o, options, [o.args[0], hard] + list(o.args[2:])):
            return None
    what = "its argmax's one-hot" if soft[0].case.target == "probs" else "the rounded 0/1 label"
    return (f"a one-hot assumption on soft targets: on probability targets the values are those of {what} "
            "(right on hard targets)")


# --- the smallest failing input -----------------------------------------------------------------


def _smallest(fn: Callable[..., Any], ref: Reference, failing: Sequence[_Outcome], keywords: Mapping[str, Any],
              options: Mapping[str, Any]) -> Counterexample | None:
    ordered = sorted(failing, key=lambda o: (o.case.n * o.case.k, o.case.dtype != "float64"))
    best = ordered[0]
    # One row of a failing batch is smaller still, when it fails alone (a per-sample mistake).
    if ref.layout == "classes" and best.case.n > 1 and not best.result.problem.startswith("float32"):
        for row in range(best.case.n):
            case = Case(best.case.name.replace(f"N={best.case.n}", "N=1") + f" (row {row} of the N={best.case.n} input)", 1,
                        best.case.k, best.case.dtype, best.case.target, best.case.extreme)
            args = [a[row:row + 1] for a in best.args]
            try:
                want = _reference_values(ref, case, args, options)
            except (TestingError, KeyError, ValueError):
                break
            outcome = _judge(ref, case, args, want, fn, keywords)
            if not outcome.result.ok and not outcome.result.problem.startswith("raised"):
                best = outcome
                break
    names = ["logits" if ref.shape == "loss" or ref.layout == "classes" else "input", "target"]
    if ref.shape != "loss":
        kernel = next(iter(ref.kernels.values()))
        names = [name for name, _ in kernel.args]
    inputs = {names[i] if i < len(names) else f"arg{i}": a for i, a in enumerate(best.args)}
    if best.got is None:
        return Counterexample(best.case.label, inputs, ref.function, best.result.problem, "a value")
    if best.result.problem.startswith("float32 in"):
        dtypes = ", ".join(str(g.dtype) for g in best.got)
        return Counterexample(best.case.label, inputs, f"{ref.function}'s dtype", dtypes, "float32")
    if best.worst is None:
        pos = 0
        got, want = best.got[0], best.want[0].value
        label = f"{_output_name(ref, pos)}'s shape"
        return Counterexample(best.case.label, inputs, label, f"{got.shape}", f"{want.shape}") if \
            got.shape != want.shape else Counterexample(best.case.label, inputs, _output_name(ref, pos),
                                                        f"{got.dtype} array", float(np.ravel(want)[0]))
    pos, at = best.worst
    got, want = best.got[pos], best.want[pos].value
    where = f"[{', '.join(map(str, at))}]" if at else ""
    return Counterexample(best.case.label, inputs, _output_name(ref, pos) + where, float(np.asarray(got, np.float64)[at]),
                          float(want[at]))


def _output_name(ref: Reference, position: int) -> str:
    """What the ``position``-th returned value is called in a report."""
    if ref.shape != "loss":
        return ref.function
    return ("loss", "grad")[position] if ref.returns == "both" else ref.returns


# --- public API ---------------------------------------------------------------------------------


def _check_options(ref: Reference, options: Mapping[str, Any]) -> dict[str, Any]:
    known = ref.keywords()
    for name in options:
        if name in LAYOUT_KEYWORDS:
            raise TestingError(f"option {name}: symxent test feeds the class axis last and takes the result as "
                               "returned; give no layout option")
        if name not in known:
            valid = ", ".join(f"{k} ({v})" for k, v in known.items()) or "none"
            if name in ref.defaults:
                raise TestingError(f"option {name}: a keyword of {ref.name} that no proven claim here models; "
                                   f"modelled: {valid}")
            raise TestingError(f"{ref.name} has no option {name!r}; options: {valid}")
    if "reduction" in options and options["reduction"] not in REDUCTIONS:
        raise TestingError(f"option reduction={options['reduction']!r}: one of {', '.join(REDUCTIONS)}")
    return dict(options)


def _fixed_k(ref: Reference, options: Mapping[str, Any]) -> int | None:
    """A per-class option given as a list fixes the number of classes of every input."""
    for name, (_symbol, kind, *_rest) in ref.spec.get("keywords", {}).items():
        value = options.get(name)
        if kind == "class" and value is not None and np.ndim(value) == 1:
            k = len(value)
            if k < 2 and ref.layout == "classes":
                raise TestingError(f"option {name}: {k} class(es); give at least 2")
            return k
    return None


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) or p.kind == p.VAR_KEYWORD
               for p in parameters)


def compare(fn: Callable[..., Any], against: str, *, registry: Registry | None = None,
            derivations: Sequence[str | Path] = (), targets: Sequence[str] | None = None,
            dtypes: Sequence[str] = ("float64", "float32"), seed: int = 0, **options: Any) -> Report:
    """Compare ``fn`` with the proof behind ``against`` ("MODULE.FUNCTION"); see the module doc.

    ``targets`` restricts the target kinds ("index", "probs", "logits"; "hard", "soft" for
    elementwise losses); by default every kind the reference takes is tried, and a kind on which
    ``fn`` raises on every input is reported in the notes as not taken rather than failed.
    ``dtypes`` restricts the floating dtypes. Raises TestingError for an unknown module,
    function, option or target kind.
    """
    if registry is None:
        registry = load_registry(derivations)
    ref = resolve(against, registry)
    options = _check_options(ref, options)
    kinds = _target_kinds(ref)
    if targets is not None:
        unknown = sorted(set(targets) - set(kinds))
        if unknown:
            raise TestingError(f"target kind(s) {', '.join(unknown)}: {ref.name} takes {', '.join(kinds)}")
        kinds = [k for k in kinds if k in targets]
    for dtype in dtypes:
        if dtype not in RTOL:
            raise TestingError(f"dtype {dtype!r}: one of {', '.join(RTOL)}")
    keywords = {name: value for name, value in options.items() if _accepts(fn, name)}
    rng = np.random.default_rng(seed)
    outcomes: list[_Outcome] = []
    fixed = _fixed_k(ref, options)
    for kind in kinds:
        for name, n, k, extreme in _shapes(ref, fixed):
            base = _inputs(ref, Case(name, n, k, "float64", kind, extreme), rng)
            for dtype in dtypes:
                case = Case(name, n, k, dtype, kind, extreme)
                args = [a.astype(dtype) if np.issubdtype(a.dtype, np.floating) else a for a in base]
                want = _reference_values(ref, case, args, options)
                outcomes.append(_judge(ref, case, args, want, fn, keywords))
    notes = []
    if targets is None and len(kinds) > 1:
        for kind in list(kinds):
            mine = [o for o in outcomes if o.case.target == kind]
            if mine and all(o.raised is not None for o in mine):
                notes.append(f"{kind} targets not taken: {fn_name(fn)} raised {type(mine[0].raised).__name__} "
                             f"({_one_line(mine[0].raised)}) on every one (--targets {kind}, or targets=[{kind!r}], requires them)")
                outcomes = [o for o in outcomes if o.case.target != kind]
    failing = [o for o in outcomes if not o.result.ok]
    diagnosis: list[str] = []
    counterexample = None
    if failing:
        diagnosis = _diagnose(fn, ref, failing, keywords, options, outcomes)
        counterexample = _smallest(fn, ref, failing, keywords, options)
    reference = (f"the closed forms of these proven claims of {ref.derivation.name}, at {DIGITS} digits"
                 + f" ({DIGITS_EXTREME} at logits of {EXTREME:g})"
                 + (f", reduced as {ref.name} documents" if ref.shape == "loss" else "")
                 + " (the generated module is not called):")
    statements = tuple(f"{c}: {ref.derivation.claim(c).statement}" for c in ref.claims)
    return Report(fn_name(fn), ref.name, reference, options, tuple(sorted(keywords)),
                  tuple(o.result for o in outcomes), tuple(diagnosis), counterexample, tuple(notes), statements)


def fn_name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def assert_matches(fn: Callable[..., Any], against: str, **options: Any) -> Report:
    """:func:`compare`, raising AssertionError with the report (diagnosis first) when ``fn``
    disagrees; returns the report when it agrees."""
    report = compare(fn, against, **options)
    if not report.ok:
        raise AssertionError(f"{report.summary}\n{report}")
    return report


def parse_option(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` -> (name, value): VALUE a Python literal (0.1, [1, 2], None) or a word."""
    name, eq, value = text.partition("=")
    if not eq or not name.isidentifier():
        raise TestingError(f"--option {text!r}: write NAME=VALUE, e.g. reduction=sum or label_smoothing=0.1")
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        parsed = value  # a bare word: reduction=sum
    if isinstance(parsed, (list, tuple)):
        parsed = np.asarray(parsed, dtype=np.float64)
    return name, parsed


def load_function(spec: str) -> Callable[..., Any]:
    """``PATH.py:FUNCTION`` -> the function, imported from its file (its folder on sys.path
    while it is imported, so it may import its neighbours). TestingError when it cannot be."""
    path_text, colon, name = spec.rpartition(":")
    if not colon or not path_text.endswith(".py") or not name:
        raise TestingError(f"{spec!r}: write PATH.py:FUNCTION")
    path = Path(path_text)
    if not path.is_file():
        raise TestingError(f"{path}: no such file")
    module_name = f"symxent_tested_{path.stem}_{abs(hash(str(path.resolve())))}"
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise TestingError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(loader_spec)
    sys.path.insert(0, str(path.resolve().parent))
    try:
        with contextlib.redirect_stdout(sys.stderr):
            loader_spec.loader.exec_module(module)
    except SystemExit as exc:
        raise TestingError(f"{path}: called sys.exit({exc.code!r}) while being imported") from None
    except Exception as exc:  # the user's file may raise anything at import
        raise TestingError(f"{path}: {type(exc).__name__} while importing: {_one_line(exc)}") from None
    finally:
        sys.path.remove(str(path.resolve().parent))
    fn = getattr(module, name, None)
    if not callable(fn):
        found = sorted(n for n, v in vars(module).items() if inspect.isfunction(v) and v.__module__ == module_name)
        raise TestingError(f"{path} has no function {name!r}; functions: {', '.join(found) or 'none'}")
    return fn

