"""What a new user meets in the first ten minutes: the words `--help` and the package metadata use."""

from __future__ import annotations

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

