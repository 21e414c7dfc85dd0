"""DS512-DS515: what Airflow 3 removed or changed in DAG files, gated by what the target's wheels say.

The facts come from rules/dag_api/data/dag_api.json (scripts/gen_dag_api.py); the analysis lives in
rules/dag_api/airflow3.py, called from the family's one visitor.
"""

from __future__ import annotations

from typing import Any

from dagshift.linter.rule import ERROR, SAFE, SOMETIMES, UNSAFE, WARNING, Example
from dagshift.rules.dag_api.base import _DagApiRule, _YamlDagApiRule
from dagshift.rules.dag_api.docs import HEADER, SUBDAG_DOC, SUBDAG_INVALID
from dagshift.rules.dag_api.docs_ds515 import DS515_DOC, DS515_INVALID, DS515_VALID


class RemovedDagArgument(_YamlDagApiRule):
    gate = "dag_args_removed"
    code = "DS512"
    name = "removed-argument"
    message = "DAG or operator argument removed (or without effect) in Airflow 3"
    severity = ERROR
    fix = SOMETIMES
    tokens = ("default_view", "orientation", "fail_stop", "full_filepath", "sla", "email")
    doc = """
## What it does
On Airflow 3 targets, reports the `DAG(...)` / `@dag(...)` arguments the newest Airflow 2 took and
the target's DAG does not (from the wheels: the task SDK's attrs fields against 2.x's `__init__`):
`default_view`, `orientation`, `full_filepath`, `fail_stop` (renamed `fail_fast`): errors.
`schedule_interval`, `timetable` and `concurrency` are DS504's and DS506's. Also, as warnings
quoting the wheel's own warning, the DAG and operator arguments (also in `default_args`) Airflow 3
takes only to warn: `sla` and `sla_miss_callback` (the SLA feature is gone: they do nothing) and
`email` (deprecated for notifiers). The same keys of a DAG written in YAML (dag-factory, gusty).

## Why it matters on Airflow 3
The DAG class rejects an argument it does not know: the file fails to load and none of its DAGs
appear.

## Example
```python
with DAG("etl", schedule=None, default_view="graph", fail_stop=True) as dag:
    ...
```

## Fix safety
Safe: `fail_stop` becomes `fail_fast` (its successor, from Airflow's release notes, checked in the
wheel); `default_view`, `orientation` and `full_filepath` are deleted (Airflow 3 decides the view
and the file path itself), and so are `sla` / `sla_miss_callback`, which do nothing on Airflow 3.
None for `email`: moving to a notifier is a choice.
"""
    invalid = (
        Example(HEADER + "dag = DAG('etl', schedule=None, default_view='graph', fail_stop=True)\n",
                HEADER + "dag = DAG('etl', schedule=None, fail_fast=True)\n", target="3.0.6", findings=(
                    (4, 33, "`default_view=` was removed in Airflow 3: the DAG fails to load on 3.0.6; remove it (it only shaped the UI or the file path, which Airflow 3 decides itself)"),
                    (4, 55, "`fail_stop=` was removed in Airflow 3: the DAG fails to load on 3.0.6; use `fail_fast=`"))),
        Example.replacing(HEADER + "from airflow.providers.standard.operators.bash import BashOperator\n\n"
                          "with DAG('etl', schedule=None):\n    BashOperator(task_id='load', bash_command='true', sla=None)\n",
                          ", sla=None", "", target="3.0.6", findings=(
                              (7, 55, "`sla` has no effect on Airflow 3.0.6: The SLA feature is removed in Airflow 3.0, to be replaced with a new implementation in >=3.1"),)),
        Example.replacing("reports:\n  schedule: null\n  default_view: graph\n  tasks:\n    - task_id: t\n"
                              "      operator: airflow.providers.standard.operators.empty.EmptyOperator\n",
                              "  default_view: graph\n", "", path="dags/reports.yml", target="3.0.6", findings=(
                                  (3, 3, "`default_view` was removed in Airflow 3: dag-factory builds `DAG(...)` from the keys it knows and does not hand this one to Airflow 3.0.6, so it has no effect; remove it"),)),
    )
    valid = (Example(HEADER + "dag = DAG('etl', schedule=None, default_view='graph')\n", target="2.11.0"),)


class ChangedDagDefault(_DagApiRule):
    gate = "changed_defaults"
    code = "DS513"
    name = "changed-dag-default"
    message = "DAG relies on a default Airflow 3 changed"
    severity = WARNING
    fix = SAFE
    tokens = ("DAG", "dag")
    project_kinds = frozenset({"airflow-cfg", "env", "yaml", "json", "terraform", "dockerfile", "shell"})

    def collect_project(self, project: Any) -> None:
        if "catchup_by_default" not in project.facts:
            from dagshift.rules.dag_api.airflow3 import configured_catchup

            project.facts["catchup_by_default"] = configured_catchup(project, self.project_kinds)
    doc = """
## What it does
On Airflow 3 targets, reports each `DAG(...)` / `@dag(...)` that passes no `schedule` (nor
`schedule_interval` / `timetable`) or no `catchup`: the two defaults Airflow 3 changed (from the
wheels: 2.x's one-day `DEFAULT_SCHEDULE_INTERVAL` against the task SDK's `schedule=None`, and
`[scheduler] catchup_by_default` in each version's config.yml). Where the repository's own
configuration (airflow.cfg, environment, MWAA or compose settings) sets `catchup_by_default`, that
setting carries over to Airflow 3 and `catchup` is not reported; nor is it for a DAG that is never
scheduled (`schedule=None`) or runs once (`"@once"`): it has no missed runs to catch up on.

## Why it matters on Airflow 3
Nothing fails: a DAG that ran every day on Airflow 2 is simply never scheduled, and one that
caught up on missed intervals no longer does. An `airflow.cfg` that sets `catchup_by_default`
decides the second for every DAG; the finding assumes the shipped default.

## Example
```python
with DAG("etl", start_date=datetime(2023, 1, 1)) as dag:  # daily on 2.x, never on 3.x
    ...
```

## Fix safety
Safe: the fix writes exactly the Airflow 2 defaults (`schedule=timedelta(days=1)`, a run every day
from the start date, adding `from datetime import timedelta` when the file lacks it; and
`catchup=True`), so nothing changes on the upgrade. Not `"@daily"`: that runs at midnight, not at
the start date's time of day. No fix where the name `timedelta` means something else in the file.
A DAG with no start date in sight (no `start_date=`, no `default_args=`, a bare `@dag`) is not
given `catchup=True`: it had no runs to catch up on, and Airflow 3 refuses that value without one.
Choose other values if they are what you want.
"""
    invalid = (
        Example(HEADER + "dag = DAG('etl', start_date=datetime(2023, 1, 1))\n",
                HEADER.replace("import datetime", "import datetime, timedelta") + "dag = DAG('etl', start_date=datetime(2023, 1, 1), schedule=timedelta(days=1), catchup=True)\n",
                target="3.0.6", findings=((4, 7, "this DAG relies on the `schedule` default and the `catchup` default that Airflow 3 changed: without `schedule=` it ran once a day from its start date on Airflow 2 and is never scheduled on 3.0.6; without `catchup=` it caught up on missed runs on Airflow 2 and does not on 3.0.6 (the fix writes the Airflow 2 values; choose others if you meant them)"),)),
        Example("from airflow.decorators import dag\n\n\n@dag\ndef etl():\n    pass\n",
                "from datetime import timedelta\nfrom airflow.decorators import dag\n\n\n@dag(schedule=timedelta(days=1))\ndef etl():\n    pass\n",
                target="3.0.6", findings=((4, 2, "this DAG relies on the `schedule` default that Airflow 3 changed: without `schedule=` it ran once a day from its start date on Airflow 2 and is never scheduled on 3.0.6 (the fix writes the Airflow 2 values; choose others if you meant them)"),)),
    )
    valid = (Example(HEADER + "dag = DAG('etl', schedule=None, catchup=False, start_date=datetime(2023, 1, 1))\n",
                     target="3.0.6"),
             Example(HEADER + "dag = DAG('etl', start_date=datetime(2023, 1, 1))\n", target="2.11.0"))


class TaskDatabaseAccess(_DagApiRule):
    gate = "task_sdk_runtime"
    code = "DS514"
    name = "task-database-access"
    message = "task code opens a metadata-database session"
    severity = ERROR
    tokens = ("provide_session", "create_session", "Session")
    doc = """
## What it does
On Airflow 3 targets (whose wheels run tasks through the task SDK's Task Execution API), reports
`@provide_session`, `create_session()` and `settings.Session` in DAG and plugin code.

## Why it matters on Airflow 3
Workers have no metadata-database connection on Airflow 3 (on MWAA 3.x they cannot reach it):
a task that queries models through a session fails. Variables, connections and XComs come from
the task SDK; anything else from Airflow's REST API (on MWAA, `aws mwaa invoke-rest-api`).

## Example
```python
from airflow.utils.session import provide_session

@provide_session
def cleanup(session=None):
    session.query(DagRun).delete()
```

## Fix safety
No fix: what replaces a query depends on what it was for.
"""
    invalid = (
        Example("from airflow.utils.session import provide_session\n\n\n@provide_session\ndef cleanup(session=None):\n    pass\n",
                None, target="3.0.6", findings=((4, 2, "`@provide_session` opens a metadata-database session: on Airflow 3.0.6 task code runs through the Task Execution API with no database connection, and the task fails; use the Task SDK (`Variable`, `Connection`, XCom, `get_current_context()`) or Airflow's REST API (on MWAA: `aws mwaa invoke-rest-api`)"),)),
    )
    valid = (Example("from airflow.utils.session import provide_session\n\n\n@provide_session\ndef cleanup(session=None):\n    pass\n",
                     target="2.11.0"),)


class SubDag(_DagApiRule):
    gate = "subdag"
    code = "DS510"
    name = "subdag-operator"
    message = "SubDagOperator is deprecated"
    severity = WARNING
    fix = SOMETIMES
    tokens = ("SubDagOperator",)
    project_kinds = frozenset({"python"})
    project_markers = (b"SubDagOperator",)

    def collect_project(self, project: Any) -> None:
        if "subdags" not in project.facts:
            from dagshift.rules.dag_api.subdag_index import build

            project.facts["subdags"] = build(project)

    def wants_with_facts(self, text: str, target: str, facts: dict[str, Any]) -> bool:
        """A SubDAG factory's own module (it need not name SubDagOperator)."""
        return any(f"def {f['name']}(" in text for f in (facts.get("subdags") or {}).get("factories", {}).values()
                   if not f.get("reason") and not f.get("blocked"))
    doc = SUBDAG_DOC
    invalid = SUBDAG_INVALID
    valid = (Example("from airflow.operators.subdag import SubDagOperator\n", target="2.0.2"),)


class ReplacedOperatorClass(_DagApiRule):
    gate = "replaced_classes"
    code = "DS515"
    name = "replaced-operator-class"
    message = "operator class its provider replaced by another class with other arguments"
    severity = ERROR
    fix = UNSAFE
    # Every class name of data/operator_replacements.json (tests/rules/dag_api/test_replacements.py
    # checks the two agree).
    tokens = ("PostgresOperator", "MySqlOperator", "MsSqlOperator", "OracleOperator", "SqliteOperator",
              "SnowflakeOperator", "TrinoOperator", "VerticaOperator", "JdbcOperator", "DruidCheckOperator",
              "RedshiftSQLOperator", "BigQueryOperator", "BigQueryExecuteQueryOperator", "DataFlowPythonOperator",
              "DataflowCreatePythonJobOperator", "S3PrefixSensor",
              "BigQueryCreateEmptyTableOperator", "BigQueryCreateExternalTableOperator", "DataProcPySparkOperator",
              "DataprocSubmitPySparkJobOperator")
    doc = DS515_DOC
    invalid = DS515_INVALID
    valid = DS515_VALID


class RemovedDagAttribute(_DagApiRule):
    gate = "dag_attributes"
    code = "DS516"
    name = "removed-dag-attribute"
    message = "DAG attribute removed in Airflow 3"
    severity = ERROR
    fix = SOMETIMES
    tokens = ("dag", "DAG")

    def wants(self, text: str, target: str) -> bool:
        from dagshift.rules.dag_api.tables import dag_attribute_reads

        return any(read in text for read in dag_attribute_reads(target))

    doc = """
## What it does
On Airflow 3 targets, reports a read of an attribute Airflow 2's DAG had and no DAG class of the
target has (from real Airflow: `scripts/gen_dag_attributes.py` lists the public attributes of a DAG
in 2.11.2 and in each target): `dag.schedule_interval`, `dag.concurrency`, `dag.full_filepath`,
`dag.is_paused`, `dag.get_dagrun(...)`, `dag.clear(...)`... on a name the file binds to `DAG(...)`
(assigned, or `with DAG(...) as dag`) or on the task context's `context["dag"]`. A function
parameter that may hold a DAG is not judged.

## Why it matters on Airflow 3
The read raises `AttributeError`: where the file reads it at the top level (a task built from
`dag.schedule_interval`), the DAG fails to load; inside a callable, the task fails when it runs.

## Example
```python
with DAG("etl", schedule="@daily") as dag:
    BashOperator(task_id="show", bash_command=f"echo {dag.schedule_interval}")
```

## Fix safety
Unsafe, where the target has a successor of the same kind (a value for a value): the one Airflow 2's
own deprecation warning names (`concurrency` -> `max_active_tasks`, `full_filepath` -> `fileloc`,
`filepath` -> `relative_fileloc`) or the renamed DAG argument's (`schedule_interval` -> `schedule`,
`fail_stop` -> `fail_fast`). Unsafe because the value is read from Airflow 3's DAG, which is not
proven to hold what Airflow 2's did for every DAG (`schedule` holds what the DAG was given; Airflow
2's `schedule_interval` also held its default). None for the rest: scheduler-side methods such as
`get_dagrun` or `clear` have no task-side successor (use the REST API).
"""
    invalid = (
        Example.replacing(HEADER + "from airflow.providers.standard.operators.bash import BashOperator\n\n"
                          "with DAG('etl', schedule='@daily', start_date=datetime(2024, 1, 1)) as dag:\n"
                          "    BashOperator(task_id='show', bash_command=f'echo {dag.schedule_interval}')\n",
                          "dag.schedule_interval", "dag.schedule", target="3.0.6", findings=(
                              (7, 59, "`dag.schedule_interval`: Airflow 3 removed `DAG.schedule_interval`; the DAG "
                                      "fails with an AttributeError on 3.0.6; read `dag.schedule` (the DAG argument "
                                      "`schedule_interval=` is `schedule=` on Airflow 3)"),)),
        Example("def report(**context):\n    return context['dag'].get_last_dagrun()\n", target="3.3.1",
                findings=((2, 27, "`context['dag'].get_last_dagrun`: Airflow 3 removed `DAG.get_last_dagrun`; "
                                  "calling `report()` fails with an AttributeError on 3.3.1 (a scheduler-side "
                                  "method: task code reaches runs and task instances through the REST API)"),)),
    )
    valid = (
        Example(HEADER + "with DAG('etl', schedule='@daily', start_date=datetime(2024, 1, 1)) as dag:\n"
                "    interval = dag.schedule_interval\n", target="2.11.2"),
        Example("def build(dag):\n    return dag.schedule_interval\n", target="3.0.6"),
    )
