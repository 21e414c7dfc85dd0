"""Golden runs on Airflow 3 targets: a 1.10 repository and a 2.x repository, checked, fixed, fixed again.

The expected outputs live in tests/fixtures/airflow3/expected/ (`<repo>.<target>.findings.txt`, the
findings before `--fix`; `.after-fix.txt`, what `--fix` reports it left; `.fixed/`, the tree it wrote).
They were reviewed finding by finding; regenerate with DAGSHIFT_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import ast
import shutil

import pytest

from dagshift.rules import default_registry
from tests.conftest import FIXTURES
from tests.goldens import golden, golden_tree, tree

REPOS = {"legacy_repo": FIXTURES / "legacy_repo", "mwaa110_repo": FIXTURES / "airflow3" / "mwaa110_repo",
         "airflow2_repo": FIXTURES / "airflow3" / "airflow2_repo"}
EXPECTED = FIXTURES / "airflow3" / "expected"
TARGETS = ("3.0.6", "3.3.1")
NOQA = "# " + "noqa"  # (spelled apart: a linter would read the literal as a directive)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("repo", sorted(REPOS))
def test_check_fix_and_fix_again(cli, tmp_path, repo, target):
    work = tmp_path / repo
    shutil.copytree(REPOS[repo], work)
    args = ("--target-version", target, "--format", "concise", "--no-cache")
    registry = default_registry()
    before = cli("check", *args, cwd=work, registry=registry)
    assert before.code == 1
    assert before.out == golden(EXPECTED, f"{repo}.{target}.findings.txt", before.out)

    fixed = cli("check", "--fix", *args, cwd=work, registry=registry)
    assert fixed.out == golden(EXPECTED, f"{repo}.{target}.after-fix.txt", fixed.out)
    written = tree(work)
    assert written == golden_tree(EXPECTED, f"{repo}.{target}.fixed", work)
    for name, content in written.items():
        if name.endswith(".py"):
            ast.parse(content)  # every file the fix wrote still parses

    again = cli("check", "--fix", *args, cwd=work, registry=registry)
    assert tree(work) == written  # a second --fix changes nothing
    assert "[*]" not in again.out


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("repo", sorted(REPOS))
def test_every_import_the_fix_wrote_exists_on_the_target(repo, target):
    """Each absolute airflow import in the fixed tree is one the target's closed world has (or one a
    finding still reports: the after-fix output names its line). scripts/verify_against_airflow.py
    --paths checks the same trees against the real Airflow of the target (docs/verification.md)."""
    from dagshift.rules.imports.tables import closed_world, tables

    t = tables(target)
    left = (EXPECTED / f"{repo}.{target}.after-fix.txt").read_text(encoding="utf-8")
    root = EXPECTED / f"{repo}.{target}.fixed"
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse(path.read_bytes())):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("airflow")):
                continue
            for alias in node.names:
                verdict = closed_world(t, node.module or "", alias.name)
                # (reported, or silenced by the author's own noqa comment)
                reported = f"{relative}:{node.lineno}:" in left or NOQA in lines[node.lineno - 1]
                assert verdict is None or reported, f"{relative}:{node.lineno} {node.module}.{alias.name}: {verdict}"
