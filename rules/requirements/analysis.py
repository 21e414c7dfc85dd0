"""The analysis behind DS300-DS307 and DS309: one pass over a requirements file per run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from packaging.version import InvalidVersion, Version

from dagshift.fixers.edits import insert_at, replace_span
from dagshift.fixers.requirements import replace_line
from dagshift.linter.diagnostics import SAFE, UNSAFE, Edit, Fix
from dagshift.linter.findings import Finding, once_per_file
from dagshift.rules.requirements import severity
from dagshift.rules.requirements.environment import dags_folders, main_requirements, on_mwaa
from dagshift.rules.requirements.parser import (
    MWAA_DAGS,
    Line,
    RequirementsFile,
    in_dags_folders,
    parse,
    read_includes,
    read_text,
)
from dagshift.rules.requirements.tables import (
    CONSTRAINT_URL_RE,
    bundled_constraints,
    essential_constraints,
    installed_providers,
    parse_pins,
    providers_for_extra,
)

BACKPORT = "apache-airflow-backport-providers-"


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    # Distributions a fix of this file adds (an `apache-airflow[extra]` line's replacement).
    adds: set[str] = field(default_factory=set)


def analyse(ctx: Any) -> Analysis:
    return once_per_file(ctx, "requirements", _analyse)


def constraint_url(airflow: str, python: str) -> str:
    return f"https://raw.githubusercontent.com/apache/airflow/constraints-{airflow}/constraints-{python}.txt"


def is_mwaa_requirements(path: str, parsed: RequirementsFile) -> bool:
    """The file MWAA installs: requirements.txt, or any file that speaks of Airflow or constraints."""
    return (
        Path(path).name == "requirements.txt"
        or bool(parsed.options("--constraint"))
        or any((line.name or "").startswith("apache-airflow") for line in parsed.requirements())
    )


CONDA_LINE = re.compile(r"^[\w.-]+=[^=\s]+=[^=\s]+$")


def _unreadable(ctx: Any, parsed: Any) -> list[Finding]:
    """DS300 per line pip cannot read; one finding for a file that is mostly not requirements (a
    conda export is `name=version=build` on every line: hundreds of findings would say less)."""
    errors = [line for line in parsed.lines if line.kind == "error"]
    content = [line for line in parsed.lines if line.kind not in ("blank", "comment")]
    if len(errors) >= 5 and 2 * len(errors) >= len(content):
        first = errors[0]
        text = ctx.text[first.start:first.end].strip()
        what = ("a conda environment export (`name=version=build` lines), not a pip requirements file: "
                "write the requirements as `name==version`") if CONDA_LINE.match(text) else "not a pip requirements file"
        return [Finding.at_span("DS300", first.start, first.end,
                                f"pip cannot read {len(errors)} of the file's {len(content)} lines: it is {what} "
                                f"(first: {first.error})")]
    return [Finding.at_span("DS300", line.start, line.end, f"pip cannot read this line: {line.error}") for line in errors]


def _analyse(ctx: Any) -> Analysis:
    parsed = parse(ctx.text)
    result = Analysis()
    target, python = ctx.target, ctx.settings.python_version
    newline = parsed.newline

    result.findings.extend(_unreadable(ctx, parsed))

    constraints = parsed.options("--constraint")
    included, include_problem = read_includes(ctx.file.entry.path, parsed, dags=dags_folders(ctx))
    if include_problem:
        first_r = parsed.options("--requirement")
        where = first_r[0] if first_r else parsed.lines[0]
        result.findings.append(Finding.at_span("DS300", where.start, where.end, f"`-r` chain is broken: {include_problem}"))
    mwaa_file = is_mwaa_requirements(ctx.path, parsed)
    _constraint_lines(ctx, parsed, constraints, included, mwaa_file, result)

    # DS302: a constraint URL for another Airflow or Python version.
    pins, pins_from = _pins_for(ctx, constraints, target, python, result)
    for line in constraints:
        match = CONSTRAINT_URL_RE.search(line.value or "")
        if not match or not line.value_span:
            continue
        if match["airflow"] != target or match["python"] != python:
            url = constraint_url(target, python)
            result.findings.append(Finding.at_span(
                "DS302", line.value_span[0], line.value_span[1],
                f"constraint file is for Airflow {match['airflow']} / Python {match['python']}, "
                f"the target is Airflow {target} / Python {python}",
                fix=replace_span(line.value_span[0], line.value_span[1], f'"{url}"', f"use the constraints of Airflow {target} for Python {python}"),
            ))

    present = {line.name for line in parsed.requirements()}
    # What the file will require once backport lines are renamed: DS303 must not add those again.
    future = present | {"apache-airflow-providers-" + n[len(BACKPORT):] for n in present if n and n.startswith(BACKPORT)}
    for line in parsed.requirements():
        name = line.name or ""
        if name == "apache-airflow":
            _airflow_line(ctx, line, future, target, newline, result)
        elif name.startswith(BACKPORT):
            _backport_line(line, present, result, ctx.text)
        else:
            _pin_conflicts(line, pins, pins_from, target, result)

    if mwaa_file:
        _missing_providers(ctx, parsed, future | result.adds, result, newline)
    return result



def _constraint_lines(
    ctx: Any, parsed: RequirementsFile, constraints: list, included: list, mwaa_file: bool, result: Analysis
) -> None:
    """DS301: a constraint line MWAA (and pip) will see."""
    target, python = ctx.target, ctx.settings.python_version
    constrained_elsewhere = any(f.options("--constraint") for _, f in included)
    if mwaa_file and not constraints and not constrained_elsewhere:
        result.findings.append(_missing_constraint(ctx, parsed, target, python, parsed.newline))
    mwaa_adds = severity.mwaa_adds_constraints(target, on_mwaa(ctx))
    for line in constraints:
        raw = ctx.text[line.start : line.end]
        # MWAA's installer looks for "-c " or "--constraint " (with the space) on each line.
        if mwaa_adds and line.value and not ("-c " in raw or "--constraint " in raw):
            result.findings.append(Finding.at_span(
                "DS301", line.start, line.end,
                f"MWAA {target} looks for `-c ` or `--constraint ` followed by a space: it does not see this line "
                "and adds its own constraints as well",
                severity=severity.UNSEEN_CONSTRAINT,
                fix=replace_span(line.start, line.end, f'--constraint "{line.value}"', 'write it as `--constraint "URL"`'),
            ))


def _missing_constraint(ctx: Any, parsed: RequirementsFile, target: str, python: str, newline: str) -> Finding:
    first = next((line for line in parsed.lines if line.kind != "blank"), None)
    at = first.start if first is not None else len(ctx.text)
    url = constraint_url(target, python)
    addition = f'--constraint "{url}"' + newline
    if first is None and ctx.text and not ctx.text.endswith(("\n", "\r")):
        addition = newline + addition
    mwaa = on_mwaa(ctx)
    mwaa_adds = severity.mwaa_adds_constraints(target, mwaa)
    message = (
        f"no `--constraint` line: MWAA {target} adds its own, but the file does not say which pins it installs against"
        if mwaa_adds
        else f"no `--constraint` line: pip may upgrade Airflow or pick provider versions that break Airflow {target}"
    )
    # The target's constraints beside a pin of another Airflow (an image's own) would make the file
    # one pip refuses: DS303 says so, and this finding waits for that decision.
    pinned_elsewhere = any(line.name == "apache-airflow" and line.requirement is not None and line.requirement.specifier
                           and not line.requirement.specifier.contains(target, prereleases=True)
                           for line in parsed.requirements())
    return Finding.at_span(
        "DS301", at, at, message, severity=severity.missing_constraint(target, mwaa),
        fix=None if pinned_elsewhere else insert_at(at, addition, f"add the Airflow {target} / Python {python} constraints"),
    )


def _pins_for(
    ctx: Any, constraints: list[Line], target: str, python: str, result: Analysis
) -> tuple[dict[str, str], str]:
    """The pins the file installs against: online copy, a local constraint file, or the bundled one."""
    name, bundled = bundled_constraints(target)
    fallback = (bundled, f"Airflow {target}'s constraints")
    for line in constraints:
        value = line.value or ""
        if "://" in value:
            online = ctx.facts.get("online_constraints", {}).get(value)
            if online is None:
                continue
            if "error" in online:
                result.findings.append(Finding.at_span(
                    "DS309", line.start, line.end,
                    f"could not fetch {value}: {online['error']}; checked against the bundled constraints of Airflow {target}",
                ))
                continue
            return online["pins"], "the constraint file it names"
        local = _local_constraint(ctx, value)
        if local is not None:
            pins = parse_pins(read_text(local))
            if pins:
                return pins, f"{local.name}"
    return fallback


def _local_constraint(ctx: Any, value: str) -> Optional[Path]:
    if not value or "$" in value:
        return None
    if value.startswith(MWAA_DAGS):
        return in_dags_folders(value, dags_folders(ctx))
    candidate = (ctx.file.entry.path.parent / value)
    return candidate if candidate.is_file() else None


def _line_edit(ctx_text: str, line: Line, replacement: Optional[str]) -> Edit:
    """Replace a requirement line (keeping its trailing comment), or delete it with its line break."""
    assert replacement is None or line.spec_span is not None or line.name_span is not None
    return replace_line(ctx_text, line.start, line.end, line.end_with_break, replacement)


def _airflow_line(ctx: Any, line: Line, present: set, target: str, newline: str, result: Analysis) -> None:
    req = line.requirement
    assert req is not None
    if not on_mwaa(ctx):
        # An image of one's own installs Airflow from this line: right, unless it installs another
        # version than the target (then the image's FROM moves with it: a decision, no fix).
        if req.specifier and not req.specifier.contains(target, prereleases=True):
            result.findings.append(Finding.at_span(
                "DS303", line.start, line.end,
                f"`apache-airflow{req.specifier}` installs another Airflow than the target {target}: this environment's "
                f"image installs what this line says; move it, and the image it builds on, to {target}"))
        return
    providers: list[str] = []
    mapped: dict[str, list[str]] = {}
    for extra in sorted(req.extras):
        dists = providers_for_extra(extra, target)
        mapped[extra] = dists
        providers.extend(d for d in dists if d not in present and d not in providers)
    replacement = newline.join(providers) if providers else None
    fix = Fix((_line_edit(ctx.text, line, replacement),), SAFE,
              "remove it" + (f" and require {', '.join(providers)}" if providers else ""))
    spec = str(req.specifier) or "unpinned"
    label = f"apache-airflow[{','.join(mapped)}]" if mapped else "apache-airflow"
    message = (f"`{label}` ({spec}) must not be installed on MWAA: the environment provides Airflow "
               f"{target}, and pip would replace or conflict with it")
    result.adds.update(providers)  # what the fix writes: DS305 must not add it a second time
    if not mapped:
        result.findings.append(Finding.at_span("DS303", line.start, line.end, message, fix=fix))
        return
    # One finding for the line, naming what each extra became; an extra that became nothing is a note.
    became = [f"`{extra}` → {', '.join(dists)}" for extra, dists in mapped.items() if dists]
    nothing = [f"`{extra}`" for extra, dists in mapped.items() if not dists]
    if became:
        message += f"; its extras are providers on Airflow {target}: " + ", ".join(became)
    if nothing:
        message += f" ({', '.join(nothing)} {'installs' if len(nothing) == 1 else 'install'} nothing on Airflow {target})"
    result.findings.append(Finding.at_span("DS306", line.start, line.end, message, fix=fix))


def _backport_line(line: Line, present: set, result: Analysis, text: str) -> None:
    req = line.requirement
    assert req is not None and line.name is not None
    new = "apache-airflow-providers-" + line.name[len(BACKPORT):]
    if new in present:
        edit = _line_edit(text, line, None)
        how = f"remove it: {new} is already required"
    else:
        extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
        marker = f"; {req.marker}" if req.marker else ""
        edit = _line_edit(text, line, f"{new}{extras}{marker}")
        how = f"require {new}, unpinned (the constraint file pins it)"
    start, end = line.name_span or (line.start, line.end)
    result.findings.append(Finding.at_span(
        "DS304", start, end,
        f"`{line.name}` is a backport provider for Airflow 1.10 (it requires apache-airflow~=1.10); use `{new}`",
        fix=Fix((edit,), SAFE, how),
    ))


def _pin_conflicts(line: Line, pins: dict[str, str], pins_from: str, target: str, result: Analysis) -> None:
    req = line.requirement
    if req is None or not req.specifier or line.name is None:
        return
    for source, table in ((pins_from, pins), (f"MWAA {target}'s protected packages", essential_constraints(target))):
        pinned = table.get(line.name)
        if pinned is None:
            continue
        try:
            allowed = req.specifier.contains(Version(pinned), prereleases=True)
        except InvalidVersion:
            continue
        if allowed:
            continue
        start, end = line.spec_span or line.name_span or (line.start, line.end)
        edit = Edit(start, end, "") if line.spec_span else None
        result.findings.append(Finding.at_span(
            "DS307", start, end,
            f"`{line.name}{req.specifier}` conflicts with {source}, which pin `{line.name}=={pinned}`: "
            "pip will refuse to install the file",
            fix=Fix((edit,), UNSAFE, "drop the version and let the constraints decide") if edit else None,
        ))
        return


def _missing_providers(ctx: Any, parsed: RequirementsFile, present: set, result: Analysis, newline: str) -> None:
    main, elsewhere = main_requirements(ctx)
    if not main:
        return  # the environment's main requirements file says what its DAGs need
    present = present | elsewhere
    needed: dict[str, str] = {}
    _, pins = bundled_constraints(ctx.target)
    member = ctx.membership
    mine = member.environment if member is not None else None
    # Only what this file's own environment imports: a Lambda's or another deployment's DAG does not
    # make this environment need a provider.
    found = [(path, dist) for path, dist in ctx.records.get("providers", []) if ctx.environment_index_of(path) == mine]
    found += [(path, dist) for path, dist, env in ctx.facts.get("repository_providers", []) if env == mine]
    already = installed_providers(ctx.target)  # a DAG importing them works without the line
    unpinned: dict[str, str] = {}
    for path, dist in found:
        if dist not in present and dist not in already:
            (needed if dist in pins else unpinned).setdefault(dist, path)
    # Named where the repository holds several environments: which one's DAG needs it.
    env = ctx.environment
    whose = f" (environment `{env.name}`)" if env is not None and ctx.environment_count > 1 else ""
    for dist, path in sorted(unpinned.items()):
        # The import fails unless the environment installs it, and the constraints give no version
        # that supports the target: no fix (an unpinned line would take the newest release).
        result.findings.append(Finding.at_span("DS305", 0, 0, (
            f"`{dist}` is needed by {path}{whose} but not required, and Airflow {ctx.target}'s constraints do not "
            "pin it: add it at a version that supports the target, or the import fails"
        )))
    if not needed:
        return
    needed = dict(sorted(needed.items()))
    text = ctx.text
    prefix = "" if not text or text.endswith(("\n", "\r")) else newline
    addition = prefix + "".join(d + newline for d in needed)
    fix = insert_at(len(text), addition, "add " + ", ".join(needed))
    for dist, path in needed.items():
        # About the file as a whole (what it lacks), at its start like DS301's: no requirement
        # line of the file is the one at fault.
        result.findings.append(Finding.at_span(
            "DS305", 0, 0, f"`{dist}` is needed by {path}{whose} but not required", fix=fix,
        ))


def collect_online(project: Any) -> None:
    """Project phase (with --online): fetch each constraint URL the requirements files name, once."""
    from dagshift.linter.datacache import user_cache_dir
    from dagshift.linter.fetch import FetchError, fetch_text

    settings = project.settings
    cache = settings.cache_dir or user_cache_dir()
    found: dict[str, dict] = {}
    for entry in project.files_of("requirements"):
        for line in parse(read_text(entry.path)).options("--constraint"):
            url = line.value or ""
            if "://" not in url or url in found or "$" in url:
                continue
            try:
                body, _ = fetch_text(url, cache)
                pins = parse_pins(body)
                if not pins:
                    raise FetchError("the response holds no `name==version` pins")
                found[url] = {"pins": pins}
            except FetchError as exc:
                found[url] = {"error": str(exc)}
    project.facts["online_constraints"] = found


def collect_repository_providers(project: Any) -> None:
    """Project phase: the providers the DAG and plugin folders import, read from their import lines."""
    from dagshift.rules.imports.tables import providers_needed

    settings = project.settings
    found: list[tuple[str, str, Optional[int]]] = []
    seen: set[tuple[str, Optional[int]]] = set()
    model = project.model
    folders: list[tuple[str, Optional[int]]] = [(f, None) for f in (*settings.dags_dirs, *settings.plugins_dirs)]
    if model is not None:  # each environment's own DAG and plugin folders
        folders = [(f, i) for i, env in enumerate(model.environments) for f in (*env.dags, *env.plugins)]
    for folder, index in folders:
        root = settings.root / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.py")):
            text = read_text(path)
            if "airflow" not in text:
                continue
            for dist in providers_needed(text, settings.target_version):
                if (dist, index) not in seen:
                    seen.add((dist, index))
                    try:
                        shown = path.relative_to(settings.root).as_posix()
                    except ValueError:
                        shown = path.as_posix()
                    found.append((shown, dist, index))
    project.facts["repository_providers"] = found


__all__ = ["analyse", "collect_online", "collect_repository_providers", "constraint_url"]
