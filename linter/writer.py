"""Writing a fixed file, or saying why it could not be written (DS903)."""

from __future__ import annotations

from dagshift.linter.registry import Registry
from dagshift.linter.results import FileResult, engine_diagnostic
from dagshift.linter.source import write_atomic


def write_fixed(result: FileResult, registry: Registry) -> None:
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
