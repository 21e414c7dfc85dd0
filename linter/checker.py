"""One file: read, look it up in the result cache, pre-screen, parse once, run its rules, fix to a fix point."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

from dagshift.linter import noqa
from dagshift.linter.cache import ResultCache, stable_hash
from dagshift.linter.codes import FAILURE_CODES
from dagshift.linter.context import FileContext, RuleContext
from dagshift.linter.diagnostics import Diagnostic, LineIndex, Location, apply_edits
from dagshift.linter.discovery import PYTHON, FileEntry
from dagshift.linter.fixes import MAX_FIX_ROUNDS, annotate_fixes, choose_edits
from dagshift.linter.parsing import MAX_NESTING, nesting_depth, parses, python_syntax_error, syntax_error
from dagshift.linter.plan import Plan
from dagshift.linter.results import CHECK, FileResult, engine_diagnostic
from dagshift.linter.rule import Rule
from dagshift.linter.source import SourceError, read_source

if TYPE_CHECKING:
    from dagshift.linter.shared_file import SharedFile


class FileChecker:
    def __init__(
        self,
        plan: Plan,
        facts: dict[str, Any],
        records: dict[str, list[tuple[str, Any]]],
        cache: Optional[ResultCache] = None,
        shared: Optional["SharedFile"] = None,
    ) -> None:
        self.plan = plan
        # A report's readiness matrix checks each file on every target: what does not depend on the
        # target (the read, CPython's syntax check, the libcst parse) is done once (linter/matrix.py).
        self.shared = shared
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
            source = (self.shared.source(entry, self.settings.max_file_size) if self.shared is not None
                      else read_source(entry.path, entry.kind == PYTHON, self.settings.max_file_size))
        except SourceError as exc:
            diag = engine_diagnostic(self.registry, exc.code, entry.display, exc.message)
            return FileResult(entry, [diag])
        rules = self.plan.rules_for(entry)
        text = source.text
        key = None
        if mode == CHECK and self.cache is not None:
            member = self.plan.membership(entry)
            where = f"{entry.kind}|{member.environment}:{member.role}" if member is not None else f"{entry.kind}|outside"
            key = self.cache.key(source.raw, where, entry.relpath, entry.display, self.records_hash)
            hit = self.cache.get(key)
            if hit is not None:
                cached, cached_records = hit
                if self.plan.details and any(d.fix is not None and "edits" not in d.extra for d in cached):
                    annotate_fixes(cached, text)
                return FileResult(entry, cached, records=cached_records)
        if not screen:
            return None
        active = self._active(text, rules)
        if not parse and entry.kind == PYTHON and any(r.needs_module for r in active):
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
        return self._fix(entry, source, rules, result)

    def _fix(self, entry: FileEntry, source: Any, rules: Sequence[Rule], result: FileResult) -> FileResult:
        """Apply fixes round after round until none applies (a fix point), re-checking each time."""
        diagnostics, recorded, text = result.diagnostics, result.records, result.original_text
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
        facts = self.facts
        return [r for r in rules if r.screen(text, target, present) or r.wants_with_facts(text, target, facts)]

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
        if entry.kind == PYTHON and any(r.needs_module for r in active):
            module, problem = self._parse(entry, text)
            if problem is not None:
                return [problem], {}
        elif entry.kind == PYTHON:
            # No active rule needs the CST (none wants the file, or only text rules do), yet a file
            # Airflow cannot import must not pass as clean: CPython's own parser (in C, about 0.1 ms
            # per KB) tells, without libcst.
            problem = self._syntax_check(entry, text)
            if problem is not None:
                return [problem], {}
        if module is not None:
            from dagshift.linter.walk import remember_children_of

            remember_children_of(module)
        file_ctx = FileContext(entry, text, self.settings, self.facts, self.records, module, self.plan.model)
        if self.shared is not None and module is not None:
            file_ctx.derived = self.shared.derived(module)
        for rule in active:
            try:
                rule.check(RuleContext(file_ctx, rule))
            except Exception as exc:  # a rule's bug must not end the run
                file_ctx.diagnostics.append(self._crash(entry, rule, exc))
        found = file_ctx.diagnostics
        if self.plan.silent:
            found = [d for d in found if d.code not in self.plan.silent]
        diagnostics = self._apply_noqa(entry, text, found, file_ctx) if found or "noqa" in text.lower() else found
        if self.plan.model is not None and diagnostics and self.plan.membership(entry) is None:
            # No fix touches a file that belongs to no Airflow environment: it is reported, never edited.
            for d in diagnostics:
                d.fix = None
        for key, values in skipped_records.items():
            file_ctx.recorded.setdefault(key, []).extend(v for v in values if v not in file_ctx.recorded.get(key, []))
        return diagnostics, file_ctx.recorded

    def _crash(self, entry: FileEntry, rule: Rule, exc: BaseException) -> Diagnostic:
        return engine_diagnostic(
            self.registry, "DS904", entry.display, f"rule {rule.code} failed: {type(exc).__name__}: {exc}"
        )

    def _syntax_check(self, entry: FileEntry, text: str) -> Optional[Diagnostic]:
        found = self.shared.syntax_error(text) if self.shared is not None else python_syntax_error(text)
        if found is None:
            return None
        line, column, message = found
        return engine_diagnostic(
            self.registry, "DS901", entry.display, message, line, column, LineIndex(text).line_text(line)
        )

    def _parse(self, entry: FileEntry, text: str) -> tuple[Any, Optional[Diagnostic]]:
        if self.shared is not None:
            return self.shared.parsed(text, lambda: self._parse_now(entry, text))
        return self._parse_now(entry, text)

    def _parse_now(self, entry: FileEntry, text: str) -> tuple[Any, Optional[Diagnostic]]:
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
            if comment is not None and diag.code not in FAILURE_CODES and comment.silences(diag.code):
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
