"""The logistic sigmoid: its derivative, symmetry, value at 0, limits and stable forms.

Proves sigma'(u) = sigma(u)(1 - sigma(u)); 1 - sigma(u) = sigma(-u); sigma(0) = 1/2; the
limits 0 and 1 at -inf and +inf; 0 < sigma'(u) <= 1/4; and the overflow-free forms the
generator prints, with exp of non-positive arguments only (as PyTorch and SciPy's expit), so
that every output keeps its relative accuracy over the whole range of the dtype:
sigma(u) = e^{min(u, 0)} / (1 + e^{-|u|}), log sigma(u) = min(u, 0) - log(1 + e^{-|u|}),
sigma'(u) = s (1 - s) with s = e^{-|u|} / (1 + e^{-|u|}) (at most 1/4 after rounding too).
"""

import sympy as sp

from symxent.registry import Chain, Claim, Derivation, Kernel, Module, Output, Step, Variable
from symxent.symbols import LOG_SIGMOID_STABLE, SIGMOID, SIGMOID_DERIVATIVE_STABLE, SIGMOID_STABLE, sigma, u

d_sigma = sp.Derivative(sigma(u), u)

DERIVATIONS = [
    Derivation(
        name="sigmoid",
        title="The logistic sigmoid",
        summary=(r"$\sigma' = \sigma (1 - \sigma)$, $1 - \sigma(u) = \sigma(-u)$, $\sigma(0) = \tfrac12$, the limits, "
                 r"$0 < \sigma' \le \tfrac14$ and the stable forms"),
        dimensions={},
        indices={},
        variables=(Variable(u, "real", "a logit"),),
        definitions=(SIGMOID,),
        claims=(
            Claim("derivative", "sigma'(u) = sigma(u) (1 - sigma(u))", d_sigma, sigma(u) * (1 - sigma(u)),
                  general_k=False,
                  display_statement=r"$\sigma' = \sigma (1 - \sigma)$"),
            Claim("symmetry", "1 - sigma(u) = sigma(-u)", 1 - sigma(u), sigma(-u), general_k=False,
                  display_statement=r"the sigmoid is symmetric about $(0, \tfrac12)$"),
            Claim("at_zero", "sigma(0) = 1/2", sigma(0), sp.Rational(1, 2), general_k=False,
                  display_statement=r"$\sigma(0) = \tfrac12$"),
            Claim("limit_minus_infinity", "sigma(u) -> 0 as u -> -inf", sp.Limit(sigma(u), u, -sp.oo), sp.Integer(0),
                  general_k=False,
                  display_statement=r"the limit at $-\infty$"),
            Claim("limit_plus_infinity", "sigma(u) -> 1 as u -> +inf", sp.Limit(sigma(u), u, sp.oo), sp.Integer(1),
                  general_k=False,
                  display_statement=r"the limit at $+\infty$"),
            Claim("derivative_positive", "sigma'(u) > 0", d_sigma, sp.Integer(0), relation=">",
                  certificate=sp.exp(-u) / (1 + sp.exp(-u)) ** 2, general_k=False,
                  display_statement=r"$\sigma$ is increasing"),
            Claim("derivative_at_most_quarter", "sigma'(u) <= 1/4", sp.Rational(1, 4), d_sigma, relation=">=",
                  certificate=(sigma(u) - sp.Rational(1, 2)) ** 2, general_k=False,
                  display_statement=r"$\sigma' \le \tfrac14$"),
            SIGMOID_STABLE,
            LOG_SIGMOID_STABLE,
            SIGMOID_DERIVATIVE_STABLE,
        ),
        chains=(
            Chain("The derivative of the sigmoid", d_sigma, (
                Step(sp.Derivative((1 + sp.exp(-u)) ** -1, u), r"definition of $\sigma$"),
                Step(sp.exp(-u) / (1 + sp.exp(-u)) ** 2, r"chain rule"),
                Step(1 / (1 + sp.exp(-u)) * sp.exp(-u) / (1 + sp.exp(-u)), r"split the square"),
                Step(sigma(u) * (1 - 1 / (1 + sp.exp(-u))), r"$\frac{e^{-u}}{1 + e^{-u}} = 1 - \frac{1}{1 + e^{-u}}$"),
                Step(sigma(u) * (1 - sigma(u)), r"recognise $\sigma(u)$"),
            )),
        ),
        modules=(
            Module(
                name="sigmoid",
                template="elementwise.py.j2",
                summary="The logistic sigmoid, its logarithm and its derivative, elementwise.",
                kernels=(
                    Kernel("sigmoid", (("z", u),), (Output("sigmoid", "sigmoid_stable"),)),
                    Kernel("log_sigmoid", (("z", u),), (Output("log_sigmoid", "log_sigmoid_stable"),)),
                    Kernel("derivative", (("z", u),), (Output("derivative", "derivative_stable"),)),
                ),
                options={
                    "derivatives": (("sigmoid", "derivative", "elementwise"),),
                    # (function, claim, cases): measured in ulps over the whole range (symxent.accuracy).
                    "accuracy": (("sigmoid", "sigmoid_stable", ()), ("log_sigmoid", "log_sigmoid_stable", ()),
                                 ("derivative", "derivative_stable", ())),
                },
            ),
        ),
    )
]
