"""DS515 (replaced-operator-class) end to end on a warehouse repository written the way real ones are:
PostgresOperator with a SQL file, parameters, autocommit and runtime_parameters; MySqlOperator and
SnowflakeOperator with their connection and database arguments; BigQueryOperator with every common
argument and `bql=` (1.10 contrib path) and BigQueryExecuteQueryOperator (provider path); S3PrefixSensor.

The expected outputs live in tests/fixtures/replacements/expected/ (`<target>.findings.txt`, the
findings before `--fix`; `.after-fix.txt`, what `--fix --unsafe-fixes` reports it left; `.fixed/`, the
tree it wrote). They were reviewed finding by finding, and scripts/verify_replacements.py loads the
3.0.6 tree in Airflow 3.0.6 against the originals (docs/verification.md); regenerate with
DAGSHIFT_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import ast
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, write
from goldens import golden, golden_tree, tree

from dagshift.rules import default_registry

REPO = FIXTURES / "replacements" / "warehouse_repo"
EXPECTED = FIXTURES / "replacements" / "expected"


def findings(cli, root: Path, target: str) -> Counter:
    result = cli("check", ".", "--format", "json", "--target-version", target, "--no-cache", cwd=root,
                 registry=default_registry())
    return Counter((f["path"], f["code"], f["message"]) for f in json.loads(result.out))


@pytest.mark.parametrize("target", ["2.11.2", "3.0.6"])
def test_check_fix_and_fix_again(cli, tmp_path, target):
    work = tmp_path / "warehouse_repo"
    shutil.copytree(REPO, work)
    args = ("--target-version", target, "--format", "concise", "--no-cache")
    before = cli("check", *args, cwd=work, registry=default_registry())
    assert before.out == golden(EXPECTED, f"{target}.findings.txt", before.out)
    counted = findings(cli, work, target)

    fixed = cli("check", "--fix", "--unsafe-fixes", *args, cwd=work, registry=default_registry())
    assert fixed.out == golden(EXPECTED, f"{target}.after-fix.txt", fixed.out)
    written = tree(work)
    assert written == golden_tree(EXPECTED, f"{target}.fixed", work)
    for name, content in written.items():
        if name.endswith(".py"):
            ast.parse(content)

    again = cli("check", "--fix", "--unsafe-fixes", *args, cwd=work, registry=default_registry())
    assert tree(work) == written  # a second --fix changes nothing
    assert "[*]" not in again.out and "[-]" not in again.out
    assert not findings(cli, work, target) - counted  # the fixed files give no new finding


def test_the_import_rules_leave_replaced_classes_to_ds515(cli, tmp_path):
    """One finding per problem: where DS515 reports a class, DS101/DS104 say nothing of its import
    (and write no import that DS515 would rewrite again); where the target's provider still has it
    as it was, the 1.10 path is DS102's move, as before."""
    write(tmp_path, {"dags/etl.py": "from airflow.operators.postgres_operator import PostgresOperator\n\n"
                                    "load = PostgresOperator(task_id='load', sql='select 1')\n"})
    on_3 = cli("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "3.0.6", cwd=tmp_path,
               registry=default_registry())
    assert [line.split(" ")[1] for line in on_3.out.splitlines()] == ["DS515"]
    on_2_2 = cli("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "2.2.2", cwd=tmp_path,
                 registry=default_registry())
    assert on_2_2.out.startswith("dags/etl.py:1:49: DS102 [*] `airflow.operators.postgres_operator.PostgresOperator` is "
                                 "deprecated on Airflow 2.2.2")
    assert "DS515" not in on_2_2.out


def test_a_class_used_otherwise_is_reported_at_its_import(cli, tmp_path):
    write(tmp_path, {"dags/etl.py": "from airflow.providers.postgres.operators.postgres import PostgresOperator\n\n\n"
                                    "class AuditedPostgresOperator(PostgresOperator):\n    pass\n"})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "3.0.6", cwd=tmp_path,
                 registry=default_registry())
    assert result.out == (
        "dags/etl.py:1:59: DS515 `PostgresOperator` is gone from apache-airflow-providers-postgres 6.2.3, which Airflow "
        "3.0.6 pins: the import fails; it is used here other than by a call: move that code to "
        "`airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator` by hand\n")


def test_an_old_argument_named_only_in_a_string_does_not_block_the_fix(cli, tmp_path):
    """`DAG("database")` names no `database=` the operator could receive; a dict key would."""
    dag = ("from datetime import datetime\n\nfrom airflow import DAG\n"
           "from airflow.providers.postgres.operators.postgres import PostgresOperator\n\n"
           "with DAG('database', schedule=None, start_date=datetime(2024, 1, 1)):\n"
           "    PostgresOperator(task_id='t', postgres_conn_id='postgres', sql='select 1')\n")
    write(tmp_path, {"dags/database.py": dag})
    cli("check", "--fix", "--unsafe-fixes", "--quiet", "--no-cache", "--target-version", "3.0.6", "--select", "DS515",
        cwd=tmp_path, registry=default_registry())
    assert (tmp_path / "dags" / "database.py").read_text() == dag.replace(
        "from airflow.providers.postgres.operators.postgres import PostgresOperator",
        "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator").replace(
        "PostgresOperator(task_id='t', postgres_conn_id='postgres'", "SQLExecuteQueryOperator(task_id='t', conn_id='postgres'")
    write(tmp_path, {"dags/keyed.py": dag.replace("with DAG(", "args = {'database': 'sales'}\n\nwith DAG(")})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "3.0.6", "--select",
                 "DS515", "dags/keyed.py", cwd=tmp_path, registry=default_registry())
    assert result.out.endswith("no fix: `database` may come from `default_args` (the file names it in a dict): the "
                               "successor would not take it; move it to the call, then fix\n")


def test_no_fix_writes_a_successor_the_target_cannot_import(cli, tmp_path):
    """DruidCheckOperator's successor is common-sql's SQLCheckOperator, which 2.2.2 does not pin."""
    write(tmp_path, {"dags/etl.py": "from airflow.providers.apache.druid.operators.druid_check import DruidCheckOperator\n\n"
                                    "check = DruidCheckOperator(task_id='check', sql='select 1')\n"})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "2.2.2", "--select",
                 "DS515", cwd=tmp_path, registry=default_registry())
    assert result.out.endswith(
        "no fix: `airflow.providers.common.sql.operators.sql.SQLCheckOperator` does not import on Airflow 2.2.2 (its "
        "provider is not pinned there, or has no such class)\n")


def test_the_screen_names_every_class_the_table_knows():
    from dagshift.rules.dag_api.rules3 import ReplacedOperatorClass
    from dagshift.rules.dag_api.tables import simple_names

    assert set(ReplacedOperatorClass.tokens) == set(simple_names())


def test_every_curated_fact_says_where_it_was_read():
    """Each class's facts name the wheel they were read from; each curated argument or class, its
    provider file and version (scripts/operator_replacement_overrides.json)."""
    from dagshift.rules.dag_api.tables import replacements

    for path, entry in replacements()["classes"].items():
        assert entry["read_from"].endswith(".py)"), path
        if not entry["inherits"]:
            assert "provenance" in entry and " " in entry["provenance"], path


def test_a_comment_without_an_argument_of_its_own_blocks_the_fix(cli, tmp_path):
    """A comment after an argument that goes into `hook_params` would have no line to stay on."""
    source = ("from airflow.providers.mysql.operators.mysql import MySqlOperator\n\n"
              "cleanup = MySqlOperator(\n    task_id='cleanup',\n    sql='DELETE FROM carts',\n"
              "    database='shop',  # the storefront schema\n)\n")
    write(tmp_path, {"dags/etl.py": source})
    result = cli("check", "--fix", "--unsafe-fixes", "--format", "concise", "--quiet", "--no-cache",
                 "--target-version", "3.0.6", cwd=tmp_path, registry=default_registry())
    assert (tmp_path / "dags" / "etl.py").read_text() == source
    assert result.out.endswith("no fix: a comment inside the call has no argument of its own to stay with\n")


def test_the_import_goes_with_the_last_call_and_an_unused_one_is_deleted(cli, tmp_path):
    """Three calls are rewritten in one pass, each leaving the import to the others; the import,
    unused then, is deleted by DS515's safe fix in the same run: nothing is left to report."""
    write(tmp_path, {"dags/etl.py": "from airflow.providers.trino.operators.trino import TrinoOperator\n\n"
                                    "a = TrinoOperator(task_id='a', sql='select 1')\n"
                                    "b = TrinoOperator(task_id='b', sql='select 2')\n"
                                    "c = TrinoOperator(task_id='c', sql='select 3')\n"})
    result = cli("check", "--fix", "--unsafe-fixes", "--format", "concise", "--no-cache", "--target-version", "3.0.6",
                 cwd=tmp_path, registry=default_registry())
    assert (tmp_path / "dags" / "etl.py").read_text() == (
        "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n\n"
        "a = SQLExecuteQueryOperator(task_id='a', sql='select 1', conn_id='trino_default')\n"
        "b = SQLExecuteQueryOperator(task_id='b', sql='select 2', conn_id='trino_default')\n"
        "c = SQLExecuteQueryOperator(task_id='c', sql='select 3', conn_id='trino_default')\n")
    assert result.out.startswith("Fixed 4 findings.\nAll checks passed")


@pytest.mark.parametrize("target, key", [("2.7.2", "schema"), ("2.9.2", "database"), ("3.0.6", "database")])
def test_a_folded_argument_goes_under_the_key_the_targets_release_used(cli, tmp_path, target, key):
    """PostgresOperator folded `database` into `hook_params["schema"]` in postgres 5.4.0-5.10.0 and
    into `["database"]` from 5.11.1 (its hook's own rename): the fix writes what the pinned release did."""
    write(tmp_path, {"dags/etl.py": "from airflow.providers.postgres.operators.postgres import PostgresOperator\n\n"
                                    "PostgresOperator(task_id='a', sql='select 1', database='sales')\n"})
    cli("check", "--fix", "--unsafe-fixes", "--quiet", "--no-cache", "--select", "DS515", "--target-version", target,
        cwd=tmp_path, registry=default_registry())
    assert f"hook_params={{'{key}': 'sales'}}" in (tmp_path / "dags" / "etl.py").read_text()


def test_on_a_target_that_deprecates_the_class_the_import_fix_writes_no_provider_path(cli, tmp_path):
    """2.10.3 pins postgres 5.13.1, which still has PostgresOperator but deprecates it: DS102 would
    move the 1.10 import to the provider path that DS515's fix then rewrites again. Both fixes in one
    run give SQLExecuteQueryOperator directly, and a second run changes nothing."""
    write(tmp_path, {"dags/etl.py": "from airflow.operators.postgres_operator import PostgresOperator\n\n"
                                    "load = PostgresOperator(task_id='load', sql='select 1', postgres_conn_id='pg')\n"})
    args = ("check", "--format", "concise", "--no-cache", "--target-version", "2.10.3")
    before = cli(*args, "--quiet", cwd=tmp_path, registry=default_registry())
    assert [line.split(" ")[1:3] for line in before.out.splitlines()] == [["DS515", "[-]"]]
    cli(*args, "--fix", "--unsafe-fixes", cwd=tmp_path, registry=default_registry())
    fixed = (tmp_path / "dags" / "etl.py").read_text()
    assert fixed == ("from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n\n"
                     "load = SQLExecuteQueryOperator(task_id='load', sql='select 1', conn_id='pg')\n")
    cli(*args, "--fix", "--unsafe-fixes", cwd=tmp_path, registry=default_registry())
    assert (tmp_path / "dags" / "etl.py").read_text() == fixed


def test_an_argument_default_args_may_pass_blocks_the_fix(cli, tmp_path):
    """Airflow's own Snowflake example passes `snowflake_conn_id` through `default_args`:
    SQLExecuteQueryOperator would not take it (default_args hands an operator only what its
    signature names), so the rewritten task would run on another connection. No fix; the finding
    says why."""
    source = ("from datetime import datetime\n\nfrom airflow import DAG\n"
              "from airflow.providers.snowflake.operators.snowflake import SnowflakeOperator\n\n"
              "with DAG('sf', start_date=datetime(2021, 1, 1), schedule=None, catchup=False,\n"
              "         default_args={'snowflake_conn_id': 'snowflake_conn'}) as dag:\n"
              "    SnowflakeOperator(task_id='report', sql='report.sql')\n")
    write(tmp_path, {"dags/sf.py": source})
    result = cli("check", "--fix", "--unsafe-fixes", "--format", "concise", "--quiet", "--no-cache",
                 "--target-version", "3.0.6", cwd=tmp_path, registry=default_registry())
    assert (tmp_path / "dags" / "sf.py").read_text() == source
    assert result.out.endswith(
        "no fix: `snowflake_conn_id` may come from `default_args` (the file names it in a dict): the successor would "
        "not take it; move it to the call, then fix\n")


def test_a_version_fallback_is_the_authors_choice(cli, tmp_path):
    write(tmp_path, {"dags/etl.py": (
        "try:\n    from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n"
        "except ImportError:\n"
        "    from airflow.providers.postgres.operators.postgres import PostgresOperator as SQLExecuteQueryOperator\n\n"
        "load = SQLExecuteQueryOperator(task_id='load', sql='select 1', conn_id='pg')\n")})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--select", "DS1,DS515",
                 "--target-version", "3.0.6", cwd=tmp_path, registry=default_registry())
    assert result.out == ""


def test_two_arguments_that_become_one_block_the_fix(cli, tmp_path):
    write(tmp_path, {"dags/q.py": "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n\n"
                                  "q = BigQueryOperator(task_id='q', sql='select 1', bigquery_conn_id='a', gcp_conn_id='b')\n"})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "3.0.6", cwd=tmp_path,
                 registry=default_registry())
    assert result.out.endswith("no fix: two arguments become `gcp_conn_id=` (say which one the task means)\n")


def test_a_list_of_bigquery_statements_has_no_one_job(cli, tmp_path):
    write(tmp_path, {"dags/q.py": "from airflow.contrib.operators.bigquery_operator import BigQueryOperator\n\n"
                                  "q = BigQueryOperator(task_id='q', sql=['select 1', 'select 2'])\n"})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "3.0.6", cwd=tmp_path,
                 registry=default_registry())
    assert result.out.endswith("no fix: `sql` is a list: it ran one job per statement, and a job configuration holds "
                               "one query (one BigQueryInsertJobOperator per statement)\n")


DATAFLOW = ("from airflow.providers.google.cloud.operators.dataflow import DataflowCreatePythonJobOperator\n\n"
            "run = DataflowCreatePythonJobOperator(task_id='run', py_file='gs://b/p.py', gcp_conn_id='df')\n")


def test_a_successor_the_requirements_do_not_install_has_no_fix(cli, tmp_path):
    """BeamRunPythonPipelineOperator is apache-beam's: with a requirements.txt that does not require it
    the fix would make DS305 report that file, so there is none, and the finding says what to add."""
    write(tmp_path, {"dags/run.py": DATAFLOW, "requirements.txt": "apache-airflow-providers-google==17.1.0\n"})
    result = cli("check", "--fix", "--unsafe-fixes", "--format", "concise", "--quiet", "--no-cache", "--select", "DS515",
                 "--target-version", "3.0.6", cwd=tmp_path, registry=default_registry())
    assert (tmp_path / "dags" / "run.py").read_text() == DATAFLOW
    assert result.out.endswith(
        "no fix: the successor is in `apache-airflow-providers-apache-beam`, which requirements.txt does not require "
        "and MWAA 3.0.6 does not install: add it there, then fix\n")


def test_a_successor_the_requirements_install_is_written_and_creates_no_finding(cli, tmp_path):
    write(tmp_path, {"dags/run.py": DATAFLOW, "requirements.txt": (
        "apache-airflow-providers-google==17.1.0\napache-airflow-providers-apache-beam==6.1.3\n")})
    args = ("check", "--format", "concise", "--quiet", "--no-cache", "--target-version", "3.0.6")
    before = findings(cli, tmp_path, "3.0.6")
    cli(*args, "--fix", "--unsafe-fixes", cwd=tmp_path, registry=default_registry())
    assert (tmp_path / "dags" / "run.py").read_text() == (
        "from airflow.providers.apache.beam.operators.beam import BeamRunPythonPipelineOperator\n\n"
        "run = BeamRunPythonPipelineOperator(task_id='run', py_file='gs://b/p.py', gcp_conn_id='df', "
        "dataflow_config={'gcp_conn_id': 'df', 'cancel_timeout': 10 * 60}, runner='DataflowRunner')\n")
    assert not findings(cli, tmp_path, "3.0.6") - before


def test_a_dataflow_argument_default_args_may_pass_blocks_the_fix(cli, tmp_path):
    """DataflowHook reads `dataflow_config`'s connection first, and its own default wins over the
    operator's: a `gcp_conn_id` from `default_args` would no longer reach it."""
    write(tmp_path, {"dags/run.py": (
        "from airflow.providers.google.cloud.operators.dataflow import DataflowCreatePythonJobOperator\n\n"
        "default_args = {'gcp_conn_id': 'df'}\n"
        "run = DataflowCreatePythonJobOperator(task_id='run', py_file='gs://b/p.py')\n")})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--select", "DS515", "--target-version",
                 "3.0.6", cwd=tmp_path, registry=default_registry())
    assert result.out.endswith("no fix: `gcp_conn_id` may come from `default_args` (the file names it in a dict): the "
                               "successor would not take it; move it to the call, then fix\n")


@pytest.mark.parametrize("call, reason", [
    ("BigQueryCreateEmptyTableOperator(task_id='t', dataset_id='d', table_id='t', exists_ok=OK)",
     '`exists_ok` is not a literal True or False: `if_exists=` needs `"ignore"` (True) or `"log"` (False)'),
    ("BigQueryCreateEmptyTableOperator(task_id='t', dataset_id='d', table_id='t', schema_fields=S, "
     "gcs_schema_object='gs://b/s.json')",
     "`gcs_schema_object` with `schema_fields`: the old class read the GCS schema only without `schema_fields`, "
     "BigQueryCreateTableOperator reads it always and lets it win: keep one of the two"),
    ("BigQueryCreateEmptyTableOperator(task_id='t', dataset_id='d', table_id='t', table_resource=R, labels=L)",
     "two arguments become `table_resource=` (say which one the task means)"),
    ("DataprocSubmitPySparkJobOperator(task_id='t', main='/opt/jobs/run.py', region='eu')",
     "`main` may name a local file, which the old class uploaded to the cluster's bucket: upload it and write its "
     "`gs://` URI"),
])
def test_an_argument_without_an_exact_home_blocks_the_fix(cli, tmp_path, call, reason):
    write(tmp_path, {"dags/t.py": (
        "from airflow.providers.google.cloud.operators.bigquery import BigQueryCreateEmptyTableOperator\n"
        "from airflow.providers.google.cloud.operators.dataproc import DataprocSubmitPySparkJobOperator\n\n"
        f"t = {call}\n")})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--select", "DS515", "--target-version",
                 "3.0.6", cwd=tmp_path, registry=default_registry())
    assert result.out.splitlines()[-1].endswith(f"no fix: {reason}")


def test_a_table_operator_is_deprecated_where_the_pin_still_has_it(cli, tmp_path):
    """google 15.1.0 (Airflow 2.11.0's pin) deprecates BigQueryCreateEmptyTableOperator; 17.1.0 has none."""
    write(tmp_path, {"dags/t.py": "from airflow.providers.google.cloud.operators.bigquery import "
                                  "BigQueryCreateEmptyTableOperator\n\n"
                                  "t = BigQueryCreateEmptyTableOperator(task_id='t', dataset_id='d', table_id='t')\n"})
    result = cli("check", "--format", "concise", "--quiet", "--no-cache", "--select", "DS515", "--target-version",
                 "2.11.0", cwd=tmp_path, registry=default_registry())
    assert result.out == (
        "dags/t.py:3:5: DS515 [-] `BigQueryCreateEmptyTableOperator` is deprecated in apache-airflow-providers-google "
        "15.1.0 (Airflow 2.11.0's pin); use `BigQueryCreateTableOperator` "
        "(`airflow.providers.google.cloud.operators.bigquery.BigQueryCreateTableOperator`): `table_resource={}` is "
        "written (BigQueryCreateTableOperator requires `table_resource`: `{}` is what create_empty_table built from "
        "no table arguments)\n")
