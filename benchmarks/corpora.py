"""Real-world corpora for the benchmark, built from official wheels: DAGs nobody here wrote.

- "1.10": the example DAGs of the apache-airflow 1.10.x wheels (`airflow/example_dags`,
  `airflow/contrib/example_dags`) and of the backport-provider wheels: Airflow 1.10 code.
- "migrated": the example DAGs of the apache-airflow 2.5+ wheels and of provider wheels of that era
  that still ship theirs: code already written for Airflow 2, checked on 2.11.0.

Wheels are fetched with `pip download --no-deps` into a cache folder (never committed) and read
with zipfile; identical files are kept once. Nothing is imported or run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Optional

# Each corpus, the target it is checked on (its code's own era), and the wheels it comes from.
TARGETS = {"1.10": "2.5.1", "migrated": "2.11.0"}
WHEELS = {
    # 1.10.2 and older are sdists only: not read.
    "1.10": [("apache-airflow", v) for v in ("1.10.6", "1.10.10", "1.10.12", "1.10.15")] + [
        # The backport providers' examples: DAGs written for 1.10, importing 1.10 core paths.
        (f"apache-airflow-backport-providers-{p}", v) for p, v in (
            ("google", "2021.3.3"), ("amazon", "2021.3.3"), ("cncf-kubernetes", "2021.3.3"),
            ("microsoft-azure", "2021.3.13"), ("apache-beam", "2021.3.13"))],
    # Code written for the Airflow 2.5+ API (`schedule=`, EmptyOperator, datasets), checked on 2.11.0:
    # Airflow's own examples and those of provider versions of the same era.
    "migrated": [("apache-airflow", v) for v in ("2.5.1", "2.7.2", "2.9.2", "2.10.3", "2.11.0")] + [
        ("apache-airflow-providers-google", "10.2.0"), ("apache-airflow-providers-amazon", "7.1.0"),
        ("apache-airflow-providers-microsoft-azure", "5.2.1"), ("apache-airflow-providers-cncf-kubernetes", "7.0.0"),
    ],
}


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("DAGSHIFT_BENCH_CACHE", Path(base) / "dagshift-bench"))


def wheel(dist: str, version: str, folder: Path) -> Optional[Path]:
    stem = dist.replace("-", "_")
    found = sorted(folder.glob(f"{stem}-{version}-*.whl"))
    if not found:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"{dist}=={version}",
                               "-d", str(folder)], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            print(f"corpora: cannot download {dist}=={version}: {done.stderr.strip()[-200:]}", file=sys.stderr)
            return None
        found = sorted(folder.glob(f"{stem}-{version}-*.whl"))
    return found[0] if found else None


def example_files(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(name, archive.read(name)) for name in sorted(archive.namelist())
                if "/example_dags/" in name and name.endswith(".py") and not name.endswith("__init__.py")]


def build(kind: str, limit: Optional[int] = None) -> Optional[Path]:
    """The corpus folder (a `dags/` tree, one sub-folder per wheel), built once and cached; None
    when no wheel could be had (offline). `limit` keeps the first N files (a slice for tests)."""
    root = cache_folder()
    out = root / (f"corpus-{kind}" + (f"-{limit}" if limit else "")) / "dags"
    marker = out.parent / "complete"
    if marker.exists():
        return out.parent
    seen: set[str] = set()
    written = 0
    for dist, version in WHEELS[kind]:
        found = wheel(dist, version, root / "wheels")
        if found is None:
            continue
        for name, data in example_files(found):
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            target = out / f"{dist.removeprefix('apache-airflow-')}-{version}" / name.replace("/", "__")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written += 1
            if limit and written >= limit:
                break
        if limit and written >= limit:
            break
    if not written:
        return None
    marker.write_text(f"{written} files\n")
    return out.parent


if __name__ == "__main__":
    for kind in WHEELS:
        folder = build(kind)
        print(kind, folder, (folder / "complete").read_text().strip() if folder else "unavailable")
