"""The `dagshift` command line. Heavy modules are imported only by the command that needs them."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence, TextIO

from dagshift.linter import __version__
from dagshift.linter.codes import FAILURE_CODES
from dagshift.linter.reporters import FORMATS

if TYPE_CHECKING:
    from dagshift.linter.registry import Registry

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="dagshift",
        description="Static compatibility linter and auto-fixer for Airflow repositories moving to any Amazon MWAA "
                    "target: 1.10 -> 2.x -> 3.",
    )
    parser.add_argument("--version", action="version", version=f"dagshift {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    check = sub.add_parser("check", help="check files and folders (default: the current folder)")
    _common(check)
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", default=None, help="with --fix or --diff, apply unsafe fixes too")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    check.add_argument("--format", choices=FORMATS, default=None)
    check.add_argument("--sarif-category", metavar="ID",
                       help="SARIF runAutomationDetails id (default: dagshift/airflow-<target>/)")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    check.add_argument("--statistics", action="store_true", help="show counts per rule")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    report = sub.add_parser("report", help="write a migration readiness report (HTML, or Markdown for pull requests)")
    _common(report)
    report.add_argument("--format", choices=("html", "markdown"), default="html")
    report.add_argument("--no-matrix", dest="matrix", action="store_false",
                        help="check the chosen target only (the readiness matrix checks every target)")
    report.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE (default: stdout)")

    envs = sub.add_parser("environments", help="show the Airflow environments the repository holds, and what is not Airflow's")
    envs.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    envs.add_argument("--format", choices=("text", "json"), default="text")
    envs.add_argument("--config", type=Path, metavar="FILE", help="pyproject.toml to read instead of the nearest one")

    conv = sub.add_parser("convert", help="write the DAGs that can move to MWAA Serverless as its YAML definitions")
    conv.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    conv.add_argument("--to", required=True, choices=("mwaa-serverless",), help="the platform to convert for")
    conv.add_argument("--out", type=Path, default=Path("serverless"), metavar="DIR", help="where to write (default: serverless/)")
    conv.add_argument("--config", type=Path, metavar="FILE", help="pyproject.toml to read instead of the nearest one")

    rule = sub.add_parser("rule", help="explain a rule")
    rule.add_argument("code", metavar="CODE")
    rule.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    rule.add_argument("--target-version", metavar="X.Y.Z", help="show the severities this target gives (default: "
                      "the default target's)")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rules.add_argument("--target-version", metavar="X.Y.Z", help="show the severities this target gives (default: "
                       "the default target's)")
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    """Options shared by `check` and `report`: what to read, and the settings to read it with."""
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.add_argument("--target-version", metavar="X.Y.Z", help=_target_help())
    parser.add_argument("--python-version", metavar="3.N", help="Python of the target environment")
    parser.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to enable (replaces the setting)")
    parser.add_argument("--extend-select", metavar="CODES", help="codes or prefixes to enable in addition")
    parser.add_argument("--ignore", metavar="CODES", help="codes or prefixes to disable")
    parser.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: CPU count; 1 runs in-process)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="pyproject.toml to read instead of the nearest one")
    parser.add_argument("--force-exclude", action="store_true", help="apply exclude patterns to files named on the command line too")
    parser.add_argument("--online", action="store_true", default=None,
                        help="fetch the constraint files requirements name (https; cached) instead of the bundled copies")
    parser.add_argument("--cache-dir", metavar="DIR", help="where results and downloads are cached (default: the user cache dir)")
    parser.add_argument("--no-cache", action="store_const", const=False, dest="cache", default=None,
                        help="neither read nor write the result cache")


def _target_help() -> str:
    from dagshift.linter.targets import creatable, default_target, supported_targets

    offered = [t.airflow + ("" if creatable(t) else "*") for t in supported_targets()]
    return (f"Airflow version to migrate to: {', '.join(offered)} (* MWAA no longer creates it); "
            f"default {default_target().airflow}, the newest Airflow 2 MWAA creates; `serverless` (or "
            "serverless-N): MWAA Serverless's engine, its Airflow version's rules plus its own")


def _codes(value: Optional[str]) -> Optional[list[str]]:
    if value is None:
        return None
    return [c.strip() for c in value.split(",") if c.strip()]


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def main(argv: Optional[Sequence[str]] = None, registry: Optional["Registry"] = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(args_list)
    except UsageError as exc:
        print(f"{exc}\nRun `dagshift --help` for usage.", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    if args.command is None:
        build_parser().print_help()
        return EXIT_ERROR
    if registry is None:
        from dagshift.rules import default_registry

        registry = default_registry()
    try:
        if args.command in ("rules", "rule"):
            return rules(args, registry)
        if args.command == "report":
            return report(args, registry)
        if args.command == "environments":
            return environments(args, registry)
        if args.command == "convert":  # the platform's family does the work (dagshift.rules.convert)
            from dagshift.rules import convert

            return convert(args, registry)
        return check(args, registry)
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        print("dagshift: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # one clear line instead of a traceback; DAGSHIFT_DEBUG=1 shows it
        if os.environ.get("DAGSHIFT_DEBUG"):
            raise
        print(f"dagshift: internal error: {type(exc).__name__}: {exc} (set DAGSHIFT_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return EXIT_ERROR


def rules(args: argparse.Namespace, registry: "Registry") -> int:
    """`dagshift rules` and `dagshift rule CODE`, with the severities of the target asked for."""
    from dagshift.linter.config import ConfigError, resolve_target
    from dagshift.linter.ruledocs import print_rule, print_rules
    from dagshift.linter.targets import parse_platform

    try:
        target = resolve_target(args.target_version, "--target-version").airflow
        platform = parse_platform(args.target_version) if args.target_version else None
    except ConfigError as exc:
        print(f"dagshift: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.command == "rules":
        return print_rules(registry, args.format, platform or target)
    return print_rule(registry, args.code, args.format, platform or target)


def _settings(args: argparse.Namespace, registry: "Registry", paths: list[Path]) -> Any:
    from dagshift.linter.config import load_settings

    overrides = {
        "target-version": args.target_version,
        "python-version": args.python_version,
        "select": _codes(args.select),
        "extend-select": _codes(args.extend_select),
        "ignore": _codes(args.ignore),
        "unsafe-fixes": getattr(args, "unsafe_fixes", None),
        "jobs": args.jobs,
        "online": args.online,
        "cache": args.cache,
        "cache-dir": str(Path(args.cache_dir).absolute()) if args.cache_dir else None,
    }
    return load_settings(paths, overrides, registry.codes(), args.config)


def _load(args: argparse.Namespace, registry: "Registry") -> Optional[tuple[Any, list, list]]:
    """Settings, the files to check and the paths that could not be found; None after a config error."""
    from dagshift.linter import engine
    from dagshift.linter.config import ConfigError
    from dagshift.linter.discovery import discover

    paths = args.paths or [Path(".")]
    try:
        settings = _settings(args, registry, paths)
    except ConfigError as exc:
        print(f"dagshift: error: {exc}", file=sys.stderr)
        return None
    files, problems = discover(paths, settings, force_exclude=args.force_exclude)
    return settings, files, [engine.engine_diagnostic(registry, "DS903", p.path, p.message) for p in problems]


def environments(args: argparse.Namespace, registry: "Registry") -> int:
    from dagshift.linter.config import ConfigError, load_settings
    from dagshift.linter.discovery import discover, display_path
    from dagshift.linter.environments_view import render_json, render_text
    from dagshift.linter.repository import environments as find

    paths = args.paths or [Path(".")]
    try:
        settings = load_settings(paths, {}, registry.codes(), args.config)
    except ConfigError as exc:
        print(f"dagshift: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    files, problems = discover(paths, settings)
    for problem in problems:
        print(f"dagshift: error: {problem.path}: {problem.message}", file=sys.stderr)
    model = find(settings, files).restricted_to({f.relpath for f in files})
    shown = display_path(settings.root, Path.cwd())
    sys.stdout.write(render_json(model, shown) if args.format == "json" else render_text(model, shown))
    return EXIT_ERROR if problems else EXIT_CLEAN


def report(args: argparse.Namespace, registry: "Registry") -> int:
    from dagshift.linter import engine
    from dagshift.linter.plan_report import steps
    from dagshift.linter.report import model, render

    loaded = _load(args, registry)
    if loaded is None:
        return EXIT_ERROR
    settings, files, problem_diags = loaded
    others: list = []
    if args.matrix:  # every target in one pass over the files (linter/matrix.py), the chosen one first
        result, others = _matrix_runs(files, registry, settings, problem_diags)
    else:
        result = engine.run(files, registry, settings, mode=engine.CHECK, problems=problem_diags,
                            progress=_progress(len(files)))
    data = model(result, registry, settings)
    data["steps"] = steps(result, registry, settings.target_version)
    if args.matrix:
        data["matrix"] = _matrix_rows(registry, settings, data, others)
    text = render(args.format, data)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_CLEAN
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"dagshift: error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_CLEAN


def _matrix_runs(files: Any, registry: "Registry", settings: Any, problems: Any) -> tuple[Any, list]:
    """The chosen target's run, and (target, settings, run) for each other target a migration can
    land on (those MWAA creates environments on): one pass over the files, sharing each file's read
    and parse between the targets."""
    from dagshift.linter.matrix import run_matrix, target_settings
    from dagshift.linter.repository import environments
    from dagshift.linter.targets import creatable, supported_targets

    others = [(t, target_settings(settings, t.airflow, t.python)) for t in supported_targets()
              if creatable(t) and t.airflow != settings.target_version]
    jobs = settings.jobs or os.cpu_count() or 1
    runs = run_matrix(files, registry, [settings, *(s for _, s in others)], environments(settings, files), problems, jobs)
    return runs[0], [(t, s, run) for (t, s), run in zip(others, runs[1:])]


def _matrix_rows(registry: "Registry", settings: Any, chosen: Any, others: list) -> list:
    """One readiness row per target: the chosen one, and the others in version order."""
    from dagshift.linter.plan_report import target_row
    from dagshift.linter.report import model as report_model
    from dagshift.linter.targets import find_target, version_tuple

    rows = [target_row(report_model(run, registry, s), t, False) for t, s, run in others]
    here = find_target(settings.target_version)
    if here is not None:
        rows.append(target_row(chosen, here, True))
    return sorted(rows, key=lambda r: version_tuple(r.target))


def _progress(total: int) -> Any:
    """A rich progress bar on stderr for long runs at a terminal; None (silent) otherwise."""
    if total < 200 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(transient=True, console=Console(file=sys.stderr))
    task = bar.add_task("checking", total=total)
    bar.start()

    def advance(done: int, finished: bool = False) -> None:
        bar.update(task, advance=done)
        if finished:
            bar.stop()

    return advance


def _run_by_target(files: list, registry: "Registry", settings: Any, mode: str, problems: list, details: bool) -> Any:
    """One run, or one per target when a declared environment has its own (`target-version` in
    [[tool.dagshift.environments]]): each environment's files on its target, the rest on the run's."""
    from dagshift.linter import engine
    from dagshift.linter.matrix import target_settings
    from dagshift.linter.repository import environments
    from dagshift.linter.results import RunResult
    from dagshift.linter.targets import find_target, split_target

    model = environments(settings, files)
    own = {i: env.target for i, env in enumerate(model.environments)
           if env.target and env.target != settings.target_name}
    if not own:
        return engine.run(files, registry, settings, mode=mode, problems=problems, progress=_progress(len(files)),
                          details=details, model=model)
    groups: dict[str, list] = {}
    for entry in files:
        member = model.member(entry.relpath)
        target = own.get(member.environment) if member is not None and member.environment is not None else None
        groups.setdefault(target or settings.target_name, []).append(entry)
    results: list = []
    for target, group in sorted(groups.items()):
        airflow, platform = split_target(target)  # ("3.0.6", "serverless-1") for a Serverless environment
        found = find_target(airflow)
        assert found is not None  # (config.py checked it)
        chosen = settings if target == settings.target_name else target_settings(settings, airflow, found.python,
                                                                                     platform)
        results.extend(engine.run(group, registry, chosen, mode=mode, details=details, model=model).files)
    return RunResult(sorted(results, key=lambda r: r.entry.display), list(problems), model)


def check(args: argparse.Namespace, registry: "Registry") -> int:
    from dagshift.linter import engine
    from dagshift.linter.reporters import pieces
    from dagshift.linter.reporters.context import ReportContext

    loaded = _load(args, registry)
    if loaded is None:
        return EXIT_ERROR
    settings, files, problem_diags = loaded
    if not files and not problem_diags and not args.quiet:
        shown = ", ".join(str(p) for p in args.paths) or "."
        print(f"dagshift: warning: no files to check in {shown} (nothing dagshift reads is there, "
              "or every file is excluded)", file=sys.stderr)
    # --diff shows what --fix would write, so it wins when both are given.
    mode = engine.DIFF if args.diff else (engine.FIX if args.fix else engine.CHECK)
    fmt = args.format or "text"
    details = mode == engine.DIFF or fmt not in ("concise", "github")
    result = _run_by_target(files, registry, settings, mode, problem_diags, details)

    stream: TextIO = sys.stdout
    if mode == engine.DIFF:
        diffs = "".join(engine.unified_diff(r) for r in result.files if r.new_bytes is not None)
        stream.write(diffs)
        stream.flush()
        changed = sum(1 for r in result.files if r.new_bytes is not None)
        if not args.quiet:
            print(f"{changed} file{'s' if changed != 1 else ''} would be changed "
                  f"({result.fixed} finding{'s' if result.fixed != 1 else ''} fixed).", file=sys.stderr)
        if result.failed:
            for d in result.diagnostics:
                if d.code in FAILURE_CODES:
                    print(f"{d.path}:{d.location.line}:{d.location.column}: {d.code} {d.message}", file=sys.stderr)
            return EXIT_ERROR
        return EXIT_FINDINGS if changed and not args.exit_zero else EXIT_CLEAN

    color = fmt in ("text", "concise") and args.output is None and _use_color(args.color, stream)
    ctx = ReportContext(result, registry, settings, mode, color=color, statistics=args.statistics, quiet=args.quiet,
                        sarif_category=args.sarif_category)
    report = pieces(fmt, ctx)
    if args.output is not None:
        try:
            with args.output.open("w", encoding="utf-8") as handle:
                handle.writelines(report)
        except OSError as exc:
            print(f"dagshift: error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
        if not args.quiet:
            found = len(result.diagnostics)
            print(f"Wrote {fmt} to {args.output}: {found} finding{'s' if found != 1 else ''} in "
                  f"{len(result.files)} file{'s' if len(result.files) != 1 else ''} checked.", file=sys.stderr)
    else:
        stream.writelines(report)
        stream.flush()
    if result.failed:
        return EXIT_ERROR
    if result.diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN
