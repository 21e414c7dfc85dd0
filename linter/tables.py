"""The one data loader: a generated table is asked for by name, and checked once when read.

Tables live beside the code that reads them: `rules/<family>/data/<name>.json` for a family's
tables and `linter/data/<name>.json` for the engine's own (the MWAA versions). A table's name is
its file name without `.json`; names are unique across the tree (the suite checks it). Every
table carries `_provenance` (which generator wrote it, from which wheels) and the top-level keys
its reader names; a table without them is a broken install, reported as one clear error.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # holds linter/ and rules/, checkout or installed
ENGINE_DATA = Path(__file__).resolve().parent / "data"


class DataError(RuntimeError):
    """A shipped table is missing or has the wrong shape."""


@lru_cache(maxsize=1)
def _index() -> dict[str, Path]:
    found: dict[str, Path] = {}
    folders = [ENGINE_DATA, *sorted((PACKAGE_ROOT / "rules").glob("*/data"))]
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            found.setdefault(path.stem, path)
    return found


def table_names() -> dict[str, Path]:
    """Every shipped table by name (the suite checks the names are unique)."""
    return dict(_index())


def table_path(name: str) -> Path:
    """Where table `name` is stored (what the data-slice cache stamps with)."""
    try:
        return _index()[name]
    except KeyError:
        raise DataError(f"dagshift's data table `{name}` is missing: reinstall dagshift") from None


@lru_cache(maxsize=None)
def load_table(name: str, *keys: str) -> Any:
    """Table `name`, checked to carry `_provenance` and every key in `keys`."""
    path = table_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"dagshift's data table {path} cannot be read: {exc}") from None
    missing = [k for k in ("_provenance", *keys) if not isinstance(data, dict) or k not in data]
    if missing:
        raise DataError(f"dagshift's data table {path} lacks {', '.join(missing)}: reinstall dagshift")
    return data


def data_folder(family_file: str) -> Path:
    """The `data/` folder beside a family's module (for non-JSON sources such as constraint files)."""
    return Path(family_file).resolve().parent / "data"
