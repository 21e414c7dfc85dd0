"""DS501/DS502 on operators the repository defines (a capstone-style plugins folder): a keyword no
`__init__` on the way to BaseOperator takes fails on Airflow 2 (checked by loading the fixture on
Airflow 2.5.1: "Invalid arguments were passed ... {'provide_context': True, 'json_path': ...}"),
one the repository's code takes or may take (read out of **kwargs) is left alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from dagshift.rules import default_registry

REPO = FIXTURES / "dag_api" / "repo_operators"

FINDINGS = """\
dags/sparkify.py:12:9: DS501 [*] `provide_context` is not an argument of StageToRedshiftOperator on Airflow 2.5.1: the DAG fails with "Invalid arguments were passed"
dags/sparkify.py:13:9: DS502 [-] `json_path` is not an argument of StageToRedshiftOperator (plugins/operators/stage_redshift.py) or of the Airflow class it passes `**kwargs` to (BaseOperator) on Airflow 2.5.1: the DAG fails with "Invalid arguments were passed"; Airflow 1.10 ignored it
dags/sparkify.py:15:83: DS502 [-] `append_only` is not an argument of LoadDimensionOperator (plugins/operators/load_dimension.py) or of the Airflow class it passes `**kwargs` to (BaseOperator) on Airflow 2.5.1: the DAG fails with "Invalid arguments were passed"; Airflow 1.10 ignored it
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns("*.fixed-*"))
    (dest / ".git").mkdir()
    return dest


def check(cli, cwd: Path, *args: str):
    return cli("check", "--format", "concise", "--quiet", "--target-version", "2.5.1", "--select", "DS501,DS502",
               *args, cwd=cwd, registry=default_registry())


def test_unknown_keywords_of_repository_operators(cli, repo):
    # DataQualityOperator pops `retry_hint` itself; NotifyOperator declares `provide_context`.
    result = check(cli, repo)
    assert result.out == FINDINGS
    assert result.code == 1


def test_same_findings_from_the_dags_folder(cli, repo):
    result = check(cli, repo / "dags")
    assert result.out == FINDINGS.replace("dags/sparkify.py", "sparkify.py")


def test_safe_fix_drops_provide_context_and_unsafe_fix_the_rest(cli, repo):
    dag = repo / "dags" / "sparkify.py"
    safe = check(cli, repo, "--fix")
    assert "provide_context=True,\n" not in dag.read_text()
    assert [line.split(" ")[1] for line in safe.out.splitlines()] == ["DS502", "DS502"]
    check(cli, repo, "--fix", "--unsafe-fixes")
    fixed = dag.read_text()
    # The whole lines go; the deleted argument's comment stays on a line of its own.
    assert fixed == (REPO / "sparkify.fixed-2.5.1.py").read_text().replace('schedule="@hourly"', 'schedule_interval="@hourly"')
    again = check(cli, repo, "--fix", "--unsafe-fixes")
    assert again.out == "" and dag.read_text() == fixed


def test_a_repository_of_several_projects_uses_the_class_beside_each_dag(cli, tmp_path):
    # Two course projects, each with its own plugins and a StageToRedshiftOperator; only the second
    # declares `json_path`.
    for name in ("p5", "p6"):
        shutil.copytree(REPO, tmp_path / name, ignore=shutil.ignore_patterns("*.fixed-*"))
    (tmp_path / ".git").mkdir()
    stage = tmp_path / "p6" / "plugins" / "operators" / "stage_redshift.py"
    stage.write_text(stage.read_text().replace('s3_key="", *args', 's3_key="", json_path="auto", *args'))
    lines = check(cli, tmp_path).out.splitlines()
    assert [line.split(" ")[0] for line in lines if "`json_path`" in line] == ["p5/dags/sparkify.py:13:9:"]
    assert "(p5/plugins/operators/stage_redshift.py)" in next(line for line in lines if "`json_path`" in line)
