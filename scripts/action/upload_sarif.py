"""The action's upload step: the SARIF the check step wrote, to GitHub code scanning.

`POST {GITHUB_API_URL}/repos/{owner}/{repo}/code-scanning/sarifs` with the file gzipped then base64
encoded, and the commit and ref the workflow runs on. Nothing happens unless upload-sarif is true.
Standard library only: it runs in the action's virtualenv.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

# GitHub refuses a SARIF upload above 10 MB once gzipped.
MAX_GZIPPED = 10 * 1024 * 1024
HINTS = {
    403: " (the job needs `permissions: {security-events: write}`; a pull request from a fork gets a "
         "read-only token)",
    404: " (code scanning must be available on the repository: public, or with GitHub Advanced Security)",
}


def fail(message: str) -> int:
    print(f"::error title=dagshift SARIF upload::{message}")
    return 1


def payload(gzipped: bytes) -> dict[str, str]:
    return {
        "commit_sha": os.environ["GITHUB_SHA"],
        "ref": os.environ["GITHUB_REF"],
        "sarif": base64.b64encode(gzipped).decode("ascii"),
        "checkout_uri": Path(os.environ.get("GITHUB_WORKSPACE") or ".").resolve().as_uri(),
        "tool_name": "dagshift",
    }


def main() -> int:
    if os.environ.get("INPUT_UPLOAD_SARIF", "").strip().lower() not in ("true", "yes", "on", "1"):
        print("upload-sarif is false: nothing uploaded")
        return 0
    path = Path(os.environ.get("SARIF_FILE") or "dagshift.sarif")
    if not path.is_file():
        return fail(f"no SARIF file at {path}: dagshift check did not write one (see the step above)")
    gzipped = gzip.compress(path.read_bytes(), mtime=0)  # (mtime=0: the same findings, the same bytes)
    if len(gzipped) > MAX_GZIPPED:
        return fail(f"{path} is above GitHub's 10 MB limit once gzipped: check fewer paths, or --select fewer rules")
    body = payload(gzipped)
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        return fail("no token: the `token` input is empty")
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    url = f"{api}/repos/{os.environ['GITHUB_REPOSITORY']}/code-scanning/sarifs"
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), method="POST", headers={
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "Content-Type": "application/json",
        "User-Agent": "dagshift-action",
    })
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        said = _message(exc.read())
        return fail(f"HTTP {exc.code} from {url}: {said}{HINTS.get(exc.code, '')}")
    except (urllib.error.URLError, OSError) as exc:
        return fail(f"cannot reach {url}: {getattr(exc, 'reason', exc)}")
    print(f"uploaded {path} to code scanning for {body['ref']} at {body['commit_sha'][:12]}: "
          f"{answer.get('url', 'accepted')}")
    return 0


def _message(raw: bytes) -> str:
    """GitHub's own words for a refusal (its JSON `message`), else the body's start."""
    try:
        return str(json.loads(raw)["message"])
    except (ValueError, KeyError, TypeError):
        return raw.decode("utf-8", "replace").strip()[:200] or "no message"


if __name__ == "__main__":
    sys.exit(main())
