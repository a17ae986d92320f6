"""Poly-1 (Leng et al., "PolyLoss", ICLR 2022): cross-entropy plus epsilon (1 - p_c).

With p = softmax(z), a target class c and epsilon (any real; the paper uses epsilon = 1 by
default), L = -log p_c + epsilon (1 - p_c). Proves, for explicit K = 2..Kmax and a symbolic K:
- dL/dp_c = -1/p_c - epsilon;
- dL/dz_j = (1 + epsilon p_c)(p_j - delta_jc) (the chain of steps): the cross-entropy's gradient
  scaled by 1 + epsilon p_c, so it is not p - y unless epsilon = 0;
- d2L/dz_j dz_l = (1 + epsilon p_c) p_j (delta_jl - p_l) - epsilon p_c (delta_jc - p_j)(delta_lc - p_l);
- epsilon = 0 is the cross-entropy (loss and gradient);
- the stable forms: p_i and -log p_c max-shifted.
Generates poly1.py (the generic template): loss, grad, loss_and_grad(logits, target, *,
epsilon=1.0, reduction="mean", axis=-1). Not a built-in: `symxent verify --derivations
examples/derivations poly1` proves it and checks the module.
"""

import sympy as sp

from symxent.derive import At, partial
from symxent.registry import Chain, Claim, Definition, Derivation, Step, Variable, logits_loss_module
from symxent.symbols import CLASS_INDICES, LOG_SUM_SHIFTED, SOFTMAX, SOFTMAX_STABLE, K, L, c, j, k, l, p, shifted, z

delta = sp.KroneckerDelta
epsilon = sp.Symbol("epsilon", real=True)  # the weight of the first polynomial term

loss = -sp.log(p[c]) + epsilon * (1 - p[c])
gradient = (1 + epsilon * p[c]) * (p[j] - delta(j, c))
hessian = (1 + epsilon * p[c]) * p[j] * (delta(j, l) - p[l]) - epsilon * p[c] * (delta(j, c) - p[j]) * (
    delta(l, c) - p[l])

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
        ),
        definitions=(SOFTMAX, Definition(L, loss, "Poly-1 loss of a sample of class c")),
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
            logits_loss_module("poly1", "Poly-1 loss (Leng et al. 2022) of softmax logits with class indices: loss and "
                               "gradient.", logits=z, target=c, index=j, loss="loss_stable", gradient="gradient",
                               parameters=((epsilon, 1.0, "real", "the weight of the (1 - p_c) term"),)),
        ),
    )
]
