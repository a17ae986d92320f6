"""Mutation run: does `symxent verify --module` notice a wrong copy of a generated module?

Each mutant below is one small change to a copy of a committed module in generated/ (an
operator, a constant, a dropped term, an axis, a divisor, ignore_index, pos_weight on the
wrong term, a float64 promotion, ...), in a plain kernel, a `_fast_` kernel or the template
code of the public functions. The script writes each mutant to a temporary directory, runs
`symxent verify --module <copy> --exitfirst` on it (in this process, through the CLI's own entry point, so
the 50-digit references are computed once), and counts it killed when verify exits non-zero.
The unchanged copies are run first and must pass, or the run stops.

    .venv/bin/python benchmarks/mutate_generated.py [--only SUBSTRING] [--list] [--tests]

With --tests, each mutant also replaces its module in a copy of generated/ that the test files
of TEST_FILES then test (SYMXENT_GENERATED; pytest -x, so a killed mutant stops early): the
tests that call the generated modules directly, not through verify's report or
`verify --module`, and not test_golden's byte-for-byte comparison (which, like
`generate --check`, kills every mutant).

Exit status: 0 when verify kills every mutant, 1 otherwise (the survivors are listed).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from symxent import cli

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"


@dataclass(frozen=True)
class Mutant:
    module: str  # file stem in generated/
    name: str
    old: str  # replaced once; it must occur exactly `occurrence` times or more
    new: str
    occurrence: int = 1  # which occurrence of `old` (1 = the first)


M = Mutant
MUTANTS = [
    # --- sigmoid.py (plain kernels only) ---
    M("sigmoid", "sigmoid: exp(-z) for exp(-|z|) (operator dropped)",
      "np.exp(np.minimum(0, z))/(1 + np.exp(-abs(z)))", "np.exp(np.minimum(0, z))/(1 + np.exp(-z))"),
    M("sigmoid", "log_sigmoid: log(1 + x) for log1p(x) (digits lost, not values)",
      "-np.log1p(np.exp(-abs(z)))", "-np.log(1 + np.exp(-abs(z)))"),
    M("sigmoid", "derivative: the tanh form (0 beyond |z| = 38)",
      "exp_minus_abs_z = np.exp(-abs(z))\n        t0 = exp_minus_abs_z/(exp_minus_abs_z + 1)\n        return t0*(1 - t0)",
      "tanh_half = np.tanh(z/2)\n        return (1 - tanh_half**2)/4"),
    M("sigmoid", "sigmoid: constant 1 -> 1.0000001", "/(1 + np.exp(-abs(z)))", "/(1.0000001 + np.exp(-abs(z)))"),
    M("sigmoid", "float64 promotion of float32 input",
      "    if a.dtype.kind in \"biu\":\n        return a.astype(np.float64)",
      "    if a.dtype.kind in \"biuf\":\n        return a.astype(np.float64)"),
    # --- softmax.py ---
    M("softmax", "plain softmax without the max shift",
      "exp_shifted = _exp_diff(z, np.max(z, axis=-1, keepdims=True))", "exp_shifted = np.exp(z)"),
    M("softmax", "fast softmax without the max shift", "exp_shifted = _exp_diff(z, max_z)", "exp_shifted = np.exp(z)"),
    M("softmax", "log_softmax summed over the wrong axis (plain)",
      "(np.arange(K) == m[..., None]), axis=-1, keepdims=True)", "(np.arange(K) == m[..., None]), axis=0, keepdims=True)"),
    M("softmax", "exp_diff without its correction (exp of the rounded difference)",
      "    np.exp(d, out=d)\n    return np.multiply(d, e, out=d)", "    return np.exp(d, out=d)"),
    M("softmax", "log_softmax: log(1 + x) for log1p(x) (plain)", "-np.log1p(np.sum(", "-np.log(1 + np.sum("),
    M("softmax", "fast log_softmax: the largest class kept in the other classes' mass",
      "        _onehot_add(exp_z_minus_z_m, m, -1)\n", ""),
    M("softmax", "public softmax: the class axis never moved",
      "    if x.ndim and source % x.ndim == destination % x.ndim:\n        return x",
      "    if x.ndim:\n        return x"),
    M("softmax", "jacobian: sign of the outer product",
      "return inv_sum_exp_shifted*(-inv_sum_exp_shifted*np.exp(minus_max_z + z[..., None, :]) + np.eye(K, dtype=z.dtype))",
      "return inv_sum_exp_shifted*(inv_sum_exp_shifted*np.exp(minus_max_z + z[..., None, :]) + np.eye(K, dtype=z.dtype))"),
    M("softmax", "vjp: the sum over the wrong axis", "(v - np.sum(exp_shifted*inv_sum_exp_shifted*v, axis=-1, keepdims=True))",
      "(v - np.sum(exp_shifted*inv_sum_exp_shifted*v, axis=0, keepdims=True))"),
    # --- softmax_cross_entropy.py ---
    M("softmax_cross_entropy", "mean divisor ignores the class weights",
      "divisor = n if w is None else np.sum(w[t])", "divisor = n"),
    M("softmax_cross_entropy", "mean over N + 1 (probability targets)",
      "divisor = n  # probability targets", "divisor = n + 1  # probability targets"),
    M("softmax_cross_entropy", "ignore_index replaced by -100", "keep = t != ignore_index", "keep = t != -100"),
    M("softmax_cross_entropy", "class-index range check drops t >= K",
      "bad = keep & ((t < 0) | (t >= k))", "bad = keep & (t < 0)"),
    M("softmax_cross_entropy", "class axis never moved (axis option ignored)",
      "    if x.ndim and source % x.ndim == destination % x.ndim:\n        return x", "    if x.ndim:\n        return x"),
    M("softmax_cross_entropy", "_reduce promotes to float64",
      "return total / total.dtype.type(divisor)", "return total / np.float64(divisor)"),
    M("softmax_cross_entropy", "Hessian summed over the wrong axis",
      "inv_sum_exp_shifted = 1/(np.sum(np.exp(-max_z + z), axis=-1, keepdims=True))[..., None]",
      "inv_sum_exp_shifted = 1/(np.sum(np.exp(-max_z + z), axis=0, keepdims=True))[..., None]"),
    M("softmax_cross_entropy", "plain index loss without the max shift",
      "return (np.log(np.sum(np.exp(minus_max_z + z), axis=-1, keepdims=True)) - (minus_max_z + np.take_along_axis(z, c[..., None], axis=-1)))[..., 0]",
      "return (np.log(np.sum(np.exp(z), axis=-1, keepdims=True)) - (np.take_along_axis(z, c[..., None], axis=-1)))[..., 0]"),
    M("softmax_cross_entropy", "fast index loss: + for - (operator)",
      "t0 = np.log(sum_exp_shifted) - (minus_max_z + _take(z, c))",
      "t0 = np.log(sum_exp_shifted) - (minus_max_z - _take(z, c))"),
    M("softmax_cross_entropy", "fast index loss: the pivot form's loss times exp(z_c) (operator)",
      "t0 = np.log(sum_exp_z/exp_z_c)", "t0 = np.log(sum_exp_z*exp_z_c)"),
    M("softmax_cross_entropy", "fast index loss and gradient: the rows the pivot form leaves are not redone",
      "return _redo_rows(redo, _loss_and_grad_index, (z, c), (t0[..., 0], out0), scale)",
      "return t0[..., 0], out0"),
    M("softmax_cross_entropy", "label smoothing spread over K + 1 classes (plain)",
      "return (_xmuly(eps_bcast/K, np.sum(_xmuly(w, log_sum_exp_shifted - shifted)",
      "return (_xmuly(eps_bcast/(K + 1), np.sum(_xmuly(w, log_sum_exp_shifted - shifted)"),
    M("softmax_cross_entropy", "0 * inf = 0 dropped in the fast kernels (_xmuly_in: a plain product)",
      "        np.copyto(out, 0, where=zero)\n", "        pass\n"),
    M("softmax_cross_entropy", "ignored samples keep their loss",
      "value = np.where(keep, value, 0).astype(value.dtype, copy=False)", "value = value"),
    M("softmax_cross_entropy", "mean gradient not divided (plain path)", "            g = _scale(g, mean)", "            g = g"),
    # --- binary_cross_entropy_with_logits.py ---
    M("binary_cross_entropy_with_logits", "pos_weight on the negative term (plain loss)",
      "return _xmuly(w, (y*(q - 1) + 1)*np.log1p(np.exp(-abs(logits)))",
      "return _xmuly(w, ((1 - y)*(q - 1) + 1)*np.log1p(np.exp(-abs(logits)))"),
    M("binary_cross_entropy_with_logits", "mean over N + 1",
      "mean = logits.size if reduction == \"mean\" else 1", "mean = logits.size + 1 if reduction == \"mean\" else 1"),
    M("binary_cross_entropy_with_logits", "fast gradient: - for + (operator)",
      "np.add(b1, out0, out=out0)\n        return out0,\n\n\n# prints loss = claim logits_stable_step, grad",
      "np.subtract(b1, out0, out=out0)\n        return out0,\n\n\n# prints loss = claim logits_stable_step, grad"),
    M("binary_cross_entropy_with_logits", "plain gradient: the sign of the small sigmoid dropped ((1 - 2 H) s as s)",
      "return exp_minus_abs_logits*(1 - 2*step_logits)/(exp_minus_abs_logits + 1) + (step_logits - y)",
      "return exp_minus_abs_logits/(exp_minus_abs_logits + 1) + (step_logits - y)"),
    M("binary_cross_entropy_with_logits", "Hessian: constant 1 -> 2",
      "t0 = exp_minus_abs_z/(exp_minus_abs_z + 1)\n        return t0*(1 - t0)",
      "t0 = exp_minus_abs_z/(exp_minus_abs_z + 2)\n        return t0*(1 - t0)"),
    M("binary_cross_entropy_with_logits", "targets promoted to float64",
      "target = target.astype(logits.dtype, copy=False)", "target = target.astype(np.float64, copy=False)"),
    M("binary_cross_entropy_with_logits", "weight ignored when pos_weight is given",
      "(one if pos_weight is None else pos_weight, one if weight is None else weight)",
      "(one if pos_weight is None else pos_weight, one)"),
    M("binary_cross_entropy_with_logits", "loss total divided by count + 1 (fast path)",
      "return total / total.dtype.type(count)", "return total / total.dtype.type(count + 1)"),
    M("binary_cross_entropy_with_logits", "plain loss: the step of -z (the other branch of the bracket)",
      "return np.log1p(np.exp(-abs(logits))) + _xmuly(-y + np.heaviside(logits, 1.0), logits)",
      "return np.log1p(np.exp(-abs(logits))) + _xmuly(-y + np.heaviside(-logits, 1.0), logits)"),
    M("binary_cross_entropy_with_logits", "0 * inf = 0 dropped (_xmuly: a plain product)",
      "        np.copyto(product, 0, where=nan & np.equal(x, 0) & np.isinf(y))\n", "        pass\n"),
    M("binary_cross_entropy_with_logits", "0 * inf = 0 dropped in the fast kernels (_xmuly_in: a plain product)",
      "        np.copyto(out, 0, where=zero)\n", "        pass\n"),
    M("binary_cross_entropy_with_logits", "fast 0 * inf guard: -inf unseen (the largest entry checked only)",
      "\n                            and np.isfinite(np.minimum.reduce(y, axis=None)))", ")"),
    M("binary_cross_entropy_with_logits", "fast step: the other branch (z < 0 for z >= 0)",
      "np.greater_equal(logits, 0, out=out1)\n        np.multiply(out1, 2, out=b0)",
      "np.less(logits, 0, out=out1)\n        np.multiply(out1, 2, out=b0)"),
    M("binary_cross_entropy_with_logits", "a nan times a zero weight set to 0 (_xmuly)",
      "where=nan & np.equal(x, 0) & np.isinf(y))", "where=nan & np.equal(x, 0))"),
    # --- binary_cross_entropy.py (probabilities) ---
    M("binary_cross_entropy", "sum reduction divided by the size", "    if reduction == \"sum\":\n        return total",
      "    if reduction == \"sum\":\n        return total / values.size"),
    M("binary_cross_entropy", "mean gradient divided by size + 1",
      "_scale(g, probs.size if reduction == \"mean\" else 1)", "_scale(g, probs.size + 1 if reduction == \"mean\" else 1)"),
    M("binary_cross_entropy", "weight ignored with log_clamp", "w = np.ones((), probs.dtype) if weight is None else weight",
      "w = np.ones((), probs.dtype)"),
    M("binary_cross_entropy", "weight ignored", "        if weight is not None:\n            return _PLAIN[",
      "        if False:\n            return _PLAIN["),
    # --- binary_focal_loss.py ---
    M("binary_focal_loss", "gradient divisor N + 1 for mean",
      "logits.size if reduction == \"mean\" else None", "logits.size + 1 if reduction == \"mean\" else None"),
    M("binary_focal_loss", "alpha on the wrong class", "return _driven_elements(name, (logits, target), (alpha, gamma), divisor)",
      "return _driven_elements(name, (logits, target), (1 - alpha, gamma), divisor)"),
    # --- focal_loss.py ---
    M("focal_loss", "_reduce promotes to float64",
      "return total / total.dtype.type(divisor)", "return total / np.float64(divisor)"),
    M("focal_loss", "plain loss: gamma + 1 (constant)", "t0 + np.exp(shifted_c))**gamma[..., None]*(np.log(np.sum(",
      "t0 + np.exp(shifted_c))**(gamma[..., None] + 1)*(np.log(np.sum("),
    # --- distillation.py ---
    M("distillation", "mean over samples + 1 (gradient divisor)",
      "mean = z.size // z.shape[-1] if reduction == \"mean\" else None",
      "mean = z.size // z.shape[-1] + 1 if reduction == \"mean\" else None"),
    M("distillation", "gradient not moved back to the class axis", "return _reduce(out[0], reduction), _move(out[1], -1, axis)",
      "return _reduce(out[0], reduction), out[1]"),
    M("distillation", "temperature squared", "return np.asarray(temperature, dtype=dtype)",
      "return np.asarray(temperature ** 2, dtype=dtype)"),
    M("distillation", "0 * inf = 0 dropped (_xmuly: a plain product)",
      "        np.copyto(product, 0, where=nan & np.equal(x, 0) & np.isinf(y))\n", "        pass\n"),
]


def _mutate(text: str, mutant: Mutant) -> str:
    at = -1
    for _ in range(mutant.occurrence):
        at = text.find(mutant.old, at + 1)
        if at < 0:
            raise SystemExit(f"mutant {mutant.name!r}: {mutant.old!r} not found in generated/{mutant.module}.py "
                             f"(occurrence {mutant.occurrence}); the list is out of date")
    return text[:at] + mutant.new + text[at + len(mutant.old):]


TEST_FILES = ["tests/test_sigmoid.py", "tests/test_softmax_module.py", "tests/test_fast.py", "tests/test_reference_losses.py",
              "tests/test_torch_parity.py", "tests/test_accuracy.py::test_underflow_is_not_an_error",
              "tests/test_accuracy.py::test_special_values",
              "tests/test_verify_module.py::test_public_functions_match_the_symbols"]


def _tests(directory: Path) -> bool:
    """Whether the tests of TEST_FILES fail on the modules in ``directory``."""
    environment = dict(os.environ, SYMXENT_GENERATED=str(directory))
    result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *TEST_FILES],
                            cwd=ROOT, env=environment, capture_output=True, text=True, check=False)
    return result.returncode != 0


def _verify(path: Path, exitfirst: bool = False) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["verify", "--module", str(path)] + (["--exitfirst"] if exitfirst else []), out=out, err=err)
    failures = [line for line in out.getvalue().splitlines() if line.startswith("FAILED")]
    return code, (failures[0] if failures else err.getvalue().strip())[:200]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the mutants whose module or name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--tests", action="store_true", help="also count the mutants the tests kill (slow)")
    args = parser.parse_args(argv)
    selected = [m for m in MUTANTS if args.only in m.module or args.only in m.name]
    if args.list:
        for m in selected:
            print(f"{m.module}: {m.name}")
        return 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="symxent-mutants-") as tmp:
        for module in sorted({m.module for m in selected}):  # the controls: unchanged copies pass
            copy = Path(tmp) / f"{module}.py"
            copy.write_text((GENERATED / f"{module}.py").read_text(encoding="utf-8"), encoding="utf-8")
            code, why = _verify(copy)
            if code != 0:
                print(f"control {module}: verify fails on the unchanged copy: {why}")
                return 2
        survivors, test_survivors = [], []
        for n, mutant in enumerate(selected):
            directory = Path(tmp) / f"m{n}"
            if args.tests:  # a whole generated/ with this one module mutated
                shutil.copytree(GENERATED, directory)
            else:
                directory.mkdir()
            copy = directory / f"{mutant.module}.py"
            copy.write_text(_mutate((GENERATED / f"{mutant.module}.py").read_text(encoding="utf-8"), mutant),
                            encoding="utf-8")
            code, why = _verify(copy, exitfirst=True)  # (its first failing stage is the verdict)
            status = "killed" if code != 0 else "SURVIVED"
            tests = ""
            if args.tests:
                killed_by_tests = _tests(directory)
                tests = "  (tests: killed)" if killed_by_tests else "  (tests: survived)"
                if not killed_by_tests:
                    test_survivors.append(mutant)
            print(f"{status:8s} {mutant.module}: {mutant.name}{tests}" + (f"\n         {why}" if code != 0 else ""),
                  flush=True)
            if code == 0:
                survivors.append(mutant)
    print(f"\n{len(selected) - len(survivors)} of {len(selected)} mutants killed by `symxent verify --module` "
          f"({time.perf_counter() - start:.0f}s)")
    if args.tests:
        print(f"{len(selected) - len(test_survivors)} of {len(selected)} killed by the tests ({', '.join(TEST_FILES)})")
        for m in test_survivors:
            print(f"survived the tests: {m.module}: {m.name}")
    for m in survivors:
        print(f"survived: {m.module}: {m.name}")
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main())
