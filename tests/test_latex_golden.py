"""The golden layer of the printed documents: every derivation's Markdown and LaTeX, byte for byte.

A change of any printed document (a printing rule, a reason, a statement, a proof status)
fails here with the derivation, the format and a diff. When the change is meant, rewrite the
records with ``SYMXENT_UPDATE_GOLDEN=1 python -m pytest tests/test_latex_golden.py`` and commit
them with the change; the records are then what a reader gets from
``symxent latex NAME --kmax 3 [--format tex]``.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from symxent.cli import main
from symxent.latex import FORMATS
from symxent.registry import load_registry


GOLDEN = Path(__file__).resolve().parent / "golden" / "latex"
NAMES = list(load_registry())
UPDATE = os.environ.get("SYMXENT_UPDATE_GOLDEN", "") == "1"
SUFFIX = {"markdown": "md", "tex": "tex"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_printed_document_matches_the_record(name: str, fmt: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    # Through the command line, as a reader runs it (proofs at Kmax = 3 keep the test quick).
    assert main(["latex", name, "--kmax", "3", "--format", fmt], out=out, err=err) == 0, err.getvalue()
    text = out.getvalue()
    path = GOLDEN / f"{name}.{SUFFIX[fmt]}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing; record it with SYMXENT_UPDATE_GOLDEN=1"
    recorded = path.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(recorded.splitlines(True), text.splitlines(True), str(path), "printed", n=1))
    assert text == recorded, f"{name} ({fmt}) differs from its record:\n{diff[:4000]}"


def test_no_stray_records() -> None:
    expected = {f"{n}.{SUFFIX[f]}" for n in NAMES for f in FORMATS}
    stray = sorted(p.name for p in GOLDEN.glob("*") if p.name not in expected)
    assert not stray, f"records no derivation prints: {stray}"


def test_printed_documents_do_not_depend_on_the_hash_seed() -> None:
    # Set iteration order changes with PYTHONHASHSEED; the printed bytes, verdicts included,
    # must not (a condition read back with the wrong symbol once printed as raw text). The
    # tests above hold this process's seed (random per run) to the records; one process under
    # a fixed seed that hashes differently is held to them here. The records stand in for a
    # second printing in this process, which would cost as much as the subprocess.
    probe = "symxent hash seed probe"
    code = ("import io, hashlib; from symxent.cli import main; from symxent.registry import load_registry; "
            "h = hashlib.sha256(); "
            "[(lambda o: (main(['latex', n, '--kmax', '3', '--format', f], out=o, err=io.StringIO()), "
            "h.update(o.getvalue().encode())))(io.StringIO()) for n in load_registry() for f in ('markdown', 'tex')]; "
            f"print(hash({probe!r}), h.hexdigest())")
    seed = next(s for s in ("1", "2") if _hash_under(s, probe) != hash(probe))
    # (proving afresh, not from the session's proof cache: the verdicts too are computed under that seed)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONHASHSEED": seed, "SYMXENT_CACHE": "off"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    their_hash, digest = proc.stdout.split()
    assert int(their_hash) != hash(probe), "the subprocess ran under this process's hash seed"
    if UPDATE:
        pytest.skip("the records are being rewritten in this run")
    records = hashlib.sha256()
    for name in NAMES:
        for fmt in FORMATS:
            records.update((GOLDEN / f"{name}.{SUFFIX[fmt]}").read_text(encoding="utf-8").encode())
    assert digest == records.hexdigest(), f"under PYTHONHASHSEED={seed} the documents differ from their records"


def _hash_under(seed: str, text: str) -> int:
    out = subprocess.run([sys.executable, "-c", f"print(hash({text!r}))"], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
    return int(out)
