"""Every public function, class and method under ``src/cancerinfo`` has a docstring (issue 16).

Public: a name not starting with ``_``, at module level or in a public class (a method of
``_Private`` is not public, and nothing nested in a function is looked at).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "cancerinfo"

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def undocumented(source: str) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of each public function, class or method of ``source``
    without a docstring."""
    found: list[tuple[int, str]] = []

    def walk(node: ast.AST, prefix: str, public_parent: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, Definition):
                continue
            public = public_parent and not child.name.startswith("_")
            if public and ast.get_docstring(child) is None:
                found.append((child.lineno, prefix + child.name))
            if isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.", public)

    walk(ast.parse(source), "", True)
    return found


def test_the_check_finds_what_it_should() -> None:
    source = '''
def documented():
    """Yes."""

def bare(): ...

async def bare_async(): ...

def _private(): ...

class Public:
    def method(self): ...

    def _helper(self): ...

    class Inner:
        """Yes."""

        def deep(self): ...

class _Private:
    def method(self): ...

def outer():
    """Yes."""

    def nested(): ...
'''
    assert undocumented(source) == [
        (5, "bare"),
        (7, "bare_async"),
        (11, "Public"),
        (12, "Public.method"),
        (19, "Public.Inner.deep"),
    ]


def test_every_public_function_and_class_has_a_docstring() -> None:
    missing = [
        f"{path.relative_to(REPO)}:{line} {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, name in undocumented(path.read_text(encoding="utf-8"))
    ]
    assert not missing, f"{len(missing)} without a docstring:\n" + "\n".join(missing)
