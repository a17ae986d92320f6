#!/usr/bin/env python3
"""Score ``symxent check`` against hand-labelled real notes.

Usage::

    python score_check.py NOTES_DIR LABELS.json [--symxent PATH] [--timeout S] [--json]

``LABELS.json`` maps a note's path (for example ``"notes/01-foo.md"``) to
``{"steps": [{"line": L, "n": N, "label": LABEL, ...}, ...]}`` where ``line`` is the
1-based line on which the step's right-hand member starts, ``n`` the index of the step
among the steps whose right-hand member starts on that line, and ``LABEL`` one of
``correct``, ``wrong``, ``definition``, ``not a claim`` or ``undecidable``.

For every labelled note the checker is run once (``symxent check --json FILE``, in its own
subprocess, with a timeout).  Its steps are numbered the same way (by ``line`` and by order
of appearance within a line) and matched to the labels by ``(line, n)``.  A crash, a
timeout or output that is not JSON counts as "no verdict" for every step of that note and
is reported.

Figures, per note and in total:

* labelled: steps labelled ``correct`` or ``wrong``;
* coverage: of those, the share that received an ``ok`` or ``wrong`` verdict;
* slips found: ``wrong`` labels with a ``wrong`` verdict on the same line (any ``n``),
  out of all ``wrong`` labels;
* false WRONG: ``wrong`` verdicts on steps labelled ``correct``, ``definition``,
  ``not a claim`` or ``undecidable``;
* false ok: ``ok`` verdicts on steps labelled ``wrong``;
* unlabelled: checker steps that match no label (listed, so the labels can be completed);
* time: wall-clock seconds of the checker on the note.

The script uses the standard library only and always exits 0.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LABELS = ("correct", "wrong", "definition", "not a claim", "undecidable")
VERDICTS = ("ok", "wrong", "unparsed", "not checkable", "definition")


@dataclass
class NoteResult:
    """Everything measured on one note."""

    note: str
    path: str
    seconds: float = 0.0
    error: str = ""
    labelled: int = 0
    covered: int = 0
    slips: int = 0
    slips_found: int = 0
    false_wrong: list[dict[str, Any]] = field(default_factory=list)
    false_ok: list[dict[str, Any]] = field(default_factory=list)
    missed_slips: list[dict[str, Any]] = field(default_factory=list)
    unlabelled: list[dict[str, Any]] = field(default_factory=list)
    unmatched_labels: int = 0
    confusion: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["confusion"] = {f"{k[0]} -> {k[1]}": v for k, v in sorted(self.confusion.items())}
        return d


def find_note(notes_dir: Path, key: str) -> Path | None:
    """Resolve a labels.json key to a file, trying the usual layouts."""
    for cand in (notes_dir / key, notes_dir / Path(key).name, notes_dir.parent / key):
        if cand.is_file():
            return cand
    return None


def number_steps(steps: list[dict[str, Any]]) -> dict[tuple[int, int], dict[str, Any]]:
    """Key checker steps by (line, n), n counting steps on the same line in output order."""
    seen: Counter = Counter()
    keyed: dict[tuple[int, int], dict[str, Any]] = {}
    for st in steps:
        line = int(st.get("line", 0))
        keyed[(line, seen[line])] = st
        seen[line] += 1
    return keyed


def run_checker(symxent: str, path: Path, timeout: float) -> tuple[list[dict[str, Any]] | None, str, float]:
    """Run the checker on one file; return (steps or None, error text, seconds)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([symxent, "check", "--json", str(path)], capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout:g} s", time.perf_counter() - t0
    except OSError as exc:
        return None, f"could not run checker: {exc}", time.perf_counter() - t0
    secs = time.perf_counter() - t0
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
        return None, f"no JSON (exit {proc.returncode}): {tail[0][:200]}", secs
    steps = [s for f in data.get("files", []) for s in f.get("steps", [])]
    return steps, "", secs


def score_note(key: str, path: Path, labels: list[dict[str, Any]], symxent: str,
               timeout: float) -> NoteResult:
    """Run the checker on one note and compare its verdicts with the labels."""
    res = NoteResult(note=key, path=str(path))
    steps, res.error, res.seconds = run_checker(symxent, path, timeout)
    verdicts = number_steps(steps or [])
    wrong_lines = {ln for (ln, _), st in verdicts.items() if st.get("status") == "wrong"}
    labelled_keys = set()
    for lab in labels:
        k = (int(lab["line"]), int(lab.get("n", 0)))
        labelled_keys.add(k)
        label = lab["label"]
        st = verdicts.get(k)
        verdict = st.get("status", "?") if st else "no verdict"
        if st is None:
            res.unmatched_labels += 1
        res.confusion[(label, verdict)] += 1
        brief = {"line": k[0], "n": k[1], "label": label, "verdict": verdict,
                 "detail": (st or {}).get("detail", "")[:160], "lhs": lab.get("lhs", ""),
                 "rhs": lab.get("rhs", "")}
        if label in ("correct", "wrong"):
            res.labelled += 1
            if verdict in ("ok", "wrong"):
                res.covered += 1
        if label == "wrong":
            res.slips += 1
            if k[0] in wrong_lines:
                res.slips_found += 1
            else:
                res.missed_slips.append(brief)
            if verdict == "ok":
                res.false_ok.append(brief)
        elif verdict == "wrong":
            res.false_wrong.append(brief)
    for k, st in sorted(verdicts.items()):
        if k not in labelled_keys:
            res.unlabelled.append({"line": k[0], "n": k[1], "status": st.get("status"),
                                   "detail": st.get("detail", "")[:120]})
    return res


def pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100.0 * a / b:.0f}%)" if b else f"{a}/0"


def print_report(results: list[NoteResult]) -> None:
    """Human-readable report: one block per note, then the totals."""
    for r in results:
        head = f"== {r.note}  [{r.seconds:.1f} s]"
        if r.error:
            head += f"  CHECKER FAILED: {r.error}"
        print(head)
        print(f"   labelled {r.labelled}  coverage {pct(r.covered, r.labelled)}  "
              f"slips found {pct(r.slips_found, r.slips)}  false WRONG {len(r.false_wrong)}  "
              f"false ok {len(r.false_ok)}  unlabelled checker steps {len(r.unlabelled)}")
        for b in r.false_wrong:
            print(f"   false WRONG  line {b['line']} n{b['n']} ({b['label']}): {b['detail']}")
        for b in r.false_ok:
            print(f"   false ok     line {b['line']} n{b['n']}: {b['lhs'][:50]} = {b['rhs'][:50]}")
        for b in r.missed_slips:
            print(f"   missed slip  line {b['line']} n{b['n']} -> {b['verdict']}")
        for u in r.unlabelled:
            print(f"   unlabelled   line {u['line']} n{u['n']} {u['status']}: {u['detail']}")
    tot = totals(results)
    print("== TOTAL")
    print(f"   notes {tot['notes']}  checker failures {tot['failures']}  "
          f"time {tot['seconds']:.1f} s")
    print(f"   labelled correct+wrong {tot['labelled']}  coverage {pct(tot['covered'], tot['labelled'])}")
    print(f"   slips found {pct(tot['slips_found'], tot['slips'])}")
    print(f"   false WRONG {tot['false_wrong']}  false ok {tot['false_ok']}  "
          f"unlabelled checker steps {tot['unlabelled']}  labels with no checker step "
          f"{tot['unmatched_labels']}")
    print("   label -> verdict:")
    for k, v in sorted(tot["confusion"].items()):
        print(f"      {k:<34} {v}")


def totals(results: list[NoteResult]) -> dict[str, Any]:
    conf: Counter = Counter()
    for r in results:
        conf.update({f"{a} -> {b}": n for (a, b), n in r.confusion.items()})
    return {
        "notes": len(results),
        "failures": sum(1 for r in results if r.error),
        "seconds": sum(r.seconds for r in results),
        "labelled": sum(r.labelled for r in results),
        "covered": sum(r.covered for r in results),
        "slips": sum(r.slips for r in results),
        "slips_found": sum(r.slips_found for r in results),
        "false_wrong": sum(len(r.false_wrong) for r in results),
        "false_ok": sum(len(r.false_ok) for r in results),
        "unlabelled": sum(len(r.unlabelled) for r in results),
        "unmatched_labels": sum(r.unmatched_labels for r in results),
        "confusion": dict(conf),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notes_dir", type=Path, help="directory holding the labelled notes")
    ap.add_argument("labels", type=Path, help="labels.json")
    ap.add_argument("--symxent", default=shutil.which("symxent") or "symxent",
                    help="path to the symxent executable (default: from PATH)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per note (default 120)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    args = ap.parse_args(argv)

    labels = json.loads(args.labels.read_text(encoding="utf-8"))
    results: list[NoteResult] = []
    for key in sorted(labels):
        path = find_note(args.notes_dir, key)
        steps = labels[key].get("steps", [])
        if path is None:
            r = NoteResult(note=key, path="", error="note file not found")
            r.labelled = sum(1 for s in steps if s["label"] in ("correct", "wrong"))
            r.slips = sum(1 for s in steps if s["label"] == "wrong")
            results.append(r)
            continue
        results.append(score_note(key, path, steps, args.symxent, args.timeout))
    if args.json:
        json.dump({"notes": [r.as_dict() for r in results], "total": totals(results)},
                  sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_report(results)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into head & co.
        sys.exit(0)
