"""DS515's doc and examples (rules/dag_api/rules3.py declares the rule)."""

from dagshift.linter.rule import Example

DS515_DOC = """
## What it does
Reports each call of an operator or sensor class that the target's pinned provider deprecated or
no longer has, because it was replaced by another class that takes other arguments:
`PostgresOperator`, `MySqlOperator`, `MsSqlOperator`, `OracleOperator`, `SqliteOperator`,
`SnowflakeOperator`, `TrinoOperator`, `VerticaOperator`, `JdbcOperator`, `RedshiftSQLOperator` ->
`SQLExecuteQueryOperator` (`DruidCheckOperator` -> `SQLCheckOperator`); `BigQueryOperator` /
`BigQueryExecuteQueryOperator` -> `BigQueryInsertJobOperator(configuration={"query": {...}})`;
`S3PrefixSensor` -> `S3KeySensor`; `DataFlowPythonOperator` / `DataflowCreatePythonJobOperator` ->
`BeamRunPythonPipelineOperator(runner="DataflowRunner", dataflow_config={...})`;
`BigQueryCreateEmptyTableOperator` -> `BigQueryCreateTableOperator(table_resource={...})`
(`BigQueryCreateExternalTableOperator` reported, never rewritten); `DataProcPySparkOperator` /
`DataprocSubmitPySparkJobOperator` -> `DataprocSubmitJobOperator(job={...})`. Every 1.10 path and
every provider path of them is covered. The facts are read from the providers' own code in the official wheels
(`data/operator_replacements.json`, `scripts/gen_operator_replacements.py`): the release that
deprecates each class and the first one without it, and how its `__init__` hands each argument on
(`postgres_conn_id` -> `conn_id`; `database`, `warehouse`, `role`, `schema`... -> `hook_params`);
where only the code of another method or the documentation says it (BigQuery's job configuration,
built by `BigQueryHook.run_query` in google 10.26.0; the table resource `create_empty_table` built in
google 16.1.0; the Dataproc job `DataProcJobBuilder` built and the Dataflow options
`DataflowCreatePythonJobOperator.execute` handed Beam in google 10.26.0; the S3 prefix as a wildcard
key), from
`scripts/operator_replacement_overrides.json`, each entry naming the provider file and version it
was read from. An error where the target's provider no longer has the class (the DAG fails to
load), a warning where it deprecates it. The import of these classes is DS515's too: DS101/DS104
say nothing of it on such a target, and DS515 reports the import only where the file uses the
class other than by calling it.

## Why it matters on Airflow 2
Airflow 3.0.6 pins providers that no longer have any of these classes (nor does 2.11.2's constraint
file): the DAG that imports one fails to load, and `--fix` on the import alone cannot help, since
the successor takes other arguments.

## Example
```python
from airflow.providers.postgres.operators.postgres import PostgresOperator

load = PostgresOperator(task_id="load", sql="sql/load.sql", postgres_conn_id="warehouse",
                        runtime_parameters={"statement_timeout": "3000ms"})
```
becomes
```python
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

load = SQLExecuteQueryOperator(task_id="load", sql="sql/load.sql", conn_id="warehouse",
                               hook_params={"options": "-c statement_timeout=3000ms"})
```

## Fix safety
Unsafe, always: the class changes, and with it what the task does around the query (the
successor's own defaults, logging, XCom of results, `template_fields`). The fix writes each argument
where the old class's code put it: renames, `hook_params` (a `hook_params=` already passed is
spread last, so its keys still win), a Postgres `runtime_parameters` dict as the `options` string
PostgresOperator built from it, and for BigQuery a `configuration` dict whose `query` keeps each
original expression's text; it writes the old defaults the successor does not share
(`conn_id="postgres_default"`: SQLExecuteQueryOperator has none; `"useLegacySql": True`:
BigQueryOperator ran legacy SQL unless told otherwise). S3PrefixSensor's prefix becomes the key
`<prefix>/*` with `wildcard_match=True`: the sensor now lists the keys under the prefix and matches
them with fnmatch, where it asked S3 for the prefix as a folder. A Dataproc job is written as the
builder made it (`placement.cluster_name`, 'cluster-1' when not given), but Dataproc now names the job
(the old id was `<job_name>_<8 random characters>`) and the `airflow-version` label is gone: the
finding says so. A Dataflow task gets `runner="DataflowRunner"`, its connection both as the
operator's and in `dataflow_config` (DataflowHook reads that one first) and the old `cancel_timeout`
(10 * 60; DataflowConfiguration's is 5 * 60). A successor in a distribution MWAA does not install
(BeamRunPythonPipelineOperator: apache-airflow-providers-apache-beam) is written only where the
environment's requirements files require it or there are none (the finding then says to add it): a
fix that DS305 would report is no fix. A folded argument goes under the key the
target's own release used (PostgresOperator's `database`: `hook_params["schema"]` up to postgres
5.10.0, `["database"]` from 5.11.1). A comment at the end of a kept or renamed argument's line
stays with it. No fix where an argument has no exact home (the finding says which and why):
BigQuery's `api_resource_configs` or `delegate_to`, a destination table that is not a literal
`project.dataset.table`, a list of BigQuery statements, an `exists_ok` that is not a literal, a GCS
schema beside `schema_fields`, a PySpark `main` that may be a local file (the old class uploaded it), two arguments that would become one, an
old argument the file names in a dict (`default_args` may pass it, and the successor would not
take it), a positional or `**` argument, a comment with no argument of its own to stay with, a
successor the target cannot import, a class bound other than by one top-level `from ... import`.
A try/except version fallback beside an import that works is left alone.
"""

DS515_INVALID: tuple[Example, ...] = (
    Example('from airflow.providers.postgres.operators.postgres import PostgresOperator\n\nload = PostgresOperator(task_id="load", sql="sql/load.sql", postgres_conn_id="warehouse", runtime_parameters={"statement_timeout": "3000ms"})\n',
            'from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n\nload = SQLExecuteQueryOperator(task_id="load", sql="sql/load.sql", conn_id="warehouse", hook_params={"options": "-c statement_timeout=3000ms"})\n',
            target='3.0.6', findings=((3, 8, "`PostgresOperator` is gone from apache-airflow-providers-postgres 6.2.3, which Airflow 3.0.6 pins: the DAG fails to load; use `SQLExecuteQueryOperator` (`airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator`): `postgres_conn_id=` becomes `conn_id=`; `runtime_parameters=` goes into `hook_params['options']` as `-c name=value` settings (what PostgresOperator made of it)"),)),
    Example('from airflow.providers.mysql.operators.mysql import MySqlOperator\n\ncleanup = MySqlOperator(task_id="cleanup", sql="DELETE FROM carts", database="shop")\n',
            'from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n\ncleanup = SQLExecuteQueryOperator(task_id="cleanup", sql="DELETE FROM carts", hook_params={"schema": "shop"}, conn_id="mysql_default")\n',
            target='2.10.3', findings=((3, 11, '`MySqlOperator` is deprecated in apache-airflow-providers-mysql 5.7.3 (Airflow 2.10.3\'s pin); use `SQLExecuteQueryOperator` (`airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator`): `database=` goes into `hook_params[\'schema\']`; `conn_id="mysql_default"` is written (the old default; `SQLExecuteQueryOperator` has none)'),)),
    Example('from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n\nrollup = BigQueryOperator(task_id="rollup", sql="SELECT 1", api_resource_configs={"query": {"useQueryCache": False}})\n',
            None,
            target='3.0.6', findings=((3, 10, "`BigQueryOperator` is gone from apache-airflow-providers-google 17.1.0, which Airflow 3.0.6 pins: the DAG fails to load; use `BigQueryInsertJobOperator` (`airflow.providers.google.cloud.operators.bigquery.BigQueryInsertJobOperator`): `sql=` goes into `configuration` as `['query']['query']`; `['query']['useLegacySql']` is written as `True` (the old `use_legacy_sql` default); no fix: `api_resource_configs`: its keys were merged under the other arguments' values: write them into `configuration` by hand"),)),
)
DS515_VALID: tuple[Example, ...] = (
    Example('from airflow.providers.postgres.operators.postgres import PostgresOperator\n\nload = PostgresOperator(task_id="load", sql="select 1")\n', target="2.2.2"),
)
