"""What a rule sees: the file, the project facts, the target, and a way to report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Protocol

from dagshift.linter.diagnostics import Diagnostic, Edit, Fix, LineIndex
from dagshift.linter.targets import version_tuple

if TYPE_CHECKING:
    import libcst as cst

    from dagshift.environments import Environment, Membership, Model
    from dagshift.linter.config import Settings
    from dagshift.linter.discovery import FileEntry
    from dagshift.linter.imports import ImportTable
    from dagshift.linter.names import NameUses


class ProjectContext:
    """The project phase: every discovered file by kind, and a place for cross-file facts."""

    def __init__(self, settings: "Settings", files: list["FileEntry"], markers: tuple[bytes, ...] = (),
                 found: Optional[dict[Path, frozenset[bytes]]] = None) -> None:
        self.settings = settings
        self.files = files
        self.facts: dict[str, Any] = {}
        self.markers = markers
        # Each file's markers, read once (`found`: another target's reads, shared by a report's matrix).
        self._found: dict[Path, frozenset[bytes]] = found if found is not None else {}
        self._real_folders: dict[Path, Path] = {}
        self.plugin_folders: Optional[list[Path]] = None  # linter/syspath.py fills it on first use
        self.model: Optional["Model"] = None  # the repository's environments (engine.run sets it)

    def files_of(self, *kinds: str) -> list["FileEntry"]:
        return [f for f in self.files if f.kind in kinds]

    def has(self, path: Path, marker: bytes) -> bool:
        """Whether the file holds `marker`, one of the project rules' `project_markers`: a file is
        read once for all of them (a file that cannot be read holds none; its own check says why)."""
        if marker not in self.markers:  # not declared: answered, but not from the shared read
            return marker in _read(path)
        found = self._found.get(path)
        if found is None:
            raw = _read(path)
            found = self._found[path] = frozenset(m for m in self.markers if m in raw)
        return marker in found

    def real_path(self, path: Path) -> Path:
        """`path.resolve()`, each folder resolved once: a run's thousands of files share a few
        folders, and resolve() costs a system call per path component."""
        if path.is_symlink():
            return path.resolve()
        folder = self._real_folders.get(path.parent)
        if folder is None:
            folder = self._real_folders[path.parent] = path.parent.resolve()
        return folder / path.name


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


class FileContext:
    """Shared per-file state; rules get a RuleContext bound to them."""

    def __init__(
        self,
        entry: "FileEntry",
        text: str,
        settings: "Settings",
        facts: dict[str, Any],
        records: dict[str, list[tuple[str, Any]]],
        module: Optional["cst.Module"] = None,
        model: Optional["Model"] = None,
    ) -> None:
        self.entry = entry
        self.model = model
        self.text = text
        self.settings = settings
        self.facts = facts
        self.records = records
        self.recorded: dict[str, list[Any]] = {}
        self.diagnostics: list[Diagnostic] = []
        self._index: Optional[LineIndex] = None
        self.module = module
        self._imports: Optional["ImportTable"] = None
        self._name_uses: Optional["NameUses"] = None
        # Per-file work several rules of one family share (computed by the first that needs it).
        self.shared: dict[str, Any] = {}
        self._positions: Any = None
        # What depends on the module alone (its imports, name uses, positions), kept by a report's
        # matrix for the next target's context of the same file (linter/matrix.py); None: not kept.
        self.derived: Optional[dict[str, Any]] = None

    @property
    def index(self) -> LineIndex:
        # Built on first use: most files in a migrated repository never need line numbers.
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index

    @property
    def imports(self) -> "ImportTable":
        if self._imports is None:
            from dagshift.linter.imports import ImportTable

            assert self.module is not None, "imports are only available for Python files"
            self._imports = self._derive("imports", lambda: ImportTable(self.module))
        return self._imports

    @property
    def name_uses(self) -> "NameUses":
        """Where each name of the module is used (one walk, shared by every rule that renames)."""
        if self._name_uses is None:
            from dagshift.linter.names import NameUses

            assert self.module is not None, "name uses are only available for Python files"
            self._name_uses = self._derive("name_uses", lambda: NameUses(self.module))
        return self._name_uses

    def span(self, node: "cst.CSTNode") -> tuple[int, int]:
        """Character offsets of a node's own code (without its leading blank lines/comments)."""
        if self._positions is None:
            # Computed only once a rule asks for a position, so clean files never pay for it.
            from dagshift.linter.statement_positions import StatementPositions

            assert self.module is not None, "positions are only available for Python files"
            self._positions = self._derive("positions", lambda: StatementPositions(self.module, self.text))
        return self._positions.span(node)

    def _derive(self, name: str, build: Any) -> Any:
        if self.derived is None:
            return build()
        if name not in self.derived:
            self.derived[name] = build()
        return self.derived[name]


class RuleIdentity(Protocol):
    """What a context needs of the rule it is bound to (dagshift.linter.rule.Rule has it)."""

    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def severity(self) -> str: ...


class RuleContext:
    """A file as one rule sees it."""

    def __init__(self, file: FileContext, rule: RuleIdentity) -> None:
        self.file = file
        self.rule = rule

    # -- what the rule reads ---------------------------------------------------------------

    @property
    def path(self) -> str:
        return self.file.entry.display

    @property
    def relpath(self) -> str:
        return self.file.entry.relpath

    @property
    def kind(self) -> str:
        return self.file.entry.kind

    @property
    def text(self) -> str:
        return self.file.text

    @property
    def lines(self) -> list[str]:
        return [self.file.index.line_text(n) for n in range(1, self.file.index.line_count + 1)]

    @property
    def index(self) -> LineIndex:
        return self.file.index

    @property
    def module(self) -> "cst.Module":
        assert self.file.module is not None, "module is only available for Python files"
        return self.file.module

    @property
    def imports(self) -> "ImportTable":
        return self.file.imports

    @property
    def name_uses(self) -> "NameUses":
        return self.file.name_uses

    @property
    def settings(self) -> "Settings":
        return self.file.settings

    @property
    def target(self) -> str:
        return self.file.settings.target_version

    @property
    def facts(self) -> dict[str, Any]:
        return self.file.facts

    @property
    def records(self) -> dict[str, list[tuple[str, Any]]]:
        return self.file.records

    @property
    def shared(self) -> dict[str, Any]:
        return self.file.shared

    @property
    def membership(self) -> Optional["Membership"]:
        """The file's environment and role (dagshift.environments); None outside every environment."""
        model = self.file.model
        return model.member(self.file.entry.relpath) if model is not None else None

    @property
    def environment(self) -> Optional["Environment"]:
        model = self.file.model
        return model.environment_of(self.file.entry.relpath) if model is not None else None

    def environment_files(self, role: str) -> list[str]:
        """The files (relpaths) of this file's environment that play `role` there."""
        model, member = self.file.model, self.membership
        if model is None or member is None or member.environment is None:
            return []
        return [path for path, r in model.files_of(member.environment).items() if r == role]

    @property
    def environment_count(self) -> int:
        return len(self.file.model.environments) if self.file.model is not None else 0

    def environment_index_of(self, display: str) -> Optional[int]:
        """The environment of another file of the run, named as records name it (its display path)."""
        model = self.file.model
        if model is None:
            return None
        member = model.member(model.displays.get(display, display))
        return member.environment if member is not None else None

    def target_at_least(self, version: str) -> bool:
        return version_tuple(self.target) >= version_tuple(version)

    def span(self, node: "cst.CSTNode") -> tuple[int, int]:
        return self.file.span(node)

    # -- what the rule produces ------------------------------------------------------------

    def record(self, key: str, value: Any) -> None:
        """Leave a fact for rules that read records (they run after every other file)."""
        self.file.recorded.setdefault(key, []).append(value)

    def report(
        self,
        start: int,
        end: int,
        message: Optional[str] = None,
        *,
        fix: Optional[Fix] = None,
        severity: Optional[str] = None,
        **fields: Any,
    ) -> Diagnostic:
        """Report a finding at text[start:end]; the message defaults to the rule's template."""
        text = message if message is not None else self.rule.message.format(**fields)
        loc = self.file.index.location(start, end)
        diagnostic = Diagnostic(
            code=self.rule.code,
            message=text,
            path=self.path,
            location=loc,
            severity=severity or self.rule.severity,
            fix=fix,
            start=start,
            end=end,
            source_line=self.file.index.line_text(loc.line),
        )
        self.file.diagnostics.append(diagnostic)
        return diagnostic

    def report_node(self, node: "cst.CSTNode", message: Optional[str] = None, **kwargs: Any) -> Diagnostic:
        start, end = self.span(node)
        return self.report(start, end, message, **kwargs)

    def replacement(self, start: int, end: int, content: str) -> Edit:
        return Edit(start, end, content)
