"""The `airflow` CLI commands Airflow 3 dropped, from each target's core CLI table (data/cli_commands.json)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from dagshift.linter.tables import load_table
from dagshift.linter.targets import version_tuple

# `airflow <command> [<subcommand>]` (the word boundary behind `airflow` checked as in cli.py).
COMMAND_RE = re.compile(r"airflow(?<!\wairflow)[ \t]+([a-z][\w-]*)(?:[ \t]+([a-z][\w-]*))?")
# A command at the start of a Python string: an MWAA CLI-token payload (`"dags backfill ..."`).
PAYLOAD_RE = re.compile(r"(?<=[\"'])([a-z][\w-]*)(?:[ \t]+([a-z][\w-]*))?")
# Successors whose options are those of the old command: the rename is a safe fix.
SAME_OPTIONS = frozenset({"db init", "db upgrade"})


@lru_cache(maxsize=16)  # one per target: a report's matrix asks for each in turn
def removed_commands(target: str) -> dict[str, Optional[str]]:
    """Commands the newest Airflow 2 core had and the target's core has not ("dags backfill",
    "webserver"), each with its successor from Airflow 3's release notes (or None). Empty on 2.x."""
    table = load_table("cli_commands", "targets", "successors")
    if version_tuple(target) < (3, 0, 0):
        return {}
    newest2 = max((v for v in table["targets"] if v.startswith("2.")), key=version_tuple)
    old, new = table["targets"][newest2], table["targets"][target]
    gone: dict[str, Optional[str]] = {}
    for group, subs in old.items():
        if group == "":
            gone.update({c: None for c in subs if c not in new[""] and c not in new})
        elif group in new:
            gone.update({f"{group} {s}": None for s in subs if s not in new[group]})
    return {c: table["successors"].get(c) for c in sorted(gone)}


def command_at(target: str, first: str, second: Optional[str]) -> Optional[str]:
    """The removed command `airflow first [second]` spells on the target, or None."""
    gone = removed_commands(target)
    if second and f"{first} {second}" in gone:
        return f"{first} {second}"
    return first if first in gone else None


def is_current(target: str, text: str, at: int, word: str) -> bool:
    """Whether `airflow <word>` at `at` is already a command of the target's own CLI (Airflow 3's
    `backfill create` is spelled like 1.10's `backfill`): a top-level command, or a group followed
    by one of its subcommands."""
    table = load_table("cli_commands", "targets", "successors")["targets"].get(target, {})
    if word in table.get("", ()):
        return True
    if word in table and word != "":
        following = re.match(r"[ \t]+([a-z][\w-]*)", text[at:])
        return following is not None and following.group(1) in table[word]
    return False
