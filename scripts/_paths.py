"""Where the generators read and write, inside the repository only; and dagshift's own runtime code.

Generators import the runtime helpers they share with the linter (the table loader, the version
list, the provider-distribution rule) instead of keeping copies that drift.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "sources"
CONSTRAINTS = ROOT / "rules" / "requirements" / "data" / "constraints"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # a checkout: `dagshift` resolves to the folders beside scripts/

from dagshift.linter.pyast import dotted  # noqa: E402
from dagshift.linter.tables import load_table, table_path  # noqa: E402
from dagshift.rules.imports.tables import provider_dist  # noqa: E402


def mwaa_versions(major: str = "") -> list[dict]:
    """The MWAA versions a table covers (from linter/data/mwaa_versions.json)."""
    return [v for v in load_table("mwaa_versions", "versions")["versions"] if v["airflow"].startswith(major)]


def generator_args(doc: str, table: str, *extra: tuple[str, dict[str, Any]]) -> argparse.Namespace:
    """A generator's command line: `--wheels DIR` (fetched there when missing) and `--out FILE`
    (default: where the runtime reads table `table`), plus its own options."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True, help="official wheels, downloaded here when missing")
    parser.add_argument("--out", type=Path, default=table_path(table))
    for flag, options in extra:
        parser.add_argument(flag, **options)
    args = parser.parse_args()
    args.wheels.mkdir(parents=True, exist_ok=True)
    return args


def targets() -> list[str]:
    """The Airflow 2 and 3 versions MWAA offers, oldest first: the targets every table covers."""
    return [v["airflow"] for v in mwaa_versions() if not v["airflow"].startswith("1.")]


__all__ = ["ROOT", "SOURCES", "CONSTRAINTS", "load_table", "table_path", "provider_dist", "mwaa_versions", "generator_args", "targets", "dotted"]
