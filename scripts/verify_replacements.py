#!/usr/bin/env python3
"""Prove DS515's rewrites on real Airflow: each fixture DAG is loaded as written on the newest
Airflow whose pinned providers still have its classes, and as `check --fix --unsafe-fixes` rewrote it
on the target (3.0.6), each in its own venv (scripts/replacement_probe.py); what each task would run
is compared and printed as a table (docs/verification.md records it).

Compared per task: the task ids; the class (the successor operator_replacements.json names); the
rendered SQL; the connection ids; `hook_params` (a key the old class set to None counts as absent:
the hooks read each with a None default); BigQuery's job configuration, the one
BigQueryExecuteQueryOperator's hook built (captured with BigQuery mocked) against the one the fixed
task holds, less the values BigQuery's API takes by default
(https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationQuery); an S3 prefix
against the wildcard key it became.

    python scripts/verify_replacements.py [REPO]   # uses /tmp/dagshift-verify-<version> venvs
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import ROOT, load_table  # noqa: E402
from airflow_env import airflow_env, verify_python  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "replacements" / "warehouse_repo"
PROBE = ROOT / "scripts" / "replacement_probe.py"
TARGET = "3.0.6"
# The newest Airflow whose pinned providers still have a file's classes (2.11.2 pins none of them):
# 2.10.3 (postgres 5.13.1, mysql 5.7.3, snowflake 5.8.0, google 10.25.0), 2.2.2 for S3PrefixSensor
# (amazon 2.4.0: the sensor as it was).
DEFAULT_ORIGINAL = "2.10.3"
ORIGINAL_FOR = {"S3PrefixSensor": "2.2.2",
                # (2.11.0: google 15.1.0, the newest pin with the table operators, deprecated there)
                "BigQueryCreateEmptyTableOperator": "2.11.0", "BigQueryCreateExternalTableOperator": "2.11.0"}
# What a file must be given to load on the original's Airflow at all (1.10's `bql=` is refused
# since google 8; dagshift rewrites the 1.10 spelling, the original runs the 2.x one).
NORMALISE = [("bql=", "sql="), ("dataproc_pyspark_jars=", "dataproc_jars="),
             ("dataproc_pyspark_properties=", "dataproc_properties=")]
# BigQuery's own defaults for configuration.query: a value equal to one is the same job.
API_DEFAULTS = {"priority": "INTERACTIVE", "allowLargeResults": False, "flattenResults": None,
                "createDisposition": "CREATE_IF_NEEDED", "writeDisposition": "WRITE_EMPTY", "schemaUpdateOptions": []}
CONN_IDS = ("conn_id", "gcp_conn_id", "aws_conn_id", "google_cloud_storage_conn_id")
# A table resource's output-only fields (https://cloud.google.com/bigquery/docs/reference/rest/v2/tables):
# BigQuery ignores them in a request (create_empty_table wrote `location` there, create_table does not).
OUTPUT_ONLY = ("location",)
# Classes another rule's fix renames in the same run (DS103/DS503).
OTHER_RENAMES = {"airflow.operators.dummy.DummyOperator": "airflow.providers.standard.operators.empty.EmptyOperator"}


def venv(version: str) -> Path:
    return verify_python(version)


def probe(version: str, folder: Path, name: str) -> dict[str, Any]:
    env = airflow_env(folder.parent / f".airflow-{version}", unit_test=False)
    done = subprocess.run([str(venv(version)), str(PROBE), name], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"errors": {name: done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"}, "tasks": {}}
    return json.loads(lines[-1])


def successor(old_class: str) -> str:
    table = load_table("operator_replacements", "classes", "aliases")
    path = table["aliases"].get(old_class, old_class)
    entry = table["classes"].get(path)
    return entry["successor"] if entry else OTHER_RENAMES.get(old_class, old_class)


def _moved(old: str, new: str) -> bool:
    """A core operator the import fixes moved to the standard provider (the same class: the identity
    oracle's proofs, docs/verification.md)."""
    return (old.rpartition(".")[2] == new.rpartition(".")[2] and old.startswith(("airflow.operators.", "airflow.sensors."))
            and new.startswith("airflow.providers.standard."))


def _query(configuration: dict) -> dict:
    query = dict(configuration.get("query", {}))
    return {k: v for k, v in query.items() if not (k in API_DEFAULTS and API_DEFAULTS[k] == v)}


def _table(request: Any) -> Any:
    """What `Client.create_table` was asked for, less the resource's output-only fields."""
    if not isinstance(request, dict) or "request" not in request:
        return request
    return {**request, "request": {k: v for k, v in request["request"].items() if k not in OUTPUT_ONLY}}


def _dataflow(run: Any) -> Any:
    """What a Dataflow Python task hands Beam and Dataflow, less the `airflow-version` label each
    Airflow writes with its own version."""
    if not isinstance(run, dict) or "pipeline" not in run:
        return run
    variables = dict(run["pipeline"].get("variables", {}))
    labels = {k: v for k, v in variables.get("labels", {}).items() if k != "airflow-version"}
    variables["labels"] = labels
    return {**run, "pipeline": {**run["pipeline"], "variables": variables}}


def _dataproc(request: Any) -> Any:
    """The request submitting a Dataproc job, less what DS515 says changes: the job id (the old
    builder's `<name>_<8 random characters>`, Dataproc's own now) and the `airflow-version` label; the
    job's `reference.project_id` is kept only where it is not the request's own project."""
    if not isinstance(request, dict) or "job" not in request:
        return request
    job = dict(request["job"])
    reference = {k: v for k, v in job.pop("reference", {}).items() if k != "job_id"}
    if reference.get("project_id") == request.get("project_id"):
        reference.pop("project_id")
    if reference:
        job["reference"] = reference
    labels = {k: v for k, v in job.pop("labels", {}).items() if k != "airflow-version"}
    if labels:
        job["labels"] = labels
    return {**request, "job": job}


def compare(original: dict[str, Any], fixed: dict[str, Any]) -> list[str]:
    """What differs between one task as written and as rewritten (empty: the same run)."""
    differences = []
    if fixed["class"] != successor(original["class"]) and not _moved(original["class"], fixed["class"]):
        differences.append(f"class {fixed['class']} (expected {successor(original['class'])})")
    for key in CONN_IDS:
        if key in original and original.get(key) != fixed.get(key):
            differences.append(f"{key} {original.get(key)!r} -> {fixed.get(key)!r}")
    if "configuration" in original:
        old, new = _query(original["configuration"]), _query(fixed.get("configuration", {}))
        if old != new or original["configuration"].get("labels") != fixed.get("configuration", {}).get("labels"):
            differences.append(f"configuration {json.dumps(old, sort_keys=True)} -> {json.dumps(new, sort_keys=True)}")
    elif "table_request" in original:
        old, new = (_table(t.get("table_request")) for t in (original, fixed))
        if old != new:
            differences.append(f"table request {json.dumps(old, sort_keys=True)} -> {json.dumps(new, sort_keys=True)}")
    elif "dataflow" in original:
        old, new = (_dataflow(t.get("dataflow")) for t in (original, fixed))
        if old != new:
            differences.append(f"dataflow run {json.dumps(old, sort_keys=True)} -> {json.dumps(new, sort_keys=True)}")
    elif "dataproc" in original:
        old, new = (_dataproc(t.get("dataproc")) for t in (original, fixed))
        if old != new:
            differences.append(f"dataproc request {json.dumps(old, sort_keys=True)} -> {json.dumps(new, sort_keys=True)}")
    elif "sql" in original and original["sql"] != fixed.get("sql"):
        differences.append("sql text")
    if "hook_params" in original:
        old_params = {k: v for k, v in (original["hook_params"] or {}).items() if v is not None}
        if old_params != fixed.get("hook_params"):
            differences.append(f"hook_params {old_params} -> {fixed.get('hook_params')}")
    for key in ("autocommit", "parameters", "location", "bucket_name", "region"):
        if key == "location" and "dataflow" in original:
            continue  # (in `dataflow_config` now: compared as the region the run had and waited in)
        if key in original and original[key] != fixed.get(key):
            differences.append(f"{key} {original[key]!r} -> {fixed.get(key)!r}")
    if "prefix" in original:
        delimiter = original.get("delimiter") or "/"
        prefixes = [original["prefix"]] if isinstance(original["prefix"], str) else original["prefix"]
        keys = [(p if p.endswith(delimiter) else p + delimiter) + "*" for p in prefixes]
        written = fixed.get("bucket_key")
        if ([written] if isinstance(written, str) else written) != keys or fixed.get("wildcard_match") is not True:
            differences.append(f"prefix {prefixes!r} -> bucket_key {written!r}")
    return differences


def ds515(root: Path) -> dict[str, list[str]]:
    """File -> the messages of DS515's findings there, on the target."""
    done = subprocess.run([sys.executable, "-m", "dagshift", "check", ".", "--select", "DS515", "--format", "json",
                           "--no-cache", "--target-version", TARGET], cwd=root, capture_output=True, text=True)
    found: dict[str, list[str]] = {}
    for finding in json.loads(done.stdout or "[]"):
        found.setdefault(finding["path"], []).append(finding["message"])
    return found


def prepare(repo: Path, work: Path) -> tuple[Path, Path, dict[str, list[str]], dict[str, list[str]]]:
    """The repository as written (1.10's `bql=` spelled the 2.x way) and as `--fix --unsafe-fixes`
    left it, with DS515's findings before and after."""
    original, fixed = work / "original", work / "fixed"
    shutil.copytree(repo, original)
    shutil.copytree(repo, fixed)
    before = ds515(original)
    for name in before:
        path = original / name
        text = path.read_text(encoding="utf-8")
        for old, new in NORMALISE:
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "dagshift", "check", ".", "--fix", "--unsafe-fixes", "--quiet", "--no-cache",
                    "--target-version", TARGET], cwd=fixed, capture_output=True, check=False)
    return original, fixed, before, ds515(fixed)


def _file_rows(name: str, version: str, before: dict, after: dict, left: list[str]) -> list[tuple[str, str, str, str]]:
    if left and not before["errors"] and after["errors"]:
        reasons = sorted({m.partition("no fix: ")[2] or m.rpartition("; ")[2] for m in left})
        return [(name, ", ".join(sorted(before["tasks"])), version, "not rewritten: " + "; ".join(reasons))]
    if before["errors"] or after["errors"]:
        said = [f"original: {v}" for v in before["errors"].values()] + [f"fixed: {v}" for v in after["errors"].values()]
        return [(name, "-", version, "load error: " + "; ".join(said))]
    found = []
    for task, described in sorted(before["tasks"].items()):
        if task not in after["tasks"]:
            found.append((name, task, version, "task missing after the fix"))
            continue
        differences = compare(described, after["tasks"][task])
        found.append((name, task, version, "equivalent" if not differences else "; ".join(differences)))
    return found


def original_version(messages: list[str]) -> str:
    """The newest Airflow whose pins still have every class the file's findings name (a file with
    BigQueryCreateEmptyTableOperator and BigQueryExecuteQueryOperator: 2.10.3, which has both)."""
    classes = {m.split("`")[1] for m in messages if m.startswith("`")}
    return min((ORIGINAL_FOR.get(c, DEFAULT_ORIGINAL) for c in classes), key=lambda v: tuple(map(int, v.split("."))),
               default=DEFAULT_ORIGINAL)


def rows(repo: Path, work: Path) -> list[tuple[str, str, str, str]]:
    original, fixed, reported, left = prepare(repo, work)
    found = []
    for name, messages in sorted(reported.items()):
        version = original_version(messages)
        path = Path(name)
        before = probe(version, original / path.parent, path.name)
        after = probe(TARGET, fixed / path.parent, path.name)
        found.extend(_file_rows(name, version, before, after, left.get(name, [])))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("repo", nargs="?", type=Path, default=FIXTURE,
                        help="a repository (default: the DS515 fixture); its files DS515 reports are compared")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dagshift-replacements-") as work:
        table = rows(args.repo.resolve(), Path(work))
    print(f"| DAG file | task | original on | fixed on {TARGET} |")
    print("|---|---|---|---|")
    for name, task, version, verdict in table:
        print(f"| {name} | {task} | {version} | {verdict} |")
    equivalent = sum(1 for row in table if row[3] == "equivalent")
    unfixed = sum(1 for row in table if row[3].startswith("not rewritten"))
    print(f"\n{equivalent} of {len(table) - unfixed} rewritten tasks equivalent; {unfixed} file(s) left to a person, as reported")
    return 0 if equivalent + unfixed == len(table) else 1


if __name__ == "__main__":
    sys.exit(main())
