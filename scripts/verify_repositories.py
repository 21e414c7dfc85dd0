#!/usr/bin/env python3
"""Run `check --fix` on real repositories and load their DAG folders in real Airflow, per target.

    python scripts/verify_repositories.py --targets 2.11.2 3.0.6 3.3.1 --report FILE REPO_DIR...

Each REPO_DIR is a git repository (a work tree, or a bare snapshot such as the search tool's
`fetch` leaves under /work/.mirror) or a plain folder. For each repository and target: 1. the repository's HEAD is exported (no .git; blobs a snapshot lacks are left out) into a temp dir;
2. `dagshift check --format json` runs before and after a plain `dagshift check --fix` (safe fixes
   only); a fix-created finding is a code found more often after than before in a file the fix
   changed (per file, Counter(after) - Counter(before));
3. `dagshift environments --format json` finds each environment's DAG folders and plugins folder
   (an environment without a DAG folder whose DAG files sit at its root: the root; no environment
   with DAG files at all: the folders named `dags`);
4. each DAG folder is loaded by `DagBag(dag_folder=..., include_examples=False)` in the target's
   verification venv (/tmp/dagshift-verify-<version>, built by scripts/verify_against_airflow.py:
   apache-airflow and the providers its constraint file pins), in a subprocess with a fresh
   AIRFLOW_HOME and the DAG and plugins folders appended to sys.path as Airflow does. That runs the
   repository's DAG code inside the throwaway venv, never in this process;
5. each file that fails to load is classified: Airflow compatibility (an `airflow.*` import, an
   argument Airflow rejects, ...), environmental (a third-party package the venv lacks, a
   Variable, Connection, file, credentials or network), or unclear (left to a person). A
   compatibility failure with no error-severity finding after the fix, on the file or on a file
   of the repository its traceback runs through, is a missed failure; an error-severity finding
   that claims a load failure, on a DAG file that loads, is a false error.

Prints (and `--report` writes) a Markdown table per target and every failure, miss and false error.
Run by hand, not by CI: it runs other people's DAG code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from _paths import ROOT
from airflow_env import airflow_env, verify_venv

# Error codes whose message claims the DAG file fails while Airflow parses it; the other error
# codes speak of run time, deployment or configuration, which loading a DAG folder cannot judge.
from failure_kinds import classify, exception_line  # noqa: E402

LOAD_CLAIM = re.compile(r"^DS(1\d\d|201|205|207|501|502|508|512|9\d\d)$")


def load_claim(finding: dict) -> bool:
    """An error that says loading the file fails (not one inside a function: "calling `f()` fails")."""
    return bool(LOAD_CLAIM.match(finding["code"])) and "calling `" not in finding["message"]

LOADER = r'''
import inspect, json, os, sys, traceback
folder, out = sys.argv[1], sys.argv[2]
sys.path.extend(p for p in sys.argv[3:] if p not in sys.path)  # appended, as Airflow's prepare_syspath does
result = {"files": [], "errors": {}, "dags": {}, "fatal": None}
try:
    import airflow
    result["airflow"] = airflow.__version__
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:
        from airflow.models.dagbag import DagBag
    try:
        from airflow.utils.file import list_py_file_paths
        kwargs = {"include_examples": False} if "include_examples" in inspect.signature(list_py_file_paths).parameters else {}
        result["files"] = [str(p) for p in list_py_file_paths(folder, **kwargs)]
    except Exception:
        pass
    if "include_examples" in inspect.signature(DagBag.__init__).parameters:
        bag = DagBag(dag_folder=folder, include_examples=False)
    else:  # 3.3 dropped the argument: examples come only from load_examples, off here
        bag = DagBag(dag_folder=folder)
    result["errors"] = {str(k): str(v)[-3000:] for k, v in bag.import_errors.items()}
    for dag_id, dag in bag.dags.items():
        result["dags"].setdefault(str(dag.fileloc), []).append(dag_id)
except BaseException:
    result["fatal"] = traceback.format_exc()[-3000:]
with open(out, "w") as handle:
    json.dump(result, handle)
os._exit(0)  # a DAG file's threads or atexit hooks must not keep the loader alive
'''


@dataclass
class Load:
    """One file DagBag considered, and how it went."""

    path: str
    error: Optional[str] = None
    kind: str = "loads"  # loads | compat | environmental | unclear
    why: str = ""
    dags: list[str] = field(default_factory=list)
    folder: str = ""


@dataclass
class Run:
    """One repository on one target."""

    name: str
    commit: str
    target: str
    files_changed: list[str] = field(default_factory=list)
    before: list[dict] = field(default_factory=list)
    after: list[dict] = field(default_factory=list)
    fix_created: list[tuple[str, str, int]] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    loads: dict[str, Load] = field(default_factory=dict)
    fatal: list[str] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)
    false_errors: list[tuple[str, dict]] = field(default_factory=list)
    runtime_errors: list[tuple[str, dict]] = field(default_factory=list)
    carried: list[tuple[str, str, list[str]]] = field(default_factory=list)


def export(repo: Path, dest: Path) -> str:
    """The repository's HEAD, without .git, into dest; returns the commit ("-" for a plain folder)."""
    git_dir = repo / ".git" if (repo / ".git").exists() else repo
    git = ["git", f"--git-dir={git_dir}"]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        shutil.copytree(repo, dest, ignore=shutil.ignore_patterns(".git"), symlinks=True)
        return "-"
    dest.mkdir(parents=True)
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", "HEAD"], capture_output=True, check=True).stdout
    entries = [e.split(b"\t", 1) for e in listing.split(b"\0") if e]
    blobs = [(meta.split(), path) for meta, path in entries if meta.split()[1] == b"blob"]
    # One cat-file process for every blob: a snapshot's absent blobs (large files) answer "missing".
    batch = subprocess.Popen([*git, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert batch.stdin is not None and batch.stdout is not None
    for (mode, _, sha), path in blobs:
        batch.stdin.write(sha + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if header[-1] == b"missing":
            continue
        content = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)
        if mode == b"120000":
            continue  # a symlink may point outside the export
        target = dest / path.decode("utf-8", "surrogateescape")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    batch.stdin.close()
    batch.wait()
    return head.stdout.strip()


def dagshift(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "dagshift", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=1800)


def check(cwd: Path, target: str) -> list[dict]:
    proc = dagshift(cwd, "check", ".", "--format", "json", "--no-cache", "--exit-zero", "--target-version", target)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"dagshift check failed in {cwd}:\n{proc.stderr[-3000:]}") from None


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def dag_folders(root: Path) -> list[tuple[str, list[str], bool]]:
    """(DAG folder, plugins folders, whether the environment root goes on sys.path), relative to root."""
    proc = dagshift(root, "environments", "--format", "json", ".")
    found: list[tuple[str, list[str], bool]] = []
    try:
        environments = json.loads(proc.stdout)["environments"]
    except (json.JSONDecodeError, KeyError):
        environments = []
    for env in environments:
        on_path = env.get("platform") == "astro"  # the Astro image puts its project folder on PYTHONPATH
        folders = list(env.get("dags") or [])
        if not folders and any(role == "code" and f.endswith(".py") for f, role in env.get("files", {}).items()):
            folders = [env["root"]]  # DAG files at the environment's root: that is the DAG folder
        for folder in folders:
            if (root / folder).is_dir():
                found.append((folder, list(env.get("plugins") or []), on_path))
    if not found:
        found = [(str(p.relative_to(root)), [], False) for p in sorted(root.rglob("dags")) if p.is_dir()]
    return found


def venv_python(target: str, wait: float) -> Path:
    venv = verify_venv(target)
    deadline = time.time() + wait
    while not (venv / "dagshift-installed").exists():
        if time.time() > deadline:
            raise SystemExit(f"{venv} is not installed (run scripts/verify_against_airflow.py --target {target})")
        time.sleep(30)
    return venv / "bin" / "python"


def load(python: Path, root: Path, folder: str, plugins: list[str], on_path: bool, timeout: int) -> dict:
    home = Path(tempfile.mkdtemp(prefix="dagshift-repos-home-"))
    (home / "loader.py").write_text(LOADER)
    plugin_dir = str(root / plugins[0]) if plugins else str(home / "plugins")
    path = [str(root / folder), plugin_dir] + ([str(root / Path(folder).parent)] if on_path else [])
    env = airflow_env(home, root / folder, Path(plugin_dir), clean=True,
                      AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH="20")
    out = home / "result.json"
    try:
        proc = subprocess.run([str(python), str(home / "loader.py"), str(root / folder), str(out), *path], env=env,
                              cwd=home, capture_output=True, text=True, timeout=timeout)
        stderr = proc.stderr
    except subprocess.TimeoutExpired:
        return {"files": [], "errors": {}, "dags": {}, "fatal": f"timed out after {timeout} s"}
    if not out.exists():
        return {"files": [], "errors": {}, "dags": {}, "fatal": f"the loader died:\n{stderr[-3000:]}"}
    result = json.loads(out.read_text())
    shutil.rmtree(home, ignore_errors=True)
    return result


def verify(repo: Path, name: str, target: str, python: Path, work: Path, timeout: int) -> Run:
    dest = work / f"{name}@{target}"
    shutil.rmtree(dest, ignore_errors=True)
    commit = export(repo, dest)
    run = Run(name=name, commit=commit, target=target)
    run.before = check(dest, target)
    original = snapshot(dest)
    dagshift(dest, "check", ".", "--fix", "--no-cache", "--exit-zero", "--quiet", "--target-version", target)
    fixed = snapshot(dest)
    run.files_changed = sorted(f for f in fixed if original.get(f) != fixed[f])
    run.after = check(dest, target)
    codes_before: dict[str, Counter] = {}
    codes_after: dict[str, Counter] = {}
    for finding in run.before:
        codes_before.setdefault(finding["path"], Counter())[finding["code"]] += 1
    for finding in run.after:
        codes_after.setdefault(finding["path"], Counter())[finding["code"]] += 1
    for path in run.files_changed:
        for code, count in (codes_after.get(path, Counter()) - codes_before.get(path, Counter())).items():
            run.fix_created.append((path, code, count))
    errors_after: dict[str, list[dict]] = {}
    for finding in run.after:
        if finding["severity"] == "error":
            errors_after.setdefault(finding["path"], []).append(finding)
    texts: dict[str, str] = {}  # each import error as Airflow wrote it, with absolute paths
    # Load every DAG folder; a file two folders reach keeps the result of the deepest one.
    for folder, plugins, on_path in sorted(dag_folders(dest), key=lambda f: f[0].count("/")):
        run.folders.append(folder)
        result = load(python, dest, folder, plugins, on_path, timeout)
        if result.get("fatal"):
            run.fatal.append(f"{folder}: {result['fatal']}")
        rel = lambda p: os.path.relpath(p, dest)
        for path in result.get("files", []):
            run.loads[rel(path)] = Load(rel(path), folder=folder)
        for path, ids in result.get("dags", {}).items():
            run.loads.setdefault(rel(path), Load(rel(path), folder=folder)).dags = ids
        for path, text in result.get("errors", {}).items():
            texts[rel(path)] = text
            kind, why = classify(text, dest)
            run.loads[rel(path)] = Load(rel(path), error=text.replace(str(dest) + "/", ""), kind=kind, why=why,
                                        folder=folder)
    for path, item in sorted(run.loads.items()):
        if item.kind == "loads":
            for finding in errors_after.get(path, []):
                (run.false_errors if load_claim(finding) else run.runtime_errors).append((path, finding))
            continue
        # The failure is carried by an error on the file, or on a file of the repository its traceback runs through.
        through = [os.path.relpath(f, dest) for f in re.findall(r'File "([^"]+)"', texts.get(path, ""))
                   if f.startswith(str(dest))]
        carriers = [f"{p}:{f['line']} {f['code']}" for p in dict.fromkeys([path, *through])
                    for f in errors_after.get(p, [])]
        if carriers:
            run.carried.append((path, item.kind, carriers))
        elif item.kind in ("compat", "unclear"):
            run.missed.append((path, item.kind))
    shutil.rmtree(dest, ignore_errors=True)
    return run


def table(runs: list[Run]) -> list[str]:
    lines = ["| repository | commit | DAG files | changed by --fix | findings before → after (errors) | fix-created "
             "| failing after fix (compat / environmental / unclear) | missed | false errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        kinds = Counter(item.kind for item in r.loads.values())
        errors = lambda found: sum(f["severity"] == "error" for f in found)
        missed_compat = sum(kind == "compat" for _, kind in r.missed)
        lines.append(f"| {r.name} | `{r.commit[:10]}` | {len(r.loads)} | {len(r.files_changed)} | {len(r.before)} "
                     f"({errors(r.before)}) → {len(r.after)} ({errors(r.after)}) | {sum(c for *_, c in r.fix_created)} "
                     f"| {kinds['compat']} / {kinds['environmental']} / {kinds['unclear']} | {missed_compat}"
                     f"{f' (+{len(r.missed) - missed_compat} unclear)' if len(r.missed) > missed_compat else ''} "
                     f"| {len(r.false_errors)} |")
    return lines


def details(runs: list[Run]) -> list[str]:
    lines: list[str] = []
    short = lambda text: exception_line(text or "").replace("|", "\\|")[:300]
    for r in runs:
        block: list[str] = []
        block += [f"- fix-created: `{p}` {code} ×{n}" for p, code, n in r.fix_created]
        for path, kind in r.missed:
            item = r.loads[path]
            block.append(f"- **missed** ({kind}): `{path}`: {short(item.error)}")
        for path, finding in r.false_errors:
            block.append(f"- **false error**: `{path}:{finding['line']}` {finding['code']}: {finding['message'][:300]}")
        for path, kind, carriers in r.carried:
            item = r.loads[path]
            block.append(f"- failure left ({kind}, {item.why}): `{path}`: {short(item.error)}; carried by "
                         f"{', '.join(carriers[:4])}")
        for path, item in sorted(r.loads.items()):
            if item.kind == "environmental" and not any(p == path for p, *_ in r.carried):
                block.append(f"- environmental ({item.why}): `{path}`: {short(item.error)}")
        block += [f"- runtime claim on a file that loads (not judged): `{p}:{f['line']}` {f['code']}" for p, f in
                  r.runtime_errors]
        block += [f"- loader failure: {text[-300:]}" for text in r.fatal]
        if block:
            lines += ["", f"**{r.name}** (DAG folders: {', '.join(r.folders) or 'none'})", "", *block]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", required=True)
    parser.add_argument("--report", type=Path, help="write the Markdown here")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dagshift-verify-repositories")
    parser.add_argument("--timeout", type=int, default=300, help="seconds to load one DAG folder")
    parser.add_argument("--jobs", type=int, default=4, help="repositories verified at once")
    parser.add_argument("--wait", type=float, default=3600, help="seconds to wait for a venv being built")
    parser.add_argument("repos", type=Path, nargs="+")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    names = {}
    for repo in args.repos:
        repo = repo.resolve()
        parts = [p for p in repo.parts if p not in ("repo", ".git")]
        names[repo] = parts[-1].replace("+", "/")  # /work/.mirror/owner+name/repo -> owner/name
    out: list[str] = []
    for target in args.targets:
        start = len(out)
        python = venv_python(target, args.wait)
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            n = len(names)
            runs = list(pool.map(verify, names, names.values(), [target] * n, [python] * n, [args.work] * n,
                                 [args.timeout] * n))
        totals = Counter()
        for r in runs:
            totals.update({"DAG files": len(r.loads), "fix-created": sum(c for *_, c in r.fix_created),
                           "missed": len(r.missed), "false errors": len(r.false_errors),
                           "changed": len(r.files_changed)})
        out += [f"### Airflow {target}", "", f"{len(runs)} repositories, {totals['DAG files']} DAG files, "
                f"{totals['changed']} files changed by --fix, {totals['fix-created']} fix-created findings, "
                f"{totals['missed']} missed failures, {totals['false errors']} false errors.", "", *table(runs),
                *details(runs), ""]
        print("\n".join(out[start:]), flush=True)
    if args.report:
        args.report.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
