"""Binary cross-entropy, on probabilities and on logits, and its stable logits form.

Proves dL/dy_hat = (y_hat - y) / (y_hat (1 - y_hat)); with y_hat = sigma(z), dL/dz = y_hat - y
(directly and by the chain rule) and d2L/dz2 = sigma(z)(1 - sigma(z)) in (0, 1/4]; the stable
form ((1 - y) max(z, 0) - y min(z, 0)) + log(1 + exp(-|z|)) equals the naive loss for every real z
(by cases on the sign of z). The gradient (1 - y) sigma(z) - y sigma(-z) and curvature s (1 - s),
s = exp(-|z|) / (1 + exp(-|z|)), take exp of non-positive arguments only (as PyTorch and SciPy's
expit do), so each keeps its relative accuracy in both tails: sigma(z) - y would round to 0 for
y = 1 beyond z = 37, and (1 - tanh^2) / 4 beyond |z| = 38. The loss and gradient are printed
with that one exp(-|z|) and the unit step H(z) choosing the branch: (H(z) - y) z +
log(1 + exp(-|z|)) and (H(z) - y) + (1 - 2 H(z)) s. The probability-space loss is printed with
0 log 0 = 0, so a target of exactly 0 or 1 never produces 0 * inf.

PyTorch's options: with pos_weight q the loss -(q y log sigma(z) + (1 - y) log(1 - sigma(z))) is
PyTorch's (1 - y) z - (1 + (q - 1) y) log sigma(z), with gradient (1 + (q - 1) y) sigma(z) - q y
(sigma(z) - y at q = 1); an elementwise weight w multiplies loss and gradient. On probabilities,
PyTorch clamps each log at m = -100: the clamped loss -(y max(log x, m) + (1 - y) max(log(1 - x), m))
has the derivative -y H(log x - m) / x + (1 - y) H(log(1 - x) - m) / (1 - x), zero where a log is
clamped (H is the Heaviside step).
"""

import sympy as sp

from symxent.derive import log1p, partial, xdivy, xlog1py, xlogy, xmuly
from symxent.registry import Chain, Claim, Definition, Derivation, Kernel, Module, Output, Step, Variable
from symxent.symbols import SIGMOID, SIGMOID_DERIVATIVE_STABLE, SIGMOID_STABLE, L, sigma, u

y = sp.Symbol("y", nonnegative=True)  # the target, in [0, 1]
y_hat = sp.Symbol("y_hat", positive=True)  # a predicted probability, in (0, 1)
L_z = sp.Symbol("L_z", real=True)  # the loss as a function of the logit
z = u  # the logit: the sigmoid's argument
q = sp.Symbol("q", positive=True)  # pos_weight: the weight of the positive term
w = sp.Symbol("w", nonnegative=True)  # an elementwise weight
m = sp.Symbol("m", negative=True)  # the clamp of the logs (PyTorch: -100)
L_q = sp.Symbol("L_q", real=True)  # the pos-weighted loss of a logit
L_c = sp.Symbol("L_c", real=True)  # the loss of a probability with clamped logs

bce = -(y * sp.log(y_hat) + (1 - y) * sp.log(1 - y_hat))
STEP = sp.Heaviside(z, 1)  # the unit step, 1 at z = 0
EXP_MINUS_ABS = sp.exp(-sp.Abs(z))
d_sigma = sp.Derivative(sigma(z), z)

DERIVATIONS = [
    Derivation(
        name="binary_cross_entropy",
        title="Binary cross-entropy",
        summary=(r"$\partial L / \partial \hat y = (\hat y - y) / (\hat y (1 - \hat y))$; in the logit the gradient "
                 r"$\sigma(u) - y$ and the curvature in $(0, \tfrac14]$; PyTorch's positive and elementwise weights, "
                 r"clamped logs and the stable forms"),
        dimensions={},
        indices={},
        variables=(
            Variable(z, "real", "logit"),
            Variable(y, "unit_interval", "target"),
            Variable(y_hat, "unit_interval", "predicted probability"),
            Variable(q, "positive", "pos_weight"),
            Variable(w, "positive", "elementwise weight"),
            Variable(m, "negative", "clamp of the logs"),
        ),
        definitions=(
            # The shared SIGMOID's stable form, exp(min(z, 0)) / (1 + exp(-|z|)), printed in the
            # weighted gradients (two exps more than their loss's exp(-|z|)); the unweighted loss and
            # gradient print the step forms below (logits_stable_step, gradient_stable_step), whose
            # one exp is shared.
            SIGMOID,
            Definition(L, bce, "binary cross-entropy of a probability"),
            Definition(L_z, bce.xreplace({y_hat: sigma(z)}), "binary cross-entropy of a logit"),
            Definition(L_q, -(q * y * sp.log(sigma(z)) + (1 - y) * sp.log(1 - sigma(z))),
                       r"the positive term weighted by $q$ (pos_weight)"),
            Definition(L_c, -(y * sp.Max(sp.log(y_hat), m) + (1 - y) * sp.Max(sp.log(1 - y_hat), m)),
                       r"the logs clamped below at $m$"),
        ),
        claims=(
            Claim("dloss_dprob", "dL/dy_hat = (y_hat - y) / (y_hat (1 - y_hat))", partial(L, y_hat),
                  (y_hat - y) / (y_hat * (1 - y_hat)), general_k=False,
                  display_statement=r"the loss in the probability $\hat y$"),
            Claim("gradient", "with y_hat = sigma(z): dL/dz = sigma(z) - y", partial(L_z, z), sigma(z) - y,
                  general_k=False,
                  display_statement=r"the gradient in the logit, with $\hat y = \sigma(u)$"),
            Claim("gradient_chain_rule", "dL/dy_hat * dsigma/dz = sigma(z) - y",
                  sp.Subs(partial(L, y_hat), y_hat, sigma(z)) * d_sigma, sigma(z) - y, general_k=False,
                  display_statement=r"the same by the chain rule"),
            Claim("curvature", "d2L/dz2 = sigma(z) (1 - sigma(z)), independent of y", partial(L_z, z, z),
                  sigma(z) * (1 - sigma(z)), general_k=False,
                  display_statement=r"the curvature, independent of $y$"),
            Claim("curvature_positive", "d2L/dz2 > 0", partial(L_z, z, z), sp.Integer(0), relation=">",
                  certificate=sp.exp(-z) / (1 + sp.exp(-z)) ** 2, general_k=False,
                  display_statement=r"strictly convex"),
            Claim("curvature_at_most_quarter", "d2L/dz2 <= 1/4", sp.Rational(1, 4), partial(L_z, z, z), relation=">=",
                  certificate=(sigma(z) - sp.Rational(1, 2)) ** 2, general_k=False,
                  display_statement=r"the curvature is at most $\tfrac14$"),
            # ((1 - y) max(z, 0) - y min(z, 0)) formed first: it is exactly 0 for y = 1, z > 0 and for
            # y = 0, z < 0, where the loss is the small log term alone (summed the other way it
            # rounds to 0). Not max(z, 0) - z y: at z = +inf, y = 0 that is inf - 0 inf = nan. Each
            # product with 0 * inf = 0 (xmuly): a weight of exactly 0 times an infinite logit is the
            # limit 0 of the loss at z = -inf, y = 0, not nan (PyTorch 2.13 gives nan there).
            Claim("logits_stable", "L = ((1 - y) max(z, 0) - y min(z, 0)) + log(1 + exp(-|z|)) for every real z, "
                  "each product with 0 * inf = 0", L_z,
                  sp.UnevaluatedExpr(xmuly(1 - y, sp.Max(z, 0)) - xmuly(y, sp.Min(z, 0))) + log1p(sp.exp(-sp.Abs(z))),
                  general_k=False,
                  display_statement=r"stable for every real $u$: $e^{x}$ with $x \le 0$ only"),
            # Each term keeps its relative accuracy: sigma(z) - y cancels for y = 1 at large z.
            Claim("gradient_stable", "dL/dz = (1 - y) sigma(z) - y sigma(-z) (no cancellation for y = 0 or 1)",
                  partial(L_z, z), (1 - y) * sigma(z) - y * sigma(-z), general_k=False,
                  display_statement=r"no cancellation for $y = 0$ or $1$"),
            # The two forms above with exp(-|z|) the only exp, as the kernels print them: the unit
            # step H (H(0) = 1) selects the branch. H(z) - y is 1 - y for z >= 0 and -y below (the
            # bracket's coefficient, and exact for y = 0 or 1), and sigma(-|z|) = s is the small
            # sigmoid: the gradient is (1 - y) - s for z >= 0 and s - y below, neither a difference
            # of nearly equal numbers for y = 0 or 1. One exp, not three (exp(-|z|), exp(min(z, 0))
            # and exp(min(-z, 0)) above), and no max(z, 0), min(z, 0), which NumPy computes at a
            # quarter of the speed of a product.
            Claim("logits_stable_step", "L = (H(z) - y) z + log(1 + exp(-|z|)), H the unit step with H(0) = 1 "
                  "(logits_stable's bracket: (1 - y) z for z >= 0, -y z below), the product with 0 * inf = 0", L_z,
                  xmuly(STEP - y, z) + log1p(EXP_MINUS_ABS),
                  general_k=False,
                  display_statement=r"one $e^{x}$, $x \le 0$; $\theta$ is the unit step, $\theta(0) = 1$"),
            Claim("gradient_stable_step", "dL/dz = (H(z) - y) + (1 - 2 H(z)) s, s = exp(-|z|) / (1 + exp(-|z|)): "
                  "(1 - y) - sigma(-z) for z >= 0, sigma(z) - y below (no cancellation for y = 0 or 1)",
                  partial(L_z, z), sp.UnevaluatedExpr(STEP - y) + (1 - 2 * STEP) * EXP_MINUS_ABS / (1 + EXP_MINUS_ABS),
                  general_k=False,
                  display_statement=r"one $e^{x}$, $x \le 0$, and no cancellation for $y = 0$ or $1$"),
            # log1p(-y_hat), not log(1 - y_hat): the rounded 1 - y_hat loses the digits of a small y_hat.
            Claim("prob_loss_safe", "L = -(xlogy(y, y_hat) + xlog1py(1 - y, -y_hat)) with 0 log 0 = 0", L,
                  -(xlogy(y, y_hat) + xlog1py(1 - y, -y_hat)), general_k=False,
                  display_statement=r"with $0 \log 0 = 0$"),
            Claim("prob_gradient_safe", "dL/dy_hat = -y / y_hat + (1 - y) / (1 - y_hat) with 0 / 0 = 0",
                  partial(L, y_hat), xdivy(1 - y, 1 - y_hat) - xdivy(y, y_hat), general_k=False,
                  display_statement=r"with $0 / 0 = 0$"),
            Claim("pos_weight_torch_form", "L_q = (1 - y) z - (1 + (q - 1) y) log sigma(z) (PyTorch's form)",
                  L_q, (1 - y) * z - (1 + (q - 1) * y) * sp.log(sigma(z)), general_k=False,
                  display_statement=r"PyTorch's form with the positive weight $q$"),
            # (1 - y) z - (1 + (q - 1) y) min(z, 0) written as (1 - y) max(z, 0) - q y min(z, 0): the
            # first is -inf + inf = nan at z = -inf; the second, with 0 * inf = 0, the limit.
            # The weight too multiplies with 0 * inf = 0: a weight of 0 leaves the element out (its
            # limit), also where its loss is infinite (z = +inf, y = 0), where PyTorch 2.13 gives nan.
            Claim("weighted_pos_weight_stable",
                  "w L_q = w (((1 - y) max(z, 0) - q y min(z, 0)) + (1 + (q - 1) y) log(1 + exp(-|z|))), each product "
                  "with 0 * inf = 0 (a weight of 0 leaves the element out)",
                  w * L_q, xmuly(w, sp.UnevaluatedExpr(xmuly(1 - y, sp.Max(z, 0)) - xmuly(q * y, sp.Min(z, 0)))
                                 + (1 + (q - 1) * y) * log1p(sp.exp(-sp.Abs(z)))),
                  general_k=False,
                  display_statement=r"stable, with an elementwise weight $w$"),
            Claim("weighted_pos_weight_gradient", "d(w L_q)/dz = w ((1 + (q - 1) y) sigma(z) - q y)",
                  partial(w * L_q, z), w * ((1 + (q - 1) * y) * sigma(z) - q * y), general_k=False,
                  display_statement=r"its gradient"),
            Claim("weighted_pos_weight_gradient_stable",
                  "d(w L_q)/dz = w ((1 - y) sigma(z) - q y sigma(-z)) (no cancellation for y = 0 or 1)",
                  partial(w * L_q, z), w * ((1 - y) * sigma(z) - q * y * sigma(-z)), general_k=False,
                  display_statement=r"the gradient without cancellation"),
            Claim("pos_weight_curvature", "d2L_q/dz2 = (1 + (q - 1) y) sigma(z) (1 - sigma(z)) >= 0",
                  partial(L_q, z, z), (1 + (q - 1) * y) * sigma(z) * (1 - sigma(z)), general_k=False,
                  display_statement=r"the curvature, $\ge 0$"),
            # w times the loss and its derivative with 0 * inf = 0: a weight of 0 leaves a certain
            # wrong prediction (y_hat = 1, y = 0), whose loss is infinite, out, as PyTorch's clamped
            # loss does (0 there).
            Claim("prob_weighted_loss_safe", "w L = -w (xlogy(y, y_hat) + xlog1py(1 - y, -y_hat)), w times it with "
                  "0 * inf = 0", w * L,
                  -xmuly(w, xlogy(y, y_hat) + xlog1py(1 - y, -y_hat)), general_k=False,
                  display_statement=r"weighted, with $0 \log 0 = 0$"),
            Claim("prob_weighted_gradient_safe", "d(w L)/dy_hat = w (-y / y_hat + (1 - y) / (1 - y_hat)), w times it "
                  "with 0 * inf = 0",
                  partial(w * L, y_hat), xmuly(w, xdivy(1 - y, 1 - y_hat) - xdivy(y, y_hat)), general_k=False,
                  display_statement=r"its gradient, with $0 / 0 = 0$"),
            Claim("prob_clamped_loss", "w L_c = -w (y max(log y_hat, m) + (1 - y) max(log1p(-y_hat), m))", w * L_c,
                  -w * (y * sp.Max(sp.log(y_hat), m) + (1 - y) * sp.Max(log1p(-y_hat), m)), general_k=False,
                  display_statement=r"PyTorch's logs clamped at $m$"),
            Claim("prob_clamped_gradient", "d(w L_c)/dy_hat = w (-y H(log y_hat - m) / y_hat + (1 - y) "
                  "H(log(1 - y_hat) - m) / (1 - y_hat)): zero where a log is clamped",
                  partial(w * L_c, y_hat),
                  w * (xdivy((1 - y) * sp.Heaviside(sp.log(1 - y_hat) - m), 1 - y_hat)
                       - xdivy(y * sp.Heaviside(sp.log(y_hat) - m), y_hat)), general_k=False,
                  display_statement=r"zero where a log is clamped ($\theta$ is the unit step)"),
            SIGMOID_STABLE,
            Claim(
                "curvature_stable", "d2L/dz2 = s (1 - s), s = exp(-|z|) / (1 + exp(-|z|)) (relatively accurate in "
                "both tails, at most 1/4)", partial(L_z, z, z), SIGMOID_DERIVATIVE_STABLE.rhs, general_k=False,
                  display_statement=r"accurate in both tails, at most $\tfrac14$"),
        ),
        chains=(
            Chain("The gradient of the binary cross-entropy in the logit", partial(L_z, z), (
                Step(sp.Subs(partial(L, y_hat), y_hat, sigma(z)) * d_sigma, r"chain rule through $\hat y = \sigma(u)$"),
                Step((-y / sigma(z) + (1 - y) / (1 - sigma(z))) * d_sigma,
                     r"$\partial L / \partial \hat y = -y / \hat y + (1 - y) / (1 - \hat y)$"),
                Step((-y / sigma(z) + (1 - y) / (1 - sigma(z))) * sigma(z) * (1 - sigma(z)),
                     r"$\sigma' = \sigma (1 - \sigma)$"),
                Step(-y * (1 - sigma(z)) + (1 - y) * sigma(z), "cancel"),
                Step(sigma(z) - y, r"expand: the $y \sigma$ terms cancel"),
            )),
        ),
        groups=(
            ("Gradient and curvature", ("dloss_dprob", "gradient_chain_rule", "curvature", "curvature_positive",
                                        "curvature_at_most_quarter")),
            ("Stable forms", ("sigmoid_stable", "logits_stable", "gradient_stable", "logits_stable_step",
                              "gradient_stable_step", "curvature_stable",
                              "prob_loss_safe", "prob_gradient_safe")),
            ("Positive and elementwise weights", ("pos_weight_torch_form", "weighted_pos_weight_stable",
                                                  "weighted_pos_weight_gradient",
                                                  "weighted_pos_weight_gradient_stable", "pos_weight_curvature",
                                                  "prob_weighted_loss_safe", "prob_weighted_gradient_safe")),
            ("Clamped logs", ("prob_clamped_loss", "prob_clamped_gradient")),
        ),
        modules=(
            Module(
                name="binary_cross_entropy_with_logits",
                template="binary_cross_entropy.py.j2",
                summary="Binary cross-entropy from logits: loss, gradient and (elementwise) Hessian.",
                kernels=(
                    Kernel("loss", (("logits", z), ("y", y)), (Output("loss", "logits_stable_step"),)),
                    Kernel("grad", (("logits", z), ("y", y)), (Output("grad", "gradient_stable_step"),)),
                    Kernel("loss_and_grad", (("logits", z), ("y", y)),
                           (Output("loss", "logits_stable_step"), Output("grad", "gradient_stable_step"))),
                    Kernel("hessian", (("z", z),), (Output("hessian", "curvature_stable"),)),
                    Kernel("loss_weighted", (("logits", z), ("y", y), ("q", q), ("w", w)),
                           (Output("loss", "weighted_pos_weight_stable"),)),
                    Kernel("grad_weighted", (("logits", z), ("y", y), ("q", q), ("w", w)),
                           (Output("grad", "weighted_pos_weight_gradient_stable"),)),
                    Kernel("loss_and_grad_weighted", (("logits", z), ("y", y), ("q", q), ("w", w)),
                           (Output("loss", "weighted_pos_weight_stable"),
                            Output("grad", "weighted_pos_weight_gradient_stable"))),
                ),
                options={
                    "input": "logits",
                    "has_hessian": True,
                    "class_axis": False,
                    "derivatives": (("loss", "grad", "gradient"), ("grad", "hessian", "hessian")),
                    "keywords": {"weight": ("positive", "elementwise"), "pos_weight": ("positive", "class")},
                    "spectrum": {"lower": "curvature_positive", "upper": "curvature_at_most_quarter"},
                    # The public functions against the raw claims of this kernel (symxent.verify).
                    "public": {"kind": "elementwise", "kernels": {"probs": "loss_and_grad_weighted"},
                               "keywords": {"weight": ("w", "elementwise"), "pos_weight": ("q", "class")},
                               "defaults": {"q": 1.0, "w": 1.0}, "mean": {"probs": "elements"}},
                    # (function, claim, cases): measured in ulps over the whole range (symxent.accuracy).
                    # The gradient at a soft label is sigma(z) - y, which cancels where y ~ sigma(z)
                    # for every form: it is measured at the labels 0 and 1, where it need not.
                    "accuracy": (("loss", "logits_stable_step", ({"y": 0}, {"y": 1}, {"y": 0.25})),
                                 ("grad", "gradient_stable_step", ({"y": 0}, {"y": 1})),
                                 ("hessian", "curvature_stable", ({"y": 0},))),
                    # Not measured in ulps (PyTorch's options): their limits at +-inf only; a weight
                    # of 0 leaves its element out (0, not 0 * inf = nan, at z = +inf, y = 0).
                    "special_values": tuple((function, claim, ({"y": 0, "q": 1, "w": 1}, {"y": 1, "q": 2, "w": 1},
                                                               {"y": 0, "q": 1, "w": 0}, {"y": 1, "q": 2, "w": 0}))
                                            for function, claim in (("loss", "weighted_pos_weight_stable"),
                                                                    ("grad", "weighted_pos_weight_gradient_stable"))),
                },
            ),
            Module(
                name="binary_cross_entropy",
                template="binary_cross_entropy.py.j2",
                summary="Binary cross-entropy from probabilities: loss and gradient in the probabilities.",
                kernels=(
                    Kernel("loss", (("probs", y_hat), ("y", y)), (Output("loss", "prob_loss_safe"),)),
                    Kernel("grad", (("probs", y_hat), ("y", y)), (Output("grad", "prob_gradient_safe"),)),
                    Kernel("loss_and_grad", (("probs", y_hat), ("y", y)),
                           (Output("loss", "prob_loss_safe"), Output("grad", "prob_gradient_safe"))),
                    Kernel("loss_weighted", (("probs", y_hat), ("y", y), ("w", w)),
                           (Output("loss", "prob_weighted_loss_safe"),)),
                    Kernel("grad_weighted", (("probs", y_hat), ("y", y), ("w", w)),
                           (Output("grad", "prob_weighted_gradient_safe"),)),
                    Kernel("loss_and_grad_weighted", (("probs", y_hat), ("y", y), ("w", w)),
                           (Output("loss", "prob_weighted_loss_safe"), Output("grad", "prob_weighted_gradient_safe"))),
                    Kernel("loss_clamped", (("probs", y_hat), ("y", y), ("w", w), ("m", m)),
                           (Output("loss", "prob_clamped_loss"),)),
                    Kernel("grad_clamped", (("probs", y_hat), ("y", y), ("w", w), ("m", m)),
                           (Output("grad", "prob_clamped_gradient"),)),
                    Kernel("loss_and_grad_clamped", (("probs", y_hat), ("y", y), ("w", w), ("m", m)),
                           (Output("loss", "prob_clamped_loss"), Output("grad", "prob_clamped_gradient"))),
                ),
                options={"input": "probs", "has_hessian": False, "class_axis": False,
                         # The public functions against the raw claims of this kernel (symxent.verify).
                         "public": {"kind": "elementwise", "kernels": {"probs": "loss_and_grad_weighted"},
                                    "keywords": {"weight": ("w", "elementwise")}, "defaults": {"w": 1.0},
                                    "mean": {"probs": "elements"}, "inputs": "probs",
                                    "switches": {"log_clamp": (-100.0, "loss_and_grad_clamped", "m")}},
                         "derivatives": (("loss", "grad", "gradient"),),
                         # log_clamp is left out: differences across the kink of max(log p, m)
                         # are meaningless; its derivative is proven and checked against the raw one.
                         "keywords": {"weight": ("positive", "elementwise")}},
            ),
        ),
    )
]
