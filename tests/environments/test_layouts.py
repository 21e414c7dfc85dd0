"""Each layout people copy, alone, written from scratch: what `dagshift environments` finds, and
what the requirements and configuration rules then judge."""

from __future__ import annotations

import json
from pathlib import Path

from dagshift.rules import default_registry

DAG = "from airflow import DAG\n"


def write(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(exist_ok=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def environments(cli, root: Path) -> dict:
    result = cli("environments", "--format", "json", cwd=root, registry=default_registry())
    assert result.code == 0, result.err
    return json.loads(result.out)


def summary(data: dict) -> list[tuple]:
    """(root, platform, from_version, {file: role}) per environment."""
    return [(e["root"], e["platform"], e["from_version"], e["files"]) for e in data["environments"]]


def test_mwaa_local_runner(cli, tmp_path):
    root = write(tmp_path, {
        "mwaa-local-env": "#!/bin/bash\nAIRFLOW_VERSION=2_8\nDOCKER_COMPOSE_PROJECT_NAME=aws-mwaa-local-runner-$AIRFLOW_VERSION\n",
        "docker/Dockerfile": "FROM amazonlinux:2023\nARG AIRFLOW_VERSION=2.8.1\nRUN pip install apache-airflow==$AIRFLOW_VERSION\n",
        "docker/config/airflow.cfg": "[core]\nload_examples = False\n",
        "docker/config/requirements.txt": "apache-airflow[celery]==2.8.1\n",
        "dags/example.py": DAG,
        "plugins/README.md": "plugins go here\n",
        "requirements/requirements.txt": "--constraint \"https://raw.githubusercontent.com/apache/airflow/constraints-2.8.1/constraints-3.11.txt\"\n",
        "startup_script/startup.sh": "#!/bin/sh\n",
    })
    data = environments(cli, root)
    # The runner's own image installs Airflow: its requirements file is the image's, not the
    # environment's requirements (no requirements rule reads it).
    assert summary(data) == [(".", "mwaa", "2.8.1", {
        "dags/example.py": "dags", "docker/Dockerfile": "image", "docker/config/airflow.cfg": "image",
        "docker/config/requirements.txt": "image", "requirements/requirements.txt": "requirements",
        "startup_script/startup.sh": "startup"})]
    assert data["not_airflow"] == {}
    assert data["environments"][0]["from_evidence"] == "docker/Dockerfile:2: mwaa local runner (AIRFLOW_VERSION=2.8.1)"


def test_astro_project_in_a_monorepo_sub_folder(cli, tmp_path):
    root = write(tmp_path, {
        "airflow/Dockerfile": "FROM quay.io/astronomer/astro-runtime:12.6.0\n",
        "airflow/requirements.txt": "apache-airflow-providers-snowflake\n",
        "airflow/packages.txt": "\n",
        "airflow/airflow_settings.yaml": "airflow:\n  connections: []\n",
        "airflow/dags/load.py": DAG,
        "airflow/include/sql/load.sql": "select 1\n",
        "airflow/tests/dags/test_dag_integrity.py": "from airflow.models import DagBag\n",
        "api/requirements.txt": "fastapi==0.110.0\n",
        "api/main.py": "import fastapi\n",
    })
    data = environments(cli, root)
    assert summary(data) == [("airflow", "astro", None, {
        "airflow/Dockerfile": "image", "airflow/airflow_settings.yaml": "config", "airflow/dags/load.py": "dags",
        "airflow/include/sql/load.sql": "include", "airflow/requirements.txt": "requirements",
        "airflow/tests/dags/test_dag_integrity.py": "code"})]
    assert data["not_airflow"] == {"api/main.py": "outside every Airflow environment",
                                   "api/requirements.txt": "outside every Airflow environment"}
    out = cli("check", "--target-version", "2.11.2", "--format", "concise", "--quiet", "--no-cache", cwd=root,
              registry=default_registry()).out
    assert "api/" not in out


def test_cloud_composer_in_terraform_with_a_gsutil_sync(cli, tmp_path):
    root = write(tmp_path, {
        "terraform/composer.tf": (
            'resource "google_composer_environment" "prod" {\n  name = "prod"\n  config {\n    software_config {\n'
            '      image_version = "composer-2.9.10-airflow-2.9.3"\n      pypi_packages = {\n        pandas = ""\n'
            '      }\n    }\n  }\n}\n'),
        "pipelines/dags/daily.py": DAG,
        "cloudbuild/deploy.sh": "#!/bin/sh\ngsutil -m rsync -r -d pipelines/dags gs://us-central1-prod-bucket/dags\n",
        "tools/requirements.txt": "google-cloud-storage\n",
    })
    data = environments(cli, root)
    assert summary(data) == [("pipelines", "composer", "2.9.3", {
        "cloudbuild/deploy.sh": "infrastructure", "pipelines/dags/daily.py": "dags",
        "terraform/composer.tf": "infrastructure"})]
    assert data["not_airflow"] == {"tools/requirements.txt": "outside every Airflow environment"}


def test_docker_compose_and_helm_values(cli, tmp_path):
    root = write(tmp_path, {
        "local/docker-compose.yaml": (
            "x-airflow-common:\n  image: ${AIRFLOW_IMAGE_NAME:-apache/airflow:2.7.1}\n  volumes:\n"
            "    - ${AIRFLOW_PROJ_DIR:-.}/dags:/opt/airflow/dags\n"),
        "local/dags/etl.py": DAG,
        "chart/values.yaml": 'defaultAirflowTag: "2.9.3"\nexecutor: KubernetesExecutor\n',
        "chart/dags/etl.py": DAG,
    })
    assert [(root_, platform, version) for root_, platform, version, _ in summary(environments(cli, root))] == [
        ("chart", "self-managed", "2.9.3"), ("local", "self-managed", "2.7.1")]


def test_a_lambda_only_repository_has_no_environment_and_no_finding(cli, tmp_path):
    root = write(tmp_path, {
        "functions/notify/app.py": "import boto3\n\n\ndef handler(event, context):\n    return boto3\n",
        "functions/notify/requirements.txt": "boto3\n",
        "requirements.txt": "boto3==1.17.0\npytest\n",
    })
    assert summary(environments(cli, root)) == []
    result = cli("check", "--target-version", "3.0.6", "--format", "concise", "--quiet", "--no-cache", cwd=root,
                 registry=default_registry())
    assert (result.code, result.out) == (0, "")


def test_dev_lock_and_a_constraints_file_known_by_its_content(cli, tmp_path):
    constraints = "# This constraints file was automatically generated on 2024-01-01\nboto3==1.26.51\n"
    root = write(tmp_path, {
        "dags/etl.py": DAG,
        "requirements.txt": "--constraint requirements/pins.txt\nboto3\n",
        "requirements/pins.txt": constraints,
        "requirements/airflow-pins.txt": constraints,
        "requirements-dev.txt": "apache-airflow==2.5.1\nboto3==1.17.0\npytest==7.4.0\n",
    })
    data = environments(cli, root)
    assert summary(data)[0][3] == {"dags/etl.py": "dags", "requirements.txt": "requirements",
                                   "requirements/pins.txt": "constraints"}
    assert data["not_airflow"] == {
        "requirements-dev.txt": "a development or test requirements file: no environment installs it",
        "requirements/airflow-pins.txt": "a constraints file no requirements file of environment . names"}
    out = cli("check", "--target-version", "2.11.2", "--format", "concise", "--quiet", "--no-cache", cwd=root,
              registry=default_registry()).out
    assert out == ""  # boto3 meets the local pins; the dev lock's boto3==1.17.0 is not judged


def test_declared_environment(cli, tmp_path):
    root = write(tmp_path, {
        "pyproject.toml": (
            '[tool.dagshift]\ntarget-version = "2.11.2"\n\n[[tool.dagshift.environments]]\nname = "etl"\n'
            'root = "pipelines"\nplatform = "mwaa"\ndags = ["pipelines/flows"]\nrequirements = ["pipelines/deps/mwaa.txt"]\n'
            'from-version = "2.5.1"\n'),
        "pipelines/flows/etl.py": DAG,
        "pipelines/deps/mwaa.txt": "apache-airflow-backport-providers-amazon\n",
        "pipelines/deps/local.txt": "pytest\n",
    })
    data = environments(cli, root)
    # deps/mwaa.txt is read as requirements because it is declared; deps/local.txt is no file dagshift reads.
    assert summary(data) == [("pipelines", "mwaa", "2.5.1", {
        "pipelines/deps/mwaa.txt": "requirements", "pipelines/flows/etl.py": "dags"})]
    assert data["environments"][0]["name"] == "etl"
    assert data["not_airflow"] == {}
    out = cli("check", "--format", "concise", "--quiet", "--no-cache", cwd=root, registry=default_registry()).out
    assert out.startswith("pipelines/deps/mwaa.txt:1:1: DS301 ")


def test_a_bad_declaration_is_one_clear_error(cli, tmp_path):
    root = write(tmp_path, {"pyproject.toml": '[tool.dagshift]\n[[tool.dagshift.environments]]\ndag = ["x"]\n',
                            "dags/a.py": DAG})
    result = cli("environments", cwd=root, registry=default_registry())
    assert result.code == 2
    assert result.err.startswith(f"dagshift: error: {root / 'pyproject.toml'}: environments[0]: unknown key `dag`")


def test_a_declared_environment_is_checked_on_its_own_target(cli, tmp_path):
    root = write(tmp_path, {
        "pyproject.toml": (
            '[tool.dagshift]\ntarget-version = "3.0.6"\n\n'
            '[[tool.dagshift.environments]]\nname = "legacy"\nroot = "legacy"\ndags = ["legacy/dags"]\n'
            'target-version = "2.11.2"\n\n'
            '[[tool.dagshift.environments]]\nname = "new"\nroot = "new"\ndags = ["new/dags"]\n'),
        "legacy/dags/a.py": "from airflow.operators.dummy import DummyOperator\n",
        "new/dags/b.py": "from airflow.operators.dummy import DummyOperator\n",
    })
    result = cli("check", "--format", "concise", "--no-cache", cwd=root, registry=default_registry())
    assert result.out.splitlines()[:2] == [
        "legacy/dags/a.py:1:37: DS503 [*] DummyOperator is deprecated on Airflow 2.11.2: use "
        "`airflow.operators.empty.EmptyOperator`",
        "new/dags/b.py:1:37: DS503 [*] DummyOperator was removed in Airflow 3: the import fails on 3.0.6; use "
        "`airflow.providers.standard.operators.empty.EmptyOperator`"]
    text = cli("check", "--no-cache", cwd=root, registry=default_registry()).out
    assert text.splitlines()[-1] == "Environments: legacy/ (Airflow), checked for 2.11.2 (declared); new/ (Airflow)."


def test_helm_values_with_git_sync_name_the_dags_folder(cli, tmp_path):
    root = write(tmp_path, {
        "k8s/airflow/values.yaml": ("images:\n  airflow:\n    repository: example/airflow\n    tag: latest\n"
                                    "dags:\n  gitSync:\n    enabled: true\n    subPath: dags\n"),
        "k8s/airflow/Dockerfile": "FROM apache/airflow:3.1.7\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        "k8s/airflow/requirements.txt": "apache-airflow-providers-openai\n",
        "dags/rag.py": DAG,
        "apps/chat/requirements.txt": "streamlit\n",
    })
    data = environments(cli, root)
    assert summary(data) == [("k8s/airflow", "self-managed", "3.1.7", {
        "dags/rag.py": "dags", "k8s/airflow/Dockerfile": "image", "k8s/airflow/requirements.txt": "requirements",
        "k8s/airflow/values.yaml": "infrastructure"})]
    assert data["not_airflow"] == {"apps/chat/requirements.txt": "outside every Airflow environment"}


def test_the_result_cache_follows_a_files_environment(cli, tmp_path):
    """The requirements file does not change; the Dockerfile beside it decides whether it is an
    Airflow image's (judged) or another image's (not): a warm run must not answer from the cache."""
    root = write(tmp_path, {
        "pyproject.toml": f'[tool.dagshift]\ncache-dir = "{tmp_path / "cache"}"\n',
        "dags/a.py": DAG,
        "image/Dockerfile": "FROM apache/airflow:2.7.1\nCOPY requirements.txt /\nRUN pip install -r /requirements.txt\n",
        "image/requirements.txt": "boto3\n",
    })
    args = ("check", "--target-version", "2.5.1", "--select", "DS301", "--format", "concise", "--quiet")
    first = cli(*args, cwd=root, registry=default_registry()).out
    assert first.startswith("image/requirements.txt:1:1: DS301 ")
    (root / "image" / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY requirements.txt /\n")
    assert cli(*args, cwd=root, registry=default_registry()).out == ""


def test_dag_files_at_the_repository_root_are_shown_as_its_dags_folder(cli, tmp_path):
    """A repository that is a DAGs folder (DAG files at its root, a helper package beside them)."""
    root = write(tmp_path, {
        "load_facilities.py": DAG + "with DAG('load_facilities'):\n    pass\n",
        "export_facilities.py": DAG + "with DAG('export_facilities'):\n    pass\n",
        "defaults.py": "RETRIES = 2\n",
        "helpers/geo.py": "def point(x, y):\n    return (x, y)\n",
        "README.md": "# facilities\n",
    })
    out = cli("environments", cwd=root, registry=default_registry()).out
    assert out.splitlines()[2:7] == [
        "the project root (Airflow)",
        "  root:           .",
        "  from version:   unknown (no infrastructure, image tag or pin says)",
        "  dags:           ./ (the root: 2 Python files importing Airflow)",
        "  other files:    2 (Python beside the DAGs, templates, resources)",
    ]


def test_a_declared_environment_can_be_mwaa_serverless(cli, tmp_path):
    """`target-version = "serverless"` on one environment: its DAGs get the platform's rules too; the
    MWAA environment beside it does not."""
    dag = ("from datetime import datetime\nfrom airflow import DAG\n"
           "from airflow.providers.http.operators.http import HttpOperator\n\n"
           "with DAG('etl', schedule=None, start_date=datetime(2024, 1, 1)):\n"
           "    HttpOperator(task_id='ping', endpoint='/health')\n")
    root = write(tmp_path, {
        "pyproject.toml": (
            '[tool.dagshift]\ntarget-version = "3.0.6"\n\n'
            '[[tool.dagshift.environments]]\nname = "workflows"\nroot = "workflows"\ndags = ["workflows/dags"]\n'
            'target-version = "serverless"\n\n'
            '[[tool.dagshift.environments]]\nname = "mwaa"\nroot = "mwaa"\ndags = ["mwaa/dags"]\n'),
        "workflows/dags/etl.py": dag,
        "mwaa/dags/etl.py": dag,
    })
    result = cli("check", "--format", "concise", "--no-cache", "--select", "DS6", cwd=root, registry=default_registry())
    assert result.out.splitlines()[:1] == [
        "workflows/dags/etl.py:6:5: DS601 `HttpOperator` is not on MWAA Serverless engine 1's operator allow-list: "
        "the workflow is refused (use an AWS operator of the list, or a PythonOperator/BashOperator)"]
    assert "mwaa/dags" not in result.out
    shown = cli("environments", cwd=root, registry=default_registry()).out
    assert "  target:         serverless-1 (declared)" in shown
    text = cli("check", "--no-cache", cwd=root, registry=default_registry()).out
    assert text.splitlines()[-1] == ("Environments: mwaa/ (Airflow); workflows/ (Airflow), checked for serverless-1 "
                                     "(declared).")


def test_a_declared_target_names_no_serverless_engine_that_does_not_exist(cli, tmp_path):
    """(A pyproject.toml whose only dagshift table is `[[tool.dagshift.environments]]` is read too.)"""
    root = write(tmp_path, {
        "pyproject.toml": ('[[tool.dagshift.environments]]\nname = "w"\nroot = "w"\ndags = ["w/dags"]\n'
                           'target-version = "serverless-9"\n'),
        "w/dags/a.py": DAG,
    })
    result = cli("check", cwd=root, registry=default_registry())
    assert result.code == 2
    assert "environments[0]: `target-version` 'serverless-9' names no MWAA Serverless engine version" in result.err
