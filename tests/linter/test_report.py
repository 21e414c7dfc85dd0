"""`dagshift report`: the HTML opens in a real headless Chromium, renders, sorts, logs no errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from dagshift.rules import default_registry

ARTIFACTS = Path(os.environ.get("DAGSHIFT_TEST_ARTIFACTS", ROOT / "test-artifacts"))
# The README names this step beside the test command; CI (.ci/run) installs Debian's chromium.
NO_CHROMIUM = ("the report test drives a headless Chromium and found none: install one (Debian: `sudo apt-get install "
               "chromium`) or set DAGSHIFT_CHROMIUM to a Chromium or Chrome executable")


def chromium() -> str:
    """The browser the HTML test drives: DAGSHIFT_CHROMIUM, else `chromium` on PATH. A missing one fails
    the test with one line saying how to get it (a skip would let CI pass without the test)."""
    found = os.environ.get("DAGSHIFT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).is_file():
        pytest.fail(NO_CHROMIUM, pytrace=False)
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "plugin_repo", root)
    shutil.copy(FIXTURES / "imports" / "mwaa_emr_dag.py", root / "dags" / "mwaa_emr_dag.py")
    shutil.copy(FIXTURES / "dag_api" / "reporting_dag.py", root / "dags" / "reporting_dag.py")
    shutil.copy(FIXTURES / "legacy_repo" / "dags" / "already_migrated.py", root / "dags" / "already_migrated.py")
    shutil.copy(FIXTURES / "requirements" / "mwaa_1_10_12.txt", root / "requirements.txt")
    shutil.copy(FIXTURES / "config_repo" / "airflow.cfg", root / "airflow.cfg")
    # Not Airflow's: a Lambda function and its requirements (neither counted nor listed).
    (root / "lambdas" / "notify").mkdir(parents=True)
    (root / "lambdas" / "notify" / "app.py").write_text("def handler(event, context):\n    return event\n")
    (root / "lambdas" / "notify" / "requirements.txt").write_text("boto3==1.17.0\n")
    return root


def report(cli, repo: Path, *args: str):
    return cli("report", "--target-version", "2.5.1", *args, cwd=repo, registry=default_registry())


def test_markdown_summary_for_pull_requests(cli, repo):
    out = report(cli, repo, "--format", "markdown").out
    lines = out.splitlines()
    assert lines[0] == "### Airflow 2.5.1 migration readiness"
    assert lines[2].startswith("**")
    assert "| Imports |" in out and "| Plugins |" in out and "| Requirements |" in out
    assert "Providers needed: `apache-airflow-providers-amazon`" in out
    # The readiness matrix: one row per target, the chosen one in bold; then the steps in order.
    from dagshift.linter.targets import creatable, supported_targets

    # The targets MWAA creates environments on, and the chosen one (2.5.1, which it no longer creates).
    matrix = [line for line in lines if line.startswith("| ") and line.split(" | ")[0][2:].strip("*")[:2] in ("2.", "3.")]
    assert [row.split(" | ")[0][2:].strip("*") for row in matrix] == [
        t.airflow for t in supported_targets() if creatable(t) or t.airflow == "2.5.1"]
    assert [row for row in matrix if row.startswith("| **")] == [next(r for r in matrix if "2.5.1" in r)]
    steps = [line for line in lines if line[:3] in ("1. ", "2. ", "3. ", "4. ", "5. ", "6. ")]
    assert steps[0].startswith("1. **Apply the safe fixes** `dagshift check --target-version 2.5.1 --fix`: ")
    assert steps[-1] == (f"{len(steps)}. **Check again until nothing is left** `dagshift check --target-version 2.5.1`: "
                         "exit 0 means ready")
    assert any("**Left for plugin owners**: 5 findings with no mechanical fix" in line for line in steps)
    assert any("**Left for whoever owns airflow.cfg / the MWAA environment's configuration**" in line for line in steps)


def test_no_matrix_checks_the_chosen_target_only(cli, repo):
    out = report(cli, repo, "--format", "markdown", "--no-matrix").out
    assert "| Target |" not in out and "1. **Apply the safe fixes**" in out


def test_html_renders_sorts_and_logs_no_errors(cli, repo):
    from playwright.sync_api import sync_playwright

    browser_path = chromium()
    result = report(cli, repo, "--output", "report.html")
    assert result.code == 0
    html = (repo / "report.html").read_text()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "<link" not in html  # self-contained
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((repo / "report.html").as_uri())
        assert page.title() == "Airflow 2.5.1 migration readiness"
        ready, auto, manual = (int(page.inner_text(f"#{i} b")) for i in ("ready", "auto", "manual"))
        assert auto + manual == page.locator("#files tbody tr").count()  # the ready files are a count, not rows
        assert ready >= 1 and manual >= 1
        assert "lambdas/" not in page.inner_text("#files")
        # One environment (the repository root), counted as the cards count.
        env = page.locator("#environments tbody tr td").all_inner_texts()
        assert env[0] == "the project root (Airflow)" and [int(c) for c in env[3:6]] == [ready, auto, manual]
        assert page.locator("svg rect").count() >= 3  # one bar per rule family that has findings
        # The matrix counts what the cards count, on the chosen target's row.
        chosen = page.locator("#matrix tr.chosen td").all_inner_texts()
        assert chosen[0] == "2.5.1 (this report)" and [int(c) for c in chosen[3:6]] == [ready, auto, manual]
        assert page.locator("#matrix tbody tr").count() == 11  # MWAA's 10 creatable versions, and 2.5.1
        assert page.locator("ol.steps > li").count() >= 3

        def column(index: int) -> list[str]:
            return page.locator(f"#files tbody tr td:nth-child({index})").evaluate_all(
                "cells => cells.map(c => c.dataset.value)"
            )

        manual_column = [int(v) for v in column(3)]
        assert manual_column == sorted(manual_column, reverse=True)  # sorted by manual work on arrival
        page.click("th[data-key=total]")
        totals = [int(v) for v in column(5)]
        assert totals == sorted(totals, reverse=True)
        page.click("th[data-key=total]")
        assert [int(v) for v in column(5)] == sorted(totals)
        page.click("th[data-key=path]")
        paths = column(1)
        assert paths == sorted(paths)  # text sorts A to Z on the first click
        page.click("th[data-key=path]")
        assert column(1) == sorted(paths, reverse=True)
        link = page.locator("#files a").first.get_attribute("href")
        assert link is not None and "/docs/rules.md#ds" in link
        # Markdown code spans of the messages are rendered, not shown as backticks.
        assert page.locator("#files ul.findings li code").count() > page.locator("#files ul.findings li").count()
        assert "`" not in page.inner_text("#files")
        # Findings of a file in line order.
        lines = page.locator("#files tbody tr").first.locator("li span").evaluate_all(
            "spans => spans.map(s => parseInt(s.textContent.replace('line ', '')))"
        )
        assert lines == sorted(lines)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        for width in (1280, 1400, 1920):  # no horizontal overflow: nothing cut off, no scrollbar
            page.set_viewport_size({"width": width, "height": 900})
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            overflow = page.locator("#files td, #matrix td, ol.steps pre").evaluate_all(
                "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).length"
            )
            assert overflow == 0, width
        browser.close()
    assert errors == []
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_progress_bar_only_on_a_terminal_and_long_runs(monkeypatch):
    import io

    from dagshift.linter import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert cli._progress(5000) is None  # not a terminal: silent
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert cli._progress(10) is None  # a short run: no bar
    advance = cli._progress(300)
    assert advance is not None
    advance(150)
    advance(150)
    advance(0, finished=True)


def test_the_matrix_finds_on_each_target_what_a_check_of_that_target_finds(repo, monkeypatch):
    """linter/matrix.py shares each file's read and parse between the targets: every target's
    findings are exactly those of its own `dagshift check` run."""
    from pathlib import Path as _Path

    from dagshift.linter import engine, matrix
    from dagshift.linter.config import load_settings
    from dagshift.linter.discovery import discover
    from dagshift.linter.matrix import run_matrix, target_settings
    from dagshift.linter.repository import environments
    from dagshift.linter.targets import supported_targets

    monkeypatch.setattr(matrix, "PARALLEL_THRESHOLD", 2)  # the process pool, on a small repository
    registry = default_registry()
    base = load_settings([repo], {"cache": False}, registry.codes())
    files, _ = discover([repo], base, cwd=_Path(repo))
    every = [target_settings(base, t.airflow, t.python) for t in supported_targets()]
    shared = run_matrix(files, registry, every, environments(base, files), [], jobs=2)

    def seen(run):
        return [(d.path, d.code, d.location.line, d.location.column, d.message) for d in run.diagnostics]

    for settings, run in zip(every, shared):
        alone = engine.run(files, registry, settings, mode=engine.CHECK, jobs=1, details=False)
        assert seen(run) == seen(alone), settings.target_version
    assert len({len(run.diagnostics) for run in shared}) > 1  # the targets do differ


def test_without_chromium_the_html_test_fails_with_one_line_saying_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSHIFT_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(pytest.fail.Exception) as failed:  # a failure, not a skip
        chromium()
    assert failed.value.msg == NO_CHROMIUM and not failed.value.pytrace  # pytest prints the line alone
