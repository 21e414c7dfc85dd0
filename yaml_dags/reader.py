"""Reading a YAML DAG source with PyYAML's composer: the node tree with each node's position, never
the values built (no tag is run: gusty's `!days_ago` and any user tag stay a tagged node).

PyYAML, not ruamel.yaml: the composer gives every node its start and end offsets in the text
(`start_mark.index`, `end_mark.index`), which is all a span edit needs; it accepts any tag at compose
time; and dag-factory and gusty themselves load these files with PyYAML, so what it refuses they
refuse too. A YAML document is read whole; gusty's frontmatter (a `# ---` comment block at the top
of a `.py` file, a `---` block at the top of a `.sql` file) is read as the YAML it holds, with a map
from its offsets back to the file's.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Optional

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FRONTMATTER_SUFFIXES = (".py", ".sql")


@dataclass
class Document:
    """The YAML a file holds: its root node, and where its offsets lie in the file's text."""

    root: Node
    # (offset in the YAML text, offset in the file) for each line start: one pair for a whole YAML file.
    lines: list[tuple[int, int]] = field(default_factory=lambda: [(0, 0)])
    frontmatter: bool = False

    def offset(self, index: int) -> int:
        """The file offset of an offset into the YAML text."""
        at = bisect_right(self.lines, (index, float("inf"))) - 1
        yaml_start, file_start = self.lines[at]
        return file_start + index - yaml_start

    def span(self, node: Node) -> tuple[int, int]:
        return self.offset(node.start_mark.index), self.offset(node.end_mark.index)


def compose(text: str) -> Optional[Node]:
    """The root node of the one YAML document `text` holds; None when it does not parse, holds
    several documents, or is empty."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def read(text: str, name: str) -> Optional[Document]:
    """The YAML document of a file: the whole of a `.yml`/`.yaml` file, the frontmatter of a `.py` or
    `.sql` file (None when it has none)."""
    lower = name.lower()
    if lower.endswith((".yml", ".yaml")):
        root = compose(text)
        return Document(root) if root is not None else None
    if lower.endswith(".py"):
        return _frontmatter(text, "# ---", "#")
    if lower.endswith(".sql"):
        return _frontmatter(text, "---", "")
    return None


def _frontmatter(text: str, fence: str, prefix: str) -> Optional[Document]:
    """The block between the first line (`fence`) and the next `fence` line, each line with its
    comment `prefix` (and one space after it) taken off."""
    if not text.startswith(fence):
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != fence:
        return None
    body: list[str] = []
    pairs: list[tuple[int, int]] = []
    offset, yaml_offset = len(lines[0]), 0
    for line in lines[1:]:
        if line.rstrip() == fence:
            root = compose("".join(body))
            return Document(root, pairs or [(0, offset)], frontmatter=True) if root is not None else None
        cut = 0
        if prefix:
            if not line.startswith(prefix):
                return None  # the comment block ended before its closing fence: not gusty's frontmatter
            cut = len(prefix) + (1 if line[len(prefix):len(prefix) + 1] == " " else 0)
        pairs.append((yaml_offset, offset + cut))
        body.append(line[cut:])
        yaml_offset += len(line) - cut
        offset += len(line)
    return None


def structure(node: Optional[Node]) -> Any:
    """A node tree as plain data for comparison: scalars as (tag, value), mappings as lists of
    pairs (order and duplicates kept), sequences as lists."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        return ("scalar", node.tag, node.value)
    if isinstance(node, SequenceNode):
        return ("sequence", node.tag, [structure(n) for n in node.value])
    if isinstance(node, MappingNode):
        return ("mapping", node.tag, [(structure(k), structure(v)) for k, v in node.value])
    return None


MERGE = "tag:yaml.org,2002:merge"


def pairs(node: Node) -> list[tuple[str, ScalarNode, Node]]:
    """A mapping's entries whose keys are plain strings: (key, key node, value node); a merge key's
    (`<<: *defaults`) entries come after the mapping's own, as YAML merges them (the own win)."""
    if not isinstance(node, MappingNode):
        return []
    own = [(k.value, k, v) for k, v in node.value
           if isinstance(k, ScalarNode) and isinstance(k.value, str) and k.tag != MERGE]
    merged: list[tuple[str, ScalarNode, Node]] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.tag == MERGE:
            for source in (v.value if isinstance(v, SequenceNode) else [v]):
                merged += [p for p in pairs(source) if p[0] not in {o[0] for o in own + merged}]
    return own + merged


def value_of(node: Node, key: str) -> Optional[Node]:
    for name, _, value in pairs(node):
        if name == key:
            return value
    return None


def scalar(node: Optional[Node]) -> Optional[str]:
    """A scalar's text when it is a plain string (not a tagged or quoted number-like value)."""
    if isinstance(node, ScalarNode) and node.tag in ("tag:yaml.org,2002:str",):
        return str(node.value)
    return None
