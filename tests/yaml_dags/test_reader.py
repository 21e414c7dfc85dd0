"""The yaml_dags room: what it reads as a DAG written in YAML (by content), where each node lies in
the file (frontmatter included), and which edits it lets through."""

from __future__ import annotations

import pytest

from dagshift.yaml_dags import DAG_FACTORY, GUSTY, argument_keys, checked_edit, delete_entry_span, read, recognise

GUSTY_PY = """# ---
# operator: airflow.operators.python_operator.PythonOperator
#   # a comment inside
# provide_context: true
# ---
def run(**context):
    return 1
"""


def test_py_frontmatter_nodes_point_into_the_file():
    source = recognise(GUSTY_PY, "notify.py")
    assert source is not None and source.tool == GUSTY
    task = source.tasks[0]
    start, end = source.span(task.operator.value)
    assert GUSTY_PY[start:end] == "airflow.operators.python_operator.PythonOperator"
    entry = next(e for e in task.entries if e.key == "provide_context")
    start, end = source.span(entry.key_node)
    assert GUSTY_PY[start:end] == "provide_context"
    assert delete_entry_span(GUSTY_PY, source.document, entry.key_node, entry.value) == (
        GUSTY_PY.index("# provide"), GUSTY_PY.index("# ---\ndef"))


def test_sql_frontmatter_and_custom_tags():
    text = "---\noperator: airflow.operators.dummy.DummyOperator\nstart_date: !days_ago 1\n---\nselect 1\n"
    source = recognise(text, "load.sql")
    assert source is not None
    node, path = source.tags[0]
    start, end = source.span(node)
    assert (node.tag, text[start:end], path) == ("!days_ago", "!days_ago 1", ("start_date",))


@pytest.mark.parametrize("name, text", [
    ("ci.yml", "on: push\njobs:\n  t:\n    steps:\n      - run: echo\n        operator: airflow.operators.bash.BashOperator\n"),
    ("docker-compose.yml", "services:\n  scheduler:\n    image: apache/airflow:2.7.2\n    command: scheduler\n"),
    ("values.yaml", "operator: quay.io/prometheus-operator/prometheus-operator\nconcurrency: 4\n"),
    ("pipeline.yml", "etl:\n  tasks:\n    load:\n      image: x\n"),  # `tasks:` without an operator path
    ("broken.yml", "a: [1, 2\n"),
    ("notes.py", "# --- not frontmatter\nx = 1\n"),
])
def test_yaml_that_is_no_dag_is_not_recognised(name, text):
    assert recognise(text, name) is None


def test_dag_factory_forms():
    text = ("default:\n  default_args:\n    owner: a\nmy_dag:\n  schedule_interval: '@daily'\n  tasks:\n"
            "    - task_id: t\n      operator: airflow.operators.bash.BashOperator\n      bash_command: ls\n"
            "      python_callable_name: f\n      dependencies: []\n")
    source = recognise(text, "dags.yml")
    assert source is not None and source.tool == DAG_FACTORY
    assert [d.path for d in source.dags] == [("default",), ("my_dag",)]
    assert [t.path for t in source.tasks] == [("my_dag", "tasks", 0)]
    assert [e.key for e in argument_keys(source.tasks[0])] == ["bash_command"]
    assert recognise("default_args:\n  owner: a\nschedule_interval: '@daily'\n", "defaults.yml") is not None


def test_an_edit_must_make_exactly_the_intended_change():
    text = "dag:\n  schedule_interval: '@daily'  # nightly\n  tasks: {}\n"
    document = read(text, "d.yml")
    assert document is not None
    start = text.index("schedule_interval")
    end = start + len("schedule_interval")
    rename = ("rename", ("dag", "schedule_interval"), "schedule")
    assert checked_edit(text, "d.yml", document, start, end, "schedule", rename)
    assert not checked_edit(text, "d.yml", document, start, end, "tasks", rename)  # a duplicate key: another value
    assert not checked_edit(text, "d.yml", document, start, end, "schedule: [", rename)  # does not parse
    assert not checked_edit(text, "d.yml", document, start, end + 4, "schedule", rename)  # eats the value's start


def test_deleting_only_whole_block_lines():
    text = "a:\n  b: 1  # why b\n  c: {d: 1}\n  e: 2\n  f: {g: 1, h: 2}\n"
    document = read(text, "x.yml")
    root = document.root
    keys, values = zip(*root.value[0][1].value)
    # (the comment ending the entry's line goes with it: it speaks of that entry)
    assert delete_entry_span(text, document, keys[0], values[0]) == (text.index("  b"), text.index("  c"))
    assert delete_entry_span(text, document, keys[1], values[1]) is None  # not a scalar
    assert delete_entry_span(text, document, keys[2], values[2]) == (text.index("  e"), text.index("  f"))
    inner = values[3]
    assert delete_entry_span(text, document, inner.value[0][0], inner.value[0][1]) is None  # a flow mapping


def test_a_gusty_py_task_without_operator_is_a_python_operator_task():
    source = recognise("# ---\n# python_callable: run\n# provide_context: true\n# ---\ndef run():\n    pass\n", "run.py")
    assert source is not None and source.tasks[0].operator is None and source.tasks[0].implied == "PythonOperator"
    sql = recognise("---\npostgres_conn_id: dw\n---\nselect 1\n", "q.sql")
    assert sql is not None and sql.tasks[0].implied == ""


def test_merge_keys_and_anchors():
    text = ("x-defaults: &defaults\n  schedule_interval: '@daily'\n  catchup: false\n"
            "etl:\n  <<: *defaults\n  catchup: true\n  tasks:\n    t:\n      operator: airflow.operators.bash.BashOperator\n")
    source = recognise(text, "etl.yml")
    assert source is not None
    dag = source.dags[0]
    assert [(e.key, e.value.value) for e in dag.entries if e.key != "tasks"] == [
        ("catchup", "true"), ("schedule_interval", "@daily")]  # the block's own `catchup` wins
    entry = next(e for e in dag.entries if e.key == "schedule_interval")
    start, end = source.span(entry.key_node)
    assert text[start:end] == "schedule_interval" and start == text.index("schedule_interval")
    # A rename where the merged key is written changes every DAG that merges it: the check refuses it.
    assert not checked_edit(text, "etl.yml", source.document, start, end, "schedule", ("rename", entry.path, "schedule"))
