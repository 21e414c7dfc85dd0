"""What the requirements rules ask of the file's environment (dagshift.environments): whose
platform installs it, and which of its requirements files is the main one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dagshift.rules.requirements.parser import parse


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
            others.update(line.name for line in parse(_text(ctx.settings.root / path)).requirements() if line.name)
    return ctx.relpath == main, others


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""
