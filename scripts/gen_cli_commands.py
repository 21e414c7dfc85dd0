#!/usr/bin/env python3
"""Generate rules/config/data/cli_commands.json: the `airflow` CLI commands each target's core has.

Read from airflow/cli/cli_config.py (cli_parser.py before 2.7) of each target's core wheel (zipfile + ast, never imported):
the top-level `ActionCommand(name=...)` entries of `core_commands` and every
`GroupCommand(name=..., subcommands=<TUPLE>)` with the names of that tuple's ActionCommands.
Provider commands (celery, kubernetes, users, roles, ...) come from the providers, not from this
file: the runtime judges only commands some 2.x core had. Airflow 3's successors for removed
commands are curated from its release notes (scripts/sources/airflow3_renames.json "cli").

    python scripts/gen_cli_commands.py --wheels /tmp/wheels
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import SOURCES, generator_args, targets  # noqa: E402
from wheelindex import Wheel, airflow_wheel  # noqa: E402


def _name(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None


def _assigned(node: ast.stmt) -> ast.expr | None:
    return node.targets[0] if isinstance(node, ast.Assign) else node.target if isinstance(node, ast.AnnAssign) else None


def commands(wheel: Wheel) -> dict[str, list[str]]:
    """{"": [top-level commands], group: [its subcommands]} of the core CLI."""
    # (before 2.7 the same tables live in airflow/cli/cli_parser.py)
    tree = wheel.tree("airflow.cli.cli_config") or wheel.tree("airflow.cli.cli_parser")
    assert tree is not None, wheel.name
    tuples: dict[str, list[str]] = {}
    for node in tree.body:
        target = _assigned(node)
        if isinstance(target, ast.Name) and isinstance(node.value, (ast.Tuple, ast.List)):
            tuples[target.id] = [n for e in node.value.elts if isinstance(e, ast.Call) and (n := _name(e))]
    found: dict[str, list[str]] = {"": []}
    for node in tree.body:
        target = _assigned(node)
        if not (isinstance(target, ast.Name) and target.id == "core_commands" and isinstance(node.value, (ast.List, ast.Tuple))):
            continue
        for entry in node.value.elts:
            if not isinstance(entry, ast.Call) or (name := _name(entry)) is None:
                continue
            if getattr(entry.func, "id", "") == "GroupCommand":
                subs = next((k.value for k in entry.keywords if k.arg == "subcommands"), None)
                found[name] = sorted(tuples.get(subs.id, [])) if isinstance(subs, ast.Name) else []
            else:
                found[""].append(name)
    found[""].sort()
    return found


def main() -> None:
    args = generator_args(__doc__, "cli_commands")
    out, provenance = {}, {}
    for version in targets():
        wheel = airflow_wheel(args.wheels, version)
        provenance[version] = wheel.provenance()
        out[version] = commands(wheel)
    successors = json.loads((SOURCES / "airflow3_renames.json").read_text())["cli"]
    data = {"_provenance": {"generator": "scripts/gen_cli_commands.py", "wheels": provenance,
                            "successors": "scripts/sources/airflow3_renames.json"},
            "targets": out, "successors": successors}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} targets to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
