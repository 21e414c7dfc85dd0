"""dagshift: a static compatibility linter with auto-fix codemods that moves Airflow repositories to
any Amazon MWAA target (1.10 -> 2.x -> 3)."""

__version__ = "0.1.0"

__url__ = "https://github.com/dagshift/dagshift"
RULES_DOC_URL = __url__ + "/blob/main/docs/rules.md"
