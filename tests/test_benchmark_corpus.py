"""The benchmark's DAG files as users meet them: the 1.10 warehouse DAG fixes into its migrated twin,
and the migrated files are settled by the pre-screen, without a parse, with nothing to report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from linter.config import build_settings
from linter.discovery import FileEntry
from linter.engine import CHECK, FileChecker, Plan
from rules import default_registry

BENCH = Path(__file__).resolve().parent / "fixtures" / "benchmark"
MIGRATED = sorted(BENCH.glob("migrated_*.py")) + [BENCH / "warehouse_dag_migrated.py"]


def test_warehouse_dag_fixes_into_its_migrated_twin(cli, tmp_path):
    shutil.copy(BENCH / "warehouse_dag_1_10.py", tmp_path / "warehouse.py")
    result = cli("check", "warehouse.py", "--fix", "--unsafe-fixes", "--format", "concise", "--target-version", "2.5.1",
                 cwd=tmp_path, registry=default_registry())
    # The one thing no fix can decide: the slack provider renamed the connection argument.
    assert result.out.splitlines()[:2] == [
        "warehouse.py:136:9: DS502 `http_conn_id` is not an argument of SlackWebhookOperator on Airflow 2.5.1 "
        "(with the provider versions it pins): the DAG fails with \"Invalid arguments were passed\"",
        "Fixed 17 findings.",
    ]
    assert result.code == 1
    expected = (BENCH / "warehouse_dag_migrated.py").read_text()
    expected = expected.replace("(Airflow 2.5 on MWAA)", "(Airflow 1.10 on MWAA)")
    expected = expected.replace('slack_webhook_conn_id="slack_default"', 'http_conn_id="slack_default"')
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


def test_a_migrated_dag_with_a_dropped_argument_is_still_parsed_and_reported(cli, tmp_path):
    text = (BENCH / "warehouse_dag_migrated.py").read_text()
    (tmp_path / "dag.py").write_text(text.replace("slack_webhook_conn_id=", "http_conn_id="))
    result = cli("check", "dag.py", "--format", "concise", "--quiet", "--target-version", "2.5.1", cwd=tmp_path,
                 registry=default_registry())
    assert result.out.splitlines() == [
        "dag.py:135:9: DS502 `http_conn_id` is not an argument of SlackWebhookOperator on Airflow 2.5.1 "
        "(with the provider versions it pins): the DAG fails with \"Invalid arguments were passed\"",
    ]
