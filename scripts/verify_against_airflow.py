#!/usr/bin/env python3
"""Check dagshift's shipped verdicts against real Airflow, installed for one target.

    python scripts/verify_against_airflow.py --target 2.5.1 [--venv DIR] [--python PATH] [--report FILE]

Creates (or reuses) a throwaway virtualenv with the target's Python, installs `apache-airflow==X`
and every provider the bundled constraint file pins that dagshift's tables name, under that
constraint file (pip's cache makes a second run offline-capable), then runs a probe inside that
venv that imports Airflow's own code (never the user's) and checks, for the target:

- every fix destination of the import tables imports, and without a DeprecationWarning;
- every "does not exist" verdict really fails to import;
- every "deprecated" verdict imports, with a warning;
- for every operator class of the signature table: an unknown probe argument raises "Invalid
  arguments were passed" where dagshift says the DAG fails (classes that read **kwargs themselves
  are expected to let it pass); a class that cannot be built from its required arguments alone
  is counted as not decidable;
- every rename's new spelling is an argument the class takes;
- with `--paths`: every absolute airflow import of those files (real repositories, read with ast,
  never run) gets dagshift's verdict (fails / warns / imports cleanly, from the move tables and the
  target's closed world), and the probe imports it: each verdict must hold.

Prints the counts (checked / disagreeing, per claim) and the disagreements; `--report` writes them
as Markdown for docs/verification.md. Run by hand, not by CI: it downloads Airflow.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

from _paths import CONSTRAINTS, load_table
from airflow_env import airflow_env, verify_venv

PROBE = Path(__file__).resolve().parent / "airflow_probe.py"


def claims(target: str) -> dict:
    """What dagshift's tables say about the target, as the probe checks it."""
    moves = load_table("import_moves", "moves")["moves"]
    signatures = load_table("operator_signatures", "arguments", "targets")
    removed, deprecated, destinations = [], [], set()
    for old, per_target in moves.items():
        entry = per_target.get(target)
        if not entry or entry["status"] == "ok":
            continue
        (removed if entry["status"] == "removed" else deprecated).append(old)
        if entry.get("to"):
            destinations.add(entry["to"])
    destinations |= renamed_destinations(target)
    sets = signatures["arguments"]
    classes = {cls: sets[i] for cls, i in signatures["targets"].get(target, {}).items()}
    renames = {
        cls: {old: new for old, new in r.items() if new in classes.get(cls, ())}
        for cls, r in signatures.get("argument_renames", {}).items() if cls in classes
    }
    return {
        "removed": sorted(removed),
        "deprecated": sorted(deprecated),
        "destinations": sorted(destinations),
        "operators": sorted(classes),
        "accepted": {cls: sorted(args) for cls, args in sorted(classes.items())},
        "consumes_kwargs": sorted(signatures.get("consumes_kwargs", {}).get(target, [])),
        "renames": {cls: r for cls, r in sorted(renames.items()) if r},
    }


def renamed_destinations(target: str) -> set[str]:
    """Where DS104 sends each provider class renamed through a deprecated alias, on the target."""
    from dagshift.rules.imports.tables import tables
    from dagshift.rules.imports.verdicts import renamed

    t = tables(target)
    found = set()
    for dist, renames in t.renames.items():
        for old in renames:
            new = renamed(t, dist, old)
            if new is not None:
                found.add(new)
    return found


def verdict(target: str, module: str, name: Optional[str]) -> str:
    """What dagshift says of one import on the target: "fails", "warns", "imports" or "unjudged"."""
    from dagshift.rules.imports.tables import closed_world, plugin_namespace, tables
    from dagshift.rules.imports.toplevel import table as toplevel

    t = tables(target)
    if module == "airflow" and name in toplevel()["targets"][target]:  # DS105's own table
        status = toplevel()["targets"][target][name]["status"]
        return {"ok": "imports", "deprecated": "warns"}.get(status, "fails")
    if (f"{module}.{name}" if name else module) in t.old_modules and f"{module}.{name}" not in t.entries:
        return "unjudged"  # a 1.10 module imported whole: dagshift judges each attribute use instead
    if t.world_of(module) is None or plugin_namespace(module) and closed_world(t, module, name) in ("module", "name"):
        return "unjudged"  # a provider the target does not pin, or example DAGs: nothing is said
    entry = t.entries.get(f"{module}.{name}" if name else module)
    if entry is not None:
        return "fails" if entry["status"] == "removed" else "warns"
    found = closed_world(t, module, name)
    return {None: "imports", "warns": "warns"}.get(found, "fails")


def real_imports(target: str, paths: list[Path]) -> list[dict]:
    """Every distinct absolute airflow import of the Python files under `paths`, with its verdict."""
    seen: dict[tuple[str, Optional[str]], str] = {}
    for root in paths:
        for file in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            try:
                tree = ast.parse(file.read_bytes())
            except (SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "airflow":
                    for alias in node.names:
                        if alias.name != "*":
                            seen.setdefault((node.module or "", alias.name), file.name)
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.split(".")[0] == "airflow":
                            seen.setdefault((alias.name, None), file.name)
    found = [{"module": m, "name": n, "verdict": verdict(target, m, n), "file": f} for (m, n), f in sorted(
        seen.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]
    return [item for item in found if item["verdict"] != "unjudged"]


def python_for(version: str) -> str:
    """A python of that minor version: a pyenv install first (its shims need a selected version)."""
    pyenv = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python"))
    if pyenv:
        return str(pyenv[-1])
    found = shutil.which(f"python{version}")
    if found is None:
        raise SystemExit(f"no python{version} found: pass --python")
    return found


def install(venv: Path, python: str, target: str, pins_file: Path) -> None:
    done_marker = venv / "dagshift-installed"
    if done_marker.exists():
        return  # installed by an earlier run
    if not (venv / "bin" / "python").exists():
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    if target.startswith("2.0."):
        # Airflow 2.0's constraints pin Flask-OpenID 1.2.5, an sdist whose setup uses `use_2to3`,
        # which setuptools dropped in 58: build it with an older setuptools, without isolation.
        subprocess.run([*pip, "setuptools<58", "wheel"], check=True)
        pip.append("--no-build-isolation")
    subprocess.run([*pip, f"apache-airflow=={target}", "-c", str(pins_file)], check=True)
    # Every provider in one resolution; if that fails, one at a time, from wheels only: one that
    # needs a system library to build (mysqlclient's mysql_config) is left out and said so.
    missing: list[str] = []
    dists = sorted(load_table("provider_index", "pins")["pins"].get(target, {}))
    # (these need system libraries on some versions: tried alone, so the rest resolve together)
    alone = [d for d in dists if d.rpartition("providers-")[2] in ("mysql", "apache-hdfs", "apache-hive", "cloudant")]
    together = [d for d in dists if d not in alone]
    done_together = subprocess.run([*pip, "--prefer-binary", f"apache-airflow=={target}", *together,
                                    "-c", str(pins_file)], capture_output=True, text=True)
    for dist in alone + (together if done_together.returncode != 0 else []):
        done = subprocess.run([*pip, "--prefer-binary", f"apache-airflow=={target}", dist, "-c", str(pins_file)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            missing.append(dist)
    if missing:
        print(f"not installable here (their checks are skipped): {', '.join(missing)}", file=sys.stderr)
    done_marker.write_text("\n".join(missing) + "\n")


def run_probe(venv: Path, data: dict) -> dict:
    home = Path(tempfile.mkdtemp(prefix="dagshift-airflow-home-"))
    env = airflow_env(home)
    out = home / "result.json"  # not stdout: Airflow's modules may print there
    proc = subprocess.run([str(venv / "bin" / "python"), str(PROBE), str(out)], input=json.dumps(data), env=env,
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"the probe failed:\n{proc.stderr[-4000:]}")
    return json.loads(out.read_text())


def report(target: str, result: dict) -> str:
    lines = [f"### Airflow {target}", "", "| claim | checked | disagreeing | not decidable |", "|---|---|---|---|"]
    for name, row in result["counts"].items():
        lines.append(f"| {name} | {row['checked']} | {row['disagreeing']} | {row.get('undecidable', 0)} |")
    if result["disagreements"]:
        lines += ["", "Disagreements:", ""]
        lines += [f"- {d}" for d in result["disagreements"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True)
    parser.add_argument("--venv", type=Path, help="default: a folder in the temp dir, kept for the next run")
    parser.add_argument("--python", help="default: python<the target's Python version> on PATH")
    parser.add_argument("--report", type=Path, help="append the Markdown table to this file")
    parser.add_argument("--paths", type=Path, nargs="*", default=[],
                        help="real repositories: check dagshift's verdict on each of their airflow imports")
    args = parser.parse_args()
    version = next(v for v in load_table("mwaa_versions", "versions")["versions"] if v["airflow"] == args.target)
    pins_file = CONSTRAINTS / f"constraints-{args.target}-{version['python']}.txt"
    venv = args.venv or verify_venv(args.target)
    install(venv, args.python or python_for(version["python"]), args.target, pins_file)
    data = claims(args.target)
    data["real_imports"] = real_imports(args.target, args.paths)
    # Providers that would not install here: a failure through their modules decides nothing.
    data["not_installed"] = [d.removeprefix("apache-airflow-providers-").replace("-", ".")
                             for d in (venv / "dagshift-installed").read_text().split()]
    result = run_probe(venv, data)
    text = report(args.target, result)
    print(text)
    if args.report:
        with args.report.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")


if __name__ == "__main__":
    main()
