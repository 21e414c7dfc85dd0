"""DAGs written in YAML (dag-factory, gusty): recognised by content, read with their node positions,
and the edits on them checked by reading the result again. Knows nothing else of dagshift."""

from dagshift.yaml_dags.edits import checked_edit, delete_entry_span
from dagshift.yaml_dags.reader import Document, read
from dagshift.yaml_dags.recognise import (
    DAG_FACTORY,
    GUSTY,
    Block,
    Entry,
    Source,
    argument_keys,
    dag_source,
    file_source,
    recognise,
)

__all__ = ["Block", "DAG_FACTORY", "Document", "Entry", "GUSTY", "Source", "argument_keys", "checked_edit",
           "dag_source", "delete_entry_span", "file_source", "read", "recognise"]
