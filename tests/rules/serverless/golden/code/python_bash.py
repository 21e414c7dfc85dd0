"""A PythonOperator and a BashOperator: eligible, its code shipped in the Code package."""
from datetime import datetime

from airflow import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator


def summarize(table, limit=10):
    print(f"summarizing {table} (first {limit} rows)")
    return table


with DAG(
    "python_bash",
    schedule=None,
    start_date=datetime(2024, 3, 1),
    catchup=False,
    tags=["reporting"],
) as dag:
    report = PythonOperator(task_id="report", python_callable=summarize, op_kwargs={"table": "sales", "limit": 5})
    notify = BashOperator(task_id="notify", bash_command="echo done", pool="reporting")
    report.set_downstream(notify)
