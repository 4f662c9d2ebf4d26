"""Settings, read once from environment variables and checked there, every one.

A bad value (a number that is not one, an unknown time zone, a crime-reference pattern that
does not compile) is one `ConfigError` naming the variable and what to set, for every command.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import SoteriaError
from bot.core.typed_input import DEFAULT_CRIME_REFERENCE, CrimeReferenceFormat

#: What a case may be known by in chats: its crime reference, or a handle the bot issues.
CASE_KEYS = ("crime-reference", "handle")
#: What a new installation keys its cases by: handles keep crime references off Telegram.
DEFAULT_CASE_KEY = "handle"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: Every variable the product reads, with its default: the README's table lists each one.
VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "SOTERIA_DB",
    "SOTERIA_PLAYBOOKS",
    "SOTERIA_TZ",
    "SOTERIA_LOG_LEVEL",
    "SOTERIA_CRIME_REFERENCE",
    "SOTERIA_CRIME_REFERENCE_EXAMPLE",
    "SOTERIA_CASE_KEY",
    "SOTERIA_NOTICE_SECONDS",
    "SOTERIA_ESCALATION_SECONDS",
    "SOTERIA_SEND_RATE",
    "SOTERIA_PERSON_RATE",
    "SOTERIA_BOT_USERNAME",
    "SOTERIA_CHECKPOINT_KEY",
    "SOTERIA_CHECKPOINTS",
    "SOTERIA_EXPORT_HOURS",
)
#: A Telegram username: 5 to 32 letters, digits and underscores, starting with a letter.
USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")


class ConfigError(SoteriaError):
    """A setting in the environment cannot be used; the message says which and what to set."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the data and playbooks live, how to reach Telegram, and the force's ways."""

    db_path: Path = Path("state/soteria.db")
    playbooks_dir: Path = Path("playbooks")
    timezone: str = "Europe/London"
    telegram_token: str | None = None
    telegram_api_base_url: str | None = None
    log_level: str = "INFO"
    #: A force's own crime reference shape, with an example that fits it.
    crime_reference: CrimeReferenceFormat = DEFAULT_CRIME_REFERENCE
    #: What a case is known by in chats: "crime-reference", or "handle" (issued by the bot);
    #: None when not set, for the key the database was created with (handles when new).
    case_key: str | None = None
    #: How often waiting notices are gathered and sent, and how often escalations are looked for.
    notice_seconds: float = 60.0
    escalation_seconds: float = 900.0
    #: Messages a second the bot sends in all (Telegram's flood limit is about 30); 0 sends
    #: unthrottled, for a Bot API server with no limit of its own (the benchmarks' emulator).
    send_rate: float = 30.0
    #: Updates a minute one person may send after a burst of 20; the rest are turned away
    #: politely. 0 turns the limit off (the benchmarks' simulated investigators tap non-stop).
    person_rate: float = 60.0
    #: The bot's Telegram username, for the enrolment links the command line prints: the
    #: command line has no token call to ask Telegram for it.
    bot_username: str | None = None
    #: The key file that signs checkpoints, and the folder they go to (None: beside the
    #: database, until the force points them elsewhere).
    checkpoint_key: Path | None = None
    checkpoints: Path | None = None
    #: How long an exported report may stay on the server before a job removes it.
    export_hours: float = 24.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check the settings from the environment (os.environ unless one is given)."""
        env = os.environ if environ is None else environ
        timezone = env.get("SOTERIA_TZ") or "Europe/London"
        _zone(timezone)
        return cls(
            db_path=Path(env.get("SOTERIA_DB") or "state/soteria.db"),
            playbooks_dir=Path(env.get("SOTERIA_PLAYBOOKS") or "playbooks"),
            timezone=timezone,
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
            log_level=_choice(env, "SOTERIA_LOG_LEVEL", LOG_LEVELS, "INFO", upper=True),
            crime_reference=_crime_reference(env),
            case_key=_case_key(env),
            notice_seconds=_seconds(env, "SOTERIA_NOTICE_SECONDS", 60.0),
            escalation_seconds=_seconds(env, "SOTERIA_ESCALATION_SECONDS", 900.0),
            send_rate=_rate(env, "SOTERIA_SEND_RATE", 30.0),
            person_rate=_rate(env, "SOTERIA_PERSON_RATE", 60.0),
            bot_username=_username(env, "SOTERIA_BOT_USERNAME"),
            checkpoint_key=_path(env, "SOTERIA_CHECKPOINT_KEY"),
            checkpoints=_path(env, "SOTERIA_CHECKPOINTS"),
            export_hours=_hours(env, "SOTERIA_EXPORT_HOURS", 24.0),
        )

    @property
    def zone(self) -> ZoneInfo:
        """The force's time zone (checked when the settings were read)."""
        return _zone(self.timezone)

    @property
    def reports_dir(self) -> Path:
        """Where exported reports are written: beside the database."""
        return self.db_path.parent / "reports"

    @property
    def checkpoint_key_path(self) -> Path:
        """The file of the key that signs checkpoints (its public half beside it, `.pub`)."""
        return self.checkpoint_key or self.db_path.parent / "keys" / "checkpoint.key"

    @property
    def checkpoints_dir(self) -> Path:
        """The folder signed checkpoints of the log are written to and checked against."""
        return self.checkpoints or self.db_path.parent / "checkpoints"


def _zone(name: str) -> ZoneInfo:
    """The time zone a name gives, or a sentence saying it names none."""
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigError(
            f"SOTERIA_TZ must name a time zone, like Europe/London; {name!r} is not one."
        ) from None


def _choice(
    env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str, upper: bool = False
) -> str:
    """One of a few words from the environment, or the default when unset."""
    raw = (env.get(name) or default).strip()
    value = raw.upper() if upper else raw.lower()
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}; {raw!r} is not.")
    return value


def _case_key(env: Mapping[str, str]) -> str | None:
    """The case key asked for, or None when unset: the database then keeps its own."""
    if not (env.get("SOTERIA_CASE_KEY") or "").strip():
        return None
    return _choice(env, "SOTERIA_CASE_KEY", CASE_KEYS, "handle")


def _path(env: Mapping[str, str], name: str) -> Path | None:
    """A path from the environment, or None when unset."""
    raw = (env.get(name) or "").strip()
    return Path(raw).expanduser() if raw else None


def _username(env: Mapping[str, str], name: str) -> str | None:
    """A Telegram username from the environment, without its @, or None when unset."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    username = raw.removeprefix("@")
    if not USERNAME.fullmatch(username):
        raise ConfigError(
            f"{name} must be the bot's username from BotFather, like soteria_anyshire_bot; "
            f"{raw!r} is not one."
        )
    return username


def _crime_reference(env: Mapping[str, str]) -> CrimeReferenceFormat:
    """The force's crime reference format, or the default one when none is set."""
    pattern = env.get("SOTERIA_CRIME_REFERENCE")
    if not pattern:
        return DEFAULT_CRIME_REFERENCE
    try:
        return CrimeReferenceFormat.of(pattern, env.get("SOTERIA_CRIME_REFERENCE_EXAMPLE") or "")
    except (ValueError, re.error) as error:
        raise ConfigError(
            "SOTERIA_CRIME_REFERENCE must be a regular expression, and "
            f"SOTERIA_CRIME_REFERENCE_EXAMPLE a reference that fits it: {error}"
        ) from None


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds from the environment, or the default."""
    value = _number(env, name, default, "a number of seconds")
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0 seconds.")
    return value


def _hours(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of hours from the environment, or the default."""
    value = _number(env, name, default, "a number of hours")
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0 hours.")
    return value


def _rate(env: Mapping[str, str], name: str, default: float) -> float:
    """A rate from the environment (0 for no limit), or the default."""
    value = _number(env, name, default, "a number")
    if value < 0:
        raise ConfigError(f"{name} must be 0 (no limit) or more.")
    return value


def _number(env: Mapping[str, str], name: str, default: float, what: str) -> float:
    """A number from the environment, or the default when it is unset or empty."""
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, not {raw!r}.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"{name} must be {what}, not {raw!r}.")
    return value
