"""Shared fixtures: the registry, one verification of it, and the generated modules.

The verification runs once per session (Kmax = 4 keeps the suite quick; `symxent verify` in CI
runs the full Kmax = 6), and every layer of tests reads it, parametrized over the registry.

Both kernel paths: a generated module's public functions take the ``_fast_`` kernels for real
float C-contiguous arrays and the plain kernels otherwise. A test file that calls them marks
itself ``pytestmark = pytest.mark.usefixtures("kernel_path")``: each of its tests then runs once
per layout, and every array argument of a public function of a module from ``load_module`` is
passed C-contiguous ("contiguous") or as a strided view of the same values ("strided").
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import io
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

try:
    import fcntl
except ImportError:  # (not POSIX: each worker verifies for itself)
    fcntl = None

from symxent.registry import load_registry
from symxent.verify import Report, verify

# The proof cache of this test session only: a directory the session (its xdist controller, or
# the one process without xdist) creates empty in pytest_configure, shared by the workers and
# by the processes the tests start (they inherit SYMXENT_CACHE), and removed at the end. A proof
# is computed once per session, by whichever test needs it first, and read (re-screened, see
# symxent/cache.py) by the others; a cache left by an EARLIER run (~/.cache/symxent, or any
# directory in the caller's SYMXENT_CACHE) never stands in for a test. Tests that weaken the
# prover in this process (monkeypatching symxent.prove or symxent.derive: the cache key cannot
# see that) or that test the cache itself set SYMXENT_CACHE to "off" or to their own directory.
_SESSION_CACHE = "SYMXENT_TEST_SESSION_CACHE"  # the directory the controller made (workers check it)

ROOT = Path(__file__).resolve().parent.parent
# SYMXENT_GENERATED: another directory of generated modules to test (benchmarks/mutate_generated.py
# --tests runs the tests on mutated copies); by default the committed ones.
GENERATED = Path(os.environ.get("SYMXENT_GENERATED", ROOT / "generated"))
TEST_KMAX = 4

REGISTRY = load_registry()


def pytest_configure(config):
    if hasattr(config, "workerinput"):
        # an xdist worker: started by the controller after its pytest_configure, with its
        # environment; anything else than the controller's fresh directory: no cache at all
        if os.environ.get("SYMXENT_CACHE") != os.environ.get(_SESSION_CACHE) or not os.environ.get(_SESSION_CACHE):
            os.environ["SYMXENT_CACHE"] = "off"
        return
    directory = tempfile.mkdtemp(prefix="symxent-test-proofs-")
    os.environ["SYMXENT_CACHE"] = os.environ[_SESSION_CACHE] = directory
    config.stash[_CACHE_KEY] = directory


def pytest_unconfigure(config):
    directory = config.stash.get(_CACHE_KEY, None)
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


_CACHE_KEY = pytest.StashKey[str]()


@pytest.fixture(autouse=True)
def checker_budget():
    """A verdict in a test must not depend on the machine's speed: a hard step takes 4 s on a quiet
    core and over 10 s (the CLI's default budget) on a slow shared one, where it would read "timed
    out". Tests call ``check_text`` with 60 s unless they test the budget (they pass ``timeout``)."""
    from symxent.check import check_text
    default = check_text.__kwdefaults__["timeout"]
    check_text.__kwdefaults__["timeout"] = 60.0
    yield
    check_text.__kwdefaults__["timeout"] = default


def claim_ids() -> list[tuple[str, str]]:
    return [(d.name, c.name) for d in REGISTRY.values() for c in d.claims]


def step_ids() -> list[tuple[str, str, int]]:
    return [(d.name, ch.title, n) for d in REGISTRY.values() for ch in d.chains for n in range(len(ch.steps))]


# The tests that read the session's verification (the longest setup of the suite, 150 s on a
# loaded 2-core machine). They run last (pytest_collection_modifyitems), and the xdist workers
# share one verification through a file (``report``): xdist's own grouping (--dist loadgroup)
# does not group under pytest 9.2 with pytest-xdist 3.8, so each worker computed its own.
ON_THE_REPORT = pytest.mark.verify_report


def pytest_collection_modifyitems(config, items):
    # (a stable sort: every worker collects the same order, as xdist requires)
    items.sort(key=lambda item: item.get_closest_marker("verify_report") is not None)


def _verify_committed() -> Report:
    return verify(REGISTRY, kmax=TEST_KMAX, generated=GENERATED)  # the committed files, as users import them


@pytest.fixture(scope="session")
def report(tmp_path_factory, worker_id) -> Report:
    if worker_id == "master" or fcntl is None:
        return _verify_committed()
    # the first worker to need it verifies; the others wait on the lock and read its result
    shared = tmp_path_factory.getbasetemp().parent / "verify-report.pickle"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.exists():
            return pickle.loads(shared.read_bytes())
        result = _verify_committed()
        partial = shared.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(result))
        os.replace(partial, shared)  # (never a half-written file for a reader)
        return result


LAYOUTS = ("contiguous", "strided")
_LAYOUT: list[str | None] = [None]  # the running test's layout (kernel_path), None: as given


@pytest.fixture(params=LAYOUTS)
def kernel_path(request):
    """The layout every array argument of a generated public function takes in this test."""
    _LAYOUT[0] = request.param
    yield request.param
    _LAYOUT[0] = None


def on_both_kernel_paths(namespace: dict, but: tuple[str, ...] = ()) -> None:
    """Mark every test function of a test module's ``namespace`` (its globals()) with the
    kernel_path fixture, but those named in ``but`` (each with its reason where it is called)."""
    for name, test in list(namespace.items()):
        if name.startswith("test_") and callable(test) and name not in but:
            namespace[name] = pytest.mark.usefixtures("kernel_path")(test)


def as_layout(a, layout: str | None):
    """``a`` C-contiguous, or as a strided (not C-contiguous) view of the same values (every
    other entry of a wider array along the last axis); anything else unchanged."""
    if layout is None or not isinstance(a, np.ndarray) or a.ndim == 0:
        return a
    if layout == "contiguous":
        return np.ascontiguousarray(a)
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    wide[..., ::2] = a
    return wide[..., ::2]


def _in_layout(function):
    """``function`` with its array arguments in the running test's layout; a call with ``out=``
    (whose memory the caller may share with an argument) is passed as given."""
    @functools.wraps(function)
    def call(*args, **kwargs):
        layout = None if kwargs.get("out") is not None else _LAYOUT[0]
        return function(*[as_layout(a, layout) for a in args],
                        **{k: as_layout(v, layout) if k != "out" else v for k, v in kwargs.items()})
    return call


def load_module(name: str):
    """A generated module, imported by file path as a user who copied it would; its public
    functions take the running test's layout (see kernel_path), as given outside such tests."""
    spec = importlib.util.spec_from_file_location(f"generated_{name}", GENERATED / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    public = [n for n, f in vars(module).items() if inspect.isfunction(f) and not n.startswith("_")
              and f.__module__ == module.__name__]
    for n in public:
        setattr(module, n, _in_layout(getattr(module, n)))
    return module


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``symxent ARGV`` in this process: exit code, standard output, standard error."""
    from symxent.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def stdout_per_hash_seed(code: str, timeout: float = 600) -> set[str]:
    """What ``python -c CODE`` prints under PYTHONHASHSEED 1 and 2: one value when nothing the
    code prints depends on set iteration order."""
    import subprocess
    import sys

    printed = set()
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr[-2000:]
        printed.add(proc.stdout.strip())
    return printed


def gradient_file(name: str, sign: str, *, claim: str = "gradient", assumption: bool = True,
                  chain: bool = False) -> str:
    """A derivation file (for --derivations): softmax cross-entropy with its gradient claimed as
    p_j SIGN y_j, so "-" is true and "+" a sign slip; ``chain`` adds the human derivation
    "The gradient" with that claim as its step 1.2."""
    uses = ', assumptions=(Assumption("targets sum to 1", class_sum(y[k], k, K), sp.Integer(1)),)' if assumption else ""
    steps = ('\n    chains=(Chain("The gradient", partial(L, z[j]), (Step(partial(L, z[j]), "as it is"), '
             f'Step(p[j] {sign} y[j], "the claim"))),),') if chain else ""
    return f"""import sympy as sp
from symxent.derive import class_sum, partial
from symxent.registry import Assumption, Chain, Claim, Definition, Derivation, Step, Variable
from symxent.symbols import CLASS_INDICES, K, L, i, j, k, p, y, z

DERIVATIONS = [Derivation(
    name="{name}", title="A gradient", summary="dL/dz_j = p_j {sign} y_j",
    dimensions={{K: None}}, indices=CLASS_INDICES,
    variables=(Variable(z, "real", "logits", indices=(k,)), Variable(y, "simplex", "targets", indices=(k,))),
    definitions=(Definition(p[i], sp.exp(z[i]) / class_sum(sp.exp(z[k]), k, K), "softmax"),
                 Definition(L, class_sum(-y[k] * sp.log(p[k]), k, K), "loss")),
    claims=(Claim("{claim}", "dL/dz_j = p_j {sign} y_j", partial(L, z[j]), p[j] {sign} y[j]{uses}),),{steps}
)]
"""
