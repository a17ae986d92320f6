"""Softmax: the Jacobian diag(p) - p p^T, shift invariance, log-softmax and stable log-sum-exp.

Proves, for explicit K = 2..Kmax and for a symbolic K:
- dp_i/dz_j = p_i (delta_ij - p_j);
- softmax(z + c) = softmax(z) for every real c, so the max-shifted form equals the naive one;
- log softmax(z)_i = z_i - logsumexp(z), and the max-shifted logsumexp equals the naive one;
- the vector-Jacobian and Jacobian-vector products p * (v - <p, v>);
- the printed forms: softmax with each exp(z_k - max z) taken of the exact difference
  (``exp_diff``), and log p_i = (z_i - z_m) - log1p(sum_k (exp(z_k - z_m) - delta_km)) for
  every class m: with m the index of a largest logit, the sum is the other classes' mass, so
  a confident row's log-probability -log1p(...) keeps its relative accuracy (log of a sum near
  1 would lose it).
"""

import sympy as sp

from symxent.derive import class_sum, exp_diff, log1p, partial
from symxent.registry import Chain, Claim, Derivation, Kernel, Module, Output, Step, Variable
from symxent.symbols import (CLASS_INDICES, LOG_SUM_SHIFTED, LOGSUMEXP, LOGSUMEXP_STABLE, SOFTMAX, SOFTMAX_STABLE, K, i,
                             max_z,
                             j, k, p, shifted, v, z)

shift = sp.Symbol("a", real=True)  # not c: c is a class index elsewhere
# The class of a largest logit: the log-softmax claim holds for every class m, and the kernels
# compute m as the argmax (Kernel.argmax), where every shift z_k - z_m is <= 0.
m = sp.Symbol("m", integer=True)

DERIVATIONS = [
    Derivation(
        name="softmax",
        title="Softmax and its Jacobian",
        summary=(r"$\partial p_i / \partial z_j = p_i (\delta_{ij} - p_j)$; shift invariance; log-softmax; "
                 r"the max-shifted softmax and log-sum-exp"),
        dimensions={K: None},
        indices={**CLASS_INDICES, m: K},
        variables=(
            Variable(z, "real", "logits", indices=(k,)),
            Variable(v, "real", "a direction for vjp/jvp", indices=(k,)),
            Variable(shift, "real", "a shift"),
        ),
        definitions=(
            SOFTMAX,
            LOGSUMEXP,
        ),
        claims=(
            Claim("jacobian", "dp_i/dz_j = p_i (delta_ij - p_j)",
                  partial(p[i], z[j]), p[i] * (sp.KroneckerDelta(i, j) - p[j]),
                  display_statement=r"the softmax Jacobian $\operatorname{diag}(p) - p p^\top$"),
            Claim("shift_invariance", "softmax(z + a) = softmax(z) for every real a",
                  sp.exp(z[i] + shift) / class_sum(sp.exp(z[k] + shift), k, K), p[i],
                  display_statement=r"shifting every logit by $a$ changes nothing"),
            SOFTMAX_STABLE,
            LOGSUMEXP_STABLE,
            Claim("log_softmax", "log p_i = (z_i - max z) - log sum_k exp(z_k - max z) = z_i - logsumexp(z)",
                  sp.log(p[i]), shifted(z[i]) - LOG_SUM_SHIFTED,
                  display_statement=r"log-softmax without $\log$ of a rounded $p_i$"),
            # exp(z_k - max z) of the difference carried exactly (exp_diff): the rounding of
            # z_k - max z would be multiplied by |z_k - max z| through exp (up to ~700 ulp).
            Claim("softmax_compensated", "p_i = exp_diff(z_i, max z) / sum_k exp_diff(z_k, max z), exp_diff(x, y) = "
                  "exp(x - y) of the exact difference",
                  p[i], exp_diff(z[i], max_z) / class_sum(exp_diff(z[k], max_z), k, K),
                  display_statement=r"max-shifted, each $e^{z_k - \max z}$ of the exact difference"),
            # With m the argmax, the delta removes the term exp(0) = 1 exactly (its exp_diff is
            # exactly 1), so the sum is the other classes' mass, never 1 + mass rounded.
            Claim("log_softmax_compensated", "log p_i = (z_i - z_m) - log1p(sum_k (exp_diff(z_k, z_m) - delta_km)) "
                  "for every class m (printed with m a largest logit's class)",
                  sp.log(p[i]), sp.UnevaluatedExpr(z[i] - z[m])
                  - log1p(class_sum(exp_diff(z[k], z[m]) - sp.KroneckerDelta(k, m), k, K)),
                  display_statement=r"log-softmax as $-\log(1 + \text{the other classes' mass})$"),
            Claim("vjp", "sum_i v_i dp_i/dz_j = p_j (v_j - sum_i v_i p_i)",
                  class_sum(v[i] * partial(p[i], z[j]), i, K), p[j] * (v[j] - class_sum(v[i] * p[i], i, K)),
                  display_statement=r"the vector-Jacobian product $v^\top J$"),
            Claim("jvp", "sum_j dp_i/dz_j v_j = p_i (v_i - sum_j p_j v_j)",
                  class_sum(partial(p[i], z[j]) * v[j], j, K), p[i] * (v[i] - class_sum(p[j] * v[j], j, K)),
                  display_statement=r"the Jacobian-vector product $J v$"),
            Claim("rows_sum_to_zero", "sum_i dp_i/dz_j = 0 (the ones vector is a left null vector)",
                  class_sum(partial(p[i], z[j]), i, K), sp.Integer(0),
                  display_statement=r"$\mathbf{1}^\top J = 0$: a left null vector"),
        ),
        chains=(
            Chain("The softmax Jacobian", partial(p[i], z[j]), (
                Step(partial(sp.exp(z[i]) / class_sum(sp.exp(z[k]), k, K), z[j]), r"definition of $p_i$"),
                Step(sp.KroneckerDelta(i, j) * sp.exp(z[i]) / class_sum(sp.exp(z[k]), k, K)
                     - sp.exp(z[i]) * sp.exp(z[j]) / class_sum(sp.exp(z[k]), k, K) ** 2,
                     r"quotient rule: $\partial e^{z_i} / \partial z_j = \delta_{ij} e^{z_i}$, $\partial \sum_k"
                     r" e^{z_k} / \partial z_j = e^{z_j}$"),
                Step(p[i] * sp.KroneckerDelta(i, j) - p[i] * p[j], r"recognise $p_i$ and $p_j$"),
                Step(p[i] * (sp.KroneckerDelta(i, j) - p[j]), r"factor out $p_i$"),
            )),
        ),
        groups=(
            ("Vector products", ("vjp", "jvp", "rows_sum_to_zero")),
            ("Stable forms", ("shift_invariance", "softmax_stable", "logsumexp_stable", "log_softmax",
                              "softmax_compensated", "log_softmax_compensated")),
        ),
        modules=(
            Module(
                name="softmax",
                template="softmax.py.j2",
                summary="Softmax, log-softmax, the softmax Jacobian and its vector products.",
                kernels=(
                    Kernel("softmax", (("z", z),), (Output("p", "softmax_compensated", (i,)),)),
                    Kernel("log_softmax", (("z", z),), (Output("log_p", "log_softmax_compensated", (i,)),),
                           argmax=((m, z),)),
                    Kernel("jacobian", (("z", z),), (Output("jacobian", "jacobian", (i, j)),)),
                    Kernel("vjp", (("z", z), ("v", v)), (Output("vjp", "vjp", (j,)),)),
                    Kernel("jvp", (("z", z), ("v", v)), (Output("jvp", "jvp", (i,)),)),
                ),
                options={
                    "derivatives": (("softmax", "jacobian", "jacobian"),),
                    # The public functions against the raw claims of these kernels (symxent.verify).
                    # Rows with -inf logits are their limit, rows with nan, +inf or only -inf nan (symxent.verify
                    # checks every public function on such rows).
                    "special_rows": True,
                    "public": {"kind": "vector", "functions": {"softmax": "softmax", "log_softmax": "log_softmax"}},
                    # (function, claim, cases): measured in ulps over the whole range (symxent.accuracy),
                    # rows of 2 and 3 logits, and held to the target.
                    "accuracy": (("softmax", "softmax_compensated", ()),
                                 ("log_softmax", "log_softmax_compensated", ())),
                },
            ),
        ),
    )
]
