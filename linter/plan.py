"""Which rules run on which kind of file, decided once per run from the rules' declarations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from dagshift.linter.config import Settings
from dagshift.linter.discovery import FileEntry
from dagshift.linter.registry import Registry
from dagshift.linter.rule import Rule

if TYPE_CHECKING:
    from dagshift.environments import Membership, Model


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
        applicable = [r for r in registry if not r.emitted_by_engine and r.applies(settings.target_version)
                      and r.on_platform(settings.platform)]
        enabled = [r for r in applicable if settings.enabled(r.code)]
        wanted = {key for r in enabled for key in r.reads_records}
        producers = [r for r in applicable if r not in enabled and r.records & wanted]
        self.silent = {r.code for r in producers}
        for rule_cls in enabled + producers:
            instance = rule_cls()
            for kind in rule_cls.kinds:
                self.by_kind.setdefault(kind, []).append(instance)
        self.tokens = sorted({tok for r in enabled + producers for tok in r.tokens})
        # The repository's environments (engine.run attaches them before any file is checked).
        self.model: Optional["Model"] = None

    def membership(self, entry: FileEntry) -> Optional["Membership"]:
        """The file's environment and role; None outside every environment (or before attach)."""
        return self.model.member(entry.relpath) if self.model is not None else None

    def rules_for(self, entry: FileEntry) -> list[Rule]:
        rules = self.by_kind.get(entry.kind, [])
        if self.model is not None and any(r.roles is not None for r in rules):
            member = self.model.member(entry.relpath)
            role = member.role if member is not None else None
            rules = [r for r in rules if r.roles is None or role in r.roles]
        ignored = self.settings.ignored_for(entry.relpath)
        if ignored:
            rules = [r for r in rules if not any(r.code.startswith(sel) or sel == "ALL" for sel in ignored)]
        return rules

    def second_wave(self, entry: FileEntry) -> bool:
        return any(r.reads_records for r in self.rules_for(entry))

    def project_rules(self) -> list[Rule]:
        return [r for rules in self.by_kind.values() for r in rules if r.project_kinds]
