"""`dagshift environments`: each Airflow environment the repository holds, its files by role, the
evidence for each decision, and the files judged not Airflow's."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from dagshift.environments import PLATFORM_NAMES
from dagshift.environments.discover import ORPHAN_DAG

if TYPE_CHECKING:
    from dagshift.environments import Environment, Model

FOLDER_ROLES = ("dags", "plugins", "include", "image")
FILE_ROLES = ("requirements", "constraints", "startup", "config", "infrastructure")


def label(env: "Environment", with_version: bool = False) -> str:
    """How the summary line and the report name an environment: `mwaa/ (Amazon MWAA, Airflow 2.5.1 today)`."""
    where = "the project root" if env.root == "." and env.name == "." else f"{env.name}" + ("/" if env.name == env.root else "")
    platform = PLATFORM_NAMES.get(env.platform, env.platform)
    if with_version and env.from_version:
        today = f"Airflow {env.from_version} today"
        return f"{where} ({today})" if env.platform == "unknown" else f"{where} ({platform}, {today})"
    return f"{where} ({platform})"


def from_text(env: "Environment") -> str:
    if env.from_version is None:
        runtime = next((e for e in env.evidence if e.what == "astro"), None)
        if runtime is not None:  # the Runtime's tag is not Airflow's version
            return f"unknown: {runtime.text} ({runtime.path}:{runtime.line}) names an Astro Runtime, not an Airflow version"
        return "unknown (no infrastructure, image tag or pin says)"
    assert env.from_evidence is not None
    return f"{env.from_version} ({env.from_evidence.path}:{env.from_evidence.line})"


def render_text(model: "Model", root_shown: str) -> str:
    lines: list[str] = []
    count = len(model.environments)
    lines.append(f"{count} Airflow environment{'s' if count != 1 else ''} under {root_shown}"
                 + (" (no deployment found: the repository is read as one)" if model.implicit else "") + ":")
    for index, env in enumerate(model.environments):
        files = model.files_of(index)
        lines += ["", f"{label(env)}", f"  root:           {env.root}", f"  from version:   {from_text(env)}"]
        if env.target:
            lines.append(f"  target:         {env.target} (declared)")
        for role in FOLDER_ROLES:
            for folder in getattr(env, role):
                held = sum(1 for p, r in files.items() if r == role and p.startswith(folder + "/"))
                lines.append(f"  {role + ':':<15} {folder}/ ({held} file{'s' if held != 1 else ''})")
        for role in FILE_ROLES:
            listed = sorted({*getattr(env, role), *(p for p, r in files.items() if r == role)})
            if listed:
                lines.append(f"  {role + ':':<15} {', '.join(listed)}")
        rest = sum(1 for r in files.values() if r in ("code", "other"))
        if not env.dags and any(e.what == ORPHAN_DAG and "/" not in e.path for e in env.evidence):
            # DAG files at the root itself: the root is the DAGs folder (no `dags/` to name).
            held = sum(1 for p, r in files.items() if r == "code" and "/" not in p)
            lines.append(f"  {'dags:':<15} ./ (the root: {held} Python file{'s' if held != 1 else ''} importing Airflow)")
            rest -= held
        if rest:
            lines.append(f"  {'other files:':<15} {rest} (Python beside the DAGs, templates, resources)")
        lines.append("  evidence:")
        lines += [f"    {e}" for e in env.evidence]
    outside = model.outside()
    if outside:
        lines += ["", f"Not Airflow's ({len(outside)} file{'s' if len(outside) != 1 else ''}: reported, never fixed; "
                      "requirements and configuration rules do not judge them):"]
        width = min(max(len(p) for p in outside), 60)
        lines += [f"  {path:<{width}}  {reason}" for path, reason in outside.items()]
    return "\n".join(lines) + "\n"


def render_json(model: "Model", root_shown: str) -> str:
    return json.dumps({"root": root_shown, **model.to_json()}, indent=2) + "\n"
