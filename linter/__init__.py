"""dagshift: a static Airflow 1.10 -> 2.x compatibility linter with auto-fix codemods."""

__version__ = "0.1.0"

__url__ = "https://github.com/dagshift/dagshift"
RULES_DOC_URL = __url__ + "/blob/main/docs/rules.md"
