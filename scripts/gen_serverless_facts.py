#!/usr/bin/env python3
"""Generate rules/serverless/data/serverless_engine.json: what MWAA Serverless takes, per engine version.

Two sources, both recorded in `_provenance`:

- AWS's converter wheel, `python-to-yaml-dag-converter-mwaa-serverless` (`pip download --no-deps`
  it; the newest is the one for engine version 1): its METADATA pins (Airflow, dag-factory, the
  Amazon provider), and `dag_converter/validator_schema.yaml`, read as data: the operator
  allow-list (`task.operator`'s enum), the `default_args` keys it accepts (`dag.default_args`'s
  enum) and the DAG and task fields it keeps (the keys of `dag` and `task`).
- AWS's documentation of the service (the MWAA Serverless user guide's supported-parameters,
  operators and Python/Bash pages, as AWS's own authoring skill quotes them: see DOCS below):
  schedules, ranges, and the DAG and task arguments the service ignores. These are facts written
  down here with their URLs; the wheel's list lacks PythonOperator/BashOperator, which the
  operators page adds (their code ships in the workflow's `Code` package).

Run:

    pip download --no-deps python-to-yaml-dag-converter-mwaa-serverless -d /tmp/wheels
    python scripts/gen_serverless_facts.py /tmp/wheels/python_to_yaml_dag_converter_mwaa_serverless-0.1.4-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import zipfile
from pathlib import Path

from _paths import ROOT

OUT = ROOT / "rules" / "serverless" / "data" / "serverless_engine.json"
SCHEMA = "dag_converter/validator_schema.yaml"
GUIDE = "https://docs.aws.amazon.com/mwaa/latest/mwaa-serverless-userguide/"
SKILL = ("aws/agent-toolkit-for-aws: skills/.../authoring-mwaa-workflow/references/yaml-schema.md and "
         "authoring-serverless-workflow.md (quoting the user guide's pages)")

# The user guide's facts (GUIDE + page), engine version 1.
DOCS = {
    "pages": [GUIDE + "supported-airflow-parameters.html", GUIDE + "operators.html",
              GUIDE + "operators-python-bash-detail.html"],
    "extra_operators": [
        "airflow.providers.standard.operators.python.PythonOperator",
        "airflow.operators.python.PythonOperator",
        "airflow.providers.standard.operators.bash.BashOperator",
        "airflow.operators.bash.BashOperator",
    ],
    # What the service honours of a DAG; `schedule` is a cron expression or null, no Datasets/Assets.
    "dag_honoured": ["dag_id", "schedule", "start_date", "end_date", "default_args", "params"],
    # DAG arguments the service silently ignores, and what stops working with each.
    "dag_ignored": {
        "description": "the DAG's description (pass it to create-workflow's --description instead)",
        "catchup": "catching up on missed runs",
        "dagrun_timeout": "the run timeout",
        "tags": "the DAG's tags",
        "access_control": "per-DAG access control",
        "on_failure_callback": "the DAG's failure callback",
        "on_success_callback": "the DAG's success callback",
        "sla_miss_callback": "the SLA-miss callback",
        "is_paused_upon_creation": "creating the DAG paused",
        "max_active_runs": "the limit on concurrent runs",
        "max_active_tasks": "the limit on concurrent tasks",
        "max_consecutive_failed_dag_runs": "pausing the DAG after repeated failures",
        "depends_on_past": "waiting for the previous run's task",
        "email_on_failure": "failure emails",
        "email_on_retry": "retry emails",
    },
    # Task arguments the service silently ignores, and what stops working with each.
    "task_ignored": {
        "deferrable": "deferring to a triggerer (there is none: the task waits on its worker, billed)",
        "on_failure_callback": "the task's failure callback",
        "on_success_callback": "the task's success callback",
        "on_retry_callback": "the task's retry callback",
        "on_execute_callback": "the task's execute callback",
        "on_skipped_callback": "the task's skipped callback",
        "trigger_rule": "its trigger rule (the task runs when all upstream tasks succeed)",
        "outlets": "the datasets/assets it updates",
        "inlets": "its declared inlets",
        "retry_exponential_backoff": "exponential retry backoff",
        "max_retry_delay": "the cap on the retry delay",
        "pool": "the pool's slot limit",
        "pool_slots": "the pool's slot limit",
        "queue": "routing to a queue",
        "priority_weight": "task priority",
        "weight_rule": "task priority",
        "executor": "choosing an executor",
        "do_xcom_push": "turning XCom pushes off",
        "multiple_outputs": "splitting a returned dict into XComs",
        "start_date": "a task's own start date",
        "end_date": "a task's own end date",
        "owner": "the task's owner",
        "email": "emails on failure or retry",
        "aws_conn_id": "choosing a connection (the workflow's execution role is used)",
        "region_name": "choosing a region (the workflow's own is used)",
        "verify": "the SSL verification setting",
        "botocore_config": "the botocore configuration",
    },
    # Task ranges: (low, high) in the unit named; timedeltas in seconds.
    "task_limits": {"retries": [0, 3], "retry_delay": [0, 300], "execution_timeout": [0, 3600]},
    "not_supported": ["taskflow (@task)", "branching (BranchPythonOperator and other branch operators)",
                      "dynamic task mapping (.expand/.partial)", "SubDagOperator"],
    "code_package": "python_callable is `module.function`, the module a .py file at the root of the `Code` zip "
                    "(no __pycache__, at most 250 MB); wheels manylinux2014_x86_64 for Python 3.12",
}


def enum_values(field: str) -> list[str]:
    """The quoted values of a schema field `enum("a", "b", ...)`."""
    match = re.search(r"enum\((.*?)\)", field, re.S)
    return re.findall(r'"([^"]*)"', match.group(1)) if match else []


def schema_sections(text: str) -> dict[str, dict[str, str]]:
    """The schema file's `dag:` and `task:` mappings, field -> rule text (one `key: value` a line)."""
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        top = re.match(r"^([a-z_]+):\s*$", line)
        if top:
            current = sections.setdefault(top.group(1), {})
            continue
        field = re.match(r"^  ([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if current is not None and field:
            key = field.group(1)
            current[key] = field.group(2)
        elif current is not None and line.startswith("    "):  # a value continued on the next lines
            current[key] += " " + line.strip()
    return sections


def pins(metadata: str) -> dict[str, str]:
    found = {}
    for name, key in (("apache-airflow", "airflow"), ("dag-factory", "dag_factory"),
                      ("apache-airflow-providers-amazon", "amazon_provider")):
        match = re.search(rf"^Requires-Dist: {re.escape(name)}==([\w.]+)$", metadata, re.M)
        if match:
            found[key] = match.group(1)
    return found


def engine_one(wheel: Path) -> tuple[dict, dict]:
    with zipfile.ZipFile(wheel) as zf:
        schema = zf.read(SCHEMA).decode("utf-8")
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = zf.read(meta_name).decode("utf-8")
    version = re.search(r"^Version: (\S+)$", metadata, re.M).group(1)  # type: ignore[union-attr]
    sections = schema_sections(schema)
    pinned = pins(metadata)
    operators = sorted(set(enum_values(sections["task"]["operator"])) | set(DOCS["extra_operators"]))
    engine = {
        **pinned,
        "python": "3.12",
        "operators": operators,
        "default_args": sorted(enum_values(sections["dag"]["default_args"])),
        "converter_dag_fields": sorted(sections["dag"]),
        "converter_task_fields": sorted(sections["task"]),
        **{k: DOCS[k] for k in ("dag_honoured", "dag_ignored", "task_ignored", "task_limits", "not_supported",
                                "code_package")},
    }
    source = {"wheel": wheel.name, "version": version, "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
              "files": ["METADATA", SCHEMA]}
    return engine, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="the converter's wheel (pip download --no-deps)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    engine, source = engine_one(args.wheel)
    data = {
        "_provenance": {
            "generator": "scripts/gen_serverless_facts.py",
            "engines": {"1": {"converter": source, "documentation": DOCS["pages"], "as_quoted_by": SKILL,
                              "api": "botocore mwaa-serverless/2024-07-26: CreateWorkflow EngineVersion "
                                     "'currently supports version 1'"}},
        },
        "engines": {"1": engine},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: engine 1, {len(engine['operators'])} operators")


if __name__ == "__main__":
    main()
