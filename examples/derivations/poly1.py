"""Poly-1 (Leng et al., "PolyLoss", ICLR 2022): cross-entropy plus epsilon (1 - p_c).

With p = softmax(z), a target class c and epsilon (any real; the paper uses epsilon = 1 by
default), L = -log p_c + epsilon (1 - p_c). Proves, for explicit K = 2..Kmax and a symbolic K:
- dL/dp_c = -1/p_c - epsilon;
- dL/dz_j = (1 + epsilon p_c)(p_j - delta_jc) (the chain of steps): the cross-entropy's gradient
  scaled by 1 + epsilon p_c, so it is not p - y unless epsilon = 0;
- d2L/dz_j dz_l = (1 + epsilon p_c) p_j (delta_jl - p_l) - epsilon p_c (delta_jc - p_j)(delta_lc - p_l);
- epsilon = 0 is the cross-entropy (loss and gradient);
- for probability targets y (the paper's soft labels, p_t = sum_k y_k p_k):
  L_y = -sum_k y_k log p_k + epsilon (1 - sum_k y_k p_k), with gradient
  p_j sum_k y_k - y_j + epsilon p_j (sum_k y_k p_k - y_j) for any y (no "targets sum to 1");
- the stable forms: p_i and -log p_k max-shifted.
Generates poly1.py (the generic template): loss, grad, loss_and_grad(logits, target, *,
epsilon=1.0, reduction="mean", axis=-1), for class indices and probability targets. Not a built-in: `symxent verify --derivations
examples/derivations poly1` proves it and checks the module.
"""

import sympy as sp

from symxent.derive import At, class_sum, partial
from symxent.registry import Chain, Claim, Definition, Derivation, Step, Variable, logits_loss_module
from symxent.symbols import CLASS_INDICES, LOG_SUM_SHIFTED, SOFTMAX, SOFTMAX_STABLE, K, L, c, j, k, l, p, shifted, y, z

delta = sp.KroneckerDelta
epsilon = sp.Symbol("epsilon", real=True)  # the weight of the first polynomial term

loss = -sp.log(p[c]) + epsilon * (1 - p[c])
gradient = (1 + epsilon * p[c]) * (p[j] - delta(j, c))
hessian = (1 + epsilon * p[c]) * p[j] * (delta(j, l) - p[l]) - epsilon * p[c] * (delta(j, c) - p[j]) * (
    delta(l, c) - p[l])

L_y = sp.Symbol("L_y", real=True)  # the loss of a probability target y
p_t = class_sum(y[k] * p[k], k, K)  # the probability of the target
soft_gradient = p[j] * class_sum(y[k], k, K) - y[j] + epsilon * p[j] * (p_t - y[j])

DERIVATIONS = [
    Derivation(
        name="poly1",
        title="Poly-1 loss",
        summary="L = -log p_c + epsilon (1 - p_c); dL/dz_j = (1 + epsilon p_c)(p_j - delta_jc)",
        dimensions={K: None},
        indices=CLASS_INDICES,
        variables=(
            Variable(z, "real", "logits", indices=(k,)),
            Variable(epsilon, "real", "the weight of the (1 - p_c) term"),
            Variable(y, "simplex", "target probabilities", indices=(k,)),
        ),
        definitions=(SOFTMAX, Definition(L, loss, "Poly-1 loss of a sample of class c"),
                     Definition(L_y, class_sum(-y[k] * sp.log(p[k]), k, K) + epsilon * (1 - p_t),
                                "Poly-1 loss of a probability target y")),
        claims=(
            SOFTMAX_STABLE,
            Claim("loss_stable", "L = (log sum_k exp(z_k - max z) - (z_c - max z)) + epsilon (1 - p_c)", L,
                  LOG_SUM_SHIFTED - shifted(z[c]) + epsilon * (1 - p[c])),
            Claim("dloss_dprob", "dL/dp_c = -1/p_c - epsilon", partial(L, p[c]), -1 / p[c] - epsilon),
            Claim("gradient", "dL/dz_j = (1 + epsilon p_c)(p_j - delta_jc)", partial(L, z[j]), gradient),
            Claim("hessian", "d2L/dz_j dz_l = (1 + epsilon p_c) p_j (delta_jl - p_l) - epsilon p_c (delta_jc - p_j)"
                  "(delta_lc - p_l)", partial(L, z[j], z[l]), hessian),
            Claim("loss_epsilon_zero", "epsilon = 0: L = -log p_c, the cross-entropy", At(L, ((epsilon, 0),)),
                  -sp.log(p[c])),
            Claim("gradient_epsilon_zero", "epsilon = 0: dL/dz_j = p_j - delta_jc, the cross-entropy's",
                  At(partial(L, z[j]), ((epsilon, 0),)), p[j] - delta(j, c)),
            Claim("soft_loss_stable", "L_y = sum_k y_k (log sum_r exp(z_r - max z) - (z_k - max z)) + epsilon "
                  "(1 - sum_k y_k p_k)", L_y,
                  class_sum(y[k] * (LOG_SUM_SHIFTED - shifted(z[k])), k, K) + epsilon * (1 - p_t)),
            Claim("soft_gradient", "dL_y/dz_j = p_j sum_k y_k - y_j + epsilon p_j (sum_k y_k p_k - y_j)",
                  partial(L_y, z[j]), soft_gradient),
        ),
        chains=(
            Chain("The gradient of Poly-1 in the logits", partial(L, z[j]), (
                Step(sp.Mul(partial(L, p[c]), partial(p[c], z[j]), evaluate=False),
                     "chain rule: L depends on the logits only through p_c"),
                Step(sp.Mul(-1 / p[c] - epsilon, p[c] * (delta(j, c) - p[j]), evaluate=False),
                     "dL/dp_c = -1/p_c - epsilon, and the softmax Jacobian dp_c/dz_j = p_c (delta_jc - p_j)"),
                Step(gradient, "multiply out: -(1 + epsilon p_c)(delta_jc - p_j)"),
            )),
        ),
        modules=(
            logits_loss_module("poly1", "Poly-1 loss (Leng et al. 2022) of softmax logits with class indices or "
                               "probability targets: loss and gradient.", logits=z, target=c, index=j,
                               loss="loss_stable", gradient="gradient",
                               parameters=((epsilon, 1.0, "real", "the weight of the (1 - p_c) term"),),
                               probs=y, probs_loss="soft_loss_stable", probs_gradient="soft_gradient"),
        ),
    )
]
