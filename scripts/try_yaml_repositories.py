#!/usr/bin/env python3
"""Check, fix and check again the DAGs written in YAML of real repositories, per target.

    python scripts/try_yaml_repositories.py --targets 2.11.2 3.0.6 REPO_DIR...

For each repository (a folder; `git archive` of a snapshot) and target, in a copy: `dagshift check
--format json` before, `check --fix` (safe fixes only), `check` after, and a second `--fix` that
must change nothing. Counts the findings on YAML DAG sources (`.yml`/`.yaml`, gusty's `.sql`/`.py`
frontmatter files: the files whose findings come from a YAML node; DS1xx and DS5xx) before and
after, the files the
fix changed, whether every changed YAML still parses with PyYAML (custom tags accepted), and
whether any file outside the DAG folders changed. Never runs the repository's code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml


class _AnyTag(yaml.SafeLoader):
    pass


_AnyTag.add_multi_constructor("!", lambda loader, tag, node: None)


def run(root: Path, target: str, *extra: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "dagshift", "check", ".", "--format", "json", "--no-cache",
                           "--target-version", target, *extra], cwd=root, capture_output=True, text=True, timeout=1800)
    return json.loads(proc.stdout) if proc.stdout.strip().startswith("[") else []


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.relative_to(root).parts}


def yaml_finding(finding: dict, text_of) -> bool:  # type: ignore[no-untyped-def]
    """A finding of the DAG and operator rules (DS1xx, DS5xx) on a YAML DAG source: not the
    configuration family's findings on a docker-compose file."""
    path = finding["path"]
    if not finding["code"].startswith(("DS1", "DS5")):
        return False
    if path.endswith((".yml", ".yaml")):
        return True
    if path.endswith((".sql", ".py")):
        head = text_of(path)
        return head.startswith(("---", "# ---")) and finding["line"] <= head.count("\n", 0, 4000)
    return False


def one(repo: Path, target: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / repo.name
        shutil.copytree(repo, work, ignore=shutil.ignore_patterns(".git"))
        subprocess.run(["git", "init", "-q", "."], cwd=work, check=True)
        text_of = lambda p: (work / p).read_text(encoding="utf-8", errors="replace")[:4000]
        before_all = run(work, target)
        before = [f for f in before_all if yaml_finding(f, text_of)]
        start = digest(work)
        run(work, target, "--fix")
        fixed = digest(work)
        after = [f for f in run(work, target) if yaml_finding(f, text_of)]
        run(work, target, "--fix")
        changed = sorted(p for p in fixed if fixed[p] != start.get(p))
        broken = [p for p in changed if p.endswith((".yml", ".yaml")) and not _parses(work / p)]
        return {"before": len(before), "codes": Counter(f["code"] for f in before), "after": len(after),
                "errors_after": sum(1 for f in after if f.get("severity", "") == "error"),
                "changed": changed, "broken": broken, "stable": digest(work) == fixed}


def _parses(path: Path) -> bool:
    try:
        yaml.load(path.read_text(encoding="utf-8"), Loader=_AnyTag)  # noqa: S506
        return True
    except yaml.YAMLError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["2.11.2", "3.0.6"])
    parser.add_argument("repos", type=Path, nargs="+")
    args = parser.parse_args()
    print("| repository | target | YAML findings before (by code) | after `--fix` (errors) | files fixed | "
          "fixed YAML parses | second `--fix` changes nothing |")
    print("|---|---|---|---|---|---|---|")
    for repo in args.repos:
        for target in args.targets:
            r = one(repo, target)
            codes = ", ".join(f"{c} ×{n}" for c, n in sorted(r["codes"].items()))
            print(f"| {repo.name} | {target} | {r['before']} ({codes}) | {r['after']} ({r['errors_after']}) | "
                  f"{len(r['changed'])} | {'yes' if not r['broken'] else 'NO: ' + ', '.join(r['broken'])} | "
                  f"{'yes' if r['stable'] else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
