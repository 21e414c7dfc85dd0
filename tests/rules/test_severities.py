"""`dagshift rules --target-version X` says what `check` gives on X.

For every rule and every target dagshift accepts (linter/data/mwaa_versions.json), the severities the
listing shows (its JSON) are compared with the severities of the findings `check`'s own checker
reports on that target, over a corpus that reaches each rule's cases: every rule's examples and the
fixture repositories, each checked on every target.
"""

from __future__ import annotations

import json
import socket
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import FIXTURES, write

from dagshift.linter.config import build_settings
from dagshift.linter.discovery import discover
from dagshift.linter.matrix import run_matrix, target_settings
from dagshift.linter.repository import environments
from dagshift.linter.results import engine_diagnostic
from dagshift.linter.targets import supported_targets
from dagshift.rules import default_registry

REGISTRY = default_registry()
TARGETS = [t.airflow for t in supported_targets()]
CORPORA = ("legacy_repo", "config_repo", "plugin_repo", "requirements", "dag_api", "imports", "airflow3", "replacements")
# The engine emits these for a file it cannot read, decode or fix; no corpus file can show them.
ENGINE_ONLY = ("DS902", "DS903", "DS904")


def check_everywhere(root: Path, seen: dict, **settings: object) -> None:
    """`check` on `root` for every target (one pass: linter/matrix.py, the checker `check` runs)."""
    base = build_settings({"select": ["ALL"], **settings}, {}, REGISTRY.codes(), root)
    files, _ = discover([root], base)
    per_target = [target_settings(base, t.airflow, t.python) for t in supported_targets()]
    for target, run in zip(TARGETS, run_matrix(files, REGISTRY, per_target, environments(base, files), [])):
        for diagnostic in run.diagnostics:
            seen[diagnostic.code, target].add(diagnostic.severity)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def observed(tmp_path_factory) -> dict:
    seen: dict = defaultdict(set)
    for rule in REGISTRY:
        for i, example in enumerate(rule.invalid):
            root = tmp_path_factory.mktemp(f"{rule.code}-{i}")
            write(root, {example.path: example.source, **dict(example.files)})
            check_everywhere(root, seen)
    for corpus in CORPORA:
        check_everywhere(FIXTURES / corpus, seen)
    # DS309: a constraint URL that cannot be fetched (nothing listens on the port).
    root = tmp_path_factory.mktemp("DS309")
    write(root, {"requirements.txt": f'--constraint "http://127.0.0.1:{closed_port()}/c.txt"\nboto3\n',
                 "dags/etl.py": "from airflow import DAG\n"})
    check_everywhere(root, seen, online=True, **{"cache-dir": str(root / ".cache")})
    for code in ENGINE_ONLY:
        severity = engine_diagnostic(REGISTRY, code, "dags/x.py", "detail").severity
        seen.update({(code, target): {severity} for target in TARGETS})
    return seen


@pytest.fixture(scope="module")
def listed() -> dict:
    """What `dagshift rules --target-version X --format json` prints, per target."""
    import contextlib
    import io

    from dagshift.linter.cli import main

    found = {}
    for target in TARGETS:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["rules", "--target-version", target, "--format", "json"], registry=REGISTRY) == 0
        for entry in json.loads(out.getvalue()):
            assert entry["target_version"] == target
            found[entry["code"], target] = set(entry["severities"])
    return found


def test_check_reports_only_the_severities_rules_lists(observed, listed):
    wrong = {(code, target): (sorted(seen), sorted(listed[code, target]))
             for (code, target), seen in observed.items() if not seen <= listed[code, target]}
    assert wrong == {}


def test_wherever_check_reports_a_rule_it_shows_every_severity_rules_lists(observed, listed):
    """Wherever the corpus reaches a rule on a target, it reaches each severity listed there: the
    listing names no case `check` does not have (each rule's examples show every one)."""
    wrong = {(code, target): (sorted(seen), sorted(listed[code, target]))
             for (code, target), seen in observed.items() if seen and seen != listed[code, target]}
    assert wrong == {}


def test_every_rule_is_reached_on_a_target_it_lists(observed, listed):
    # A platform's rules list no severity on an environment's target: tests/rules/serverless checks theirs.
    unreached = [rule.code for rule in REGISTRY if not rule.platform
                 and not any(observed.get((rule.code, t)) for t in TARGETS if listed[rule.code, t])]
    assert unreached == []


def test_the_severities_that_change_with_the_target(listed):
    """What users meet: DS301 warns where MWAA adds constraints (from 2.7.2) and errs in another
    platform's image; DS505 (Airflow's days_ago) is removed in Airflow 3; DS208 finds nothing on Airflow 2."""
    assert listed["DS301", "2.5.1"] == {"error"}
    assert listed["DS301", "2.11.2"] == {"error", "warning"}
    # (on Airflow 3 also a warning: gusty's own `!days_ago` tag in a DAG written in YAML still loads)
    assert listed["DS505", "2.11.2"] == {"warning"} and listed["DS505", "3.0.6"] == {"error", "warning"}
    assert listed["DS208", "2.11.2"] == set() and listed["DS208", "3.0.6"] == {"warning"}


def test_sarif_rules_carry_the_targets_severity(tmp_path, cli):
    """Code scanning shows a rule's default level: the run's target's, as `dagshift rules` lists it."""
    write(tmp_path, {"dags/etl.py": "from airflow.utils.dates import days_ago\n\nstart = days_ago(1)\n"})
    levels = {}
    for target in ("2.11.2", "3.0.6"):
        log = json.loads(cli("check", "--format", "sarif", "--target-version", target, cwd=tmp_path,
                             registry=REGISTRY).out)
        rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
        levels[target] = rules["DS505"]["defaultConfiguration"]["level"]
        found = [r["level"] for r in log["runs"][0]["results"] if r["ruleId"] == "DS505"]
        assert found == [levels[target]]
    assert levels == {"2.11.2": "warning", "3.0.6": "error"}
