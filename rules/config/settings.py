"""Where a repository sets Airflow configuration, as (section, option, value) with exact spans.

airflow.cfg (INI); `AIRFLOW__SECTION__OPTION` environment variables in .env files, Dockerfiles,
docker-compose (map and list forms), Kubernetes manifests and Helm values, shell scripts; MWAA
`AirflowConfigurationOptions` maps (`section.option` keys) in CloudFormation YAML/JSON, Terraform
`airflow_configuration_options`, CDK/boto3 Python dict literals. Values are located, never parsed
as documents, so a fix rewrites exactly the characters of one key or one value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

INI = "ini"
ENV = "env"
MWAA = "mwaa"
PY = "python"  # `conf.get("section", "option")` in a DAG or plugin

ENV_NAME = r"AIRFLOW__(?P<section>[A-Z0-9_]+?)__(?P<option>[A-Z0-9_]+)"
# NAME=value / NAME: value / NAME value (Dockerfile); a quoted value runs to its closing quote
# (JSON inside is fine), an unquoted one to the end of the line or a ` #` comment.
VALUE = r"""(?:(?P<q>["'])(?P<qvalue>[^\r\n]*?)(?P=q)[ \t]*,?|(?P<value>[^\r\n]*?))"""
ENV_RE = re.compile(
    r"(?P<key>\b" + ENV_NAME + r")[\"']?(?:[ \t]*[=:][ \t]*|[ \t]+)" + VALUE + r"[ \t]*(?:[ \t]#.*)?$",
    re.M,
)
K8S_RE = re.compile(
    r"name:[ \t]*[\"']?(?P<key>" + ENV_NAME + r")[\"']?[ \t]*\r?\n[ \t]*value:[ \t]*" + VALUE + r"[ \t]*(?:[ \t]#.*)?$",
    re.M,
)
MWAA_BLOCK_KEYS = ("AirflowConfigurationOptions", "airflow_configuration_options")
MWAA_PAIR_RE = re.compile(
    r"(?P<kq>[\"']?)(?P<key>[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z0-9_.-]+)(?P=kq)[ \t]*(?::|=)[ \t]*"
    r"(?:(?P<q>[\"'])(?P<qvalue>[^\r\n]*?)(?P=q)|(?P<value>[^\"'\r\n,}#]*?))[ \t]*(?:,|$|\}|#|//)",
    re.M,
)
VERSION_RE = re.compile(
    r"(?P<key>[\"']?(?:AirflowVersion|airflow_version)[\"']?)[ \t]*(?::|=)[ \t]*(?P<q>[\"']?)(?P<value>[0-9][0-9.]*)(?P=q)"
)


@dataclass(frozen=True)
class Setting:
    section: str
    option: str
    value: str
    key_span: tuple[int, int]
    value_span: tuple[int, int]
    syntax: str  # INI, ENV, MWAA or PY
    quote: str = ""  # PY: the quote the call's strings use (a fix writes the new names in it)

    @property
    def name(self) -> str:
        return f"{self.section}.{self.option}"


# A read of Airflow's configuration in Python: `conf.get("core", "x")`, `conf.getboolean(...)`,
# `conf.has_option(...)`, `configuration.get(...)`; the receiver is checked by hand (`d.get("a",
# "b")` of a dict has the same shape). Starts with a literal so re skips ahead.
CONF_READ_RE = re.compile(
    r"""\.(?:get|getboolean|getint|getfloat|getjson|getimport|has_option)\(\s*(?P<q1>["'])(?P<section>\w+)(?P=q1)"""
    r"""\s*,\s*(?P<q2>["'])(?P<option>\w+)(?P=q2)"""
)
CONF_ALIAS_RE = re.compile(r"(?:import conf|import configuration|airflow\.configuration) as (\w+)")


def _python(text: str) -> list[Setting]:
    receivers = {"conf", "configuration"} | set(CONF_ALIAS_RE.findall(text))
    found = []
    for m in CONF_READ_RE.finditer(text):
        end = m.start()
        start = end
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        if text[start:end] not in receivers:
            continue
        span = (m.start("q1"), m.end("option") + 1)
        found.append(Setting(m["section"], m["option"], "", span, span, PY, quote=m["q1"]))
    return found


def settings_in(text: str, kind: str) -> list[Setting]:
    found: list[Setting] = []
    if kind == "airflow-cfg":
        found.extend(_ini(text))
    if kind == "python" and ("conf" in text or "configuration" in text):
        found.extend(_python(text))
    if "AIRFLOW__" in text:
        found.extend(_env(text))
    if any(k in text for k in MWAA_BLOCK_KEYS):
        found.extend(_mwaa(text))
    return sorted(found, key=lambda s: s.key_span)


def _ini(text: str) -> list[Setting]:
    out = []
    section = ""
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        header = re.match(r"^\s*\[([^\]]+)\]\s*$", body)
        if header:
            section = header.group(1).strip().lower()
        elif section and not body.lstrip().startswith(("#", ";")):
            m = re.match(r"^(\s*)([A-Za-z0-9_.-]+)(\s*[=:]\s?)(.*?)\s*$", body)
            if m:
                key_start = pos + len(m.group(1))
                value_start = key_start + len(m.group(2)) + len(m.group(3))
                out.append(Setting(section, m.group(2).lower(), m.group(4), (key_start, key_start + len(m.group(2))),
                                   (value_start, value_start + len(m.group(4))), INI))
        pos += len(line)
    return out


def _value(m: re.Match) -> tuple[str, tuple[int, int]]:
    group = "qvalue" if m.group("qvalue") is not None else "value"
    value = m.group(group).rstrip()
    return value, (m.start(group), m.start(group) + len(value))


def _env(text: str) -> list[Setting]:
    out = []
    seen = set()
    for regex in (K8S_RE, ENV_RE):
        for m in regex.finditer(text):
            if m.start("key") in seen:
                continue
            seen.add(m.start("key"))
            value, span = _value(m)
            out.append(Setting(m.group("section").lower(), m.group("option").lower(), value, m.span("key"), span, ENV))
    return out


def mwaa_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of the AirflowConfigurationOptions maps (YAML by indentation, else by braces)."""
    spans = []
    for key in MWAA_BLOCK_KEYS:
        for m in re.finditer(re.escape(key), text):
            after = m.end()
            line_end = text.find("\n", after)
            line_end = len(text) if line_end < 0 else line_end
            rest_of_line = text[after:line_end]
            brace = text.find("{", after)
            if brace >= 0 and (brace < line_end or not rest_of_line.strip(" \t:=\"'\r")):
                nl_gap = text[after:brace]
                if "\n" not in nl_gap or not nl_gap.strip(" \t\r\n:=\"'"):
                    end = _matching_brace(text, brace)
                    if end is not None:
                        spans.append((brace, end))
                        continue
            # YAML: the indented lines below the key.
            start_line = text.rfind("\n", 0, m.start()) + 1
            indent = len(text[start_line:m.start()]) - len(text[start_line:m.start()].lstrip())
            pos = line_end + 1
            end = pos
            while pos < len(text):
                nl = text.find("\n", pos)
                nl = len(text) if nl < 0 else nl
                line = text[pos:nl]
                if line.strip() and len(line) - len(line.lstrip()) <= indent:
                    break
                end = nl
                pos = nl + 1
            if end > line_end:
                spans.append((line_end, end))
    return spans


def _matching_brace(text: str, start: int) -> Optional[int]:
    depth, quote = 0, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _mwaa(text: str) -> list[Setting]:
    out = []
    for start, end in mwaa_blocks(text):
        for m in MWAA_PAIR_RE.finditer(text, start, end):
            section, _, option = m.group("key").partition(".")
            value, span = _value(m)
            out.append(Setting(section, option, value, m.span("key"), span, MWAA))
    return out


def airflow_versions(text: str) -> list[tuple[str, tuple[int, int]]]:
    """`AirflowVersion: "1.10.12"` (CloudFormation, boto3, CDK) and `airflow_version = "..."` (Terraform)."""
    return [(m.group("value"), m.span("value")) for m in VERSION_RE.finditer(text)]
