#!/usr/bin/env python3
"""Copy the data sources the generators need into the repository, with their provenance.

The one script that reads outside the repository: every generator then reads only what this
vendors (scripts/sources/ and rules/requirements/data/constraints/), so a fresh clone can
regenerate every table. Run when MWAA adds a version:

    python scripts/vendor_sources.py --reference ../shared/reference
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

from _paths import CONSTRAINTS, SOURCES

TABLE_HEADING = "| Airflow | Python |"


def vendor_versions(reference: Path) -> int:
    lines = (reference / "mwaa.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(TABLE_HEADING))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    header = (
        "# MWAA's Airflow versions (vendored data source)\n\n"
        "Read by scripts/gen_mwaa_versions.py. Copied by scripts/vendor_sources.py from the project's reference "
        "notes (shared/reference/mwaa.md, section 1), which summarise the MWAA User Guide page `airflow-versions` "
        "(https://docs.aws.amazon.com/mwaa/latest/userguide/airflow-versions.html) as of 2026. Columns: Airflow, "
        "Python, the constraints URL MWAA documents, the date MWAA made it available, its end of support, and its "
        "status.\n\n"
    )
    (SOURCES / "mwaa_versions.md").write_text(header + "\n".join(lines[start:end]) + "\n", encoding="utf-8")
    return end - start - 2


def vendor_constraints(reference: Path) -> int:
    CONSTRAINTS.mkdir(parents=True, exist_ok=True)
    index = {}
    for src in sorted((reference / "constraints").glob("*.txt")):
        name = src.name
        airflow = name.split("-")[2 if name.startswith("mwaa-") else 1].removesuffix(".txt")
        shutil.copyfile(src, CONSTRAINTS / name)
        index[name] = {
            "sha256": hashlib.sha256(src.read_bytes()).hexdigest(),
            "source": "aws/aws-mwaa-local-runner docker/config/constraints.txt"
            if name.startswith("constraints-") and tuple(map(int, airflow.split("."))) < (2, 9)
            else "aws/amazon-mwaa-docker-images images/airflow/<version>/etc/"
            + ("airflow_constraints.txt" if name.startswith("constraints-") else "mwaa_essential_constraints.txt"),
        }
    (CONSTRAINTS / "index.json").write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    return len(index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True, help="the folder holding mwaa.md and constraints/")
    args = parser.parse_args()
    rows = vendor_versions(args.reference)
    files = vendor_constraints(args.reference)
    print(f"vendored {rows} MWAA versions and {files} constraint files")


if __name__ == "__main__":
    main()
