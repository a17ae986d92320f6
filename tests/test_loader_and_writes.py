"""Loading user derivation files safely, and writing outputs atomically (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from conftest import REGISTRY, ROOT, run_cli as run
from symxent import atomic
from symxent.registry import load_directory



HEAD = textwrap.dedent('''
    import sympy as sp
    from symxent.registry import Chain, Claim, Derivation, Step, Variable
    u = sp.Symbol("u", real=True)
    w = sp.Symbol("w", real=True)
''')


def _derivation(claims: str = "()", chains: str = "()") -> str:
    return HEAD + textwrap.dedent(f'''
        DERIVATIONS = [Derivation(name="user", title="t", summary="s", dimensions={{}}, indices={{}},
                                  variables=(Variable(u, "real", "u"),), definitions=(),
                                  claims={claims}, chains={chains})]
    ''')


BAD_FILES = {
    "undeclared symbol": (_derivation('(Claim("ratio", "(w^2 + w)/w = w + 1", (w**2 + w) / w, w + 1),)'),
                          ["derivation user", "claim ratio", "undeclared symbol w"]),
    "a string side": (_derivation('(Claim("strings", "u + 1 = u + 1", "u + 1", u + 1),)'),
                      ["derivation user", "claim strings", "lhs is a str"]),
    "a string as the chain's label": (_derivation(chains='(Chain("my chain", "u squared", (Step(u**2, "def"),)),)'),
                                      ["derivation user", "chain 'my chain'", "second field of Chain(title, label, steps)"]),
    "sys.exit at import": ("import sys\nsys.exit(3)\n", ["sys.exit(3)"]),
    "an exception at import": ("raise RuntimeError('no\\nluck')\n", ["RuntimeError: no luck", "(line 1)"]),
}


@pytest.mark.parametrize("text,expect", BAD_FILES.values(), ids=list(BAD_FILES))
def test_a_bad_file_is_one_line_exit_2(tmp_path, text, expect):
    path = tmp_path / "user.py"
    path.write_text(text)
    code, out, err = run("list", "--derivations", str(tmp_path))
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in [str(path), *expect]:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert "softmax" in out, "the other derivations must still load"


def test_every_builtin_derivation_declares_its_symbols():
    assert not REGISTRY.errors, REGISTRY.errors


def test_output_printed_at_import_stays_out_of_json(tmp_path, capsys):
    (tmp_path / "noisy.py").write_text(_derivation('(Claim("c", "u + u = 2 u", u + u, 2 * u),)')
                                       + "print('hello from import')\n")
    code, out, err = run("verify", "--derivations", str(tmp_path), "user", "--kmax", "2", "--jobs", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["ok"] is True  # nothing but the report on standard output
    captured = capsys.readouterr()
    assert "hello from import" in captured.err and "hello from import" not in captured.out + out


def test_load_directory_reports_without_raising(tmp_path):
    (tmp_path / "exits.py").write_text("raise SystemExit(3)\n")
    registry = load_directory(tmp_path)
    assert [e.reason for e in registry.errors] == ["ImportError: the file called sys.exit(3) while being imported"]


# --- writes --------------------------------------------------------------------------------------


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    (tmp_path / "target").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic.write_text(tmp_path / "target", "text")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_latex_output_to_a_directory_is_an_error_without_leftovers(tmp_path):
    out_dir = tmp_path / "doc"
    out_dir.mkdir()
    code, _, err = run("latex", "sigmoid", "-o", str(out_dir), "--kmax", "2")
    assert code == 2 and "is a directory" in err and err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc"] and not any(out_dir.iterdir())


def test_latex_output_leaves_only_the_file(tmp_path):
    code, _, err = run("latex", "sigmoid", "-o", str(tmp_path / "sigmoid.md"), "--kmax", "2")
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir()] == ["sigmoid.md"]
    assert (tmp_path / "sigmoid.md").read_text(encoding="utf-8").strip()


def test_concurrent_generate_runs_never_collide(tmp_path):
    command = [sys.executable, "-m", "symxent", "generate", "--out", str(tmp_path)]
    runs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    results = [(r.wait(timeout=300), r.stderr.read()) for r in runs]
    for r in runs:
        r.stdout.close()
        r.stderr.close()
    assert all(code == 0 for code, _ in results), results
    assert all(p.suffix == ".py" for p in tmp_path.iterdir()), sorted(p.name for p in tmp_path.iterdir())
    code, out, _ = run("generate", "--check", "--out", str(tmp_path))
    assert code == 0, out


def test_a_non_utf8_file_is_reported_as_changed(tmp_path):
    assert run("generate", "--out", str(tmp_path))[0] == 0
    victim = tmp_path / "sigmoid.py"
    victim.write_bytes(b"\xff\xfe not UTF-8 \x80")
    code, out, err = run("generate", "--check", "--out", str(tmp_path))
    assert code == 1 and f"differs: {victim} (not UTF-8 text)" in out, (out, err)
    assert "Traceback" not in err and "UnicodeDecodeError" not in out + err
