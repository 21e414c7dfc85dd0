from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
sys.path.insert(0, str(TESTS))

from demo_rules import demo_registry  # noqa: E402

from dagshift.linter.cli import main  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def private_cache_dir(tmp_path_factory):
    """Keep the result and download caches of the tests out of the user's cache dir."""
    import os

    folder = tmp_path_factory.mktemp("dagshift-cache")
    previous = os.environ.get("DAGSHIFT_CACHE_DIR")
    os.environ["DAGSHIFT_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("DAGSHIFT_CACHE_DIR", None)
    else:
        os.environ["DAGSHIFT_CACHE_DIR"] = previous


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys, monkeypatch) -> Callable[..., Result]:
    """Run the real CLI in-process with the test rules, from a given working directory."""

    def run(*args: str, cwd: Optional[Path] = None, registry=None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        monkeypatch.delenv("NO_COLOR", raising=False)
        capsys.readouterr()
        code = main(list(args), registry=registry or demo_registry())
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def write(root: Path, files: dict[str, "str | bytes"]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
