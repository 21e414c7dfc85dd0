"""DS501-DS511: DAG and operator API changes, gated by what the target's wheel says.

The facts come from rules/dag_api/data/dag_api.json (scripts/gen_dag_api.py); the analysis lives in
rules/dag_api/analysis.py.
"""

from __future__ import annotations

from typing import Any

from dagshift.linter.rule import ERROR, SAFE, SOMETIMES, WARNING, Example
from dagshift.rules.dag_api import repo_operators, screen
from dagshift.rules.dag_api.base import _DagApiRule, _YamlDagApiRule
from dagshift.rules.dag_api.docs import (
    DS501_DOC,
    DS502_DOC,
    DS503_DOC,
    DS504_DOC,
    DS505_DOC,
    DS507_DOC,
    HEADER,
    STAGE_OPERATOR,
    YAML_DAG,
)


class ProvideContext(_YamlDagApiRule):
    code = "DS501"
    name = "provide-context"
    message = "`provide_context` is not needed on Airflow 2"
    severity = ERROR
    fix = SAFE
    tokens = ("provide_context",)
    doc = DS501_DOC
    invalid = (
        Example.replacing(HEADER + "from airflow.operators.python import PythonOperator\n\n"
                          "t = PythonOperator(task_id='t', python_callable=print, provide_context=True)\n",
                          ", provide_context=True", "", target="2.5.1", findings=((6, 56, '`provide_context` is deprecated on Airflow 2.5.1: PythonOperator always passes the context to callables that take it'),)),
        Example.replacing("from airflow.decorators import task\n\n\n@task(provide_context=True)\ndef extract():\n    return 1\n",
                          "(provide_context=True)", "()", target="3.0.6", findings=((4, 7, '`provide_context` is not an argument of @task on Airflow 3.0.6: the DAG fails with "Invalid arguments were passed"'),)),
        Example.replacing(HEADER + "from airflow.providers.standard.operators.python import PythonOperator\n\n\n"
                          "def alert(context):\n    PythonOperator(task_id='a', python_callable=print, provide_context=True).execute(context)\n",
                          ", provide_context=True", "", target="3.0.6", findings=((8, 56, '`provide_context` is not an argument of PythonOperator on Airflow 3.0.6: calling `alert()` fails with "Invalid arguments were passed"'),)),
        Example("args = {'owner': 'data', 'provide_context': True, 'retries': 1}\n",
                "args = {'owner': 'data', 'retries': 1}\n", target="2.5.1", findings=((1, 26, '`provide_context` in default_args has no effect on Airflow 2.5.1: the context is always passed to callables that take it'),)),
        Example.replacing(YAML_DAG, "    provide_context: true\n", "", path="dags/etl.yml", target="3.0.6", findings=((6, 5, '`provide_context` in default_args has no effect on Airflow 3.0.6: the context is always passed to callables that take it'),)),
    )
    valid = (Example(HEADER + "from airflow.operators.python import PythonOperator\n\n"
                         "t = PythonOperator(task_id='t', python_callable=print)\n", target="2.5.1"),)


class RenamedOperatorArgument(_YamlDagApiRule):
    code = "DS502"
    name = "renamed-operator-argument"
    message = "operator argument changed on Airflow 2"
    severity = ERROR
    fix = SOMETIMES
    doc = DS502_DOC

    def wants(self, text: str, target: str) -> bool:
        if screen.names_a_known_change(text) or screen.names_yaml_task(text):
            return True
        if "trigger_rule" in text and screen.names_renamed_trigger_rule(text, target):
            return True
        if "Operator" not in text and "Sensor" not in text:
            return False
        from dagshift.rules.imports.tables import screen as import_screen

        if import_screen(text, target)[0]:
            return True  # 1.10 paths: the parser resolves the classes they lead to
        return screen.may_pass_unknown_arguments(text, target)

    project_kinds = frozenset({"python"})
    project_markers = repo_operators.SNIFF

    def collect_project(self, project: Any) -> None:
        if "repo_operators" not in project.facts:
            from dagshift.rules.dag_api.repo_operators import build

            project.facts["repo_operators"] = build(project)

    def wants_with_facts(self, text: str, target: str, facts: dict[str, Any]) -> bool:
        from dagshift.rules.dag_api.repo_operators import screen as repo_screen

        return repo_screen(text, facts, target)

    invalid = (
        Example.replacing("from airflow.providers.standard.operators.empty import EmptyOperator\n\n"
                          "EmptyOperator(task_id='join', trigger_rule='none_failed_or_skipped')\n",
                          "'none_failed_or_skipped'", "'none_failed_min_one_success'", target="3.0.6", findings=((3, 44, "trigger rule `none_failed_or_skipped` was removed in Airflow 3: the DAG fails with a ValueError on 3.0.6 (it is not a trigger rule there); Airflow 2 ran it as `none_failed_min_one_success`"),)),
        # amazon 8.x renamed `bucket` (with a deprecation); 9.x, which 2.11.0 pins, dropped it.
        Example.replacing("from airflow.providers.amazon.aws.transfers.gcs_to_s3 import GCSToS3Operator\n\n"
                          "GCSToS3Operator(task_id='sync', bucket='landing', dest_s3_key='s3://lake/')\n",
                          "bucket=", "gcs_bucket=", target="2.11.0", findings=((3, 33, '`bucket` is not an argument of GCSToS3Operator on Airflow 2.11.0 (with the provider versions it pins); it is now `gcs_bucket`: the DAG fails with "Invalid arguments were passed"'),)),
        Example("from operators.stage import StageOperator\n\nStageOperator(task_id='s', table='t', format='json')\n",
                "from operators.stage import StageOperator\n\nStageOperator(task_id='s', table='t')\n",
                target="2.5.1", files=(("plugins/operators/stage.py", STAGE_OPERATOR),),
                findings=((3, 39, "`format` is not an argument of StageOperator (plugins/operators/stage.py) or of the Airflow class it passes `**kwargs` to (BaseOperator) on Airflow 2.5.1: the DAG fails with \"Invalid arguments were passed\"; Airflow 1.10 ignored it"),)),
        Example("from airflow.executors import get_default_executor\nfrom airflow.operators.subdag import SubDagOperator\n\n"
                "s = SubDagOperator(task_id='s', subdag=sub, executor=get_default_executor())\n",
                "from airflow.operators.subdag import SubDagOperator\n\ns = SubDagOperator(task_id='s', subdag=sub)\n",
                target="2.5.1", findings=((4, 45, "SubDagOperator has no `executor` on Airflow 2.5.1: the subdag runs on the environment's executor; delete the argument"),)),
        Example.replacing("from airflow.providers.google.cloud.operators.bigquery import BigQueryCheckOperator\n\n"
                          "check = BigQueryCheckOperator(task_id='c', sql='select 1', bigquery_conn_id='bq')\n",
                          "bigquery_conn_id", "gcp_conn_id", target="2.5.1", findings=((3, 60, '`bigquery_conn_id` is not an argument of BigQueryCheckOperator on Airflow 2.5.1 (with the provider versions it pins); it is now `gcp_conn_id`: the DAG fails with "Invalid arguments were passed"'),)),
        Example("from airflow.providers.qubole.operators.qubole import QuboleOperator\n\n"
                "hive = QuboleOperator(task_id='q', command_type='hivecmd', query='show tables', parameters='-x')\n", None,
                target="2.5.1", findings=((3, 36, "`command_type` is not an argument QuboleOperator declares on Airflow 2.5.1 (with the provider versions it pins); QuboleOperator reads arguments out of `**kwargs` itself, so it may take or ignore it: check it against the operator's documentation"), (3, 60, "`query` is not an argument QuboleOperator declares on Airflow 2.5.1 (with the provider versions it pins); QuboleOperator reads arguments out of `**kwargs` itself, so it may take or ignore it: check it against the operator's documentation"))),
        Example.replacing("from airflow.operators.bash import BashOperator\n\n"
                          "t = BashOperator(task_id='ls', bash_command='ls', xcom_push=True)\n",
                          "xcom_push", "do_xcom_push", target="2.5.1", findings=((3, 51, 'BashOperator has no `xcom_push` on Airflow 2.5.1: it is `do_xcom_push`'),)),
        Example.replacing(YAML_DAG, "xcom_push", "do_xcom_push", path="dags/etl.yml", target="3.0.6", findings=((11, 7, 'BashOperator has no `xcom_push` on Airflow 3.0.6: it is `do_xcom_push`'),)),
        Example.replacing("operator: airflow.providers.standard.operators.bash.BashOperator\nbash_command: ls\nxcom_push: true\n", "xcom_push", "do_xcom_push", path="dags/etl/ls.yml", target="3.0.6", findings=((3, 1, 'BashOperator has no `xcom_push` on Airflow 3.0.6: it is `do_xcom_push`; gusty passes an operator only the arguments its class takes, so it drops this one'),)),
        Example("from airflow.providers.google.cloud.operators.dataproc import DataprocCreateClusterOperator\n\n"
                "c = DataprocCreateClusterOperator(task_id='c', cluster_name='etl', region='eu', colour='red')\n", None,
                target="2.11.2", findings=((3, 81, "`colour` is not an argument DataprocCreateClusterOperator declares on Airflow 2.11.2 (with the provider versions it pins); DataprocCreateClusterOperator reads arguments out of `**kwargs` itself, so it may take or ignore it: check it against the operator's documentation"),)),
    )
    valid = (Example("from airflow.operators.bash import BashOperator\n\n"
                         "t = BashOperator(task_id='ls', bash_command='ls', do_xcom_push=True)\n", target="2.5.1"),
             # Cluster arguments it hands to ClusterGenerator(**kwargs): consumed, not unknown.
             Example("from airflow.providers.google.cloud.operators.dataproc import DataprocCreateClusterOperator\n\n"
                     "c = DataprocCreateClusterOperator(task_id='c', cluster_name='c', project_id='p', num_workers=2)\n",
                     target="2.5.1"))


class DummyToEmpty(_YamlDagApiRule):
    gate = "empty_operator"
    code = "DS503"
    name = "dummy-operator"
    message = "DummyOperator is deprecated: use EmptyOperator"
    severity = WARNING
    fix = SAFE
    tokens = ("DummyOperator",)
    doc = DS503_DOC
    invalid = (
        Example("from airflow.operators.dummy import DummyOperator\n\nstart = DummyOperator(task_id='start')\n",
                "from airflow.operators.empty import EmptyOperator\n\nstart = EmptyOperator(task_id='start')\n",
                target="2.5.1", findings=((1, 37, 'DummyOperator is deprecated on Airflow 2.5.1: use `airflow.operators.empty.EmptyOperator`'),)),
        Example("from airflow.operators.dummy import DummyOperator\n\nstart = DummyOperator(task_id='start')\n",
                "from airflow.providers.standard.operators.empty import EmptyOperator\n\nstart = EmptyOperator(task_id='start')\n",
                target="3.0.6", findings=((1, 37, 'DummyOperator was removed in Airflow 3: the import fails on 3.0.6; use `airflow.providers.standard.operators.empty.EmptyOperator`'),)),
        Example.replacing(YAML_DAG, "airflow.operators.dummy.DummyOperator", "airflow.providers.standard.operators.empty.EmptyOperator", path="dags/etl.yml", target="3.0.6", findings=((13, 17, 'DummyOperator was removed in Airflow 3: the import fails on 3.0.6; use `airflow.providers.standard.operators.empty.EmptyOperator`'),)),
    )
    valid = (Example("from airflow.operators.dummy import DummyOperator\n", target="2.2.2"),)


class ScheduleInterval(_YamlDagApiRule):
    gate = "schedule"
    code = "DS504"
    name = "schedule-interval"
    message = "`schedule_interval=` is deprecated: use `schedule=`"
    severity = WARNING
    fix = SAFE
    tokens = ("schedule_interval", "timetable")
    doc = DS504_DOC
    invalid = (
        Example.replacing(HEADER + "dag = DAG('etl', schedule_interval='@daily', start_date=datetime(2023, 1, 1))\n",
                          "schedule_interval", "schedule", target="2.5.1", findings=((4, 18, '`schedule_interval=` is deprecated on Airflow 2.5.1: use `schedule=`'),)),
        Example.replacing(HEADER + "dag = DAG('etl', schedule_interval='@daily', catchup=True)\n", "schedule_interval",
                          "schedule", target="3.0.6", findings=((4, 18, '`schedule_interval=` was removed in Airflow 3: the DAG fails to load on 3.0.6; use `schedule=`'),)),
        Example.replacing(YAML_DAG, "schedule_interval", "schedule", path="dags/etl.yml", target="3.0.6", findings=((2, 3, '`schedule_interval` was removed in Airflow 3: the DAG fails to load on 3.0.6; use `schedule`'),)),
        Example.replacing(YAML_DAG, "schedule_interval", "schedule", path="dags/etl.yml", target="2.11.2", files=(("requirements.txt", "dag-factory==1.0.1\n"),), findings=((2, 3, '`schedule_interval` is refused by dag-factory 1.x (`dag-factory==1.0.1` in requirements.txt): the DAG fails to load on 2.11.2; use `schedule`'),)),
        Example.replacing("schedule_interval: '@daily'\n", "schedule_interval", "schedule", path="dags/etl/METADATA.yml", target="3.0.6", findings=((1, 1, '`schedule_interval` is not a DAG argument on Airflow 3.0.6: gusty passes `DAG(...)` only the arguments it takes, so it drops it and the DAG loads without a schedule; use `schedule`'),)),
    )
    valid = (Example(HEADER + "dag = DAG('etl', schedule_interval='@daily', start_date=datetime(2023, 1, 1))\n",
                     target="2.2.2"),)

    def wants(self, text: str, target: str) -> bool:
        return screen.SCHEDULE_KEYWORD.search(text) is not None or screen.YAML_SCHEDULE_KEY.search(text) is not None


class DaysAgo(_YamlDagApiRule):
    gate = "days_ago"
    code = "DS505"
    name = "days-ago"
    message = "`days_ago()` is deprecated"
    severity = WARNING
    fix = SOMETIMES
    tokens = ("days_ago",)
    doc = DS505_DOC
    invalid = (
        Example("from airflow.utils.dates import days_ago\n\nstart = days_ago(2)\n",
                "import pendulum\nfrom airflow.utils.dates import days_ago\n\n"
                'start = pendulum.today("UTC").add(days=-2)\n', target="2.5.1", findings=((3, 9, '`days_ago()` is deprecated on Airflow 2.5.1: a start date that moves with the clock; prefer a fixed date, or `pendulum.today("UTC").add(days=-N)`'),)),
        Example("schedule: '@daily'\ndefault_args:\n  start_date: !days_ago 1\n", None, path="dags/etl/METADATA.yml", target="3.0.6", findings=((3, 15, "`!days_ago` (gusty's `days_ago()`) gives a start date that moves with the clock; prefer a fixed date"),)),
    )
    valid = (Example("from airflow.utils.dates import days_ago\n\nstart = days_ago(2)\n", target="2.2.2"),)


class Concurrency(_YamlDagApiRule):
    gate = "max_active_tasks"
    code = "DS506"
    name = "concurrency-arguments"
    message = "`concurrency`/`task_concurrency` are deprecated"
    severity = WARNING
    fix = SAFE
    tokens = ("concurrency",)
    doc = """
## What it does
On targets that have `max_active_tasks` and `max_active_tis_per_dag` (2.2 and later, from the
wheel), reports DAG `concurrency=` and operator `task_concurrency=` (also in `default_args`, and
as YAML keys of a dag-factory or gusty DAG). An
error on Airflow 3, which rejects both (in `default_args` it is ignored: a warning).

## Why it matters on Airflow 2
Both warn at every parse and are removed in Airflow 3.

## Example
```python
DAG("etl", concurrency=4)
```

## Fix safety
Safe: renamed to `max_active_tasks` / `max_active_tis_per_dag`.
"""
    invalid = (
        Example.replacing(HEADER + "dag = DAG('etl', concurrency=4)\n", "concurrency", "max_active_tasks", target="2.5.1", findings=((4, 18, '`concurrency=` is deprecated on Airflow 2.5.1: use `max_active_tasks=`'),)),
        Example.replacing(YAML_DAG, "concurrency", "max_active_tasks", path="dags/etl.yml", target="3.0.6", findings=((3, 3, '`concurrency` is deprecated: dag-factory 1.x hands it to Airflow 3.0.6 as `max_active_tasks`, with a deprecation warning; use `max_active_tasks`'),)),
    )
    valid = (Example(HEADER + "dag = DAG('etl', concurrency=4)\n", target="2.0.2"),)


class ContextKeys(_DagApiRule):
    gate = "context_keys"
    code = "DS507"
    name = "deprecated-context-key"
    message = "deprecated template-context key"
    severity = WARNING
    tokens = ("execution_date", "next_ds", "prev_ds", "tomorrow_ds", "yesterday_ds", "triggering_dataset_events")
    fix = SOMETIMES
    kinds = frozenset({"python", "template", "shell", "yaml", "json"})
    doc = DS507_DOC

    def analyse(self, ctx: Any) -> Any:
        if ctx.kind == "python":
            return super().analyse(ctx)
        parts = ctx.relpath.replace("\\", "/").split("/")[:-1]
        if ctx.kind != "template" and not {"dags", "templates", "sql"} & set(parts):
            return []  # a CI workflow's `${{ }}`, a Helm chart: Jinja-looking, not a DAG's template
        from dagshift.rules.dag_api.context_keys import template_findings
        from dagshift.rules.dag_api.tables import api_facts

        return template_findings(ctx, api_facts(ctx.target))
    invalid = (
        Example('cmd = "echo {{ next_ds }}"\n', 'cmd = "echo {{ data_interval_end | ds }}"\n', target="2.5.1", findings=((1, 7, "template variable `next_ds` is deprecated on Airflow 2.5.1: use `{{ data_interval_end | ds }}` (the same on a scheduled run; on a manual run `next_ds` was the run's own date)"),)),
        Example.replacing('cmd = "echo {{ execution_date }}"\n', "execution_date", "logical_date", target="3.0.6", findings=((1, 7, 'template variable `execution_date` was removed in Airflow 3 and is undefined on 3.0.6: use `logical_date`, the same value'),)),
        Example.replacing("cmd = 'load {{ yesterday_ds_nodash }}'\n", "yesterday_ds_nodash", "(logical_date - macros.timedelta(days=1)) | ds_nodash", target="3.0.6", findings=((1, 7, 'template variable `yesterday_ds_nodash` was removed in Airflow 3 and is undefined on 3.0.6: use `{{ (logical_date - macros.timedelta(days=1)) | ds_nodash }}`, the same text'),)),
        Example.replacing('cmd = "echo {{ params.p ~ tomorrow_ds }}"\n', "tomorrow_ds", "((logical_date + macros.timedelta(days=1)) | ds)", target="3.0.6", findings=((1, 7, 'template variable `tomorrow_ds` was removed in Airflow 3 and is undefined on 3.0.6: use `{{ (logical_date + macros.timedelta(days=1)) | ds }}`, the same text'),)),
        Example.replacing("def load(**context):\n    return context['execution_date']\n", "'execution_date'", "'logical_date'", target="3.0.6", findings=((2, 20, 'context key `execution_date` was removed in Airflow 3 and is undefined on 3.0.6: use `logical_date`, the same value'),)),
        Example.replacing("SELECT * FROM sales WHERE day = '{{ yesterday_ds }}'\n", "yesterday_ds", "(logical_date - macros.timedelta(days=1)) | ds", path="dags/sql/sales.sql", target="3.0.6", findings=((1, 37, 'template variable `yesterday_ds` was removed in Airflow 3 and is undefined on 3.0.6: use `{{ (logical_date - macros.timedelta(days=1)) | ds }}`, the same text'),)),
        Example("etl:\n  tasks:\n    load:\n      operator: airflow.providers.standard.operators.bash.BashOperator\n      bash_command: echo {{ execution_date }} {{ tomorrow_ds }}\n",
                "etl:\n  tasks:\n    load:\n      operator: airflow.providers.standard.operators.bash.BashOperator\n      bash_command: echo {{ logical_date }} {{ (logical_date + macros.timedelta(days=1)) | ds }}\n",
                path="dags/etl.yml", target="3.0.6", findings=((5, 29, 'template variable `execution_date` was removed in Airflow 3 and is undefined on 3.0.6: use `logical_date`, the same value'), (5, 50, 'template variable `tomorrow_ds` was removed in Airflow 3 and is undefined on 3.0.6: use `{{ (logical_date + macros.timedelta(days=1)) | ds }}`, the same text'))),
        Example('cmd = "echo {{ prev_ds }}"\n', None, target="3.0.6", findings=((1, 7, "template variable `prev_ds` was removed in Airflow 3 and is undefined on 3.0.6: it has no direct replacement: it was the logical date of the schedule's previous tick (a manual run's own date), which Airflow 3's context does not have: compute it from `logical_date` and the schedule (`@daily`, scheduled: `{{ (logical_date - macros.timedelta(days=1)) | ds }}`)"),)),
        Example('cmd = "{% set logical_date = params.day %}{{ yesterday_ds }}"\n', None, target="3.0.6", findings=((1, 7, 'template variable `yesterday_ds` was removed in Airflow 3 and is undefined on 3.0.6: use `{{ (logical_date - macros.timedelta(days=1)) | ds }}`, the same text'),)),
    )
    valid = (Example('cmd = "echo {{ next_ds }}"\n', target="2.0.2"),)


class DagBitshift(_DagApiRule):
    code = "DS508"
    name = "dag-task-bitshift"
    message = "dependency between a DAG and a task"
    severity = ERROR
    tokens = (">>", "<<", "chain", "cross_downstream")
    doc = """
## What it does
Reports `dag >> task`, `task << dag` and `chain(dag, ...)`/`cross_downstream` with a DAG, where the
name is bound to `DAG(...)` in the file.

## Why it matters on Airflow 2
Airflow 1.10 special-cased a DAG on either side of `>>` to assign the task to it; Airflow 2 raises
when the DAG file is parsed.

## Example
```python
dag = DAG("etl")
dag >> extract
```

## Fix safety
None: create the task inside `with DAG(...)`, or pass `dag=dag`.
"""
    invalid = (Example(HEADER + "from airflow.operators.empty import EmptyOperator\n\n"
                       "dag = DAG('etl')\nextract = EmptyOperator(task_id='x')\ndag >> extract\n", None,
                       target="2.5.1", findings=((8, 1, '`dag >> extract` sets a dependency between a DAG and a task, which Airflow refuses since 2.0: create the task inside `with DAG(...)` or pass `dag=`'),)),)

    def wants(self, text: str, target: str) -> bool:
        if "DAG" not in text:
            return False
        return screen.dag_in_dependency(text)
    valid = (Example(HEADER + "from airflow.operators.empty import EmptyOperator\n\n"
                         "with DAG('etl') as dag:\n    extract = EmptyOperator(task_id='x')\n    load = EmptyOperator(task_id='y')\n"
                         "    extract >> load\n", target="2.5.1"),)


class ConfigurationHelpers(_DagApiRule):
    gate = "configuration_deprecated"
    code = "DS509"
    name = "configuration-module-helpers"
    message = "deprecated `airflow.configuration` helper"
    severity = WARNING
    fix = SAFE
    tokens = ("configuration",)

    def wants(self, text: str, target: str) -> bool:
        return screen.calls_configuration_helpers(text)
    doc = """
## What it does
Reports calls of the module-level helpers of `airflow.configuration` (`get`, `getboolean`,
`getint`, `as_dict`, ... — those the target wheel marks deprecated), such as
`configuration.get("core", "dags_folder")`. (`from airflow import conf` is DS105.)

## Why it matters on Airflow 2
They warn at every call and are removed in Airflow 3; `airflow.configuration.conf` is the API.

## Example
```python
from airflow import configuration
folder = configuration.get("core", "dags_folder")
```

## Fix safety
Safe: `configuration.conf.get(...)`.
"""
    invalid = (
        Example("from airflow import configuration as conf\n\nfolder = conf.get('core', 'dags_folder')\n",
                "from airflow import configuration as conf\n\nfolder = conf.conf.get('core', 'dags_folder')\n",
                target="2.5.1", findings=((3, 10, '`airflow.configuration.get()` is deprecated on Airflow 2.5.1: use `airflow.configuration.conf.get()`'),)),
        Example("import airflow.configuration as aconf\n\nexamples = aconf.getboolean('core', 'load_examples')\n",
                "import airflow.configuration as aconf\n\nexamples = aconf.conf.getboolean('core', 'load_examples')\n",
                target="2.5.1", findings=((3, 12, '`airflow.configuration.getboolean()` is deprecated on Airflow 2.5.1: use `airflow.configuration.conf.getboolean()`'),)),
        Example("from airflow.configuration import get\n\nfolder = get('core', 'dags_folder')\n",
                "from airflow.configuration import conf\nfrom airflow.configuration import get\n\n"
                "folder = conf.get('core', 'dags_folder')\n", target="2.5.1", findings=((3, 10, '`airflow.configuration.get()` is deprecated on Airflow 2.5.1: use `airflow.configuration.conf.get()`'),)),
        Example("from airflow import configuration\n\nfolder = configuration.get('core', 'dags_folder')\n",
                "from airflow import configuration\n\nfolder = configuration.conf.get('core', 'dags_folder')\n",
                target="2.5.1", findings=((3, 10, '`airflow.configuration.get()` is deprecated on Airflow 2.5.1: use `airflow.configuration.conf.get()`'),)),
    )
    valid = (Example("from airflow.configuration import conf\n\nfolder = conf.get('core', 'dags_folder')\n", target="2.5.1"),)


class TemplateFieldsString(_DagApiRule):
    code = "DS511"
    name = "template-fields-string"
    message = "`template_fields` is a string"
    severity = WARNING
    fix = SAFE
    tokens = ("template_fields", "template_ext")

    def wants(self, text: str, target: str) -> bool:
        return screen.template_fields_string(text)
    doc = """
## What it does
Reports `template_fields = "sql"` (or `template_ext`) in a class body: a string, not a sequence.

## Why it matters on Airflow 2
Airflow iterates `template_fields`: a string is read as one field per character, so the intended
field is never rendered (and Airflow 2.x raises for characters that are not attributes).

## Example
```python
class MyOperator(BaseOperator):
    template_fields = "sql"
```

## Fix safety
Safe: `("sql",)`.
"""
    invalid = (Example("class MyOperator:\n    template_fields = 'sql'\n",
                       "class MyOperator:\n    template_fields = ('sql',)\n", findings=((2, 23, '`template_fields` is a string: Airflow iterates it character by character; make it a tuple'),)),)
    valid = (Example("class MyOperator:\n    template_fields = ('sql',)\n"),)
