"""The repository as the environment finder sees it: every file's path, its folders, and its text on demand."""

from __future__ import annotations

import posixpath
from functools import cached_property
from pathlib import Path
from typing import Iterable, Optional

MAX_READ = 1 << 20  # evidence lives in small files; a larger one is read no further than this


class Tree:
    def __init__(self, root: Path, paths: Iterable[str]) -> None:
        self.root = root
        self.paths = sorted(set(paths))
        self._texts: dict[str, str] = {}

    @cached_property
    def folders(self) -> set[str]:
        found = {"."}
        for path in self.paths:
            folder = posixpath.dirname(path)
            while folder and folder not in found:
                found.add(folder)
                folder = posixpath.dirname(folder)
        return found

    @cached_property
    def by_folder(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for path in self.paths:
            grouped.setdefault(posixpath.dirname(path) or ".", []).append(path)
        return grouped

    def has(self, path: str) -> bool:
        return path in self._path_set

    @cached_property
    def _path_set(self) -> frozenset[str]:
        return frozenset(self.paths)

    def is_folder(self, path: str) -> bool:
        return path in self.folders

    def text(self, path: str) -> str:
        """The file's text (undecodable bytes replaced), '' when it cannot be read: a file's own
        check reports why; here it is only evidence that is missing."""
        found = self._texts.get(path)
        if found is None:
            try:
                with open(self.root / path, "rb") as handle:
                    raw = handle.read(MAX_READ)
            except OSError:
                raw = b""
            found = self._texts[path] = raw.decode("utf-8", "replace").lstrip("\ufeff")
        return found

    def under(self, folder: str) -> list[str]:
        """Every file below `folder` ("." is the whole tree)."""
        if folder == ".":
            return list(self.paths)
        prefix = folder + "/"
        return [p for p in self.paths if p.startswith(prefix)]

    def named(self, *names: str) -> list[str]:
        wanted = {n.lower() for n in names}
        return [p for p in self.paths if posixpath.basename(p).lower() in wanted]


def join(folder: str, *parts: str) -> str:
    """A path relative to the project root, normalised ('..' resolved); None-safe for '.'."""
    joined = posixpath.normpath(posixpath.join(folder, *parts))
    return "." if joined in ("", ".") else joined


def parent(path: str) -> str:
    return posixpath.dirname(path) or "."


def inside(path: str, folder: str) -> bool:
    return folder == "." or path == folder or path.startswith(folder + "/")


def depth(folder: str) -> int:
    return 0 if folder == "." else folder.count("/") + 1


def deepest(folders: list[str]) -> Optional[str]:
    """The most nested of the folders (the last by name among equals), None for none."""
    return max(folders, key=lambda f: (depth(f), f)) if folders else None


def holding_unit(path: str, units: Iterable[str], roots: Iterable[str]) -> Optional[str]:
    """The non-Airflow unit folder that holds `path` more closely than any environment root does
    (a Lambda inside a repository whose root is an environment), or None."""
    unit = deepest([u for u in units if inside(path, u)])
    root = deepest([r for r in roots if inside(path, r)])
    return unit if unit is not None and (root is None or depth(unit) > depth(root)) else None


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def resolve_local(tree: Tree, base: str, value: str, root_fallback: bool = True) -> Optional[str]:
    """A local path written in a file of folder `base` (`./dags`, `${path.module}/../dags`,
    `$(pwd)/dags`), as a path of the tree, or None when it names nothing there."""
    cleaned = value.strip().strip("\"'")
    for prefix in ("${path.module}/", "${path.root}/", "$(pwd)/", "${PWD}/", "$PWD/", "${{ github.workspace }}/",
                   "$GITHUB_WORKSPACE/", "${GITHUB_WORKSPACE}/"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix):]
            base = "." if "github" in prefix.lower() or "PWD" in prefix or "pwd" in prefix else base
    if not cleaned or "$" in cleaned or cleaned.startswith(("/", "s3:", "gs:")):
        return None
    for start in (base, ".") if root_fallback else (base,):
        candidate = join(start, cleaned.rstrip("/"))
        if candidate.startswith(".."):
            continue
        if tree.has(candidate) or tree.is_folder(candidate):
            return candidate
    return None
