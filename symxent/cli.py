"""The command line: parse arguments, call the stages, set the exit code. No logic of its own.

Exit codes: 0 success; 1 a failed or not proven claim or step, a failed check or comparison,
a canary the prover let through; 2 bad usage (unknown command, option or derivation name,
unreadable input, a derivation file that does not load), reported in one line without a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import sympy as sp

from symxent import __version__

__all__ = ["main", "main_entry"]


class UsageError(Exception):
    """Bad usage: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, no usage dump
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--derivations", action="append", default=[], metavar="DIR",
                        help="also load the derivation files of DIR (repeatable)")
    common.add_argument("--templates", action="append", default=[], metavar="DIR",
                        help="also use the module templates (*.py.j2) of DIR (repeatable)")
    parser = _Parser(prog="symxent", description="Derive, prove, print and generate the cross-entropy family.")
    parser.add_argument("--version", action="version", version=f"symxent {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    sub.add_parser("list", parents=[common], help="the derivations, one line each")

    p = sub.add_parser("derive", parents=[common], help="the symbolic results of a derivation")
    p.add_argument("name")

    p = sub.add_parser("latex", parents=[common], help="the checked step-by-step derivation")
    p.add_argument("name")
    p.add_argument("--format", choices=("markdown", "tex"), default="markdown")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--kmax", type=int, default=6, help="check steps for K = 2..KMAX (default 6)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="time budget of each step's and claim's proof (default 300; past it: not proven, timed out)")
    p.add_argument("--no-proofs", action="store_true",
                   help="print without running the proofs (the document then says 'proofs not run')")

    p = sub.add_parser("generate", parents=[common], help="write the generated NumPy modules")
    p.add_argument("--out", default="generated", metavar="DIR", help="output directory (default generated/)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if DIR differs")
    p.add_argument("--diff", action="store_true", help="with --check, show a unified diff")

    p = sub.add_parser("verify", parents=[common], help="proofs and numeric checks (the main job)")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--kmax", type=int, default=6, help="prove for K = 2..KMAX (default 6)")
    p.add_argument("--jobs", type=int, default=None, help="parallel processes (default: one per core)")
    p.add_argument("--no-cache", action="store_true",
                   help="prove everything afresh (default: reuse results whose inputs are unchanged)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="time budget of each claim's or step's proof (default 300; past it: not proven, timed out)")
    p.add_argument("--module", action="append", default=[], metavar="FILE",
                   help="check this generated module file (a vendored copy) numerically, against the derivation "
                        "its header names, instead of proving (repeatable)")
    p.add_argument("-x", "--exitfirst", action="store_true",
                   help="with --module: stop at the first stage of checks that fails, and skip the canaries")
    p.add_argument("--generated", default="generated", metavar="DIR",
                   help="the generated modules checked numerically, imported from their files (default generated/)")

    p = sub.add_parser("check", parents=[common], help="check a derivation written in notes, step by step")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--K", type=int, default=3, dest="k", help="number of classes to instantiate (default 3)")
    p.add_argument("--define", action="append", default=[], metavar="NAME=LATEX", help="an extra definition")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="seconds each step may take before it is 'not checkable: timed out' (default 10)")

    p = sub.add_parser("test", parents=[common], help="test your own implementation against the proof")
    p.add_argument("function", metavar="PATH.py:FUNCTION", help="your function, in a Python file")
    p.add_argument("--against", required=True, metavar="MODULE.FUNCTION",
                   help="a public function of a generated module, e.g. softmax_cross_entropy.grad")
    p.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                   help="a keyword of MODULE.FUNCTION (reduction=sum, label_smoothing=0.1, weight=[1,2,3]); passed "
                        "to your function when it takes it (repeatable)")
    p.add_argument("--targets", action="append", default=None, metavar="KIND",
                   help="only these target kinds (index, probs, logits; hard, soft for elementwise losses); "
                        "default: every kind the reference takes (repeatable)")
    p.add_argument("--dtype", action="append", default=None, choices=("float64", "float32"),
                   help="only this dtype (repeatable; default both)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    return parser


def _registry(args: argparse.Namespace, err: TextIO):
    from symxent.registry import load_registry

    registry = load_registry(args.derivations)
    for e in registry.errors:
        print(f"symxent: could not load {e.path}: {e.reason}", file=err)
    return registry


@contextlib.contextmanager
def _prover_settings(timeout: float | None, no_cache: bool = False) -> Iterator[None]:
    """``--timeout`` and ``--no-cache`` for the prover, through the environment so that worker
    processes read them too; restored afterwards (``main`` may be called again in-process)."""
    if timeout is not None and not timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, got {timeout:g}")
    settings = {"SYMXENT_TIMEOUT": repr(timeout) if timeout is not None else None,
                "SYMXENT_CACHE": "off" if no_cache else None}
    saved = {name: os.environ.get(name) for name in settings}
    try:
        for name, value in settings.items():
            if value is not None:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _template_settings(directories: Sequence[str]) -> Iterator[None]:
    """``--templates`` through the environment (worker processes render modules too); restored
    afterwards (``main`` may be called again in-process)."""
    from symxent.registry import TEMPLATES_VARIABLE

    for directory in directories:
        if not Path(directory).is_dir():
            raise UsageError(f"--templates {directory}: not a directory")
    saved = os.environ.get(TEMPLATES_VARIABLE)
    try:
        if directories:
            os.environ[TEMPLATES_VARIABLE] = os.pathsep.join([*directories, *([saved] if saved else [])])
        yield
    finally:
        if saved is None:
            os.environ.pop(TEMPLATES_VARIABLE, None)
        else:
            os.environ[TEMPLATES_VARIABLE] = saved


def _load_status(registry) -> int:
    """2 when a derivation file did not load (bad input), else 0; the errors are printed already."""
    return 2 if registry.errors else 0


def _positive_kmax(kmax: int) -> int:
    if kmax < 2:
        raise UsageError(f"--kmax must be at least 2, got {kmax}")
    return kmax


def _cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    registry = _registry(args, err)
    width = max((len(n) for n in registry), default=0)
    for name, d in registry.items():
        modules = ", ".join(f"{m.name}.py" for m in d.modules)
        print(f"{name.ljust(width)}  {d.summary}" + (f"  [generates {modules}]" if modules else ""), file=out)
    return _load_status(registry)


def _cmd_derive(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    registry = _registry(args, err)
    d = registry[args.name]

    def show(e: sp.Basic) -> str:
        return sp.pretty(e, use_unicode=True, wrap_line=False)

    print(f"{d.title} ({d.name})\n{d.summary}\n", file=out)
    print("Definitions:", file=out)
    for definition in d.definitions:
        print(f"  {definition.description}:", file=out)
        print("    " + show(sp.Eq(definition.lhs, definition.rhs, evaluate=False)).replace("\n", "\n    "), file=out)
    print("\nClaims:", file=out)
    for c in d.claims:
        used = f"  [assumes: {', '.join(a.name for a in c.assumptions)}]" if c.assumptions else ""
        print(f"  {c.name}: {c.statement}{used}", file=out)
        rel = {"==": sp.Eq, ">=": sp.Ge, ">": sp.Gt}[c.relation]
        print("    " + show(rel(c.lhs, c.rhs, evaluate=False)).replace("\n", "\n    "), file=out)
    return _load_status(registry)


def _cmd_latex(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from symxent import latex
    from symxent.atomic import write_text
    from symxent.prove import FAILED, check_chain, prove_claim

    registry = _registry(args, err)
    d = registry[args.name]
    kmax = _positive_kmax(args.kmax)
    if args.output and Path(args.output).is_dir():
        raise UsageError(f"-o {args.output} is a directory; give a file name")
    steps, claims = [], []
    if not args.no_proofs:
        # The same proofs as `symxent verify` (read from the proof cache when unchanged), so
        # the document states the prover's verdicts, never an assumed "checked".
        with _prover_settings(args.timeout):
            steps = [s for chain in d.chains for s in check_chain(d, chain, kmax)]
            claims = [prove_claim(d, c, kmax) for c in d.claims]
    text = latex.render(d, args.format, steps=steps, claims=claims)
    if args.output:
        print(f"wrote {write_text(args.output, text)}", file=err)
    else:
        out.write(text)
    failed = 0
    for s in steps:
        if not s.ok:
            failed += 1
            what = "FAILED" if s.verdict == FAILED else "not proven"
            print(f"symxent: {latex.step_name(d, s)} of \"{s.chain}\" {what} ({s.reason}): "
                  f"{(s.fixed_k if not s.fixed_k.ok else s.general_k).detail}", file=err)
    for c in claims:
        if not c.ok:
            failed += 1
            what = "FAILED" if c.verdict == FAILED else "not proven"
            print(f"symxent: claim {c.claim} {what}: {(c.fixed_k if not c.fixed_k.ok else c.general_k).detail}",
                  file=err)
    return 1 if failed else _load_status(registry)


def _cmd_generate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from symxent import codegen

    if args.diff and not args.check:
        raise UsageError("--diff goes with --check")
    registry = _registry(args, err)
    files, failed = codegen.render_all(registry)
    for line in failed:
        print(f"symxent: could not generate {line}", file=err)
    # A module that cannot be rendered is bad input (2), as a file that cannot be loaded is.
    status = 2 if failed else _load_status(registry)
    if args.check:
        unknown = {f"{m.name}.py" for d in registry.values() for m in d.modules} - {f.filename for f in files}
        problems = codegen.check(files, args.out, with_diff=args.diff, unknown=unknown)
        for line in problems:
            print(line, file=out)
        if problems:
            print(f"symxent: {args.out} is not what the derivations generate; run `symxent generate`", file=err)
            return 1
        print(f"{args.out}: {len(files)} modules match the derivations", file=out)
        return status
    for path in codegen.write(files, args.out):
        print(f"wrote {path}", file=out)
    return status


def _fmt_error(value: float | None) -> str:
    return "-" if value is None else f"{value:.1e}"


def _mark(ok: bool, verdict: str) -> str:
    return "" if ok else ("  <-- FAILED" if verdict == "FAILED" else "  <-- NOT PROVEN")


def _step_label(s, registry=None) -> str:
    # The documents' numbering: "step 1.5" is the fifth step of the first chain, from 1.
    from symxent.latex import step_name

    if registry is not None and s.derivation in registry:
        return f"{step_name(registry[s.derivation], s)} of \"{s.chain}\""
    return f"step {s.step + 1} of \"{s.chain}\""


def _verify_rows(report, registry=None) -> list[tuple[str, str, str, str, str, str]]:
    rows = []
    for proof in report.proofs:
        for c in proof.claims:
            numeric = [n.max_error for n in report.claim_numeric(proof.derivation, c.claim)]
            if c.fixed_k.numeric_error is not None:
                numeric.append(c.fixed_k.numeric_error)
            numeric_ok = all(n.ok for n in report.claim_numeric(proof.derivation, c.claim))
            verdict = c.verdict if not c.ok else "FAILED"
            rows.append((proof.derivation, c.claim, c.fixed_k.status, c.general_k.status,
                         _fmt_error(max(numeric) if numeric else None),
                         f"{c.fixed_k.seconds + c.general_k.seconds:.1f}s" + _mark(c.ok and numeric_ok, verdict)))
        for s in proof.steps:
            rows.append((proof.derivation, _step_label(s, registry), s.fixed_k.status, s.general_k.status,
                         _fmt_error(s.fixed_k.numeric_error),
                         f"{s.fixed_k.seconds + s.general_k.seconds:.1f}s" + _mark(s.ok, s.verdict)))
    for n in report.module_checks():
        rows.append((n.derivation, f"{n.subject}: {n.check}", "-", "-", _fmt_error(n.max_error),
                     f"{n.seconds:.1f}s" + _mark(n.ok, "FAILED")))
    return rows


def _problem_lines(proof, item, label: str) -> list[str]:
    """One heading per claim or step that is not ok, then the details of each attempt."""
    lines = [f"{item.verdict} {proof.derivation} / {label}"]
    for kind, check in (("explicit K", item.fixed_k), ("symbolic K", item.general_k)):
        if not check.ok:
            lines.append(f"    {kind}, {check.status}: {check.detail}")
            if check.residual:
                lines.append(f"    residual: {check.residual}")
            if check.counterexample:
                lines.append(f"    counterexample: {dict(check.counterexample)}")
    return lines


def _failures(report, registry=None) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Counts of what is not ok (claims, steps, numeric checks: each counted once) and the
    lines that explain them."""
    counts = {("claim", "FAILED"): 0, ("claim", "not proven"): 0, ("step", "FAILED"): 0,
              ("step", "not proven"): 0, ("numeric check", "FAILED"): 0}
    lines: list[str] = []
    for proof in report.proofs:
        for kind, items in (("claim", proof.claims), ("step", proof.steps)):
            for item in items:
                if item.ok:
                    continue
                counts[(kind, item.verdict)] += 1
                label = item.claim if kind == "claim" else _step_label(item, registry)
                lines += _problem_lines(proof, item, label)
    for n in report.numeric:
        if not n.ok:
            counts[("numeric check", "FAILED")] += 1
            lines.append(f"FAILED {n.derivation} / {n.subject}: {n.check}: max error {n.max_error:.3g} "
                         f"> {n.tolerance:g} {n.detail}")
    return counts, lines


def _canary_summary(canaries) -> tuple[str, list[str]]:
    if not canaries:  # only --exitfirst after a failure skips them
        return "canaries: not run (stopped at the first failure)", []
    caught = sum(c.caught for c in canaries)
    lines = [f"CANARY NOT CAUGHT ({c.kind}): {c.result.claim}: \"{c.result.statement}\" was "
             f"{c.result.verdict}: {(c.result.fixed_k if c.result.fixed_k.status != 'proven' else c.result.general_k).detail}"
             for c in canaries if not c.caught]
    return f"canaries: {caught}/{len(canaries)} caught", lines


def _report_json(report, load_errors, canaries, registry=None) -> dict:
    def check(c) -> dict:
        return {"status": c.status, "detail": c.detail, "residual": c.residual, "numeric_error": c.numeric_error,
                "counterexample": dict(c.counterexample) if c.counterexample else None, "seconds": c.seconds}

    return {
        "ok": report.ok and not load_errors and all(c.caught for c in canaries),
        "seconds": report.seconds,
        "load_errors": [str(e) for e in load_errors],
        "derivations": [{
            "name": p.derivation,
            "claims": [{"claim": c.claim, "statement": c.statement, "verdict": c.verdict, "fixed_k": check(c.fixed_k),
                        "general_k": check(c.general_k), "assumptions_used": list(c.assumptions_used)}
                       for c in p.claims],
            # "step" is the 0-based position in the chain; "label" names it as every printed
            # output does ("step 1.5": chain 1, step 5, both from 1).
            "steps": [{"chain": s.chain, "step": s.step, "label": _step_label(s, registry).split(" of ")[0],
                       "reason": s.reason, "verdict": s.verdict,
                       "fixed_k": check(s.fixed_k), "general_k": check(s.general_k)} for s in p.steps],
        } for p in report.proofs],
        "numeric": [{"derivation": n.derivation, "subject": n.subject, "check": n.check, "max_error": n.max_error,
                     "tolerance": n.tolerance, "ok": n.ok, "detail": n.detail, "seconds": n.seconds}
                    for n in report.numeric],
        "canaries": [{"kind": c.kind, "claim": c.result.claim, "statement": c.result.statement,
                      "verdict": c.result.verdict, "caught": c.caught} for c in canaries],
    }


def _print_accuracy(report, out: TextIO) -> None:
    """The ulp table: the largest error of each measured function, per dtype, and where."""
    rows = [("function", "dtype", "case", "max ulp", "target", "where", "")]
    for a in report.accuracy():
        status = "ok" if a.within else ("over target, not gated" if a.not_gated else "FAILED")
        rows.append((a.function, a.dtype, a.case, f"{a.max_ulp:.3g}", f"{a.target:g}", a.where, status))
    if len(rows) == 1:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print("\naccuracy (ulps of the 50-digit true value, or of the sample's largest term where the case says so, "
          "over the whole range of the dtype)", file=out)
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip(), file=out)


def _cmd_verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from symxent.canaries import run_canaries
    from symxent.verify import verify

    registry = _registry(args, err)
    registry.select(args.names)  # unknown names fail here, before any work
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {args.jobs}")
    kmax = _positive_kmax(args.kmax)
    if args.module and args.names:
        raise UsageError("--module checks the derivation its file names; give no NAME with it")
    if args.exitfirst and not args.module:
        raise UsageError("--exitfirst goes with --module (the proofs of a full verify all run)")
    with _prover_settings(args.timeout, args.no_cache):
        if args.module:
            from symxent.verify import Report, verify_module

            report = Report()
            for path in args.module:
                try:
                    one = verify_module(registry, path, kmax=kmax, exitfirst=args.exitfirst)
                except (OSError, ValueError, KeyError) as exc:
                    raise UsageError(str(exc).strip('"')) from None
                report.numeric += one.numeric
                report.seconds += one.seconds
                if args.exitfirst and not one.ok:
                    break
        else:
            # the prover checks itself on every run: the canaries, in the same processes
            report = verify(registry, args.names, kmax=kmax, jobs=args.jobs, directories=args.derivations,
                            generated=args.generated, with_canaries=True)
        if not args.module:
            canaries = report.canaries
        else:  # a failure found with --exitfirst is the verdict already
            canaries = [] if args.exitfirst and not report.ok else run_canaries()
    all_caught = all(c.caught for c in canaries)
    status = 2 if registry.errors else 0 if report.ok and all_caught else 1
    if args.json:
        json.dump(_report_json(report, registry.errors, canaries, registry), out, indent=2, default=str)
        out.write("\n")
        return status
    header = ("derivation", "claim / check", "fixed K", "general K", "numeric max err", "time")
    rows = [header] + _verify_rows(report, registry)
    widths = [min(max(len(r[i]) for r in rows), 72) for i in range(len(header))]
    for n, row in enumerate(rows):
        print("  ".join(cell[:72].ljust(w) for cell, w in zip(row, widths)).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)
    _print_accuracy(report, out)
    counts, failures = _failures(report, registry)
    claims = sum(len(p.claims) for p in report.proofs)
    steps = sum(len(p.steps) for p in report.proofs)
    problems = ", ".join(f"{v} {what}{'' if v == 1 else 's'} {verdict}"
                         for (what, verdict), v in counts.items() if v) or "0 failed"
    canary_line, canary_failures = _canary_summary(canaries)
    print(f"\n{len(report.proofs)} derivations: {claims} claims, {steps} steps, {len(report.numeric)} numeric checks; "
          f"{problems}; {canary_line}; {report.seconds:.1f}s (Kmax={kmax})", file=out)
    for line in failures + canary_failures:
        print(line, file=out)
    if registry.errors:
        print(f"symxent: {len(registry.errors)} derivation file(s) could not be loaded (see above)", file=err)
    return status


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from symxent.check import run_check

    if args.k < 2:
        raise UsageError(f"--K must be at least 2, got {args.k}")
    return run_check(args.files, K=args.k, defines=args.define, as_json=args.json, timeout=args.timeout,
                     out=out, err=err)


def _cmd_test(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from symxent import testing

    registry = _registry(args, err)
    try:
        options = dict(testing.parse_option(text) for text in args.option)
        fn = testing.load_function(args.function)
        report = testing.compare(fn, args.against, registry=registry, targets=args.targets,
                                 dtypes=tuple(args.dtype or ("float64", "float32")), seed=args.seed, **options)
    except testing.TestingError as exc:
        raise UsageError(str(exc)) from None
    print(report, file=out)
    return 1 if not report.ok else _load_status(registry)


COMMANDS = {"list": _cmd_list, "derive": _cmd_derive, "latex": _cmd_latex, "generate": _cmd_generate,
            "verify": _cmd_verify, "check": _cmd_check, "test": _cmd_test}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (tests call this directly)."""
    from symxent.registry import UnknownDerivation

    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        with _template_settings(getattr(args, "templates", [])):
            return COMMANDS[args.command](args, out, err)
    except UsageError as exc:
        print(f"symxent: error: {exc}", file=err)
        return 2
    except UnknownDerivation as exc:
        print(f"symxent: error: {exc}", file=err)
        return 2
    except BrokenPipeError:  # `symxent ... | head`: the reader left; nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return 0
    except OSError as exc:
        print(f"symxent: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=err)
        return 2
    except SystemExit as exc:  # --help and --version exit 0 through argparse
        return int(exc.code or 0)


def main_entry() -> None:
    """The ``symxent`` console script."""
    raise SystemExit(main())
