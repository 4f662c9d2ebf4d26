"""Seals: what the log keeps of the people and playbook versions that live in their own tables.

A record in the chain seals a person when they are enrolled and each time their name, role,
team or access changes, and seals each playbook version when it is published. The record keeps
digests of the words (a name, a playbook's text), not the words themselves; comparing a table
with its latest seal names what was changed behind the bot's back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Log actors that are not enrolled people: the administrator at the server's command line, the
#: server itself (a fresh install's first publish, a migration).
ACTOR_PREFIXES = ("admin:", "system:")
#: The server publishing a fresh install's playbooks, and a migration sealing what was there.
FIRST_USE_ACTOR = "system:first-use"
MIGRATION_ACTOR = "system:migration"

#: A person's sealed fields, and how a sentence names each one.
PERSON_FIELDS = {
    "name": "name",
    "role": "role",
    "team": "team",
    "training": "in-training mark",
    "revoked": "revocation",
    "oversees": "list of teams overseen",
    "identities": "list of linked accounts",
}
#: A published version's sealed fields, and how a sentence names each one.
VERSION_FIELDS = {
    "playbook": "playbook id",
    "version": "version number",
    "text": "text",
    "content_hash": "recorded content hash",
    "published_at": "publication time",
    "published_by": "publisher",
    "published_as": "publisher's name",
}


def digest(text: str) -> str:
    """The SHA-256 (hex) of a text, as a seal keeps words it does not hold."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A person as their tables hold them: what decides who they are and what they may see."""

    id: int
    name: str
    role: str
    team: str
    in_training: bool
    revoked: bool
    oversees: tuple[str, ...]
    identities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VersionRow:
    """A published playbook version as its table holds it."""

    id: int
    playbook_id: str
    version: int
    text: str
    content_hash: str
    published_at: str
    published_by: int | None
    published_as: str | None


def person_seal(person: PersonRow) -> dict[str, str]:
    """The fields a log record keeps to seal a person (their name as a digest)."""
    return {
        "user": str(person.id),
        "name": digest(person.name),
        "role": person.role,
        "team": person.team,
        "training": "yes" if person.in_training else "no",
        "revoked": "yes" if person.revoked else "no",
        "oversees": digest("\n".join(sorted(person.oversees))),
        "identities": digest("\n".join(sorted(person.identities))),
    }


def version_seal(version: VersionRow) -> dict[str, str]:
    """The fields a log record keeps to seal a published version (its text as a digest)."""
    return {
        "version_id": str(version.id),
        "playbook": version.playbook_id,
        "version": str(version.version),
        "text": digest(version.text),
        "content_hash": version.content_hash,
        "published_at": version.published_at,
        "published_by": "" if version.published_by is None else str(version.published_by),
        "published_as": digest(version.published_as or ""),
    }


def changed(sealed: Mapping[str, str], now: Mapping[str, str], fields: Iterable[str]) -> list[str]:
    """The fields whose value now differs from the one sealed, in the order given."""
    return [field for field in fields if sealed.get(field) != now.get(field)]


def is_known_actor(actor: str, user_ids: set[int]) -> bool:
    """Tell whether a log actor is someone the bot could have written a record for."""
    if actor.startswith(ACTOR_PREFIXES):
        return True
    number = actor.removeprefix("user:")
    return number != actor and number.isdigit() and int(number) in user_ids


def in_words(names: list[str]) -> str:
    """'name', 'name and team', 'name, role and team'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
