"""[tool.dagshift] settings, CLI overrides, and which files a run looks at."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import write

from dagshift.linter.discovery import classify

BASH = "from airflow.operators.bash_operator import BashOperator\n"
BACKPORT = "apache-airflow-backport-providers-amazon\n"


def codes(result) -> list[str]:
    return [line.split(": ")[1].split()[0] for line in result.out.splitlines()]


def paths(result) -> list[str]:
    return [line.split(":")[0] for line in result.out.splitlines()]


def test_classify_by_name():
    expected = {
        "dags/etl.py": "python",
        "requirements.txt": "requirements",
        "requirements-dev.txt": "requirements",
        "requirements/base.in": "requirements",
        "requirements/amazon.txt": "requirements",
        "constraints-3.10.txt": "constraints",
        "MANIFEST.in": None,
        "airflow.cfg": "airflow-cfg",
        ".env": "env",
        "prod.env": "env",
        "docker-compose.yml": "yaml",
        "template.yaml": "yaml",
        "cfn.json": "json",
        "main.tf": "terraform",
        "Dockerfile": "dockerfile",
        "Dockerfile.worker": "dockerfile",
        "scripts/deploy.sh": "shell",
        "Makefile": "makefile",
        "README.md": None,
    }
    assert {name: classify(Path(name)) for name in expected} == expected


def test_pyproject_settings_select_ignore_and_per_file_ignores(cli, tmp_path):
    write(tmp_path, {
        "pyproject.toml": (
            "[tool.dagshift]\n"
            'target-version = "2.5.1"\n'
            'ignore = ["DS391"]\n'
            'per-file-ignores = { "dags/legacy/*" = ["DS1"] }\n'
            'extend-exclude = ["generated"]\n'
        ),
        "dags/a.py": BASH,
        "dags/legacy/b.py": BASH,
        "generated/c.py": BASH,
        "requirements.txt": BACKPORT,
    })
    result = cli("check", "--format", "concise", "--quiet", cwd=tmp_path)
    assert result.out == (
        "dags/a.py:1:45: DS191 [*] `airflow.operators.bash_operator.BashOperator` moved to "
        "`airflow.operators.bash.BashOperator`\n"
    )
    full = cli("check", "--format", "concise", cwd=tmp_path)
    assert full.out.endswith("Target: Airflow 2.5.1 (from pyproject.toml; MWAA no longer creates environments on it), Python 3.10.\n")
    # CLI flags override the file: --select replaces, --ignore adds.
    result = cli("check", "--format", "concise", "--quiet", "--select", "DS3", cwd=tmp_path)
    assert result.out == ""
    result = cli("check", "--format", "concise", "--quiet", "--extend-select", "DS391", "--ignore", "DS191", cwd=tmp_path)
    assert codes(result) == []
    # --select replaces the file's select; the file's ignore still applies.
    result = cli("check", "--format", "concise", "--quiet", "--select", "ALL", cwd=tmp_path)
    assert codes(result) == ["DS191"]


def test_config_found_from_the_checked_path_not_only_cwd(cli, tmp_path):
    write(tmp_path, {
        "repo/pyproject.toml": '[tool.dagshift]\nselect = ["DS3"]\n',
        "repo/dags/a.py": BASH,
        "repo/requirements.txt": BACKPORT,
    })
    result = cli("check", "repo", "--format", "concise", "--quiet", cwd=tmp_path)
    assert codes(result) == ["DS391"]


def test_bad_settings_are_clear_errors(cli, tmp_path):
    cases = {
        '[tool.dagshift]\ntarget-versoin = "2.5.1"\n': "unknown key `target-versoin` in [tool.dagshift] (did you mean `target-version`?)",
        '[tool.dagshift]\ntarget-version = "2.3.0"\n': "`target-version` '2.3.0' is not an Airflow version MWAA offers",
        '[tool.dagshift]\nselect = ["DS777"]\n': "`select` has unknown rule selector 'DS777'",
        '[tool.dagshift]\npython-version = "3"\n': '`python-version` must look like "3.10", got \'3\'',
        '[tool.dagshift]\nexclude = "dags"\nmax-file-size = -1\n': "`max-file-size` must be a positive number of bytes",
        '[tool.dagshift\n': "invalid TOML",
    }
    for content, message in cases.items():
        write(tmp_path, {"pyproject.toml": content, "dags/a.py": BASH})
        result = cli("check", cwd=tmp_path)
        assert result.code == 2, content
        assert result.err.startswith(f"dagshift: error: {tmp_path / 'pyproject.toml'}"), result.err
        assert message in result.err, result.err
        assert result.out == ""
    bad_flag = cli("check", "--select", "XY1", cwd=tmp_path)
    assert bad_flag.code == 2


def test_usage_error_exits_2(cli, tmp_path):
    result = cli("check", "--format", "xml", cwd=tmp_path)
    assert result.code == 2
    assert "invalid choice: 'xml'" in result.err


def test_default_skips_venvs_caches_and_build_output(cli, tmp_path):
    write(tmp_path, {
        "dags/a.py": BASH,
        ".venv/lib/site.py": BASH,
        "venv/x.py": BASH,
        "node_modules/x.py": BASH,
        "dags/__pycache__/a.py": BASH,
        "build/lib/a.py": BASH,
        "pkg.egg-info/x.py": BASH,
    })
    result = cli("check", "--format", "concise", "--quiet", cwd=tmp_path)
    assert paths(result) == ["dags/a.py"]


def test_gitignore_honoured_inside_a_work_tree_but_named_files_always_checked(cli, tmp_path):
    write(tmp_path, {".gitignore": "scratch/\n*.tmp.py\n", "dags/a.py": BASH, "scratch/b.py": BASH, "dags/c.tmp.py": BASH})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = cli("check", "--format", "concise", "--quiet", cwd=tmp_path)
    assert paths(result) == ["dags/a.py"]
    result = cli("check", "scratch/b.py", "--format", "concise", "--quiet", cwd=tmp_path)
    assert paths(result) == ["scratch/b.py"]


def test_named_file_with_excluded_path_checked_unless_force_exclude(cli, tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.dagshift]\nextend-exclude = ["legacy"]\n', "legacy/a.py": BASH})
    assert paths(cli("check", "legacy/a.py", "--format", "concise", "--quiet", cwd=tmp_path)) == ["legacy/a.py"]
    assert cli("check", "legacy/a.py", "--force-exclude", "--format", "concise", "--quiet", cwd=tmp_path).out == ""


def test_records_flow_from_dags_to_requirements_and_project_facts_from_plugins(cli, tmp_path):
    write(tmp_path, {
        "dags/a.py": "from airflow.providers.amazon.aws.hooks.s3 import S3Hook\nfrom airflow.operators.my_plugin import Op\n",
        "plugins/my_plugin.py": "class Op: pass\n",
        "requirements.txt": "boto3\n",
    })
    result = cli("check", "--format", "concise", "--quiet", "--jobs", "1", cwd=tmp_path)
    assert result.out == (
        "dags/a.py:2:6: DS291 `airflow.operators.my_plugin` is a plugin module; import it directly\n"
        "requirements.txt:1:1: DS392 `apache-airflow-providers-amazon` is imported by dags/a.py but not required\n"
    )


def test_parallel_run_matches_serial_run(cli, tmp_path):
    files = {f"dags/dag_{i:03d}.py": BASH * (i % 3 + 1) + f"x = {i}\n" for i in range(60)}
    files.update({f"dags/clean_{i:03d}.py": "from airflow.operators.bash import BashOperator\n" for i in range(40)})
    write(tmp_path, files)
    serial = cli("check", "--format", "json", "--jobs", "1", cwd=tmp_path)
    parallel = cli("check", "--format", "json", "--jobs", "2", cwd=tmp_path)
    assert serial.out == parallel.out
    assert serial.out.count('"code": "DS191"') == 120
