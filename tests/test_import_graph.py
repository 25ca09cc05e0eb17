"""The import graph read from the source: the store keeps pages and their versions and knows
nothing of how they are searched or answered, so nothing under ``store/`` imports the index
or what sits above it (the ingest that runs KB -> store -> index is ``pipeline/``)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cancerinfo"

#: What the store must not import, at module level or inside a function.
ABOVE_THE_STORE = (
    "cancerinfo.index",
    "cancerinfo.answer",
    "cancerinfo.service",
    "cancerinfo.triage",
    "cancerinfo.eval",
)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module ``source`` (the text of ``module``) imports, with its line: ``import x``
    and ``from x import y`` anywhere in the file (functions, classes, ``if TYPE_CHECKING``),
    relative imports resolved, ``importlib.import_module("x")`` with a literal name. For
    ``from x import y`` both ``x`` and ``x.y`` are named (``y`` may be a module)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (
                    isinstance(node.func, ast.Name)
                    and node.func.id in ("import_module", "__import__")
                )
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return sorted(found)


def forbidden(imports: list[tuple[int, str]], prefixes: tuple[str, ...]) -> list[tuple[int, str]]:
    return [
        (line, name)
        for line, name in imports
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)
    ]


def module_name(path: Path) -> tuple[str, bool]:
    """``cancerinfo.store.verify`` for ``store/verify.py``; whether it is a package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def test_the_store_imports_neither_the_index_nor_anything_above_it() -> None:
    files = sorted((PACKAGE / "store").rglob("*.py"))
    assert len(files) >= 5, files
    violations: list[str] = []
    seen: set[str] = set()
    for path in files:
        module, is_package = module_name(path)
        imports = imports_of(path.read_text(encoding="utf-8"), module, is_package=is_package)
        seen.update(name for _, name in imports)
        violations += [
            f"{path.relative_to(PACKAGE.parent)}:{line}: imports {name}"
            for line, name in forbidden(imports, ABOVE_THE_STORE)
        ]
    assert "cancerinfo.store.database" in seen  # the scanner reads the real files
    assert violations == []


def test_the_scanner_finds_an_import_however_it_is_written() -> None:
    source = """\
import importlib
from typing import TYPE_CHECKING

from .database import Store

if TYPE_CHECKING:
    from cancerinfo.service.app import create_app


def build() -> None:
    from cancerinfo.index.x import y


class Reader:
    def read(self) -> None:
        import cancerinfo.answer.composer as composer
        from ..triage import rules
        from .. import eval
        importlib.import_module("cancerinfo.index.postings")
"""
    imports = imports_of(source, "cancerinfo.store.example")
    assert (4, "cancerinfo.store.database") in imports
    assert forbidden(imports, ABOVE_THE_STORE) == [
        (7, "cancerinfo.service.app"),
        (7, "cancerinfo.service.app.create_app"),
        (11, "cancerinfo.index.x"),
        (11, "cancerinfo.index.x.y"),
        (16, "cancerinfo.answer.composer"),
        (17, "cancerinfo.triage"),
        (17, "cancerinfo.triage.rules"),
        (18, "cancerinfo.eval"),
        (19, "cancerinfo.index.postings"),
    ]


def test_relative_imports_resolve_from_a_package_and_from_a_module() -> None:
    assert imports_of("from . import schema", "cancerinfo.store", is_package=True) == [
        (1, "cancerinfo.store"),
        (1, "cancerinfo.store.schema"),
    ]
    assert imports_of("from ..index import build", "cancerinfo.store.verify") == [
        (1, "cancerinfo.index"),
        (1, "cancerinfo.index.build"),
    ]
