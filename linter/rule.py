"""The rule API: what a rule declares and the hooks the engine calls.

A rule module must stay cheap to import: `dagshift rules` and `dagshift rule CODE` load every rule
for its metadata, so libcst and the data tables are imported inside `check`, never at module level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Optional

from dagshift.linter.diagnostics import ERROR, SAFE, UNSAFE, WARNING

if TYPE_CHECKING:
    from dagshift.linter.context import ProjectContext, RuleContext
    from dagshift.linter.findings import Finding

__all__ = ["Rule", "FamilyRule", "Example", "ERROR", "WARNING", "SAFE", "UNSAFE", "SOMETIMES"]

# Fix availability, as ruff names it: a rule may fix every finding, some of them, or none.
SOMETIMES = "sometimes"

DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Fix safety")  # ("Why it matters on Airflow 2/3")
CODE_RE = re.compile(r"^DS[1-9][0-9]{2}$")


@dataclass(frozen=True)
class Example:
    """A rule's own test case (Fixit's habit): the suite runs every one of them.

    For an invalid example `findings` states what the rule reports, as (line, column, message) in
    report order, and `expected` the text after `--fix --unsafe-fixes` (None: no fix is offered).
    `files` are other files of the repository the example needs, as (path, text) pairs (a DAG whose
    imports a requirements rule reads, say).
    """

    source: str
    expected: Optional[str] = None
    path: str = "dags/example_dag.py"
    target: Optional[str] = None
    findings: tuple[tuple[int, int, str], ...] = ()
    files: tuple[tuple[str, str], ...] = ()

    @classmethod
    def replacing(cls, source: str, old: str, new: str, **fields: Any) -> "Example":
        """An invalid example whose fix replaces `old` by `new` (once) and changes nothing else."""
        assert source.count(old) == 1, old
        return cls(source, source.replace(old, new), **fields)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    doc: ClassVar[str]
    kinds: ClassVar[frozenset[str]]
    severity: ClassVar[str] = ERROR
    # True where, on every target, some findings fail (ERROR: an import that raises) while others
    # only warn or are ignored (WARNING: one a deprecation shim still serves): `severities` has both.
    mixed: ClassVar[bool] = False
    # None (no fix), SAFE, UNSAFE or SOMETIMES.
    fix: ClassVar[Optional[str]] = None
    # Target versions where the rule applies: since <= target < until (None = unbounded).
    since: ClassVar[Optional[str]] = None
    until: ClassVar[Optional[str]] = None
    # Literal substrings a file must contain (any one of them) for the rule to have anything to
    # find; the engine tests them before calling `wants`. Empty: no such gate.
    tokens: ClassVar[tuple[str, ...]] = ()
    # Record keys (ctx.record) this rule reads from other files: it runs in a second wave. And the
    # keys a rule records: when an enabled rule reads one, its producers run too (silently, if they
    # are not enabled themselves), so `--select DS305` still sees what the imports need.
    reads_records: ClassVar[frozenset[str]] = frozenset()
    records: ClassVar[frozenset[str]] = frozenset()
    # File kinds this rule wants to see in the project phase (collect_project); empty: none.
    project_kinds: ClassVar[frozenset[str]] = frozenset()
    # Byte strings collect_project looks for in Python files before reading one further
    # (ProjectContext.has): every file is read once for all project rules' markers.
    project_markers: ClassVar[tuple[bytes, ...]] = ()
    # The roles (dagshift.environments.model) of the files the rule judges: None judges every file it
    # reads; a set judges only files of an Airflow environment that play one of those roles there
    # (a requirements rule reads the environment's requirements, not a Lambda's).
    roles: ClassVar[Optional[frozenset[str]]] = None
    # False for a rule that reads a Python file's text only (never ctx.module): a file whose active
    # rules are all such rules is not parsed with libcst (CPython's syntax check still runs).
    needs_module: ClassVar[bool] = True
    # True for the DS9xx rules: the engine itself emits them, they have no check of their own.
    emitted_by_engine: ClassVar[bool] = False
    valid: ClassVar[tuple[Example, ...]] = ()
    invalid: ClassVar[tuple[Example, ...]] = ()
    # A platform on top of an Airflow version whose own rules these are ("serverless": MWAA
    # Serverless, any engine): they run only when the target names it (Settings.platform).
    platform: ClassVar[Optional[str]] = None

    def check(self, ctx: "RuleContext") -> None:
        """Report findings on one file with ctx.report(...) (a family's rules share one analysis pass
        through dagshift.linter.findings: the first rule to ask runs it, the others read its result)."""

    def collect_project(self, project: "ProjectContext") -> None:
        """Gather cross-file facts into project.facts before any file is checked."""

    def wants(self, text: str, target: str) -> bool:
        """Pre-screen, after `tokens` matched: could this file have anything for the rule? False
        skips it (and the parse). Rules with large tables override it with an exact test on the
        raw text so already-migrated files are never parsed; it runs on every file, so it must cost
        microseconds (benchmarks/prescreen.py measures each rule's).
        """
        return True

    def screen(self, text: str, target: str, present: Optional[set[str]] = None) -> bool:
        """What the engine calls: the `tokens` gate (substring tests, the cheapest there are), then
        `wants`. `present`, the tokens of every rule found in the text, lets the engine look for each
        distinct token once per file instead of once per rule."""
        tokens = self.tokens
        if tokens:
            found = not present.isdisjoint(tokens) if present is not None else any(tok in text for tok in tokens)
            if not found:
                return False
        return self.wants(text, target)

    def wants_with_facts(self, text: str, target: str, facts: dict[str, Any]) -> bool:
        """A second chance for a file `screen` rejected, from the project's cross-file facts (a DAG
        calling an operator the repository defines). Must cost microseconds too."""
        return False

    def records_from_text(self, text: str, target: str) -> dict[str, list[Any]]:
        """What the rule records for a file its pre-screen skipped (read from the text, no parse)."""
        return {}

    # -- metadata helpers -------------------------------------------------------------------

    @classmethod
    def fixable(cls) -> bool:
        return cls.fix is not None

    @classmethod
    def applies_on(cls) -> Optional[list[str]]:
        """The targets where the rule can find anything, when its family's data decides it (a rule
        for an argument that exists from 2.4 on); None: wherever `since`/`until` allow."""
        return None

    @classmethod
    def on_platform(cls, platform: str) -> bool:
        """Whether the rule runs on a target with this platform ("" for an MWAA environment)."""
        return cls.platform is None or platform.partition("-")[0] == cls.platform

    @classmethod
    def applies(cls, target: str) -> bool:
        """Whether the rule can find anything on `target` (`since`/`until`, then `applies_on`): the
        plan runs it there only, and `dagshift rules --target-version` shows no severity elsewhere."""
        from dagshift.linter.targets import in_range

        if not in_range(target, cls.since, cls.until):
            return False
        where = cls.applies_on()
        return where is None or target in where

    @classmethod
    def severities(cls, target: str) -> tuple[str, ...]:
        """The severities of the rule's findings on `target`, errors first; () where it finds nothing.

        One for most rules. Two for a rule some of whose findings fail on the target (ERROR: an
        import that raises, an argument the DAG is refused for) while others only warn or are
        ignored there (WARNING); which of them a target has is read from the same facts and decided
        by the same functions as each finding's own severity. `dagshift rules --target-version`
        shows these."""
        if not cls.applies(target):
            return ()
        return (ERROR, WARNING) if cls.mixed else (cls.severity,)

    @classmethod
    def severities_on(cls, target: str) -> tuple[str, ...]:
        """`severities` on a target as the user names it ("3.0.6", "serverless-1"): a platform's
        rules have none elsewhere, every other rule has its Airflow version's."""
        from dagshift.linter.targets import split_target

        airflow, platform = split_target(target)
        return cls.severities(airflow) if cls.on_platform(platform) else ()

    @classmethod
    def target_range(cls) -> str:
        from dagshift.linter.targets import supported_targets, version_tuple

        found = cls.applies_on()
        if found is not None:
            every = [t.airflow for t in supported_targets()]
            found = sorted(set(found) & set(every), key=version_tuple)
            if not found:
                return "none"
            if found == every:
                return "all"
            if found == every[every.index(found[0]):]:
                return f">={found[0]}"
            if found == every[: every.index(found[-1]) + 1]:
                return f"<={found[-1]}"
            return ",".join(found)
        if cls.since and cls.until:
            return f">={cls.since},<{cls.until}"
        if cls.since:
            return f">={cls.since}"
        if cls.until:
            return f"<{cls.until}"
        return "all"

    @classmethod
    def summary(cls) -> str:
        """The first sentence of 'What it does', for short descriptions."""
        text = cls.section("What it does").strip().replace("\n", " ")
        return text.split(". ")[0].rstrip(".") + "." if text else cls.name

    @classmethod
    def section(cls, title: str) -> str:
        sections = parse_doc(cls.doc)
        return sections.get(title, "")

    @classmethod
    def metadata(cls, target: str) -> dict[str, Any]:
        """What `dagshift rules --format json` says of the rule on `target`: `severities` as
        `severities()` gives them, `severity` the first (the gravest; None where it finds nothing)."""
        severities = cls.severities_on(target)
        return {
            "code": cls.code,
            "name": cls.name,
            "message": cls.message,
            "target_version": target,
            "severity": severities[0] if severities else None,
            "severities": list(severities),
            "fix": cls.fix,
            "target": cls.target_range(),
            "kinds": sorted(cls.kinds),
        }


class FamilyRule(Rule):
    """A rule of a family whose one analysis pass finds the findings of all its rules.

    The family's base class says how to run the pass (`analyse`, importing the analysis module
    lazily so that listing rules stays cheap); the pass runs once per file however many of the
    family's rules are enabled, and each rule reports the findings that carry its code.
    """

    def analyse(self, ctx: "RuleContext") -> Iterable["Finding"]:
        raise NotImplementedError

    def check(self, ctx: "RuleContext") -> None:
        from dagshift.linter.findings import report_own

        report_own(ctx, self.analyse(ctx))


def parse_doc(doc: str) -> dict[str, str]:
    """Split a rule doc into its `## Title` sections."""
    sections: dict[str, str] = {}
    current: Optional[str] = None
    lines: list[str] = []
    for line in doc.strip("\n").splitlines():
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(lines).strip("\n")
            current, lines = line[3:].strip(), []
        else:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip("\n")
    return sections


def validate_rule(rule: type[Rule], docs: bool = True) -> list[str]:
    """Problems with a rule's declaration; the registry refuses rules that have any. `docs=False`
    skips the doc sections (parsing 40 docs costs every run ~10 ms; the suite checks the shipped ones)."""
    problems = []
    for attr in ("code", "name", "message", "doc", "kinds"):
        if not getattr(rule, attr, None):
            problems.append(f"{rule.__name__}: missing {attr}")
    if problems:
        return problems
    if not CODE_RE.match(rule.code):
        problems.append(f"{rule.__name__}: code {rule.code!r} is not DSnnn")
    if rule.severity not in (ERROR, WARNING):
        problems.append(f"{rule.code}: severity {rule.severity!r}")
    if rule.fix not in (None, SAFE, UNSAFE, SOMETIMES):
        problems.append(f"{rule.code}: fix {rule.fix!r}")
    headings = list(parse_doc(rule.doc)) if docs else []
    missing = [s for s in DOC_SECTIONS if not any(h.startswith(s) for h in headings)] if docs else []
    if missing:
        problems.append(f"{rule.code}: doc lacks section(s) {', '.join(missing)}")
    if "\n" in rule.message:
        problems.append(f"{rule.code}: message must be one line")
    return problems
