"""The Airflow CLI commands 2.0 renamed; a module of its own because every file's pre-screen reads it."""

from __future__ import annotations

import re

# 1.10 -> 2.0 CLI commands, from the "Airflow CLI changes in 2.0" table of Airflow's upgrade guide
# (docs/apache-airflow/howto/upgrading-from-1-10/index.rst). Only one-to-one renames: commands
# whose options changed shape (pool, variables, connections) are not rewritten.
CLI_RENAMES = {
    "list_dags": "dags list", "list_tasks": "tasks list", "trigger_dag": "dags trigger",
    "delete_dag": "dags delete", "show_dag": "dags show", "pause": "dags pause", "unpause": "dags unpause",
    "backfill": "dags backfill", "list_dag_runs": "dags list-runs", "next_execution": "dags next-execution",
    "dag_state": "dags state", "task_state": "tasks state", "task_failed_deps": "tasks failed-deps",
    "render": "tasks render", "run": "tasks run", "test": "tasks test", "clear": "tasks clear",
    "initdb": "db init", "resetdb": "db reset", "upgradedb": "db upgrade", "checkdb": "db check",
    "shell": "db shell", "create_user": "users create", "delete_user": "users delete", "list_users": "users list",
    "worker": "celery worker", "flower": "celery flower",
}
# Starts with a literal, the word boundary checked behind it: a leading \b makes re try every position.
CLI_RE = re.compile(r"airflow(?<!\wairflow)[ \t]+(" + "|".join(sorted(CLI_RENAMES, key=len, reverse=True)) + r")(?![\w-])")
