"""Shared fixtures: the registry, one verification of it, and the generated modules.

The verification runs once per session (Kmax = 4 keeps the suite quick; `symxent verify` in CI
runs the full Kmax = 6), and every layer of tests reads it, parametrized over the registry.
"""

from __future__ import annotations

import importlib.util
import io
import os
from pathlib import Path

import pytest

from symxent.registry import load_registry
from symxent.verify import Report, verify

# Prove everything afresh: a proof cache left by an earlier run must not stand in for a test.
os.environ["SYMXENT_CACHE"] = "off"

ROOT = Path(__file__).resolve().parent.parent
# SYMXENT_GENERATED: another directory of generated modules to test (benchmarks/mutate_generated.py
# --tests runs the tests on mutated copies); by default the committed ones.
GENERATED = Path(os.environ.get("SYMXENT_GENERATED", ROOT / "generated"))
TEST_KMAX = 4

REGISTRY = load_registry()


def claim_ids() -> list[tuple[str, str]]:
    return [(d.name, c.name) for d in REGISTRY.values() for c in d.claims]


def step_ids() -> list[tuple[str, str, int]]:
    return [(d.name, ch.title, n) for d in REGISTRY.values() for ch in d.chains for n in range(len(ch.steps))]


@pytest.fixture(scope="session")
def report() -> Report:
    return verify(REGISTRY, kmax=TEST_KMAX, generated=GENERATED)  # the committed files, as users import them


def load_module(name: str):
    """A generated module, imported by file path as a user who copied it would."""
    spec = importlib.util.spec_from_file_location(f"generated_{name}", GENERATED / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``symxent ARGV`` in this process: exit code, standard output, standard error."""
    from symxent.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()
