"""Generalized cross-entropy (Zhang & Sabuncu, NeurIPS 2018): L_q = (1 - p_c^q) / q.

With p = softmax(z), a target class c and q in (0, 1] (the paper's default 0.7), the
negative Box-Cox transform of p_c: q -> 0 is the cross-entropy -log p_c, q = 1 the mean
absolute error 1 - p_c, robust to noisy labels. Proves, for explicit K = 2..Kmax and a
symbolic K:
- dL/dp_c = -p_c^(q - 1);
- dL/dz_j = p_c^q (p_j - delta_jc) (the chain of steps): the cross-entropy's gradient weighted
  by p_c^q, so confidently wrong samples weigh little;
- q = 1: L = 1 - p_c, gradient p_c (p_j - delta_jc);
- L -> -log p_c as q -> 0 (the limit, at a probability rho);
- the stable form is the softmax's: p_i = exp(z_i - max z) / sum_k exp(z_k - max z), so p_c^q
  never overflows (exp(q log p_c) with a max-shifted log p_c is the same number, but the prover
  cannot show exp(q log x) = x^q without help, so it is not claimed).
Generates generalized_cross_entropy.py (the generic template): loss, grad,
loss_and_grad(logits, target, *, q=0.7, reduction="mean", axis=-1). Not a built-in:
`symxent verify --derivations examples/derivations generalized_cross_entropy` proves it and
checks the module.
"""

import sympy as sp

from symxent.derive import At, partial
from symxent.registry import Chain, Claim, Definition, Derivation, Step, Variable, logits_loss_module
from symxent.symbols import CLASS_INDICES, SOFTMAX, SOFTMAX_STABLE, K, L, c, j, k, p, z

delta = sp.KroneckerDelta
q = sp.Symbol("q", positive=True)  # the Box-Cox parameter, in (0, 1]
rho = sp.Symbol("rho", positive=True)  # a probability in (0, 1), for the limit q -> 0

loss = (1 - p[c] ** q) / q
gradient = p[c] ** q * (p[j] - delta(j, c))

DERIVATIONS = [
    Derivation(
        name="generalized_cross_entropy",
        title="Generalized cross-entropy",
        summary="L_q = (1 - p_c^q) / q; dL/dz_j = p_c^q (p_j - delta_jc); q -> 0 is the cross-entropy",
        dimensions={K: None},
        indices=CLASS_INDICES,
        variables=(
            Variable(z, "real", "logits", indices=(k,)),
            Variable(q, "unit_interval", "the Box-Cox parameter q in (0, 1]"),
            Variable(rho, "unit_interval", "a probability"),
        ),
        definitions=(SOFTMAX, Definition(L, loss, "generalized cross-entropy of a sample of class c")),
        claims=(
            SOFTMAX_STABLE,
            Claim("loss_closed", "L = (1 - p_c^q) / q", L, (1 - p[c] ** q) / q),
            Claim("dloss_dprob", "dL/dp_c = -p_c^(q - 1)", partial(L, p[c]), -p[c] ** (q - 1)),
            Claim("gradient", "dL/dz_j = p_c^q (p_j - delta_jc)", partial(L, z[j]), gradient),
            Claim("loss_q_one", "q = 1: L = 1 - p_c, the mean absolute error", At(L, ((q, 1),)), 1 - p[c]),
            Claim("gradient_q_one", "q = 1: dL/dz_j = p_c (p_j - delta_jc)", At(partial(L, z[j]), ((q, 1),)),
                  p[c] * (p[j] - delta(j, c))),
            Claim("cross_entropy_limit", "(1 - rho^q) / q -> -log rho as q -> 0: the cross-entropy",
                  sp.Limit((1 - rho ** q) / q, q, 0, "+"), -sp.log(rho), general_k=False),
        ),
        chains=(
            Chain("The gradient of the generalized cross-entropy in the logits", partial(L, z[j]), (
                Step(sp.Mul(partial(L, p[c]), partial(p[c], z[j]), evaluate=False),
                     "chain rule: L depends on the logits only through p_c"),
                Step(sp.Mul(-p[c] ** (q - 1), p[c] * (delta(j, c) - p[j]), evaluate=False),
                     "dL/dp_c = -p_c^(q - 1), and the softmax Jacobian dp_c/dz_j = p_c (delta_jc - p_j)"),
                Step(gradient, "p_c^(q - 1) p_c = p_c^q"),
            )),
        ),
        modules=(
            logits_loss_module("generalized_cross_entropy", "Generalized cross-entropy (Zhang & Sabuncu 2018) of "
                               "softmax logits with class indices: loss and gradient.", logits=z, target=c, index=j,
                               loss="loss_closed", gradient="gradient",
                               parameters=((q, 0.7, "unit_interval", "the Box-Cox parameter"),)),
        ),
    )
]
