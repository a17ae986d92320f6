"""Where the time of the generated softmax cross-entropy goes, at one shape (default (4096, 1000) float32).

Run from the repository root, by hand (it is not a test)::

    .venv/bin/python benchmarks/profile_ce.py                      # (4096, 1000) float32
    .venv/bin/python benchmarks/profile_ce.py --shape 4096 10 --dtype float64

Contract: every row is a median over interleaved rounds (as benchmarks/bench_losses.py), in
milliseconds, of one piece of ``loss_and_grad(logits, target)`` measured in isolation in this
process: the whole call with and without ``out=``; the block driver on one thread and on two;
each NumPy call of the fast kernel on one block, times the number of blocks (the passes over
the data); a fast kernel on a one-row block (the fixed cost of one block's calls); the
one-hot scatter; a fresh gradient's page faults; PyTorch forward + backward when it imports.
It asserts nothing and changes nothing; it reads the module's private names (``_FAST``,
``_blocked``, ``_THREADS``) because that is what it profiles.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"profiled_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(calls: dict[str, Callable[[], object]], rounds: int, sample: float = 0.05) -> dict[str, float]:
    """Median seconds per call of each, in interleaved rounds."""
    inner = {}
    for name, call in calls.items():
        call()
        start = time.perf_counter()
        call()
        inner[name] = max(1, int(sample / max(time.perf_counter() - start, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in calls}
    gc.disable()
    try:
        for _ in range(rounds):
            for name, call in calls.items():
                start = time.perf_counter()
                for _ in range(inner[name]):
                    call()
                samples[name].append((time.perf_counter() - start) / inner[name])
    finally:
        gc.enable()
    return {name: statistics.median(s) for name, s in samples.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", type=int, nargs=2, default=(4096, 1000))
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--generated", type=Path, default=ROOT / "generated")
    args = parser.parse_args(argv)
    n, k = args.shape
    dtype = np.dtype(args.dtype)
    m = load(args.generated / "softmax_cross_entropy.py")
    rng = np.random.default_rng(0)
    z = rng.standard_normal((n, k)).astype(dtype)
    c = rng.integers(0, k, n)
    out = np.empty_like(z)
    dst = np.empty_like(z)

    name = "loss_and_grad_index"
    kernel, buffers, wide, _, classes_first, *scaled = m._fast_kernel(name, k)
    scaled = bool(scaled and scaled[0])  # modules before the mean was folded into the kernel have no flag
    mean = dtype.type(n)
    extra = (dtype.type(1 / n),) if scaled else ()

    def driver(threads: int) -> Callable[[], object]:
        def call() -> object:
            saved = m._THREADS
            m._THREADS = threads
            try:
                return m._blocked(kernel, buffers, wide, (z, c), (out,), (mean,), classes_first,
                                  *((True,) if scaled else ()))
            finally:
                m._THREADS = saved
        return call

    if classes_first:
        raise SystemExit(f"K = {k} runs the classes-first kernels; this profile takes the rows layout (K > 16)")
    row_bytes = z[0:1].nbytes
    rows = max(1, m._BLOCK_BYTES // row_bytes)
    rows = min(rows, -(-n // m._THREADS)) if n * row_bytes >= m._PARALLEL_BYTES else min(rows, n)
    blocks = -(-n // rows)
    zb, cb = z[:rows], c[:rows]
    b0, ob = np.empty_like(zb), np.empty_like(zb)
    shift = -np.max(zb, axis=-1, keepdims=True)
    shifted = zb + shift
    inverse = dtype.type(1 / n)
    one = (z[:1], c[:1])
    one_out = (np.empty_like(z[:1]),)
    one_scratch = tuple(np.empty_like(z[:1]) for _ in range(buffers))
    flat_key = np.arange(rows) * k + cb

    calls: dict[str, Callable[[], object]] = {
        "copy floor (np.copyto, whole array)": lambda: np.copyto(dst, z),
        "fresh gradient: np.empty + copyto (page faults)": lambda: np.copyto(np.empty_like(z), z),
        "loss_and_grad": lambda: m.loss_and_grad(z, c),
        "loss_and_grad out=": lambda: m.loss_and_grad(z, c, out=out),
        "block driver, 2 threads (out given)": driver(2),
        "block driver, 1 thread (out given)": driver(1),
        f"kernel on one block x {blocks} blocks": lambda: kernel(zb, cb, (ob,), (b0,), *extra),
        f"kernel on a 1-row block (fixed cost), x {blocks}": lambda: kernel(*one, one_out, one_scratch, *extra),
        "  np.maximum.reduce(z, -1) (the max shift's, before the pivot form)": lambda: np.maximum.reduce(
            zb, axis=-1, keepdims=True),
        "  np.add(z, shift) (the max shift's, before the pivot form)": lambda: np.add(zb, shift, out=b0),
        "  np.exp (into scratch)": lambda: np.exp(zb, out=b0),
        "  np.add.reduce(e, -1)": lambda: np.add.reduce(b0, axis=-1, keepdims=True),
        "  np.multiply(e, 1/s)": lambda: np.multiply(b0, shift, out=ob),
        "  np.multiply(g, 1/N) (the mean's own pass before issue 15)": lambda: np.multiply(shifted, inverse, out=ob),
        "  one-hot scatter (flat[key] += -1)": lambda: ob.reshape(-1).__setitem__(flat_key, ob.reshape(-1)[flat_key] - 1),
        "  np.multiply(g, 1/N) by a 0-d array": lambda: np.multiply(shifted, np.asarray(inverse), out=ob),
        "  np.add(z, shift) with shift 0-d (no broadcast of a column)": lambda: np.add(zb, shift[0, 0], out=b0),
    }
    try:
        import torch
        import torch.nn.functional as F

        torch.set_num_threads(2)
        tz = torch.from_numpy(z)
        tc = torch.from_numpy(c)

        def torch_call() -> object:
            x = tz.detach().requires_grad_(True)
            F.cross_entropy(x, tc).backward()
            return x.grad

        calls["torch 2 threads, forward + backward"] = torch_call
    except ImportError:
        pass
    result = timed(calls, args.rounds)
    per_block = {name for name in calls if name.startswith("  ") or name.startswith("kernel")}
    print(f"softmax cross-entropy loss_and_grad {n}x{k} {dtype}: {blocks} blocks of {rows} rows, "
          f"{m._THREADS} threads; numpy {np.__version__}")
    floor = result["copy floor (np.copyto, whole array)"]
    for name, seconds in result.items():
        total = seconds * (blocks if name in per_block else 1)
        print(f"{name:58s} {total * 1e3:8.3f} ms  {total / floor:6.2f}x floor")
    # The passes no NumPy kernel of the proven expression can avoid (exp, a sum, the product by
    # 1/s; with the target's logit for the shift, the max and z - max z are formed only for the
    # rows _pivot_rows leaves), each timed in its cheapest form (a 0-d operand instead of the
    # per-row column), split perfectly over the threads: the best a NumPy kernel can do here.
    bound = blocks * (result["  np.exp (into scratch)"] + result["  np.add.reduce(e, -1)"]
                      + result["  np.multiply(g, 1/N) by a 0-d array"]) / m._THREADS
    print(f"{'bound: 3 unavoidable passes at their cheapest, / threads':58s} {bound * 1e3:8.3f} ms  "
          f"{bound / floor:6.2f}x floor")
    if "torch 2 threads, forward + backward" in result:
        t = result["torch 2 threads, forward + backward"]
        print(f"torch / generated: {t / result['loss_and_grad']:.2f}x; torch / bound: {t / bound:.2f}x "
              f"(the best ratio any NumPy kernel of these passes reaches here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
