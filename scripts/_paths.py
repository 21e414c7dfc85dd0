"""Where the generators read and write, inside the repository only; and dagshift's own runtime code.

Generators import the runtime helpers they share with the linter (the table loader, the version
list, the provider-distribution rule) instead of keeping copies that drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "sources"
CONSTRAINTS = ROOT / "rules" / "requirements" / "data" / "constraints"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # a checkout: `dagshift` resolves to the folders beside scripts/

from dagshift.linter.tables import load_table, table_path  # noqa: E402
from dagshift.rules.imports.tables import INDEXED, provider_dist  # noqa: E402


def mwaa_versions(major: str = "") -> list[dict]:
    """The MWAA versions a table covers (from linter/data/mwaa_versions.json)."""
    return [v for v in load_table("mwaa_versions", "versions")["versions"] if v["airflow"].startswith(major)]


__all__ = ["ROOT", "SOURCES", "CONSTRAINTS", "load_table", "table_path", "provider_dist", "mwaa_versions", "INDEXED"]
