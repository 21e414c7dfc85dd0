#!/usr/bin/env python3
"""Generate rules/plugins/data/plugin_api.json: the attributes an AirflowPlugin has on each target.

Read from each target's core wheel (zipfile + ast, never imported): the class-level attributes of
the `AirflowPlugin` class (airflow/plugins_manager.py; on 3.3 airflow/_shared/plugins_manager/).
DS208 uses them: which web-UI extension points a target offers (`appbuilder_views` on 2.x;
`fastapi_apps` from 3.0, `react_apps` and `external_views` from 3.1).

    python scripts/gen_plugin_api.py --wheels /tmp/wheels
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import generator_args, targets  # noqa: E402
from wheelindex import Wheel, airflow_wheel  # noqa: E402


def plugin_attributes(wheel: Wheel) -> list[str]:
    for module in wheel.modules("airflow/"):
        if "plugins_manager" not in module:
            continue
        tree = wheel.tree(module)
        for node in tree.body if tree is not None else []:
            if isinstance(node, ast.ClassDef) and node.name == "AirflowPlugin":
                found = set()
                for stmt in node.body:
                    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                        found.add(stmt.target.id)
                    elif isinstance(stmt, ast.Assign):
                        found |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
                return sorted(n for n in found if not n.startswith("_"))
    raise LookupError(f"no AirflowPlugin class in {wheel.name}")


def main() -> None:
    args = generator_args(__doc__, "plugin_api")
    out, provenance = {}, {}
    for version in targets():
        wheel = airflow_wheel(args.wheels, version)
        provenance[version] = wheel.provenance()
        out[version] = {"attributes": plugin_attributes(wheel)}
    data = {"_provenance": {"generator": "scripts/gen_plugin_api.py", "wheels": provenance}, "targets": out}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} targets to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
