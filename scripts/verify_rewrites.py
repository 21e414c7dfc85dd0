#!/usr/bin/env python3
"""#26 on public repositories: SubDAGs, SQL operators and Google classes after `--fix --unsafe-fixes`.

    python scripts/verify_rewrites.py [--repos scripts/rewrite_repositories.json] [--only OWNER/NAME ...]
        [--mirrors /work/.mirror] [--jobs 3] [--report FILE] [--json FILE]

For each repository of the list (owner/name at a pinned commit, read from the bare snapshot the
search tool's `fetch` leaves in MIRRORS/<owner>+<name>/repo):
1. the commit is exported twice into a temp dir (scripts/verify_repositories.py's `export`, through a
   throwaway git dir whose HEAD is the commit and whose objects are the snapshot's);
2. `check --fix --unsafe-fixes --target-version 3.0.6` runs on the copy, then a second time (which
   must change nothing); findings before and after, and the fix-created ones (per file and code, in
   a file the fix changed), are counted;
3. each DAG folder (`dagshift environments`, as verify_repositories.py finds them) is loaded by
   scripts/equivalence_probe.py: the original on 2.11.2 and, where a file fails there, on 2.10.3
   (whose pins still have the SQL providers' and google's old classes); the fixed copy on 3.0.6;
4. every file that imports a SubDagOperator, a class DS515's table covers, or a Google class
   (`airflow.contrib` GCP modules, `airflow.providers.google`) is judged: does it load on 3.0.6
   after the fix, and if not, is it a construct's refusal (a DS510/DS515 finding left, with its
   reason) or something else (classified by scripts/failure_kinds.py, with the error findings left
   on the file); each DAG of a file the fix rewrote is compared (verify_equivalence.py's
   `compare_dag`) with the original's.

Prints a Markdown table and the details. Run by hand, not by CI: it runs other people's DAG code
inside the verification venvs (/tmp/dagshift-verify-<version>), never in this process.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import ROOT, load_table  # noqa: E402
from failure_kinds import classify, exception_line  # noqa: E402
from verify_equivalence import compare_dag, home_for, probe, successors, venv_python  # noqa: E402
from verify_repositories import dag_folders, dagshift, export, snapshot  # noqa: E402

REPOS = ROOT / "scripts" / "rewrite_repositories.json"
TARGET, ORIGINAL, FALLBACK = "3.0.6", "2.11.2", "2.10.3"
CONSTRUCT_CODES = ("DS510", "DS515")
GOOGLE = ("airflow.providers.google.", *(f"airflow.contrib.{kind}.{name}" for kind in ("operators", "sensors", "hooks")
                                        for name in ("bigquery", "gcs", "gcp", "dataflow", "dataproc", "pubsub",
                                                     "datastore", "mlengine", "file_to_gcs")))


@dataclass
class FileVerdict:
    """One file with a construct, after the fix."""

    path: str
    constructs: dict[str, list[str]]  # kind -> class names
    rewritten: int = 0
    refused: list[str] = field(default_factory=list)
    loads: Optional[bool] = None  # None: no DAG folder reached it
    why: str = ""
    dags: dict[str, list[str]] = field(default_factory=dict)  # dag id -> differences (compared DAGs only)
    original_on: str = ""


@dataclass
class Outcome:
    repo: str
    commit: str
    files: list[FileVerdict] = field(default_factory=list)
    before: int = 0
    after: int = 0
    second_fix: list[str] = field(default_factory=list)
    fix_created: list[tuple[str, str, int]] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    problem: str = ""


def constructs(source: str) -> dict[str, list[str]]:
    """subdag / sql / google -> the classes a file imports (dotted paths through DS515's aliases)."""
    table = load_table("operator_replacements", "classes", "aliases")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        paths = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            paths = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            paths = [alias.name for alias in node.names]
        for path in paths:
            name = path.rpartition(".")[2]
            canonical = table["aliases"].get(path, path)
            if name == "SubDagOperator" and path.startswith("airflow."):
                kind = "subdag"
            elif canonical in table["classes"] and "google" not in canonical:
                kind = "sql" if "sql" in table["classes"][canonical]["successor"] else "other DS515"
            elif path.startswith(GOOGLE) and (name[:1].isupper() or path.startswith("airflow.contrib.operators.bigquery")):
                kind = "google"
            else:
                continue
            found.setdefault(kind, []).append(name)
    return found


def checkout(mirrors: Path, repo: str, commit: str, dest: Path) -> None:
    """`commit` of the snapshot into dest, through a git dir borrowing the snapshot's objects."""
    snap = mirrors / repo.replace("/", "+") / "repo"
    snap = snap / ".git" if (snap / ".git").exists() else snap
    with tempfile.TemporaryDirectory(prefix="dagshift-rewrites-git-") as git_dir:
        subprocess.run(["git", "init", "-q", "--bare", git_dir], check=True)
        (Path(git_dir) / "objects" / "info" / "alternates").write_text(str((snap / "objects").resolve()) + "\n")
        (Path(git_dir) / "HEAD").write_text(commit + "\n")
        export(Path(git_dir), dest)


def findings(cwd: Path) -> list[dict]:
    proc = dagshift(cwd, "check", ".", "--format", "json", "--no-cache", "--exit-zero", "--target-version", TARGET)
    return json.loads(proc.stdout or "[]")


def fix(cwd: Path) -> None:
    dagshift(cwd, "check", ".", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero", "--quiet",
             "--target-version", TARGET)


def by_file(found: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for finding in found:
        grouped.setdefault(finding["path"], []).append(finding)
    return grouped


def fix_twice(outcome: Outcome, fixed: Path) -> tuple[dict[str, list[dict]], dict[str, list[dict]], set[str]]:
    """Findings before and after per file, and the files the fix changed; records the second fix's
    changes and the fix-created findings."""
    before = findings(fixed)
    original = snapshot(fixed)
    fix(fixed)
    once = snapshot(fixed)
    fix(fixed)
    twice = snapshot(fixed)
    after = findings(fixed)
    outcome.before, outcome.after = len(before), len(after)
    outcome.second_fix = sorted(f for f in set(once) | set(twice) if once.get(f) != twice.get(f))
    changed = {f for f in once if original.get(f) != once[f]}
    old, new = by_file(before), by_file(after)
    for path in sorted(changed):
        extra = Counter(f["code"] for f in new.get(path, [])) - Counter(f["code"] for f in old.get(path, []))
        outcome.fix_created += [(path, code, n) for code, n in sorted(extra.items())]
    return old, new, changed


def load_folders(root: Path, folders: list[tuple[str, list[str], bool]], version: str) -> dict[str, Any]:
    """{"dags": {dag_id: facts (file relative to root)}, "errors": {file: text}} over every DAG folder."""
    python = venv_python(version)
    merged: dict[str, Any] = {"dags": {}, "errors": {}, "fatal": []}
    for folder, plugins, _ in sorted(folders, key=lambda f: f[0].count("/")):
        result = probe(python, version, root / folder, root / plugins[0] if plugins else None)
        if result.get("fatal"):
            merged["fatal"].append(f"{folder}: {exception_line(result['fatal'])}")
        for path, text in result.get("errors", {}).items():
            merged["errors"][str(Path(folder) / path)] = text
        for dag_id, facts in result.get("dags", {}).items():
            facts["file"] = str(Path(folder) / facts["file"])
            merged["dags"][dag_id] = facts
            merged["errors"].pop(facts["file"], None)
    return merged


def originals(root: Path, folders: list[tuple[str, list[str], bool]]) -> dict[str, Any]:
    """The original on 2.11.2, and each file failing there as 2.10.3 loads it (when it does)."""
    newest = load_folders(root, folders, ORIGINAL)
    newest["version"] = {facts["file"]: ORIGINAL for facts in newest["dags"].values()}
    if newest["errors"]:
        older = load_folders(root, folders, FALLBACK)
        for dag_id, facts in older["dags"].items():
            if facts["file"] in newest["errors"] and dag_id not in newest["dags"]:
                newest["dags"][dag_id] = facts
                newest["version"][facts["file"]] = FALLBACK
        for path in list(newest["errors"]):
            if newest["version"].get(path) == FALLBACK:
                del newest["errors"][path]
            elif path in older["errors"]:
                newest["errors"][path] = older["errors"][path]
    return newest


def reasons(left: list[dict]) -> list[str]:
    """`CODE line N: why no fix` for each DS510/DS515 finding left (the message's "no fix: ..." part)."""
    said = lambda m: m.partition("no fix: ")[2] or m.partition("as a TaskGroup: ")[2] or m
    return [f"{f['code']} line {f['line']}: {said(f['message'])}" for f in left if f["code"] in CONSTRUCT_CODES]


TASK_REPR = re.compile(r"<Task\((\w+)\): ")
EMPTY: tuple[Any, ...] = (None, {}, [], "")


def _query(configuration: Any, folder: Path) -> Any:
    """A BigQuery job's query: a `.sql` path read from the DAG file's folder, as Airflow renders it
    when the task runs (the old class read it while the file was parsed)."""
    query = ((configuration or {}).get("query") or {}).get("query")
    if isinstance(query, str) and query.endswith(".sql") and (folder / query.lstrip("/")).is_file():
        return (folder / query.lstrip("/")).read_text(encoding="utf-8")
    return query


def _settled(key: str, old: dict, new: dict, folder: Path) -> Optional[str]:
    """One templated field told apart: None where both runs agree (a BigQuery `sql` that became the
    `configuration`'s query, a field only one class templates that is empty or the original's
    connection id, a `<Task(OldClass)>` repr); else the difference named."""
    a, b = old["templated"].get(key), new["templated"].get(key)
    strip = lambda v: TASK_REPR.sub("<Task: ", json.dumps(v, sort_keys=True))
    if key in old["templated"] and key in new["templated"]:
        return None if strip(a) == strip(b) else f"`{key}` {a!r} -> {b!r}"
    if key == "sql" and _query(new["templated"].get("configuration"), folder) == a:
        return None
    if key == "configuration" and _query(b, folder) == old["templated"].get("sql"):
        return None  # (its other keys: scripts/verify_replacements.py)
    value = a if key in old["templated"] else b
    if value in EMPTY or value in old["conn_ids"].values():
        return None
    return f"`{key}` {value!r} only in the {'original' if key in old['templated'] else 'fixed'} task"


def settle(old: dict, new: dict, differences: list[str], folder: Path) -> list[str]:
    """compare_dag's differences, with each task's templated fields compared field by field (the
    replaced classes template other fields: SQLExecuteQueryOperator's `conn_id`, `hook_params`...)."""
    kept = []
    for difference in differences:
        task = re.match(r"task `(.+)`: templated ", difference)
        if not task:
            kept.append(difference)
            continue
        a, b = old["tasks"][task.group(1)], new["tasks"][task.group(1)]
        named = [d for d in (_settled(k, a, b, folder) for k in sorted(set(a["templated"]) | set(b["templated"]))) if d]
        kept += [f"task `{task.group(1)}`: {d}" for d in named]
    return kept


def removed_google(item: FileVerdict, before: list[dict]) -> None:
    """Keep a file's Google classes only where a finding before the fix names them (gone on 3.0.6)."""
    if "google" in item.constructs:
        named = [n for n in item.constructs["google"] if any(f"`{n}`" in f["message"] or f".{n}`" in f["message"]
                                                             or n in f["message"] for f in before)]
        if named:
            item.constructs["google"] = named
        else:
            del item.constructs["google"]


def judge(item: FileVerdict, root: Path, old: dict[str, Any], new: dict[str, Any], after: list[dict],
          rewritten: bool) -> None:
    """Whether the file loads after the fix, why not, and its DAGs compared with the original's."""
    dags = [d for d, facts in new["dags"].items() if facts["file"] == item.path]
    error = new["errors"].get(item.path)
    item.original_on = old["version"].get(item.path, "") or (f"fails on {ORIGINAL} and {FALLBACK}"
                                                             if item.path in old["errors"] else "")
    if error is None and not dags:
        had = item.path in {facts["file"] for facts in old["dags"].values()}
        item.loads = False if had else None
        item.why = "its DAGs are gone after the fix" if had else "defines no DAG (a module, or outside every DAG folder)"
        return
    item.loads = error is None
    if error is not None:
        kind, why = classify(error, root)
        errors = [f"{f['code']} line {f['line']}" for f in after if f["severity"] == "error"]
        named = [f"{f['code']} line {f['line']}" for f in after if f["severity"] == "error" and f["code"] not in
                 CONSTRUCT_CODES and any(n in f["message"] for names in item.constructs.values() for n in names)]
        cause = ("a construct refused" if item.refused else f"a construct with no fix ({', '.join(named[:3])})"
                 if named else "something else")
        item.why = f"{cause}: {kind} ({why}): `{exception_line(error)[:240]}`" + (
            f"; error findings left: {', '.join(errors[:6])}" if errors else "; no error finding left on the file")
        return
    if rewritten:
        table = successors()
        for dag_id in dags:
            if dag_id in old["dags"]:
                a, b = old["dags"][dag_id], new["dags"][dag_id]
                item.dags[dag_id] = settle(a, b, compare_dag(a, b, table), root / Path(b["file"]).parent)


def verify(entry: dict[str, str], mirrors: Path, work: Path) -> Outcome:
    outcome = Outcome(entry["repo"], entry["commit"])
    base = work / entry["repo"].replace("/", "+")
    shutil.rmtree(base, ignore_errors=True)
    original, fixed = base / "original", base / "fixed"
    try:
        checkout(mirrors, entry["repo"], entry["commit"], original)
    except (subprocess.CalledProcessError, OSError) as error:
        outcome.problem = f"not exported: {error}"
        return outcome
    shutil.copytree(original, fixed)
    before, after, changed = fix_twice(outcome, fixed)
    for path in sorted(p for p in snapshot(original) if p.endswith(".py")):
        kinds = constructs((original / path).read_text(encoding="utf-8", errors="replace"))
        item = FileVerdict(path, kinds)
        removed_google(item, before.get(path, []))
        if item.constructs:
            count = lambda found: sum(f["code"] in CONSTRUCT_CODES for f in found)
            item.rewritten = max(count(before.get(path, [])) - count(after.get(path, [])), 0)
            item.refused = reasons(after.get(path, []))
            outcome.files.append(item)
    # Only the DAG folders that hold a file with a construct are loaded (a course repository has dozens).
    folders = [f for f in dag_folders(original) if any(f[0] in (".", "") or i.path.startswith(f[0] + "/")
                                                       for i in outcome.files)]
    outcome.folders = [f for f, *_ in folders]
    old = originals(original, folders)
    new = load_folders(fixed, folders, TARGET)
    for item in outcome.files:
        judge(item, fixed, old, new, after.get(item.path, []), item.path in changed)
    shutil.rmtree(base, ignore_errors=True)
    return outcome


def guarded(entry: dict[str, str], mirrors: Path, work: Path) -> Outcome:
    """verify(), with what stopped it as the outcome's problem."""
    try:
        return verify(entry, mirrors, work)
    except Exception as error:  # (one repository's failure must not lose the others')
        return Outcome(entry["repo"], entry["commit"], problem=f"{type(error).__name__}: {error}"[:300])


def _kinds(outcome: Outcome) -> str:
    parts = []
    for kind in ("subdag", "sql", "google", "other DS515"):
        files = [f for f in outcome.files if kind in f.constructs]
        if files:
            names = Counter(n for f in files for n in f.constructs[kind])
            parts.append(f"{kind}: {len(files)} files ({', '.join(f'{n} ×{c}' for n, c in names.most_common(4))}"
                         f"{', ...' if len(names) > 4 else ''})")
    return "; ".join(parts) or "none"


def row(o: Outcome) -> str:
    if o.problem:
        return f"| {o.repo} @ `{o.commit[:12]}` | {o.problem} | | | | | |"
    dag_files = [f for f in o.files if f.loads is not None]
    loading = sum(bool(f.loads) for f in dag_files)
    compared = [d for f in o.files for d in f.dags.values()]
    refused = Counter(r.split(": ", 1)[0].split(" line")[0] for f in o.files for r in f.refused)
    failing = [f for f in dag_files if not f.loads]
    causes = Counter(re.sub(r" \(.*", "", f.why.split(":", 1)[0]) for f in failing)
    return (f"| {o.repo} @ `{o.commit[:12]}` | {_kinds(o)} | {sum(f.rewritten for f in o.files)} "
            f"| {', '.join(f'{c} {n}' for c, n in refused.items()) or 0} | {loading} / {len(dag_files)} "
            f"| {sum(not d for d in compared)} / {len(compared)} "
            f"| {'; '.join(f'{n}: {c}' for c, n in causes.items()) or '-'} |")


def details(o: Outcome) -> list[str]:
    lines = [f"**{o.repo}** @ `{o.commit}` (DAG folders: {', '.join(o.folders) or 'none'}; findings "
             f"{o.before} → {o.after}; second --fix changed {len(o.second_fix)} files; fix-created "
             f"{sum(n for *_, n in o.fix_created)})", ""]
    lines += [f"- fix-created: `{p}` {code} ×{n}" for p, code, n in o.fix_created]
    lines += [f"- second --fix changed `{p}`" for p in o.second_fix]
    for f in o.files:
        kinds = ", ".join(f"{k}: {', '.join(v)}" for k, v in f.constructs.items())
        state = {True: "loads on 3.0.6", False: "FAILS on 3.0.6", None: "not loaded"}[f.loads]
        lines.append(f"- `{f.path}` ({kinds}; rewritten {f.rewritten}; original on {f.original_on or '-'}): {state}"
                     f"{': ' + f.why if f.why else ''}")
        lines += [f"  - refused: {r[:400]}" for r in f.refused]
        for dag_id, differences in f.dags.items():
            lines.append(f"  - `{dag_id}`: " + ("equivalent" if not differences else
                                                 f"{len(differences)} differences: " + "; ".join(differences[:8])))
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repos", type=Path, default=REPOS)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dagshift-verify-rewrites")
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--report", type=Path, help="write the Markdown here")
    parser.add_argument("--json", type=Path, help="write every outcome as JSON here")
    args = parser.parse_args()
    entries = [e for e in json.loads(args.repos.read_text())["repositories"] if not args.only or e["repo"] in args.only]
    args.work.mkdir(parents=True, exist_ok=True)
    for version in (ORIGINAL, FALLBACK, TARGET):  # (each home's database, migrated once before the threads share it)
        home_for(venv_python(version), version)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(lambda e: guarded(e, args.mirrors, args.work), entries))
    out = ["| repository @ commit | constructs found (files importing them) | rewritten | refused (DS510/DS515 findings "
           "left) | construct DAG files loading on 3.0.6 after the fix | DAGs equivalent / compared | what still fails "
           "(files) |", "|---|---|---|---|---|---|---|", *map(row, outcomes), ""]
    for o in outcomes:
        out += details(o)
    print("\n".join(out))
    if args.report:
        args.report.write_text("\n".join(out) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ | {"files": [f.__dict__ for f in o.files]} for o in outcomes],
                                        indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
