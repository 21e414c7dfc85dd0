#!/usr/bin/env python3
"""Where a cold check of a 1.10 DAG file spends its time, per file, in this process.

    python benchmarks/phases.py [--copies 20] [--profile]
    python benchmarks/phases.py --real migrated --target-version 2.11.0   # DAGs nobody here wrote

Prints the libcst parse alone, the node-offset pass (one code generation over the module), a
read-only walk, the name-use index, what every file pays before any parse (all rules' pre-screens,
CPython's syntax check), and a whole `FileChecker.check` (read, pre-screen, parse, every rule,
fixes) on the benchmark's 1.10 corpus, or on a real-world corpus (benchmarks/corpora.py); with
--profile, the functions of dagshift that cost most inside the whole check. It is the profile
behind the README's performance notes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import DIRTY  # noqa: E402


def per_file(label: str, work, count: int) -> float:
    started = time.perf_counter()
    work()
    cost = (time.perf_counter() - started) / count * 1e3
    print(f"{label:<44} {cost:7.2f} ms")
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--target-version", default="2.5.1")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--real", choices=("1.10", "migrated"), help="a real-world corpus instead (copies: 1)")
    args = parser.parse_args()

    import libcst as cst

    from dagshift.linter.checker import FileChecker
    from dagshift.linter.config import build_settings
    from dagshift.linter.discovery import FileEntry
    from dagshift.linter.names import NameUses
    from dagshift.linter.parsing import python_syntax_error
    from dagshift.linter.plan import Plan
    from dagshift.linter.positions import node_offsets
    from dagshift.linter.results import CHECK
    from dagshift.linter.walk import walk
    from dagshift.rules import default_registry

    paths = DIRTY
    if args.real:
        from corpora import build

        paths = sorted((build(args.real) or Path("/nonexistent")).rglob("*.py"))
        args.copies = 1
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in paths] * args.copies
    registry = default_registry()
    settings = build_settings({"target-version": args.target_version}, {}, registry.codes(), ROOT)
    plan = Plan(registry, settings, details=False)
    checker = FileChecker(plan, {}, {})
    entries = [FileEntry(path, path.name, path.name, "python", True, True) for path in paths] * args.copies
    for entry in entries[: len(paths)]:
        checker.check(entry, CHECK)  # tables loaded, caches warm: not part of the per-file cost
    count = len(texts)
    rules = [rule for rule in plan.rules_for(entries[0])]
    fresh = [t + " " for t in texts]  # new objects: no screen answer cached from the warm-up
    screens = per_file("every rule's pre-screen (tokens, wants)", lambda: [checker._active(t, rules) for t in fresh],
                       count)
    syntax = per_file("CPython syntax check (ast.parse, in C)", lambda: [python_syntax_error(t) for t in texts], count)
    modules: list = []
    parse = per_file("libcst.parse_module", lambda: modules.extend(cst.parse_module(t) for t in texts), count)
    offsets = per_file("node offsets (one code generation pass)", lambda: [node_offsets(m) for m in modules], count)

    class Nothing:
        pass

    per_file("read-only walk, no visitor methods", lambda: [walk(m, Nothing()) for m in modules], count)
    per_file("name-use index (one walk)", lambda: [NameUses(m) for m in modules], count)
    whole = per_file("whole check (read, screen, parse, rules, fixes)", lambda: [checker.check(e, CHECK) for e in entries],
                     count)
    print(f"\nwhole check / parse: {whole / parse:.2f}; node offsets alone are {offsets / parse:.0%} of a parse")
    print(f"a file no rule wants pays at least screens + syntax check = {screens + syntax:.2f} ms: "
          f"parse / that = {parse / (screens + syntax):.1f}x at best")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [checker.check(e, CHECK) for e in entries])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(r"linter|rules|fixers", 20)


if __name__ == "__main__":
    main()
