"""`--format gitlab`: GitLab Code Quality JSON, which the merge-request widget reads
(`artifacts: reports: codequality`). GitLab has no SARIF ingestion."""

from __future__ import annotations

import json

from dagshift.linter.reporters.context import ReportContext
from dagshift.linter.reporters.sarif import fingerprints, root_relative

# GitLab's severities are info, minor, major, critical and blocker.
SEVERITY = {"error": "major", "warning": "minor"}


def render_gitlab(ctx: ReportContext) -> str:
    diagnostics = ctx.run.diagnostics
    relative = root_relative(ctx)
    issues = [
        {
            "description": f"{diag.code} {diag.message}",
            "check_name": diag.code,
            # Without the line number: a finding keeps its identity when lines above it move.
            "fingerprint": fingerprint.replace(":", "-"),
            "severity": SEVERITY.get(diag.severity, "minor"),
            "location": {
                "path": relative.get(diag.path, diag.path),
                "lines": {"begin": diag.location.line, "end": diag.location.end_line},
            },
        }
        for diag, fingerprint in zip(diagnostics, fingerprints(diagnostics))
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
