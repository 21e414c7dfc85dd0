"""Every file dagshift reads gets its environment and role, or the reason it belongs to none."""

from __future__ import annotations

import posixpath
from typing import Optional

import dagshift.environments.layouts as layouts
from dagshift.environments.model import (
    CODE,
    CONFIG,
    CONSTRAINTS,
    DAGS,
    IMAGE,
    INCLUDE,
    OTHER,
    PLUGINS,
    REQUIREMENTS,
    Environment,
    Evidence,
    Membership,
)
from dagshift.environments.tree import Tree, depth, holding_unit, inside, join, parent

LISTED = ("requirements", "constraints", "startup", "config", "infrastructure")
FOLDERS = ((DAGS, "dags"), (PLUGINS, "plugins"), (INCLUDE, "include"), (IMAGE, "image"))
CODE_KINDS = ("python", "template")
DEV_REASON = "a development or test requirements file: no environment installs it"


def assign(tree: Tree, environments: list[Environment], units: dict[str, Evidence], kinds: dict[str, str],
           implicit: bool) -> dict[str, Membership]:
    listed: dict[str, tuple[int, str]] = {}
    for i, env in enumerate(environments):
        for role in LISTED:
            for path in getattr(env, role):
                listed.setdefault(path, (i, role))
        _follow_requirements(tree, i, env, listed)
    members: dict[str, Membership] = {}
    for path, kind in kinds.items():
        members[path] = _one(tree, path, kind, environments, units, listed, implicit)
    return members


def _follow_requirements(tree: Tree, index: int, env: Environment, listed: dict[str, tuple[int, str]]) -> None:
    """What an environment's requirements name: `-r` files are its requirements too, and a `-c`
    file (local, or MWAA's /usr/local/airflow/dags/ path into a DAGs folder) its constraints."""
    for path in list(env.requirements):
        if not tree.has(path):
            continue
        text = tree.text(path)
        for pattern, role in ((layouts.INCLUDE_OPTION, REQUIREMENTS), (layouts.CONSTRAINT_OPTION, CONSTRAINTS)):
            for m in pattern.finditer(text):
                value = m.group(1)
                if "://" in value or "$" in value:
                    continue
                candidates = [join(parent(path), value)]
                if value.startswith("/usr/local/airflow/dags/"):
                    candidates = [join(d, value[len("/usr/local/airflow/dags/"):]) for d in env.dags]
                for candidate in candidates:
                    if tree.has(candidate) and candidate not in listed:
                        listed[candidate] = (index, role)
                        env.add(role, candidate)


def _one(tree: Tree, path: str, kind: str, environments: list[Environment], units: dict[str, Evidence],
         listed: dict[str, tuple[int, str]], implicit: bool) -> Membership:
    if path in listed:
        index, role = listed[path]
        return Membership(index, role)
    folder_role = _folder_role(path, environments)
    if folder_role is not None and kind in CODE_KINDS:
        return Membership(*folder_role)
    root_index = _deepest_env(path, environments)
    unit = holding_unit(path, units, [e.root for e in environments])
    if unit is not None:
        ev = units[unit]
        return Membership(None, "", f"belongs to {ev.what} at {unit}/ ({ev.path}:{ev.line}: {ev.text})")
    if folder_role is not None:
        index, role = folder_role
        if kind in ("requirements", "constraints") and role != IMAGE:  # (an image's own files stay the image's)
            return _requirements_role(tree, path, kind, index, environments[index], implicit, in_dags=True)
        return Membership(index, role)
    if root_index is None:
        if kind == "requirements" and layouts.is_dev_requirements(path):
            return Membership(None, "", DEV_REASON)
        return Membership(None, "", "outside every Airflow environment")
    env = environments[root_index]
    if kind in ("requirements", "constraints"):
        return _requirements_role(tree, path, kind, root_index, env, implicit, in_dags=False)
    if kind == "airflow-cfg" or posixpath.basename(path) in ("webserver_config.py", "airflow_settings.yaml"):
        return Membership(root_index, CONFIG)
    if kind == "env":  # an env file sets Airflow's configuration only when it names it (not a dbt profile's)
        return Membership(root_index, CONFIG if "AIRFLOW" in tree.text(path) else OTHER)
    if kind == "dockerfile":
        return Membership(root_index, IMAGE)
    if kind == "python":
        return Membership(root_index, CODE if layouts.AIRFLOW_IMPORT.search(tree.text(path)) else OTHER)
    return Membership(root_index, OTHER)


def _requirements_role(tree: Tree, path: str, kind: str, index: int, env: Environment, implicit: bool,
                       in_dags: bool) -> Membership:
    """A requirements or constraints file below an environment that its requirements do not name."""
    text = tree.text(path)
    if kind == "constraints" or layouts.is_constraints(path, text):
        if in_dags:  # deployed with the DAGs, but no requirements file installs against it
            return Membership(index, DAGS)
        return Membership(None, "", f"a constraints file no requirements file of environment {env.name} names")
    if layouts.is_dev_requirements(path):
        return Membership(None, "", DEV_REASON)
    if implicit and (layouts.names_airflow(text) or parent(path) in (".", "requirements")):
        return Membership(index, REQUIREMENTS)
    if implicit:
        return Membership(None, "", "no deployment names it and it installs no Airflow package")
    theirs = ", ".join(env.requirements) if env.requirements else "none was found"
    return Membership(None, "", f"not a requirements file environment {env.name} installs ({theirs})")


def _folder_role(path: str, environments: list[Environment]) -> Optional[tuple[int, str]]:
    best: Optional[tuple[int, int, str]] = None
    for i, env in enumerate(environments):
        for role, attr in FOLDERS:
            for folder in getattr(env, attr):
                if inside(path, folder) and (best is None or depth(folder) > best[0]):
                    best = (depth(folder), i, role)
    return (best[1], best[2]) if best else None


def _deepest_env(path: str, environments: list[Environment]) -> Optional[int]:
    found = [(i, e.root) for i, e in enumerate(environments) if inside(path, e.root)]
    return max(found, key=lambda f: depth(f[1]))[0] if found else None
