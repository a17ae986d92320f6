"""Random points in a derivation's declared numeric domain, for proofs and verification.

Contract: :func:`sample_point` returns, for explicit sizes, a value for every entry of every
:class:`~symxent.registry.Variable` of a derivation (``{z[1]: 0.3, ..., y[3]: 0.2}``), drawn
from the variable's domain with a seeded generator, so every run sees the same points.
"simplex" variables are positive and sum to 1 over their class index (so a step that is only
true under "targets sum to 1" is tested under it); "unit_interval" lies strictly in (0, 1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from symxent.registry import Derivation

__all__ = ["draw", "sample_batch", "sample_point"]


def draw(domain: str, shape: tuple[int, ...], rng: np.random.Generator, scale: float = 3.0) -> np.ndarray:
    """An array of ``shape`` from ``domain``; "simplex" normalises over the last axis."""
    if domain in ("real", "real_vector"):
        return rng.normal(0.0, scale, size=shape)
    if domain == "positive":
        return np.exp(rng.normal(0.0, 1.0, size=shape))
    if domain == "negative":
        return -np.exp(rng.normal(0.0, 1.0, size=shape))
    if domain == "unit_interval":
        return rng.uniform(0.02, 0.98, size=shape)
    if domain == "simplex":
        if len(shape) < 1:
            raise ValueError("a simplex needs an axis to sum over")
        return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    raise ValueError(f"unknown domain {domain!r}")


def sample_batch(derivation: Derivation, sizes: Mapping[sp.Symbol, int], rng: np.random.Generator,
                 n: int) -> dict[sp.Basic, np.ndarray]:
    """``n`` random points at once: an array of length ``n`` for every entry of every variable."""
    batch: dict[sp.Basic, np.ndarray] = {}
    for var in derivation.variables:
        shape = tuple(sizes[derivation.indices[i]] for i in var.indices)
        values = np.asarray(draw(var.domain, (n,) + shape, rng))
        if not var.indices:
            batch[var.symbol] = values.reshape(n)
            continue
        for position in np.ndindex(*shape):
            batch[var.symbol[tuple(x + 1 for x in position)]] = values[(slice(None),) + position]
    return batch


def sample_point(derivation: Derivation, sizes: Mapping[sp.Symbol, int], rng: np.random.Generator) -> dict[sp.Basic, float]:
    """One random point: a float for every entry of every variable at these sizes."""
    return {key: float(values[0]) for key, values in sample_batch(derivation, sizes, rng, 1).items()}
