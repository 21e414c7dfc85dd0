#!/usr/bin/env python3
"""Generate rules/dag_api/data/dag_attributes.json: the attributes of a DAG object that Airflow 2 had
and an Airflow 3 target's DAG does not (DS516), read from real Airflow.

A probe builds `DAG("probe", start_date=...)` in each verification venv (scripts/airflow_env.py):
in the newest Airflow 2 MWAA offers (the baseline) its public attributes, each as a value or a
method, and the deprecation warning reading it gives (`The 'DAG.concurrency' attribute is
deprecated. Please use 'DAG.max_active_tasks'.`); in each Airflow 3 target, the public attributes
of `airflow.models.DAG` (on 3.0.6 a subclass of the task SDK's DAG with more of them; a DAG file
that imports `airflow.sdk.DAG` has fewer) and of `airflow.sdk.DAG`. An attribute is removed on a
target when neither class there has it, so no import path a DAG file uses still serves it.
Its successor is the attribute Airflow 2's own deprecation warning names, when the target has it,
else the DAG argument's successor of the same name (`schedule_interval` -> `schedule`, from
dag_api.json's `dag_args_removed`), when the target's DAG has that attribute; either only where
it is the same kind (a value for a value: `concurrency_reached`'s warning names a method).

    python scripts/gen_dag_attributes.py [--venvs DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import ROOT, load_table, targets  # noqa: E402
from airflow_env import airflow_env, verify_python  # noqa: E402

PROBE = r'''
import datetime, json, sys, warnings
out = {}
try:
    from airflow.models import DAG as Models
except ImportError:
    Models = None
try:
    from airflow.sdk import DAG as Sdk
except ImportError:
    Sdk = None
for name, cls in (("models", Models), ("sdk", Sdk)):
    if cls is None:
        continue
    dag = cls("probe", start_date=datetime.datetime(2024, 1, 1), schedule=None)
    attrs = {}
    for attr in sorted(a for a in dir(dag) if not a.startswith("_")):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            try:
                value = getattr(dag, attr)
            except Exception as exc:  # a property that raises on a bare DAG still exists
                value = exc
        attrs[attr] = {"kind": "method" if callable(value) else "value",
                       "warning": next((str(w.message) for w in seen if "deprecat" in str(w.message).lower()), None)}
    out[name] = attrs
json.dump(out, open(sys.argv[1], "w"))
'''
# "Please use 'DAG.max_active_tasks'", "in favour of fileloc", "use relative_fileloc instead"
NAMED = re.compile(r"(?:use|in favour of)\s+[`']?(?:airflow\.models\.)?(?:DAG\.)?([A-Za-z_]\w*)", re.I)


def probe(version: str) -> dict:
    python = verify_python(version)
    if not python.exists():
        raise SystemExit(f"{python} is missing (scripts/verify_against_airflow.py --target {version} builds it)")
    home = Path(tempfile.mkdtemp(prefix="dagshift-dag-attributes-"))
    out = home / "out.json"
    proc = subprocess.run([str(python), "-c", PROBE, str(out)], env=airflow_env(home, clean=True), cwd=home,
                          capture_output=True, text=True, timeout=600)
    if not out.exists():
        raise SystemExit(f"the probe failed on {version}:\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text())


def removed_on(baseline: dict, target: dict, renamed: dict) -> dict:
    """attribute -> {"kind", "successor", "source"} for what no DAG class of the target has."""
    has = {**target.get("sdk", {}), **target.get("models", {})}
    found = {}
    for attr, facts in sorted(baseline.items()):
        if attr in has:
            continue
        named = NAMED.search(facts["warning"] or "")
        successor, source, evidence = None, None, None
        if named and _same_kind(named.group(1), attr, facts, has):
            successor, source = named.group(1), "Airflow 2's deprecation warning names it"
            evidence = facts["warning"]
        elif renamed.get(attr) and _same_kind(renamed[attr], attr, facts, has):
            successor, source = renamed[attr], f"the DAG argument `{attr}=` is `{renamed[attr]}=` on Airflow 3"
            evidence = "dag_api.json's dag_args_removed"
        found[attr] = {"kind": facts["kind"], "successor": successor, "source": source, "evidence": evidence}
    return found


def _same_kind(name: str, attr: str, facts: dict, has: dict) -> bool:
    """The target has `name`, and it is what `attr` was: a value read for a value, never a method."""
    return name in has and name != attr and has[name]["kind"] == facts["kind"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "rules" / "dag_api" / "data" / "dag_attributes.json")
    args = parser.parse_args()
    versions = targets()
    base_version = [v for v in versions if v.startswith("2.")][-1]
    baseline = probe(base_version)["models"]
    api = load_table("dag_api", "targets")["targets"]
    out = {}
    for version in (v for v in versions if not v.startswith("2.")):
        out[version] = removed_on(baseline, probe(version), api[version]["dag_args_removed"])
        print(f"{version}: {len(out[version])} removed, "
              f"{sum(1 for f in out[version].values() if f['successor'])} with a successor", file=sys.stderr)
    data = {"_provenance": {
        "generator": "scripts/gen_dag_attributes.py",
        "how": f"public attributes of DAG('probe', ...) in the verification venvs: Airflow {base_version}'s "
               "airflow.models.DAG against each Airflow 3 target's airflow.models.DAG and airflow.sdk.DAG",
        "baseline": base_version}, "targets": out}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
