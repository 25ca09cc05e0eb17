"""Settings: one table of (name, default, help), overridable by ``CANCERINFO_*`` and flags.

Precedence: a command-line flag wins over the environment variable, which wins over the
default. Values are checked when settings are built; a wrong one raises
:class:`cancerinfo.errors.SettingsError` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cancerinfo.errors import SettingsError

ENV_PREFIX = "CANCERINFO_"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str
    minimum: int = 1  # for whole numbers


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "cancerinfo.db", "SQLite file holding the KB, its versions and indexes."),
    Setting("max_file_bytes", 5_000_000, "Largest KB file accepted, in bytes; larger files are rejected."),
    Setting(
        "max_front_matter_bytes", 64_000, "Largest YAML front matter accepted, in bytes; larger is rejected."
    ),
    Setting("policies", "", "Folder of policy YAML files; empty means the policies/ shipped with cancerinfo."),
    Setting("session_retention_days", 30, "Days a conversation is kept after its last turn; then deleted."),
    Setting("session_max_turns", 50, "Turns kept per conversation; past it the oldest turns are dropped."),
    Setting(
        "session_max_turn_chars", 20_000,
        "Characters of each text kept per stored turn; a longer answer is stored as its status only.",
    ),
    Setting("session_purge_seconds", 3600, "Seconds between deletions of expired conversations (a server runs them on a timer)."),
    Setting("emergency_number", "", "Emergency number shown in urgent replies; empty means safety.yaml's."),
    Setting("crisis_line", "", "Crisis line shown for self-harm; empty means safety.yaml's."),
    Setting("poison_control", "", "Poison control contact shown for poisoning; empty means safety.yaml's."),
    Setting("emergency_tel", "", "Number dialled by the emergency tap-to-call link (e.g. 112); empty means safety.yaml's."),
    Setting("crisis_tel", "", "Number called or texted by the crisis-line links; empty means safety.yaml's."),
    Setting("poison_tel", "", "Number dialled by the poison-help link; empty means safety.yaml's."),
    Setting("care_team", "", "How replies name the cancer care team's 24-hour line; empty means safety.yaml's."),
    Setting("care_team_tel", "", "The care team's 24-hour number for a tap-to-call link; empty: no such link."),
    Setting("rate_limit_per_minute", 60, "Web service: requests one client (IP address) may make per minute, per process."),
    Setting(
        "trusted_proxies", "",
        "Web service: comma-separated addresses of reverse proxies whose X-Forwarded-For names the client; "
        "empty: the header is ignored.",
    ),
    Setting(
        "client_daily_quota", 1000,
        "Web service: questions one client (IP address) may ask per UTC day, per process; more get 429 "
        "quota_exceeded.",
    ),
    Setting("max_body_bytes", 65_536, "Web service: largest request body accepted, in bytes; larger is refused with 413."),
    Setting(
        "answer_cache_size", 1024,
        "Web service: answers to questions asked without a session kept in memory per process; 1 keeps almost none.",
    ),
    Setting(
        "answer_processes", 0,
        "Web service: processes that answer questions, fed in turn from one queue per server process; "
        "0 answers in the server process itself.",
        minimum=0,
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path = Path("cancerinfo.db")
    max_file_bytes: int = 5_000_000
    max_front_matter_bytes: int = 64_000
    policies: Path | None = None
    session_retention_days: int = 30
    session_max_turns: int = 50
    session_max_turn_chars: int = 20_000
    session_purge_seconds: int = 3600
    emergency_number: str = ""
    crisis_line: str = ""
    poison_control: str = ""
    emergency_tel: str = ""
    crisis_tel: str = ""
    poison_tel: str = ""
    care_team: str = ""
    care_team_tel: str = ""
    rate_limit_per_minute: int = 60
    trusted_proxies: str = ""
    client_daily_quota: int = 1000
    max_body_bytes: int = 65_536
    answer_cache_size: int = 1024
    answer_processes: int = 0

    @classmethod
    def load(
        cls, *, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """Defaults, then ``CANCERINFO_*`` variables, then non-None ``overrides`` (flags)."""
        env = os.environ if environ is None else environ
        known = {setting.name for setting in SETTINGS}
        for key in env:
            if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() not in known | _ENV_ONLY:
                raise SettingsError(
                    f"unknown setting {key}; known: "
                    + ", ".join(ENV_PREFIX + name.upper() for name in sorted(known | _ENV_ONLY))
                )
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(ENV_PREFIX + setting.name.upper())
            if raw is not None:
                values[setting.name] = _convert(setting, raw, source=ENV_PREFIX + setting.name.upper())
        for name, value in overrides.items():
            if name not in known:
                raise SettingsError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = _convert(_SETTING_BY_NAME[name], value, source=f"--{name.replace('_', '-')}")
        return replace(cls(), **values)


# Variables read elsewhere (documented in docs/settings.md) that are not Settings fields.
_ENV_ONLY = frozenset({"test_shared", "admin_token", "cache_dir"})
_SETTING_BY_NAME = {setting.name: setting for setting in SETTINGS}


def _convert(setting: Setting, raw: Any, *, source: str) -> Any:
    if isinstance(setting.default, int):
        try:
            number = int(str(raw).replace("_", ""))
        except ValueError:
            raise SettingsError(f"{source} must be a whole number, got {raw!r}") from None
        if number < setting.minimum:
            qualifier = "positive" if setting.minimum == 1 else f"at least {setting.minimum}"
            raise SettingsError(f"{source} must be {qualifier}, got {number}")
        return number
    text = str(raw).strip()
    if setting.name == "policies":
        return Path(text) if text else None
    if isinstance(setting.default, str) and setting.name != "db":
        return text  # free text; empty keeps the policy's own
    if not text:
        raise SettingsError(f"{source} must not be empty")
    return Path(text)
