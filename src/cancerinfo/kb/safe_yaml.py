"""The safe reading of a KB page's YAML front matter for :mod:`cancerinfo.kb.loader`:
PyYAML's safe loader (an impossible date stays text), aliases and nesting deeper than
``MAX_YAML_DEPTH`` refused on the event stream before any node tree is built, then explicit
tags, merge keys and duplicate keys refused on the node tree; each refusal a
:class:`~cancerinfo.kb.problems.Problem` naming the line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from cancerinfo.kb.problems import Problem

MAX_YAML_DEPTH = 20

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _KBLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """The safe loader, except that an impossible date (``2025-02-30``) stays text.

    PyYAML raises a bare ``ValueError`` for it; as text, the front-matter model rejects
    it naming the field and saying why.
    """

    def construct_date_or_text(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_KBLoader.add_constructor("tag:yaml.org,2002:timestamp", _KBLoader.construct_date_or_text)


def _parse_yaml(header: str, path: Path) -> tuple[dict[str, Any], dict[str, int]] | Problem:
    """Safe-load the header; return the mapping and the file line of each key."""
    where = str(path)
    try:
        stream_problem = _check_events(header, where)
        if stream_problem is not None:
            return stream_problem
        loader = _KBLoader(header)
        try:
            node = loader.get_single_node()
            if node is None:
                return Problem(where, "EMPTY_FRONT_MATTER", "the front matter is empty", "error", 2)
            shape_problem = _check_node_tree(node, where, loader)
            if shape_problem is not None:
                return shape_problem
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError:
        bad = yaml.reader.Reader.NON_PRINTABLE.search(header)
        if bad is None:
            reason = "front matter holds a character YAML does not allow"
            return Problem(where, "INVALID_YAML", reason, "error", 2)
        line = header.count("\n", 0, bad.start()) + 2
        reason = f"front matter holds the control character U+{ord(bad.group()):04X}, which YAML does not allow"
        return Problem(where, "INVALID_YAML", reason, "error", line)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        reason = exc.problem or "invalid YAML"
        if isinstance(exc, yaml.constructor.ConstructorError) and "constructor for the tag" in reason:
            reason = f"YAML tag {_tag_of(reason)} is not allowed: front matter holds plain values only"
            return Problem(where, "YAML_TAG", reason, "error", line)
        return Problem(where, "INVALID_YAML", f"front matter is not valid YAML: {reason}", "error", line)
    except Exception as exc:  # e.g. an over-long integer: bad content must never escape
        reason = f"front matter could not be read: {str(exc) or type(exc).__name__}"
        return Problem(where, "INVALID_YAML", reason, "error", 2)
    if not isinstance(data, dict):
        return Problem(where, "INVALID_YAML", "front matter must be 'key: value' lines", "error", 2)
    key_lines: dict[str, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    bad_keys = [key for key in data if not isinstance(key, str)]
    if bad_keys:
        return Problem(where, "INVALID_YAML", f"front matter keys must be words, got {bad_keys[0]!r}", "error", 2)
    return data, key_lines


def _check_events(header: str, where: str) -> Problem | None:
    """Refuse aliases and deep nesting from the event stream, before any tree is built."""
    loader = _KBLoader(header)
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 2
            if isinstance(event, yaml.AliasEvent):
                reason = "YAML anchors and aliases (&name / *name) are not allowed"
                return Problem(where, "YAML_ALIAS", reason, "error", line)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    reason = f"front matter is nested more than {MAX_YAML_DEPTH} levels deep"
                    return Problem(where, "INVALID_YAML", reason, "error", line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return None


def _check_node_tree(root: yaml.Node, where: str, loader: yaml.SafeLoader) -> Problem | None:
    """Refuse aliases (a node reached twice), explicit tags, merge keys, duplicate keys and
    deep nesting."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 2
        if id(node) in seen:
            return Problem(where, "YAML_ALIAS", "YAML anchors and aliases (&name / *name) are not allowed", "error", line)
        seen.add(id(node))
        if depth > MAX_YAML_DEPTH:
            return Problem(where, "INVALID_YAML", f"front matter is nested more than {MAX_YAML_DEPTH} levels deep", "error", line)
        if node.tag not in (_STR_TAG, _implicit_tag(node, loader)):
            reason = f"YAML tag {_short_tag(node.tag)} is not allowed: front matter holds plain values only"
            return Problem(where, "YAML_TAG", reason, "error", line)
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value == "<<" or key.tag == _MERGE_TAG:
                        return Problem(where, "YAML_ALIAS", "YAML merge keys (<<) are not allowed", "error", key.start_mark.line + 2)
                    if key.value in keys:
                        return Problem(
                            where, "DUPLICATE_KEY", f"key {key.value!r} appears twice", "error", key.start_mark.line + 2, key.value
                        )
                    keys.add(key.value)
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return None


def _implicit_tag(node: yaml.Node, loader: yaml.SafeLoader) -> str:
    """The tag the node would have without an explicit one (plain scalars are resolved)."""
    if isinstance(node, yaml.ScalarNode):
        plain = node.style in (None, "")
        return str(loader.resolve(yaml.ScalarNode, node.value, (plain, not plain)))
    return str(loader.resolve(type(node), None, True))


def _short_tag(tag: str) -> str:
    return f"'{tag.replace('tag:yaml.org,2002:', '!!')}'"


def _tag_of(reason: str) -> str:
    match = re.search(r"tag '([^']*)'", reason)
    return f"'{match.group(1).replace('tag:yaml.org,2002:', '!!')}'" if match else "(unknown)"
