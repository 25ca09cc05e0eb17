"""Settings: one dataclass, :class:`Settings`, overridable by ``CANCERINFO_*`` and flags.

Each setting is written once, as a field of :class:`Settings`: its name, type and default,
and in the field's metadata its help text, smallest value (whole numbers), flag and how
the default is shown. :data:`SETTINGS` lists them as :class:`Setting` records, and the
table of ``docs/settings.md`` is generated from them (:func:`settings_table`;
``python -m cancerinfo.settings`` rewrites it, a test checks it).

Precedence: a command-line flag wins over the environment variable, which wins over the
default. Values are checked when settings are built; a wrong one raises
:class:`cancerinfo.errors.SettingsError` naming the variable. An unknown ``CANCERINFO_*``
variable is an error too.
"""

from __future__ import annotations

import argparse
import os
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_args, get_type_hints

from cancerinfo.errors import SettingsError

ENV_PREFIX = "CANCERINFO_"
_SPEC = "cancerinfo.setting"  # the metadata key of a Settings field


@dataclass(frozen=True, slots=True)
class _Spec:
    help: str
    minimum: int
    flag: str
    command: str
    repeatable: bool
    shown: str


def _setting(
    default: Any,
    help: str,
    *,
    minimum: int = 1,
    flag: str = "",
    command: str = "",
    repeatable: bool = False,
    shown: str = "",
) -> Any:
    """A field of :class:`Settings`. ``minimum``: the smallest whole number accepted;
    ``flag``: the command-line flag that sets it (of ``command`` only, when given);
    ``shown``: the default as the docs show it, when not the value itself."""
    return field(default=default, metadata={_SPEC: _Spec(help, minimum, flag, command, repeatable, shown)})


_SAFETY = "(safety.yaml)"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, resolved: built by :meth:`load` (defaults, environment, flags)."""

    db: Path = _setting(
        Path("cancerinfo.db"), "SQLite file holding the KB, its versions and indexes.", flag="--db"
    )
    max_file_bytes: int = _setting(
        5_000_000,
        "Largest KB file accepted, in bytes; larger files are rejected before they are read.",
        flag="--max-file-size",
    )
    max_front_matter_bytes: int = _setting(64_000, "Largest YAML front matter accepted, in bytes.")
    policies: Path | None = _setting(
        None,
        "Folder of policy YAML files (`lint.yaml`, `answer.yaml`, `safety.yaml`, `retrieval.yaml`, "
        "`tiers.yaml`, `intents.yaml`) to use instead of the shipped ones, and a `triage/` folder "
        "replacing `policies/triage/`; a file the folder lacks stays the shipped one.",
        shown="(shipped `src/cancerinfo/policies/`)",
    )
    session_retention_days: int = _setting(
        30,
        "Days a conversation is kept after its last turn, and a shared answer after it was shared; "
        "older sessions (their turns and feedback) and shares are deleted (see "
        "`CANCERINFO_SESSION_PURGE_SECONDS`).",
    )
    session_max_turns: int = _setting(
        50,
        "Turns kept per conversation: past it the oldest turns are dropped, so the conversation "
        "keeps working.",
    )
    session_max_turn_chars: int = _setting(
        20_000,
        "Characters of each text a stored turn keeps; an answer whose JSON is longer is stored as "
        "its status, reason and intent only.",
    )
    session_purge_seconds: int = _setting(
        3600,
        "Seconds between deletions of expired conversations: when a turn is recorded, and on a "
        "timer in a running server (so they go even when nobody asks).",
    )
    emergency_number: str = _setting(
        "",
        "Emergency number text shown first in urgent replies, e.g. `112 (EU emergency number)`.",
        shown=_SAFETY,
    )
    crisis_line: str = _setting("", "Crisis line text shown for self-harm.", shown=_SAFETY)
    poison_control: str = _setting("", "Poison control contact shown for poisoning or overdose.", shown=_SAFETY)
    emergency_tel: str = _setting(
        "", "Number dialled by the emergency tap-to-call link (`tel:`), e.g. `112`.", shown="(safety.yaml: `911`)"
    )
    crisis_tel: str = _setting(
        "", "Number called (`tel:`) or texted (`sms:`) by the crisis-line links.", shown="(safety.yaml: `988`)"
    )
    poison_tel: str = _setting(
        "", "Number dialled by the poison-help link.", shown="(safety.yaml: `1-800-222-1222`)"
    )
    care_team: str = _setting(
        "", "How `care_team_now` replies name the cancer care team's 24-hour line.", shown=_SAFETY
    )
    care_team_tel: str = _setting(
        "",
        "The care team's 24-hour number: when set, `care_team_now` replies get a tap-to-call link to it.",
        shown="empty",
    )
    rate_limit_per_minute: int = _setting(
        60,
        "Web service: requests one client (IP address) may make per minute, in bursts of up to that "
        "many; more get `429` with `Retry-After`. Counted per server process (see "
        "[service.md](service.md#limits)).",
    )
    client_daily_quota: int = _setting(
        1000,
        "Web service: questions one client (IP address) may ask per UTC day (`POST /v1/ask`, "
        "`POST /v1/shares`, the chat's questions and shares); more get `429` `quota_exceeded` with "
        "`Retry-After` to midnight UTC. Counted per server process, by a keyed hash of the address, "
        "never the address (see [service.md](service.md#limits)).",
    )
    trusted_proxies: str = _setting(
        "",
        "Web service: comma-separated addresses or networks of reverse proxies whose "
        "`X-Forwarded-For` (client address, for the rate limit) and `X-Forwarded-Proto` are "
        "believed; empty: those headers are ignored from every peer, loopback included.",
        flag="--trusted-proxy",
        command="serve",
        repeatable=True,
        shown="empty",
    )
    max_body_bytes: int = _setting(
        65_536,
        "Web service: largest request body accepted, in bytes; a larger one gets `413` before it is read.",
    )
    answer_cache_size: int = _setting(
        1024,
        "Web service: answers to questions asked *without* a session that each server process keeps "
        "in memory (least recently used go first). The same question with the same filters gets the "
        "same answer until the KB changes or the day turns, when the cache is emptied. `1` keeps "
        "almost none.",
    )
    answer_processes: int = _setting(
        0,
        "Web service: processes that answer questions (each loads the KB and uses a core), fed from "
        "one queue, first come first served; `0` answers in the server process itself. See "
        "[service.md](service.md).",
        minimum=0,
        flag="--answer-processes",
        command="serve",
    )

    @classmethod
    def load(
        cls, *, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """Defaults, then ``CANCERINFO_*`` variables, then non-None ``overrides`` (flags)."""
        env = os.environ if environ is None else environ
        known = {setting.name for setting in SETTINGS} | {setting.name for setting in ENV_ONLY}
        for key in env:
            if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() not in known:
                raise SettingsError(
                    f"unknown setting {key}; known: "
                    + ", ".join(ENV_PREFIX + name.upper() for name in sorted(known))
                )
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.variable)
            if raw is not None:
                values[setting.name] = setting.convert(raw, source=setting.variable)
        for name, value in overrides.items():
            if name not in _SETTING_BY_NAME:
                raise SettingsError(f"unknown setting {name!r}")
            if value is not None:
                setting = _SETTING_BY_NAME[name]
                values[name] = setting.convert(value, source=setting.flag or f"--{name.replace('_', '-')}")
        return replace(cls(), **values)


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting as :data:`SETTINGS` and :data:`ENV_ONLY` list it (read-only view).

    ``kind`` is the field's type without ``None`` (``int``, ``str``, ``Path``; ``None`` for a
    variable read elsewhere) and ``optional`` says an empty value means ``None``.
    """

    name: str
    default: Any
    help: str
    minimum: int = 1  # for whole numbers
    flag: str = ""
    command: str = ""
    repeatable: bool = False
    shown: str = ""
    kind: type | None = None
    optional: bool = False

    @property
    def variable(self) -> str:
        """The environment variable that sets it (``CANCERINFO_`` + the name in capitals)."""
        return ENV_PREFIX + self.name.upper()

    def convert(self, raw: Any, *, source: str) -> Any:
        """``raw`` (a variable's text or a flag's value) as this setting's type, checked."""
        if self.kind is int:
            try:
                number = int(str(raw).replace("_", ""))
            except ValueError:
                raise SettingsError(f"{source} must be a whole number, got {raw!r}") from None
            if number < self.minimum:
                qualifier = "positive" if self.minimum == 1 else f"at least {self.minimum}"
                raise SettingsError(f"{source} must be {qualifier}, got {number}")
            return number
        text = str(raw).strip()
        if self.kind is str:
            return text  # free text; empty keeps the policy's own
        if not text:
            if self.optional:
                return None
            raise SettingsError(f"{source} must not be empty")
        return Path(text)

    def row(self) -> str:
        """This setting's line of the docs table."""
        flag = "—"
        if self.flag:
            flag = f"`{self.command} {self.flag}`" if self.command else f"`{self.flag}`"
            flag += " (repeatable)" if self.repeatable else ""
        shown = self.shown or f"`{self.default}`"
        return f"| `{self.variable}` | {flag} | {shown} | {self.help} |"


def _settings_of(cls: type) -> tuple[Setting, ...]:
    hints = get_type_hints(cls)
    found = []
    for item in fields(cls):
        spec: _Spec = item.metadata[_SPEC]
        hint = hints[item.name]
        arguments = get_args(hint) if isinstance(hint, types.UnionType) else ()
        kind = next((a for a in arguments if a is not type(None)), hint)
        found.append(
            Setting(
                item.name, item.default, spec.help, spec.minimum, spec.flag, spec.command, spec.repeatable,
                spec.shown, kind, type(None) in arguments,
            )
        )
    return tuple(found)


#: The fields of :class:`Settings`, in the order of the docs table.
SETTINGS: tuple[Setting, ...] = _settings_of(Settings)
_SETTING_BY_NAME = {setting.name: setting for setting in SETTINGS}

#: Variables read elsewhere (not fields of :class:`Settings`); known, so not an error, and
#: documented in the same table.
ENV_ONLY: tuple[Setting, ...] = (
    Setting(
        "cache_dir", None,
        "Where the question model derived from the shipped embedding model is kept "
        "([embedding.md](embedding.md#the-question-model)); if it cannot be written, the model is "
        "derived in memory at each start (≈ 3 s).",
        shown="`$XDG_CACHE_HOME/cancerinfo`, else `~/.cache/cancerinfo`",
    ),
    Setting("test_shared", None, "Tests only: where the real corpora live.", shown="`../shared`"),
    Setting(
        "admin_token", None,
        "Web service: the bearer token of the admin API and the password of the admin pages, at "
        "least 16 characters. Unset: admin is closed (`404`).",
        shown="unset",
    ),
)

TABLE_HEADER = "| variable | flag | default | meaning |\n|---|---|---|---|"


def settings_table() -> str:
    """The Markdown table of every variable (``docs/settings.md``), ending with a newline."""
    return "\n".join([TABLE_HEADER, *(setting.row() for setting in SETTINGS + ENV_ONLY)]) + "\n"


def with_settings_table(document: str) -> str:
    """``document`` (the text of ``docs/settings.md``) with its table replaced by
    :func:`settings_table`; the text before and after it is kept."""
    lines = document.splitlines(keepends=True)
    header = TABLE_HEADER.splitlines()[0]
    try:
        start = next(n for n, line in enumerate(lines) if line.rstrip("\n") == header)
    except StopIteration:
        raise ValueError(f"no settings table (a line {header!r}) in the document") from None
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "".join(lines[:start]) + settings_table() + "".join(lines[end:])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cancerinfo.settings [--check] [FILE]``: rewrite the table of FILE."""
    parser = argparse.ArgumentParser(
        prog="python -m cancerinfo.settings",
        description="Rewrite the settings table of docs/settings.md from cancerinfo.settings.",
    )
    parser.add_argument("file", nargs="?", type=Path, default=Path("docs/settings.md"))
    parser.add_argument("--check", action="store_true", help="only say whether the table is up to date (exit 1 if not)")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    updated = with_settings_table(text)
    if args.check:
        if updated != text:
            print(f"{args.file}: the settings table is out of date; run python -m cancerinfo.settings", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        args.file.write_text(updated, encoding="utf-8")
        print(f"{args.file}: settings table rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
