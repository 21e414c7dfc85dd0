"""The operator signature table, and DS502's pre-screen over a file's operator calls (no libcst).

A migrated file's imports are all on Airflow 2 paths, yet a call can still pass an argument the
pinned provider's class no longer takes (SlackWebhookOperator `http_conn_id`). Reading the calls
from the text lets such a file be parsed only when one of its calls passes an argument the class
does not accept, or one the screen cannot attribute.
"""

from __future__ import annotations

import re
from functools import lru_cache

HANDLED = {"provide_context", "task_concurrency"}  # DS501 / DS506
# `name=` after an opening bracket or a comma, comment lines allowed between: where Python allows
# a keyword argument. The pattern starts with a character set, so re skips ahead to `(` and `,`.
KEYWORD = re.compile(r"[(,]\s*(?:#[^\n]*\n\s*)*(\w+)\s*=(?!=)")


@lru_cache(maxsize=4)
def signatures(target: str) -> dict[str, frozenset[str]]:
    """Operator class path -> the keyword arguments it accepts on the target (through its bases)."""
    from dagshift.linter.datacache import load
    from dagshift.linter.tables import load_table, table_path

    def build() -> dict[str, frozenset[str]]:
        data = load_table("operator_signatures", "arguments", "targets")
        sets = [frozenset(a) for a in data["arguments"]]
        return {cls: sets[i] for cls, i in data["targets"].get(target, {}).items()}

    return load(f"operator-signatures-{target}", (str(table_path("operator_signatures")), __file__), build)


# `Name(` for names ending in Operator or Sensor, matched on the reversed text: there the pattern
# starts with the literal "(", which re skips to, where `\w*Operator\(` would be tried at every position.
REVERSED_CALL = re.compile(r"\([ \t]*(rotarepO|rosneS)(\w*)")


def _calls(text: str) -> list[tuple[int, str]]:
    """(offset, class name) of each `...Operator(` and `...Sensor(` in the text, in order."""
    backwards = text[::-1]
    size = len(text)
    found = [(size - m.end(), (m.group(1) + m.group(2))[::-1]) for m in REVERSED_CALL.finditer(backwards)]
    found.reverse()
    return found


def _in_template(text: str, at: int) -> bool:
    """Inside `{{ ... }}` on its line: a Jinja expression in a string (`xcom_pull(key=...)`), not Python."""
    line_start = text.rfind("\n", 0, at) + 1
    return text.rfind("{{", line_start, at) > text.rfind("}}", line_start, at)


def may_pass_unknown_arguments(text: str, target: str) -> bool:
    """False only when every keyword of every operator call is one its class accepts on `target`.

    Keywords are attributed to the nearest call before them, so a keyword of other code that
    follows a call can only make the answer True (a parse), never hide a finding. A call the
    import lines do not resolve (an alias, `module.Class(`) is left to the parser.
    """
    from dagshift.rules.imports.tables import import_statements

    calls = _calls(text)
    if not calls:
        return False
    known = signatures(target)
    local: dict[str, str] = {}
    for module, names in import_statements(text):
        if module is not None:
            for name in names or ():
                local[name] = f"{module}.{name}"
    for index, (start, name) in enumerate(calls):
        end = calls[index + 1][0] if index + 1 < len(calls) else len(text)
        if text.startswith("class ", max(0, start - 6)):
            continue  # the class statement of an operator the file defines
        if start > 0 and text[start - 1] == ".":
            return True  # `module.Class(`: resolved by the parser
        qualified = local.get(name)
        if qualified is None:
            if f"class {name}(" in text:
                continue  # a class of the file itself: the check has no signature for it either
            return True
        accepted = known.get(qualified)
        if accepted is None:
            continue  # no signature on the target: DS502 has nothing to say about this call
        segment = text[start:end]
        keywords = KEYWORD.findall(segment)
        if accepted.issuperset(keywords):
            continue  # the common case, decided at C speed
        unknown = {k for k in keywords if k not in accepted and k not in HANDLED}
        for match in KEYWORD.finditer(text, start, end):
            if match.group(1) in unknown and not _in_template(text, match.start(1)):
                return True
    return False
