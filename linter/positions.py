"""Character offsets of every node of a libcst module, from one code generation pass.

libcst's PositionProvider computes line/column ranges by splitting every token on newlines; the
engine works in character offsets, so counting characters is enough and several times cheaper.
The ranges are the same syntactic ranges PositionProvider gives (whitespace a node owns excluded).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState


class _OffsetState(CodegenState):
    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.pos = 0
        self.stack: list[int] = []
        self.spans: dict[cst.CSTNode, tuple[int, int]] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.tokens.append(token)
            self.pos += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.pos += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append(self.pos)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.stack.pop()
        if node not in self.spans:  # a syntactic range recorded inside wins
            self.spans[node] = (start, self.pos)

    def pop_trailing_newline(self) -> None:
        if self.tokens:
            self.pos -= len(self.tokens.pop())

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None, end_node: Optional[cst.CSTNode] = None
    ) -> Iterator[None]:
        start = self.pos
        try:
            yield
        finally:
            end = self.pos
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


def node_offsets(module: cst.Module) -> dict[cst.CSTNode, tuple[int, int]]:
    state = _OffsetState(module)
    module._codegen(state)
    return state.spans
