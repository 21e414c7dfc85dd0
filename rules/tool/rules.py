"""DS9xx: the tool's own diagnostics. The engine emits them; these classes carry their docs."""

from __future__ import annotations

from dagshift.linter.rule import ERROR, SAFE, WARNING, Example, Rule

ALL_KINDS = frozenset(
    {"python", "requirements", "constraints", "airflow-cfg", "env", "yaml", "json", "terraform",
     "dockerfile", "shell", "makefile", "text"}
)


class SyntaxErrorRule(Rule):
    code = "DS901"
    name = "syntax-error"
    message = "cannot parse: {detail}"
    kinds = frozenset({"python"})
    emitted_by_engine = True
    doc = """
## What it does
Reports a Python file that does not parse as Python 3: Python 2 syntax such as `print "x"`,
broken syntax, or nesting deeper than the parser can take.

## Why it matters on Airflow 2
Airflow 2 runs on Python 3 only. A DAG file that does not parse is a "Broken DAG": every task in it
is lost. dagshift cannot check or fix the rest of that file until it parses.

## Example
```python
print "loading DAG"
```

## Fix safety
None. Port the file to Python 3 (for instance `print("loading DAG")`), then run dagshift again.
This finding cannot be silenced; exclude the file if it is not meant to be loaded. The run exits 2.

A file that contains none of the text any enabled rule looks for (an already-migrated DAG, say)
is never parsed, which is what keeps a run over a migrated repository fast; its syntax errors
are then left to your Python tooling.
"""
    valid = (Example('print("loading DAG")\n'),)
    invalid = (Example('print "loading DAG"\n', findings=((1, 1, (
        "cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)? "
        "(this looks like Python 2; Airflow 2 runs on Python 3 only)")),)),)


class UndecodableRule(Rule):
    code = "DS902"
    name = "undecodable-file"
    message = "cannot be read as text: {detail}"
    kinds = ALL_KINDS
    emitted_by_engine = True
    doc = """
## What it does
Reports a file that cannot be decoded as text: bytes that are not valid in the file's encoding
(UTF-8 unless a Python file declares another), a binary file, or a file above `max-file-size`.

## Why it matters on Airflow 2
Airflow's DAG processor reads DAG files as text; a file it cannot decode fails to load, and
MWAA's pip cannot read a requirements file that is not text.

## Example
A `requirements.txt` saved in UTF-16 by a Windows editor.

## Fix safety
None. Re-save the file as UTF-8 (or declare its encoding with a PEP 263 `# -*- coding: ... -*-`
line in Python files). This finding cannot be silenced; the run exits 2.
"""


class UnreadableRule(Rule):
    code = "DS903"
    name = "unreadable-file"
    message = "{detail}"
    kinds = ALL_KINDS
    emitted_by_engine = True
    doc = """
## What it does
Reports a file that cannot be read, or that `--fix` could not write back (read-only file, or a
symlink whose target lies outside the paths given on the command line).

## Why it matters on Airflow 2
A file dagshift cannot read has not been checked, and one it cannot write still holds the 1.10
construct that its findings describe.

## Example
`dags/etl.py` with mode `0444` and `dagshift check --fix dags/`.

## Fix safety
None. Fix the permissions or run dagshift on the symlink's target. The run exits 2.
"""


class InternalErrorRule(Rule):
    code = "DS904"
    name = "internal-error"
    message = "internal error: {detail}"
    kinds = ALL_KINDS
    emitted_by_engine = True
    doc = """
## What it does
Reports that a rule failed on this file, or that a fix produced text that does not parse (the
file is then left untouched).

## Why it matters on Airflow 2
The file was not fully checked, so findings may be missing. Nothing was written.

## Example
Any file that triggers a bug in dagshift.

## Fix safety
None. Please report it with the file (or a reduced copy) and the message. The run exits 2.
"""


class UnknownNoqaRule(Rule):
    code = "DS905"
    name = "unknown-noqa-code"
    message = "`# noqa` names unknown rule code {codes}"
    kinds = ALL_KINDS
    emitted_by_engine = True
    severity = WARNING
    doc = """
## What it does
Reports a `# noqa: DS...` comment that names a DS code no rule has. Codes of other tools (such as
flake8's `E501`) are left alone.

## Why it matters on Airflow 2
A mistyped code silences nothing, so the finding it was meant to silence is still reported, or a
stale comment hides nothing and misleads readers.

## Example
```python
from airflow.contrib.hooks.aws_hook import AwsHook  # noqa: DS1O1
```

## Fix safety
None. Correct the code (`dagshift rules` lists them) or remove the comment.
"""
    valid = (Example("import os  # noqa: E401\n"),)
    invalid = (Example("import os  # noqa: DS999\n", findings=((1, 12, '`# noqa` names unknown rule code `DS999`'),)),)


__all__ = ["SyntaxErrorRule", "UndecodableRule", "UnreadableRule", "InternalErrorRule", "UnknownNoqaRule",
           "ERROR", "SAFE"]
