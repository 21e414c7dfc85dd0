"""`dagshift report`: where a migration stands, for the whole team (HTML) or a pull request (Markdown).

The HTML file is self-contained: inline CSS, an inline SVG chart and a few lines of script to sort
the per-file table. No network, no external assets.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dagshift.linter import RULES_DOC_URL, __version__
from dagshift.linter.codes import FAMILY_TITLES
from dagshift.linter.ruledocs import rule_url
from dagshift.linter.targets import target_label

if TYPE_CHECKING:
    from dagshift.linter.config import Settings
    from dagshift.linter.engine import RunResult
    from dagshift.linter.registry import Registry



@dataclass
class FileRow:
    path: str
    total: int
    fixable: int  # with --fix (safe)
    manual: int  # everything else
    findings: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.total == 0:
            return "ready"
        return "auto-fixable" if self.manual == 0 else "manual"


def model(run: "RunResult", registry: "Registry", settings: "Settings") -> dict[str, Any]:
    rows: list[FileRow] = []
    providers: Counter = Counter()
    counts = _counted(run) | {d.path for d in run.problems}
    for result in run.files:
        if not result.diagnostics and (_empty(result.entry.path) or result.entry.display not in counts):
            continue  # an empty __init__.py, a JSON resource, a Lambda: not files that are "ready"
        for dist in set(result.records.get("providers", [])):
            providers[dist] += 1  # files that need it, not findings
        fixable = sum(1 for d in result.diagnostics if d.fix is not None and d.fix.is_safe)
        row = FileRow(result.entry.display, len(result.diagnostics), fixable, len(result.diagnostics) - fixable)
        for d in result.diagnostics:
            rule = registry.get(d.code)
            row.findings.append({
                "code": d.code, "name": rule.name if rule else "", "line": d.location.line, "message": d.message,
                "severity": d.severity, "fix": "safe" if d.fix is not None and d.fix.is_safe else
                ("unsafe" if d.fix is not None else "manual"),
                "url": rule_url(rule.code, rule.name) if rule else RULES_DOC_URL,
            })
        row.findings.sort(key=lambda f: (f["line"], f["code"]))
        rows.append(row)
    for d in run.problems:
        rows.append(FileRow(d.path, 1, 0, 1, [{"code": d.code, "name": "", "line": 1, "message": d.message,
                                               "severity": d.severity, "fix": "manual", "url": RULES_DOC_URL}]))
    families: Counter = Counter()
    for row in rows:
        for f in row.findings:
            families[f["code"][2]] += 1
    status = Counter(row.status for row in rows if row.path in counts)
    changes = [
        dict(f, path=row.path) for row in rows for f in row.findings if f["code"][2] in "34"
    ]
    return {
        "target": settings.target_version,
        # How the heading names it: "Airflow 3.0.6", "MWAA Serverless engine 1 (Airflow 3.0.6)".
        "title": target_label(settings.target_name),
        "python": settings.python_version,
        "version": __version__,
        "files": sum(1 for row in rows if row.path in counts),
        "ready": status["ready"],
        "auto": status["auto-fixable"],
        "manual": status["manual"],
        "families": [(FAMILY_TITLES[k], families[k]) for k in sorted(families)],
        "providers": sorted(providers.items()),
        "changes": changes,
        # The table lists the files with findings; the ready ones are a count.
        "rows": sorted((r for r in rows if r.total), key=lambda r: (-r.manual, -r.total, r.path)),
        "outside": sum(1 for row in rows if row.path not in counts),
        "environments": _environments(run, [row for row in rows if row.path in counts]),
    }


# In a DAGs, plugins or include folder only the DAGs and the code count (Python, YAML DAGs): the JSON
# and SQL resources deployed beside them are not migration work.
FOLDER_ROLES = ("dags", "plugins", "include")


def _counted(run: "RunResult") -> set[str]:
    """The files readiness counts, as the report shows them (display paths): an environment's DAGs,
    plugins, requirements, configuration, the Python beside them and the infrastructure that declares
    it (not its resources, nor a file that belongs to no environment); every file when no environment
    was found."""
    from dagshift.environments import READINESS_ROLES

    model = run.model
    if model is None or not model.environments:
        return {r.entry.display for r in run.files}
    return {r.entry.display for r in run.files
            if (m := model.member(r.entry.relpath)) is not None and m.role in READINESS_ROLES
            and (m.role not in FOLDER_ROLES or r.entry.kind in ("python", "yaml"))}


def _environments(run: "RunResult", rows: list[FileRow]) -> list[dict[str, Any]]:
    """Per environment the checked files hold: its name, the version it runs, and the readiness of
    its counted files (`rows`: the same the headline counts)."""
    from dagshift.linter.environments_view import label

    model = run.model
    if model is None:
        return []
    shown = model.restricted_to({r.entry.relpath for r in run.files})
    by_display = {row.path: row for row in rows}
    found = []
    for index, env in enumerate(shown.environments):
        members = {r.entry.display for r in run.files if (m := shown.member(r.entry.relpath)) is not None
                   and m.environment == index}
        mine = [by_display[p] for p in members if p in by_display]
        status = Counter(row.status for row in mine)
        found.append({"label": label(env), "from": env.from_version, "files": len(mine), "ready": status["ready"],
                      "auto": status["auto-fixable"], "manual": status["manual"]})
    return found


def _empty(path: Any) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _inline_markdown(text: str) -> str:
    """Escaped text with Markdown's `code` spans rendered (messages quote paths and names that way)."""
    import re

    parts = re.split(r"`([^`]+)`", text)
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p) for i, p in enumerate(parts))


def _chart(families: list[tuple[str, int]]) -> str:
    if not families:
        return '<p class="muted">No findings.</p>'
    width, bar_h, gap, label_w = 640, 26, 10, 230
    peak = max(n for _, n in families) or 1
    height = len(families) * (bar_h + gap)
    parts = [f'<svg role="img" aria-label="Findings per rule family" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (name, count) in enumerate(families):
        y = i * (bar_h + gap)
        w = max(2, int((width - label_w - 60) * count / peak))
        parts.append(f'<text x="0" y="{y + 18}" font-size="14">{html.escape(name)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" rx="3" fill="#2f6fb1"></rect>'
                     f'<text x="{label_w + w + 6}" y="{y + 18}" font-size="14">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


SORT_SCRIPT = """
document.querySelectorAll('table.sortable th[data-key]').forEach(function (th) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0], index = th.cellIndex;
    var numeric = th.dataset.type === 'number';
    // Numbers sort largest first on the first click, text A to Z.
    var current = th.getAttribute('aria-sort');
    var descending = numeric ? current !== 'descending' : current === 'ascending';
    table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
      var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1d2733; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; font-size: 1.2rem; }
.muted { color: #5c6b7a; } .cards { display: flex; gap: 1rem; margin: 1.2rem 0; }
.card { flex: 1; border: 1px solid #d5dde5; border-radius: 8px; padding: .8rem 1rem; }
.card b { display: block; font-size: 1.8rem; } .ready b { color: #237a3b; } .auto b { color: #2f6fb1; }
.manual b { color: #b3261e; } table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td { overflow-wrap: anywhere; } td code { white-space: normal; word-break: break-all; }
#files th:nth-child(1) { width: 24%; } #files th:nth-child(2) { width: 10%; }
#files th:nth-child(3), #files th:nth-child(4), #files th:nth-child(5) { width: 7%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e3e8ee; vertical-align: top; }
th[data-key] { cursor: pointer; user-select: none; } th[aria-sort=descending]::after { content: " \\25BC"; }
th[aria-sort=ascending]::after { content: " \\25B2"; } td.num { text-align: right; }
ul.findings { margin: 0; padding-left: 1.1rem; } code { font-size: 13px; }
.error { color: #b3261e; } .warning { color: #8a5a00; }
#matrix tr.chosen td { background: #eef5fc; font-weight: 600; } th.num { text-align: right; }
#matrix th:nth-child(1) { width: 20%; } ol.steps p { margin: .2rem 0; } ol.steps li { margin-bottom: .6rem; }
ol.steps pre { margin: .3rem 0; padding: .4rem .6rem; background: #f4f6f8; border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
"""


def render_html(data: dict[str, Any]) -> str:
    e = html.escape
    rows = []
    for row in data["rows"]:
        items = "".join(
            f'<li><a href="{e(f["url"])}"><code>{e(f["code"])}</code></a> '
            f'<span class="{e(f["severity"])}">line {f["line"]}</span>: {_inline_markdown(f["message"])} '
            f'<span class="muted">({e(f["fix"])})</span></li>'
            for f in row.findings
        )
        rows.append(
            f'<tr><td data-value="{e(row.path)}"><code>{e(row.path)}</code></td>'
            f'<td data-value="{e(row.status)}">{e(row.status)}</td>'
            f'<td class="num" data-value="{row.manual}">{row.manual}</td>'
            f'<td class="num" data-value="{row.fixable}">{row.fixable}</td>'
            f'<td class="num" data-value="{row.total}">{row.total}</td>'
            f'<td data-value="{row.total}"><ul class="findings">{items}</ul></td></tr>'
        )
    providers = "".join(f"<li><code>{e(d)}</code> <span class='muted'>({n} file{'s' if n != 1 else ''})</span></li>"
                        for d, n in data["providers"]) or "<li class='muted'>None recorded.</li>"
    changes = "".join(
        f"<li><code>{e(c['path'])}:{c['line']}</code> <a href=\"{e(c['url'])}\"><code>{e(c['code'])}</code></a> "
        f"{_inline_markdown(c['message'])}</li>" for c in data["changes"]
    ) or "<li class='muted'>Nothing to change.</li>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(data['title'])} migration readiness</title><style>{STYLE}</style></head>
<body>
<h1>{e(data['title'])} migration readiness</h1>
<p class="muted">dagshift {e(data['version'])} &middot; target Airflow {e(data['target'])}, Python {e(data['python'])}
&middot; {data['files']} files of {_plural(len(data['environments']), 'environment')} counted</p>
<div class="cards">
<div class="card ready" id="ready"><b>{data['ready']}</b>files ready</div>
<div class="card auto" id="auto"><b>{data['auto']}</b>files fixed by <code>dagshift check --fix</code></div>
<div class="card manual" id="manual"><b>{data['manual']}</b>files needing manual work</div>
</div>
{_environments_html(data['environments'], data['outside'])}
{_matrix_html(data.get('matrix', []))}
{_steps_html(data.get('steps', []))}
<h2>Findings per rule family</h2>
{_chart(data['families'])}
<h2>Providers the repository needs on Airflow {e(data['target'])}</h2>
<ul>{providers}</ul>
<h2>Requirements and configuration changes</h2>
<ul>{changes}</ul>
<h2>Files</h2>
<p class="muted">The files with findings; the {data['ready']} ready {'file is' if data['ready'] == 1 else 'files are'} not listed.
Click a column to sort. Sorted by remaining manual work.</p>
<table class="sortable" id="files"><thead><tr>
<th data-key="path">File</th><th data-key="status">Status</th>
<th data-key="manual" data-type="number" aria-sort="descending">Manual</th>
<th data-key="fixable" data-type="number">Auto-fixable</th><th data-key="total" data-type="number">Total</th>
<th>Findings</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<script>{SORT_SCRIPT}</script>
</body></html>
"""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _environments_html(envs: list[dict[str, Any]], outside: int) -> str:
    """Each environment's readiness: what `dagshift environments` found, counted."""
    if not envs:
        return ""
    e = html.escape
    body = "".join(
        f'<tr><td>{e(env["label"])}</td><td>{e(env["from"] or "unknown")}</td><td class="num">{env["files"]}</td>'
        f'<td class="num">{env["ready"]}</td><td class="num">{env["auto"]}</td><td class="num">{env["manual"]}</td></tr>'
        for env in envs)
    note = (f'<p class="muted">{_plural(outside, "file")} with findings belong to no environment: listed below, '
            'not counted.</p>') if outside else ""
    return ('<h2>Environments</h2>\n<p class="muted">The Airflow deployments the repository holds '
            '(<code>dagshift environments</code> shows each file\'s role and the evidence). Readiness counts their '
            'DAGs, plugins, requirements, configuration and the infrastructure that declares them.</p>\n'
            '<table id="environments"><thead><tr><th>Environment</th><th>Airflow today</th><th class="num">Files</th>'
            '<th class="num">Ready</th><th class="num">Fixed by <code>--fix</code></th><th class="num">Need a person</th>'
            f'</tr></thead><tbody>{body}</tbody></table>{note}')


def _matrix_html(rows: list) -> str:
    if not rows:
        return ""
    e = html.escape
    body = "".join(
        f'<tr class="{"chosen" if r.chosen else ""}"><td><code>{e(r.target)}</code>{" (this report)" if r.chosen else ""}</td>'
        f'<td>{e(r.status)}</td><td>{e(r.python)}</td><td class="num">{r.ready}</td><td class="num">{r.auto}</td>'
        f'<td class="num">{r.manual}</td><td class="num">{r.providers} ({r.to_add} to add)</td></tr>'
        for r in rows
    )
    return ('<h2>Readiness on every target</h2>\n<p class="muted">The same files checked on each Airflow version MWAA creates environments on (and the chosen one); '
            'pick the target, then follow the steps below for it.</p>\n'
            '<table id="matrix"><thead><tr><th>Target</th><th>MWAA status</th><th>Python</th><th class="num">Files ready</th>'
            '<th class="num">Fixed by <code>--fix</code></th><th class="num">Need a person</th>'
            '<th class="num">Providers needed</th></tr></thead>'
            f'<tbody>{body}</tbody></table>')


def _steps_html(plan: list) -> str:
    if not plan:
        return ""
    e = html.escape
    items = []
    for step in plan:
        command = f'<pre><code>{e(step["command"])}</code></pre>' if step["command"] else ""
        listed = ", ".join(f"<code>{e(i)}</code>" for i in step["items"])
        items.append(f'<li><b>{e(step["title"])}</b>: {_inline_markdown(step["detail"])}.{command}'
                     f'{f"<p class=muted>{listed}</p>" if listed else ""}</li>')
    return f'<h2>Steps</h2>\n<ol class="steps">{"".join(items)}</ol>'


def render_markdown(data: dict[str, Any]) -> str:
    lines = [
        f"### {data['title']} migration readiness",
        "",
        f"**{data['ready']}** of {data['files']} files ready, **{data['auto']}** fixed by `dagshift check --fix`, "
        f"**{data['manual']}** need manual work (dagshift {data['version']}, Python {data['python']}).",
        "",
        *([f"Environments: {'; '.join(_environment_md(env) for env in data['environments'])}.", ""]
          if data["environments"] else []),
        "| Rule family | Findings |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {count} |" for name, count in data["families"]] or ["| (none) | 0 |"]
    if data.get("matrix"):
        lines += ["", "| Target | MWAA | Ready | Fixed by `--fix` | Need a person | Providers (to add) |",
                  "| --- | --- | ---: | ---: | ---: | ---: |"]
        lines += [f"| {'**' + r.target + '**' if r.chosen else r.target} | {r.status} | {r.ready} | {r.auto} | "
                  f"{r.manual} | {r.providers} ({r.to_add}) |" for r in data["matrix"]]
    if data.get("steps"):
        lines.append("")
        for number, step in enumerate(data["steps"], 1):
            command = f" `{step['command']}`" if step["command"] else ""
            lines.append(f"{number}. **{step['title']}**{command}: {step['detail']}"
                         + (f" ({', '.join(step['items'])})" if step["items"] else ""))
    if data["providers"]:
        lines += ["", "Providers needed: " + ", ".join(f"`{d}`" for d, _ in data["providers"])]
    manual = [row for row in data["rows"] if row.manual]
    if manual:
        lines += ["", "| File | Manual | Auto-fixable |", "| --- | ---: | ---: |"]
        lines += [f"| `{row.path}` | {row.manual} | {row.fixable} |" for row in manual[:25]]
        if len(manual) > 25:
            lines.append(f"| … {len(manual) - 25} more | | |")
    return "\n".join(lines) + "\n"


def _environment_md(env: dict[str, Any]) -> str:
    today = f", Airflow {env['from']} today" if env["from"] else ""
    return f"{env['label']}{today}: {env['ready']} of {env['files']} files ready"


def render(fmt: str, data: dict[str, Any]) -> str:
    return render_markdown(data) if fmt == "markdown" else render_html(data)
