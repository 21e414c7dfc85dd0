"""The DAG API family's text pre-screens (no libcst), its argument-change table and the signatures.

A migrated file's imports are all on Airflow 2 paths, yet a call can still pass an argument the
pinned provider's class no longer takes (SlackWebhookOperator `http_conn_id`). Reading the calls
from the text lets such a file be parsed only when one of its calls passes an argument the class
does not accept, or one the screen cannot attribute.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

HANDLED = {"provide_context", "task_concurrency"}  # DS501 / DS506

# -- the one table of argument changes DS502 knows ------------------------------------------
# An argument Airflow 2 renamed on any operator: old -> new. Applied only where the target's class
# takes the new name and not the old one (checked against the generated signatures, not assumed).
ARGUMENT_RENAMES = {"bql": "sql", "node_selectors": "node_selector", "xcom_push": "do_xcom_push"}
# An argument one class (known by its name, wherever it is imported from) dropped: the class path
# whose signature decides it, the new spelling (None: none), what to tell the user, and whether
# deleting the argument is the fix (Airflow 2 does what it used to choose).
CLASS_ARGUMENT_CHANGES = {
    ("BashOperator", "xcom_push"): ("airflow.operators.bash.BashOperator", "do_xcom_push", "it is `do_xcom_push`", False),
    ("TriggerDagRunOperator", "python_callable"): (
        "airflow.operators.trigger_dagrun.TriggerDagRunOperator", None,
        "pass the run's payload as `conf={...}` (templated)", False,
    ),
    ("SubDagOperator", "executor"): (
        "airflow.operators.subdag.SubDagOperator", None,
        "the subdag runs on the environment's executor; delete the argument", True,
    ),
}
# Pre-screen patterns start with a literal: CPython's re then skips ahead with a fast substring
# search, where a leading \b, look-behind or alternation would try every position of the file.
_KNOWN = tuple(
    [(old, re.compile(rf"{old}(?<!\w{old})\s*=")) for old in ARGUMENT_RENAMES]
    # a class's dropped argument (`python_callable`, common elsewhere): the class named in the file,
    # and the argument passed somewhere in it (a file that only uses TriggerDagRunOperator with
    # `conf=` is not parsed for it)
    + [(cls, re.compile(rf"{arg}(?<!\w{arg})\s*=(?!=)")) for cls, arg in CLASS_ARGUMENT_CHANGES
       if arg not in ARGUMENT_RENAMES]
)


def names_a_known_change(text: str) -> bool:
    """Whether the text passes an argument of the table above (a substring test first, then the pattern)."""
    return any(token in text and pattern.search(text) for token, pattern in _KNOWN)

# `name=` after an opening bracket or a comma, comment lines allowed between: where Python allows
# a keyword argument. The pattern starts with a character set, so re skips ahead to `(` and `,`.
KEYWORD = re.compile(r"[(,]\s*(?:#[^\n]*\n\s*)*(\w+)\s*=(?!=)")


@lru_cache(maxsize=16)  # one per target: a report's matrix asks for each in turn
def _slice(target: str) -> dict:
    """The target's part of operator_signatures.json, from the data-slice cache: the arguments each
    class accepts, the renames of their deprecation code, the classes that read **kwargs, and what
    the pre-screen may clear (the accepted arguments but the deprecated ones)."""
    from dagshift.linter.datacache import load
    from dagshift.linter.tables import load_table, table_path

    def build() -> dict:
        data = load_table("operator_signatures", "arguments", "targets")
        sets = [frozenset(a) for a in data["arguments"]]
        accepted = {cls: sets[i] for cls, i in data["targets"].get(target, {}).items()}
        renames: dict[str, dict[str, str]] = {}
        for cls, r in data.get("argument_renames", {}).items():
            # (a rename the 2.x class recorded holds for its successor: `execution_date` ->
            # `logical_date` on the standard provider's TriggerDagRunOperator)
            home = cls if cls in accepted else successor(target, cls)
            if home in accepted:
                renames.setdefault(home, {}).update(r)
        return {
            "accepted": accepted,
            "renames": renames,
            "open": frozenset(data.get("consumes_kwargs", {}).get(target, ())),
            "cleared": {cls: a - renames[cls].keys() if cls in renames else a for cls, a in accepted.items()},
        }

    return load(f"operator-signatures-{target}",
                (str(table_path("operator_signatures")), str(table_path("provider_index")), __file__), build)


@lru_cache(maxsize=4096)  # the pre-screen asks it for each call of a class with no signature, in every file
def successor(target: str, cls: str) -> str:
    """The class a path names on the target: a 1.10 path's destination, else where the target's
    own deprecation shim sends it (`airflow.operators.bash.BashOperator` on Airflow 3: the standard
    provider's), else, for a class the target lacks, where an older version's shim sent it, else the
    path itself."""
    from dagshift.rules.imports.tables import closed_world, tables
    from dagshift.rules.imports.tables.successors import provider_class_successor, shim_lead

    t = tables(target)
    entry = t.entries.get(cls)
    if entry is not None:
        return entry.get("to") or cls
    module, _, name = cls.rpartition(".")
    shim = t.core.shim_target(module, name) if module in t.core else None
    if shim is None and closed_world(t, module, name) is not None:
        # Gone from the target: the class the import rules' fix writes instead (`AWSAthenaOperator` ->
        # `AthenaOperator`), whose arguments are judged now, so that fix creates no finding.
        shim = provider_class_successor(t, module, name) or shim_lead(t, module, name)
    return shim or cls


def signatures(target: str) -> dict[str, frozenset[str]]:
    """Operator class path -> the keyword arguments it accepts on the target (through its bases)."""
    return _slice(target)["accepted"]


def argument_renames(target: str) -> dict[str, dict[str, str]]:
    """Operator class path -> {old argument: new}, from the classes' own deprecation code in the
    provider versions the targets pin (`gcp_conn_id = bigquery_conn_id` after a warning)."""
    return _slice(target)["renames"]


def consumes_kwargs(target: str) -> frozenset[str]:
    """Operator classes whose __init__ (or a base's) takes arguments out of **kwargs itself: an
    argument they do not declare may still be accepted there (QuboleOperator filters its own
    lists, DataprocCreateClusterOperator builds a cluster from them)."""
    return _slice(target)["open"]


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


# What can change the nesting of brackets: a bracket, a quote, a comment.
BRACKETS = re.compile(r"[()\[\]{}'\"#]")


def _scan_call(text: str, opening: int, limit: int) -> tuple[int, list[tuple[int, int]]]:
    """One pass over the call whose `(` is at `opening`, strings and comments skipped: where it
    closes (or `limit` when that cannot be told before it: unsure is the long answer, so no
    finding is hidden), and the bracket depth from each bracket's offset on (-1 inside a string)."""
    marks: list[tuple[int, int]] = []
    if opening < 0:
        return limit, marks
    depth = 0
    at = opening
    while True:
        match = BRACKETS.search(text, at, limit)
        if match is None:
            return limit, marks
        ch = match.group()
        at = match.end()
        if ch == "#":
            newline = text.find("\n", at, limit)
            if newline < 0:
                return limit, marks
            at = newline
            continue
        if ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, match.start()) else ch
            close = text.find(quote, match.start() + len(quote), limit)
            while close > 0 and len(quote) == 1 and text[close - 1] == "\\":
                close = text.find(quote, close + 1, limit)
            if close < 0:
                return limit, marks
            at = close + len(quote)
            if depth:  # a string inside the call: what looks like a keyword in it is not one
                marks.append((match.start(), -1))  # (`f"{XComArg(t, key='k')}"`, a Jinja `xcom_pull(key=`)
                marks.append((at, depth))
            continue
        depth += 1 if ch in "([{" else -1
        marks.append((match.start(), depth))
        if depth == 0:
            return at, marks


def _call_end(text: str, opening: int, limit: int) -> int:
    """Where the call whose `(` is at `opening` closes: a keyword after the call is then no longer
    the call's, and clean files whose operator calls are followed by other code (a DAG(...) with
    `schedule=`) are not sent to the parser for it."""
    return _scan_call(text, opening, limit)[0]


def own_keywords(text: str, opening: int, limit: int) -> tuple[int, list[str]]:
    """(where the call whose `(` is at `opening` ends, its keywords): not those of calls nested in
    it (`delta=timedelta(seconds=1)`), each KEYWORD match counted at bracket depth 1 only."""
    end, marks = _scan_call(text, opening, limit)
    offsets = [where for where, _ in marks]
    found = []
    for match in KEYWORD.finditer(text, opening, end):
        at = bisect_right(offsets, match.start())
        if at and marks[at - 1][1] == 1:
            found.append(match.group(1))
    return end, found


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
    known = _slice(target)["cleared"]
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
        if accepted is None:  # a class gone from the target: the one the import fix writes instead
            accepted = known.get(successor(target, qualified))
        if accepted is None:
            continue  # no signature on the target: DS502 has nothing to say about this call
        segment = text[start:end]
        keywords = KEYWORD.findall(segment)
        if accepted.issuperset(keywords):
            continue  # the common case, decided at C speed
        end, keywords = own_keywords(text, text.find("(", start), end)  # only the call's own, then
        if accepted.issuperset(keywords):
            continue
        unknown = {k for k in keywords if k not in accepted and k not in HANDLED}
        for match in KEYWORD.finditer(text, start, end):
            if match.group(1) in unknown and not _in_template(text, match.start(1)):
                return True
    return False


# DS504: `schedule_interval=` / `timetable=` as keyword arguments (not `airflow.timetables` imports,
# nor a `workday_timetable` name).
SCHEDULE_KEYWORD = re.compile(r"\b(?:schedule_interval|timetable)\s*=(?!=)")
YAML_SCHEDULE_KEY = re.compile(r"(?:schedule_interval|timetable)\s*:")  # a YAML DAG's key


def names_yaml_task(text: str) -> bool:
    """A YAML DAG's task naming an Airflow operator class, or gusty's `.py` task frontmatter
    (PythonOperator unless it says otherwise)."""
    return text.startswith("# ---") or any(s in text for s in ("operator: airflow.", "operator: 'airflow.",
                                                               'operator: "airflow.'))


# DS511: `template_fields = "sql"` (a string literal, maybe in brackets or after a line continuation).
TEMPLATE_STRING = re.compile(r"template_(?:fields|ext)\s*=[\s(\\]*[rRuUbB]{0,2}(['\"])")


def template_fields_string(text: str) -> bool:
    """Whether `template_fields`/`template_ext` may be assigned a string: a literal right after the
    `=`, or in brackets without the comma that makes `("sql",)` a tuple (unsure: True)."""
    for match in TEMPLATE_STRING.finditer(text):
        if "(" not in match.group():
            return True
        quote = match.group(1) * 3 if text.startswith(match.group(1) * 3, match.start(1)) else match.group(1)
        close = text.find(quote, match.end(1) + len(quote) - 1)
        if close < 0 or "\\" in text[match.end(1):close]:
            return True
        after = text[close + len(quote):close + len(quote) + 80].lstrip()
        if not after.startswith(","):
            return True
    return False


# -- DS508 and DS509: DAG objects in dependencies, `airflow.configuration` helpers --------------

DAG_AS = re.compile(r"\s*as\s+(\w+)\s*:")
CONFIGURATION_CALL = re.compile(r"configuration(?<!\wconfiguration)\.\w+\(")
DAG_CALL = re.compile(r"DAG\(")
WORD = re.compile(r"\w+")


# Scanning backwards from a hit by hand: a regex ending in \Z would be tried at every position.
def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _word_before(text: str, end: int) -> str:
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    start = end
    while start > 0 and _is_word(text[start - 1]):
        start -= 1
    return text[start:end]


def _assigned_name(text: str, call: int) -> str:
    """`name` when the text before `call` reads `name = ` or `name = module.` (else "")."""
    i = call
    if i > 0 and text[i - 1] == ".":
        k = i - 1
        while k > 0 and _is_word(text[k - 1]):
            k -= 1
        if k < i - 1:
            i = k
    while i > 0 and text[i - 1].isspace():
        i -= 1
    if i == 0 or text[i - 1] != "=" or (i > 1 and text[i - 2] in "=!<>"):
        return ""
    i -= 1
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return _word_before(text, i)


# The module under another name: the parser decides what its calls are.
CONFIGURATION_ALIAS = re.compile(r"configuration as \w")


def _aliases_configuration(text: str) -> bool:
    """`configuration as name` outside a comment line (`# the same configuration as the ...`)."""
    for match in CONFIGURATION_ALIAS.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if "#" not in text[line_start:match.start()]:
            return True
    return False


def calls_configuration_helpers(text: str) -> bool:
    """Whether `airflow.configuration`'s module-level helpers may be called, in any alias form:
    `configuration.get(`, the module under another name, or a helper imported by its name
    (`from airflow.configuration import get`; importing `conf` itself is the right way)."""
    if CONFIGURATION_CALL.search(text) is not None or _aliases_configuration(text):
        return True
    if "airflow.configuration import" not in text:
        return False
    from dagshift.rules.imports.tables import import_statements

    return any(
        module == "airflow.configuration" and (names is None or set(names) - {"conf", "AirflowConfigParser"})
        for module, names in import_statements(text)
    )


def dag_in_dependency(text: str) -> bool:
    """Whether a name bound to a DAG may appear in `>>`/`<<`, chain() or cross_downstream()."""
    if "DAG" not in text:
        return False
    names: set[str] = set()
    for call in DAG_CALL.finditer(text):
        bound = _assigned_name(text, call.start())
        if bound:
            names.add(bound)
        # `with DAG(...) as dag:`, the call's own closing bracket found (not a TaskGroup's `as`)
        close = _call_end(text, call.end() - 1, len(text))
        named = DAG_AS.match(text, close)
        if named is not None:
            names.add(named.group(1))
    if not names:
        return False
    for name in names:
        # One literal-first pattern per side: the compiled patterns are cached by re for the
        # names repositories use (`dag`), and each search skips ahead to its literal.
        escaped = re.escape(name)
        if (re.search(rf"{escaped}(?<!\w{escaped})\s*(?:>>|<<)", text) or re.search(rf">>\s*{escaped}\b", text)
                or re.search(rf"<<\s*{escaped}\b", text)):
            return True
    for literal in ("chain(", "cross_downstream("):
        at = text.find(literal)
        while at >= 0:
            close = text.find(")", at)
            if names.intersection(WORD.findall(text, at + len(literal), close if close >= 0 else len(text))):
                return True
            at = text.find(literal, at + 1)
    return False


def names_renamed_trigger_rule(text: str, target: str) -> bool:
    """A trigger rule the target renamed or removed, named in the text (DS502's pre-screen)."""
    return any(old in text for old in _renamed_trigger_rules(target))


@lru_cache(maxsize=16)
def _renamed_trigger_rules(target: str) -> tuple[str, ...]:
    from dagshift.rules.dag_api.tables import api_facts

    facts = api_facts(target)
    return tuple(sorted({*facts.get("trigger_rule_renames", {}), *facts.get("trigger_rules_removed", {})}))
