"""The real pre-commit, running this checkout's hooks (`pre-commit try-repo`) in a scratch git repo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

LEGACY = "from airflow import conf\n\nBUCKET = conf.get('core', 'dags_folder')\n"
CLEAN = "from airflow.configuration import conf\n\nBUCKET = conf.get('core', 'dags_folder')\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("precommit")
    proj = base / "proj"
    (proj / "dags").mkdir(parents=True)
    (proj / "dags" / "legacy.py").write_text(LEGACY)
    (proj / "dags" / "clean.py").write_text(CLEAN)
    (proj / "requirements.txt").write_text(
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.11.2/constraints-3.12.txt"\n'
        "boto3\n"
    )
    git(proj, "init", "-q")
    git(proj, "add", ".")
    git(proj, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")
    env = dict(os.environ, PRE_COMMIT_HOME=str(base / "cache"), NO_COLOR="1")
    return proj, env


def try_repo(project, hook: str, *files: str) -> subprocess.CompletedProcess:
    proj, env = project
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--verbose", "--files", *files],
        cwd=proj, env=env, capture_output=True, text=True, timeout=900,
    )


def test_check_hook_fails_on_a_1_10_file(project):
    proc = try_repo(project, "dagshift", "dags/legacy.py", "requirements.txt")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "dags/legacy.py:1:21: DS105 [*] `from airflow import conf`" in proc.stdout


def test_check_hook_passes_on_a_clean_file(project):
    proc = try_repo(project, "dagshift", "dags/clean.py", "requirements.txt")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_fix_hook_rewrites_the_file(project):
    proj, _ = project
    proc = try_repo(project, "dagshift-fix", "dags/legacy.py")
    assert proc.returncode == 1  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in proc.stdout
    assert (proj / "dags" / "legacy.py").read_text() == CLEAN
    proc = try_repo(project, "dagshift-fix", "dags/legacy.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
