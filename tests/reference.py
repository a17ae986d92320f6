"""What the PyTorch-reference tests share: torch (required under CI), the tolerances, the
comparison with its failure message, and random inputs.

Imported by tests/test_torch_parity.py and tests/test_reference_losses.py. Without torch, a
test module importing this is skipped, except under CI=true (CI installs the pinned torch, so
a skip there would hide a defect): then the import fails.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

try:
    import torch
except ImportError:
    if os.environ.get("CI") == "true":
        raise  # CI installs torch; a skipped reference suite there would hide a defect
    pytest.skip("PyTorch is not installed (pip install torch==2.13.0)", allow_module_level=True)

torch.set_num_threads(1)  # tiny tensors: intra-op threads would only oversubscribe a small CI box

RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5}
REDUCTIONS = ("mean", "sum", "none")
DTYPES = ("float64", "float32")


def assert_matches(actual, expected: np.ndarray, what: str, options, magnitude=None, dtype=None) -> None:
    """``actual`` equals PyTorch's ``expected`` in shape, nan and inf, and to ``rtol * magnitude``.

    ``actual`` must have ``dtype`` (by default that of ``expected``), which sets rtol.
    ``magnitude`` (broadcast to ``expected``) is the size of the terms each value is computed from;
    by default the largest finite ``|expected|`` (a normwise comparison).
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    dtype = expected.dtype if dtype is None else np.dtype(dtype)
    where = f"{what}, options: {options}"
    assert actual.dtype == dtype, f"{where}: dtype {actual.dtype}, expected {dtype} (as PyTorch)"
    assert actual.shape == expected.shape, f"{where}: shape {actual.shape}, PyTorch gives {expected.shape}"
    if magnitude is None:
        magnitude = np.abs(expected[np.isfinite(expected)]).max(initial=0.0)
    # below the smallest normal number (e.g. a loss of 8e-128 from label_smoothing=1.5e-128 in
    # float32) the dtype cannot carry rtol's relative precision
    allowed = RTOL[dtype] * np.broadcast_to(magnitude, expected.shape) + np.finfo(dtype).tiny
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf
        bad = ~((a == e) | (np.isnan(a) & np.isnan(e)) | (np.abs(a - e) <= allowed))
    if bad.any():
        rows = "\n".join(f"  at {tuple(int(i) for i in ix)}: ours {a[ix]!r}, PyTorch {e[ix]!r}, "
                         f"|diff| {abs(a[ix] - e[ix]):.3g} > allowed {allowed[ix]:.3g}"
                         for ix in map(tuple, np.argwhere(bad)[:8]))
        raise AssertionError(f"{where}\n{what}: {bad.sum()} of {bad.size} values differ from PyTorch "
                             f"(rtol {RTOL[dtype]:g} of the terms' magnitude):\n{rows}")


def f64(a):
    """float32 inputs, exactly, in float64: the reference evaluates the very values ours sees,
    in double precision, so the comparison measures our rounding, not the inputs'."""
    return None if a is None else np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else a


def random_logits(rng, shape, scale: str) -> np.ndarray:
    """Standard normal, normal * 30, or uniform in [-1e3, 1e3] with a fifth exactly +-1e3."""
    if scale == "extreme":
        z = rng.uniform(-1e3, 1e3, shape)
        at_edge = rng.random(shape) < 0.2
        z[at_edge] = rng.choice([-1e3, 1e3], size=int(at_edge.sum()))
        return z
    return rng.standard_normal(shape) * {"unit": 1.0, "wide": 30.0}[scale]


def random_unit_targets(rng, shape) -> np.ndarray:
    """Targets in [0, 1], about a third exactly 0 or 1."""
    y = rng.uniform(0.0, 1.0, shape)
    exact = rng.random(shape) < 0.3
    y[exact] = rng.integers(0, 2, size=int(exact.sum()))
    return y
