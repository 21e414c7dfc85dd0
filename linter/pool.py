"""Checking many files: settled ones here, the ones that need a parse in a process pool."""

from __future__ import annotations

from typing import Any, Callable, Optional

from dagshift.linter import datacache
from dagshift.linter.cache import ResultCache
from dagshift.linter.checker import FileChecker
from dagshift.linter.discovery import FileEntry
from dagshift.linter.plan import Plan
from dagshift.linter.results import FileResult

# Below this many files a process pool costs more to start than it saves.
PARALLEL_THRESHOLD = 24
# Below this many files the pre-screen runs here even with several jobs: starting the pool for
# files that turn out to need no parse costs more than screening them.
PARALLEL_SCREEN_THRESHOLD = 400

_worker_state: dict[str, Any] = {}


def _init_worker(
    plan: Plan, facts: dict[str, Any], records: dict[str, list[tuple[str, Any]]], cache: Optional[ResultCache]
) -> None:
    datacache.configure(plan.settings.cache_dir)  # a spawned worker starts without the parent's setting
    _worker_state["checker"] = FileChecker(plan, facts, records, cache)


def _check_chunk(chunk: list[FileEntry], mode: str) -> list[FileResult]:
    checker: FileChecker = _worker_state["checker"]
    return [checker.check(entry, mode) for entry in chunk]  # type: ignore[misc]


def run_checks(
    files: list[FileEntry],
    plan: Plan,
    facts: dict[str, Any],
    records: dict[str, list[tuple[str, Any]]],
    mode: str,
    jobs: int,
    cache: Optional[ResultCache] = None,
    progress: Optional[Callable[..., None]] = None,
) -> list[FileResult]:
    if not files:
        return []
    checker = FileChecker(plan, facts, records, cache)
    # First, here: look up the result cache, and pre-screen. Cached, migrated and non-Python files
    # are settled for a read and a few substring tests each; only files that need a parse go on to
    # the pool. With several jobs and many files, the pre-screen (a few hundred microseconds a
    # file) is left to the pool as well, which runs it on every core.
    parallel = jobs > 1 and len(files) >= PARALLEL_SCREEN_THRESHOLD
    done: dict[int, FileResult] = {}
    pending: list[int] = []
    if parallel and cache is None:
        pending = list(range(len(files)))
    else:
        in_process = jobs <= 1  # then the parse happens here too, in the same call
        for i, entry in enumerate(files):
            result = checker.check(entry, mode, parse=in_process, screen=not parallel)
            if result is None:
                pending.append(i)
            else:
                done[i] = result
                if progress is not None:
                    progress(1)
    parsed = _parse_and_check([files[i] for i in pending], checker, mode, jobs, progress)
    done.update(zip(pending, parsed))
    return [done[i] for i in range(len(files))]


def _parse_and_check(
    files: list[FileEntry], checker: FileChecker, mode: str, jobs: int, progress: Optional[Callable[..., None]]
) -> list[FileResult]:
    if not files:
        return []
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        done = []
        for entry in files:
            done.append(checker.check(entry, mode))
            if progress is not None:
                progress(1)
        return done  # type: ignore[return-value]
    # Imported here: a small run (a pre-commit call on one file) never pays for it.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Several chunks per worker keep both cores busy when file sizes vary.
    size = max(1, min(64, len(files) // (jobs * 4)))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker,
            initargs=(checker.plan, checker.facts, checker.records, checker.cache),
        ) as pool:
            results: list[FileResult] = []
            for part in pool.map(_check_chunk, chunks, [mode] * len(chunks)):
                results.extend(part)
                if progress is not None:
                    progress(len(part))
        return results
    except (BrokenProcessPool, OSError):
        # A worker died (killed, or out of memory): check the files here instead, one by one.
        return [checker.check(entry, mode) for entry in files]  # type: ignore[misc]
