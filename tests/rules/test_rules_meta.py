"""Rule declarations: `dagshift rules`, `dagshift rule CODE`, the generated reference, and every
rule's own valid/invalid examples (Fixit's habit) run through the real engine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from demo_rules import demo_registry

from dagshift.linter import engine
from dagshift.linter.config import build_settings
from dagshift.linter.discovery import FileEntry, classify
from dagshift.linter.registry import Registry
from dagshift.linter.rule import Rule, validate_rule
from dagshift.linter.ruledocs import rules_reference
from dagshift.rules import default_registry


def all_examples(registry: Registry):
    for rule in registry:
        for i, example in enumerate(rule.valid):
            yield pytest.param(registry, rule, example, True, id=f"{rule.code}-valid-{i}")
        for i, example in enumerate(rule.invalid):
            yield pytest.param(registry, rule, example, False, id=f"{rule.code}-invalid-{i}")


def run_example(registry: Registry, rule: type[Rule], example, tmp_path: Path):
    path = tmp_path / example.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.source)
    settings = build_settings(
        {"select": [rule.code], "unsafe-fixes": True, **({"target-version": example.target} if example.target else {})},
        {}, registry.codes(), tmp_path,
    )
    entry = FileEntry(path, example.path, example.path, classify(path) or "text", True, True)
    checked = engine.run([entry], registry, settings, mode=engine.CHECK, jobs=1)
    fixed = engine.run([entry], registry, settings, mode=engine.DIFF, jobs=1)
    return checked, fixed


@pytest.mark.parametrize("registry, rule, example, valid", [*all_examples(default_registry()), *all_examples(demo_registry())])
def test_rule_examples(registry, rule, example, valid, tmp_path):
    checked, fixed = run_example(registry, rule, example, tmp_path)
    found = [d for d in checked.diagnostics if d.code == rule.code]
    if valid:
        assert found == []
        return
    assert len(found) == example.count, [d.message for d in checked.diagnostics]
    if example.expected is not None:
        assert fixed.files[0].new_text == example.expected
    else:
        assert fixed.files[0].new_bytes is None


def test_every_real_rule_is_well_declared():
    for rule in default_registry():
        assert validate_rule(rule) == []
        # DS305 needs a second file (the DAG whose imports it reads): tests/rules/requirements/test_requirements.py covers it.
        assert rule.valid or rule.invalid or rule.code in {"DS305", "DS309", "DS901", "DS902", "DS903", "DS904"}, rule.code


def test_registry_refuses_bad_declarations():
    class NoDoc(Rule):
        code = "DS199"
        name = "no-doc"
        message = "m"
        doc = "## What it does\nx\n"
        kinds = frozenset({"python"})

    with pytest.raises(ValueError, match="DS199: doc lacks section"):
        Registry([NoDoc])


def test_rules_reference_is_up_to_date():
    committed = (ROOT / "docs" / "rules.md").read_text()
    assert committed == rules_reference(default_registry()), "run: dagshift rules --format markdown > docs/rules.md"


def test_rules_and_rule_commands(cli):
    listing = cli("rules", registry=default_registry())
    assert listing.code == 0
    assert listing.out.splitlines()[0].split() == ["CODE", "NAME", "SEVERITY", "FIX", "TARGET"]
    rows = [line.split() for line in listing.out.splitlines()[1:]]
    assert ["DS105", "airflow-top-level-import", "error", "sometimes", "all"] in rows
    assert ["DS901", "syntax-error", "error", "no", "all"] in rows
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    doc = cli("rule", "ds901", registry=default_registry())
    assert doc.out.startswith("# DS901: syntax-error\n\n- Message: cannot parse: {detail}\n")
    assert "## Why it matters on Airflow 2\n" in doc.out
    as_json = json.loads(cli("rule", "DS905", "--format", "json", registry=default_registry()).out)
    assert as_json["severity"] == "warning" and as_json["doc"].startswith("## What it does")
    unknown = cli("rule", "DS000", registry=default_registry())
    assert unknown.code == 2 and "unknown rule code 'DS000'" in unknown.err


def test_version_rules_and_rule_do_not_import_libcst():
    code = (
        "import sys, io, contextlib\n"
        "from dagshift.linter.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    main(['rules']); main(['rule', 'DS901'])\n"
        "    try:\n"
        "        main(['--version'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('libcst', 'rich', 'requests', 'packaging') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
