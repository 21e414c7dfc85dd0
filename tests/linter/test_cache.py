"""The result cache: warm runs answer from it, any change that matters misses it, bad entries are misses."""

from __future__ import annotations

import json
import marshal
from pathlib import Path

from conftest import write

from dagshift.rules import default_registry

DAG = "from airflow.operators.bash_operator import BashOperator\n"


def run(cli, root: Path, *args: str):
    return cli("check", "--format", "json", "--cache-dir", str(root / ".cache"), *args, cwd=root,
               registry=default_registry())


def entries(root: Path) -> list[Path]:
    return sorted((root / ".cache" / "results").rglob("*.entry"))


def test_warm_run_answers_from_the_cache_with_the_same_findings(cli, tmp_path, monkeypatch):
    write(tmp_path, {"dags/a.py": DAG, "dags/b.py": "x = 1\n"})
    cold = run(cli, tmp_path)
    assert len(entries(tmp_path)) == 2
    # Prove the warm run does not analyse: any rule run would now crash.
    from dagshift.linter.checker import FileChecker

    monkeypatch.setattr(FileChecker, "_run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("ran")))
    warm = run(cli, tmp_path)
    assert warm.out == cold.out
    assert json.loads(warm.out)[0]["fix"]["edits"][0]["content"] == "from airflow.operators.bash import BashOperator"


def test_changes_that_matter_miss(cli, tmp_path):
    write(tmp_path, {"dags/a.py": DAG})
    run(cli, tmp_path)
    run(cli, tmp_path, "--target-version", "2.0.2")  # settings
    write(tmp_path, {"dags/a.py": DAG + "\n"})
    run(cli, tmp_path)  # content
    assert len(entries(tmp_path)) == 3


def test_no_cache_and_corrupt_entries(cli, tmp_path):
    write(tmp_path, {"dags/a.py": DAG})
    run(cli, tmp_path, "--no-cache")
    assert entries(tmp_path) == []
    expected = run(cli, tmp_path).out
    for entry in entries(tmp_path):
        entry.write_text('{"key": "other", "diagnostics": 7}')
    assert run(cli, tmp_path).out == expected  # a bad entry is a miss, then rewritten
    for entry in entries(tmp_path):
        entry.write_bytes(b"\x00not marshal")
    assert run(cli, tmp_path).out == expected
    for entry in entries(tmp_path):  # the right key, a shape from another version of the tool
        entry.write_bytes(marshal.dumps((entry.stem, {}, [("DS101", "stale")])))
    assert run(cli, tmp_path).out == expected
    for entry in entries(tmp_path):
        entry.write_bytes(entry.read_bytes()[:-3])  # torn
    assert run(cli, tmp_path).out == expected
