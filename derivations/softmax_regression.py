"""Batched softmax regression: the mean cross-entropy of N samples and its gradients.

With logits Z = X Theta^T (Z_nk = sum_d X_nd Theta_kd), P = softmax(Z) row-wise and targets Y
whose rows sum to 1, E = -(1/N) sum_n sum_k Y_nk log P_nk. Proves dE/dZ_sa = (P_sa - Y_sa)/N
and dE/dTheta_ab = (1/N) sum_n (P_na - Y_na) X_nb, i.e. (P - Y)^T X / N, for symbolic N, K
and D and for explicit N = 2, D = 2, K = 2..Kmax.
"""

import sympy as sp

from symxent.derive import class_sum, partial
from symxent.registry import Assumption, Chain, Claim, Definition, Derivation, Step, Variable
from symxent.symbols import D, K, N

n, s = sp.symbols("n s", integer=True)  # samples: n bound in sums, s free
k, r, a = sp.symbols("k r a", integer=True)  # classes: k, r bound, a free
e, b = sp.symbols("e b", integer=True)  # features: e bound, b free

X = sp.IndexedBase("X", real=True)  # inputs (N, D)
Theta = sp.IndexedBase("Theta", real=True)  # weights (K, D)
Y = sp.IndexedBase("Y", nonnegative=True)  # targets (N, K), rows on the simplex
Z = sp.IndexedBase("Z", real=True)  # logits (N, K)
P = sp.IndexedBase("P", positive=True)  # probabilities (N, K)
E = sp.Symbol("E", real=True)  # the mean loss

ROWS_SUM_TO_ONE = Assumption("target rows sum to 1", class_sum(Y[s, k], k, K), sp.Integer(1))
grad_Z = (P[s, a] - Y[s, a]) / N

DERIVATIONS = [
    Derivation(
        name="softmax_regression",
        title="Batched softmax regression",
        summary=(r"$E$, the mean cross-entropy of $\operatorname{softmax}(X \Theta^\top)$: "
                 r"$\partial E / \partial Z = (P - Y) / N$ and $\partial E / \partial \Theta = (P - Y)^\top X / N$"),
        dimensions={N: (2,), K: None, D: (2,)},
        indices={n: N, s: N, k: K, r: K, a: K, e: D, b: D},
        variables=(
            Variable(X, "real", "inputs", indices=(n, e)),
            Variable(Theta, "real", "weights", indices=(k, e)),
            Variable(Y, "simplex", "targets (rows on the simplex)", indices=(n, k)),
        ),
        definitions=(
            Definition(Z[n, k], class_sum(X[n, e] * Theta[k, e], e, D), r"logits $Z = X \Theta^\top$"),
            Definition(P[n, k], sp.exp(Z[n, k]) / class_sum(sp.exp(Z[n, r]), r, K), "row-wise softmax"),
            Definition(E, -class_sum(class_sum(Y[n, k] * sp.log(P[n, k]), k, K), n, N) / N, "mean cross-entropy"),
        ),
        claims=(
            Claim("gradient_logits", "dE/dZ_sa = (P_sa - Y_sa) / N", partial(E, Z[s, a]), grad_Z,
                  assumptions=(ROWS_SUM_TO_ONE,),
                  display_statement=r"the gradient in the logits, $(P - Y) / N$"),
            Claim("gradient_weights", "dE/dTheta_ab = (1/N) sum_n (P_na - Y_na) X_nb, i.e. (P - Y)^T X / N",
                  partial(E, Theta[a, b]), class_sum((P[n, a] - Y[n, a]) * X[n, b], n, N) / N,
                  assumptions=(ROWS_SUM_TO_ONE,),
                  display_statement=r"the gradient in the weights, $(P - Y)^\top X / N$"),
        ),
        chains=(
            Chain("The gradient in the logits", partial(E, Z[s, a]), (
                Step(-class_sum(Y[s, k] * partial(sp.log(P[s, k]), Z[s, a]), k, K) / N,
                     r"only sample $s$ depends on $Z_{sa}$"),
                Step(-class_sum(Y[s, k] * (sp.KroneckerDelta(k, a) - P[s, a]), k, K) / N,
                     r"$\partial \log P_{sk} / \partial Z_{sa} = \delta_{ka} - P_{sa}$"),
                Step((P[s, a] * class_sum(Y[s, k], k, K) - Y[s, a]) / N, r"the delta picks $k = a$"),
                Step(grad_Z, "target rows sum to 1", assumptions=(ROWS_SUM_TO_ONE,)),
            )),
        ),
    )
]
