"""Plugin layouts met in real 1.10 repositories, written anew: a plugins folder that is itself the
package (`plugins/__init__.py` doing `import operators`, classes re-exported by
`operators/__init__.py` with absolute imports) kept in `airflow/plugins/` beside `airflow/dags/`;
one folder per plugin (`from . import operators`, `from .s3 import *`, `as` re-exports); a
plugin class named like the operator it lists. Checked from the repository root and from the DAGs
folder, which must give the same findings, and fixed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from dagshift.rules import default_registry

LAYOUTS = FIXTURES / "plugin_layouts"

CAPSTONE = """\
airflow/dags/warehouse_dag.py:4:32: DS201 [*] `StageEventsOperator` is imported through the bare package, which Airflow has not provided since 2.0: import it from `operators.stage_events`
airflow/dags/warehouse_dag.py:4:53: DS201 [*] `RowCountCheckOperator` is imported through the bare package, which Airflow has not provided since 2.0: import it from `operators.row_count`
airflow/plugins/__init__.py:11:5: DS202 [-] `operators` on an AirflowPlugin is ignored since Airflow 2: DAGs import these classes from their modules
airflow/plugins/operators/stage_events.py:8:6: DS206 [*] `@apply_defaults` is not needed since Airflow 2: BaseOperator applies default_args itself
"""

CAPSTONE_DAG_FIXED = """\
from datetime import datetime

from airflow import DAG
from operators.stage_events import StageEventsOperator
from operators.row_count import RowCountCheckOperator
from helpers import SqlStatements

with DAG("warehouse", start_date=datetime(2021, 1, 1), schedule_interval="@hourly") as dag:
    stage = StageEventsOperator(task_id="stage_events", table="staging_events", s3_key="log_data")
    check = RowCountCheckOperator(task_id="row_count", tables=["songplays"])
    stage >> check
"""

PER_PLUGIN = """\
dags/etl_dag.py:4:42: DS201 [*] `S3KeyCheckOperator` is imported through `airflow.operators.etl_plugin`, which Airflow has not provided since 2.0: import it from `etl_plugin.operators.s3`
dags/etl_dag.py:4:62: DS201 [*] `TableLoadOperator` is imported through `airflow.operators.etl_plugin`, which Airflow has not provided since 2.0: import it from `etl_plugin.operators.load`
dags/etl_dag.py:5:43: DS201 [*] `CopyOperator` is imported through `airflow.operators.copy_plugin`, which Airflow has not provided since 2.0: import it from `copy_ops.copy`
plugins/copy_plugin.py:7:5: DS202 [-] `operators` on an AirflowPlugin is ignored since Airflow 2: DAGs import these classes from their modules
plugins/etl_plugin/__init__.py:8:5: DS202 [-] `operators` on an AirflowPlugin is ignored since Airflow 2: DAGs import these classes from their modules
"""

PER_PLUGIN_DAG_FIXED = """\
from datetime import datetime

from airflow import DAG
from etl_plugin.operators.s3 import S3KeyCheckOperator
from etl_plugin.operators.load import TableLoadOperator
from copy_ops.copy import CopyOperator

with DAG("etl", start_date=datetime(2021, 1, 1), schedule_interval=None) as dag:
    check = S3KeyCheckOperator(task_id="check")
    load = TableLoadOperator(task_id="load")
    copy = CopyOperator(task_id="copy")
    check >> load >> copy
"""


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    dest = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, dest)
    return dest


def check(cli, cwd: Path, *args: str):
    return cli("check", "--format", "concise", "--quiet", "--target-version", "2.5.1", "--select", "DS2", *args,
               cwd=cwd, registry=default_registry())


def test_plugins_package_beside_dags_in_a_subfolder(cli, layouts):
    result = check(cli, layouts / "capstone")
    assert result.out == CAPSTONE
    assert result.code == 1


def test_a_run_started_in_the_dags_folder_finds_the_same_plugin(cli, layouts):
    dag_lines = [line for line in CAPSTONE.splitlines() if line.startswith("airflow/dags/")]
    from_dags = check(cli, layouts / "capstone" / "airflow" / "dags")
    assert from_dags.out.splitlines() == [line.replace("airflow/dags/", "", 1) for line in dag_lines]
    from_elsewhere = check(cli, layouts, "capstone/airflow/dags/warehouse_dag.py")
    assert from_elsewhere.out.splitlines() == [line.replace("airflow/", "capstone/airflow/", 1) for line in dag_lines]


def test_one_folder_per_plugin_with_relative_and_star_imports(cli, layouts):
    result = check(cli, layouts / "per_plugin")
    assert result.out == PER_PLUGIN


def test_fix_moves_every_plugin_import_and_a_second_fix_changes_nothing(cli, layouts):
    for repo, dag, fixed in (("capstone", "airflow/dags/warehouse_dag.py", CAPSTONE_DAG_FIXED),
                             ("per_plugin", "dags/etl_dag.py", PER_PLUGIN_DAG_FIXED)):
        check(cli, layouts / repo, "--fix")
        assert (layouts / repo / dag).read_text() == fixed
        before = {p: p.read_bytes() for p in (layouts / repo).rglob("*") if p.is_file()}
        again = check(cli, layouts / repo, "--fix")
        assert {p: p.read_bytes() for p in (layouts / repo).rglob("*") if p.is_file()} == before
        assert "DS201" not in again.out


def test_a_bare_package_name_no_plugin_lists_is_an_error_naming_where_it_is(cli, tmp_path):
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "crm.py").write_text(
        "from airflow.operators import CrmToS3Operator\nfrom airflow.hooks import SSHHook\n"
    )
    result = check(cli, tmp_path)
    assert result.out == (
        "dags/crm.py:1:31: DS201 `airflow.operators.CrmToS3Operator` does not exist on Airflow 2.5.1, and no plugin "
        "in this repository lists `CrmToS3Operator` (searched no plugins folder): import it from the module that "
        "defines it, or add the plugin's code to the repository\n"
        "dags/crm.py:2:27: DS201 `airflow.hooks.SSHHook` does not exist on Airflow 2.5.1, and no plugin in this "
        "repository lists `SSHHook` (searched no plugins folder): `SSHHook` is in `airflow.providers.ssh.hooks.ssh` "
        "(install apache-airflow-providers-ssh)\n"
    )
    assert result.code == 1


def test_plugin_imports_to_one_module_become_one_statement_wrapped_when_long(cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "plugins" / "warehouse_plugin").mkdir(parents=True)
    (tmp_path / "plugins" / "warehouse_plugin" / "__init__.py").write_text(
        "from airflow.plugins_manager import AirflowPlugin\n\n"
        "from warehouse_plugin.redshift_operators import StageToRedshiftOperator, LoadDimensionTableOperator\n\n\n"
        "class WarehousePlugin(AirflowPlugin):\n    name = 'warehouse_plugin'\n"
        "    operators = [StageToRedshiftOperator, LoadDimensionTableOperator]\n")
    (tmp_path / "plugins" / "warehouse_plugin" / "redshift_operators.py").write_text(
        "from airflow.models import BaseOperator\n\n\nclass StageToRedshiftOperator(BaseOperator):\n    pass\n\n\n"
        "class LoadDimensionTableOperator(BaseOperator):\n    pass\n")
    (tmp_path / "dags").mkdir()
    dag = tmp_path / "dags" / "warehouse.py"
    dag.write_text(
        "from airflow import DAG\n"
        "from airflow.operators.warehouse_plugin import StageToRedshiftOperator\n"
        "from airflow.operators.warehouse_plugin import LoadDimensionTableOperator as Dimension\n"
        "\nStageToRedshiftOperator, Dimension, DAG\n")
    check(cli, tmp_path, "--fix")
    assert dag.read_text() == (
        "from airflow import DAG\n"
        "from warehouse_plugin.redshift_operators import (\n"
        "    StageToRedshiftOperator,\n"
        "    LoadDimensionTableOperator as Dimension,\n"
        ")\n"
        "\nStageToRedshiftOperator, Dimension, DAG\n")
    assert check(cli, tmp_path, "--fix").out.count("DS201") == 0
