"""The engine: read, pre-screen, parse once, run the rules, apply fixes to a fix point, write.

It knows nothing about any one rule: it only reads the declarations in rules.base.Rule.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Optional, Sequence

from dagshift.linter import datacache, noqa
from dagshift.linter.cache import ResultCache, stable_hash, tool_fingerprint
from dagshift.linter.config import UNSILENCEABLE, Settings
from dagshift.linter.context import FileContext, ProjectContext, RuleContext
from dagshift.linter.diagnostics import (
    ERROR,
    Diagnostic,
    Edit,
    Fix,
    LineIndex,
    Location,
    apply_edits,
)
from dagshift.linter.discovery import PYTHON, FileEntry
from dagshift.linter.source import SourceError, read_source, write_atomic
from dagshift.linter.targets import in_range
from dagshift.linter.registry import Registry
from dagshift.linter.rule import Rule

MAX_FIX_ROUNDS = 10
# CPython's tokenizer refuses more than 200 nested brackets; libcst's native parser can crash
# (not raise) on far deeper input, so such files are reported before libcst ever sees them.
MAX_NESTING = 200
# Below this many files a process pool costs more to start than it saves.
PARALLEL_THRESHOLD = 24
# Below this many files the pre-screen runs here even with several jobs: starting the pool for
# files that turn out to need no parse costs more than screening them.
PARALLEL_SCREEN_THRESHOLD = 400
FAILURE_CODES = frozenset({"DS901", "DS902", "DS903", "DS904"})

CHECK, FIX, DIFF = "check", "fix", "diff"


@dataclass
class FileResult:
    entry: FileEntry
    diagnostics: list[Diagnostic]
    fixed: int = 0  # findings removed by applied fixes
    new_bytes: Optional[bytes] = None  # set when fixes changed the file
    original_text: str = ""
    new_text: str = ""
    records: dict[str, list[Any]] = field(default_factory=dict)
    # Diagnostics of the file as it is on disk, reported instead when a fix cannot be written.
    before_fix: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.code in FAILURE_CODES for d in self.diagnostics)


@dataclass
class RunResult:
    files: list[FileResult]
    problems: list[Diagnostic]  # paths that do not exist, and the like

    @cached_property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding in report order (computed once: reporters ask more than once)."""
        found = [d for r in self.files for d in r.diagnostics] + self.problems
        return sorted(found, key=Diagnostic.sort_key)

    @property
    def fixed(self) -> int:
        return sum(r.fixed for r in self.files)

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(r.failed for r in self.files)


class Plan:
    """Which rules run on which kind of file, decided once per run."""

    def __init__(self, registry: Registry, settings: Settings, details: bool = True) -> None:
        self.registry = registry
        self.settings = settings
        # Whether reports show fixes (edit positions, before/after lines); one-line formats do not.
        self.details = details
        self.by_kind: dict[str, list[Rule]] = {}
        # Rules that run only so that enabled rules can read what they record; their findings are dropped.
        self.silent: set[str] = set()
        applicable = [
            r for r in registry
            if not r.emitted_by_engine and in_range(settings.target_version, r.since, r.until)
        ]
        enabled = [r for r in applicable if settings.enabled(r.code)]
        wanted = {key for r in enabled for key in r.reads_records}
        producers = [r for r in applicable if r not in enabled and r.records & wanted]
        self.silent = {r.code for r in producers}
        for rule_cls in enabled + producers:
            instance = rule_cls()
            for kind in rule_cls.kinds:
                self.by_kind.setdefault(kind, []).append(instance)
        self.tokens = sorted({tok for r in enabled + producers for tok in r.tokens})

    def rules_for(self, entry: FileEntry) -> list[Rule]:
        rules = self.by_kind.get(entry.kind, [])
        ignored = self.settings.ignored_for(entry.relpath)
        if ignored:
            rules = [r for r in rules if not any(r.code.startswith(sel) or sel == "ALL" for sel in ignored)]
        return rules

    def second_wave(self, entry: FileEntry) -> bool:
        return any(r.reads_records for r in self.rules_for(entry))

    def project_rules(self) -> list[Rule]:
        return [r for rules in self.by_kind.values() for r in rules if r.project_kinds]


# -- one file ---------------------------------------------------------------------------------


def engine_diagnostic(
    registry: Registry, code: str, path: str, detail: str, line: int = 1, column: int = 1, source_line: str = ""
) -> Diagnostic:
    rule = registry.get(code)
    message = rule.message.format(detail=detail) if rule is not None else detail
    return Diagnostic(
        code=code,
        message=message,
        path=path,
        location=Location(line, column, line, column),
        severity=rule.severity if rule is not None else ERROR,
        source_line=source_line,
    )


def nesting_depth(text: str) -> int:
    """Deepest bracket nesting, counted on tokens so brackets inside strings do not count; when
    the file has no more opening brackets than MAX_NESTING, that count (an upper bound) instead."""
    openers = text.count("(") + text.count("[") + text.count("{")
    if openers <= MAX_NESTING:
        return openers  # an upper bound, and under the limit: no need to count further
    naive = depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            naive = max(naive, depth)
        elif ch in ")]}":
            depth -= 1
    if naive <= MAX_NESTING:
        return naive
    import io
    import tokenize

    depth = deepest = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.OP:
                if tok.string in "([{":
                    depth += 1
                    deepest = max(deepest, depth)
                elif tok.string in ")]}":
                    depth -= 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return naive
    return deepest


PY2_HINTS = re.compile(r"^\s*(print\s+[^\s(=]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:)|`|<>|\bur[\"']")


def syntax_error(text: str) -> tuple[int, int, str]:
    """Line, column and message for text that libcst refused, as CPython's own parser words it."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = exc.offset or 1
        message = exc.msg
        source = LineIndex(text).line_text(line)
        if PY2_HINTS.search(source) or "Missing parentheses in call to" in message:
            message = f"{message} (this looks like Python 2; Airflow 2 runs on Python 3 only)"
        return line, column, message
    except (RecursionError, MemoryError, ValueError) as exc:
        return 1, 1, f"the parser gave up: {type(exc).__name__}"
    return 1, 1, "libcst cannot parse this file although CPython can"


class FileChecker:
    def __init__(
        self,
        plan: Plan,
        facts: dict[str, Any],
        records: dict[str, list[tuple[str, Any]]],
        cache: Optional[ResultCache] = None,
    ) -> None:
        self.plan = plan
        self.registry = plan.registry
        self.settings = plan.settings
        self.facts = facts
        self.records = records
        self.cache = cache
        self.records_hash = stable_hash(records) if records else ""

    def check(self, entry: FileEntry, mode: str, parse: bool = True, screen: bool = True) -> Optional[FileResult]:
        """The file's result; None when it needs a parse and `parse` is False, or when it is not in the
        result cache and `screen` is False (the rest of the work is done elsewhere: the pool)."""
        try:
            source = read_source(entry.path, entry.kind == PYTHON, self.settings.max_file_size)
        except SourceError as exc:
            diag = engine_diagnostic(self.registry, exc.code, entry.display, exc.message)
            return FileResult(entry, [diag])
        rules = self.plan.rules_for(entry)
        text = source.text
        key = None
        if mode == CHECK and self.cache is not None:
            key = self.cache.key(source.raw, entry.kind, entry.relpath, entry.display, self.records_hash)
            hit = self.cache.get(key)
            if hit is not None:
                cached, cached_records = hit
                if self.plan.details and any(d.fix is not None and "edits" not in d.extra for d in cached):
                    annotate_fixes(cached, text)
                return FileResult(entry, cached, records=cached_records)
        if not screen:
            return None
        active = self._active(text, rules)
        if not parse and entry.kind == PYTHON and active:
            return None
        diagnostics, recorded = self._run(entry, text, rules, active)
        result = FileResult(entry, diagnostics, original_text=text, new_text=text, records=recorded)
        if mode == CHECK:
            if self.plan.details:
                annotate_fixes(diagnostics, text)
            if key is not None and not result.failed:
                self.cache.put(key, diagnostics, recorded)  # type: ignore[union-attr]
            result.original_text = result.new_text = ""  # only fixes need the text: don't ship it back
            return result
        result.before_fix = diagnostics
        allow_unsafe = self.settings.unsafe_fixes
        for _ in range(MAX_FIX_ROUNDS):
            fixes = [d for d in diagnostics if d.fix is not None and (d.fix.is_safe or allow_unsafe)]
            if not fixes:
                break
            edits, applied = choose_edits(fixes)
            candidate = apply_edits(text, edits)
            if candidate == text:
                break
            if entry.kind == PYTHON and not parses(candidate):
                codes = ", ".join(sorted({d.code for d in applied}))
                # Leave the file exactly as it was, and report it as it is on disk.
                diagnostics = result.before_fix + [
                    engine_diagnostic(
                        self.registry, "DS904", entry.display,
                        f"a fix by {codes} produced code that does not parse; the file was left as it is",
                    )
                ]
                text = result.original_text
                result.fixed = 0
                break
            text = candidate
            result.fixed += len(applied)
            diagnostics, recorded = self._run(entry, text, rules)
        result.diagnostics = diagnostics
        result.records = recorded
        if self.plan.details:
            annotate_fixes(diagnostics, text)
        if text != result.original_text:
            result.new_text = text
            result.new_bytes = source.encode(text)
            if result.new_bytes == source.raw:
                result.new_bytes = None
        else:
            result.fixed = 0
        return result

    def _active(self, text: str, rules: Sequence[Rule]) -> list[Rule]:
        """Rule.screen for every rule, with each distinct token looked for once per file."""
        target = self.settings.target_version
        present = {tok for tok in self.plan.tokens if tok in text}
        return [r for r in rules if r.screen(text, target, present)]

    def _run(
        self, entry: FileEntry, text: str, rules: Sequence[Rule], active: Optional[list[Rule]] = None
    ) -> tuple[list[Diagnostic], dict]:
        target = self.settings.target_version
        if active is None:
            active = self._active(text, rules)
        skipped_records: dict[str, list[Any]] = {}
        for rule in rules:
            if rule.records and rule not in active:
                for key, values in rule.records_from_text(text, target).items():
                    skipped_records.setdefault(key, []).extend(values)
        module = None
        file_ctx: Optional[FileContext] = None
        if active and entry.kind == PYTHON:
            module, problem = self._parse(entry, text)
            if problem is not None:
                return [problem], {}
        file_ctx = FileContext(entry, text, self.settings, self.facts, self.records, module)
        visitors: list[tuple[Rule, Any]] = []
        for rule in active:
            try:
                produced = rule.check(RuleContext(file_ctx, rule))
            except Exception as exc:  # a rule's bug must not end the run
                file_ctx.diagnostics.append(self._crash(entry, rule, exc))
                continue
            if produced is None:
                continue
            for visitor in produced if isinstance(produced, (list, tuple)) else [produced]:
                visitors.append((rule, visitor))
        if visitors and module is not None:
            self._visit(entry, file_ctx, module, visitors)
        found = file_ctx.diagnostics
        if self.plan.silent:
            found = [d for d in found if d.code not in self.plan.silent]
        diagnostics = self._apply_noqa(entry, text, found, file_ctx) if found or "noqa" in text.lower() else found
        for key, values in skipped_records.items():
            file_ctx.recorded.setdefault(key, []).extend(v for v in values if v not in file_ctx.recorded.get(key, []))
        return diagnostics, file_ctx.recorded

    def _visit(self, entry: FileEntry, ctx: FileContext, module: Any, visitors: list[tuple[Rule, Any]]) -> None:
        import libcst as cst

        try:
            cst.visit_batched(module, [v for _, v in visitors])
        except Exception as exc:
            names = ", ".join(sorted({r.code for r, _ in visitors}))
            ctx.diagnostics.append(
                engine_diagnostic(self.registry, "DS904", entry.display, f"rules {names} failed: {type(exc).__name__}: {exc}")
            )

    def _crash(self, entry: FileEntry, rule: Rule, exc: BaseException) -> Diagnostic:
        return engine_diagnostic(
            self.registry, "DS904", entry.display, f"rule {rule.code} failed: {type(exc).__name__}: {exc}"
        )

    def _parse(self, entry: FileEntry, text: str) -> tuple[Any, Optional[Diagnostic]]:
        import libcst as cst

        depth = nesting_depth(text)
        if depth > MAX_NESTING:
            return None, engine_diagnostic(
                self.registry, "DS901", entry.display,
                f"brackets nested {depth} deep (Python allows at most {MAX_NESTING})",
            )
        try:
            return cst.parse_module(text), None
        except cst.ParserSyntaxError:
            line, column, message = syntax_error(text)
        except (RecursionError, MemoryError) as exc:
            line, column, message = 1, 1, f"the parser gave up: {type(exc).__name__}"
        index = LineIndex(text)
        return None, engine_diagnostic(
            self.registry, "DS901", entry.display, message, line, column, index.line_text(line)
        )

    def _apply_noqa(
        self, entry: FileEntry, text: str, diagnostics: list[Diagnostic], file_ctx: FileContext
    ) -> list[Diagnostic]:
        if "noqa" not in text.lower():
            return diagnostics
        index = file_ctx.index
        lines = [index.line_text(n) for n in range(1, index.line_count + 1)]
        comments = noqa.collect(lines)
        kept = []
        for diag in diagnostics:
            comment = comments.get(diag.location.line)
            if comment is not None and diag.code not in UNSILENCEABLE and comment.silences(diag.code):
                continue
            kept.append(diag)
        if self.settings.enabled("DS905") and "DS905" not in self.settings.ignored_for(entry.relpath):
            known = set(self.registry.codes())
            rule = self.registry.get("DS905")
            for comment in comments.values():
                unknown = [c for c in comment.codes or () if c.startswith("DS") and c not in known]
                if not unknown or (comment.codes and "DS905" in comment.codes):
                    continue
                assert rule is not None
                line_text = lines[comment.line - 1]
                kept.append(
                    Diagnostic(
                        code="DS905",
                        message=rule.message.format(codes=", ".join(f"`{c}`" for c in unknown)),
                        path=entry.display,
                        location=Location(comment.line, comment.column, comment.line, comment.end_column),
                        severity=rule.severity,
                        source_line=line_text,
                    )
                )
        return kept


def annotate_fixes(diagnostics: list[Diagnostic], text: str) -> None:
    """Give each fix its edit positions, and before/after views of the lines it touches, hunk by hunk."""
    index: Optional[LineIndex] = None
    for diag in diagnostics:
        if diag.fix is None:
            continue
        index = index or LineIndex(text)
        edits = sorted(diag.fix.edits, key=lambda e: (e.start, e.end))
        diag.extra["edits"] = [(index.location(e.start, e.end), e.content) for e in edits]
        # Lines each edit touches, merged where they meet: a rename far below its import is its own hunk.
        hunks: list[list] = []
        for edit in edits:
            first = index.position(edit.start)[0]
            last = index.position(max(edit.end - 1, edit.start))[0] if edit.end > edit.start else first
            if hunks and first <= hunks[-1][1] + 1:
                hunks[-1][1] = max(hunks[-1][1], last)
                hunks[-1][2].append(edit)
            else:
                hunks.append([first, last, [edit]])
        views = []
        for first, last, group in hunks:
            start = index.offset(first, 1)
            end = index.offset(last + 1, 1) if last < index.line_count else len(text)
            end = max(end, max(e.end for e in group))
            before = text[start:end]
            shifted = [Edit(e.start - start, e.end - start, e.content) for e in group]
            views.append((before.splitlines(), apply_edits(before, shifted).splitlines(), first))
        diag.extra["fix_diff"] = views


def choose_edits(fixable: list[Diagnostic]) -> tuple[list[Edit], list[Diagnostic]]:
    """Take whole fixes in source order, skipping any that overlap one already taken."""
    taken: list[Edit] = []
    applied: list[Diagnostic] = []
    seen: set[tuple] = set()
    for diag in sorted(fixable, key=lambda d: (min(e.start for e in d.fix.edits), d.code)):  # type: ignore[union-attr]
        fix: Fix = diag.fix  # type: ignore[assignment]
        edits = sorted(fix.edits, key=lambda e: (e.start, e.end))
        if any(_overlaps(a, b) for a, b in zip(edits, edits[1:])):
            continue  # a fix at odds with itself is never applied
        key = tuple(fix.edits)
        if key in seen:
            # Two findings sharing one fix (for instance two names of one import statement).
            applied.append(diag)
            continue
        if any(_overlaps(e, t) for e in fix.edits for t in taken):
            continue
        taken.extend(fix.edits)
        seen.add(key)
        applied.append(diag)
    return taken, applied


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one point: order would be ambiguous
    return a.start < b.end and b.start < a.end


def parses(text: str) -> bool:
    import libcst as cst

    if nesting_depth(text) > MAX_NESTING:
        return False
    try:
        cst.parse_module(text)
    except Exception:
        return False
    return True


# -- a whole run ------------------------------------------------------------------------------

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


def run(
    files: list[FileEntry],
    registry: Registry,
    settings: Settings,
    mode: str = CHECK,
    jobs: Optional[int] = None,
    problems: Iterable[Diagnostic] = (),
    progress: Optional[Callable[..., None]] = None,
    details: bool = True,
) -> RunResult:
    plan = Plan(registry, settings, details)
    jobs = jobs or settings.jobs or os.cpu_count() or 1
    # Before the project phase: it reads the data slices too (requirements read the DAGs' imports).
    datacache.configure(settings.cache_dir)

    project = ProjectContext(settings, files)
    for rule in plan.project_rules():
        wanted = [f for f in files if f.kind in rule.project_kinds]
        if wanted:
            rule.collect_project(project)

    cache = None
    if settings.cache and mode == CHECK:
        rules = sorted(f"{r.__module__}.{r.__name__}" for r in registry)  # a test registry is another tool
        context = stable_hash([tool_fingerprint(), settings.fingerprint(), project.facts, rules])
        cache = ResultCache(datacache.folder(), context)
    first = [f for f in files if not plan.second_wave(f)]
    second = [f for f in files if plan.second_wave(f)]
    results = run_checks(first, plan, project.facts, {}, mode, jobs, cache, progress)
    records: dict[str, list[tuple[str, Any]]] = {}
    for result in results:
        for key, values in result.records.items():
            records.setdefault(key, []).extend((result.entry.display, v) for v in values)
    results += run_checks(second, plan, project.facts, records, mode, jobs, cache, progress)
    if progress is not None:
        progress(0, finished=True)
    results.sort(key=lambda r: r.entry.display)

    if mode == FIX:
        for result in results:
            if result.new_bytes is not None:
                _write(result, registry)
    return RunResult(results, list(problems))


def _write(result: FileResult, registry: Registry) -> None:
    entry = result.entry
    if not entry.writable_scope:
        reason = "not fixed: it is a symlink to a file outside the paths given on the command line"
    else:
        try:
            write_atomic(entry.path, result.new_bytes)  # type: ignore[arg-type]
            return
        except PermissionError:
            reason = "not fixed: the file is read-only"
        except OSError as exc:
            reason = f"not fixed: could not write the file: {exc.strerror or exc}"
    result.diagnostics = result.before_fix + [engine_diagnostic(registry, "DS903", entry.display, reason)]
    result.fixed = 0
    result.new_bytes = None
    result.new_text = result.original_text


def unified_diff(result: FileResult) -> str:
    old = result.original_text.splitlines(keepends=True)
    new = result.new_text.splitlines(keepends=True)
    import difflib

    lines = difflib.unified_diff(old, new, fromfile=f"a/{result.entry.display}", tofile=f"b/{result.entry.display}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)
