"""DS502's text pre-screen: a clean file is settled without a parse only when every keyword of every
operator call is one its class takes; keywords of nested calls and of the code after a call are
not the call's (real example DAGs: `delta=timedelta(seconds=1)`, a DAG(...) with `schedule=` after)."""

from __future__ import annotations

from dagshift.rules.dag_api.screen import may_pass_unknown_arguments

HEAD = ("from datetime import timedelta\n\nfrom airflow import DAG\n"
        "from airflow.sensors.time_delta import TimeDeltaSensor\n")


def test_nested_calls_and_following_code_do_not_send_a_clean_file_to_the_parser():
    text = HEAD + (
        "wait = TimeDeltaSensor(task_id='wait', delta=timedelta(seconds=1), poke_interval=dict(a=1)['a'])\n"
        "# a comment with ( and a string with ) inside: ')'\n"
        "with DAG('d', schedule='@daily', catchup=False, tags=['x']) as dag:\n    pass\n"
    )
    assert may_pass_unknown_arguments(text, "2.11.0") is False


def test_an_unknown_keyword_of_the_call_itself_still_needs_the_parser():
    text = HEAD + "wait = TimeDeltaSensor(task_id='wait', delta=timedelta(seconds=1), secs=5)\n"
    assert may_pass_unknown_arguments(text, "2.11.0") is True
    # A `)` inside a string or a comment does not end the call.
    text = HEAD + "wait = TimeDeltaSensor(\n    task_id=')',  # (\n    secs=5,\n)\n"
    assert may_pass_unknown_arguments(text, "2.11.0") is True


def test_ds504_needs_the_keyword_not_the_word():
    from dagshift.rules import default_registry

    rule = default_registry().get("DS504")()
    assert not rule.screen("from airflow.timetables.base import Timetable\nworkday_timetable = 1\n", "2.11.0")
    assert rule.screen("dag = DAG('d', timetable = WorkdayTimetable())\n", "2.11.0")
    assert rule.screen("dag = DAG('d',\n    schedule_interval='@daily')\n", "2.11.0")


def test_ds508_screen_follows_the_dag_not_a_task_group_named_with_as():
    from dagshift.rules.dag_api.screen import dag_in_dependency

    with_groups = ("with DAG(\n    'd',\n    schedule=None,\n) as dag:\n"
                   "    with TaskGroup('s1') as section_1:\n        pass\n    start >> section_1 >> end\n")
    assert dag_in_dependency(with_groups) is False
    assert dag_in_dependency(with_groups + "    start >> dag\n") is True
    assert dag_in_dependency("dag = DAG('d')\ndag >> task\n") is True


def test_a_class_whose_argument_was_dropped_is_parsed_only_when_the_argument_is_passed():
    from dagshift.rules.dag_api.screen import names_a_known_change

    head = "from airflow.operators.trigger_dagrun import TriggerDagRunOperator\n"
    assert not names_a_known_change(head + "t = TriggerDagRunOperator(task_id='t', trigger_dag_id='x', conf={})\n")
    assert names_a_known_change(head + "t = TriggerDagRunOperator(task_id='t', python_callable=f)\n")


def test_a_keyword_inside_a_string_of_the_call_is_not_the_calls():
    # Real example DAGs: an f-string building an XComArg, a Jinja `xcom_pull(..., key=...)` split
    # over two concatenated literals. Neither `key` is an argument of the operator.
    head = "from airflow.operators.bash import BashOperator\n"
    f_string = head + "t = BashOperator(task_id='t', bash_command=f'echo {XComArg(p, key=\"k\")}')\n"
    jinja = head + ("t = BashOperator(\n    task_id='t',\n    bash_command=\"{{ ti.xcom_pull(\"\n"
                    "    \"'up', key='sensed')[0] }}\",\n)\n")
    assert may_pass_unknown_arguments(f_string, "2.11.0") is False
    assert may_pass_unknown_arguments(jinja, "2.11.0") is False
    # A keyword of the call after such a string still counts.
    assert may_pass_unknown_arguments(f_string.replace("}')", "}', secs=5)"), "2.11.0") is True


def test_ds509_and_ds511_screens_read_code_not_prose():
    from dagshift.rules import default_registry

    ds509, ds511 = default_registry().get("DS509")(), default_registry().get("DS511")()
    comment = "from airflow.configuration import conf\n# the image must have the same configuration as the host\n"
    assert not ds509.screen(comment, "2.11.0")
    assert ds509.screen("from airflow import configuration as airflow_conf\n", "2.11.0")
    assert not ds511.screen("class Op(BaseOperator):\n    template_fields = ('sql',)\n", "2.11.0")
    assert not ds511.screen("class Op(BaseOperator):\n    template_fields = ['sql', 'params']\n", "2.11.0")
    for value in ('"sql"', "(\n        'sql'\n    )", "r'sql'", "('a' 'b')"):
        assert ds511.screen(f"class Op(BaseOperator):\n    template_fields = {value}\n", "2.11.0"), value


def test_repository_operator_calls_are_parsed_only_for_a_keyword_the_class_may_not_take():
    from dagshift.rules.dag_api.repo_operators import screen as repo_screen

    entry = {"path": "dags/ops.py", "module": "ops", "bases": ["airflow.models.baseoperator.BaseOperator"],
             "init": True, "params": ["value"], "var_kw": True, "passes": True, "reads": False}
    facts = {"repo_operators": {"classes": {"AddOneOperator": [entry]}, "called": ["AddOneOperator"]}}
    call = "class AddOneOperator(BaseOperator):\n    pass\n\nt = AddOneOperator(task_id='t', value=1, retries=2)\n"
    assert repo_screen(call, facts, "2.11.0") is False
    assert repo_screen(call.replace("value=1", "valu=1"), facts, "2.11.0") is True
    # A class whose __init__ reads **kwargs cannot be judged, by the rule or by its screen.
    facts = {"repo_operators": {"classes": {"AddOneOperator": [dict(entry, reads=True)]}, "called": ["AddOneOperator"]}}
    assert repo_screen(call.replace("value=1", "valu=1"), facts, "2.11.0") is False
