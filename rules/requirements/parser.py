"""A pip requirements file as pip reads it, with the character span of everything in it.

Logical lines (backslash continuations joined), comments (`#` at the start or after whitespace),
options (`-c URL`, `-cURL`, `--constraint URL`, `--constraint=URL`, `-r`, `-i`, `-f`, `-e`, ...),
and requirement lines parsed with `packaging` (extras, specifiers, markers, `name @ url`) followed
by per-requirement options such as `--hash`. Nothing is installed or resolved.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dagshift.linter.textscan import newline_of

SHORT = {"-c": "--constraint", "-r": "--requirement", "-i": "--index-url", "-f": "--find-links", "-e": "--editable"}
WITH_VALUE = {
    "--constraint", "--requirement", "--index-url", "--extra-index-url", "--find-links", "--editable",
    "--trusted-host", "--no-binary", "--only-binary", "--use-feature", "--global-option", "--config-settings",
}
FLAGS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes"}
COMMENT_RE = re.compile(r"(^|\s+)#.*$")
URLISH = re.compile(r"^(\.{0,2}/|[a-zA-Z][a-zA-Z0-9+.-]*://|file:)|\.(whl|zip|tar\.gz|tgz)$")


@dataclass
class Line:
    line: int  # 1-based number of the first physical line
    start: int  # offsets of the logical line's text in the file (without its line break)
    end: int
    text: str  # the logical line, continuations joined, comment removed, stripped
    kind: str  # "blank" | "option" | "requirement" | "error"
    option: Optional[str] = None  # long form: "--constraint"
    value: Optional[str] = None  # the option's argument, quotes removed
    value_span: Optional[tuple[int, int]] = None  # span of the argument as written (quotes included)
    spelled: str = ""  # the option as written: "-c", "--constraint", "--constraint="
    requirement: Optional[Requirement] = None
    name: Optional[str] = None  # canonical distribution name
    name_span: Optional[tuple[int, int]] = None
    spec_span: Optional[tuple[int, int]] = None  # from the end of the name/extras to the end of the requirement
    error: Optional[str] = None
    end_with_break: int = 0  # offset just past the line break (for deleting the line)


@dataclass
class RequirementsFile:
    text: str
    lines: list[Line] = field(default_factory=list)

    def requirements(self) -> list[Line]:
        return [line for line in self.lines if line.kind == "requirement" and line.name]

    def options(self, name: str) -> list[Line]:
        return [line for line in self.lines if line.kind == "option" and line.option == name]

    @property
    def newline(self) -> str:
        return newline_of(self.text)


def parse(text: str) -> RequirementsFile:
    result = RequirementsFile(text)
    for number, start, end, after in _logical_lines(text):
        raw = text[start:end]
        joined = re.sub(r"\\\r?\n", "", raw)
        content = COMMENT_RE.sub("", joined).strip()
        line = Line(number, start, end, content, "blank", end_with_break=after)
        if content:
            if content.startswith("-"):
                _option(line, raw, start)
            else:
                _requirement(line, raw, start)
        result.lines.append(line)
    return result


def _logical_lines(text: str) -> list[tuple[int, int, int, int]]:
    """(first line number, start, end, offset after the line break) of each logical line."""
    out = []
    pos, number = 0, 1
    n = len(text)
    while pos < n:
        start, first = pos, number
        while True:
            nl = text.find("\n", pos)
            if nl < 0:
                end, pos = n, n
                break
            line_end = nl - 1 if nl > 0 and text[nl - 1] == "\r" else nl
            number += 1
            pos = nl + 1
            if text[start:line_end].rstrip(" \t").endswith("\\") and not COMMENT_RE.search(text[start:line_end]):
                continue
            end = line_end
            break
        out.append((first, start, end, pos))
    return out


def _option(line: Line, raw: str, base: int) -> None:
    content = line.text
    match = re.match(r"(--?[A-Za-z-]+)(=|\s+)?(.*)$", content, re.S)
    if not match:
        line.kind, line.error = "error", f"cannot read option {content!r}"
        return
    spelled, sep, rest = match.group(1), match.group(2), match.group(3)
    if spelled.startswith("-") and not spelled.startswith("--") and len(spelled) > 2:
        # `-cURL`: a short option glued to its value.
        spelled, sep, rest = spelled[:2], "", spelled[2:] + (match.group(2) or "") + rest
    option = SHORT.get(spelled, spelled)
    line.kind, line.option = "option", option
    line.spelled = spelled + ("=" if sep == "=" else "")
    if option in FLAGS:
        return
    if option not in WITH_VALUE:
        line.kind, line.error = "error", f"unknown option {spelled}"
        return
    rest = rest.strip()
    if not rest:
        line.kind, line.error = "error", f"{spelled} needs a value"
        return
    try:
        parts = shlex.split(rest)
    except ValueError as exc:
        line.kind, line.error = "error", f"{spelled}: {exc}"
        return
    if len(parts) != 1:
        line.kind, line.error = "error", f"{spelled} takes one value, got {len(parts)}"
        return
    line.value = parts[0]
    where = raw.find(rest, len(raw) - len(raw.lstrip()) + len(spelled))
    if where >= 0:
        line.value_span = (base + where, base + where + len(rest))


def _requirement(line: Line, raw: str, base: int) -> None:
    content = line.text
    # Per-requirement options (`--hash=...`) follow the requirement after whitespace.
    head = re.split(r"\s+--?[A-Za-z]", content, maxsplit=1)[0].strip()
    try:
        req = Requirement(head)
    except InvalidRequirement as exc:
        if URLISH.search(head):
            line.kind = "requirement"  # a path or URL pip installs directly: nothing to check by name
            return
        line.kind, line.error = "error", str(exc).splitlines()[0]
        return
    line.kind, line.requirement = "requirement", req
    line.name = canonicalize_name(req.name)
    if "\\" in raw:
        return  # spans only for one-line requirements; continued ones are reported at the line
    h = raw.find(head)
    name_at = h + head.find(req.name)
    line.name_span = (base + name_at, base + name_at + len(req.name))
    after = name_at + len(req.name)
    if req.extras:
        close = raw.find("]", after)
        after = close + 1 if close >= 0 else after
    line.spec_span = (base + after, base + h + len(head))


MWAA_DAGS = "/usr/local/airflow/dags/"  # where MWAA puts the DAGs folder: a path requirements may name


def read_text(path: Path) -> str:
    """A requirements or constraints file's text, or "" when it cannot be read (its own check says why)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def in_dags_folders(value: str, dags: tuple[Path, ...]) -> Optional[Path]:
    """The file a path in MWAA's DAGs folder (`/usr/local/airflow/dags/x.txt`) is in the repository:
    the first of the environment's DAGs folders that holds it; None for another path or none found."""
    if not value.startswith(MWAA_DAGS):
        return None
    return next((d / value[len(MWAA_DAGS):] for d in dags if (d / value[len(MWAA_DAGS):]).is_file()), None)


def read_includes(
    path: Path, parsed: RequirementsFile, seen: tuple[Path, ...] = (), dags: tuple[Path, ...] = ()
) -> tuple[list[tuple[Path, RequirementsFile]], Optional[str]]:
    """Files reached through `-r` from `path` (parsed as `parsed`), relative to each including file;
    a path in MWAA's DAGs folder is looked for in the environment's DAGs folders (`dags`).

    Each included file is read and parsed once. Returns ((path, parsed file) in order, problem),
    where problem names a cycle or a file that cannot be read.
    """
    seen = seen + (path.resolve(),)
    found: list[tuple[Path, RequirementsFile]] = []
    for line in parsed.options("--requirement"):
        if not line.value or "://" in line.value or "$" in line.value:
            continue
        target = (path.parent / line.value).resolve()
        target = in_dags_folders(line.value, dags) or target
        if target in seen:
            return found, f"`-r {line.value}` includes a file already being read ({' -> '.join(p.name for p in seen)})"
        try:
            included = parse(target.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            return found, f"cannot read {target.name}: {exc}"
        found.append((target, included))
        more, problem = read_includes(target, included, seen, dags)
        found.extend(more)
        if problem:
            return found, problem
    return found, None
