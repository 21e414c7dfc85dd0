"""The GitHub Action (action.yml, scripts/action/): its steps run for real, with the inputs of the
README's workflow, on a 1.10 repository written here, with the GITHUB_* variables Actions sets and a
local HTTP server standing in for GitHub's code-scanning API."""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from action_runner import Run, declared_inputs, run_action
from conftest import ROOT, write

SHA = "8d2a3f0c9b1e4d5a6f7081929a3b4c5d6e7f8091"
TOKEN = "ghs_stand_in_token"
DAG = """from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator

with DAG("etl", start_date=datetime(2024, 1, 1), schedule_interval="@daily") as dag:
    BashOperator(task_id="load", bash_command="echo load", provide_context=True)
"""
ANNOTATIONS = [
    "::warning file=dags/etl.py,line=4,col=45,endLine=4,endColumn=57,title=DS102::DS102 "
    "`airflow.operators.bash_operator.BashOperator` is deprecated on Airflow 2.11.2: it moved to "
    "`airflow.operators.bash.BashOperator`",
    "::warning file=dags/etl.py,line=6,col=50,endLine=6,endColumn=67,title=DS504::DS504 `schedule_interval=` is "
    "deprecated on Airflow 2.11.2: use `schedule=`",
    "::error file=dags/etl.py,line=7,col=60,endLine=7,endColumn=75,title=DS501::DS501 `provide_context` is not an "
    "argument of BashOperator on Airflow 2.11.2: the DAG fails with \"Invalid arguments were passed\"",
]


def readme_workflow() -> dict:
    """The workflow of the README's "GitHub Actions" section, as a user copies it."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## GitHub Actions\n", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    return yaml.safe_load(block.group(1))


def readme_step() -> dict:
    steps = readme_workflow()["jobs"]["dagshift"]["steps"]
    return next(s for s in steps if s.get("uses", "").startswith("dagshift/dagshift@"))


class API(BaseHTTPRequestHandler):
    """GitHub's code-scanning endpoint, as far as an upload goes: it keeps what it received."""

    received: list[dict] = []
    answer: tuple[int, dict] = (202, {})

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {name.lower(): value for name, value in self.headers.items()}  # (names are case-insensitive)
        API.received.append({"method": self.command, "path": self.path, "headers": headers, "body": json.loads(body)})
        status, payload = API.answer
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def api():
    API.received, API.answer = [], (202, {"id": "47", "url": "https://api.github.com/repos/octo-org/etl-dags/code-scanning/sarifs/47"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), API)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory) -> Path:
    """One runner temp folder for the module, as one job: the action installs dagshift once."""
    return tmp_path_factory.mktemp("runner-temp")


def job_env(workspace: Path, runner_temp: Path, api_url: str) -> dict[str, str]:
    """What Actions sets for a job on a push to main (GITHUB_OUTPUT and GITHUB_ACTION_PATH are per step)."""
    for name in ("env", "path", "step_summary"):
        (runner_temp / name).touch()
    return {**os.environ, "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_REPOSITORY": "octo-org/etl-dags", "GITHUB_REPOSITORY_OWNER": "octo-org", "GITHUB_SHA": SHA,
            "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main", "GITHUB_EVENT_NAME": "push",
            "GITHUB_API_URL": api_url, "GITHUB_SERVER_URL": "https://github.com", "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(runner_temp), "GITHUB_ENV": str(runner_temp / "env"),
            "GITHUB_PATH": str(runner_temp / "path"), "GITHUB_STEP_SUMMARY": str(runner_temp / "step_summary"),
            "DAGSHIFT_TEST_TOKEN": TOKEN}


def action(tmp_path: Path, runner_temp: Path, api_url: str, with_: dict) -> Run:
    workspace = tmp_path / "etl-dags"
    write(workspace, {"dags/etl.py": DAG})
    return run_action(ROOT, with_, job_env(workspace, runner_temp, api_url), workspace)


def annotations(run: Run) -> list[str]:
    return [line for line in run.step("Check").stdout.splitlines() if line.startswith("::")]


def test_the_readme_workflow_uses_the_actions_own_inputs():
    step = readme_step()
    assert set(step["with"]) <= set(declared_inputs(ROOT))
    assert {"target-version", "paths", "annotate", "upload-sarif"} <= set(step["with"])
    # The upload needs the token to write security events.
    assert readme_workflow()["jobs"]["dagshift"]["permissions"]["security-events"] == "write"


def test_the_readme_workflow_annotates_uploads_and_fails_on_findings(tmp_path, runner_temp, api):
    run = action(tmp_path, runner_temp, api, readme_step()["with"])
    assert [(s.name, s.code) for s in run.steps] == [
        ("Install dagshift", 0), ("Check", 0), ("Upload SARIF to code scanning", 0), ("Exit with dagshift's code", 1)]
    assert run.code == 1 and run.outputs["exit-code"] == "1"
    assert annotations(run) == ANNOTATIONS
    # One upload, as GitHub's API takes it: the SARIF dagshift wrote, gzipped and base64 encoded.
    [request] = API.received
    assert (request["method"], request["path"]) == ("POST", "/repos/octo-org/etl-dags/code-scanning/sarifs")
    assert request["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["x-github-api-version"] == "2022-11-28"
    body = request["body"]
    assert (body["commit_sha"], body["ref"], body["tool_name"]) == (SHA, "refs/heads/main", "dagshift")
    sarif_file = Path(run.outputs["sarif-file"])
    assert sarif_file == runner_temp / "dagshift.sarif"
    sent = gzip.decompress(base64.b64decode(body["sarif"]))
    assert sent == sarif_file.read_bytes()
    results = json.loads(sent)["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("DS102", "warning"), ("DS504", "warning"),
                                                           ("DS501", "error")]
    assert run.step("Upload SARIF to code scanning").stdout == (
        f"uploaded {sarif_file} to code scanning for refs/heads/main at {SHA[:12]}: "
        "https://api.github.com/repos/octo-org/etl-dags/code-scanning/sarifs/47\n")


def test_exit_zero_reports_without_failing_and_a_second_use_reuses_the_install(tmp_path, runner_temp, api):
    action(tmp_path / "first", runner_temp, api, {"target-version": "2.11.2"})
    run = action(tmp_path, runner_temp, api, {"target-version": "2.11.2", "args": "--exit-zero"})
    assert [s.code for s in run.steps] == [0, 0, 0, 0] and run.outputs["exit-code"] == "0"
    assert run.step("Install dagshift").stdout.startswith(f"dagshift is already installed in {runner_temp}/dagshift-action")
    assert annotations(run) == ANNOTATIONS
    assert run.step("Upload SARIF to code scanning").stdout == "upload-sarif is false: nothing uploaded\n"
    assert API.received == [] and run.outputs["sarif-file"] == ""


def test_text_instead_of_annotations(tmp_path, runner_temp, api):
    run = action(tmp_path, runner_temp, api, {"target-version": "2.11.2", "annotate": False, "paths": "dags"})
    assert run.code == 1 and annotations(run) == []
    lines = run.step("Check").stdout.splitlines()
    assert lines[0] == ("dags/etl.py:4:45: DS102 [*] `airflow.operators.bash_operator.BashOperator` is deprecated on "
                        "Airflow 2.11.2: it moved to `airflow.operators.bash.BashOperator`")
    assert "Found 1 error and 2 warnings in 1 file (3 fixable with `--fix`)." in lines


def test_a_refused_upload_fails_with_githubs_words(tmp_path, runner_temp, api):
    API.answer = (403, {"message": "Resource not accessible by integration"})
    run = action(tmp_path, runner_temp, api, {"target-version": "2.11.2", "upload-sarif": True})
    assert [(s.name, s.code) for s in run.steps][-1] == ("Upload SARIF to code scanning", 1)
    assert run.step("Upload SARIF to code scanning").stdout == (
        f"::error title=dagshift SARIF upload::HTTP 403 from {api}/repos/octo-org/etl-dags/code-scanning/sarifs: "
        "Resource not accessible by integration (the job needs `permissions: {security-events: write}`; a pull "
        "request from a fork gets a read-only token)\n")


def test_an_input_that_is_not_a_boolean_is_an_error(tmp_path, runner_temp, api):
    run = action(tmp_path, runner_temp, api, {"annotate": "sometimes"})
    assert [(s.name, s.code) for s in run.steps][-1] == ("Check", 2)
    assert run.step("Check").stdout == (
        "::error title=dagshift action::the `annotate` input is true or false, not 'sometimes'\n")
