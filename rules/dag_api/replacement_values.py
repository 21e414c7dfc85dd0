"""DS515's argument values that change form on the way to the successor: a Postgres `runtime_parameters`
dict as the `options` string PostgresOperator built from it, a BigQuery `project.dataset.table` as a
`destinationTable` reference, cluster fields, an S3 prefix as a wildcard key.

Each takes (visitor, argument, the call's keyword arguments by name) and returns (value code, None),
or (None, why there is no exact form) for the finding to say.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional

import libcst as cst

from dagshift.fixers.calls import Value

Result = tuple[Optional[Value], Optional[str]]


def _string(node: cst.BaseExpression) -> Optional[str]:
    """A plain string literal's value (no f-string, no bytes), else None."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower() and "f" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _quoted(value: str, like: cst.BaseExpression) -> str:
    """`value` as a literal in the quotes the original literal used."""
    if isinstance(like, cst.SimpleString) and like.quote.startswith("'") and "'" not in value:
        return repr(value)
    return json.dumps(value)


def postgres_options(visitor: Any, arg: cst.Arg, present: dict) -> Result:
    """PostgresOperator (postgres 5.14.0) turned `runtime_parameters` into `hook_params["options"]`:
    `" ".join(f"-c {param}={val}" ...)`. A literal dict of literals gives that string; any other
    expression gets the same join written out."""
    node = arg.value
    if isinstance(node, cst.Dict) and node.elements:
        parts = []
        first: cst.BaseExpression = node
        for element in node.elements:
            if not isinstance(element, cst.DictElement) or _string(element.key) is None:
                break
            value = _string(element.value)
            if value is None and isinstance(element.value, cst.Integer):
                value = element.value.value
            if value is None:
                break
            first = element.key if first is node else first
            parts.append(f"-c {_string(element.key)}={value}")
        else:
            return _quoted(" ".join(parts), first), None
    code = visitor.ctx.module.code_for_node(node)
    if not isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Dict)):
        code = f"({code})"
    return f'" ".join(f"-c {{param}}={{val}}" for param, val in {code}.items())', None


def table_reference(visitor: Any, arg: cst.Arg, present: dict) -> Result:
    """BigQueryHook.split_tablename of a literal `project.dataset.table` (or `project:dataset.table`)."""
    text = _string(arg.value)
    if text is None or "{{" in text or "$" in text:
        return None, ("is not a literal `project.dataset.table`: `destinationTable` needs its parts "
                      "(write `{\"projectId\": ..., \"datasetId\": ..., \"tableId\": ...}` by hand)")
    project, colon, rest = text.partition(":")
    parts = [project, *rest.split(".")] if colon else text.split(".")
    if len(parts) != 3 or not all(parts):
        return None, ("names no project: BigQueryExecuteQueryOperator took the connection's, "
                      "`destinationTable` needs it written")
    q = visitor.quote
    keys = tuple(f"{q}{k}{q}" for k in ("projectId", "datasetId", "tableId"))
    return [(k, _quoted(p, arg.value)) for k, p in zip(keys, parts)], None


def clustering_fields(visitor: Any, arg: cst.Arg, present: dict) -> Result:
    """run_query wrote `cluster_fields` as `{"fields": cluster_fields}`."""
    return [(f"{visitor.quote}fields{visitor.quote}", visitor.ctx.module.code_for_node(arg.value))], None


def prefix_wildcard(visitor: Any, arg: cst.Arg, present: dict) -> Result:
    """S3PrefixSensor's prefix (the delimiter appended when missing) as S3KeySensor's wildcard key."""
    delimiter = "/"
    if "delimiter" in present:
        delimiter = _string(present["delimiter"].value) or ""
        if not delimiter:
            return None, "comes with a `delimiter` that is not a literal string: the wildcard key cannot be written"
    node = arg.value
    literals = [node] if isinstance(node, cst.SimpleString) else (
        [e.value for e in node.elements] if isinstance(node, (cst.List, cst.Tuple)) else [])
    keys = []
    for literal in literals:
        text = _string(literal)
        if text is None:
            break
        keys.append(_quoted((text if text.endswith(delimiter) else text + delimiter) + "*", literal))
    else:
        if keys:
            return (keys[0] if isinstance(node, cst.SimpleString) else "[" + ", ".join(keys) + "]"), None
    return None, "is not a literal string (or list of them): the wildcard key cannot be written"


def exists_ok_if_exists(visitor: Any, arg: cst.Arg, present: dict) -> Result:
    """BigQueryCreateEmptyTableOperator (google 16.1.0): `IfExistAction.IGNORE if exists_ok else
    IfExistAction.LOG`, for a literal True or False."""
    node = arg.value
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        q = visitor.quote
        return f"{q}{'ignore' if node.value == 'True' else 'log'}{q}", None
    return None, "is not a literal True or False: `if_exists=` needs `\"ignore\"` (True) or `\"log\"` (False)"


def remote_uri(visitor: Any, arg: cst.Arg, present: dict) -> Result:
    """DataprocSubmitPySparkJobOperator (google 10.26.0) uploaded `main` to the cluster's bucket when
    it named a local file (`os.path.isfile`); a URI (`gs://...`, also as the start of an f-string) it
    handed Dataproc as written."""
    node = arg.value
    text = _string(node)
    if text is None and isinstance(node, cst.FormattedString) and node.parts:
        first = node.parts[0]
        text = first.value if isinstance(first, cst.FormattedStringText) else None
    if text is not None and re.match(r"[a-z][a-z0-9+.-]*://", text):
        return visitor.ctx.module.code_for_node(node), None
    return None, ("may name a local file, which the old class uploaded to the cluster's bucket: upload it and "
                  "write its `gs://` URI")


# What the message adds when a transform wrote the value.
WORDS = {
    "postgres_options": " as `-c name=value` settings (what PostgresOperator made of it)",
    "table_reference": " as a `projectId`/`datasetId`/`tableId` reference",
    "clustering_fields": " as `{\"fields\": ...}`",
    "exists_ok_if_exists": " (True: `\"ignore\"`, False: `\"log\"`)",
    "prefix_wildcard": (" as the wildcard key `<prefix><delimiter>*` with `wildcard_match=True`: S3KeySensor lists "
                        "the keys under it and matches them with fnmatch, where S3PrefixSensor asked S3 for the folder"),
}

TRANSFORMS: dict[str, Callable[[Any, cst.Arg, dict], Result]] = {
    "postgres_options": postgres_options,
    "table_reference": table_reference,
    "clustering_fields": clustering_fields,
    "prefix_wildcard": prefix_wildcard,
    "exists_ok_if_exists": exists_ok_if_exists,
    "remote_uri": remote_uri,
}
