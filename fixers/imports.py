"""Text for import statements: one statement without some names, new statements, merges."""

from __future__ import annotations

from typing import Any, Iterable, Optional

import libcst as cst

from dagshift.fixers.lines import delete_lines
from dagshift.linter.diagnostics import Edit


def alias_code(module: cst.Module, alias: cst.ImportAlias, new_name: Optional[str] = None) -> str:
    """`Name` or `Name as local` for an alias, optionally under a new imported name."""
    name = new_name or module.code_for_node(alias.name)
    if alias.asname is not None:
        asname = module.code_for_node(alias.asname.name)
        return f"{name} as {asname}" if asname != name.split(" as ")[0] else name
    return name


# Past this many characters a new import statement is written one name per line, in parentheses
# (the layout black and ruff's formatter give it), instead of one long line.
LINE_LENGTH = 88


def import_line(module: str, names: Iterable[str], indent: str = "", newline: str = "\n") -> str:
    """A new `from module import ...` statement (starting at `indent` on its line)."""
    names = list(names)
    line = f"from {module} import {', '.join(names)}"
    if len(indent) + len(line) <= LINE_LENGTH:
        return line
    inner = indent + "    "
    return f"from {module} import ({newline}" + "".join(f"{inner}{n},{newline}" for n in names) + f"{indent})"


def without(module: cst.Module, statement: cst.ImportFrom, remove: set[int]) -> Optional[str]:
    """The statement's code with names[i] for i in `remove` dropped; None when no name is left.

    Comments and layout of the names that stay are kept.
    """
    assert not isinstance(statement.names, cst.ImportStar)
    names = list(statement.names)
    kept = [alias for i, alias in enumerate(names) if i not in remove]
    if not kept:
        return None
    if statement.lpar is not None and kept[-1] is not names[-1]:
        statement, kept[-1] = _close_after(statement, kept[-1], names[-1])
    if statement.lpar is None:
        # Without parentheses a trailing comma on the new last name would not parse.
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return module.code_for_node(statement.with_changes(names=kept))


def with_added(module: cst.Module, statement: cst.ImportFrom, added: list[str]) -> str:
    """The statement's code with `added` ('Name' or 'Name as local') appended to its names."""
    assert not isinstance(statement.names, cst.ImportStar)
    names = list(statement.names)
    last = names[-1]
    lpar_ws = statement.lpar.whitespace_after if statement.lpar is not None else None
    if (
        isinstance(last.comma, cst.Comma)
        and isinstance(last.comma.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(lpar_ws, cst.ParenthesizedWhitespace)
    ):
        # One name a line, indented like the first; a name's own comment stays with it.
        item = lpar_ws.with_changes(first_line=cst.TrailingWhitespace())
        closing = last.comma.whitespace_after.with_changes(first_line=cst.TrailingWhitespace())
        names[-1] = last.with_changes(comma=last.comma.with_changes(
            whitespace_after=last.comma.whitespace_after.with_changes(indent=item.indent, last_line=item.last_line)
        ))
        new = [_alias(text, cst.Comma(whitespace_after=item)) for text in added]
        new[-1] = new[-1].with_changes(comma=cst.Comma(whitespace_after=closing))
        return module.code_for_node(statement.with_changes(names=[*names, *new]))
    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    names[-1] = last.with_changes(comma=separator)
    new = [_alias(text, separator) for text in added]
    new[-1] = new[-1].with_changes(comma=last.comma if statement.lpar is not None else cst.MaybeSentinel.DEFAULT)
    return module.code_for_node(statement.with_changes(names=[*names, *new]))


def _alias(text: str, comma: cst.Comma) -> cst.ImportAlias:
    name, _, asname = text.partition(" as ")
    return cst.ImportAlias(
        name=cst.Name(name.strip()),
        asname=cst.AsName(name=cst.Name(asname.strip())) if asname else None,
        comma=comma,
    )


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


def move_names(
    module: cst.Module,
    statement: cst.ImportFrom,
    span: tuple[int, int],
    line_indent: str,
    moves: dict[int, tuple[str, str]],
    extra: Optional[dict[str, list[str]]] = None,
) -> "Edit":
    """One edit replacing `statement` so that names[i] for i in `moves` come from moves[i] = (module, name).

    Moved names are grouped by destination module, one new statement each, on the lines right
    after what stays of the original statement. `extra` adds names (code, `X as Y`) to a
    destination's statement: those of other statements merged into this one.
    """
    from dagshift.linter.diagnostics import Edit

    assert not isinstance(statement.names, cst.ImportStar)
    names = list(statement.names)
    groups: dict[str, list[str]] = {}
    for i, (dest_module, dest_name) in sorted(moves.items()):
        groups.setdefault(dest_module, []).append(alias_code(module, names[i], dest_name))
    for dest_module, added in (extra or {}).items():
        groups.setdefault(dest_module, []).extend(a for a in added if a not in groups[dest_module])
    head = without(module, statement, set(moves))
    newline = module.default_newline
    lines = ([head] if head is not None else []) + [import_line(d, n, line_indent, newline) for d, n in groups.items()]
    return Edit(span[0], span[1], (module.default_newline + line_indent).join(lines))


def retarget(
    module: cst.Module, statement: cst.ImportFrom, dest: str, renames: dict[int, str], added: list[str]
) -> str:
    """The statement importing from `dest` instead, names[i] renamed per `renames`, `added` appended.

    Everything else (parentheses, comments, layout) is the statement's own.
    """
    assert not isinstance(statement.names, cst.ImportStar)
    names = [_renamed(alias, renames[i]) if i in renames else alias for i, alias in enumerate(statement.names)]
    moved = statement.with_changes(module=dotted_expression(dest), names=names)
    if added:
        return with_added(module, moved, added)
    return module.code_for_node(moved)


def alias_comment(alias: cst.ImportAlias) -> Optional[str]:
    """The comment after a name in a parenthesised import (`Name,  # why`), if any."""
    comma = alias.comma
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        comment = comma.whitespace_after.first_line.comment
        return comment.value if comment is not None else None
    return None


def _renamed(alias: cst.ImportAlias, new: str) -> cst.ImportAlias:
    """The alias importing `new` ('Name' or 'Name as local') instead, comma and comments kept."""
    name, _, local = new.partition(" as ")
    if local:
        return alias.with_changes(name=cst.Name(name), asname=cst.AsName(name=cst.Name(local)))
    return alias.with_changes(name=cst.Name(name))


def dotted_expression(dotted: str) -> "cst.Attribute | cst.Name":
    """`a.b.c` as a Name/Attribute chain, built directly (parsing it costs a parser run)."""
    parts = dotted.split(".")
    node: "cst.Attribute | cst.Name" = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def remove_imported_name(ctx: Any, imported: Any) -> Edit:
    """Take one imported name out of its statement, or delete the statement when it was the last."""
    statement = imported.statement
    span = ctx.span(statement)
    if isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
        rest = without(ctx.module, statement, {list(statement.names).index(imported.alias)})
        if rest is not None:
            return Edit(span[0], span[1], rest)
    return delete_lines(ctx.index, *span)
