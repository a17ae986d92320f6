"""The golden layer: generated/ is exactly what the derivations produce, byte for byte."""

from __future__ import annotations

import ast
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
    # NumPy, and the standard library's thread pool, lock and named records for the block
    # driver: nothing to install.
    allowed = {"import numpy as np", "import os", "import threading", "from collections import namedtuple",
               "from concurrent.futures import ThreadPoolExecutor, wait"}
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


@pytest.mark.parametrize("generated", FILES, ids=[f.filename for f in FILES])
def test_generated_modules_read_top_down(generated):
    """Docstring, imports, ``__all__`` (the public functions, in order), the public functions,
    then the internals and kernels; each plain kernel under a comment naming its claims; plain
    kernels found through ``_PLAIN``, never by a name built at run time."""
    tree = ast.parse(generated.text)
    public = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    exported = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "__all__")
    assert ast.literal_eval(exported.value) == public, generated.filename
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert defs[0].name == public[0], f"{generated.filename}: {defs[0].name} comes before the public functions"
    lines = generated.text.splitlines()
    first_kernel = lines.index("# --- kernels: printed from the proven expressions "
                               + ("(class axis last) ---" if "(class axis last) ---" in generated.text
                                  else "(elementwise) ---"))
    last_public = max(n.lineno for n in defs if not n.name.startswith("_"))
    assert last_public < first_kernel
    module = next(m for m in REGISTRY[generated.derivation].modules if m.name == generated.module)
    for kernel in module.kernels:
        at = lines.index(next(line for line in lines if line.startswith(f"def _{kernel.name}(")))
        for out in kernel.outputs:
            assert f"{out.name} = claim {out.claim}" in lines[at - 1], f"{generated.filename}: _{kernel.name}"
    plain = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "_PLAIN")
    assert [k.value for k in plain.value.keys] == [k.name for k in module.kernels]
    assert "globals()" not in generated.text
