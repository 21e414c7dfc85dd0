"""Node offsets for the statements that hold findings only, anchored by CPython's `ast`.

A full code generation pass (linter/positions.py) costs about half a libcst parse, and a file with
findings usually needs the offsets of a few nodes in a few statements. CPython's parser (in C)
gives the line and column where each statement starts; generating just the statement that holds a
node then gives the node's offset inside it. Statement anchors are:

- a simple statement line (its first small statement: `x = 1; y = 2` starts at `x`);
- the header of a compound statement (`with DAG(...) as dag:`), generated with its body left out;
- a decorator's expression.

Every anchor is checked against the file's text (the generated code must be there, at the place
`ast` gives) and anything that cannot be anchored or checked is answered by the full pass, so the
offsets are always exactly those of `node_offsets`.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any, Optional

import libcst as cst

from dagshift.linter.positions import _OffsetState, node_offsets
from dagshift.linter.walk import _fields, children

Span = tuple[int, int]
# Fields of compound statements that hold other statements (anchored on their own) or decorators.
_BLOCK_FIELDS = frozenset({"body", "orelse", "handlers", "finalbody", "decorators", "cases", "leading_lines",
                           "lines_after_decorators"})
_PLACEHOLDER = cst.IndentedBlock(body=())


class _Unanchored(Exception):
    """The CST and the ast do not pair up as expected: use the full pass."""


class StatementPositions:
    """`span(node)` as `node_offsets(module)[id(node)]`, generating only the anchors asked for."""

    def __init__(self, module: cst.Module, text: str) -> None:
        self.module = module
        self.text = text
        self.full: Optional[dict[int, Span]] = None
        self.owner: Optional[dict[int, Any]] = None  # id(node) -> its anchor
        self.anchors: dict[int, tuple[Any, int, int]] = {}  # id(anchor) -> (anchor, line, column)
        self.generated: dict[int, Optional[tuple[dict[int, Span], int, int]]] = {}
        self.elifs: set[int] = set()  # generated as `elif`, as their `if` does
        self._starts: Optional[list[int]] = None

    def span(self, node: cst.CSTNode) -> Span:
        if self.full is None:
            found = self.lazy_span(node)
            if found is not None:
                return found
            self.full = node_offsets(self.module)
        return self.full[id(node)]

    def lazy_span(self, node: cst.CSTNode) -> Optional[Span]:
        """The node's offsets from its anchor alone, or None when only the full pass can tell."""
        if self.owner is None:
            self.owner = {}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # an invalid escape's SyntaxWarning is the DAG's business
                    tree = ast.parse(self.text)
                self._pair(self.module.body, tree.body)
            except (_Unanchored, SyntaxError, ValueError, RecursionError, MemoryError):
                self.owner = {}
        anchor = self.owner.get(id(node))
        if anchor is None:
            return None
        key = id(anchor)
        if key not in self.generated:
            self.generated[key] = self._generate(*self.anchors[key])
        done = self.generated[key]
        if done is None:
            return None
        spans, shift, first = done
        start, end = spans[id(node)]
        if start < first:
            return None  # reaches into the leading comment lines, indented otherwise in the file
        return start + shift, end + shift

    # -- pairing CST statements with ast statements ------------------------------------------

    def _pair(self, body: Any, stmts: list[ast.stmt]) -> None:
        at = 0
        for stmt in body:
            if at >= len(stmts):
                raise _Unanchored
            if isinstance(stmt, cst.SimpleStatementLine):
                self._anchor(stmt, stmt, stmts[at])
                at += len(stmt.body)
            else:
                self._compound(stmt, stmts[at])
                at += 1
        if at != len(stmts):
            raise _Unanchored

    def _block(self, block: Any, stmts: list[ast.stmt]) -> None:
        if isinstance(block, cst.IndentedBlock):
            self._pair(block.body, stmts)
        # A one-line suite (`if x: y`) is left to the full pass.

    def _compound(self, stmt: Any, node: ast.stmt) -> None:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                raise _Unanchored
            if len(stmt.decorators) != len(node.decorator_list):
                raise _Unanchored
            for decorator, expr in zip(stmt.decorators, node.decorator_list):
                self._anchor(decorator, decorator.decorator, expr)
        expected = _AST_OF.get(type(stmt))
        if expected is None or not isinstance(node, expected):
            raise _Unanchored
        if not isinstance(stmt, (cst.Try, cst.Match)) and type(stmt).__name__ != "TryStar":
            self._anchor(stmt, stmt, node)  # the header (a `try:` or `match` header is not anchored)
        if isinstance(stmt, cst.Match):
            for case, ast_case in zip(stmt.cases, node.cases):
                self._block(case.body, ast_case.body)
            return
        self._block(stmt.body, node.body)
        orelse = getattr(stmt, "orelse", None)
        if isinstance(orelse, cst.If):  # elif
            if len(node.orelse) != 1:
                raise _Unanchored
            self.elifs.add(id(orelse))
            self._compound(orelse, node.orelse[0])
        elif orelse is not None:
            self._block(orelse.body, node.orelse)
        for handler, ast_handler in zip(getattr(stmt, "handlers", ()), getattr(node, "handlers", ())):
            self._anchor(handler, handler, ast_handler)
            self._block(handler.body, ast_handler.body)
        final = getattr(stmt, "finalbody", None)
        if final is not None:
            self._block(final.body, node.finalbody)

    def _anchor(self, anchor: Any, own: Any, node: Any) -> None:
        """Record the anchor at `node`'s line and column, and make it the owner of its own nodes
        (`own`: the whole line, the header's fields, or a decorator's expression)."""
        self.anchors[id(anchor)] = (anchor, node.lineno, node.col_offset)
        owner = self.owner
        assert owner is not None
        # The nodes linter/walk.py walks: whitespace, operators and brackets are not indexed (about
        # half the nodes; a span asked for one of them comes from the full pass).
        if own is anchor and not isinstance(anchor, cst.SimpleStatementLine):
            stack = children(anchor, _BLOCK_FIELDS)  # a compound statement's header
        else:
            stack = [own]
        while stack:
            current = stack.pop()
            owner[id(current)] = anchor
            stack.extend(children(current))

    # -- generating one anchor -----------------------------------------------------------------

    def _generate(self, anchor: Any, line: int, column: int) -> Optional[tuple[dict[int, Span], int, int]]:
        starts = self._line_starts()
        if line > len(starts):
            return None
        state = _OffsetState(self.module)
        # The enclosing blocks' indentation: libcst writes it before the statement and into every
        # continuation line it marks as indented (ParenthesizedWhitespace.indent).
        line_start = starts[line - 1]
        text = self.text
        indent_end = line_start
        while indent_end < len(text) and text[indent_end] in " \t\f":
            indent_end += 1
        state.indent_tokens = [text[line_start:indent_end]] if indent_end > line_start else []
        if isinstance(anchor, cst.SimpleStatementLine):
            anchor._codegen(state)
            first, last = state.spans[id(anchor.body[0])][0], state.spans[id(anchor.body[-1])][1]
        elif isinstance(anchor, cst.Decorator):
            anchor._codegen(state)
            first, last = state.spans[id(anchor.decorator)]
        else:
            strip: dict[str, Any] = {"body": _PLACEHOLDER}
            for name in ("orelse", "decorators", "finalbody"):
                if name in _fields(type(anchor)):
                    strip[name] = () if name == "decorators" else None
            copy = anchor.with_changes(**strip)
            if id(anchor) in self.elifs:
                copy._codegen(state, is_elif=True)
            else:
                copy._codegen(state)
            first, last = state.spans[id(copy)][0], state.spans[id(_PLACEHOLDER.header)][0]
        code = "".join(state.tokens)
        at = line_start + column
        if not text.startswith(code[first:last], at):
            return None  # not where ast says (a byte column, a line ending it counts otherwise)
        return state.spans, at - first, first

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            # Lines end at "\n" ("\r\n" included); a file of lone "\r" endings fails the text check
            # above and goes to the full pass.
            starts = [0]
            text = self.text
            at = text.find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = text.find("\n", at + 1)
            self._starts = starts
        return self._starts


_AST_OF: dict[type, Any] = {
    cst.If: ast.If, cst.For: (ast.For, ast.AsyncFor), cst.While: ast.While, cst.With: (ast.With, ast.AsyncWith),
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef), cst.ClassDef: ast.ClassDef, cst.Try: ast.Try,
    cst.Match: getattr(ast, "Match", ()),
}
if hasattr(cst, "TryStar") and hasattr(ast, "TryStar"):
    _AST_OF[cst.TryStar] = ast.TryStar
