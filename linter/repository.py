"""The repository a run reads: its Airflow environments (dagshift.environments), found once per run
from the whole project root, so a pre-commit run on one file judges it as a whole-tree run does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from dagshift.environments import Model, discover_environments

if TYPE_CHECKING:
    from dagshift.linter.config import Settings
    from dagshift.linter.discovery import FileEntry


def environments(settings: "Settings", files: Optional[list["FileEntry"]] = None) -> Model:
    from dagshift.linter.discovery import classify_name, repository_listing

    listing = repository_listing(settings)
    kinds: dict[str, str] = {}
    for path in listing:
        name = path.rpartition("/")[2]
        kind = classify_name(name, path.rpartition("/")[0].rpartition("/")[2])
        if kind is not None:
            kinds[path] = kind
    for entry in files or ():
        kinds[entry.relpath] = entry.kind  # (declared requirements files have their kind from discovery)
    model = discover_environments(settings.root, listing, kinds, list(settings.environments),
                                  settings.dags_dirs, settings.plugins_dirs)
    model.displays = {entry.display: entry.relpath for entry in files or ()}
    return model
