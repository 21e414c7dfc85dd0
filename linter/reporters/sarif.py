"""`--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import quote

from dagshift.linter import __url__, __version__
from dagshift.linter.codes import FAMILY_TAGS, family_digit
from dagshift.linter.diagnostics import Diagnostic
from dagshift.linter.reporters.context import ReportContext
from dagshift.linter.reporters.json_report import array_pieces
from dagshift.linter.ruledocs import rule_url

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
# GitHub truncates longer descriptions; cut at a word boundary ourselves.
MAX_DESCRIPTION = 1024


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_DESCRIPTION:
        return text
    return text[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"


def _artifact(path: str) -> dict[str, Any]:
    """`path` relative to the project root (%SRCROOT%), or an absolute file URI outside it."""
    if path.startswith("/"):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def root_relative(ctx: ReportContext) -> dict[str, str]:
    """Each reported path (relative to the working directory) as a path relative to the project
    root: GitHub resolves %SRCROOT% to the repository, wherever the run started (`dags/`...)."""
    return {r.entry.display: r.entry.relpath for r in ctx.run.files}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def fingerprints(diagnostics: list[Diagnostic]) -> list[str]:
    """Hashes that do not include the line number, so a finding keeps its identity when lines shift."""
    seen: dict[str, int] = {}
    out = []
    for diag in diagnostics:
        basis = "\0".join([diag.code, diag.path, " ".join(diag.source_line.split()), diag.message])
        digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"{digest}:{seen[digest]}")
    return out


def _category(settings: Any) -> str:
    """One SARIF category per target: "dagshift/airflow-2.11.2/", "dagshift/serverless-1/" (MWAA
    Serverless runs its engine's Airflow, but its findings are not that MWAA environment's)."""
    if settings.platform:
        return f"dagshift/{settings.platform}/"
    return f"dagshift/airflow-{settings.target_version}/"


def _rule_descriptor(rule: Any, target: str) -> dict[str, Any]:
    what = rule.section("What it does")
    # The gravest severity the rule's findings have on the run's target (`dagshift rules --target-version`).
    level = (rule.severities_on(target) or (rule.severity,))[0]
    return {
        "id": rule.code,
        "name": rule.name,
        # One line, shown atop every alert: the message when it has no placeholders, else the name.
        "shortDescription": {"text": rule.message if "{" not in rule.message else rule.name.replace("-", " ")},
        "fullDescription": {"text": _clip(what or rule.summary())},
        "help": {"text": rule.doc.strip(), "markdown": rule.doc.strip()},
        "helpUri": rule_url(rule.code, rule.name),
        "defaultConfiguration": {"level": "error" if level == "error" else "warning"},
        "properties": {
            "tags": ["airflow", "airflow-2-migration", FAMILY_TAGS.get(family_digit(rule.code), "other")],
            "precision": "very-high",
            "problem.severity": "error" if level == "error" else "warning",
            "fix": rule.fix or "none",
            "target-versions": rule.target_range(),
        },
    }


# Where the results go in the document's text; they are written one at a time (sarif_pieces).
_RESULTS = "@@dagshift-results@@"


def render_sarif(ctx: ReportContext) -> str:
    return "".join(sarif_pieces(ctx))


def sarif_pieces(ctx: ReportContext) -> Iterator[str]:
    """The same text as json.dumps(log, indent=2) + newline, the results one at a time: a large
    run's log is never held whole in memory."""
    rules = list(ctx.registry)
    index = {rule.code: i for i, rule in enumerate(rules)}
    diagnostics = ctx.run.diagnostics
    relative = root_relative(ctx)
    text = json.dumps(_log(ctx, rules), indent=2, ensure_ascii=False) + "\n"
    head, _, tail = text.partition(f'"{_RESULTS}"')
    yield head
    results = (_result(diag, fingerprint, index.get(diag.code), relative.get(diag.path, diag.path))
               for diag, fingerprint in zip(diagnostics, fingerprints(diagnostics)))
    yield from array_pieces(results, head[head.rfind("\n") + 1:].split('"')[0], ensure_ascii=False)
    yield tail


def _log(ctx: ReportContext, rules: list) -> dict[str, Any]:
    cwd = Path.cwd().as_uri() + "/"
    root = ctx.settings.root.resolve().as_uri() + "/"
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dagshift",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": __url__,
                        "rules": [_rule_descriptor(rule, ctx.settings.target_name) for rule in rules],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root}},
                # Columns count code points, as the text output does (SARIF's default is UTF-16).
                "columnKind": "unicodeCodePoints",
                # One category per target, so uploads for several targets do not replace each other.
                "automationDetails": {"id": ctx.sarif_category or _category(ctx.settings)},
                "invocations": [
                    {
                        "executionSuccessful": not ctx.run.failed,
                        "workingDirectory": {"uri": cwd},
                    }
                ],
                # The target as the user named it ("serverless-1"), and the Airflow version its rules are.
                "properties": {"targetVersion": ctx.settings.target_name, "airflowVersion": ctx.settings.target_version,
                               "pythonVersion": ctx.settings.python_version},
                "results": _RESULTS,
            }
        ],
    }


def _result(diag: Diagnostic, fingerprint: str, rule_index: Optional[int], path: str) -> dict[str, Any]:
    loc = diag.location
    result: dict[str, Any] = {
        "ruleId": diag.code,
        "level": "error" if diag.severity == "error" else "warning",
        "message": {"text": diag.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(path),
                    "region": _region(loc.line, loc.column, loc.end_line, loc.end_column),
                }
            }
        ],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
    }
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    if diag.fix is not None and diag.extra.get("edits"):
        result["fixes"] = [_fix(diag, path)]
    return result


def _fix(diag: Diagnostic, path: str) -> dict[str, Any]:
    assert diag.fix is not None
    return {
        "description": {"text": diag.fix.description or f"apply the {diag.code} fix ({diag.fix.applicability})"},
        "artifactChanges": [
            {
                "artifactLocation": _artifact(path),
                "replacements": [
                    {
                        "deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
                        "insertedContent": {"text": content},
                    }
                    for e, content in diag.extra["edits"]
                ],
            }
        ],
    }
