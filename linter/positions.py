"""Character offsets of every node of a libcst module, from one code generation pass.

libcst's PositionProvider computes line/column ranges by splitting every token on newlines; the
engine works in character offsets, so counting characters is enough and several times cheaper.
The ranges are the same syntactic ranges PositionProvider gives (whitespace a node owns excluded).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst._nodes.internal import CodegenState


class _OffsetState(CodegenState):
    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.pos = 0
        self.stack: list[int] = []
        # Keyed by id(): CSTNode defines __hash__ in Python, and this pass stores every node.
        self.spans: dict[int, tuple[int, int]] = {}

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
        key = id(node)
        if key not in self.spans:  # a syntactic range recorded inside wins
            self.spans[key] = (start, self.pos)

    def pop_trailing_newline(self) -> None:
        if self.tokens:
            self.pos -= len(self.tokens.pop())

    def record_syntactic_position(  # type: ignore[override]  # a context manager, as the base's
        self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None, end_node: Optional[cst.CSTNode] = None
    ) -> "_Syntactic":
        # A plain context manager object: @contextmanager's generator machinery, entered for most
        # nodes of the module, cost more than the rest of this pass.
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _OffsetState, node: cst.CSTNode, start_node: Optional[cst.CSTNode],
                 end_node: Optional[cst.CSTNode]) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.pos

    def __exit__(self, *exc: object) -> None:
        state = self.state
        start = state.spans[id(self.start_node)][0] if self.start_node is not None else self.start
        end = state.spans[id(self.end_node)][1] if self.end_node is not None else state.pos
        state.spans[id(self.node)] = (start, end)


def node_offsets(module: cst.Module) -> dict[int, tuple[int, int]]:
    """id(node) -> (start, end) for every node of the module (valid while the module is alive)."""
    state = _OffsetState(module)
    module._codegen(state)
    return state.spans
