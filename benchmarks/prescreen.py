#!/usr/bin/env python3
"""Cost of each rule's pre-screen (`wants`) per file, on the benchmark's corpora.

    python benchmarks/prescreen.py [--target-version 2.5.1]

The pre-screen (`tokens`, then `wants`) runs on every file of every run, so it must cost microseconds; this prints which
rule's screen costs what, and how many files of each corpus it lets through to the parser.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import CLEAN, DIRTY  # noqa: E402

from dagshift.rules import default_registry  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-version", default="2.5.1")
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--real", action="store_true", help="the real-world corpora (benchmarks/corpora.py) instead")
    args = parser.parse_args()
    if args.real:
        from corpora import build

        sources = {name: sorted((build(name) or Path("/nonexistent")).rglob("*.py")) for name in ("1.10", "migrated")}
        corpora = {name: [p.read_text(encoding="utf-8", errors="replace") for p in paths]
                   for name, paths in sources.items()}
    else:
        corpora = {name: [f"# copy {i}\n" + p.read_text() for i in range(args.copies) for p in paths]
                   for name, paths in (("1.10", DIRTY), ("migrated", CLEAN))}
    rules = [cls() for cls in default_registry() if "python" in cls.kinds and not cls.emitted_by_engine]
    for rule in rules:  # first call loads tables: not part of the per-file cost
        rule.screen("", args.target_version)
    print(f"{'rule':<8} " + " ".join(f"{name + ' µs/file':>18} {'passed':>7}" for name in corpora))
    totals = dict.fromkeys(corpora, 0.0)
    for rule in rules:
        cells = []
        for name, texts in corpora.items():
            started = time.perf_counter()
            passed = sum(1 for text in texts if rule.screen(text, args.target_version))
            cost = (time.perf_counter() - started) / len(texts) * 1e6
            totals[name] += cost
            cells.append(f"{cost:>18.1f} {passed / len(texts):>7.0%}")
        print(f"{rule.code:<8} " + " ".join(cells))
    print(f"{'sum':<8} " + " ".join(f"{totals[name]:>18.1f} {'':>7}" for name in corpora))
    # As the engine runs them: every rule on one file, so screens the rules share are paid once.
    cells = []
    for texts in corpora.values():
        texts = [text + " " for text in texts]  # new objects: nothing cached from the loop above
        started = time.perf_counter()
        parsed = sum(1 for text in texts if [r for r in rules if r.screen(text, args.target_version)])
        cost = (time.perf_counter() - started) / len(texts) * 1e6
        cells.append(f"{cost:>18.1f} {parsed / len(texts):>7.0%}")
    print(f"{'per file':<8} " + " ".join(cells) + "   (all rules in a row, as the engine runs them)")


if __name__ == "__main__":
    main()
