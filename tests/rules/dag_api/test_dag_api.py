"""DS501-DS511 on one realistic 1.10 DAG for three targets: the same input, different findings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from dagshift.rules import default_registry

FIXTURES = FIXTURES / "dag_api"  # this module's own fixture folder

EXPECTED = {
    "2.0.2": [
        "14:5: DS501 [*] `provide_context` in default_args has no effect on Airflow 2.0.2: the context is always passed to callables that take it",
        "22:40: DS509 [*] `airflow.configuration.get()` is deprecated on Airflow 2.0.2: use `airflow.configuration.conf.get()`",
        "34:73: DS501 [*] `provide_context` is deprecated on Airflow 2.0.2: PythonOperator always passes the context to callables that take it",
        "38:5: DS502 [*] BashOperator has no `xcom_push` on Airflow 2.0.2: it is `do_xcom_push`",
        "41:78: DS502 TriggerDagRunOperator has no `python_callable` on Airflow 2.0.2: pass the run's payload as `conf={...}` (templated)",
        "42:1: DS508 `dag >> start` sets a dependency between a DAG and a task, which Airflow refuses since 2.0: create the task inside `with DAG(...)` or pass `dag=`",
    ],
    "2.5.1": [
        "6:37: DS503 [*] DummyOperator is deprecated on Airflow 2.5.1: use `airflow.operators.empty.EmptyOperator`",
        "8:38: DS510 [-] SubDagOperator is deprecated on Airflow 2.5.1: use a TaskGroup",
        "14:5: DS501 [*] `provide_context` in default_args has no effect on Airflow 2.5.1: the context is always passed to callables that take it",
        "15:5: DS506 [*] `task_concurrency` is deprecated on Airflow 2.5.1: use `max_active_tis_per_dag`",
        "21:19: DS507 [*] context key `execution_date` is deprecated on Airflow 2.5.1: use `logical_date`, the same value",
        "22:28: DS507 context key `next_ds` is deprecated on Airflow 2.5.1: use `{{ data_interval_end | ds }}` (the same on a scheduled run; on a manual run `next_ds` was the run's own date)",
        "22:40: DS509 [*] `airflow.configuration.get()` is deprecated on Airflow 2.5.1: use `airflow.configuration.conf.get()`",
        "28:16: DS505 [*] `days_ago()` is deprecated on Airflow 2.5.1: a start date that moves with the clock; prefer a fixed date, or `pendulum.today(\"UTC\").add(days=-N)`",
        "29:5: DS504 [*] `schedule_interval=` is deprecated on Airflow 2.5.1: use `schedule=`",
        "30:5: DS506 [*] `concurrency=` is deprecated on Airflow 2.5.1: use `max_active_tasks=`",
        "34:73: DS501 [*] `provide_context` is deprecated on Airflow 2.5.1: PythonOperator always passes the context to callables that take it",
        "37:18: DS507 [*] template variable `yesterday_ds` is deprecated on Airflow 2.5.1: use `{{ (logical_date - macros.timedelta(days=1)) | ds }}`, the same text",
        "38:5: DS502 [*] BashOperator has no `xcom_push` on Airflow 2.5.1: it is `do_xcom_push`",
        "41:78: DS502 TriggerDagRunOperator has no `python_callable` on Airflow 2.5.1: pass the run's payload as `conf={...}` (templated)",
        "42:1: DS508 `dag >> start` sets a dependency between a DAG and a task, which Airflow refuses since 2.0: create the task inside `with DAG(...)` or pass `dag=`",
    ],
}
EXPECTED["2.10.3"] = [line.replace("2.5.1", "2.10.3") for line in EXPECTED["2.5.1"]]


def setup(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "reporting_dag.py", tmp_path / "reporting_dag.py")
    return tmp_path / "reporting_dag.py"


def run(cli, root: Path, *args: str):
    return cli("check", "reporting_dag.py", "--format", "concise", "--quiet", "--select", "DS5", *args, cwd=root,
               registry=default_registry())


@pytest.mark.parametrize("target", ["2.0.2", "2.5.1", "2.10.3"])
def test_findings_follow_the_target(cli, tmp_path, target):
    setup(tmp_path)
    result = run(cli, tmp_path, "--target-version", target)
    assert result.out.splitlines() == [f"reporting_dag.py:{line}" for line in EXPECTED[target]]


@pytest.mark.parametrize("target", ["2.0.2", "2.5.1", "2.10.3"])
def test_fixed_text_and_second_fix_changes_nothing(cli, tmp_path, target):
    path = setup(tmp_path)
    run(cli, tmp_path, "--target-version", target, "--fix")
    expected = (FIXTURES / f"reporting_dag.fixed-{target}.py").read_text()
    assert path.read_text() == expected
    run(cli, tmp_path, "--target-version", target, "--fix")
    assert path.read_text() == expected


def test_schedule_is_never_suggested_before_2_4(cli, tmp_path):
    setup(tmp_path)
    for target in ("2.0.2", "2.2.2"):
        assert " DS504 " not in run(cli, tmp_path, "--target-version", target).out


def test_unsafe_days_ago_fix_adds_pendulum(cli, tmp_path):
    path = setup(tmp_path)
    run(cli, tmp_path, "--target-version", "2.5.1", "--fix", "--unsafe-fixes")
    text = path.read_text()
    assert text.startswith('"""Nightly reporting DAG, written for MWAA 1.10.12."""\nimport pendulum\nfrom datetime import timedelta\n')
    assert '    start_date=pendulum.today("UTC").add(days=-1),\n' in text


def test_operator_arguments_checked_against_the_pinned_provider_signatures(cli, tmp_path):
    (tmp_path / "etl.py").write_text(
        "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n"
        "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n\n"
        "q = BigQueryOperator(task_id='q', bql='select 1', use_legacy_sql=False, bogus_flag=True)\n"
        "pod = KubernetesPodOperator(task_id='p', name='p', namespace='ns', image='x', node_selectors={'a': 'b'})\n"
    )

    def findings(target: str) -> list[str]:
        out = cli("check", "etl.py", "--format", "concise", "--quiet", "--select", "DS502", "--target-version", target,
                  cwd=tmp_path, registry=default_registry()).out
        return out.splitlines()

    suffix = ': the DAG fails with "Invalid arguments were passed"'
    assert findings("2.0.2") == [
        "etl.py:4:35: DS502 [*] `bql` is not an argument of BigQueryExecuteQueryOperator on Airflow 2.0.2 "
        "(with the provider versions it pins); it is now `sql`" + suffix,
        "etl.py:4:73: DS502 `bogus_flag` is not an argument of BigQueryExecuteQueryOperator on Airflow 2.0.2 "
        "(with the provider versions it pins)" + suffix,
    ]
    # cncf.kubernetes dropped `node_selectors` after the version 2.0.2 pins.
    assert findings("2.5.1")[2] == (
        "etl.py:5:79: DS502 [*] `node_selectors` is not an argument of KubernetesPodOperator on Airflow 2.5.1 "
        "(with the provider versions it pins); it is now `node_selector`" + suffix
    )
    cli("check", "etl.py", "--fix", "--select", "DS502", "--target-version", "2.5.1", cwd=tmp_path,
        registry=default_registry())
    text = (tmp_path / "etl.py").read_text()
    assert "sql='select 1'" in text and "node_selector={'a': 'b'}" in text and "bogus_flag=True" in text


def test_template_files_beside_the_dags_not_ci_workflows(cli, tmp_path):
    """A `.sql` template anywhere and a YAML file under dags/ are read for context keys; a CI
    workflow's `{{ }}` is not a DAG's template."""
    for path in ("dags/sql/load.sql", "dags/job.yaml", ".github/workflows/ci.yml"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("-- {{ next_ds }}\n" if path.endswith(".sql") else 'run: "{{ execution_date }}"\n')
    result = cli("check", "--format", "concise", "--quiet", "--target-version", "3.0.6", "--no-cache", cwd=tmp_path,
                 registry=default_registry())
    assert result.out == (
        "dags/job.yaml:1:10: DS507 [*] template variable `execution_date` was removed in Airflow 3 and is undefined on "
        "3.0.6: use `logical_date`, the same value\n"
        "dags/sql/load.sql:1:7: DS507 [-] template variable `next_ds` was removed in Airflow 3 and is undefined on "
        "3.0.6: use `{{ data_interval_end | ds }}` (the same on a scheduled run; on a manual run `next_ds` was the run's own date)\n")


def test_an_unscheduled_dag_is_not_asked_for_catchup(cli, tmp_path):
    """`schedule_interval=None`, `schedule="@once"`: no run is ever missed, so Airflow 3's catchup
    default changes nothing."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "a.py").write_text('from airflow import DAG\nwith DAG("a", schedule_interval=None, default_args=ARGS) as d:\n'
                                            '    pass\nwith DAG("b", schedule_interval="@daily", default_args=ARGS) as e:\n    pass\n'
                                            'with DAG("c", schedule="@once", default_args=ARGS) as f:\n    pass\n')
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--select", "DS513", "--target-version",
                 "3.0.6", cwd=tmp_path, registry=default_registry())
    assert [line.split(": ")[0] for line in result.out.splitlines()] == ["dags/a.py:4:6"]


def test_a_dag_with_no_start_date_is_not_given_catchup(cli, tmp_path):
    """Airflow 3 refuses `catchup=True` without a start date: the fix must not write it where no
    `start_date=` or `default_args=` is in sight (the DAG loads on 3.0.6 as written)."""
    (tmp_path / "dags").mkdir()
    dag = tmp_path / "dags" / "a.py"
    dag.write_text('from airflow import DAG\n\nwith DAG("no_start"):\n    pass\n')
    cli("check", "--fix", "--quiet", "--no-cache", "--select", "DS513", "--target-version", "3.0.6", cwd=tmp_path,
        registry=default_registry())
    assert dag.read_text() == ('from datetime import timedelta\nfrom airflow import DAG\n\n'
                               'with DAG("no_start", schedule=timedelta(days=1)):\n    pass\n')


def test_days_ago_zero_is_today(cli, tmp_path):
    (tmp_path / "dags").mkdir()
    dag = tmp_path / "dags" / "a.py"
    dag.write_text("from airflow.utils.dates import days_ago\n\nSTART = days_ago(0)\n")
    cli("check", "--fix", "--unsafe-fixes", "--quiet", "--no-cache", "--target-version", "3.0.6", cwd=tmp_path,
        registry=default_registry())
    assert dag.read_text() == 'import pendulum\n\nSTART = pendulum.today("UTC")\n'


def test_a_gone_class_is_judged_by_the_class_its_import_fix_writes(cli, tmp_path):
    """AWSAthenaOperator is gone from 3.0.6's amazon provider; DS104's fix imports AthenaOperator, which
    takes no `max_tries`: DS502 says so before the fix, so the fix creates no finding."""
    (tmp_path / "dags").mkdir()
    dag = tmp_path / "dags" / "athena.py"
    dag.write_text(
        "from datetime import datetime\n\nfrom airflow import DAG\n"
        "from airflow.providers.amazon.aws.operators.athena import AWSAthenaOperator\n\n"
        'with DAG("athena", schedule=None, start_date=datetime(2024, 1, 1)):\n'
        '    AWSAthenaOperator(task_id="q", query="select 1", database="db", output_location="s3://b/p", max_tries=3)\n')
    args = ("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "3.0.6")
    before = cli(*args, cwd=tmp_path, registry=default_registry()).out.splitlines()
    assert before == [
        "dags/athena.py:4:59: DS104 [*] `airflow.providers.amazon.aws.operators.athena.AWSAthenaOperator` does not "
        "exist in the provider version Airflow 3.0.6 pins; use `airflow.providers.amazon.aws.operators.athena."
        "AthenaOperator` (in apache-airflow-providers-amazon, which MWAA 3.0.6 installs)",
        "dags/athena.py:7:97: DS502 `max_tries` is not an argument of AthenaOperator on Airflow 3.0.6 (with the "
        'provider versions it pins): the DAG fails with "Invalid arguments were passed"',
    ]
    cli(*args, "--fix", cwd=tmp_path, registry=default_registry())
    after = cli(*args, cwd=tmp_path, registry=default_registry()).out.splitlines()
    assert after == [before[1].replace("7:97", "7:94")]  # (`AWSAthenaOperator` is 3 characters longer)
