"""Finding the files to check and telling what kind each one is."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Iterable, Optional

from linter.config import Excludes, Settings

PYTHON = "python"
REQUIREMENTS = "requirements"
CONSTRAINTS = "constraints"
AIRFLOW_CFG = "airflow-cfg"
ENV = "env"
YAML = "yaml"
JSON = "json"
TERRAFORM = "terraform"
DOCKERFILE = "dockerfile"
SHELL = "shell"
MAKEFILE = "makefile"
TEXT = "text"  # a file named on the command line whose kind is none of the above

KINDS = (PYTHON, REQUIREMENTS, CONSTRAINTS, AIRFLOW_CFG, ENV, YAML, JSON, TERRAFORM, DOCKERFILE, SHELL, MAKEFILE, TEXT)


def classify(path: Path) -> Optional[str]:
    """The kind of a file from its name alone (nothing is read), or None when dagshift has no use for it."""
    name = path.name
    lower = name.lower()
    suffix = path.suffix.lower()
    if suffix == ".py":
        return PYTHON
    if fnmatchcase(lower, "constraints*.txt"):
        return CONSTRAINTS
    if fnmatchcase(lower, "requirements*.txt") or (suffix == ".in" and lower != "manifest.in"):
        return REQUIREMENTS
    if suffix == ".txt" and path.parent.name.lower() == "requirements":
        return REQUIREMENTS
    if fnmatchcase(lower, "airflow*.cfg"):
        return AIRFLOW_CFG
    if lower == ".env" or suffix == ".env" or lower.startswith(".env."):
        return ENV
    if suffix in (".yml", ".yaml"):
        return YAML
    if suffix == ".json":
        return JSON
    if suffix in (".tf", ".tfvars"):
        return TERRAFORM
    if lower == "dockerfile" or lower.startswith("dockerfile.") or suffix == ".dockerfile":
        return DOCKERFILE
    if suffix in (".sh", ".bash"):
        return SHELL
    if lower in ("makefile", "gnumakefile") or suffix == ".mk":
        return MAKEFILE
    return None


@dataclass(frozen=True)
class FileEntry:
    path: Path  # as found (may be a symlink)
    display: str  # relative to the working directory where possible, with '/' separators
    relpath: str  # relative to the settings root, for exclude and per-file-ignores patterns
    kind: str
    explicit: bool
    writable_scope: bool  # False when the real file lies outside every path given on the command line


@dataclass(frozen=True)
class DiscoveryProblem:
    path: str
    message: str


def display_path(path: Path, cwd: Path) -> str:
    try:
        return path.absolute().relative_to(cwd).as_posix()
    except ValueError:
        return path.absolute().as_posix()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return path.absolute().as_posix()


def _is_excluded(relpath: str, excludes: Excludes) -> bool:
    return excludes.match(relpath)


def _git_listing(folder: Path) -> Optional[list[Path]]:
    """Files git would not ignore below `folder` (tracked and untracked), or None outside a work tree."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return [folder / n for n in dict.fromkeys(names)]


def _walk(folder: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            yield Path(dirpath) / name


def discover(
    paths: list[Path],
    settings: Settings,
    force_exclude: bool = False,
    cwd: Optional[Path] = None,
) -> tuple[list[FileEntry], list[DiscoveryProblem]]:
    cwd = (cwd or Path.cwd()).absolute()
    root = settings.root
    # Where --fix may write: the real folders given, and the given files that are not symlinks. A
    # symlink (named or found) is only written through when its target lies inside one of these.
    scope = [Path(os.path.realpath(p)) for p in paths if p.is_dir() or not p.is_symlink()]
    entries: dict[str, FileEntry] = {}
    problems: list[DiscoveryProblem] = []
    excludes = Excludes(settings.excludes)

    def in_scope(real: Path) -> bool:
        return any(real == r or r in real.parents for r in scope)

    def add(path: Path, kind: str, explicit: bool) -> None:
        real = Path(os.path.realpath(path))
        if str(real) in entries:
            return
        entries[str(real)] = FileEntry(
            path=path,
            display=display_path(path, cwd),
            relpath=_rel(path, root),
            kind=kind,
            explicit=explicit,
            writable_scope=in_scope(real),
        )

    for given in paths:
        if not given.exists() and not given.is_symlink():
            problems.append(DiscoveryProblem(display_path(given, cwd), "no such file or directory"))
            continue
        if given.is_dir():
            rel_dir = _rel(given, root)
            if rel_dir not in ("", ".") and _is_excluded(rel_dir, excludes) and force_exclude:
                continue
            listed = _git_listing(given)
            candidates = listed if listed is not None else _walk(given)
            for path in candidates:
                if path.is_symlink():
                    real = Path(os.path.realpath(path))
                    if not in_scope(real) or not real.is_file():
                        continue
                elif not path.is_file():
                    continue
                rel = _rel(path, root)
                inner = path.relative_to(given).as_posix()
                if _is_excluded(inner, excludes) or _is_excluded(rel, excludes):
                    continue
                kind = classify(path)
                if kind is not None:
                    add(path, kind, explicit=False)
        else:
            rel = _rel(given, root)
            if force_exclude and _is_excluded(rel, excludes):
                continue
            add(given, classify(given) or TEXT, explicit=True)
    files = sorted(entries.values(), key=lambda e: e.display)
    return files, problems
