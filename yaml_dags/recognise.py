"""Which YAML is a DAG source, told by its content (the keys dag-factory and gusty read), and the
parts the rules judge: DAG-level blocks (their arguments and `default_args`), tasks (their
`operator` and arguments) and the tagged values (`!days_ago 1`).

- dag-factory (0.x and 1.x): top-level DAG ids mapping to a block with `tasks:`, a mapping
  `{name: {operator: ..., dependencies: [...]}}` or (1.x) a list `[{task_id: ..., operator: ...}]`;
  the shared `default:` block; a `defaults.yml` beside the DAGs (1.x) holding DAG-level keys.
- gusty: `METADATA.yml` (a DAG's or a task group's arguments), YAML task files (a mapping with an
  `operator:` path), and the same mapping as frontmatter of `.py` and `.sql` task files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dagshift.yaml_dags.reader import Document, pairs, read, scalar, value_of

DAG_FACTORY, GUSTY = "dag-factory", "gusty"
# Keys the tools read themselves and never hand to the operator (plus dag-factory's `*_name`,
# `*_file`, `*_secs` spellings of callables and durations).
TOOL_TASK_KEYS = frozenset({
    "operator", "dependencies", "task_id", "task_group_name", "external_dependencies", "multi_task_spec",
    "expand", "partial", "decorator", "python_callable", "variables_as_arguments",
})
TOOL_SUFFIXES = ("_name", "_file", "_secs", "_lambda")


@dataclass
class Entry:
    """One `key: value` of a block, with the path of keys from the document's root."""

    key: str
    key_node: ScalarNode
    value: Node
    path: tuple[object, ...]


@dataclass
class Block:
    entries: list[Entry]
    path: tuple[object, ...]
    operator: Optional[Entry] = None  # a task's class path
    implied: str = ""  # the class a task without `operator:` gets (gusty's `.py` task: PythonOperator)
    default_args: list[Entry] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return any(e.key == key for e in self.entries)


@dataclass
class Source:
    tool: str
    document: Document
    dags: list[Block]
    tasks: list[Block]
    tags: list[tuple[Node, tuple[object, ...]]]  # every explicitly tagged scalar, with its path

    def span(self, node: Node) -> tuple[int, int]:
        return self.document.span(node)


def recognise(text: str, name: str, parent_names: tuple[str, ...] = ()) -> Optional[Source]:
    """The YAML DAG source `text` holds (by content), or None: a CI workflow, a Helm chart's values,
    a docker-compose file have none of these shapes."""
    document = read(text, name)
    if document is None or not isinstance(document.root, MappingNode):
        return None
    root = document.root
    lower = name.lower()
    if document.frontmatter:
        task = _block(root, ())
        task.implied = "PythonOperator" if lower.endswith(".py") else ""
        return _source(GUSTY, document, [], [task])
    if name == "METADATA.yml":
        return _source(GUSTY, document, [_block(root, ())], [])
    if class_path(scalar(value_of(root, "operator"))):
        return _source(GUSTY, document, [], [_block(root, ())])
    dags, tasks = _dag_factory(root)
    if dags and tasks:
        return _source(DAG_FACTORY, document, dags, tasks)
    if lower in ("defaults.yml", "defaults.yaml") and any(k in _keys(root) for k in ("default_args", "schedule",
                                                                                    "schedule_interval")):
        return _source(DAG_FACTORY, document, [_block(root, ())], [])
    return None


DAGS_ROLE = "dags"  # the environments model's role of a file in a DAG folder


def dag_source(text: str, relpath: str, role: Optional[str]) -> Optional[Source]:
    """The YAML DAG source of a file that lies in an environment's DAG folder (`role`, from the
    environments model); None for any other file, whatever its content."""
    return recognise(text, relpath.rpartition("/")[2]) if role == DAGS_ROLE else None


def file_source(text: str, relpath: str, role: Optional[str], cache: dict) -> Optional[Source]:
    """`dag_source`, read once per file however many rule families ask: `cache` is the run's
    per-file store (the rules' `ctx.shared`), under one key for them all."""
    if SOURCE_KEY not in cache:
        cache[SOURCE_KEY] = dag_source(text, relpath, role)
    found: Optional[Source] = cache[SOURCE_KEY]
    return found


SOURCE_KEY = "yaml_dag_source"


def class_path(value: Optional[str]) -> bool:
    """A dotted Python path (`airflow.operators.bash.BashOperator`, gusty's `local.MyOperator`), not
    an image name or a URL."""
    return value is not None and "." in value and all(part.isidentifier() for part in value.split("."))


def _keys(node: Node) -> set[str]:
    return {k for k, _, _ in pairs(node)}


def _dag_factory(root: MappingNode) -> tuple[list[Block], list[Block]]:
    dags: list[Block] = []
    tasks: list[Block] = []
    for dag_id, _, value in pairs(root):
        if not isinstance(value, MappingNode):
            continue
        found = _tasks(value_of(value, "tasks"), (dag_id, "tasks"))
        if found or (dag_id == "default" and "default_args" in _keys(value)):
            dags.append(_block(value, (dag_id,)))
            tasks.extend(found)
    return (dags, tasks) if tasks else ([], [])


def _tasks(node: Optional[Node], path: tuple[object, ...]) -> list[Block]:
    """The tasks of a dag-factory `tasks:` (a mapping of task names, or 1.x's list): each a mapping
    with an `operator` path (a task without one, a TaskFlow `decorator:`, is left alone)."""
    items: list[tuple[object, Node]]
    if isinstance(node, MappingNode):
        items = [(name, value) for name, _, value in pairs(node)]
    elif isinstance(node, SequenceNode):
        items = list(enumerate(node.value))
    else:
        return []
    found = []
    for key, value in items:
        if isinstance(value, MappingNode) and class_path(scalar(value_of(value, "operator"))):
            found.append(_block(value, (*path, key)))
    return found


def _block(node: MappingNode, path: tuple[object, ...]) -> Block:
    entries = [Entry(key, key_node, value, (*path, key)) for key, key_node, value in pairs(node)]
    block = Block(entries, path)
    for entry in entries:
        if entry.key == "operator" and scalar(entry.value) is not None:
            block.operator = entry
        elif entry.key == "default_args" and isinstance(entry.value, MappingNode):
            block.default_args = [Entry(k, kn, v, (*entry.path, k)) for k, kn, v in pairs(entry.value)]
    return block


def _source(tool: str, document: Document, dags: list[Block], tasks: list[Block]) -> Source:
    return Source(tool, document, dags, tasks, list(_tagged(document.root, ())))


def _tagged(node: Node, path: tuple[object, ...]):  # type: ignore[no-untyped-def]
    if isinstance(node, ScalarNode):
        if node.tag.startswith("!"):
            yield node, path
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from _tagged(item, (*path, i))
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _tagged(value, (*path, key.value if isinstance(key, ScalarNode) else None))


def argument_keys(block: Block) -> list[Entry]:
    """A task's entries the tool hands to the operator as arguments."""
    return [e for e in block.entries if e.key not in TOOL_TASK_KEYS and not e.key.endswith(TOOL_SUFFIXES)]
