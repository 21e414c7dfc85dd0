"""DS510's SubDAG -> TaskGroup rewrite on a repository of the shapes real ones write: a factory
imported from the DAG folder's own module and used twice, nested SubDAGs built in `with DAG(...)`
factories with a loop, a factory that re-enters its DAG (`with dag_subdag:`), a sub-DAG with its own schedule, a SubDagOperator with its own trigger rule,
and a factory another DAG file also calls. Exact findings on 3.0.6 (errors) and 2.11.2 (warnings),
the exact fixed tree, a second `--fix` that changes nothing, and (where the verification venvs
exist) the DAG-equivalence check of the fixed DAGs on 3.0.6 against the originals on 2.11.2.
"""

from __future__ import annotations

import ast
import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Optional

import pytest

from dagshift.rules import default_registry
from tests.conftest import FIXTURES, ROOT
from tests.goldens import golden_tree, tree

REPO = FIXTURES / "dag_api" / "subdags"
FIXED = FIXTURES / "dag_api" / "expected" / "subdags.3.0.6.fixed"
IMPORT_GONE = ("SubDagOperator was removed in Airflow 3: the import fails on 3.0.6; rewrite the sub-DAG as a "
               "TaskGroup (`airflow.sdk.TaskGroup`) in the parent DAG")
RUN_TIME = "at run time its tasks' ids gain the prefix `{}.` and they run in the parent DAG's run (no separate DagRun)"
FACTORY = ("`{}` builds the sub-DAG{s} of the SubDagOperator{s} at {}: the fix makes it build `TaskGroup(group_id={})` "
           "in the parent DAG instead (new parameters `parent_dag` and `parent_group`; its tasks get `task_group=`)")
SITES = [
    ("dags/etl_template.py", 5, 38, IMPORT_GONE),
    ("dags/etl_template.py", 8, 5, FACTORY.format("etl_load", "dags/etl_template.py:21", "child_dag_name", s="")),
    # (its group's default_args are `dag.default_args`, the parent's own: no note that the parent's now apply)
    ("dags/etl_template.py", 21, 12, "SubDagOperator `load` can become a TaskGroup built by `etl_load(...)` in the "
     "parent DAG: " + RUN_TIME.format("load")),
    ("dags/example_subdag_operator.py", 6, 47, IMPORT_GONE),
    ("dags/example_subdag_operator.py", 20, 13, "SubDagOperator `section-1` can become a TaskGroup built by "
     "`subdag(...)` in the parent DAG: " + RUN_TIME.format("section-1")),
    ("dags/example_subdag_operator.py", 28, 13, "SubDagOperator `section-2` can become a TaskGroup built by "
     "`subdag(...)` in the parent DAG: at run time its tasks' ids gain the prefix `section-2.`, they run in the "
     "parent DAG's run (no separate DagRun) and the SubDagOperator's own `mode=` is dropped"),
    ("dags/finance_close.py", 5, 38, IMPORT_GONE),
    ("dags/finance_close.py", 23, 15, "SubDagOperator `refresh` is not rewritten as a TaskGroup: the sub-DAG has its "
     "own `max_active_runs` (`1`; the parent DAG's is `the default`), which a TaskGroup cannot keep"),
    ("dags/finance_close.py", 24, 14, "SubDagOperator `audit` is not rewritten as a TaskGroup: the SubDagOperator's "
     "own `trigger_rule=` applies to the sub-DAG as one task, which a TaskGroup cannot carry"),
    ("dags/nested_subdags.py", 5, 38, IMPORT_GONE),
    ("dags/nested_subdags.py", 10, 5, FACTORY.format("load_table", "dags/nested_subdags.py:21", "child", s="")),
    ("dags/nested_subdags.py", 18, 5, FACTORY.format("warehouse", "dags/nested_subdags.py:26", "child", s="")),
    ("dags/nested_subdags.py", 21, 13, "SubDagOperator `table` can become a TaskGroup built by `load_table(...)` "
     "inside its parent's group: at run time its tasks' ids gain the group id (the value of `table`) and a dot as a "
     "prefix and they run in the parent DAG's run (no separate DagRun)"),
    ("dags/nested_subdags.py", 26, 23, "SubDagOperator `warehouse` can become a TaskGroup built by `warehouse(...)` "
     "in the parent DAG: " + RUN_TIME.format("warehouse")),
    ("dags/quality.py", 4, 38, IMPORT_GONE),
    ("dags/quality.py", 10, 5, "SubDagOperator `checks` is not rewritten as a TaskGroup: `quality_checks` is also "
     "used at dags/quality_standalone.py:6, outside a SubDagOperator"),
    ("dags/subdags/subdag.py", 6, 5, FACTORY.format(
        "subdag", "dags/example_subdag_operator.py:20, dags/example_subdag_operator.py:28", "child_dag_name", s="s")),
]


def findings(cli, root: Path, target: str, *extra: str) -> list[tuple]:
    result = cli("check", ".", "--format", "json", "--no-cache", "--target-version", target, *extra, cwd=root,
                 registry=default_registry())
    return [(f["path"], f["line"], f["column"], f["severity"], f["message"], f["fixable"])
            for f in json.loads(result.out)]


@pytest.fixture
def repo(tmp_path) -> Path:
    shutil.copytree(REPO, tmp_path / "repo")
    return tmp_path / "repo"


def test_findings_on_3_0_6_say_what_moves_and_why_the_rest_stays(cli, repo):
    # Fixed: the moves, their factories and the imports they free; not the files whose calls stay.
    expected = [(p, line, col, "error", message, "finance" not in p and "quality" not in p)
                for p, line, col, message in SITES]
    assert findings(cli, repo, "3.0.6", "--select", "DS510") == expected


def test_on_2_11_2_where_subdag_operator_still_works_they_are_warnings(cli, repo):
    found = findings(cli, repo, "2.11.2", "--select", "DS510")
    assert [(p, line, col, severity) for p, line, col, severity, _, _ in found] == [
        (p, line, col, "warning") for p, line, col, _ in SITES]
    assert found[0][4] == "SubDagOperator is deprecated on Airflow 2.11.2: use a TaskGroup"
    assert [f[4] for f in found if f[4] != found[0][4] and "deprecated" not in f[4]] == [
        m for _, _, _, m in SITES if m != IMPORT_GONE]


def test_the_fix_writes_task_groups_and_a_second_fix_changes_nothing(cli, repo):
    args = ("--target-version", "3.0.6", "--no-cache", "--select", "DS510")
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", *args, cwd=repo, registry=default_registry())
    assert tree(repo) == tree(FIXED)
    again = cli("check", ".", "--fix", "--unsafe-fixes", "--diff", *args, cwd=repo, registry=default_registry())
    assert (again.out, again.err) == ("", "0 files would be changed (0 findings fixed).\n")
    assert tree(repo) == tree(FIXED)
    left = findings(cli, repo, "3.0.6", "--select", "DS510")
    assert [(p, line) for p, line, *_ in left] == [
        ("dags/finance_close.py", 5), ("dags/finance_close.py", 23), ("dags/finance_close.py", 24),
        ("dags/quality.py", 4), ("dags/quality.py", 10)]


def test_a_factory_in_another_environment_is_not_rewritten(cli, tmp_path):
    """The factory module lives in a library folder beside the deployment, which dagshift reads as
    an environment of its own: one fix could land without the other, so neither is offered."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "dags", root / "airflow" / "dags")
    shutil.rmtree(root / "airflow" / "dags" / "subdags")
    (root / "airflow" / "requirements.txt").write_text("apache-airflow==2.11.2\n")
    (root / "lib" / "subdags").mkdir(parents=True)
    shutil.copy(REPO / "dags" / "subdags" / "subdag.py", root / "lib" / "subdags" / "subdag.py")
    (root / "airflow" / "dags" / "example_subdag_operator.py").write_text(
        (REPO / "dags" / "example_subdag_operator.py").read_text().replace(
            "from subdags.subdag import subdag", "from lib.subdags.subdag import subdag"))
    found = [f for f in findings(cli, root, "3.0.6", "--select", "DS510") if "example" in f[0]]
    assert [(f[1], f[5]) for f in found] == [(6, False), (20, False), (28, False)]
    assert found[1][4] == ("SubDagOperator `section-1` is not rewritten as a TaskGroup: its factory's file "
                           "lib/subdags/subdag.py belongs to another Airflow environment")


VENVS = [Path("/tmp/dagshift-verify-2.11.2/bin/python"), Path("/tmp/dagshift-verify-3.0.6/bin/python")]


@pytest.mark.skipif(not all(p.exists() for p in VENVS),
                    reason="the Airflow 2.11.2 and 3.0.6 verification venvs (/tmp/dagshift-verify-<version>, built by "
                           "scripts/verify_against_airflow.py) are missing")
def test_the_rewritten_dags_are_equivalent_on_3_0_6_to_the_originals_on_2_11_2(cli, repo, tmp_path):
    verify_equivalence = _comparer()
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", "3.0.6", "--no-cache", cwd=repo,
        registry=default_registry())
    original = tmp_path / "original"
    shutil.copytree(REPO, original)
    old = verify_equivalence.probe(VENVS[0], "2.11.2", original / "dags", None)
    new = verify_equivalence.probe(VENVS[1], "3.0.6", (repo / "dags").resolve(), None)
    report = verify_equivalence.compare(old, new)
    assert report["dags"] == {"etl_template": [], "example_subdag_operator": [], "nightly_warehouse": [],
                              "quality_standalone.checks": [],
                              "finance_close": ["only in the original"], "quality": ["only in the original"]}
    assert report["problems"] == [
        "fixed finance_close.py fails to load: ModuleNotFoundError: No module named 'airflow.operators.subdag'",
        "fixed quality.py fails to load: ModuleNotFoundError: No module named 'airflow.operators.subdag'"]
    assert len(old["dags"]["example_subdag_operator"]["tasks"]) == 13
    assert len(new["dags"]["nightly_warehouse"]["edges"]) == 4  # extract >> load in each group, load >> report


def _comparer():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import verify_equivalence
    finally:
        sys.path.pop(0)
    return verify_equivalence


def test_the_equivalence_check_names_each_difference():
    """The comparison itself (no Airflow needed): successors pass, anything else is named."""
    check = _comparer()
    task = {"class": "airflow.operators.dummy.DummyOperator", "templated": {}, "conn_ids": {}, "trigger_rule": "all_success"}
    old = {"schedule": "0 0 * * *", "start_date": "2021-01-01T00:00:00+00:00", "edges": [["start", "s.t"], ["s.t", "end"]],
           "tasks": {"start": task, "s.t": {**task, "class": "airflow.operators.bash.BashOperator",
                                            "templated": {"bash_command": "run.sh {{ ds }}"}}, "end": task}}
    same = {**old, "tasks": {"start": {**task, "class": "airflow.providers.standard.operators.empty.EmptyOperator"},
                             "s.t": {**old["tasks"]["s.t"], "class": "airflow.providers.standard.operators.bash.BashOperator"},
                             "end": {**task, "class": "airflow.providers.standard.operators.empty.EmptyOperator"}}}
    assert check.compare_dag(old, same, check.successors()) == []
    other = {**same, "schedule": "0 6 * * *", "edges": [["start", "s.t"]],
             "tasks": {**same["tasks"], "s.t": {**same["tasks"]["s.t"], "class": "airflow.providers.standard.operators.python.PythonOperator",
                                                "templated": {"bash_command": "run.sh {{ ts }}"}}}}
    assert check.compare_dag(old, other, check.successors()) == [
        "schedule: '0 0 * * *' -> '0 6 * * *'",
        "task `s.t`: class airflow.operators.bash.BashOperator -> airflow.providers.standard.operators.python.PythonOperator, "
        "not a successor dagshift knows",
        "task `s.t`: templated {'bash_command': 'run.sh {{ ds }}'} -> {'bash_command': 'run.sh {{ ts }}'}",
        "edge s.t >> end only in the original"]


TEAMS = '''from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.subdag import SubDagOperator

ARGS = {"owner": "data", "start_date": datetime(2024, 1, 1)}


def section(parent, child, args):
    sub = DAG(f"{parent}.{child}", default_args=args, schedule_interval="@daily")
    BashOperator(task_id="load", bash_command="load.sh", dag=sub)
    return sub


def create_dag(team, name):
    with DAG(f"{team}.{name}", default_args=ARGS, schedule_interval="@daily") as dag:
        SubDagOperator(task_id="load", subdag=section(f"{team}.{name}", "load", ARGS))
    return dag


for team in ("sales", "ops"):
    globals()[team] = create_dag(team, "etl")
'''


def test_a_function_that_builds_the_parent_dag_is_not_a_factory(cli, tmp_path):
    """`create_dag` builds the parent DAG around a SubDagOperator (and its dag_id has a dot): only
    `section`, which a `subdag=` calls, becomes a TaskGroup factory."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "teams.py").write_text(TEAMS)
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", "3.0.6", "--no-cache", "--select",
        "DS510", cwd=tmp_path, registry=default_registry())
    assert (tmp_path / "dags" / "teams.py").read_text() == (
        "from datetime import datetime\n\nfrom airflow.sdk import TaskGroup\n" + TEAMS.split("\n\n", 1)[1]
    ).replace("from airflow.operators.subdag import SubDagOperator\n", "").replace(
        "def section(parent, child, args):\n"
        "    sub = DAG(f\"{parent}.{child}\", default_args=args, schedule_interval=\"@daily\")\n"
        "    BashOperator(task_id=\"load\", bash_command=\"load.sh\", dag=sub)\n",
        "def section(parent, child, args, parent_dag, parent_group=None):\n"
        "    sub = TaskGroup(group_id=child, default_args=args, dag=parent_dag, parent_group=parent_group)\n"
        "    BashOperator(task_id=\"load\", bash_command=\"load.sh\", dag=parent_dag, task_group=sub)\n").replace(
        "SubDagOperator(task_id=\"load\", subdag=section(f\"{team}.{name}\", \"load\", ARGS))",
        "section(f\"{team}.{name}\", \"load\", ARGS, parent_dag=dag)")


KWARGS_REPO = FIXTURES / "dag_api" / "subdag_kwargs"


def test_a_factory_handing_its_kwargs_to_the_dag_moves_with_the_call_sites_keywords(cli, tmp_path):
    """The Udacity shape: `def f(parent, task_id, ..., *args, **kwargs): dag = DAG(f"{parent}.{task_id}",
    **kwargs)`, called in a loop with `default_args=`, `schedule_interval=`, `catchup=` equal to the
    parent's: the group's default_args are the call's (`kwargs.get("default_args")`)."""
    repo = tmp_path / "repo"
    shutil.copytree(KWARGS_REPO, repo)
    found = findings(cli, repo, "3.0.6", "--select", "DS510")
    assert [(p, line, col, fixable) for p, line, col, _, _, fixable in found] == [
        ("dags/dimension_subdag.py", 5, 5, True), ("dags/sparkify.py", 5, 47, True), ("dags/sparkify.py", 16, 17, True)]
    assert found[2][4] == ("SubDagOperator `f'load_{table}'` can become a TaskGroup built by `load_dimension_tables_dag(...)` "
                           "in the parent DAG: at run time its tasks' ids gain the group id (the value of "
                           "`f'load_{table}'`) and a dot as a prefix and they run in the parent DAG's run (no separate DagRun)")
    args = ("--target-version", "3.0.6", "--no-cache", "--select", "DS510")
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", *args, cwd=repo, registry=default_registry())
    assert tree(repo) == tree(FIXTURES / "dag_api" / "expected" / "subdag_kwargs.3.0.6.fixed")
    again = cli("check", ".", "--fix", "--unsafe-fixes", "--diff", *args, cwd=repo, registry=default_registry())
    assert (again.out, again.err) == ("", "0 files would be changed (0 findings fixed).\n")


def test_a_call_giving_a_setting_the_parent_does_not_have_stays(cli, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(KWARGS_REPO, repo)
    dag = repo / "dags" / "sparkify.py"
    dag.write_text(dag.read_text().replace("            catchup=False,\n", "            catchup=False,\n            max_active_runs=1,\n"))
    found = findings(cli, repo, "3.0.6", "--select", "DS510")
    assert [(p, line, fixable) for p, line, _, _, _, fixable in found] == [
        ("dags/sparkify.py", 5, False), ("dags/sparkify.py", 16, False)]
    assert found[1][4] == ("SubDagOperator `f'load_{table}'` is not rewritten as a TaskGroup: the sub-DAG has its own "
                           "`max_active_runs` (`1`; the parent DAG's is `the default`), which a TaskGroup cannot keep")


def test_settings_that_never_change_a_run_do_not_block_the_rewrite(cli, tmp_path):
    """Under a parent with `max_active_runs=1`, the sub-DAG's default limit never binds (each parent
    run waits for its one sub-DAG run); `start_date=default_args["start_date"]` is the parent's own
    when the parent takes `default_args=default_args`. Neither keeps the SubDAG from moving."""
    repo = tmp_path / "repo"
    shutil.copytree(KWARGS_REPO, repo)
    dag = repo / "dags" / "sparkify.py"
    text = dag.read_text().replace('schedule_interval="@hourly", catchup=False)', 'schedule_interval="@hourly", catchup=False, max_active_runs=1)')
    dag.write_text(text.replace("            default_args=default_args,\n", "            start_date=default_args['start_date'],\n"))
    found = [f for f in findings(cli, repo, "3.0.6", "--select", "DS510") if f[0] == "dags/sparkify.py"]
    assert [(line, fixable) for _, line, _, _, _, fixable in found] == [(5, True), (16, True)]
    assert found[1][4].startswith("SubDagOperator `f'load_{table}'` can become a TaskGroup built by "
                                  "`load_dimension_tables_dag(...)` in the parent DAG")


@pytest.mark.skipif(not all(p.exists() for p in VENVS), reason="the Airflow 2.11.2 and 3.0.6 verification venvs are missing")
def test_the_kwargs_factory_rewrite_is_equivalent(cli, tmp_path):
    check = _comparer()
    original, repo = tmp_path / "original", tmp_path / "repo"
    shutil.copytree(KWARGS_REPO, original)
    shutil.copytree(KWARGS_REPO, repo)
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", "3.0.6", "--no-cache", cwd=repo,
        registry=default_registry())
    old = check.probe(VENVS[0], "2.11.2", original / "dags", None)
    report = check.compare(old, check.probe(VENVS[1], "3.0.6", repo / "dags", None))
    assert (report["dags"], report["problems"]) == ({"sparkify": []}, [])
    assert sorted(old["dags"]["sparkify"]["tasks"]) == [
        "Begin_execution", "load_songs.Load_songs_dim_table", "load_users.Load_users_dim_table"]
    assert old["dags"]["sparkify"]["tasks"]["load_songs.Load_songs_dim_table"]["retries"] == 3


def test_a_factory_in_the_plugins_folder_re_exported_by_its_package_moves(cli, tmp_path):
    """`from helpers import section`, with `plugins/helpers/__init__.py` re-exporting it from
    `plugins/helpers/sections.py` (Airflow puts the plugins folder on sys.path)."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "plugins" / "helpers").mkdir(parents=True)
    (tmp_path / "plugins" / "helpers" / "__init__.py").write_text("from helpers.sections import section\n")
    factory, dag = TEAMS.split("\n\n\ndef create_dag", 1)
    (tmp_path / "plugins" / "helpers" / "sections.py").write_text(factory.split("ARGS = ", 1)[0].rstrip() + "\n\n\n"
                                                                   + "def section" + factory.split("def section", 1)[1])
    (tmp_path / "dags" / "teams.py").write_text(
        factory.split("def section", 1)[0].replace("from airflow.operators.bash import BashOperator\n", "")
        + "from helpers import section\n\n\ndef create_dag" + dag)
    found = findings(cli, tmp_path, "3.0.6", "--select", "DS510")
    assert [(p, line, fixable) for p, line, _, _, _, fixable in found] == [
        ("dags/teams.py", 4, True), ("dags/teams.py", 14, True),
        ("plugins/helpers/sections.py", 5, True),  # (its SubDagOperator import, unused there: removed)
        ("plugins/helpers/sections.py", 8, True)]
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", "3.0.6", "--no-cache", "--select",
        "DS510", cwd=tmp_path, registry=default_registry())
    assert "    sub = TaskGroup(group_id=child, default_args=args, dag=parent_dag, parent_group=parent_group)\n" in (
        tmp_path / "plugins" / "helpers" / "sections.py").read_text()
    assert 'section(f"{team}.{name}", "load", ARGS, parent_dag=dag)' in (tmp_path / "dags" / "teams.py").read_text()


def _module_repo(root: Path) -> None:
    """The factory in `dags/subs/sections.py`, called as `sections.section(...)` of an imported module."""
    factory, dag = TEAMS.split("\n\n\ndef create_dag", 1)
    (root / "dags" / "subs").mkdir(parents=True)
    (root / "dags" / "subs" / "sections.py").write_text(
        "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n\n\ndef section"
        + factory.split("def section", 1)[1])
    (root / "dags" / "teams.py").write_text(
        factory.split("def section", 1)[0].replace("from airflow.operators.bash import BashOperator\n",
                                                   "import subs.sections as sections\n")
        + "def create_dag" + dag.replace("subdag=section(", "subdag=sections.section("))


def test_a_factory_called_as_a_module_attribute_moves(cli, tmp_path):
    _module_repo(tmp_path)
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", "3.0.6", "--no-cache", "--select",
        "DS510", cwd=tmp_path, registry=default_registry())
    assert 'sections.section(f"{team}.{name}", "load", ARGS, parent_dag=dag)' in (tmp_path / "dags" / "teams.py").read_text()
    assert "def section(parent, child, args, parent_dag, parent_group=None):" in (
        tmp_path / "dags" / "subs" / "sections.py").read_text()


def test_a_factory_another_file_reaches_through_its_module_stays(cli, tmp_path):
    _module_repo(tmp_path)
    (tmp_path / "dags" / "adhoc.py").write_text(
        "import subs.sections\n\n# an Airflow DAG of its own\nadhoc = subs.sections.section('adhoc', 'load', {})\n")
    found = findings(cli, tmp_path, "3.0.6", "--select", "DS510")
    assert [(p, line, fixable) for p, line, _, _, _, fixable in found] == [
        ("dags/teams.py", 5, False), ("dags/teams.py", 12, False)]
    assert found[1][4] == ("SubDagOperator `load` is not rewritten as a TaskGroup: `section` is also used at "
                           "dags/adhoc.py:4, outside a SubDagOperator")


def test_a_crlf_repository_is_fixed_with_crlf_line_endings(cli, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(KWARGS_REPO, repo)
    for path in (repo / "dags").glob("*.py"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", "3.0.6", "--no-cache", "--select",
        "DS510", cwd=repo, registry=default_registry())
    expected = tree(FIXTURES / "dag_api" / "expected" / "subdag_kwargs.3.0.6.fixed")
    assert tree(repo) == {name: text.replace(b"\n", b"\r\n") for name, text in expected.items()}


SHAPES = FIXTURES / "dag_api" / "subdag_shapes"
SHAPES_FIXED = FIXTURES / "dag_api" / "expected" / "subdag_shapes.3.0.6.fixed"
AWARE_NAIVE = ("SubDagOperator `west` is not rewritten as a TaskGroup: the sub-DAG's start date `pendulum.datetime(2024, 12, "
               "1, tz='UTC')` and the parent DAG's `datetime.datetime(2024, 12, 1)` are one timezone-aware and one naive "
               "(Airflow reads a naive one in `[core] default_timezone`): the same time only where that is UTC")
SHAPE_SITES = [
    ("dags/copy_jobs.py", 3, 8, True, "`airflow.operators.subdag_operator` was removed in Airflow 3: the import fails on "
     "3.0.6; rewrite its SubDagOperator's sub-DAG as a TaskGroup (`airflow.sdk.TaskGroup`) in the parent DAG"),
    ("dags/copy_jobs.py", 10, 5, True, FACTORY.format("section", "dags/copy_jobs.py:17", "child", s="")),
    ("dags/copy_jobs.py", 17, 8, True, "SubDagOperator `copy` can become a TaskGroup built by `section(...)` in the parent "
     "DAG: " + RUN_TIME.format("copy")),
    ("dags/decorated.py", 6, 38, False, IMPORT_GONE),
    ("dags/decorated.py", 20, 15, False, "SubDagOperator `quality` is not rewritten as a TaskGroup: its parent DAG is built "
     "by the `@dag` function `decorated`, which gives it no name to hand the factory (a TaskGroup takes its DAG as `dag=`)"),
    ("dags/fleet_analytics.py", 5, 38, True, IMPORT_GONE),
    ("dags/fleet_analytics.py", 19, 15, True, "SubDagOperator `weekday_jobs` can become a TaskGroup built by "
     "`weekday_jobs(...)` in the parent DAG: " + RUN_TIME.format("weekday_jobs")),
    ("dags/fleet_subdag.py", 5, 5, True, FACTORY.format("weekday_jobs", "dags/fleet_analytics.py:19", "task_id", s="").replace(
        "`parent_dag` and", "`outer_dag` and")),
    ("dags/hourly_rollup.py", 5, 47, True, IMPORT_GONE),
    ("dags/hourly_rollup.py", 18, 14, True, "SubDagOperator `CHILD_DAG_NAME` can become a TaskGroup built by "
     "`rollup_factory(...)` in the parent DAG: at run time its tasks' ids gain the group id (the value of `CHILD_DAG_NAME`) "
     "and a dot as a prefix, they run in the parent DAG's run (no separate DagRun) and `schedule_interval` gets None "
     "instead of `parent_dag.schedule_interval` (Airflow 3's DAG has no such attribute, and only the sub-DAG's own "
     "arguments read it)"),
    ("dags/inline.py", 5, 38, False, IMPORT_GONE),
    ("dags/inline.py", 13, 5, False, "SubDagOperator `cleanup` is not rewritten as a TaskGroup: the sub-DAG `cleanup` is "
     "built before its parent DAG `dag`, which its TaskGroup needs"),
    ("dags/inline.py", 14, 5, False, "SubDagOperator `archive` is not rewritten as a TaskGroup: its `subdag=` builds the "
     "sub-DAG in place (`DAG(...)`), not in a factory function dagshift can rewrite"),
    ("dags/load_jobs.py", 5, 47, True, IMPORT_GONE),
    ("dags/load_jobs.py", 10, 5, True, FACTORY.format("section", "dags/load_jobs.py:18", "child", s="")),
    ("dags/load_jobs.py", 18, 12, True, "SubDagOperator `load` can become a TaskGroup built by `section(...)` in the parent "
     "DAG: " + RUN_TIME.format("load")),
    ("dags/nightly_cleanup.py", 5, 38, True, IMPORT_GONE),
    ("dags/nightly_cleanup.py", 21, 10, True, "SubDagOperator `vacuum` can become a TaskGroup: the fix builds `vacuum_dag` as "
     "`TaskGroup(group_id=\"vacuum\")` in the parent DAG `dag` instead of a DAG, and its tasks get `task_group=`: "
     + RUN_TIME.format("vacuum")),
    ("dags/nightly_cleanup.py", 22, 11, True, "SubDagOperator `archive` can become a TaskGroup: the fix builds `archive_dag` "
     "as `TaskGroup(group_id=\"archive\")` in the parent DAG `dag` instead of a DAG, and its tasks get `task_group=`: "
     + RUN_TIME.format("archive")),
    ("dags/regional_returns.py", 11, 38, False, IMPORT_GONE),
    ("dags/regional_returns.py", 30, 12, False, AWARE_NAIVE),
    ("dags/regional_sales.py", 10, 38, True, IMPORT_GONE),
    ("dags/regional_sales.py", 23, 13, True, "SubDagOperator `north` can become a TaskGroup built by "
     "`regions.region_tasks(...)` in the parent DAG: " + RUN_TIME.format("north")),
    ("dags/regional_sales.py", 28, 13, True, "SubDagOperator `south` can become a TaskGroup built by "
     "`regions.region_tasks(...)` in the parent DAG: " + RUN_TIME.format("south")),
    ("dags/rollup_factory.py", 5, 5, True, FACTORY.format("rollup_factory", "dags/hourly_rollup.py:18", "child_dag_name", s="")),
    ("dags/sales/regions.py", 11, 5, True, FACTORY.format(
        "region_tasks", "dags/regional_sales.py:23, dags/regional_sales.py:28", "child_dag_name", s="s")),
    ("dags/warehouse_etl.py", 6, 38, True, IMPORT_GONE),
    ("dags/warehouse_etl.py", 17, 5, True, FACTORY.format("extract_subdag", "dags/warehouse_etl.py:39", "child_dag_name", s="")),
    ("dags/warehouse_etl.py", 39, 11, True, "SubDagOperator `extract` can become a TaskGroup built by `extract_subdag(...)` "
     "in the parent DAG: " + RUN_TIME.format("extract")),
]


def test_the_shapes_real_repositories_write_each_move_or_say_why_not(cli, tmp_path):
    """The parent's own `parent_dag.start_date` (and `parent_dag.schedule_interval`, which Airflow 3's
    DAG lacks: None passes instead, as only the sub-DAG read it); start dates equal by value
    (`pendulum.datetime(2024, 12, 1)` and `tz="UTC"`; a `default_args` dict's `datetime` and the
    parent's own); a factory that has a `parent_dag` parameter already (`outer_dag`); SubDagOperator
    as `so.SubDagOperator` and `SDO`; sub-DAGs built at the top level of the parent's file, with no
    factory (`nightly_cleanup`). Reported: an aware and a naive start date, a `@dag` parent, a
    sub-DAG built in place (`subdag=DAG(...)`) or before its parent."""
    repo = tmp_path / "repo"
    shutil.copytree(SHAPES, repo)
    assert [(p, line, col, sev, message, fixable) for p, line, col, sev, message, fixable
            in findings(cli, repo, "3.0.6", "--select", "DS510")] == [
        (p, line, col, "error", message, fixable) for p, line, col, fixable, message in SHAPE_SITES]
    args = ("--target-version", "3.0.6", "--no-cache", "--select", "DS510")
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", *args, cwd=repo, registry=default_registry())
    assert tree(repo) == golden_tree(FIXTURES / "dag_api" / "expected", SHAPES_FIXED.name, repo)
    again = cli("check", ".", "--fix", "--unsafe-fixes", "--diff", *args, cwd=repo, registry=default_registry())
    assert (again.out, again.err) == ("", "0 files would be changed (0 findings fixed).\n")


@pytest.mark.parametrize("target", ["2.5.1", "2.11.2", "3.0.6", "3.3.1"])
def test_no_fix_of_the_shapes_creates_a_finding(cli, tmp_path, target):
    repo = tmp_path / "repo"
    shutil.copytree(SHAPES, repo)

    before = Counter((f[0], f[4]) for f in findings(cli, repo, target))
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", target, "--no-cache", cwd=repo,
        registry=default_registry())
    after = Counter((f[0], f[4]) for f in findings(cli, repo, target))
    assert not after - before, sorted((after - before).elements())


def test_start_dates_are_compared_by_value_only_where_both_are_literals():
    from dagshift.rules.dag_api.subdag_settings import literal_datetime

    names = {"datetime": "datetime.datetime", "pendulum": "pendulum", "dt": "datetime", "days_ago": "x.days_ago"}.get

    def value(text: str, values: Optional[dict] = None):
        return literal_datetime(ast.parse(text, mode="eval").body, names, values)

    assert value("pendulum.datetime(2024, 12, 1)") == value("pendulum.datetime(2024, 12, 1, tz='UTC')") == value(
        "dt.datetime(2024, 12, 1, tzinfo=dt.timezone.utc)")
    assert value("datetime(2021, 6, 1, 8, 30, 0)") == value("datetime(2021, 6, 1, hour=8, minute=30)")
    assert value("datetime(2021, 6, 1)").tzinfo is None and value("pendulum.datetime(2021, 6, 1)").tzinfo is not None
    assert value("args['start_date']", {"args": ast.parse("{'start_date': datetime(2023, 10, 8)}", mode="eval").body}) == (
        value("datetime(2023, 10, 8)"))
    assert [value(t) for t in ("days_ago(0)", "datetime(2024, 1, n)", "datetime.now()", "pendulum.datetime(2024, 1, 1, tz=z)")] == [
        None, None, None, None]


@pytest.mark.skipif(not all(p.exists() for p in VENVS), reason="the Airflow 2.11.2 and 3.0.6 verification venvs are missing")
def test_the_rewritten_shapes_are_equivalent(cli, tmp_path):
    check = _comparer()
    repo = tmp_path / "repo"
    shutil.copytree(SHAPES, repo)
    cli("check", ".", "--fix", "--unsafe-fixes", "--quiet", "--target-version", "3.0.6", "--no-cache", cwd=repo,
        registry=default_registry())
    old = check.probe(VENVS[0], "2.11.2", SHAPES / "dags", None)
    report = check.compare(old, check.probe(VENVS[1], "3.0.6", repo / "dags", None))
    moved = ["copy_jobs", "fleet_analytics", "hourly_rollup", "load_jobs", "nightly_cleanup", "regional_sales", "warehouse_etl"]
    assert report["dags"] == {**{d: [] for d in moved}, **{d: ["only in the original"] for d in
                                                            ("decorated", "inline", "regional_returns")}}
    assert report["problems"] == [
        f"fixed {name}.py fails to load: ModuleNotFoundError: No module named 'airflow.operators.subdag'"
        for name in ("decorated", "inline", "regional_returns")]
    assert sorted(old["dags"]["regional_sales"]["tasks"]) == [
        "end", "north.north-step-1", "north.north-step-2", "north.north-step-3", "south.south-step-1",
        "south.south-step-2", "south.south-step-3", "start"]


def test_an_attribute_airflow_3_lacks_stays_where_the_factory_reads_it_for_its_tasks(cli, tmp_path):
    """`dag.schedule_interval` becomes None only where nothing but the sub-DAG's own arguments read
    it: here a task's command does too, so the call stays, and says why."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "teams.py").write_text(TEAMS.replace(
        "def section(parent, child, args):\n    sub = DAG(f\"{parent}.{child}\", default_args=args, schedule_interval=\"@daily\")\n"
        "    BashOperator(task_id=\"load\", bash_command=\"load.sh\", dag=sub)\n",
        "def section(parent, child, args, interval):\n    sub = DAG(f\"{parent}.{child}\", default_args=args, schedule_interval=interval)\n"
        "    BashOperator(task_id=\"load\", bash_command=f\"load.sh {interval}\", dag=sub)\n").replace(
        'section(f"{team}.{name}", "load", ARGS)', 'section(f"{team}.{name}", "load", ARGS, dag.schedule_interval)'))
    found = [f for f in findings(cli, tmp_path, "3.0.6", "--select", "DS510") if f[1] == 18]
    assert [(f[4], f[5]) for f in found] == [(
        "SubDagOperator `load` is not rewritten as a TaskGroup: the call hands `interval` `dag.schedule_interval`, which "
        "Airflow 3's DAG does not have, and `section` reads it for more than its DAG's arguments", False)]
