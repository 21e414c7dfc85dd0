"""The benchmark's real-world rows: the corpora of benchmarks/corpora.py (DAGs nobody here wrote),
each copied to about --real-files files (a distinct first line per copy, so no two hash alike),
measured cold, warm and next to ruff in the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from corpora import TARGETS, build


def copies(source: Path, folder: Path, total: int) -> list[Path]:
    files = sorted(source.rglob("*.py"))
    out = []
    for i in range(max(total, len(files))):
        original = files[i % len(files)]
        path = folder / f"copy{i // len(files):02d}" / original.relative_to(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"# copy {i}\n".encode() + original.read_bytes())
        out.append(path)
    return out


def real_rows(args: Any, check: list[str], env: dict, work: Path, measure: Callable, parse_time: Callable,
              row: Callable) -> list[str]:
    """Adds the rows; returns the ratio lines to print (empty when the corpora cannot be had)."""
    lines = []
    by: dict[str, float] = {}
    rss: dict[str, float] = {}

    def timed(name: str, command: list[str], cwd: Path, files: int, repeat: int) -> None:
        seconds, peak, _ = measure(command, cwd, env, repeat)
        row(name, files, seconds, peak)
        by[name], rss[name] = seconds, peak

    for kind, label in (("1.10", "real 1.10"), ("migrated", "real migrated")):
        source = build(kind)
        if source is None:
            lines.append(f"{label}: corpus unavailable (offline?), rows skipped")
            continue
        root = work / f"real-{kind}"
        files = copies(source / "dags", root / "dags", args.real_files)
        n = len(files)
        at = check[check.index("--target-version") + 1]
        check = [c if c != at else TARGETS[kind] for c in check]  # each corpus on its own era's target
        parse = parse_time(files, args.repeat)
        row(f"libcst parse only, {label}", n, parse, 0.0)
        for jobs in (1, args.jobs):
            timed(f"dagshift cold, {label}, --jobs {jobs}", check + ["--no-cache", "--jobs", str(jobs), "dags"], root, n,
                  args.repeat)
        measure(check + ["dags"], root, env)  # fill the cache
        timed(f"dagshift warm, {label}, concise", check + ["dags"], root, n, args.repeat)
        json_check = [c if c != "concise" else "json" for c in check]  # (the same target)
        timed(f"dagshift warm, {label}, json", json_check + ["dags"], root, n, 1)
        if args.ruff:
            timed(f"ruff --select AIR --no-cache, {label}", [args.ruff, "check", "--select", "AIR", "--no-cache",
                                                              "--quiet", "dags"], root, n, args.repeat)
        cold1, coldn = by[f"dagshift cold, {label}, --jobs 1"], by[f"dagshift cold, {label}, --jobs {args.jobs}"]
        ruff = by.get(f"ruff --select AIR --no-cache, {label}")
        if kind == "migrated":
            lines.append(f"{label}, 1 job: parse / dagshift (target >= 20):     {parse / cold1:.1f}")
            if ruff:
                lines.append(f"{label}, 1 job: dagshift / ruff (target <= 2):       {cold1 / ruff:.2f}")
        else:
            lines.append(f"{label}, 1 job: dagshift / bare parse (target <= 1.25): {cold1 / parse:.2f}")
            if ruff:
                lines.append(f"{label}, warm / ruff --no-cache (target <= 1):     "
                             f"{by[f'dagshift warm, {label}, concise'] / ruff:.2f}")
            lines.append(f"{label}, warm json peak RSS (target < 100 MB):    {rss[f'dagshift warm, {label}, json']:.0f} MB")
        lines.append(f"{label}, {args.jobs} jobs speed-up (target >= 1.7):          {cold1 / coldn:.2f}")
    return lines
