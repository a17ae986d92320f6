"""The declarative vocabulary of a derivation, and the registry that holds derivations.

Contract:
- A :class:`Derivation` is data: frozen dataclasses holding SymPy expressions and strings.
  Nothing here derives, proves or prints; later stages read these fields.
- Expressions are written once, for a *symbolic* number of classes: arrays are
  ``IndexedBase`` objects, class indices are integer ``Symbol`` s declared in
  ``Derivation.indices`` with the dimension they range over (1..K), and sums over classes
  are ``Sum(..., (k, 1, K))``. Explicit sizes (K = 2..Kmax) are obtained by substitution in
  :mod:`symxent.prove`, never written twice.
- A :class:`Registry` maps a unique name to a derivation: registering a duplicate name raises,
  looking up an unknown name raises with the list of known names.
- :func:`load_directory` loads every ``*.py`` file of a directory (files starting with ``_``
  are skipped); each file must define ``DERIVATIONS``, a sequence of :class:`Derivation`.
  A file that fails to load is reported as a :class:`LoadError` with its path and the reason
  in one line (an exception or ``sys.exit`` at import included), and the other files still
  load. Whatever a file prints while it is imported goes to standard error, never into the
  command's output (``verify --json``).
- A :class:`Derivation` checks itself when it is built: every claim, definition, assumption
  and chain step holds SymPy expressions (not strings), and every symbol they use is declared
  (a :class:`Variable`, a defined name, a dimension, an index, or bound by a sum or limit);
  otherwise it raises ValueError naming the derivation, the claim (or chain) and the symbol.
  Nothing is assumed silently: an undeclared ``w`` would make ``w/w = 1`` "proven" without
  ever sampling ``w = 0``.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import importlib.util
import os
import sys
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

__all__ = [
    "Assumption",
    "Chain",
    "Claim",
    "Definition",
    "Derivation",
    "Kernel",
    "LoadError",
    "Module",
    "Output",
    "Registry",
    "Step",
    "UnknownDerivation",
    "Variable",
    "builtin_directory",
    "evaluated",
    "load_directory",
    "load_registry",
    "logits_loss_module",
    "templates",
]

# Numeric domains a variable can be sampled from (see symxent.verify.sample).
DOMAINS = ("real", "simplex", "unit_interval", "positive", "negative", "real_vector")

RELATIONS = ("==", ">=", ">")


@dataclass(frozen=True)
class Assumption:
    """A named fact a proof may use: ``lhs = rhs``, e.g. "targets sum to 1".

    A proof that needs the fact says so by listing it; the prover rewrites ``lhs`` to ``rhs``
    (for symbolic K, up to renaming the summation index; for explicit K, by eliminating the
    last unknown of the instantiated equation) and reports the name among those it used.
    """

    name: str
    lhs: sp.Expr
    rhs: sp.Expr

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Variable:
    """An input of the derivation and where numeric checks sample it.

    ``symbol`` is an ``IndexedBase`` indexed by ``indices`` (each declared in
    ``Derivation.indices``), or a plain ``Symbol`` (``indices=()``) for a scalar input.
    ``domain`` is one of :data:`DOMAINS`; "simplex" samples probability vectors over the last
    index (positive entries summing to 1 for each value of the other indices).
    """

    symbol: sp.Basic
    domain: str
    description: str
    indices: tuple[sp.Symbol, ...] = ()

    def __post_init__(self) -> None:
        if self.domain not in DOMAINS:
            raise ValueError(f"variable {self.symbol}: unknown domain {self.domain!r}; valid: {', '.join(DOMAINS)}")
        if self.domain == "simplex" and not self.indices:
            raise ValueError(f"variable {self.symbol}: a simplex variable needs an index to sum over")


@dataclass(frozen=True)
class Definition:
    """A forward definition ``lhs := rhs``: ``p[i] := exp(z[i]) / sum_k exp(z[k])`` or ``L := ...``.

    ``lhs`` is an entry ``p[i]`` of an ``IndexedBase`` (the definition holds for every index)
    or a plain ``Symbol``. Claims and steps are written with ``lhs`` and the prover unfolds it.
    ``stable`` names a claim ``rhs = stable form`` of the same derivation (e.g. the max-shifted
    softmax); the code generator prints that proven form instead of ``rhs``.
    """

    lhs: sp.Expr
    rhs: sp.Expr
    description: str
    stable: str | None = None
    display: sp.Expr | None = None  # rhs as the author writes it (see Step.display)

    @property
    def base(self) -> sp.Basic:
        """What the definition names: the ``IndexedBase``, the function, or the symbol."""
        if isinstance(self.lhs, sp.Indexed):
            return self.lhs.base
        if isinstance(self.lhs, sp.core.function.AppliedUndef):
            return self.lhs.func
        return self.lhs

    def body(self, at: tuple[sp.Expr, ...] = ()) -> sp.Expr:
        """``rhs`` at other indices/arguments: ``body((j,))`` is the definition of ``p[j]``."""
        params = self.lhs.indices if isinstance(self.lhs, sp.Indexed) else self.lhs.args if isinstance(
            self.lhs, sp.core.function.AppliedUndef) else ()
        if not at:
            return self.rhs
        if len(at) != len(params):
            raise ValueError(f"{self.lhs} takes {len(params)} indices/arguments, got {len(at)}")
        return self.rhs.xreplace(dict(zip(params, at)))


@dataclass(frozen=True)
class Claim:
    """Something the derivation claims, proven by :mod:`symxent.prove`.

    ``relation`` "==" claims ``lhs = rhs``. For ">=" and ">" a ``certificate`` is required:
    the prover shows ``lhs - rhs = certificate`` and that the certificate is manifestly
    non-negative (positive), built from squares, positive symbols, sums and products.
    ``lhs`` may hold unevaluated ``Derivative``/``Limit``/``Sum`` objects: evaluating them is
    part of the proof. Free class indices (per-class claims) are proven for every value at
    explicit K and for a symbolic K. ``general_k=False`` skips the symbolic-K proof only for a
    claim that does not depend on K at all: a claim with class indices or sums to K always
    gets it, since K = 2..Kmax says nothing about larger K.
    """

    name: str
    statement: str
    lhs: sp.Expr
    rhs: sp.Expr
    relation: str = "=="
    certificate: sp.Expr | None = None
    assumptions: tuple[Assumption, ...] = ()
    general_k: bool = True
    display: sp.Expr | None = None  # rhs as the author writes it (see Step.display)
    # The statement as documents print it, with $...$ math; ``statement`` stays the plain text
    # that generated docstrings quote and proof caches key on.
    display_statement: str | None = None

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"claim {self.name}: unknown relation {self.relation!r}; valid: {', '.join(RELATIONS)}")
        if self.relation != "==" and self.certificate is None:
            raise ValueError(f"claim {self.name}: relation {self.relation!r} needs a certificate")


@dataclass(frozen=True)
class Step:
    """One line of a human derivation: an expression equal to the previous one, and why.

    ``display`` (optional) is ``expr`` as the author writes it, built with ``evaluate=False``
    (``sp.Add(-sp.log(p[c]), eps * (1 - p[c]), evaluate=False)``,
    ``sp.KroneckerDelta(j, c, evaluate=False)``) so that documents keep the author's order of
    terms, factors and indices. It must be the same expression: evaluated, it equals ``expr``
    exactly (the derivation refuses it otherwise). Proofs read ``expr`` only. ``reason``, like
    every text of a derivation, may hold ``$...$`` LaTeX math.
    """

    expr: sp.Expr
    reason: str
    assumptions: tuple[Assumption, ...] = ()
    display: sp.Expr | None = None


@dataclass(frozen=True)
class Chain:
    """An ordered human derivation: ``label = steps[0] = steps[1] = ...``.

    The first step's reason describes the starting point (usually "definition"); every later
    step is checked equal to the one before, using only the assumptions it lists.
    """

    title: str
    label: sp.Expr
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Output:
    """One value a generated kernel returns: the closed form of a proven claim.

    The printed expression is ``claim.rhs`` (definitions unfolded to their proven stable
    forms), and the numeric verification compares the generated value with ``claim.lhs``
    (definitions unfolded as defined: the raw, unsimplified expression), so what is printed is
    exactly what was proven.
    ``indices`` are the free class indices of the value, in axis order (last = class axis).
    """

    name: str
    claim: str
    indices: tuple[sp.Symbol, ...] = ()


@dataclass(frozen=True)
class Kernel:
    """A private function of a generated module whose body is printed from the symbols.

    ``args`` maps argument names to the symbols they bind (an ``IndexedBase`` becomes an
    array whose last axis is the class axis; an index ``Symbol`` becomes an integer array of
    class indices, one per sample; a plain ``Symbol`` an elementwise array). ``numbers``
    names the plain-symbol arguments the module passes as Python numbers instead: the fast
    kernels then form expressions of them alone as numbers too (1 - alpha in double
    precision, as the plain kernel does), not as arrays of the logits' dtype.
    ``argmax`` names class indices the kernel computes instead of taking them: ``((m, z),)``
    binds ``m`` to the index of a largest entry of the array ``z`` in each sample (the first
    of ties). Its claims must hold for every value of ``m`` (they are proven so); the largest
    entry is where the printed form is accurate (a shift by ``z_m`` is then ``<= 0``).
    """

    name: str
    args: tuple[tuple[str, sp.Basic], ...]
    outputs: tuple[Output, ...]
    numbers: tuple[str, ...] = ()
    argmax: tuple[tuple[sp.Symbol, sp.IndexedBase], ...] = ()


@dataclass(frozen=True)
class Module:
    """A generated NumPy module: a template (structure) and kernels (printed bodies)."""

    name: str
    template: str
    summary: str
    kernels: tuple[Kernel, ...]
    options: Mapping[str, object] = field(default_factory=dict)


# A scalar parameter's range: (what the module says is valid, low, high, low closed, high closed,
# the domain its numeric checks sample from, the range the public-function checks draw from).
PARAMETER_RANGES = {
    "real": ("a real number", None, None, True, True, "real", (-2.0, 2.0)),
    "positive": ("a number > 0", 0.0, None, False, True, "positive", (0.1, 3.0)),
    "nonnegative": ("a number >= 0", 0.0, None, True, True, "positive", (0.0, 3.0)),
    "unit_interval": ("a number in (0, 1]", 0.0, 1.0, False, True, "unit_interval", (0.1, 1.0)),
}


def logits_loss_module(name: str, summary: str, *, logits: sp.Basic, target: sp.Symbol, loss: str, gradient: str,
                       index: sp.Symbol, parameters: Sequence[tuple[sp.Symbol, float, str, str]] = (),
                       probs: sp.Basic | None = None, probs_loss: str | None = None,
                       probs_gradient: str | None = None) -> Module:
    """A :class:`Module` for the generic template ``loss_of_logits.py.j2``: any proven loss of
    logits (an ``IndexedBase`` over the class axis) and an integer class ``target``, with scalar
    ``parameters`` ``(symbol, default, range, description)`` (range: one of
    :data:`PARAMETER_RANGES`). ``loss`` names the proven claim whose right side is the loss
    (best a stable form), ``gradient`` the one whose right side is dL/dz_index. With ``probs``
    (the target probabilities' ``IndexedBase``) and the claims ``probs_loss``/``probs_gradient``
    of the loss for probability targets, the functions also take those (a float target of the
    logits' shape). The module has ``loss``, ``grad`` and ``loss_and_grad(logits, target, *,
    <parameters>, reduction="mean", axis=-1[, out=None])``, argument checks, the fast path, and
    the options ``symxent verify`` reads to check it as it checks the built-ins.
    """
    if (probs is None) != (probs_loss is None) or (probs is None) != (probs_gradient is None):
        raise ValueError(f"module {name}: probability targets need probs, probs_loss and probs_gradient together")
    parameters = tuple(parameters)
    for symbol, default, kind, _description in parameters:
        if not isinstance(symbol, sp.Symbol) or kind not in PARAMETER_RANGES:
            raise ValueError(f"module {name}: parameter {symbol!r}: a (Symbol, default, range, description) with "
                             f"range one of {', '.join(PARAMETER_RANGES)}")
    args = (("z", logits), ("c", target)) + tuple((symbol.name, symbol) for symbol, *_ in parameters)
    rendered = []
    for symbol, default, kind, description in parameters:
        valid, low, high, low_closed, high_closed, _, _ = PARAMETER_RANGES[kind]
        rendered.append({"name": symbol.name, "default": repr(float(default)), "valid": valid, "low": repr(low),
                         "high": repr(high), "low_closed": repr(low_closed), "high_closed": repr(high_closed),
                         "description": description})
    kernels = [Kernel("loss", args, (Output("loss", loss),)),
               Kernel("loss_and_grad", args, (Output("loss", loss), Output("grad", gradient, (index,))))]
    public_kernels = {"index": "loss_and_grad"}
    claims = {"loss": loss, "gradient": gradient}
    if probs is not None:
        probs_args = (("z", logits), ("y", probs)) + args[2:]
        kernels += [Kernel("loss_probs", probs_args, (Output("loss", probs_loss),)),
                    Kernel("loss_and_grad_probs", probs_args,
                           (Output("loss", probs_loss), Output("grad", probs_gradient, (index,))))]
        public_kernels["probs"] = "loss_and_grad_probs"
        claims.update(probs_loss=probs_loss, probs_gradient=probs_gradient)
    return Module(
        name=name,
        template="loss_of_logits.py.j2",
        summary=summary,
        kernels=tuple(kernels),
        options={
            "parameters": tuple(rendered),
            "probs": probs is not None,
            "claims": claims,
            "derivatives": (("loss", "grad", "gradient"),),
            "arguments": (logits, target),
            "keywords": {s.name: (PARAMETER_RANGES[kind][5], "scalar") for s, _, kind, _ in parameters},
            "public": {"kind": "classes", "kernels": public_kernels,
                       "keywords": {s.name: (s.name, "scalar", PARAMETER_RANGES[kind][6]) for s, _, kind, _ in parameters},
                       "defaults": {s.name: float(default) for s, default, _, _ in parameters},
                       "mean": {"index": "samples", "probs": "samples"}},
        },
    )


@dataclass(frozen=True)
class Derivation:
    """One derivation: symbols, definitions, claims, human steps, numeric domain, modules."""

    name: str
    title: str
    summary: str
    dimensions: Mapping[sp.Symbol, tuple[int, ...] | None]
    indices: Mapping[sp.Symbol, sp.Symbol]
    variables: tuple[Variable, ...]
    definitions: tuple[Definition, ...]
    claims: tuple[Claim, ...]
    chains: tuple[Chain, ...] = ()
    modules: tuple[Module, ...] = ()
    source: str = "<builtin>"
    # How documents group the claims: (heading, claim names) in order. Optional; a claim in no
    # group is shown under "Other claims". Only printing reads it.
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        _check_fields(self)
        _check_expressions(self)
        _check_declared(self)
        _check_displays(self)
        grouped = [n for _, names in self.groups for n in names]
        for n in grouped:
            self.claim(n)
        if len(grouped) != len(set(grouped)):
            raise ValueError(f"derivation {self.name}: a claim is in two groups: "
                             f"{sorted({n for n in grouped if grouped.count(n) > 1})}")
        names = [c.name for c in self.claims]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"derivation {self.name}: duplicate claim names {dupes}")
        for index, dim in self.indices.items():
            if dim not in self.dimensions:
                raise ValueError(f"derivation {self.name}: index {index} ranges over undeclared dimension {dim}")
        for var in self.variables:
            for index in var.indices:
                if index not in self.indices:
                    raise ValueError(f"derivation {self.name}: variable {var.symbol} uses undeclared index {index}")
        for module in self.modules:
            for kernel in module.kernels:
                for out in kernel.outputs:
                    self.claim(out.claim)
        for definition in self.definitions:
            if definition.stable is not None:
                stable = self.claim(definition.stable)
                if sp.simplify(stable.lhs - definition.lhs) != 0 and stable.lhs != definition.rhs:
                    raise ValueError(
                        f"derivation {self.name}: stable form {definition.stable!r} of {definition.lhs} must claim "
                        f"{definition.lhs} = <stable form>, not {stable.lhs} = ..."
                    )

    def claim(self, name: str) -> Claim:
        for c in self.claims:
            if c.name == name:
                return c
        raise KeyError(f"derivation {self.name} has no claim {name!r}; claims: {', '.join(c.name for c in self.claims)}")

    @property
    def assumptions(self) -> tuple[Assumption, ...]:
        """Every named assumption any claim or step of this derivation may use, in order."""
        seen: dict[str, Assumption] = {}
        for group in [c.assumptions for c in self.claims] + [s.assumptions for ch in self.chains for s in ch.steps]:
            for a in group:
                seen.setdefault(a.name, a)
        return tuple(seen.values())


def _what(x: object) -> str:
    text = repr(x)
    return f"a {type(x).__name__} ({text[:40] + '...' if len(text) > 40 else text})"


TEMPLATES_VARIABLE = "SYMXENT_TEMPLATES"


def template_directories() -> list[Path]:
    """A user's template folders (``--templates DIR``): ``SYMXENT_TEMPLATES``, separated by
    ``os.pathsep``. Read from the environment, as the prover's settings are, so that worker
    processes see them too."""
    return [Path(x) for x in os.environ.get(TEMPLATES_VARIABLE, "").split(os.pathsep) if x]


def templates() -> list[str]:
    """The names of the templates a :class:`Module` may use: ``symxent/templates/*.py.j2`` and
    those of :func:`template_directories` (names starting with ``_`` are parts of the others).
    A user's template never replaces a built-in one of the same name."""
    folder = importlib.resources.files("symxent.templates")
    names = {t.name for t in folder.iterdir()}
    for directory in template_directories():
        names |= {t.name for t in directory.glob("*.py.j2")} if directory.is_dir() else set()
    return sorted(n for n in names if n.endswith(".py.j2") and not n.startswith("_"))


def _check_fields(d: Derivation) -> None:
    """Every field has the type the later stages read, so a mistake in a user's file is reported
    when it is loaded, naming the derivation and the field, not as a traceback from a later
    stage (or a worker process). Expressions are checked by :func:`_check_expressions`."""
    name = d.name if isinstance(d.name, str) else repr(d.name)
    where = f"derivation {name}"

    def fail(field: str, message: str) -> None:
        raise ValueError(f"{where}, {field}: {message}")

    def tuple_of(value: object, kind: type, field: str, example: str) -> None:
        if not isinstance(value, (tuple, list)):
            fail(field, f"must be a tuple of {example}, got {_what(value)}")
        for n, item in enumerate(value, start=1):
            if not isinstance(item, kind):
                fail(field, f"item {n} is {_what(item)}, not {example}")

    if not isinstance(d.name, str) or not d.name.isidentifier():
        raise ValueError(f"derivation name {d.name!r}: must be a Python identifier (it names files and commands)")
    for field_name in ("title", "summary", "source"):
        if not isinstance(getattr(d, field_name), str):
            fail(field_name, f"must be a string, got {_what(getattr(d, field_name))}")
    if not isinstance(d.dimensions, Mapping):
        fail("dimensions", f"must map a size Symbol (K) to None or a tuple of fixed sizes, got {_what(d.dimensions)}")
    for dim, sizes in d.dimensions.items():
        if not isinstance(dim, sp.Symbol) or isinstance(dim, sp.Dummy):
            fail("dimensions", f"key {dim!r} is {_what(dim)}, not a Symbol such as symxent.symbols.K")
        if sizes is not None and (not isinstance(sizes, tuple) or not all(isinstance(v, int) and v >= 1 for v in sizes)):
            fail(f"dimensions[{dim}]", f"must be None (K = 2..Kmax and symbolic) or a tuple of sizes, got {_what(sizes)}")
    if not isinstance(d.indices, Mapping):
        fail("indices", f"must map each index Symbol to its dimension (symxent.symbols.CLASS_INDICES), got "
                        f"{_what(d.indices)}")
    for index, dim in d.indices.items():
        if not isinstance(index, sp.Symbol) or not isinstance(dim, sp.Symbol):
            fail("indices", f"{index!r}: {dim!r} must map an index Symbol to a dimension Symbol")
    tuple_of(d.variables, Variable, "variables", "Variable(symbol, domain, description, indices)")
    for var in d.variables:
        if not isinstance(var.symbol, (sp.IndexedBase, sp.Symbol)):
            fail(f"variable {var.symbol!r}", f"symbol is {_what(var.symbol)}, not an IndexedBase or a Symbol")
        if not isinstance(var.indices, tuple) or not all(isinstance(i, sp.Symbol) for i in var.indices):
            fail(f"variable {var.symbol}", f"indices must be a tuple of index Symbols, got {_what(var.indices)}")
        if isinstance(var.symbol, sp.IndexedBase) != bool(var.indices):
            fail(f"variable {var.symbol}", "an IndexedBase needs its indices (indices=(k,)), a plain Symbol none")
        if not isinstance(var.description, str):
            fail(f"variable {var.symbol}", f"description must be a string, got {_what(var.description)}")
    tuple_of(d.definitions, Definition, "definitions", "Definition(lhs, rhs, description)")
    for definition in d.definitions:
        if not isinstance(definition.description, str):
            fail(f"definition of {definition.lhs}", f"description must be a string, got {_what(definition.description)}")
    tuple_of(d.claims, Claim, "claims", "Claim(name, statement, lhs, rhs)")
    for c in d.claims:
        if not isinstance(c.name, str) or not c.name.isidentifier():
            fail("claims", f"claim name {c.name!r} must be a Python identifier")
        if not isinstance(c.statement, str):
            fail(f"claim {c.name}", f"statement must be a string, got {_what(c.statement)}")
        if not isinstance(c.general_k, bool):
            fail(f"claim {c.name}", f"general_k must be True or False, got {_what(c.general_k)}")
    tuple_of(d.chains, Chain, "chains", "Chain(title, label, steps)")
    for chain in d.chains:
        for n, step in enumerate(chain.steps if isinstance(chain.steps, (tuple, list)) else (), start=1):
            if isinstance(step, Step) and not isinstance(step.reason, str):
                fail(f"chain {chain.title!r}: step {n}", f"the reason (second field of Step(expr, reason)) is "
                                                          f"{_what(step.reason)}, not a string")
    tuple_of(d.modules, Module, "modules", "Module(name, template, summary, kernels)")
    known_templates = templates()
    claims = {c.name: c for c in d.claims if isinstance(c, Claim)}
    declared = {v.symbol for v in d.variables} | set(d.indices)
    for module in d.modules:
        field = f"module {module.name!r}"
        if not isinstance(module.name, str) or not module.name.isidentifier():
            fail("modules", f"module name {module.name!r} must be a Python identifier (it is the file name)")
        if module.template not in known_templates:
            fail(field, f"template {module.template!r} does not exist; templates: {', '.join(known_templates)} "
                        "(your own: --templates DIR)")
        if not isinstance(module.summary, str):
            fail(field, f"summary must be a string, got {_what(module.summary)}")
        if not isinstance(module.options, Mapping):
            fail(field, f"options must be a dict, got {_what(module.options)}")
        tuple_of(module.kernels, Kernel, f"{field}: kernels", "Kernel(name, args, outputs)")
        for kernel in module.kernels:
            kfield = f"{field}, kernel {kernel.name!r}"
            if not isinstance(kernel.name, str) or not kernel.name.isidentifier():
                fail(field, f"kernel name {kernel.name!r} must be a Python identifier")
            if not isinstance(kernel.args, (tuple, list)):
                fail(kfield, f"args must be a tuple of (name, symbol) pairs, got {_what(kernel.args)}")
            for arg in kernel.args:
                if not (isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], str) and arg[0].isidentifier()):
                    fail(kfield, f"argument {arg!r} must be a pair (name, symbol) such as ('z', z)")
                if arg[1] not in declared:
                    fail(kfield, f"argument {arg[0]!r} binds {_what(arg[1])}, which is not a Variable or an index "
                                 f"of the derivation")
            tuple_of(kernel.outputs, Output, f"{kfield}: outputs", "Output(name, claim, indices)")
            for out in kernel.outputs:
                if out.claim not in claims:
                    fail(f"{kfield}, output {out.name!r}", f"claim {out.claim!r} does not exist; claims: "
                                                           f"{', '.join(claims)}")
                if not isinstance(out.indices, tuple) or not all(i in d.indices for i in out.indices):
                    fail(f"{kfield}, output {out.name!r}", f"indices must be a tuple of declared indices (j,), got "
                                                           f"{_what(out.indices)}")
            if not isinstance(kernel.numbers, tuple) or not all(isinstance(x, str) for x in kernel.numbers):
                fail(kfield, f"numbers must be a tuple of argument names, got {_what(kernel.numbers)}")
            arrays = {sym for _, sym in kernel.args if isinstance(sym, sp.IndexedBase)}
            if not isinstance(kernel.argmax, tuple) or not all(
                    isinstance(x, tuple) and len(x) == 2 and x[0] in d.indices and x[1] in arrays
                    for x in kernel.argmax):
                fail(kfield, f"argmax must be a tuple of (index, array argument) pairs such as ((m, z),), "
                             f"got {_what(kernel.argmax)}")


def _check_expressions(d: Derivation) -> None:
    """Every field that the prover reads is a SymPy expression (not a string, not a tuple in
    the wrong place), so a mistake fails here with its name, not deep inside SymPy."""
    where = f"derivation {d.name}"

    def expr(x: object, what: str) -> None:
        if not isinstance(x, sp.Basic):
            raise ValueError(f"{where}, {what} is {_what(x)}, not a SymPy expression")

    def assumptions(group: object, what: str) -> None:
        if not isinstance(group, (tuple, list)) or not all(isinstance(a, Assumption) for a in group):
            raise ValueError(f"{where}, {what}: assumptions must be a tuple of Assumption, got {_what(group)}")
        for a in group:
            expr(a.lhs, f"{what}: assumption {a.name!r} lhs")
            expr(a.rhs, f"{what}: assumption {a.name!r} rhs")

    for name, group in (("claims", d.claims), ("definitions", d.definitions), ("chains", d.chains),
                        ("variables", d.variables)):
        if not isinstance(group, (tuple, list)):
            raise ValueError(f"{where}: {name} must be a tuple, got {_what(group)}")
    for c in d.claims:
        if not isinstance(c, Claim):
            raise ValueError(f"{where}: claims holds {_what(c)}, not a Claim")
        for side in ("lhs", "rhs"):
            expr(getattr(c, side), f"claim {c.name}: {side}")
        if c.certificate is not None:
            expr(c.certificate, f"claim {c.name}: certificate")
        assumptions(c.assumptions, f"claim {c.name}")
    for definition in d.definitions:
        if not isinstance(definition, Definition):
            raise ValueError(f"{where}: definitions holds {_what(definition)}, not a Definition")
        expr(definition.lhs, f"definition {definition.description!r}: lhs")
        expr(definition.rhs, f"definition of {definition.lhs}: rhs")
    for chain in d.chains:
        if not isinstance(chain, Chain):
            raise ValueError(f"{where}: chains holds {_what(chain)}, not a Chain")
        title = chain.title if isinstance(chain.title, str) else repr(chain.title)
        if not isinstance(chain.title, str):
            raise ValueError(f"{where}, chain {title}: the title (first field of Chain(title, label, steps)) is "
                             f"{_what(chain.title)}, not a string")
        expr(chain.label, f"chain {title!r}: the label (second field of Chain(title, label, steps))")
        if not isinstance(chain.steps, (tuple, list)):
            raise ValueError(f"{where}, chain {title!r}: steps (third field of Chain(title, label, steps)) must be a "
                             f"tuple of Step, got {_what(chain.steps)}")
        for n, step in enumerate(chain.steps, start=1):
            if not isinstance(step, Step):
                raise ValueError(f"{where}, chain {title!r}: step {n} is {_what(step)}, not a Step(expr, reason)")
            expr(step.expr, f"chain {title!r}: step {n}")
            assumptions(step.assumptions, f"chain {title!r}: step {n}")


def evaluated(expr: sp.Basic) -> sp.Basic:
    """``expr`` rebuilt bottom-up with SymPy's evaluation: an expression written with
    ``evaluate=False`` becomes the canonical one it stands for (sums and derivatives stay
    unevaluated: only the construction is redone, nothing is computed)."""
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase, sp.Symbol)):
        return expr
    return expr.func(*[evaluated(a) for a in expr.args])


def _check_displays(d: Derivation) -> None:
    """A display form is the same expression as the one proven, only written in another order:
    a document must never print something other than what was checked."""
    pairs: list[tuple[str, sp.Basic, sp.Basic | None]] = [
        (f"definition of {x.lhs}", x.rhs, x.display) for x in d.definitions]
    pairs += [(f"claim {c.name}", c.rhs, c.display) for c in d.claims]
    pairs += [(f"chain {ch.title!r}: step {n}", st.expr, st.display)
              for ch in d.chains for n, st in enumerate(ch.steps, start=1)]
    for what, expr, display in pairs:
        if display is None:
            continue
        if not isinstance(display, sp.Basic):
            raise ValueError(f"derivation {d.name}, {what}: display is {_what(display)}, not a SymPy expression")
        if evaluated(display) != evaluated(expr):
            raise ValueError(f"derivation {d.name}, {what}: the display form {display} is not the expression "
                             f"{expr} written in another order")


def _params(lhs: sp.Basic) -> set[sp.Basic]:
    """What a definition's left side binds in its body: p[i] binds i, sigma(u) binds u."""
    if isinstance(lhs, sp.Indexed):
        return {i for i in lhs.indices if isinstance(i, sp.Symbol)}
    if isinstance(lhs, sp.core.function.AppliedUndef):
        return {a for a in lhs.args if isinstance(a, sp.Symbol)}
    return set()


def _undeclared(e: sp.Basic, declared: frozenset[sp.Basic], bound: frozenset[sp.Basic]) -> list[sp.Basic]:
    if isinstance(e, sp.Dummy):
        return []  # made by SymPy, never by a derivation's author
    if isinstance(e, (sp.Symbol, sp.IndexedBase)):
        return [] if e in declared or e in bound else [e]
    if isinstance(e, sp.Indexed):
        out = [] if e.base in declared else [e.base]
        return out + [x for i in e.indices for x in _undeclared(i, declared, bound)]
    if isinstance(e, (sp.Sum, sp.Product)):
        inner = bound | {lim[0] for lim in e.limits}
        return _undeclared(e.function, declared, inner) + [
            x for lim in e.limits for edge in lim[1:] for x in _undeclared(edge, declared, bound)]
    if isinstance(e, sp.Limit):
        expr, var, point = e.args[:3]
        return _undeclared(expr, declared, bound | {var}) + _undeclared(point, declared, bound)
    if isinstance(e, sp.Lambda):
        return _undeclared(e.expr, declared, bound | set(e.variables))
    out = []
    if isinstance(e, sp.core.function.AppliedUndef) and e.func not in declared:
        out.append(e.func)
    inner = bound | set(getattr(e, "bound_symbols", ()))  # Subs, and symxent.derive.At
    for a in e.args:
        out += _undeclared(a, declared, inner)
    return out


def _check_declared(d: Derivation) -> None:
    """Every symbol a claim, definition, assumption or step uses is declared (see the contract)."""
    declared = frozenset({v.symbol for v in d.variables} | {x.base for x in d.definitions}
                         | set(d.dimensions) | set(d.indices))
    items: list[tuple[str, sp.Basic, frozenset[sp.Basic]]] = []
    for definition in d.definitions:
        items.append((f"definition of {definition.lhs}", definition.rhs, frozenset(_params(definition.lhs))))
    for c in d.claims:
        exprs = [c.lhs, c.rhs] + ([c.certificate] if c.certificate is not None else [])
        exprs += [x for a in c.assumptions for x in (a.lhs, a.rhs)]
        items += [(f"claim {c.name}", x, frozenset()) for x in exprs]
    for chain in d.chains:
        items.append((f"chain {chain.title!r}: label", chain.label, frozenset()))
        for n, step in enumerate(chain.steps, start=1):
            exprs = [step.expr] + [x for a in step.assumptions for x in (a.lhs, a.rhs)]
            items += [(f"chain {chain.title!r}: step {n}", x, frozenset()) for x in exprs]
    for what, e, bound in items:
        missing = sorted({str(s) for s in _undeclared(e, declared, bound)})
        if missing:
            raise ValueError(
                f"derivation {d.name}, {what}: undeclared symbol{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (declare it as a Variable with its domain, a Definition, a dimension "
                f"or an index; nothing is assumed about an undeclared symbol)")


class UnknownDerivation(KeyError):
    """Raised for a name the registry does not hold; the message lists the known names."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class LoadError:
    """A derivation file that could not be loaded, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class Registry(Mapping[str, Derivation]):
    """Name -> Derivation, in registration order. Duplicate names raise."""

    def __init__(self, derivations: Iterable[Derivation] = ()) -> None:
        self._items: dict[str, Derivation] = {}
        self.errors: list[LoadError] = []
        for d in derivations:
            self.register(d)

    def register(self, derivation: Derivation) -> Derivation:
        if not isinstance(derivation, Derivation):
            raise TypeError(f"expected a Derivation, got {type(derivation).__name__}")
        if derivation.name in self._items:
            other = self._items[derivation.name]
            raise ValueError(
                f"duplicate derivation name {derivation.name!r} (from {derivation.source}; already registered from {other.source})"
            )
        self._items[derivation.name] = derivation
        return derivation

    def __getitem__(self, name: str) -> Derivation:
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(self._items) or "(none)"
            raise UnknownDerivation(f"unknown derivation {name!r}; known: {known}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def select(self, names: Sequence[str]) -> list[Derivation]:
        """The named derivations (all of them for an empty selection), unknown names raising."""
        return [self[n] for n in names] if names else list(self._items.values())


def builtin_directory() -> Path:
    """The directory of the built-in derivations (the repository's derivations/ folder).

    Imported from a source checkout (``python -m pytest`` at the repository root, or
    ``PYTHONPATH`` pointing at a checkout), it is that checkout's derivations/, beside the
    ``symxent`` package actually imported, even when another checkout is installed in
    editable mode: the derivations and the code that reads them must be the same version.
    Installed, it is the subpackage ``symxent.derivations`` (mapped from derivations/ by
    pyproject.toml).
    """
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "derivations" / "__init__.py").is_file():
        return checkout / "derivations"
    return Path(str(importlib.resources.files("symxent.derivations")))


def _load_file(path: Path) -> list[Derivation]:
    module_name = f"symxent_user_derivations.{path.stem}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError("not a loadable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        # Whatever the file prints at import is the user's, not ours: keep it out of
        # standard output, where `verify --json` writes its report.
        with contextlib.redirect_stdout(sys.stderr):
            spec.loader.exec_module(module)
    except SystemExit as exc:
        del sys.modules[module_name]
        raise ImportError(f"the file called sys.exit({exc.code!r}) while being imported") from None
    except BaseException:
        del sys.modules[module_name]
        raise
    found = getattr(module, "DERIVATIONS", None)
    if found is None:
        raise ValueError("defines no DERIVATIONS (a sequence of symxent.registry.Derivation)")
    found = list(found)
    for d in found:
        if not isinstance(d, Derivation):
            raise TypeError(f"DERIVATIONS holds a {type(d).__name__}, not a Derivation")
    return found


def load_directory(directory: str | Path, registry: Registry | None = None) -> Registry:
    """Load every derivation file of ``directory`` into ``registry`` (a new one by default).

    Files are read in sorted order so the registry's order is reproducible. Failures are
    collected in ``registry.errors``; they never stop the other files from loading.
    """
    registry = Registry() if registry is None else registry
    directory = Path(directory)
    if not directory.is_dir():
        registry.errors.append(LoadError(str(directory), "not a directory"))
        return registry
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            derivations = _load_file(path)
        except Exception as exc:  # a user's file may raise anything; report it, keep going
            frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
            lines = [f.lineno for f in frames if f.filename == str(path)]
            where = f" (line {lines[-1]})" if lines else ""
            message = " ".join(str(exc).split())  # one line, whatever the exception's text
            registry.errors.append(LoadError(str(path), f"{type(exc).__name__}: {message}{where}"))
            continue
        for d in derivations:
            try:
                registry.register(_with_source(d, str(path)))
            except ValueError as exc:
                registry.errors.append(LoadError(str(path), str(exc)))
    return registry


def _with_source(d: Derivation, source: str) -> Derivation:
    from dataclasses import replace

    return d if d.source != "<builtin>" else replace(d, source=source)


def load_registry(extra_directories: Sequence[str | Path] = ()) -> Registry:
    """The built-in derivations, then those of each extra directory."""
    registry = load_directory(builtin_directory())
    for directory in extra_directories:
        load_directory(directory, registry)
    return registry
