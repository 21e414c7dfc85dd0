"""DS201-DS206 on a plugin repository: a package plugin, a single-file plugin, relative imports,
a class defined in the plugin's __init__.py, and a plugin that is not in the repository."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from dagshift.rules import default_registry

FIXTURE = FIXTURES / "plugin_repo"

FINDINGS = """\
dags/plugin_dag.py:4:41: DS201 [*] `MyCopyOperator` is imported through `airflow.operators.my_plugin`, which Airflow has not provided since 2.0: import it from `my_plugin.operators.copy`
dags/plugin_dag.py:5:39: DS201 [*] `MyFileSensor` is imported through `airflow.sensors.my_plugin`, which Airflow has not provided since 2.0: import it from `my_plugin.sensors`
dags/plugin_dag.py:6:45: DS201 [*] `SingleOperator` is imported through `airflow.operators.single_plugin`, which Airflow has not provided since 2.0: import it from `single_plugin`
dags/plugin_dag.py:7:31: DS201 [*] `InitOperator` is imported through the bare package, which Airflow has not provided since 2.0: import it from `init_plugin`
dags/plugin_dag.py:8:47: DS201 `airflow.operators.external_plugin.ExternalOperator` was a 1.10 plugin import; plugin `external_plugin` is not in this repository (searched plugins/): import `ExternalOperator` from the plugin's own module
dags/plugin_dag.py:9:38: DS205 [*] `business_days` is imported through `airflow.macros.my_plugin`, which Airflow has not provided since 2.0: import it from `my_plugin.macros`
plugins/init_plugin/__init__.py:12:5: DS202 [-] `operators` on an AirflowPlugin is ignored since Airflow 2: DAGs import these classes from their modules
plugins/init_plugin/__init__.py:13:5: DS204 [*] `executors` is empty, and Airflow ignores it since 2.0: delete it
plugins/my_plugin/__init__.py:3:25: DS203 `flask_admin.BaseView`: Flask-Admin is not installed since Airflow 2; write the view for Flask-AppBuilder (`appbuilder_views`)
plugins/my_plugin/__init__.py:3:35: DS203 `flask_admin.expose`: Flask-Admin is not installed since Airflow 2; write the view for Flask-AppBuilder (`appbuilder_views`)
plugins/my_plugin/__init__.py:18:5: DS202 [-] `operators` on an AirflowPlugin is ignored since Airflow 2: DAGs import these classes from their modules
plugins/my_plugin/__init__.py:19:5: DS202 [-] `sensors` on an AirflowPlugin is ignored since Airflow 2: DAGs import these classes from their modules
plugins/my_plugin/__init__.py:21:5: DS203 `admin_views` (Flask-Admin) is ignored since Airflow 2: use `appbuilder_views`
plugins/my_plugin/operators/copy.py:8:6: DS206 [*] `@apply_defaults` is not needed since Airflow 2: BaseOperator applies default_args itself
plugins/my_plugin/sensors.py:6:44: DS207 `provide_context` is not an argument of BaseSensorOperator on Airflow 2.5.1: creating a `MyFileSensor` raises "Invalid arguments were passed"
plugins/single_plugin.py:12:5: DS202 [-] `operators` on an AirflowPlugin is ignored since Airflow 2: DAGs import these classes from their modules
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(FIXTURE, dest)
    return dest


def run(cli, repo: Path, *args: str):
    return cli("check", "--format", "concise", "--quiet", "--target-version", "2.5.1", *args, cwd=repo,
               registry=default_registry())


def test_exact_findings(cli, repo):
    result = run(cli, repo, "--select", "DS2")
    assert result.out == FINDINGS
    assert result.code == 1


def test_one_dag_named_alone_still_sees_the_plugins_folder(cli, repo):
    # pre-commit passes only the changed file: the plugin index comes from plugins/ all the same.
    result = run(cli, repo, "--select", "DS201", "dags/plugin_dag.py")
    assert result.out.splitlines()[0] == FINDINGS.splitlines()[0]


def test_fix_rewrites_the_dag_to_the_plugin_modules(cli, repo):
    run(cli, repo, "--fix")
    dag = (repo / "dags" / "plugin_dag.py").read_text()
    original = (FIXTURE / "dags" / "plugin_dag.py").read_text()
    assert dag == (
        original.replace("from airflow.operators.my_plugin import MyCopyOperator", "from my_plugin.operators.copy import MyCopyOperator")
        .replace("from airflow.sensors.my_plugin import MyFileSensor as FileWait", "from my_plugin.sensors import MyFileSensor as FileWait")
        .replace("from airflow.operators.single_plugin import SingleOperator", "from single_plugin import SingleOperator")
        .replace("from airflow.operators import InitOperator", "from init_plugin import InitOperator")
        .replace("from airflow.macros.my_plugin import business_days", "from my_plugin.macros import business_days")
        .replace("schedule_interval=None", "schedule=None")  # DS504 on 2.5.1
    )
    copy = (repo / "plugins" / "my_plugin" / "operators" / "copy.py").read_text()
    assert "apply_defaults" not in copy
    assert copy.startswith("from airflow.models import BaseOperator\n\n\nclass MyCopyOperator(BaseOperator):\n")
    assert (repo / "plugins" / "my_plugin" / "sensors.py").read_text().startswith(
        "from airflow.sensors.base import BaseSensorOperator\n"
    )
    # The fixed imports name real files of the plugins folder that define those names.
    for node in ast.parse(dag).body:
        if isinstance(node, ast.ImportFrom) and not node.module.startswith(("airflow", "datetime")):
            base = repo / "plugins" / Path(*node.module.split("."))
            source = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
            defined = {n.name for n in ast.parse(source.read_text()).body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
            assert {a.name for a in node.names} <= defined, node.module
    before = {p: p.read_bytes() for p in repo.rglob("*.py")}
    run(cli, repo, "--fix")
    assert {p: p.read_bytes() for p in repo.rglob("*.py")} == before


def test_unsafe_fix_drops_ignored_plugin_lists(cli, repo):
    run(cli, repo, "--fix", "--unsafe-fixes", "--select", "DS202")
    single = (repo / "plugins" / "single_plugin.py").read_text()
    assert single.endswith('class SinglePlugin(AirflowPlugin):\n    name = "single_plugin"\n')


def test_ds207_parses_only_a_base_init_call_that_passes_keywords_of_its_own():
    rule = default_registry().get("DS207")()
    plain = "class Op(BaseOperator):\n    def __init__(self, a=1, *args, **kwargs):\n        super(Op, self).__init__(*args, **kwargs)\n"
    assert not rule.screen(plain, "2.5.1")
    assert rule.screen(plain.replace("(*args, **kwargs)", "(provide_context=True, **kwargs)"), "2.5.1")
    assert rule.screen(plain.replace("(*args, **kwargs)", "(*args, **dict(kwargs))"), "2.5.1")  # unsure: parse


def test_ds202_parses_a_plugin_only_when_it_assigns_one_of_the_lists():
    # Airflow's own example plugins register timetables and listeners: nothing DS202 reports.
    rule = default_registry().get("DS202")()
    timetable = ("from airflow.plugins_manager import AirflowPlugin\n\n"
                 "class WorkdayTimetablePlugin(AirflowPlugin):\n    name = 'workday'\n    timetables = [Workday]\n")
    assert not rule.screen(timetable, "2.11.0")
    assert rule.screen(timetable.replace("timetables", "operators"), "2.11.0")
    assert rule.screen(timetable.replace("timetables = [Workday]", "hooks=[MyHook]"), "2.11.0")


def test_a_1_10_module_imported_as_a_name_is_no_plugin(cli, tmp_path):
    """`from airflow.operators import python_operator` names Airflow 1.10's own module: the import
    rules say where it went (and fix the import with its uses); no plugin is missing."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "a.py").write_text('from airflow.operators import python_operator\n\n'
                                            't = python_operator.PythonOperator(task_id="t", python_callable=print)\n')
    out = cli("check", "--target-version", "3.0.6", "--format", "concise", "--quiet", "--no-cache", cwd=tmp_path,
              registry=default_registry()).out
    assert out == ("dags/a.py:1:31: DS101 [*] `airflow.operators.python_operator` does not exist on "
                   "Airflow 3.0.6: it moved to `airflow.providers.standard.operators.python` (in "
                   "apache-airflow-providers-standard, which MWAA 3.0.6 installs)\n")
