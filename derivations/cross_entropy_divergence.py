"""Cross-entropy as a divergence: H(P, Q) = H(P) + KL(P || Q), minimised over Q at Q = P.

Proves the decomposition for symbolic K; that Q = P (with multiplier 1) is a stationary point
of the Lagrangian H(P, Q) + lambda (sum Q - 1) on the simplex; that the Hessian in Q is
diag(P / Q^2), positive semidefinite everywhere (so H(P, .) is convex and the stationary point
is the global minimum, hence H(P, Q) >= H(P)) and positive definite, diag(1 / P), at Q = P;
and that -P log Q -> +inf as Q -> 0 with P > 0 (the numeric layer checks the infinite value).
"""

import sympy as sp

from symxent.derive import At, class_sum, partial
from symxent.registry import Assumption, Claim, Definition, Derivation, Variable
from symxent.symbols import CLASS_INDICES, K, j, k, l, v

P = sp.IndexedBase("P", positive=True)  # the true distribution
Q = sp.IndexedBase("Q", positive=True)  # the model distribution
lam = sp.Symbol("lambda", real=True)  # the Lagrange multiplier of sum(Q) = 1
H_P = sp.Symbol("H_P", real=True)
H_PQ = sp.Symbol("H_PQ", real=True)
KL = sp.Symbol("KL_PQ", real=True)
Lagrangian = sp.Symbol("Lambda", real=True)
p_scalar = sp.Symbol("rho", positive=True)  # one positive entry of P
q_scalar = sp.Symbol("q", positive=True)  # one entry of Q

P_SUMS_TO_ONE = Assumption("P sums to 1", class_sum(P[k], k, K), sp.Integer(1))
at_minimum = ((Q, P), (lam, sp.Integer(1)))

DERIVATIONS = [
    Derivation(
        name="cross_entropy_divergence",
        title="Cross-entropy as a divergence",
        summary=(r"$H(P, Q) = H(P) + \operatorname{KL}(P \,\|\, Q)$, minimised on the simplex exactly at $Q = P$, "
                 r"infinite where $Q_j = 0 < P_j$"),
        dimensions={K: None},
        indices=CLASS_INDICES,
        variables=(
            Variable(P, "simplex", "true distribution", indices=(k,)),
            Variable(Q, "simplex", "model distribution", indices=(k,)),
            Variable(v, "real", "a direction", indices=(k,)),
            Variable(lam, "real", "Lagrange multiplier"),
            Variable(p_scalar, "unit_interval", "an entry of P"),
            Variable(q_scalar, "unit_interval", "an entry of Q"),
        ),
        definitions=(
            Definition(H_P, -class_sum(P[k] * sp.log(P[k]), k, K), r"entropy of $P$"),
            Definition(H_PQ, -class_sum(P[k] * sp.log(Q[k]), k, K), r"cross-entropy of $Q$ relative to $P$"),
            Definition(KL, class_sum(P[k] * sp.log(P[k] / Q[k]), k, K), "Kullback-Leibler divergence"),
            Definition(Lagrangian, H_PQ + lam * (class_sum(Q[k], k, K) - 1), "Lagrangian on the simplex"),
        ),
        claims=(
            Claim("decomposition", "H(P, Q) = H(P) + KL(P || Q)", H_PQ, H_P + KL,
                  display_statement=r"cross-entropy is entropy plus divergence"),
            Claim("lagrangian_gradient", "dLambda/dQ_j = -P_j / Q_j + lambda", partial(Lagrangian, Q[j]),
                  -P[j] / Q[j] + lam,
                  display_statement=r"the Lagrangian's gradient in $Q$"),
            Claim("stationary_in_q", "dLambda/dQ_j = 0 at Q = P, lambda = 1",
                  At(partial(Lagrangian, Q[j]), at_minimum), sp.Integer(0),
                  display_statement=r"stationary in $Q$ at $Q = P$, $\lambda = 1$"),
            Claim("stationary_in_lambda", "dLambda/dlambda = sum Q - 1 = 0 at Q = P",
                  At(partial(Lagrangian, lam), at_minimum), sp.Integer(0), assumptions=(P_SUMS_TO_ONE,),
                  display_statement=r"and on the simplex there"),
            Claim("hessian_in_q", "d2H(P,Q)/dQ_j dQ_l = delta_jl P_j / Q_j^2", partial(H_PQ, Q[j], Q[l]),
                  sp.KroneckerDelta(j, l) * P[j] / Q[j] ** 2,
                  display_statement=r"the Hessian in $Q$"),
            Claim("convex_in_q", "v^T (d2H/dQ2) v = sum_k P_k v_k^2 / Q_k^2 >= 0: H(P, .) is convex",
                  class_sum(class_sum(v[j] * sp.KroneckerDelta(j, l) * P[j] / Q[j] ** 2 * v[l], l, K), j, K),
                  sp.Integer(0), relation=">=", certificate=class_sum(P[k] * v[k] ** 2 / Q[k] ** 2, k, K),
                  display_statement=r"$H(P, \cdot)$ is convex"),
            Claim("hessian_at_minimum", "at Q = P the Hessian is diag(1 / P_j)",
                  At(partial(Lagrangian, Q[j], Q[l]), at_minimum), sp.KroneckerDelta(j, l) / P[j],
                  display_statement=r"at $Q = P$: $\operatorname{diag}(1 / P_j)$"),
            Claim("positive_definite_at_minimum", "its diagonal entries 1 / P_j are positive", 1 / P[j],
                  sp.Integer(0), relation=">", certificate=1 / P[j],
                  display_statement=r"positive definite there"),
            Claim("infinite_where_q_vanishes", "-P_j log Q_j -> +inf as Q_j -> 0 with P_j > 0",
                  sp.Limit(-p_scalar * sp.log(q_scalar), q_scalar, 0, "+"), sp.oo, general_k=False,
                  display_statement=r"infinite where $Q_j \to 0 < P_j$"),
        ),
    )
]
