"""One target's slice of the large data tables, kept in the user cache in marshal form.

The generated tables cover every MWAA target at once (`import_moves.json`, `provider_index.json`
and `operator_signatures.json` are 7 MB of JSON); a run reads one target's slice of them. Parsing
the JSON costs about 60 ms a run, which a one-file pre-commit call cannot afford; loading the
marshalled slice costs a couple of milliseconds. A slice is derived data, like a .pyc file: it
is keyed by the tool version and the size and mtime of every file it was built from, so an edited
data file or builder is rebuilt, and a missing, unreadable or corrupt slice is rebuilt in memory
(and rewritten when the folder is writable). It is used whether or not the result cache is.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")
FORMAT = 1
_folder: Optional[Path] = None


def user_cache_dir() -> Path:
    override = os.environ.get("DAGSHIFT_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "dagshift"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "dagshift" / "Cache"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dagshift"


def configure(folder: Optional[Path]) -> None:
    """Use `folder` (the `cache-dir` setting) instead of the user cache folder."""
    global _folder
    _folder = folder


def folder() -> Path:
    return _folder or user_cache_dir()


def _stamp(sources: tuple[str, ...]) -> str:
    from dagshift.linter import __version__

    parts = [f"{__version__}/{FORMAT}/{sys.version_info[:2]}"]
    for source in sources:
        try:
            stat = os.stat(source)
        except OSError:
            return ""  # a source that is gone: do not trust any stored slice
        parts.append(f"{os.path.basename(source)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def load(name: str, sources: tuple[str, ...], build: Callable[[], T]) -> T:
    """`build()`, or what an earlier run stored for the same `name` and unchanged `sources`.

    What `build` returns must be made of marshal's types (dict, list, tuple, set, frozenset, str,
    int, float, bool, None).
    """
    stamp = _stamp(sources)
    path = folder() / "data" / f"{name}.marshal"
    if stamp:
        try:
            with open(path, "rb") as handle:
                stored = marshal.loads(handle.read())  # load(handle) reads in many small pieces
            if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == stamp:
                return stored[1]
        except (OSError, EOFError, ValueError, TypeError):
            pass  # missing or corrupt: rebuilt below
    value = build()
    if stamp:
        _store(path, (stamp, value))
    return value


def _store(path: Path, value: Any) -> None:
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".slice.")
        try:
            with os.fdopen(fd, "wb") as handle:
                marshal.dump(value, handle)
            os.replace(tmp, path)  # concurrent runs: each writes a whole file, the last one stays
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError):
        pass  # a read-only cache only costs time
