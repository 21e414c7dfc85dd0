"""How each kind of evidence is read, case by case (each case written from a layout seen in a public
repository, reduced to what shows it): Terraform modules and references, CloudFormation parameters
and comments, uploads in CI, CDK assets, versions that are not literals, pins, Dockerfiles."""

from __future__ import annotations

from test_layouts import DAG, environments, summary, write

from dagshift.rules import default_registry

CFN = "Resources:\n  Env:\n    Type: AWS::MWAA::Environment\n    Properties:\n"


def short(cli, root):
    """(root, platform, from_version, dags folders, requirements files) per environment."""
    data = environments(cli, root)
    return [(e["root"], e["platform"], e["from_version"], e["dags"], e["requirements"]) for e in data["environments"]]


def test_terraform_module_and_references(cli, tmp_path):
    root = write(tmp_path, {
        "airflow/dags/a.py": DAG,
        "airflow/requirements.txt": "apache-airflow-providers-slack\n",
        "terraform/main.tf": (
            'resource "aws_s3_object" "dags_folder" {\n  key = "dags/"\n}\n'
            'resource "aws_s3_object" "reqs" {\n  key    = "requirements.txt"\n  source = "../airflow/requirements.txt"\n}\n'
            'resource "aws_mwaa_environment" "this" {\n  airflow_version      = var.airflow.version\n'
            '  dag_s3_path          = aws_s3_object.dags_folder.key\n  requirements_s3_path = aws_s3_object.reqs.key\n}\n'),
        "terraform/variables.tf": 'variable "airflow" {\n  default = {\n    version = "2.8.1"\n  }\n}\n',
        "modules/mwaa/main.tf": (
            'module "mwaa" {\n  source          = "aws-ia/mwaa/aws"\n  airflow_version = "2.8.1"\n'
            '  dag_s3_path     = "dags"\n}\n'),
    })
    assert short(cli, root) == [("airflow", "mwaa", "2.8.1", ["airflow/dags"], ["airflow/requirements.txt"])]
    files = environments(cli, root)["environments"][0]["files"]
    assert files["terraform/main.tf"] == files["terraform/variables.tf"] == "infrastructure"
    # A module call is read too (its DAGs are the same folder's: one environment, two declarations).
    assert files["modules/mwaa/main.tf"] == "infrastructure"


def test_a_terraform_module_repository_holds_no_environment(cli, tmp_path):
    root = write(tmp_path, {
        "main.tf": 'resource "aws_mwaa_environment" "this" {\n  airflow_version = var.airflow_version\n'
                   '  dag_s3_path = var.dag_s3_path\n}\n',
        "variables.tf": 'variable "airflow_version" {\n  default = "2.0.2"\n}\nvariable "dag_s3_path" {\n  default = "dags/"\n}\n',
    })
    assert short(cli, root) == []


def test_cloudformation_parameter_default_and_commented_keys(cli, tmp_path):
    root = write(tmp_path, {
        "dags/a.py": DAG,
        "tools/requirements.txt": "requests\n",
        "template.yaml": ("Parameters:\n  AirflowVersion:\n    Type: String\n    Default: 2.5.1\n" + CFN +
                         "      AirflowVersion: !Ref AirflowVersion\n      DagS3Path: dags\n"
                         "      # RequirementsS3Path: requirements.txt\n"),
    })
    assert short(cli, root) == [(".", "mwaa", "2.5.1", ["dags"], [])]
    assert environments(cli, root)["not_airflow"] == {
        "tools/requirements.txt": "not a requirements file environment . installs (none was found)"}


def test_each_project_of_a_monorepo_keeps_its_own_declaration_and_uploads(cli, tmp_path):
    root = write(tmp_path, {
        "projA/dags/a.py": DAG, "projB/dags/b.py": DAG,
        "projA/deploy.sh": "aws s3 sync dags s3://bucket-a/dags\n",
        "projA/template.yaml": CFN + "      AirflowVersion: 2.10.3\n      DagS3Path: dags\n",
        "projB/template.yaml": CFN + "      AirflowVersion: 2.7.2\n      DagS3Path: dags\n",
    })
    assert short(cli, root) == [("projA", "mwaa", "2.10.3", ["projA/dags"], []),
                                ("projB", "mwaa", "2.7.2", ["projB/dags"], [])]


def test_a_github_expression_in_the_bucket_keeps_the_key(cli, tmp_path):
    root = write(tmp_path, {
        "airflow/dags/a.py": DAG, "examples/dags/b.py": DAG,
        ".github/workflows/deploy.yml": "jobs:\n  d:\n    steps:\n      - run: aws s3 sync airflow/dags s3://${{ secrets.BUCKET }}/dags\n",
        "infra/mwaa.yaml": CFN + "      AirflowVersion: 2.10.3\n      DagS3Path: dags\n",
    })
    assert short(cli, root)[0] == ("airflow", "mwaa", "2.10.3", ["airflow/dags"], [])


def test_cdk_asset_from_the_app_folder_and_a_version_that_is_a_name(cli, tmp_path):
    root = write(tmp_path, {
        "dags/x.py": DAG,
        "projA/cdk.json": "{}\n",
        "projA/dags/a.py": DAG,
        "projA/stack.py": (
            'AIRFLOW_VERSION = "2.2.2"\ns3deploy.BucketDeployment(self, "d", destination_key_prefix="dags",\n'
            '    sources=[s3deploy.Source.asset(f"dags")])\n'
            'mwaa.CfnEnvironment(self, "E", airflow_version=AIRFLOW_VERSION, dag_s3_path="dags")\n'),
    })
    envs = short(cli, root)
    assert ("projA", "mwaa", None, ["projA/dags"], []) in envs  # never `AIRFLOW_VERSION` as a version
    assert [e for e in envs if e[0] == "."][0][1] == "unknown"  # the root dags/ is not that CDK app's


def test_pins_in_comments_are_no_evidence_and_names_are_normalised(cli, tmp_path):
    root = write(tmp_path, {
        "dags/a.py": DAG,
        "requirements.txt": ('#--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.8.1/'
                             'constraints-3.11.txt"\napache_airflow==2.10.3\napache-airflow-providers-snowflake\n'),
    })
    assert short(cli, root) == [(".", "unknown", "2.10.3", ["dags"], ["requirements.txt"])]


def test_typed_lambda_handler(cli, tmp_path):
    root = write(tmp_path, {
        "dags/a.py": DAG, "requirements.txt": "boto3\n",
        "fn/app.py": "from typing import Any, Dict\n\n\ndef handler(event: Dict[str, Any], context: Any) -> Dict[str, Any]:\n    return {}\n",
        "fn/requirements.txt": "boto3\n",
    })
    assert environments(cli, root)["not_airflow"]["fn/requirements.txt"] == (
        "belongs to an AWS Lambda function at fn/ (fn/app.py:4: def handler(event: Dict[str, Any], context)")


def test_compose_that_builds_an_image_is_one_environment_with_it(cli, tmp_path):
    root = write(tmp_path, {
        "deploy/docker-compose.yml": "# apache/airflow:2.2.0 was the old image\nservices:\n  scheduler:\n"
                                     "    build:\n      context: ../airflow\n    volumes:\n      - ../airflow/dags:/opt/airflow/dags\n",
        "airflow/Dockerfile": "FROM apache/airflow:2.7.1\nCOPY requirements.txt /\nRUN pip install --no-cache-dir -r /requirements.txt\n",
        "airflow/requirements.txt": "sqlalchemy>=2.0.0\n",
        "airflow/dags/a.py": DAG,
    })
    assert short(cli, root) == [("deploy", "self-managed", "2.7.1", ["airflow/dags"], ["airflow/requirements.txt"])]


def test_an_airflow_image_of_ones_own_may_pin_airflow(cli, tmp_path):
    """DS303 and DS306 are MWAA's rules: an image built FROM apache/airflow pins Airflow as Airflow's
    Docker guide says, and pip installs it there."""
    root = write(tmp_path, {
        "dags/a.py": DAG,
        "Dockerfile": "FROM apache/airflow:2.8.1-python3.11\nCOPY requirements.txt /requirements.txt\n"
                      "RUN pip install -r /requirements.txt\n",
        "requirements.txt": "apache-airflow[amazon]==2.8.1\n",
    })
    out = cli("check", "--target-version", "2.8.1", "--format", "concise", "--quiet", "--no-cache", cwd=root,
              registry=default_registry()).out
    assert out == ("requirements.txt:1:1: DS301 [*] no `--constraint` line: pip may upgrade Airflow or pick provider "
                   "versions that break Airflow 2.8.1\n")


def test_providers_go_to_the_main_requirements_file_once(cli, tmp_path):
    root = write(tmp_path, {
        "dags/alerts.py": "from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator\n",
        "requirements.txt": "-r requirements/base.txt\nboto3\n",
        "requirements/base.txt": "apache-airflow-providers-slack\n",
    })
    assert summary(environments(cli, root))[0][3]["requirements/base.txt"] == "requirements"
    out = cli("check", "--target-version", "2.11.2", "--select", "DS305", "--format", "concise", "--quiet",
              "--no-cache", cwd=root, registry=default_registry()).out
    assert out == ""  # the file requirements.txt includes has it


def test_in_one_environment_only_the_main_requirements_file_is_asked_for_providers(cli, tmp_path):
    """No deployment layout: the repository is one environment with two requirements files; the
    provider is asked of requirements.txt alone, and not at all once the other file has it."""
    slack = "from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator\n"
    root = write(tmp_path, {"src/alerts.py": slack, "requirements.txt": "boto3\n", "requirements-prod.txt": "pandas\n"})
    args = ("check", "--target-version", "2.11.2", "--select", "DS305", "--format", "concise", "--quiet", "--no-cache")
    assert cli(*args, cwd=root, registry=default_registry()).out == (
        "requirements.txt:1:1: DS305 [*] `apache-airflow-providers-slack` is needed by src/alerts.py but not required\n")
    (root / "requirements-prod.txt").write_text("pandas\napache-airflow-providers-slack\n")
    assert cli(*args, cwd=root, registry=default_registry()).out == ""


def test_a_dag_file_no_deployment_names_joins_the_only_environment(cli, tmp_path):
    root = write(tmp_path, {
        "infra/main.tf": ('resource "google_composer_environment" "x" {\n  config {\n    software_config {\n'
                          '      image_version = "composer-2.9.10-airflow-2.9.3"\n    }\n  }\n}\n'),
        "composer/workflows/quickstart.py": "from airflow import DAG\n\nwith DAG('q') as dag:\n    pass\n",
    })
    assert short(cli, root) == [("infra", "composer", "2.9.3", ["composer/workflows"], [])]


def test_two_composer_environments_stay_two_and_a_helper_module_is_none(cli, tmp_path):
    env = ('resource "google_composer_environment" "{0}" {{\n  config {{\n    software_config {{\n'
           '      image_version = "composer-2.0.11-airflow-2.2.3"\n    }}\n  }}\n}}\n'
           'module "start-stop-composer" {{\n  source = "../../modules/start-stop-composer"\n}}\n')
    root = write(tmp_path, {
        "environments/dev/composer.tf": env.format("dev"), "environments/prod/composer.tf": env.format("prod"),
        "dags/q.py": DAG,
    })
    envs = environments(cli, root)["environments"]
    assert [(e["root"], e["platform"], e["from_version"]) for e in envs] == [
        (".", "unknown", None), ("environments/dev", "composer", "2.2.3"), ("environments/prod", "composer", "2.2.3")]
    assert [e for e in envs if e["root"] == "environments/dev"][0]["evidence"] == [
        'environments/dev/composer.tf:1: Cloud Composer environment resource google_composer_environment.dev '
        '(resource "google_composer_environment" "dev")']


def test_requirements_below_the_dags_folder_and_a_bare_airflow_pin(cli, tmp_path):
    root = write(tmp_path, {
        "dags/a.py": DAG,
        "dags/requirements/requirements.txt": ('--constraint "https://raw.githubusercontent.com/apache/airflow/'
                                               'constraints-2.2.2/constraints-3.7.txt"\napache-airflow-providers-ssh==2.3.0\n'),
        "tools/requirements.txt": "pandas==2.3.3\napache-airflow==3.1.7\n",
        "tools/load.py": "import pandas\n",
    })
    assert short(cli, root) == [(".", "unknown", "2.2.2", ["dags"], ["dags/requirements/requirements.txt"])]
    assert environments(cli, root)["not_airflow"]["tools/requirements.txt"] == (
        "not a requirements file environment . installs (dags/requirements/requirements.txt)")


def test_evidence_lines_survive_blank_lines_and_comments(cli, tmp_path):
    root = write(tmp_path, {
        "docker-compose.yml": "# h\n\n# a\n\n# b\nservices:\n  web:\n    image: apache/airflow:2.10.5\n",
        "dags/a.py": DAG,
    })
    assert environments(cli, root)["environments"][0]["from_evidence"] == (
        "docker-compose.yml:8: docker compose (apache/airflow:2.10.5)")


def test_compose_that_names_the_dockerfile_of_another_folder(cli, tmp_path):
    root = write(tmp_path, {
        "docker-compose.yml": ("services:\n  airflow:\n    build:\n      context: .\n      dockerfile: airflow/Dockerfile\n"
                               "    volumes:\n      - ./airflow/dags:/opt/airflow/dags\n"),
        "airflow/Dockerfile": ("FROM apache/airflow:2.7.1\nCOPY requirements-airflow.txt /tmp/requirements-airflow.txt\n"
                               "RUN pip install --no-cache-dir -r /tmp/requirements-airflow.txt\n"),
        "requirements-airflow.txt": "apache-airflow-providers-http\n",
        "airflow/dags/a.py": DAG,
    })
    assert short(cli, root) == [(".", "self-managed", "2.7.1", ["airflow/dags"], ["requirements-airflow.txt"])]


def test_an_image_pinning_another_airflow_than_the_target_is_a_decision(cli, tmp_path):
    root = write(tmp_path, {
        "Dockerfile": "FROM apache/airflow:2.8.1-python3.11\nCOPY requirements.txt /requirements.txt\n"
                      "RUN pip install -r /requirements.txt\n",
        "requirements.txt": "apache-airflow==2.8.1\n",
        "dags/a.py": DAG,
    })
    out = cli("check", "--target-version", "2.11.2", "--format", "concise", "--quiet", "--no-cache", cwd=root,
              registry=default_registry()).out
    assert out == (
        "requirements.txt:1:1: DS301 no `--constraint` line: pip may upgrade Airflow or pick provider versions that "
        "break Airflow 2.11.2\n"
        "requirements.txt:1:1: DS303 `apache-airflow==2.8.1` installs another Airflow than the target 2.11.2: this "
        "environment's image installs what this line says; move it, and the image it builds on, to 2.11.2\n")


def test_an_include_in_mwaas_dags_path_is_read_from_the_dags_folder(cli, tmp_path):
    root = write(tmp_path, {
        "dags/a.py": DAG,
        "dags/extra.txt": "dag-factory==1.0.0\n",
        "requirements.txt": ('--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.0.6/'
                             'constraints-3.12.txt"\n-r /usr/local/airflow/dags/extra.txt\n'),
    })
    out = cli("check", "--target-version", "3.0.6", "--select", "DS300", "--format", "concise", "--quiet", "--no-cache",
              cwd=root, registry=default_registry()).out
    assert out == ""  # not "`-r` chain is broken": MWAA reads it from the DAGs folder


def test_a_local_module_call_passes_its_version(cli, tmp_path):
    root = write(tmp_path, {
        "main.tf": 'resource "aws_mwaa_environment" "mwaa" {\n  airflow_version = var.airflow_version\n'
                   '  dag_s3_path     = var.dag_s3_path\n}\n',
        "variables.tf": 'variable "airflow_version" {\n  default = null\n}\nvariable "dag_s3_path" {\n  default = "dags"\n}\n',
        "examples/basic/main.tf": 'module "mwaa" {\n  source          = "../.."\n  airflow_version = "2.2.2"\n'
                                  '  dag_s3_path     = "dags"\n}\n',
        "examples/basic/dags/a.py": DAG,
    })
    assert short(cli, root) == [("examples/basic", "mwaa", "2.2.2", ["examples/basic/dags"], [])]


def test_compose_that_mounts_airflow_home_and_builds_the_image_beside_it(cli, tmp_path):
    root = write(tmp_path, {
        "docker-compose.yml": ("services:\n  airflow:\n    build: .\n    environment:\n      AIRFLOW_HOME: /airflow\n"
                               "      AIRFLOW__CORE__DAGS_FOLDER: /airflow/dags\n    volumes:\n      - ./airflow:/airflow\n"),
        "dockerfile": "FROM python:3.7\nRUN pip install 'apache-airflow[postgres]==1.10.14'\n",
        "airflow/airflow.cfg": "[core]\nexecutor = LocalExecutor\n",
        "airflow/dags/dag.py": DAG,
    })
    data = environments(cli, root)
    assert short(cli, root) == [(".", "self-managed", "1.10.14", ["airflow/dags"], [])]
    assert data["environments"][0]["files"]["airflow/airflow.cfg"] == "config"
    assert data["environments"][0]["from_evidence"] == (
        "dockerfile:2: airflow image (RUN pip install 'apache-airflow[postgres]==1.10.14')")
