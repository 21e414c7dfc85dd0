"""DS300-DS309 on realistic requirements files: exact findings, exact fixed text, what pip reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, write

from dagshift.rules import default_registry

FIXTURES = FIXTURES / "requirements"  # this module's own fixture folder
URL_251 = "https://raw.githubusercontent.com/apache/airflow/constraints-2.5.1/constraints-3.10.txt"


def run(cli, root: Path, *args: str):
    return cli("check", "--format", "concise", "--quiet", "--jobs", "1", *args, cwd=root, registry=default_registry())


def pip_reads(path: Path) -> list[str]:
    """What pip's own requirements-file parser makes of a file, without installing anything.

    pip opens the constraint file a requirements file names; the test points that line at the
    bundled copy of the same file so nothing is fetched.
    """
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    bundled = ROOT / "rules" / "requirements" / "data" / "constraints" / "constraints-2.5.1-3.10.txt"
    local = path.with_name("pip-view.txt")
    local.write_text(path.read_text().replace(URL_251, str(bundled)))
    return [p.requirement for p in parse_requirements(str(local), session=PipSession()) if not p.constraint]


MWAA_1_10_12 = """\
requirements.txt:2:14: DS302 [*] constraint file is for Airflow 1.10.12 / Python 3.7, the target is Airflow 2.5.1 / Python 3.10
requirements.txt:3:1: DS306 [*] `apache-airflow[aws,slack]` (==1.10.12) must not be installed on MWAA: the environment provides Airflow 2.5.1, and pip would replace or conflict with it; its extras are providers on Airflow 2.5.1: `aws` → apache-airflow-providers-amazon, `slack` → apache-airflow-providers-slack
requirements.txt:4:1: DS304 [*] `apache-airflow-backport-providers-amazon` is a backport provider for Airflow 1.10 (it requires apache-airflow~=1.10); use `apache-airflow-providers-amazon`
requirements.txt:5:1: DS304 [*] `apache-airflow-backport-providers-google` is a backport provider for Airflow 1.10 (it requires apache-airflow~=1.10); use `apache-airflow-providers-google`
requirements.txt:6:6: DS307 [-] `boto3==1.17.0` conflicts with Airflow 2.5.1's constraints, which pin `boto3==1.26.51`: pip will refuse to install the file
requirements.txt:7:9: DS307 [-] `requests==2.25.1` conflicts with Airflow 2.5.1's constraints, which pin `requests==2.28.2`: pip will refuse to install the file
requirements.txt:8:7: DS307 [-] `pandas<1.2,>=1.1` conflicts with Airflow 2.5.1's constraints, which pin `pandas==1.5.2`: pip will refuse to install the file
"""

FIXED_SAFE = f"""\
# Requirements for MWAA 1.10.12 (s3://my-mwaa-bucket/requirements.txt)
--constraint "{URL_251}"
apache-airflow-providers-slack
apache-airflow-providers-amazon
apache-airflow-providers-google  # BigQuery DAGs
boto3==1.17.0
requests==2.25.1
pandas>=1.1,<1.2
snowflake-connector-python
slackclient==2.9.3 ; python_version >= "3.6"
"""


@pytest.fixture
def mwaa_repo(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "mwaa_1_10_12.txt", tmp_path / "requirements.txt")
    return tmp_path


def test_mwaa_1_10_12_file_on_2_5_1(cli, mwaa_repo):
    result = run(cli, mwaa_repo, "--target-version", "2.5.1")
    assert result.out == MWAA_1_10_12
    assert result.code == 1


def test_safe_fix_then_unsafe_fix_and_pip_reads_the_result(cli, mwaa_repo):
    path = mwaa_repo / "requirements.txt"
    run(cli, mwaa_repo, "--target-version", "2.5.1", "--fix")
    assert path.read_text() == FIXED_SAFE
    again = run(cli, mwaa_repo, "--target-version", "2.5.1", "--fix")
    assert path.read_text() == FIXED_SAFE
    assert [line.split(": ")[1].split()[0] for line in again.out.splitlines()] == ["DS307"] * 3
    run(cli, mwaa_repo, "--target-version", "2.5.1", "--fix", "--unsafe-fixes")
    final = path.read_text()
    assert final == FIXED_SAFE.replace("boto3==1.17.0", "boto3").replace("requests==2.25.1", "requests").replace(
        "pandas>=1.1,<1.2", "pandas"
    )
    assert pip_reads(path) == [
        "apache-airflow-providers-slack", "apache-airflow-providers-amazon", "apache-airflow-providers-google",
        "boto3", "requests", "pandas", "snowflake-connector-python", 'slackclient==2.9.3 ; python_version >= "3.6"',
    ]


def test_crlf_file_keeps_crlf(cli, tmp_path):
    write(tmp_path, {"requirements.txt": b"apache-airflow-backport-providers-amazon==2021.3.3\r\nboto3\r\n"})
    run(cli, tmp_path, "--target-version", "2.5.1", "--fix")
    assert (tmp_path / "requirements.txt").read_bytes() == (
        f'--constraint "{URL_251}"\r\napache-airflow-providers-amazon\r\nboto3\r\n'.encode()
    )


def test_missing_constraint_is_an_error_before_2_7_2_and_a_warning_after(cli, tmp_path):
    write(tmp_path, {"requirements.txt": "# DAG deps\nboto3\n", "dags/etl.py": "from airflow import DAG\n"})
    before = run(cli, tmp_path, "--target-version", "2.5.1", "--format", "json")
    after = run(cli, tmp_path, "--target-version", "2.10.3", "--format", "json")
    import json

    assert [(d["code"], d["severity"], d["line"]) for d in json.loads(before.out)] == [("DS301", "error", 2)]
    assert [(d["code"], d["severity"]) for d in json.loads(after.out)] == [("DS301", "warning")]
    assert json.loads(after.out)[0]["message"].startswith("no `--constraint` line: MWAA 2.10.3 adds its own")


def test_private_index_find_links_and_r_chains(cli, tmp_path):
    write(tmp_path, {
        "requirements.txt": (
            "--index-url https://${AIRFLOW__FOO__USER}:${AIRFLOW__FOO__PASS}@my.privatepypi.com/simple\n"
            "--extra-index-url https://pypi.org/simple\n"
            "--find-links /usr/local/airflow/plugins\n"
            "-r requirements/base.txt\n"
            "-e git+https://github.com/org/lib.git#egg=lib\n"
            "internal-lib==1.2.3 --hash=sha256:0123456789abcdef\n"
        ),
        "requirements/base.txt": f'--constraint "{URL_251}"\n-r common.txt\nboto3\n',
        "requirements/common.txt": "pyyaml\n",
    })
    assert run(cli, tmp_path, "--target-version", "2.5.1").out == ""


def test_r_cycle_and_bad_lines(cli, tmp_path):
    write(tmp_path, {
        "requirements.txt": f'--constraint "{URL_251}"\n-r requirements-extra.txt\nboto3=1.0\n--frobnicate\n',
        "requirements-extra.txt": "-r requirements.txt\n",
    })
    result = run(cli, tmp_path, "--target-version", "2.5.1", "requirements.txt")
    lines = result.out.splitlines()
    assert lines[0] == (
        "requirements.txt:2:1: DS300 `-r` chain is broken: `-r requirements.txt` includes a file already being read "
        "(requirements.txt -> requirements-extra.txt)"
    )
    # The parser's own words come from `packaging` and change between its versions.
    assert lines[1].startswith("requirements.txt:3:1: DS300 pip cannot read this line: Expected ")
    assert lines[2] == "requirements.txt:4:1: DS300 pip cannot read this line: unknown option --frobnicate"
    assert len(lines) == 3


def test_local_constraint_file_is_accepted_and_used(cli, tmp_path):
    write(tmp_path, {
        "requirements.txt": '--constraint "/usr/local/airflow/dags/constraints-3.10-updated.txt"\nrequests==2.25.1\n',
        "dags/constraints-3.10-updated.txt": "requests==2.25.1\napache-airflow-providers-amazon==8.0.0\n",
    })
    assert run(cli, tmp_path, "--target-version", "2.5.1").out == ""


def test_protected_packages_from_2_9_2(cli, tmp_path):
    url = "https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt"
    write(tmp_path, {"requirements.txt": f'--constraint "{url}"\ncelery==5.2.0\n'})
    result = run(cli, tmp_path, "--target-version", "2.10.3")
    assert result.out.startswith("requirements.txt:2:7: DS307 [-] `celery==5.2.0` conflicts with Airflow 2.10.3's constraints")


def test_missing_providers_come_from_the_dags_imports(cli, tmp_path):
    write(tmp_path, {
        "dags/etl.py": (
            "from airflow.contrib.operators.slack_webhook_operator import SlackWebhookOperator\n"
            "from airflow.providers.amazon.aws.hooks.s3 import S3Hook\n"
        ),
        "requirements.txt": f'--constraint "{URL_251}"\nboto3',
    })
    result = run(cli, tmp_path, "--target-version", "2.5.1", "--select", "DS305")
    # amazon is in every MWAA environment already (its image installs it): only slack is missing.
    assert result.out == (
        "requirements.txt:1:1: DS305 [*] `apache-airflow-providers-slack` is needed by dags/etl.py but not required\n"
    )
    run(cli, tmp_path, "--target-version", "2.5.1", "--fix")
    assert (tmp_path / "requirements.txt").read_text() == (
        f'--constraint "{URL_251}"\nboto3\napache-airflow-providers-slack\n'
    )
    assert run(cli, tmp_path, "--target-version", "2.5.1").out == ""


def test_a_provider_the_constraints_do_not_pin_is_required_without_a_guessed_version(cli, tmp_path):
    url = "https://raw.githubusercontent.com/apache/airflow/constraints-2.11.2/constraints-3.12.txt"
    write(tmp_path, {
        "dags/beam.py": "from airflow.providers.apache.beam.operators.beam import BeamRunPythonPipelineOperator\n",
        "requirements.txt": f'--constraint "{url}"\napache-airflow-providers-google\n',
    })
    result = run(cli, tmp_path, "--target-version", "2.11.2", "--select", "DS305")
    assert result.out == (
        "requirements.txt:1:1: DS305 `apache-airflow-providers-apache-beam` is needed by dags/beam.py but not required, "
        "and Airflow 2.11.2's constraints do not pin it: add it at a version that supports the target, or the import "
        "fails\n"
    )
    write(tmp_path, {"requirements.txt": f'--constraint "{url}"\napache-airflow-providers-apache-beam==5.8.0\n'})
    assert run(cli, tmp_path, "--target-version", "2.11.2", "--select", "DS305").out == ""


def test_missing_providers_seen_when_only_requirements_is_checked(cli, tmp_path):
    # pre-commit passes only the changed file: the DAG folder is still read for its imports.
    write(tmp_path, {
        "dags/etl.py": "from airflow.contrib.operators.slack_webhook_operator import SlackWebhookOperator\n",
        "requirements.txt": f'--constraint "{URL_251}"\nboto3\n',
    })
    result = run(cli, tmp_path, "--target-version", "2.5.1", "requirements.txt")
    assert result.out == (
        "requirements.txt:1:1: DS305 [*] `apache-airflow-providers-slack` is needed by dags/etl.py but not required\n"
    )


def test_a_conda_export_is_one_finding_not_one_per_line(cli, tmp_path):
    (tmp_path / ".git").mkdir()
    lines = ["# This file may be used to create an environment using:", "# $ conda create --name <env> --file <this file>"]
    lines += [f"package{i}=1.{i}.0=pypi_0" for i in range(12)]
    (tmp_path / "requirements.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "etl.py").write_text("from airflow import DAG\n")
    out = cli("check", "--format", "concise", "--quiet", "--select", "DS300", "--target-version", "2.5.1",
              cwd=tmp_path, registry=default_registry()).out.splitlines()
    assert len(out) == 1
    assert out[0].startswith(
        "requirements.txt:3:1: DS300 pip cannot read 12 of the file's 12 lines: it is a conda environment export "
        "(`name=version=build` lines), not a pip requirements file: write the requirements as `name==version`")
    # A few bad lines among good ones are still reported one by one.
    (tmp_path / "requirements.txt").write_text("requests==2.31.0\nboto3==1.26.0\nnot a requirement !!\n")
    out = cli("check", "--format", "concise", "--quiet", "--select", "DS300", "--target-version", "2.5.1",
              cwd=tmp_path, registry=default_registry()).out.splitlines()
    assert [line.split(": DS300 ")[0] for line in out] == ["requirements.txt:3:1"]
