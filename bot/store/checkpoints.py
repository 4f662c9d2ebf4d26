"""Signed checkpoints of the completion log and the access log, kept outside the database.

A checkpoint is a small JSON file, `checkpoint-NNNNNN.json`: the log's head (the last record's
number and hash), how many records there were and when, and the first 12 characters of the
hash of every record since the checkpoint before, signed with an Ed25519 key that is kept in a
file of its own, never in the database. Someone who can write the database but not the key
can rebuild the chain and its head, but cannot sign a checkpoint to match: `check` then says
the chain does not match checkpoint N, and the 12-character prints name the first record that
differs. A log cut short or wiped is found the same way.

The access log's head and prints are signed in the same file (`access`), and `check_access`
compares them the same way: a record of who looked at a case is worth as much as the case's.

The key is made on first use, readable by its owner only; its public half is written beside it
(`.pub`), in PEM, for anyone who checks the checkpoints elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from bot.core.errors import SoteriaError
from bot.store.backup import has_access_log
from bot.store.chain import Verdict, canonical_json
from bot.store.db import GENESIS_HASH, utc_text
from bot.store.durability import sync_log

FORMAT = "soteria-checkpoint/1"
NAME = re.compile(r"checkpoint-(\d{6,})\.json")
#: How much of each record's hash a checkpoint keeps: the prefix disclosure schedules print.
PRINT = 12


class CheckpointError(SoteriaError):
    """A checkpoint, or the key that signs them, cannot be used; the message says why."""


def print_in(prints: str, prints_from: int, seq: int) -> str | None:
    """The start of record `seq`'s hash among prints kept from record `prints_from` on."""
    index = seq - prints_from
    if index < 0 or (index + 1) * PRINT > len(prints):
        return None
    return prints[index * PRINT : (index + 1) * PRINT]


@dataclass(frozen=True, slots=True)
class AccessHead:
    """What a checkpoint signed of the access log: its head, and the prints since the last."""

    seq: int
    hash: str
    prints_from: int
    prints: str

    def print_of(self, seq: int) -> str | None:
        """The start of the hash access record `seq` had, if this checkpoint kept it."""
        return print_in(self.prints, self.prints_from, seq)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One signed checkpoint as read from its file."""

    number: int
    made_at: str
    seq: int
    hash: str
    records: int
    prints_from: int
    prints: str
    public_key: str
    path: Path
    #: None in a checkpoint made before the access log was signed, or of a database without one.
    access: AccessHead | None = None

    def print_of(self, seq: int) -> str | None:
        """The start of the hash the record numbered `seq` had, if this checkpoint kept it."""
        return print_in(self.prints, self.prints_from, seq)

    @property
    def when(self) -> str:
        """When it was made, as people read it."""
        return f"{datetime.fromisoformat(self.made_at):%Y-%m-%d %H:%M} UTC"

    @property
    def label(self) -> str:
        """'checkpoint 3 (signed 2026-12-01 02:00 UTC)'."""
        return f"checkpoint {self.number} (signed {self.when})"


def public_key_path(key_path: Path) -> Path:
    """Where the public half of a checkpoint key is kept: beside it, ending in `.pub`."""
    return key_path.with_suffix(".pub")


def signing_key(key_path: Path) -> Ed25519PrivateKey:
    """The key that signs checkpoints, made (readable by its owner only) if there is none."""
    public_path = public_key_path(key_path)
    if not key_path.exists():
        if public_path.exists():
            raise CheckpointError(
                f"The checkpoint key {key_path} is missing but its public key {public_path} is "
                "there: restore the key, or move the public key and the checkpoints aside to "
                "start again."
            )
        try:
            return _new_key(key_path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    if os.name == "posix" and key_path.stat().st_mode & 0o077:
        raise CheckpointError(
            f"The checkpoint key {key_path} can be read by other users; make it readable by "
            f"its owner only (chmod 600 {key_path})."
        )
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"The checkpoint key {key_path} cannot be read: {error}.") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"The checkpoint key {key_path} is not an Ed25519 key.")
    if not public_path.exists():
        with contextlib.suppress(FileExistsError):  # written meanwhile by the key's maker
            _write_new(public_path, _public_pem(key.public_key()), 0o644)
    if _raw(_loaded_public(public_path)) != _raw(key.public_key()):
        raise CheckpointError(
            f"The public key {public_path} is not the public half of {key_path}; put back the "
            "one that belongs to it."
        )
    return key


def verifying_key(key_path: Path) -> Ed25519PublicKey | None:
    """The public key checkpoints are checked with, if it has been made."""
    public_path = public_key_path(key_path)
    return _loaded_public(public_path) if public_path.exists() else None


def _loaded_public(public_path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(public_path.read_bytes())
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"The public key {public_path} cannot be read: {error}.") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"The public key {public_path} is not an Ed25519 key.")
    return key


def _new_key(key_path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    if not key_path.parent.exists():
        key_path.parent.mkdir(parents=True, mode=0o700)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_new(key_path, pem, 0o600)
    _write_new(public_key_path(key_path), _public_pem(key.public_key()), 0o644)
    return key


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _raw(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a file that must not exist yet, with its permissions from the start."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def read_all(folder: Path, key: Ed25519PublicKey | None) -> list[Checkpoint]:
    """Every checkpoint in a folder (sub-folders aside), oldest first, each signature checked."""
    if not folder.is_dir():
        return []
    found = sorted(
        (int(match[1]), path)
        for path in folder.iterdir()
        if (match := NAME.fullmatch(path.name)) and path.is_file()
    )
    if not found:
        return []
    if key is None:
        raise CheckpointError(
            f"There are checkpoints in {folder} but no public key to check them with; put the "
            "public key back beside the checkpoint key (SOTERIA_CHECKPOINT_KEY)."
        )
    return [_read(path, number, key) for number, path in found]


def _read(path: Path, number: int, key: Ed25519PublicKey) -> Checkpoint:
    """One checkpoint file, its signature checked against the installation's key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        signature = bytes.fromhex(data.pop("signature"))
        head = data["head"]
        checkpoint = Checkpoint(
            number=int(data["checkpoint"]),
            made_at=str(data["made_at"]),
            seq=int(head["seq"]),
            hash=str(head["hash"]),
            records=int(data["records"]),
            prints_from=int(data["prints"]["from"]),
            prints=str(data["prints"]["hashes"]),
            public_key=str(data["public_key"]),
            path=path,
            access=_access_of(data.get("access")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise CheckpointError(
            f"The checkpoint file {path} cannot be read as a checkpoint ({error!r}); it was "
            "damaged or is not one."
        ) from None
    if data.get("format") != FORMAT or checkpoint.number != number:
        raise CheckpointError(
            f"The checkpoint file {path} does not hold checkpoint {number} in the expected "
            "format: it was renamed, edited or is not one."
        )
    try:
        key.verify(signature, canonical_json(data).encode("utf-8"))
    except InvalidSignature:
        raise CheckpointError(
            f"Checkpoint {number} ({path}) does not hold: its signature does not match this "
            "installation's public key, so it was edited or signed by another key."
        ) from None
    return checkpoint


def _access_of(data: Any) -> AccessHead | None:
    """The access log's part of a checkpoint's data, if it has one."""
    if data is None:
        return None
    head, prints = data["head"], data["prints"]
    return AccessHead(
        int(head["seq"]), str(head["hash"]), int(prints["from"]), str(prints["hashes"])
    )


#: The two chains a checkpoint signs: each one's table, and the table keeping its head.
LOG, ACCESS_LOG = ("log", "log_head"), ("access_log", "access_head")


def _head(db: sqlite_utils.Database, chain: tuple[str, str]) -> tuple[int, str]:
    """A chain's head: its last record's number and hash (0 and the genesis hash if none)."""
    head = db.execute(f"SELECT seq, hash FROM {chain[1]} WHERE id = 1").fetchone()
    return (int(head[0]), str(head[1])) if head else (0, GENESIS_HASH)


def _prints(db: sqlite_utils.Database, chain: tuple[str, str], since: int, seq: int) -> str:
    """The start of the hash of each record of a chain after `since`, up to `seq`."""
    return "".join(
        row[0][:PRINT]
        for row in db.execute(
            f"SELECT hash FROM {chain[0]} WHERE seq > ? AND seq <= ? ORDER BY seq", [since, seq]
        )
    )


def _access_data(
    db: sqlite_utils.Database, head: tuple[int, str], latest: Checkpoint | None
) -> dict[str, Any]:
    """The access log's part of a new checkpoint: its head, and prints since the last one."""
    seq, digest = head
    signed = latest.access if latest is not None else None
    since = signed.seq if signed is not None and signed.seq <= seq else 0
    prints = _prints(db, ACCESS_LOG, since, seq)
    return {"head": {"seq": seq, "hash": digest}, "prints": {"from": since + 1, "hashes": prints}}


def write(
    db: sqlite_utils.Database, folder: Path, key_path: Path, now: datetime
) -> tuple[Checkpoint, bool]:
    """Sign the log's head and write it as the next checkpoint; (checkpoint, written).

    Call it inside the read transaction in which the chains were verified, so what is signed is
    what was checked. When the latest checkpoint already covers both heads, nothing is written.
    """
    key = signing_key(key_path)
    existing = read_all(folder, key.public_key())
    seq, digest = _head(db, LOG)
    access = _head(db, ACCESS_LOG) if has_access_log(db) else None
    # What is signed must survive a power cut: the bot's commits reach the disk apart from them.
    sync_log(db)
    latest = existing[-1] if existing else None
    if latest is not None and (latest.seq, latest.hash) == (seq, digest):
        signed = (latest.access.seq, latest.access.hash) if latest.access else None
        if signed == access or (signed is None and access == (0, GENESIS_HASH)):
            return latest, False
    since = latest.seq if latest is not None and latest.seq <= seq else 0
    prints = _prints(db, LOG, since, seq)
    records = int(db.execute("SELECT count(*) FROM log").fetchone()[0])
    folder.mkdir(parents=True, exist_ok=True)
    number = (existing[-1].number if existing else 0) + 1
    while True:
        data: dict[str, Any] = {
            "format": FORMAT,
            "checkpoint": number,
            "made_at": utc_text(now),
            "head": {"seq": seq, "hash": digest},
            "records": records,
            "prints": {"from": since + 1, "hashes": prints},
            "public_key": _raw(key.public_key()),
        }
        if access is not None:
            data["access"] = _access_data(db, access, latest)
        data["signature"] = key.sign(canonical_json(data).encode("utf-8")).hex()
        path = folder / f"checkpoint-{number:06d}.json"
        if _publish(path, json.dumps(data, indent=1, sort_keys=True) + "\n"):
            return _read(path, number, key.public_key()), True
        number += 1  # another writer took the number first: take the next


def _publish(path: Path, text: str) -> bool:
    """Write a whole file under `path` at once, unless a file of that name exists already."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    _write_new(temporary, text.encode("utf-8"), 0o644)
    try:
        # A hard link appears whole, and fails rather than replace a checkpoint already there.
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    with contextlib.suppress(OSError):  # not every file system lets a folder be synced
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return True


def check(
    db: sqlite_utils.Database, folder: Path, key_path: Path, *, copy: bool = False
) -> Verdict:
    """Compare the chain with every checkpoint in the folder; name what does not match.

    A copy (a backup) may end before later checkpoints were made: those are passed over, not
    counted against it.
    """
    key = verifying_key(key_path)
    checkpoints = read_all(folder, key)
    if key is None or not checkpoints:
        return _fine(
            f"Checkpoints: none in {folder} yet; `soteria-bot checkpoint` makes one (the bot "
            "makes one every day)."
        )
    for number, checkpoint in enumerate(checkpoints, start=checkpoints[0].number):
        if checkpoint.public_key != _raw(key):
            raise CheckpointError(
                f"Checkpoint {checkpoint.number} ({checkpoint.path}) names another key than "
                "this installation's."
            )
        if checkpoint.number != number:
            # Numbers only go up by one: a gap is a checkpoint taken out of the folder.
            return _broken(
                None,
                f"Checkpoint {number} is missing from {folder}: checkpoints {number - 1} and "
                f"{checkpoint.number} are there, so one was removed.",
            )
    last = int(db.execute("SELECT coalesce(max(seq), 0) FROM log").fetchone()[0])
    differs = _first_difference(db, LOG, [(c, c) for c in checkpoints], last)
    if differs is not None:
        seq, checkpoint = differs
        return _broken(
            seq,
            f"The chain does not match {checkpoint.label}: record {seq} is not the record it "
            "signed, and the chain was rebuilt from there.",
        )
    covered = [c for c in checkpoints if c.seq <= last]
    later = [c for c in checkpoints if c.seq > last]
    for checkpoint in covered:
        if _hash_of(db, LOG, checkpoint.seq) != checkpoint.hash:
            return _broken(
                checkpoint.seq,
                f"The chain does not match {checkpoint.label}: record {checkpoint.seq} is not "
                "the record it signed, and the chain was rebuilt before it.",
            )
    notes = []
    if later and not copy:
        newest = later[-1]
        if last == 0:
            return _broken(
                1,
                f"The log was wiped: it holds no records, but {newest.label} covers "
                f"{newest.records} records (to record {newest.seq}).",
            )
        which = (
            f"Record {last + 1} is"
            if last + 1 == newest.seq
            else (f"Records {last + 1} to {newest.seq} are")
        )
        return _broken(
            last + 1,
            f"{which} missing: the log ends at record {last}, but {newest.label} covers "
            f"records to {newest.seq}; the log was truncated or rewound.",
        )
    if later:
        numbers = ", ".join(str(c.number) for c in later)
        notes.append(f"Checkpoints made after this copy was taken, not checked: {numbers}.")
    if covered:
        latest = covered[-1]
        notes.insert(
            0,
            f"Checkpoints: {len(covered)} in {folder}, signed with this installation's key; "
            f"the log matches each. The latest, checkpoint {latest.number} of {latest.when}, "
            f"covers records 1 to {latest.seq}.",
        )
        if last > latest.seq:
            notes.append(
                f"Records {latest.seq + 1} to {last} came after the latest checkpoint: only "
                "the chain vouches for them until the next one."
            )
    return _fine(*notes)


def check_access(
    db: sqlite_utils.Database, folder: Path, key_path: Path, *, copy: bool = False
) -> Verdict:
    """Compare the access log with the heads and prints the checkpoints signed of it.

    Call it once `check` has passed the checkpoints themselves (their key, none missing); a
    copy passes over the checkpoints made after it, as `check` does.
    """
    signed = [
        (checkpoint, checkpoint.access)
        for checkpoint in read_all(folder, verifying_key(key_path))
        if checkpoint.access is not None
    ]
    if not signed or not has_access_log(db):
        return _fine()
    last = int(db.execute("SELECT coalesce(max(seq), 0) FROM access_log").fetchone()[0])
    differs = _first_difference(db, ACCESS_LOG, signed, last)
    if differs is not None:
        seq, checkpoint = differs
        return _broken(
            seq,
            f"The access log does not match {checkpoint.label}: access record {seq} is not "
            "the record it signed, and the access log was rebuilt from there.",
        )
    covered = [(c, a) for c, a in signed if a.seq <= last]
    later = [(c, a) for c, a in signed if a.seq > last]
    for checkpoint, access in covered:
        if _hash_of(db, ACCESS_LOG, access.seq) != access.hash:
            return _broken(
                access.seq,
                f"The access log does not match {checkpoint.label}: access record {access.seq} "
                "is not the record it signed, and the access log was rebuilt before it.",
            )
    if later and not copy:
        newest, access = later[-1]
        if last == 0:
            return _broken(
                1,
                f"The access log was wiped: it holds no records, but {newest.label} covers "
                f"access records to {access.seq}.",
            )
        which = (
            f"Access record {last + 1} is"
            if last + 1 == access.seq
            else f"Access records {last + 1} to {access.seq} are"
        )
        return _broken(
            last + 1,
            f"{which} missing: the access log ends at record {last}, but {newest.label} covers "
            f"access records to {access.seq}; the access log was truncated or rewound.",
        )
    if not covered:
        return _fine()
    latest, access = covered[-1]
    notes = [
        f"Checkpoints: the access log matches each; the latest, checkpoint {latest.number} of "
        f"{latest.when}, covers access records 1 to {access.seq}."
    ]
    if last > access.seq:
        which = (
            f"Access record {last} came"
            if last == access.seq + 1
            else f"Access records {access.seq + 1} to {last} came"
        )
        vouch = "it" if last == access.seq + 1 else "them"
        notes.append(
            f"{which} after the latest checkpoint: only the chain vouches for {vouch} until "
            "the next one."
        )
    return _fine(*notes)


class _Signed(Protocol):
    """What a checkpoint signed of one chain: its head's number and the prints it kept."""

    @property
    def seq(self) -> int: ...
    @property
    def prints_from(self) -> int: ...
    def print_of(self, seq: int) -> str | None: ...


def _first_difference(
    db: sqlite_utils.Database,
    chain: tuple[str, str],
    signed: Sequence[tuple[Checkpoint, _Signed]],
    last: int,
) -> tuple[int, Checkpoint] | None:
    """The first record of a chain whose hash differs from the print a checkpoint kept of it."""
    found: tuple[int, Checkpoint] | None = None
    for checkpoint, part in signed:
        end = min(part.seq, last)
        rows = db.execute(
            f"SELECT seq, hash FROM {chain[0]} WHERE seq >= ? AND seq <= ? ORDER BY seq",
            [part.prints_from, end],
        )
        for seq, digest in rows:
            kept = part.print_of(seq)
            if kept is not None and digest[:PRINT] != kept:
                if found is None or seq < found[0]:
                    found = (seq, checkpoint)
                break
    return found


def _hash_of(db: sqlite_utils.Database, chain: tuple[str, str], seq: int) -> str | None:
    if seq == 0:
        return GENESIS_HASH
    row = db.execute(f"SELECT hash FROM {chain[0]} WHERE seq = ?", [seq]).fetchone()
    return None if row is None else str(row[0])


def _fine(*notes: str) -> Verdict:
    return Verdict(ok=True, checked=0, first_bad_seq=None, message="", notes=notes)


def _broken(seq: int | None, message: str) -> Verdict:
    return Verdict(ok=False, checked=0, first_bad_seq=seq, message=message)
