"""Docs are checked: every setting is documented, README's first screen says what matters."""

from __future__ import annotations

from pathlib import Path

import yaml

from cancerinfo.policies import shipped_policies
from cancerinfo.settings import ENV_PREFIX, SETTINGS

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{ENV_PREFIX}{setting.name.upper()}`" in text, setting.name


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
