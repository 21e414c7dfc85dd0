#!/usr/bin/env python3
"""Generate the requirements rules' data: bundled constraint files and the extras -> providers map.

    python scripts/gen_requirements_data.py --wheels /tmp/wheels --constraints ../shared/reference/constraints

Writes
  rules/requirements/data/constraints/constraints-<airflow>-<python>.txt  (copied as published, one per MWAA 2.x
                                                              version) and mwaa-essential-<airflow>.txt
  rules/requirements/data/constraints/index.json                           (file -> sha256 and source)
  rules/requirements/data/extras.json                                      per target: extra -> provider distributions

Extras come from each apache-airflow wheel's METADATA (`Requires-Dist: apache-airflow-providers-x ;
extra == 'y'`), read with zipfile, never installed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import generator_args, mwaa_versions  # noqa: E402
from wheelindex import metadata, wheel_file  # noqa: E402

SOURCE = "1.10.15"
EXTRA_RE = re.compile(r"^Requires-Dist: (apache-airflow-providers-[A-Za-z0-9_.-]+).*;\s*extra\s*==\s*['\"]([^'\"]+)['\"]")
PROVIDES_RE = re.compile(r"^Provides-Extra: (\S+)")
# 1.10 extras that no 2.x wheel declares; the provider each one's libraries went to (from the
# 1.10.15 METADATA: which libraries the extra pulled, and which provider ships their hooks now).
# Requires-Dist of an apache-airflow wheel without an extra marker: providers pip installs with
# Airflow itself (ftp, http, imap, sqlite; common-sql from 2.3; fab, smtp later).
CORE_REQUIRES_RE = re.compile(r"^Requires-Dist: (apache-airflow-providers-[A-Za-z0-9_.-]+)[^;]*$")
# What MWAA's own image installs besides Airflow's dependencies (AWS's user guide, "Apache Airflow
# provider packages installed on Amazon MWAA environments", and aws/amazon-mwaa-docker-images): the
# amazon provider (logging, secrets), celery (its executor), postgres (its metadata database).
MWAA_IMAGE = ["apache-airflow-providers-amazon", "apache-airflow-providers-celery", "apache-airflow-providers-postgres"]

GONE = {
    "emr": ["apache-airflow-providers-amazon"],
    "azure-blob-storage": ["apache-airflow-providers-microsoft-azure"],
    "azure-container-instances": ["apache-airflow-providers-microsoft-azure"],
    "azure-cosmos": ["apache-airflow-providers-microsoft-azure"],
    "azure-data-lake": ["apache-airflow-providers-microsoft-azure"],
    "azure-secrets": ["apache-airflow-providers-microsoft-azure"],
    "jira": ["apache-airflow-providers-atlassian-jira", "apache-airflow-providers-jira"],
}


def normalize(extra: str) -> str:
    """PEP 685: compare extras lowercased, with runs of -_. as one '-'."""
    return re.sub(r"[-_.]+", "-", extra).lower()


def main() -> None:
    args = generator_args(__doc__, "extras")

    targets = [(v["airflow"], v["python"]) for v in mwaa_versions() if not v["airflow"].startswith("1.")]

    source_extras = sorted(
        normalize(m.group(1)) for line in metadata(wheel_file(args.wheels, "apache-airflow", SOURCE))
        if (m := PROVIDES_RE.match(line))
    )
    per_target: dict[str, dict[str, list[str]]] = {}
    installed: dict[str, list[str]] = {}  # providers an MWAA environment of that version already has
    provenance: dict[str, str] = {}
    for airflow, _ in targets:
        wheel = wheel_file(args.wheels, "apache-airflow", airflow)
        provenance[airflow] = wheel.name
        lines = metadata(wheel)
        if airflow.startswith("3."):  # the meta package's core half requires the always-there providers
            core = wheel_file(args.wheels, "apache-airflow-core", airflow)
            provenance[airflow] += " + " + core.name
            lines += metadata(core)
        mapping: dict[str, set[str]] = {}
        declared = set()
        installed[airflow] = sorted(set(MWAA_IMAGE) | {
            m.group(1).lower().replace("_", "-").replace(".", "-") for line in lines
            if (m := CORE_REQUIRES_RE.match(line))})
        for line in lines:
            if m := PROVIDES_RE.match(line):
                declared.add(normalize(m.group(1)))
            if m := EXTRA_RE.match(line):
                extra = normalize(m.group(2))
                if not extra.startswith("devel") and extra != "all" and not extra.startswith("all-"):
                    mapping.setdefault(extra, set()).add(m.group(1).lower().replace("_", "-").replace(".", "-"))
        per_target[airflow] = {
            e: sorted(mapping.get(e, ())) for e in sorted(declared) if not e.startswith("devel") and e != "all"
        }
    # 2.0's alias extras (aws, gcp, ...) install only libraries, not the provider they stand for: use
    # what the same extra means in the first later version that maps it to a provider.
    for extra in source_extras:
        later = next((per_target[a][extra] for a, _ in targets if per_target[a].get(extra)), None)
        for airflow, _ in targets:
            if not per_target[airflow].get(extra):
                per_target[airflow][extra] = later or GONE.get(extra, [])
    data = {
        "_provenance": {
            "generator": "scripts/gen_requirements_data.py",
            "metadata_of": provenance,
            "source_extras_from": SOURCE,
            "curated_for_extras_gone_in_2x": GONE,
            "installed": "each wheel's Requires-Dist without an extra, plus MWAA's image: " + ", ".join(MWAA_IMAGE),
        },
        "installed": installed,
        "source_extras": source_extras,
        "targets": per_target,
    }
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"extras for {len(per_target)} targets", file=sys.stderr)


if __name__ == "__main__":
    main()
