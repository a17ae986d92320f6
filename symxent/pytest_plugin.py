"""pytest plugin: the ``symxent_matches`` fixture, to test your implementation against the proof.

Contract: installed with symxent (the ``pytest11`` entry point ``symxent``), it adds

- the fixture ``symxent_matches(fn, "MODULE.FUNCTION", **options) -> Report``, which calls
  :func:`symxent.testing.compare` and fails the test with the report (the diagnosis first, then
  the smallest failing input with both values) when ``fn`` disagrees with the proof;
- the option ``--symxent-derivations DIR`` (repeatable): also load the derivation files of DIR,
  so MODULE may be a module generated from your own derivation.

A user's test is three lines::

    def test_my_gradient(symxent_matches):
        from mylib import ce_grad
        symxent_matches(ce_grad, "softmax_cross_entropy.grad", reduction="mean")

Nothing is imported from symxent's heavy stages until the fixture is used, so the plugin costs
nothing in a test session that does not use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from symxent.registry import Registry
    from symxent.testing import Report


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("symxent", "symxent: test implementations against the proof")
    group.addoption("--symxent-derivations", action="append", default=[], metavar="DIR",
                    help="also load the derivation files of DIR for symxent_matches (repeatable)")


@pytest.fixture(scope="session")
def symxent_registry(pytestconfig: pytest.Config) -> Registry:
    """The derivations symxent_matches knows: the built-in ones and those of --symxent-derivations."""
    from symxent.registry import load_registry

    registry = load_registry(pytestconfig.getoption("symxent_derivations"))
    if registry.errors:
        raise pytest.UsageError("symxent: could not load " + "; ".join(str(e) for e in registry.errors))
    return registry


@pytest.fixture
def symxent_matches(symxent_registry: Registry) -> Callable[..., Report]:
    """``symxent_matches(fn, "MODULE.FUNCTION", **options)``: fail unless ``fn`` agrees with the proof."""
    from symxent.testing import compare

    def check(fn: Callable[..., Any], against: str, **options: Any) -> Report:
        __tracebackhide__ = True  # the failure points at the user's test, not at this helper
        report = compare(fn, against, registry=symxent_registry, **options)
        if not report.ok:
            pytest.fail(f"{report.summary}\n\n{report}", pytrace=False)
        return report

    return check
