"""What the requirements rules ask of the file's environment (dagshift.environments): whose
platform installs it, which of its requirements files is the main one, where its DAGs are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dagshift.rules.requirements.parser import parse, read_text


def on_mwaa(ctx: Any) -> bool:
    """Whether MWAA installs the file: its environment is MWAA's, or nothing says it is another
    platform's (dagshift's default); an Astro, Composer or self-managed image's pip adds no constraints."""
    env = ctx.environment
    return env is None or env.platform in ("mwaa", "unknown")


def main_requirements(ctx: Any) -> tuple[bool, set[str]]:
    """Whether this is the environment's main requirements file (the one MWAA installs, which DS305
    adds providers to), and the packages its other requirements files already require."""
    env = ctx.environment
    files = sorted(ctx.environment_files("requirements"),
                   key=lambda p: (Path(p).name != "requirements.txt", p.count("/"), p))
    if env is None or len(files) < 2:
        return True, set()
    main = env.requirements[0] if env.requirements and env.requirements[0] in files else files[0]
    others: set[str] = set()
    for path in files:
        if path != ctx.relpath:
            others.update(line.name for line in parse(read_text(ctx.settings.root / path)).requirements() if line.name)
    return ctx.relpath == main, others


def dags_folders(ctx: Any) -> tuple[Path, ...]:
    """Where the file's environment keeps its DAGs (MWAA's /usr/local/airflow/dags/ in the repository):
    its DAGs folders, or the configured `dags-dirs` when it names none."""
    env = ctx.environment
    return tuple(ctx.settings.root / d for d in (env.dags if env is not None and env.dags else ctx.settings.dags_dirs))
