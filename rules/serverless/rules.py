"""DS601-DS609: whether a DAG can run on MWAA Serverless, and what the service ignores: Python DAG
files, and the dag-factory YAML workflows the service reads as they are (yaml_workflows.py).

These rules run on `--target-version serverless` (or serverless-N) only, beside every rule of the
Airflow version under the engine (3.0.6 for engine 1). The facts come from AWS's converter wheel and
the service's documentation (data/serverless_engine.json, scripts/gen_serverless_facts.py); the
analysis is analysis.py, over the static DAG model of model.py (shared with `dagshift convert`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from dagshift.linter.rule import ERROR, WARNING, Example, FamilyRule

HEAD = "from datetime import datetime\n\nfrom airflow import DAG\n"
EMPTY = "from airflow.providers.standard.operators.empty import EmptyOperator\n"
T = "serverless"
# A DAG the service runs as it is: the valid example of the rules that judge what it lacks.
PLAIN_DAG = Example(HEAD + EMPTY + "\nwith DAG('etl', schedule=None):\n    EmptyOperator(task_id='a')\n", target=T)
# The same, as the dag-factory YAML the service itself reads (yaml_workflows.py judges it).
WORKFLOW = ("etl:\n  schedule: '0 6 * * *'\n  default_args:\n    retries: 2\n  tasks:\n    load:\n"
            "      operator: airflow.providers.standard.operators.bash.BashOperator\n      bash_command: echo load\n")
YAML = "dags/etl.yml"


def workflow(old: str, new: str, *findings: tuple[int, int, str]) -> Example:
    """WORKFLOW with `old` written as `new`: an invalid example on a dag-factory YAML workflow."""
    assert WORKFLOW.count(old) == 1, old
    return Example(WORKFLOW.replace(old, new), path=YAML, target=T, findings=findings)


class _ServerlessRule(FamilyRule):
    platform = "serverless"
    # Python DAG files, and dag-factory YAML: the workflows the service itself reads (yaml_workflows.py).
    kinds = frozenset({"python", "yaml"})
    tokens: ClassVar[tuple[str, ...]] = ("DAG", "dag", "Operator", "Sensor", "task")

    def analyse(self, ctx: Any) -> Any:
        if ctx.kind == "yaml":
            from dagshift.rules.serverless.yaml_workflows import analyse as yaml_analyse

            return yaml_analyse(ctx)
        from dagshift.rules.serverless.analysis import analyse

        return analyse(ctx)

    @classmethod
    def target_range(cls) -> str:
        return "serverless"

    @classmethod
    def convert(cls, args: Any, registry: Any) -> int:
        """`dagshift convert --to mwaa-serverless` (rules/__init__.py's `convert` finds it here)."""
        from dagshift.rules.serverless.command import main

        return main(args, registry)


class UnsupportedOperator(_ServerlessRule):
    code = "DS601"
    name = "serverless-operator"
    message = "operator not on MWAA Serverless's allow-list"
    severity = ERROR
    doc = """
## What it does
On `--target-version serverless`, reports each operator call whose class is not on the engine's
allow-list: the Amazon provider operators and sensors AWS's converter lists, `EmptyOperator`,
`SQLTableCheckOperator`, and `PythonOperator`/`BashOperator` (the service's operators page). A class
of the list under an older import path is left to the import rules, which move it. In dag-factory
YAML (the workflows the service reads as written), each task's `operator:` path.

## Why it matters on MWAA Serverless
A workflow definition naming any other operator is refused by `CreateWorkflow`.

## Example
```python
from airflow.providers.postgres.operators.postgres import PostgresOperator
```

## Fix safety
None: replacing an operator is a design choice (an AWS operator, or a PythonOperator).
"""
    invalid = (
        Example(HEAD + "from airflow.providers.http.operators.http import HttpOperator\n\n"
                "with DAG('etl', schedule=None, start_date=datetime(2024, 1, 1)):\n"
                "    HttpOperator(task_id='ping', endpoint='/health')\n", target=T, findings=(
                    (7, 5, "`HttpOperator` is not on MWAA Serverless engine 1's operator allow-list: the workflow is "
                           "refused (use an AWS operator of the list, or a PythonOperator/BashOperator)"),)),
        workflow("airflow.providers.standard.operators.bash.BashOperator\n      bash_command: echo load",
                 "airflow.providers.http.operators.http.HttpOperator\n      endpoint: /health",
                 (7, 7, "`HttpOperator` is not on MWAA Serverless engine 1's operator allow-list: the workflow is "
                        "refused (use an AWS operator of the list, or a PythonOperator/BashOperator)")),
    )
    valid = (
        Example(HEAD + EMPTY + "\nwith DAG('etl', schedule=None, start_date=datetime(2024, 1, 1)):\n"
                "    EmptyOperator(task_id='start')\n", target=T),
        Example(WORKFLOW, path=YAML, target=T),
        Example(HEAD + "from airflow.providers.http.operators.http import HttpOperator\n\n"
                "with DAG('etl', schedule=None):\n    HttpOperator(task_id='ping', endpoint='/health')\n",
                target="3.0.6"),
    )


class TaskflowTask(_ServerlessRule):
    code = "DS602"
    name = "serverless-taskflow"
    message = "TaskFlow task on MWAA Serverless"
    severity = ERROR
    doc = """
## What it does
On `--target-version serverless`, reports each `@task` (and `@task.<kind>`) decorator. In
dag-factory YAML, a task's `decorator:` (dag-factory 1.x's TaskFlow tasks).

## Why it matters on MWAA Serverless
The service runs dag-factory definitions of classic operators; AWS's converter refuses a TaskFlow
task ("PythonDecoratedOperator is not supported") and the service's documentation lists `@task`
as not supported.

## Example
```python
@task
def extract(): ...
```

## Fix safety
None: the rewrite is a PythonOperator whose `python_callable` is the function, and its XCom
arguments become templated pulls, a change of code.
"""
    invalid = (
        Example("from airflow.sdk import dag, task\n\n\n@dag(schedule=None)\ndef etl():\n    @task\n"
                "    def extract():\n        return 1\n\n    extract()\n\n\netl()\n", target=T, findings=(
                    (6, 6, "`@task` makes a TaskFlow task, which MWAA Serverless engine 1 does not run: rewrite it "
                           "as a PythonOperator whose python_callable is a module-level function"),)),
        workflow("  tasks:\n", "  tasks:\n    pick:\n      decorator: airflow.sdk.task\n      python_callable: etl.pick\n",
                 (7, 7, "`decorator: airflow.sdk.task` makes a TaskFlow task (`@task`), which MWAA Serverless engine 1 "
                        "does not run: rewrite it as a PythonOperator whose python_callable is a module-level function")),
    )
    valid = (Example(HEAD + EMPTY + "\nwith DAG('etl', schedule=None):\n    EmptyOperator(task_id='start')\n",
                     target=T),)


class Branching(_ServerlessRule):
    code = "DS603"
    name = "serverless-branching"
    message = "branching on MWAA Serverless"
    severity = ERROR
    doc = """
## What it does
On `--target-version serverless`, reports branch operators (`BranchPythonOperator` and every
`Branch...`/`...BranchOperator` class) and `@task.branch`.

## Why it matters on MWAA Serverless
The service documents no branching: BranchPythonOperator is not supported and a definition naming
it is refused. Keep the control flow linear through `dependencies`.

## Example
```python
BranchPythonOperator(task_id="choose", python_callable=choose)
```

## Fix safety
None: removing a branch changes what runs.
"""
    invalid = (
        Example(HEAD + "from airflow.providers.standard.operators.python import BranchPythonOperator\n\n\n"
                "def choose():\n    return 'a'\n\n\nwith DAG('etl', schedule=None):\n"
                "    BranchPythonOperator(task_id='choose', python_callable=choose)\n", target=T, findings=(
                    (12, 5, "`BranchPythonOperator` branches, which MWAA Serverless engine 1 does not support: the "
                            "workflow is refused (keep the control flow linear)"),)),
    )
    valid = (PLAIN_DAG,)


class DynamicMapping(_ServerlessRule):
    code = "DS604"
    name = "serverless-task-mapping"
    message = "dynamic task mapping on MWAA Serverless"
    severity = ERROR
    tokens = ("expand",)
    doc = """
## What it does
On `--target-version serverless`, reports `.expand(...)` and `.expand_kwargs(...)` calls. In
dag-factory YAML, a task's `expand:`.

## Why it matters on MWAA Serverless
Dynamic task mapping is not supported (AWS's converter states it among its limitations, and
dag-factory's `expand` form is not taken by the service): the definition is refused.

## Example
```python
S3DeleteObjectsOperator.partial(task_id="rm", bucket="b").expand(keys=[["a"], ["b"]])
```

## Fix safety
None: one task per mapped value, or a loop inside one task, is a design choice.
"""
    invalid = (
        Example(HEAD + "from airflow.providers.amazon.aws.operators.s3 import S3DeleteObjectsOperator\n\n"
                "with DAG('etl', schedule=None):\n"
                "    S3DeleteObjectsOperator.partial(task_id='rm', bucket='b').expand(keys=[['a'], ['b']])\n",
                target=T, findings=(
                    (7, 5, "dynamic task mapping (`.expand()`) is not supported on MWAA Serverless engine 1: the "
                           "workflow is refused"),)),
        workflow("      bash_command: echo load\n", "      expand: {bash_command: [echo a, echo b]}\n",
                 (8, 7, "dynamic task mapping (`expand:`) is not supported on MWAA Serverless engine 1: the workflow "
                        "is refused")),
    )
    valid = (PLAIN_DAG,)


class UnsupportedSchedule(_ServerlessRule):
    code = "DS605"
    name = "serverless-schedule"
    message = "schedule MWAA Serverless does not take"
    severity = ERROR
    mixed = True
    doc = """
## What it does
On `--target-version serverless`, reports a DAG's `schedule` (or `schedule_interval`, `timetable`)
that is not a cron expression or None: a `timedelta` (errors), Datasets/Assets (a list,
`Dataset(...)`, `Asset(...)`, their `|`/`&` combinations: errors), a timetable other than the cron
ones (errors), and the presets that are not cron (`@once`, `@continuous`: warnings, the
documentation names cron or None only). Cron presets such as `@daily` are cron. In dag-factory YAML,
a DAG block's `schedule:` that is a `__type__` timedelta or timetable mapping, a list, or a datasets
mapping.

## Why it matters on MWAA Serverless
The service schedules a workflow from a cron expression, or not at all (None); AWS's converter
refuses a timedelta schedule and the documentation rules out Datasets/Assets.

## Example
```python
DAG("etl", schedule=timedelta(hours=6))
```

## Fix safety
None: `timedelta(hours=6)` from the start date and `0 */6 * * *` differ in when runs start.
"""
    invalid = (
        Example("from datetime import timedelta\n\nfrom airflow import DAG\n\n"
                "dag = DAG('etl', schedule=timedelta(hours=6))\n", target=T, findings=(
                    (5, 27, "a `timedelta` schedule is not a cron expression: MWAA Serverless engine 1 takes a cron "
                            "expression or None (write the interval as cron)"),)),
        Example("from airflow import DAG\n\ndag = DAG('etl', schedule='@once')\n", target=T, findings=(
            (3, 27, "`@once` is not a cron expression: MWAA Serverless engine 1 documents a cron expression or None "
                    "only"),)),
        workflow("'0 6 * * *'", "{__type__: datetime.timedelta, hours: 6}",
                 (2, 3, "a `timedelta` schedule is not a cron expression: MWAA Serverless engine 1 takes a cron "
                        "expression or None (write the interval as cron)")),
    )
    valid = (Example("from airflow import DAG\n\ndag = DAG('etl', schedule='0 6 * * *')\n", target=T),
             Example("from airflow import DAG\n\ndag = DAG('etl', schedule='@daily')\n", target=T))


class OutOfRange(_ServerlessRule):
    code = "DS606"
    name = "serverless-out-of-range"
    message = "task value out of MWAA Serverless's range"
    severity = ERROR
    tokens = ("retries", "retry_delay", "execution_timeout")
    doc = """
## What it does
On `--target-version serverless`, reports `retries` outside 0 to 3, `retry_delay` over 300 seconds
and `execution_timeout` over 3600 seconds, on a task or in `default_args` (literal numbers and
`timedelta(...)` calls; a value the file computes is not judged). In dag-factory YAML, the same keys
of a task or of `default_args` (numbers of seconds, or `__type__: datetime.timedelta` mappings).

## Why it matters on MWAA Serverless
The service validates these three task parameters against its ranges (a task runs at most an
hour on its workers): a definition outside them is refused.

## Example
```python
default_args = {"retries": 5, "retry_delay": timedelta(minutes=10)}
```

## Fix safety
None: fewer retries or a shorter timeout change what the task does.
"""
    invalid = (
        Example("from datetime import timedelta\n\nfrom airflow import DAG\n\n"
                "dag = DAG('etl', schedule=None, default_args={'retries': 5, 'retry_delay': timedelta(minutes=10)})\n",
                target=T, findings=(
                    (5, 47, "`retries=5` is out of MWAA Serverless's range (0 to 3): the workflow is refused"),
                    (5, 61, "`retry_delay of 600 seconds` is out of MWAA Serverless's range (0 to 300 seconds): the "
                            "workflow is refused"))),
        workflow("      bash_command: echo load\n",
                 "      bash_command: echo load\n      execution_timeout: {__type__: datetime.timedelta, hours: 2}\n",
                 (9, 7, "`execution_timeout of 7200 seconds` is out of MWAA Serverless's range (0 to 3600 seconds): "
                        "the workflow is refused")),
    )
    valid = (Example("from airflow import DAG\n\ndag = DAG('etl', schedule=None, default_args={'retries': 2})\n",
                     target=T),)


class IgnoredArgument(_ServerlessRule):
    code = "DS607"
    name = "serverless-ignored-argument"
    message = "argument MWAA Serverless ignores"
    severity = WARNING
    doc = """
## What it does
On `--target-version serverless`, reports each DAG argument (`catchup`, `tags`, `max_active_runs`,
`dagrun_timeout`, callbacks...) and task argument (`trigger_rule`, `pool`, `queue`, `outlets`,
`deferrable`, callbacks, `aws_conn_id`...) the service ignores, also in `default_args`, naming what
silently stops working. In dag-factory YAML, the same keys of a DAG block, a task or `default_args`.

## Why it matters on MWAA Serverless
The workflow is accepted and runs, without the behaviour the argument gave on an MWAA environment:
a cleanup task with `trigger_rule="all_done"` no longer runs after a failure, a pool no longer
limits concurrency, a failure callback no longer alerts.

## Example
```python
EmptyOperator(task_id="cleanup", trigger_rule="all_done")
```

## Fix safety
None: `dagshift convert` leaves these arguments out of the definition; the Python DAG keeps them.
"""
    invalid = (
        Example(HEAD + EMPTY + "\nwith DAG('etl', schedule=None, catchup=False):\n"
                "    EmptyOperator(task_id='cleanup', trigger_rule='all_done')\n", target=T, findings=(
                    (6, 32, "MWAA Serverless silently ignores `catchup`, so this stops working: catching up on "
                            "missed runs"),
                    (7, 38, "MWAA Serverless silently ignores `trigger_rule`, so this stops working: its trigger "
                            "rule (the task runs when all upstream tasks succeed)"))),
        workflow("  schedule: '0 6 * * *'\n", "  schedule: '0 6 * * *'\n  catchup: false\n",
                 (3, 3, "MWAA Serverless silently ignores `catchup`, so this stops working: catching up on missed runs")),
    )
    valid = (PLAIN_DAG,)


class SubDag(_ServerlessRule):
    code = "DS608"
    name = "serverless-subdag"
    message = "SubDagOperator on MWAA Serverless"
    severity = ERROR
    tokens = ("SubDag",)
    doc = """
## What it does
On `--target-version serverless`, reports SubDagOperator calls (Airflow 3 removed the operator,
DS510 says so too; this finding says the service will not take it either).

## Why it matters on MWAA Serverless
SubDagOperator is not supported by the service: a definition naming it is refused.

## Example
```python
SubDagOperator(task_id="section", subdag=section_dag)
```

## Fix safety
None: move the sub-DAG's tasks into the DAG, or make it a workflow of its own.
"""
    invalid = (
        Example(HEAD + "from airflow.operators.subdag import SubDagOperator\n\n"
                "with DAG('etl', schedule=None) as dag:\n    SubDagOperator(task_id='section', subdag=dag)\n",
                target=T, findings=(
                    (7, 5, "SubDagOperator is not supported on MWAA Serverless engine 1: the workflow is refused "
                           "(move the sub-DAG's tasks into this DAG, or make it a workflow of its own)"),)),
    )
    valid = (PLAIN_DAG,)


class DefaultArgsKey(_ServerlessRule):
    code = "DS609"
    name = "serverless-default-args"
    message = "default_args key MWAA Serverless refuses"
    severity = ERROR
    tokens = ("default_args",)
    doc = """
## What it does
On `--target-version serverless`, reports `default_args` keys outside the engine's list (from AWS's
converter: `owner`, `email`, `retries`, `retry_delay`, `execution_timeout`, `start_date`,
`end_date`, `depends_on_past`, `email_on_failure`, `email_on_retry`, `priority_weight`,
`trigger_rule`, `wait_for_downstream`): `on_failure_callback`, `sla`, `pool`, `queue`... In
dag-factory YAML, the keys of a DAG block's `default_args`.

## Why it matters on MWAA Serverless
AWS's converter refuses such a key ("Default Argument ... is not supported") and the service
accepts only its list in a definition's `default_args`.

## Example
```python
default_args = {"owner": "data", "on_failure_callback": alert}
```

## Fix safety
None: moving a callback elsewhere is a design choice (the service ignores task callbacks too).
"""
    invalid = (
        Example("from airflow import DAG\n\ndag = DAG('etl', schedule=None, default_args={'pool': 'etl'})\n",
                target=T, findings=(
                    (3, 47, "`default_args` key `pool` is not one MWAA Serverless engine 1 accepts (only "
                            "depends_on_past, email, email_on_failure, email_on_retry, end_date, execution_timeout, "
                            "owner, priority_weight, retries, retry_delay, start_date, trigger_rule, "
                            "wait_for_downstream): the workflow is refused"),)),
        workflow("    retries: 2\n", "    pool: etl\n",
                 (4, 5, "`default_args` key `pool` is not one MWAA Serverless engine 1 accepts (only "
                        "depends_on_past, email, email_on_failure, email_on_retry, end_date, execution_timeout, "
                        "owner, priority_weight, retries, retry_delay, start_date, trigger_rule, "
                        "wait_for_downstream): the workflow is refused")),
    )
    valid = (Example("from airflow import DAG\n\ndag = DAG('etl', schedule=None, default_args={'owner': 'data'})\n",
                     target=T),)
