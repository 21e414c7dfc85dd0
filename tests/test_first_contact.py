"""What a new user meets in the first ten minutes: the words `--help` and the package metadata use, and a
build that prints no warning about our own metadata."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

from dagshift.linter.cli import build_parser

WHAT_IT_DOES = "moving to any Amazon MWAA target: 1.10 -> 2.x -> 3"


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
    warnings = [line.strip() for line in output.splitlines() if re.search(r"Setuptools\w*Warning|_Warning:", line)]
    assert warnings == []
    assert "Successfully built dagshift" in output
