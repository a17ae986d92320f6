"""The golden layer: generated/ is exactly what the derivations produce, byte for byte."""

from __future__ import annotations

import io

import pytest

from conftest import GENERATED, REGISTRY
from symxent import codegen
from symxent.cli import main

FILES = codegen.render_registry(REGISTRY)


@pytest.mark.parametrize("generated", FILES, ids=[f.filename for f in FILES])
def test_generated_file_matches(generated):
    path = GENERATED / generated.filename
    assert path.exists(), f"{path} is missing; run `symxent generate`"
    assert path.read_text(encoding="utf-8") == generated.text, f"{path} differs from {generated.derivation}; run `symxent generate`"


def test_no_extra_files():
    names = {f.filename for f in FILES}
    extra = sorted(p.name for p in GENERATED.glob("*.py") if p.name not in names)
    assert not extra, f"generated/ holds files no derivation generates: {extra}"


def test_rendering_is_reproducible():
    again = codegen.render_registry(REGISTRY)
    assert [f.text for f in again] == [f.text for f in FILES]


@pytest.mark.parametrize("generated", FILES, ids=[f.filename for f in FILES])
def test_generated_modules_import_numpy_only(generated):
    imports = [line for line in generated.text.splitlines() if line.startswith(("import ", "from "))]
    # NumPy, and the standard library's thread pool and named records for the block driver:
    # nothing to install.
    allowed = {"import numpy as np", "import os", "from collections import namedtuple",
               "from concurrent.futures import ThreadPoolExecutor"}
    assert "import numpy as np" in imports and set(imports) <= allowed, f"{generated.filename}: {imports}"
    assert "Dummy" not in generated.text and "_Dummy" not in generated.text


def test_generate_check_detects_changes(tmp_path):
    out = io.StringIO()
    assert main(["generate", "--out", str(tmp_path)], out=out) == 0
    assert main(["generate", "--check", "--out", str(tmp_path)], out=out) == 0
    (tmp_path / "softmax.py").write_text("# edited\n")
    (tmp_path / "stray.py").write_text("")
    (tmp_path / "sigmoid.py").unlink()
    out = io.StringIO()
    assert main(["generate", "--check", "--diff", "--out", str(tmp_path)], out=out, err=io.StringIO()) == 1
    text = out.getvalue()
    assert "differs" in text and "missing" in text and "extra" in text and "+++" in text


def test_generate_check_on_repository():
    assert main(["generate", "--check", "--out", str(GENERATED)], out=io.StringIO()) == 0
