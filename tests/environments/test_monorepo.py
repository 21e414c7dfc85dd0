"""The monorepo fixture (tests/fixtures/environments/monorepo, written for this test): two MWAA
environments (Terraform with S3 uploads; CloudFormation with a CI `aws s3 sync`), a self-managed
Airflow image with docker-compose, Docker task images, a Lambda, a developer lock file and a
constraints file named like requirements. Expected outputs beside it were reviewed line by line;
regenerate with DAGSHIFT_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from goldens import UPDATE, golden, tree

from dagshift.rules import default_registry

SOURCE = FIXTURES / "environments" / "monorepo"
EXPECTED = FIXTURES / "environments"
# The files that belong to no environment: no rule of the requirements or configuration families
# judges them and no fix may touch them.
NOT_AIRFLOW = {
    "images/extract/Dockerfile", "images/extract/extract.py", "images/extract/requirements.txt",
    "images/load/Dockerfile", "images/load/requirements.txt", "lambdas/notify/app.py",
    "lambdas/notify/requirements.txt", "requirements-dev.txt", "samples/container/Dockerfile",
    "samples/container/requirements.txt",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "monorepo"
    shutil.copytree(SOURCE, dest)
    (dest / ".git").mkdir()  # a repository: runs on a sub-folder or one file find the same root
    return dest


def test_environments_text_names_each_file_by_role_with_its_evidence(cli, repo):
    result = cli("environments", cwd=repo, registry=default_registry())
    assert result.code == 0
    assert result.out == golden(EXPECTED, "monorepo.environments.txt", result.out)


def test_environments_json(cli, repo):
    data = json.loads(cli("environments", "--format", "json", cwd=repo, registry=default_registry()).out)
    envs = {e["root"]: e for e in data["environments"]}
    assert sorted(envs) == ["mwaa", "reporting", "selfhosted"]
    assert [(e["platform"], e["from_version"]) for e in data["environments"]] == [
        ("mwaa", "2.5.1"), ("mwaa", "2.7.2"), ("self-managed", "2.7.3")]
    assert envs["mwaa"]["from_evidence"] == (
        "infra/terraform/main.tf:8: resource aws_mwaa_environment.analytics runs Airflow 2.5.1 "
        "(airflow_version        = var.airflow_version)")
    assert envs["mwaa"]["files"] == {
        "infra/terraform/main.tf": "infrastructure", "infra/terraform/variables.tf": "infrastructure",
        "mwaa/dags/etl.py": "dags", "mwaa/dags/requirements-constraints.txt": "constraints",
        "mwaa/plugins/acme_plugin.py": "plugins", "mwaa/requirements/requirements.txt": "requirements",
        "mwaa/startup.sh": "startup"}
    assert envs["reporting"]["files"] == {
        ".github/workflows/deploy-reporting.yml": "infrastructure", "infra/cloudformation/reporting.yaml": "infrastructure",
        "reporting/dags/report.py": "dags", "reporting/requirements.txt": "requirements"}
    assert envs["selfhosted"]["files"]["selfhosted/requirements.txt"] == "requirements"
    assert envs["selfhosted"]["files"]["selfhosted/webserver_config.py"] == "config"
    assert set(data["not_airflow"]) == NOT_AIRFLOW
    assert data["not_airflow"]["lambdas/notify/requirements.txt"] == (
        'belongs to an AWS Lambda function at lambdas/notify/ (infra/terraform/main.tf:41: '
        'source_dir  = "${path.module}/../../lambdas/notify)')


def test_findings_only_on_environment_files(cli, repo):
    result = cli("check", "--target-version", "3.0.6", "--format", "concise", "--no-cache", cwd=repo,
                 registry=default_registry())
    assert result.out == golden(EXPECTED, "monorepo.findings-3.0.6.txt", result.out)
    paths = {line.split(":")[0] for line in result.out.splitlines() if ":" in line and " DS" in line}
    assert not paths & NOT_AIRFLOW


def test_fix_touches_environment_files_only_and_creates_no_finding(cli, repo):
    before_tree = tree(repo)
    args = ("check", "--target-version", "3.0.6", "--format", "concise", "--no-cache", "--quiet")
    before = cli(*args, cwd=repo, registry=default_registry()).out.splitlines()
    cli(*args, "--fix", cwd=repo, registry=default_registry())
    after_tree = tree(repo)
    changed = {p for p in after_tree if after_tree[p] != before_tree[p]}
    assert changed == {"mwaa/dags/etl.py", "mwaa/requirements/requirements.txt", "reporting/dags/report.py",
                       "reporting/requirements.txt", "selfhosted/requirements.txt"}
    # The exact fixed tree: the source, with the changed files as reviewed in monorepo.fixed-3.0.6/.
    fixed = EXPECTED / "monorepo.fixed-3.0.6"
    if UPDATE:
        shutil.rmtree(fixed, ignore_errors=True)
        for path in changed:
            (fixed / path).parent.mkdir(parents=True, exist_ok=True)
            (fixed / path).write_bytes(after_tree[path])
    assert after_tree == {**before_tree, **tree(fixed)}
    assert (repo / "mwaa/requirements/requirements.txt").read_text() == (
        '--constraint "/usr/local/airflow/dags/requirements-constraints.txt"\n'
        "apache-airflow-providers-amazon\npandas\napache-airflow-providers-docker\n")
    assert (repo / "selfhosted/requirements.txt").read_text() == (
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.0.6/constraints-3.12.txt"\n'
        "apache-airflow-providers-postgres\npsycopg2-binary\n")
    # The Terraform and CloudFormation versions are decisions: plain --fix leaves them.
    assert after_tree["infra/cloudformation/reporting.yaml"] == before_tree["infra/cloudformation/reporting.yaml"]
    after = cli(*args, cwd=repo, registry=default_registry()).out.splitlines()
    assert set(after) <= {line.replace(" [*]", "") for line in before if "[*]" not in line}
    cli(*args, "--fix", "--unsafe-fixes", cwd=repo, registry=default_registry())
    # The one unsafe fix here is DS515's, in the self-hosted environment's DAG (PostgresOperator ->
    # SQLExecuteQueryOperator); it creates no finding either.
    assert {p for p in tree(repo) if tree(repo)[p] != before_tree[p]} == changed | {"selfhosted/dags/pipeline.py"}
    assert "SQLExecuteQueryOperator(task_id=\"vacuum\", sql=\"VACUUM\", conn_id=\"warehouse\")" in (
        repo / "selfhosted/dags/pipeline.py").read_text()
    unsafe_after = cli(*args, cwd=repo, registry=default_registry()).out.splitlines()
    assert set(unsafe_after) <= {line.replace(" [*]", "").replace(" [-]", "") for line in before} | set(after)


def test_one_file_named_on_the_command_line_is_judged_as_in_a_whole_run(cli, repo):
    """A pre-commit run names files: the Lambda's requirements are still not Airflow's, and the MWAA
    requirements still see the DockerOperator their environment's DAG imports."""
    registry = default_registry()
    args = ("check", "--target-version", "3.0.6", "--format", "concise", "--no-cache", "--quiet")
    assert cli(*args, "lambdas/notify/requirements.txt", cwd=repo, registry=registry).out == ""
    assert cli(*args, "requirements-dev.txt", cwd=repo, registry=registry).out == ""
    assert cli(*args, "mwaa/requirements/requirements.txt", cwd=repo, registry=registry).out == (
        "mwaa/requirements/requirements.txt:1:1: DS305 [*] `apache-airflow-providers-docker` is needed by "
        "mwaa/dags/etl.py (environment `mwaa`) but not required\n"
        "mwaa/requirements/requirements.txt:2:1: DS304 [*] `apache-airflow-backport-providers-amazon` is a backport "
        "provider for Airflow 1.10 (it requires apache-airflow~=1.10); use `apache-airflow-providers-amazon`\n")


def test_environments_of_a_sub_folder(cli, repo):
    out = cli("environments", "reporting", cwd=repo, registry=default_registry()).out
    assert out.splitlines()[0] == "1 Airflow environment under .:"
    assert out.splitlines()[2] == "reporting/ (Amazon MWAA)"


def test_same_findings_from_any_working_directory(cli, repo):
    """From the root, from outside it, and from a sub-folder naming the root as `..`: the same
    environments judge the same files (only the shown paths differ)."""
    args = ("check", "--target-version", "3.0.6", "--format", "concise", "--no-cache", "--quiet")
    here = cli(*args, cwd=repo, registry=default_registry()).out.splitlines()
    outside = cli(*args, "monorepo", cwd=repo.parent, registry=default_registry()).out.replace("monorepo/", "")
    below = cli(*args, "..", cwd=repo / "mwaa", registry=default_registry()).out.replace("../", "")
    assert sorted(outside.splitlines()) == sorted(here) == sorted(below.splitlines())
    assert any(line.startswith("mwaa/requirements/requirements.txt:1:1: DS305") for line in here)


def test_report_counts_the_environments_files_as_its_headline_does(cli, repo):
    # Resources deployed with the DAGs (JSON, SQL) are not migration work: not counted.
    (repo / "mwaa" / "dags" / "resources").mkdir()
    for i in range(40):
        (repo / "mwaa" / "dags" / "resources" / f"table_{i}.json").write_text('{"columns": ["a", "b"]}\n')
        (repo / "mwaa" / "dags" / "resources" / f"query_{i}.sql").write_text("select * from t where ds = '{{ ds }}'\n")
    out = cli("report", "--target-version", "3.0.6", "--format", "markdown", "--no-matrix", cwd=repo,
              registry=default_registry()).out.splitlines()
    # The Terraform and CloudFormation that declare an environment count (they set its options and
    # version); the Lambda, the task images and the developer lock file do not.
    assert out[2] == ("**6** of 15 files ready, **5** fixed by `dagshift check --fix`, **4** need manual work "
                      "(dagshift 0.1.0, Python 3.12).")
    assert out[4] == ("Environments: mwaa/ (Amazon MWAA), Airflow 2.5.1 today: 5 of 7 files ready; reporting/ "
                      "(Amazon MWAA), Airflow 2.7.2 today: 1 of 4 files ready; selfhosted/ (self-managed Airflow), "
                      "Airflow 2.7.3 today: 0 of 4 files ready.")
