"""Offsets from the statements that hold a node (anchored by CPython's ast) are exactly those of the
full code-generation pass, and the full pass answers whatever cannot be anchored."""

from __future__ import annotations

import libcst as cst
from conftest import ROOT

from dagshift.linter.positions import node_offsets
from dagshift.linter.statement_positions import StatementPositions

# What findings and fixes point at: every one of these must be answered from its anchor.
REPORTED = (cst.Name, cst.Attribute, cst.Call, cst.Arg, cst.SimpleString, cst.ImportFrom, cst.Import,
            cst.ImportAlias, cst.SimpleStatementLine, cst.Assign, cst.Dict, cst.DictElement)


def _nodes(module: cst.Module) -> list[cst.CSTNode]:
    found, stack, seen = [], [module], set()
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, cst.CSTNode) and id(node) not in seen:
            seen.add(id(node))
            found.append(node)
            stack.extend(getattr(node, name) for name in node.__dataclass_fields__)
    return found


def test_anchored_offsets_equal_the_full_pass_on_real_files():
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "rules").rglob("*.py"))
    answered = reported = reported_answered = 0
    for path in files:
        text = path.read_text()
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue  # the fixtures of unparsable files
        full = node_offsets(module)
        positions = StatementPositions(module, text)
        for node in _nodes(module):
            got = positions.lazy_span(node)
            if got is not None:
                assert got == full[id(node)], (path.name, type(node).__name__, got, full[id(node)])
                answered += 1
            if isinstance(node, REPORTED):
                reported += 1
                reported_answered += got is not None
        assert positions.full is None  # lazy_span never falls back by itself
    assert answered > 50_000
    assert reported_answered / reported > 0.99, (reported_answered, reported)


def _span_text(text: str, pick) -> str:
    module = cst.parse_module(text)
    positions = StatementPositions(module, text)
    node = pick(module)
    start, end = positions.span(node)
    assert (start, end) == node_offsets(module)[id(node)]
    return text[start:end]


def test_nested_continuation_lines_elif_decorators_and_crlf():
    text = ("import os\r\n\r\nif os:\r\n    pass\r\nelif os.sep:\r\n    with open(\r\n        'x',\r\n"
            "        mode='r',\r\n    ) as f:\r\n        y = dict(\r\n            a=1,  # é\r\n        )\r\n"
            "\r\n@task(\r\n    retries=2,\r\n)\r\ndef run(): return 1\r\n")
    elif_ = lambda m: m.body[1].orelse  # noqa: E731
    with_ = lambda m: elif_(m).body.body[0]  # noqa: E731
    assert _span_text(text, lambda m: elif_(m).test) == "os.sep"
    assert _span_text(text, lambda m: with_(m).items[0].item.args[1]) == "mode='r'"
    assert _span_text(text, lambda m: with_(m).body.body[0].body[0].value.args[0]) == "a=1"
    assert _span_text(text, lambda m: m.body[2].decorators[0].decorator.args[0].keyword) == "retries"


def test_what_cannot_be_anchored_comes_from_the_full_pass():
    # A one-line suite is not anchored; a file of lone "\r" line endings fails the text check.
    for text in ("if True: x = dict(a=1)\n", "x = 1\ry = dict(a=1)\r"):
        module = cst.parse_module(text)
        positions = StatementPositions(module, text)
        call = [n for n in _nodes(module) if isinstance(n, cst.Call)][0]
        assert positions.lazy_span(call) is None
        start, end = positions.span(call)
        assert text[start:end] == "dict(a=1)"
        assert positions.full is not None
