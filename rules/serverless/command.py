"""`dagshift convert --to mwaa-serverless [PATH ...] [--out DIR] [--config FILE]`: settings, files and
the two runs (`check` and the safe fixes, on the serverless target), then convert.py's verdicts.

Exit codes as `check`'s: 0 every DAG moves as it is, 1 some DAG needs `--fix` or cannot move,
2 a usage or configuration error, or a file that could not be read or parsed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from dagshift.linter.results import CHECK, DIFF

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def main(args: Any, registry: Any) -> int:
    from dagshift.linter import engine
    from dagshift.linter.config import ConfigError, load_settings
    from dagshift.linter.discovery import discover
    from dagshift.rules.serverless.convert import AS_IS, convert, render

    paths = args.paths or [Path(".")]
    try:
        settings = load_settings(paths, {"target-version": "serverless", "unsafe-fixes": False, "cache": False},
                                 registry.codes(), args.config)
    except ConfigError as exc:
        print(f"dagshift: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    files, problems = discover(paths, settings)
    out = args.out.resolve()  # what an earlier run wrote is not the repository's
    files = [f for f in files if not f.path.resolve().is_relative_to(out)]
    for problem in problems:
        print(f"dagshift: error: {problem.path}: {problem.message}", file=sys.stderr)
    checked = engine.run(files, registry, settings, mode=CHECK, jobs=1)
    fixed = engine.run(files, registry, settings, mode=DIFF, jobs=1)
    failed = [r for r in checked.files if r.failed]
    for result in failed:
        for d in result.diagnostics:
            print(f"dagshift: error: {d.path}:{d.location.line}:{d.location.column}: {d.code} {d.message}",
                  file=sys.stderr)
    verdicts = convert(checked, fixed, settings.platform, args.out)
    sys.stdout.write(render(verdicts, args.out.as_posix()))
    if problems or failed:
        return EXIT_ERROR
    return EXIT_CLEAN if all(v.status == AS_IS for v in verdicts) else EXIT_FINDINGS
