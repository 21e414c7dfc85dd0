#!/usr/bin/env python3
"""Prove `dagshift convert --to mwaa-serverless` on the project's own fixtures (tests/fixtures/serverless).

1. dagshift (this checkout) converts the fixtures into a temporary folder, and fixes a copy of them
   (`check --target-version serverless --fix`), so that a DAG that moves "after --fix" is compared
   with its fixed Python.
2. In a throwaway venv with what AWS's converter pins (apache-airflow 3.0.6 with its constraints,
   dag-factory 1.0.1, apache-airflow-providers-amazon 9.30.0; `--venv`, default /tmp/serverless-venv),
   a probe loads each emitted YAML with dag-factory (the Code package on sys.path, as the service
   puts it) and the Python DAG with a DagBag, and compares task ids, operator classes, the arguments
   the YAML sets, dependencies, schedule, start date and the params' values. It prints one row per DAG.
3. With `--aws`, the same venv runs AWS's converter (`dag_converter`, installed `--no-deps` from its
   wheel) on the same fixture files, and the probe lists where its YAML and dagshift's differ.

Build the venv:

    python3.12 -m venv /tmp/serverless-venv
    /tmp/serverless-venv/bin/pip install apache-airflow==3.0.6 -c constraints-3.0.6-3.12.txt   # minus amazon
    /tmp/serverless-venv/bin/pip install apache-airflow==3.0.6 apache-airflow-providers-amazon==9.30.0 dag-factory==1.0.1
    /tmp/serverless-venv/bin/pip install --no-deps python_to_yaml_dag_converter_mwaa_serverless-0.1.4-py3-none-any.whl

Run: python scripts/verify_serverless.py [--venv DIR] [--aws]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from airflow_env import airflow_env

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "serverless"

PROBE = r'''
import json, sys, os, datetime, importlib.util
from pathlib import Path
out, fixed = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(out / "code"))  # the Code package first; the DAG folder after it, as Airflow adds it
sys.path.append(str(fixed / "dags"))
from airflow.models.dagbag import DagBag
from dagfactory import load_yaml_dags

python = DagBag(dag_folder=str(fixed / "dags"), include_examples=False)

def norm(v):
    if isinstance(v, datetime.timedelta): return {"seconds": v.total_seconds()}
    if isinstance(v, datetime.datetime): return v.isoformat()
    if callable(v): return getattr(v, "__name__", repr(v))
    if isinstance(v, (list, tuple)): return [norm(x) for x in v]
    if isinstance(v, dict): return {k: norm(x) for k, x in v.items()}
    return v

def shape(dag, keys):
    tasks = {}
    for t in dag.tasks:
        cls = type(t)
        tasks[t.task_id] = {"class": cls.__module__ + "." + cls.__qualname__, "upstream": sorted(t.upstream_task_ids),
                            "args": {k: norm(getattr(t, k, None)) for k in keys.get(t.task_id, ())}}
    return {"tasks": tasks, "schedule": str(dag.timetable.summary), "start_date": norm(dag.start_date or
            dag.default_args.get("start_date")), "params": {k: norm(dag.params[k]) for k in dag.params}}

import yaml
rows = []
for path in sorted(out.glob("*.yaml")):
    spec = yaml.safe_load(path.read_text())
    (dag_id, body), = spec.items()
    keys = {tid: [k for k in t if k not in ("operator", "dependencies")] for tid, t in body["tasks"].items()}
    scope = {}
    try:
        load_yaml_dags(globals_dict=scope, config_filepath=str(path))
        yaml_dag = next(v for v in scope.values() if getattr(v, "dag_id", None) == dag_id)
    except Exception as exc:
        rows.append({"dag": dag_id, "error": f"dag-factory: {type(exc).__name__}: {exc}"}); continue
    py = python.dags.get(dag_id)
    if py is None:
        rows.append({"dag": dag_id, "error": "the Python DAG did not load: " + str(python.import_errors)[:300]}); continue
    a, b = shape(py, keys), shape(yaml_dag, keys)
    diffs = []
    for part in ("schedule", "start_date", "params"):
        if a[part] != b[part]: diffs.append(f"{part}: {a[part]} != {b[part]}")
    if sorted(a["tasks"]) != sorted(b["tasks"]): diffs.append(f"task ids: {sorted(a['tasks'])} != {sorted(b['tasks'])}")
    n_args = 0
    for tid in a["tasks"]:
        if tid not in b["tasks"]: continue
        for part in ("class", "upstream"):
            if a["tasks"][tid][part] != b["tasks"][tid][part]:
                diffs.append(f"{tid}.{part}: {a['tasks'][tid][part]} != {b['tasks'][tid][part]}")
        for k, v in a["tasks"][tid]["args"].items():
            n_args += 1
            if v != b["tasks"][tid]["args"].get(k):
                diffs.append(f"{tid}.{k}: {v!r} != {b['tasks'][tid]['args'].get(k)!r}")
    rows.append({"dag": dag_id, "tasks": len(a["tasks"]), "edges": sum(len(t["upstream"]) for t in a["tasks"].values()),
                 "args": n_args, "schedule": a["schedule"], "start_date": a["start_date"], "diffs": diffs})
print("JSON" + json.dumps(rows))
'''

AWS = r'''
import json, sys, contextlib, io
from pathlib import Path

from dag_converter.conversion_manager import ConversionManager
src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
results = {}
for path in sorted(src.glob("*.py")):
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            ConversionManager(None).start_file_conversion_process(path, out, user_validate=False)
        results[path.name] = "converted"
    except Exception as exc:
        results[path.name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
print("JSON" + json.dumps(results))
'''


def dagshift(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dagshift", *args], capture_output=True, text=True, cwd=ROOT)


def probe(venv: Path, code: str, *args: str) -> object:
    env = airflow_env(Path(tempfile.mkdtemp(prefix="sv-home-")), unit_test=False)
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code, *args], capture_output=True, text=True, env=env)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("JSON")), None)
    if line is None:
        raise SystemExit(f"probe failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(line[4:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=Path("/tmp/serverless-venv"))
    parser.add_argument("--aws", action="store_true", help="also run AWS's converter on the fixtures")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="verify-serverless-"))
    out, fixed = work / "out", work / "fixed"
    shutil.copytree(FIXTURES, fixed)
    print(dagshift("convert", "--to", "mwaa-serverless", str(FIXTURES), "--out", str(out)).stdout)
    dagshift("check", "--target-version", "serverless", "--fix", "--no-cache", str(fixed))
    rows = probe(args.venv, PROBE, str(out), str(fixed))
    print(f"{'DAG':<18} {'tasks':>5} {'edges':>5} {'args':>4}  {'schedule':<12} {'start date':<26} result")
    for row in rows:  # type: ignore[union-attr]
        if "error" in row:
            print(f"{row['dag']:<18} ERROR {row['error']}")
            continue
        verdict = "identical" if not row["diffs"] else "; ".join(row["diffs"])
        print(f"{row['dag']:<18} {row['tasks']:>5} {row['edges']:>5} {row['args']:>4}  {row['schedule']:<12} "
              f"{row['start_date']:<26} {verdict}")
    if args.aws:
        aws_out = work / "aws"
        print("\nAWS's converter (dag_converter 0.1.4) on the same files:")
        for name, result in probe(args.venv, AWS, str(FIXTURES / "dags"), str(aws_out)).items():  # type: ignore[union-attr]
            print(f"  {name:<18} {result}")
        for path in sorted(aws_out.glob("*.yaml")):
            ours = out / path.name
            print(f"\n--- {path.name}: AWS's converter" + ("" if ours.exists() else " (dagshift wrote none)"))
            print(path.read_text())
    print(f"(work folder: {work})")


if __name__ == "__main__":
    main()
