"""Which configuration renames real Airflow proved (scripts/verify_identity.py, the `config` part
of rules/imports/data/rewrite_proofs.json): a rename is Airflow's own when some version's
`conf.deprecated_options` maps the new option to the old one and the target defines the new one.

A proven rename keeps DS403's safe fix; one no version's table names (not decidable) is an unsafe
fix; one whose new option the target does not define (disproven) is no fix, and the finding says
so. A target the script has not run for keeps the generated table's verdict.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Optional

from dagshift.linter.tables import load_table, table_path


@lru_cache(maxsize=16)
def config_proofs(target: str) -> dict[str, list[str]]:
    """`section.option` -> [new spelling, verdict, why] on the target (empty: never verified)."""
    from dagshift.linter.datacache import load

    def build() -> dict[str, list[str]]:
        config: dict[str, Any] = load_table("rewrite_proofs", "targets", "config")["config"]
        return config.get(target, {})

    return load(f"config-proofs-{target}", (str(table_path("rewrite_proofs")), __file__), build)


def config_verdict(target: str, old: str, new: str) -> Optional[tuple[str, str]]:
    record = config_proofs(target).get(old)
    if record is None or record[0] != new:
        return None
    return record[1], record[2]
