"""Same input, same findings, on DAGs nobody here wrote: slices of the benchmark's real-world
corpora (benchmarks/corpora.py, official wheels fetched once into the benchmark cache) checked
with 1 and 2 jobs, without the cache, then cold and warm with it: the JSON reports are identical."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from corpora import build  # noqa: E402


@pytest.mark.parametrize("kind, target", [("1.10", "2.5.1"), ("migrated", "2.11.0")])
def test_real_corpus_findings_do_not_depend_on_jobs_or_cache(kind, target, tmp_path):
    corpus = build(kind, limit=40)
    if corpus is None:
        pytest.skip("the corpus wheels cannot be downloaded here (offline)")
    env = {"DAGSHIFT_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}

    def check(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "dagshift", "check", "dags", "--format", "json",
                               "--target-version", target, *args], cwd=corpus, env=env, capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    runs = [check("--no-cache", "--jobs", "1"), check("--no-cache", "--jobs", "2"),
            check("--jobs", "2"), check("--jobs", "1")]  # the last two: the cache cold, then warm
    assert all(run == runs[0] for run in runs[1:])
    assert (tmp_path / "cache" / "results").is_dir()
    if kind == "1.10":
        assert '"code": "DS10' in runs[0]  # 1.10 code: import findings, not an empty report
