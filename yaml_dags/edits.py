"""An edit of a YAML DAG source is kept only when the result, read again with the YAML library,
is the original with exactly the intended change: a key renamed, a scalar replaced, an entry
deleted. Anything else (the result does not parse, another value moved) refuses the edit."""

from __future__ import annotations

from typing import Any, Optional

from yaml.nodes import Node, ScalarNode

from dagshift.yaml_dags.reader import Document, read, structure

STR = "tag:yaml.org,2002:str"


def checked_edit(text: str, name: str, document: Document, start: int, end: int, content: str,
                 change: tuple[Any, ...]) -> bool:
    """Whether replacing text[start:end] by `content` makes exactly `change` to the document:
    ("rename", path, new_key), ("replace", path, new_text) or ("delete", path)."""
    after = read(text[:start] + content + text[end:], name)
    if after is None:
        return False
    expected = _changed(structure(document.root), change[1], change)
    return expected is not None and structure(after.root) == expected


def _changed(tree: Any, path: tuple[Any, ...], change: tuple[Any, ...]) -> Optional[Any]:
    if not path:
        return None
    kind, tag, items = tree
    step, rest = path[0], path[1:]
    if kind == "sequence" and isinstance(step, int) and 0 <= step < len(items):
        if not rest:
            return None
        inner = _changed(items[step], rest, change)
        return None if inner is None else (kind, tag, [*items[:step], inner, *items[step + 1:]])
    if kind != "mapping":
        return None
    found = [i for i, (k, _) in enumerate(items) if k[0] == "scalar" and k[2] == step]
    if len(found) != 1:
        return None
    i = found[0]
    key, value = items[i]
    if rest:
        inner = _changed(value, rest, change)
        replaced = None if inner is None else [(key, inner)]
    elif change[0] == "rename":
        replaced = [(("scalar", key[1], change[2]), value)]
    elif change[0] == "replace":
        replaced = [(key, ("scalar", STR, change[2]))]
    else:
        replaced = []
    return None if replaced is None else (kind, tag, [*items[:i], *replaced, *items[i + 1:]])


def delete_entry_span(text: str, document: Document, key: ScalarNode, value: Node) -> Optional[tuple[int, int]]:
    """The span of whole lines a block-style `key: scalar` entry takes (from its line's start to
    the end of the value's line, with the comment that ends that line: it speaks of the entry);
    None for any other layout (a flow mapping, a nested value, another key on the same lines)."""
    if not isinstance(value, ScalarNode) or value.end_mark.line != key.start_mark.line:
        return None
    start, _ = document.span(key)
    _, end = document.span(value)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end + 1
    before, after = text[line_start:start], text[end:line_end]
    if before.strip(" #") or (after.strip() and not after.lstrip(" \t").startswith("#")):
        return None
    return line_start, line_end
