#!/usr/bin/env python3
"""The identity oracle: is every import rewrite dagshift offers the same thing, on real Airflow?

    python scripts/verify_identity.py [--targets 3.0.6 3.3.1 ...] [--write] [--report FILE]

"Exists on the target" is not proof that a rewrite keeps a DAG the same program: two classes can
share a name. For every target with a verification virtualenv (the ones
scripts/verify_against_airflow.py builds: /tmp/dagshift-verify-<version>, Airflow and the
providers its constraint file pins), this script

1. enumerates every import rewrite the import rules can offer on that target, by asking the
   rules' own code (rules/imports/analysis.py `from_import_finding`, without the proofs) about
   every 1.10 path of the move tables and every public name of every Airflow and pinned-provider
   module any target has;
2. runs scripts/identity_probe.py inside every virtualenv (Airflow's code only, never a user's):
   does each path import, where is its object defined, which deprecation warnings did it raise,
   and for each (old, new) pair, are they the same object (or `old` a subclass of `new` whose
   body only warns);
3. decides each rewrite, on the target's own venv if the old path still imports there, else on
   the newest venv where it does (the last version where the old spelling worked):
   - proven: the same object; a deprecated subclass that only warns; the old name's object was
     defined at `new`, or was defined at a path that is `new` on the target; or Airflow's own
     deprecation warning for the old path names `new`;
   - disproven: both import there and are different objects (a name shared by two classes), or
     `new` does not import on the target;
   - not decidable: the old path imports nowhere we can run, and nothing above links them.

`--write` stores the verdicts as rules/imports/data/rewrite_proofs.json (the import rules offer a
safe fix only for proven rewrites, no fix for disproven ones); `--report` appends the counts and
every disproven and undecidable rewrite, as Markdown, for docs/verification.md. Run by hand.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import load_table, table_path  # noqa: E402
from airflow_env import airflow_env  # noqa: E402

PROBE = Path(__file__).resolve().parent / "identity_probe.py"


def venvs(root: Path) -> dict[str, Path]:
    """Every MWAA version whose verification venv is installed, oldest first."""
    from dagshift.linter.targets import version_tuple

    found = {}
    for version in (v["airflow"] for v in load_table("mwaa_versions", "versions")["versions"]):
        venv = root / f"dagshift-verify-{version}"
        if (venv / "dagshift-installed").exists():
            found[version] = venv
    return dict(sorted(found.items(), key=lambda kv: version_tuple(kv[0])))


def candidates() -> list[tuple[str, str]]:
    """(module, name) of every 1.10 path and every public name any target's worlds bind."""
    from dagshift.rules.imports.tables import moves_table, provider_data

    found = {tuple(path.rsplit(".", 1)) for path in moves_table()}
    data = provider_data()
    for world in [*data["core"].values(), *data["providers"].values()]:
        imported = world.get("imported", {})
        for module, names in world["modules"].items():
            if any(part.startswith("_") for part in module.split(".")) or ".migrations." in module:
                continue  # (Airflow's private modules and database migrations: no DAG imports them)
            brought = set(imported.get(module, "").split())
            # A module's own names, and the classes it re-exports (`airflow.models.BaseOperator`);
            # not the helpers it imports for itself (`log`, `Column`, `metadata`).
            found |= {(module, n) for n in names.split()
                      if not n.startswith("_") and (n not in brought or n[:1].isupper() and not n.isupper())}
    return sorted(found)  # type: ignore[arg-type]


def offered(target: str, pool: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """old path -> (new path, code) for every from-import rewrite the rules offer on the target."""
    import libcst as cst

    from dagshift.linter.imports import ImportedName
    from dagshift.rules.imports.analysis import from_import_finding
    from dagshift.rules.imports.tables import closed_world, import_verdict, tables

    t = tables(target)
    found = {}
    for module, name in pool:
        path = f"{module}.{name}"
        if path not in t.entries and module not in t.old_modules and closed_world(t, module, name) is None:
            continue
        if t.entries.get(path) is None and path in t.old_modules:
            continue  # a 1.10 module imported as a name: its uses' paths are judged one by one
        if path not in t.entries and import_verdict(t, module, name) is None:
            continue
        imported = ImportedName(name, path, module, name, 0, cst.ImportAlias(name=cst.Name(name)), None)  # type: ignore[arg-type]
        finding = from_import_finding(t, imported, prove=False)
        if finding is not None and finding.detail is not None and finding.detail.new:
            found[path] = (finding.detail.new, finding.code)
    # DS503's rewrite (the dag_api family owns DummyOperator's 2.x path), where the target has EmptyOperator.
    home = load_table("dag_api", "targets")["targets"][target].get("empty_operator")
    if home:
        found["airflow.operators.dummy.DummyOperator"] = (f"{home}.EmptyOperator", "DS503")
    return found


def config_renames(target: str) -> dict[str, str]:
    """`section.option` -> its new spelling, for every rename DS403 knows on the target."""
    data = load_table("config_changes", "targets")["targets"].get(target, {})
    return {old: spec[0] for old, spec in data.get("renames", {}).items()}


def decide_config(target: str, old: str, new: str, runs: dict[str, dict]) -> tuple[str, str]:
    """A configuration rename is Airflow's own when some version's `conf.deprecated_options` maps
    the new option to the old one; it holds on the target only if the target defines the new one."""
    from dagshift.linter.tables import load_table as table

    removed = set(table("config_changes", "targets")["targets"].get(target, {}).get("removed", []))
    if new not in runs[target]["config"]["options"]:
        if new in removed:
            return "removed", f"{target} removed `{new}` too: reported as removed (DS404), never renamed"
        return "disproven", f"{target} defines no `{new}`"
    named = [v for v, run in runs.items()
             if [*new.split(".", 1), *old.split(".", 1)] in run["config"]["renamed"]]
    if named:
        return "proven", f"`conf.deprecated_options` of {named[-1]} maps it"
    updated = [v for v, run in runs.items() if [*old.split(".", 1), *new.split(".", 1)] in run.get("updates", [])]
    if updated:
        return "proven", f"`airflow config update`'s table of {updated[-1]} renames it"
    return "undecidable", "no verified version's `conf.deprecated_options` names the pair"


UPDATES = """
import json, sys
try:
    from airflow.cli.commands.config_command import CONFIGS_CHANGES
except Exception:  # before 3.0: no `airflow config update`
    CONFIGS_CHANGES = []
print(json.dumps([[c.config.section, c.config.option, c.renamed_to.section, c.renamed_to.option]
                  for c in CONFIGS_CHANGES if getattr(c, "renamed_to", None)]))
"""


def config_updates(venv: Path) -> list[list[str]]:
    """The renames of Airflow 3's `airflow config update` table ([old section, old option, new
    section, new option]): Airflow's own word for the options 3.0 renamed without keeping the old name."""
    home = Path(tempfile.mkdtemp(prefix="dagshift-identity-"))
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", UPDATES], capture_output=True, text=True,
                          env=airflow_env(home), timeout=300)
    shutil.rmtree(home, ignore_errors=True)
    lines = proc.stdout.strip().splitlines()
    return json.loads(lines[-1]) if proc.returncode == 0 and lines else []


def probe(venv: Path, paths: list[str], pairs: list[list[str]], config: bool = False) -> dict:
    """The probe's answers from one venv; kept in the temp dir by the question asked (a rerun after
    a failure, or with one more venv, asks each venv again only what it has not answered)."""
    import hashlib

    # (the probe's text keys the answers about pairs only: pass 1 is the same whatever it checks of them)
    question = json.dumps({"paths": paths, "pairs": pairs, "config": config,
                           "probe": PROBE.read_text() if pairs else ""})
    key = hashlib.sha256((str(venv) + question).encode()).hexdigest()[:20]
    cached = Path(tempfile.gettempdir()) / "dagshift-identity-cache" / f"{key}.json"
    if cached.exists():
        result = json.loads(cached.read_text())
    else:
        result = _probe(venv, paths, pairs, config)
        cached.parent.mkdir(exist_ok=True)
        cached.write_text(json.dumps(result))
    result["pairs"] = {tuple(pair): found for pair, found in zip(pairs, result["pairs"])}
    return result


def _probe(venv: Path, paths: list[str], pairs: list[list[str]], config: bool) -> dict:
    home = Path(tempfile.mkdtemp(prefix="dagshift-identity-"))
    out = home / "result.json"
    proc = subprocess.run([str(venv / "bin" / "python"), str(PROBE), str(out)],
                          input=json.dumps({"paths": paths, "pairs": pairs, "config": config}), env=airflow_env(home),
                          capture_output=True, text=True, timeout=7200)
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"the probe failed in {venv}:\n{proc.stderr[-4000:]}")
    return json.loads(out.read_text())


def names_it(texts: list[str], new: str, defined: Optional[str] = None) -> bool:
    """A deprecation warning that names the new path, or where the new object is defined (3.0.6's
    `airflow.datasets` shim names `airflow.sdk.definitions.asset.Asset`, which `airflow.sdk.Asset`
    is), whole: a module and a name apart prove nothing (the old name is in every such text)."""
    return any(new in text or (defined is not None and defined in text) for text in texts)


def decide(target: str, old: str, new: str, runs: dict[str, dict], order: list[str]) -> tuple[str, str]:
    here = runs[target]
    if not here["paths"][new]["ok"]:
        # (a wrong destination, or a provider or library that would not install in this venv:
        # verify_against_airflow.py's "fix destination imports" claim tells them apart)
        return "undecidable", f"`{new}` does not import in the {target} venv"
    older = [v for v in reversed(order) if order.index(v) < order.index(target)]
    newer = [v for v in order if order.index(v) > order.index(target)]
    witnesses = [v for v in [target, *older, *newer] if runs[v]["paths"][old]["ok"]]
    if not witnesses:
        return "undecidable", "the old path imports on none of the verified versions"
    w = witnesses[0]
    seen, pair = runs[w]["paths"], runs[w]["pairs"].get((old, new))
    where = "" if w == target else f" on {w}, the last verified version where it imports"
    place = where or f" on {target}"
    if pair is not None and pair["same"]:
        return "proven", f"the same object{place}"
    if pair is not None and pair["alias_subclass"]:
        return "proven", f"a deprecated subclass that only warns{place}"
    if names_it(seen[old]["warnings"], new, here["paths"][new].get("defined")):
        return "proven", f"Airflow's deprecation warning{place} names it"
    origin = seen[old]["defined"]
    if origin == new:
        return "proven", f"defined there{where}"
    # The old object's own path, followed on the target: Airflow's successor shim there (2.x's core
    # EmailOperator is the smtp provider's on Airflow 3) speaks for the target, whatever 2.x held.
    through = here["pairs"].get((origin, new)) if origin and w != target else None
    if through is not None and (through["same"] or through["alias_subclass"]):
        return "proven", f"defined at `{origin}`{where}, which is the same object on {target}"
    if origin and w != target and names_it(here["paths"].get(origin, {}).get("warnings", []), new,
                                           here["paths"][new].get("defined")):
        return "proven", f"defined at `{origin}`{where}, whose deprecation on {target} names it"
    if pair is not None and (origin is None or seen[new]["defined"] is None):
        # (values, not classes or functions: `is` says nothing of two equal constants)
        return "undecidable", f"`{old}` and `{new}` are values{place}, compared by identity only"
    if pair is not None and pair.get("related"):
        # (a subclass of the other with code of its own, or a deprecation wrapper the probe cannot
        # read: the same family of class, not proven to behave the same)
        return "undecidable", (f"`{old}` is `{seen[old]['defined']}`, a subclass or base of `{new}` with code of its "
                               f"own{place}")
    if pair is not None:
        return "disproven", (f"`{old}` is `{seen[old]['defined']}` and `{new}` is `{seen[new]['defined']}`"
                             f"{place}")
    named = named_by_airflow(target, old, new)
    if named:
        return "proven", named
    return "undecidable", f"`{new}` does not import{where} and nothing links the two"


# How a 1.10 move was found (import_moves.json `via`) that is Airflow's own word for the successor:
# its 2.x shim, or the renamed-classes table of apache-airflow-upgrade-check (Airflow's upgrade tool).
AIRFLOW_SAYS = {"shim": "Airflow's own shim module names it", "renamed_classes": "apache-airflow-upgrade-check's "
                "renamed-classes table (Airflow's own upgrade tool) names it"}


def named_by_airflow(target: str, old: str, new: str) -> Optional[str]:
    """Where no venv can hold both, the successor's own code naming it: the move table's source
    (shim, upgrade-check), or the provider's deprecation code keeping the old class as a plain
    alias of the new one (read from the provider wheels; rules/imports/verdicts.py `renamed`)."""
    from dagshift.rules.imports.tables import moves_table, tables
    from dagshift.rules.imports.verdicts import renamed

    entry = moves_table().get(old, {}).get(target, {})
    if entry.get("to") == new and entry.get("via") in AIRFLOW_SAYS:
        return AIRFLOW_SAYS[entry["via"]]
    t = tables(target)
    dist = t.dist_of(old.rpartition(".")[0])
    if dist and renamed(t, dist, old) == new:
        return f"{dist}'s deprecation code keeps `{old.rpartition('.')[2]}` as a plain alias of it (read from its wheels)"
    return None


def run_probes(available: dict[str, Path], rewrites: dict[str, dict[str, tuple[str, str]]]) -> dict[str, dict]:
    """Each venv's answers: pass 1, where every old and new path imports and what it is; pass 2,
    the pairs (a rewrite's two paths, and each old path's defining path with its new one)."""
    olds = sorted({old for r in rewrites.values() for old in r})
    news = sorted({new for r in rewrites.values() for new, _ in r.values()})
    paths = sorted(set(olds) | set(news))
    runs: dict[str, dict] = {}
    for version, venv in available.items():  # pass 1: where each path imports, what it is
        runs[version] = probe(venv, paths, [], config=True)
        print(f"probed {version}: {sum(p['ok'] for p in runs[version]['paths'].values())} of {len(paths)} import",
              file=sys.stderr)
    # Where each old path's object was defined, on any version: (that path, new) is asked too.
    origins = {(run["paths"][old]["defined"], new) for run in runs.values() for r in rewrites.values()
               for old, (new, _) in r.items() if run["paths"][old]["ok"] and run["paths"][old]["defined"]}
    defined = {d for d, _ in origins}
    for version, venv in available.items():  # pass 2: the pairs, where both sides import
        ok = {p for p, info in runs[version]["paths"].items() if info["ok"]}
        pairs = {(old, new) for r in rewrites.values() for old, (new, _) in r.items() if old in ok and new in ok}
        pairs |= origins
        pairs = {(a, b) for a, b in pairs if a != b}
        config = runs[version]["config"]
        first = runs[version]["paths"]
        runs[version] = probe(venv, sorted({d for d in defined if d} - set(first)), [list(p) for p in sorted(pairs)])
        runs[version]["paths"] = {**first, **runs[version]["paths"]}  # (pass 1's, and the origins')
        runs[version]["config"] = config
        runs[version]["updates"] = config_updates(venv)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venvs", type=Path, default=Path(tempfile.gettempdir()),
                        help="folder holding dagshift-verify-<version> virtualenvs (default: the temp dir)")
    parser.add_argument("--targets", nargs="*", help="default: every version with a venv")
    parser.add_argument("--write", action="store_true", help="write rules/imports/data/rewrite_proofs.json")
    parser.add_argument("--report", type=Path, help="append the Markdown summary to this file")
    args = parser.parse_args()
    available = venvs(args.venvs)
    order = list(available)
    targets = [t for t in (args.targets or order) if t in available]
    pool = candidates()
    rewrites = {target: offered(target, pool) for target in targets}
    print(f"{len(pool)} candidate paths; rewrites offered: "
          + ", ".join(f"{t} {len(r)}" for t, r in rewrites.items()), file=sys.stderr)
    runs = run_probes(available, rewrites)
    table: dict[str, dict[str, list[str]]] = {}
    counts: dict[str, Counter] = {}
    for target in targets:
        table[target] = {}
        counts[target] = Counter()
        for old, (new, _code) in sorted(rewrites[target].items()):
            status, why = decide(target, old, new, runs, order)
            table[target][old] = [new, status, why]
            counts[target][status] += 1
    settings: dict[str, dict[str, list[str]]] = {}
    for target in targets:
        settings[target] = {}
        for old, new in sorted(config_renames(target).items()):
            status, why = decide_config(target, old, new, runs)
            settings[target][old] = [new, status, why]
    text = report(table, counts) + "\n" + report_config(settings)
    print(text)
    if args.report:
        with args.report.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    if args.write:
        pins = {v: (available[v] / "dagshift-installed").read_text().split() for v in available}
        data = {"_provenance": {
            "generator": "scripts/verify_identity.py (probe: scripts/identity_probe.py)",
            "method": "each rewrite's two paths imported in virtualenvs of apache-airflow==<version> with the "
                      "providers its constraint file pins (rules/requirements/data/constraints)",
            "venvs": {v: {"python": runs[v]["python"], "providers_not_installed": pins[v]} for v in available},
        }, "targets": table, "config": settings}
        table_path("rewrite_proofs").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def report(table: dict[str, dict[str, list[str]]], counts: dict[str, Counter]) -> str:
    lines = ["| target | rewrites | proven | disproven | not decidable |", "|---|---|---|---|---|"]
    for target, c in counts.items():
        lines.append(f"| {target} | {sum(c.values())} | {c['proven']} | {c['disproven']} | {c['undecidable']} |")
    for status in ("disproven", "undecidable"):
        rows = [(t, old, rec) for t, records in table.items() for old, rec in records.items() if rec[1] == status]
        if rows:
            lines += ["", f"{status.capitalize()} rewrites ({len(rows)}):", ""]
            lines += [f"- {t}: `{old}` -> `{rec[0]}`: {rec[2]}" for t, old, rec in rows]
    return "\n".join(lines) + "\n"


def report_config(settings: dict[str, dict[str, list[str]]]) -> str:
    lines = ["| target | configuration renames | proven | renamed, then removed | disproven | not decidable |",
             "|---|---|---|---|---|---|"]
    for target, records in settings.items():
        c = Counter(rec[1] for rec in records.values())
        lines.append(f"| {target} | {len(records)} | {c['proven']} | {c['removed']} | {c['disproven']} | "
                     f"{c['undecidable']} |")
    rows = [(t, old, rec) for t, records in settings.items() for old, rec in records.items()
            if rec[1] in ("disproven", "undecidable")]
    if rows:
        lines += ["", "Configuration renames not proven:", ""]
        lines += [f"- {t}: `{old}` -> `{rec[0]}`: {rec[2]}" for t, old, rec in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
