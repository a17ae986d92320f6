"""The benchmark (benchmarks/bench_losses.py) on tiny shapes: it runs, and its output has the promised shape.

Nothing here asserts a time or a target's status: the machines are noisy and ``--quick`` numbers
mean nothing. What is checked: exit code 0, the two tables, the JSON (machine, command, every
case with every implementation, the targets of every case's role), that torch is skipped cleanly
(``--no-torch``, or torch not installed), that a generated module with an ``out=`` argument gets a
second row, and that a numerically wrong implementation makes the exit code 1.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "bench_losses.py"
GENERATED = ROOT / "generated"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_losses", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = load_benchmark()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = bench.main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, dict[str, Any]]:
    """One ``--quick`` run of every family (with torch if it imports)."""
    path = tmp_path_factory.mktemp("bench") / "results.json"
    code, out, _ = run("--quick", "--json", str(path))
    return code, out, json.loads(path.read_text())


def test_quick_run_exits_zero_and_prints_both_tables(quick):
    code, out, data = quick
    assert code == 0
    for heading in ("implementation", "median ms", "x floor", "peak mem x logits", "finite at +-1e3", "status"):
        assert heading in out
    assert f"targets: {data['summary']['PASS']} PASS, {data['summary']['MISS']} MISS" in out
    assert out.splitlines()[1].startswith(f"machine: {data['machine']['cpu_model']}")
    for case in data["cases"]:
        assert case["label"] in out


def test_json_records_machine_command_and_settings(quick):
    _, _, data = quick
    assert data["command"].endswith("--quick --json " + data["command"].split("--json ")[1])
    assert "bench_losses.py" in data["command"]
    for key in ("date", "numpy", "sympy", "cpu_count", "torch", "load_average", "cpu_model", "numpy_simd",
                "torch_cpu_capability"):
        assert key in data["machine"]
    assert data["machine"]["numpy_simd"]["baseline"]  # every NumPy build has a baseline
    assert data["settings"]["rounds"] == bench.QUICK_ROUNDS
    assert data["mismatches"] == []


def test_every_case_has_every_implementation(quick):
    _, _, data = quick
    torch_ran = data["machine"]["torch"] is not None
    families = {case["family"] for case in data["cases"]}
    assert families == set(bench.FAMILIES)
    for case in data["cases"]:
        names = [r["implementation"] for r in case["results"]]
        bound = [bench.PASSES] if case["family"] == "ce" else []
        assert names[:3 + len(bound)] == [bench.FLOOR, bench.EXP, *bound, bench.GENERATED]
        assert bench.NUMPY in names
        expected = {"lambdify": {bench.LAMBDIFY, bench.LAMBDIFY_CSE}}.get(
            case["family"], {bench.TORCH2, bench.TORCH1} if torch_ran else set())
        assert expected <= set(names)
        for r in case["results"]:
            assert len(r["samples_ms"]) == bench.QUICK_ROUNDS and r["median_ms"] > 0
            assert r["agrees"] is True
            if r["implementation"] in (bench.TORCH1, bench.TORCH2):
                assert r["peak_extra_bytes"] is None  # tracemalloc does not see torch
            else:
                assert r["peak_extra_bytes"] >= 0
        if case["family"] == "lambdify":
            finite = {r["implementation"]: r["finite_at_extreme"] for r in case["results"]}
            assert finite[bench.GENERATED] is True
            assert finite[bench.LAMBDIFY] is False  # exp(1e3) overflows in the raw expression


def test_every_role_gets_its_targets(quick):
    _, _, data = quick
    for case in data["cases"]:
        rows = [t for t in data["targets"] if t["case"] == case["label"]]
        expected = [t for t in bench.TARGETS.get((case["family"], case["role"]), [])
                    if t.dtype in (None, case["dtype"])]
        assert [t["target"] for t in rows] == [t.text for t in expected]
        for t in rows:
            assert t["status"].split()[0] in ("PASS", "MISS", "n/a")


def test_without_torch_the_torch_rows_are_skipped(tmp_path):
    path = tmp_path / "r.json"
    code, out, err = run("--quick", "--only", "bce", "--no-torch", "--rounds", "2", "--json", str(path))
    assert code == 0
    assert "skipped" in err
    data = json.loads(path.read_text())
    assert {c["family"] for c in data["cases"]} == {"bce"}
    for case in data["cases"]:
        assert bench.TORCH2 not in [r["implementation"] for r in case["results"]]
    torch_targets = [t for t in data["targets"] if "torch" in t["target"]]
    assert torch_targets and all(t["status"] == "n/a" for t in torch_targets)


def test_an_out_argument_gets_its_own_row():
    real = bench.load_module(GENERATED / "softmax_cross_entropy.py")

    class WithOut:
        @staticmethod
        def loss_and_grad(logits, target, *, reduction="mean", out=None):
            loss, grad = real.loss_and_grad(logits, target, reduction=reduction)
            if out is None:
                return loss, grad
            out[...] = grad
            return loss, out

    impls = bench.generated_impls(WithOut)
    assert [i.name for i in impls] == [bench.GENERATED, bench.GENERATED_OUT]
    logits, target = np.random.default_rng(0).standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    plain, with_out = (i.bind(logits, target)() for i in impls)
    assert bench.disagreement(with_out, plain) == 0.0
    # The real module gets the second row exactly when its signature has out (it may gain one).
    names = [i.name for i in bench.generated_impls(real)]
    assert (bench.GENERATED_OUT in names) == bench.accepts_out(real.loss_and_grad)


def test_a_wrong_implementation_makes_the_exit_code_one(tmp_path):
    # A "generated" CE module whose gradient is twice the truth: every other implementation disagrees.
    (tmp_path / "softmax_cross_entropy.py").write_text(textwrap.dedent(f'''
        import importlib.util
        _spec = importlib.util.spec_from_file_location("_real", {str(GENERATED / "softmax_cross_entropy.py")!r})
        _real = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_real)

        def loss_and_grad(logits, target, *, reduction="mean"):
            loss, grad = _real.loss_and_grad(logits, target, reduction=reduction)
            return loss, 2 * grad
    '''))
    (tmp_path / "binary_cross_entropy_with_logits.py").write_text(
        (GENERATED / "binary_cross_entropy_with_logits.py").read_text())
    path = tmp_path / "r.json"
    code, out, err = run("--quick", "--only", "ce", "--no-torch", "--rounds", "1", "--generated", str(tmp_path),
                         "--json", str(path))
    assert code == 1
    assert "MISMATCH" in err and "NUMERICALLY WRONG" in out
    assert json.loads(path.read_text())["mismatches"]


def test_the_profile_script_runs_and_prints_its_bound():
    spec = importlib.util.spec_from_file_location("profile_ce", ROOT / "benchmarks" / "profile_ce.py")
    profile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(profile)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert profile.main(["--shape", "64", "40", "--rounds", "1"]) == 0
    text = out.getvalue()
    assert text.startswith("softmax cross-entropy loss_and_grad 64x40 float32")
    for row in ("copy floor", "loss_and_grad out=", "block driver, 1 thread", "np.exp", "one-hot scatter",
                "bound: 3 unavoidable passes"):
        assert row in text, text
