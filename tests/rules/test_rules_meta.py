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
from dagshift.linter.targets import default_target
from dagshift.rules import default_registry


def all_examples(registry: Registry):
    for rule in registry:
        for i, example in enumerate(rule.valid):
            yield pytest.param(registry, rule, example, True, id=f"{rule.code}-valid-{i}")
        for i, example in enumerate(rule.invalid):
            yield pytest.param(registry, rule, example, False, id=f"{rule.code}-invalid-{i}")


def run_example(registry: Registry, rule: type[Rule], example, tmp_path: Path):
    for rel, text in ((example.path, example.source), *example.files):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    settings = build_settings(
        {"select": [rule.code], "unsafe-fixes": True, **({"target-version": example.target} if example.target else {})},
        {}, registry.codes(), tmp_path,
    )
    entries = [FileEntry(tmp_path / rel, rel, rel, classify(tmp_path / rel) or "text", True, True)
               for rel in [example.path, *(rel for rel, _ in example.files)]]
    checked = engine.run(entries, registry, settings, mode=engine.CHECK, jobs=1)
    fixed = engine.run(entries, registry, settings, mode=engine.DIFF, jobs=1)
    return checked, fixed


@pytest.mark.parametrize("registry, rule, example, valid", [*all_examples(default_registry()), *all_examples(demo_registry())])
def test_rule_examples(registry, rule, example, valid, tmp_path):
    checked, fixed = run_example(registry, rule, example, tmp_path)
    found = [(d.location.line, d.location.column, d.message) for d in checked.diagnostics
             if d.code == rule.code and d.path == example.path]
    if valid:
        assert found == []
        return
    assert found == list(example.findings)
    result = next(r for r in fixed.files if r.entry.display == example.path)
    if example.expected is not None:
        assert result.new_text == example.expected
    else:
        assert result.new_bytes is None


# Rules whose cases cannot be written as a file's text, and the tests that cover them instead.
WITHOUT_EXAMPLES = {
    "DS309": "a constraint URL that fails to download: tests/rules/requirements/test_online.py",
    "DS902": "bytes that are not UTF-8: tests/linter/test_bad_input.py",
    "DS903": "a file that cannot be read or written: tests/linter/test_bad_input.py",
    "DS904": "a rule that crashes: tests/linter/test_bad_input.py",
}


def test_every_real_rule_is_well_declared():
    for rule in default_registry():
        assert validate_rule(rule) == []
        if rule.code in WITHOUT_EXAMPLES:
            assert not rule.valid and not rule.invalid, rule.code
            continue
        assert rule.valid, f"{rule.code} has no valid example"
        assert rule.invalid, f"{rule.code} has no invalid example"
        assert all(example.findings for example in rule.invalid), f"{rule.code}: an invalid example states no findings"
        if rule.fix is not None:
            assert any(e.expected is not None for e in rule.invalid), f"{rule.code} is fixable but has no fix example"


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
    expected = rules_reference(default_registry(), default_target().airflow)
    assert committed == expected, "run: dagshift rules --format markdown > docs/rules.md"


def test_rules_and_rule_commands(cli):
    listing = cli("rules", registry=default_registry())
    assert listing.code == 0
    # Severities are the default target's: 2.11.2 serves some 1.10 top-level names with a warning.
    assert listing.out.splitlines()[0] == ("Severities on Airflow 2.11.2 (error/warning: some findings fail there, "
                                           "others only warn):")
    assert listing.out.splitlines()[1].split() == ["CODE", "NAME", "SEVERITY", "FIX", "TARGET"]
    rows = [line.split() for line in listing.out.splitlines()[2:]]
    assert ["DS105", "airflow-top-level-import", "error/warning", "sometimes", "all"] in rows
    assert ["DS208", "flask-appbuilder-plugin-ui", "-", "no", ">=3.0.6"] in rows
    assert ["DS901", "syntax-error", "error", "no", "all"] in rows
    # Rules whose family data decides where they find anything say from which target on.
    # (DS504 errs on 2.x too where the environment pins dag-factory 1.x, which refuses `schedule_interval`)
    assert ["DS504", "schedule-interval", "error/warning", "safe", ">=2.4.3"] in rows
    assert ["DS506", "concurrency-arguments", "warning", "safe", ">=2.2.2"] in rows
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    older = [line.split() for line in cli("rules", "--target-version", "2.5.1", registry=default_registry()).out.splitlines()]
    assert ["DS105", "airflow-top-level-import", "error", "sometimes", "all"] in older
    doc = cli("rule", "DS505", "--target-version", "3.0.6", registry=default_registry())
    # (error/warning on Airflow 3: gusty's own `!days_ago` tag still loads there)
    assert ("- Severity: error/warning on 3.0.6 (by target: warning on 2.4.3 to 2.11.2; error/warning on 3.0.6 to 3.3.1)\n"
            in doc.out)
    wrong = cli("rules", "--target-version", "2.3.0", registry=default_registry())
    assert wrong.code == 2 and wrong.out == ""
    assert wrong.err.startswith("dagshift: error: --target-version: `target-version` '2.3.0' is not an Airflow "
                                "version MWAA offers (choose one of 2.0.2, ")
    doc = cli("rule", "ds901", registry=default_registry())
    assert doc.out.startswith("# DS901: syntax-error\n\n- Message: cannot parse: {detail}\n")
    assert "## Why it matters on Airflow 2\n" in doc.out
    as_json = json.loads(cli("rule", "DS905", "--format", "json", registry=default_registry()).out)
    assert as_json["severity"] == "warning" and as_json["doc"].startswith("## What it does")
    assert as_json["target_version"] == "2.11.2" and as_json["severities"] == ["warning"]
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
