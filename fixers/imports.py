"""Rewriting one `from X import a, b` statement so some of its names come from other modules."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from linter.diagnostics import Edit


def alias_code(module: cst.Module, alias: cst.ImportAlias, new_name: Optional[str] = None) -> str:
    name = new_name or module.code_for_node(alias.name)
    if alias.asname is not None:
        asname = module.code_for_node(alias.asname.name)
        return f"{name} as {asname}" if asname != name else name
    return name


def move_names(
    module: cst.Module,
    statement: cst.ImportFrom,
    span: tuple[int, int],
    line_indent: str,
    moves: dict[int, tuple[str, str]],
) -> Edit:
    """Replace `statement` so that names[i] for i in `moves` are imported from moves[i] = (module, name).

    Untouched names keep their formatting and comments; moved names are grouped by destination
    module, one new statement each, on the lines right after the kept part.
    """
    assert not isinstance(statement.names, cst.ImportStar)
    names = list(statement.names)
    kept = [alias for i, alias in enumerate(names) if i not in moves]
    groups: dict[str, list[str]] = {}
    for i, (dest_module, dest_name) in sorted(moves.items()):
        groups.setdefault(dest_module, []).append(alias_code(module, names[i], dest_name))
    new_lines = [f"from {dest} import {', '.join(parts)}" for dest, parts in groups.items()]
    if kept and statement.lpar is not None and kept[-1] is not names[-1]:
        statement, kept[-1] = _close_after(statement, kept[-1], names[-1])
    if kept:
        if statement.lpar is None:
            # Without parentheses a trailing comma on the new last name would not parse.
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        head = module.code_for_node(statement.with_changes(names=kept))
        lines = [head] + new_lines
    else:
        lines = new_lines
    newline = module.default_newline
    return Edit(span[0], span[1], (newline + line_indent).join(lines))


def _close_after(
    statement: cst.ImportFrom, new_last: cst.ImportAlias, old_last: cst.ImportAlias
) -> tuple[cst.ImportFrom, cst.ImportAlias]:
    """Lay out the closing parenthesis after `new_last` as it was after `old_last`.

    The line break and indentation before `)` live in the last name's comma; the new last name
    keeps its own trailing comment but takes the old last name's indentation.
    """
    comma = new_last.comma
    if not isinstance(comma, cst.Comma) or not isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return statement, new_last
    mine = comma.whitespace_after
    theirs = old_last.comma.whitespace_after if isinstance(old_last.comma, cst.Comma) else None
    if isinstance(theirs, cst.ParenthesizedWhitespace):
        ws = mine.with_changes(indent=theirs.indent, last_line=theirs.last_line)
    else:
        # The old last name had no comma: the break before `)` belonged to the parenthesis.
        ws = mine.with_changes(indent=False, last_line=cst.SimpleWhitespace(""))
        if statement.rpar is not None:
            statement = statement.with_changes(rpar=statement.rpar.with_changes(whitespace_before=cst.SimpleWhitespace("")))
    return statement, new_last.with_changes(comma=comma.with_changes(whitespace_after=ws))
