"""What DS401-DS407 find in one file: configuration values, keys, MWAA definitions and CLI calls."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from dagshift.fixers.edits import replace_span
from dagshift.fixers.lines import delete_lines
from dagshift.linter.diagnostics import SAFE, UNSAFE, Edit, Fix
from dagshift.linter.findings import Finding, once_per_file
from dagshift.linter.tables import load_table
from dagshift.linter.targets import creatable, find_target, is_airflow3, mwaa_versions, version_tuple
from dagshift.linter.textscan import newline_of
from dagshift.rules.config.cli import CLI_RE, CLI_RENAMES
from dagshift.rules.config.cli3 import COMMAND_RE, PAYLOAD_RE, SAME_OPTIONS, command_at, is_current, removed_commands
from dagshift.rules.config.proofs import config_verdict
from dagshift.rules.config.settings import ENV, INI, MWAA, PY, Setting, airflow_versions, settings_in
from dagshift.rules.requirements.tables import installed_providers

MWAA_KEY_RE = re.compile(r"^[a-z]+([a-z0-9._]*[a-z0-9_]+)?$")
PRINTABLE_RE = re.compile(r"^[ -~]+$")
MWAA_CLI_RE = re.compile(r"([\"'])(" + "|".join(sorted(CLI_RENAMES, key=len, reverse=True)) + r")(?=[ \"'])")


@lru_cache(maxsize=1)
def config_table() -> dict:
    return load_table("config_changes", "targets")["targets"]


def analyse(ctx: Any) -> list[Finding]:
    return once_per_file(ctx, "config", _analyse)


def _key_text(setting: Setting, section: str, option: str) -> str:
    if setting.syntax == ENV:
        return f"AIRFLOW__{section.upper()}__{option.upper()}"
    if setting.syntax == MWAA:
        return f"{section}.{option}"
    if setting.syntax == PY:
        q = setting.quote
        return f"{q}{section}{q}, {q}{option}{q}"
    return option


def _analyse(ctx: Any) -> list[Finding]:
    from dagshift.rules.imports.tables import tables

    text, target = ctx.text, ctx.target
    findings: list[Finding] = []
    changes = config_table()[target]
    moves = tables(target).entries
    found = list(settings_in(text, ctx.kind))
    names = {(s.syntax, s.name) for s in found}
    for setting in found:
        where = {INI: f"[{setting.section}] {setting.option}", ENV: text[slice(*setting.key_span)],
                 MWAA: setting.name, PY: f"`[{setting.section}] {setting.option}` (read here)"}[setting.syntax]
        _class_path(ctx, setting, where, moves, findings)
        if setting.option in MODULE_OPTIONS and setting.value:
            _module_paths(ctx, setting, where, findings)
        if setting.option == "backend_kwargs" and setting.value and not setting.value.startswith(("$", "!")):
            try:
                json.loads(setting.value)
            except json.JSONDecodeError as exc:
                findings.append(Finding.at_span("DS402", *setting.value_span,
                                        f"{where} is not valid JSON ({exc.msg} at character {exc.pos}): the "
                                        "secrets backend fails to start"))
        _renamed_or_removed(ctx, setting, where, changes, names, findings)
        if setting.syntax == MWAA:
            key = text[slice(*setting.key_span)]
            if not MWAA_KEY_RE.match(key) or len(key) > 64 or key.count(".") < 1:
                findings.append(Finding.at_span("DS405", *setting.key_span, (
                    f"MWAA rejects the configuration key `{key}`: keys are lowercase `section.option` "
                    "(letters, digits, `_` and `.`, at most 64 characters)"
                )))
            elif setting.value and not PRINTABLE_RE.match(setting.value):
                findings.append(Finding.at_span("DS405", *setting.value_span,
                                        f"MWAA rejects the value of `{key}`: only printable ASCII is allowed"))
    _plan_section_moves(text, findings)
    if ctx.kind == "python" and "airflow." in text:
        _python_class_paths(ctx, moves, findings)
    _versions(ctx, findings)
    _cli(ctx, findings)
    if is_airflow3(ctx.target) and ("/api/v1/" in ctx.text or "/api/experimental/" in ctx.text):
        _rest_api_v1(ctx, findings)
    return findings


def _plan_section_moves(text: str, findings: list[Finding]) -> None:
    """Options of an airflow.cfg that moved to another section: one fix per destination section,
    moving every such option (with its comment lines) there together."""
    from dagshift.fixers.ini import move_options, option_block

    by_section: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code == "DS403" and finding.fix is None and isinstance(finding.detail, tuple):
            by_section.setdefault(finding.detail[0], []).append(finding)
    newline = newline_of(text)
    for section, group in by_section.items():
        blocks = []
        for finding in group:
            _, new_option, setting, _unproven = finding.detail
            start, end = option_block(text, setting.key_span[0])
            content = text[start:end]
            if new_option != setting.option:  # renamed on the way: the key's own characters change
                offset = setting.key_span[0] - start
                content = content[:offset] + new_option + content[offset + setting.key_span[1] - setting.key_span[0]:]
            blocks.append((start, end, content))
        fix = move_options(text, blocks, section, newline)
        if any(finding.detail[3] for finding in group):
            fix = Fix(fix.edits, UNSAFE, fix.description + " (no Airflow version's own table names every rename)")
        for finding in group:
            finding.fix = fix


PATH_LITERAL_RE = re.compile(r"""(["'])(airflow\.[A-Za-z0-9_.]+)\1""")


def _python_class_paths(ctx: Any, moves: dict, findings: list[Finding]) -> None:
    """Dotted 1.10 paths in string literals: custom logging configs ('class': '...S3TaskHandler')."""
    taken = {f.at for f in findings}
    for m in PATH_LITERAL_RE.finditer(ctx.text):
        entry = moves.get(m.group(2))
        if entry is None or m.span(2) in taken:
            continue
        setting = Setting("", "", m.group(2), m.span(2), m.span(2), MWAA)
        _class_path(ctx, setting, "", moves, findings)


def _class_path(ctx: Any, setting: Setting, where: str, moves: dict, findings: list[Finding]) -> None:
    value = setting.value
    if setting.option == "hostname_callable" and re.fullmatch(r"[\w.]+:[\w]+", value):
        new = value.replace(":", ".")
        findings.append(Finding.at_span("DS401", *setting.value_span, (
            f"{where} = `{value}`: Airflow 2 reads `module.function`; the `module:function` form is rewritten "
            "with a warning"
        ), severity="warning", fix=replace_span(*setting.value_span, new, f"use `{new}`")))
        return
    entry = moves.get(value)
    if entry is None or not value.startswith("airflow."):
        return
    new = entry.get("to")
    removed = entry["status"] == "removed"
    state = "does not exist" if removed else "is deprecated"
    install = ""
    if entry.get("dist"):
        install = (f" (in {entry['dist']}, which MWAA {ctx.target} installs)" if entry["dist"] in installed_providers(ctx.target)
                   else f" (install {entry['dist']})")
    tail = f": use `{new}`{install}" if new else " and has no replacement"
    if entry.get("dist"):
        ctx.record("providers", entry["dist"])
    subject = f"{where} = `{value}`" if where else f"`{value}`"
    findings.append(Finding.at_span(
        "DS401", *setting.value_span, f"{subject} {state} on Airflow {ctx.target}{tail}",
        severity="error" if removed else "warning",
        fix=replace_span(*setting.value_span, new, f"use `{new}`") if new else None,
    ))


# Options whose value is a comma-separated list of modules Airflow imports (the API's auth backends).
MODULE_OPTIONS = frozenset({"auth_backends", "auth_backend"})


def _module_paths(ctx: Any, setting: Setting, where: str, findings: list[Finding]) -> None:
    """DS401 for a module an option names that the target does not have (an auth backend of 1.10 or
    2.x): Airflow cannot import it where the option is read. Where the target's providers have a
    module of the same path below their package, it is named (no fix: that the two are the same
    backend is not proven)."""
    from dagshift.rules.imports.tables import tables

    found = tables(ctx.target)
    start = setting.value_span[0]
    for m in re.finditer(r"[^,\s]+", setting.value):
        module = m.group(0)
        world = found.world_of(module) if module.startswith("airflow.") else None
        if world is None or module in world:
            continue
        tail = "." + module[len("airflow."):]
        homes = sorted(h for w in (found.core, *found.providers.values()) for h, _ in w.items() if h.endswith(tail))
        hint = f": the target has `{homes[0]}`" if len(homes) == 1 else ""
        # A warning: whether it fails depends on the option being read (DS403/DS404 say of the option).
        findings.append(Finding.at_span("DS401", start + m.start(), start + m.end(), (
            f"{where} names `{module}`, which does not exist on Airflow {ctx.target}: wherever this option is "
            f"read, Airflow cannot import it{hint}"
        ), severity="warning"))


def _renamed_or_removed(ctx: Any, setting: Setting, where: str, changes: dict, names: set, findings: list[Finding]) -> None:
    target = ctx.target
    renamed = changes["renames"].get(setting.name)
    # An env file that sets both names (`AIRFLOW__CORE__SQL_ALCHEMY_CONN` and
    # `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`): the new one wins wherever both are read, so the fix
    # deletes the old line instead of writing a second copy of the new one.
    both = setting.syntax == ENV and renamed is not None and (ENV, renamed[0]) in names
    section_renamed = changes["section_renames"].get(setting.section)
    if renamed is None and section_renamed is not None:
        renamed = [f"{section_renamed[0]}.{setting.option}", section_renamed[1]]
    if renamed is not None and renamed[0] in changes["removed"]:
        # Renamed once, and the new name is gone on the target too: a rename would write an option the
        # target does not have (the next run's DS404); it is reported as the removal it is.
        hint = changes.get("hints", {}).get(renamed[0])
        findings.append(Finding.at_span("DS404", *setting.key_span, (
            f"{where} was renamed to `{renamed[0]}` in Airflow {renamed[1]}, which no longer exists on Airflow "
            f"{target}: the setting is ignored" + (f" ({hint.rstrip('.')})" if hint else ""))))
        return
    if renamed is not None:
        new_section, _, new_option = renamed[0].partition(".")
        fix = None
        if setting.syntax != INI or new_section == setting.section:
            new_key = _key_text(setting, new_section, new_option)
            fix = (Fix((delete_lines(ctx.index, *setting.key_span),), SAFE, f"delete it: the file sets `{renamed[0]}` already")
                   if both else replace_span(*setting.key_span, new_key, f"rename to `{new_key}`"))
        proof = config_verdict(target, setting.name, renamed[0])
        if proof is not None and proof[0] == "disproven":
            findings.append(Finding.at_span("DS403", *setting.key_span, (
                f"{where} was renamed to `{renamed[0]}` in Airflow {renamed[1]}, but real Airflow {target} "
                f"disagrees ({proof[1]}): not renamed, check the option in Airflow's configuration reference")))
            return
        if fix is not None and proof is not None and proof[0] == "undecidable":
            fix = Fix(fix.edits, UNSAFE, fix.description + " (no Airflow version's own table names this rename)")
        move = "" if fix else f" (move it to the [{new_section}] section)"
        # A third field, "ignored": the target no longer reads the old name (Airflow 3's
        # `airflow config update` table, and 2.x renames 3.x dropped).
        effect = (f"{target} no longer reads the old name, so the setting is ignored" if renamed[2:] == ["ignored"]
                  else f"the old name works on {target} with a deprecation warning")
        finding = Finding.at_span("DS403", *setting.key_span, (
            f"{where} was renamed to `{renamed[0]}` in Airflow {renamed[1]}{move}: {effect}"
        ), fix=fix)
        if fix is None:
            # An INI move, planned with the others; unproven (the last field) makes the move unsafe.
            finding.detail = (new_section, new_option, setting, proof is not None and proof[0] == "undecidable")
        findings.append(finding)
    elif setting.name in changes["removed"]:
        effect = ("reading it raises AirflowConfigException unless the call passes a `fallback`"
                  if setting.syntax == PY else "the setting is ignored")
        hint = changes.get("hints", {}).get(setting.name)
        findings.append(Finding.at_span("DS404", *setting.key_span, (
            f"{where} no longer exists on Airflow {target}: {effect}" + (f" ({hint.rstrip('.')})" if hint else "")
        )))
    elif setting.syntax == MWAA and setting.name in protected_options(target):
        findings.append(Finding.at_span("DS404", *setting.key_span, (
            f"MWAA {target} does not let environments set `{setting.name}`: its own value wins"
        )))


@lru_cache(maxsize=16)  # one per target: a report's matrix asks for each in turn
def protected_options(target: str) -> frozenset[str]:
    data = load_table("mwaa_protected_options", "applies_from", "options")
    if version_tuple(target) < version_tuple(data["applies_from"]):
        return frozenset()
    return frozenset(data["options"])


# Airflow's own v1 resources (not any service's /api/v1: Kubernetes has one too).
API_V1 = re.compile(r"/api/(v1|experimental)/(dags|dagRuns|dagSources|variables|connections|pools|taskInstances|"
                    r"config|health|version|importErrors|eventLogs|xcomEntries|datasets|providers|plugins|"
                    r"users|roles|permissions|test|latest_runs)\b")


def _rest_api_v1(ctx: Any, findings: list[Finding]) -> None:
    for m in API_V1.finditer(ctx.text):
        kind, resource = m.group(1), m.group(2)
        start = m.start()
        what = "REST API v1" if kind == "v1" else "experimental API"
        findings.append(Finding.at_span("DS408", start, m.end(), (
            f"`/api/{kind}/{resource}` is Airflow's {what}, which Airflow {ctx.target} no longer serves: use "
            f"`/api/v2/{resource}` (payloads changed: `logical_date`, not `execution_date`; on MWAA, "
            "`aws mwaa invoke-rest-api`)"
        )))


def _cli3(ctx: Any, text: str, findings: list[Finding], pattern: Any = COMMAND_RE, label: str = "") -> None:
    """DS407 on Airflow 3: a 2.x command the target's CLI no longer has (in a script, or in an MWAA
    CLI-token payload: `label`)."""
    for m in pattern.finditer(text):
        command = command_at(ctx.target, m.group(1), m.group(2))
        if command is None:
            continue
        end = m.end(2) if " " in command else m.end(1)
        successor = removed_commands(ctx.target)[command]
        what = f"{label} `{command}`" if label else f"`airflow {command}`"
        if successor is None:
            findings.append(Finding.at_span("DS407", m.start(1), end,
                                            f"{what} was removed in Airflow 3: {ctx.target} has no such command"))
            continue
        same = command in SAME_OPTIONS
        findings.append(Finding.at_span("DS407", m.start(1), end, (
            f"{what} was removed in Airflow 3: use `{'' if label else 'airflow '}{successor}`"
            + ("" if same else " (its options changed: check them)")
        ), fix=Fix((Edit(m.start(1), end, successor),), SAFE if same else UNSAFE, f"use `{successor}`")))


def _versions(ctx: Any, findings: list[Finding]) -> None:
    if ctx.kind not in ("yaml", "json", "terraform", "python") or "mwaa" not in ctx.text.lower():
        return
    for value, span in airflow_versions(ctx.text):
        if value == ctx.target:
            continue
        known = find_target(value)
        offered = known is not None or value == "1.10.12"
        detail = "" if offered else f" (and {value} is not a version MWAA offers)"
        if known is not None and not creatable(known):  # (a new stack with it fails to deploy)
            detail = " (a version MWAA no longer creates environments on)"
        path, allowed = upgrade_path(value, ctx.target)
        # Changing the version in infrastructure changes what is deployed: a decision, never a safe
        # fix; and none at all where MWAA refuses that change (the next apply would fail).
        fix = None
        if allowed:
            fix = replace_span(*span, ctx.target, f"set it to {ctx.target}", UNSAFE)
        findings.append(Finding.at_span("DS406", *span, (
            f"the MWAA environment runs Airflow {value}{detail}, but the DAGs are checked for {ctx.target}: {path}"
        ), fix=fix))


@lru_cache(maxsize=1)
def _upgrade_paths() -> dict:
    return load_table("mwaa_upgrade_paths", "in_place_minor", "major_from_1", "to_3_refused")


def upgrade_path(current: str, target: str) -> tuple[str, bool]:
    """What MWAA allows from the version an environment runs to the target, and whether in place."""
    paths = _upgrade_paths()
    try:
        now, then = version_tuple(current), version_tuple(target)
    except ValueError:
        return paths["major_from_1"], False
    if now[0] < 2:
        return paths["major_from_1"], False
    known = find_target(target)
    if known is not None and not creatable(known):
        return paths["to_end_of_support"].format(target=target), False
    creatable_211 = [v.airflow for v in mwaa_versions() if v.airflow.startswith(paths["to_3_only_from"] + ".")]
    latest = max(creatable_211, key=version_tuple)
    if now[0] == 2 and then[0] == 3 and now != version_tuple(latest):
        return paths["to_3_refused"].format(latest=latest, target=target), False
    if now[0] == 3 and then[0] == 2 and not target.startswith(paths["down_from_3_to"] + "."):
        return paths["down_from_3_refused"], False
    return paths["in_place_minor"], True


def _cli(ctx: Any, findings: list[Finding]) -> None:
    text = ctx.text
    if ctx.kind in ("shell", "makefile", "dockerfile", "yaml", "text", "json") and "airflow" in text:
        gone = removed_commands(ctx.target)
        for m in CLI_RE.finditer(text):
            _one_ten_command(ctx, m.group(1), m.start(1), m.end(1), gone, findings)
        if gone:
            _cli3(ctx, text, findings)
    if ctx.kind == "python" and ("create_cli_token" in text or "/aws_mwaa/cli" in text):
        gone = removed_commands(ctx.target)
        for m in MWAA_CLI_RE.finditer(text):
            _one_ten_command(ctx, m.group(2), m.start(2), m.end(2), gone, findings, "MWAA CLI command")
        if gone:
            _cli3(ctx, text, findings, PAYLOAD_RE, "MWAA CLI command")


def _one_ten_command(ctx: Any, old: str, start: int, end: int, gone: dict, findings: list[Finding],
                     label: str = "") -> None:
    """DS407 for a 1.10 command, in a script (`airflow trigger_dag`) or an MWAA CLI-token payload
    (`label`): its 2.x spelling, or on Airflow 3 the successor of that spelling when 3.x dropped it."""
    if is_current(ctx.target, ctx.text, end, old):
        return
    prefix = "" if label else "airflow "
    what = f"{label} `{old}`" if label else f"`airflow {old}`"
    new, safe = CLI_RENAMES[old], SAFE
    if new in gone:  # (Airflow 3 dropped the 2.x spelling too: its successor, or nothing)
        if gone[new] is None:
            findings.append(Finding.at_span("DS407", start, end,
                                            f"{what} became `{prefix}{new}` in Airflow 2, which Airflow 3 removed"))
            return
        safe = SAFE if new in SAME_OPTIONS else UNSAFE
        new = gone[new]
    findings.append(Finding.at_span("DS407", start, end,
                                    f"{what} is `{prefix}{new}` on Airflow {ctx.target if gone else 2}",
                                    fix=Fix((Edit(start, end, new),), safe, f"use `{prefix}{new}`")))
