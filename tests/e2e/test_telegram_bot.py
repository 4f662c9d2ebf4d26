"""The real bot process over HTTP, against the Bot API emulator, played as investigators would."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store import log
from bot.store.db import connect

from ..conftest import REPO
from .bot_process import BotProcess
from .emulator import BotMessage, Client, Emulator

pytestmark = pytest.mark.e2e

REF = "43/12345/26"


@pytest.fixture(name="bot")
def _bot(emulator: Emulator, tmp_path: Path) -> Iterator[BotProcess]:
    token = emulator.new_token()
    process = BotProcess(emulator.bot_api_base_url, token, tmp_path / "soteria.db")
    process.token = token  # type: ignore[attr-defined]
    process.start()
    yield process
    process.stop()
    assert not process.problems(), process.log


def invite(bot: BotProcess, role: str = "investigator", team: str = "north") -> str:
    """A one-time code, made the way an administrator makes one: with the CLI."""
    made = subprocess.run(
        [sys.executable, "-m", "bot", "users", "invite", "--role", role, "--team", team],
        cwd=REPO,
        env=bot.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return re.search(r"\b([2-9A-Z]{10})\b", made.stdout).group(1)  # type: ignore[union-attr]


def person(emulator: Emulator, bot: BotProcess, name: str = "Casey", **kw: object) -> Client:
    return emulator.client(name, token=bot.token, **kw)  # type: ignore[attr-defined,arg-type]


async def settle(
    client: Client, test: Callable[[list[BotMessage]], bool], within: float = 10.0
) -> list[BotMessage]:
    """Wait until the chat, as the user sees it, passes `test`; fail with the chat shown."""
    deadline = time.monotonic() + within
    while True:
        messages = await client.messages()
        if test(messages):
            return messages
        if time.monotonic() > deadline:
            shown = "\n---\n".join(f"[{m.message_id}] {m.text} {m.keyboard}" for m in messages)
            raise AssertionError(f"the chat never settled; it reads:\n{shown}")
        await asyncio.sleep(0.05)


def last_says(*words: str) -> Callable[[list[BotMessage]], bool]:
    """The latest message contains every one of these words."""
    return lambda messages: bool(messages) and all(w in messages[-1].text for w in words)


async def enrol(client: Client, bot: BotProcess, role: str = "investigator") -> None:
    await client.command(f"/start {invite(bot, role)}")
    await settle(client, last_says("Welcome"))


async def open_case(client: Client, ref: str = REF, playbook: str = "Bad character") -> None:
    await client.command("/new")
    await settle(client, last_says("crime reference"))
    await client.send(ref)
    await settle(client, last_says(f"Case {ref}"))
    await client.press(
        next(label for label in (await client.messages())[-1].labels if playbook in label)
    )
    await settle(
        client, lambda m: bool(m[-1].keyboard) and ref in m[-1].text and "·" in m[-1].text
    )


async def at_first_question(client: Client, bot: BotProcess) -> BotMessage:
    """Enrol, open the case on bad character, and return its first question."""
    await enrol(client, bot)
    await open_case(client)
    return (await client.messages())[-1]


def answers(bot: BotProcess) -> list[tuple[str | None, str | None, str]]:
    """(item, value, kind) for each answer and reason in the log, in order."""
    db = connect(bot.db_path)
    try:
        return [
            (e.entry.item, e.entry.value, e.entry.kind)
            for e in log.entries(db)
            if e.entry.kind in ("answered", "reason-given")
        ]
    finally:
        db.close()


def log_verifies(bot: BotProcess) -> bool:
    db = connect(bot.db_path)
    try:
        return log.verify(db).ok
    finally:
        db.close()


def moved_on_from(question: BotMessage) -> Callable[[list[BotMessage]], bool]:
    """A newer message than `question` has arrived."""
    return lambda messages: messages[-1].message_id > question.message_id


async def test_an_investigator_enrols_opens_a_case_and_answers(
    emulator: Emulator, bot: BotProcess
):
    """Enrol by code, open a case, answer: the question then reads as a record and the next comes."""
    async with person(emulator, bot) as casey:
        await enrol(casey, bot)
        await open_case(casey)
        question = (await casey.messages())[-1]
        assert question.text.startswith(f"{REF} · Bad character")
        assert " · 0/" in question.text
        assert [label for label, _ in question.keyboard[0]] == ["Yes", "No"]
        await casey.press("Yes")
        chat = await settle(casey, moved_on_from(question))
        answered = next(m for m in chat if m.message_id == question.message_id)
        assert "✓ Yes · Casey" in answered.text
        assert answered.keyboard == ()  # an answered question offers nothing more to press
        assert " · 1/" in chat[-1].text
    assert answers(bot) == [("pnc-record", "yes", "answered")]
    assert log_verifies(bot)


async def test_a_used_code_is_refused_and_its_holder_learns_nothing(
    emulator: Emulator, bot: BotProcess
):
    """A second person with the same code is refused in one sentence and cannot open cases."""
    code = invite(bot)
    async with person(emulator, bot, "Casey") as casey, person(emulator, bot, "Sam") as sam:
        await casey.command(f"/start {code}")
        await settle(casey, last_says("Welcome, Casey"))
        await sam.command(f"/start {code}")
        await settle(sam, last_says("cannot be used"))
        await sam.command("/cases")
        await settle(sam, last_says("only for enrolled officers"))
        assert len(await sam.messages()) == 2


async def test_an_unenrolled_person_gets_one_sentence_whatever_they_send(
    emulator: Emulator, bot: BotProcess
):
    """Commands, text and a forged button from a stranger: the same polite refusal, no details."""
    async with person(emulator, bot) as casey, person(emulator, bot, "Stranger") as stranger:
        await enrol(casey, bot)
        await open_case(casey)
        run_button = (await casey.messages())[-1].keyboard[0][0][1]
        for text in ("/start", "/cases", REF):
            await (stranger.command(text) if text.startswith("/") else stranger.send(text))
        await settle(stranger, lambda m: len(m) == 3)
        assert {m.text for m in await stranger.messages()} == {
            "This bot is only for enrolled officers. If you should have access, ask your "
            "administrator for an enrolment code."
        }
        await stranger.press(
            data=run_button, message_id=(await stranger.messages())[-1].message_id
        )
        await stranger.send("/help")
        await settle(stranger, lambda m: len(m) == 4)
        assert all(REF not in m.text for m in await stranger.messages())
    assert answers(bot) == []


async def test_a_group_chat_is_refused(emulator: Emulator, bot: BotProcess):
    """Even an enrolled officer is told to use a private chat, and nothing is recorded."""
    async with person(emulator, bot) as casey:
        await enrol(casey, bot)
        async with emulator.client("Casey", token=bot.token, group=True) as group:  # type: ignore[attr-defined]
            group.user["id"] = casey.user_id
            await group.command("/new")
            await settle(group, last_says("private chat"))
            await group.send(REF)
            await settle(group, lambda m: len(m) == 2)
            assert all("private chat" in m.text for m in await group.messages())
    db = connect(bot.db_path)
    assert db["cases"].count == 0
    db.close()


async def test_a_reason_a_correction_and_a_stale_button(emulator: Emulator, bot: BotProcess):
    """No asks why (same message); Back takes the next question's place; the new answer marks
    the old record corrected; an old button then only says so, in passing."""
    async with person(emulator, bot) as casey:
        first = await at_first_question(casey, bot)
        await casey.press("No")
        chat = await settle(casey, lambda m: "Why?" in m[-1].text)
        assert chat[-1].message_id == first.message_id  # the reason is asked in the same message
        await casey.press("Systems unavailable")
        chat = await settle(casey, moved_on_from(first))
        record = next(m for m in chat if m.message_id == first.message_id)
        assert "✗ No — Systems unavailable · Casey" in record.text
        assert "Why?" not in record.text  # the record keeps the question, not how to answer it
        second = chat[-1]
        await casey.press("Back")
        chat = await settle(
            casey, lambda m: m[-1].message_id == second.message_id and "PNC record" in m[-1].text
        )
        assert "Current answer: No — Systems unavailable." in chat[-1].text
        again = chat[-1]
        await casey.press("Yes")
        chat = await settle(casey, moved_on_from(again))
        corrected = next(m for m in chat if m.message_id == first.message_id)
        assert corrected.text.endswith("· corrected below")
        assert "✓ Yes · Casey" in next(m for m in chat if m.message_id == again.message_id).text
        before = len(chat)
        # The Yes button is long gone; press its No anyway, as an old client might.
        pressed = await casey.press(data=again.keyboard[0][1][1], message_id=again.message_id)
        answer = await casey.callback_answer(pressed["callback_query"]["id"])
        assert answer is not None
        assert answer["text"].startswith("That button is from an earlier message; nothing was")
        assert "It was answered: Yes." in answer["text"]
        assert len(await casey.messages()) == before  # a toast, not a message
    assert answers(bot) == [
        ("pnc-record", "no", "answered"),
        ("pnc-record", "Systems unavailable", "reason-given"),
        ("pnc-record", "yes", "answered"),
    ]
    assert log_verifies(bot)


async def test_a_forged_press_on_another_investigators_case_changes_nothing(
    emulator: Emulator, bot: BotProcess
):
    """Sam forges Casey's Yes button: Sam is told it is not theirs; Casey's case is untouched."""
    async with person(emulator, bot, "Casey") as casey, person(emulator, bot, "Sam") as sam:
        await enrol(casey, bot)
        await enrol(sam, bot)
        await open_case(casey)
        caseys_yes = (await casey.messages())[-1].keyboard[0][0][1]
        pressed = await sam.press(
            data=caseys_yes, message_id=(await sam.messages())[-1].message_id
        )
        answer = await sam.callback_answer(pressed["callback_query"]["id"])
        assert answer is not None
        assert "not one of yours" in answer["text"]  # said in passing, naming nothing
        assert REF not in answer["text"]
        assert all(REF not in m.text for m in await sam.messages())
    assert answers(bot) == []


async def test_a_milestone_brings_an_item_into_play(emulator: Emulator, bot: BotProcess):
    """Recording a charge today says so, and the checklist gains items."""
    async with person(emulator, bot) as casey:
        await enrol(casey, bot)
        await open_case(casey, playbook="Protective")
        before = (await casey.messages())[-1].text
        await casey.command("/milestone")
        await settle(casey, last_says("Which milestone"))
        await casey.press("Charge")
        await settle(casey, last_says("Send the date"))
        await casey.press("Today")
        chat = await settle(
            casey,
            lambda m: (
                any(x.text.startswith("Recorded: Charge") for x in m)
                and "·" in m[-1].text
                and bool(m[-1].keyboard)
            ),
        )
        # The date's prompt became its record; the question waiting is asked again below it,
        # and nowhere else.
        assert sum(1 for m in chat if m.keyboard) == 1
    db = connect(bot.db_path)
    assert [row["name"] for row in db["case_events"].rows] == ["report", "charge"]
    db.close()
    assert before


async def test_a_restart_mid_run_resumes_at_the_same_item(emulator: Emulator, bot: BotProcess):
    """Killed after an answer, started again: /resume asks the next item; the answer is kept once."""
    async with person(emulator, bot) as casey:
        first = await at_first_question(casey, bot)
        await casey.press("Yes")
        chat = await settle(casey, moved_on_from(first))
        waiting = chat[-1].text
        bot.kill()
        bot.start()
        await casey.command("/resume")
        chat = await settle(casey, lambda m: m[-1].message_id > chat[-1].message_id)
        assert chat[-1].text == waiting
        await casey.press("Yes")
        await settle(casey, lambda m: " · 2/" in m[-1].text)
    assert [a[0] for a in answers(bot)] == ["pnc-record", "pnd-local"]
    assert log_verifies(bot)


async def test_an_update_delivered_twice_is_recorded_once(emulator: Emulator, bot: BotProcess):
    """Telegram delivers a typed reason again: the second delivery records and says nothing."""
    async with person(emulator, bot) as casey:
        await enrol(casey, bot)
        await open_case(casey)
        await casey.press("No")
        await settle(casey, lambda m: "Why?" in m[-1].text)
        update = await casey.send("Checked with DS Smith's team")
        chat = await settle(casey, lambda m: " · 1/" in m[-1].text)
        await casey.inject(update)
        await casey.command("/summary")
        after = await settle(casey, last_says(" · in progress · "))
        # Only the summary is new (the question it supersedes is taken away): the repeat said
        # nothing.
        assert {m.message_id for m in after[:-1]} <= {m.message_id for m in chat}
    assert answers(bot) == [
        ("pnc-record", "no", "answered"),
        ("pnc-record", "Checked with DS Smith's team", "reason-given"),
    ]


def invite_named(bot: BotProcess, name: str) -> tuple[str, str]:
    """A code made with `users invite --name`, and everything the command printed."""
    made = subprocess.run(
        [sys.executable, "-m", "bot", "users", "invite", "--role", "investigator"]
        + ["--team", "north", "--name", name],
        cwd=REPO,
        env=bot.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return re.search(r"/start ([2-9A-Z]{10})$", made.stdout, re.M).group(1), made.stdout  # type: ignore[union-attr]


async def test_the_log_gives_each_update_s_kind_and_time_and_nothing_personal(
    emulator: Emulator, tmp_path: Path
):
    """UX walk 2, #30: at INFO, one line per update; no scheduler or state-machine chatter."""
    token = emulator.new_token()
    bot = BotProcess(emulator.bot_api_base_url, token, tmp_path / "soteria.db")
    bot.token = token  # type: ignore[attr-defined]
    bot.env["SOTERIA_NOTICE_SECONDS"] = "0.5"  # the scheduler runs a job twice a second
    bot.env["SOTERIA_BOT_USERNAME"] = "not_this_bot"
    bot.start()
    try:
        code, printed = invite_named(bot, "DC Casey Jones")
        assert f"https://t.me/not_this_bot?start={code}" in printed
        async with person(emulator, bot, "Casey") as casey:
            await casey.command(f"/start {code}")
            welcome = (await settle(casey, last_says("Welcome")))[-1]
            assert welcome.text.startswith(
                "Welcome, DC Casey Jones. You are enrolled as investigator in team north. "
                "Your administrator gave you this name and can change it."
            )
            await open_case(casey)
            await casey.press("No")
            await settle(casey, lambda m: "Why?" in m[-1].text)
            await casey.send("Checked with the PND desk")
            await settle(casey, lambda m: " · 1/" in m[-1].text)
            await asyncio.sleep(1.5)  # a few rounds of the notices job
    finally:
        bot.stop()
    lines = list(bot.lines)
    assert not [line for line in lines if "apscheduler" in line or "transitions" in line]
    assert any("SOTERIA_BOT_USERNAME is not_this_bot but this bot is @" in line for line in lines)
    handled = [line for line in lines if re.search(r" update \d+ handled: ", line)]
    kinds = [re.sub(r"^.* handled: (.*) in \d+ ms$", r"\1", line) for line in handled]
    assert kinds == [
        "command /start",
        "command /new",
        "text",
        "button StartPlaybook",
        "button Answer",
        "text",
    ], handled
    for private in (code, REF, "Casey", "PND desk"):
        assert not [line for line in lines if private in line], private


async def test_a_new_installation_keys_cases_by_handle_and_never_asks_for_a_crime_reference(
    emulator: Emulator, tmp_path: Path
):
    """#19: with SOTERIA_CASE_KEY unset, /new issues a handle; the reference never goes by."""
    token = emulator.new_token()
    bot = BotProcess(emulator.bot_api_base_url, token, tmp_path / "soteria.db", case_key=None)
    bot.token = token  # type: ignore[attr-defined]
    bot.start()
    try:
        async with person(emulator, bot, "Casey") as casey:
            await enrol(casey, bot)
            await casey.command("/new")
            chat = await settle(casey, last_says("Which checklist first?"))
            issued = re.search(r"New case handle: (C-[0-9A-Z]{6})\.", chat[-2].text)
            assert issued, chat[-2].text
            assert "Send the crime reference" not in "\n".join(m.text for m in chat)
            await casey.press(next(x for x in chat[-1].labels if "Bad character" in x))
            first = await settle(casey, lambda m: bool(m[-1].keyboard) and "·" in m[-1].text)
            assert first[-1].text.startswith(f"{issued.group(1)} · Bad character")
    finally:
        bot.stop()
    assert not bot.problems(), bot.log


async def test_a_reason_typed_with_a_control_character_is_refused_and_not_kept(
    emulator: Emulator, bot: BotProcess
):
    async with person(emulator, bot) as casey:
        await at_first_question(casey, bot)
        await casey.press("No")
        await settle(casey, lambda m: "Why?" in m[-1].text)
        await casey.send("Awaiting \u202eallocation")
        await settle(casey, last_says("invisible control character", "U+202E"))
    assert answers(bot) == [("pnc-record", "no", "answered")]
