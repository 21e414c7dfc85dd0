"""Node offsets from one code generation pass agree with libcst's PositionProvider on every node."""

from __future__ import annotations

import libcst as cst
from conftest import ROOT
from libcst.metadata import MetadataWrapper, PositionProvider

from dagshift.linter.diagnostics import LineIndex
from dagshift.linter.positions import node_offsets


def test_offsets_match_position_provider_on_real_files():
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "rules").rglob("*.py"))
    checked = 0
    for path in files:
        text = path.read_text()
        module = cst.parse_module(text)
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        offsets = node_offsets(module)
        index = LineIndex(text)
        for node, rng in expected.items():
            start = index.offset(rng.start.line, rng.start.column + 1)
            end = index.offset(rng.end.line, rng.end.column + 1)
            assert offsets[id(node)] == (start, end), (path.name, type(node).__name__)
            checked += 1
    assert checked > 50_000


def test_crlf_tabs_and_no_final_newline():
    text = "import os\r\nif os:\r\n\tx = (1,\r\n\t     2)"
    module = cst.parse_module(text)
    offsets = node_offsets(module)
    statement = module.body[1].body.body[0]
    start, end = offsets[id(statement.body[0].value)]
    # Like PositionProvider's syntactic range, a tuple's span leaves out its parentheses.
    assert text[start:end] == "1,\r\n\t     2"
    start, end = offsets[id(statement)]
    assert text[start:end] == "x = (1,\r\n\t     2)"
