"""``symxent test`` / ``symxent.testing``: right implementations pass, wrong ones are named.

Layers: every modelled public function of every generated module agrees with its own proof
(parametrized over the registry: the tolerances give no false WRONG on accurate code); a
catalogue of the usual mistakes, each of which must be reported with its diagnosis and a
counterexample showing both values; the reference itself against an independent hand-written
formula; the command line's exit codes; the pytest plugin, run in a separate pytest process.
"""

from __future__ import annotations

import importlib.metadata
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import mpmath
import numpy as np
import pytest

from symxent import testing
from symxent.cli import main
from symxent.registry import load_registry
from symxent.verify import load_module_file

from conftest import GENERATED, REGISTRY, ROOT

PUBLIC = [(m.name, f) for d in REGISTRY.values() for m in d.modules
          for f in testing._public_functions(d, m) if testing._modelled(d, m, f)]


@pytest.mark.parametrize(("module", "function"), PUBLIC, ids=[f"{m}.{f}" for m, f in PUBLIC])
def test_generated_functions_agree_with_their_proof(module: str, function: str) -> None:
    generated = load_module_file(GENERATED / f"{module}.py")
    report = testing.compare(getattr(generated, function), f"{module}.{function}", registry=REGISTRY)
    assert report.ok, f"{module}.{function} against its own proof:\n{report}"
    assert {c.case.dtype for c in report.cases} == {"float64", "float32"}, f"{module}.{function}: both dtypes"
    assert any(c.case.extreme for c in report.cases), f"{module}.{function}: no extreme case"


def test_every_public_loss_function_is_modelled() -> None:
    """Each public function of every generated module can be tested (none silently left out)."""
    missing = [(m.name, f) for d in REGISTRY.values() for m in d.modules for f in testing._public_functions(d, m)
               if not testing._modelled(d, m, f)]
    assert not missing, f"public functions symxent test cannot model: {missing}"


def test_no_case_has_as_many_samples_as_classes() -> None:
    """A 1/K where 1/N is due passes whenever N = K: no input may have N = K."""
    for against in ("softmax_cross_entropy.grad", "focal_loss.loss", "softmax.softmax"):
        ref = testing.resolve(against, REGISTRY)
        for fixed in (None, 3, 5):
            shapes = testing._shapes(ref, fixed)
            assert all(n != k for _, n, k, _ in shapes), f"{against} (K fixed at {fixed}): {shapes}"
            assert {1} <= {n for _, n, _, _ in shapes}, f"{against}: no N = 1"
    ref = testing.resolve("softmax_cross_entropy.grad", REGISTRY)
    ks = {k for _, _, k, _ in testing._shapes(ref, None)}
    assert 2 in ks and max(ks) >= 1000, f"K = 2 and a large K must be tested: {sorted(ks)}"


# --- the usual mistakes -------------------------------------------------------------------------


def _softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def ce_grad(logits: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Right: the mean cross-entropy's gradient, index or probability targets."""
    p = _softmax(logits)
    n = logits.shape[0]
    if target.ndim == logits.ndim:
        return (p - target) / n
    p[np.arange(n), target] -= 1
    return p / n


def ce_loss(logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    """Right: log-sum-exp form, every reduction."""
    z = logits - logits.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=-1))
    per = (target * (lse[:, None] - z)).sum(-1) if target.ndim == logits.ndim else lse - z[np.arange(len(z)), target]
    return {"none": per, "sum": per.sum(), "mean": per.mean()}[reduction]


def by_k(logits, target):
    p = _softmax(logits)
    n, k = logits.shape
    p[np.arange(n), target] -= 1
    return p / k


def no_shift(logits, target):
    e = np.exp(logits)
    p = e / e.sum(axis=-1, keepdims=True)
    p[np.arange(len(target)), target] -= 1
    return p / len(target)


def sign(logits, target):
    return -ce_grad(logits, target)


def twice(logits, target):
    return 2 * ce_grad(logits, target)


def promoted(logits, target):
    return ce_grad(logits.astype(np.float64), target)


def argmax_target(logits, target):
    return ce_grad(logits, target.argmax(axis=-1) if target.ndim == logits.ndim else target)


def batch_axis(logits, target):
    e = np.exp(logits - logits.max())
    p = e / e.sum(axis=0, keepdims=True)
    p[np.arange(len(target)), target] -= 1
    return p / len(target)


def summed(logits, target):
    return ce_grad(logits, target) * logits.shape[0]


def transposed(logits, target):
    return ce_grad(logits, target).T.copy()


def classes_first(logits, target):
    return ce_grad(logits.T, target).T.copy()


def no_smoothing(logits, target, reduction="mean"):
    return ce_loss(logits, target, reduction)


def _index_only(fn):
    return lambda logits, target: fn(logits, target)


MISTAKES = [
    # (function, against, options, targets, words the diagnosis must contain)
    (by_k, "softmax_cross_entropy.grad", {}, ["index"], "divided by K instead of N"),
    (no_shift, "softmax_cross_entropy.grad", {}, ["index"], "overflow at logits of magnitude 1000"),
    (sign, "softmax_cross_entropy.grad", {}, None, "wrong sign"),
    (twice, "softmax_cross_entropy.grad", {}, None, "a factor 2"),
    (promoted, "softmax_cross_entropy.grad", {}, None, "float32 promoted"),
    (argmax_target, "softmax_cross_entropy.grad", {}, None, "one-hot assumption on soft targets"),
    (batch_axis, "softmax_cross_entropy.grad", {}, ["index"], "class-axis mix-up: sample 0's result changes"),
    (summed, "softmax_cross_entropy.grad", {}, None, "reduction='sum' where reduction='mean' is asked"),
    (transposed, "softmax_cross_entropy.grad", {}, ["index"], "transposed"),
    (classes_first, "softmax_cross_entropy.grad", {}, ["index"], "reads the class axis first"),
    (no_smoothing, "softmax_cross_entropy.loss", {"label_smoothing": 0.1}, None, "label_smoothing=0.1 seems ignored"),
    (ce_loss, "softmax_cross_entropy.loss", {"reduction": "none"}, None, None),
]


@pytest.mark.parametrize(("fn", "against", "options", "targets", "words"), MISTAKES,
                         ids=[f"{m[0].__name__}-{m[1]}" for m in MISTAKES])
def test_mistakes_are_reported_with_their_diagnosis(fn, against, options, targets, words) -> None:
    report = testing.compare(fn, against, registry=REGISTRY, targets=targets, **options)
    if words is None:
        assert report.ok, f"{fn.__name__} is right and must pass:\n{report}"
        return
    assert not report.ok, f"{fn.__name__} is wrong and passed:\n{report}"
    assert any(words in line for line in report.diagnosis), (
        f"{fn.__name__}: diagnosis {list(report.diagnosis)} does not say {words!r}")
    example = report.counterexample
    assert example is not None and example.inputs, f"{fn.__name__}: no counterexample"
    text = "\n".join(example.lines())
    assert "got" in text and "expected" in text, f"{fn.__name__}: the counterexample must show both values:\n{text}"


def test_right_implementation_passes_and_says_how_options_were_used() -> None:
    report = testing.compare(ce_loss, "softmax_cross_entropy.loss", registry=REGISTRY, reduction="sum")
    assert report.ok, str(report)
    assert report.passed == ("reduction",), report.passed
    assert {c.case.target for c in report.cases} == {"index", "probs"}
    text = str(report)
    assert "option reduction='sum' (passed)" in text and text.rstrip().splitlines()[-1].startswith("ok:"), text


def test_a_target_kind_the_function_does_not_take_is_a_note_unless_required() -> None:
    report = testing.compare(by_k, "softmax_cross_entropy.grad", registry=REGISTRY)
    assert any("probs targets not taken" in n for n in report.notes), report.notes
    assert all(c.case.target == "index" for c in report.cases)
    right_on_index = _index_only(ce_grad)
    required = testing.compare(lambda z, t: right_on_index(z, t.astype(int)), "softmax_cross_entropy.grad",
                               registry=REGISTRY, targets=["probs"])
    assert not required.ok, "a function that cannot take probability targets fails when they are required"


def test_dividing_by_k_is_caught_whatever_the_reduction_asked() -> None:
    def mean_over_classes(logits, target, reduction="mean"):
        per = ce_loss(logits, target, "none")
        return {"none": per, "sum": per.sum(), "mean": per.sum() / logits.shape[-1]}[reduction]

    report = testing.compare(mean_over_classes, "softmax_cross_entropy.loss", registry=REGISTRY)
    assert not report.ok and "divided by K instead of N" in report.diagnosis[0], str(report)
    assert testing.compare(mean_over_classes, "softmax_cross_entropy.loss", registry=REGISTRY, reduction="sum").ok


def test_class_weights_fix_the_number_of_classes() -> None:
    weight = np.array([1.0, 2.0, 0.5])

    def weighted(logits, target, weight=None):
        z = logits - logits.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=-1))
        w = weight[target]
        return ((lse - z[np.arange(len(z)), target]) * w).sum() / w.sum()

    report = testing.compare(weighted, "softmax_cross_entropy.loss", registry=REGISTRY, weight=weight,
                             targets=["index"])
    assert report.ok, str(report)
    assert {c.case.k for c in report.cases} == {3} and all(c.case.n != 3 for c in report.cases)
    unweighted = testing.compare(lambda z, t, weight=None: weighted(z, t, np.ones(3, z.dtype)),
                                 "softmax_cross_entropy.loss", registry=REGISTRY, weight=weight, targets=["index"])
    assert not unweighted.ok and "weight=" in unweighted.diagnosis[0], unweighted.diagnosis
    promoting = testing.compare(lambda z, t, weight=None: weighted(z, t, np.ones(3)), "softmax_cross_entropy.loss",
                                registry=REGISTRY, weight=weight, targets=["index"])
    assert [line.split(":")[0] for line in promoting.diagnosis] == ["weight=array([1. , 2. , 0.5]) seems ignored",
                                                                    "float32 promoted"], promoting.diagnosis


def test_elementwise_losses_take_hard_and_soft_labels() -> None:
    def bce(logits, target):
        loss = np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))
        return loss.mean()

    def naive(logits, target):
        p = 1 / (1 + np.exp(-logits))
        return (-(target * np.log(p) + (1 - target) * np.log(1 - p))).mean()

    report = testing.compare(bce, "binary_cross_entropy_with_logits.loss", registry=REGISTRY)
    assert report.ok and {c.case.target for c in report.cases} == {"hard", "soft"}, str(report)
    wrong = testing.compare(naive, "binary_cross_entropy_with_logits.loss", registry=REGISTRY)
    assert not wrong.ok and all(c.ok for c in wrong.cases if not c.case.extreme), str(wrong)


# --- the reference is the proof, not the generated module ---------------------------------------


def test_reference_equals_an_independent_formula_at_extreme_logits() -> None:
    """The label-smoothed, weighted cross-entropy at logits of 1e3, by hand in mpmath."""
    ref = testing.resolve("softmax_cross_entropy.loss", REGISTRY)
    case = testing.Case("N=2, K=3, logits +-1000", 2, 3, "float64", "index", extreme=True)
    logits = np.array([[1000.0, -1000.0, 999.5], [-3.0, 0.25, 7.0]])
    target = np.array([1, 2])
    weight, eps = np.array([1.0, 2.0, 0.5]), 0.2
    (want,) = testing._reference_values(ref, case, [logits, target], {"weight": weight, "label_smoothing": eps,
                                                                       "reduction": "none"})
    with mpmath.workdps(60):
        expected = []
        for z, c in zip(logits, target):
            lse = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in z))
            nll = [lse - mpmath.mpf(v) for v in z]
            expected.append(float((1 - eps) * weight[c] * nll[c] + eps / 3 * mpmath.fsum(w * x for w, x in zip(weight, nll))))
    np.testing.assert_allclose(want.value, expected, rtol=1e-14, err_msg="the reference against the formula by hand")


def test_the_reference_never_runs_printed_code(monkeypatch) -> None:
    """Once the function is resolved (its signature read), no code is printed or rendered: a
    wrong generated module cannot make a right function fail, nor a wrong one pass."""
    import symxent.codegen

    ref = testing.resolve("softmax_cross_entropy.grad", REGISTRY)
    for name in ("kernel_source", "render_module", "render_registry"):
        monkeypatch.setattr(symxent.codegen, name, lambda *a, **k: pytest.fail("the reference used printed code"))
    case = testing.Case("N=1, K=3", 1, 3, "float64", "index")
    (want,) = testing._reference_values(ref, case, [np.array([[0.0, 1.0, 2.0]]), np.array([2])], {})
    p = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(want.value[0], p - [0, 0, 1], rtol=1e-14)


# --- command line and options -------------------------------------------------------------------


USER_FILE = textwrap.dedent('''
    import numpy as np

    def softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def ce_grad(logits, labels):
        p = softmax(logits)
        p[np.arange(len(labels)), labels] -= 1
        return p / len(labels)

    def ce_grad_by_k(logits, labels):
        p = softmax(logits)
        p[np.arange(len(labels)), labels] -= 1
        return p / logits.shape[-1]
''')


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_exit_codes(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(USER_FILE)
    code, out, err = _run(["test", f"{path}:ce_grad", "--against", "softmax_cross_entropy.grad"])
    assert code == 0, out + err
    assert "ok: ce_grad agrees with softmax_cross_entropy.grad" in out and "index targets" not in err
    code, out, err = _run(["test", f"{path}:ce_grad_by_k", "--against", "softmax_cross_entropy.grad",
                           "--targets", "index", "--dtype", "float64"])
    assert code == 1, out + err
    assert "divided by K instead of N" in out and "got" in out and "expected" in out, out
    for argv, words in (
        ([f"{path}:nope", "--against", "softmax_cross_entropy.grad"], "has no function 'nope'"),
        ([f"{path}:ce_grad", "--against", "no_such_module.grad"], "no generated module"),
        ([f"{path}:ce_grad", "--against", "softmax_cross_entropy.gradient"], "no public function"),
        ([f"{path}:ce_grad", "--against", "softmax_cross_entropy.grad", "--option", "smoothing=0.1"], "no option"),
        ([f"{path}:ce_grad", "--against", "softmax_cross_entropy.grad", "--option", "axis=0"], "layout"),
        ([f"{path}:ce_grad", "--against", "softmax_cross_entropy.grad", "--option", "reduction"], "NAME=VALUE"),
        ([f"{path}:ce_grad", "--against", "softmax_cross_entropy.grad", "--targets", "onehot"], "target kind"),
        ([f"{tmp_path / 'missing.py'}:f", "--against", "softmax_cross_entropy.grad"], "no such file"),
        ([f"{path}", "--against", "softmax_cross_entropy.grad"], "PATH.py:FUNCTION"),
    ):
        code, out, err = _run(["test", *argv])
        assert code == 2 and words in err and len(err.strip().splitlines()) == 1, (argv, code, err)


def test_cli_user_file_that_raises_at_import(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("import numpy\nraise RuntimeError('boom')\n")
    code, _, err = _run(["test", f"{path}:f", "--against", "softmax_cross_entropy.grad"])
    assert code == 2 and "RuntimeError while importing: boom" in err, err


@pytest.mark.parametrize(("text", "expected"), [
    ("reduction=sum", ("reduction", "sum")), ("label_smoothing=0.1", ("label_smoothing", 0.1)),
    ("ignore_index=2", ("ignore_index", 2)), ("log_clamp=None", ("log_clamp", None)),
])
def test_parse_option(text: str, expected: tuple[str, object]) -> None:
    assert testing.parse_option(text) == expected, text


def test_parse_option_list_is_an_array() -> None:
    name, value = testing.parse_option("weight=[1, 2, 0.5]")
    assert name == "weight" and isinstance(value, np.ndarray) and value.tolist() == [1.0, 2.0, 0.5]


# --- the pytest plugin --------------------------------------------------------------------------


def test_pytest_plugin_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_FILE + textwrap.dedent('''
        def test_right(symxent_matches):
            symxent_matches(ce_grad, "softmax_cross_entropy.grad", targets=["index"])

        def test_wrong(symxent_matches):
            symxent_matches(ce_grad_by_k, "softmax_cross_entropy.grad", targets=["index"], dtypes=["float64"])
    '''))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    # Installed, the entry point loads the plugin; from a checkout, -p does (both would clash).
    installed = any(e.value == "symxent.pytest_plugin" for e in importlib.metadata.entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "symxent.pytest_plugin"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", *plugin, "-p", "no:cacheprovider", "-W", "error",
                          "test_user.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout, run.stdout
    assert "divided by K instead of N" in run.stdout and "Traceback" not in run.stdout, run.stdout


def test_pytest_plugin_is_an_entry_point() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["project"]["entry-points"]["pytest11"] == {"symxent": "symxent.pytest_plugin"}


def test_registry_from_derivations_directory_reaches_compare(tmp_path: Path) -> None:
    registry = load_registry([tmp_path])  # an empty directory: the built-ins only
    assert testing.resolve("softmax.softmax", registry).module.name == "softmax"


def test_a_function_that_hangs_is_a_finding_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    def hangs(logits, target):
        time.sleep(30)
        return np.zeros_like(logits)

    monkeypatch.setattr(testing, "CALL_BUDGET", 0.2)
    start = time.monotonic()
    report = testing.compare(hangs, "softmax_cross_entropy.grad", registry=REGISTRY, dtypes=("float64",),
                             targets=["index"])
    assert not report.ok
    assert time.monotonic() - start < 20, "each call must stop at its budget"
    assert "ran past its time budget" in str(report) or "OverBudget" in str(report), str(report)
