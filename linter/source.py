"""Reading and writing the files under analysis, byte for byte.

Text is decoded without newline translation so offsets, line endings and a BOM survive a fix
exactly; Python files honour their PEP 263 coding cookie. Nothing here imports or runs the file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be read as text; `code` is the DS9xx diagnostic to report."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SourceText:
    path: Path
    raw: bytes
    text: str
    encoding: str  # a Python codec name; "utf-8-sig" when the file starts with a BOM

    # A byte-order mark the codec does not write itself (UTF-16 files keep theirs as found).
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


def read_source(path: Path, python: bool, max_size: int = DEFAULT_MAX_FILE_SIZE) -> SourceText:
    try:
        size = path.stat().st_size
        if size > max_size:
            raise SourceError(
                "DS902",
                f"file is too large to check ({size:,} bytes; the limit is {max_size:,}, "
                "set `max-file-size` to raise it)",
            )
        raw = path.read_bytes()
    except SourceError:
        raise
    except IsADirectoryError:
        raise SourceError("DS903", "is a directory, not a file") from None
    except PermissionError:
        raise SourceError("DS903", "cannot be read: permission denied") from None
    except OSError as exc:
        raise SourceError("DS903", f"cannot be read: {exc.strerror or exc}") from None
    return decode_source(path, raw, python)


UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def decode_source(path: Path, raw: bytes, python: bool) -> SourceText:
    codec = UTF16_BOMS.get(raw[:2])
    if codec is not None and not python:
        # A requirements file or conda environment exported by Windows tools: UTF-16 with a BOM,
        # which pip and YAML readers accept (CPython does not, for a DAG: that stays DS902).
        try:
            return SourceText(path=path, raw=raw, text=raw[2:].decode(codec), encoding=codec, bom=raw[:2])
        except UnicodeDecodeError:
            raise SourceError("DS902", f"cannot be decoded: not valid {codec.upper()}") from None
    if b"\x00" in raw:
        raise SourceError("DS902", "looks like a binary file (it contains NUL bytes)")
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    # PEP 263: a coding cookie sits on line 1 or 2. Without one, the answer is already known.
    if python and b"coding" in raw[: _second_line_end(raw)]:
        import io
        import tokenize

        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as exc:
            if "invalid or missing encoding declaration" not in exc.msg:
                raise SourceError("DS902", f"bad encoding declaration: {exc.msg}") from None
            # Not UTF-8: the decode below names the offending byte.
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            bad = raw[exc.start : exc.start + 1].hex()
            line = raw.count(b"\n", 0, exc.start) + 1
            detail = f"byte 0x{bad} at line {line} is not valid {encoding.replace('-sig', '')}"
        else:
            detail = f"unknown encoding {encoding!r}"
        raise SourceError("DS902", f"cannot be decoded: {detail}") from None
    return SourceText(path=path, raw=raw, text=text, encoding=encoding)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers see the old or the new file, never a torn one.

    The file's mode is kept; a symlink is written through to its target, never replaced.
    """
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode)
    # The mode bits, not os.access: running as root must not override a file marked read-only.
    if not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise PermissionError(f"{path} is read-only")
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".dagshift", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _second_line_end(raw: bytes) -> int:
    first = raw.find(b"\n")
    if first < 0:
        return len(raw)
    second = raw.find(b"\n", first + 1)
    return len(raw) if second < 0 else second
