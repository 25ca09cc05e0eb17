"""The policy files: YAML a clinician can read, shipped inside the package (this folder:
``answer.yaml``, ``safety.yaml``, ``triage/`` …) and found with :mod:`importlib.resources`, so
an installed wheel has them; a deployment's own folder (``CANCERINFO_POLICIES``, the
``policies`` setting) replaces each file it has. Every reader finds its file through
:func:`policy_path`."""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.resources
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cancerinfo.errors import PolicyError

M = TypeVar("M", bound=BaseModel)

# keeps the shipped folder on disk while the process runs, if it had to be extracted
_EXTRACTED = contextlib.ExitStack()
atexit.register(_EXTRACTED.close)


@functools.cache
def shipped_policies() -> Path:
    """The folder of the policy files shipped with cancerinfo, as a real path (the package's
    own folder when installed as files, as usual; extracted once when it is zipped)."""
    shipped = importlib.resources.files(__name__)
    return _EXTRACTED.enter_context(importlib.resources.as_file(shipped))


def policy_path(name: str, *, folder: Path | None = None) -> Path:
    """The policy file ``name`` (``"lint.yaml"``, ``"triage/rules.yaml"``, or the folder
    ``"triage"``): ``folder / name`` when a deployment's ``folder`` (the ``policies``
    setting) has it, else the shipped one, which must exist (:class:`PolicyError`)."""
    if folder is not None and (folder / name).exists():
        return folder / name
    path = shipped_policies() / name
    if not path.exists():
        raise PolicyError(f"{path}: policy file not found")
    return path


def read_policy(path: Path, *, what: str) -> dict[str, Any]:
    """Safe-load a policy file that must be a mapping; :class:`PolicyError` names the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or type(exc).__name__
        raise PolicyError(f"{path}: the {what} is not valid YAML{where}: {reason}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: the {what} must be 'key: value' lines")
    return data


def validated(model: type[M], data: dict[str, Any], path: Path) -> M:
    """``model`` built from ``data``; a bad value raises :class:`PolicyError` naming its key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"key {key_name(error['loc'])}: {error['msg']}" for error in exc.errors(include_url=False)
        )
        raise PolicyError(f"{path}: {details}") from None


def key_name(location: tuple[int | str, ...]) -> str:
    """A pydantic error location as a policy key: ``cancer_types.synonyms.lung item 1``."""
    return "".join(
        f" item {part + 1}" if isinstance(part, int) else f"{'.' if index else ''}{part}"
        for index, part in enumerate(location)
    ) or "(top level)"


# a back-reference or a conditional: such a pattern cannot be merged with others
_SELF_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


#: The check that a match starts a word, as patterns here begin.
WORD_START = r"(?<!\w)"


def any_of(patterns: Sequence[str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    """One pattern that matches where any of ``patterns`` does (one pass over a text, not
    one per pattern); None when there are none. A pattern that refers to its own groups (a
    back-reference or a conditional) would change meaning once merged: ``ValueError``.

    When every pattern is :data:`WORD_START` followed by one group ``(?:...)`` (as the
    policies' cues are compiled), the check is written once before the alternatives:
    the same matches, about three times faster (Python's ``re`` tries each alternative's
    own check at every position)."""
    if not patterns:
        return None
    for pattern in patterns:
        if _SELF_REFERENCE.search(pattern):
            raise ValueError(f"cannot merge a pattern that refers to its own groups: {pattern!r}")
    rests = [pattern.removeprefix(WORD_START) for pattern in patterns]
    if all(pattern.startswith(WORD_START) and _one_group(rest) for pattern, rest in zip(patterns, rests, strict=True)):
        return re.compile(WORD_START + "(?:" + "|".join(rests) + ")", flags)
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), flags)


def cue_pattern(cues: Sequence[str], *, whole_words: bool = False, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Where any of ``cues`` (plain words, not patterns) starts a word: a space in a cue
    matches any run of white space; a cue ending in ``$``, or every cue with
    ``whole_words``, only as whole words ("lump$": a lump, not a lumpectomy). Cues are
    lower-cased (``flags=0`` for a text already lower-cased). Without cues it never matches."""

    def alternative(cue: str) -> str:
        cue = cue.strip().lower()
        whole = whole_words or cue.endswith("$")
        words = re.escape(cue.removesuffix("$").strip()).replace(r"\ ", r"\s+")
        return WORD_START + "(?:" + words + (r"(?!\w)" if whole else "") + ")"

    pattern = any_of([alternative(cue) for cue in cues], flags=flags)
    return pattern if pattern is not None else re.compile(r"(?!)")


def unless(pattern: re.Pattern[str], excluded: re.Pattern[str] | None) -> re.Pattern[str]:
    """``pattern``, except in a text where ``excluded`` matches anywhere (None: ``pattern``
    itself): one pass over the text ("tests" in a heading, not in one saying "has been
    diagnosed")."""
    if excluded is None:
        return pattern
    return re.compile(rf"^(?!.*(?:{excluded.pattern})).*?(?:{pattern.pattern})", pattern.flags | re.DOTALL)


def _one_group(pattern: str) -> bool:
    """Is ``pattern`` one non-capturing group, ``(?:...)``, with nothing after it?"""
    if not pattern.startswith("(?:") or not pattern.endswith(")"):
        return False
    depth = 0
    escaped = False
    class_from = -1  # where the character class being read starts its members, or -1
    for position, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif class_from >= 0:
            if position == class_from and char == "^":
                class_from += 1
            elif char == "]" and position > class_from:  # "[]...]": a first ] is a member
                class_from = -1
        elif char == "[":
            class_from = position + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return position == len(pattern) - 1
    return False
