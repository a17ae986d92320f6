"""Knowledge distillation (Hinton et al. 2015): cross-entropy against a teacher at temperature T.

The student's logits z and the teacher's logits z^t (or its probabilities y) are softened by a
temperature T > 0: p~ = softmax(z / T), q~ = softmax(z^t / T), and the loss is the
cross-entropy L = -sum_k q~_k log p~_k (or -sum_k y_k log p~_k for given probabilities).
Proves, for explicit K = 2..Kmax and a symbolic K:
- dL/dz_j = (p~_j - q~_j) / T (the chain of steps; q~ sums to 1 identically), and for given
  targets (p~_j sum(y) - y_j) / T, = (p~_j - y_j) / T under "targets sum to 1";
- Hinton's T^2 convention: T^2 L has the gradient T (p~_j - q~_j), whose size does not shrink
  as T grows, so the soft and hard terms of a combined loss keep their relative weight; its
  Hessian is p~_j (delta_jl - p~_l) (sum(y) times that for given targets), the untempered
  cross-entropy's at p~, for every T (without T^2 it is that over T^2);
- the high-temperature limit: with eps = 1/T and F_j(eps) = softmax(eps z)_j - softmax(eps z^t)_j,
  F_j(0) = 0, so T (p~_j - q~_j) = (F_j(eps) - F_j(0)) / eps -> F_j'(0) =
  ((z_j - z^t_j) - mean_k(z_k - z^t_k)) / K as T -> infinity: matching logits (their deviations
  from the mean), Hinton's eq. 3-4;
- stable forms: the tempered softmax and log-softmax shifted by max z (max z^t for the teacher).
"""

import sympy as sp

from symxent.derive import At, ClassMax, chain_rule, class_sum, partial, xmuly
from symxent.registry import Assumption, Chain, Claim, Definition, Derivation, Kernel, Module, Output, Step, Variable
from symxent.symbols import CLASS_INDICES, K, L, i, j, k, l, r, shifted, y, z

T = sp.Symbol("T", positive=True)  # the temperature
zt = sp.IndexedBase("z^t", real=True)  # the teacher's logits
ptilde = sp.IndexedBase("ptilde", positive=True)  # the student's softened probabilities softmax(z / T)
qtilde = sp.IndexedBase("qtilde", positive=True)  # the teacher's softened probabilities softmax(z^t / T)
L_t = sp.Symbol("L_t", real=True)  # the loss against the teacher's logits
eps = sp.Symbol("varepsilon", positive=True)  # 1 / T
delta = sp.KroneckerDelta

max_zt = ClassMax(zt[r], r)
TARGETS_SUM_TO_ONE = Assumption("targets sum to 1", class_sum(y[k], k, K), sp.Integer(1))
# log sum_r exp((z_r - max z) / T) - (z_k - max z) / T = -log p~_k, with the shifted logit formed first.
neg_log_ptilde = sp.log(class_sum(sp.exp(shifted(z[k]) / T), k, K)) - shifted(z[k]) / T
# Each term with 0 * inf = 0 (xmuly): a class the teacher gives no mass (a probability of 0, or
# a teacher logit of -inf) adds 0 where the student's is -inf too (a shared mask), not nan.
loss_stable = class_sum(xmuly(y[k], neg_log_ptilde), k, K)
loss_teacher_stable = class_sum(xmuly(qtilde[k], neg_log_ptilde), k, K)


def _softmax_at(logits: sp.IndexedBase, scale: sp.Expr, index: sp.Symbol) -> sp.Expr:
    return sp.exp(scale * logits[index]) / class_sum(sp.exp(scale * logits[k]), k, K)


high_temperature = _softmax_at(z, eps, j) - _softmax_at(zt, eps, j)

DERIVATIONS = [
    Derivation(
        name="distillation",
        title="Knowledge distillation at temperature T",
        summary=(r"$L_t = -\sum_k \tilde q_k \log \tilde p_k$ with $\tilde p = \operatorname{softmax}(z / T)$ and "
                 r"$\tilde q = \operatorname{softmax}(z^t / T)$: gradient $(\tilde p - \tilde q) / T$; $T^2 L_t$ has"
                 r" gradient "
                 r"$T (\tilde p - \tilde q)$, which tends to logit matching as $T \to \infty$"),
        dimensions={K: None},
        indices=CLASS_INDICES,
        variables=(
            Variable(z, "real", "student logits", indices=(k,)),
            Variable(zt, "real", "teacher logits", indices=(k,)),
            Variable(y, "simplex", "teacher probabilities", indices=(k,)),
            Variable(T, "positive", "temperature"),
        ),
        definitions=(
            Definition(ptilde[i], sp.exp(z[i] / T) / class_sum(sp.exp(z[k] / T), k, K),
                       r"the student's probabilities at temperature $T$", stable="ptilde_stable"),
            Definition(qtilde[i], sp.exp(zt[i] / T) / class_sum(sp.exp(zt[k] / T), k, K),
                       r"the teacher's probabilities at temperature $T$", stable="qtilde_stable"),
            Definition(L, class_sum(-y[k] * sp.log(ptilde[k]), k, K), "cross-entropy against teacher probabilities"),
            Definition(L_t, class_sum(-qtilde[k] * sp.log(ptilde[k]), k, K), "cross-entropy against the teacher"),
        ),
        claims=(
            Claim("ptilde_stable", "p~_i = exp((z_i - max z) / T) / sum_k exp((z_k - max z) / T)", ptilde[i],
                  sp.exp(shifted(z[i]) / T) / class_sum(sp.exp(shifted(z[k]) / T), k, K),
                  display_statement=r"max-shifted"),
            Claim("qtilde_stable", "q~_i = exp((z^t_i - max z^t) / T) / sum_k exp((z^t_k - max z^t) / T)", qtilde[i],
                  sp.exp((zt[i] - max_zt) / T) / class_sum(sp.exp((zt[k] - max_zt) / T), k, K),
                  display_statement=r"max-shifted"),
            Claim("loss_stable", "L = sum_k y_k (log sum_r exp((z_r - max z) / T) - (z_k - max z) / T)", L, loss_stable,
                  display_statement=r"stable"),
            Claim("loss_teacher_stable", "L_t = sum_k q~_k (log sum_r exp((z_r - max z) / T) - (z_k - max z) / T)", L_t,
                  loss_teacher_stable,
                  display_statement=r"stable"),
            Claim("gradient_general", "dL/dz_j = (p~_j sum(y) - y_j) / T for any targets", partial(L, z[j]),
                  (ptilde[j] * class_sum(y[k], k, K) - y[j]) / T,
                  display_statement=r"for any targets $y$"),
            Claim("gradient", "dL/dz_j = (p~_j - y_j) / T", partial(L, z[j]), (ptilde[j] - y[j]) / T,
                  assumptions=(TARGETS_SUM_TO_ONE,),
                  display_statement=r"targets that sum to 1"),
            Claim("gradient_teacher", "dL_t/dz_j = (p~_j - q~_j) / T", partial(L_t, z[j]), (ptilde[j] - qtilde[j]) / T,
                  display_statement=r"against the teacher"),
            Claim("scaled_loss_stable", "T^2 L, printed as T^2 times the stable L", T ** 2 * L, T ** 2 * loss_stable,
                  display_statement=r"$T^2 L$, stable"),
            Claim("scaled_loss_teacher_stable", "T^2 L_t, printed as T^2 times the stable L_t", T ** 2 * L_t,
                  T ** 2 * loss_teacher_stable,
                  display_statement=r"$T^2 L_t$, stable"),
            Claim("scaled_gradient_general", "d(T^2 L)/dz_j = T (p~_j sum(y) - y_j)", partial(T ** 2 * L, z[j]),
                  T * (ptilde[j] * class_sum(y[k], k, K) - y[j]),
                  display_statement=r"the $T^2$ convention keeps the gradient's size"),
            Claim("scaled_gradient_teacher", "d(T^2 L_t)/dz_j = T (p~_j - q~_j): the T^2 convention keeps the "
                  "gradient's size as T grows", partial(T ** 2 * L_t, z[j]), T * (ptilde[j] - qtilde[j]),
                  display_statement=r"against the teacher"),
            Claim("scaled_hessian_teacher", "d2(T^2 L_t)/dz_j dz_l = p~_j (delta_jl - p~_l): the T^2 convention "
                  "gives the Hessian of the untempered cross-entropy at p~ (PSD, eigenvalues <= 1/2), for every T",
                  partial(T ** 2 * L_t, z[j], z[l]), ptilde[j] * (delta(j, l) - ptilde[l]),
                  display_statement=r"the untempered cross-entropy's Hessian at $\tilde p$, for every $T$"),
            Claim("scaled_hessian_general", "d2(T^2 L)/dz_j dz_l = sum(y) p~_j (delta_jl - p~_l) for any targets",
                  partial(T ** 2 * L, z[j], z[l]), class_sum(y[k], k, K) * ptilde[j] * (delta(j, l) - ptilde[l]),
                  display_statement=r"$\sum_k y_k$ times it for any targets"),
            Claim("high_temperature_start", "F_j(0) = softmax(0)_j - softmax(0)_j = 0, with F_j(eps) = "
                  "softmax(eps z)_j - softmax(eps z^t)_j and eps = 1/T", At(high_temperature, ((eps, 0),)),
                  sp.Integer(0),
                  display_statement=r"$F_j(\varepsilon) = \operatorname{softmax}(\varepsilon z)_j -"
                                    r" \operatorname{softmax}(\varepsilon z^t)_j$ vanishes at $0$"),
            Claim("high_temperature_limit", "T (p~_j - q~_j) = (F_j(1/T) - F_j(0)) T -> F_j'(0) = "
                  "((z_j - z^t_j) - mean(z - z^t)) / K as T -> infinity",
                  At(partial(high_temperature, eps), ((eps, 0),)),
                  ((z[j] - zt[j]) - class_sum(z[k] - zt[k], k, K) / K) / K,
                  display_statement=r"so $T (\tilde p_j - \tilde q_j) \to F_j'(0)$ as $T \to \infty$: logit matching"),
        ),
        chains=(
            Chain("The gradient of the distillation loss", partial(L_t, z[j]), (
                Step(chain_rule(L_t, ptilde, ptilde[i], i, K, z[j]), r"chain rule through $\tilde p ="
                                                                     r" \operatorname{softmax}(z / T)$"),
                # Unevaluated, or SymPy cancels p~_i at once and the next step would show nothing.
                Step(class_sum(sp.Mul(-qtilde[i] / ptilde[i], ptilde[i] * (delta(i, j) - ptilde[j]) / T, evaluate=False),
                               i, K),
                     r"$\partial L_t / \partial \tilde p_i = -\tilde q_i / \tilde p_i$; the tempered Jacobian"
                     r" carries $1/T$"),
                Step(class_sum(-qtilde[i] * delta(i, j) + qtilde[i] * ptilde[j], i, K) / T, r"cancel $\tilde p_i$"),
                Step((ptilde[j] * class_sum(qtilde[i], i, K) - qtilde[j]) / T, r"the delta picks $i = j$"),
                Step((ptilde[j] - qtilde[j]) / T, r"$\tilde q$ is a softmax: it sums to 1 (an identity)"),
            )),
        ),
        groups=(
            ("Gradient", ("gradient_general", "gradient")),
            ("The $T^2$ convention", ("scaled_loss_stable", "scaled_loss_teacher_stable", "scaled_gradient_general",
                                      "scaled_gradient_teacher", "scaled_hessian_teacher", "scaled_hessian_general")),
            ("High temperature", ("high_temperature_start", "high_temperature_limit")),
            ("Stable forms", ("ptilde_stable", "qtilde_stable", "loss_stable", "loss_teacher_stable")),
        ),
        modules=(
            Module(
                name="distillation",
                template="distillation.py.j2",
                summary="Knowledge distillation at temperature T (Hinton et al. 2015): loss and gradient in the "
                        "student's logits.",
                kernels=(
                    Kernel("loss_logits", (("z", z), ("v", zt), ("T", T)), (Output("loss", "loss_teacher_stable"),)),
                    Kernel("loss_and_grad_logits", (("z", z), ("v", zt), ("T", T)),
                           (Output("loss", "loss_teacher_stable"), Output("grad", "gradient_teacher", (j,)))),
                    Kernel("loss_probs", (("z", z), ("y", y), ("T", T)), (Output("loss", "loss_stable"),)),
                    Kernel("loss_and_grad_probs", (("z", z), ("y", y), ("T", T)),
                           (Output("loss", "loss_stable"), Output("grad", "gradient_general", (j,)))),
                    Kernel("loss_logits_t2", (("z", z), ("v", zt), ("T", T)),
                           (Output("loss", "scaled_loss_teacher_stable"),)),
                    Kernel("loss_and_grad_logits_t2", (("z", z), ("v", zt), ("T", T)),
                           (Output("loss", "scaled_loss_teacher_stable"),
                            Output("grad", "scaled_gradient_teacher", (j,)))),
                    Kernel("loss_probs_t2", (("z", z), ("y", y), ("T", T)), (Output("loss", "scaled_loss_stable"),)),
                    Kernel("loss_and_grad_probs_t2", (("z", z), ("y", y), ("T", T)),
                           (Output("loss", "scaled_loss_stable"), Output("grad", "scaled_gradient_general", (j,)))),
                ),
                options={
                    "derivatives": (("loss", "grad", "gradient"),),
                    "arguments": (z, zt),
                    "keywords": {"temperature": ("positive", "scalar")},
                    # The public functions against the raw claims of these kernels (symxent.verify),
                    # with the default t2_scaling=True.
                    # Rows with -inf logits are their limit, rows with nan, +inf or only -inf nan (symxent.verify
                    # checks every public function on such rows).
                    "special_rows": True,
                    "public": {"kind": "classes",
                               "kernels": {"logits": "loss_and_grad_logits_t2", "probs": "loss_and_grad_probs_t2"},
                               "suffix": {"probs": "_probs"}, "keywords": {"temperature": ("T", "scalar", (0.5, 4.0))},
                               "defaults": {"T": 1.0}, "mean": {"logits": "samples", "probs": "samples"}},
                },
            ),
        ),
    )
]
