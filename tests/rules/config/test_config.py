"""DS401-DS407 on a repository that sets Airflow configuration every way it can be set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES

from dagshift.rules import default_registry

SOURCE = FIXTURES / "config_repo"
FIXED = FIXTURES / "config_repo_fixed"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(SOURCE, dest)
    return dest


def run(cli, repo: Path, *args: str):
    return cli("check", "--format", "concise", "--quiet", "--target-version", "2.5.1", "--select", "DS4", *args,
               cwd=repo, registry=default_registry())


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_exact_findings_in_every_file_kind(cli, repo):
    result = run(cli, repo)
    assert result.out == (FIXTURES / "config_repo.findings-2.5.1.txt").read_text()
    kinds = {line.split(":")[0] for line in result.out.splitlines()}
    assert kinds == {".env", "Dockerfile", "airflow.cfg", "docker-compose.yml", "infra/create_env.py",
                     "infra/main.tf", "infra/mwaa.json", "infra/mwaa.yaml", "k8s/scheduler.yaml", "scripts/deploy.sh"}


def test_fix_edits_only_the_values_and_keys(cli, repo):
    run(cli, repo, "--fix")
    assert files(repo) == files(FIXED)
    assert files(repo)["infra/unrelated.yaml"] == (SOURCE / "infra" / "unrelated.yaml").read_bytes()
    again = run(cli, repo, "--fix")
    assert files(repo) == files(FIXED)
    assert "[*]" not in again.out


def test_fixed_templates_still_load(cli, repo):
    run(cli, repo, "--fix")

    class CfnLoader(yaml.SafeLoader):
        pass

    def tag(loader, suffix, node):
        return {suffix: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None}

    CfnLoader.add_multi_constructor("!", tag)
    template = yaml.load((repo / "infra" / "mwaa.yaml").read_text(), Loader=CfnLoader)
    props = template["Resources"]["MwaaEnvironment"]["Properties"]
    # MWAA refuses 1.10.12 -> 2.5.1 in place: DS406 offers no fix, the deployment is left as it is.
    assert props["AirflowVersion"] == "1.10.12"
    assert props["Name"] == {"Ref": "EnvironmentName"}
    assert props["AirflowConfigurationOptions"]["secrets.backend"] == (
        "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
    )
    data = json.loads((repo / "infra" / "mwaa.json").read_text())
    assert data["Resources"]["MwaaEnvironment"]["Properties"]["AirflowConfigurationOptions"] == {
        "secrets.backend": "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend",
        "core.max_active_tasks_per_dag": "16",
    }
    compose = yaml.safe_load((repo / "docker-compose.yml").read_text())
    assert compose["services"]["worker"]["environment"][0].startswith("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=")


def test_secrets_backend_records_the_provider_for_requirements(cli, tmp_path):
    (tmp_path / "airflow.cfg").write_text(
        "[secrets]\nbackend = airflow.contrib.secrets.hashicorp_vault.VaultBackend\n"
    )
    (tmp_path / "requirements.txt").write_text(
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.5.1/constraints-3.10.txt"\n'
    )
    result = cli("check", "--format", "concise", "--quiet", "--target-version", "2.5.1", "--select", "DS305",
                 cwd=tmp_path, registry=default_registry())
    assert result.out == (
        "requirements.txt:1:1: DS305 [*] `apache-airflow-providers-hashicorp` is needed by "
        "airflow.cfg but not required\n"
    )


def test_env_file_that_sets_both_names_loses_the_old_line(cli, tmp_path):
    """Airflow 3 no longer reads AIRFLOW__CORE__SQL_ALCHEMY_CONN; the file sets the [database] name
    too (for Airflow >= 2.3), so the fix deletes the old line rather than writing a duplicate."""
    env = tmp_path / ".env"
    env.write_text("# both, for old and new Airflow\nAIRFLOW__CORE__SQL_ALCHEMY_CONN=postgresql://db\n"
                   "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql://db\n")
    result = cli("check", "--fix", "--format", "concise", "--target-version", "3.0.6", "--no-cache", cwd=tmp_path,
                 registry=default_registry())
    assert env.read_text() == "# both, for old and new Airflow\nAIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql://db\n"
    assert result.out.startswith("Fixed 1 finding.\n")


def test_mwaa_cli_payload_of_a_command_airflow_3_dropped_gets_no_fix(cli, tmp_path):
    """1.10's `run` became `tasks run`, which Airflow 3 removed: in an MWAA CLI-token payload as in a
    script, that is said, with no fix to a command the target does not have."""
    (tmp_path / "trigger.py").write_text('token = mwaa.create_cli_token(Name="etl")\npost(url, data="run etl load 2024-01-01")\n')
    result = cli("check", "--format", "concise", "--quiet", "--target-version", "3.0.6", "--no-cache", cwd=tmp_path,
                 registry=default_registry())
    assert result.out == ("trigger.py:2:17: DS407 MWAA CLI command `run` became `tasks run` in Airflow 2, which "
                          "Airflow 3 removed\n")


def test_a_rename_whose_new_name_the_target_removed_is_a_removal(cli, tmp_path):
    """`[core] load_default_connections` became `[database] load_default_connections` in 2.3, which
    Airflow 3 removed: on 3.0.6 a rename would write an option the target lacks (the next run's
    DS404), so it is reported as the removal, with no fix; on 2.11.2 it is still the rename."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "a.py").write_text("from airflow import DAG\n")
    (tmp_path / "airflow.cfg").write_text("[core]\nload_default_connections = False\n")
    args = ("check", "--format", "concise", "--quiet", "--no-cache", "--select", "DS4")
    three = cli(*args, "--target-version", "3.0.6", "--fix", cwd=tmp_path, registry=default_registry())
    assert three.out == ("airflow.cfg:2:1: DS404 [core] load_default_connections was renamed to "
                         "`database.load_default_connections` in Airflow 2.3.0, which no longer exists on Airflow "
                         "3.0.6: the setting is ignored\n")
    assert (tmp_path / "airflow.cfg").read_text() == "[core]\nload_default_connections = False\n"
    two = cli(*args, "--target-version", "2.11.2", cwd=tmp_path, registry=default_registry())
    assert two.out.startswith("airflow.cfg:2:1: DS403 [*] [core] load_default_connections was renamed")


def test_auth_backend_modules_the_target_lacks(cli, tmp_path):
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "a.py").write_text("from airflow import DAG\n")
    (tmp_path / "airflow.cfg").write_text("[api]\nauth_backends = airflow.api.auth.backend.basic_auth\n")
    args = ("check", "--format", "concise", "--quiet", "--no-cache", "--select", "DS401")
    assert cli(*args, "--target-version", "2.11.2", cwd=tmp_path, registry=default_registry()).out == ""
    assert cli(*args, "--target-version", "3.0.6", cwd=tmp_path, registry=default_registry()).out == (
        "airflow.cfg:2:17: DS401 [api] auth_backends names `airflow.api.auth.backend.basic_auth`, which does not exist "
        "on Airflow 3.0.6: wherever this option is read, Airflow cannot import it: the target has "
        "`airflow.providers.fab.auth_manager.api.auth.backend.basic_auth`\n")
