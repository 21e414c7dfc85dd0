"""The guarantees in SECURITY.md, each with a test that would catch a regression."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagshift.linter import engine
from dagshift.linter.config import build_settings
from dagshift.linter.discovery import FileEntry, classify
from dagshift.rules import default_registry

REGISTRY = default_registry()


# -- never run the code under analysis ------------------------------------------------------

TRAP = '''\
import os, socket, sys
open({sentinel!r}, "w").write("imported {name}")
socket.create_connection(("127.0.0.1", 9))
sys.exit(3)
from airflow.contrib.hooks.aws_hook import AwsHook
from airflow.operators.my_plugin import MyOperator
'''


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github"])
def test_nothing_under_analysis_is_imported_or_run(cli, tmp_path, fmt):
    sentinel = tmp_path / "SENTINEL"
    files = {}
    for name in ("dags/__init__.py", "dags/trap_dag.py", "plugins/__init__.py", "plugins/my_plugin/__init__.py",
                 "plugins/my_plugin/operators.py", "setup.py", "conftest.py"):
        files[name] = TRAP.format(sentinel=str(sentinel), name=name)
    files["plugins/my_plugin/__init__.py"] += (
        "\nfrom airflow.plugins_manager import AirflowPlugin\n"
        "class P(AirflowPlugin):\n    name = 'my_plugin'\n    operators = [MyOperator]\n"
    )
    files["requirements.txt"] = "apache-airflow==1.10.12\n"
    write(tmp_path, files)
    for args in (("check",), ("check", "--fix", "--unsafe-fixes")):
        cli(*args, "--format", fmt, cwd=tmp_path, registry=REGISTRY)
        assert not sentinel.exists()


def test_no_dynamic_execution_in_the_tool():
    """No importlib/exec/eval/runpy/__import__ in the code that reads user files.

    The one import_module call loads dagshift's own rule modules from a fixed list.
    """
    pattern = re.compile(r"(?<![\w.])(exec|eval|compile)\s*\(|\brunpy\b|__import__\s*\(|\bimportlib\b")
    offenders = []
    for package in ("dagshift", "linter", "rules", "fixers"):
        for path in (ROOT / package).rglob("*.py"):
            for line in path.read_text().splitlines():
                if pattern.search(line) and "ast.literal_eval" not in line:
                    offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == [
        "linter/registry.py: import importlib",
        "linter/registry.py: module = importlib.import_module(module_name)",
    ]


# -- fix everything, twice: nothing lost, nothing left, nothing more -------------------------

REPOSITORIES = ["legacy_repo", "plugin_repo", "imports", "dag_api", "requirements"]


@pytest.mark.parametrize("name", REPOSITORIES)
def test_whole_repository_round_trip(cli, tmp_path, name):
    repo = tmp_path / name
    shutil.copytree(FIXTURES / name, repo)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    first = cli("check", "--fix", "--unsafe-fixes", "--format", "json", cwd=repo, registry=REGISTRY)
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    import ast
    import json

    for path, data in after.items():
        if path.suffix == ".py":
            ast.parse(data)  # every Python file still parses
    remaining = json.loads(first.out)
    assert [d for d in remaining if d["fixable"]] == []  # fixed to a fix point: nothing fixable left
    changed = {p for p in before if before[p] != after[p]}
    second = cli("check", "--fix", "--unsafe-fixes", "--format", "json", cwd=repo, registry=REGISTRY)
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == after
    assert json.loads(second.out) == remaining
    for path in before:
        if path not in changed:
            assert after[path] == before[path]


# -- generated inputs -----------------------------------------------------------------------


def fix_text(text: str, name: str = "dags/generated.py", target: str = "2.5.1") -> tuple[engine.FileResult, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        config = build_settings({"target-version": target, "unsafe-fixes": True}, {}, REGISTRY.codes(), Path(tmp))
        entry = FileEntry(path, name, name, classify(path) or "text", True, True)
        result = engine.run([entry], REGISTRY, config, mode=engine.DIFF, jobs=1).files[0]
        return result, result.new_text


OLD_PATHS = [
    ("airflow.contrib.hooks.aws_hook", "AwsHook"),
    ("airflow.contrib.operators.emr_add_steps_operator", "EmrAddStepsOperator"),
    ("airflow.contrib.operators.emr_create_job_flow_operator", "EmrCreateJobFlowOperator"),
    ("airflow.operators.bash_operator", "BashOperator"),
    ("airflow.operators.python_operator", "PythonOperator"),
    ("airflow.operators.python_operator", "BranchPythonOperator"),
    ("airflow.operators.dummy_operator", "DummyOperator"),
    ("airflow.hooks.S3_hook", "S3Hook"),
    ("airflow.contrib.operators.s3_list_operator", "S3ListOperator"),
    ("airflow.operators.sensors", "ExternalTaskSensor"),
    ("airflow.providers.amazon.aws.operators.emr_terminate_job_flow", "EmrTerminateJobFlowOperator"),
    ("airflow", "conf"),
    ("airflow.operators.bash", "BashOperator"),
]


@st.composite
def import_block(draw) -> str:
    picks = draw(st.lists(st.sampled_from(OLD_PATHS), min_size=1, max_size=5, unique=True))
    lines = []
    for module, name in picks:
        alias = draw(st.sampled_from(["", f" as {name[:3].lower()}_{len(lines)}"]))
        comment = draw(st.sampled_from(["", "  # why", "  #"]))
        shape = draw(st.sampled_from(["plain", "parens", "parens-multi", "local", "try"]))
        if shape == "plain":
            lines.append(f"from {module} import {name}{alias}{comment}")
        elif shape == "parens":
            lines.append(f"from {module} import ({name}{alias}){comment}")
        elif shape == "parens-multi":
            lines.append(f"from {module} import (\n    {name}{alias},{comment}\n)")
        elif shape == "local":
            lines.append(f"def load_{len(lines)}():\n    from {module} import {name}{alias}{comment}\n    return {name if not alias else alias.split()[-1]}")
        else:
            lines.append(f"try:\n    from {module} import {name}{alias}\nexcept ImportError:{comment}\n    pass")
    uses = [f"x_{i} = {name}" for i, (_, name) in enumerate(picks) if draw(st.booleans())]
    spacing = draw(st.sampled_from(["\n", "\n\n", "\r\n"]))
    return spacing.join(lines + uses) + draw(st.sampled_from(["", "\n", spacing]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(import_block())
def test_generated_import_shapes_fix_to_a_fixed_point(source):
    import libcst

    result, fixed = fix_text(source)
    assert not result.failed, [d.message for d in result.diagnostics]
    libcst.parse_module(fixed)  # still Python
    again, refixed = fix_text(fixed)
    assert refixed == fixed  # idempotent
    assert not [d for d in again.diagnostics if d.fix is not None]


REQUIREMENT_LINES = st.sampled_from([
    "apache-airflow==1.10.12", "apache-airflow[aws,slack]==1.10.12", "apache-airflow[gcp]",
    "apache-airflow-backport-providers-amazon==2021.3.3", "boto3==1.17.0", "requests>=2.20",
    "pandas<1.2", "--constraint \"https://raw.githubusercontent.com/apache/airflow/constraints-1.10.12/constraints-3.7.txt\"",
    "-c https://example.com/c.txt", "--index-url https://${USER}:${PASS}@pypi.example.com/simple", "--no-index",
    "# comment", "", "   ", "lib @ https://example.com/lib-1.0.whl", "bad===", "--frobnicate", "x \\",
    "snowflake-connector-python ; python_version >= \"3.7\"", "pkg==1.0 --hash=sha256:abcd",
])


@settings(max_examples=80, deadline=None)
@given(st.lists(REQUIREMENT_LINES, max_size=10), st.sampled_from(["\n", "\r\n"]))
def test_generated_requirements_never_crash_and_fix_idempotently(lines, newline):
    source = newline.join(lines) + (newline if lines else "")
    result, fixed = fix_text(source, name="requirements.txt")
    assert not any(d.code == "DS904" for d in result.diagnostics), [d.message for d in result.diagnostics]
    _, refixed = fix_text(fixed, name="requirements.txt")
    assert refixed == fixed


# -- hostile bytes -------------------------------------------------------------------------

HOSTILE = {
    "dags/truncated.py": b"from airflow.contrib.hooks.aws_hook import (AwsHook,\n    def",
    "dags/nul.py": b"from airflow.operators.bash_operator import BashOperator\x00\n",
    "dags/invalid_utf8.py": b"from airflow.operators.bash_operator import BashOperator  # caf\xe9\n",
    "dags/deep.py": b"from airflow import conf\nx = " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "dags/huge_line.py": b"x = '" + b"a" * (10 * 1024 * 1024) + b"'\n",
    "requirements.txt": b"\xff\xfe b\x00o\x00t\x00o\x003\x00",
}


def test_hostile_files_each_get_one_ds90x_and_the_run_goes_on(cli, tmp_path):
    write(tmp_path, dict(HOSTILE, **{"dags/good.py": "from airflow.operators.bash_operator import BashOperator\n"}))
    result = cli("check", "--format", "concise", "--quiet", "--select", "DS1", cwd=tmp_path, registry=REGISTRY)
    assert result.code == 2
    by_file: dict[str, list[str]] = {}
    for line in result.out.splitlines():
        by_file.setdefault(line.split(":")[0], []).append(line.split(": ")[1].split()[0])
    assert by_file == {
        "dags/deep.py": ["DS901"],
        "dags/good.py": ["DS102"],
        "dags/huge_line.py": ["DS902"],
        "dags/invalid_utf8.py": ["DS902"],
        "dags/nul.py": ["DS902"],
        "dags/truncated.py": ["DS901"],
        "requirements.txt": ["DS902"],
    }


# -- two fixers at once --------------------------------------------------------------------


def test_two_concurrent_fix_runs_leave_every_file_valid_and_fixed(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "legacy_repo", repo)
    for i in range(40):
        shutil.copy(FIXTURES / "imports" / "mwaa_emr_dag.py", repo / "dags" / f"emr_{i:02d}.py")
    command = [sys.executable, "-m", "dagshift", "check", "--fix", "--unsafe-fixes", "--target-version", "2.5.1", "--jobs", "2",
               "--format", "concise", "--quiet", "--select", "DS1"]
    runs = [subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for run in runs:
        run.communicate(timeout=300)
    expected = (FIXTURES / "imports" / "mwaa_emr_dag.fixed-2.5.1.py").read_text()
    for i in range(40):
        assert (repo / "dags" / f"emr_{i:02d}.py").read_text() == expected
    assert not list(repo.rglob("*.dagshift"))  # no temporary file left behind
    final = subprocess.run(command, cwd=repo, capture_output=True, text=True)
    assert final.stdout == "" and final.returncode == 0


BACKENDS = st.sampled_from([
    "airflow.contrib.secrets.aws_secrets_manager.SecretsManagerBackend",
    "airflow.contrib.secrets.aws_systems_manager.SystemsManagerParameterStoreBackend",
    "airflow.contrib.secrets.hashicorp_vault.VaultBackend",
    "airflow.contrib.secrets.gcp_secrets_manager.CloudSecretsManagerBackend",
    "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend",
    "socket:getfqdn", "", "not.a.path", '{"connections_prefix": "a"}', "{'bad': json}",
])
QUOTES = st.sampled_from(["", '"', "'"])
SPACING = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def config_file(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(["airflow.cfg", ".env", "docker-compose.yml", "infra/mwaa.yaml", "infra/main.tf",
                                 "Dockerfile", "k8s/env.yaml"]))
    values = draw(st.lists(BACKENDS, min_size=1, max_size=4))
    options = draw(st.lists(st.sampled_from(["backend", "backend_kwargs", "dag_concurrency", "hostname_callable",
                                             "sql_alchemy_conn", "rbac", "Bad-Key"]), min_size=len(values),
                            max_size=len(values)))
    sections = draw(st.lists(st.sampled_from(["secrets", "core", "webserver", "kubernetes"]), min_size=len(values),
                             max_size=len(values)))
    q, sp = draw(QUOTES), draw(SPACING)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = []
    if kind == "airflow.cfg":
        for section, option, value in zip(sections, options, values):
            lines += [f"[{section}]", f"{option}{sp}={sp}{value}"]
    elif kind in (".env", "Dockerfile"):
        prefix = "ENV " if kind == "Dockerfile" else ""
        lines = [f"{prefix}AIRFLOW__{s.upper()}__{o.upper()}={q}{v}{q}" for s, o, v in zip(sections, options, values)]
    elif kind == "docker-compose.yml":
        lines = ["services:", "  scheduler:", "    environment:"]
        lines += [f"      AIRFLOW__{s.upper()}__{o.upper()}:{sp or ' '}{q}{v}{q}" for s, o, v in zip(sections, options, values)]
    elif kind == "k8s/env.yaml":
        lines = ["env:"]
        for s, o, v in zip(sections, options, values):
            lines += [f"  - name: AIRFLOW__{s.upper()}__{o.upper()}", f"    value: {q}{v}{q}"]
    elif kind == "infra/mwaa.yaml":
        lines = ["Resources:", "  Env:", "    Type: AWS::MWAA::Environment", "    Properties:",
                 '      AirflowVersion: "1.10.12"', "      AirflowConfigurationOptions:"]
        lines += [f"        {s}.{o}:{sp or ' '}{q}{v}{q}" for s, o, v in zip(sections, options, values)]
    else:
        lines = ['resource "aws_mwaa_environment" "e" {', '  airflow_version = "1.10.12"',
                 "  airflow_configuration_options = {"]
        lines += [f'    "{s}.{o}"{sp or " "}={sp or " "}"{v}"' for s, o, v in zip(sections, options, values)]
        lines += ["  }", "}"]
    return kind, newline.join(lines) + newline


@settings(max_examples=80, deadline=None)
@given(config_file())
def test_generated_config_files_never_crash_and_fix_idempotently(generated):
    name, source = generated
    result, fixed = fix_text(source, name=name)
    assert not any(d.code == "DS904" for d in result.diagnostics), [d.message for d in result.diagnostics]
    if name.endswith(".cfg"):
        # an option that changed section moves there (the section may be new): options are kept
        assert fixed.count("=") == source.count("=")
    else:
        assert fixed.count("\n") == source.count("\n")  # values and keys change, lines never do
    _, refixed = fix_text(fixed, name=name)
    assert refixed == fixed
    if name.endswith((".yaml", ".yml")):
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
        try:
            before = yaml.load(source, Loader=Loader)
        except yaml.YAMLError:
            return  # the generator made invalid YAML (a quote inside a plain value): nothing to compare
        after = yaml.load(fixed, Loader=Loader)
        assert type(after) is type(before)


def test_concurrent_checks_share_a_cache_without_corrupting_it(tmp_path):
    import json
    import marshal

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "legacy_repo", repo)
    for i in range(30):
        shutil.copy(FIXTURES / "imports" / "mwaa_emr_dag.py", repo / "dags" / f"emr_{i:02d}.py")
    cache = tmp_path / "shared-cache"
    command = [sys.executable, "-m", "dagshift", "check", "--target-version", "2.5.1", "--jobs", "2",
               "--format", "json", "--cache-dir", str(cache)]
    runs = [subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert len({o for o in outputs}) == 1 and json.loads(outputs[0])
    entries = list((cache / "results").rglob("*.entry"))
    assert entries and all(marshal.loads(e.read_bytes())[0] == e.stem for e in entries)
    assert not [p for p in (cache / "results").rglob(".entry.*")]  # no half-written entry left
    warm = subprocess.run(command, cwd=repo, capture_output=True)
    assert warm.stdout == outputs[0]
