"""Docs are checked: the settings table is the one generated from the code, README's first
screen says what matters."""

from __future__ import annotations

from pathlib import Path

import yaml

from cancerinfo.policies import shipped_policies
from cancerinfo.settings import ENV_PREFIX, SETTINGS, main, settings_table, with_settings_table

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{ENV_PREFIX}{setting.name.upper()}`" in text, setting.name


def test_the_settings_table_is_the_generated_one() -> None:
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    assert settings_table() in text
    assert with_settings_table(text) == text, "docs/settings.md is out of date: run python -m cancerinfo.settings"


def test_the_table_is_rewritten_and_the_prose_kept(tmp_path: Path) -> None:
    doc = tmp_path / "settings.md"
    doc.write_text("# Settings\n\nBefore.\n\n| variable | flag | default | meaning |\n|---|---|---|---|\n| old |\n\nAfter.\n")
    assert main(["--check", str(doc)]) == 1
    assert main([str(doc)]) == 0
    assert doc.read_text() == "# Settings\n\nBefore.\n\n" + settings_table() + "\nAfter.\n"
    assert main(["--check", str(doc)]) == 0


def test_every_policy_file_is_documented() -> None:
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    for policy in sorted(shipped_policies().glob("*.yaml")):
        assert f"policies/{policy.name}" in text, policy.name
        assert isinstance(yaml.safe_load(policy.read_text(encoding="utf-8")), dict | list)


def test_readme_first_screen_says_what_it_is_and_is_not() -> None:
    first_screen = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:25])
    for needed in ("make demo", "make test", "not** a diagnosis", "emergency", "!["):
        assert needed in first_screen, needed
    image = first_screen.split("](", 1)[1].split(")", 1)[0]
    assert (REPO / image).is_file(), image


def test_every_lint_code_is_documented() -> None:
    from cancerinfo.kb import lint

    documented = (REPO / "docs" / "kb-format.md").read_text(encoding="utf-8")
    codes = [line.split()[0] for line in (lint.__doc__ or "").splitlines() if line.startswith("    ")]
    assert codes, "lint module docstring lists its codes"
    for code in codes:
        assert f"`{code}`" in documented, code
