#!/usr/bin/env python3
"""Generate rules/imports/data/airflow_toplevel.json: what `from airflow import X` resolves to per version.

For every public name that Airflow 1.10.15's `airflow/__init__.py` binds, record for each Airflow 2
version MWAA offers whether `from airflow import X` still works there ("ok"), works with a
deprecation warning ("deprecated"), or fails ("removed"), and where the name lives instead, verified
to exist in that version's wheel. The wheels are only read (zip + ast), never imported.

    python scripts/gen_airflow_toplevel.py --wheels DIR --out rules/imports/data/airflow_toplevel.json

DIR must hold apache_airflow-<version>-*.whl for 1.10.15 and every 2.x version in
linter/data/mwaa_versions.json; missing ones are fetched with `pip download --no-deps`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import generator_args, targets  # noqa: E402
from wheelindex import Wheel, airflow_wheel, bindings, lazy_names, wheel_file  # noqa: E402

SOURCE_VERSION = "1.10.15"


def defines(wheel: Wheel, module: str, name: str) -> bool:
    tree = wheel.tree(module)
    if tree is None:
        return False
    return not name or name in bindings(tree, module) or wheel.has_module(f"{module}.{name}")


def main() -> None:
    args = generator_args(__doc__, "airflow_toplevel")

    versions = targets()

    source = Wheel(wheel_file(args.wheels, "apache-airflow", SOURCE_VERSION))
    source_tree = source.tree("airflow")
    assert source_tree is not None
    names: dict[str, dict] = {}
    for name, origin in sorted(bindings(source_tree, "airflow", True).items()):
        if name.startswith("_") or (origin is not None and not origin[0].startswith("airflow")):
            continue  # private, or a stdlib/third-party helper the package happened to import
        names[name] = {"module": origin[0] if origin else "airflow", "name": origin[1] if origin else name}

    provenance = {
        "generator": "scripts/gen_airflow_toplevel.py",
        "source": {"wheel": source.path.name, "sha256": source.sha256},
        "targets": {},
    }
    status: dict[str, dict[str, dict]] = {}
    for version in versions:
        wheel = airflow_wheel(args.wheels, version)
        provenance["targets"][version] = wheel.provenance()
        tree = wheel.tree("airflow")
        assert tree is not None
        bound = bindings(tree, "airflow", True)
        lazy = lazy_names(tree)
        per_name: dict[str, dict] = {}
        for name, origin in names.items():
            entry: dict = {}
            if name in lazy and lazy[name][2]:
                entry["status"] = "deprecated"
                entry["destination"] = f"{lazy[name][0]}.{lazy[name][1]}"
            elif name in bound or name in lazy or wheel.has_module(f"airflow.{name}"):
                entry["status"] = "ok"
            else:
                entry["status"] = "removed"
                if origin["module"] != "airflow" and defines(wheel, origin["module"], origin["name"]):
                    entry["destination"] = f"{origin['module']}.{origin['name']}" if origin["name"] else origin["module"]
            per_name[name] = entry
        status[version] = per_name
    data = {"_provenance": provenance, "source_version": SOURCE_VERSION, "names": names, "targets": status}
    args.out.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names x {len(versions)} targets to {args.out}")


if __name__ == "__main__":
    main()
