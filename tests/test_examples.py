"""examples/derivations: two losses that are not built in, proven, generated through the generic
template, verified as the built-ins are, and testable with ``symxent test``.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from symxent import codegen, testing
from symxent.cli import main
from symxent.registry import load_registry
from symxent.verify import load_generated, verify

from conftest import REGISTRY, ROOT, TEST_KMAX

EXAMPLES = ROOT / "examples" / "derivations"
NAMES = ("poly1", "generalized_cross_entropy")
WITH_EXAMPLES = load_registry([EXAMPLES])


def test_examples_load_beside_the_builtins() -> None:
    assert not WITH_EXAMPLES.errors, WITH_EXAMPLES.errors
    assert set(NAMES) <= set(WITH_EXAMPLES) and not set(NAMES) & set(REGISTRY)


@pytest.fixture(scope="module")
def example_report():
    return verify(WITH_EXAMPLES, NAMES, kmax=TEST_KMAX, jobs=1)


@pytest.mark.parametrize("name", NAMES)
def test_examples_are_proven_and_their_modules_verified(example_report, name: str) -> None:
    (proof,) = [p for p in example_report.proofs if p.derivation == name]
    bad = [f"{c.claim}: {c.verdict}" for c in proof.claims if not c.ok] + [
        f"step {s.step + 1}: {s.verdict}" for s in proof.steps if not s.ok]
    assert not bad, f"{name}: {bad}"
    numeric = [n for n in example_report.numeric if n.derivation == name]
    kinds = {n.check.split(":")[0] if ":" in n.check else n.check for n in numeric}
    assert any("vs raw lambdify" in n.check for n in numeric), f"{name}: kernels not checked against the raw claims"
    assert any("complex step" in n.check for n in numeric) and any("public functions" in n.check for n in numeric), kinds
    failed = [f"{n.subject}: {n.check}: {n.max_error:.3g} {n.detail}" for n in numeric if not n.ok]
    assert not failed, f"{name}: {failed}"


def test_generate_writes_both_examples_and_the_builtins(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["generate", "--derivations", str(EXAMPLES), "--out", str(tmp_path)], out=out, err=err)
    assert code == 0, err.getvalue()
    written = sorted(p.name for p in tmp_path.glob("*.py"))
    builtin = sorted(f"{m.name}.py" for d in REGISTRY.values() for m in d.modules)
    assert written == sorted(builtin + ["generalized_cross_entropy.py", "poly1.py"]), written


def _module(name: str):
    d = WITH_EXAMPLES[name]
    return load_generated(codegen.render_module(d, d.modules[0]).text, name)


def poly1_grad(logits, target, epsilon=1.0):
    """Index targets: (1 + eps p_c)(p - onehot) / N; probability targets y:
    (p sum(y) - y + eps p (sum(y p) - y)) / N."""
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    n = len(target)
    if target.ndim == logits.ndim:
        y = target
        p_t = (y * p).sum(axis=-1, keepdims=True)
        return (p * y.sum(axis=-1, keepdims=True) - y + epsilon * p * (p_t - y)) / n
    onehot = np.zeros_like(p)
    onehot[np.arange(n), target] = 1
    return (1 + epsilon * p[np.arange(n), target][:, None]) * (p - onehot) / n


def cross_entropy_grad(logits, target, epsilon=1.0):
    return poly1_grad(logits, target, 0.0)  # forgets the epsilon term


def fixed_epsilon_grad(logits, target, epsilon=1.0):
    return poly1_grad(logits, target)  # takes epsilon, and ignores it


def argmax_grad(logits, target, epsilon=1.0):
    return poly1_grad(logits, target.argmax(axis=-1) if target.ndim == logits.ndim else target, epsilon)


def gce_loss(logits, target, q=0.7):
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    return np.mean((1 - p[np.arange(len(target)), target] ** q) / q)


def test_symxent_test_against_an_example_module() -> None:
    right = testing.compare(poly1_grad, "poly1.grad", registry=WITH_EXAMPLES, epsilon=2.0)
    assert right.ok and right.passed == ("epsilon",), str(right)
    assert {c.case.target for c in right.cases} == {"index", "probs"}, "poly1 takes both target kinds"
    onehot = testing.compare(argmax_grad, "poly1.grad", registry=WITH_EXAMPLES)
    assert not onehot.ok and "one-hot assumption" in onehot.diagnosis[0], onehot.diagnosis
    ignored = testing.compare(fixed_epsilon_grad, "poly1.grad", registry=WITH_EXAMPLES, epsilon=2.0)
    assert not ignored.ok and "epsilon=2.0 seems ignored" in ignored.diagnosis[0], ignored.diagnosis
    wrong = testing.compare(cross_entropy_grad, "poly1.grad", registry=WITH_EXAMPLES, epsilon=2.0)
    assert not wrong.ok and wrong.counterexample is not None, str(wrong)
    assert testing.compare(gce_loss, "generalized_cross_entropy.loss", registry=WITH_EXAMPLES, q=0.3).ok


def test_generated_example_modules_check_their_arguments_and_keep_float32() -> None:
    gce, poly = _module("generalized_cross_entropy"), _module("poly1")
    z = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    c = np.array([0, 2, 1, 2])
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match=r"q: .* out of range; valid: a number in \(0, 1\]"):
            gce.loss(z, c, q=bad)
    with pytest.raises(TypeError, match="epsilon: expected a number"):
        poly.loss(z, c, epsilon="1")
    with pytest.raises(ValueError, match="class index 3 is out of range"):
        poly.loss(z, np.array([0, 3, 1, 2]))
    with pytest.raises(TypeError, match="target: expected integer class indices in 0..2, got dtype float32"):
        gce.loss(z, z)  # the generalized cross-entropy takes class indices only
    with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\]"):
        poly.loss(z, z)  # Poly-1 takes probabilities too, but these are not
    soft = np.full_like(z, 1 / 3)
    assert poly.loss_and_grad(z, soft)[1].dtype == np.float32
    value, g = poly.loss_and_grad(z, c)
    assert value.dtype == np.float32 and g.dtype == np.float32
    out = np.empty_like(z)
    assert gce.grad(z, c, out=out) is out
    assert np.all(np.isfinite(gce.grad(np.float32(1e3) * z, c)))
