"""Softmax cross-entropy: loss, gradient p - y by the chain rule, and the Hessian.

With p = softmax(z) and targets y (soft, sum(y) = 1; one-hot as the special case), proves:
L = -sum_i y_i log p_i; with one-hot target c, L = -log p_c; dL/dp_i = -y_i / p_i;
J^T dL/dp = sum(y) p - y in general, = p - y under the named assumption sum(y) = 1;
Hessian diag(p) - p p^T (independent of y), positive semidefinite (a variance), with the
ones vector in its null space and, by Gershgorin, largest eigenvalue at most 1/2.

PyTorch's options (class weights w, label smoothing eps) are derived too: for an index target
c the loss (1 - eps) w_c (-log p_c) + (eps/K) sum_k w_k (-log p_k) is the cross-entropy against
the target t_k = w_k ((1 - eps) delta_kc + eps/K), so its gradient is sum(t) p - t, written out
as (1 - eps) w_c (p_j - delta_jc) + (eps/K) (p_j sum_k w_k - w_j); for probability targets the
mixed, weighted target t_k = w_k ((1 - eps) y_k + eps/K) gives p_j sum(t) - t_j likewise.
Ignored samples and the normalisation of "mean" are bookkeeping of the generated module.
"""

import sympy as sp

from symxent.derive import chain_rule, class_sum, partial, xmuly
from symxent.registry import Assumption, Chain, Claim, Definition, Derivation, Kernel, Module, Output, Step, Variable
from symxent.symbols import (CLASS_INDICES, LOG_SUM_SHIFTED, LOGSUMEXP, LOGSUMEXP_STABLE, SOFTMAX, SOFTMAX_STABLE, K,
                             L, c, i, j, k, l, p, r, shifted, v, y, z)

TARGETS_SUM_TO_ONE = Assumption("targets sum to 1", class_sum(y[k], k, K), sp.Integer(1))
delta = sp.KroneckerDelta
loss = class_sum(-y[k] * sp.log(p[k]), k, K)
hessian = p[j] * (delta(j, l) - p[l])

# PyTorch's options: class weights w_k >= 0 and label smoothing eps in [0, 1].
w = sp.IndexedBase("w", nonnegative=True)
eps = sp.Symbol("epsilon", nonnegative=True)
L_w = sp.Symbol("L_w", real=True)  # the loss of an index target with weights and smoothing
L_wy = sp.Symbol("L_wy", real=True)  # the loss of a probability target with weights and smoothing
weighted_smoothed = (1 - eps) * w[c] * -sp.log(p[c]) + eps / K * class_sum(w[k] * -sp.log(p[k]), k, K)
effective_index_target = w[k] * ((1 - eps) * delta(k, c) + eps / K)  # t_k for an index target c
mixed_target = w[k] * ((1 - eps) * y[k] + eps / K)  # t_k for a probability target y
LOG_P_SHIFTED = LOG_SUM_SHIFTED - shifted(z[k])  # -log p_k, stable

DERIVATIONS = [
    Derivation(
        name="softmax_cross_entropy",
        title="Softmax cross-entropy",
        summary=(r"$L = -\sum_k y_k \log p_k$ with $p = \operatorname{softmax}(z)$: gradient $p - y$ when "
                 r"$\sum_k y_k = 1$, Hessian $\operatorname{diag}(p) - p p^\top$, positive semidefinite with "
                 r"eigenvalues at most $\tfrac12$; PyTorch's class weights and label smoothing"),
        dimensions={K: None},
        indices=CLASS_INDICES,
        variables=(
            Variable(z, "real", "logits", indices=(k,)),
            Variable(y, "simplex", "target probabilities", indices=(k,)),
            Variable(v, "real", "a direction", indices=(k,)),
            Variable(w, "positive", "class weights", indices=(k,)),
            Variable(eps, "unit_interval", "label smoothing"),
        ),
        definitions=(
            SOFTMAX, LOGSUMEXP, Definition(L, loss, "cross-entropy loss"),
            Definition(L_w, weighted_smoothed, "index target $c$, class weights, label smoothing (PyTorch)",
                       display=sp.Add(sp.Mul(1 - eps, w[c], -sp.log(p[c]), evaluate=False),
                                      sp.Mul(eps / K, class_sum(w[k] * -sp.log(p[k]), k, K), evaluate=False),
                                      evaluate=False)),
            Definition(L_wy, class_sum(-mixed_target * sp.log(p[k]), k, K),
                       "probability target mixed with the uniform one, class weights"),
        ),
        claims=(
            SOFTMAX_STABLE,
            LOGSUMEXP_STABLE,
            # Each term y_k (-log p_k) with 0 * inf = 0 (xmuly): a class with no target mass and no
            # probability (a logit of -inf, a mask) adds 0, as in the definition's limit, not nan.
            Claim("loss_stable", "L = sum_k y_k (log sum_r exp(z_r - max z) - (z_k - max z)), each term with 0 * inf = 0",
                  L, class_sum(xmuly(y[k], LOG_SUM_SHIFTED - shifted(z[k])), k, K),
                  display_statement=r"only $e^{x}$ with $x \le 0$"),
            Claim("loss_onehot", "with one-hot target c, L = -log p_c",
                  class_sum(-delta(k, c) * sp.log(p[k]), k, K), -sp.log(p[c]),
                  display_statement=r"a one-hot target $c$ picks one term"),
            Claim("loss_onehot_stable", "-log p_c = log sum_k exp(z_k - max z) - (z_c - max z)", -sp.log(p[c]),
                  LOG_SUM_SHIFTED - shifted(z[c]),
                  display_statement=r"the stable form of $-\log p_c$"),
            Claim("dloss_dp", "dL/dp_i = -y_i / p_i", partial(L, p[i]), -y[i] / p[i],
                  display_statement=r"the loss in the probabilities"),
            Claim("gradient_general", "J^T dL/dp = sum(y) p_j - y_j for any targets",
                  chain_rule(L, p, p[i], i, K, z[j]), p[j] * class_sum(y[k], k, K) - y[j],
                  display_statement=r"$J^\top \nabla_p L$, for any targets"),
            Claim("gradient", "dL/dz_j = p_j - y_j", partial(L, z[j]), p[j] - y[j],
                  assumptions=(TARGETS_SUM_TO_ONE,),
                  display_statement=r"the gradient in the logits"),
            Claim("gradient_onehot", "with one-hot target c, dL/dz_j = p_j - delta_jc",
                  partial(-sp.log(p[c]), z[j]), p[j] - delta(j, c),
                  display_statement=r"a one-hot target $c$"),
            Claim("hessian", "d2L/dz_j dz_l = p_j (delta_jl - p_l), independent of y",
                  partial(L, z[j], z[l]), hessian, assumptions=(TARGETS_SUM_TO_ONE,),
                  display_statement=r"the Hessian, independent of $y$"),
            Claim("hvp", "sum_l H_jl v_l = p_j (v_j - sum_l p_l v_l)",
                  class_sum(hessian * v[l], l, K), p[j] * (v[j] - class_sum(p[l] * v[l], l, K)),
                  display_statement=r"the Hessian-vector product $H v$"),
            Claim("hessian_null_vector", "H 1 = 0: the ones vector is in the null space",
                  class_sum(hessian, l, K), sp.Integer(0),
                  display_statement=r"$H \mathbf{1} = 0$: a null vector"),
            Claim("hessian_psd", "v^T H v = sum_k p_k (v_k - sum_r p_r v_r)^2 >= 0 (a variance)",
                  class_sum(class_sum(v[j] * hessian * v[l], l, K), j, K), sp.Integer(0), relation=">=",
                  certificate=class_sum(p[k] * (v[k] - class_sum(p[r] * v[r], r, K)) ** 2, k, K),
                  display_statement=r"$v^\top H v \ge 0$: a variance"),
            Claim("gershgorin_radius", "sum_{l != j} |H_jl| = sum_l p_j p_l - p_j^2 = p_j (1 - p_j) = H_jj",
                  class_sum(p[j] * p[l], l, K) - p[j] ** 2, hessian.xreplace({l: j}),
                  display_statement=r"Gershgorin: $\sum_{l \ne j} |H_{jl}| = H_{jj}$"),
            Claim("largest_eigenvalue", "Gershgorin: every eigenvalue <= H_jj + sum_{l != j} |H_jl| = "
                  "2 p_j (1 - p_j) <= 1/2",
                  sp.Rational(1, 2), 2 * p[j] * (1 - p[j]), relation=">=", certificate=2 * (p[j] - sp.Rational(1, 2)) ** 2,
                  display_statement=r"so every eigenvalue is at most $\tfrac12$"),
            Claim("options_target", "(1 - eps) w_c (-log p_c) + (eps/K) sum_k w_k (-log p_k) is the cross-entropy "
                  "against t_k = w_k ((1 - eps) delta_kc + eps/K)",
                  L_w, class_sum(-effective_index_target * sp.log(p[k]), k, K),
                  display_statement=r"a cross-entropy against $t_k$"),
            Claim("options_loss_stable", "L_w = (1 - eps) w_c (-log p_c) + (eps/K) sum_k w_k (-log p_k) with "
                  "-log p_k = log sum_r exp(z_r - max z) - (z_k - max z), each product with 0 * inf = 0 (no smoothing, no "
                  "weight: no term)",
                  L_w, xmuly((1 - eps) * w[c], LOG_SUM_SHIFTED - shifted(z[c]))
                  + xmuly(eps / K, class_sum(xmuly(w[k], LOG_P_SHIFTED), k, K)),
                  display_statement=r"the stable form of $L_w$"),
            Claim("options_gradient", "dL_w/dz_j = (1 - eps) w_c (p_j - delta_jc) + (eps/K) (p_j sum_k w_k - w_j)",
                  partial(L_w, z[j]),
                  (1 - eps) * w[c] * (p[j] - delta(j, c)) + eps / K * (p[j] * class_sum(w[k], k, K) - w[j]),
                  display_statement=r"the gradient with class weights and label smoothing"),
            Claim("soft_options_loss_stable", "L_wy = sum_k t_k (log sum_r exp(z_r - max z) - (z_k - max z)), "
                  "t_k = w_k ((1 - eps) y_k + eps/K), each term with 0 * inf = 0",
                  L_wy, class_sum(xmuly(mixed_target, LOG_P_SHIFTED), k, K),
                  display_statement=r"stable, $t_k = w_k ((1 - \epsilon) y_k + \epsilon / K)$"),
            Claim("soft_options_gradient", "dL_wy/dz_j = p_j sum_k t_k - t_j with t_k = w_k ((1 - eps) y_k + eps/K)",
                  partial(L_wy, z[j]), p[j] * class_sum(mixed_target, k, K) - mixed_target.xreplace({k: j}),
                  display_statement=r"its gradient $p_j \sum_k t_k - t_j$"),
        ),
        chains=(
            Chain("The gradient of the cross-entropy by the chain rule", partial(L, z[j]), (
                Step(chain_rule(L, p, p[i], i, K, z[j]), r"chain rule through $p = \operatorname{softmax}(z)$"),
                # Unevaluated, or SymPy cancels p_i at once and the next step would show nothing.
                Step(class_sum(sp.Mul(-y[i] / p[i], p[i] * (delta(i, j) - p[j]), evaluate=False), i, K),
                     r"$\partial L / \partial p_i = -y_i / p_i$ and the softmax Jacobian"),
                Step(class_sum(-y[i] * delta(i, j) + y[i] * p[j], i, K), r"cancel $p_i$"),
                Step(-y[j] + p[j] * class_sum(y[i], i, K), r"the delta picks $i = j$"),
                Step(p[j] - y[j], "targets sum to 1", assumptions=(TARGETS_SUM_TO_ONE,)),
            )),
            Chain("The Hessian of the cross-entropy", partial(L, z[j], z[l]), (
                Step(partial(p[j] - y[j], z[l]), r"the gradient is $p_j - y_j$ (targets sum to 1)",
                     assumptions=(TARGETS_SUM_TO_ONE,)),
                Step(partial(p[j], z[l]), r"$y$ does not depend on $z$"),
                Step(hessian, "the softmax Jacobian"),
            )),
            Chain("The gradient with class weights and label smoothing", partial(L_w, z[j]), (
                Step(partial(class_sum(-effective_index_target * sp.log(p[k]), k, K), z[j]),
                     r"a cross-entropy against $t_k = w_k ((1 - \epsilon) \delta_{kc} + \epsilon / K)$"),
                Step(class_sum(effective_index_target * (p[j] - delta(j, k)), k, K),
                     r"$\partial (-\log p_k) / \partial z_j = p_j - \delta_{jk}$"),
                Step(p[j] * class_sum(effective_index_target, k, K) - effective_index_target.xreplace({k: j}),
                     r"the delta picks $k = j$"),
                Step((1 - eps) * w[c] * (p[j] - delta(j, c)) + eps / K * (p[j] * class_sum(w[k], k, K) - w[j]),
                     r"$\sum_k t_k = (1 - \epsilon) w_c + \tfrac{\epsilon}{K} \sum_k w_k$"),
            )),
        ),
        groups=(
            ("Loss and gradient", ("loss_onehot", "dloss_dp", "gradient_general", "gradient_onehot")),
            ("Hessian", ("hvp", "hessian_null_vector", "hessian_psd", "gershgorin_radius", "largest_eigenvalue")),
            ("Stable forms", ("softmax_stable", "logsumexp_stable", "loss_stable", "loss_onehot_stable")),
            ("Class weights and label smoothing", ("options_target", "options_loss_stable", "soft_options_loss_stable",
                                                   "soft_options_gradient")),
        ),
        modules=(
            Module(
                name="softmax_cross_entropy",
                template="softmax_cross_entropy.py.j2",
                summary="Softmax cross-entropy from logits: loss, gradient, Hessian and Hessian-vector product.",
                kernels=(
                    Kernel("loss_probs", (("z", z), ("y", y)), (Output("loss", "loss_stable"),)),
                    Kernel("loss_and_grad_probs", (("z", z), ("y", y)),
                           (Output("loss", "loss_stable"), Output("grad", "gradient_general", (j,)))),
                    Kernel("loss_index", (("z", z), ("c", c)), (Output("loss", "loss_onehot_stable"),)),
                    Kernel("loss_and_grad_index", (("z", z), ("c", c)),
                           (Output("loss", "loss_onehot_stable"), Output("grad", "gradient_onehot", (j,)))),
                    Kernel("loss_index_options", (("z", z), ("c", c), ("w", w), ("eps", eps)),
                           (Output("loss", "options_loss_stable"),)),
                    Kernel("loss_and_grad_index_options", (("z", z), ("c", c), ("w", w), ("eps", eps)),
                           (Output("loss", "options_loss_stable"), Output("grad", "options_gradient", (j,)))),
                    Kernel("loss_probs_options", (("z", z), ("y", y), ("w", w), ("eps", eps)),
                           (Output("loss", "soft_options_loss_stable"),)),
                    Kernel("loss_and_grad_probs_options", (("z", z), ("y", y), ("w", w), ("eps", eps)),
                           (Output("loss", "soft_options_loss_stable"),
                            Output("grad", "soft_options_gradient", (j,)))),
                    Kernel("hessian", (("z", z),), (Output("hessian", "hessian", (j, l)),)),
                    Kernel("hvp", (("z", z), ("v", v)), (Output("hvp", "hvp", (j,)),)),
                ),
                options={
                    "derivatives": (("loss", "grad", "gradient"), ("grad", "hessian", "hessian")),
                    "keywords": {"weight": ("positive", "class"), "label_smoothing": ("unit_interval", "scalar")},
                    # The public functions against the raw claims of these kernels (symxent.verify).
                    # Rows with -inf logits are their limit, rows with nan, +inf or only -inf nan (symxent.verify
                    # checks every public function on such rows).
                    "special_rows": True,
                    "public": {"kind": "classes",
                               "kernels": {"index": "loss_and_grad_index_options", "probs": "loss_and_grad_probs_options"},
                               "keywords": {"weight": ("w", "class"), "label_smoothing": ("eps", "scalar")},
                               "defaults": {"w": 1.0, "eps": 0.0}, "ignore_index": True,
                               "mean": {"index": "kept weight", "probs": "samples"}},
                    "spectrum": {"matrix": True, "psd": "hessian_psd", "null_ones": "hessian_null_vector",
                                 "upper": "largest_eigenvalue"},
                    # (function, claim, cases, terms[, reason]): measured over the whole range
                    # (symxent.accuracy) in ulps of the largest of the terms of each sample, and held to
                    # the target: the gradient p_j - y_j is a difference, and the loss log S - (z_c -
                    # max z) has, besides its two terms, log S, whose sum S has the summand exp(0) = 1
                    # and so an error of eps at least (where they cancel, eps times the terms is what
                    # float code computing them can promise). c: the target class, y: y_0 (the rest
                    # spread evenly).
                    "accuracy_terms": (("loss", "loss_onehot_stable", ({"c": 0}, {"c": 1}),
                                        1 + LOG_SUM_SHIFTED - shifted(z[c])),
                                       ("grad", "gradient_onehot", ({"c": 0}, {"c": 1}), p[j] - delta(j, c)),
                                       ("loss", "loss_stable", ({"y": 0.75},),
                                        1 + class_sum(y[k] * (LOG_SUM_SHIFTED - shifted(z[k])), k, K),
                                        "inf where a row spans more than the largest float (z_k - max z overflows) "
                                        "and the loss, y_k times that span, is finite"),
                                       ("grad", "gradient", ({"y": 0.75},), p[j] - y[j])),
                    # A confident correct prediction's loss, relative: shown, not held to the target.
                    "accuracy_confident": (("loss", "loss_onehot_stable", ({"c": 0},),
                                            "log S of a sum near 1 loses the loss's digits: log1p of the other "
                                            "classes' mass (as log_softmax) would cost loss_and_grad a pass"),),
                },
            ),
        ),
    )
]
