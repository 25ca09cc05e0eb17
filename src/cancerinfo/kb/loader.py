"""Read KB files from disk into :class:`Document` records, or into problems.

Rules (each one names the file, and the line and field when known):

* ``.md`` and ``.txt`` files are KB pages; hidden files and folders are skipped.
* A symbolic link in a KB folder that leads outside that folder is rejected
  (``LINK_OUTSIDE_KB``, :func:`outside_root`); links within the folder are followed.
* A file over ``max_file_bytes`` (default 5 MB) is rejected before it is read; so is
  anything that is not a regular file (a folder, a pipe, a device such as ``/dev/zero``).
* A file with a NUL byte is binary and rejected; a UTF-16/32 byte-order mark is named.
* Invalid UTF-8 is **rejected** (not replaced): a medical quote must be the page's exact
  text, so we point at the line and column of the first bad byte instead of guessing.
* A UTF-8 BOM is dropped; CRLF and lone CR become LF.
* Bidi controls and other invisible format characters (:mod:`cancerinfo.kb.text`) are
  removed, each line that held some named in an ``INVISIBLE_CHARACTER`` warning: they
  could make a title or an answer read backwards, or hide text. The page's text (and its
  content hash) is the text without them.
* The front matter sits between a first line ``---`` and the next ``---`` (or ``...``)
  line and may not exceed ``max_front_matter_bytes`` (default 64 kB).
* YAML is parsed with PyYAML's *safe* loader only: tags such as ``!!python/object`` are
  refused, never executed; so is any explicit tag but ``!!str`` (``!!bool maybe`` would
  otherwise crash the constructor). Anchors/aliases (``&a`` / ``*a``, the "billion
  laughs" bomb), merge keys (``<<``), duplicate keys and nesting deeper than
  ``MAX_YAML_DEPTH`` are refused; depth and aliases are checked on the event stream,
  before any node tree is built (libyaml's composer recurses and would crash the
  process on ~25,000 nested ``[``).
* Keys are the KB's own spellings (``lastReviewed``, not ``last_reviewed``).
"""

from __future__ import annotations

import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cancerinfo.errors import InputPathError
from cancerinfo.kb.document import Document
from cancerinfo.kb.frontmatter import FrontMatter
from cancerinfo.kb.problems import Problem
from cancerinfo.kb.safe_yaml import MAX_YAML_DEPTH, _parse_yaml
from cancerinfo.kb.text import describe, has_invisible, invisible_by_line, remove_invisible

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "DEFAULT_MAX_FRONT_MATTER_BYTES",
    "KB_SUFFIXES",
    "MAX_YAML_DEPTH",
    "LoadLimits",
    "LoadResult",
    "invisible_problems",
    "iter_kb_files",
    "load_bytes",
    "load_file",
    "load_text",
    "outside_root",
    "read_kb_bytes",
]

KB_SUFFIXES = frozenset({".md", ".txt"})
DEFAULT_MAX_FILE_BYTES = 5_000_000
DEFAULT_MAX_FRONT_MATTER_BYTES = 64_000
_FOREIGN_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_ALIASES: dict[str, str] = {
    field.alias: name for name, field in FrontMatter.model_fields.items() if field.alias
}
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


@dataclass(frozen=True, slots=True)
class LoadLimits:
    """Size limits for one KB file and for its front matter, in bytes."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_front_matter_bytes: int = DEFAULT_MAX_FRONT_MATTER_BYTES


@dataclass(slots=True)
class LoadResult:
    """What loading one file gave: a document (maybe with warnings) or only problems."""

    path: Path
    document: Document | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file gave a document (it may still have warnings)."""
        return self.document is not None


def iter_kb_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """Yield ``(root, file)`` for every KB file under the given paths, sorted.

    A directory is its own root; a single file's root is the file itself (so a re-ingest
    of one file never marks its neighbours removed). Raises :class:`InputPathError` for a
    path that does not exist, and for a folder inside that cannot be listed (skipping it
    would make an ingest mark its pages removed).
    """
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputPathError(f"{given}: no such file or directory")
        if path.is_file():
            yield path.resolve(), path
            continue
        root = path.resolve()
        found: list[Path] = []
        for folder, dirs, files in os.walk(path, onerror=_unlistable):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.startswith(".") or Path(name).suffix.lower() not in KB_SUFFIXES:
                    continue
                found.append(Path(folder) / name)
        for file in sorted(found):
            yield root, file


def outside_root(root: Path, file: Path) -> LoadResult | None:
    """A rejection when ``file``, found in the folder ``root``, is a symbolic link (or
    lies under one) that leads out of that folder; ``None`` otherwise. A page of the KB
    must be a file of the KB: a link to ``/etc/...`` or a colleague's draft elsewhere is
    refused, not ingested. A single file given on the command line is its own root."""
    if not root.is_dir():
        return None
    target = os.path.realpath(file)
    folder = os.path.realpath(root)
    if os.path.commonpath([folder, target]) == folder:
        return None
    return _reject(
        file,
        "LINK_OUTSIDE_KB",
        f"this is a symbolic link to {target}, outside the KB folder {folder}: "
        "copy the page into the folder instead",
    )


def _unlistable(error: OSError) -> None:
    raise InputPathError(f"{error.filename}: cannot list this folder ({error.strerror or error})")


def load_file(path: Path, *, limits: LoadLimits = LoadLimits(), today: date | None = None) -> LoadResult:
    """Load one KB file; never raises for bad content."""
    data = read_kb_bytes(path, limits=limits)
    if isinstance(data, LoadResult):
        return data
    return load_bytes(data, path=str(path), limits=limits, today=today)


def read_kb_bytes(path: Path, *, limits: LoadLimits = LoadLimits()) -> bytes | LoadResult:
    """The bytes of a regular file within the size limit, or a rejection saying why not."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer; it is refused below.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                return _reject(path, "NOT_A_FILE", "this is a folder, not a file")
            if not stat.S_ISREG(info.st_mode):
                reason = "not a regular file (a pipe, socket or device): it cannot be a KB page"
                return _reject(path, "NOT_A_FILE", reason)
            if info.st_size > limits.max_file_bytes:
                return _reject(
                    path,
                    "FILE_TOO_LARGE",
                    f"file is {info.st_size:,} bytes, "
                    f"over the limit of {limits.max_file_bytes:,} bytes "
                    "(raise it with --max-file-size or CANCERINFO_MAX_FILE_BYTES)",
                )
            data: bytes = handle.read(limits.max_file_bytes + 1)  # a growing file stays bounded
            return data
    except IsADirectoryError:
        return _reject(path, "NOT_A_FILE", "this is a folder, not a file")
    except OSError as exc:
        return _reject(path, "UNREADABLE", f"cannot read the file: {exc.strerror or exc}")


def load_bytes(
    data: bytes, *, path: str, limits: LoadLimits = LoadLimits(), today: date | None = None
) -> LoadResult:
    """Load a KB page from raw bytes (the file's content); ``path`` is used in messages."""
    file_path = Path(path)
    if len(data) > limits.max_file_bytes:
        return _reject(file_path, "FILE_TOO_LARGE", f"file is over the limit of {limits.max_file_bytes:,} bytes")
    if data.startswith(_FOREIGN_BOMS):
        return _reject(file_path, "NOT_UTF8", "file is UTF-16 or UTF-32 encoded; save it as UTF-8")
    if b"\x00" in data:
        return _reject(file_path, "BINARY_FILE", "file contains NUL bytes: it is binary, not a Markdown page")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Lines as the loader counts them (CRLF and lone CR are line ends too); the column
        # in characters, as an editor shows it. Everything before exc.start is valid UTF-8.
        before = data[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8-sig")) + 1
        return _reject(
            file_path,
            "NOT_UTF8",
            f"invalid UTF-8 at line {line}, column {column} (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            line=line,
        )
    return load_text(text, path=path, limits=limits, today=today)


def load_text(
    text: str, *, path: str, limits: LoadLimits = LoadLimits(), today: date | None = None
) -> LoadResult:
    """Load a KB page from decoded text."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not has_invisible(text):
        return _load_normalised(text, Path(path), limits=limits, today=today)
    removed = invisible_problems(text, str(Path(path)))
    result = _load_normalised(remove_invisible(text), Path(path), limits=limits, today=today)
    result.problems[:0] = removed
    return result


def invisible_problems(text: str, path: str) -> list[Problem]:
    """One ``INVISIBLE_CHARACTER`` warning per line of ``text`` holding bidi controls or
    other invisible format characters (:mod:`cancerinfo.kb.text`), which loading removes."""
    problems = []
    for line, column, characters in invisible_by_line(text):
        counts = Counter(characters)
        named = ", ".join(
            describe(char) + (f" x{count}" if count > 1 else "") for char, count in counts.items()
        )
        message = (
            f"invisible character{'s' if len(characters) > 1 else ''} {named} "
            f"(first at column {column}) removed: bidi controls and zero-width characters "
            "can reverse or hide text"
        )
        problems.append(Problem(path, "INVISIBLE_CHARACTER", message, "warning", line))
    return problems


def _load_normalised(
    text: str, file_path: Path, *, limits: LoadLimits, today: date | None
) -> LoadResult:
    if "\x00" in text:
        return _reject(file_path, "BINARY_FILE", "file contains NUL characters: it is not a Markdown page")
    try:
        size_in_bytes = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from errors="surrogateescape"
        line = text.count("\n", 0, exc.start) + 1
        column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        return _reject(
            file_path,
            "NOT_UTF8",
            f"invalid character U+{ord(text[exc.start]):04X} (a lone surrogate) at line {line}, "
            f"column {column}: it cannot be stored as UTF-8",
            line=line,
        )
    if size_in_bytes > limits.max_file_bytes:
        too_large = f"file is over the limit of {limits.max_file_bytes:,} bytes"
        return _reject(file_path, "FILE_TOO_LARGE", too_large)
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return _reject(
            file_path, "NO_FRONT_MATTER", "the file must start with a '---' line opening the YAML front matter", line=1
        )
    closing = None
    size = 0
    for index in range(1, len(lines)):
        if _CLOSING_FENCE.match(lines[index]):
            closing = index
            break
        size += len(lines[index].encode("utf-8")) + 1
        if size > limits.max_front_matter_bytes:
            return _reject(
                file_path,
                "FRONT_MATTER_TOO_LARGE",
                f"front matter is over {limits.max_front_matter_bytes:,} bytes",
                line=index + 1,
            )
    if closing is None:
        return _reject(file_path, "NO_FRONT_MATTER", "the front matter opened on line 1 is never closed by a '---' line", line=1)
    header = "\n".join(lines[1:closing])
    body = "\n".join(lines[closing + 1 :])
    parsed = _parse_yaml(header, file_path)
    if isinstance(parsed, Problem):
        return LoadResult(file_path, None, [parsed])
    data, key_lines = parsed
    problems: list[Problem] = []
    try:
        front_matter = FrontMatter.model_validate(
            # KB input: the "not in the future" rule applies (against the clock when no today)
            data, context={"today": today or date.today()}, by_alias=True, by_name=False
        )
    except ValidationError as exc:
        problems.extend(_field_problems(exc, file_path, key_lines, data))
        return LoadResult(file_path, None, problems)
    for key in front_matter.extra_keys:
        problems.append(
            Problem(
                str(file_path),
                "UNKNOWN_FIELD",
                f"unknown field {key!r} is kept but not used",
                "warning",
                key_lines.get(key),
                key,
            )
        )
    if not body.strip():
        problems.append(Problem(str(file_path), "EMPTY_BODY", "the page has no text after the front matter", "error", closing + 2))
        return LoadResult(file_path, None, problems)
    document = Document(path=file_path, front_matter=front_matter, body=body, body_line=closing + 2, text=text)
    return LoadResult(file_path, document, problems)


def _field_problems(
    exc: ValidationError, path: Path, key_lines: dict[str, int], data: dict[str, Any]
) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        location = error.get("loc") or ()
        field_name = str(location[0]) if location else None
        if error["type"] == "missing":
            message = f"required field {field_name!r} is missing"
            code = "MISSING_FIELD"
            python_name = _ALIASES.get(field_name or "")
            if python_name in data:
                message += f" (the page has {python_name!r}: the KB spells it {field_name!r})"
                line = key_lines.get(python_name)
                problems.append(Problem(str(path), code, message, "error", line, field_name))
                continue
        else:
            detail = str(error["msg"]).removeprefix("Value error, ")
            if len(location) > 1:
                detail = f"item {int(location[1]) + 1}: {detail}" if isinstance(location[1], int) else detail
            if error["type"] == "string_too_short":
                detail = "must not be empty"
            if error["type"] == "enum":
                detail = f"{detail}; got {error.get('input')!r}"
            message = f"{field_name}: {detail}"
            code = "INVALID_FIELD"
        problems.append(Problem(str(path), code, message, "error", key_lines.get(field_name or ""), field_name))
    return problems


def _reject(path: Path, code: str, message: str, *, line: int | None = None) -> LoadResult:
    return LoadResult(path, None, [Problem(str(path), code, message, "error", line)])
