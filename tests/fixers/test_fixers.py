"""The edit builders, on real parses: the text each one produces, comments and neighbours kept."""

from __future__ import annotations

import libcst as cst

from dagshift.fixers.arguments import drop_item, rename_keyword
from dagshift.fixers.imports import remove_imported_name
from dagshift.fixers.lines import delete_statement
from dagshift.fixers.requirements import replace_line
from dagshift.linter.diagnostics import UNSAFE, LineIndex, apply_edits
from dagshift.linter.imports import ImportTable
from dagshift.linter.positions import node_offsets


class Source:
    """What a fixer reads of a file (the subset of RuleContext it uses), on a real parse."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.module = cst.parse_module(text)
        self.index = LineIndex(text)
        self.imports = ImportTable(self.module)
        self._offsets = node_offsets(self.module)

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        return self._offsets[id(node)]

    def call_args(self) -> list[cst.Arg]:
        statement = self.module.body[0].body[0]
        return list(statement.value.args)

    def apply(self, fix) -> str:
        return apply_edits(self.text, list(fix.edits))


def test_drop_item_takes_the_comma_on_the_side_that_keeps_the_call_well_formed():
    text = "f(a=1,  b=2, c=3)\n"
    for index, expected in [(0, "f(b=2, c=3)\n"), (1, "f(a=1,  c=3)\n"), (2, "f(a=1,  b=2)\n")]:
        src = Source(text)
        fix = drop_item(src, src.call_args(), index, "x")
        assert src.apply(fix) == expected
        assert fix.description == "remove `x`"


def test_drop_item_on_a_multiline_call_keeps_the_other_lines_and_their_comments():
    text = "op = BashOperator(\n    task_id='t',  # the id\n    xcom_push=True,\n    bash_command='ls',\n)\n"
    src = Source(text)
    args = list(src.module.body[0].body[0].value.args)
    assert src.apply(drop_item(src, args, 1, "xcom_push")) == (
        "op = BashOperator(\n    task_id='t',  # the id\n    bash_command='ls',\n)\n"
    )


def test_rename_keyword_touches_only_the_keyword():
    src = Source("f(bql='select 1',  retries=2)\n")
    assert src.apply(rename_keyword(src, src.call_args()[0], "sql")) == "f(sql='select 1',  retries=2)\n"


def test_replace_line_keeps_the_trailing_comment_and_delete_takes_the_line_break():
    text = "boto3\napache-airflow[aws]==1.10.12  # MWAA 1.10\nrequests\n"
    start = text.index("apache")
    end = text.index("\n", start)
    edit = replace_line(text, start, end, end + 1, "apache-airflow-providers-amazon")
    assert apply_edits(text, [edit]) == "boto3\napache-airflow-providers-amazon  # MWAA 1.10\nrequests\n"
    assert apply_edits(text, [replace_line(text, start, end, end + 1, None)]) == "boto3\nrequests\n"


def test_delete_statement_deletes_whole_lines_and_refuses_a_line_it_shares():
    src = Source("class P:\n    name = 'p'\n    operators = [Op]  # listed\n    macros = []\n")
    line = src.module.body[0].body.body[1]
    fix = delete_statement(src, line, UNSAFE, "delete the attribute")
    assert fix is not None and fix.applicability == UNSAFE
    assert src.apply(fix) == "class P:\n    name = 'p'\n    macros = []\n"
    shared = Source("x = 1; operators = [Op]\n")
    assert delete_statement(shared, shared.module.body[0].body[1], UNSAFE, "delete") is None


def test_remove_imported_name_keeps_the_other_names_or_deletes_the_statement():
    src = Source("from airflow.utils.decorators import apply_defaults, other\nimport os\n")
    first = next(i for i in src.imports if i.name == "apply_defaults")
    assert apply_edits(src.text, [remove_imported_name(src, first)]) == (
        "from airflow.utils.decorators import other\nimport os\n"
    )
    alone = Source("import os\nfrom airflow.utils.decorators import apply_defaults\nx = 1\n")
    only = next(i for i in alone.imports if i.name == "apply_defaults")
    assert apply_edits(alone.text, [remove_imported_name(alone, only)]) == "import os\nx = 1\n"


def test_ini_move_takes_comments_and_continuations_and_keeps_crlf():
    from dagshift.fixers.ini import move_options, option_block

    text = ("[core]\r\n; logs\r\nbase_log_folder = /logs\r\n  /more\r\nexecutor = Local\r\n\r\n"
            "[logging]\r\nlogging_level = INFO\r\n")
    start, end = option_block(text, text.index("base_log_folder"))
    assert text[start:end] == "; logs\r\nbase_log_folder = /logs\r\n  /more\r\n"
    fix = move_options(text, [(start, end, text[start:end])], "logging", "\r\n")
    assert apply_edits(text, list(fix.edits)) == (
        "[core]\r\nexecutor = Local\r\n\r\n[logging]\r\nlogging_level = INFO\r\n; logs\r\nbase_log_folder = /logs\r\n"
        "  /more\r\n"
    )


def test_ini_move_creates_the_section_at_the_end_of_a_file_without_a_final_newline():
    from dagshift.fixers.ini import move_options, option_block

    text = "[core]\nsql_alchemy_conn = sqlite://\nexecutor = Local"
    start, end = option_block(text, text.index("sql_alchemy_conn"))
    fix = move_options(text, [(start, end, text[start:end])], "database", "\n")
    assert apply_edits(text, list(fix.edits)) == "[core]\nexecutor = Local\n\n[database]\nsql_alchemy_conn = sqlite://\n"


def test_drop_item_on_lines_of_its_own_takes_them_and_keeps_their_comment():
    text = "op = Stage(\n    table='t',\n    provide_context=True,\n    json_path='x',  # read by nobody\n)\n"
    src = Source(text)
    args = list(src.module.body[0].body[0].value.args)
    assert src.apply(drop_item(src, args, 1, "provide_context")) == (
        "op = Stage(\n    table='t',\n    json_path='x',  # read by nobody\n)\n")
    assert src.apply(drop_item(src, args, 2, "json_path")) == (
        "op = Stage(\n    table='t',\n    provide_context=True,\n    # read by nobody\n)\n")


def test_new_import_lines_wrap_past_88_characters_one_name_a_line():
    from dagshift.fixers.imports import import_line

    short = import_line("operators.stage", ["StageOperator"])
    assert short == "from operators.stage import StageOperator"
    names = ["StageToRedshiftOperator", "LoadDimensionOperator as Dimension"]
    assert import_line("capstone_plugin.operators.redshift", names, "    ", "\r\n") == (
        "from capstone_plugin.operators.redshift import (\r\n"
        "        StageToRedshiftOperator,\r\n"
        "        LoadDimensionOperator as Dimension,\r\n"
        "    )"
    )


def test_rewrite_call_keeps_the_calls_layout_nested_dicts_and_line_comments():
    from dagshift.fixers.calls import line_comments, rewrite_call

    one_line = Source("op = Old(task_id='t', db='x')\n")
    call = one_line.module.body[0].body[0].value
    edit = rewrite_call(one_line, call, "New", [("task_id", "'t'"), ("params", [("'db'", "'x'"), ("**extra", None)])])
    assert apply_edits(one_line.text, [edit]) == "op = New(task_id='t', params={'db': 'x', **extra})\n"

    text = "op = Old(\n    task_id='t',  # the id\n    db='x',\n)\n"
    lines = Source(text)
    call = lines.module.body[0].body[0].value
    comments = line_comments(call)
    assert list(comments.values()) == ["# the id"]
    edit = rewrite_call(lines, call, "New", [("task_id", "'t'"), ("params", [("'query'", [("'db'", "'x'")])])],
                        {"task_id": "# the id"})
    assert apply_edits(text, [edit]) == (
        "op = New(\n    task_id='t',  # the id\n    params={\n        'query': {\n            'db': 'x',\n"
        "        },\n    },\n)\n")
