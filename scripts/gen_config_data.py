#!/usr/bin/env python3
"""Generate rules/config/data/config_changes.json: Airflow configuration options renamed or removed per target.

Read from the wheels (zipfile + ast/regex, never imported):
  - `deprecated_options` and `deprecated_sections` of AirflowConfigParser in each target's
    airflow/configuration.py (the renames Airflow itself still honours with a warning);
  - the options of airflow/config_templates/config.yml in 1.10.15 and in each target
    (an option 1.10 had that the target neither has nor renames was removed);
  - on Airflow 3: the CONFIGS_CHANGES table of airflow/cli/commands/config_command.py, the one
    `airflow config lint` / `airflow config update` use (renames whose old name 3.x no longer reads,
    removals with their suggestion, changed defaults).

    python scripts/gen_config_data.py --wheels /tmp/wheels
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import generator_args, targets  # noqa: E402
from wheelindex import Wheel, airflow_wheel, wheel_file  # noqa: E402

SOURCE = "1.10.15"
# From 2.7 these sections' options are declared by their providers, not core: absent from core's
# config.yml without being removed.
PROVIDER_SECTIONS = {"celery", "celery_kubernetes_executor", "celery_broker_transport_options", "kubernetes",
                     "kubernetes_executor", "elasticsearch", "elasticsearch_configs", "dask", "atlas", "hive",
                     "local_kubernetes_executor", "sentry", "smtp_provider", "fab", "openlineage", "lineage"}


def cfg_options(wheel: Wheel) -> set[str]:
    """section.option for every option the wheel's config.yml declares (both of its layouts)."""
    import yaml  # only the generator needs PyYAML; the linter reads the JSON it writes

    data = yaml.safe_load(wheel.read("airflow/config_templates/config.yml"))
    options = set()
    if isinstance(data, list):  # 1.10 - 2.6: [{name: section, options: [{name: ...}]}]
        for section in data:
            for option in section.get("options") or []:
                options.add(f"{section['name']}.{option['name']}")
    else:  # 2.7+: {section: {options: {name: {...}}}}
        for section, body in data.items():
            for option in (body or {}).get("options") or {}:
                options.add(f"{section}.{option}")
    return options


def parser_tables(wheel: Wheel) -> tuple[dict, dict]:
    tree = wheel.tree("airflow.configuration")
    assert tree is not None
    options: dict = {}
    sections: dict = {}
    for node in ast.walk(tree):
        target = value = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        if target == "deprecated_options" and isinstance(value, ast.Dict):
            options = ast.literal_eval(value)
        elif target == "deprecated_sections" and isinstance(value, ast.Dict):
            sections = ast.literal_eval(value)
    return options, sections


def _literal(node: Optional[ast.expr]) -> object:
    if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("ConfigParameter"):
        return ".".join(str(ast.literal_eval(a)) for a in node.args)
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return ast.unparse(node)


def config_changes(wheel: Wheel) -> list[dict]:
    """The ConfigChange(...) entries of the core wheel's `airflow config` command (3.x), as dicts."""
    tree = wheel.tree("airflow.cli.commands.config_command")
    found = []
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "ConfigChange":
            found.append({k.arg: _literal(k.value) for k in node.keywords if k.arg})
    return found


def three_changes(wheel: Wheel, entry: dict, known: set[str], renames2: dict) -> None:
    """Fold the 3.x `airflow config update` table into the target's entry: a rename there is one
    the target no longer honours (`"ignored"`), a removal carries Airflow's own suggestion."""
    entry["hints"] = {}
    entry["default_changes"] = {}
    # 2.x's renames 3.x no longer honours first (they carry the version that made the rename):
    # the old name is ignored, the new one is still the fix.
    for old, (new, when) in renames2.items():
        entry["renames"].setdefault(old, [new, when, "ignored"])
    for change in config_changes(wheel):
        old = change["config"]
        if change.get("renamed_to"):
            entry["renames"].setdefault(old, [change["renamed_to"], "3.0", "ignored"])
        elif change.get("default_change"):
            entry["default_changes"][old] = [change.get("old_default"), change.get("new_default")]
        elif change.get("remove_if_equals") is not None:
            entry.setdefault("removed_if", {})[old] = change["remove_if_equals"]  # only that value is gone
        elif change.get("was_removed", True):
            if old not in entry["removed"] and old in known:
                entry["removed"].append(old)
            if change.get("suggestion"):
                entry["hints"][old] = change["suggestion"]
    # A 2.x rename whose new name 3.x renamed again ([scheduler] max_threads -> parsing_processes
    # -> [dag_processor] parsing_processes) leads to the last one.
    for rename in entry["renames"].values():
        for _ in range(3):
            further = entry["renames"].get(rename[0])
            if further is None or further[0] == rename[0]:
                break
            rename[0], rename[1] = further[0], further[1]
    entry["removed"] = sorted(o for o in entry["removed"] if o not in entry["renames"])


def main() -> None:
    args = generator_args(__doc__, "config_changes")
    source = Wheel(wheel_file(args.wheels, "apache-airflow", SOURCE))
    old_options = cfg_options(source)
    newest2: set[str] = set()
    renames2: dict = {}
    out, provenance = {}, {"source": source.path.name}
    for version in targets():
        wheel = airflow_wheel(args.wheels, version)
        provenance[version] = wheel.name
        deprecated, sections = parser_tables(wheel)
        renames = {
            f"{old_section}.{old_key}": [f"{new_section}.{new_key}", since]
            for (new_section, new_key), (old_section, old_key, since) in deprecated.items()
        }
        section_renames = {old: [new, since] for new, (old, since) in sections.items()}
        current = cfg_options(wheel)
        modern = tuple(int(p) for p in version.split(".")) >= (2, 7)
        removed = sorted(
            o for o in old_options - current
            if o not in renames and not (modern and o.split(".")[0] in PROVIDER_SECTIONS)
            and f"{section_renames.get(o.split('.')[0], [o.split('.')[0]])[0]}.{o.split('.')[1]}" not in current
        )
        out[version] = {"renames": renames, "section_renames": section_renames, "removed": removed}
        if version.startswith("3."):
            three_changes(wheel, out[version], old_options | newest2, renames2)
        else:
            newest2, renames2 = current, {k: v for k, v in renames.items() if len(v) == 2}
    data = {"_provenance": {"generator": "scripts/gen_config_data.py", "wheels": provenance}, "targets": out}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} targets to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
