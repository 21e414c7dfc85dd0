#!/usr/bin/env python3
"""The DAG-equivalence check: does a fixed DAG folder run what the original ran?

    python scripts/verify_equivalence.py ORIGINAL_FOLDER FIXED_FOLDER [--old-version 2.11.2]
        [--target-version 3.0.6] [--plugins DIR [--fixed-plugins DIR]] [--json]

The original folder is loaded by a DagBag in the verification venv of the newest Airflow that still
accepts it (/tmp/dagshift-verify-<old-version>, as scripts/verify_repositories.py builds and uses
them), the fixed one in the target's venv, each through scripts/equivalence_probe.py run with that
venv's python (it imports Airflow and runs the folder's DAG code there: run it on fixtures, and on
fetched repositories only by hand). Each DAG is then compared here: task ids (a SubDAG's task `t`
under the SubDagOperator `s` is `s.t`, as the TaskGroup names it), operator classes (through the
successors dagshift's tables know: import moves, DummyOperator -> EmptyOperator, the standard
provider's homes, and `operator_replacements` where that table exists), dependency edges (a
SubDagOperator's into its sub-DAG's roots and out of its leaves), raw templated fields (SQL text
among them), connection ids and the arguments that decide how a task runs, the schedule
(`schedule_interval` and `schedule` alike, cron presets spelled out) and the start date.

Prints "equivalent" or the differences per DAG (`--json`: one object); exits 1 on any difference
or a folder that does not load.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from _paths import ROOT, load_table
from airflow_env import airflow_env, verify_python

PROBE = ROOT / "scripts" / "equivalence_probe.py"
DUMMY = ("airflow.operators.dummy.DummyOperator", "airflow.operators.dummy_operator.DummyOperator")
# Airflow 3 moved the core operators, sensors and @task decorators into the standard provider under
# the same names, and the decorators' base classes into the task SDK (as the 3.0.6 wheels have them).
STANDARD = (("airflow.operators.", "airflow.providers.standard.operators."),
            ("airflow.sensors.", "airflow.providers.standard.sensors."),
            ("airflow.decorators.python.", "airflow.providers.standard.decorators.python."),
            ("airflow.decorators.bash.", "airflow.providers.standard.decorators.bash."),
            ("airflow.decorators.base.", "airflow.sdk.bases.decorator."))
# DagBag imports a DAG file as `unusual_prefix_<sha1 of its path>_<name>`: the path is not the program.
LOADED_AS = re.compile(r"unusual_prefix_[0-9a-f]+_")


def venv_python(version: str) -> Path:
    python = verify_python(version)
    if not python.exists():
        raise SystemExit(f"{python} is missing (scripts/verify_against_airflow.py --target {version} builds it)")
    return python


def home_for(python: Path, version: str) -> Path:
    """An AIRFLOW_HOME with an initialised metadata database, one per version, made once: a
    SubDagOperator reads the pools table while its DAG file is parsed (2.x)."""
    home = Path(tempfile.gettempdir()) / f"dagshift-equivalence-home-{version}"
    if not (home / "ready").exists():
        home.mkdir(exist_ok=True)
        subprocess.run([str(python), "-m", "airflow", "db", "migrate"], env=_env(home, home / "dags", home / "plugins"),
                       cwd=home, capture_output=True, timeout=900)
        (home / "ready").write_text(version)
    return home


def _env(home: Path, folder: Path, plugins: Path) -> dict[str, str]:
    # (no bytecode written: the folders compared stay as they were)
    return airflow_env(home, folder, plugins, clean=True, PYTHONDONTWRITEBYTECODE="1")


def probe(python: Path, version: str, folder: Path, plugins: Optional[Path], timeout: int = 600) -> dict:
    """Run the probe on one folder; its JSON result."""
    home = home_for(python, version)
    plugin_dir = plugins or home / "plugins"
    out = Path(tempfile.mkdtemp(prefix="dagshift-equivalence-")) / "result.json"
    try:
        proc = subprocess.run([str(python), str(PROBE), str(folder), str(out), str(folder), str(plugin_dir)],
                              env=_env(home, folder, plugin_dir), cwd=out.parent, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"dags": {}, "errors": {}, "fatal": f"timed out after {timeout} s"}
    result = json.loads(out.read_text()) if out.exists() else {
        "dags": {}, "errors": {}, "fatal": f"the probe died:\n{proc.stderr[-3000:]}"}
    shutil.rmtree(out.parent, ignore_errors=True)
    return result


def successors() -> dict[str, set[str]]:
    """Old dotted class -> the dotted classes that succeed it, from dagshift's tables."""
    found: dict[str, set[str]] = {}
    for old, per_target in load_table("import_moves", "moves")["moves"].items():
        for entry in per_target.values():
            if entry.get("to"):
                found.setdefault(old, set()).add(entry["to"])
    for facts in load_table("dag_api", "targets")["targets"].values():
        if facts.get("empty_operator"):  # DS503's successor, where each target has it
            for old in DUMMY:
                found.setdefault(old, set()).add(f"{facts['empty_operator']}.EmptyOperator")
    replacements = load_table("operator_replacements", "classes", "aliases")  # (DS515's successor classes)
    for old, entry in replacements["classes"].items():
        found.setdefault(old, set()).add(entry["successor"])
    for alias, canonical in replacements["aliases"].items():  # (old import paths of those classes)
        found.setdefault(alias, set()).add(canonical)
    from dagshift.rules.imports.tables import tables

    for renames in tables("3.0.6").renames.values():  # provider classes kept a while as deprecated aliases
        for old, new in renames.items():  # (`SimpleHttpOperator` -> `HttpOperator`: DS104's rename)
            found.setdefault(old, set()).add(new)
    return found


def same_class(old: str, new: str, table: dict[str, set[str]]) -> bool:
    """Whether `new` is `old` or a successor of it: the moves chain (1.10 path -> 2.x path -> 3.x
    home), DS503's EmptyOperator, the standard provider's homes."""
    seen, frontier = {old}, [old]
    while frontier:
        current = frontier.pop()
        if current == new:
            return True
        nexts = set(table.get(current, ()))
        nexts |= {current.replace(a, b, 1) for a, b in STANDARD if current.startswith(a)}
        for following in nexts - seen:
            seen.add(following)
            frontier.append(following)
    return False


def _unprefixed(facts: dict) -> dict:
    return json.loads(LOADED_AS.sub("", json.dumps(facts)))


def compare_dag(old: dict, new: dict, table: dict[str, set[str]]) -> list[str]:
    """The named differences between two descriptions of one DAG."""
    differences = []
    for key in ("schedule", "start_date"):
        if old[key] != new[key]:
            differences.append(f"{key}: {old[key]!r} -> {new[key]!r}")
    for task in sorted(set(old["tasks"]) - set(new["tasks"])):
        differences.append(f"task `{task}` only in the original")
    for task in sorted(set(new["tasks"]) - set(old["tasks"])):
        differences.append(f"task `{task}` only in the fixed DAG")
    for task in sorted(set(old["tasks"]) & set(new["tasks"])):
        a, b = _unprefixed(old["tasks"][task]), _unprefixed(new["tasks"][task])
        if not same_class(a["class"], b["class"], table):
            differences.append(f"task `{task}`: class {a['class']} -> {b['class']}, not a successor dagshift knows")
        for key in sorted(set(a) | set(b)):
            if key != "class" and a.get(key) != b.get(key):
                differences.append(f"task `{task}`: {key} {a.get(key)!r} -> {b.get(key)!r}")
    old_edges, new_edges = {tuple(e) for e in old["edges"]}, {tuple(e) for e in new["edges"]}
    differences += [f"edge {a} >> {b} only in the original" for a, b in sorted(old_edges - new_edges)]
    differences += [f"edge {a} >> {b} only in the fixed DAG" for a, b in sorted(new_edges - old_edges)]
    return differences


def compare(old: dict, new: dict) -> dict[str, Any]:
    """{"dags": {dag_id: [differences]}, "problems": [...]} for two probe results."""
    table = successors()
    report: dict[str, Any] = {"dags": {}, "problems": [], "original": old.get("airflow"), "fixed": new.get("airflow")}
    for name, result in (("original", old), ("fixed", new)):
        if result.get("fatal"):
            report["problems"].append(f"the {name} folder did not load: {result['fatal'].strip().splitlines()[-1]}")
        for path, error in sorted(result.get("errors", {}).items()):
            report["problems"].append(f"{name} {path} fails to load: {error.strip().splitlines()[-1]}")
    for dag_id in sorted(set(old["dags"]) | set(new["dags"])):
        if dag_id not in new["dags"]:
            report["dags"][dag_id] = ["only in the original"]
        elif dag_id not in old["dags"]:
            report["dags"][dag_id] = ["only in the fixed folder"]
        else:
            report["dags"][dag_id] = compare_dag(old["dags"][dag_id], new["dags"][dag_id], table)
    return report


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original", type=Path)
    parser.add_argument("fixed", type=Path)
    parser.add_argument("--old-version", default="2.11.2")
    parser.add_argument("--target-version", default="3.0.6")
    parser.add_argument("--plugins", type=Path, help="the original's plugins folder")
    parser.add_argument("--fixed-plugins", type=Path, help="the fixed copy's plugins folder (default: --plugins)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    plugins = args.plugins.resolve() if args.plugins else None
    fixed_plugins = args.fixed_plugins.resolve() if args.fixed_plugins else plugins
    old = probe(venv_python(args.old_version), args.old_version, args.original.resolve(), plugins)
    new = probe(venv_python(args.target_version), args.target_version, args.fixed.resolve(), fixed_plugins)
    report = compare(old, new)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(f"original on Airflow {report['original']}, fixed on Airflow {report['fixed']}")
        for problem in report["problems"]:
            print(f"  ! {problem}")
        for dag_id, differences in report["dags"].items():
            print(f"{dag_id}: " + ("equivalent" if not differences else f"{len(differences)} differences"))
            for difference in differences:
                print(f"  - {difference}")
    return 1 if report["problems"] or any(report["dags"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
