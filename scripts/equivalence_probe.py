"""What each DAG of a folder runs, as JSON: run by scripts/verify_equivalence.py with the python of
an Airflow verification venv (it imports Airflow and loads the folder's DAG files there, never in
dagshift's process).

    <venv>/bin/python equivalence_probe.py DAG_FOLDER OUT.json [SYS_PATH...]

Per DAG (a SubDAG is not one of its own: its tasks are described inside its parent, under the
SubDagOperator's task id, `section-1.t`, the ids a TaskGroup gives them): the schedule as written
(`schedule_interval` on 2.x, `schedule` on 3.x; cron presets spelled out), the start date, and per
task its class, raw templated fields (not rendered: no database), connection ids and the
arguments that decide how it runs; the dependency edges, a SubDAG's edges going into its roots and
out of its leaves as a TaskGroup's do.
"""

import datetime
import inspect
import json
import os
import sys
import traceback

PRESETS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *",
           "@quarterly": "0 0 1 */3 *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@midnight": "0 0 * * *"}
RUN_ARGS = ("trigger_rule", "retries", "retry_delay", "owner", "queue", "pool", "depends_on_past",
            "execution_timeout", "priority_weight")


def plain(value, depth=0):
    """A JSON value for what an operator holds: containers kept, the rest spelled by repr()."""
    if depth > 6:
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.timedelta):
        return f"timedelta(seconds={value.total_seconds():g})"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v, depth + 1) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, (set, frozenset)) else items
    if callable(value):
        return f"callable {getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', repr(value))}"
    return repr(value)


def schedule(dag):
    raw = getattr(dag, "schedule_interval", None) if hasattr(dag, "schedule_interval") else getattr(dag, "schedule", None)
    if isinstance(raw, str):
        return PRESETS.get(raw, raw)
    return plain(raw)


def task_facts(task):
    cls = type(task)
    facts = {"class": f"{cls.__module__}.{cls.__name__}", "templated": {}, "conn_ids": {}}
    for field in getattr(task, "template_fields", ()) or ():
        facts["templated"][field] = plain(getattr(task, field, None))
    for name, value in sorted(vars(task).items()):
        if name.endswith("conn_id") and isinstance(value, str):
            facts["conn_ids"][name] = value
    for name in RUN_ARGS:
        facts[name] = plain(getattr(task, name, None))
    callable_ = getattr(task, "python_callable", None)
    if callable_ is not None:
        facts["python_callable"] = plain(callable_)
    return facts


def describe(dag, prefix=""):
    """(tasks, edges, roots and leaves per task id) with each SubDagOperator's sub-DAG inlined."""
    tasks, edges, ends = {}, set(), {}
    for task in dag.tasks:
        sub = getattr(task, "subdag", None) if type(task).__name__ == "SubDagOperator" else None
        if sub is not None:
            inner, inner_edges, inner_ends = describe(sub, prefix + task.task_id + ".")
            tasks.update(inner)
            edges |= inner_edges
            roots = [r for t in sub.roots for r in inner_ends[t.task_id][0]]
            leaves = [lf for t in sub.leaves for lf in inner_ends[t.task_id][1]]
            ends[task.task_id] = (roots, leaves)
        else:
            tasks[prefix + task.task_id] = task_facts(task)
            ends[task.task_id] = ([prefix + task.task_id], [prefix + task.task_id])
    for task in dag.tasks:
        for down in task.downstream_task_ids:
            edges |= {(a, b) for a in ends[task.task_id][1] for b in ends[down][0]}
    return tasks, edges, ends


def main():
    folder, out = sys.argv[1], sys.argv[2]
    sys.path.extend(p for p in sys.argv[3:] if p not in sys.path)
    result = {"dags": {}, "errors": {}, "fatal": None}
    try:
        import airflow

        result["airflow"] = airflow.__version__
        try:
            from airflow.dag_processing.dagbag import DagBag
        except ImportError:
            from airflow.models.dagbag import DagBag
        kwargs = {"include_examples": False} if "include_examples" in inspect.signature(DagBag.__init__).parameters else {}
        bag = DagBag(dag_folder=folder, **kwargs)
        result["errors"] = {os.path.relpath(str(k), folder): str(v)[-2000:] for k, v in bag.import_errors.items()}
        for dag_id, dag in sorted(bag.dags.items()):
            if getattr(dag, "parent_dag", None) is not None or getattr(dag, "is_subdag", False):
                continue  # described inside its parent
            tasks, edges, _ = describe(dag)
            start = dag.start_date or (dag.default_args or {}).get("start_date")
            result["dags"][dag_id] = {
                "file": os.path.relpath(str(dag.fileloc), folder), "schedule": schedule(dag),
                "start_date": plain(start), "tasks": tasks, "edges": sorted(list(e) for e in edges),
            }
    except BaseException:
        result["fatal"] = traceback.format_exc()[-3000:]
    with open(out, "w") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
    os._exit(0)  # a DAG file's threads or atexit hooks must not keep the probe alive


if __name__ == "__main__":
    main()
