"""--online against a real HTTP server on 127.0.0.1: success, 404, timeout, garbage, cache."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import write

from dagshift.rules import default_registry

SERVED = "# test mirror\nrequests==2.25.1\nboto3==1.26.51\n"


class Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        Handler.seen.append((self.path, self.headers.get("If-None-Match", "")))
        if self.path.endswith("/constraints-3.10.txt"):
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self._send(200, SERVED, etag='"v1"')
        elif self.path == "/slow.txt":
            time.sleep(2)
            self._send(200, SERVED)
        elif self.path == "/garbage.txt":
            self._send(200, "<html><body>Sign in to continue</body></html>")
        else:
            self._send(404, "not found")

    def _send(self, status: int, body: str, etag: str = "") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def server():
    Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def check(cli, root: Path, *args: str):
    return cli("check", "--format", "concise", "--quiet", "--target-version", "2.5.1", "--select", "DS3",
               "--cache-dir", str(root / "cache"), *args, cwd=root, registry=default_registry())


DAG = "from airflow import DAG\n"


def requirements(root: Path, url: str) -> None:
    # The DAG makes the folder an Airflow environment whose requirements these are.
    write(root, {"requirements.txt": f'--constraint "{url}"\nrequests==2.25.1\n', "dags/etl.py": DAG})


BUNDLED_CONFLICT = (
    "requirements.txt:2:9: DS307 [-] `requests==2.25.1` conflicts with Airflow 2.5.1's constraints, which pin "
    "`requests==2.28.2`: pip will refuse to install the file\n"
)


def test_offline_by_default_nothing_is_fetched(cli, tmp_path, server):
    requirements(tmp_path, f"{server}/constraints-2.5.1/constraints-3.10.txt")
    assert check(cli, tmp_path).out == BUNDLED_CONFLICT
    assert Handler.seen == []


def test_success_checks_against_the_served_file_and_cache_revalidates(cli, tmp_path, server):
    url = f"{server}/constraints-2.5.1/constraints-3.10.txt"
    requirements(tmp_path, url)
    first = check(cli, tmp_path, "--online")
    assert first.out == ""  # the served file pins requests==2.25.1
    second = check(cli, tmp_path, "--online")
    assert second.out == ""
    assert Handler.seen == [("/constraints-2.5.1/constraints-3.10.txt", ""), ("/constraints-2.5.1/constraints-3.10.txt", '"v1"')]


def test_cache_is_used_when_the_server_is_gone(cli, tmp_path):
    Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/constraints-2.5.1/constraints-3.10.txt"
    requirements(tmp_path, url)
    assert check(cli, tmp_path, "--online").out == ""
    httpd.shutdown()
    httpd.server_close()
    # Nobody answers on that port now: the cached copy is used, without a warning.
    assert check(cli, tmp_path, "--online").out == ""
    assert len(Handler.seen) == 1
    # A corrupt cache entry is a miss, never a crash: the fetch fails, the bundled file is used.
    for entry in (tmp_path / "cache" / "http").iterdir():
        entry.write_text("{not json")
    result = check(cli, tmp_path, "--online")
    assert result.out.startswith(f"requirements.txt:1:1: DS309 could not fetch {url}: ConnectionError")
    assert result.out.endswith(BUNDLED_CONFLICT)


def test_404_is_a_warning_and_falls_back_to_bundled(cli, tmp_path, server):
    requirements(tmp_path, f"{server}/nothing-here.txt")
    result = check(cli, tmp_path, "--online")
    assert result.out == (
        f"requirements.txt:1:1: DS309 could not fetch {server}/nothing-here.txt: HTTP 404; checked against the "
        "bundled constraints of Airflow 2.5.1\n" + BUNDLED_CONFLICT
    )


def test_timeout_is_a_warning(cli, tmp_path, server, monkeypatch):
    monkeypatch.setenv("DAGSHIFT_FETCH_TIMEOUT", "0.5")
    requirements(tmp_path, f"{server}/slow.txt")
    started = time.monotonic()
    result = check(cli, tmp_path, "--online")
    assert time.monotonic() - started < 5
    assert result.out == (
        f"requirements.txt:1:1: DS309 could not fetch {server}/slow.txt: no answer within 0.5 s; checked against "
        "the bundled constraints of Airflow 2.5.1\n" + BUNDLED_CONFLICT
    )


def test_garbage_body_is_a_warning(cli, tmp_path, server):
    requirements(tmp_path, f"{server}/garbage.txt")
    result = check(cli, tmp_path, "--online")
    assert result.out.startswith(
        f"requirements.txt:1:1: DS309 could not fetch {server}/garbage.txt: the response holds no `name==version` pins;"
    )


def test_plain_http_is_refused_off_loopback(cli, tmp_path):
    requirements(tmp_path, "http://mirror.example.com/constraints.txt")
    result = check(cli, tmp_path, "--online")
    assert result.out.startswith(
        "requirements.txt:1:1: DS309 could not fetch http://mirror.example.com/constraints.txt: refusing http URL: "
        "only https (or http on a loopback address) is fetched;"
    )
