"""The per-target data slices: built once, read back while their sources are unchanged, rebuilt
when a source changes or the stored slice is damaged, and never an error when the folder is not
writable."""

from __future__ import annotations

import pytest

from dagshift.linter import datacache


@pytest.fixture
def folder(tmp_path):
    datacache.configure(tmp_path / "cache")
    yield tmp_path / "cache"
    datacache.configure(None)


def counting_build(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def test_a_slice_is_built_once_and_read_back(folder, tmp_path):
    source = tmp_path / "table.json"
    source.write_text("{}")
    build, calls = counting_build({"a": frozenset({"x"}), "b": [1, 2]})
    assert datacache.load("t-2.5.1", (str(source),), build) == {"a": frozenset({"x"}), "b": [1, 2]}
    assert datacache.load("t-2.5.1", (str(source),), build) == {"a": frozenset({"x"}), "b": [1, 2]}
    assert len(calls) == 1
    assert (folder / "data" / "t-2.5.1.marshal").is_file()


def test_a_changed_source_or_a_damaged_slice_is_rebuilt(folder, tmp_path):
    source = tmp_path / "table.json"
    source.write_text("{}")
    build, calls = counting_build({"v": 1})
    datacache.load("t", (str(source),), build)
    source.write_text('{"changed": true}')  # another size: another stamp
    assert datacache.load("t", (str(source),), build) == {"v": 1}
    stored = folder / "data" / "t.marshal"
    for damage in (b"", b"\x00garbage", stored.read_bytes()[:-2]):
        stored.write_bytes(damage)
        assert datacache.load("t", (str(source),), build) == {"v": 1}
    assert len(calls) == 5
    assert datacache.load("t", (str(source),), build) == {"v": 1}
    assert len(calls) == 5  # the last rebuild was stored again


def test_a_missing_source_is_never_trusted(folder, tmp_path):
    build, calls = counting_build(3)
    assert datacache.load("t", (str(tmp_path / "gone.json"),), build) == 3
    assert datacache.load("t", (str(tmp_path / "gone.json"),), build) == 3
    assert len(calls) == 2


def test_an_unwritable_cache_path_only_costs_time(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    datacache.configure(blocker)
    try:
        source = tmp_path / "table.json"
        source.write_text("{}")
        build, calls = counting_build("ok")
        assert datacache.load("t", (str(source),), build) == "ok"
        assert len(calls) == 1
    finally:
        datacache.configure(None)


def test_the_cache_dir_setting_holds_the_slices_the_project_phase_builds(cli, tmp_path, monkeypatch):
    """requirements.txt is checked against the DAGs' imports in the project phase, before any file."""
    from conftest import write

    from dagshift.rules import default_registry
    from dagshift.rules.imports.tables import _judge, providers_imported, providers_needed, tables

    default_cache = tmp_path / "default-cache"
    monkeypatch.setenv("DAGSHIFT_CACHE_DIR", str(default_cache))
    # Slices already loaded in this process, or import lines already read with them (earlier tests
    # check the same slack import), would hide where the slices are stored.
    for cached in (tables, _judge, providers_imported, providers_needed):
        cached.cache_clear()
    write(tmp_path, {
        "pyproject.toml": '[tool.dagshift]\ncache-dir = "own-cache"\ntarget-version = "2.5.1"\n',
        "requirements.txt": "apache-airflow-providers-slack\n",
        "dags/dag.py": "from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator\n",
    })
    try:
        cli("check", "requirements.txt", "--no-cache", cwd=tmp_path, registry=default_registry())
        assert (tmp_path / "own-cache" / "data" / "import-tables-2.5.1.marshal").is_file()
        assert not default_cache.exists()
    finally:
        tables.cache_clear()
        datacache.configure(None)
