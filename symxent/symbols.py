"""The standard symbols of the cross-entropy family: one name for one thing everywhere.

Derivation files import these rather than making their own, so ``z`` is the logits, ``p`` the
softmax probabilities, ``y`` the target, ``K`` the number of classes in every derivation, in
the LaTeX, and in the generated code. Class indices are integer symbols ranging over 1..K
(declared per derivation in ``Derivation.indices``); ``k`` and ``r`` are reserved for sums.
"""

import sympy as sp

__all__ = ["K", "N", "D", "i", "j", "k", "l", "c", "r", "n", "d", "z", "y", "p", "v", "u", "L", "CLASS_INDICES"]

K = sp.Symbol("K", integer=True, positive=True)  # number of classes
N = sp.Symbol("N", integer=True, positive=True)  # number of samples
D = sp.Symbol("D", integer=True, positive=True)  # number of features

i, j, k, l, c, r = sp.symbols("i j k l c r", integer=True)
n, d = sp.symbols("n d", integer=True)

CLASS_INDICES = {i: K, j: K, k: K, l: K, c: K, r: K}

z = sp.IndexedBase("z", real=True)  # logits
y = sp.IndexedBase("y", nonnegative=True)  # target probabilities
p = sp.IndexedBase("p", positive=True)  # softmax(z)
v = sp.IndexedBase("v", real=True)  # a direction (vector-Jacobian / Hessian-vector products)
u = sp.Symbol("u", real=True)  # a scalar logit
L = sp.Symbol("L", real=True)  # a loss
