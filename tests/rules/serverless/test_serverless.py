"""MWAA Serverless: the DS6xx findings on the fixture DAGs, `dagshift convert`'s report and files
(byte for byte against golden/), the target's spelling, and the facts' provenance."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES

from dagshift.linter.tables import load_table
from dagshift.linter.targets import parse_platform, split_target, target_label
from dagshift.rules import default_registry

GOLDEN = Path(__file__).parent / "golden"
REGISTRY = default_registry()

FINDINGS = [
    ('branching.py', 14, 12, 'DS603', 'error'),
    ('legacy_ops.py', 9, 12, 'DS601', 'error'),
    ('legacy_ops.py', 10, 15, 'DS608', 'error'),
    ('limits.py', 13, 17, 'DS606', 'error'),
    ('limits.py', 13, 31, 'DS609', 'error'),
    ('limits.py', 13, 61, 'DS607', 'warning'),
    ('limits.py', 16, 10, 'DS607', 'warning'),
    ('limits.py', 17, 62, 'DS606', 'error'),
    ('limits.py', 18, 27, 'DS606', 'error'),
    ('limits.py', 19, 48, 'DS607', 'warning'),
    ('limits.py', 19, 73, 'DS607', 'warning'),
    ('mapping.py', 8, 5, 'DS604', 'error'),
    ('python_bash.py', 18, 5, 'DS607', 'warning'),
    ('python_bash.py', 19, 5, 'DS607', 'warning'),
    ('python_bash.py', 22, 71, 'DS607', 'warning'),
    ('s3_copy.py', 9, 5, 'DS607', 'warning'),
    ('schedules.py', 8, 38, 'DS605', 'error'),
    ('schedules.py', 11, 31, 'DS605', 'error'),
    ('schedules.py', 14, 27, 'DS605', 'warning'),
    ('taskflow.py', 9, 6, 'DS602', 'error'),
]


def test_findings_on_the_fixtures(cli):
    out = cli("check", "--target-version", "serverless", "--select", "DS6", "--no-cache", "--format", "json",
              str(FIXTURES / "serverless"), registry=REGISTRY)
    found = [(d["path"].split("dags/")[1], d["line"], d["column"], d["code"], d["severity"]) for d in json.loads(out.out)]
    assert found == FINDINGS
    assert out.code == 1


def test_the_family_is_silent_on_an_environment_target(cli):
    out = cli("check", "--target-version", "3.0.6", "--select", "DS6", "--no-cache", "--format", "json",
              str(FIXTURES / "serverless"), registry=REGISTRY)
    assert json.loads(out.out) == []


def test_convert_writes_the_golden_files(cli, tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(FIXTURES / "serverless", work)
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    result = cli("convert", "--to", "mwaa-serverless", ".", "--out", "out", cwd=work, registry=REGISTRY)
    assert result.code == 1  # some DAGs need --fix or cannot move
    assert result.out == (GOLDEN / "convert.txt").read_text().replace("OUT/", "out/")
    written = sorted(p.relative_to(work / "out").as_posix() for p in (work / "out").rglob("*") if p.is_file())
    expected = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file() and p.name != "convert.txt")
    assert written == expected
    for rel in written:
        assert (work / "out" / rel).read_bytes() == (GOLDEN / rel).read_bytes(), rel
    # The user's files are untouched (the after --fix definition is written from the fixed text in memory).
    assert all(p.read_bytes() == data for p, data in before.items())
    again = cli("convert", "--to", "mwaa-serverless", ".", "--out", "out", cwd=work, registry=REGISTRY)
    assert again.out == result.out


def test_convert_exits_0_when_every_dag_moves_as_it_is(cli, tmp_path):
    work = tmp_path / "repo"
    (work / "dags").mkdir(parents=True)
    shutil.copy(FIXTURES / "serverless" / "dags" / "s3_copy.py", work / "dags")
    result = cli("convert", "--to", "mwaa-serverless", "--out", "out", cwd=work, registry=REGISTRY)
    assert result.code == 0
    assert result.out.splitlines()[-1] == "1 DAGs: 1 can move as they are, 0 after `dagshift check --target-version serverless --fix`, 0 cannot move."
    assert (work / "out" / "s3_copy.yaml").read_bytes() == (GOLDEN / "s3_copy.yaml").read_bytes()


def test_convert_needs_a_platform(cli):
    result = cli("convert", registry=REGISTRY)
    assert result.code == 2
    assert "--to" in result.err


def test_an_unknown_engine_is_a_usage_error(cli):
    result = cli("check", "--target-version", "serverless-2", registry=REGISTRY)
    assert result.code == 2
    assert result.err == ("dagshift: error: settings: `target-version` 'serverless-2' names no MWAA Serverless "
                          "engine version (`serverless` is the newest; engines: 1)\n")


def test_target_spellings():
    assert parse_platform("serverless") == "serverless-1"
    assert parse_platform("serverless-1") == "serverless-1"
    assert parse_platform("serverless-2") is None
    assert parse_platform("3.0.6") is None
    assert split_target("serverless-1") == ("3.0.6", "serverless-1")
    assert target_label("serverless-1") == "MWAA Serverless engine 1 (Airflow 3.0.6)"


def test_rules_listing_on_serverless(cli):
    out = cli("rules", "--target-version", "serverless", registry=REGISTRY).out.splitlines()
    assert out[0].startswith("Severities on MWAA Serverless engine 1 (Airflow 3.0.6)")
    rows = [line.split() for line in out[2:]]
    assert ["DS601", "serverless-operator", "error", "no", "serverless"] in rows
    assert ["DS605", "serverless-schedule", "error/warning", "no", "serverless"] in rows
    assert ["DS607", "serverless-ignored-argument", "warning", "no", "serverless"] in rows
    assert ["DS504", "schedule-interval", "error/warning", "safe", ">=2.4.3"] in rows  # 3.0.6's own rules too (YAML DAGs: dag-factory decides)
    plain = [line.split() for line in cli("rules", "--target-version", "3.0.6", registry=REGISTRY).out.splitlines()[2:]]
    assert ["DS601", "serverless-operator", "-", "no", "serverless"] in plain


def test_facts_name_their_sources():
    table = load_table("serverless_engine", "engines")
    engine = table["engines"]["1"]
    assert (engine["airflow"], engine["dag_factory"], engine["amazon_provider"]) == ("3.0.6", "1.0.1", "9.30.0")
    assert len(engine["operators"]) == 226  # 222 in the converter 0.1.4's schema, plus Python/Bash (both paths)
    assert "airflow.providers.amazon.aws.operators.glue.GlueJobOperator" in engine["operators"]
    assert engine["task_limits"] == {"retries": [0, 3], "retry_delay": [0, 300], "execution_timeout": [0, 3600]}
    source = table["_provenance"]["engines"]["1"]["converter"]
    assert (source["wheel"], source["version"]) == ("python_to_yaml_dag_converter_mwaa_serverless-0.1.4-py3-none-any.whl", "0.1.4")


def test_listed_severities_are_the_ones_check_reports(cli, tmp_path):
    """`dagshift rules --target-version serverless` says what `check` gives there (test_severities.py
    does this for the environments' targets), over the family's examples and the fixtures."""
    listed = {r["code"]: set(r["severities"]) for r in json.loads(
        cli("rules", "--target-version", "serverless", "--format", "json", registry=REGISTRY).out)}
    seen: dict[str, set] = {}
    roots = [FIXTURES / "serverless"]
    for rule in REGISTRY:
        for i, example in enumerate(rule.invalid if rule.platform else ()):
            root = tmp_path / f"{rule.code}-{i}"
            (root / example.path).parent.mkdir(parents=True)
            (root / example.path).write_text(example.source)
            roots.append(root)
    for root in roots:
        out = cli("check", "--target-version", "serverless", "--select", "DS6", "--no-cache", "--format", "json",
                  str(root), registry=REGISTRY).out
        for d in json.loads(out):
            seen.setdefault(d["code"], set()).add(d["severity"])
    assert {code: listed[code] for code in seen} == seen
    assert sorted(seen) == [rule.code for rule in REGISTRY if rule.platform]


IDIOMS = '''import os
from datetime import datetime

from airflow import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import task_group

DAG_ID = os.path.basename(__file__).replace(".py", "")

with DAG(dag_id=DAG_ID, schedule=None, start_date=datetime(2024, 1, 1)) as named:
    @task_group
    def section():
        EmptyOperator(task_id="inner")

with DAG(dag_id=f"{DAG_ID}_loop", schedule=None, start_date=datetime(2024, 1, 1)) as looped:
    for n in range(3):
        BashOperator(task_id=f"step_{n}", bash_command="true")
'''


def test_convert_idioms(cli, tmp_path):
    """A DAG id spelled from the file's name; @task_group is no TaskFlow task (no DS602), but its
    tasks, like a loop's, are not one call each; a computed id is a reason of its own."""
    work = tmp_path / "repo"
    (work / "dags").mkdir(parents=True)
    (work / "dags" / "nightly.py").write_text(IDIOMS)
    result = cli("convert", "--to", "mwaa-serverless", "--out", "out", cwd=work, registry=REGISTRY)
    assert result.out.splitlines() == [
        "dags/nightly.py:11: nightly: cannot move to MWAA Serverless",
        "    convert: `EmptyOperator(...)` is called in a loop or a helper function, or its task_id is computed: "
        "dagshift writes one task per call",
        "dags/nightly.py:16: <computed id, line 16>: cannot move to MWAA Serverless",
        "    convert: the DAG id is computed: dagshift writes literal values only",
        "2 DAGs: 0 can move as they are, 0 after `dagshift check --target-version serverless --fix`, 2 cannot move.",
    ]
    assert not (work / "out").exists()


def test_the_report_names_the_platform(cli):
    out = cli("report", "--target-version", "serverless", "--format", "markdown", "--no-matrix", "--no-cache",
              str(FIXTURES / "serverless"), registry=REGISTRY).out
    assert out.splitlines()[0] == "### MWAA Serverless engine 1 (Airflow 3.0.6) migration readiness"
    assert "| MWAA Serverless | 20 |" in out


WORKFLOW = """\
default:
  default_args:
    owner: data
    retries: 5
    pool: etl
    retry_delay: 600
  schedule: "@continuous"

orders:
  schedule_interval: {__type__: datetime.timedelta, days: 1}
  catchup: false
  tasks:
    extract:
      operator: airflow.providers.http.operators.http.HttpOperator
      endpoint: /orders
    load:
      operator: airflow.providers.standard.operators.bash.BashOperator
      bash_command: echo load
      execution_timeout: {__type__: datetime.timedelta, hours: 2}
      aws_conn_id: other
      dependencies: [extract]
    fan:
      operator: airflow.providers.standard.operators.bash.BashOperator
      partial: {retries: 1}
      expand: {bash_command: [echo a, echo b]}
    branch:
      operator: airflow.providers.standard.operators.python.BranchPythonOperator
      python_callable_name: pick
      python_callable_file: /usr/local/airflow/dags/pick.py
"""


def test_dag_factory_workflows_are_judged_as_the_service_reads_them(cli, tmp_path):
    """A dag-factory file in the DAGs folder is what CreateWorkflow receives: each finding at its YAML
    key. A gusty task file, and the same workflow outside any DAGs folder, are not judged."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "dags" / "sql").mkdir(parents=True)
    (tmp_path / "dags" / "etl.yml").write_text(WORKFLOW)
    (tmp_path / "dags" / "sql" / "load.yml").write_text(
        "operator: airflow.providers.http.operators.http.HttpOperator\nendpoint: /x\nretries: 9\n")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "etl.yml").write_text(WORKFLOW)
    out = cli("check", "--target-version", "serverless", "--select", "DS6", "--no-cache", "--format", "concise",
              cwd=tmp_path, registry=REGISTRY)
    where = "MWAA Serverless engine 1"
    assert [line for line in out.out.splitlines() if line.startswith(("dags/", "ci/"))] == [
        "dags/etl.yml:3:5: DS607 MWAA Serverless silently ignores `owner`, so this stops working: the task's owner",
        "dags/etl.yml:4:5: DS606 `retries=5` is out of MWAA Serverless's range (0 to 3): the workflow is refused",
        f"dags/etl.yml:5:5: DS609 `default_args` key `pool` is not one {where} accepts (only depends_on_past, email, "
        "email_on_failure, email_on_retry, end_date, execution_timeout, owner, priority_weight, retries, retry_delay, "
        "start_date, trigger_rule, wait_for_downstream): the workflow is refused",
        "dags/etl.yml:6:5: DS606 `retry_delay of 600 seconds` is out of MWAA Serverless's range (0 to 300 seconds): "
        "the workflow is refused",
        f"dags/etl.yml:7:3: DS605 `@continuous` is not a cron expression: {where} documents a cron expression or "
        "None only",
        f"dags/etl.yml:10:3: DS605 a `timedelta` schedule is not a cron expression: {where} takes a cron expression "
        "or None (write the interval as cron)",
        "dags/etl.yml:11:3: DS607 MWAA Serverless silently ignores `catchup`, so this stops working: catching up on "
        "missed runs",
        f"dags/etl.yml:14:7: DS601 `HttpOperator` is not on {where}'s operator allow-list: the workflow is refused "
        "(use an AWS operator of the list, or a PythonOperator/BashOperator)",
        "dags/etl.yml:19:7: DS606 `execution_timeout of 7200 seconds` is out of MWAA Serverless's range (0 to 3600 "
        "seconds): the workflow is refused",
        "dags/etl.yml:20:7: DS607 MWAA Serverless silently ignores `aws_conn_id`, so this stops working: choosing a "
        "connection (the workflow's execution role is used)",
        f"dags/etl.yml:25:7: DS604 dynamic task mapping (`expand:`) is not supported on {where}: the workflow is "
        "refused",
        f"dags/etl.yml:27:7: DS603 `BranchPythonOperator` branches, which {where} does not support: the workflow is "
        "refused (keep the control flow linear)",
    ]
    assert out.code == 1
    on_mwaa = cli("check", "--target-version", "3.0.6", "--select", "DS6", "--no-cache", cwd=tmp_path,
                  registry=REGISTRY)
    assert on_mwaa.code == 0
