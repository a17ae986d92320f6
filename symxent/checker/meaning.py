"""Stage 4b of ``symxent check``: what the names of a note mean, and SymPy values of its members.

Contract
--------
A :class:`SymbolTable` holds the note's :class:`Definition` s (from math, prose and
``--define``), each visible from its position to the end of its section (a later section may
redefine a name), the names the note *declares* (``$z \\in \\mathbb{R}^K$``, "let $x$ be the
input"), and the facts it states (``\\sum_k y_k = 1``, "one-hot").  An :class:`Evaluator`
turns an expression tree (:mod:`symxent.checker.syntax`) into a SymPy expression at concrete
index values: sums expanded, definitions unfolded, derivatives taken (a derivative with respect
to a defined quantity treats it as independent, as the chain rule is written by hand), and
records every convention it relied on ("σ is the logistic sigmoid") and every leaf it met, with
whether the note gave that leaf a meaning.  Vectors and matrices written as wholes (``diag(s) -
s^T s``, a written-out Jacobian, ``∂a/∂z`` of two vectors, ``∇_s H J``) are read entry by entry:
the environment names the entry asked for, and products follow the shapes (a vector is a
column unless the note says its vectors are rows); a product whose shapes do not say which
product it is raises :class:`NotCheckable`.  Whatever it cannot read raises
:class:`NotCheckable` with the reason; a sum or power too large to expand raises it too.
Nothing is guessed: an undefined name stays a leaf marked undefined, and the verdict stage
decides what may be concluded from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
import re

import sympy

from symxent.checker.syntax import (
    Add, BigOp, Call, Cases, Cond, Deriv, Ellipsis_, Expect, Fn, Frac, Grad, Integral, Matrix, Mul, Name, Neg, Node, Num,
    Paren, Pow, Script, Unclosed, Unreadable, entry_condition,
)

__all__ = ["CaseOnAValue", "Definition", "Evaluator", "Leaf", "NotCheckable", "SymbolTable", "SAMPLE_SIZE_NAMES",
           "CLASS_SIZE", "SAMPLE_SIZE"]

CLASS_SIZE = 3       # classes at which a per-class statement is instantiated
SAMPLE_SIZE = 2      # samples: different from CLASS_SIZE so 1/N and 1/K are told apart
SAMPLE_SIZE_NAMES = {"N", "m", "M", "B", "n_samples"}
MAX_TERMS = 400      # terms one sum may expand to
INDICATORS = {"\\mathbb{1}", "1", "I", "\\mathbb{I}", "\\mathbf{1}", "\\mathbb{1}"}
# The conventional independent quantities: a name of this table that the note never defines is
# taken as a free real variable (logits, inputs, weights, targets), the others stay undefined.
CONVENTIONAL_INPUTS = {"z", "x", "w", "b", "W", "X", "Z", "\\theta", "\\Theta", "y", "t", "Y"}
CONVENTIONAL_TARGETS = {"y", "t", "Y"}


def conventional_input(key: str) -> bool:
    """An input by convention when the note never defines it: z, x, w, b, W, θ, ..., and a layer's
    (w^{[2]}, b^{[l]}: the weights of a layer are weights)."""
    return key in CONVENTIONAL_INPUTS or ("^{" in key and key.split("^{", 1)[0] in CONVENTIONAL_INPUTS)


# What a step whose derivative needs a name's dependence says; verdict.judge then tries that name
# as any function of its variable (the one place that reads these words back)
UNKNOWN_DEPENDENCE = "is never defined here, so how it depends on"
INDEX_ALONE = "is defined by its index alone"


_ORDER = {"<": sympy.StrictLessThan, ">": sympy.StrictGreaterThan, "<=": sympy.LessThan, ">=": sympy.GreaterThan}


class NotCheckable(Exception):
    """Read, but outside what can be checked; the message says why and what would help."""


class UnknownDependence(NotCheckable):
    """A name the note never defines, met inside a derivative: how it depends on the variable is
    unknown. ``key`` and ``wrt`` (the variable's node, or None for several) let the judge try it
    as an arbitrary function of that variable."""

    def __init__(self, message: str, key: str, wrt: Node | None):
        super().__init__(message)
        self.key, self.wrt = key, wrt


class CaseOnAValue(NotCheckable):
    """A definition's case on the value of a name that varies in the step (``V(a, y) = a`` if ``y = 1``,
    used as ``V(g(x), y)``): ``key`` and ``value`` let the judge take the step at each value."""

    def __init__(self, message: str, key: str, value: int):
        super().__init__(message)
        self.key, self.value = key, value


class ShapeMismatch(NotCheckable):
    """A vector or matrix met where one value (or a vector) is expected: what raised it is not a
    number, so it may never be taken as one."""


@dataclass(frozen=True)
class Definition:
    key: str
    indices: tuple[str, ...]        # index letters of the left side: \hat y_j -> ("j",)
    params: tuple[Node, ...]        # J(w_1, w_2, b) -> three parameters
    body: Node
    line: int
    order: int                      # position in the note; visible to later positions
    scope: tuple[int, ...]          # the section path it was made in
    source: str = "math"            # "math", "prose", "where", "--define", "restated", "example" (a value at a point)
    sample: str | None = None       # x^{(i)} = ...: the sample letter
    # J(w, b) = -1/m Σ ... with w, b only inside other names: J is a value, and J(w, b) names it
    written_args: tuple[Node, ...] = ()
    reading: str = ""               # how the body was read, listed among the step's "uses"


@dataclass(frozen=True)
class Leaf:
    key: str
    index: tuple[int, ...]
    sample: int | None


@dataclass
class SymbolTable:
    definitions: list[Definition] = field(default_factory=list)
    declared: dict[str, tuple[int, str]] = field(default_factory=dict)   # key -> (line, words)
    components: dict[str, int] = field(default_factory=dict)  # q = [q_1, q_2]^T: key -> entries written
    layered: set[str] = field(default_factory=set)  # a, written a^1 somewhere: its numbered superscripts
    matrices: dict[str, int] = field(default_factory=dict)              # J ∈ R^{K×K}: key -> line
    targets: dict[str, int] = field(default_factory=dict)               # key -> line where said
    simplex: dict[str, tuple[int, str]] = field(default_factory=dict)   # key -> (line, how stated)
    indexed: set[str] = field(default_factory=set)                      # keys used with a class index
    called: set[str] = field(default_factory=set)                       # keys used as f(x)
    plain: set[str] = field(default_factory=set)                        # keys used without a call
    dims: dict[str, str] = field(default_factory=dict)                  # key -> size name of its index
    slot_dims: dict[tuple[str, int], str] = field(default_factory=dict)  # (key, index slot) -> size name
    sizes: dict[str, int] = field(default_factory=dict)                 # size name -> value
    class_size: int = CLASS_SIZE
    size_names: set[str] = field(default_factory=set)                   # names used as a sum's bound
    listed_sizes: dict[str, int] = field(default_factory=dict)  # m -> 3: the entries vectors it counts are written with
    in_interval: set[str] = field(default_factory=set)                  # p \in (0, 1): declared in an interval
    sampled: set[str] = field(default_factory=set)                      # keys used with ^{(i)}
    dependent: dict[str, set[tuple[int, ...]]] = field(default_factory=dict)  # keys the note differentiates -> where
    indexed_in: dict[str, set[tuple[int, ...]]] = field(default_factory=dict)  # key -> sections using an index
    # y -> [(order, scope)]: prose calling it a target there ("the labels $y$")
    declared_in: dict[str, list[tuple[int, tuple[int, ...]]]] = field(default_factory=dict)
    arity: dict[str, int] = field(default_factory=dict)                 # key -> most indices it is used with
    arity_in: dict[str, dict[tuple[int, ...], int]] = field(default_factory=dict)  # key -> section -> most indices
    differentiated_by: dict[str, set] = field(default_factory=dict)     # key -> {(variable, indexed)}
    one_hot: dict[str, tuple[str, int]] = field(default_factory=dict)   # y -> (letter i, line): "y_i = 1"
    about_softmax: bool = False                                         # the note speaks of softmax
    aliases: dict[str, tuple[str, int]] = field(default_factory=dict)   # sigma -> ("softmax", line): said in prose
    speaks_of_true_class: int = 0                                       # line where the prose names "the true class"
    row_vectors: int = 0                                                # line where the prose says vectors are rows
    cases: list[tuple[Cond, int]] = field(default_factory=list)         # "when i ≠ j", headings: (case, line)
    in_sentence: set[int] = field(default_factory=set)                  # orders of math blocks inside a sentence
    sample_subscript: dict[str, int] = field(default_factory=dict)      # x -> line: x_i is sample i (w^T x_i)
    zero_based: set[str] = field(default_factory=set)                   # sizes N summed as 0..N-1
    chapters: bool = False                                              # the note has level-1 headings
    generic_letters: set[str] = field(default_factory=set)              # letters a sum runs over somewhere
    written_entries: set[tuple[str, tuple[int, ...]]] = field(default_factory=set)  # x_0, z_2: entries written out
    heads: set[str] = field(default_factory=set)                        # keys some chain opens with "key ="
    # k -> [(z, line, order, scope)]: "z_k = max z" says which entry k is, from there in its sections
    picked: dict[str, list[tuple[str, int, int, tuple[int, ...]]]] = field(default_factory=dict)
    hot_letters: set[str] = field(default_factory=set)  # "$j$ is the index of the element that is hot"
    letters_in_words: dict[str, list[int]] = field(default_factory=dict)  # letter -> orders of "$z$" in prose
    # y -> [(line, values, order, scope)]: "y_i \in \{-1, +1\}", values other than the 0/1 of targets
    value_sets: dict[str, list[tuple[int, tuple[int, ...], int, tuple[int, ...]]]] = field(default_factory=dict)
    # y \in \{0, 1\}, "$y$ (0 or 1)": labels that take only these values: key -> [(line, order, scope)]
    binary: dict[str, list[tuple[int, int, tuple[int, ...]]]] = field(default_factory=dict)
    marked_indices: dict[str, str] = field(default_factory=dict)  # r -> "k'", "j*": a marked index read as a spare letter
    stated: set[str] = field(default_factory=set)  # D_KL, H: information functions some chain opened with (so far)
    # D_KL -> (its two sides, line): a first statement that differs from the usual meaning (check.py)
    own_statements: dict[str, tuple[Node, Node, int]] = field(default_factory=dict)
    some_value: dict[str, int] = field(default_factory=dict)  # ε of "there exists $ε \in (0, 1)$" -> its line
    logged: set[str] = field(default_factory=set)  # keys written inside a log somewhere (log ŷ, log(1 - ŷ))
    # z -> [(order, scope)]: "z = [z_1, ..., z_n]" lists its entries there, a vector of its own from then
    listed_anew: dict[str, list[tuple[int, tuple[int, ...]]]] = field(default_factory=dict)
    einstein: int | None = None  # the line whose words say repeated indices are summed (Einstein's convention)
    # block order -> the cases on a value it is under ("For $y = 0$:" before it): (name, value)
    block_cases: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def lookup(self, key: str, order: int, scope: tuple[int, ...], arity: int | None = None) -> Definition | None:
        """The definition of ``key`` seen at ``order`` in ``scope``; with ``arity``, only a function's
        of that many arguments (H(p) beside H(p, q): two functions by one letter)."""
        best = None
        for d in self.definitions:
            if arity is not None and len(d.params) != arity:
                continue
            # from where it is made to the end of the section that holds its section (so a
            # definition in one section is seen by the next), unless redefined since
            if d.key == key and d.order <= order and scope[:max(0, len(d.scope) - 1)] == d.scope[:-1] \
                    and not self._declared_since(d, order, scope):
                if best is None or d.order >= best.order:
                    best = d
        whole = key.split("[", 1)[0]
        if best is None and ("[" not in key or not any(d.key == whole for d in self.definitions)):
            # (one entry's own value, p_1 = ... in a binary aside, holds in its sections only, where
            # the note defines p as a whole too; a worked network's o_1 = w_5 a_1 + w_6 a_2, its
            # entries the only definitions of o, holds on as the rest of its setup does)
            # "### Loss function" under "## The model", used under "## Gradient": a note's setup
            # holds on until the note says otherwise, so the latest earlier definition of the
            # same chapter (a level-1 heading starts a new one: a card, a chapter)
            for d in self.definitions:
                if arity is not None and len(d.params) != arity:
                    continue
                if d.key == key and d.order <= order and (best is None or d.order >= best.order) \
                        and (not self.chapters or d.scope[:1] == scope[:1]) \
                        and not self._listed_since(d, order, scope) and not self._declared_since(d, order, scope):
                    best = d
        return best

    def depends(self, key: str, scope: tuple[int, ...]) -> bool:
        """Whether the note differentiates ``key`` in ``scope``, a section around it or one inside
        it (dy/dx under "## Chain rule" says nothing of the targets y under "## Cross entropy")."""
        return any(where[:len(scope)] == scope[:len(where)] for where in self.dependent.get(key, ()))

    def _declared_since(self, d: Definition, order: int, scope: tuple[int, ...]) -> bool:
        """Whether the prose of another section, after ``d`` and before ``order`` and seen from
        ``scope``, names ``d.key`` a target: ``y = f(u)`` under "## Chain rule", then
        "the true values $y_i$" under "## Cross entropy" (the note's new y, not a value of f)."""
        return any(d.order < at <= order and where != d.scope and self._reaches(where, scope)
                   for at, where in self.declared_in.get(d.key, ()))

    def _listed_since(self, d: Definition, order: int, scope: tuple[int, ...]) -> bool:
        """Whether the note listed ``d.key``'s entries afresh after ``d`` and before ``order``, where
        ``scope`` sees it: z = θ · x under "## Sigmoid", then "z = [z_1, ..., z_n]" under "## Softmax"
        (the setup a section carries on ends where another says what z is)."""
        return any(d.order < at <= order and scope[:max(0, len(where) - 1)] == where[:-1]
                   for at, where in self.listed_anew.get(d.key, ()))

    def _reaches(self, where: tuple[int, ...], scope: tuple[int, ...]) -> bool:
        """Whether what section ``where`` writes is seen in section ``scope``: the reach of a
        definition made there (its section's parent and everything in it), or a section inside it."""
        if self.chapters and where[:1] != scope[:1]:
            return False  # (a level-1 heading starts a new chapter, as for definitions)
        n = min(len(where), len(scope))
        if where[:n] == scope[:n] or scope[:max(0, len(where) - 1)] == where[:-1]:
            return True
        # "### Step 3" writes b_k, "## Summary" of the same chapter writes b: the same vector (as a
        # definition's setup holds on to the end of its chapter)
        return self.chapters and where < scope

    def is_vector(self, key: str, scope: tuple[int, ...]) -> bool:
        """Used with a class index where a definition made there would be seen, or in a section
        inside this one."""
        if any(self._reaches(where, scope) for where in self.indexed_in.get(key, ())):
            return True
        return any(d.key == key and d.indices for d in self.definitions)

    def arity_at(self, key: str, scope: tuple[int, ...]) -> int | None:
        """The most indices ``key`` is written with in the step's own section (and those inside it);
        where it indexes none, in the sections seen from ``scope`` (as for is_vector); where none of
        them does either, anywhere in the note. θ_j in "## Sigmoid" and θ_{ij} in "## Softmax": a
        vector in the first section, a matrix in the second; z_{j,i} (sample j, class i) in a batch
        update under "### Learning" leaves z_i under "### Derivations" one entry."""
        written = self.arity_in.get(key, {})
        own = [n for where, n in written.items() if where[:len(scope)] == scope]
        if own:
            return max(own)
        near = [n for where, n in written.items() if self._reaches(where, scope)]
        return max(near) if near else self.arity.get(key)

    def size(self, name: str) -> int:
        if name in self.sizes:
            return self.sizes[name]
        return SAMPLE_SIZE if name in SAMPLE_SIZE_NAMES else self.class_size


def pretty(key: str) -> str:
    """A name key as LaTeX for messages: "hat y" -> \\hat{y}."""
    if " " in key:
        accent, base = key.split(" ", 1)
        if accent == "whole":
            return base  # L of L = Σ_i L_i (see scope._totals): the letter as written
        return f"\\{accent}{{{base}}}"
    return key


def _key(node: Node) -> str | None:
    if isinstance(node, Name):
        return node.key
    if isinstance(node, Script) and isinstance(node.base, Name):
        labels = [label_text(n) for n in node.sub if is_label(n)]
        return node.base.key + ("_" + "".join(labels) if labels else "")
    return None


INFORMATION = {"entropy": ("H", "H(p) = -Σ_c p_c log p_c (the entropy)"),
               "cross": ("H", "H(p, q) = -Σ_c p_c log q_c (the cross-entropy)"),
               "kl": ("D_KL", "D_KL(p || q) = Σ_c p_c log(p_c / q_c) (the relative entropy)")}
_DISTRIBUTIONS = ("p", "q", "P", "Q")


def information_call(node: Call) -> str | None:
    """``H(p)``, ``H(p, q)``, ``KL(p || q)``, ``D_{KL}(P || Q)``: which quantity of information, by the
    conventional names (H only of p, q, P, Q, so a Hessian H(w) is never an entropy)."""
    key = _key(node.func) if isinstance(node.func, (Name, Script)) else None
    if node.sub or not node.args:
        return None
    if key in ("KL", "D_KL") and len(node.args) == 2:
        return "kl"
    if key == "H" and len(node.args) <= 2 and all(isinstance(a, Name) and a.key in _DISTRIBUTIONS for a in node.args):
        return "entropy" if len(node.args) == 1 else "cross"
    return None


def is_label(n: Node) -> bool:
    """A subscript that is part of a name (``y_{true}``, ``L_{CE}``, ``h_\\theta``, ``net_{h1}``: a unit
    named by a letter and its number, which the syntax stage reads as h times 1), not an index."""
    if isinstance(n, Mul) and len(n.factors) == 2 and isinstance(n.factors[0], Name) \
            and len(n.factors[0].base) == 1 and isinstance(n.factors[1], Num) and n.factors[1].value.isdigit():
        return True
    if not isinstance(n, Name):
        return False
    if n.base.startswith("\\"):
        return n.base not in ("\\ell",)  # h_\theta, \nabla_\theta: a Greek subscript names a parameter
    return len(n.base) > 2 or (len(n.base) == 2 and n.base.isupper())


def label_text(n: Node) -> str:
    """How a label subscript is written (``CE``, ``h1``)."""
    if isinstance(n, Mul):
        return "".join(label_text(f) for f in n.factors)
    return n.base if isinstance(n, Name) else n.value if isinstance(n, Num) else ""


INFORMATION_UNITS = frozenset({"bit", "bits", "nat", "nats", "ban", "bans", "shannon", "shannons"})
# Functions whose argument in braces (\log{a + b}) prints without brackets
BRACED_FUNCTIONS = ("log", "log10", "exp", "sin", "cos", "tan", "tanh", "max", "min")
# Notation that prints so that it reads two ways: name -> (the reading taken, as a verdict's
# "uses" says it; the other one, which a WRONG is tried again under: see verdict.judge)
READINGS = {
    "braces": ("\\log{a + b} (braces, printed without brackets) as log(a + b)",
               "\\log{a + b} read as printed (log a + b: braces print no brackets)"),
    "reach": ("\\log a b (no brackets) as (\\log a) b", "\\log a b (no brackets) as \\log(a b)"),
    "power": ("\\log (a)^b as (\\log a)^b", "\\log (a)^b as \\log(a^b)"),
    "sum": ("\\sum_i a_i + b_i as (\\sum_i a_i) + b_i", "\\sum_i a_i + b_i as \\sum_i (a_i + b_i)"),
    "sum braces": ("\\sum_k{a_k - b} (braces, printed without brackets) as \\sum_k (a_k - b)",
                   "\\sum_k{a_k - b} read as printed: (\\sum_k a_k) - b"),
    "ce": ("CE(p, q) as -Σ_c p_c log q_c", "CE(p, q) as -Σ_c q_c log p_c"),
    "prod": ("\\prod_i a_i b (b without i) as \\prod_i (a_i b)", "\\prod_i a_i b (b without i) as (\\prod_i a_i) b"),
}


class Evaluator:
    """SymPy values of expression trees at concrete indices, within one step's view of the note."""

    def __init__(self, table: SymbolTable, order: int, scope: tuple[int, ...]):
        self.table = table
        self.order = order
        self.scope = scope
        self.conventions: dict[str, str] = {}   # what was assumed by convention -> wording
        self.leaves: dict[sympy.Symbol, Leaf] = {}
        self.free: dict[str, str] = {}           # free index letter -> size name (found in a dry run)
        self.dry = False
        # keys met with an index letter ((key, letter)), and met whole, taken entry by entry: ŷ_i in
        # J's definition and ŷ in the step, with i free, are the same entry only by a guess
        self.by_letter: set[tuple[str, str]] = set()
        self.whole_entry: set[str] = set()
        self.zero_by_letters: str | None = None  # a derivative 0 only by the letters written (dσ/du)
        self.keep: frozenset[str] = frozenset()
        self._active: list[str] = []
        self.terms = 0
        self.kept_values: dict[sympy.Symbol, sympy.Expr] = {}  # a kept function value: what it stands for
        self.bare_used: set[str] = set()   # functions written without their argument
        self.called: set[str] = set()      # functions written with one
        self.called_args: dict[str, set] = {}  # function -> the arguments it is called with (as written)
        self.bare_args: dict[str, tuple] = {}  # function written alone -> the arguments it stands for
        self.step_calls: dict[str, set] = {}   # name -> the arguments the step calls it at (one each)
        # defined names taken as they stand because their definition cannot be read (z = w^T x
        # with w a vector): key -> (line, why).  Sound for "ok" (it holds for every value of z),
        # never for WRONG or for a derivative that would go through the definition.
        self.opaque: dict[str, tuple[int, str]] = {}
        self.unfolded: dict[str, int] = {}  # definitions the step's values went through: key -> line
        self._shapes: dict[tuple, tuple[Node, str]] = {}    # shape() of a node in an environment
        # logits free by convention that a derivative took as independent of its variable (z in
        # ∂σ(z)/∂w: the inputs x, w, b are independent by the convention itself; z is computed)
        self.assumed_independent: dict[str, tuple[str, ...]] = {}
        # H(P, Q) = 0.912 restated for the note's example: key -> (line, its parameters' keys)
        self.point_values: dict[str, tuple[int, tuple[str, ...]]] = {}
        # x_{i1} (i over the samples, N) beside w_i (w's own range): letter -> the two keys
        self.two_ranges: dict[str, tuple[str, str]] = {}
        self.range_of: dict[str, tuple[str, str]] = {}
        # names the note never defines but differentiates, each taken as any function of the one
        # variable its derivatives in the step say it depends on (∂L/∂z = ∂L/∂a ∂a/∂z: L of a)
        self.generic: dict[str, Node] = {}
        # names the note never defines but solves for ("Solve for p: ... => p = ..."): key -> the
        # solution of the equation that opens the implications
        self.solved: dict[str, sympy.Expr] = {}
        self.design_names: set[str] = set()   # X read as the matrix of the samples (X^T v)
        self.generic_used: dict[str, sympy.Function] = {}
        # notation that prints two ways read the other way (keys of READINGS)
        self.other_readings: frozenset[str] = frozenset()
        self.given: dict[str, int] = {}  # the step's case on a value (y = 1): key -> value
        self.plain_vars: frozenset[str] = frozenset()  # see verdict.calculus_variables
        # a name given at the example's point whose formula a derivative read: key -> (lines)
        self.behind_point: dict[str, tuple[int, int]] = {}
        self.probabilities: set[str] = set()  # P in Σ_x P(x) ...: its entries are probabilities
        # entries of vectors given as numbers (z = (2.0, 1.0, 0.1)): symbol -> (value, half a unit
        # of its last decimal), put in by the judge after any derivative is taken
        self.valued: dict[sympy.Symbol, tuple[sympy.Rational, sympy.Rational]] = {}
        # ∫ f dx met in the step: the opaque function standing for "∫ ... dx" over its range ->
        # (its variable's symbol, how it is written for messages, its bounds); see verdict._integrands
        self.integrals: dict[sympy.FunctionClass, tuple[sympy.Symbol, str, tuple]] = {}
        self._depth = 0  # integrals around the node being read

    # --- names ---------------------------------------------------------------------------------
    def leaf(self, key: str, index: tuple[int, ...], sample: int | None) -> sympy.Symbol:
        label = key.replace(" ", "") + (f"^({sample})" if sample is not None else "") + \
            (f"[{','.join(map(str, index))}]" if index else "")
        sym = sympy.Symbol(label, real=True)
        self.leaves[sym] = Leaf(key, index, sample)
        return sym

    def definition(self, key: str) -> Definition | None:
        d = self.table.lookup(key, self.order, self.scope)
        if d is not None and self.keep and not d.params and not d.indices and at_a_point(d.body):
            # L = ½(-0.5 - 1)^2 in a worked example after L = ½(ŷ - y)^2: L's value at the example's
            # point; a derivative of L (∂L/∂ŷ below it) is of the formula it evaluates
            earlier = self._formula_before(d)
            if earlier is not None and not at_a_point(earlier.body):
                self.behind_point[key] = (d.line, earlier.line)
                return earlier
        return d

    def _formula_before(self, d: Definition) -> Definition | None:
        """The definition ``d`` (a value at a point) stands after: the formula the same chain gave
        before its number (``net = w x + b = 1.1``), or an earlier one."""
        same = next((x for x in reversed(self.table.definitions) if x.key == d.key and x.order == d.order
                     and x is not d and not x.params and not x.indices), None)
        return same or self.table.lookup(d.key, d.order - 1, self.scope)

    def index_value(self, n: Node, env: dict, key: str | None, sample: bool = False, slot: int = 0) -> int:
        if isinstance(n, Name) and not n.accent and len(n.base) == 1 or isinstance(n, Name) and n.base in env:
            if n.base in env:
                return env[n.base]
            d = self.definition(n.base)
            if d is not None and n.base in self._active:
                # y = ReLU(net_y): y names the unit net_y belongs to, not an index to compute
                raise NotCheckable(f"{n.base} labels {pretty(key or '')} inside the definition of {n.base}: a "
                                   "label, not an index, whose meaning is not read")
            if d is not None and not d.indices and not d.params:
                self._active.append(n.base)
                try:
                    v = self.value(d.body, {})
                finally:
                    self._active.pop()
                if v.is_Integer:
                    return int(v)
            if d is not None and d.params:
                # W_f beside f(x) = W_f x + b_f: f names the weights, it is not an index
                raise NotCheckable(f"{n.base}, a function the note defines, as the subscript of {pretty(key or '')}: "
                                   "a label, not an index, whose meaning is not read")
            if n.base.isupper() or n.base in self.table.sizes:
                return self.table.size(n.base)  # z_K: the last class
            if self.dry:
                size = "N" if sample else self.table.dims.get(key or "", "K")
                # z_i over the samples and w_i over the features, one letter: a vector's index has
                # its vector's range, a matrix's index the range a sum gives its slot (else unknown)
                here = (self.table.dims.get(key, "K") if self.arity(key, 1) == 1
                        else self.table.slot_dims.get((key, slot))) if key and not sample else None
                first = self.range_of.get(n.base)
                if here is not None and first is not None and first[1] != here and first[0] != key:
                    self.two_ranges.setdefault(n.base, (first[0], key or ""))
                if here is not None and first is None and self.free.get(n.base) == "K" and not sample:
                    # W_{i,j} (a slot no sum sizes) then q_i of q = [q_1, q_2]: i runs over q's entries
                    self.free[n.base] = here
                self.free.setdefault(n.base, size)
                if here is not None:
                    self.range_of.setdefault(n.base, (key or "", here))
                return 1
            raise NotCheckable(f"the index {n.base} has no value here")
        v = self.value(n, env)
        if not v.is_Integer:
            raise NotCheckable(f"the index {v} is not a whole number")
        return int(v)

    def name(self, node: Node, env: dict) -> sympy.Expr:
        """A name with its scripts: an index, a sample, a label, a definition to unfold."""
        base = node.base if isinstance(node, Script) else node
        sub = node.sub if isinstance(node, Script) else ()
        assert isinstance(base, Name)
        key = _key(node) or base.key
        params = env.get("__params__", {})
        if node in params:
            return params[node]
        vecargs = env.get("__vecargs__", {})
        if isinstance(base, Name) and base.key in vecargs and not base.accent:
            arg, outer = vecargs[base.key]
            if not sub and isinstance(node, Name):
                # the whole parameter of w^T x, at the entry the inner product asks for (if any:
                # an argument the note never indexes is one number)
                return self.value(arg, {**outer, **{k: env[k] for k in ("__vec__",) if k in env}})
            if len(sub) != 1 or (isinstance(node, Script) and node.sup is not None):
                raise NotCheckable(f"the vector {pretty(base.key)} used without one index in a function's definition")
            k = self.index_value(sub[0], env, None)
            return self.value(arg, {**outer, "__vec__": k})
        if isinstance(node, Name) and not node.accent and len(node.base) == 1 and node.base in env:
            # an index used as a value: sum_k k^2, (j - 1) p_j
            value = env[node.base]
            return sympy.Integer(value) if isinstance(value, int) else value
        if base in params and not sub:
            return params[base]
        idx_nodes = [n for n in sub if not is_label(n)]
        named_after = [n for n in idx_nodes if isinstance(n, Name) and len(n.base) == 1 and n.base not in env
                       and (f := self.definition(n.base)) is not None and f.params]
        if named_after and len(named_after) == len(idx_nodes) and self.definition(key) is None:
            # μ_p, σ_p beside p(x) = N(x; μ_p, σ_p): the letter of a function the note defines names
            # its parameter, it is no index
            key = key + "_" + "".join(n.base for n in named_after)
            idx_nodes = []
        sample_letter = None
        if isinstance(node, Script) and node.sup is not None and node.sup_paren:
            sample_letter = node.sup
        elif key in self.table.sample_subscript and len(idx_nodes) == 1 and not (
                isinstance(node, Script) and node.sup is not None):
            # x_i where the note writes w^T x_i: the i-th sample's vector
            sample_letter, idx_nodes = idx_nodes[0], []
            self.conventions["sample:" + key] = (f"{pretty(key)}_i is the i-th sample's vector {pretty(key)}^(i), as "
                                                 f"w^T {pretty(key)}_i needs (line {self.table.sample_subscript[key]})")
        if base.base == "\\delta" and len(idx_nodes) == 2 and self.definition(key) is None:
            a, b = (self.index_value(n, env, None) for n in idx_nodes)
            self.conventions["delta"] = "δ is Kronecker's delta"
            return sympy.Integer(int(a == b))
        if base.key in INDICATORS and len(sub) == 1 and isinstance(sub[0], Cond):
            return self.condition(sub[0], env)
        if any(isinstance(n, Cond) for n in idx_nodes):
            if len(idx_nodes) == 1 and idx_nodes[0].op in ("=", "!=") and isinstance(idx_nodes[0].left, Name) \
                    and len(idx_nodes[0].left.base) == 1:
                # y_{k=i}: the entry k of y, at k = i; y_{k≠i}: entry k, the step holding for k ≠ i
                # (the judge adds the condition, see subscript_conditions)
                idx_nodes = [idx_nodes[0].right if idx_nodes[0].op == "=" else idx_nodes[0].left]
            else:
                raise NotCheckable(f"a condition in the subscript of {key}")
        if len(idx_nodes) == 1 and isinstance(idx_nodes[0], Name) and len(idx_nodes[0].base) == 1 \
                and idx_nodes[0].base.isupper() and idx_nodes[0].base not in env \
                and idx_nodes[0].base not in self.table.size_names and (d := self.definition(key)) is not None \
                and not d.indices and not d.params and listed_numbers(d.body) is None and key not in self.keep:
            # p_A, p_B beside p = σ(1.2x - 2): model A's p is another quantity named after p, not p
            raise NotCheckable(f"{pretty(key)}_{idx_nodes[0].base}: a subscript {idx_nodes[0].base} on {pretty(key)}, "
                               f"which the note defines as one value (line {d.line}): another quantity named after "
                               f"{pretty(key)} (a model, a class) or an entry of it is not said")
        index = tuple(self.index_value(n, env, key, slot=k) for k, n in enumerate(idx_nodes))
        self.by_letter.update((key, n.base) for n in idx_nodes if isinstance(n, Name) and n.base in env)
        sample = self.index_value(sample_letter, env, key, sample=True) if sample_letter is not None else None
        if sample is None and "__sample__" in env and key in self.table.sampled:
            # inside a per-sample quantity (l^{(m)} with l defined for one sample): that sample's values
            sample = env["__sample__"]
        return self.named(key, index, sample, env)

    def named(self, key: str, index: tuple[int, ...], sample: int | None, env: dict) -> sympy.Expr:
        if key in self.keep:
            return self.leaf(key, self.vector_index(key, index, env), sample)
        if key in self.plain_vars and not index and sample is None and (d := self.definition(key)) is not None:
            # dσ(z)/dz = σ(z)(1 - σ(z)) after z = w x + b: a rule of calculus in the letter z
            self.conventions["plain-defined:" + key] = (f"{pretty(key)}, the one name of this step, is a plain variable: "
                                                f"a rule of calculus in it (its definition, line {d.line}, is not used)")
            return self.leaf(key, (), None)
        if key in self.generic:
            return self.generic_value(key, index, env)
        if key in self.solved and not index and sample is None and self.definition(key) is None:
            return self.solved[key]
        d = self.definition(f"{key}[{','.join(map(str, index))}]") if index else None
        whole = self.definition(key) if d is not None else None
        if d is not None and (whole is None or whole.order < d.order):
            # p_1 = ... (one entry's own value) unless the note defined every p_i since
            return self.unfold(d, (), sample, {k: v for k, v in env.items() if k == "__sample__"})
        d = self.definition(key)
        listed = self.table.listed_sizes.get(key)
        if d is not None and not index and sample is None and listed is not None and isinstance(d.body, Num) \
                and d.body.value.isdigit() and int(d.body.value) != listed and d.scope != self.scope:
            # "since m = 2" in a binary aside, and vectors of m entries written with 3 elsewhere (in
            # the aside's own section, m is 2)
            raise NotCheckable(f"{pretty(key)} is {d.body.value} by line {d.line}, and the vectors it counts are "
                               f"written with {listed} entries: which one it is here is not said")
        if d is not None and (items := listed_numbers(d.body)) is not None and not d.params:
            return self.valued_leaf(key, index, sample, env, d, items)
        if d is not None:
            if d.source.startswith("convention:"):
                what = d.source.split(":", 1)[1]
                self.conventions[key] = f"{pretty(key)} = {what} (the note speaks of it and never defines {pretty(key)})"
            if key not in self._active and self.entry_free(d):
                # z = Wh + b of names never indexed, with z a vector (softmax(z), z_i): how its
                # entries differ is not said, so they stand for any values (as for index_alone)
                if key not in self.opaque:
                    self.take_as_it_stands(key, d, self.entry_free_reason(key))
                return self.leaf(key, self.vector_index(key, index, env), sample)
            if index_alone(d, self.table) and key not in self._active:
                # p_j = e^j / Σ_i e^i: its entries stand for values the definition does not give; a
                # step that holds for every value of them holds for the meant ones (a derivative
                # of them stays unread, and no WRONG is found through them)
                if key not in self.opaque:
                    self.take_as_it_stands(key, d, NotCheckable(_index_alone_reason(d)))
                return self.leaf(key, self.vector_index(key, index, env), sample)
            if index or sample is not None or d.indices or d.params or d.sample is not None:
                return self.unfold(d, index, sample, env)
            try:
                return self.unfold(d, index, sample, env)
            except ShapeMismatch:
                raise  # (J = ∂σ/∂z taken as one number would make J = J^T hold for every J)
            except NotCheckable as exc:
                if key in self._active or (d.key in self.opaque and self.opaque[d.key][1] != str(exc)):
                    raise
                self.take_as_it_stands(key, d, exc)
                return self.leaf(key, (), None)
        if key in self.table.size_names and not index and sample is None:
            if key in self.table.in_interval:
                # p/(1-p) beside \sum_{j=1}^p β_j^2: the probability p and the count of predictors p
                raise NotCheckable(f"{pretty(key)} bounds a sum elsewhere (a count) and is declared in an interval "
                                   "(a value): which one it is here is not said")
            valued = next((d for d in self.table.definitions if d.key == key), None)
            if valued is not None:
                # p = e^v / (1 + e^v) in one section, \sum_{i=1}^p over the samples in another: any
                # value here (what holds for every p holds), no WRONG through it
                self.take_as_it_stands(key, valued, NotCheckable(
                    f"{pretty(key)} bounds a sum elsewhere (a count) and is given a value at line {valued.line}: "
                    "which one it is here is not said"))
                return self.leaf(key, (), None)
            return sympy.Integer(self.table.size(key))
        if not index and sample is None and (row := self.design_matrix(Name(key))) in self.table.sample_subscript:
            # X used whole (X^T S X): the matrix whose rows are the samples x_i the note writes
            return self.design_entry(row, env)
        if key in self.table.matrices and not index and sample is None:
            # J ∈ R^{K×K} never defined: a matrix, which no number may stand for (J = J^T would hold)
            raise NotCheckable(f"{pretty(key)} is a matrix (line {self.table.matrices[key]}) the note never defines: "
                               "its entries are not known")
        if key == "e" and not index and sample is None:
            self.conventions["e"] = "e is Euler's number"
            return sympy.E
        if key.strip("()") in INFORMATION_UNITS and not index and sample is None and self.definition(key) is None:
            # "\log_2(0.5) = 1 \text{bit}" (or \text{(bit)}): a unit of information after a number, the
            # quantity in it
            unit = key.strip("()")
            self.conventions["unit"] = f"the unit {unit} after a number is read as 1 (the quantity in {unit.rstrip('s')}s)"
            return sympy.Integer(1)
        if key == "\\pi":
            self.conventions["pi"] = "π is 3.14159..."
            return sympy.pi
        if key == "\\infty":
            raise NotCheckable("∞ is a limit, not a value to evaluate")
        if len(key) == 2 and not index and sample is None and self.design_matrix(Name(key[0])) is not None \
                and self.whole_vector(Name(key[1]), env):
            # Xw typed as one word: X times the vector w, X the matrix of the samples
            return self.design_times(self.design_matrix(Name(key[0])) or "", Name(key[1]), env)
        if len(key) == 2 and not index and sample is None and (m := self.matrix_of(Name(key[0]), env)) is not None \
                and self.whole_vector(Name(key[1]), env):
            # Wx typed as one word, W written with two indices elsewhere: the matrix times the vector
            return self.matrix_vector(m, Name(key[1]), env, key[0])
        if not index and sample is None and self.juxtaposed(key):
            # "ay" in a note that uses a and y on their own: a times y, as TeX sets it
            self.conventions["juxtaposed"] = f"{key} is the product {' '.join(key)}"
            # (each letter read as a name of its own: a function's parameter t in tx is the argument)
            return sympy.Mul(*[self.value(Name(c), env) for c in key])
        return self.leaf(key, self.vector_index(key, index, env), sample)

    def entry_free(self, d: Definition) -> bool:
        """``z = Wh + b`` where the note uses z as a vector (softmax(z), z_i) but writes none of W, h, b
        with an index, defines none of them and calls no function: read entry by entry, every
        entry of z would be the same number."""
        if d.indices or d.params or d.sample is not None or not self.table.is_vector(d.key, self.scope):
            return False
        # (a capital in a product, Wh or W x: a matrix times a vector; z = a + b stays a number)
        if not any(isinstance(n, Name) and matrix_times(n)
                   or isinstance(n, Mul) and any(isinstance(f, Name) and len(f.base) == 1 and f.base.isupper()
                                                 for f in n.factors) for n in _walk(d.body)):
            return False
        names = 0
        for n in _walk(d.body):
            if isinstance(n, Name):
                if n.key in self.table.size_names or n.key in ("e", "\\pi"):
                    continue
                # (Wx typed together is W times x: its letters say)
                parts = (n.key,) + (tuple(n.key) if n.key.isalpha() and not n.accent else ())
                if any(self.table.is_vector(k, self.scope) or self.definition(k) is not None
                       or self.arity(k, 0) or k in self.table.called for k in parts) or "(" in n.key:
                    return False
                names += 1
            elif isinstance(n, Script):
                if n.sub or n.primes or n.sup is None or not isinstance(n.base, Name):
                    return False
            elif not isinstance(n, (Add, Mul, Neg, Paren, Num)):
                return False
        return names > 0

    @staticmethod
    def entry_free_reason(key: str) -> NotCheckable:
        return NotCheckable(f"{pretty(key)} is a vector made of names never written with an index: read entry "
                            "by entry, its entries would all be equal")

    def valued_leaf(self, key: str, index: tuple[int, ...], sample: int | None, env: dict, d: Definition,
                    items: tuple[Node, ...]) -> sympy.Expr:
        """Entry i of a vector the note gives as numbers (z = (2.0, 1.0, 0.1)): a variable that
        derivatives see, whose value the judge puts in at the end (see ``valued``)."""
        if sample is not None:
            raise NotCheckable(f"{pretty(key)} is given as numbers (line {d.line}) but used per sample")
        if len(index) > 1:
            raise NotCheckable(f"{pretty(key)} is given as a list of numbers (line {d.line}) but used with "
                               f"{len(index)} indices")
        if not index:
            if "__vec__" in env:
                index = (env["__vec__"],)
                self.whole_entry.add(key)
            elif self.dry:
                self.free.setdefault("__vec__", "K")
                index = (1,)
            else:
                raise NotCheckable(f"{pretty(key)} is a list of numbers (line {d.line}) used as one value")
        first = self.first_entry(Name(key))  # s = [2, 1, 0] with s summed as s_0..s_{N-1}: s_0 = 2
        if not first <= index[0] < first + len(items):
            raise NotCheckable(f"{pretty(key)} has {len(items)} entries (line {d.line}); entry {index[0]} is "
                               "not one of them")
        size = self.vector_size(Name(key))
        if self.table.size(size) != len(items):
            raise NotCheckable(f"{SHORT_LIST} ({pretty(key)} is given {len(items)} numbers, line {d.line}, where "
                               f"the note's vectors have {self.table.size(size)} entries, --{size})")
        sym = self.leaf(key, index, None)
        self.valued[sym] = _listed_value(items[index[0] - first])
        self.conventions["valued:" + key] = f"{pretty(key)} has the values the note gives it (line {d.line})"
        return sym

    def juxtaposed(self, key: str) -> bool:
        """"ay" in a note that uses a and y on their own: the letters typed side by side, a product."""
        return len(key) > 1 and key.isalpha() and all(c in self.table.plain or self.definition(c) is not None
                                                      for c in key)

    def generic_value(self, key: str, index: tuple[int, ...], env: dict) -> sympy.Expr:
        """``key`` as an unknown function of its variable's value (of every entry, for a vector)."""
        inner = self.generic[key]
        base = inner.base if isinstance(inner, Script) else inner
        entries = isinstance(inner, Script) and len(inner.sub) == 1 and isinstance(inner.sub[0], Name) \
            and inner.sup is None or isinstance(inner, Name) and self.table.is_vector(inner.key, self.scope)
        if entries:
            size = self.table.size(self.table.dims.get(_key(base) or "", "K"))
            args = [self.value(Script(base, (Num(str(c)),)), env) for c in range(1, size + 1)]
        else:
            args = [self.value(inner, env)]
        d = self.definition(key)
        why = f"{pretty(key)}'s definition (line {d.line}) has no variable" if d is not None else \
            f"{pretty(key)} is never defined here"
        return self.any_function(key, index, f"{why}: taken as any function of {pretty(_key(base) or '')}, as "
                                 "the derivatives of it here treat it")(*args)

    def take_as_it_stands(self, key: str, d: Definition, exc: NotCheckable) -> None:
        """``key`` stands for any value from here: its definition ``d`` could not be read (why: exc)."""
        self.opaque[key] = (d.line, str(exc))
        self.conventions["opaque:" + key] = (f"{pretty(key)} taken as it stands (any value): its "
                                             f"definition, line {d.line}, is not read ({exc})")

    def arity(self, key: str, default: int = 0) -> int:
        """The most indices ``key`` is written with, in the sections this step sees (SymbolTable.arity_at)."""
        n = self.table.arity_at(key, self.scope)
        return default if n is None else n

    def vector_index(self, key: str, index: tuple[int, ...], env: dict) -> tuple[int, ...]:
        if len(index) == 1 and 10 <= index[0] <= 99 and self.arity(key, 0) == 2:
            # w_{21} where the note also writes w_{jk}: the entry (2, 1), its two indices typed
            # without a comma (as worked networks number their weights), not a row numbered 21
            self.conventions.setdefault("digits:" + key, f"{pretty(key)}_{{{index[0]}}} is the entry "
                                        f"({index[0] // 10}, {index[0] % 10}) of {pretty(key)}, which the note "
                                        "writes with 2 indices")
            return divmod(index[0], 10)
        if index and len(index) < self.arity(key, 0):
            # z_2 where the note also writes z_{2,i}: the vector of layer 2, taken entry by entry
            if "__vec__" in env:
                return index + (env["__vec__"],)
            if self.dry:
                self.free.setdefault("__vec__", self.table.dims.get(key, "K"))
                return index + (1,)
            raise NotCheckable(f"{pretty(key)} has {self.arity(key)} indices elsewhere but {len(index)} here")
        if not index and self.table.is_vector(key, self.scope):
            if key in self.plain_vars:
                self.conventions["plain:" + key] = (f"{pretty(key)}, the one name of this step, is a plain variable "
                                                    f"(the note writes {pretty(key)} with {self.arity(key)} "
                                                    "indices elsewhere)")
                return ()
            if self.arity(key, 1) >= 2:
                # w_{ik} elsewhere: a matrix, or x_{i,j} feature j of sample i with x alone one
                # sample; which the note means here it does not say
                raise NotCheckable(f"{pretty(key)} is written with {self.arity(key)} indices elsewhere and "
                                   "none here: a matrix, or one row of it, is not said")
            if "__vec__" in env:
                self.whole_entry.add(key)
                return (env["__vec__"],)
            if self.dry:
                self.free.setdefault("__vec__", self.table.dims.get(key, "K"))
                return (1,)
            raise NotCheckable(f"{key} is a vector here, used without an index")
        return index

    def unfold(self, d: Definition, index: tuple[int, ...], sample: int | None, env: dict,
               args: tuple[sympy.Expr, ...] | None = None, arg_nodes: tuple[Node, ...] | None = None) -> sympy.Expr:
        if d.key in self._active:
            raise NotCheckable(f"{d.key} is defined in terms of itself (line {d.line})")
        if isinstance(d.body, Unreadable):
            raise NotCheckable(f"{pretty(d.key)}'s definition (line {d.line}) is not read ({d.body.reason})")
        self.unfolded.setdefault(d.key, d.line)
        if d.reading:
            self.conventions["reading:" + d.key] = d.reading
        if index_alone(d, self.table):
            # p_j = e^j / Σ_i e^i: a number of the index alone, where e^{o_j} was surely meant
            raise NotCheckable(_index_alone_reason(d))
        if d.source == "restated" and d.params and not any(
                isinstance(n, (Name, Script)) and _key(n) in {_key(p) for p in d.params} for n in _walk(d.body)):
            self.point_values[d.key] = (d.line, tuple(k for p in d.params if (k := _key(p))))
        if not d.params and not d.indices and at_a_point(d.body) \
                and self._formula_before(d) is not None:
            # \hat y = \sigma(1.0) = 0.73106 in a worked example: the value at the example's point
            self.point_values[d.key] = (d.line, ())
            self.conventions["point:" + d.key] = f"{pretty(d.key)} is its value at the note's example (line {d.line})"
        # a letter the definition leaves free (L = -log s_k, k the true class) is the step's letter;
        # not one a sum without a subscript runs over in it (s_i = e^{x_i} / \sum e^{x_j} in a step
        # by x_j: the sum's j is its own)
        summed = set()
        for n in _walk(d.body):
            if isinstance(n, BigOp) and n.sub is None and n.sup is None:
                own = _body_letters(n.body) - set(d.indices)
                summed |= own if len(own) == 1 else set()
        inner: dict = {k: v for k, v in env.items() if len(k) == 1 and k not in summed}
        if d.sample is not None:
            if sample is None:
                raise NotCheckable(f"{d.key} is defined per sample (line {d.line}) but used without one")
            inner[d.sample] = sample
        elif sample is not None:
            inner["__sample__"] = sample  # defined for one sample, used for sample m
        elif "__sample__" in env:
            # z = w^T x + b inside ŷ^{(i)}: the quantities of that sample (x^{(i)})
            inner["__sample__"] = env["__sample__"]
        if d.indices:
            if not index and len(d.indices) == 2:
                # A_{ij} = ... used as A: the matrix, entry by entry (never its diagonal)
                index = self.entry(env, matrix=True)
            elif not index and len(d.indices) > 2:
                raise NotCheckable(f"{pretty(d.key)} has {len(d.indices)} indices (line {d.line}) and none here")
            if not index:
                if "__vec__" in env:
                    index = (env["__vec__"],)
                elif self.dry:
                    self.free.setdefault("__vec__", self.table.dims.get(d.key, "K"))
                    index = (1,) * len(d.indices)
                else:
                    raise NotCheckable(f"{d.key} is used without its index")
            if len(index) != len(d.indices):
                raise NotCheckable(f"{d.key} has {len(d.indices)} indices in its definition (line {d.line}) "
                                   f"but {len(index)} here")
            inner.update(zip(d.indices, index))
        elif index:
            # \hat y = softmax(z) used as \hat y_j: the j-th component of a vector definition
            inner["__vec__"] = index[0]
            if len(index) > 1:
                raise NotCheckable(f"{d.key} is defined without indices but used with {len(index)}")
        elif "__vec__" in env:
            inner["__vec__"] = env["__vec__"]
            if "__col__" in env:
                inner["__col__"] = env["__col__"]  # J = ∂σ/∂z used as J: its entry (row, column)
        if arg_nodes is None and args is None and d.params and d.key not in self.bare_args:
            # f written alone: the latest f, unless another f was defined with it (H(p) and H(p, q)
            # in one sentence) or f_{sigmoid} just before in this block (f may be short for it)
            for other in self.table.definitions:
                if other.key == d.key and len(other.params) != len(d.params) and other.order // 100 == d.order // 100:
                    raise NotCheckable(f"{pretty(d.key)} is defined with {len(other.params)} and with "
                                       f"{len(d.params)} arguments together: which one {pretty(d.key)} written "
                                       "alone is, is not said")
                if other.key.startswith(d.key + "_") and other.order // 100 == self.order // 100:
                    raise NotCheckable(f"{pretty(d.key)} written alone just after {pretty(other.key)} is defined: "
                                       f"{pretty(d.key)} may be short for it")
        if arg_nodes is None and args is None and d.params and d.key not in self.bare_args and _vector_params(d):
            # s(x)_i = e^{x_i} / Σ_j e^{x_j} written s_i: s of its own vector parameter, entry by entry
            arg_nodes = d.params
            env = {k: v for k, v in env.items() if k not in ("__vec__", "__col__")}
            self.conventions["bare"] = f"{pretty(d.key)} written alone is {pretty(d.key)} of its generic argument"
        if arg_nodes is not None:
            # vector parameters: their entries are the entries of the argument, read where it is written
            inner["__vecargs__"] = {_key(p): (a, env) for p, a in zip(d.params, arg_nodes)}
        elif d.params:
            if args is None and d.key in self.bare_args:
                # h alone where the step calls h at one argument only: h stands for that call
                # (the argument as written, read where the lone h is: dσ/dz keeps z a variable)
                args = tuple(self.value(a, env) for a in self.bare_args[d.key])
                self.conventions["bare:" + d.key] = (f"{pretty(d.key)} written alone is {pretty(d.key)} at the one "
                                                     "argument the step gives it")
            if args is None:
                # h(x^{(i)}) = ... written alone as h: h of the generic argument x
                bare = tuple(Script(p.base, p.sub) if isinstance(p, Script) and p.sup_paren and p.sub
                             else p.base if isinstance(p, Script) and p.sup_paren else p for p in d.params)
                self.bare_used.add(d.key)
                if bare != d.params:
                    self.conventions["bare"] = f"{pretty(d.key)} written alone is {pretty(d.key)} of its generic argument"
                if bare == d.params and all(isinstance(p, Name) and self.whole_vector(p, inner) for p in d.params):
                    # ℓ(w) = Σ_i ... σ(w^T x_i) written alone as ℓ: its parameter is the note's own
                    # vector w, whole (binding it to one value would take one entry of it)
                    self._active.append(d.key)
                    try:
                        return self.value(d.body, inner)
                    finally:
                        self._active.pop()
                # (with the definition's own indices bound: y_i(z_i) used as y_k is y_k(z_k))
                args = tuple(self.value(p, {k: v for k, v in inner.items() if k != "__params__"}) for p in bare)
            if 0 < len(args) < len(d.params) and all(isinstance(p, (Name, Script)) and not getattr(p, "sub", ())
                                                     for p in d.params[len(args):]):
                # q(z) after q(z; μ, σ²) = ...: the parameters left out are the note's own μ, σ²
                rest = d.params[len(args):]
                args = tuple(args) + tuple(self.value(p, env) for p in rest)
                self.conventions["params:" + d.key] = (f"{pretty(d.key)}(...) without its last parameters takes "
                                                       "the note's own " + ", ".join(_source_of(p) for p in rest))
            if len(args) != len(d.params):
                raise NotCheckable(f"{d.key} takes {len(d.params)} arguments (line {d.line}), given {len(args)}")
            inner["__params__"] = dict(zip(d.params, args))
            for p, a in zip(d.params, args):
                if isinstance(p, Name):
                    inner["__params__"][p] = a
        self._active.append(d.key)
        try:
            return self.value(d.body, inner)
        finally:
            self._active.pop()

    def indicator(self, c: Cond, env: dict) -> sympy.Expr:
        """``1_{i=j}``, ``\\mathbb{1}(j = j^*)``: 1 where the condition holds, else 0."""
        self.conventions["indicator"] = "1{...} is 1 when the condition holds"
        return self.condition(c, env)

    def condition(self, c: Cond, env: dict) -> sympy.Expr:
        params = env.get("__params__") or {}
        if any(side in params for side in (c.left, c.right)):
            # V(a, y) = a if y = 1: a condition on a parameter's value (L(1.0, 1) calls it with y = 1)
            a, b = (params[side] if side in params else self.value(side, env) for side in (c.left, c.right))
            given = {x: sympy.Integer(self.given[lf.key]) for x in a.free_symbols | b.free_symbols
                     if (lf := self.leaves.get(x)) is not None and lf.key in self.given and lf.sample is None}
            a, b = a.xreplace(given), b.xreplace(given)
            if a.free_symbols or b.free_symbols:
                message = "a case on a value that varies (a condition on a number, not an index)"
                varying, number = (a, b) if a.free_symbols else (b, a)
                leaf = self.leaves.get(varying) if isinstance(varying, sympy.Symbol) else None
                # (y, or one entry y_i of it, the only entry the step has met: its cases are its values)
                one = leaf is not None and leaf.sample is None and len(
                    {lf.index for lf in self.leaves.values() if lf.key == leaf.key}) == 1
                if one and number.is_Integer and not number.free_symbols:
                    raise CaseOnAValue(message, leaf.key, int(number))
                raise NotCheckable(message)
            if c.op in ("=", "!="):
                return sympy.Integer(int((a == b) == (c.op == "=")))
        a = self.index_value(c.left, env, None)
        b = self.index_value(c.right, env, None)
        if c.op == "=":
            return sympy.Integer(int(a == b))
        if c.op == "!=":
            return sympy.Integer(int(a != b))
        raise NotCheckable(f"the condition {c.op} is not read")

    # --- expressions -------------------------------------------------------------------------
    def value(self, node: Node, env: dict) -> sympy.Expr:
        params = env.get("__params__")
        if params and not isinstance(node, (Name, Script)) and node in params:
            return params[node]  # Cost(h(x), y) = ...: a parameter written as an expression
        method = getattr(self, "_v_" + type(node).__name__, None)
        if method is None:
            raise NotCheckable(f"{type(node).__name__.lower()} is not read")
        return method(node, env)

    def _v__DMark(self, node: Node, env: dict) -> sympy.Expr:
        r"""A differential outside a derivative's fraction: not read, unless it is the name d the
        note uses on its own elsewhere times what follows (d \log(y) + (1 - d) \log(1 - y), d the
        target); "dw", "dL" typed as one word stay differentials."""
        if not node.partial and node.order is None and node.var is not None and not node.word \
                and "d" in self.table.plain:
            return self.value(Mul((Name("d"), node.var)), env)
        raise NotCheckable("a differential (dx, ∂x) outside a derivative's fraction: total differentials are not read")

    def _v_Unclosed(self, node: Unclosed, env: dict) -> sympy.Expr:
        self.conventions["unclosed"] = "a bracket never closed is read as closing at the end of its member"
        return self.value(node.inner, env)

    def _v_Unreadable(self, node: Unreadable, env: dict) -> sympy.Expr:
        raise NotCheckable(node.reason)

    def _v_Ellipsis_(self, node: Ellipsis_, env: dict) -> sympy.Expr:
        raise NotCheckable("an ellipsis (\\dots) stands for terms that are not written")

    def _v_Num(self, node: Num, env: dict) -> sympy.Expr:
        return sympy.Rational(node.value)

    def _v__Held(self, node: "_Held", env: dict) -> sympy.Expr:
        return node.value

    def _v_Name(self, node: Name, env: dict) -> sympy.Expr:
        return self.name(node, env)

    def _v_Neg(self, node: Neg, env: dict) -> sympy.Expr:
        return -self.value(node.arg, env)

    def _v_Add(self, node: Add, env: dict) -> sympy.Expr:
        if "__col__" in env and not self.dry:
            shapes = {self.shape(t, env) for t in node.terms}
            if "M" in shapes and len(shapes) > 1:
                # diag(s) - s s^T with s a row: a matrix and a number (or a vector) added
                raise NotCheckable("a matrix added to a number or a vector: the shapes do not fit (an outer "
                                   "product written as an inner one?)")
        if any(_is_dots(t) for t in node.terms):
            return sympy.Add(*[self.value(t, env) for t in self.ellipsis_terms(node.terms, env)])
        terms = list(node.terms)
        for k, t in enumerate(terms):
            trailing = _trailing_sum(t)
            letter = trailing[0] if trailing is not None else None
            after = 0
            while letter is not None and k + 1 + after < len(terms) and _free_letter(terms[k + 1 + after], letter):
                after += 1
            if after:
                # Σ_i log σ_i + log(1 - σ_i), -\frac1m Σ_i a_i + b_i, ∂/∂θ (-\frac1m Σ_i a_i) + b_i: the
                # terms after the sum use its index, which is free there
                assert trailing is not None
                self.conventions["reading:sum"] = READINGS["sum"][0]
                if "sum" in self.other_readings:
                    terms[k:k + 1 + after] = [trailing[1](tuple(terms[k + 1:k + 1 + after]))]
                    break
        return sympy.Add(*[self.value(t, env) for t in terms])

    def ellipsis_terms(self, terms: tuple[Node, ...], env: dict) -> list[Node]:
        """``a_1 + a_2 + \\dots + a_n``: the terms written out.  At least two consecutive terms
        before the dots and one after must follow one pattern in their subscripts, the last one's
        index a number or a size the note sums to (n, K, N); terms before and after the run stay."""
        dots = [i for i, t in enumerate(terms) if _is_dots(t)]
        written = [t for t in terms if not _is_dots(t)]
        if sum(not _is_zero(t) for t in written) <= 1 and all(
                0 < i < len(terms) - 1 and (_is_zero(terms[i - 1]) or _is_zero(terms[i + 1])) for i in dots):
            # 0 + 0 + ⋯ + e^{z_k} + ⋯ + 0 + 0: the dots stand between zeros, for zeros
            self.conventions["zeros"] = "the dots beside zeros stand for zeros"
            return written
        k = dots[0]
        if len(dots) != 1 or k < 2 or k + 1 >= len(terms):
            raise NotCheckable("an ellipsis (\\dots) stands for terms that are not written")
        before, last = terms[k - 1], terms[k + 1]
        slots = _slots(before, last) or []
        pairs = {(n, e) for _, n, e in slots}
        if len(pairs) != 1 or _fill(before, slots, next(iter(pairs))[0] - 1) != terms[k - 2]:
            raise NotCheckable("an ellipsis (\\dots) between terms that do not follow one pattern")
        start, end_node = pairs.pop()
        end = self.dots_end(end_node)
        first = start - 1
        while first - 1 >= 0 and k - 1 - (start - first + 1) >= 0 and \
                _fill(before, slots, first - 1) == terms[k - 1 - (start - first + 1)]:
            first -= 1
        head = terms[:k - 1 - (start - first)]
        if end < start or end - first > 10_000:
            raise NotCheckable("an ellipsis whose terms cannot be written out here")
        self.conventions["dots"] = "a_1 + a_2 + ... + a_n is every term of the pattern, up to n"
        return list(head) + [_fill(before, slots, v) for v in range(first, end + 1)] + list(terms[k + 2:])

    def dots_end(self, end_node: Node) -> int:
        """The last index a run of dots reaches: a number, or a size the note sums to (n, K, N)."""
        end_key = _key(end_node) if isinstance(end_node, Name) else None
        if isinstance(end_node, Num):
            return int(end_node.value)
        if end_key and (end_key in self.table.size_names or end_key in self.table.sizes or end_key.isupper()) \
                and self.definition(end_key) is None:
            return self.table.size(end_key)
        raise NotCheckable(f"an ellipsis up to {pretty(end_key or '?')}, which is not a size the note sums to")

    def written_out(self, node: Matrix) -> tuple[tuple[Node, ...], ...]:
        """A vector or matrix written with dots (``y_1 \\\\ \\vdots \\\\ y_K``, a Jacobian's
        ``\\cdots`` / ``\\vdots`` / ``\\ddots``) with every entry the dots stand for written out:
        each row's dots first, then the rows of dots between written rows."""
        if not any(_is_dots(x) for row in node.rows for x in row):
            return node.rows
        rows: list[tuple[Node, ...] | None] = []
        for row in node.rows:
            if all(_is_dots(x) for x in row):
                rows.append(None)
            elif any(_is_dots(x) for x in row):
                rows.append(tuple(r[0] for r in self.dotted_run([None if _is_dots(x) else (x,) for x in row])))
            else:
                rows.append(row)
        if len({len(r) for r in rows if r is not None}) != 1:
            raise NotCheckable("a matrix written with dots whose rows have different lengths")
        return tuple(self.dotted_run(rows)) if None in rows else tuple(r for r in rows if r is not None)

    def dotted_run(self, seq: list[tuple[Node, ...] | None]) -> list[tuple[Node, ...]]:
        """``a_1, a_2, \\dots, a_n``, None standing for the dots and each item a tuple (one entry, or
        a row's entries): every item from the first to the n-th.  The items before the dots and the
        one after must follow one pattern in their subscripts, the same in every column, and the
        last index be a number or a size (as ``ellipsis_terms`` asks of a sum's terms)."""
        dots = [i for i, x in enumerate(seq) if x is None]
        if len(dots) != 1 or not 0 < dots[0] == len(seq) - 2:
            raise NotCheckable("a matrix written with dots that do not stand between its first entries and its "
                               "last one: the entries they stand for are not read")
        k = dots[0]
        before, after = seq[k - 1], seq[k + 1]
        assert before is not None and after is not None
        slots = [_slots(b, a) for b, a in zip(before, after)] if len(before) == len(after) else [None]
        pairs = {(n, e) for s in slots for _, n, e in (s or ())}
        if any(s is None for s in slots) or len(pairs) != 1:
            raise NotCheckable("a matrix written with dots between entries that do not follow one pattern")
        number, end_node = pairs.pop()

        def item(v: int) -> tuple[Node, ...]:
            return tuple(_fill(b, s or [], v) for b, s in zip(before, slots))
        first = number - (k - 1)
        if first < 0 or any(seq[i] != item(first + i) for i in range(k)):
            raise NotCheckable("a matrix written with dots between entries that do not follow one pattern")
        end = self.dots_end(end_node)
        if end < number or end - first > 10_000:
            raise NotCheckable("a matrix written with dots whose entries cannot be written out here")
        self.conventions["matrix-dots"] = ("the dots in a vector or matrix stand for the entries of the pattern "
                                           "the entries beside them follow")
        return [item(v) for v in range(first, end + 1)]

    def _v_Frac(self, node: Frac, env: dict) -> sympy.Expr:
        return self.value(node.num, env) / self.value(node.den, env)

    def _v_Cond(self, node: Cond, env: dict) -> sympy.Expr:
        return self.condition(node, env)

    def _v_Paren(self, node: Paren, env: dict) -> sympy.Expr:
        if len(node.items) > 1 and node.kind in ("[", "(") and not any(isinstance(i, (Cond, Ellipsis_))
                                                                       for i in node.items):
            # [θ_1, θ_2, θ_3]^T: a vector written out, compared entry by entry
            size = self.table.size(self.vector_size(node))
            if len(node.items) != size:
                raise NotCheckable(f"a vector of {len(node.items)} entries where the note's vectors have "
                                   f"{size} (--K)")
            if "__vec__" not in env:
                if not self.dry:
                    raise NotCheckable("a list of values where one value is expected")
                self.free.setdefault("__vec__", "K")
                env = {**env, "__vec__": 1}
            self.conventions["list"] = "[a_1, ..., a_K] is the vector of those entries"
            first = self.first_entry(node)  # (entries 0..K-1 where the note sums them so)
            if not first <= env["__vec__"] < first + len(node.items):
                # [2q_1, 2q_2]^T beside a vector of the note's --K entries
                raise NotCheckable(f"{SHORT_LIST} ({len(node.items)} entries written, entry {env['__vec__']} "
                                   "asked for)")
            return self.value(node.items[env["__vec__"] - first], env)
        if len(node.items) != 1:
            raise NotCheckable("a list of values where one value is expected")
        inner = node.items[0]
        if isinstance(inner, Cond):
            self.conventions["iverson"] = "[i = j] is 1 when it holds, else 0"
            return self.condition(inner, env)
        if node.kind == "||":
            return self.norm(inner, env)
        v = self.value(inner, env)
        if node.kind == "|":
            return sympy.Abs(v)
        if node.kind in ("floor", "ceil", "<>"):
            raise NotCheckable("floors and brackets ⟨⟩ are not read")
        return v

    def norm(self, inner: Node, env: dict) -> sympy.Expr:
        """``‖v‖`` of a vector: the Euclidean norm, sqrt(Σ_k v_k²) over its entries (the usual norm
        written without a subscript). Of anything that does not read as a vector (a number, a
        matrix, a name the note never shows as one) it is not read: which norm is meant is not said."""
        if self.shape(inner, env) not in ("C", "R"):
            raise NotCheckable("a norm ‖...‖ of something that is not read as a vector here: which norm is "
                               "meant is not said")
        self.conventions["norm"] = "‖v‖ is the Euclidean norm of the vector v, sqrt(Σ_k v_k²)"
        comps = self.entries_of(inner, env, self.table.size(self.vector_size(inner)), self.first_entry(inner))
        return sympy.sqrt(sum((c**2 for c in comps), sympy.Integer(0)))

    def _v_Pow(self, node: Pow, env: dict) -> sympy.Expr:
        if transposed_exp(node):
            return self.transpose(node.base, env)
        if isinstance(node.base, Call) and self.product_call(node.base):
            # p^y (1 - p)^{1-y}: read as a product, the exponent is the bracket's, not the product's
            return self.value(node.base.func, env) * self.power(self.value(node.base.args[0], env), node.exp, env)
        if isinstance(node.base, Call) and isinstance(node.base.func, Fn) and node.base.func.name == "log" \
                and len(node.base.args) == 1 and not node.base.sub:
            # \log (1 - σ)^{1-y}: the power of the log, or the log of the power?
            self.conventions["reading:power"] = READINGS["power"][0]
            if "power" in self.other_readings:
                return self.apply_fn(node.base.func, None, env, operand=Pow(Paren(node.base.args), node.exp))
        return self.power(self.value(node.base, env), node.exp, env)

    def power(self, base: sympy.Expr, exp_node: Node, env: dict) -> sympy.Expr:
        if isinstance(exp_node, Name) and exp_node.base == "T":
            raise NotCheckable("a transpose: vector and matrix products are not read yet")
        ex = self.value(exp_node, env)
        if base.is_number and ex.is_number and abs(ex) > 1000:
            raise NotCheckable("too large to evaluate")
        if base.is_number and base.is_Integer and abs(base) > 1 and ex.is_number and abs(ex) > 300:
            raise NotCheckable("too large to evaluate")
        return sympy.Pow(base, ex)

    def _v_Script(self, node: Script, env: dict) -> sympy.Expr:
        base = node.base
        if isinstance(base, Paren) and base.kind == "||" and len(base.items) == 1 and len(node.sub) == 1 \
                and node.sub[0] == Num("2") and not node.primes:
            # ||w||_2, ||w||_2^2: the Euclidean norm, named
            value = self.norm(base.items[0], env)
            return value if node.sup is None else self.power(value, node.sup, env)
        if isinstance(base, Paren) and base.kind in ("|", "||") and node.sub:
            # |x - y|_∞, ||w||_1: another norm, which is not read (the subscript must not be dropped)
            raise NotCheckable("a norm (|...| with a subscript) is not read")
        if isinstance(base, Name) and base.key in self.table.layered and isinstance(node.sup, Num) \
                and node.sup.value.isdigit() and not node.sup_paren:
            raise NotCheckable(f"{pretty(base.key)}^{node.sup.value}: the note writes {pretty(base.key)}^1, so its "
                               "superscripts number layers, not powers, and layers are not read")
        if isinstance(base, Name) and not base.accent and node.sup is not None and not node.sub and not node.primes \
                and not node.sup_paren and not transposed_exp(Pow(base, node.sup)) and self.definition(base.key) is None \
                and self.juxtaposed(base.key):
            # yx^{y-1}: TeX puts the power on the last letter only, y · x^{y-1}
            self.conventions["juxtaposed"] = f"{base.key} is the product {' '.join(base.key)}"
            return self.value(Name(base.key[:-1]), env) * self.power(self.value(Name(base.key[-1]), env), node.sup, env)
        if node.primes:
            if isinstance(base, Name) and not node.sub and node.sup is None:
                key = base.key
                d = self.definition(key)
                if d is None and key not in self.table.called and key not in ("\\sigma",):
                    return self.name(Name(key + "'" * node.primes), env)
                if d is not None and not d.params and not d.indices and d.sample is None:
                    # f = e^{z_k}, f' = ...: the derivative by the one variable f's value has (with
                    # several, which one is meant is not said)
                    value = self.value(Name(key), env)
                    variables = sorted(value.free_symbols, key=lambda s: s.name)
                    if len(variables) == 1:
                        self.conventions["prime:" + key] = (f"{pretty(key)}' is the derivative by the one variable "
                                                            f"of {pretty(key)} (line {d.line})")
                        return sympy.diff(value, variables[0], node.primes)
                    raise NotCheckable(f"{pretty(key)}' without an argument, and {pretty(key)} has "
                                       f"{len(variables)} variables: by which one is not said")
                if d is not None and len(d.params) == 1 and len(self.step_calls.get(key, ())) == 1:
                    # σ' = a σ(x)(1 - σ(x)): the lone σ' is σ' at the one argument the step gives σ
                    arg = next(iter(self.step_calls[key]))
                    self.conventions["prime-at:" + key] = (f"{pretty(key)}' written alone is {pretty(key)}' at the one "
                                                           f"argument the step gives {pretty(key)}")
                    return self.value(Call(Script(base, (), None, False, node.primes), (arg,), False), env)
                raise NotCheckable(f"{key}' without an argument")
            if not node.sub and node.sup is None:
                # [σ(x)^{-1}]': the derivative by the one variable the expression has
                value = self.value(base, env)
                variables = sorted(value.free_symbols, key=lambda x: x.name)
                if len(variables) == 1:
                    self.conventions["prime-expr"] = "(...)' is the derivative by the one variable the bracket has"
                    return sympy.diff(value, variables[0], node.primes)
                raise NotCheckable(f"a prime on an expression of {len(variables)} variables: by which one is not said")
            if len(node.sub) == 1 and node.sup is None and not isinstance(base, Name):
                # \left( \frac{e^{z_j}}{\sum_k e^{z_k}} \right)'_{z_k}: the derivative by the variable written
                # under the prime (as Chinese textbooks write it)
                self.conventions["prime-sub"] = "(...)'_x is the derivative by x"
                return self.value(Deriv(base, (node.sub[0],) * node.primes, True), env)
            raise NotCheckable("a prime on an expression")
        if isinstance(base, Name):
            sup = node.sup
            if sup is not None and not node.sup_paren:
                if isinstance(sup, Name) and sup.base in ("T", "\\top", "\\intercal") and not sup.accent:
                    return self.transpose(Script(base, node.sub) if node.sub else base, env)
                if base.key == "e" and self.definition("e") is None:
                    self.conventions["e"] = "e is Euler's number"
                    return sympy.exp(self.value(sup, env))
                if isinstance(sup, Name) and len(sup.base) == 1 and sup.base in env and sup.base.islower() \
                        and (base.key in self.table.indexed or base.key in self.table.dims):
                    # s^i with i an index of this step: an index written high
                    return self.name(Script(base, node.sub + (sup,)), env)
                plain = Script(base, node.sub, None, False)
                return self.power(self.name(plain if node.sub else base, env), sup, env)
            return self.name(node, env)
        if node.sub and node.sup is None and isinstance(base, Paren) and len(base.items) == 1 \
                and isinstance(base.items[0], Call) and not base.items[0].sub:
            # [σ(a)]_i, (softmax(z))_j: the entry of a vector-valued function's value
            return self._v_Call(replace(base.items[0], sub=node.sub), env)
        if isinstance(base, Paren) and len(base.items) > 1 and not node.sub and transposed(node) is not None:
            return self.value(base, env)  # [θ_1, θ_2, θ_3]^T: the same entries, as a column
        if isinstance(base, Matrix) and not node.sub and transposed(node) is not None:
            return self.transpose(base, env)  # a written vector or matrix, transposed
        if node.sup is None and len(node.sub) == 1 and isinstance(node.sub[0], Cond) and (
                isinstance(base, Num) and base.value == "1" or isinstance(base, Name) and base.key in INDICATORS):
            # 1_{i=j}: the indicator of its condition (Kronecker's delta for i = j)
            return self.indicator(node.sub[0], env)
        inner = self.value(base, env) if not isinstance(base, (Fn,)) else None
        if node.sub:
            if isinstance(base, Paren):
                raise NotCheckable("an index on a bracket")
            raise NotCheckable("an index on an expression")
        if node.sup is not None:
            if node.sup_paren:
                raise NotCheckable("a sample index on an expression")
            return self.power(inner, node.sup, env)
        return inner

    def _v_Mul(self, node: Mul, env: dict) -> sympy.Expr:
        last = node.factors[-1]
        if len(node.factors) > 1 and isinstance(last, BigOp) and last.kind == "sum" and isinstance(last.body, Add) \
                and (printed := self.sum_as_printed(last, node, env)) is not None:
            return printed
        f, *rest = node.factors
        if len(node.factors) == 2 and isinstance(f, Num) and isinstance(rest[0], Ellipsis_):
            exact = repeating_decimal(f.value)
            if exact is None:
                raise NotCheckable(f"{f.value}... is a decimal cut short whose digits do not repeat: the value "
                                   "it stands for is not said")
            self.conventions["repeating"] = f"a decimal whose last digits repeat ({f.value}...) is the fraction they make"
            return exact
        if rest and isinstance(f, (Name, Script)) and isinstance(rest[0], Pow) and isinstance(rest[0].base, Paren) \
                and transposed_exp(rest[0]) and _key(f) and (
                    (d := self.definition(_key(f) or "")) is not None and d.params or _key(f) in self.table.called):
            # f(x)^T read as f times x^T (see the syntax stage), but f is a function here: its value
            # transposed may be meant
            raise NotCheckable(f"{pretty(_key(f) or '')}(...)^T: the transposed value of the function "
                               f"{pretty(_key(f) or '')}, or {pretty(_key(f) or '')} times the transposed bracket, "
                               "is not said")
        asked = dict(self.free)
        if any(self.matrix_algebra(f, env) for f in node.factors):
            # a transpose, a written matrix, diag or a Jacobian among the factors: the product is
            # the matrix product its shapes say, not the entry-by-entry one
            wholes = self.whole_factors(node, env)
            if wholes is not None:
                try:
                    return self.whole_product(wholes, node.op, env)
                except NotCheckable as exc:
                    if exc.args[0] != AMBIGUOUS:
                        raise
                    self.free = asked
        try:
            return self.scalar_product(node, env)
        except NotCheckable as exc:
            self.free = asked  # what the entry-by-entry attempt asked for is not what the product needs
            wholes = self.whole_factors(node, env)
            if wholes is None:
                raise
            try:
                return self.whole_product(wholes, node.op, env)
            except NotCheckable as whole_exc:
                raise (exc if whole_exc.args[0] == AMBIGUOUS else whole_exc) from None

    def row_of_a_matrix(self, f: Node) -> bool:
        """``Θ_a`` where the note writes Θ with two indices (Θ_{ij}): a row, a whole vector (as
        vector_index reads it) unless a definition says what it is."""
        if not (isinstance(f, Script) and isinstance(f.base, Name) and f.sup is None and len(f.sub) == 1):
            return False
        index = f.sub[0]
        letter = isinstance(index, Name) and len(index.base) == 1 or isinstance(index, Num) and len(index.value) == 1
        return letter and self.arity(f.base.key, 0) == 2 and self.definition(f.base.key) is None

    def scalar_product(self, node: Mul, env: dict) -> sympy.Expr:
        out = sympy.Integer(1)
        factors = list(node.factors)
        whole = [isinstance(f, Name) and not f.accent and f.key not in env and self.table.is_vector(f.key, self.scope)
                 and self.definition(f.key) is None or self.row_of_a_matrix(f) for f in factors]
        if any(a and b for a, b in zip(whole, whole[1:])):
            # \mathbf{x}\mathbf{w}: an inner, outer or entry-wise product? the note does not say
            raise NotCheckable("a product of two whole vectors written side by side (x w): inner, outer "
                               "or entry by entry is not said; write x^T w or the sum")
        for f, g in zip(factors, factors[1:]):
            # ∂J/∂θ ∂θ/∂w with θ a whole vector: a product of Jacobians, summed over θ's entries
            if isinstance(f, Deriv) and isinstance(g, Deriv) and len(f.wrt) == 1 and isinstance(f.wrt[0], Name) \
                    and isinstance(g.f, Name) and g.f == f.wrt[0] and self.table.is_vector(g.f.key, self.scope):
                # (read below as a product of whole values, when their shapes say which product)
                raise NotCheckable(f"a chain rule through the whole vector {pretty(g.f.key)}: a product of "
                                   "Jacobians (matrix calculus), which is not read here")
        k = 0
        while k < len(factors):
            f = factors[k]
            if isinstance(f, Pow) and isinstance(f.base, Call) and isinstance(f.base.func, Fn) \
                    and f.base.func.name == "log" and len(f.base.args) == 1 and not f.base.sub and k + 1 < len(factors):
                # \log(a)^t (b)^{1-t}: the log of the whole product, or of the first factor only?
                self.conventions["reading:reach"] = READINGS["reach"][0]
                if "reach" in self.other_readings:
                    inner = Mul((Pow(Paren(f.base.args), f.exp),) + tuple(factors[k + 1:]), node.op)
                    out *= self.apply_fn(f.base.func, None, env, operand=inner)
                    break
            if isinstance(f, Fn):
                if k + 1 >= len(factors):
                    raise NotCheckable(f"{f.name} with no argument")
                nxt = factors[k + 1]
                if f.name == "lim":
                    # \lim_{t \to ∞} t σ(x)(1 - σ(x)): the limit of the rest of the product
                    rest = nxt if k + 2 == len(factors) else Mul(tuple(factors[k + 1:]), node.op)
                    out *= self.limit(f, rest, env)
                    break
                if isinstance(nxt, Add) and f.name in BRACED_FUNCTIONS:
                    # \log{a + b}: TeX prints no brackets for braces, so the reader sees log a + b
                    self.conventions["reading:braces"] = READINGS["braces"][0]
                    if "braces" in self.other_readings:
                        if len(factors) != 2:
                            raise NotCheckable(f"\\{f.name}{{...}} with several terms in braces, printed without "
                                               "brackets, inside a product")
                        return self.apply_fn(f, None, env, operand=nxt.terms[0]) + \
                            sympy.Add(*[self.value(t, env) for t in nxt.terms[1:]])
                if f.name == "log" and k + 2 < len(factors) and not isinstance(nxt, (Paren, Add)):
                    # \log σ^y (1 - σ)^{1-y}: of the factor after it, or of the whole product?
                    self.conventions["reading:reach"] = READINGS["reach"][0]
                    if "reach" in self.other_readings:
                        out *= self.apply_fn(f, None, env, operand=Mul(tuple(factors[k + 1:])))
                        break
                out *= self.apply_fn(f, None, env, operand=nxt)
                k += 2
                continue
            if transposed(f) is not None and k + 1 < len(factors):
                # w^T x: the inner product of two vectors, entry by entry
                left, right = transposed(f), factors[k + 1]
                design = self.design_matrix(left)
                if design is not None:
                    out *= self.design_product(design, right, env)
                    k += 2
                    continue
                if isinstance(left, Name) and self.arity(left.key, 0) >= 2:
                    out *= self.matrix_t_vector(left.key, right, env)
                    k += 2
                    continue
                if _ones(left):
                    # 1^T v: the sum of v's entries
                    b = self.components(right, env)
                    self.conventions["ones"] = "1^T v is the sum of the entries of v (1 the vector of ones)"
                    out *= sympy.Add(*b)
                    k += 2
                    continue
                a, b = self.vector_components(left, env), self.vector_components(right, env)
                if a is None and b is None:
                    # w^T x where the note never gives w or x an entry: one-entry vectors
                    self.conventions["dot1"] = "w^T x of names the note never indexes is their product"
                    out *= self.value(left, env) * self.value(right, env)
                    k += 2
                    continue
                if a is None or b is None or len(a) != len(b) or self.table.row_vectors:
                    # (with rows for vectors, s^T s is the outer product: read below as wholes)
                    raise NotCheckable("a transpose: only products of two vectors (w^T x) are read")
                self.conventions["dot"] = "a^T b is the inner product Σ_c a_c b_c"
                out *= sympy.Add(*[x * y for x, y in zip(a, b)])
                k += 2
                continue
            if k + 1 < len(factors) and (m := self.matrix_of(f, env)) is not None \
                    and self.whole_vector(factors[k + 1], env):
                out *= self.matrix_vector(m, factors[k + 1], env, f.key if isinstance(f, Name) else "")
                k += 2
                continue
            if k + 1 < len(factors) and self.design_matrix(f) is not None and self.whole_vector(factors[k + 1], env):
                # X w: the vector of the samples' inner products x_i^T w
                out *= self.design_times(self.design_matrix(f) or "", factors[k + 1], env)
                k += 2
                continue
            if isinstance(f, Name) and f.key in INDICATORS and k + 1 < len(factors) and isinstance(factors[k + 1], Paren) \
                    and len(factors[k + 1].items) == 1 and isinstance(factors[k + 1].items[0], Cond):
                out *= self.indicator(factors[k + 1].items[0], env)
                k += 2
                continue
            out *= self.value(f, env)
            k += 1
        return out

    def _v__Applied(self, node: "_Applied", env: dict) -> sympy.Expr:
        return self.apply_fn(node.fn, None, env, operand=node.arg)

    def _v_Fn(self, node: Fn, env: dict) -> sympy.Expr:
        raise NotCheckable(f"{node.name} with no argument")

    def apply_fn(self, f: Fn, args: tuple[Node, ...] | None, env: dict, operand: Node | None = None,
                 sub: tuple[Node, ...] = ()) -> sympy.Expr:
        name = f.name
        if name in ("max", "min") and f.sub is not None and operand is not None:
            letter, values = self.bound(f.sub, operand, env)
            if values is None:
                # \max_{k=1}^{D} x_k: from the first index written to the upper bound
                assert isinstance(f.sub, Cond)
                lo, hi = self.from_to(f.sub, f.sup, letter, operand, env, name)
                if hi - lo + 1 > MAX_TERMS:
                    raise NotCheckable(f"too large to evaluate: a {name} of {hi - lo + 1} values")
                values = list(range(lo, hi + 1))
            vals = [self.value(operand, {**env, letter: v}) for v in values]
            return sympy.Max(*vals) if name == "max" else sympy.Min(*vals)
        if operand is not None:
            args = (operand,)
        assert args is not None
        if name in ("max", "min") and len(args) == 1 and f.sub is None:
            over = _set_of_entries(args[0])
            if over is not None:
                # max(\{z_i\}) and max(z_i): the largest z_i over i (max of one value would be z_i itself)
                item, letter = over
                self.conventions["max_set"] = f"{name}(z_i) and {name}{{z_i}} range over i"
                vals = [self.value(item, {**env, letter: v}) for v in self.bound(Name(letter), item, env)[1]]
                return sympy.Max(*vals) if name == "max" else sympy.Min(*vals)
        own = self.definition(name)
        if own is not None and own.params and not sub and f.sub is None and f.sup is None:
            out = self.entry_call(own, args, env)
            if out is not None:
                return out
        if name == "softmax":
            return self.softmax(args, env, sub)
        if name == "logsumexp":
            if len(args) != 1:
                raise NotCheckable("logsumexp of several arguments")
            comps = self.components(args[0], env)
            self.conventions["lse"] = "LSE(z) = log Σ_k exp(z_k)"
            return sympy.log(sympy.Add(*[sympy.exp(c) for c in comps]))
        if name == "diag" and len(args) == 1 and f.sub is None and f.sup is None:
            r, c = self.entry(env, matrix=True)
            self.conventions["diag"] = "diag(v) is the matrix with v on its diagonal"
            if r != c:
                return sympy.Integer(0)
            letters = {n.sub[0].base for n in _walk(args[0]) if isinstance(n, Script) and len(n.sub) == 1
                       and isinstance(n.sub[0], Name) and len(n.sub[0].base) == 1 and n.sub[0].base.isalpha()
                       and n.sub[0].base not in env and n.sub[0].base not in self.free}
            if len(letters) == 1:
                # diag(p_i (1 - p_i)): entry i on the diagonal (the letter is diag's own)
                return self.value(args[0], {**env, letters.pop(): r})
            return self.value(args[0], {**env, "__vec__": r})
        if name in ("max", "min") and len(args) == 1:
            comps = self.vector_components(args[0], env)
            if comps is None:
                raise NotCheckable(f"{name} of one value")
            out = sympy.Max(*comps) if name == "max" else sympy.Min(*comps)
            return self.power(out, f.sup, env) if f.sup is not None else out
        vals = [self.value(a, env) for a in args]
        if name == "log":
            if f.sub is not None:
                return sympy.log(vals[0], self.value(f.sub, env))
            if "log10" in self.other_readings:
                self.conventions["log"] = "log read in base 10"
                return sympy.log(vals[0], 10)
            if "log2" in self.other_readings:
                self.conventions["log"] = "log read in base 2"
                return sympy.log(vals[0], 2)
            self.conventions["log"] = "natural log"
            return sympy.log(vals[0])
        if name == "log10":
            return sympy.log(vals[0], 10)
        table = {"exp": sympy.exp, "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh,
                 "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sign": sympy.sign, "arctan": sympy.atan,
                 "arcsin": sympy.asin, "arccos": sympy.acos}
        if name in table and len(vals) == 1:
            out = table[name](vals[0])
        elif name == "sigmoid" and len(vals) == 1:
            self.conventions["sigma"] = "σ is the logistic sigmoid 1/(1 + e^-x)"
            out = 1 / (1 + sympy.exp(-vals[0]))
        elif name in ("max", "min") and len(vals) >= 2:
            out = sympy.Max(*vals) if name == "max" else sympy.Min(*vals)
        elif name == "factorial" and len(vals) == 1:
            out = sympy.factorial(vals[0])  # Γ(x + 1) away from the whole numbers
        elif name == "relu" and len(vals) == 1:
            self.conventions["relu"] = "ReLU(x) = max(0, x)"
            out = sympy.Max(0, vals[0])
        else:
            raise NotCheckable(f"{name} is not read")
        if f.sup is not None:
            out = self.power(out, f.sup, env)
        return out

    def matrix_t_vector(self, key: str, right: Node, env: dict) -> sympy.Expr:
        """Entry c of W^T x = Σ_i W_{ic} x_i, for a W the note writes with two indices (w_{ik})."""
        if self.arity(key, 0) != 2:
            raise NotCheckable(f"{pretty(key)} has more than two indices")
        return self.matrix_vector(key, right, env, transposed=True)

    def limit(self, f: Fn, operand: Node, env: dict) -> sympy.Expr:
        """``\\lim_{x \\to a} operand``: the limit SymPy finds, when it is a finite number (an infinite
        limit is not a value the other side can be compared with)."""
        c = f.sub
        both = False
        if isinstance(c, Cond) and isinstance(c.left, Paren) and c.left.kind == "|" and len(c.left.items) == 1 \
                and isinstance(c.left.items[0], Name):
            # \lim_{|z| \to \infty}: z going to ∞ and to -∞, the same limit both ways
            c, both = Cond(c.left.items[0], c.op, c.right), True
        if not (isinstance(c, Cond) and c.op == "->" and isinstance(c.left, Name)) or f.sup is not None:
            raise NotCheckable("a limit whose variable or point is not read")
        to = self.limit_point(c.right, env)
        if both and to != sympy.oo:
            raise NotCheckable("a limit of |x| at a point other than ∞")
        saved = self.keep
        self.keep = saved | frozenset((c.left.key,))  # (z defined as w^T x is still the limit's variable)
        try:
            value = self.value(operand, env)
        finally:
            self.keep = saved
        syms = [s for s in value.free_symbols
                if (leaf := self.leaves.get(s)) is not None and leaf.key == c.left.key and not leaf.index]
        self.conventions["lim"] = "a limit is the one SymPy finds (sympy.limit)"
        if not syms:
            return value
        try:
            out = sympy.limit(value, syms[0], to)
            if both and sympy.simplify(sympy.limit(value, syms[0], -sympy.oo) - out) != 0:
                raise NotCheckable("a limit of |x| → ∞ that differs as x → ∞ and as x → -∞")
        except (NotImplementedError, ValueError, TypeError) as exc:
            raise NotCheckable(f"a limit SymPy does not find ({type(exc).__name__})") from None
        if out.has(sympy.Limit) or out.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) or \
                isinstance(out, sympy.AccumBounds) or out.has(sympy.AccumBounds):
            raise NotCheckable("a limit that is infinite, or not found: not a value to compare")
        return out

    def limit_point(self, node: Node, env: dict) -> sympy.Expr:
        """Where a limit goes: ∞, -∞ or a number."""
        sign, inner = 1, node
        if isinstance(inner, Neg):
            sign, inner = -1, inner.arg
        if isinstance(inner, Name) and inner.key == "\\infty":
            return sign * sympy.oo
        point = self.value(node, env)
        if not point.is_number:
            raise NotCheckable("a limit at a point that is not a number")
        return point

    def matrix_vector(self, key: str, right: Node, env: dict, shown: str = "",
                      transposed: bool = False) -> sympy.Expr:
        """Entry r of W x = Σ_c W_{rc} x_c (of W^T x = Σ_c W_{cr} x_c when ``transposed``), for a W the
        note writes with two indices (W_{i,j}, or its entries w_{k,i}) and never defines, and a vector x."""
        shown = pretty(shown or key) + ("^T" if transposed else "")
        if "__vec__" not in env:
            if not self.dry:
                raise NotCheckable(f"{shown} x used as one number")
            self.free.setdefault("__vec__", "K")
            env = {**env, "__vec__": 1}
        r = env["__vec__"]
        size = self.table.size(self.vector_size(right))
        entry = f"{pretty(key)}_cr" if transposed else f"{pretty(key)}_rc"
        self.conventions["matvec:" + key + ("T" if transposed else "")] = f"({shown} x)_r = Σ_c {entry} x_c"
        return sympy.Add(*[self.named(key, (c, r) if transposed else (r, c), None, env)
                           * self.value(right, {**env, "__vec__": c}) for c in range(1, size + 1)])

    def matrix_of(self, node: Node, env: dict) -> str | None:
        """``W`` in ``W x``: a name the note writes with two indices elsewhere (W_{i,j}), never
        defines, and writes here without them."""
        if not (isinstance(node, Name) and not node.accent) or node.key in env:
            return None
        if self.definition(node.key) is not None:
            return None
        if self.arity(node.key, 0) == 2:
            return node.key
        # W ∈ R^{K×f} with its entries written w_{k,i}, or never: a matrix of free entries
        low = self.matrix_of_entries(node)
        if low is not None:
            return low
        return node.key if node.key in self.table.matrices and not self.arity(node.key, 0) else None

    def design_matrix(self, node: Node) -> str | None:
        """``X`` in ``X^T (ŷ - y)``: a capital the note never defines whose lower case is a
        per-sample vector (``x^{(i)}``): the matrix whose rows are the samples (the data matrix)."""
        if not (isinstance(node, Name) and not node.accent and len(node.base) == 1 and node.base.isupper()):
            return None
        row = node.base.lower()
        if self.definition(node.key) is not None or row not in self.table.indexed or (
                row not in self.table.sampled and row not in self.table.sample_subscript):
            return None
        return row

    def design_product(self, row: str, right: Node, env: dict) -> sympy.Expr:
        """Entry c of X^T v = Σ_i x^{(i)}_c v^{(i)}, v a quantity per sample (one number each)."""
        if "__vec__" not in env:
            if not self.dry:
                raise NotCheckable(f"{row.upper()}^T v used as a whole vector")
            self.free.setdefault("__vec__", self.table.dims.get(row, "K"))
            env = {**env, "__vec__": 1}
        if row in self.table.sample_subscript:
            return self.design_product_by_entry(row, right, env)
        for n in _walk(right):
            k = _key(n) if isinstance(n, (Name, Script)) else None
            if k and k not in self.table.sampled and self.definition(k) is None and k not in self.table.size_names:
                # X^T (p - y) with y never written per sample (y^{(i)}): which y each row meets is not said
                raise NotCheckable(f"{row.upper()}^T times {pretty(k)}, which the note never writes per sample")
        self.design_names.add(row.upper())
        self.conventions["design"] = (f"{row.upper()} is the matrix whose rows are the samples {row}^(i) "
                                      f"(the note never defines {row.upper()})")
        total = sympy.Integer(0)
        for i in range(1, self.table.size("N") + 1):
            at = {**env, "__sample__": i}
            v = self.value(right, at)
            if v != self.value(right, {**at, "__vec__": env["__vec__"] % self.table.class_size + 1}):
                raise NotCheckable(f"{row.upper()}^T times a quantity with several entries per sample")
            total += self.value(Name(row), at) * v
        return total

    def design_product_by_entry(self, row: str, right: Node, env: dict) -> sympy.Expr:
        """Entry c of X^T v = Σ_i (x_i)_c v_i where the note writes the samples x_i (w^T x_i): the
        vector v has one entry per sample, v_i (p̂_i - y_i)."""
        samples = self.table.size(self.table.dims.get(row, "N"))
        self.rows_are_samples(row)
        outer = {k: v for k, v in env.items() if k != "__vec__"}
        total = sympy.Integer(0)
        for i in range(1, samples + 1):
            sample = self.value(Script(Name(row), (Num(str(i)),)), env)
            total += sample * self.value(right, {**outer, "__vec__": i})
        return total

    def rows_are_samples(self, row: str) -> None:
        """X read as the matrix whose rows are the samples the note writes ``x_i`` (w^T x_i)."""
        self.design_names.add(row.upper())
        self.conventions["design"] = (f"{row.upper()} is the matrix whose rows are the samples {row}_i "
                                      f"(the note never defines {row.upper()}; line "
                                      f"{self.table.sample_subscript[row]} writes w^T {row}_i)")

    def design_entry(self, row: str, env: dict) -> sympy.Expr:
        """Entry (i, c) of X used whole: feature c of the sample x_i (X never defined, its rows the
        samples the note writes x_i)."""
        if self.dry:
            self.free.setdefault("__vec__", self.table.dims.get(row, "N"))
            self.free.setdefault("__col__", "K")
        r, c = self.entry(env, matrix=True)
        self.rows_are_samples(row)
        outer = {k: v for k, v in env.items() if k not in ("__vec__", "__col__")}
        return self.value(Script(Name(row), (Num(str(r)),)), {**outer, "__vec__": c})

    def design_times(self, row: str, right: Node, env: dict) -> sympy.Expr:
        """Entry i of X w = Σ_c (x_i)_c w_c, X the matrix whose rows are the samples x_i the note
        writes (w^T x_i) and w a whole vector of features: one number per sample."""
        if row not in self.table.sample_subscript:
            raise NotCheckable(f"{row.upper()} w with {row.upper()} the matrix of the samples {row}^(i): "
                               "only X w with the samples written x_i is read")
        if "__vec__" not in env:
            if not self.dry:
                raise NotCheckable(f"{row.upper()} w used as one number")
            self.free.setdefault("__vec__", self.table.dims.get(row, "N"))
            env = {**env, "__vec__": 1}
        self.rows_are_samples(row)
        outer = {k: v for k, v in env.items() if k != "__vec__"}
        sample = Script(Name(row), (Num(str(env["__vec__"])),))
        return sympy.Add(*[self.value(sample, {**outer, "__vec__": c}) * self.value(right, {**outer, "__vec__": c})
                           for c in range(1, self.table.size(self.vector_size(right)) + 1)])

    def entry_call(self, d: Definition, args: tuple[Node, ...], env: dict) -> sympy.Expr | None:
        """The note's own ``softmax(x_{ij}) = ...`` at ``x_{kl}``: its index letters take k and l."""
        if len(args) != len(d.params):
            return None
        inner = {k: v for k, v in env.items() if len(k) == 1}
        for p, a in zip(d.params, args):
            if not (isinstance(p, Script) and isinstance(a, Script) and _key(p) == _key(a)
                    and len(p.sub) == len(a.sub) and a.sup is None):
                return None
            for letter, value in zip(p.sub, a.sub):
                inner[letter.base] = self.index_value(value, env, _key(a))
        self.conventions["own:" + d.key] = f"{d.key} as the note defines it (line {d.line})"
        if d.key in self._active:
            raise NotCheckable(f"{d.key} is defined in terms of itself (line {d.line})")
        self.unfolded.setdefault(d.key, d.line)
        self._active.append(d.key)
        try:
            return self.value(d.body, inner)
        finally:
            self._active.pop()

    def cross_entropy(self, args: tuple[Node, ...], env: dict) -> sympy.Expr:
        """CE(y, ŷ) = -Σ_c y_c log ŷ_c; which argument weighs the sum notes do not agree on (CE(y, ŷ) in
        CS224n, cross_entropy(input, target) in code): the other order is the other reading."""
        p, q = (self.vector_components(a, env) for a in args)
        if p is None or q is None or len(p) != len(q):
            raise NotCheckable("CE of arguments that are not two vectors of one size")
        self.conventions["reading:ce"] = READINGS["ce"][0]
        if "ce" in self.other_readings:
            p, q = q, p
        return -sympy.Add(*[a * sympy.log(b) for a, b in zip(p, q)])

    def whole_distribution(self, arg: Node, env: dict) -> bool:
        """``p(x)`` as an argument, x no index here and p never defined: the distribution p itself."""
        return isinstance(arg, Call) and isinstance(arg.func, Name) and arg.func.key in _DISTRIBUTIONS \
            and len(arg.args) == 1 and isinstance(arg.args[0], Name) and arg.args[0].base not in env \
            and not arg.sub and self.definition(arg.func.key) is None

    def information(self, kind: str, args: tuple[Node, ...], env: dict) -> sympy.Expr:
        """H(p), H(p, q) and D_KL(p || q) where the note defines no function of as many arguments:
        entropy, cross-entropy and relative entropy of distributions over the note's classes."""
        comps = [self.vector_components(a, env) for a in args]
        if any(c is None for c in comps) or len({len(c or ()) for c in comps}) != 1:
            raise NotCheckable(f"{INFORMATION[kind][0]} of arguments that are not distributions of one size")
        self.conventions["information:" + kind] = INFORMATION[kind][1]
        p, q = comps[0], comps[-1]
        assert p is not None and q is not None
        if kind == "kl":
            return sympy.Add(*[a * sympy.log(a / b) for a, b in zip(p, q)])
        return -sympy.Add(*[a * sympy.log(b) for a, b in zip(p, q)])

    def vector_components(self, node: Node, env: dict) -> list[sympy.Expr] | None:
        """The entries of a vector-valued expression, or None when it does not vary with the entry."""
        size = self.table.size(self.vector_size(node))
        saved = self.dry
        try:
            comps = self.entries_of(node, env, size, self.first_entry(node))
        finally:
            self.dry = saved
        return comps if len(set(comps)) > 1 else None

    def entries_of(self, node: Node, env: dict, size: int, first: int = 1) -> list[sympy.Expr]:
        """Every entry of a whole vector an operation reads (max(x), softmax(z)): whole by meaning,
        so they are not the step's own entry-by-entry reading (see by_letter). ``first``: the
        number of the first entry (0 where the note sums the vector's size as 0..N-1)."""
        saved = set(self.whole_entry)
        try:
            return [self.value(node, {**env, "__vec__": c}) for c in range(first, first + size)]
        finally:
            self.whole_entry = saved

    def first_entry(self, node: Node) -> int:
        """0 where the note counts a vector's entries from 0 (its size summed as 0..N-1), else 1."""
        return 0 if self.vector_size(node) in self.table.zero_based else 1

    def components(self, node: Node, env: dict) -> list[sympy.Expr]:
        """A vector argument's components (softmax(z), LSE(z/T)), from its first entry on."""
        size_name = self.vector_size(node)
        comps = self.entries_of(node, env, self.table.size(size_name), self.first_entry(node))
        if len(set(comps)) == 1 and len(comps) > 1:
            raise NotCheckable("softmax of a single entry: the vector it normalises over is not named")
        return comps

    def vector_size(self, node: Node) -> str:
        return self.run_size(node) or "K"

    def softmax(self, args: tuple[Node, ...], env: dict, sub: tuple[Node, ...]) -> sympy.Expr:
        if len(args) != 1:
            raise NotCheckable("softmax of several arguments")
        arg = args[0]
        entries = {n for n in _walk(arg) if isinstance(n, Script) and isinstance(n.base, Name) and n.sup is None
                   and len(n.sub) == 1 and (isinstance(n.sub[0], Num) or isinstance(n.sub[0], Name)
                                            and len(n.sub[0].base) == 1)
                   and self.table.is_vector(_key(n.base) or "", self.scope)}
        indices = {n.sub[0] for n in entries}
        if not sub and len(indices) == 1 and not any(isinstance(n, BigOp) for n in _walk(arg)):
            # softmax(z_i), softmax(x_i - b), softmax(z_i / T): the softmax of one number would be
            # 1; written for entry i of the softmax of the vector each entry of which is that
            # expression (z, x - b, z / T)
            whole = transform(arg, lambda n: n.base if n in entries else n)
            self.conventions["softmax-entry"] = ("softmax(z_i) is entry i of softmax(z) (softmax(z_i - b) of "
                                                 "softmax(z - b))")
            return self.softmax((whole,), env, tuple(indices))
        comps = self.components(args[0], env)
        if sub:
            j = self.index_value(sub[0], env, None)
        elif "__vec__" in env:
            j = env["__vec__"]
        elif self.dry:
            self.free.setdefault("__vec__", self.vector_size(args[0]))
            j = 1
        else:
            raise NotCheckable("softmax used as a whole vector")
        first = self.first_entry(args[0])
        if not first <= j < first + len(comps):
            raise NotCheckable(f"softmax component {j} is outside {first}..{first + len(comps) - 1}")
        self.conventions["softmax"] = "softmax(z)_j = e^{z_j} / Σ_k e^{z_k}"
        return sympy.exp(comps[j - first]) / sympy.Add(*[sympy.exp(c) for c in comps])

    def _v_Call(self, node: Call, env: dict) -> sympy.Expr:
        whole = tuple(Name(a.func.key) if self.whole_distribution(a, env) else a for a in node.args)
        if whole != node.args:
            # H(p(x)): the entropy of the distribution p, written with its outcome
            self.conventions["distribution"] = "H(p(x)) is H of the distribution p"
            node = replace(node, args=whole)
        func = node.func
        if isinstance(func, Fn):
            return self.apply_fn(func, node.args, env, sub=node.sub)
        if isinstance(func, Name) and func.key == "CE" and len(node.args) == 2 and not node.sub \
                and self.definition(func.key) is None:
            return self.cross_entropy(node.args, env)
        information = information_call(node)
        if information is not None and self.table.lookup(_key(func) or "", self.order, self.scope,
                                                          arity=len(node.args)) is None:
            return self.information(information, node.args, env)
        if isinstance(func, Name) and func.key in INDICATORS and len(node.args) == 1 and isinstance(node.args[0], Cond) \
                and not node.sub and self.definition(func.key) is None:
            # \mathbb{1}(j = j^*): the indicator of its condition
            return self.indicator(node.args[0], env)
        t = transposed(func)
        if t is not None and len(node.args) == 1 and not node.sub and self.design_matrix(t) is not None:
            return self.design_product(self.design_matrix(t), node.args[0], env)  # X^T(ŷ - y)
        if isinstance(func, Script) and not func.sub and not func.sup_paren and isinstance(func.sup, Neg) \
                and isinstance(func.sup.arg, Num) and func.sup.arg.value == "1":
            return self.inverse(func.base, node, env)
        primes = func.primes if isinstance(func, Script) else 0
        base = func.base if isinstance(func, Script) and not func.sub and func.sup is None else func
        if isinstance(base, Fn) and primes and len(node.args) == 1 and not node.sub and base.sub is None \
                and base.sup is None:
            # \tanh'(x): the known function's derivative, taken at the argument
            t = sympy.Dummy("t", real=True)
            at = self.apply_fn(base, None, env, operand=_Held(t))
            self.conventions["prime-fn"] = f"{base.name}' is the derivative of {base.name}"
            return sympy.diff(at, t, primes).subs(t, self.value(node.args[0], env))
        key = _key(base)
        if key is None:
            raise NotCheckable("a call of an expression")
        d = self.definition(key)
        if d is not None and d.params and len(node.args) != len(d.params):
            # H(p, q) beside H(p): the function of as many arguments as written, if the note defines one
            d = self.table.lookup(key, self.order, self.scope, arity=len(node.args)) or d
        outcome = outcome_letter(node.args[0]) if len(node.args) == 1 else None
        if d is None and not primes and not node.sub and isinstance(base, Name) and outcome is not None \
                and isinstance(env.get(outcome), int) and key not in self.generic and key not in self.table.aliases \
                and (isinstance(node.args[0], Name) or key in _DISTRIBUTIONS):
            # \sum_x p(x) \log q(x), \sum_j p(x_j): a distribution never defined, at the sum's (or the
            # step's) index, is its entry there (as p_x, p_j)
            self.conventions["entry-call"] = "p(x) and p(x_j) at an index x or j are the entries p_x, p_j"
            if key in _DISTRIBUTIONS:
                self.probabilities.add(key)
            return self.value(Script(base, (Name(outcome),)), env)
        if d is None and key in self.generic and len(node.args) == 1 and not node.sub and isinstance(base, Name) \
                and self.one_number(node.args[0], env):
            # f(y) with f never defined, tried as any function: of the argument it is called with
            fn = self.any_function(key, (), f"{pretty(key)} is never defined here: taken as any function of the "
                                   "argument it is written with")
            arg = self.value(node.args[0], env)
            if not primes:
                return fn(arg)
            t = sympy.Symbol("_t", real=True)
            return sympy.diff(fn(t), t, primes).subs(t, arg)
        if key == "\\sigma" and d is not None and d.source.startswith("convention:"):
            d = None  # σ alone stands for σ(z) by convention; σ(u) is the function itself
        if d is not None and not d.params and d.written_args and not primes and not node.sub:
            if d.written_args != node.args:
                raise NotCheckable(f"{pretty(key)} is defined as a value of its arguments' names (line {d.line}), "
                                   "and is written here with other arguments")
            return self.value(func, env)  # ℓ_i(w): the entry i of ℓ
        if d is None and key in self.table.aliases and not primes:
            return self.aliased(key, node, env)
        if node.maybe and not primes and not node.sub and len(node.args) == 1 and isinstance(func, Name) \
                and bare_in(node.args[0], key):
            # σ(1 - σ): the bare σ inside says σ is a value here, so this is σ times (1 - σ)
            self.conventions["own-product:" + key] = (f"{pretty(key)}(1 - {pretty(key)}) is {pretty(key)} times "
                                                      f"(1 - {pretty(key)}) (the bracket holds {pretty(key)} itself)")
            return self.value(Mul((base, Paren(node.args, "("))), env)
        if d is not None and d.params and key in self.keep and not primes and not node.sub:
            # \partial / \partial h of log h(x): the function's value is the variable here
            value = self.unfold(d, (), None, env, tuple(self.value(a, env) for a in node.args))
            sym = self.leaf(key, (), None)
            if self.kept_values.setdefault(sym, value) != value:
                raise NotCheckable(f"a derivative by {pretty(key)}, which takes several values here")
            return sym
        if d is not None and d.params and d.indices and not primes and not node.sub \
                and isinstance(func, Script) and func.sub and len(node.args) == 1 \
                and all(isinstance(p, Script) and p.sub for p in d.params) \
                and not any(isinstance(a, (Name, Script)) and _key(a) == _key(p) for a, p in zip(node.args, d.params)):
            # y_i(z_i) = ... defines the entry y_i as a function of z_i; y_k (1 - y_i) is a product
            return self.value(func, env) * self.value(node.args[0], env)
        if d is not None and d.params and not primes and not node.sub and isinstance(func, Script) and func.sub \
                and len(node.args) == 1 and any(isinstance(n, (Name, Script)) and _key(n) == key
                                                for n in _walk(node.args[0])):
            # σ_i(1 - σ_i) with σ_i(z) = ...: a function is not applied to an expression of its own
            # value; the entry σ_i times the bracket
            self.conventions["entry-times:" + key] = (f"{pretty(key)}_i(...) of an expression holding "
                                                      f"{pretty(key)} is the entry {pretty(key)}_i times it")
            return self.value(func, env) * self.value(node.args[0], env)
        if d is not None and d.params and not primes and _vector_params(d) and len(node.args) == len(d.params):
            # σ(z)_i = e^{z_i} / Σ_j e^{z_j} at σ(a) or s(x + c): z_k is entry k of the argument
            self.called.add(key)
            self.called_args.setdefault(key, set()).add(node.args)
            index = tuple(self.index_value(n, env, None) for n in _call_index(node, d))
            if len(index) != len(d.indices):
                raise NotCheckable(f"{pretty(key)}(...) needs {len(d.indices)} index(es) (line {d.line})")
            return self.unfold(d, index, None, env, arg_nodes=node.args)
        if d is not None and d.params and len(node.args) != len(d.params):
            # H(p) beside H(p, q) = -Σ p_k log q_k: another function by the same letter (the entropy)
            raise NotCheckable(f"{pretty(key)} is defined with {len(d.params)} argument(s) (line {d.line}) and "
                               f"written here with {len(node.args)}: another function by the same letter?")
        if d is not None and d.params and (through := self._reparametrized(d, node.args)) is not None:
            param, inner = through
            raise NotCheckable(f"{pretty(key)} is defined as a function of {pretty(param.key)} (line {d.line}), which the "
                               f"note defines through {pretty(inner.key)} (line {self.definition(param.key).line}): "
                               f"whether {pretty(key)}({pretty(inner.key)}) is {pretty(key)} at {pretty(param.key)} = "
                               f"{pretty(inner.key)} or the same quantity written by {pretty(inner.key)} is not said")
        if d is not None and d.params:
            args = tuple(self.value(a, env) for a in node.args)
            self.called.add(key)
            self.called_args.setdefault(key, set()).add(node.args)
            if primes:
                return self.derivative_of_function(d, args, primes, env, node.args)
            if d.indices:
                if len(_call_index(node, d)) != len(d.indices):
                    raise NotCheckable(f"{pretty(key)}(...) needs {len(d.indices)} index(es) (line {d.line})")
                index = tuple(self.index_value(n, env, None) for n in _call_index(node, d))
                return self.unfold(d, index, None, env, args)
            out = self.unfold(d, (), None, env, args)
            return self.indexed_result(out, node, env)
        if key == "\\sigma" and d is None:
            if self.table.about_softmax and not (len(node.args) == 1 and self.one_number(node.args[0], env)):
                raise NotCheckable("σ is never defined here, and the note speaks of softmax, which is also "
                                   "written σ: define σ or pass --define")
            self.conventions["sigma"] = "σ is the logistic sigmoid 1/(1 + e^-x)"
            if self.table.about_softmax:
                # σ(0) = 0.5 in a note about softmax: the sigmoid's value agreeing is its reading,
                # but σ(1.0) = e^1 / Σ_k e^{z_k} is softmax at an entry, no slip (verdict: no WRONG)
                self.conventions["sigma-beside-softmax"] = "σ of a number is read as the sigmoid, though the note speaks of softmax"
            if len(node.args) != 1:
                raise NotCheckable("σ of several arguments")
            x = sympy.Symbol("_x", real=True)
            s = 1 / (1 + sympy.exp(-x))
            for _ in range(primes):
                s = sympy.diff(s, x)
            return s.subs(x, self.value(node.args[0], env))
        if primes:
            raise NotCheckable(f"{key}' is the derivative of a function the note never defines")
        # not a function: a product such as p_i(1 - p_i) or y(1 - y)
        if self.product_call(node, d) is not None:
            named = self.named_with_variables(node, d, env)
            if named is not None:
                return named
            if node.sub:
                raise NotCheckable(f"{pretty(key)}(...) with an index: {pretty(key)} is used as a function "
                                   "but never defined as one")
            if len(node.args) != 1:
                raise NotCheckable(f"{key}(...) with several arguments, but {key} is not a function")
            return self.value(func, env) * self.value(node.args[0], env)
        raise NotCheckable(f"{pretty(key)} is never defined here (a function or a factor?): "
                           f"write {pretty(key)}(x) = ... or pass --define")

    def named_with_variables(self, node: Call, d: Definition | None, env: dict) -> sympy.Expr | None:
        """``L(w)``, ``J(w, b)`` for an ``L`` defined as a value: the value, written with the variables
        it depends on (functional notation), when every argument is a name its value contains."""
        if d is None or d.params or node.sub or not all(
                (isinstance(a, Name) or isinstance(a, Script) and not a.sub) and _key(a) for a in node.args):
            return None  # (z(x_1, x_2) = w_1 x_1 + w_2 x_2 + b: entries, a case of z, not z itself)
        value = self.value(node.func, env)
        keys = {self.leaves[x].key for x in value.free_symbols if x in self.leaves}
        if not all(_key(a) in keys for a in node.args):
            return None
        self.conventions["variables:" + d.key] = (f"{pretty(d.key)}({', '.join(_source_of(a) for a in node.args)}) is "
                                                  f"{pretty(d.key)}, written with the variables it depends on")
        return value

    def one_number(self, node: Node, env: dict) -> bool:
        """σ(w^T x + b), σ(a): an argument that is one number, no vector and no entry of one (a softmax
        of it would be 1, so σ there is the sigmoid); σ(z_i) and σ(z) stay unsaid in a softmax note."""
        if isinstance(node, Script) and node.sub and self.table.is_vector(_key(node.base) or "", self.scope):
            return False
        try:
            return self.shape(node, env) == "S" and not (isinstance(node, (Name, Script)) and
                                                         self.table.is_vector(_key(node) or "", self.scope))
        except NotCheckable:
            return False

    def product_call(self, node: Call, d: Definition | None = None) -> bool | None:
        """``p_i(1 - p_i)``, ``y(1 - y)``: a "call" of a value that is no function, a product."""
        func = node.func
        key = _key(func) if isinstance(func, (Name, Script)) else None
        if not node.maybe or key is None or (isinstance(func, Script) and func.primes):
            return None
        d = d if d is not None else self.definition(key)
        if (d is not None and d.params) or key == "\\sigma" or key in self.table.aliases:
            return None
        known_value = d is not None or key in self.table.declared or key in self.table.plain or \
            (isinstance(func, Script) and bool(func.sub))
        return True if known_value and key not in self.table.called - self.table.plain else None

    def aliased(self, key: str, node: Call, env: dict) -> sympy.Expr:
        """A function the prose names ("$\\sigma(A_i)$ is the softmax function applied to the logit
        $A_i$"): softmax of the vector whose entry is the argument, or the sigmoid of it."""
        what, line = self.table.aliases[key]
        self.conventions["alias:" + key] = f"{pretty(key)} is the {what} (the note says so, line {line})"
        if len(node.args) != 1:
            raise NotCheckable(f"{pretty(key)} of several arguments")
        arg = node.args[0]
        if what == "sigmoid":
            if node.sub:
                raise NotCheckable(f"an index on {pretty(key)}(...)")
            return 1 / (1 + sympy.exp(-self.value(arg, env)))
        if isinstance(arg, Script) and isinstance(arg.base, Name) and len(arg.sub) == 1 and not node.sub:
            vector, index = Name(arg.base.key) if not arg.base.accent else arg.base, arg.sub
        elif isinstance(arg, (Name, Script)) and len(node.sub) == 1:
            vector, index = arg, node.sub
        else:
            raise NotCheckable(f"{pretty(key)}(...) as a softmax needs an entry A_i or an index: σ(A)_i")
        return self.softmax((vector,), env, index)

    def indexed_result(self, out: sympy.Expr, node: Call, env: dict) -> sympy.Expr:
        if node.sub:
            raise NotCheckable("an index on a function's value")
        return out

    def inverse(self, f: Node, node: Call, env: dict) -> sympy.Expr:
        """``σ^{-1}(y)``: the inverse function (never 1/σ(y)); the logistic sigmoid's is the logit."""
        key = _key(f) if isinstance(f, (Name, Script)) else None
        if key == "\\sigma" and self.definition(key) is None and not self.table.about_softmax \
                and len(node.args) == 1:
            self.conventions["sigma"] = "σ is the logistic sigmoid 1/(1 + e^-x)"
            self.conventions["logit"] = "σ^{-1} is the inverse of the sigmoid: log(y / (1 - y))"
            y = self.value(node.args[0], env)
            return sympy.log(y / (1 - y))
        d = self.definition(key) if key else None
        if d is not None and len(d.params) == 1 and not d.indices and len(node.args) == 1:
            # the note's own f: solved for its variable, when that has one solution
            x, t = sympy.Symbol("_arg", real=True), sympy.Symbol("_value", real=True)
            body = self.unfold(d, (), None, env, (x,))
            try:
                solutions = [r for r in sympy.solve(sympy.Eq(body, t), x) if not r.has(sympy.I)]
            except (NotImplementedError, TypeError, ValueError):
                solutions = []
            if len(solutions) == 1:
                self.conventions["inverse:" + d.key] = (f"{pretty(d.key)}^{{-1}} is the inverse of {pretty(d.key)} "
                                                        f"(line {d.line})")
                return solutions[0].subs(t, self.value(node.args[0], env))
        raise NotCheckable(f"{pretty(key or 'f')}^{{-1}}: an inverse function, which is not computed here")

    def derivative_of_function(self, d: Definition, args, primes: int, env: dict,
                               arg_nodes: tuple[Node, ...] = ()) -> sympy.Expr:
        if len(d.params) != 1:
            raise NotCheckable(f"{d.key}' of a function of several variables")
        param, at = d.params[0], arg_nodes[0] if arg_nodes else None
        if isinstance(param, (Name, Script)) and isinstance(at, Script) and _key(param) == _key(at) \
                and param != at and _letters(at):
            # f(z_j) = e^{z_j} and f'(z_i): f's derivative at z_i, or ∂f(z_j)/∂z_i (as such notes
            # often mean, e^{z_j} δ_ij)? g(z) = Σ_c e^{z_c} and g'(z_i): ∂g/∂z_i, or g' at one entry?
            f, a, p = pretty(d.key), _entry_text(at), _entry_text(param)
            raise NotCheckable(f"{f}' at {a}, while {f} is defined on {p} (line {d.line}): the derivative of {f} "
                               f"taken at {a}, or the derivative by {a} of {f}({p}), is not said")
        x = sympy.Symbol("_arg", real=True)
        body = self.unfold(d, (), None, env, (x,))
        for _ in range(primes):
            body = sympy.diff(body, x)
        return body.subs(x, args[0])

    def bound(self, sub: Node, body: Node, env: dict) -> tuple[str, list[int]]:
        """The index letter and values of a sum's or max's subscript."""
        if isinstance(sub, Cond) and not isinstance(sub.left, Name):
            sub = entry_condition(sub) or sub  # \sum_{z_i \neq z_k}: over i, i ≠ k
        if isinstance(sub, Name) and len(sub.base) == 1:
            letter = sub.base
            size = self.index_size(letter, body)
            return letter, list(range(1, self.table.size(size) + 1))
        if isinstance(sub, Cond) and isinstance(sub.left, Name) and len(sub.left.base) == 1:
            letter = sub.left.base
            if sub.op == "=":
                return letter, None  # type: ignore[return-value]  # resolved by the caller with the upper bound
            if sub.op == "!=":
                other = self.index_value(sub.right, env, None)
                size = self.index_size(letter, body)
                return letter, [v for v in range(1, self.table.size(size) + 1) if v != other]
            if sub.op == "in":
                right = sub.right
                if isinstance(right, Paren) and right.kind == "{":
                    return letter, self.listed_values(right)
                if isinstance(right, Name) and right.key in self.table.sizes | {"K": 0, "N": 0, "C": 0, "V": 0} :
                    return letter, list(range(1, self.table.size(right.key) + 1))
                words = right.factors if isinstance(right, Mul) else (right,)
                if all(isinstance(w, Name) and self.definition(w.key) is None and w.key not in self.table.indexed
                       for w in words):
                    # \sum_{w \in Vocab}, \sum_{x \in \mathcal{X}}: a set the note never lists, whose members
                    # are what its terms index (as \sum_w with no bounds)
                    self.conventions["set"] = "a sum over a set the note never lists runs over the entries its terms index"
                    size = self.index_size(letter, body)
                    return letter, list(range(1, self.table.size(size) + 1))
                raise NotCheckable("a sum over a set")
        raise NotCheckable("a sum or max whose index is not read")

    def listed_values(self, listed: Paren) -> list[int]:
        """``\\{1, \\dots, K\\}``, ``\\{1,2,...,n\\}``, ``\\{1, 2, 3\\}``: the index values a set lists."""
        items = listed.items
        dots = [k for k, x in enumerate(items) if _is_dots(x)]
        if not dots:
            return [self.index_value(x, {}, None) for x in items]
        if len(dots) != 1 or dots[0] == 0 or dots[0] != len(items) - 2:
            raise NotCheckable("a set written with dots that do not stand between its first values and its last")
        first = [self.index_value(x, {}, None) for x in items[:dots[0]]]
        if first != list(range(first[0], first[0] + len(first))):
            raise NotCheckable("a set written with dots after values that are not consecutive")
        end = self.dots_end(items[-1])
        if end - first[0] > MAX_TERMS:
            raise NotCheckable(f"too large to evaluate: a set of {end - first[0] + 1} values")
        return list(range(first[0], end + 1))

    def index_size(self, letter: str, body: Node) -> str:
        for n in _walk(body):
            if isinstance(n, Script) and isinstance(n.base, Name):
                if any(isinstance(s, Name) and s.base == letter for s in n.sub):
                    k = _key(n)
                    if k in self.table.dims:
                        return self.table.dims[k]
                if n.sup_paren and isinstance(n.sup, Name) and n.sup.base == letter:
                    return "N"
        return "K"

    def size_value(self, node: Node, env: dict, what: str) -> int:
        """A sum's upper bound: a number, or a size name (K, N, m, C, |V|) at its instantiated value."""
        if isinstance(node, Paren) and node.kind == "|" and len(node.items) == 1:
            node = node.items[0]
        if isinstance(node, Name) and not node.accent and node.base in env and isinstance(env[node.base], int):
            return env[node.base]  # w_k = (1/k) Σ_{i=1}^k x_i: the bound is the index's value here
        if isinstance(node, (Name, Script)) and not (isinstance(node, Script) and (
                node.sup or not all(is_label(x) for x in node.sub))):
            # (n_{hidden}: a size named with a label)
            key = _key(node)
            if key and self.definition(key) is None and key not in self.table.indexed:
                return self.table.size(key)
            if key and (alias := self._size_alias(key)) is not None:
                return self.table.size(alias)
        v = self.value(node, env)
        if not v.is_Integer:
            raise NotCheckable(f"the {what}'s upper bound {v} is not a number")
        return int(v)

    def _reparametrized(self, d: Definition, args: tuple[Node, ...]) -> tuple[Name, Name] | None:
        """"Let z = e^x and σ(z) = z/(z + 1)", then σ(x): a function whose parameter the note also
        defines, called at a name that parameter's definition is written in. σ(z) is then the
        sigmoid written through z, and σ(x) the same quantity, or x/(x + 1): (the parameter, the
        name) when the call is so, else None."""
        for param, arg in zip(d.params, args):
            if not (isinstance(param, Name) and isinstance(arg, Name)) or arg.key == param.key:
                continue
            inner = self.definition(param.key)
            if inner is not None and not inner.params and any(
                    isinstance(n, Name) and n.key == arg.key for n in _walk(inner.body)):
                return param, arg
        return None

    def _size_alias(self, key: str) -> str | None:
        """``K = n_y`` ("where K = n_y is the number of classes"): a size defined as another name
        that the note never defines and never indexes by a running letter is that size under a
        second name, not a value to compute (``n_y`` would read as n at the index y). The name
        whose size is used, or None."""
        seen = {key}
        while (d := self.definition(key)) is not None:
            if d.params or d.indices or not isinstance(d.body, (Name, Script)):
                return None
            body = d.body
            if isinstance(body, Script) and (body.sup or not all(is_label(x) or isinstance(x, Name) for x in body.sub)):
                return None
            key = _key(body) if isinstance(body, Name) or all(is_label(x) for x in body.sub) else \
                body.base.key + "_" + "".join(x.base for x in body.sub if isinstance(x, Name))
            if not key or key in seen or key in self.table.indexed:
                return None
            seen.add(key)
        return key

    def sum_as_printed(self, node: BigOp, product: Mul | None, env: dict) -> sympy.Expr | None:
        """``\\sum_k{e^{z_k} - (e^{z_i})^2}``, alone or ending ``product``: TeX prints no brackets for the
        braces, so the reader sees the sum of the first term and then the others (outside any product
        before it). The value so read when that reading is asked for (see verdict.judge), else None."""
        self.conventions["reading:sum braces"] = READINGS["sum braces"][0]
        if "sum braces" not in self.other_readings:
            return None
        first, *others = node.body.terms
        head: Node = replace(node, body=first)
        if product is not None:
            head = replace(product, factors=product.factors[:-1] + (head,))
        return self.value(Add((head, *others)), env)

    def _v_BigOp(self, node: BigOp, env: dict) -> sympy.Expr:
        if node.kind == "sum" and isinstance(node.body, Add) and (printed := self.sum_as_printed(node, None, env)) \
                is not None:
            return printed
        if node.sub is None:
            # \sum y_k: the index is the one letter of the body that nothing else binds
            letters = sorted(_body_letters(node.body) - set(env))
            if len(letters) != 1 or node.sup is not None:
                raise NotCheckable(f"a {node.kind} without its index")
            node = BigOp(node.kind, Name(letters[0]), None, node.body)
        letter, values = self.bound(node.sub, node.body, env)
        if isinstance(node.sub, Cond) and any(isinstance(n, Name) and n.base == letter for n in _walk(node.sub.right)):
            raise NotCheckable(f"the {node.kind} over {letter} starts at {letter} itself ({letter}={letter}): where it "
                               "starts is not said")
        if values is None and node.sup is None and node.sub.op == "=" and isinstance(node.sub.right, Name) \
                and len(node.sub.right.base) == 1 and node.sub.right.base.islower() and node.sub.right.base in env:
            # -\sum_{i=j} \frac{y_i}{P_i} ... - \sum_{i \neq j} ...: with no upper bound, "i = j" picks
            # the one term, as "i ≠ j" picks the others (a run from j to the end would write its end)
            values = [self.index_value(node.sub.right, env, None)]
            self.conventions["sum at"] = f"\\sum_{{{letter}={node.sub.right.base}}} with no upper bound is its one term " \
                f"{letter} = {node.sub.right.base}"
        if values is None:
            assert isinstance(node.sub, Cond)
            lo, hi = self.from_to(node.sub, node.sup, letter, node.body, env, node.kind)
            if hi - lo + 1 > MAX_TERMS:
                return self.closed_form(node, letter, lo, hi, env)
            values = list(range(lo, hi + 1))
        for c in node.where:
            # \sum_{j=1, j \neq i}: the terms whose index meets the condition
            c = entry_condition(c) or c
            values = [v for v in values if self.condition(c, {**env, letter: v}) == 1]
        outside: tuple[Node, ...] = ()
        if node.kind == "prod" and isinstance(node.body, Mul):
            # \prod_i \phi_i^{T_i} \cdot \phi_k^{...}: the factors after the last one with i may be
            # inside the product (a power k - 1 of them) or after it
            factors = node.body.factors
            cut = len(factors)
            while cut > 1 and not any(isinstance(n, Name) and n.base == letter for n in _walk(factors[cut - 1])):
                cut -= 1
            if cut < len(factors):
                self.conventions["reading:prod"] = READINGS["prod"][0]
                if "prod" in self.other_readings:
                    outside = factors[cut:]
                    node = replace(node, body=Mul(factors[:cut]) if cut > 1 else factors[0])
        for c in env.get("__restrict__", ()):
            # "when i = k" about this sum's index: only the terms the case names
            if letter in (getattr(c.left, "base", None), getattr(c.right, "base", None)):
                values = [v for v in values if self.condition(c, {**env, letter: v}) == 1]
                self.conventions["case"] = f"the case {cond_text(c)} picks terms of the sum over {letter}"
        self.terms += len(values)
        if self.terms > 20 * MAX_TERMS:
            raise NotCheckable("too large to evaluate")
        inside = _shadowed(env, letter)
        vals = [self.value(node.body, {**inside, letter: v}) for v in values]
        if node.kind == "sum":
            return sympy.Add(*vals)
        return sympy.Mul(*vals, *[self.value(f, env) for f in outside])

    def from_to(self, sub: Cond, sup: Node | None, letter: str, body: Node, env: dict, kind: str) -> tuple[int, int]:
        """The first and last index of ``\\sum_{k=1}^{n}`` (or ``\\max_{k=1}^{n}``); with no upper
        bound written, the size of what the body indexes with k."""
        lo = self.index_value(sub.right, env, None)
        hi = self.size_value(sup, env, kind) if sup is not None else self.table.size(self.index_size(letter, body))
        return lo, hi

    def closed_form(self, node: BigOp, letter: str, lo: int, hi: int, env: dict) -> sympy.Expr:
        """A sum too long to expand, whose index is only a value (sum_{k=1}^{5000} k^2): SymPy's
        closed form; anything else is too large."""
        indexed = any(isinstance(n, Script) and any(isinstance(x, Name) and x.base == letter for x in n.sub)
                      for n in _walk(node.body))
        if indexed or node.kind != "sum":
            raise NotCheckable(f"too large to evaluate: a {node.kind} of {hi - lo + 1} terms")
        k = sympy.Symbol(letter, integer=True)
        body = self.value(node.body, {**env, letter: k})
        if body.free_symbols - {k} or not body.is_polynomial(k):
            raise NotCheckable(f"too large to evaluate: a {node.kind} of {hi - lo + 1} terms")
        return sympy.summation(body, (k, lo, hi))

    def _v_Cases(self, node: Cases, env: dict) -> sympy.Expr:
        if any(c.op in _ORDER for _, conds in node.rows for c in conds or ()):
            # 1/(1 + e^{-z}) if z >= 0, e^z/(1 + e^z) if z < 0: branches on a value, which varies from
            # point to point (NaN where no branch holds)
            pieces = []
            for value, conds in node.rows:
                held = sympy.And(*[_ORDER[c.op](self.value(c.left, env), self.value(c.right, env)) if c.op in _ORDER
                                   else sympy.Eq(self.condition(c, env), 1) for c in conds or ()])
                pieces.append((self.value(value, env), held))
            return sympy.Piecewise(*pieces, (sympy.nan, True))
        for value, conds in node.rows:
            if conds is None or all(self.condition(c, env) == 1 for c in conds):
                return self.value(value, env)
        raise NotCheckable("no case applies")

    def _v_Matrix(self, node: Matrix, env: dict) -> sympy.Expr:
        rows = self.written_out(node)
        if len(rows) == 1 and len(rows[0]) == 1:
            # y = [1], b^{[2]} = [0.05]: a one-unit layer's vector of one entry is that number
            return self.value(rows[0][0], env)
        size = self.table.size(self.vector_size(node))
        if all(len(r) == 1 for r in rows) or len(rows) == 1:
            entries = [r[0] for r in rows] if len(rows) > 1 or len(rows[0]) == 1 else list(rows[0])
            if len(entries) != size:
                raise NotCheckable(f"a vector of {len(entries)} entries where the note's vectors have {size} (--K)")
            r, _ = self.entry(env, matrix=False)
            return self.value(entries[r - 1], env)
        if len(rows) != size or any(len(r) != size for r in rows):
            raise NotCheckable(f"a {len(rows)}x{max(len(r) for r in rows)} matrix where the note's vectors have "
                               f"{size} entries (--K)")
        r, c = self.entry(env, matrix=True)
        return self.value(rows[r - 1][c - 1], {k: v for k, v in env.items() if k not in ("__vec__", "__col__")})

    def through_definition(self, f: sympy.Expr, wrt: list, absent: list[str], env: dict) -> sympy.Expr:
        """∂L/∂z where L is written with w^T x + b and the note defines z = w^T x + b: L as a function
        of z, when z's value can be put back in for every occurrence of what it is made of (so
        ∂/∂z has one meaning: nothing else in L moves with z's variables)."""
        for w in wrt:
            leaf = self.leaves.get(w)
            if leaf is None or leaf.key not in absent:
                continue
            d = self.definition(leaf.key)
            if d is None or d.params:
                continue
            try:
                value = self.unfold(d, leaf.index, leaf.sample, {k: v for k, v in env.items() if k == "__params__"})
            except NotCheckable:
                continue
            made_of = value.free_symbols
            if not made_of or isinstance(value, sympy.Symbol):
                continue
            g = f.subs(value, w)
            if w in g.free_symbols and not g.free_symbols & made_of:
                self.conventions["through:" + leaf.key] = (
                    f"∂/∂{pretty(leaf.key)} of an expression written with {pretty(leaf.key)}'s definition "
                    f"(line {d.line}) in place of {pretty(leaf.key)}")
                f = g
        return f

    def derivative_by_expression(self, node: Deriv, env: dict) -> sympy.Expr:
        """∂ log σ(a) / ∂ σ(a): the expression taken as the variable, as the chain rule is written."""
        if len(node.wrt) != 1:
            raise NotCheckable("a derivative with respect to several expressions")
        f = self.value(node.f, env)
        w = self.value(node.wrt[0], env)
        if isinstance(w, sympy.Symbol):
            return sympy.diff(f, w)
        t = sympy.Symbol("_wrt", real=True)
        g = f.subs(w, t)
        if t not in g.free_symbols:
            raise NotCheckable("a derivative with respect to an expression that the function does not contain")
        self.conventions["wrt"] = "∂/∂(an expression) treats that expression as the variable"
        return sympy.diff(g, t).subs(t, w)

    def _v_Integral(self, node: Integral, env: dict) -> sympy.Expr:
        # Quadrature is not reliable enough for a verdict (a narrow density at a sampled σ near 0
        # integrates to 0), and SymPy's closed forms assume its parameters' signs (∫ q dz comes
        # back as σ/|σ|): an integral's value is never computed. It is read as an opaque linear
        # map of its integrand, so that the judge can compare integrals of one variable over one
        # range by their integrands (∫ p log(p/q) dx = ∫ p log p dx - ∫ p log q dx), never more.
        unread = NotCheckable("an integral: its value is not computed here (the signs and ranges of its "
                              "parameters, and whether it converges, are not known)")
        var = node.var
        if not isinstance(var, Name) or var.accent or var.base in env:
            raise unread
        x = self.value(var, env)
        if not isinstance(x, sympy.Symbol) or x not in self.leaves:
            raise unread  # (a variable the note defines as an expression)
        bounds = tuple(None if b is None else self.value(b, env) for b in (node.lo, node.hi))
        if any(b is not None and b.has(x) for b in bounds):
            raise unread
        written = f"∫ ... d{pretty(var.key)}" if node.lo is None and node.hi is None else \
            f"∫ from {bounds[0] if bounds[0] is not None else '-∞'} to {bounds[1] if bounds[1] is not None else '∞'}" \
            f" ... d{pretty(var.key)}"
        # one opaque function and one variable per range and depth, whatever the variable's letter:
        # ∫ f(x) dx and ∫ f(t) dt are one integral
        name = f"_int[{'' if bounds[0] is None else sympy.srepr(bounds[0])};" \
               f"{'' if bounds[1] is None else sympy.srepr(bounds[1])}]"
        t = sympy.Symbol(f"@{name}#{self._depth}", real=True)
        self.leaves[t] = Leaf(self.leaves[x].key, (), None)
        self._depth += 1
        try:
            body = self.value(node.body, env)
        finally:
            self._depth -= 1
        # q(z|x), read as one name, is a function of z inside ∫ ... dz (another value outside it);
        # so is a distribution written without its argument (∫ p \log p dz)
        called = {id(n.func) for n in _walk(node.body) if isinstance(n, Call)}
        bare = {n.key for n in _walk(node.body) if isinstance(n, Name) and id(n) not in called
                and n.key in _DISTRIBUTIONS}
        tied = {sym: self.any_function(self.leaves[sym].key, (), f"{pretty(self.leaves[sym].key)} is never defined "
                                       f"here: inside the integral over {pretty(var.key)}, taken as any function of "
                                       f"{pretty(var.key)}") for sym in body.free_symbols
                if sym in self.leaves and not self.leaves[sym].index and self.leaves[sym].sample is None
                and (var.base in _conditional_letters(self.leaves[sym].key) or self.leaves[sym].key in bare)}
        body = body.xreplace({x: t, **{sym: fn(t) for sym, fn in tied.items()}})
        self.conventions["integral"] = "integrals of one variable over one range compared by their integrands " \
                                       "(∫ is linear; numbers that do not depend on the variable move in and out)"
        inner = integrands(body, self.integrals)
        if isinstance(inner, str):
            raise NotCheckable(inner)
        by_integral, rest = inner
        value = sympy.S.Zero
        # ∫ (a(x) ∫ g dz + r(x)) dx: ∫∫ a g dz dx + ∫ r dx, the double integral one opaque map of the
        # integrand in both variables
        for fn_in, g in sorted(by_integral.items(), key=lambda kv: str(kv[0])):
            _, written_in, bounds_in = self.integrals[fn_in]
            if any(b is not None and b.has(x) for b in bounds_in):
                raise NotCheckable("an integral whose range depends on the variable of an integral around it")
            fn = sympy.Function(f"{name}/{fn_in}")
            self.integrals[fn] = (t, f"{written} of {written_in}", bounds)
            value += fn(g)
        if rest != 0 or not by_integral:
            fn = sympy.Function(name)
            self.integrals[fn] = (t, written, bounds)
            value += fn(rest)
        return value

    def any_function(self, key: str, index: tuple[int, ...], reading: str) -> sympy.Function:
        """The unknown function ``key`` (at entry ``index``) stands for, which the judge tries as any
        function (see verdict._for_any_function); ``reading`` says so among the step's "uses"."""
        name = "F_" + "".join(ch for ch in key if ch.isalnum()) + "".join(f"_{i}" for i in index)
        self.conventions["generic:" + key] = reading
        return self.generic_used.setdefault(name, sympy.Function(name, real=True))

    def _v_Expect(self, node: Expect, env: dict) -> sympy.Expr:
        """E_{x ~ p}[f(x)] = ∫ p(x) f(x) dx, E_{q(z)}[f] = ∫ q(z) f dz: an integral over the whole line
        of the density times the body (a mass function's sum then differs, and is not judged)."""
        var, density = _expectation_over(node.sub)
        if var is None or density is None:
            raise NotCheckable("an expectation whose variable is not written (E_p[...], E[...]): which letters "
                               "it averages over is not said (write E_{x \\sim p}[...])")
        self.conventions["expectation"] = "E_{x ~ p}[f] is ∫ p(x) f(x) dx"
        return self._v_Integral(Integral(var, None, None, Mul((density, Paren((node.body,), "(")), "")), env)

    def _v_Grad(self, node: Grad, env: dict) -> sympy.Expr:
        if node.wrt is None:
            raise NotCheckable("∇ without the variable")
        return self._v_Deriv(Deriv(node.body, (node.wrt,), True), env)

    def _v_Deriv(self, node: Deriv, env: dict) -> sympy.Expr:
        if node.f is None:
            raise NotCheckable("a derivative of nothing")
        f = node.f
        if isinstance(f, Call) and len(f.args) == 1 and len(node.wrt) == 1 and isinstance(node.wrt[0], Name) \
                and (isinstance(f.args[0], Num) or isinstance(f.args[0], Neg) and isinstance(f.args[0].arg, Num)):
            # dσ(0)/dx: σ'(x) at x = 0 (the derivative of a number, 0, is never what a note means)
            var = node.wrt[0]
            x = self.value(var, env)
            self.conventions["at-number"] = "d f(c)/dx is f'(x) at x = c"
            return self.value(replace(node, f=replace(f, args=(var,))), env).xreplace(
                {x: self.value(f.args[0], env)})
        if node.bare_den:
            self.conventions["bare-den"] = "∂/x (the denominator's ∂ left out) read as ∂/∂x"
        if node.loose:
            # ∂/∂x e^a · Σ: of the first factor only, or of the whole product? both, if they agree
            whole = self._v_Deriv(replace(node, loose=False), env)
            # (e^{a} (Σ ...), a product the parser kept as a maybe-call, is e^{a} times the bracket)
            first, *rest = node.f.factors if isinstance(node.f, Mul) else (node.f.func, Paren(node.f.args, "("))
            if isinstance(first, Fn) and rest:
                first, rest = Mul((first, rest[0])), rest[1:]   # \log \sum_k ...: the function and its argument
            if not rest or self.dry:
                return whole
            d_first = self._v_Deriv(Deriv(first, node.wrt, node.partial), env)
            if d_first == 0 and not self.value(first, env).free_symbols:
                # ∂/∂x (1/N) Σ ...: a number in front, which any reach passes (not e^{z_i} before
                # ∂/∂z_s, whose derivative is 0 only for s ≠ i)
                return whole
            near = d_first * self.value(rest[0] if len(rest) == 1 else Mul(tuple(rest)), env)
            if _differ(whole, near):
                raise NotCheckable("how far ∂/∂x reaches is not marked (of the factor after it, or of the whole "
                                   "product?) and the two readings differ: add brackets")
            return whole
        entries = self.matrix_of_entries(node.wrt[0]) if len(node.wrt) == 1 else None
        if entries is not None and self.shape(node.f, env) == "S":
            # ∂L/∂W with W's entries written w_{kd}: the matrix of ∂L/∂w_{rc}
            r, c = self.entry(env, matrix=True)
            self.conventions["entries:" + entries] = (f"{pretty(_key(node.wrt[0]) or '')} is the matrix whose "
                                                      f"entries the note writes {pretty(entries)} with two indices")
            plain = {k: v for k, v in env.items() if k not in ("__vec__", "__col__")}
            return self._v_Deriv(replace(node, wrt=(Script(Name(entries), (Num(str(r)), Num(str(c)))),)), plain)
        keys = []
        for w in node.wrt:
            k = _key(w)
            if k is None:
                return self.derivative_by_expression(node, env)
            keys.append(k)
        env_f = env_w = env
        if len(node.wrt) == 1 and self.whole_vector(node.wrt[0], env) and self.shape(node.f, env) != "S":
            # ∂a/∂z of two vectors: the Jacobian, entry (r, c) = ∂a_r/∂z_c
            r, c = self.entry(env, matrix=True)
            env_f, env_w = {**env, "__vec__": r}, {**env, "__vec__": c}
        saved, saved_values = self.keep, self.kept_values
        self.keep = saved | frozenset(keys)
        self.kept_values = {}
        try:
            f = self.value(node.f, env_f)
            wrt = [self.value(w, env_w) for w in node.wrt]
            kept_values = self.kept_values
        finally:
            self.keep, self.kept_values = saved, saved_values
        for w in wrt:
            if not isinstance(w, sympy.Symbol):
                raise NotCheckable("a derivative with respect to a value that is not a variable")
        # an undefined name inside may depend on the variable: nothing can be said then
        for s in f.free_symbols:
            leaf = self.leaves.get(s)
            if leaf is None or leaf.key in keys:
                continue
            free = (leaf.key in self.table.declared or leaf.key in self.table.targets
                    or conventional_input(leaf.key)) and (
                not self.table.depends(leaf.key, self.scope)
                or self.table.declared.get(leaf.key, (0, ""))[1].startswith("the argument of"))
            if leaf.key in self.opaque:
                line, why = self.opaque[leaf.key]
                raise NotCheckable(f"{pretty(leaf.key)}'s definition (line {line}) is not read ({why}), so how "
                                   f"it depends on {', '.join(pretty(k) for k in keys)} is unknown")
            if free and leaf.key in ("z", "Z") and self.definition(leaf.key) is None \
                    and leaf.key not in self.table.declared:
                # ∂σ(z_i)/∂w_j with z and w both free by convention: 0 only if z does not depend on w,
                # which the note may not mean (z = w^T x, tacitly)
                self.assumed_independent.setdefault(leaf.key, tuple(keys))
            if self.definition(leaf.key) is None and not free:
                raise UnknownDependence(f"{pretty(leaf.key)} {UNKNOWN_DEPENDENCE} "
                                        f"{', '.join(pretty(k) for k in keys)} is unknown: define it or pass --define",
                                        leaf.key, node.wrt[0] if len(node.wrt) == 1 else None)
        absent = [k for k in keys if not any(self.leaves.get(x, Leaf("", (), None)).key == k for x in f.free_symbols)]
        if absent:
            f = self.through_definition(f, wrt, absent, env)
            absent = [k for k in keys if not any(self.leaves.get(x, Leaf("", (), None)).key == k
                                                 for x in f.free_symbols)]
        defined = [self.definition(_key(n) or "") for n in _walk(node.f) if isinstance(n, (Name, Script))]
        if absent and any(d is not None for d in defined) and not any(d is not None and d.params for d in defined):
            # ∂L/∂o with L = -log p_k and p_j = e^j / Σ_i e^i (o missing from a definition, a typo):
            # the note differentiates by o, so it means something that depends on o
            raise NotCheckable(f"as its definitions are read here, {_source_of(node.f)} does not depend on "
                               f"{pretty(absent[0])} at all: the derivative would be 0 only by that reading "
                               "(is a definition missing it?)")
        out = f
        for w in wrt:
            out = sympy.diff(out, w)
        if out == 0:
            for w in wrt:
                lw = self.leaves.get(w)
                other = lw and next((lf for x in f.free_symbols if (lf := self.leaves.get(x)) is not None
                                     and lf.key == lw.key and (lf.sample is None) != (lw.sample is None)
                                     or lf is not None and lf.key == lw.key and len(lf.index) != len(lw.index)),
                                    None)
                if other:
                    # ∂L/∂a_i with L = Σ_i Σ_j -y_j^i log a_j^i: a per sample there, one example here
                    # (said in words); 0 is only what the letters say
                    raise NotCheckable(
                        f"{_source_of(node.f)} holds {pretty(lw.key)} with {_scripts(other)} as defined, and the "
                        f"step differentiates by {pretty(lw.key)} with {_scripts(lw)}: the derivative would be 0 "
                        "only by that reading")
        if out == 0 and absent and any(d is not None and d.params for d in defined):
            # ∂L/∂W^{[2]} with L(a, y) = ½(a - y)² given for one layer's a: a function whose
            # parameters do not reach the variable; 0 is only what this reading says (recorded, as
            # below: a lone σ in dσ/dz may yet be read as the step's σ(z))
            self.zero_by_letters = self.zero_by_letters or (
                f"as its definitions are read here, {_source_of(node.f)} does not depend on {pretty(absent[0])} "
                "at all: the derivative would be 0 only by that reading (is a definition missing it?)")
        if out == 0 and absent and f.free_symbols and any(self.definition(k) is not None for k in absent):
            # dσ/du with u = 1 + e^{-z}: σ as a function of u (the chain rule's notation), which the
            # expressions as written do not show; 0 is only what the letters say
            # (recorded, not raised: the judge may read a lone σ as the step's σ(z) before it decides)
            self.zero_by_letters = (f"a derivative by {pretty(absent[0])}, which the note defines, of an "
                                    f"expression that does not contain it as written: {_source_of(node.f)} as a "
                                    f"function of {pretty(absent[0])} is meant, which is not read here")
        # the kept quantities are functions of the note's variables again
        subs = {}
        for s in out.free_symbols:
            leaf = self.leaves.get(s)
            if leaf is not None and leaf.key in keys and leaf.key not in saved and leaf.key not in self.plain_vars:
                d = self.definition(leaf.key)
                own = self.definition(f"{leaf.key}[{','.join(map(str, leaf.index))}]") if leaf.index else None
                if own is not None and (d is None or d.order < own.order):
                    # ∂ŷ_1/∂y_1 with y_1 = w_5 h_1 + w_6 h_2 (one entry's own value): that value back in
                    d, leaf = own, Leaf(leaf.key, (), leaf.sample)
                if s in kept_values:
                    subs[s] = kept_values[s]
                elif d is None and leaf.key in self.generic:
                    subs[s] = self.generic_value(leaf.key, leaf.index, env)
                elif d is not None and self.entry_free(d):
                    self.take_as_it_stands(leaf.key, d, self.entry_free_reason(leaf.key))
                elif d is not None:
                    try:
                        subs[s] = self.unfold(d, leaf.index, leaf.sample, {k: v for k, v in env.items()
                                                                            if k == "__params__"})
                    except NotCheckable as exc:
                        if leaf.index or leaf.sample is not None or d.params:
                            raise
                        # dσ/dz = σ(z)(1 - σ(z)) holds for every z: z may stay as it stands
                        self.take_as_it_stands(leaf.key, d, exc)
        return at_point(out, subs) if subs else out


    # --- vectors and matrices as wholes ------------------------------------------------------
    # A whole value is read entry by entry: env["__vec__"] is the entry of a vector (the row of a
    # matrix) and env["__col__"] the column of a matrix; a dry run asks for each it needs, so the
    # step is compared at every entry.  Shapes: "S" a number, "C" a column, "R" a row, "M" a
    # square matrix; a vector is a column unless the note says its vectors are rows.

    def entry(self, env: dict, matrix: bool) -> tuple[int, int]:
        """The entry asked for: (row or vector entry, column)."""
        names = ("__vec__", "__col__") if matrix else ("__vec__",)
        if self.dry:
            for n in names:
                self.free.setdefault(n, "K")
        elif any(n not in env for n in names):
            raise ShapeMismatch("a matrix where a vector or a number is expected" if matrix and "__vec__" in env
                                else "a vector or matrix where one value is expected")
        return env.get("__vec__", 1), env.get("__col__", 1) if matrix else 0

    def shape(self, node: Node, env: dict) -> str:
        """"S", "C", "R" or "M": what ``node`` is, found by a dry run that records the entries it asks for."""
        plain = {k: v for k, v in env.items() if k not in ("__vec__", "__col__")}
        memo = (id(node), tuple(sorted((k, v if isinstance(v, int) else id(v)) for k, v in plain.items())))
        if memo in self._shapes:
            return self._shapes[memo][1]
        shape = self._shape(node, env, plain)
        self._shapes[memo] = (node, shape)  # (the node is kept so that its id is not reused)
        return shape

    def _shape(self, node: Node, env: dict, plain: dict) -> str:
        saved = self.dry, self.free, self.conventions, self.terms
        self.dry, self.free, self.conventions = True, {}, dict(self.conventions)
        try:
            self.value(node, plain)
            asked = self.free
            if "__vec__" in asked:
                # asking is not depending (L(p) = -Σ_i y_i log p_i asks for p whole and uses p_i):
                # the values at other entries say
                self.dry = False
                at = {**plain, **{k: 1 for k in asked if not k.startswith("__")}}
                try:
                    v11, v21, v12 = (self.value(node, {**at, "__vec__": r, "__col__": c})
                                     for r, c in ((1, 1), (2, 1), (1, 2)))
                    asked = {"__vec__", "__col__"} if v11 != v12 else {"__vec__"} if v11 != v21 else set()
                except NotCheckable:
                    pass
        finally:
            self.dry, self.free, self.conventions, self.terms = saved
        if "__col__" in asked:
            return "M"
        return self.orientation(node, env) if "__vec__" in asked else "S"

    def orientation(self, node: Node, env: dict) -> str:
        """"C" or "R" for a vector-valued node: transposes flip it, a gradient of a number is a row
        (as the chain rule ∂J/∂θ ∂θ/∂w multiplies it), a product takes its result's."""
        inner = transposed(node)
        if inner is None and isinstance(node, Pow) and transposed_exp(node):
            inner = node.base
        if inner is not None:
            return "C" if self.shape(inner, env) == "R" else "R"
        if isinstance(node, (Deriv, Grad)):
            return "R"
        if isinstance(node, _Applied):
            return self.orientation(node.arg, env)
        if isinstance(node, Matrix):
            return "R" if len(node.rows) == 1 and len(node.rows[0]) > 1 else "C"
        if isinstance(node, (Neg, Paren, Frac, Add)):
            parts = (node.arg,) if isinstance(node, Neg) else node.items if isinstance(node, Paren) else \
                (node.num, node.den) if isinstance(node, Frac) else node.terms
            for part in parts:
                sh = self.shape(part, env)
                if sh in ("C", "R"):
                    return sh
        if isinstance(node, Mul):
            wholes = self.whole_factors(node, env)
            if wholes is not None:
                return _product_shape([sh for _, sh in wholes], node.op)[0]
        return "R" if self.table.row_vectors else "C"

    def matrix_algebra(self, node: Node, env: dict) -> bool:
        """A factor that makes a product one of matrix algebra: ``s^T``, ``(y - p)^T``, a written
        matrix, ``diag(v)``, a derivative by a whole vector (a gradient or a Jacobian), or a sum,
        difference, quotient or bracket of such."""
        if transposed(node) is not None or isinstance(node, Matrix):
            return True
        if isinstance(node, Pow):
            return transposed_exp(node)
        if isinstance(node, (Deriv, Grad)):
            wrt = node.wrt if isinstance(node, Deriv) else (node.wrt,)
            return len(wrt) == 1 and wrt[0] is not None and self.whole_vector(wrt[0], env)
        if isinstance(node, (Fn, Call)):
            fn = node if isinstance(node, Fn) else node.func
            return isinstance(fn, Fn) and fn.name == "diag"
        parts = (node.arg,) if isinstance(node, Neg) else node.items if isinstance(node, Paren) else \
            (node.num, node.den) if isinstance(node, Frac) else node.terms if isinstance(node, Add) else \
            node.factors if isinstance(node, Mul) else ()
        return any(self.matrix_algebra(p, env) for p in parts)

    def matrix_of_entries(self, node: Node) -> str | None:
        """``W`` when the note never defines or indexes it but writes its entries ``w_{kd}``: the
        letter of those entries, else None."""
        if not isinstance(node, Name) or node.accent or len(node.base) != 1 or not node.base.isupper():
            return None
        low = node.base.lower()
        if self.definition(node.base) is not None or self.arity(node.base, 0) \
                or self.arity(low, 0) != 2 or self.definition(low) is not None:
            return None
        return low

    def whole_vector(self, node: Node, env: dict) -> bool:
        """A vector the note names, written without an index (z in ∂a/∂z)."""
        key = _key(node) if isinstance(node, (Name, Script)) else None
        plain = isinstance(node, Name) or (isinstance(node, Script) and not node.sub and node.sup is None)
        return bool(key) and plain and key not in env and self.table.is_vector(key, self.scope) \
            and self.arity(key, 1) <= 1

    def whole_factors(self, node: Mul, env: dict) -> list[tuple[Node, str]] | None:
        """The factors of a product with their shapes, when two or more are vectors or matrices."""
        factors, k = [], 0
        while k < len(node.factors):
            f = node.factors[k]
            if isinstance(f, Fn) and k + 1 < len(node.factors):
                f, k = _Applied(f, node.factors[k + 1]), k + 1   # log s^T: the function of the next factor
            factors.append(f)
            k += 1
        try:
            shapes = [self.shape(f, env) for f in factors]
        except NotCheckable:
            return None
        if sum(sh != "S" for sh in shapes) < 2:
            return None
        return list(zip(factors, shapes))

    def whole_product(self, wholes: list[tuple[Node, str]], op: str, env: dict) -> sympy.Expr:
        """The entry ``env`` asks for of a product of whole values, by matrix algebra."""
        size = self.table.size("K")
        plain = {k: v for k, v in env.items() if k not in ("__vec__", "__col__")}
        if self.table.row_vectors:
            self.conventions["rows"] = f"vectors are rows, as the note says (line {self.table.row_vectors})"

        def getter(node: Node, sh: str):
            if sh == "S":
                return lambda r, c: self.value(node, plain)
            if sh == "M":
                return lambda r, c: self.value(node, {**plain, "__vec__": r, "__col__": c})
            return lambda r, c: self.value(node, {**plain, "__vec__": r})

        shape, get = wholes[0][1], getter(*wholes[0])
        rows, cols = self.extent(*wholes[0])
        for node, sh in wholes[1:]:
            new_shape, how = _product_shape([shape, sh], op)
            if how:
                self.conventions["product:" + how] = how
            g, a = getter(node, sh), get
            rule = (shape if shape != "S" else "*") + (sh if sh != "S" else "*")
            n_rows, n_cols = self.extent(node, sh)
            # the summed index runs over the left factor's columns (a vector before a matrix: its entries)
            inner = rows if rule in ("CM",) else cols
            if inner and n_rows and inner != n_rows and rule in ("RC", "RM", "CM", "MC", "MR", "MM") \
                    and self.table.size(inner) != self.table.size(n_rows):
                raise NotCheckable(f"a product whose sizes do not fit: {pretty(inner)} columns against {pretty(n_rows)} rows")
            inner = inner or n_rows
            sums = range(1, (self.table.size(inner) if inner else size) + 1)
            if "S" in (shape, sh):
                rows, cols = (rows, cols) if sh == "S" else (n_rows, n_cols)
            elif rule == "CR":
                rows, cols = rows, n_cols
            elif rule in ("RM", "CM"):
                rows, cols = None, n_cols
            elif rule in ("MC", "MR"):
                rows, cols = rows, None
            elif rule == "MM":
                rows, cols = rows, n_cols
            if "S" in (shape, sh) or op == "circ":
                get = (lambda a, g: lambda r, c: a(r, c) * g(r, c))(a, g)
            elif rule in ("RC",):
                get = (lambda a, g: lambda r, c: sympy.Add(*[a(k, 0) * g(k, 0) for k in sums]))(a, g)
            elif rule == "CR":
                get = (lambda a, g: lambda r, c: a(r, 0) * g(c, 0))(a, g)
            elif rule in ("RM", "CM"):
                get = (lambda a, g: lambda r, c: sympy.Add(*[a(k, 0) * g(k, r) for k in sums]))(a, g)
            elif rule in ("MC", "MR"):
                get = (lambda a, g: lambda r, c: sympy.Add(*[a(r, k) * g(k, 0) for k in sums]))(a, g)
            elif rule == "MM":
                get = (lambda a, g: lambda r, c: sympy.Add(*[a(r, k) * g(k, c) for k in sums]))(a, g)
            else:
                raise NotCheckable(AMBIGUOUS)
            shape = new_shape
        if shape == "S":
            return get(0, 0)
        if self.dry:
            # the entries asked for run over the product's own sizes (X^T S X: features by features)
            if rule in ("RM", "CM"):
                rows, cols = cols, None
            if rows:
                self.free.setdefault("__vec__", rows)
            if cols and shape == "M":
                self.free.setdefault("__col__", cols)
        r, c = self.entry(env, matrix=shape == "M")
        return get(r, c)

    def extent(self, node: Node, sh: str) -> tuple[str | None, str | None]:
        """The size names of a whole factor's rows and columns where the note says them (the data
        matrix X: samples by features; diag(v): v's size; a vector: its size), None where not."""
        if sh == "S":
            return None, None
        inner = transposed(node)
        if inner is None and isinstance(node, Pow) and transposed_exp(node):
            inner = node.base
        if inner is not None:
            r, c = self.extent(inner, "M" if sh == "M" else ("C" if sh == "R" else "R"))
            return c, r
        if isinstance(node, Name) and (row := self.design_matrix(node)) in self.table.sample_subscript:
            return self.table.dims.get(row or "", "N"), "K"
        d = self.definition(_key(node) or "") if isinstance(node, (Name, Script)) else None
        if d is not None and not d.indices and not d.params and sh == "M":
            return self.extent(d.body, sh)
        if isinstance(node, (Call, _Applied)):
            fn = node.func if isinstance(node, Call) else node.fn
            args = node.args if isinstance(node, Call) else (node.arg,)
            if isinstance(fn, Fn) and fn.name == "diag" and len(args) == 1:
                n = self.run_size(args[0])
                return n, n
        if isinstance(node, (Neg, Paren)) and sh == "M":
            parts = (node.arg,) if isinstance(node, Neg) else node.items
            return self.extent(parts[0], sh) if len(parts) == 1 else (None, None)
        if sh in ("C", "R"):
            n = self.run_size(node)
            return (n, None) if sh == "C" else (None, n)
        return None, None

    def run_size(self, node: Node) -> str | None:
        """The size name a vector-valued expression's entries run over, where the note says it."""
        rows = set()  # (the nodes inside a row x_n: its x is not the whole matrix)
        for n in _walk(node):
            if id(n) in rows:
                continue
            k = _key(n) if isinstance(n, (Name, Script)) else None
            written = len(n.sub) if isinstance(n, Script) else 0
            if k and written and self.arity(k, 1) > written:
                # x_n of x_{nj}: a row, whose entries run over the next slot (not over the first one)
                slot = self.table.slot_dims.get((k, written))
                if slot is not None:
                    return slot
                rows.update(id(m) for m in _walk(n))
                continue
            # (x_i, sample i's vector: the size of x's index is the number of samples, not of features)
            if k and k in self.table.dims and k not in self.table.sample_subscript:
                return self.table.dims[k]
        return None

    def transpose(self, base: Node, env: dict) -> sympy.Expr:
        """``A^T``: a matrix with its entries swapped; a vector or a number is its own entries."""
        shape = self.shape(base, env)
        key = _key(base)
        if shape == "S" and key and self.definition(key) is None and key not in self.table.declared \
                and not conventional_input(key) and key not in self.table.indexed:
            # Q K^T = K Q^T with Q, K never given a shape: transposed, they are matrices or vectors,
            # which read as numbers would make any product commute
            named = key[-1] if len(key) > 1 and key.isalpha() else key  # (QK^T: TeX transposes the K)
            raise NotCheckable(f"{pretty(named)} is transposed here but the note gives it no shape or value: a "
                               "matrix or a vector read as a number would make a wrong product agree")
        if shape != "M":
            return self.value(base, env)
        r, c = self.entry(env, matrix=True)
        return self.value(base, {**env, "__vec__": c, "__col__": r})


AMBIGUOUS = ("a product of two whole vectors written side by side (x w): inner, outer or entry by entry "
             "is not said; write x^T w or the sum")


@dataclass(frozen=True)
class _Held(Node):
    """A SymPy value standing in a tree (the variable of f' for a known f)."""
    value: sympy.Expr


@dataclass(frozen=True)
class _Applied(Node):
    """A function written before its argument inside a product (``\\log s^T``), as one factor."""
    fn: Fn
    arg: Node


def _product_shape(shapes: list[str], op: str) -> tuple[str, str]:
    """The shape of a product, and the reading it took when the shapes alone do not fit."""
    shape, how = shapes[0], ""
    for sh in shapes[1:]:
        if shape == "S" or sh == "S":
            shape = sh if shape == "S" else shape
        elif op == "circ" and shape[0] == sh[0] or op == "circ" and {shape, sh} <= {"C", "R"}:
            shape = shape
        elif (shape, sh) == ("R", "C"):
            shape = "S"
        elif (shape, sh) == ("C", "R"):
            shape = "M"
        elif (shape, sh) in (("R", "M"), ("C", "M")):
            how = "a vector times a matrix is the row vector times it (v^T M)" if shape == "C" else how
            shape = "R"
        elif (shape, sh) in (("M", "C"), ("M", "R")):
            how = "a matrix times a vector is it times the column vector (M v)" if sh == "R" else how
            shape = "C"
        elif (shape, sh) == ("M", "M"):
            shape = "M"
        else:
            shape = "?"
    return shape, how


def at_point(e: sympy.Expr, point: dict) -> sympy.Expr:
    """``e`` with the point's values put in.  A derivative left unevaluated (of a function the note
    never defines) is taken at the values, as a substitution: xreplace would differentiate by a number."""
    return e.subs(point) if e.has(sympy.Derivative) else e.xreplace(point)


def _shadowed(env: dict, letter: str) -> dict:
    """``env`` inside a sum or product over ``letter``: a function's parameter written with that
    letter is not the term's (s(z_i) = e^{z_i} / \\sum_{i=1}^K e^{z_i}: the sum's z_i runs over
    the entries, it is not the argument)."""
    params = env.get("__params__")
    if not params:
        return env
    kept = {p: a for p, a in params.items() if not any(isinstance(n, Name) and n.base == letter for n in _walk(p))}
    return env if len(kept) == len(params) else {**env, "__params__": kept}


def _differ(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Two readings of one expression take different values (at two seeded points; cheap where
    SymPy's simplify is not).  Readings whose values cannot be worked out (a derivative of a function
    never defined) count as different: nothing shows they agree."""
    syms = sorted(a.free_symbols | b.free_symbols, key=lambda x: x.name)
    for seed in (1, 2):
        point = {x: sympy.Float(0.37 + 0.61 * ((k * 7 + seed * 13) % 11) / 11, 30) for k, x in enumerate(syms)}
        try:
            value = complex(sympy.N(at_point(a - b, point), 30))
            size = abs(complex(sympy.N(at_point(a, point), 30)))
        except (TypeError, ValueError):
            return True
        if abs(value) > 1e-12 * (1 + size):
            return True
    return False


def cond_text(c: Cond) -> str:
    op = {"=": "=", "!=": "≠"}.get(c.op, c.op)
    return f"{getattr(c.left, 'base', '?')} {op} {getattr(c.right, 'base', '?')}"


def subscript_conditions(*nodes: Node) -> tuple[Cond, ...]:
    """``y_{k \\neq i}``: the condition written in a subscript, which the whole step is under."""
    found: list[Cond] = []
    for root in nodes:
        for n in _walk(root):
            if isinstance(n, Script) and len(n.sub) == 1 and isinstance(n.sub[0], Cond) \
                    and n.sub[0].op == "!=" and n.sub[0] not in found:
                found.append(n.sub[0])
    return tuple(found)


def _is_zero(node: Node) -> bool:
    return isinstance(node, Num) and node.value in ("0", "0.0")


def _ones(node: Node) -> bool:
    """``\\mathbf{1}`` (read as the number 1) transposed in ``1^T v``: the vector of ones."""
    return isinstance(node, Num) and node.value == "1" or isinstance(node, Paren) and len(node.items) == 1 \
        and _ones(node.items[0])


def transposed_exp(node: Pow) -> bool:
    """``(...)^T``, ``(...)^\\top``: a power whose exponent is the transpose mark."""
    return isinstance(node.exp, Name) and node.exp.base in ("T", "\\top", "\\intercal") and not node.exp.accent


def transposed(node: Node) -> Node | None:
    """``w^T``, ``(y - p)^\\top``: what is transposed, or None."""
    if isinstance(node, Script) and node.sup is not None and not node.sup_paren and not node.primes \
            and isinstance(node.sup, Name) and node.sup.base in ("T", "\\top", "\\intercal") and not node.sup.accent:
        return Script(node.base, node.sub) if node.sub else node.base
    return None


def _scripts(leaf: Leaf) -> str:
    """How many indices a leaf has, and whether a sample: for a message."""
    n = len(leaf.index)
    said = "no index" if not n else "1 index" if n == 1 else f"{n} indices"
    return said + (" and a sample" if leaf.sample is not None else "")


def _source_of(node: Node) -> str:
    if isinstance(node, Name):
        return pretty(node.key)
    if isinstance(node, Script) and isinstance(node.base, Name) and isinstance(node.sup, Num):
        return f"{pretty(node.base.key)}^{node.sup.value}"
    return _entry_text(node) if isinstance(node, Script) else "its parameter"


def _vector_params(d: Definition) -> bool:
    """Whether every parameter of ``d`` is a plain name its body only uses with one index
    (σ(z)_i = e^{z_i} / Σ_j e^{z_j}): a function of a vector."""
    if not all(isinstance(p, Name) and not p.accent for p in d.params):
        return False
    keys = {p.key for p in d.params}
    used = [n for n in _walk(d.body) if isinstance(n, (Name, Script)) and _key(n) in keys]
    inside = {id(s.base) for s in _walk(d.body) if isinstance(s, Script) and len(s.sub) == 1 and s.sup is None
              and _key(s) in keys}
    # (H(p) = -Σ_x p(x) log p(x): a distribution at its outcome x is its entry, as p_x)
    inside |= {id(c.func) for c in _walk(d.body) if isinstance(c, Call) and isinstance(c.func, Name)
               and c.func.key in keys and len(c.args) == 1 and outcome_letter(c.args[0]) is not None}
    for m in _walk(d.body):
        if isinstance(m, Mul):
            for f, g in zip(m.factors, m.factors[1:]):
                if transposed(f) is not None:
                    # w^T x: both whole vectors, an inner product taken entry by entry
                    inside |= {id(f.base), id(g)}
    bare = [n for n in used if isinstance(n, Name) and id(n) not in inside]
    return bool(used) and not bare


def written_value(node: Node, ev: "Evaluator") -> "sympy.Expr | sympy.MatrixBase":
    """A member written with numbers and matrices of numbers only (``[1; 2][1 3]``, ``A^T``, ``2 [a b]``):
    its value by matrix algebra at the sizes written; each number by ``ev`` (no name is met)."""
    if not _has_written_matrix(node):
        return ev.value(node, {})
    if number_list(node):
        assert isinstance(node, Paren)
        return sympy.Matrix([[ev.value(x, {})] for x in node.items])  # [8.17, 0.74, 2.23]: a column
    if isinstance(node, Matrix):
        if any(_is_dots(x) for row in node.rows for x in row) or len({len(r) for r in node.rows}) != 1:
            raise NotCheckable("a matrix of numbers with dots or rows of different lengths")
        return sympy.Matrix([[ev.value(x, {}) for x in row] for row in node.rows])
    inner = transposed(node) if isinstance(node, Script) else node.base if isinstance(node, Pow) \
        and transposed_exp(node) else None
    if inner is not None:
        value = written_value(inner, ev)
        return value.T if isinstance(value, sympy.MatrixBase) else value
    if isinstance(node, Paren) and len(node.items) == 1 and node.kind in ("(", "["):
        return written_value(node.items[0], ev)
    if isinstance(node, Neg):
        return -written_value(node.arg, ev)
    if isinstance(node, Frac) and not _has_written_matrix(node.den):
        return written_value(node.num, ev) / ev.value(node.den, {})
    if isinstance(node, (Add, Mul)):
        parts = [written_value(x, ev) for x in (node.terms if isinstance(node, Add) else node.factors)]
        out = parts[0]
        for part in parts[1:]:
            both = isinstance(out, sympy.MatrixBase) and isinstance(part, sympy.MatrixBase)
            if isinstance(node, Add) and (isinstance(out, sympy.MatrixBase) != isinstance(part, sympy.MatrixBase)
                                          or both and out.shape != part.shape):
                raise NotCheckable("matrices of numbers added whose shapes do not fit")
            if isinstance(node, Mul) and both and (out.cols != part.rows if node.op != "circ" else out.shape != part.shape):
                raise NotCheckable(f"a {out.rows}x{out.cols} matrix times a {part.rows}x{part.cols} one: the shapes "
                                   "do not fit")
            out = out + part if isinstance(node, Add) else out.multiply_elementwise(part) \
                if both and node.op == "circ" else out * part
        return out
    raise NotCheckable("a matrix of numbers inside an expression that is not read as matrix algebra")


def _has_written_matrix(node: Node) -> bool:
    return any(isinstance(n, Matrix) or number_list(n) for n in _walk(node))


def number_list(node: Node) -> bool:
    """``[8.17, 0.74, 2.23]``, ``(e^{2.1}, e^{-0.3})``: a vector written out as a list of numbers."""
    return isinstance(node, Paren) and node.kind in ("(", "[") and len(node.items) > 1 and not any(
        isinstance(n, (Name, Ellipsis_, Cond)) and not (isinstance(n, Name) and n.base in ("e", "\\pi"))
        for x in node.items for n in _walk(x))


def outcome_letter(arg: Node) -> str | None:
    """The index letter of a distribution's argument: x in p(x), j in p(x_j); else None."""
    if isinstance(arg, Name) and not arg.accent and len(arg.base) == 1 and arg.base.isalpha():
        return arg.base
    if isinstance(arg, Script) and isinstance(arg.base, Name) and not arg.base.accent and arg.sup is None \
            and len(arg.sub) == 1 and isinstance(arg.sub[0], Name) and len(arg.sub[0].base) == 1:
        return arg.sub[0].base
    return None


def _is_dots(t: Node) -> bool:
    """``+ \\dots +`` or ``- ... -`` (the sign of the terms it stands for is theirs)."""
    return isinstance(t, Ellipsis_) or (isinstance(t, Neg) and isinstance(t.arg, Ellipsis_))


def _slots(a: Node, b: Node) -> list[tuple[tuple, int, Node]] | None:
    """Where ``a`` and ``b`` differ only in index numbers in their subscripts, each place (its
    path), a's number there and b's node (a number or a size): ``p_2 y_2`` and ``p_n y_n`` give
    two places, each (2, n).  None where they differ otherwise, or nowhere."""
    found: list[tuple[tuple, int, Node]] = []

    def same(x, y, sub: bool, path: tuple) -> bool:
        if sub and isinstance(x, Num) and x.value.isdigit() and isinstance(y, (Num, Name)) and x != y:
            found.append((path, int(x.value), y))
            return True
        if type(x) is not type(y):
            return False
        if isinstance(x, tuple):
            return len(x) == len(y) and all(same(u, v, sub, path + (i,)) for i, (u, v) in enumerate(zip(x, y)))
        if not isinstance(x, Node):
            return x == y
        return all(same(getattr(x, f.name), getattr(y, f.name), isinstance(x, Script) and f.name == "sub",
                        path + (f.name,)) for f in fields(x))

    return found if same(a, b, False, ()) and found else None


def _fill(node, places: list[tuple[tuple, int, Node]], value: int):
    """``node`` with the index number at each of ``places`` (from ``_slots``) set to ``value``."""
    def put(n, path: tuple):
        if not path:
            return Num(str(value))
        step, rest = path[0], path[1:]
        if isinstance(step, int):
            return n[:step] + (put(n[step], rest),) + n[step + 1:]
        return replace(n, **{step: put(getattr(n, step), rest)})
    for path, _, _ in places:
        node = put(node, path)
    return node


SHORT_LIST = "a vector written out with fewer entries than the vectors beside it"


def at_a_point(node: Node) -> bool:
    """A value with numbers and functions only (``\\sigma(1.0)``, ``(0.5)(2) + 0``): no variable."""
    called = {id(x) for n in _walk(node) if isinstance(n, Call) for x in _walk(n.func)}
    return any(isinstance(n, Num) for n in _walk(node)) and not any(
        isinstance(n, Name) and id(n) not in called and n.base not in ("e", "\\pi")
        or isinstance(n, (BigOp, Deriv, Ellipsis_)) for n in _walk(node))


def matrix_times(node: Name) -> bool:
    """``Wx``, ``Ah``: a capital and a small letter typed together, a matrix times a vector (TeX
    sets them as a product), which no one writes for a value at a point (``$k = i$``)."""
    return len(node.base) == 2 and node.base[0].isupper() and node.base[1].islower() and not node.accent


def listed_numbers(node: Node) -> tuple[Node, ...] | None:
    """The entries of ``(2.0, 1.0, 0.1)``, ``[0.7, 0.2, 0.1]^T``: a vector given as plain numbers (a
    worked example's values), or None."""
    if isinstance(node, Script) and not node.sub and not node.primes and isinstance(node.sup, Name) \
            and node.sup.base in ("T", "\\top"):
        node = node.base
    if not (isinstance(node, Paren) and node.kind in ("(", "[") and len(node.items) > 1):
        return None
    plain = all(isinstance(x.arg if isinstance(x, Neg) else x, Num) for x in node.items)
    return node.items if plain else None


def _listed_value(item: Node) -> tuple[sympy.Rational, sympy.Rational]:
    """A listed number's value and half a unit of its last decimal (0 for a whole number)."""
    num = item.arg if isinstance(item, Neg) else item
    assert isinstance(num, Num)
    value = sympy.Rational(num.value) * (-1 if isinstance(item, Neg) else 1)
    decimals = len(num.value.split(".")[1]) if "." in num.value else 0
    return value, (sympy.Rational(1, 2) / 10 ** decimals if decimals else sympy.Integer(0))


def repeating_decimal(text: str) -> sympy.Rational | None:
    """``1.6666`` written before an ellipsis: 5/3, the digits repeating for ever. The repeated block
    (1 to 3 digits) must be written out at least twice and fill 3 digits or more (0.33... stays
    unread: two digits are too few to tell a repetition from a rounding)."""
    whole, _, frac = text.partition(".")
    if not frac or not (whole + frac).isdigit():
        return None
    for period in (1, 2, 3):
        for start in range(len(frac)):
            tail = frac[start:]
            if len(tail) % period or len(tail) < max(3, 2 * period):
                continue
            block = tail[:period]
            if tail == block * (len(tail) // period) and block != "0" * period:
                head = sympy.Rational(whole + "." + frac[:start]) if start else sympy.Integer(int(whole or "0"))
                return head + sympy.Rational(int(block), (10 ** period - 1) * 10 ** start)
    return None


def _index_alone_reason(d: Definition) -> str:
    return (f"{pretty(d.key)} {INDEX_ALONE} (line {d.line}), with no variable in it: a shorthand or a slip in "
            "the definition, not read here")


def index_alone(d: Definition, table: SymbolTable) -> bool:
    """``p_j = e^j / Σ_i e^i``: an entry defined by a number of its index alone, with no variable."""
    bound = tuple(n.sub.base if isinstance(n.sub, Name) else getattr(n.sub.left, "base", "")
                  for n in _walk(d.body) if isinstance(n, BigOp) and isinstance(n.sub, (Name, Cond)))
    return bool(d.indices) and not d.params and not any(
        isinstance(n, (Name, Script)) and (_key(n) or "") not in d.indices + bound + ("e", "\\pi")
        and (_key(n) or "") not in table.size_names for n in _walk(d.body))


def primes_by(node: Node, first: Node) -> Node:
    """``(\\frac{e^{z_j}}{\\sum_k e^{z_k}})'`` in a chain that opens with ``\\frac{∂σ_i}{∂z_j}``: a prime on a
    bracket (no variable of its own) is the derivative by the opening derivative's one variable.
    ``node`` as it is when ``first`` is no such derivative or nothing in it is primed."""
    if not (isinstance(first, Deriv) and first.f is not None and len(first.wrt) == 1
            and isinstance(first.wrt[0], (Name, Script))):
        return node

    def by(n: Node) -> Node:
        if isinstance(n, Script) and n.primes and not n.sub and n.sup is None and not isinstance(n.base, (Name, Fn)):
            return Deriv(n.base, (first.wrt[0],) * n.primes, first.partial)
        return n

    return transform(node, by)


def _body_letters(body: Node) -> set[str]:
    """The one-letter indices a sum's body writes (y_k, f(k)): what a sum without a subscript may run over."""
    return {n.base for m in _walk(body) if isinstance(m, (Script, Call))
            for n in (m.sub if isinstance(m, Script) else m.args if len(m.args) == 1 else ())
            if isinstance(n, Name) and len(n.base) == 1 and n.base.islower()}


def transform(node, fn: "Callable[[Node], Node]"):
    """``node`` rebuilt bottom-up, each node replaced by ``fn`` of it (children first)."""
    if isinstance(node, tuple):
        return tuple(transform(v, fn) for v in node)
    if not isinstance(node, Node):
        return node
    if not isinstance(node, (Name, Num, Unreadable)):
        node = replace(node, **{f.name: transform(getattr(node, f.name), fn) for f in fields(node)})
    return fn(node)


def _children(value) -> "Iterator[Node]":
    if isinstance(value, Node):
        yield value
    elif isinstance(value, tuple):
        for v in value:
            yield from _children(v)


def _walk(node: Node) -> "Iterator[Node]":
    """Every node of a tree, the root first."""
    yield node
    if isinstance(node, (Name, Num, Unreadable)):
        return
    for value in vars(node).values():
        for child in _children(value):
            yield from _walk(child)


walk = _walk


def integrands(value: sympy.Expr, integrals: dict) -> tuple[dict, sympy.Expr] | str:
    """``value`` as Σ_F ∫_F g_F + rest, F the integrals met (opaque functions of their integrands,
    see Evaluator._v_Integral): {F: g_F} and the rest, with each integral's factor moved inside it
    (∫ is linear, and a factor outside never holds the bound variable). The reason when ``value``
    is no such sum (log ∫ ..., an integral squared)."""
    calls = sorted((a for a in value.atoms(sympy.core.function.AppliedUndef) if a.func in integrals),
                   key=sympy.default_sort_key)
    marks = {a: sympy.Dummy("i") for a in calls}
    flat = value.xreplace(marks)
    if any(a.has(*marks) for a in flat.atoms(sympy.core.function.AppliedUndef)):
        return "an integral inside a function the note does not define: only sums of integrals times factors " \
               "are compared"
    by_integral: dict = {}
    for a, m in marks.items():
        factor = flat.diff(m)
        if factor.has(*marks.values()):
            return f"{integrals[a.func][1]} appears inside a function of it (a log, a power): only sums of " \
                   "integrals times factors are compared"
        by_integral[a.func] = by_integral.get(a.func, sympy.S.Zero) + factor * a.args[0]
    return by_integral, flat.xreplace({m: sympy.S.Zero for m in marks.values()})


def _expectation_over(sub: Node | None) -> tuple[Name | None, Node | None]:
    """The variable and the density of an expectation's subscript: ``x \\sim p`` (p(x)),
    ``x \\sim q(x | z)``, ``q(z)``, ``q(z | x)`` written as one name; (None, None) when the variable
    is not written (``E_p``, ``E_x``: a distribution or a variable, not said)."""
    if isinstance(sub, Cond) and sub.op == "~" and isinstance(sub.left, Name) and not sub.left.accent:
        var, law = sub.left, sub.right
        if isinstance(law, (Name, Script)) and "(" not in (_key(law) or "("):
            return var, Call(law, (var,), True)
        if isinstance(law, Call) and law.args == (var,) or _conditional_of(law) == var.base:
            return var, law
        return None, None
    if isinstance(sub, Call) and len(sub.args) == 1 and isinstance(sub.args[0], Name) and not sub.args[0].accent:
        return sub.args[0], sub
    if isinstance(sub, Name) and (letter := _conditional_of(sub)) is not None:
        return Name(letter), sub
    return None, None


def _conditional_letters(key: str) -> set[str]:
    """The letters written inside a name read as one, ``q(z|x)`` -> {z, x}."""
    if "(" not in key:
        return set()
    return {t for t in re.split(r"[|,;\s()\\{}]+", key.split("(", 1)[1]) if t}


def _conditional_of(node: Node) -> str | None:
    """``q(z|x)`` read as one name: its first letter z (the variable of the density), or None."""
    if not isinstance(node, Name) or "|" not in node.base:
        return None
    before_bar = _conditional_letters(node.base.split("|", 1)[0])
    inner = next(iter(before_bar)) if len(before_bar) == 1 else ""
    return inner if len(inner) == 1 and inner.isalpha() else None


def _call_index(node: Call, d: Definition) -> tuple:
    """The index of an entry of a vector function's value: after the call (σ(z)_i) or, for a
    definition with indices, on the function's letter (σ_i(z), as σ_i(z) = e^{z_i} / Σ_k e^{z_k}
    writes it; h_θ(x) names a function, its θ is no index)."""
    if node.sub or not d.indices:
        return node.sub
    return node.func.sub if isinstance(node.func, Script) and node.func.sub and node.func.sup is None else ()
key_of = _key


def value_case(c: Cond) -> tuple[str, int] | None:
    """(name, value) of a case on a value: ``y = 1``, ``y = -1`` (not a relation of index letters)."""
    number = c.right.arg if isinstance(c.right, Neg) else c.right
    if isinstance(c.left, Name) and c.op == "=" and isinstance(number, Num) and number.value.isdigit():
        return c.left.key, int(number.value) * (-1 if isinstance(c.right, Neg) else 1)
    return None


def _trailing_sum(node: Node):
    """(index letter, a function that puts more terms in the sum's body) when ``node`` ends with a
    sum written with its index: the sum itself, or it last in a product (``-\\frac1m \\sum_i``), under a
    minus, or under a derivative operator written before it (``\\frac{\\partial}{\\partial w} \\sum_i``)."""
    if isinstance(node, BigOp):
        letter = sum_letter(node)
        return None if letter is None else (letter, lambda extra: replace(node, body=Add((node.body,) + extra)))
    inner = node.arg if isinstance(node, Neg) else node.factors[-1] if isinstance(node, Mul) \
        else node.f if isinstance(node, Deriv) and node.loose and node.f is not None else None
    found = _trailing_sum(inner) if inner is not None else None
    if found is None:
        return None
    letter, put = found
    if isinstance(node, Neg):
        return letter, lambda extra: Neg(put(extra))
    if isinstance(node, Mul):
        return letter, lambda extra: replace(node, factors=node.factors[:-1] + (put(extra),))
    return letter, lambda extra: replace(node, f=put(extra))


def _free_letter(node: Node, letter: str) -> bool:
    """Does ``letter`` occur in ``node`` outside every sum over that letter (``- \\sum_{i \\neq j} y_i``
    binds its own i)?"""
    if isinstance(node, Name):
        return node.base == letter
    if isinstance(node, BigOp) and sum_letter(node) == letter:
        return False
    if isinstance(node, (Num, Unreadable)):
        return False
    return any(_free_letter(child, letter) for value in vars(node).values() for child in _children(value))


def bound_letter(node: BigOp) -> str | None:
    """The letter a sum or product runs over (``\\sum_i``, ``\\prod_{k=1}^K``), as written, else None."""
    sub = node.sub.left if isinstance(node.sub, Cond) else node.sub
    return sub.base if isinstance(sub, Name) else None


def sum_letter(node: Node) -> str | None:
    """The index letter of a sum written with it (``\\sum_i``, ``\\sum_{i=1}^n``), else None."""
    if not (isinstance(node, BigOp) and node.kind == "sum"):
        return None
    letter = bound_letter(node)
    return letter if letter is not None and len(letter) == 1 else None


def _set_of_entries(arg: Node) -> tuple[Node, str] | None:
    """``\\{z_i\\}``, ``[x_j]`` (or ``z_i`` alone as max's argument): the entry and the one index letter it
    runs over."""
    if isinstance(arg, Paren) and arg.kind in ("{", "[") and len(arg.items) == 1:
        arg = arg.items[0]
    if isinstance(arg, Script) and isinstance(arg.base, Name) and len(arg.sub) == 1 and arg.sup is None \
            and isinstance(arg.sub[0], Name) and len(arg.sub[0].base) == 1 and arg.sub[0].base.isalpha():
        return arg, arg.sub[0].base
    return None


def _letters(node: Script) -> set[str]:
    """The index letters of an entry, in its subscript or its bracketed superscript (z_j, Z^{(j)})."""
    parts = list(node.sub) + ([node.sup] if node.sup is not None and node.sup_paren else [])
    return {n.base for p in parts for n in _walk(p) if isinstance(n, Name) and len(n.base) == 1 and n.base.isalpha()}


def _entry_text(node: Node) -> str:
    """``z_{j}``, ``Z_{2}^{(j)}``: an entry as written, for messages."""
    if isinstance(node, Name):
        return pretty(node.key)
    if not isinstance(node, Script) or not isinstance(node.base, Name):
        return "its argument"
    subs = ",".join(n.base if isinstance(n, Name) else n.value if isinstance(n, Num) else "?" for n in node.sub)
    sup = node.sup.base if isinstance(node.sup, Name) else node.sup.value if isinstance(node.sup, Num) else ""
    return pretty(node.base.key) + (f"_{{{subs}}}" if subs else "") + (f"^{{({sup})}}" if node.sup_paren else "")


def bare_in(node: Node, key: str) -> bool:
    """``σ`` itself (not ``σ_i`` nor ``σ(x)``) somewhere in ``node``."""
    bases = {id(n.base) for n in _walk(node) if isinstance(n, Script)} | \
        {id(n.func) for n in _walk(node) if isinstance(n, Call)}
    return any(isinstance(n, Name) and n.key == key and id(n) not in bases for n in _walk(node))
