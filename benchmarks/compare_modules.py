"""Two directories of generated modules, timed against each other (and PyTorch) in one process.

Run from the repository root, by hand (it is not a test)::

    .venv/bin/python benchmarks/compare_modules.py OLD_DIR NEW_DIR --case bce 10000000
    .venv/bin/python benchmarks/compare_modules.py OLD_DIR NEW_DIR --case ce 4096 10 --no-torch

Contract: float32 ``loss_and_grad(logits, target)`` with reduction "mean" (index targets for
``ce``), without and with ``out=``, of ``softmax_cross_entropy.py`` or
``binary_cross_entropy_with_logits.py`` from each directory, and PyTorch forward + backward on 2
threads unless ``--no-torch``: interleaved rounds, medians in ms, each sample repeated to about
50 ms. On a shared machine only the ratios of one run mean anything (see benchmarks/README.md).
It first checks that both modules agree (1e-5 relative); it asserts nothing about the times.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import time
from pathlib import Path
from types import ModuleType

import numpy as np

MODULES = {"ce": "softmax_cross_entropy", "bce": "binary_cross_entropy_with_logits"}


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--case", nargs="+", default=["bce", "10000000"], help="bce N, or ce N K")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--no-torch", action="store_true")
    options = parser.parse_args()
    family, sizes = options.case[0], [int(float(v)) for v in options.case[1:]]
    rng = np.random.default_rng(0)
    if family == "bce":
        z = (rng.standard_normal(sizes[0]) * 3).astype(np.float32)
        y = (rng.random(sizes[0]) < 0.5).astype(np.float32)
    else:
        n, k = sizes
        z, y = rng.standard_normal((n, k)).astype(np.float32), rng.integers(0, k, n)
    old = load(options.old / f"{MODULES[family]}.py", "old")
    new = load(options.new / f"{MODULES[family]}.py", "new")
    a, b = old.loss_and_grad(z, y), new.loss_and_grad(z, y)
    assert abs(a[0] - b[0]) <= 1e-5 * abs(a[0]) and np.allclose(a[1], b[1], rtol=1e-5, atol=1e-9)
    out = np.empty_like(z)
    calls = {"old": lambda: old.loss_and_grad(z, y), "new": lambda: new.loss_and_grad(z, y),
             "old out=": lambda: old.loss_and_grad(z, y, out=out), "new out=": lambda: new.loss_and_grad(z, y, out=out)}
    if not options.no_torch:
        import torch

        torch.set_num_threads(2)
        tz, ty = torch.from_numpy(z.copy()), torch.from_numpy(y)
        loss = (torch.nn.functional.binary_cross_entropy_with_logits if family == "bce"
                else torch.nn.functional.cross_entropy)

        def torch2() -> None:
            logits = tz.clone().requires_grad_(True)
            loss(logits, ty).backward()

        calls["torch 2 threads"] = torch2
    inner = {}
    for name, call in calls.items():
        call()
        start = time.perf_counter()
        call()
        inner[name] = max(1, int(0.05 / max(time.perf_counter() - start, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in calls}
    gc.disable()
    for _ in range(options.rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(inner[name]):
                call()
            samples[name].append((time.perf_counter() - start) / inner[name] * 1e3)
    gc.enable()
    medians = {name: statistics.median(v) for name, v in samples.items()}
    reference = medians.get("torch 2 threads")
    for name, ms in medians.items():
        ratio = f"  torch / this {reference / ms:5.2f}x" if reference else ""
        print(f"{' '.join(options.case):14s} {name:16s} {ms:10.4f} ms{ratio}")


if __name__ == "__main__":
    main()
