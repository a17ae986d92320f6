"""The command line, called through main(argv) as a user would type it."""

from __future__ import annotations

import json

import pytest

from conftest import gradient_file, run_cli as run



WRONG = gradient_file("wrong_gradient", "+")  # a deliberately wrong claim: dL/dz = p + y


def test_wrong_claim_makes_verify_fail(tmp_path):
    (tmp_path / "wrong.py").write_text(WRONG)
    code, out, _ = run("verify", "--derivations", str(tmp_path), "wrong_gradient", "--kmax", "3")
    assert code == 1, out
    assert "FAILED wrong_gradient / gradient" in out and "counterexample" in out


def test_verify_json(tmp_path):
    (tmp_path / "wrong.py").write_text(WRONG)
    code, out, _ = run("verify", "--derivations", str(tmp_path), "wrong_gradient", "--kmax", "2", "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    claim = data["derivations"][0]["claims"][0]
    assert claim["fixed_k"]["status"] == "FAILED" and claim["fixed_k"]["counterexample"]


def test_broken_file_is_reported_and_others_load(tmp_path):
    (tmp_path / "wrong.py").write_text(WRONG)
    (tmp_path / "broken.py").write_text("import sympy as sp\nDERIVATIONS = [sp.undefined_name]\n")
    (tmp_path / "empty.py").write_text("x = 1\n")
    code, out, err = run("list", "--derivations", str(tmp_path))
    # The files that load are listed; the exit code says some did not (bad input: 2).
    assert code == 2 and "wrong_gradient" in out and "softmax" in out
    assert "broken.py" in err and "AttributeError" in err
    assert "empty.py" in err and "DERIVATIONS" in err


def test_duplicate_name_is_reported(tmp_path):
    (tmp_path / "dup.py").write_text(WRONG.replace('"wrong_gradient"', '"softmax"'))
    code, _, err = run("list", "--derivations", str(tmp_path))
    assert code == 2 and "duplicate derivation name 'softmax'" in err


@pytest.mark.parametrize("argv,expect", [
    (["verify", "nope"], "unknown derivation 'nope'; known: "),
    (["derive", "nope"], "known: "),
    (["frobnicate"], "invalid choice"),
    (["verify", "--kmax", "1", "sigmoid"], "--kmax must be at least 2"),
    (["latex", "sigmoid", "--format", "pdf"], "invalid choice: 'pdf'"),
    (["generate", "--diff"], "--diff goes with --check"),
])
def test_bad_usage_is_one_line_exit_2(argv, expect):
    code, out, err = run(*argv)
    assert code == 2, (argv, out, err)
    assert expect in err and err.count("\n") == 1 and "Traceback" not in err


def test_list_and_derive():
    code, out, _ = run("list")
    assert code == 0 and "softmax_cross_entropy" in out and "generates softmax_cross_entropy.py" in out
    code, out, _ = run("derive", "softmax")
    assert code == 0 and "jacobian" in out and "δ" in out


def test_verify_one_derivation():
    code, out, _ = run("verify", "sigmoid", "--kmax", "2")
    assert code == 0, out
    assert "derivative" in out and "0 failed" in out


def test_generate_to_another_directory(tmp_path):
    code, out, _ = run("generate", "--out", str(tmp_path / "gen"))
    assert code == 0 and (tmp_path / "gen" / "softmax_cross_entropy.py").exists()


def test_check_command_is_wired(tmp_path):
    note = tmp_path / "note.md"
    note.write_text("$$\\sigma(u) = \\frac{1}{1 + e^{-u}} = \\frac{e^{u}}{e^{u} + 1}$$\n")
    code, out, _ = run("check", str(note))
    assert code == 0, out
    code, _, err = run("check", str(tmp_path / "missing.md"))
    assert code == 2 and "missing.md" in err
