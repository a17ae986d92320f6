"""`symxent verify --module FILE`: a copied module checked against the derivation it names.

Every committed module passes as it is; one mutant per module (and the public-function ones:
divisors, ignore_index, axis, dtype) taken from benchmarks/mutate_generated.py must make it
exit non-zero, by the numeric checks alone. A file without symxent's header is a usage error.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import sys
from types import ModuleType

import numpy as np
import pytest
from conftest import GENERATED, REGISTRY, ROOT, load_module

from symxent.cli import main
from symxent.verify import _public_checks, module_origin


def _mutations() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutate_generated", ROOT / "benchmarks" / "mutate_generated.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


MUTATIONS = _mutations()
MODULES = sorted({m.name for d in REGISTRY.values() for m in d.modules})


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", MODULES)
def test_header_names_derivation_and_module(name):
    derivation, module = module_origin(GENERATED / f"{name}.py")
    assert module == name
    assert name in {m.name for m in REGISTRY[derivation].modules}


@pytest.mark.parametrize("name", MODULES)
def test_committed_copy_passes(tmp_path, name):
    copy = tmp_path / "vendored" / f"{name}.py"
    copy.parent.mkdir()
    shutil.copy(GENERATED / f"{name}.py", copy)
    code, out, err = run("verify", "--module", str(copy))
    assert code == 0, f"{name}: verify --module fails on the unchanged copy:\n{out[-3000:]}\n{err}"
    assert "accuracy" in out or "public functions" in out, out[-2000:]


def _first_mutant_of_each_module() -> list:
    seen, chosen = set(), []
    for mutant in MUTATIONS.MUTANTS:
        public = any(word in mutant.name for word in ("divisor", "ignore_index", "axis", "N + 1", "float64", "weight"))
        if mutant.module not in seen or public:
            seen.add(mutant.module)
            chosen.append(mutant)
    return chosen


@pytest.mark.parametrize("mutant", _first_mutant_of_each_module(), ids=lambda m: f"{m.module}: {m.name}")
def test_mutant_is_killed(tmp_path, mutant):
    copy = tmp_path / f"{mutant.module}.py"
    copy.write_text(MUTATIONS._mutate((GENERATED / f"{mutant.module}.py").read_text(encoding="utf-8"), mutant),
                    encoding="utf-8")
    # --exitfirst: the mutant's first failing stage is the verdict; the rest would only repeat it
    code, out, err = run("verify", "--module", str(copy), "--exitfirst")
    assert code == 1, f"verify --module passed the mutant {mutant.module}: {mutant.name}\n{out[-2000:]}\n{err}"
    assert "FAILED" in out


def test_file_without_header_is_a_usage_error(tmp_path):
    plain = tmp_path / "softmax.py"
    plain.write_text('"""A softmax of someone else\'s."""\nimport numpy as np\n', encoding="utf-8")
    code, _, err = run("verify", "--module", str(plain))
    assert code == 2 and "no symxent header" in err, err


def test_module_and_names_do_not_mix():
    code, _, err = run("verify", "sigmoid", "--module", str(GENERATED / "sigmoid.py"))
    assert code == 2 and "give no NAME" in err, err


def test_exitfirst_stops_at_the_failing_stage_and_needs_module(tmp_path):
    mutant = next(m for m in MUTATIONS.MUTANTS if m.module == "sigmoid")
    copy = tmp_path / "sigmoid.py"
    copy.write_text(MUTATIONS._mutate((GENERATED / "sigmoid.py").read_text(encoding="utf-8"), mutant), encoding="utf-8")
    full, first = (run("verify", "--module", str(copy), *extra) for extra in ((), ("-x",)))
    assert full[0] == first[0] == 1, (full[1][-2000:], first[1][-2000:])
    assert "canaries: 9/9 caught" in full[1] and "canaries: not run (stopped at the first failure)" in first[1], first[1]
    # the first failing stage ends the run: fewer checks ran than in the full run, which goes on
    # to the accuracy sweeps
    ran = [int(re.search(r"(\d+) numeric checks", out).group(1)) for _, out, _ in (full, first)]
    assert ran[1] < ran[0] and "accuracy" in full[1], (ran, first[1][-2000:])
    code, _, err = run("verify", "sigmoid", "--exitfirst")
    assert code == 2 and "--exitfirst goes with --module" in err, err


def test_verify_reads_the_files_on_disk(tmp_path):
    """The default verify imports generated/<module>.py: a changed file there fails it."""
    directory = tmp_path / "generated"
    directory.mkdir()
    mutant = next(m for m in MUTATIONS.MUTANTS if m.module == "sigmoid")
    (directory / "sigmoid.py").write_text(
        MUTATIONS._mutate((GENERATED / "sigmoid.py").read_text(encoding="utf-8"), mutant), encoding="utf-8")
    code, out, _ = run("verify", "sigmoid", "--generated", str(directory), "--jobs", "1")
    assert code == 1 and "FAILED" in out, out[-2000:]


PUBLIC = [(d.name, m.name) for d in REGISTRY.values() for m in d.modules if m.options.get("public")]


@pytest.mark.parametrize("derivation,name", PUBLIC)
def test_public_functions_match_the_symbols(derivation, name):
    """loss / grad / loss_and_grad (softmax: softmax / log_softmax) with every option and
    reduction, on contiguous (fast kernels), strided (plain kernels) and axis=0 inputs,
    against the raw claims reduced as the docstrings say (verify's check, on the file)."""
    d = REGISTRY[derivation]
    module = next(m for m in d.modules if m.name == name)
    (check,) = _public_checks(d, module, load_module(name), np.random.default_rng(0))
    assert check.ok, f"{name}: {check.check}: max error {check.max_error:.3g} > {check.tolerance:g}; {check.detail}"
