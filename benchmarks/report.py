#!/usr/bin/env python3
"""`dagshift report` (every target's readiness) against one `dagshift check`, on our monorepo
fixture grown with DAGs and on the real-world corpora: the report's matrix shares each file's read,
syntax check and parse between the targets (linter/matrix.py); the target is within 2x a check.

    python benchmarks/report.py              # monorepo + 600 DAGs of ours, and the real corpora
    python benchmarks/report.py --no-real    # ours only (no downloads)

Prints seconds for: check, report --no-matrix (the chosen target), report (all targets), and the
report/check ratio. Cold runs (--no-cache), best of --repeat. Run by hand, not by CI.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import TARGETS, build  # noqa: E402
from run import CLEAN, DIRTY, corpus, measure  # noqa: E402


def repository(work: Path, dags: int) -> Path:
    """The monorepo fixture (three environments, task images, a Lambda) with `dags` more DAG files in
    its MWAA environment, half 1.10 code and half migrated."""
    repo = work / "monorepo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "environments" / "monorepo", repo)
    (repo / ".git").mkdir()
    corpus(repo / "mwaa" / "dags" / "legacy", DIRTY, dags // 2)
    corpus(repo / "mwaa" / "dags" / "migrated", CLEAN, dags - dags // 2)
    return repo


def row(label: str, repo: Path, target: str, python: str, repeat: int) -> None:
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    base = [python, "-m", "dagshift"]
    common = ["--target-version", target, "--no-cache"]
    check, _, _ = measure([*base, "check", *common, "--exit-zero", "--quiet"], repo, env, repeat)
    one, _, _ = measure([*base, "report", *common, "--no-matrix", "--output", "/dev/null"], repo, env, repeat)
    every, _, _ = measure([*base, "report", *common, "--output", "/dev/null"], repo, env, repeat)
    files = sum(1 for _ in repo.rglob("*") if _.is_file())
    print(f"{label:<34} {files:>6} {check:>8.2f} {one:>10.2f} {every:>10.2f} {every / check:>9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dags", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-real", dest="real", action="store_false")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    print(f"{'corpus':<34} {'files':>6} {'check s':>8} {'report 1 s':>10} {'report* s':>10} {'ratio':>10}")
    print("(report* = every target's readiness matrix; ratio = report* / check)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        row(f"monorepo + {args.dags} DAGs (3.0.6)", repository(work, args.dags), "3.0.6", args.python, args.repeat)
        if args.real:
            for kind, target in TARGETS.items():
                folder = build(kind)
                if folder is None:
                    print(f"{kind}: unavailable (offline)")
                    continue
                copy = work / f"real-{kind}"
                shutil.copytree(folder, copy)
                (copy / ".git").mkdir()
                row(f"real {kind} ({target})", copy, target, args.python, args.repeat)


if __name__ == "__main__":
    main()
