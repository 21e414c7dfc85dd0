"""What a new user meets in the first ten minutes: the README's test steps (what CI runs), the words
`--help` and the package metadata use, and a build that prints no warning about our own metadata."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

from dagshift.linter.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")
# Each step of the README's "Run the tests" block, and the .ci/run lines that perform it (CI runs as
# root, quietly, and installs Chromium only when the machine lacks it).
CI_STEPS = {
    "python3 -m venv .venv && . .venv/bin/activate": ["python3 -m venv .venv", ". .venv/bin/activate"],
    "pip install -e '.[test]'": ["python -m pip install --quiet -e '.[test]'"],
    "sudo apt-get update && sudo apt-get install -y chromium": [
        "apt-get update -qq >/dev/null", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null"],
    "python -m pytest -q": ["python -m pytest -q"],
}
WHAT_IT_DOES = "moving to any Amazon MWAA target: 1.10 -> 2.x -> 3"


def readme_block(after: str) -> list[str]:
    """The commands of the first ```sh block after the line starting with `after` (comments dropped)."""
    rest = README.split("\n" + after, 1)[1]
    block = re.search(r"```sh\n(.*?)```", rest, re.S)
    assert block is not None
    return [line.split("   #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_test_steps_are_what_ci_runs():
    assert readme_block("Run the tests") == list(CI_STEPS)
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    missing = [line for lines in CI_STEPS.values() for line in lines if line not in ci]
    assert missing == []


def test_help_and_metadata_say_dagshift_moves_any_repository_to_any_mwaa_target():
    from dagshift import linter

    description = " ".join(build_parser().description.split())
    assert description == f"Static compatibility linter and auto-fixer for Airflow repositories {WHAT_IT_DOES}."
    assert linter.__doc__ is not None and "(1.10 -> 2.x -> 3)" in linter.__doc__
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'description = "Static compatibility linter and auto-fixer that moves Apache Airflow repositories to any ' \
           'Amazon MWAA target (1.10 -> 2.x -> 3)"' in pyproject


def test_a_build_prints_no_warning_about_the_projects_metadata(tmp_path):
    """`license` as an SPDX string with `license-files`, and the data folders listed as packages:
    setuptools warns about neither (it printed both at every install)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    output = proc.stdout + proc.stderr
    # (pip 24 and later relay the backend's warnings as BuildBackendWarning; older ones print setuptools' own)
    warnings = [line.strip() for line in output.splitlines() if re.search(r"\w*Warning: ", line)]
    assert warnings == []
    assert "Successfully built dagshift" in output
