#!/usr/bin/env python3
"""Generate rules/dag_api/data/operator_args.json: the keyword arguments BaseOperator and
BaseSensorOperator accept on each target, read from the core wheels with ast (on Airflow 3, from
the task SDK's classes, which the core ones subclass without an `__init__` of their own).

    python scripts/gen_operator_args.py --wheels /tmp/wheels
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import generator_args, targets  # noqa: E402
from wheelindex import Wheel, airflow_wheel, class_init_args  # noqa: E402

CLASSES = {"BaseOperator": "airflow.models.baseoperator", "BaseSensorOperator": "airflow.sensors.base"}
SDK_CLASSES = {"BaseOperator": "airflow.sdk.bases.operator", "BaseSensorOperator": "airflow.sdk.bases.sensor"}


def init_args(wheel: Wheel, module: str, cls: str) -> list[str]:
    found = class_init_args(wheel, module, cls)
    if found is None:
        raise LookupError(f"{module}.{cls}.__init__")
    return found


def main() -> None:
    args = generator_args(__doc__, "operator_args")
    out: dict[str, dict[str, list[str]]] = {}
    provenance = {}
    for version in targets():
        wheel = airflow_wheel(args.wheels, version)
        provenance[version] = wheel.provenance()
        where = SDK_CLASSES if wheel.has_module("airflow.sdk.bases.operator") else CLASSES
        base = init_args(wheel, where["BaseOperator"], "BaseOperator")
        sensor = init_args(wheel, where["BaseSensorOperator"], "BaseSensorOperator")
        # A sensor passes **kwargs on to BaseOperator: it accepts both sets.
        out[version] = {"BaseOperator": sorted(base), "BaseSensorOperator": sorted(set(base) | set(sensor))}
    data = {"_provenance": {"generator": "scripts/gen_operator_args.py", "wheels": provenance}, "targets": out}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} targets to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
