"""Playbook versions over HTTP: a trainer publishes, runs under way stay put, investigators move.

Each test starts the bot on the drill playbook in a folder of its own, changes the file there as
a trainer would on the server, and publishes it with /reload.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.wording import texts

from ..integration.oversight_world import DRILL, PLAYBOOKS_DIR
from .bot_process import BotProcess
from .emulator import BotMessage, Client, Emulator
from .test_supervision import OTHER_REF, REF, enrolled, open_drill, press_labelled
from .test_telegram_bot import last_says, settle

pytestmark = pytest.mark.e2e

THIRD_REF = "43/11223/26"
VICTIM_UPDATE = """\
      - id: victim-update
        ask: Victim updated on progress?
        type: yes-no
        reason: [no]
        due: {within: 10d, of: report}
        focus: victim
"""
CCTV = """\
      - id: cctv
        ask: CCTV trawl considered?
        type: yes-no
"""
ROUTE = """\
      - id: route
        ask: How was the crime reported?
        type: choice
        options: [in person, by phone, online]
"""
RECORDS = "      - id: records\n"


def edited(text: str, *changes: tuple[str, str]) -> str:
    """`text` with each (old, new) replaced once; fails if `old` is not there."""
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


#: Version 2: the victim update removed, a required CCTV item added to the first section.
DRILL_V2 = edited(
    DRILL,
    ("version: 1", "version: 2"),
    (VICTIM_UPDATE, ""),
    ("  - id: later\n", CCTV + "  - id: later\n"),
)
#: Version 3: the CCTV item reworded.
DRILL_V3 = edited(
    DRILL_V2,
    ("version: 2", "version: 3"),
    ("CCTV trawl considered?", "CCTV trawl considered and recorded?"),
)
#: The drill with a choice item after the plan, and its version 2 with one option renamed.
CHOICE_V1 = edited(DRILL, (RECORDS, ROUTE + RECORDS))
CHOICE_V2 = edited(CHOICE_V1, ("version: 1", "version: 2"), ("by phone", "by telephone"))
#: A new playbook a trainer drafts on the server once the drill is live: 4 items in 2 sections.
DIGITAL = edited(
    DRILL,
    ("playbook: drill", "playbook: digital"),
    ("title: Review drill", "title: Digital lines of enquiry"),
)
#: A second playbook with an unknown item type on line 19.
BROKEN = edited(DRILL, ("playbook: drill", "playbook: broken"), ("type: yes-no-na", "type: maybe"))


def start_bot(emulator: Emulator, tmp_path: Path, drill: str) -> BotProcess:
    """The bot on `drill` beside the shipped milestones, in a folder the test may change."""
    folder = tmp_path / "playbooks"
    folder.mkdir()
    shutil.copy(PLAYBOOKS_DIR / "milestones.yaml", folder / "milestones.yaml")
    (folder / "drill.yaml").write_text(drill, encoding="utf-8")
    token = emulator.new_token()
    process = BotProcess(emulator.bot_api_base_url, token, tmp_path / "state" / "soteria.db")
    process.env["SOTERIA_PLAYBOOKS"] = str(folder)
    process.token = token  # type: ignore[attr-defined]
    process.folder = folder  # type: ignore[attr-defined]
    return process.start()


@pytest.fixture(name="bot")
def _bot(emulator: Emulator, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot on the drill playbook, version 1."""
    process = start_bot(emulator, tmp_path, DRILL)
    yield process
    process.stop()
    assert not process.problems(), process.log


@pytest.fixture(name="choice_bot")
def _choice_bot(emulator: Emulator, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot on the drill with a choice item, version 1."""
    process = start_bot(emulator, tmp_path, CHOICE_V1)
    yield process
    process.stop()
    assert not process.problems(), process.log


def someone(emulator: Emulator, bot: BotProcess, name: str) -> Client:
    return emulator.client(name, token=bot.token)  # type: ignore[attr-defined]


def put_file(bot: BotProcess, name: str, text: str) -> None:
    """Change a playbook file on the server, as a trainer with a shell would."""
    (bot.folder / name).write_text(text, encoding="utf-8")  # type: ignore[attr-defined]


async def newest_id(client: Client) -> int:
    messages = await client.messages()
    return messages[-1].message_id if messages else 0


async def answer_to(client: Client, action: Awaitable[Any], *words: str) -> BotMessage:
    """Do `action`, then wait for a bot message, new or edited in place, holding every one of
    `words`."""
    before = {m.message_id: m.text for m in await client.messages()}
    await action

    def found(messages: list[BotMessage]) -> list[BotMessage]:
        return [
            m
            for m in messages
            if before.get(m.message_id) != m.text and all(w in m.text for w in words)
        ]

    return found(await settle(client, lambda messages: bool(found(messages))))[-1]


async def reload(tess: Client, *words: str) -> BotMessage:
    """The trainer publishes the files on the server; the reply holding `words`."""
    return await answer_to(tess, tess.command("/reload"), *words)


async def part_answered(client: Client, ref: str) -> BotMessage:
    """Open the drill on a case, answer the plan, and return the records question on screen."""
    await open_drill(client, ref)
    await press_labelled(client, "Yes")
    chat = await settle(client, last_says("Records request"))
    return chat[-1]


def verify(bot: BotProcess) -> str:
    """`soteria-bot verify` against the bot's database, as an administrator runs it."""
    return bot.cli("verify")


def document_update(client: Client, size: int) -> dict[str, Any]:
    """A message carrying drill.yaml as a document, as Telegram would deliver it."""
    return {
        "message": {
            "message_id": 900_000 + client.user_id,
            "from": client.user,
            "chat": client.chat,
            "date": int(time.time()),
            "document": {
                "file_id": "BQACAgQAAxkBAAIBdrill",
                "file_unique_id": "AgADdrill",
                "file_name": "drill.yaml",
                "mime_type": "application/x-yaml",
                "file_size": size,
            },
        }
    }


def under_way(playbooks: BotMessage) -> str:
    """The drill's line of the trainer's /playbooks."""
    return next(line for line in playbooks.text.splitlines() if "(drill)" in line)


async def test_publishing_leaves_runs_under_way_on_their_version(
    emulator: Emulator, bot: BotProcess
):
    async with (
        someone(emulator, bot, "Casey") as casey,
        someone(emulator, bot, "Robin") as robin,
        someone(emulator, bot, "Tess") as tess,
    ):
        await enrolled(casey, bot, "investigator")
        await enrolled(robin, bot, "investigator")
        await enrolled(tess, bot, "trainer")
        on_screen = await part_answered(casey, REF)
        await part_answered(robin, OTHER_REF)
        put_file(bot, "drill.yaml", DRILL_V2)
        said = await reload(tess, "Published drill version 2")
        assert "Published drill version 2 (was 1): 1 item added, 1 removed." in said.text
        assert "2 runs under way stay on the version started on" in said.text
        # The question on screen before the publish is still answered on version 1.
        await casey.press("Yes", message_id=on_screen.message_id)
        await settle(casey, last_says("Victim updated on progress?"))
        await casey.command("/cases")
        await settle(casey, last_says(REF, "Review drill", "version 2 published"))
        await open_drill(casey, THIRD_REF)
        summary = await answer_to(casey, casey.command("/summary"), THIRD_REF)
        assert summary.text.startswith(f"{THIRD_REF} · Review drill (v2)")
        assert "CCTV trawl considered?" in summary.text
        assert "Victim updated" not in summary.text
        playbooks = await answer_to(tess, tess.command("/playbooks"), "(drill)")
        assert "Review drill (drill) v2, published" in under_way(playbooks)
        assert under_way(playbooks).endswith("Under way: v2: 1, v1: 2.")


async def test_an_investigator_stays_then_moves_with_the_answers_that_still_fit(
    emulator: Emulator, bot: BotProcess
):
    async with (
        someone(emulator, bot, "Casey") as casey,
        someone(emulator, bot, "Robin") as robin,
        someone(emulator, bot, "Tess") as tess,
    ):
        await enrolled(casey, bot, "investigator")
        await enrolled(robin, bot, "investigator")
        await enrolled(tess, bot, "trainer")
        await part_answered(casey, REF)
        await press_labelled(casey, "Yes")
        await settle(casey, last_says("Victim updated on progress?"))
        await part_answered(robin, OTHER_REF)
        put_file(bot, "drill.yaml", DRILL_V2)
        await reload(tess, "Published drill version 2")
        await casey.command("/cases")
        await settle(casey, last_says("version 2 published"))
        offer = await answer_to(casey, press_labelled(casey, REF), "Version 2 of")
        assert offer.text.startswith(
            f"Version 2 of 'Review drill' is published; {REF} is on version 1. "
            "Nothing changes unless you move. If you move, your answers to 2 items carry over."
        )
        assert "+ New: “CCTV trawl considered?” (required: acknowledge it)" in offer.text
        assert "- Removed: “Victim updated on progress?”" in offer.text
        assert offer.labels == ["Acknowledge 1 new required item and move", "Stay on version 1"]
        await answer_to(casey, press_labelled(casey, "Stay on version 1"), "Staying on version 1")
        await casey.command("/summary")
        chat = await settle(casey, last_says("Version 2 of 'Review drill' is published"))
        assert chat[-2].text.startswith(f"{REF} · Review drill (v1)")
        assert "Victim updated on progress?" in chat[-2].text
        moved = await answer_to(
            casey, press_labelled(casey, "Acknowledge 1 new required item"), "Moved"
        )
        assert moved.text.startswith("Moved to version 2 of 'Review drill'. 2 answers carried")
        await settle(casey, last_says("CCTV trawl considered?"))  # the first item not answered
        summary = await answer_to(casey, casey.command("/summary"), REF)
        assert summary.text.startswith(f"{REF} · Review drill (v2)")
        assert "✓ Investigation plan opened?: Yes" in summary.text
        assert "✓ Records request tested and justified?: Yes" in summary.text
        assert "Victim updated" not in summary.text
        assert (await casey.messages())[-1].message_id == summary.message_id  # no offer now
        await robin.command("/summary")
        chat = await settle(robin, last_says("Version 2 of 'Review drill' is published"))
        assert chat[-2].text.startswith(f"{OTHER_REF} · Review drill (v1)")
        playbooks = await answer_to(tess, tess.command("/playbooks"), "(drill)")
        assert under_way(playbooks).endswith("Under way: v2: 1, v1: 1.")
    assert "chain intact" in verify(bot)


async def test_an_answer_whose_option_was_renamed_is_asked_again(
    emulator: Emulator, choice_bot: BotProcess
):
    bot = choice_bot
    async with someone(emulator, bot, "Casey") as casey, someone(emulator, bot, "Tess") as tess:
        await enrolled(casey, bot, "investigator")
        await enrolled(tess, bot, "trainer")
        await open_drill(casey)
        await press_labelled(casey, "Yes")
        await settle(casey, last_says("How was the crime reported?"))
        await press_labelled(casey, "by phone")
        await settle(casey, last_says("Records request"))
        put_file(bot, "drill.yaml", CHOICE_V2)
        said = await reload(tess, "Published drill version 2")
        assert "(was 1): 1 changed." in said.text
        offer = await answer_to(casey, casey.command("/summary"), "Version 2 of")
        assert "your answers to 1 item carry over" in offer.text
        assert "! Answer again: “How was the crime reported?” (its answers changed)" in offer.text
        assert offer.labels == ["Move to version 2", "Stay on version 1"]
        moved = await answer_to(casey, press_labelled(casey, "Move to version 2"), "Moved")
        assert "1 answer carried over" in moved.text
        chat = await settle(casey, last_says("How was the crime reported?"))
        assert "by telephone" in chat[-1].labels
        assert "by phone" not in chat[-1].labels


async def test_one_invalid_file_publishes_nothing(emulator: Emulator, bot: BotProcess):
    async with someone(emulator, bot, "Tess") as tess:
        await enrolled(tess, bot, "trainer")
        put_file(bot, "drill.yaml", DRILL_V2)
        put_file(bot, "broken.yaml", BROKEN)
        said = await reload(tess, "Nothing was published")
        lines = said.text.splitlines()
        assert lines[0] == "Nothing was published: 1 problem."
        assert lines[1].endswith(
            "broken.yaml:19:15: item 'records': unknown type 'maybe'; "
            "use one of yes-no, yes-no-na, choice, multi, date, number, text, info"
        )
        playbooks = await answer_to(tess, tess.command("/playbooks"), "(drill)")
        assert "Review drill (drill) v1, published" in under_way(playbooks)
        assert "broken" not in playbooks.text


async def test_a_playbook_sent_as_a_document_is_not_fetched_here(
    emulator: Emulator, bot: BotProcess
):
    async with someone(emulator, bot, "Tess") as tess, someone(emulator, bot, "Casey") as casey:
        await enrolled(tess, bot, "trainer")
        await enrolled(casey, bot, "investigator")
        refusal = await answer_to(
            tess, tess.inject(document_update(tess, len(DRILL_V2))), "fetch files"
        )
        assert refusal.text == texts.UPLOAD_NOT_FETCHED
        playbooks = await answer_to(tess, tess.command("/playbooks"), "(drill)")
        assert "Review drill (drill) v1, published" in under_way(playbooks)
        refusal = await answer_to(
            casey, casey.inject(document_update(casey, len(DRILL_V2))), "typed text"
        )
        assert refusal.text == texts.NOT_TEXT
    # Only the trainer's file was asked for; the investigator's was never fetched.
    assert bot.log.count("could not fetch the file drill.yaml") == 1


async def test_an_offer_made_stale_by_a_newer_publish_moves_nothing(
    emulator: Emulator, bot: BotProcess
):
    async with someone(emulator, bot, "Casey") as casey, someone(emulator, bot, "Tess") as tess:
        await enrolled(casey, bot, "investigator")
        await enrolled(tess, bot, "trainer")
        await part_answered(casey, REF)
        put_file(bot, "drill.yaml", DRILL_V2)
        await reload(tess, "Published drill version 2")
        old_offer = await answer_to(casey, casey.command("/summary"), "Version 2 of")
        put_file(bot, "drill.yaml", DRILL_V3)
        said = await reload(tess, "Published drill version 3")
        assert "(was 2): 1 changed." in said.text
        pressed = await casey.press(
            "Acknowledge 1 new required item and move", message_id=old_offer.message_id
        )
        refused = await casey.callback_answer(pressed["callback_query"]["id"])
        assert refused is not None
        assert refused["text"].startswith("That offer is out of date")  # in passing
        await casey.command("/summary")
        chat = await settle(casey, last_says("Version 3 of 'Review drill' is published"))
        assert chat[-2].text.startswith(f"{REF} · Review drill (v1)")
        assert not any(m.text.startswith("Moved") for m in chat)
        playbooks = await answer_to(tess, tess.command("/playbooks"), "(drill)")
        assert under_way(playbooks).endswith("Under way: v1: 1.")


def line_of(playbooks: BotMessage, playbook_id: str) -> str:
    """One playbook's line of the trainer's /playbooks."""
    return next(line for line in playbooks.text.splitlines() if f"({playbook_id})" in line)


async def test_a_draft_stays_a_draft_through_diff_report_and_a_restart(
    emulator: Emulator, bot: BotProcess
):
    """UX walk 2, #4: only `publish --as NAME` (or /reload) publishes a new playbook."""
    async with someone(emulator, bot, "Tess") as tess:
        await enrolled(tess, bot, "trainer")
        put_file(bot, "digital.yaml", DIGITAL)
        assert bot.cli("diff", "digital") == (
            "digital: new playbook, never published: 4 items in 2 sections.\n"
        )
        bot.cli("report", "--purpose", "audit")
        bot.cli("report", "--trainer", "--purpose", "training")
        bot.stop()
        bot.start()
        playbooks = await answer_to(tess, tess.command("/playbooks"), "(digital)")
        assert line_of(playbooks, "digital") == (
            "• Digital lines of enquiry (digital) v1: a file on the server, never published. "
            "/reload publishes it."
        )
        assert bot.cli("publish", "--as", "DS Trainer").startswith(
            "Published digital version 1 (new)."
        )
        playbooks = await answer_to(tess, tess.command("/playbooks"), "(digital)", "DS Trainer")
        assert " by DS Trainer (command line). Under way: none." in line_of(playbooks, "digital")
        # A trainer's /reload is published under the trainer's own name.
        put_file(bot, "drill.yaml", DRILL_V2)
        await reload(tess, "Published drill version 2")
        playbooks = await answer_to(tess, tess.command("/playbooks"), "(drill) v2")
        assert ", published " in line_of(playbooks, "drill")
        assert " by Tess. Under way: none." in line_of(playbooks, "drill")
