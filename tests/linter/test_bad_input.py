"""Bad input gets one clear DS90x diagnostic naming the file; the run goes on and exits 2."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import write

from dagshift.rules import default_registry

GOOD = "from airflow.operators.bash_operator import BashOperator\n"


def concise(cli, root: Path, *args: str):
    return cli("check", "--format", "concise", "--quiet", "--jobs", "1", *args, cwd=root)


def test_python2_file(cli, tmp_path):
    write(tmp_path, {"dags/py2.py": 'import os\nprint "loading bash_operator"\n', "dags/ok.py": GOOD})
    result = concise(cli, tmp_path)
    assert result.out == (
        "dags/ok.py:1:45: DS191 [*] `airflow.operators.bash_operator.BashOperator` moved to "
        "`airflow.operators.bash.BashOperator`\n"
        "dags/py2.py:2:1: DS901 cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)? "
        "(this looks like Python 2; Airflow 2 runs on Python 3 only)\n"
    )
    assert result.code == 2


def test_broken_syntax_names_line_and_column(cli, tmp_path):
    write(tmp_path, {"dags/broken.py": "from airflow.operators.bash_operator import (\n    BashOperator,\n\ndef f(:\n"})
    result = concise(cli, tmp_path)
    assert result.out == "dags/broken.py:4:1: DS901 cannot parse: invalid syntax\n"
    assert result.code == 2


def test_deep_nesting_is_reported_not_crashed(cli, tmp_path):
    write(tmp_path, {"dags/deep.py": "import bash_operator\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n"})
    result = concise(cli, tmp_path)
    assert result.out == "dags/deep.py:1:1: DS901 cannot parse: brackets nested 5000 deep (Python allows at most 200)\n"
    assert result.code == 2


def test_undecodable_binary_and_huge_files(cli, tmp_path):
    write(tmp_path, {
        "dags/latin.py": "x = 'caf\xe9'  # bash_operator\n".encode("latin-1"),
        "requirements.txt": b"boto3\xff\xfe==1.0\n",
        "dags/blob.py": b"\x00\x01\x02bash_operator",
        "dags/ok.py": GOOD,
    })
    (tmp_path / "dags" / "huge.py").write_text("x = 1  # bash_operator" + " " * (3 * 1024 * 1024) + "\n")
    result = concise(cli, tmp_path)
    assert result.out == (
        "dags/blob.py:1:1: DS902 cannot be read as text: looks like a binary file (it contains NUL bytes)\n"
        "dags/huge.py:1:1: DS902 cannot be read as text: file is too large to check (3,145,751 bytes; "
        "the limit is 2,097,152, set `max-file-size` to raise it)\n"
        "dags/latin.py:1:1: DS902 cannot be read as text: cannot be decoded: byte 0xe9 at line 1 is not valid utf-8\n"
        "dags/ok.py:1:45: DS191 [*] `airflow.operators.bash_operator.BashOperator` moved to "
        "`airflow.operators.bash.BashOperator`\n"
        "requirements.txt:1:1: DS902 cannot be read as text: cannot be decoded: byte 0xff at line 1 is not valid utf-8\n"
    )
    assert result.code == 2


def test_bad_coding_cookie(cli, tmp_path):
    write(tmp_path, {"dags/cookie.py": b"# -*- coding: klingon -*-\nimport bash_operator\n"})
    result = concise(cli, tmp_path)
    assert result.out == "dags/cookie.py:1:1: DS902 cannot be read as text: bad encoding declaration: unknown encoding: klingon\n"


def test_rule_crash_is_an_internal_error_and_other_rules_still_run(cli, tmp_path):
    write(tmp_path, {"dags/a.py": GOOD + "crash_me = 1\n"})
    result = concise(cli, tmp_path)
    assert result.out == (
        "dags/a.py:1:1: DS904 internal error: rule DS592 failed: RuntimeError: boom\n"
        "dags/a.py:1:45: DS191 [*] `airflow.operators.bash_operator.BashOperator` moved to "
        "`airflow.operators.bash.BashOperator`\n"
    )
    assert result.code == 2


def test_fix_that_does_not_parse_leaves_the_file_untouched(cli, tmp_path):
    source = GOOD + "break_me = 1\n"
    write(tmp_path, {"dags/a.py": source})
    result = concise(cli, tmp_path, "--fix")
    assert (tmp_path / "dags/a.py").read_text() == source
    assert "dags/a.py:1:1: DS904 internal error: a fix by DS191, DS593 produced code that does not parse; " \
           "the file was left as it is\n" in result.out
    assert result.code == 2


def test_read_only_file_is_reported_not_crashed(cli, tmp_path):
    write(tmp_path, {"dags/ro.py": GOOD, "dags/rw.py": GOOD})
    os.chmod(tmp_path / "dags/ro.py", 0o444)
    result = concise(cli, tmp_path, "--fix")
    assert (tmp_path / "dags/ro.py").read_text() == GOOD
    assert (tmp_path / "dags/rw.py").read_text() == "from airflow.operators.bash import BashOperator\n"
    assert result.out == (
        "dags/ro.py:1:1: DS903 not fixed: the file is read-only\n"
        "dags/ro.py:1:45: DS191 [*] `airflow.operators.bash_operator.BashOperator` moved to "
        "`airflow.operators.bash.BashOperator`\n"
    )
    assert result.code == 2


def test_symlink_to_outside_is_not_written(cli, tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text(GOOD)
    repo = tmp_path / "repo"
    write(repo, {"dags/real.py": GOOD})
    os.symlink(outside, repo / "dags" / "linked.py")
    # Found while walking: a link that leaves the checked tree is skipped altogether.
    result = concise(cli, repo, "--fix")
    assert outside.read_text() == GOOD
    assert result.code == 0
    # Named on the command line: checked, but never written through.
    result = concise(cli, repo, "--fix", "dags/linked.py")
    assert outside.read_text() == GOOD
    assert result.out.startswith("dags/linked.py:1:1: DS903 not fixed: it is a symlink to a file outside the paths given")
    assert result.code == 2


def test_dangling_symlink_named_is_unreadable(cli, tmp_path):
    os.symlink(tmp_path / "gone.py", tmp_path / "dangling.py")
    result = concise(cli, tmp_path, "dangling.py")
    assert result.out == "dangling.py:1:1: DS903 cannot be read: No such file or directory\n"
    assert result.code == 2


def test_file_no_rule_wants_is_still_syntax_checked(cli, tmp_path):
    # No rule's token appears, so libcst never parses the file; CPython's parser still finds that
    # Airflow could not import it (the run said "All checks passed!" before).
    write(tmp_path, {"dags/py2.py": 'print "hello"\n', "dags/fine.py": 'print("hello")\n'})
    result = concise(cli, tmp_path)
    assert result.out == (
        "dags/py2.py:1:1: DS901 cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)? "
        "(this looks like Python 2; Airflow 2 runs on Python 3 only)\n"
    )
    assert result.code == 2


def test_unexpected_error_is_one_line_not_a_traceback(cli, tmp_path, monkeypatch):
    from dagshift.linter import engine

    def explode(*args, **kwargs):
        raise MemoryError("simulated")

    monkeypatch.setattr(engine, "run", explode)
    write(tmp_path, {"dags/a.py": GOOD})
    result = concise(cli, tmp_path)
    assert result.code == 2
    assert result.err == "dagshift: internal error: MemoryError: simulated (set DAGSHIFT_DEBUG=1 for the traceback)\n"


PARENT_PID = os.getpid()


def dies_in_worker(chunk, mode):
    """Stands in for the engine's chunk worker: the worker process dies at once."""
    if os.getpid() != PARENT_PID:
        os._exit(9)  # a worker killed mid-run, as the OOM killer would
    raise AssertionError("chunks are only ever checked in worker processes")


def test_a_dead_worker_falls_back_to_checking_in_process(cli, tmp_path, monkeypatch):
    from dagshift.linter import pool

    write(tmp_path, {f"dags/d{i:02d}.py": GOOD for i in range(30)})
    monkeypatch.setattr(pool, "_check_chunk", dies_in_worker)
    result = cli("check", "--format", "concise", "--quiet", "--jobs", "2", cwd=tmp_path)
    assert result.code == 1
    assert len(result.out.splitlines()) == 30
    assert all(" DS191 " in line for line in result.out.splitlines())


def test_fix_whose_edits_overlap_is_never_applied(cli, tmp_path):
    source = "overlap_me = 1\n"
    write(tmp_path, {"dags/a.py": source})
    result = concise(cli, tmp_path, "--fix")
    assert (tmp_path / "dags/a.py").read_text() == source
    assert result.out == "dags/a.py:1:1: DS594 [*] a fix whose edits overlap each other\n"
    assert result.code == 1


def test_utf16_requirements_are_read_and_fixed_in_utf16_a_utf16_dag_is_not(cli, tmp_path):
    """Windows tools export requirements in UTF-16 with a BOM; pip reads them, CPython reads no such DAG."""
    text = "apache-airflow-backport-providers-amazon==2021.3.3\r\nboto3\r\n"
    write(tmp_path, {"requirements.txt": b"\xff\xfe" + text.encode("utf-16-le"),
                     "dags/wide.py": b"\xff\xfe" + "print('x')\n".encode("utf-16-le")})
    result = cli("check", "--format", "concise", "--quiet", "--target-version", "2.5.1", "--fix", cwd=tmp_path,
                 registry=default_registry())
    fixed = (tmp_path / "requirements.txt").read_bytes()
    assert fixed.startswith(b"\xff\xfe")
    assert fixed[2:].decode("utf-16-le") == (
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.5.1/constraints-3.10.txt"\r\n'
        "apache-airflow-providers-amazon\r\nboto3\r\n"
    )
    assert result.out.splitlines() == [
        "dags/wide.py:1:1: DS902 cannot be read as text: looks like a binary file (it contains NUL bytes)"
    ]
    assert result.code == 2
