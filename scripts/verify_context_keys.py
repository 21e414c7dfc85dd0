#!/usr/bin/env python3
"""The successors of the template-context keys Airflow 3 removed, proven in real Airflow: DS507's table.

    python scripts/verify_context_keys.py [--old 2.11.2] [--new 3.0.6 --new 3.3.1] [--check] [--out FILE]

A successor is kept only if, for every DAG run of the proof, it renders on each Airflow 3 target
exactly the text the removed key rendered on the newest Airflow 2 (and on that Airflow 2 too: the
fix is offered there as well, where the key only warns). The runs: scheduled runs of DAGs in UTC and
in non-UTC timezones (Europe/Berlin, America/New_York, Australia/Sydney, Asia/Kolkata), daily and
hourly, over month and year ends, a leap day and the DST changes of both hemispheres, plus manual
runs; each is created in the sqlite metadata database of /tmp/dagshift-context-keys-home-<v> and
its context built by Airflow itself (scripts/context_keys_probe.py, run with the verification
venv's python). `execution_date` -> `logical_date` is also checked as a Python value (2.x: the same
object; 3.x: the same type, text, instant and timezone), which makes `context["execution_date"]`
-> `context["logical_date"]` exact. Candidates that fail on some run are not successors: the
counts are printed and the key keeps its advice (`no_successor`); Airflow 2's own one replacement
where it differs on some run is listed (`inexact`: DS507 offers it as an unsafe fix). Last,
dagshift's own `check --fix` rewrites template lines as DAGs write them (WRITTEN), and each fixed
line must render on every Airflow 3 target what the line rendered on Airflow 2 (else exit 1).

Writes rules/dag_api/data/context_successors.json (`--check`: exits 1 if the proof no longer gives it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _paths import ROOT
from airflow_env import airflow_env, verify_python

PROBE = ROOT / "scripts" / "context_keys_probe.py"
OUT = ROOT / "rules" / "dag_api" / "data" / "context_successors.json"
DOC = "https://airflow.apache.org/docs/apache-airflow/2.11.0/templates-ref.html"
DAY = "macros.timedelta(days=1)"
# The claims the proof tests: key -> (template successor, Python-lookup successor or None, what the
# Airflow 2 docs say of the key).
CLAIMS = {
    "execution_date": ("logical_date", "logical_date",
                       "Deprecated Variables: `{{ execution_date }}` the execution date (logical date), same as `logical_date`"),
    "yesterday_ds": (f"(logical_date - {DAY}) | ds", None, "`{{ yesterday_ds }}` the day before the execution date as YYYY-MM-DD"),
    "yesterday_ds_nodash": (f"(logical_date - {DAY}) | ds_nodash", None, "`{{ yesterday_ds_nodash }}` the day before the execution date as YYYYMMDD"),
    "tomorrow_ds": (f"(logical_date + {DAY}) | ds", None, "`{{ tomorrow_ds }}` the day after the execution date as YYYY-MM-DD"),
    "tomorrow_ds_nodash": (f"(logical_date + {DAY}) | ds_nodash", None, "`{{ tomorrow_ds_nodash }}` the day after the execution date as YYYYMMDD"),
}
# Other spellings rendered beside them (reported, not written): the docs' `ds_add`, and the nearest
# candidates of the keys that have no exact successor.
ALTERNATIVES = {
    "yesterday_ds": "macros.ds_add(ds, -1)", "tomorrow_ds": "macros.ds_add(ds, 1)",
    "prev_ds": "data_interval_start | ds", "prev_ds_nodash": "data_interval_start | ds_nodash",
    "prev_execution_date": "data_interval_start", "next_ds": "data_interval_end | ds",
    "next_ds_nodash": "data_interval_end | ds_nodash", "next_execution_date": "data_interval_end",
    "prev_execution_date_success": "prev_data_interval_start_success",
}
# Compared on the scheduled runs of the `@daily` DAGs only: the advice for a daily schedule.
DAILY = {"prev_ds": f"(logical_date - {DAY}) | ds", "prev_ds_nodash": f"(logical_date - {DAY}) | ds_nodash",
         "prev_execution_date": f"logical_date - {DAY}"}
# Compared on Airflow 2 only: on Airflow 3 the value comes from the API server (no server here).
OLD_ONLY = ("prev_execution_date_success",)
# What to do where no exact successor exists (the proof's counts for the nearest candidate are in
# docs/verification.md): DS507's message for each.
NO_SUCCESSOR = {
    "prev_ds": "it was the logical date of the schedule's previous tick (a manual run's own date), which Airflow 3's context does "
               "not have: compute it from `logical_date` and the schedule (`@daily`, scheduled: `{{ (logical_date - macros.timedelta(days=1)) | ds }}`)",
    "prev_ds_nodash": "it was the logical date of the schedule's previous tick (a manual run's own date), which Airflow 3's context "
                      "does not have: compute it from `logical_date` and the schedule (`@daily`, scheduled: "
                      "`{{ (logical_date - macros.timedelta(days=1)) | ds_nodash }}`)",
    "prev_execution_date": "it was the logical date of the schedule's previous tick (a manual run's own), which Airflow 3's context "
                           "does not have: compute it from `logical_date` and the DAG's schedule",
    "conf": "read the setting in the DAG file (`from airflow.configuration import conf`) and pass the value to the task",
    "triggering_dataset_events": "use `triggering_asset_events`, indexed by the `Asset` itself (a URI string raises TypeError)",
}
# Airflow 2's own one replacement where the proof finds runs it renders differently: DS507 still
# offers it, as an unsafe fix, and says where it differs.
INEXACT = {
    "next_ds": "the same on a scheduled run; on a manual run `next_ds` was the run's own date",
    "next_ds_nodash": "the same on a scheduled run; on a manual run `next_ds_nodash` was the run's own date",
    "next_execution_date": "the same on a scheduled run; on a manual run `next_execution_date` was the run's own logical date",
    "prev_execution_date_success": "the same where the previous successful run was scheduled; after a manual one it was that run's logical date",
}
TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata")
DAILY_WINDOWS = (("2023-12-27", "2024-01-03"), ("2024-02-26", "2024-03-03"), ("2024-03-08", "2024-03-12"),
                 ("2024-03-29", "2024-04-09"), ("2024-04-28", "2024-05-02"), ("2024-09-29", "2024-10-08"),
                 ("2024-10-25", "2024-11-05"), ("2024-12-29", "2025-01-02"), ("2025-02-26", "2025-03-02"))
HOURLY_WINDOWS = (("2024-03-09T22:00", "2024-03-10T12:00"), ("2024-03-30T20:00", "2024-03-31T04:00"),
                  ("2024-10-26T20:00", "2024-10-27T04:00"), ("2024-11-03T02:00", "2024-11-03T10:00"),
                  ("2024-12-31T18:00", "2025-01-01T06:00"), ("2024-04-06T12:00", "2024-04-06T18:00"))
MANUAL = ("2024-02-29T23:59:59.999999+00:00", "2024-12-31T23:30:00-05:00", "2024-03-31T01:30:00+00:00",
          "2024-11-03T01:30:00-04:00", "2025-01-01T00:00:00+14:00", "2024-06-15T12:34:56+05:30")


# Templates as DAGs write them: dagshift's own --fix rewrites them (scripts/verify_context_keys.py
# runs it on a `.sql` file of these lines), and each fixed line must render on Airflow 3 what the
# line rendered on Airflow 2.
WRITTEN = (
    "--run {{ execution_date }} --from {{ yesterday_ds }} --to {{ tomorrow_ds_nodash }}",
    "x {{ 'p-' ~ yesterday_ds_nodash }} {{ execution_date | ts_nodash }} {{ execution_date | ds }}",
    "s3://bucket/{{ execution_date.strftime('%Y/%m/%d/%H') }}/{{ tomorrow_ds }}_{{ yesterday_ds }}",
    "{{ macros.ds_add(tomorrow_ds, 7) }} {{ execution_date.isoformat() }} {{ execution_date.year }}",
    "WHERE day BETWEEN '{{ yesterday_ds }}' AND '{{ tomorrow_ds }}' -- {{ execution_date }}",
)


def fixed_by_dagshift(target: str) -> list[str]:
    """WRITTEN after `dagshift check --fix --select DS507` for `target` (dagshift's own command line)."""
    work = Path(tempfile.mkdtemp(prefix="dagshift-context-keys-fix-"))
    (work / "dags").mkdir()
    (work / "dags" / "written.sql").write_text("\n".join(WRITTEN) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "dagshift", "check", ".", "--fix", "--select", "DS507", "--no-cache", "--quiet",
                    "--target-version", target], cwd=work, env=env, capture_output=True, timeout=300)
    return (work / "dags" / "written.sql").read_text().splitlines()


def spec(fixed: list[str]) -> dict:
    templates = {f"key:{k}": "{{ " + k + " }}" for k in (*CLAIMS, *ALTERNATIVES)}
    templates.update({f"new:{k}": "{{ " + v[0] + " }}" for k, v in CLAIMS.items()})
    templates.update({f"alt:{k}": "{{ " + v + " }}" for k, v in ALTERNATIVES.items()})
    templates.update({f"daily:{k}": "{{ " + v + " }}" for k, v in DAILY.items()})
    templates["in:execution_date"] = "{{ execution_date.strftime('%Y-%m-%d %H') }} {{ execution_date | ts_nodash }}"
    templates["new-in:execution_date"] = "{{ logical_date.strftime('%Y-%m-%d %H') }} {{ logical_date | ts_nodash }}"
    templates.update({f"written:{i}": line for i, line in enumerate(WRITTEN)})
    templates.update({f"fixed:{i}": line for i, line in enumerate(fixed)})
    dags = [{"tz": tz, "schedule": "@daily", "windows": [[f"{a}T00:00:00+00:00", f"{b}T00:00:00+00:00"] for a, b in DAILY_WINDOWS],
             "manual": list(MANUAL)} for tz in TIMEZONES]
    dags += [{"tz": tz, "schedule": "@hourly", "windows": [[f"{a}:00+00:00", f"{b}:00+00:00"] for a, b in HOURLY_WINDOWS]}
             for tz in ("Europe/Berlin", "America/New_York", "Australia/Sydney")]
    dags.append({"tz": "Asia/Kolkata", "schedule": "30 23 * * *", "windows": [[f"{a}T00:00:00+00:00", f"{b}T00:00:00+00:00"] for a, b in DAILY_WINDOWS]})
    return {"templates": templates, "dags": dags}


def run_probe(version: str, probe_spec: dict) -> dict:
    python = verify_python(version)
    if not python.exists():
        raise SystemExit(f"{python} is missing (scripts/verify_against_airflow.py --target {version} builds it)")
    home = Path(tempfile.gettempdir()) / f"dagshift-context-keys-home-{version}"
    env = airflow_env(home, home / "dags", home / "plugins", clean=True)
    if not (home / "ready").exists():
        for folder in (home / "dags", home / "plugins"):
            folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(python), "-m", "airflow", "db", "migrate"], env=env, cwd=home, check=True, capture_output=True, timeout=900)
        (home / "ready").write_text(version)
    work = Path(tempfile.mkdtemp(prefix="dagshift-context-keys-"))
    (work / "spec.json").write_text(json.dumps(probe_spec))
    proc = subprocess.run([str(python), str(PROBE), str(work / "spec.json"), str(work / "out.json")], env=env, cwd=work,
                          capture_output=True, text=True, timeout=1800)
    if not (work / "out.json").exists():
        raise SystemExit(f"the probe failed on {version}:\n{proc.stderr[-3000:]}")
    return json.loads((work / "out.json").read_text())


def compare(old: dict, news: dict[str, dict]) -> tuple[dict, dict]:
    """Per claim and per alternative: how many runs render differently (old key on 2.x vs the
    successor on 2.x and on each 3.x); and the Python-value check of execution_date."""
    mismatches: dict[str, dict[str, int]] = {}
    examples: dict[str, list] = {}
    pairs = [(f"key:{k}", f"new:{k}", k) for k in CLAIMS] + [(f"key:{k}", f"alt:{k}", f"{k} ~ {v}") for k, v in ALTERNATIVES.items()]
    pairs.append(("in:execution_date", "new-in:execution_date", "execution_date inside an expression"))
    pairs += [(f"key:{k}", f"daily:{k}", f"{k} ~ {v} (scheduled @daily runs)") for k, v in DAILY.items()]
    pairs += [(f"written:{i}", f"fixed:{i}", f"dagshift --fix, line {i + 1}") for i in range(len(WRITTEN))]
    for key, successor, label in pairs:
        counts = mismatches.setdefault(label, {})
        versions = (("old", old["runs"]),) if label.split(" ")[0] in OLD_ONLY else (("old", old["runs"]), *news.items())
        daily = label.endswith("(scheduled @daily runs)")
        for name, runs in versions:
            bad = [(o["run_type"], o["dag"]["tz"], o["logical_date"], o["rendered"][key], n["rendered"][successor])
                   for o, n in zip(old["runs"], runs) if o["rendered"][key] != n["rendered"][successor]
                   and (not daily or (o["run_type"] == "scheduled" and o["dag"]["schedule"] == "@daily"))]
            counts[name] = len(bad)
            if bad:
                examples.setdefault(label, []).append((name, bad[0]))
    python = {"2.x: same object": sum(r["execution_date_is_logical_date"] for r in old["runs"])}
    for name, runs in news.items():
        python[f"{name}: logical_date equals 2.x execution_date"] = sum(
            o["execution_date_value"] == n["logical_date_value"] for o, n in zip(old["runs"], runs))
    fails = {name: {k: sum(r["rendered"][f"key:{k}"].startswith("!UndefinedError") for r in runs) for k in CLAIMS}
             for name, runs in news.items()}  # (the removed key itself, as written: how many runs it fails)
    return {"mismatches": mismatches, "python": python, "removed_key_fails": fails}, examples


def table(old_version: str, new_versions: list[str], proof: dict, runs: list[dict]) -> dict:
    total = len(runs)
    proven = {k: v for k, v in CLAIMS.items() if not any(proof["mismatches"][k].values())}
    python_exact = all(count == total for count in proof["python"].values())
    return {
        "_provenance": {
            "generator": "scripts/verify_context_keys.py",
            "documented": {"source": DOC, "what": {k: v[2] for k, v in CLAIMS.items()}},
            "proof": {"old": old_version, "new": new_versions, "runs": total,
                      "manual_runs": sum(r["run_type"] == "manual" for r in runs),
                      "dag_timezones": sorted({r["dag"]["tz"] for r in runs}),
                      "schedules": sorted({r["dag"]["schedule"] for r in runs}),
                      "first_logical_date": min(r["logical_date"] for r in runs),
                      "last_logical_date": max(r["logical_date"] for r in runs)},
        },
        "successors": {k: {"template": v[0], "python": v[1] if python_exact else None} for k, v in proven.items()},
        "no_successor": NO_SUCCESSOR,
        "inexact": {k: note for k, note in INEXACT.items() if any(proof["mismatches"][f"{k} ~ {ALTERNATIVES[k]}"].values())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default="2.11.2")
    parser.add_argument("--new", action="append", help="an Airflow 3 version (repeatable; default 3.0.6 and 3.3.1)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the table differs from what the proof gives")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    new_versions = args.new or ["3.0.6", "3.3.1"]
    fixed = fixed_by_dagshift(new_versions[0])
    for line in fixed:
        print(f"fixed: {line}")
    probe_spec = spec(fixed)
    old = run_probe(args.old, probe_spec)
    runs = [{k: r[k] for k in ("dag", "run_type", "logical_date", "data_interval")} for r in old["runs"]]
    news = {v: run_probe(v, {"templates": probe_spec["templates"], "runs": runs})["runs"] for v in new_versions}
    proof, examples = compare(old, news)
    print(json.dumps(proof, indent=1))
    for label, found in examples.items():
        print(f"differs: {label}: {found}")
    broken = {k: v for k, v in proof["mismatches"].items() if k.startswith("dagshift --fix") and any(v.values())}
    if broken:
        raise SystemExit(f"dagshift's own fix renders differently: {broken}")
    data = table(args.old, new_versions, proof, runs)
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        print("the table is what the proof gives" if current == text else f"{args.out} differs from the proof")
        raise SystemExit(0 if current == text else 1)
    args.out.write_text(text)
    print(f"wrote {len(data['successors'])} successors to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
