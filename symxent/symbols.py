"""The standard symbols of the cross-entropy family: one name for one thing everywhere.

Derivation files import these rather than making their own, so ``z`` is the logits, ``p`` the
softmax probabilities, ``y`` the target, ``K`` the number of classes in every derivation, in
the LaTeX, and in the generated code. Class indices are integer symbols ranging over 1..K
(declared per derivation in ``Derivation.indices``); ``k`` and ``r`` are reserved for sums.
"""

import sympy as sp

__all__ = [
    "CLASS_INDICES", "D", "K", "L", "LOGSUMEXP", "LOGSUMEXP_STABLE", "LOG_SIGMOID_STABLE", "LSE", "N", "SIGMOID",
    "SIGMOID_DERIVATIVE_STABLE", "SIGMOID_STABLE", "SOFTMAX", "SOFTMAX_STABLE", "c", "d", "i", "j", "k", "l", "max_z",
    "n", "p", "r", "shifted", "sigma", "u", "v", "y", "z", "LOG_SUM_SHIFTED",
]

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


# --- Standard definitions and their proven stable forms ------------------------------------
# Imported by every family that uses them, so softmax, log-sum-exp and the sigmoid are
# defined (and their stable forms claimed) in exactly one place.
from symxent.derive import ClassMax, class_sum, log1p  # noqa: E402
from symxent.registry import Claim, Definition  # noqa: E402

sigma = sp.Function("sigma", real=True)  # the logistic sigmoid
LSE = sp.Symbol("LSE", real=True)  # log-sum-exp of the logits z
max_z = ClassMax(z[r], r)  # the stability shift max_r z_r

SOFTMAX = Definition(p[i], sp.exp(z[i]) / class_sum(sp.exp(z[k]), k, K), "softmax probabilities",
                     stable="softmax_stable")
SOFTMAX_STABLE = Claim("softmax_stable", "p_i = exp(z_i - max z) / sum_k exp(z_k - max z)",
                       p[i], sp.exp(z[i] - max_z) / class_sum(sp.exp(z[k] - max_z), k, K),
                       display_statement=r"max-shifted: only $e^{x}$ with $x \le 0$")
def shifted(x: sp.Expr) -> sp.Expr:
    """``x - max z`` kept as one term (not re-flattened by SymPy), so the printed code forms the
    shifted logit first: ``(z_c - max z)`` is exact, while ``max z + log S - z_c`` cancels
    catastrophically in float32 at large |z|. Proofs unwrap it."""
    return sp.UnevaluatedExpr(x - max_z)


LOG_SUM_SHIFTED = sp.log(class_sum(sp.exp(z[k] - max_z), k, K))  # logsumexp(z) - max z

LOGSUMEXP = Definition(LSE, sp.log(class_sum(sp.exp(z[k]), k, K)), "log-sum-exp", stable="logsumexp_stable")
LOGSUMEXP_STABLE = Claim("logsumexp_stable", "logsumexp(z) = max z + log sum_k exp(z_k - max z)",
                         LSE, max_z + sp.log(class_sum(sp.exp(z[k] - max_z), k, K)),
                         display_statement=r"the max-shifted log-sum-exp")

SIGMOID = Definition(sigma(u), 1 / (1 + sp.exp(-u)), "logistic sigmoid", stable="sigmoid_stable")
# Only exp of non-positive arguments (as PyTorch's sigmoid and SciPy's expit): no overflow,
# and each tail keeps its relative accuracy; (1 + tanh(u/2))/2 rounds to 0 below u = -38 and
# loses digits long before (1 + tanh cancels).
SIGMOID_STABLE = Claim("sigmoid_stable", "sigma(u) = exp(min(u, 0)) / (1 + exp(-|u|)) (exp of non-positive "
                       "arguments only: no overflow, relatively accurate in both tails)",
                       sigma(u), sp.exp(sp.Min(u, 0)) / (1 + sp.exp(-sp.Abs(u))), general_k=False,
                       display_statement=r"only $e^{x}$ with $x \le 0$: no overflow, accurate in both tails")
LOG_SIGMOID_STABLE = Claim("log_sigmoid_stable", "log sigma(u) = min(u, 0) - log(1 + exp(-|u|))",
                           sp.log(sigma(u)), sp.Min(u, 0) - log1p(sp.exp(-sp.Abs(u))), general_k=False,
                           display_statement=r"log-sigmoid without cancellation")
# s (1 - s) with s = sigma(-|u|) = exp(-|u|) / (1 + exp(-|u|)) <= 1/2: even in u, no 1 - tanh^2
# cancellation (which rounds to 0 beyond |u| = 38), and never above 1/4 after rounding, which
# exp(-|u|) / (1 + exp(-|u|))^2 is by an ulp near u = 0.
_S = sp.exp(-sp.Abs(u)) / (1 + sp.exp(-sp.Abs(u)))
SIGMOID_DERIVATIVE_STABLE = Claim("derivative_stable", "sigma'(u) = s (1 - s), s = exp(-|u|) / (1 + exp(-|u|)) "
                                  "(no overflow, relatively accurate in both tails, at most 1/4)",
                                  sp.Derivative(sigma(u), u), _S * (1 - _S), general_k=False,
                                  display_statement=r"$s = e^{-|u|} / (1 + e^{-|u|})$: accurate in both tails")
