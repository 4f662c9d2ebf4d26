"""Settings, read once from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the data and playbooks live, and how to reach Telegram."""

    db_path: Path = Path("state/soteria.db")
    playbooks_dir: Path = Path("playbooks")
    timezone: str = "Europe/London"
    telegram_token: str | None = None
    telegram_api_base_url: str | None = None
    log_level: str = "INFO"
    #: A force's own crime reference shape (a regular expression) and an example that fits it.
    crime_reference_pattern: str | None = None
    crime_reference_example: str | None = None
    #: What a case is known by in chats: "crime-reference", or "handle" (issued by the bot).
    case_key: str = "crime-reference"
    #: How often waiting notices are gathered and sent, and how often escalations are looked for.
    notice_seconds: float = 60.0
    escalation_seconds: float = 900.0
    #: Messages a second the bot sends in all (Telegram's flood limit is about 30); 0 sends
    #: unthrottled, for a Bot API server with no limit of its own (the benchmarks' emulator).
    send_rate: float = 30.0
    #: Updates a minute one person may send after a burst of 20; the rest are turned away
    #: politely. 0 turns the limit off (the benchmarks' simulated investigators tap non-stop).
    person_rate: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from the environment (os.environ unless one is given)."""
        env = os.environ if environ is None else environ
        return cls(
            db_path=Path(env.get("SOTERIA_DB") or "state/soteria.db"),
            playbooks_dir=Path(env.get("SOTERIA_PLAYBOOKS") or "playbooks"),
            timezone=env.get("SOTERIA_TZ") or "Europe/London",
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
            log_level=(env.get("SOTERIA_LOG_LEVEL") or "INFO").upper(),
            crime_reference_pattern=env.get("SOTERIA_CRIME_REFERENCE") or None,
            crime_reference_example=env.get("SOTERIA_CRIME_REFERENCE_EXAMPLE") or None,
            case_key=(env.get("SOTERIA_CASE_KEY") or "crime-reference").strip().lower(),
            notice_seconds=_seconds(env, "SOTERIA_NOTICE_SECONDS", 60.0),
            escalation_seconds=_seconds(env, "SOTERIA_ESCALATION_SECONDS", 900.0),
            send_rate=_rate(env, "SOTERIA_SEND_RATE", 30.0),
            person_rate=_rate(env, "SOTERIA_PERSON_RATE", 60.0),
        )

    @property
    def reports_dir(self) -> Path:
        """Where exported reports are written: beside the database."""
        return self.db_path.parent / "reports"


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds from the environment, or the default."""
    value = _number(env, name, default, "a number of seconds")
    if value <= 0:
        raise ValueError(f"{name} must be more than 0 seconds.")
    return value


def _rate(env: Mapping[str, str], name: str, default: float) -> float:
    """A rate from the environment (0 for no limit), or the default."""
    value = _number(env, name, default, "a number")
    if value < 0:
        raise ValueError(f"{name} must be 0 (no limit) or more.")
    return value


def _number(env: Mapping[str, str], name: str, default: float, what: str) -> float:
    """A number from the environment, or the default when it is unset or empty."""
    raw = env.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be {what}, not {raw!r}.") from None
