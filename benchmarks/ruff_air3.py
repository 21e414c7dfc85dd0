#!/usr/bin/env python3
"""dagshift against ruff's Airflow 3 rules, finding by finding, on our own Airflow 2 and 1.10 DAGs.

    python benchmarks/ruff_air3.py [--target 3.0.6] [--ruff ruff] [PATH ...]

Runs `ruff check --select AIR3 --preview` and `dagshift check --target-version T` on the same
repositories (default: tests/fixtures/airflow3/airflow2_repo and mwaa110_repo, written for this)
and prints, as Markdown: every ruff finding with the dagshift finding that reports the same
construct (the symbol ruff names, in the same file), or why dagshift reports none; then every
dagshift finding no ruff finding matches. ruff points at each use, dagshift at the import (and
at uses where the fix edits them): the same construct is the same symbol in the same file.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT / "tests/fixtures/airflow3/airflow2_repo", ROOT / "tests/fixtures/airflow3/mwaa110_repo"]

# ruff findings dagshift does not repeat, and why (checked against the target's wheels).
EXPLAINED = {
    "airflow.DAG": "the target's wheel serves `airflow.DAG` without a warning (a suggestion, AIR311, not a deprecation)",
    "airflow.decorators.dag": "3.0.6's wheel serves `airflow.decorators.dag` without a warning; dagshift reports it from 3.2.1, where it warns",
    "airflow.decorators.task": "3.0.6's wheel serves `airflow.decorators.task` without a warning; dagshift reports it from 3.2.1, where it warns",
    "airflow.utils.task_group.TaskGroup": "moved in 3.1 (AIR321): on 3.0.6 the import is clean; dagshift reports it on 3.2.1 and 3.3.1",
}


def ruff_findings(ruff: str, paths: list[Path]) -> list[dict]:
    done = subprocess.run([ruff, "check", "--select", "AIR3", "--preview", "--no-cache", "--output-format", "json",
                           "--exit-zero", *map(str, paths)], capture_output=True, text=True, check=True, cwd=ROOT)
    return [{"file": Path(f["filename"]).resolve().relative_to(ROOT).as_posix(), "line": f["location"]["row"],
             "code": f["code"], "message": f["message"], "symbol": _symbol(f["message"])} for f in json.loads(done.stdout)]


def dagshift_findings(target: str, paths: list[Path]) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "dagshift", "check", "--target-version", target, "--format", "json",
                           "--no-cache", "--exit-zero", *map(str, paths)], capture_output=True, text=True, cwd=ROOT)
    return [{"file": Path(f["path"]).as_posix(), "line": f["line"], "code": f["code"], "message": f["message"]}
            for f in json.loads(done.stdout)]


def _symbol(message: str) -> str:
    found = re.search(r"`([^`]+)`", message)
    return found.group(1) if found else message


def same_construct(ruff: dict, ours: dict) -> bool:
    """The symbol ruff names is one dagshift's message names: the same path, keyword, decorator or
    (for a dotted path) class, written in backticks or opening the message ("DummyOperator was...")."""
    if ours["file"] != ruff["file"]:
        return False
    symbol = ruff["symbol"]
    last = symbol.rpartition(".")[2]
    for token in re.findall(r"`([^`]+)`", ours["message"]):
        bare = token.lstrip("@").rstrip("=").removesuffix("()")
        if bare == symbol or bare == last or bare.endswith("." + last) and ("." not in symbol or bare == symbol):
            return True
        if "." in symbol and bare.endswith("." + last) and ours["code"].startswith("DS1"):
            return True  # (an import finding names the path the file imports, ruff the same class)
    return "." in symbol and ours["message"].startswith(f"{last} ")


def compare(target: str, ruff_rows: list[dict], ours: list[dict]) -> tuple[list[str], list[str], int]:
    rows, used, missed = [], set(), 0
    for r in ruff_rows:
        matches = [i for i, o in enumerate(ours) if same_construct(r, o)]
        used.update(matches)
        if matches:
            best = min(matches, key=lambda i: abs(ours[i]["line"] - r["line"]))
            answer = f"{ours[best]['code']} (line {ours[best]['line']})"
        elif r["symbol"] in EXPLAINED:
            answer = "— " + EXPLAINED[r["symbol"]]
        else:
            answer, missed = "**missed**", missed + 1
        rows.append(f"| {r['file']}:{r['line']} | {r['code']} | `{r['symbol']}` | {answer} |")
    only = [f"| {o['file']}:{o['line']} | {o['code']} | {o['message'][:110]}{'…' if len(o['message']) > 110 else ''} |"
            for i, o in enumerate(ours) if i not in used]
    return rows, only, missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="3.0.6")
    parser.add_argument("--ruff", default="ruff")
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT)
    args = parser.parse_args()
    version = subprocess.run([args.ruff, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    ruff_rows, ours = ruff_findings(args.ruff, args.paths), dagshift_findings(args.target, args.paths)
    rows, only, missed = compare(args.target, ruff_rows, ours)
    print(f"{version} `--select AIR3 --preview` against dagshift `--target-version {args.target}`: "
          f"{len(ruff_rows)} ruff findings, {len(ruff_rows) - missed} reported by dagshift or explained, "
          f"{missed} missed; {len(ours)} dagshift findings, {len(only)} of them on constructs ruff does not report.\n")
    print("| ruff finding | code | symbol | dagshift |\n|---|---|---|---|")
    print("\n".join(rows))
    print("\nWhat dagshift reports that ruff does not:\n\n| where | code | dagshift says |\n|---|---|---|")
    print("\n".join(only))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
