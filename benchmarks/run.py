#!/usr/bin/env python3
"""dagshift speed, side by side in one run: bare libcst parsing, dagshift cold (1 job, N jobs),
dagshift warm (result cache), an already-migrated corpus, one file, and ruff's AIR rules if
ruff is installed. Prints seconds, files/s, peak RSS and the ratios the project targets.

    python benchmarks/run.py                 # 2,400 1.10 DAGs + 2,400 migrated DAGs, 2 jobs
    python benchmarks/run.py --python /path/to/venv/bin/python --rss-files 10000
    python benchmarks/run.py --dirty-from ~/src/airflow-1.10-dags --clean-from ~/src/airflow-2-dags
    python benchmarks/run.py --no-real       # our fixture corpus only (no downloads)

The real-world rows (benchmarks/corpora.py) check DAGs nobody here wrote: Airflow 1.10's and the
1.10 backport providers' example DAGs, and Airflow 2.x's and providers' example DAGs, fetched
once as official wheels into ~/.cache/dagshift-bench.

Each timing is the best of --repeat runs; the corpus is mostly 5 KB DAG files (the size the
issue's libcst figures describe) with a distinct first line each, so no two files hash alike.

Run by hand, not by CI: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from real import real_rows  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
BENCH = FIXTURES / "benchmark"
# Realistic DAG files: the warehouse pair (5 KB, the size the libcst figures in issue #8 describe)
# twice for each smaller fixture, so the corpus is mostly full-size DAGs.
DIRTY = [BENCH / "warehouse_dag_1_10.py", FIXTURES / "imports" / "mwaa_emr_dag.py", BENCH / "warehouse_dag_1_10.py",
         FIXTURES / "dag_api" / "reporting_dag.py", BENCH / "warehouse_dag_1_10.py",
         FIXTURES / "legacy_repo" / "dags" / "etl_daily.py"]
CLEAN = [BENCH / "warehouse_dag_migrated.py", BENCH / "migrated_emr_dag.py", BENCH / "warehouse_dag_migrated.py",
         BENCH / "migrated_reporting_dag.py"]


def corpus(folder: Path, sources: list[Path], count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        source = sources[i % len(sources)]
        path = folder / f"{source.stem.replace('.', '_')}_{i:05d}.py"
        # A distinct comment per copy, so no two files hash alike (as in a real repository).
        path.write_text(f"# copy {i}\n" + source.read_text())
        out.append(path)
    return out


def sources(folder: "Path | None") -> list[Path]:
    """The .py files below a folder given on the command line (a real repository's DAGs, say)."""
    if folder is None:
        return []
    found = sorted(p for p in folder.rglob("*.py") if p.is_file())
    if not found:
        raise SystemExit(f"no .py files under {folder}")
    return found


def measure(command: list[str], cwd: Path, env: dict, repeat: int = 1) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of a command: the best of `repeat` runs (shared machines are noisy)."""
    best = (float("inf"), 0.0, 0)
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        if elapsed < best[0]:
            best = (elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))
    return best


def parse_time(files: list[Path], repeat: int) -> float:
    """Best of `repeat` passes of libcst.parse_module over the files, in this process."""
    import libcst

    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for path in files:
            libcst.parse_module(path.read_bytes())
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dirty", type=int, default=2400, help="1.10 DAG files")
    parser.add_argument("--clean", type=int, default=2400, help="already-migrated DAG files")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--target-version", default="2.5.1")
    parser.add_argument("--dirty-from", type=Path, help="take the 1.10 DAGs from this folder's .py files instead")
    parser.add_argument("--clean-from", type=Path, help="take the migrated DAGs from this folder's .py files instead")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is kept")
    parser.add_argument("--rss-files", type=int, default=0, help="also check a corpus this large, for peak RSS")
    parser.add_argument("--real-files", type=int, default=2400,
                        help="files of each real-world corpus (benchmarks/corpora.py), copied up to this many")
    parser.add_argument("--no-real", dest="real", action="store_false", help="skip the real-world corpora")
    parser.add_argument("--ruff", default=shutil.which("ruff"), help="ruff to compare with (default: on PATH)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter whose dagshift is measured; use one with a regular (not editable) install, "
                             "as users have: an editable install adds an import hook to every start")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dagshift-bench-"))
    env = dict(os.environ, DAGSHIFT_CACHE_DIR=str(work / "cache"), NO_COLOR="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' Pythons write .pyc files; a run without them compiles dagshift
    dirty = corpus(work / "dirty" / "dags", sources(args.dirty_from) or DIRTY, args.dirty)
    clean = corpus(work / "clean" / "dags", sources(args.clean_from) or CLEAN, args.clean)
    check = [args.python, "-m", "dagshift", "check", "--target-version", args.target_version, "--format", "concise",
             "--quiet"]
    rows: list[tuple[str, int, float, float]] = []

    def row(name: str, files: int, seconds: float, rss: float) -> None:
        rows.append((name, files, seconds, rss))

    one = dirty[0].relative_to(work / "dirty")
    # The first run after an install builds the per-target data slices (linter/datacache.py), as
    # Python writes .pyc files; every later run reads them, with or without the result cache.
    seconds, rss, _ = measure(check + ["--no-cache", str(one)], work / "dirty", env)
    row("dagshift first run after install, one file", 1, seconds, rss)
    # Each baseline is measured next to the runs it is compared with: shared machines drift.
    row("libcst parse only (in-process), 1.10 corpus", len(dirty), parse_time(dirty, args.repeat), 0.0)
    for jobs in (1, args.jobs):
        seconds, rss, _ = measure(check + ["--no-cache", "--jobs", str(jobs), "dags"], work / "dirty", env, args.repeat)
        row(f"dagshift cold, 1.10 corpus, --jobs {jobs}", len(dirty), seconds, rss)
    row("libcst parse only (in-process), migrated corpus", len(clean), parse_time(clean, args.repeat), 0.0)
    for jobs in (1, args.jobs):
        seconds, rss, _ = measure(check + ["--no-cache", "--jobs", str(jobs), "dags"], work / "clean", env, args.repeat)
        row(f"dagshift cold, migrated corpus, --jobs {jobs}", len(clean), seconds, rss)
    measure(check + ["dags"], work / "dirty", env)  # fill the cache
    seconds, rss, _ = measure(check + ["dags"], work / "dirty", env, args.repeat)
    row("dagshift warm (cache), 1.10 corpus", len(dirty), seconds, rss)
    ruff = args.ruff
    if ruff:
        seconds, rss, _ = measure([ruff, "check", "--select", "AIR", "--no-cache", "--quiet", "dags"], work / "dirty", env,
                                  args.repeat)
        row("ruff --select AIR --no-cache, 1.10 corpus", len(dirty), seconds, rss)
    seconds, rss, _ = measure(check + ["--no-cache", str(one)], work / "dirty", env, max(args.repeat, 3))
    row("dagshift one file (pre-commit style)", 1, seconds, rss)
    if args.rss_files:
        big = corpus(work / "big" / "dags", DIRTY + CLEAN, args.rss_files)
        seconds, rss, _ = measure(check + ["--no-cache", "--jobs", str(args.jobs), "dags"], work / "big", env)
        row(f"dagshift cold, mixed corpus, --jobs {args.jobs}", len(big), seconds, rss)

    real_lines = real_rows(args, check, env, work, measure, parse_time, row) if args.real else []

    print(f"{'run':<52} {'files':>6} {'seconds':>8} {'files/s':>9} {'peak RSS':>9}")
    for name, files, seconds, rss in rows:
        rss_text = f"{rss:.0f} MB" if rss else "-"
        print(f"{name:<52} {files:>6} {seconds:>8.2f} {files / seconds:>9.0f} {rss_text:>9}")
    by = {name: seconds for name, _, seconds, _ in rows}
    parse_dirty = by["libcst parse only (in-process), 1.10 corpus"]
    parse_clean = by["libcst parse only (in-process), migrated corpus"]
    cold1 = by["dagshift cold, 1.10 corpus, --jobs 1"]
    coldn = by[f"dagshift cold, 1.10 corpus, --jobs {args.jobs}"]
    print()
    print(f"cold 1 job / bare parse (target <= 1.25):            {cold1 / parse_dirty:.2f}")
    print(f"{args.jobs} jobs speed-up over 1 job (target >= 1.7):          {cold1 / coldn:.2f}")
    for jobs in (1, args.jobs):
        ratio = parse_clean / by[f"dagshift cold, migrated corpus, --jobs {jobs}"]
        print(f"migrated, --jobs {jobs}: parse / dagshift (target >= 20): {ratio:.1f}")
    print(f"warm / cold 1 job:                                   {by['dagshift warm (cache), 1.10 corpus'] / cold1:.2f}")
    if ruff:
        print(f"warm / ruff --no-cache (target <= 1):                {by['dagshift warm (cache), 1.10 corpus'] / by['ruff --select AIR --no-cache, 1.10 corpus']:.2f}")
    print(f"one file (target < 0.4 s):                           {by['dagshift one file (pre-commit style)']:.2f} s")
    if args.rss_files:
        rss = {name: peak for name, _, _, peak in rows}[f"dagshift cold, mixed corpus, --jobs {args.jobs}"]
        print(f"peak RSS, {args.rss_files} files (target < 200 MB):        {rss:.0f} MB")
    if real_lines:
        print()
        print("\n".join(real_lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
