#!/usr/bin/env python3
"""Generate rules/data/mwaa_versions.json: the Airflow versions Amazon MWAA offers.

Reads the version table of the MWAA reference notes (which cite the MWAA User Guide page
`airflow-versions`) and the constraint files vendored beside them (one per MWAA version, from
aws/aws-mwaa-local-runner and aws/amazon-mwaa-docker-images). Run:

    python scripts/gen_mwaa_versions.py --reference ../shared/reference --out rules/data/mwaa_versions.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

ROW = re.compile(
    r"^\|\s*(?P<airflow>\d+\.\d+\.\d+)\s*\|\s*(?P<python>3\.\d+)\s*\|\s*`(?P<url>constraints-[^`]+)`\s*\|"
    r"\s*(?P<available>\d{4}-\d{2}-\d{2})\s*\|\s*(?P<eos>[^|]*)\|\s*(?P<status>\w+)\s*\|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference"))
    parser.add_argument("--out", type=Path, default=Path("rules/data/mwaa_versions.json"))
    args = parser.parse_args()

    versions = []
    for line in (args.reference / "mwaa.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if not match:
            continue
        airflow, python = match["airflow"], match["python"]
        constraints = args.reference / "constraints" / f"constraints-{airflow}-{python}.txt"
        essential = args.reference / "constraints" / f"mwaa-essential-{airflow}.txt"
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
