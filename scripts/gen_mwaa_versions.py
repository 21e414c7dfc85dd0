#!/usr/bin/env python3
"""Generate linter/data/mwaa_versions.json: the Airflow versions Amazon MWAA offers.

Reads the version table vendored in scripts/sources/mwaa_versions.md (from the MWAA User Guide
page `airflow-versions`) and the constraint files vendored in rules/requirements/data/constraints
(one per MWAA version, from aws/aws-mwaa-local-runner and aws/amazon-mwaa-docker-images); both
are copied in by scripts/vendor_sources.py. Run:

    python scripts/gen_mwaa_versions.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

from _paths import CONSTRAINTS, SOURCES, table_path

ROW = re.compile(
    r"^\|\s*(?P<airflow>\d+\.\d+\.\d+)\s*\|\s*(?P<python>3\.\d+)\s*\|\s*`(?P<url>constraints-[^`]+)`\s*\|"
    r"\s*(?P<available>\d{4}-\d{2}-\d{2})\s*\|\s*(?P<eos>[^|]*)\|\s*(?P<status>\w+)\s*\|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=table_path("mwaa_versions"))
    args = parser.parse_args()

    versions = []
    for line in (SOURCES / "mwaa_versions.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if not match:
            continue
        airflow, python = match["airflow"], match["python"]
        constraints = CONSTRAINTS / f"constraints-{airflow}-{python}.txt"
        essential = CONSTRAINTS / f"mwaa-essential-{airflow}.txt"
        eos = match["eos"].strip().strip("*").strip()
        versions.append(
            {
                "airflow": airflow,
                "python": python,
                "constraints_url": "https://raw.githubusercontent.com/apache/airflow/"
                f"constraints-{airflow}/constraints-{python}.txt",
                "available": match["available"],
                "end_of_support": None if eos in ("", "–", "-") else eos,
                "status": match["status"],
                "constraints_sha256": hashlib.sha256(constraints.read_bytes()).hexdigest()
                if constraints.exists()
                else None,
                "essential_constraints": essential.exists(),
            }
        )
    key = lambda v: tuple(int(p) for p in v["airflow"].split("."))  # noqa: E731
    versions.sort(key=key)
    data = {
        "_provenance": {
            "generator": "scripts/gen_mwaa_versions.py",
            "sources": [
                "MWAA User Guide, airflow-versions page (table summarised in shared/reference/mwaa.md section 1)",
                "constraint files: aws/aws-mwaa-local-runner (2.0.2-2.8.1) and "
                "aws/amazon-mwaa-docker-images (2.9.2+), vendored in shared/reference/constraints",
            ],
        },
        "versions": versions,
    }
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(versions)} versions to {args.out}")


if __name__ == "__main__":
    main()
