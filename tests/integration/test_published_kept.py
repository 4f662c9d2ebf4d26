"""What is published is kept whole in the database: each version parsed (so a restart does not
check it again) and the milestones it was checked against (so a restart needs no folder, L2)."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import build, build_beside
from bot.config import Settings
from bot.conversation.dialogue import Dialogue
from bot.core.codec import decode, encode
from bot.services.publishing import publish_on_fresh_install
from bot.store import versions
from bot.store.playbook_files import load_library

from ..apps import enrol
from ..conftest import PLAYBOOKS_DIR

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def settings_in(tmp_path: Path) -> Settings:
    """The bot's settings on a copy of the shipped playbooks folder, which a test may remove."""
    folder = tmp_path / "playbooks"
    shutil.copytree(PLAYBOOKS_DIR, folder)
    return Settings(db_path=tmp_path / "state" / "soteria.db", playbooks_dir=folder)


def started(settings: Settings):
    """The bot's context as `soteria-bot run` opens it."""
    ctx = build(settings, lambda: NOW)
    publish_on_fresh_install(ctx)
    return ctx


def test_every_shipped_playbook_reads_back_as_it_was_kept():
    library = load_library([PLAYBOOKS_DIR], PLAYBOOKS_DIR)
    for entry in library.playbooks:
        kept = encode(entry.playbook)
        assert kept is not None
        assert decode(kept) == entry.playbook
        assert decode(kept).items == entry.playbook.items


def test_a_restart_reads_the_published_playbooks_without_checking_them_again(
    tmp_path, monkeypatch
):
    settings = settings_in(tmp_path)
    started(settings).uow.close()

    def checked_again(*args: object) -> None:
        raise AssertionError("a published version was parsed and checked again")

    monkeypatch.setattr(versions, "load_playbook_text", checked_again)
    ctx = started(settings)
    assert len(ctx.catalog.library.playbooks) == 10
    assert ctx.catalog.playbook("bad-character").title.startswith("Bad character")


def test_a_missing_playbooks_folder_does_not_stop_a_restart(tmp_path, caplog):
    settings = settings_in(tmp_path)
    started(settings).uow.close()
    shutil.rmtree(settings.playbooks_dir)
    caplog.set_level(logging.INFO)
    ctx = started(settings)
    assert "report" in ctx.catalog.milestones
    assert ctx.catalog.playbook("bad-character")
    [said] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert str(settings.playbooks_dir) in said
    assert "Restore the folder" in said


def test_a_missing_folder_leaves_the_readers_commands_working_and_chats_free_of_paths(tmp_path):
    settings = settings_in(tmp_path)
    ctx = started(settings)
    trainer = enrol(ctx.uow.db, "Tess", "trainer", "training", NOW)
    shutil.rmtree(settings.playbooks_dir)
    reader = Dialogue(build_beside(settings, ctx))
    insights = reader.handle(trainer, "/insights")
    assert "went wrong" not in insights[0].text.lower()
    said = "\n".join(reply.text for reply in Dialogue(ctx).handle(trainer, "/reload"))
    assert str(tmp_path) not in said
    assert "Nothing was published" in said


@pytest.mark.parametrize("name", ["milestones.yaml"])
def test_a_missing_catalogue_file_is_not_shown_by_its_server_path(tmp_path, name):
    settings = settings_in(tmp_path)
    ctx = started(settings)
    trainer = enrol(ctx.uow.db, "Tess", "trainer", "training", NOW)
    (settings.playbooks_dir / name).unlink()
    said = "\n".join(reply.text for reply in Dialogue(ctx).handle(trainer, "/reload"))
    assert str(tmp_path) not in said
    assert name in said
