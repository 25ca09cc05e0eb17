"""Settings: one definition (the fields of ``Settings``), precedence flag > environment > default."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from cancerinfo.errors import SettingsError
from cancerinfo.settings import ENV_ONLY, SETTINGS, Settings


def test_every_field_is_a_setting_with_its_help_and_default() -> None:
    assert [setting.name for setting in SETTINGS] == [item.name for item in fields(Settings)]
    defaults = Settings()
    for setting in SETTINGS:
        assert setting.help.endswith("."), setting.name
        assert getattr(defaults, setting.name) == setting.default, setting.name
    assert not {setting.name for setting in SETTINGS} & {setting.name for setting in ENV_ONLY}


def test_a_flag_wins_over_the_environment_which_wins_over_the_default() -> None:
    assert Settings.load(environ={}).db == Path("cancerinfo.db")
    assert Settings.load(environ={"CANCERINFO_DB": "env.db"}).db == Path("env.db")
    assert Settings.load(environ={"CANCERINFO_DB": "env.db"}, db=Path("flag.db")).db == Path("flag.db")
    assert Settings.load(environ={"CANCERINFO_DB": "env.db"}, db=None).db == Path("env.db")


def test_values_are_converted_by_the_field_type() -> None:
    settings = Settings.load(
        environ={"CANCERINFO_POLICIES": " mine ", "CANCERINFO_MAX_BODY_BYTES": "1_000", "CANCERINFO_CRISIS_LINE": " 988 "}
    )
    assert (settings.policies, settings.max_body_bytes, settings.crisis_line) == (Path("mine"), 1000, "988")
    assert Settings.load(environ={"CANCERINFO_POLICIES": ""}).policies is None


@pytest.mark.parametrize(
    ("environ", "overrides", "message"),
    [
        ({"CANCERINFO_DB": " "}, {}, "CANCERINFO_DB must not be empty"),
        ({"CANCERINFO_SESSION_MAX_TURNS": "many"}, {}, "CANCERINFO_SESSION_MAX_TURNS must be a whole number, got 'many'"),
        ({}, {"max_file_bytes": 0}, "--max-file-size must be positive, got 0"),  # the flag's own name
        ({"CANCERINFO_DBB": "x"}, {}, "unknown setting CANCERINFO_DBB; known: CANCERINFO_ADMIN_TOKEN"),
        ({}, {"dbb": "x"}, "unknown setting 'dbb'"),
    ],
)
def test_a_wrong_value_is_one_line_naming_it(environ: dict[str, str], overrides: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.load(environ=environ, **overrides)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


def test_variables_read_elsewhere_are_known() -> None:
    environ = {setting.variable: "x" * 20 for setting in ENV_ONLY}
    assert Settings.load(environ=environ) == Settings()
