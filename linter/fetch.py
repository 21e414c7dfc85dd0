"""Opt-in network access: fetch a small text file over HTTPS with a cache and hard limits.

Only used when the user asks for it (`--online`). Plain http is refused except for loopback
addresses (local mirrors, tests). Responses are cached on disk with their ETag/Last-Modified and
revalidated; a failure raises FetchError with a message fit for a warning.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import tempfile
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

TIMEOUT = 10.0
MAX_BYTES = 5 * 1024 * 1024


class FetchError(Exception):
    pass


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and _loopback(parts.hostname or ""):
        return
    raise FetchError(f"refusing {parts.scheme or 'a relative'} URL: only https (or http on a loopback address) is fetched")


def default_timeout() -> float:
    """Seconds to wait for an answer: 10, or DAGSHIFT_FETCH_TIMEOUT."""
    try:
        return float(os.environ.get("DAGSHIFT_FETCH_TIMEOUT", TIMEOUT))
    except ValueError:
        return TIMEOUT


def fetch_text(
    url: str, cache_dir: Path, timeout: Optional[float] = None, max_bytes: int = MAX_BYTES
) -> tuple[str, bool]:
    """(body, from_cache). Revalidates a cached copy; raises FetchError when nothing usable comes back."""
    check_url(url)
    timeout = default_timeout() if timeout is None else timeout
    import requests

    entry_path = cache_dir / "http" / (hashlib.sha256(url.encode()).hexdigest() + ".json")
    cached = _read_entry(entry_path, url)
    headers = {"User-Agent": "dagshift"}
    if cached:
        if cached.get("etag"):
            headers["If-None-Match"] = cached["etag"]
        if cached.get("last_modified"):
            headers["If-Modified-Since"] = cached["last_modified"]
    try:
        with requests.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=True) as response:
            if response.status_code == 304 and cached:
                return cached["body"], True
            if response.status_code != 200:
                raise FetchError(f"HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"response larger than {max_bytes:,} bytes")
                chunks.append(chunk)
            try:
                body = b"".join(chunks).decode("utf-8")
            except UnicodeDecodeError:
                raise FetchError("response is not UTF-8 text") from None
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    except requests.Timeout:
        if cached:
            return cached["body"], True  # offline or slow: the last good copy beats none
        raise FetchError(f"no answer within {timeout:g} s") from None
    except requests.RequestException as exc:
        if cached:
            return cached["body"], True
        raise FetchError(f"{type(exc).__name__}: {exc}") from None
    _write_entry(entry_path, {"url": url, "etag": etag, "last_modified": modified, "body": body})
    return body, False


def _read_entry(path: Path, url: str) -> Optional[dict]:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or corrupt: a miss, never an error
    if not isinstance(entry, dict) or entry.get("url") != url or not isinstance(entry.get("body"), str):
        return None
    return entry


def _write_entry(path: Path, entry: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".entry.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs the next run a download
