"""Long rule texts of the DAG API family, kept out of rules.py so each declaration stays short."""

from dagshift.linter.rule import Example

HEADER = "from datetime import datetime\n\nfrom airflow import DAG\n"

STAGE_OPERATOR = """from airflow.models import BaseOperator


class StageOperator(BaseOperator):
    def __init__(self, table="", file_format="json", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.table, self.file_format = table, file_format
"""

# The DAGs written in YAML the DS5xx rules judge too (rules/dag_api/yaml_sources.py).
YAML_DAG = """etl_orders:
  schedule_interval: "@daily"
  concurrency: 4
  default_args:
    owner: data
    provide_context: true
  tasks:
    extract:
      operator: airflow.operators.bash.BashOperator
      bash_command: "echo extract"
      xcom_push: true
    load:
      operator: airflow.operators.dummy.DummyOperator
      dependencies: [extract]
"""

DS504_DOC = """
## What it does
On targets whose DAG takes `schedule` (2.4 and later, from the wheel), reports `schedule_interval=`
and `timetable=` on `DAG(...)` and `@dag(...)`. Never on an older target, where `schedule=` fails.
An error on Airflow 3, whose DAG no longer takes them (the file fails to load). In a DAG written in
YAML (dag-factory's DAG blocks and `default:`/`defaults.yml`, gusty's `METADATA.yml`), the
`schedule_interval:` key: dag-factory and gusty hand it to `DAG(...)` as it is. dag-factory 1.0
refuses the key outright, on every Airflow version: where the environment's requirements pin
dag-factory 1.x (`==`, `~=` or `>=` a 1.x version), an error on 2.x targets too.

## Why it matters on Airflow 2
Both warn at every parse from 2.4 and are removed in Airflow 3.

## Example
```python
with DAG("etl", schedule_interval="@daily", start_date=datetime(2023, 1, 1)) as dag:
    ...
```

## Fix safety
Safe: the keyword (or YAML key) is renamed to `schedule` (not when the call or block already
has `schedule`).
"""

DS505_DOC = """
## What it does
On targets where `airflow.utils.dates.days_ago` warns (from the wheel: 2.3 and later), reports
calls to it; an error on Airflow 3, which no longer has it. In a DAG written in YAML, gusty's
`!days_ago N` tag: a warning on every such target (gusty 0.23 defines its own `days_ago` with
pendulum, so it loads on Airflow 3 too, but the date still moves with the clock).

## Why it matters on Airflow 2
`days_ago` is deprecated and gone in Airflow 3, and a start date that moves with the clock makes
catch-up and backfills unpredictable.

## Example
```python
from airflow.utils.dates import days_ago
dag = DAG("etl", start_date=days_ago(2))
```

## Fix safety
Safe when every argument is an integer literal: `days_ago(n, hour=h, ...)` becomes
`pendulum.today("UTC").add(days=-n)` (with `.replace(hour=h, ...)` for a time of day, and `import
pendulum`), the same instant Airflow 2 computes (compared on real Airflow by
scripts/verify_identity.py). Unsafe when `n` is an expression, which `add(days=)` may not take as
`timedelta` did. A fixed `datetime` is better still; only you know which. No fix for gusty's
`!days_ago`: neither gusty nor dag-factory reads a YAML spelling of the same moving instant
(dag-factory's relative `start_date: 1 days` counts from the machine's local midnight, gusty's
`!datetime` is fixed).
"""

DS502_DOC = """
## What it does
Reports keyword arguments of an operator call that the target's class does not accept, through
its bases in the core wheel and the pinned provider versions (`data/operator_signatures.json`; a
1.10 path is looked up under the class it leads to): BashOperator `xcom_push` (now
`do_xcom_push`), TriggerDagRunOperator `python_callable` (now `conf`), BigQueryOperator `bql`
(now `sql`). As warnings: arguments a class renames in its own deprecation code, read from every
pinned provider version (`bigquery_conn_id`/`google_cloud_storage_conn_id` → `gcp_conn_id`,
`topic_project` → `project_id`, Slack `http_conn_id` → `slack_webhook_conn_id`), and arguments
a class that reads `**kwargs` itself does not declare (QuboleOperator, DataprocCreateClusterOperator).
A migrated file is parsed only when the text pre-screen finds a keyword it cannot clear. In a DAG
written in YAML (dag-factory, gusty), a task's keys (less the tool's own: `operator`,
`dependencies`, `*_name`/`*_file` callables) against the class its `operator:` path leads to.

Operators the repository defines (plugins folders, `dags/operators/...`) are checked too: their
`__init__` signatures are read with `ast` in the project phase, through the repository's own bases,
down to the Airflow class they hand `**kwargs` to on the target. A keyword none of them takes is an
error (Airflow 1.10's BaseOperator warned and ignored it; Airflow 2's raises). A class that reads
`**kwargs` itself (`kwargs.pop(...)`), keeps it, or has a base dagshift cannot resolve is not judged.

Trigger rules Airflow renamed (read from each wheel's BaseOperator and TriggerRule):
`trigger_rule="none_failed_or_skipped"` (now `none_failed_min_one_success`) and `"dummy"` (now
`always`), on an operator or in `default_args`: a warning on 2.2-2.11, which map them to the new rule,
an error on Airflow 3, whose TriggerRule no longer has them (the task raises a ValueError).

## Why it matters on Airflow 2
An argument no class on the way to BaseOperator takes raises "Invalid arguments were passed"
when the DAG is parsed (error). A deprecated one works with a warning until the provider drops
it; one a `**kwargs`-reading class may take cannot be shown to fail (warnings).

## Example
```python
BashOperator(task_id="ls", bash_command="ls", xcom_push=True)
```

## Fix safety
Safe for a rename the target's class confirms (`xcom_push`, `bql`, `node_selectors`, and the
renames of the providers' deprecation code) when the call does not already pass the new name;
none otherwise (`python_callable` has to become a `conf={...}` payload). For a repository
operator, deleting the keyword is an unsafe fix: it keeps what Airflow 1.10 did, but the keyword
may be a typo of an argument that was meant to work (`format=` for `file_format=`). Safe for a
renamed trigger rule: Airflow 2's own code names the successor, the rule the task already ran with.
"""

DS507_DOC = """
## What it does
On targets that deprecate them (2.2 and later) or no longer have them (Airflow 3; the keys and
replacements are read from the wheels), reports `execution_date`, `next_ds`, `prev_ds`,
`next_execution_date`, `tomorrow_ds`, `yesterday_ds`... in `context["..."]` / `kwargs["..."]`
lookups, `context.get("...")`, inside `{{ ... }}` of string literals (templated fields) and of
template files (`.sql`, `.hql`, `.j2`... anywhere; `.sh`, `.yaml`, `.json` in a `dags`,
`templates` or `sql` folder, not a CI workflow's `${{ }}`), and, on Airflow 3, as parameters of
task callables. An error on Airflow 3.

## Why it matters on Airflow 2 and 3
They warn at every use on 2.x and are undefined on 3.x (a template fails to render; a lookup
raises `KeyError`; a callable that names one as a parameter fails); with data intervals their
meaning also changed (`execution_date` is the start of the interval, `next_ds` its end).

## Example
```python
bash_command = "echo {{ yesterday_ds }} {{ execution_date }}"
```

## Fix safety
Safe where the successor is proven to render the same text in real Airflow for every run of the
proof (scheduled and manual runs, DAGs in UTC and four other timezones, month and year ends, DST
changes; `scripts/verify_context_keys.py`, docs/verification.md): `execution_date` becomes
`logical_date` (in templates and in `context["..."]`, the same object on 2.x), `yesterday_ds`
becomes `{{ (logical_date - macros.timedelta(days=1)) | ds }}`, and the same for `tomorrow_ds`
and the `_nodash` keys (`| ds_nodash`). A task parameter named `execution_date` is not renamed: a
new signature breaks callers that pass it by name. Airflow's own one replacement for `next_ds`,
`next_ds_nodash`, `next_execution_date` (`data_interval_end`) and `prev_execution_date_success` is
an unsafe fix: the proof finds manual runs it renders differently. No fix where no template
successor exists (`prev_ds`, `prev_execution_date`, `conf`...): the message says what to do.
"""

DS503_DOC = """
## What it does
On targets whose wheel has `airflow/operators/empty.py` (2.3 and later; among MWAA versions 2.4.3
and later), reports `from airflow.operators.dummy import DummyOperator`. (The 1.10 path
`airflow.operators.dummy_operator` is DS103.) Never suggested for an older target. On Airflow 3,
where the import fails, an error whose fix imports EmptyOperator from the standard provider (the
destination of the 3.x wheel's own `airflow.operators.empty` shim). In a DAG written in YAML
(dag-factory, gusty), `operator: airflow.operators.dummy.DummyOperator`, rewritten in place.

## Why it matters on Airflow 2
DummyOperator warns at every parse from 2.3 and is gone in Airflow 3.

## Example
```python
from airflow.operators.dummy import DummyOperator
start = DummyOperator(task_id="start")
```

## Fix safety
Safe: the import and every use become EmptyOperator (unsafe `EmptyOperator as DummyOperator` when
the name is re-bound in the file).
"""

DS501_DOC = """
## What it does
Reports `provide_context=` on operators, on the TaskFlow decorators `@task` and `@task.python`
(which hand it to a PythonOperator subclass) and in `default_args`; in a DAG written in YAML
(dag-factory, gusty), the `provide_context:` key of a task or of `default_args`.

## Why it matters on Airflow 2
Airflow 2 passes the template context to every Python callable that accepts it. PythonOperator
and the classes deriving from it (read from the target wheel) pop the argument with a
DeprecationWarning (warning); any other operator, PythonSensor and custom operators included,
raise "Invalid arguments were passed" when the DAG is parsed (error); on Airflow 3 every one of
them raises, `@task(provide_context=True)` included (error). A call inside a function (a DAG factory,
a failure callback) fails when that function runs, and the finding names the function. In
`default_args` it has no effect (warning).

## Example
```python
PythonOperator(task_id="load", python_callable=load, provide_context=True)
```

## Fix safety
Safe: the argument (or the `default_args` entry) is removed.
"""

SUBDAG_DOC = """
## What it does
On targets where SubDagOperator warns (from the wheel: 2.2 and later), reports its import (an
error on Airflow 3, which no longer has `airflow.operators.subdag`), and each
`SubDagOperator(task_id=..., subdag=factory(...))` call: either how it becomes a TaskGroup, or why
dagshift leaves it to a person. With the fix, each SubDAG factory the calls use (in the same file,
or in a module of the DAG or plugins folder the DAG imports, re-exported by a package or not: read
as text, never imported) is reported where it is defined. A factory that hands its `**kwargs` to
`DAG(...)` has its sub-DAG's settings read at each call. SubDagOperator is followed under any name
it is imported as (`SDO`, `so.SubDagOperator` of `import airflow.operators.subdag_operator as so`),
and a sub-DAG built at the top level of its parent's own file (`sub = DAG("etl.load", ...)`, no
factory) moves too.

## Why it matters on Airflow 2
SubDAGs are deprecated (they deadlock pools and are removed in Airflow 3); TaskGroups give the
same grouping in the UI without a separate DAG run.

## Example
```python
def section(parent, child, args):
    sub = DAG(f"{parent}.{child}", default_args=args, schedule_interval="@daily")
    BashOperator(task_id="load", bash_command="load.sh", dag=sub)
    return sub

with DAG("etl", default_args=args, schedule_interval="@daily") as dag:
    load = SubDagOperator(task_id="load", subdag=section("etl", "load", args))
```

## Fix safety
Unsafe: the factory builds the same tasks in `TaskGroup(group_id=<task_id>)` of the parent DAG
(new parameters `parent_dag` and `parent_group`, or `outer_dag`... where the factory has those
names already; tasks handed `task_group=`; the sub-DAG's
`default_args` become the group's) and returns the group, and the SubDagOperator call becomes the
factory's call, so the variable holds the group and `a >> load >> b` keeps its edges. What changes
at run time: the tasks' ids gain the `<group_id>.` prefix (their history, XCom keys and
`external_task_id`s in other DAGs name the old ids), they run in the parent's DagRun (no separate
DagRun, no SubDAG-level retry or trigger rule), the parent DAG's `default_args` apply where the
group's do not set a key, and the SubDagOperator's own arguments (`executor`,
`propagate_skipped_state`, `retries`...) are dropped; an argument that reads what Airflow 3's DAG
no longer has (`dag.schedule_interval`) and only fed the sub-DAG's own arguments becomes `None`. A
start date is the parent's when it is written the same, read from the parent
(`start_date=dag.start_date`), or equal in value where both are literal datetimes
(`pendulum.datetime(2024, 1, 1)` and `datetime(2024, 1, 1, tzinfo=timezone.utc)`; a sub-DAG
without one takes its `default_args`' `start_date`); a naive and an aware one are never equated,
as Airflow reads the naive one in `[core] default_timezone`. No fix, and the reason said, when the
sub-DAG cannot move into a group: its own `max_active_runs` below the parent's, a start date,
`max_active_tasks` or other DAG setting that differs from the parent's (not its schedule or `catchup`,
which were never read: SubDagOperator runs the sub-DAG itself, for the parent run's date), a parent
built by a `@dag` function (no name to hand the group), a sub-DAG built in place
(`subdag=DAG(...)`) or before its parent, an executor of its own, a SubDagOperator argument such as
`trigger_rule` that applies to the sub-DAG as one task, a factory body dagshift cannot follow
(several DAGs, the DAG handed to anything but a task's `dag=`), or a factory that other code also
calls or that lies outside the Airflow deployment.
"""

_SUBDAG_FACTORY = ("from datetime import datetime\n\n"
                   "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
                   "from airflow.operators.subdag import SubDagOperator\n\n\n"
                   "def section(parent, child, args):\n"
                   "    sub = DAG(f\"{parent}.{child}\", default_args=args, schedule_interval=\"@daily\")\n"
                   "    BashOperator(task_id=\"load\", bash_command=\"load.sh\", dag=sub)\n"
                   "    return sub\n\n\n"
                   "args = {\"owner\": \"data\", \"start_date\": datetime(2024, 1, 1)}\n"
                   "with DAG(\"etl\", default_args=args, schedule_interval=\"@daily\") as dag:\n"
                   "    load = SubDagOperator(task_id=\"load\", subdag=section(\"etl\", \"load\", args))\n")
_SUBDAG_FIXED = ("from datetime import datetime\n\n"
                 "from airflow.sdk import TaskGroup\nfrom airflow import DAG\nfrom airflow.operators.bash import BashOperator\n\n\n"
                 "def section(parent, child, args, parent_dag, parent_group=None):\n"
                 "    sub = TaskGroup(group_id=child, default_args=args, dag=parent_dag, parent_group=parent_group)\n"
                 "    BashOperator(task_id=\"load\", bash_command=\"load.sh\", dag=parent_dag, task_group=sub)\n"
                 "    return sub\n\n\n"
                 "args = {\"owner\": \"data\", \"start_date\": datetime(2024, 1, 1)}\n"
                 "with DAG(\"etl\", default_args=args, schedule_interval=\"@daily\") as dag:\n"
                 "    load = section(\"etl\", \"load\", args, parent_dag=dag)\n")
_SUBDAG_REMOVED = ("SubDagOperator was removed in Airflow 3: the import fails on 3.0.6; rewrite the sub-DAG as a "
                   "TaskGroup (`airflow.sdk.TaskGroup`) in the parent DAG")
SUBDAG_INVALID = (
    Example(_SUBDAG_FACTORY, _SUBDAG_FIXED, target="3.0.6", findings=(
        (5, 38, _SUBDAG_REMOVED),
        (8, 5, "`section` builds the sub-DAG of the SubDagOperator at dags/example_dag.py:16: the fix makes it build "
               "`TaskGroup(group_id=child)` in the parent DAG instead (new parameters `parent_dag` and `parent_group`; "
               "its tasks get `task_group=`)"),
        (16, 12, "SubDagOperator `load` can become a TaskGroup built by `section(...)` in the parent DAG: at run time "
                 "its tasks' ids gain the prefix `load.` and they run in the parent DAG's run (no separate DagRun)"))),
    Example(_SUBDAG_FACTORY.replace('"@daily")\n    Bash', '"@daily", max_active_runs=1)\n    Bash'), None, target="2.11.2", findings=(
        (5, 38, "SubDagOperator is deprecated on Airflow 2.11.2: use a TaskGroup"),
        (16, 12, "SubDagOperator `load` is not rewritten as a TaskGroup: the sub-DAG has its own `max_active_runs` "
                 "(`1`; the parent DAG's is `the default`), which a TaskGroup cannot keep"))),
    Example("from airflow.operators.subdag import SubDagOperator\n", "", target="3.0.6", findings=((1, 38, _SUBDAG_REMOVED),)),
)
