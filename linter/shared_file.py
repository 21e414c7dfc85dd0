"""What one file yields independently of the target (its read, CPython's syntax check, the libcst
parse, what depends on the module alone), kept while a report's matrix checks it on every target."""

from __future__ import annotations

from typing import Any, Callable, Optional

from dagshift.linter.diagnostics import Diagnostic
from dagshift.linter.discovery import PYTHON, FileEntry
from dagshift.linter.parsing import python_syntax_error
from dagshift.linter.source import SourceError, SourceText, read_source


class SharedFile:
    """What one file yields independently of the target, kept while every target checks it."""

    def __init__(self) -> None:
        self.entry: Optional[FileEntry] = None
        self._source: Any = None
        self._syntax: dict[str, Any] = {}
        self._parsed: dict[str, Any] = {}
        self._derived: dict[int, dict[str, Any]] = {}

    def start(self, entry: FileEntry) -> None:
        self.entry, self._source = entry, None
        self._syntax.clear()
        self._parsed.clear()
        self._derived.clear()

    def source(self, entry: FileEntry, max_size: int) -> SourceText:
        if self._source is None or self.entry is not entry:
            try:
                self._source = read_source(entry.path, entry.kind == PYTHON, max_size)
            except SourceError as exc:
                self._source = exc
        if isinstance(self._source, SourceError):
            raise self._source
        return self._source

    def syntax_error(self, text: str) -> Any:
        if text not in self._syntax:
            self._syntax[text] = python_syntax_error(text)
        return self._syntax[text]

    def parsed(self, text: str, parse: Callable[[], tuple[Any, Optional[Diagnostic]]]) -> tuple[Any, Optional[Diagnostic]]:
        if text not in self._parsed:
            self._parsed[text] = parse()
        return self._parsed[text]

    def derived(self, module: Any) -> dict[str, Any]:
        return self._derived.setdefault(id(module), {})
