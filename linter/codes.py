"""Facts about the codes themselves, known to the engine and every reporter (one place each)."""

from __future__ import annotations

# DS<family digit>xx: the family each code belongs to, as the report titles it and as SARIF tags it.
FAMILY_TITLES = {
    "1": "Imports", "2": "Plugins", "3": "Requirements", "4": "Configuration", "5": "DAG and operator API",
    "6": "MWAA Serverless", "9": "Files dagshift could not check",
}
FAMILY_TAGS = {"1": "imports", "2": "plugins", "3": "requirements", "4": "configuration", "5": "dag-api", "6": "serverless",
               "9": "dagshift"}

# A file that could not be read, parsed, written or checked: the run exits 2, and neither a noqa
# comment nor a per-file ignore hides it (the user must see that the file was not checked).
FAILURE_CODES = frozenset({"DS901", "DS902", "DS903", "DS904"})


def family_digit(code: str) -> str:
    return code[2] if len(code) > 2 else ""
