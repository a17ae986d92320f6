"""The proof cache: plain JSON, checked against what it claims before it is believed.

Contract:
- An entry is one JSON file ``<sha256 of its key>.json`` under :func:`cache_directory`
  (``$SYMXENT_CACHE``, default ``~/.cache/symxent/proofs``; "off" disables the cache). It holds
  ``{"format": FORMAT, "key": {...}, "result": ...}``: the full key material it was computed for
  (derivation, claim or chain, a hash of the item's srepr and of the derivation's context, the
  prover's version and source hash, the SymPy version, Kmax, the seed) and the result as plain
  data. Nothing in it is ever executed: no pickle.
- On read, the key must equal the one computed for the item now, the result must decode
  strictly (the caller's ``decode`` checks fields, types and that it names this very item),
  and ``believable`` must accept it (:mod:`symxent.prove` re-screens a "proven" numerically).
  Otherwise the entry is ignored with a one-line warning on standard error, the item is
  proven again and the entry overwritten. A missing entry is simply computed.
- Writes are atomic (:func:`symxent.atomic.write_text`); an unwritable directory only
  loses the cache, never a proof.
- What it does not defend against: someone who can write the cache and recomputes the key of
  a false claim *and* forges a result that passes the numeric re-screen. ``--no-cache`` proves
  everything afresh.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sympy as sp

from symxent import atomic
from symxent.registry import Assumption, Chain, Claim, Derivation

__all__ = ["FORMAT", "cache_directory", "cached", "entry_path", "key_material"]

FORMAT = "symxent-proof-cache/1"
# Bumped when what a verdict means changes; the source hash below covers every other change.
PROVER_VERSION = 2
_PROVER_MODULES = ("derive.py", "prove.py", "domains.py", "registry.py", "cache.py")

T = TypeVar("T")


def cache_directory() -> Path | None:
    """Where results are cached (``$SYMXENT_CACHE``, default ~/.cache/symxent/proofs); None if "off"."""
    value = os.environ.get("SYMXENT_CACHE", "")
    if value.lower() in ("off", "0", "no"):
        return None
    return Path(value) if value else Path.home() / ".cache" / "symxent" / "proofs"


@functools.lru_cache(maxsize=1)
def _prover_source_hash() -> str:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in _PROVER_MODULES:
        h.update((here / name).read_bytes())
    return h.hexdigest()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _context(d: Derivation) -> str:
    parts = [sp.srepr(sp.Tuple(*[sp.Tuple(x.lhs, x.rhs) for x in d.definitions])),
             repr([(sp.srepr(v.symbol), v.domain, [sp.srepr(i) for i in v.indices]) for v in d.variables]),
             repr(sorted((sp.srepr(k), sp.srepr(v)) for k, v in d.indices.items())),
             repr(sorted((sp.srepr(k), v) for k, v in d.dimensions.items()))]
    return "\n".join(parts)


def _item(x: Claim | Chain) -> str:
    def assumptions(group: tuple[Assumption, ...]) -> str:
        return repr([(a.name, sp.srepr(a.lhs), sp.srepr(a.rhs)) for a in group])

    if isinstance(x, Claim):
        return repr(("claim", x.name, x.statement, sp.srepr(x.lhs), sp.srepr(x.rhs), x.relation,
                     sp.srepr(x.certificate) if x.certificate is not None else None, assumptions(x.assumptions),
                     x.general_k))
    return repr(("chain", x.title, sp.srepr(x.label),
                 [(sp.srepr(st.expr), st.reason, assumptions(st.assumptions)) for st in x.steps]))


def key_material(derivation: Derivation, item: Claim | Chain, kmax: int, seed: int) -> dict[str, object]:
    """Everything a cached result depends on, as the plain data stored beside it."""
    return {
        "kind": "claim" if isinstance(item, Claim) else "chain",
        "derivation": derivation.name,
        "item": item.name if isinstance(item, Claim) else item.title,
        "item_sha256": _sha(_item(item)),
        "context_sha256": _sha(_context(derivation)),
        "prover_version": PROVER_VERSION,
        "prover_sha256": _prover_source_hash(),
        "sympy": sp.__version__,
        "kmax": kmax,
        "seed": seed,
    }


def entry_path(directory: Path, key: dict[str, object]) -> Path:
    return directory / f"{_sha(json.dumps(key, sort_keys=True))}.json"


def _warn(path: Path, reason: str) -> None:
    print(f"symxent: warning: ignoring cached proof {path}: {reason}; proving it again", file=sys.stderr)


def _read(path: Path, key: dict[str, object], decode: Callable[[object], T],
          believable: Callable[[T], str | None]) -> T | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _warn(path, f"unreadable ({exc.strerror or exc})")
        return None
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        _warn(path, "not valid JSON")
        return None
    if not isinstance(entry, dict) or sorted(entry) != ["format", "key", "result"]:
        _warn(path, "not a cache entry (expected the fields format, key, result)")
        return None
    if entry["format"] != FORMAT:
        _warn(path, f"format {entry['format']!r}, expected {FORMAT!r}")
        return None
    if entry["key"] != key:
        stored = entry["key"] if isinstance(entry["key"], dict) else {}
        differ = sorted(k for k in set(key) | set(stored) if stored.get(k) != key.get(k))
        _warn(path, f"computed for other inputs (differs in {', '.join(differ)})")
        return None
    try:
        result = decode(entry["result"])
    except (ValueError, TypeError, KeyError) as exc:
        _warn(path, f"malformed result: {exc}")
        return None
    reason = believable(result)
    if reason is not None:
        _warn(path, reason)
        return None
    return result


def cached(derivation: Derivation, item: Claim | Chain, kmax: int, seed: int, compute: Callable[[], T], *,
           encode: Callable[[T], object | None], decode: Callable[[object], T],
           believable: Callable[[T], str | None]) -> T:
    """``compute()``, or the checked cached result for exactly these inputs.

    ``encode`` returns None for a result that must not be cached (e.g. one that ran out of
    time); ``decode`` raises ValueError on anything that is not a result for ``item``;
    ``believable`` returns why a decoded result cannot be trusted, or None."""
    directory = cache_directory()
    if directory is None:
        return compute()
    key = key_material(derivation, item, kmax, seed)
    path = entry_path(directory, key)
    result = _read(path, key, decode, believable)
    if result is not None:
        return result
    result = compute()
    data = encode(result)
    if data is not None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            atomic.write_text(path, json.dumps({"format": FORMAT, "key": key, "result": data}, indent=1,
                                               sort_keys=True, allow_nan=False))
        except (OSError, ValueError):
            pass  # a read-only home (or a non-finite number) is no reason to fail a proof
    return result
