"""`--format text` (ruff-like, with source context) and `--format concise` (one line a finding)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from dagshift.linter.diagnostics import Diagnostic
from dagshift.linter.reporters.context import ReportContext
from dagshift.linter.targets import creatable, find_target, target_label

Segment = tuple[str, Optional[str]]


class Out:
    """Collects styled segments; plain text is joined as it comes (a run with 100,000 findings would
    otherwise hold a tuple per segment), and rendered through rich when colour is on."""

    def __init__(self, color: bool) -> None:
        self.color = color
        self.lines: list = []

    def line(self, *segments: Segment) -> None:
        self.lines.append(list(segments) if self.color else "".join([text for text, _ in segments]))

    def render(self) -> str:
        if not self.color:
            return "\n".join(self.lines) + "\n" if self.lines else ""
        from io import StringIO

        from rich.console import Console
        from rich.text import Text

        buffer = StringIO()
        console = Console(file=buffer, force_terminal=True, color_system="standard", width=10_000, highlight=False)
        for segs in self.lines:
            console.print(Text.assemble(*[(t, s or "") for t, s in segs]), soft_wrap=True)
        return buffer.getvalue()


def _marker(diag: Diagnostic, ctx: ReportContext) -> str:
    if diag.fix is None:
        return ""
    if diag.fix.is_safe:
        return "[*] "
    return "[*] " if ctx.settings.unsafe_fixes else "[-] "


def _header(out_segments: list[Segment], diag: Diagnostic, ctx: ReportContext) -> None:
    loc = diag.location
    color = "red" if diag.severity == "error" else "yellow"
    out_segments.extend(
        [
            (diag.path, "bold"),
            (f":{loc.line}:{loc.column}: ", None),
            (diag.code, f"bold {color}"),
            (" ", None),
            (_marker(diag, ctx), "cyan"),
            (diag.message, None),
        ]
    )


def _context(out: Out, diag: Diagnostic) -> None:
    loc = diag.location
    hunks = diag.extra.get("fix_diff", [])
    gutter = len(str(max([loc.line] + [first + len(before) for before, _, first in hunks])))
    pad = " " * gutter
    source = diag.source_line.expandtabs(1)
    if not source and loc.line == 1 and loc.column == 1 and loc.end_column == 1:
        return
    out.line((f"{pad} |", "blue"))
    out.line((f"{loc.line:>{gutter}} | ", "blue"), (source, None))
    start = max(loc.column - 1, 0)
    if loc.end_line == loc.line:
        width = max(loc.end_column - loc.column, 1)
    else:
        width = max(len(source) - start, 1)
    out.line((f"{pad} | ", "blue"), (" " * start + "^" * width, "red" if diag.severity == "error" else "yellow"))
    if diag.fix is not None and hunks:
        title = diag.fix.description or f"apply the {diag.code} fix"
        safety = "" if diag.fix.is_safe else " (unsafe)"
        out.line((f"{pad} = ", "blue"), (f"help: {title}{safety}", "cyan"))
        for number, (before, after, first) in enumerate(hunks):
            if number:
                out.line((f"{pad} ...", "blue"))
            for offset, text in enumerate(before):
                out.line((f"{first + offset:>{gutter}} ", "blue"), ("- " + text, "red"))
            for text in after:
                out.line((f"{pad} ", "blue"), ("+ " + text, "green"))
    out.line()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(ctx: ReportContext, full: bool) -> str:
    out = Out(ctx.color)
    diagnostics = ctx.run.diagnostics
    if ctx.statistics:
        # As ruff does: the table alone, also with --quiet.
        _statistics(out, diagnostics, ctx)
        return out.render()
    for diag in diagnostics:
        segments: list[Segment] = []
        _header(segments, diag, ctx)
        out.line(*segments)
        if full:
            _context(out, diag)
    if not ctx.quiet:
        _summary(out, diagnostics, ctx)
    return out.render()


def statistics_rows(diagnostics: list[Diagnostic], ctx: ReportContext) -> list[dict]:
    """One row per code, most frequent first: how many findings, how many `--fix` fixes (safe),
    how many more `--unsafe-fixes` would fix."""
    counts = Counter(d.code for d in diagnostics)
    safe = Counter(d.code for d in diagnostics if d.fix is not None and d.fix.is_safe)
    unsafe = Counter(d.code for d in diagnostics if d.fix is not None and not d.fix.is_safe)
    rows = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = ctx.registry.get(code)
        rows.append({"code": code, "name": rule.name if rule else "", "count": count,
                     "fixable": safe[code], "unsafe_fixable": unsafe[code]})
    return rows


def _statistics(out: Out, diagnostics: list[Diagnostic], ctx: ReportContext) -> None:
    rows = statistics_rows(diagnostics, ctx)
    width = max((len(str(r["count"])) for r in rows), default=1)
    for row in rows:
        # [*]: `--fix` fixes some; [-]: only `--unsafe-fixes` does; blank: none has a fix.
        mark = "[*]" if row["fixable"] else ("[-]" if row["unsafe_fixable"] else "   ")
        out.line((f"{row['count']:>{width}}\t{row['code']}\t{mark} {row['name']}", None))


def _summary(out: Out, diagnostics: list[Diagnostic], ctx: ReportContext) -> None:
    settings = ctx.settings
    fixed = ctx.run.fixed
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    safe = sum(1 for d in diagnostics if d.fix is not None and d.fix.is_safe)
    unsafe = sum(1 for d in diagnostics if d.fix is not None and not d.fix.is_safe)
    if fixed:
        out.line((f"Fixed {_plural(fixed, 'finding')}.", "green"))
    if not diagnostics:
        out.line(("All checks passed!", "bold green"))
    else:
        files = len({d.path for d in diagnostics})
        parts = []
        if errors:
            parts.append(_plural(errors, "error"))
        if warnings:
            parts.append(_plural(warnings, "warning"))
        line = f"Found {' and '.join(parts)} in {_plural(files, 'file')}"
        notes = []
        if safe:
            notes.append(f"{safe} fixable with `--fix`")
        if unsafe and not settings.unsafe_fixes:
            notes.append(f"{unsafe} more with `--unsafe-fixes`")
        elif unsafe:
            notes.append(f"{unsafe} fixable with `--fix --unsafe-fixes`")
        out.line((line + (f" ({', '.join(notes)})" if notes else "") + ".", "bold"))
        counts = Counter(d.code for d in diagnostics)
        summary = ", ".join(f"{code} ×{n}" for code, n in sorted(counts.items()))
        out.line((f"  by rule: {summary}", None))
    origin = ("default: the newest Airflow 2 MWAA creates"
              if settings.target_is_default else f"from {settings.target_origin or 'settings'}")
    if not creatable_version(settings.target_version):
        origin += "; MWAA no longer creates environments on it"
    out.line(
        (f"Target: {target_label(settings.target_name)} ({origin}), Python {settings.python_version}.", "dim")
    )
    described = environments_line(ctx.run)
    if described:
        out.line((described, "dim"))


def environments_line(run: Any) -> str:
    """The environments the checked files belong to, each with the version it runs today, and how
    many checked files belong to none."""
    from dagshift.linter.environments_view import label

    if run.model is None:
        return ""
    model = run.model.restricted_to({r.entry.relpath for r in run.files})
    if not model.environments:
        return "No Airflow environment: no file checked belongs to one (see `dagshift environments`)."
    outside = len(model.outside())
    only = model.environments[0]
    if len(model.environments) == 1 and only.root == "." and only.from_version is None and not outside \
            and not only.target:
        return ""  # one environment, the whole tree, nothing else known: the line would say nothing
    named = [label(env, with_version=True) + (f", checked for {env.target} (declared)" if env.target else "")
             for env in model.environments]
    tail = f"; {_plural(outside, 'file')} not Airflow's (see `dagshift environments`)" if outside else ""
    return f"Environment{'s' if len(named) != 1 else ''}: {'; '.join(named)}{tail}."


def creatable_version(version: str) -> bool:
    found = find_target(version)
    return found is None or creatable(found)
