"""Finding the files to check and telling what kind each one is."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Iterable, Optional

from dagshift.linter.config import Excludes, Settings

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
TEMPLATE = "template"  # a Jinja template a DAG's templated field names (`template_searchpath`, beside the DAGs)
TEXT = "text"  # a file named on the command line whose kind is none of the above

KINDS = (PYTHON, REQUIREMENTS, CONSTRAINTS, AIRFLOW_CFG, ENV, YAML, JSON, TERRAFORM, DOCKERFILE, SHELL, MAKEFILE, TEMPLATE, TEXT)
TEMPLATE_SUFFIXES = (".sql", ".hql", ".j2", ".jinja", ".jinja2", ".tpl")


def classify(path: Path) -> Optional[str]:
    """The kind of a file from its name alone (nothing is read), or None when dagshift has no use for it."""
    return classify_name(path.name, path.parent.name)


def classify_name(name: str, parent: str) -> Optional[str]:
    lower = name.lower()
    if lower.endswith(".py"):
        return PYTHON if len(lower) > 3 else None
    dot = lower.rfind(".")
    suffix = lower[dot:] if dot > 0 else ""
    if lower.startswith("constraints") and suffix == ".txt":
        return CONSTRAINTS
    if (lower.startswith("requirements") and suffix == ".txt") or (suffix == ".in" and lower != "manifest.in"):
        return REQUIREMENTS
    if suffix == ".txt" and parent.lower() == "requirements":
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
    if suffix in TEMPLATE_SUFFIXES:
        return TEMPLATE
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
    return _under(_absolute(str(path), str(cwd)), str(cwd))


def _absolute(path: str, cwd: str) -> str:
    # Path.absolute() semantics (no symlink or '..' resolution), on strings: discovery handles every
    # file of a repository and pathlib costs several times more per path.
    joined = path if os.path.isabs(path) else os.path.join(cwd, path)
    parts = [p for p in joined.split(os.sep) if p and p != "."]
    return os.sep + os.sep.join(parts)


def _under(path: str, base: str) -> str:
    """`path` relative to `base` with '/' separators, or `path` itself when it lies elsewhere."""
    if path == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    rel = path[len(prefix):] if path.startswith(prefix) else path
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def _is_excluded(relpath: str, excludes: Excludes) -> bool:
    return excludes.match(relpath)


def _git_listing(folder: str) -> Optional[list[str]]:
    """Files git would not ignore below `folder` (tracked and untracked), relative to it; None outside a work tree."""
    import subprocess  # only folders need it: a pre-commit run names its files

    try:
        proc = subprocess.run(
            ["git", "-C", folder, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    names = [n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return list(dict.fromkeys(names))


def _walk(folder: str) -> Iterable[str]:
    """Paths relative to `folder`, in sorted order, not following directory symlinks."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        rel_dir = dirpath[len(folder):].lstrip(os.sep)
        for name in sorted(filenames):
            yield f"{rel_dir}/{name}" if rel_dir else name


def discover(
    paths: list[Path],
    settings: Settings,
    force_exclude: bool = False,
    cwd: Optional[Path] = None,
) -> tuple[list[FileEntry], list[DiscoveryProblem]]:
    found = _Discovery(paths, settings, force_exclude, cwd)
    for given in paths:
        found.given(given)
    return sorted(found.entries.values(), key=lambda e: e.display), found.problems


class _Discovery:
    """One discovery run: the files found so far by real path, and the paths that do not exist."""

    def __init__(self, paths: list[Path], settings: Settings, force_exclude: bool, cwd: Optional[Path]) -> None:
        self.cwd_s = _absolute(str(cwd or Path.cwd()), "/")
        self.root_s = _absolute(str(settings.root), self.cwd_s)
        self.force_exclude = force_exclude
        # Where --fix may write: the real folders given, and the given files that are not symlinks. A
        # symlink (named or found) is only written through when its target lies inside one of these.
        self.scope = [os.path.realpath(p) for p in paths if p.is_dir() or not p.is_symlink()]
        self.scope_prefixes = tuple(s.rstrip(os.sep) + os.sep for s in self.scope)
        self.entries: dict[str, FileEntry] = {}
        self.problems: list[DiscoveryProblem] = []
        self.excludes = Excludes(settings.excludes)
        self.real_dirs: dict[str, str] = {}
        # Files [[tool.dagshift.environments]] names, whatever their names: `deps/mwaa.txt` is requirements.
        self.declared = {path.strip("/"): role for env in settings.environments
                         for role in ("requirements", "constraints") for path in env.get(role, ())}

    def in_scope(self, real: str) -> bool:
        return real in self.scope or real.startswith(self.scope_prefixes)

    def real_path(self, absolute: str, symlink: bool) -> str:
        if symlink:
            return os.path.realpath(absolute)
        # A regular file's real path is its folder's real path plus its name: one realpath per folder.
        folder, _, name = absolute.rpartition(os.sep)
        real_dir = self.real_dirs.get(folder)
        if real_dir is None:
            real_dir = self.real_dirs[folder] = os.path.realpath(folder or os.sep)
        return os.path.join(real_dir, name)

    def add(self, path: Path, absolute: str, kind: str, explicit: bool, symlink: bool) -> None:
        real = self.real_path(absolute, symlink)
        if real in self.entries:
            return
        self.entries[real] = FileEntry(
            path=path,
            display=_under(absolute, self.cwd_s),
            relpath=_under(os.path.normpath(absolute), self.root_s),  # (`..` in a given path: one name per file)
            kind=kind,
            explicit=explicit,
            writable_scope=self.in_scope(real),
        )

    def given(self, given: Path) -> None:
        if not given.exists() and not given.is_symlink():
            self.problems.append(DiscoveryProblem(display_path(given, Path(self.cwd_s)), "no such file or directory"))
            return
        given_abs = _absolute(str(given), self.cwd_s)
        rel = _under(given_abs, self.root_s)
        if given.is_dir():
            if rel not in ("", ".") and _is_excluded(rel, self.excludes) and self.force_exclude:
                return
            self.folder(given, given_abs)
        elif not (self.force_exclude and _is_excluded(rel, self.excludes)):
            kind = self.declared.get(rel) or classify(given) or TEXT
            self.add(given, given_abs, kind, explicit=True, symlink=given.is_symlink())

    def folder(self, given: Path, given_abs: str) -> None:
        listed = _git_listing(given_abs)
        for inner in listed if listed is not None else _walk(given_abs):
            name = inner.rpartition("/")[2]
            kind = classify_name(name, inner.rpartition("/")[0].rpartition("/")[2])
            absolute = os.path.join(given_abs, inner) if os.sep == "/" else os.path.join(given_abs, *inner.split("/"))
            if self.declared:
                kind = self.declared.get(_under(os.path.normpath(absolute), self.root_s), kind)
            if kind is None:
                continue
            if _is_excluded(inner, self.excludes) or _is_excluded(_under(absolute, self.root_s), self.excludes):
                continue
            try:
                mode = os.lstat(absolute).st_mode
            except OSError:
                continue  # listed by git but deleted since
            symlink = stat.S_ISLNK(mode)
            if symlink:
                real = os.path.realpath(absolute)
                if not self.in_scope(real) or not os.path.isfile(real):
                    continue
            elif not stat.S_ISREG(mode):
                continue
            self.add(Path(given, inner), absolute, kind, explicit=False, symlink=symlink)


def repository_listing(settings: Settings) -> list[str]:
    """Every file of the project root (relative, '/' separators) that a run would not exclude, read
    or not: the environment finder looks at files no rule reads (`mwaa-local-env`, `packages.txt`)."""
    root = _absolute(str(settings.root), "/")
    excludes = Excludes(settings.excludes)
    listed = _git_listing(root)
    names = listed if listed is not None else list(_walk(root))
    return [n for n in names if not _is_excluded(n, excludes)]
