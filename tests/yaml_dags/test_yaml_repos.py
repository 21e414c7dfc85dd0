"""DAGs written in YAML, on a dag-factory repository (0.x and 1.x forms) and a gusty repository
(METADATA.yml, YAML task files, `.py` and `.sql` frontmatter): the exact findings on 2.11.2 and
3.0.6, the exact tree `--fix --unsafe-fixes` writes, a second `--fix` that changes nothing, every
fixed YAML still read by PyYAML as the tools read it, and the YAML that is no DAG (a GitHub
workflow, a Helm chart's values) never judged nor touched.

Expected outputs: tests/fixtures/yaml_dags/expected/ (`<repo>.<target>.findings.txt`,
`.after-fix.txt`, `.fixed/`), reviewed finding by finding; regenerate with DAGSHIFT_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from dagshift.rules import default_registry
from tests.conftest import FIXTURES
from tests.goldens import golden, golden_tree, tree

HERE = FIXTURES / "yaml_dags"
EXPECTED = HERE / "expected"
REPOS = ("dag_factory_repo", "gusty_repo")
TARGETS = ("2.11.2", "3.0.6")
# YAML outside the DAG folders, which no rule may judge or edit.
NOT_DAGS = {"dag_factory_repo": (".github/workflows/deploy.yml", "charts/metrics/values.yaml"),
            "gusty_repo": (".github/workflows/ci.yml",)}


def _frontmatter(text: str) -> str:
    """gusty's reading of a `.py`/`.sql` task file's frontmatter (the block between the fences)."""
    lines = text.splitlines(keepends=True)
    fence = lines[0].rstrip()
    end = next(i for i, line in enumerate(lines[1:], 1) if line.rstrip() == fence)
    return "".join(line[2:] if fence == "# ---" else line for line in lines[1:end])


class _Tags(yaml.SafeLoader):
    """gusty's loader: its `!days_ago`, `!datetime` and `!timedelta` tags (built as plain data here)."""


_Tags.add_multi_constructor("!", lambda loader, tag, node: (tag, node.value if isinstance(node, yaml.ScalarNode) else None))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("repo", REPOS)
def test_check_fix_and_fix_again(cli, tmp_path, repo, target):
    work = tmp_path / repo
    shutil.copytree(HERE / repo, work)
    args = ("--target-version", target, "--format", "concise", "--no-cache")
    registry = default_registry()
    before = cli("check", *args, cwd=work, registry=registry)
    assert before.code == 1
    assert before.out == golden(EXPECTED, f"{repo}.{target}.findings.txt", before.out)
    assert not any(line.startswith(NOT_DAGS[repo]) for line in before.out.splitlines())

    fixed = cli("check", "--fix", "--unsafe-fixes", *args, cwd=work, registry=registry)
    assert fixed.out == golden(EXPECTED, f"{repo}.{target}.after-fix.txt", fixed.out)
    written = tree(work)
    assert written == golden_tree(EXPECTED, f"{repo}.{target}.fixed", work)
    original = tree(HERE / repo)
    for name in NOT_DAGS[repo]:
        assert written[name] == original[name]  # never touched
    for name, content in written.items():
        text = content.decode("utf-8")
        if name.startswith("dags/") and name.endswith((".yml", ".yaml")):
            yaml.load(text, Loader=_Tags)  # noqa: S506 (the tools read it so: it must still load)
        elif name.startswith("dags/") and name.endswith((".sql", ".py")) and text.startswith(("---", "# ---")):
            assert isinstance(yaml.load(_frontmatter(text), Loader=_Tags), dict)  # noqa: S506

    again = cli("check", "--fix", "--unsafe-fixes", *args, cwd=work, registry=registry)
    assert tree(work) == written  # a second --fix changes nothing
    assert "[*]" not in again.out and "[-]" not in again.out
