"""Focal loss (Lin et al. 2017), multiclass and binary: its gradients, gamma = 0, and stable forms.

Multiclass ("focal_loss"): p = softmax(z), target class c, class weights alpha, focusing
parameter gamma >= 0, L = -alpha_c (1 - p_c)^gamma log p_c. Proves, for explicit K = 2..Kmax
and a symbolic K:
- dL/dp_c = alpha_c (gamma (1 - p_c)^(gamma - 1) log p_c - (1 - p_c)^gamma / p_c);
- dL/dz_j = alpha_c (gamma (1 - p_c)^(gamma - 1) p_c log p_c - (1 - p_c)^gamma)(delta_jc - p_j)
  (the chain of steps), = alpha_c (1 - p_c)^gamma (gamma R_c - 1)(delta_jc - p_j) with
  R = p log p / (1 - p) in [-1, 0], which tends to -1 as p -> 1: the printed form stays finite
  where (1 - p_c)^(gamma - 1) is not (gamma < 1). The gradient is not p - y;
- gamma = 0: L = -alpha_c log p_c and dL/dz_j = alpha_c (p_j - delta_jc), weighted cross-entropy;
- stable forms: log p_i by the max-shifted log-softmax, 1 - p_i as the sum of the other classes'
  probabilities (no cancellation), R_i through log1p (accurate for small 1 - p_i, no 0/0).

Binary ("binary_focal_loss", torchvision.ops.sigmoid_focal_loss): p = sigma(z), target y in
[0, 1], ce = BCE-with-logits(z, y), p_t = p y + (1 - p)(1 - y), alpha_t = alpha y +
(1 - alpha)(1 - y), L_0 = ce (1 - p_t)^gamma and L = alpha_t L_0. Proves dL/dz =
alpha_t (1 - p_t)^gamma (sigma(z) - y + gamma (1 - 2y) ce sigma(z) sigma(-z) / (1 - p_t)) for
every y in [0, 1]; for y = 1 Lin et al.'s alpha (1 - p)^gamma (gamma p log p + p - 1) (the chain
of steps), for y = 0 its mirror image; the curvature for y = 1, alpha (1 - p)^gamma p
((1 - p)(gamma log p + gamma + 1) - gamma (gamma p log p + p - 1)); gamma = 0 gives alpha_t BCE
with gradient alpha_t (sigma(z) - y) and curvature alpha_t sigma(z)(1 - sigma(z)); and the
stable forms: sigma(u) = exp(min(u, 0)) / (1 + exp(-|u|)), 1 - p_t = sigma(z)(1 - y) + sigma(-z) y,
the max/log1p form of BCE.

The multiclass Hessian: with A(p) = alpha_c (gamma (1 - p)^(gamma - 1) p log p - (1 - p)^gamma)
(the gradient is A(p_c)(delta_jc - p_j)), d2L/dz_j dz_l = A'(p_c) p_c (delta_jc - p_j)(delta_lc - p_l)
- A(p_c) p_j (delta_jl - p_l), A'(p) = alpha_c gamma (1 - p)^(gamma - 2) ((1 - p)(log p + 2) -
(gamma - 1) p log p): proven (claim "hessian"), not generated. At gamma = 0, A = -alpha_c and it
is the weighted cross-entropy's alpha_c p_j (delta_jl - p_l).
"""

import sympy as sp

from symxent.derive import At, class_sum, log1p, partial, xdivy, xlog1py, xmuly
from symxent.registry import Chain, Claim, Definition, Derivation, Kernel, Module, Output, Step, Variable
from symxent.symbols import (CLASS_INDICES, LOG_SUM_SHIFTED, SOFTMAX, SOFTMAX_STABLE, K, L, c, i, j, k, l, max_z, p,
                             shifted, sigma, u, z)

delta = sp.KroneckerDelta
gamma = sp.Symbol("gamma", nonnegative=True)  # the focusing parameter

# --- multiclass ------------------------------------------------------------------------------

alpha = sp.IndexedBase("alpha", positive=True)  # class weights
ell = sp.IndexedBase("ell", real=True)  # log p
pbar = sp.IndexedBase("pbar", positive=True)  # 1 - p: the probability of the other classes
R = sp.IndexedBase("R", real=True)  # p log p / (1 - p), in [-1, 0]
rho = sp.Symbol("rho", positive=True)  # a probability in (0, 1), for the limit

loss = -alpha[c] * (1 - p[c]) ** gamma * sp.log(p[c])
d_loss_d_p = alpha[c] * (gamma * (1 - p[c]) ** (gamma - 1) * sp.log(p[c]) - (1 - p[c]) ** gamma / p[c])
gradient = alpha[c] * (gamma * (1 - p[c]) ** (gamma - 1) * p[c] * sp.log(p[c]) - (1 - p[c]) ** gamma) * (
    delta(j, c) - p[j])
# The other classes' unnormalised mass O_i = sum_{k != i} exp(z_k - max z): exp - delta exp, not
# (1 - delta) exp, since 1 - (a boolean one-hot) would be an integer array, promoting float32 to
# float64. 1 - p_i is printed as one division O_i / (O_i + exp(z_i - max z)) (xdivy: a call that
# common subexpression elimination cannot split into O_i times a shared reciprocal), not O_i / S
# with S the sum over all classes: rounded, O_i <= O_i + e, so the quotient is at most 1 (a
# division rounds monotonically), while O_i times the rounded 1/S exceeds 1 where p_i is below
# an ulp of 1 or underflows, making 1 - (1 - p_i) negative and the ratio's log1p(-(1 - p_i)) nan.
# O_i + e is at least 1 (the largest logit's term is exp(0)), so xdivy's 0/0 = 0 never applies.
OTHERS = class_sum(sp.exp(z[k] - max_z) - delta(k, i) * sp.exp(z[k] - max_z), k, K)
gradient_stable = alpha[c] * pbar[c] ** gamma * (gamma * R[c] - 1) * (delta(j, c) - p[j])
# The gradient is A(p_c) (delta_jc - p_j); the Hessian differentiates A and the softmax.
focal_factor = alpha[c] * (gamma * (1 - p[c]) ** (gamma - 1) * p[c] * sp.log(p[c]) - (1 - p[c]) ** gamma)
focal_factor_derivative = alpha[c] * gamma * (1 - p[c]) ** (gamma - 2) * (
    (1 - p[c]) * (sp.log(p[c]) + 2) - (gamma - 1) * p[c] * sp.log(p[c]))
hessian = (focal_factor_derivative * p[c] * (delta(j, c) - p[j]) * (delta(l, c) - p[l])
           - focal_factor * p[j] * (delta(j, l) - p[l]))

MULTICLASS = Derivation(
    name="focal_loss",
    title="Focal loss (multiclass)",
    summary=(r"$L = -\alpha_c (1 - p_c)^\gamma \log p_c$ (Lin et al. 2017): gradient "
             r"$\alpha_c (1 - p_c)^\gamma (\gamma R_c - 1)(\delta_{jc} - p_j)$ with $R = p \log p / (1 - p)$, the"
             r" Hessian; "
             r"$\gamma = 0$ is the weighted cross-entropy"),
    dimensions={K: None},
    indices=CLASS_INDICES,
    variables=(
        Variable(z, "real", "logits", indices=(k,)),
        Variable(alpha, "positive", "class weights", indices=(k,)),
        Variable(gamma, "positive", "focusing parameter"),
        Variable(rho, "unit_interval", "a probability"),
    ),
    definitions=(
        SOFTMAX,
        Definition(ell[i], sp.log(p[i]), "log-probability", stable="log_softmax"),
        Definition(pbar[i], 1 - p[i], "probability of the other classes", stable="pbar_stable"),
        Definition(R[i], p[i] * ell[i] / pbar[i], r"the ratio $p \log p / (1 - p)$", stable="ratio_stable"),
        Definition(L, loss, r"focal loss of a sample of class $c$"),
    ),
    claims=(
        SOFTMAX_STABLE,
        Claim("log_softmax", "log p_i = (z_i - max z) - log sum_k exp(z_k - max z)", ell[i],
              shifted(z[i]) - LOG_SUM_SHIFTED,
              display_statement=r"log-softmax"),
        Claim("pbar_stable", "1 - p_i = O_i / (O_i + exp(z_i - max z)) with O_i = sum_k (1 - delta_ki) exp(z_k - max z): "
              "the other classes' probabilities, summed without cancellation, and at most 1 when rounded (one division)",
              pbar[i], xdivy(OTHERS, OTHERS + sp.exp(z[i] - max_z)),
              display_statement=r"the other classes' mass, without cancellation, $\le 1$ when rounded"),
        Claim("ratio_stable", "R_i = ((1 - pbar_i) log(1 - pbar_i) + pbar_i (1 - pbar_i)) / pbar_i - (1 - pbar_i) with "
              "pbar_i = 1 - p_i: log1p keeps it accurate as pbar_i -> 0, where it tends to -1",
              R[i], xdivy(xlog1py(1 - pbar[i], -pbar[i]) + pbar[i] * (1 - pbar[i]), pbar[i]) - (1 - pbar[i]),
              display_statement=r"$R_i$ through $\operatorname{log1p}$: accurate as $\bar p_i \to 0$"),
        Claim("ratio_limit", "p log p / (1 - p) -> -1 as p -> 1: the gradient stays finite where (1 - p)^(gamma - 1) "
              "does not", sp.Limit(rho * sp.log(rho) / (1 - rho), rho, 1, "-"), sp.Integer(-1), general_k=False,
              display_statement=r"so the gradient stays finite as $p \to 1$"),
        Claim("loss_stable", "L = alpha_c (1 - p_c)^gamma (log sum_k exp(z_k - max z) - (z_c - max z))", L,
              alpha[c] * pbar[c] ** gamma * (LOG_SUM_SHIFTED - shifted(z[c])),
              display_statement=r"stable"),
        Claim("dloss_dprob", "dL/dp_c = alpha_c (gamma (1 - p_c)^(gamma - 1) log p_c - (1 - p_c)^gamma / p_c)",
              partial(L, p[c]), d_loss_d_p,
              display_statement=r"the loss in $p_c$"),
        Claim("gradient", "dL/dz_j = alpha_c (1 - p_c)^gamma (gamma R_c - 1)(delta_jc - p_j), not p_j - delta_jc",
              partial(L, z[j]), gradient_stable,
              display_statement=r"not $p_j - \delta_{jc}$"),
        Claim("hessian", "d2L/dz_j dz_l = A'(p_c) p_c (delta_jc - p_j)(delta_lc - p_l) - A(p_c) p_j (delta_jl - p_l) "
              "with A(p) = alpha_c (gamma (1 - p)^(gamma - 1) p log p - (1 - p)^gamma), the gradient's factor",
              partial(L, z[j], z[l]), hessian,
              display_statement=r"$A(p) = \alpha_c (\gamma (1 - p)^{\gamma - 1} p \log p - (1 - p)^\gamma)$, the"
                                r" gradient's factor"),
        Claim("loss_gamma_zero", "gamma = 0: L = -alpha_c log p_c, the weighted cross-entropy",
              At(L, ((gamma, 0),)), -alpha[c] * sp.log(p[c]),
              display_statement=r"$\gamma = 0$ is the weighted cross-entropy"),
        Claim("gradient_gamma_zero", "gamma = 0: dL/dz_j = alpha_c (p_j - delta_jc), the weighted cross-entropy's",
              At(partial(L, z[j]), ((gamma, 0),)), alpha[c] * (p[j] - delta(j, c)),
              display_statement=r"and its gradient"),
    ),
    chains=(
        Chain("The focal term as a function of the target probability", partial(L, p[c]), (
            Step(partial(-alpha[c] * (1 - p[c]) ** gamma, p[c]) * sp.log(p[c])
                 - alpha[c] * (1 - p[c]) ** gamma * partial(sp.log(p[c]), p[c]), r"product rule"),
            Step(d_loss_d_p, r"$\frac{d}{dp} (1 - p)^\gamma = -\gamma (1 - p)^{\gamma - 1}$, $\frac{d}{dp} \log p ="
                             r" \frac{1}{p}$"),
        )),
        Chain("The gradient of the focal loss in the logits", partial(L, z[j]), (
            Step(sp.Mul(partial(L, p[c]), partial(p[c], z[j]), evaluate=False),
                 r"chain rule: $L$ depends on $z$ only through $p_c$"),
            Step(gradient, r"above, and $\partial p_c / \partial z_j = p_c (\delta_{jc} - p_j)$"),
            Step(gradient_stable, r"factor out $\bar p_c^\gamma = (1 - p_c)^\gamma$; $R_c = p_c \log p_c / \bar p_c$"),
        )),
    ),
    modules=(
        Module(
            name="focal_loss",
            template="focal_loss.py.j2",
            summary="Focal loss (Lin et al. 2017) of softmax logits with class indices: loss and gradient.",
            kernels=(
                Kernel("loss", (("z", z), ("c", c), ("alpha", alpha), ("gamma", gamma)),
                       (Output("loss", "loss_stable"),)),
                Kernel("loss_and_grad", (("z", z), ("c", c), ("alpha", alpha), ("gamma", gamma)),
                       (Output("loss", "loss_stable"), Output("grad", "gradient", (j,)))),
            ),
            options={
                "derivatives": (("loss", "grad", "gradient"),),
                "arguments": (z, c),
                "keywords": {"alpha": ("positive", "class"), "gamma": ("positive", "scalar")},
                # The public functions against the raw claims of this kernel (symxent.verify).
                # Rows with -inf logits are their limit, rows with nan, +inf or only -inf nan (symxent.verify
                # checks every public function on such rows).
                "special_rows": True,
                "public": {"kind": "classes", "kernels": {"index": "loss_and_grad"},
                           "keywords": {"alpha": ("alpha", "class"), "gamma": ("gamma", "scalar", (0.0, 3.0))},
                           "defaults": {"alpha": 1.0, "gamma": 2.0}, "mean": {"index": "samples"}},
            },
        ),
    ),
)

# --- binary ----------------------------------------------------------------------------------

y = sp.Symbol("y", nonnegative=True)  # the target, in [0, 1]
a = sp.Symbol("alpha", nonnegative=True)  # the weight of positive targets, in [0, 1]
ce = sp.Symbol("ce", real=True)  # binary cross-entropy of the logit
p_t = sp.Symbol("p_t", positive=True)  # the probability of the target
pbar_t = sp.Symbol("pbar_t", positive=True)  # 1 - p_t
alpha_t = sp.Symbol("alpha_t", positive=True)  # the weight of the target
L_0 = sp.Symbol("L_0", real=True)  # the unweighted focal loss
d_sigma = sp.Derivative(sigma(u), u)

# ((1 - y) max(u, 0) - y min(u, 0)) formed first, exactly 0 when the label agrees with a large
# |u|, and inf (not inf - 0 inf = nan) at u = +inf, y = 0; each product with 0 * inf = 0 (xmuly),
# so 0 at u = -inf, y = 0 (see binary_cross_entropy's logits_stable).
ce_stable = sp.UnevaluatedExpr(xmuly(1 - y, sp.Max(u, 0)) - xmuly(y, sp.Min(u, 0))) + log1p(sp.exp(-sp.Abs(u)))
pbar_t_stable = sigma(u) * (1 - y) + sigma(-u) * y
# sigma(u) sigma(-u) / (1 - p_t) times ce with 0 * ce = 0: at u = -inf, y = 1 the first is 0 and ce
# is inf, and the product's limit is 0 (ce grows like |u|, the first decays like e^-|u|).
binary_gradient = pbar_t ** gamma * (sigma(u) - y + gamma * (1 - 2 * y) * xmuly(xdivy(sigma(u) * sigma(-u), pbar_t),
                                                                                ce))
positive = -a * (1 - sigma(u)) ** gamma * sp.log(sigma(u))  # the loss of a positive target (y = 1)

# The binary focal module passes alpha and gamma as Python numbers (see its _prepare).
NUMBERS = ("alpha", "gamma")

BINARY = Derivation(
    name="binary_focal_loss",
    title="Focal loss (binary, sigmoid)",
    summary=(r"$L = \alpha_t \,\mathrm{ce}\, (1 - p_t)^\gamma$ (torchvision): its gradient for every $y \in [0, 1]$, "
             r"Lin et al.'s $y = 1$ form and its mirror, the $y = 1$ curvature; $\gamma = 0$ is the weighted binary "
             r"cross-entropy"),
    dimensions={},
    indices={},
    variables=(
        Variable(u, "real", "logit"),
        Variable(y, "unit_interval", "target"),
        Variable(a, "unit_interval", "weight of positive targets"),
        Variable(gamma, "positive", "focusing parameter"),
    ),
    definitions=(
        Definition(sigma(u), 1 / (1 + sp.exp(-u)), "logistic sigmoid", stable="sigmoid_exp_stable"),
        Definition(ce, -(y * sp.log(sigma(u)) + (1 - y) * sp.log(1 - sigma(u))), "binary cross-entropy of the logit",
                   stable="ce_stable"),
        Definition(p_t, sigma(u) * y + (1 - sigma(u)) * (1 - y), "probability of the target"),
        Definition(pbar_t, 1 - p_t, "probability of the other outcome", stable="pbar_t_stable"),
        Definition(alpha_t, a * y + (1 - a) * (1 - y), "weight of the target"),
        Definition(L_0, ce * (1 - p_t) ** gamma, r"focal loss without the weight ($\alpha < 0$ in torchvision)"),
        Definition(L, alpha_t * L_0, "focal loss"),
    ),
    claims=(
        Claim("sigmoid_exp_stable", "sigma(u) = exp(min(u, 0)) / (1 + exp(-|u|)): no overflow, and sigma(-u) keeps its "
              "relative accuracy for large u (1 - sigma(u) would cancel)",
              sigma(u), sp.exp(sp.Min(u, 0)) / (1 + sp.exp(-sp.Abs(u))), general_k=False,
              display_statement=r"no overflow; $\sigma(-u)$ keeps its relative accuracy"),
        Claim("ce_stable", "ce = ((1 - y) max(z, 0) - y min(z, 0)) + log(1 + exp(-|z|)), products with 0 * inf = 0",
              ce, ce_stable, general_k=False,
              display_statement=r"the binary cross-entropy, stable"),
        Claim("pbar_t_stable", "1 - p_t = sigma(z) (1 - y) + sigma(-z) y, a sum of non-negative terms", pbar_t,
              pbar_t_stable, general_k=False,
              display_statement=r"a sum of non-negative terms"),
        Claim("loss_unweighted_stable", "L_0 = ce (1 - p_t)^gamma", L_0, ce * pbar_t ** gamma, general_k=False,
              display_statement=r"stable"),
        # alpha_t times the rest with 0 * inf = 0: a weight alpha_t of 0 (alpha = 1 and y = 0, say)
        # leaves the element out, also where ce is infinite (z = +inf, y = 0), where torchvision gives nan.
        Claim("loss_stable", "L = alpha_t ce (1 - p_t)^gamma, alpha_t times the rest with 0 * inf = 0", L,
              xmuly(alpha_t, ce * pbar_t ** gamma), general_k=False,
              display_statement=r"stable"),
        Claim("gradient_unweighted", "dL_0/dz = (1 - p_t)^gamma (sigma(z) - y + gamma (1 - 2y) ce sigma(z) sigma(-z) / "
              "(1 - p_t)), with 0/0 = 0 where both underflow and 0 * ce = 0", partial(L_0, u), binary_gradient, general_k=False,
              display_statement=r"with $0/0 = 0$ where both underflow"),
        Claim("gradient", "dL/dz = alpha_t (1 - p_t)^gamma (sigma(z) - y + gamma (1 - 2y) ce sigma(z) sigma(-z) / "
              "(1 - p_t)), with 0 * ce = 0", partial(L, u), alpha_t * binary_gradient, general_k=False,
              display_statement=r"for every $y \in [0, 1]$"),
        Claim("gradient_positive", "y = 1: dL/dz = alpha (1 - p)^gamma (gamma p log p + p - 1), p = sigma(z) (Lin et al.)",
              At(partial(L, u), ((y, 1),)),
              a * (1 - sigma(u)) ** gamma * (gamma * sigma(u) * sp.log(sigma(u)) + sigma(u) - 1), general_k=False,
              display_statement=r"$y = 1$, with $p = \sigma(u)$ (Lin et al.)"),
        Claim("gradient_negative", "y = 0: dL/dz = (1 - alpha) p^gamma (p - gamma (1 - p) log(1 - p)), p = sigma(z)",
              At(partial(L, u), ((y, 0),)),
              (1 - a) * sigma(u) ** gamma * (sigma(u) - gamma * (1 - sigma(u)) * sp.log(1 - sigma(u))), general_k=False,
              display_statement=r"$y = 0$, its mirror"),
        Claim("curvature_positive_target", "y = 1: d2L/dz2 = alpha (1 - p)^gamma p ((1 - p)(gamma log p + gamma + 1) "
              "- gamma (gamma p log p + p - 1)), p = sigma(z)",
              At(partial(L, u, u), ((y, 1),)),
              a * (1 - sigma(u)) ** gamma * sigma(u) * ((1 - sigma(u)) * (gamma * sp.log(sigma(u)) + gamma + 1)
                                                        - gamma * (gamma * sigma(u) * sp.log(sigma(u)) + sigma(u) - 1)),
              general_k=False,
              display_statement=r"the curvature for $y = 1$"),
        Claim("curvature_gamma_zero", "gamma = 0: d2L/dz2 = alpha_t sigma(z) (1 - sigma(z)), the weighted BCE's",
              At(partial(L, u, u), ((gamma, 0),)), alpha_t * sigma(u) * (1 - sigma(u)), general_k=False,
              display_statement=r"$\gamma = 0$: the weighted binary cross-entropy's"),
        Claim("loss_gamma_zero", "gamma = 0: L = alpha_t ce, the alpha_t-weighted binary cross-entropy",
              At(L, ((gamma, 0),)), alpha_t * ce, general_k=False,
              display_statement=r"$\gamma = 0$: the $\alpha_t$-weighted binary cross-entropy"),
        Claim("gradient_gamma_zero", "gamma = 0: dL/dz = alpha_t (sigma(z) - y), for every y in [0, 1]",
              At(partial(L, u), ((gamma, 0),)), alpha_t * (sigma(u) - y), general_k=False,
              display_statement=r"and its gradient, for every $y$"),
    ),
    chains=(
        Chain("The gradient for a positive target (Lin et al., appendix)", At(partial(L, u), ((y, 1),)), (
            Step(partial(positive, u), r"$y = 1$: $p_t = \sigma(u)$, $\alpha_t = \alpha$, $\mathrm{ce} = -\log"
                                       r" \sigma(u)$"),
            Step(-a * (-gamma * (1 - sigma(u)) ** (gamma - 1) * d_sigma * sp.log(sigma(u))
                       + (1 - sigma(u)) ** gamma * d_sigma / sigma(u)), r"product rule"),
            Step(-a * (-gamma * (1 - sigma(u)) ** gamma * sigma(u) * sp.log(sigma(u))
                       + (1 - sigma(u)) ** (gamma + 1)), r"$\sigma' = \sigma (1 - \sigma)$"),
            Step(a * (1 - sigma(u)) ** gamma * (gamma * sigma(u) * sp.log(sigma(u)) + sigma(u) - 1),
                 r"factor out $(1 - \sigma)^\gamma$"),
        )),
    ),
    modules=(
        Module(
            name="binary_focal_loss",
            template="binary_focal_loss.py.j2",
            summary="Binary (sigmoid) focal loss from logits, torchvision's sigmoid_focal_loss: loss and gradient.",
            kernels=(
                Kernel("loss", (("logits", u), ("y", y), ("alpha", a), ("gamma", gamma)),
                       (Output("loss", "loss_stable"),), numbers=NUMBERS),
                Kernel("loss_and_grad", (("logits", u), ("y", y), ("alpha", a), ("gamma", gamma)),
                       (Output("loss", "loss_stable"), Output("grad", "gradient")), numbers=NUMBERS),
                Kernel("loss_unweighted", (("logits", u), ("y", y), ("gamma", gamma)),
                       (Output("loss", "loss_unweighted_stable"),), numbers=NUMBERS),
                Kernel("loss_and_grad_unweighted", (("logits", u), ("y", y), ("gamma", gamma)),
                       (Output("loss", "loss_unweighted_stable"), Output("grad", "gradient_unweighted")), numbers=NUMBERS),
            ),
            options={
                "derivatives": (("loss", "grad", "gradient"),),
                "arguments": (u, y),
                "keywords": {"alpha": ("unit_interval", "scalar"), "gamma": ("positive", "scalar")},
                # The public functions against the raw claims of this kernel (symxent.verify).
                "public": {"kind": "elementwise", "kernels": {"probs": "loss_and_grad"},
                           "keywords": {"alpha": ("alpha", "scalar", (0.0, 1.0)), "gamma": ("gamma", "scalar", (0.0, 3.0))},
                           "defaults": {"alpha": 0.25, "gamma": 2.0}, "mean": {"probs": "elements"}},
                # (function, claim, cases): the limits at logits of +-inf and nan in, nan out
                # (symxent.accuracy.special_values), at the labels 0 and 1, and where alpha_t = 0
                # (alpha = 1, y = 0 and alpha = 0, y = 1: the element is left out, 0 at every z).
                "special_values": tuple((function, claim, tuple({"y": y, "alpha": a, "gamma": 2.0}
                                                                for y, a in ((0, 0.25), (1, 0.25), (0, 1), (1, 0))))
                                        for function, claim in (("loss", "loss_stable"), ("grad", "gradient"))),
            },
        ),
    ),
)

DERIVATIONS = [MULTICLASS, BINARY]
