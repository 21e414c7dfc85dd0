"""The benchmark's DAG files as users meet them: the 1.10 warehouse DAG fixes into its migrated twin,
and the migrated files are settled by the pre-screen, without a parse, with nothing to report."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES

from dagshift.linter.checker import FileChecker
from dagshift.linter.config import build_settings
from dagshift.linter.discovery import FileEntry
from dagshift.linter.plan import Plan
from dagshift.linter.results import CHECK
from dagshift.rules import default_registry

BENCH = FIXTURES / "benchmark"
MIGRATED = sorted(BENCH.glob("migrated_*.py")) + [BENCH / "warehouse_dag_migrated.py"]


def test_warehouse_dag_fixes_into_its_migrated_twin(cli, tmp_path):
    shutil.copy(BENCH / "warehouse_dag_1_10.py", tmp_path / "warehouse.py")
    result = cli("check", "warehouse.py", "--fix", "--unsafe-fixes", "--format", "concise", "--target-version", "2.5.1",
                 cwd=tmp_path, registry=default_registry())
    # The slack provider's own deprecation code renames `http_conn_id`: that fix is made too.
    assert result.out.splitlines()[:2] == ["Fixed 18 findings.", "All checks passed!"]
    assert result.code == 0
    expected = (BENCH / "warehouse_dag_migrated.py").read_text()
    expected = expected.replace("(Airflow 2.5 on MWAA)", "(Airflow 1.10 on MWAA)")
    # days_ago() was replaced; its import is left for the user (it may be used elsewhere).
    expected = expected.replace("from airflow.utils.trigger_rule import TriggerRule\n",
                                "from airflow.utils.dates import days_ago\nfrom airflow.utils.trigger_rule import TriggerRule\n")
    assert (tmp_path / "warehouse.py").read_text() == expected


@pytest.mark.parametrize("path", MIGRATED, ids=lambda p: p.name)
def test_migrated_dag_is_settled_without_a_parse(path, tmp_path):
    registry = default_registry()
    settings = build_settings({"target-version": "2.5.1"}, {}, registry.codes(), tmp_path)
    checker = FileChecker(Plan(registry, settings), {}, {})
    entry = FileEntry(path, path.name, path.name, "python", True, True)
    result = checker.check(entry, CHECK, parse=False)
    assert result is not None  # None would mean: the pre-screen sent it to the parser
    assert result.diagnostics == []


@pytest.mark.parametrize("written, line", [
    ('http_conn_id="slack_default"', 135),
    # After a comment line, spaced as some code bases write it: still a keyword the screen must see.
    ('# the webhook connection\n        http_conn_id = "slack_default"', 136),
])
def test_a_migrated_dag_with_a_deprecated_argument_is_still_parsed_and_reported(cli, tmp_path, written, line):
    text = (BENCH / "warehouse_dag_migrated.py").read_text()
    (tmp_path / "dag.py").write_text(text.replace('slack_webhook_conn_id="slack_default"', written))
    result = cli("check", "dag.py", "--format", "concise", "--quiet", "--target-version", "2.5.1", cwd=tmp_path,
                 registry=default_registry())
    # SlackWebhookOperator pops `http_conn_id` with a DeprecationWarning: the DAG loads, so a warning.
    assert result.out.splitlines() == [
        f"dag.py:{line}:9: DS502 [*] `http_conn_id` is deprecated on SlackWebhookOperator on Airflow 2.5.1 "
        "(with the provider versions it pins): use `slack_webhook_conn_id`",
    ]


def test_results_do_not_depend_on_jobs_or_cache_for_a_large_tree(tmp_path):
    """Past 400 files with several jobs the pre-screen runs in the pool: same findings, same order."""
    import subprocess
    import sys

    dags = tmp_path / "dags"
    dags.mkdir()
    sources = sorted(BENCH.glob("*migrated*.py"))
    for i in range(400):
        (dags / f"m_{i:03d}.py").write_text(f"# copy {i}\n" + sources[i % len(sources)].read_text())
    for i in range(8):
        (dags / f"w_{i}.py").write_text(f"# copy {i}\n" + (BENCH / "warehouse_dag_1_10.py").read_text())
    assert sources[2].name == "warehouse_dag_migrated.py"
    (dags / "m_002.py").write_text((dags / "m_002.py").read_text().replace("slack_webhook_conn_id=", "http_conn_id="))

    def run(*extra: str) -> str:
        command = [sys.executable, "-m", "dagshift", "check", "--format", "concise", "--target-version", "2.5.1",
                   "--cache-dir", str(tmp_path / "cache"), *extra, "dags"]
        proc = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 1, proc.stderr
        return proc.stdout

    one = run("--jobs", "1", "--no-cache")
    findings = [line for line in one.splitlines() if line.startswith("dags/")]
    assert len(findings) == 8 * 18 + 1
    assert [line for line in findings if line.startswith("dags/m_")] == [
        "dags/m_002.py:136:9: DS502 [*] `http_conn_id` is deprecated on SlackWebhookOperator on Airflow 2.5.1 "
        "(with the provider versions it pins): use `slack_webhook_conn_id`",
    ]
    assert run("--jobs", "2", "--no-cache") == one
    assert run("--jobs", "2") == one  # fills the cache from the pool
    assert run("--jobs", "2") == one  # answered from it


def test_the_phase_profile_script_runs():
    # benchmarks/phases.py backs the README's "why not" figures; it once stopped running unnoticed
    # after an engine module was split. (Its timings are not asserted: they depend on the machine.)
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "phases.py"), "--copies", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    labels = [line.rsplit(" ", 2)[0].strip() for line in done.stdout.splitlines()[:7]]
    assert labels == ["every rule's pre-screen (tokens, wants)", "CPython syntax check (ast.parse, in C)",
                      "libcst.parse_module", "node offsets (one code generation pass)",
                      "read-only walk, no visitor methods", "name-use index (one walk)",
                      "whole check (read, screen, parse, rules, fixes)"]
    assert "parse / that =" in done.stdout
