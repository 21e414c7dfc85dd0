"""End-to-end behaviour of `dagshift check` on a realistic 1.10 repository, with the test rules."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from conftest import FIXTURES, write

FIXTURE = FIXTURES / "legacy_repo"

CONCISE = """\
config/airflow.cfg:2:11: DS491 [*] secrets backend `airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend` moved
dags/etl_daily.py:5:45: DS191 [*] `airflow.operators.bash_operator.BashOperator` moved to `airflow.operators.bash.BashOperator`
dags/etl_daily.py:31:9: DS591 [-] `provide_context` is not needed on Airflow 2
requirements.txt:1:1: DS392 `apache-airflow-providers-amazon` is imported by dags/etl_daily.py but not required
requirements.txt:3:1: DS391 [*] `apache-airflow-backport-providers-amazon` is a backport provider; use `apache-airflow-providers-amazon`
Found 4 errors and 1 warning in 3 files (3 fixable with `--fix`, 1 more with `--unsafe-fixes`).
  by rule: DS191 ×1, DS391 ×1, DS392 ×1, DS491 ×1, DS591 ×1
Target: Airflow 2.11.2 (default: the newest Airflow 2 MWAA creates), Python 3.12.
"""

FIXED_DAG = (FIXTURE / "dags" / "etl_daily.py").read_text().replace(
    "from airflow.operators.bash_operator import BashOperator  # 1.10 path",
    "from airflow.operators.bash import BashOperator  # 1.10 path",
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(FIXTURE, dest)
    return dest


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_reports_every_finding_in_order(cli, repo, jobs):
    result = cli("check", "--format", "concise", "--jobs", jobs, cwd=repo)
    assert result.out == CONCISE
    assert result.code == 1


def test_text_format_shows_source_caret_and_fix(cli, repo):
    result = cli("check", "dags/etl_daily.py", "--select", "DS191", cwd=repo)
    assert result.out == (
        "dags/etl_daily.py:5:45: DS191 [*] `airflow.operators.bash_operator.BashOperator` moved to "
        "`airflow.operators.bash.BashOperator`\n"
        "  |\n"
        "5 | from airflow.operators.bash_operator import BashOperator  # 1.10 path\n"
        "  |                                             ^^^^^^^^^^^^\n"
        "  = help: import from `airflow.operators.bash`\n"
        "5 - from airflow.operators.bash_operator import BashOperator  # 1.10 path\n"
        "  + from airflow.operators.bash import BashOperator  # 1.10 path\n"
        "\n"
        "Found 1 error in 1 file (1 fixable with `--fix`).\n"
        "  by rule: DS191 ×1\n"
        "Target: Airflow 2.11.2 (default: the newest Airflow 2 MWAA creates), Python 3.12.\n"
    )


def test_fix_rewrites_only_what_it_fixes_and_converges(cli, repo):
    before = snapshot(repo)
    result = cli("check", "--fix", "--format", "concise", cwd=repo)
    assert result.code == 1  # DS591's fix is unsafe, so that finding remains
    assert result.out.splitlines()[0] == "dags/etl_daily.py:31:9: DS591 [-] `provide_context` is not needed on Airflow 2"
    assert "Fixed 3 findings." in result.out
    after = snapshot(repo)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"dags/etl_daily.py", "requirements.txt", "config/airflow.cfg"}
    assert after["dags/etl_daily.py"].decode() == FIXED_DAG
    assert after["requirements.txt"] == b"# MWAA 1.10.12 requirements\nboto3==1.17.0\napache-airflow-providers-amazon\n"
    assert after["config/airflow.cfg"] == (
        b"[secrets]\nbackend = airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend\n"
        b'backend_kwargs = {"connections_prefix": "airflow/connections"}\n'
    )
    # A second --fix changes nothing.
    again = cli("check", "--fix", "--format", "concise", cwd=repo)
    assert snapshot(repo) == after
    assert "Fixed" not in again.out


def test_unsafe_fixes_apply_only_when_asked(cli, repo):
    result = cli("check", "--fix", "--unsafe-fixes", "--format", "concise", cwd=repo)
    assert result.code == 0
    assert result.out.startswith("Fixed 4 findings.\nAll checks passed!\n")
    text = (repo / "dags" / "etl_daily.py").read_text()
    assert "        python_callable=load,\n    )\n" in text
    assert "provide_context" not in text


def test_diff_prints_unified_diff_and_writes_nothing(cli, repo):
    before = snapshot(repo)
    result = cli("check", "--diff", "requirements.txt", cwd=repo)
    assert result.out == (
        "--- a/requirements.txt\n"
        "+++ b/requirements.txt\n"
        "@@ -1,3 +1,3 @@\n"
        " # MWAA 1.10.12 requirements\n"
        " boto3==1.17.0\n"
        "-apache-airflow-backport-providers-amazon==2021.3.3\n"
        "+apache-airflow-providers-amazon\n"
    )
    assert result.err == "1 file would be changed (1 finding fixed).\n"
    assert result.code == 1
    assert snapshot(repo) == before


def test_exit_codes(cli, repo):
    assert cli("check", "dags/already_migrated.py", cwd=repo).code == 0
    assert cli("check", "dags/etl_daily.py", cwd=repo).code == 1
    assert cli("check", "dags/etl_daily.py", "--exit-zero", cwd=repo).code == 0
    assert cli("check", "dags/missing.py", cwd=repo).code == 2
    broken = cli("check", "--format", "concise", "--target-version", "1.10.12", cwd=repo)
    assert broken.code == 2
    assert "`target-version` '1.10.12' is not an Airflow version MWAA offers" in broken.err
    three = cli("check", "--format", "concise", "--target-version", "3.1.0", cwd=repo)
    assert three.code == 2
    assert three.err.rstrip().endswith("(choose one of 2.0.2, 2.2.2, 2.4.3, 2.5.1, 2.6.3, 2.7.2, 2.8.1, 2.9.2, "
                                       "2.10.1, 2.10.3, 2.11.0, 2.11.2, 3.0.6, 3.2.1, 3.3.1)")


def test_clean_file_reports_all_checks_passed(cli, repo):
    result = cli("check", "dags/already_migrated.py", cwd=repo)
    assert result.out == (
        "All checks passed!\nTarget: Airflow 2.11.2 (default: the newest Airflow 2 MWAA creates), Python 3.12.\n"
    )


def test_target_version_and_python_version_shown(cli, repo):
    result = cli("check", "dags/already_migrated.py", "--target-version", "2.5.1", cwd=repo)
    assert result.out.endswith("Target: Airflow 2.5.1 (from --target-version; MWAA no longer creates environments on it), Python 3.10.\n")


def test_missing_path_is_reported_and_others_still_checked(cli, repo):
    result = cli("check", "nope.py", "requirements.txt", "--format", "concise", cwd=repo)
    assert result.code == 2
    assert result.out.splitlines()[:3] == [
        "nope.py:1:1: DS903 no such file or directory",
        "requirements.txt:3:1: DS391 [*] `apache-airflow-backport-providers-amazon` is a backport provider; use `apache-airflow-providers-amazon`",
        "Found 2 errors in 2 files (1 fixable with `--fix`).",
    ]


def test_noqa_silences_matching_codes_only(cli, tmp_path):
    write(tmp_path, {
        "dags/a.py": (
            "from airflow.operators.bash_operator import BashOperator  # noqa: DS191\n"
            "from airflow.operators.bash_operator import BashSensor  # noqa: DS591\n"
            "from airflow.operators.bash_operator import X  # NOQA\n"
            "from airflow.operators.bash_operator import Y  # noqa:DS191,DS999\n"
            "import os  # noqa: E401\n"
        ),
        "requirements.txt": "apache-airflow-backport-providers-amazon  # noqa: DS391\napache-airflow-backport-providers-google\n",
    })
    result = cli("check", "--format", "concise", "--quiet", cwd=tmp_path)
    assert result.out == (
        "dags/a.py:2:45: DS191 [*] `airflow.operators.bash_operator.BashSensor` moved to `airflow.operators.bash.BashSensor`\n"
        "dags/a.py:4:48: DS905 `# noqa` names unknown rule code `DS999`\n"
        "requirements.txt:2:1: DS391 [*] `apache-airflow-backport-providers-google` is a backport provider; "
        "use `apache-airflow-providers-google`\n"
    )


def test_output_file(cli, repo):
    result = cli("check", "requirements.txt", "--format", "concise", "--output", "report.txt", cwd=repo)
    assert result.out == ""
    # Only requirements.txt was checked, so no DAG recorded a provider need (DS392 stays silent).
    assert (repo / "report.txt").read_text().startswith("requirements.txt:3:1: DS391 [*] ")
    assert result.code == 1


STATISTICS = [
    "1\tDS191\t[*] demo-bash-operator-module",
    "1\tDS391\t[*] demo-backport-provider",
    "1\tDS392\t    demo-missing-provider",
    "1\tDS491\t[*] demo-secrets-backend",
    "1\tDS591\t[-] demo-provide-context",
]


def test_statistics_is_the_table_alone_as_ruff_prints_it(cli, repo):
    result = cli("check", "--statistics", "--format", "concise", cwd=repo)
    assert result.out.splitlines() == STATISTICS
    assert result.code == 1
    assert cli("check", "--statistics", "-q", cwd=repo).out.splitlines() == STATISTICS  # not hidden by -q


def test_statistics_as_json(cli, repo):
    result = cli("check", "--statistics", "--format", "json", cwd=repo)
    rows = json.loads(result.out)
    assert rows[0] == {"code": "DS191", "name": "demo-bash-operator-module", "count": 1, "fixable": 1,
                       "unsafe_fixable": 0}
    assert [r["code"] for r in rows] == ["DS191", "DS391", "DS392", "DS491", "DS591"]
    assert rows[-1]["fixable"] == 0 and rows[-1]["unsafe_fixable"] == 1


def test_python_m_linter_is_the_same_program(repo):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "dagshift", "--version"], capture_output=True, text=True, cwd=repo)
    from dagshift.linter import __version__

    assert proc.stdout == f"dagshift {__version__}\n"
    assert proc.returncode == 0


def test_mode_bom_crlf_and_latin1_are_kept(cli, tmp_path):
    files = {
        "dags/bom_crlf.py": b"\xef\xbb\xbffrom airflow.operators.bash_operator import BashOperator\r\nx = 1\r\n",
        "dags/latin1.py": (
            "# -*- coding: latin-1 -*-\nfrom airflow.operators.bash_operator import BashOperator\nOWNER = 'José'\n"
        ).encode("latin-1"),
        # Mixed line endings, a tab-indented block and no final newline.
        "dags/mixed.py": b"import os\r\nfrom airflow.operators.bash_operator import BashOperator\nif os:\r\n\ty = 2",
    }
    write(tmp_path, files)
    os.chmod(tmp_path / "dags" / "latin1.py", 0o751)
    result = cli("check", "--fix", "--format", "concise", cwd=tmp_path)
    assert result.code == 0
    assert (tmp_path / "dags/mixed.py").read_bytes() == (
        b"import os\r\nfrom airflow.operators.bash import BashOperator\nif os:\r\n\ty = 2"
    )
    assert (tmp_path / "dags/bom_crlf.py").read_bytes() == (
        b"\xef\xbb\xbffrom airflow.operators.bash import BashOperator\r\nx = 1\r\n"
    )
    assert (tmp_path / "dags/latin1.py").read_bytes() == (
        "# -*- coding: latin-1 -*-\nfrom airflow.operators.bash import BashOperator\nOWNER = 'José'\n"
    ).encode("latin-1")
    assert stat.S_IMODE((tmp_path / "dags/latin1.py").stat().st_mode) == 0o751


def test_every_unknown_selector_is_named_at_once(cli, tmp_path):
    result = cli("check", "--ignore", "DS9999,XYZ", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "dagshift: error: `--ignore` has unknown rule selectors 'DS9999', 'XYZ'\n"


def test_a_folder_with_nothing_to_check_says_so(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("check", "empty", cwd=tmp_path)
    assert result.code == 0
    assert result.err == (
        "dagshift: warning: no files to check in empty (nothing dagshift reads is there, or every file is excluded)\n"
    )


def test_output_file_says_where_the_report_went(cli, repo, tmp_path):
    out = tmp_path / "findings.json"
    result = cli("check", "dags/etl_daily.py", "--format", "json", "--output", str(out), "--target-version", "2.5.1",
                 cwd=repo)
    found = len(json.loads(out.read_text()))
    assert result.out == ""
    assert result.err == f"Wrote json to {out}: {found} findings in 1 file checked.\n"
    assert found > 0 and result.code == 1
