"""Accuracy in ulps: generated functions against a 50-digit reference over the whole range.

Contract: :func:`measure` runs every entry of a module's ``options["accuracy"]`` (and the
other kinds of ``ENTRY_KINDS``) through the generated module's public function and returns one
:class:`Accuracy` per entry, case and dtype (float64, float32): the largest error in units in
the last place of the true value (or, for ``options["accuracy_terms"]``, of the largest term of
the sample, the entry's ``terms``) and the input where it occurs. A case fixes the other
arguments: numbers, a class index per sample (``c``) or a probability target (``y``: y_0, the
rest spread evenly); ``options["accuracy_confident"]`` measures only the rows whose class c
leads every other logit by 1 or more.

- The inputs (:func:`sweep`) cover the whole finite range of the dtype: logits from the
  smallest normal to the largest finite number in every binade, both signs, 0, a dense grid
  where the functions bend (|z| <= 60), the tails where exp(-|z|) underflows, the inputs of
  PyTorch's OpInfo reference inputs for unary functions and of SciPy's expit tests (quoted
  from memory of those suites, as numbers), and random points. Class-axis functions (softmax)
  take rows of 2 and 3 logits drawn from the same values. Every input is rounded to the dtype
  first; the reference is computed at the rounded input, so only the function's own error is
  measured.
- The reference is the claim's raw left side (definitions unfolded as defined: the sigmoid as
  1 / (1 + e^{-z}), not its stable form) in mpmath at 50 significant digits plus as many as
  the cancellation in the raw form can cost (3 |z| / ln 10, for |z| <= 1000). Beyond that the
  raw form would need more digits than is reasonable, and the proven stable form (the claim's
  right side, which has no cancellation) is evaluated at 50 digits instead; where both are
  evaluated they must agree to 40 digits, else the reference itself is reported as broken.
  Where those are many digits, fewer are tried first: a raw value that does not move with 20
  digits more (so is right to 40) and agrees with the stable form is taken (Ziv's strategy),
  else the full digits decide. exp and log are kept per argument and precision in a process.
- Error: where the true value is a normal number of the dtype, |computed - true| / ulp(true)
  (relative, no absolute floor). Where it is below the smallest normal (0, subnormal, or an
  underflow) the computed value must be finite, below the smallest normal and not of the
  opposite sign; where it is beyond the largest finite number, the infinity of its sign;
  where it is nan, nan. A failure of these counts as an infinite error.
- Infinite and nan inputs of elementwise functions are checked separately by
  :func:`special_values` (rows of logits with inf or nan are not measured): nan in gives nan
  out; at z = +-inf the result must equal SymPy's limit of the raw expression (0 for the
  BCE-with-logits loss at z = -inf, y = 0, where PyTorch 2.13 gives nan), with no invalid
  operation on the way.

Functions are called on C-contiguous inputs (the ``_fast_`` kernels of a module with a block
driver) and on strided views (the plain kernels); an entry's result is the worse of the two.
Nothing here is timed.
"""

from __future__ import annotations

import functools
import inspect
import math
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import mpmath
import numpy as np
from mpmath import libmp
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from symxent import codegen, derive
from symxent.registry import Derivation, Module

__all__ = ["Accuracy", "TARGET_ULPS", "at_size", "measure", "special_values", "sweep", "ulp_error"]

TARGET_ULPS = {"float64": 4.0, "float32": 8.0}
DIGITS = 50
RAW_LIMIT = 1000.0  # largest |input| at which the raw form is evaluated (with ~1360 digits)
# Digits the raw forms can lose per unit of |z|: a second derivative written through
# 1 - sigma(z) cancels terms of size e^{2|z|} down to e^{-|z|}; 3 |z| / ln 10 covers it.
RAW_DIGITS_PER_UNIT = 3.0 / math.log(10)
AGREE = mpmath.mpf("1e-40")  # raw and stable references, relative
ZIV_DIGITS = 20  # the more digits a raw value is evaluated with again, to see that it does not move

# Peers' inputs, as numbers. PyTorch OpInfo reference inputs of unary elementwise functions
# (common_methods_invocations: _float_vals, _large_float_vals) and SciPy's TestExpit inputs
# (x in [-10, 10], and the overflow edges 88, 89, 709, 710, 11356, 11357 of float32,
# float64 and long double).
PEER_INPUTS = (
    0.0, 0.001, 0.25, 1.0, math.pi / 2, math.pi - 1e-5, math.pi, math.pi + 1e-5,
    501.0, 1001.2, 13437.7, 4988429.2, 1e20,
    2.0, 10.0, 88.0, 89.0, 709.0, 710.0, 11356.0, 11357.0,
)


@dataclass(frozen=True)
class Accuracy:
    """The largest error of one public function over the sweep, for one dtype and case."""

    function: str  # "module.function"
    dtype: str
    case: str  # fixed arguments, e.g. "y=1", or "K=2"
    max_ulp: float
    where: str  # the input (and layout) of the largest error
    target: float
    points: int
    problem: str = ""  # a broken reference, or the first wrong inf/0/nan
    # Why an entry of options["accuracy_report"] is measured and shown but not held to the
    # target ("" for a gated entry of options["accuracy"]).
    not_gated: str = ""

    @property
    def within(self) -> bool:
        return not self.problem and self.max_ulp <= self.target

    @property
    def ok(self) -> bool:
        return self.within or bool(self.not_gated)


def sweep(dtype: type, seed: int = 0) -> np.ndarray:
    """Finite inputs covering the whole range of ``dtype``, rounded to it, sorted, unique."""
    info = np.finfo(dtype)
    rng = np.random.default_rng(seed)
    # One magnitude in every binade from the smallest normal up to the largest finite number.
    exponents = np.arange(info.minexp, info.maxexp)
    magnitudes = np.ldexp(rng.uniform(1.0, 2.0, exponents.size), exponents)
    # The float32 range of exp is |z| < 104; float64's |z| < 746.
    tail = 110.0 if np.dtype(dtype) == np.float32 else 760.0
    parts = [
        magnitudes,
        np.linspace(0.0, 60.0, 601),
        np.linspace(60.0, tail, 300),
        np.array(PEER_INPUTS),
        10.0 ** rng.uniform(-3.0, 3.0, 200),
        np.array([float(info.max), float(info.smallest_normal), 0.5, 1.5]),
    ]
    values = np.concatenate(parts)
    values = np.concatenate([values, -values]).astype(dtype)
    return np.unique(values[np.isfinite(values)])


def _rows(values: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Rows of ``k`` logits from ``values``: every pair of a thinned set (k = 2), or random."""
    if k == 2:
        thin = values[np.linspace(0, len(values) - 1, 48).astype(int)]
        near = np.array([0.0, 1.0, -1.0, 30.0, -30.0, 700.0, -700.0], dtype=values.dtype)
        pick = np.unique(np.concatenate([thin, near]))
        a, b = np.meshgrid(pick, pick, indexing="ij")
        return np.stack([a.ravel(), b.ravel()], axis=-1)
    rows = rng.choice(values, size=(400, k))
    # Rows with a confident prediction: one logit far above the others.
    rows[:100, 0] = rows[:100, 1:].max(axis=1) + np.abs(rng.choice(values, size=100)).astype(values.dtype)
    return rows[np.all(np.isfinite(rows), axis=1)]


def _mp(x: float) -> mpmath.mpf:
    return _mp_of(float(x))


@functools.lru_cache(maxsize=1 << 16)
def _mp_of(x: float) -> mpmath.mpf:
    """The mpf of a float (exact), kept: the same sweep values come back in every row and entry."""
    return mpmath.mpf(x)


def _heaviside(x: mpmath.mpf, at_zero: mpmath.mpf = mpmath.mpf(0.5)) -> mpmath.mpf:
    return mpmath.mpf(1) if x > 0 else (at_zero if x == 0 else mpmath.mpf(0))


def _remembered(function: Callable[[mpmath.mpf], mpmath.mpf]) -> Callable[[mpmath.mpf], mpmath.mpf]:
    """``function`` (exp, log), its values kept per argument and working precision: the
    references of a process evaluate the same exp(z_k) of the same row again and again (each
    output of the row, each claim and case of the module, the terms of the sample)."""

    values: dict[tuple, mpmath.mpf] = {}

    def remembered(x: mpmath.mpf) -> mpmath.mpf:
        # keyed by the mpf's own tuple (sign, mantissa, exponent, bits): hashing an mpf costs more
        key = (getattr(x, "_mpf_", x), mpmath.mp.prec)
        value = values.get(key)
        if value is None:
            value = values[key] = function(x)
        return value

    return remembered

_NAMESPACE = {"keep_order": lambda x: x, "exp": _remembered(mpmath.exp), "log": _remembered(mpmath.log), "log1p": mpmath.log1p, "Heaviside": _heaviside,
              "exp_diff": lambda x, y: mpmath.exp(x - y), "xlogy": lambda x, y: 0 if x == 0 else x * mpmath.log(y),
              "xlog1py": lambda x, y: 0 if x == 0 else x * mpmath.log1p(y),
              "xdivy": lambda x, y: 0 if x == 0 else x / y, "xmuly": lambda x, y: 0 if x == 0 else x * y}


class _MpPrinter(MpmathPrinter):
    """lambdify's mpmath printer, with the inputs printed by the names given (no Indexed
    argument for lambdify to swap for a dummy by rebuilding the expression, which re-sorts every
    Max in it: most of the time here) and UnevaluatedExpr as a call of ``keep_order``."""

    def __init__(self, names: Mapping[sp.Basic, str]) -> None:
        super().__init__({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                          "user_functions": {name: name for name in _NAMESPACE}})
        self.names = names

    def _print_Indexed(self, e: sp.Indexed) -> str:
        return self.names[e] if e in self.names else super()._print_Indexed(e)

    def _print_Symbol(self, e: sp.Symbol) -> str:
        return self.names[e] if e in self.names else super()._print_Symbol(e)

    # UnevaluatedExpr fixes the order of operations ((z_i - max z) formed first, exact at 50
    # digits where max z - log S + ... would cancel), but SymPy's printer drops its sign
    # (c + UnevaluatedExpr(-a + b) prints as c - (a + b)): printed as a call instead.
    def _print_UnevaluatedExpr(self, e: sp.UnevaluatedExpr) -> str:
        return f"keep_order({self._print(e.args[0])})"


def _mp_function(expr: sp.Expr, symbols: Sequence[sp.Basic]) -> Callable[..., mpmath.mpf]:
    plain = [sp.Symbol(f"_a{n}") for n in range(len(symbols))]
    printer = _MpPrinter({s: p.name for s, p in zip(symbols, plain)})
    # (docstring_limit=0: no str() of the whole expression for the function's docstring)
    return sp.lambdify(plain, expr, modules=[_NAMESPACE, "mpmath"], printer=printer, dummify=False,
                       docstring_limit=0)


def ulp_error(got: float, true: mpmath.mpf, dtype: type, scale: mpmath.mpf | None = None) -> tuple[float, str]:
    """The error of ``got`` in ulps of ``true`` (see the module docstring), or, given ``scale``
    (a normal number: the largest term of the sample), in ulps of ``scale``; and what is wrong
    with it when it is not a number of ulps ("" otherwise)."""
    largest, tiny, nmant = _limits(dtype)
    got = float(got)
    if mpmath.isnan(true):
        return (0.0, "") if math.isnan(got) else (math.inf, f"{got!r} where the true value is nan")
    if mpmath.isinf(true) or abs(true) > largest:
        want = math.copysign(math.inf, float(mpmath.sign(true)))
        return (0.0, "") if got == want else (math.inf, f"{got!r} where the true value {mpmath.nstr(true, 8)} overflows")
    unit = scale if scale is not None and tiny <= abs(scale) <= largest else true
    if abs(unit) < tiny:
        fine = math.isfinite(got) and abs(got) <= tiny and (got == 0 or true == 0 or (got > 0) == (true > 0))
        return (0.0, "") if fine else (math.inf, f"{got!r} where the true value {mpmath.nstr(true, 8)} is below normal")
    if not math.isfinite(got):
        return math.inf, f"{got!r} where the true value is {mpmath.nstr(true, 17)}"
    exponent = mpmath.frexp(unit)[1] - 1  # |unit| in [2^exponent, 2^(exponent + 1)), exactly
    # |got - true| / 2^(exponent - nmant), the ulp: float(ldexp(abs(mpf(got) - true), ...)) as
    # mpmath's own operators compute it (the context's precision and rounding; the shift is
    # exact), without building three mpf objects per measured value on the way.
    prec, rounding = mpmath.mp._prec_rounding
    exact = true._mpf_ if hasattr(true, "_mpf_") else libmp.from_int(true) if isinstance(true, int) \
        else libmp.from_float(float(true))  # (a reference's 0 of x log y is an int)
    difference = libmp.mpf_sub(libmp.from_float(got, prec, rounding), exact, prec, rounding)
    return libmp.to_float(libmp.mpf_shift(libmp.mpf_abs(difference, prec, rounding), nmant - exponent),
                          rnd=rounding), ""


@functools.cache
def _limits(dtype: type | np.dtype) -> tuple[mpmath.mpf, mpmath.mpf, int]:
    """The largest finite and the smallest normal number of ``dtype`` (as mpf: compared with
    mpf values, once per measured value), and its mantissa bits; kept per dtype as given."""
    info = np.finfo(dtype)
    return mpmath.mpf(float(info.max)), mpmath.mpf(float(info.smallest_normal)), int(info.nmant)


_REFERENCES: dict[tuple, "_Reference"] = {}


def _reference(raw: sp.Expr, stable: sp.Expr | tuple[sp.Expr, ...], symbols: Sequence[sp.Symbol],
               shift_invariant: bool) -> "_Reference":
    """One reference per expression and process: its values are kept, since a measurement of
    another module against the same claim (a vendored copy, a mutant) asks for the same points."""
    key = (sp.srepr(raw), sp.srepr(stable), tuple(map(sp.srepr, symbols)), shift_invariant)
    if key not in _REFERENCES:
        _REFERENCES[key] = _Reference(raw, stable, symbols, shift_invariant)
    return _REFERENCES[key]


class _Reference:
    """The 50-digit true value of a claim's raw left side at explicit inputs (see above).

    ``stable`` may be a tuple: the stable form at each value 1..K of a class index the kernel
    computes as the argmax of the inputs (``Kernel.argmax``); each point takes the form at its
    own first largest input, where the proven form has no cancellation."""

    def __init__(self, raw: sp.Expr, stable: sp.Expr | tuple[sp.Expr, ...], symbols: Sequence[sp.Symbol],
                 shift_invariant: bool) -> None:
        self.raw = _mp_function(raw, symbols)
        if isinstance(stable, tuple):
            forms = [_mp_function(s, symbols) for s in stable]
            # (floats compared, not mpf: the same order, at a fraction of the cost)
            self.stable = lambda *args: forms[max(range(len(args)), key=lambda n: (float(args[n]), -n))](*args)
        else:
            self.stable = _mp_function(stable, symbols)
        # The digits the raw form loses grow with |z|, or for a function of a row of logits
        # invariant to a common shift (softmax), with their spread.
        self.shift_invariant = shift_invariant
        self.values: dict[tuple[float, ...], tuple[mpmath.mpf, str]] = {}

    def __call__(self, *args: float) -> tuple[mpmath.mpf, str]:
        key = tuple(float(a) for a in args)
        if key not in self.values:
            self.values[key] = self._evaluate(*args)
        return self.values[key]

    def _evaluate(self, *args: float) -> tuple[mpmath.mpf, str]:
        values = [float(a) for a in args]
        point = [_mp(a) for a in values]  # exact: a float has fewer digits than any precision here
        big = max(values) - min(values) if self.shift_invariant else max(abs(a) for a in values)
        if big > RAW_LIMIT:
            with mpmath.workdps(DIGITS + 5):
                return self.stable(*point), ""
        full = DIGITS + int(big * RAW_DIGITS_PER_UNIT) + 10
        # Where that is many digits (|z| in the hundreds: 10 times the cost of the rest), Ziv's
        # strategy first: the raw form at fewer digits (the tiers: no cancellation; e^{-|z|}
        # beside 1, a third of the worst case), taken where it does not move when evaluated
        # with ZIV_DIGITS more (so its error there is below 1e-40 of it: what the lost digits
        # could change moves too) and agrees with the stable form; else at the full digits.
        # A value of 0, or not finite, is all cancellation (log(1 + 1e-299) at 60 digits): never
        # taken from a tier.
        if full > 2 * (DIGITS + 10):
            for digits in sorted({DIGITS + 10, DIGITS + int(big * RAW_DIGITS_PER_UNIT / 3) + 10}):
                if digits + ZIV_DIGITS >= full:
                    break
                with mpmath.workdps(digits):
                    try:
                        raw = self.raw(*point)
                    except ZeroDivisionError:  # cancelled to 0 (1 - sigma(z) at large z)
                        continue
                if not mpmath.isfinite(raw) or raw == 0:
                    continue
                with mpmath.workdps(digits + ZIV_DIGITS):
                    try:
                        check = self.raw(*point)
                    except ZeroDivisionError:
                        continue
                    stable = self.stable(*point)
                    if _agree(raw, check) and _agree(check, stable):
                        return check, ""
        with mpmath.workdps(full):
            raw = self.raw(*point)
            stable = self.stable(*point)
            agree = _agree(raw, stable)
        problem = "" if agree else (f"reference: raw {mpmath.nstr(raw, 20)} != stable {mpmath.nstr(stable, 20)} "
                                    f"at {args}")
        return raw, problem


def _agree(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    """``a`` and ``b`` agree to 40 digits (``AGREE``), relatively."""
    return a == b or abs(a - b) <= AGREE * abs(a)


def _layouts(x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """``x`` C-contiguous and as a strided view of the same values (the plain kernels)."""
    wide = np.repeat(x, 2, axis=0)
    return [("contiguous", np.ascontiguousarray(x)), ("strided", wide[::2])]


def _call(fn: Callable[..., np.ndarray], x: np.ndarray, fixed: Mapping[str, np.ndarray]) -> np.ndarray:
    """``fn`` elementwise ("none" reduction) at ``x``, with the fixed arguments: by name where ``fn``
    has a keyword of that name (a keyword-only one, the focal loss's alpha, as a Python number),
    the others in order as its required positional arguments after ``x``, as many as it takes (a
    case may fix a symbol of the reference only: the Hessian's y)."""
    parameters = inspect.signature(fn).parameters
    keywords: dict[str, object] = {"reduction": "none"} if "reduction" in parameters else {}
    positional = [p for p in list(parameters.values())[1:] if p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
    rest = []
    for name, value in fixed.items():
        if name in parameters and parameters[name].kind == inspect.Parameter.KEYWORD_ONLY:
            keywords[name] = value.flat[0].item()
        elif name in parameters:
            keywords[name] = value
        else:
            rest.append(value)
    result = fn(x, *rest[:len([p for p in positional if p.name not in keywords])], **keywords)
    return np.asarray(result[0] if isinstance(result, tuple) else result)


def _parameters(module: Module, case: Mapping[str, float], dtype: type, shape: tuple[int, ...]
                ) -> dict[str, np.ndarray]:
    """A case's fixed arguments as arrays, named as the public functions' parameters (a symbol
    such as q is the keyword pos_weight: ``options["public"]["keywords"]``)."""
    keywords = module.options.get("public", {}).get("keywords", {})
    names = {spec[0]: keyword for keyword, spec in keywords.items()}
    return {names.get(n, n): np.full(shape, case[n], dtype) for n in sorted(case)}


@dataclass(frozen=True)
class _Entry:
    """One case of an accuracy entry: the public function, the claim whose raw left side is
    the truth, the fixed arguments, why it is only reported ("" when gated), the unit
    ("value": ulps of the true value; "terms": ulps of the largest term of the sample) and the
    rows of logits measured ("all", or "confident": the target class c ahead of every other
    logit by at least 1). ``terms``: for the unit "terms", an expression whose terms (at explicit
    K, definitions unfolded as defined) are those of the sample (``LSE - z_c``: LSE and z_c)."""

    function: str
    claim: str
    case: Mapping[str, float]
    reason: str = ""
    unit: str = "value"
    rows: str = "all"
    terms: sp.Expr | None = None


# options key -> (unit, rows) of its entries; each entry is (function, claim, cases[, reason]),
# held to the target unless it has a reason; an "accuracy_terms" entry is (function, claim,
# cases, terms[, reason]).
ENTRY_KINDS = {"accuracy": ("value", "all"), "accuracy_report": ("value", "all"),
               "accuracy_terms": ("terms", "all"), "accuracy_confident": ("value", "confident")}


def _spec(derivation: Derivation, module: Module, special: bool = False) -> list[_Entry]:
    """Every case of the module's accuracy entries (``ENTRY_KINDS``); with ``special``, also
    those of ``options["special_values"]`` (checked at infinite and nan inputs only)."""
    kinds = dict(ENTRY_KINDS, **({"special_values": ("value", "all")} if special else {}))
    out = []
    for key, (unit, rows) in kinds.items():
        for entry in module.options.get(key, ()):
            function, claim, cases = entry[:3]
            terms, rest = (entry[3], entry[4:]) if unit == "terms" else (None, entry[3:])
            for case in cases or ({},):
                out.append(_Entry(function, claim, dict(case), rest[0] if rest else "", unit, rows, terms))
    return out


def _case_name(case: Mapping[str, float], k: int | None) -> str:
    parts = [f"{name}={value:g}" for name, value in sorted(case.items())] + ([f"K={k}"] if k else [])
    return ", ".join(parts) or "-"


def at_size(d: Derivation, expr: sp.Expr, sizes: dict[sp.Symbol, int], stable: bool) -> sp.Expr:
    """``expr`` with definitions unfolded (stable forms if asked) at explicit sizes: what the
    numeric checks of :mod:`symxent.verify` and the measurements here evaluate."""
    forms = codegen.stable_forms(d) if stable else None
    e = derive.unfold(expr, d.definitions, stable=forms)
    e = derive.instantiate(e, sizes)

    def to_max(m: derive.ClassMax) -> sp.Expr:
        body, index = m.args
        size = sizes[d.indices[index]]
        return sp.Max(*[body.xreplace({index: v}) for v in range(1, size + 1)])

    e = e.replace(lambda x: isinstance(x, derive.ClassMax), to_max)
    # The 0 log 0 = 0 conventions agree with x log y, x / y on the open domains sampled here.
    e = e.replace(lambda x: isinstance(x, derive.xlogy), lambda x: x.args[0] * sp.log(x.args[1]))
    e = e.replace(lambda x: isinstance(x, derive.xdivy), lambda x: x.args[0] / x.args[1])
    e = e.replace(lambda x: isinstance(x, derive.xmuly), lambda x: x.args[0] * x.args[1])
    return derive.evaluate(e, d.indices)


def _targets(derivation: Derivation, case: Mapping[str, float], k: int) -> tuple[dict, dict]:
    """A row module's fixed targets: (symbol -> value substituted in the reference, name ->
    (kind, value) for the call). A class index (``c``: 0-based, one per sample) or a
    probability target (``y``: y_0 = the value, the rest spread evenly over the other classes)."""
    subs, call = {}, {}
    bases = {v.symbol.name: v.symbol for v in derivation.variables if isinstance(v.symbol, sp.IndexedBase)}
    indices = {s.name: s for s in derivation.indices}
    for name in sorted(case):
        value = case[name]
        if name in indices:
            subs[indices[name]] = sp.Integer(int(value) + 1)
            call[name] = ("index", int(value))
        elif name in bases:
            vector = [sp.nsimplify(value)] + [(1 - sp.nsimplify(value)) / (k - 1)] * (k - 1)
            subs.update({bases[name][n + 1]: v for n, v in enumerate(vector)})
            call[name] = ("probs", np.array([float(v) for v in vector]))
        else:
            raise ValueError(f"accuracy case {dict(case)}: {name} is neither a class index nor a target of "
                             f"{derivation.name}")
    return subs, call


def measure(derivation: Derivation, module: Module, generated: types.ModuleType, seed: int = 0) -> list[Accuracy]:
    """The ulp error of each accuracy entry of ``module`` (``ENTRY_KINDS``; see the docstring)."""
    results = []
    rng = np.random.default_rng(seed)
    first = module.kernels[0].args[0][1]
    classy = isinstance(first, sp.IndexedBase)
    for entry in _spec(derivation, module):
        claim, case = derivation.claim(entry.claim), entry.case
        fn = getattr(generated, entry.function)
        sizes_list = [{next(iter(derivation.dimensions)): k} for k in (2, 3)] if classy else [{}]
        for sizes in sizes_list:
            raw = at_size(derivation, claim.lhs, sizes, False)
            stable = at_size(derivation, claim.rhs, sizes, True)
            k = next(iter(sizes.values())) if sizes else None
            terms: list[list[Callable[..., mpmath.mpf]]] = []
            if classy:
                subs, targets = _targets(derivation, case, k)
                free = sorted(derive.free_class_indices(sp.Tuple(claim.lhs), derivation.indices), key=str)
                free = [f for f in free if f not in subs]
                pivots = [m for kernel in module.kernels if entry.claim in (o.claim for o in kernel.outputs)
                          for m, _ in kernel.argmax]
                symbols = [first[c] for c in range(1, k + 1)]
                refs = []
                for n in range(1, k + 1) if free else (None,):
                    at = {free[0]: n} if free else {}
                    r = derive.evaluate(derive.evaluate(raw.xreplace(at), derivation.indices).xreplace(subs),
                                        derivation.indices)
                    s = derive.evaluate(stable.xreplace(at), derivation.indices).xreplace(subs)
                    forms = tuple(derive.evaluate(s.xreplace({pivot: v for pivot in pivots}), derivation.indices)
                                  for v in range(1, k + 1)) if pivots else derive.evaluate(s, derivation.indices)
                    refs.append(_reference(r, forms, symbols, True))
                    if entry.terms is not None:
                        t = at_size(derivation, entry.terms, sizes, False).xreplace(at)
                        t = derive.evaluate(derive.evaluate(t, derivation.indices).xreplace(subs), derivation.indices)
                        terms.append([_mp_function(term, symbols) for term in sp.Add.make_args(t)])
            else:
                targets = {}
                fixed_symbols = {s.name: s for s in raw.free_symbols | stable.free_symbols}
                symbols = [first] + [fixed_symbols[name] for name in sorted(case)]
                refs = [_reference(raw, stable, symbols, False)]
                if entry.terms is not None:
                    t = at_size(derivation, entry.terms, sizes, False)
                    terms.append([_mp_function(term, symbols) for term in sp.Add.make_args(t)])
            for dtype in (np.float64, np.float32):
                values = sweep(dtype, seed)
                x = _rows(values, k, rng) if classy else values
                if entry.rows == "confident":  # the target class c ahead of every other logit by >= 1
                    c = targets["c"][1]
                    others = np.delete(x, c, axis=-1).astype(np.float64)
                    x = x[x[:, c].astype(np.float64) >= others.max(axis=-1) + 1]
                if classy:
                    fixed_values = {n: (np.full(x.shape[:-1], v, np.int64) if kind == "index"
                                        else np.broadcast_to(v.astype(dtype), x.shape).copy())
                                    for n, (kind, v) in targets.items()}
                else:
                    fixed_values = _parameters(module, case, dtype, x.shape)
                worst, where, problem = 0.0, "", ""
                truth: list[list[tuple[mpmath.mpf, str]]] = []
                scales: list[mpmath.mpf | None] = []
                for row in range(x.shape[0]):
                    args = list(x[row]) if classy else [x[row]] + [case[name] for name in sorted(case)]
                    truth.append([ref(*args) for ref in refs])
                    scales.append(_largest_term(terms, args) if terms else None)
                # (row, output, value) -> its error: a value both layouts compute is measured once
                measured: dict[tuple[int, int, float], tuple[float, str]] = {}
                for layout, arr in _layouts(x):
                    fixed = {n: f if not f.ndim else _layouts(f)[0 if layout == "contiguous" else 1][1]
                             for n, f in fixed_values.items()}
                    # Values only: a row of logits spread wider than the largest float overflows
                    # in z - max z (to -inf, whose exp is the right 0) and NumPy warns of it.
                    with np.errstate(over="ignore"):
                        got = _call(fn, arr, fixed)
                    if got.dtype != np.dtype(dtype):
                        problem = problem or f"{layout}: dtype {got.dtype} from {np.dtype(dtype).name} input"
                    for row in range(x.shape[0]):
                        outs = got[row] if classy and got.ndim > 1 else [got[row]]
                        for n, (value, (true, ref_problem)) in enumerate(zip(outs, truth[row])):
                            problem = problem or ref_problem
                            key = (row, n, float(value))
                            if key not in measured:
                                measured[key] = ulp_error(value, true, dtype, scales[row])
                            err, wrong = measured[key]
                            if wrong and not problem:
                                problem = f"{layout}: at {_point(x[row])}: {wrong}"
                            if err > worst:
                                worst = err
                                where = f"{_point(x[row])}{f' [{n}]' if len(outs) > 1 else ''} ({layout})"
                name = _case_name(case, k) + {"value": "", "terms": " (largest term)"}[entry.unit] + \
                    {"all": "", "confident": " (confident, relative)"}[entry.rows]
                results.append(Accuracy(f"{module.name}.{entry.function}", np.dtype(dtype).name, name,
                                        worst, where, TARGET_ULPS[np.dtype(dtype).name], x.shape[0], problem,
                                        entry.reason))
    return results


def _largest_term(terms: list[list[Callable[..., mpmath.mpf]]], args: Sequence[float]) -> mpmath.mpf:
    """The largest magnitude of a term of any output of the sample (at the references' first
    precision, so that the exp and log values they computed are reused)."""
    point = [_mp(a) for a in args]
    with mpmath.workdps(DIGITS + 10):
        return max(abs(t(*point)) for output in terms for t in output)


def _point(x: np.ndarray) -> str:
    if np.ndim(x):
        return "z=[" + ", ".join(f"{float(v):.6g}" for v in x) + "]"
    return f"z={float(x):.17g}"


def special_values(derivation: Derivation, module: Module, generated: types.ModuleType) -> list[str]:
    """Problems at infinite and nan inputs of an elementwise module's entries (none: an empty
    list); ValueError for a module of rows of logits (softmax), whose inf/nan rows are not
    measured here.

    nan in must give nan out; at z = +-inf the result must be SymPy's limit of the claim's raw
    left side (with the case's fixed arguments), reached without an invalid operation (0 * inf)
    on the way, which would raise under ``np.errstate(invalid="raise")``. Entries: those of
    ``options["accuracy"]`` and ``options["accuracy_report"]``, and ``options["special_values"]``
    (checked here only).
    """
    first = module.kernels[0].args[0][1]
    if isinstance(first, sp.IndexedBase):
        raise ValueError(f"{module.name}: special values are defined for elementwise functions only")
    problems = []
    for entry in _spec(derivation, module, special=True):
        function, claim, case = entry.function, derivation.claim(entry.claim), entry.case
        raw = at_size(derivation, claim.lhs, {}, False)
        named = {s.name: s for s in raw.free_symbols}
        fixed_raw = raw.xreplace({named[n]: sp.nsimplify(v) for n, v in case.items() if n in named})
        fn = getattr(generated, function)
        limits = {}  # SymPy's limit at +-inf, or None where it has none
        for dtype in (np.float64, np.float32):
            for z, limit in ((np.inf, sp.oo), (-np.inf, -sp.oo), (np.nan, None)):
                if limit is not None and limit not in limits:
                    value = sp.limit(fixed_raw, first, limit)
                    limits[limit] = float(value) if value.is_extended_real and value.is_comparable else None
                expected = math.nan if limit is None else limits[limit]
                if expected is None:
                    continue  # no limit to compare with
                fixed = _parameters(module, case, dtype, (2,))
                # the fast and the plain kernels (two values: one value is C-contiguous in any
                # view), z beside an ordinary 1 in the same block: a fast kernel's guard that
                # looks for infinities in the whole block (as _xmuly_in does) must still find it
                for layout, x in _layouts(np.array([1, z], dtype)):
                    where = f"{np.dtype(dtype).name} at z={z} ({layout})"
                    with np.errstate(invalid="raise"):  # a 0 * inf on the way is an error, not a warning
                        try:
                            got = float(_call(fn, x, fixed)[1])
                        except FloatingPointError as exc:
                            if not (limit is None and "invalid" in str(exc)):  # nan in: invalid operations are its own
                                problems.append(f"{module.name}.{function}({_case_name(case, None)}) {where}: {exc}")
                                continue
                            with np.errstate(invalid="ignore"):
                                got = float(_call(fn, x, fixed)[1])
                    if not ((math.isnan(got) and math.isnan(expected)) or got == expected):
                        problems.append(f"{module.name}.{function}({_case_name(case, None)}) {where}: {got!r}, "
                                        f"expected {expected!r}")
    return problems
