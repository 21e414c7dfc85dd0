#!/usr/bin/env python3
"""Choose the extra provider versions whose deprecation code the import tables read.

Providers drop a deprecated class at a major release; the alias and its message live only in the
releases before it, which no MWAA constraint file may pin (amazon 3.x-5.x kept
`AwsGlueJobOperator` as an alias of `GlueJobOperator`; MWAA pins 2.4.0, then 6.0.0). For each
provider some target pins, this takes the last release of every major version from the oldest
pinned to the newest pinned, and writes the list, with the date and the index it came from, to
scripts/sources/provider_history.json: the generators read that file, so a rerun is
reproducible whatever the index publishes later.

    python scripts/provider_history.py          # needs the package index (pip index versions)
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import SOURCES, load_table  # noqa: E402

OUT = SOURCES / "provider_history.json"


def released(dist: str) -> list[Version]:
    done = subprocess.run([sys.executable, "-m", "pip", "index", "versions", dist], capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("Available versions:"):
            return sorted(Version(v.strip()) for v in line.partition(":")[2].split(",") if v.strip())
    raise SystemExit(f"no versions for {dist}: {done.stderr.strip()[-300:]}")


def history(pinned: list[Version], versions: list[Version]) -> list[str]:
    low, high = min(pinned), max(pinned)
    chosen = []
    for major in range(low.major, high.major + 1):
        inside = [v for v in versions if v.major == major and not v.is_prerelease and low <= v <= high]
        if inside and inside[-1] not in pinned:
            chosen.append(str(inside[-1]))
    return chosen


def main() -> None:
    pins = load_table("provider_index", "pins")["pins"]
    by_dist: dict[str, set[Version]] = {}
    for per_target in pins.values():
        for dist, version in per_target.items():
            by_dist.setdefault(dist, set()).add(Version(version))
    chosen = {}
    for dist in sorted(by_dist):
        extra = history(sorted(by_dist[dist]), released(dist))
        if extra:
            chosen[dist] = extra
    OUT.write_text(json.dumps({
        "_provenance": {"generator": "scripts/provider_history.py", "index": "pip index versions",
                        "date": datetime.date.today().isoformat()},
        "versions": chosen,
    }, indent=1, sort_keys=True) + "\n")
    print(f"{sum(len(v) for v in chosen.values())} versions of {len(chosen)} providers", file=sys.stderr)


if __name__ == "__main__":
    main()
