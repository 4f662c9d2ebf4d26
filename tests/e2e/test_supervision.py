"""Supervisors and investigators together, over HTTP: the team view, challenges, sign-off,
returns, escalations, handovers and the exported report, as each person sees them."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from ..integration.oversight_world import DRILL, PLAYBOOKS_DIR
from .bot_process import BotProcess
from .emulator import Client, Emulator
from .test_telegram_bot import invite, last_says, settle

pytestmark = pytest.mark.e2e

REF = "43/24680/26"
OTHER_REF = "43/13579/26"


@pytest.fixture(name="bot")
def _bot(emulator: Emulator, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot on the drill playbook, sending notices and looking for escalations every second."""
    folder = tmp_path / "playbooks"
    folder.mkdir()
    shutil.copy(PLAYBOOKS_DIR / "milestones.yaml", folder / "milestones.yaml")
    (folder / "drill.yaml").write_text(DRILL, encoding="utf-8")
    token = emulator.new_token()
    process = BotProcess(emulator.bot_api_base_url, token, tmp_path / "state" / "soteria.db")
    process.env.update(
        SOTERIA_PLAYBOOKS=str(folder),
        SOTERIA_NOTICE_SECONDS="0.5",
        SOTERIA_ESCALATION_SECONDS="1",
    )
    process.token = token  # type: ignore[attr-defined]
    process.start()
    yield process
    process.stop()
    assert not process.problems(), process.log


def someone(emulator: Emulator, bot: BotProcess, name: str) -> Client:
    return emulator.client(name, token=bot.token)  # type: ignore[attr-defined]


async def enrolled(client: Client, bot: BotProcess, role: str, team: str = "north") -> Client:
    await client.command(f"/start {invite(bot, role, team)}")
    await settle(client, last_says("Welcome"))
    return client


async def press_labelled(client: Client, words: str) -> dict:
    """Press the newest button whose label contains these words; the update it makes."""
    for message in reversed(await client.messages()):
        for label in message.labels:
            if words in label:
                return await client.press(label, message_id=message.message_id)
    raise AssertionError(f"no button says {words!r}")


async def open_drill(casey: Client, ref: str = REF) -> None:
    """Open a case on the drill and wait for its first question."""
    await casey.command("/new")
    await settle(casey, last_says("crime reference"))
    await casey.send(ref)
    await settle(casey, last_says(f"Case {ref}"))
    await press_labelled(casey, "Review drill")
    await settle(casey, last_says("Investigation plan"))


async def drill_submitted(casey: Client, ref: str = REF) -> None:
    """Open a case on the drill, answer everything and submit it."""
    await open_drill(casey, ref)
    for ask in ("Investigation plan", "Records request", "Victim updated"):
        await settle(casey, last_says(ask))
        await press_labelled(casey, "Yes")
    await settle(casey, last_says("Anything for the supervisor"))
    await casey.send("Plan filed on the system")
    await settle(casey, last_says("Submit it for review?"))
    await press_labelled(casey, "Submit")
    await settle(casey, last_says("Submitted for review"))


async def menu_of(emulator: Emulator, bot: BotProcess, client: Client) -> list[str]:
    """The commands Telegram would show in this person's chat, as the bot set them."""
    token = bot.token  # type: ignore[attr-defined]
    scope = json.dumps({"type": "chat", "chat_id": client.chat_id})
    async with httpx.AsyncClient() as http:
        for _ in range(50):
            found = (
                await http.post(
                    f"{emulator.bot_api_base_url}{token}/getMyCommands", data={"scope": scope}
                )
            ).json()["result"]
            if found:
                return [command["command"] for command in found]
            await asyncio.sleep(0.1)
    return []


async def test_each_chat_is_offered_the_commands_of_its_persons_role(
    emulator: Emulator, bot: BotProcess
):
    """Supervisors and trainers are never offered /new; investigators are; strangers see two."""
    async with (
        someone(emulator, bot, "Casey") as casey,
        someone(emulator, bot, "Sam") as sam,
        someone(emulator, bot, "Tina") as tina,
    ):
        await enrolled(casey, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await enrolled(tina, bot, "trainer")
        casey_menu = await menu_of(emulator, bot, casey)
        sam_menu = await menu_of(emulator, bot, sam)
        tina_menu = await menu_of(emulator, bot, tina)
    assert "new" in casey_menu
    assert "team" not in casey_menu
    assert "new" not in sam_menu
    assert {"team", "signoff", "case"} <= set(sam_menu)
    assert "new" not in tina_menu
    assert {"playbooks", "reload", "insights"} <= set(tina_menu)


async def test_the_team_view_shows_only_the_supervisors_team(emulator: Emulator, bot: BotProcess):
    async with (
        someone(emulator, bot, "Casey") as casey,
        someone(emulator, bot, "Sol") as sol,
        someone(emulator, bot, "Sam") as sam,
    ):
        await enrolled(casey, bot, "investigator")
        await enrolled(sol, bot, "investigator", team="south")
        await enrolled(sam, bot, "supervisor")
        await drill_submitted(casey)
        await drill_submitted(sol, OTHER_REF)
        await sam.command("/team")
        chat = await settle(sam, last_says("1 open case,"))
        assert REF in chat[-1].text
        assert "Casey" in chat[-1].text
        assert OTHER_REF not in chat[-1].text
        await sam.command(f"/case {OTHER_REF}")
        chat = await settle(sam, last_says("No case"))
        assert "Sol" not in chat[-1].text
        await casey.command("/team")
        await settle(casey, last_says("for supervisors"))


async def test_sign_off_is_refused_while_a_challenge_is_open(emulator: Emulator, bot: BotProcess):
    async with someone(emulator, bot, "Casey") as casey, someone(emulator, bot, "Sam") as sam:
        await enrolled(casey, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await drill_submitted(casey)
        await settle(sam, last_says("For your review", REF))  # pushed, not polled
        await sam.command(f"/case {REF}")
        await settle(sam, last_says("Why are you looking at", REF))
        await press_labelled(sam, "Supervision")
        await settle(sam, last_says("Review drill v1 · submitted"))
        await press_labelled(sam, "Challenge an item")
        await settle(sam, last_says("Which item"))
        await press_labelled(sam, "Investigation plan opened?")
        await settle(sam, last_says("What do you challenge"))
        await sam.send("Which system holds the plan?")
        await settle(sam, last_says("Challenge sent"))
        await settle(casey, last_says("Challenge from Sam", "Which system holds the plan?"))
        await sam.command("/signoff")
        await settle(sam, last_says("challenge open"))
        # The list's button shows what signing would cover, and why it cannot be done yet.
        await press_labelled(sam, "Sign off")
        chat = await settle(sam, last_says("once the investigator has replied"))
        assert "Which system holds the plan?" in chat[-1].text
        assert chat[-1].keyboard == ()
        await press_labelled(casey, "Reply")
        await settle(casey, last_says("Type your reply"))
        await casey.send("Athena, action 4")
        await settle(casey, last_says("Reply sent"))
        await settle(sam, last_says("Casey replied", "Athena, action 4"))
        await sam.command("/signoff")
        await settle(sam, last_says("waiting for review"))
        await press_labelled(sam, "Sign off")
        await settle(sam, last_says("Open challenges: none."))
        await press_labelled(sam, "Sign off")
        await settle(sam, last_says("Signed off", REF))
        await settle(casey, last_says("Signed off", REF, "Sam"))


async def test_a_return_with_a_note_reaches_the_investigator(emulator: Emulator, bot: BotProcess):
    async with someone(emulator, bot, "Casey") as casey, someone(emulator, bot, "Sam") as sam:
        await enrolled(casey, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await drill_submitted(casey)
        await sam.command("/return")
        await settle(sam, last_says("waiting for review"))
        await press_labelled(sam, "Return")
        await settle(sam, last_says("What needs doing"))
        await sam.send("Victim Jane Smith rang 07700 900123")  # personal details: refused
        await settle(sam, last_says("rephrase"))
        await sam.send("Add the CCTV trawl to the plan")
        await settle(sam, last_says("Returned", REF))
        chat = await settle(casey, last_says("Returned to you", "Add the CCTV trawl"))
        assert "Carry on" in chat[-1].labels
        await press_labelled(casey, "Carry on")
        await settle(casey, lambda m: "returned" not in m[-1].text and REF in m[-1].text)


async def test_an_item_past_its_escalation_point_is_pushed_to_the_supervisor(
    emulator: Emulator, bot: BotProcess
):
    async with someone(emulator, bot, "Casey") as casey, someone(emulator, bot, "Sam") as sam:
        await enrolled(casey, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await open_drill(casey)
        # The crime was reported ten days ago: the plan was due eight days ago.
        await casey.command("/milestone")
        await settle(casey, last_says("Which milestone"))
        await press_labelled(casey, "Crime reported")
        await settle(casey, last_says("Send the date"))
        reported = datetime.now(ZoneInfo("Europe/London")).date() - timedelta(days=10)
        await casey.send(f"{reported:%d/%m/%Y}")
        await settle(casey, lambda m: any("Moved: Crime reported" in x.text for x in m))
        chat = await settle(sam, last_says("Escalated", REF, "Casey"), within=15)
        assert "Open " + REF in chat[-1].labels[0]


async def test_a_handover_waits_for_the_new_officer_to_accept(emulator: Emulator, bot: BotProcess):
    async with (
        someone(emulator, bot, "Casey") as casey,
        someone(emulator, bot, "Robin") as robin,
        someone(emulator, bot, "Sam") as sam,
    ):
        await enrolled(casey, bot, "investigator")
        await enrolled(robin, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await open_drill(casey)
        await press_labelled(casey, "Later")
        await settle(casey, last_says("Records request"))
        await sam.command(f"/handover {REF}")
        await settle(sam, last_says("Hand", "to whom"))
        await press_labelled(sam, "Robin")
        await settle(sam, last_says("Offered", "Robin"))
        offer = await settle(robin, last_says("handed over to you", "left for later"))
        assert f"Accept {REF}" in offer[-1].labels
        await sam.command("/team")
        await settle(sam, last_says("in handover to Robin"))
        await press_labelled(robin, "Accept")
        await settle(robin, last_says("You now hold", REF))
        await settle(casey, last_says("Robin accepted the handover", REF))
        await robin.command("/cases")
        await settle(robin, last_says(REF, "Review drill"))
        await casey.command("/cases")
        chat = await settle(casey, last_says("no open cases"))
        assert REF not in chat[-1].text


async def test_export_names_the_report_but_not_its_path_when_the_server_cannot_take_files(
    emulator: Emulator, bot: BotProcess
):
    async with someone(emulator, bot, "Casey") as casey, someone(emulator, bot, "Sam") as sam:
        await enrolled(casey, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await drill_submitted(casey)
        await sam.command("/export")
        await settle(sam, last_says("Why are you exporting"))
        await press_labelled(sam, "Audit")
        chat = await settle(sam, last_says("saved on the bot's server"))
        said = chat[-1].text
        name = re.search(r"as (team-report-\S+\.html);", said).group(1)  # type: ignore[union-attr]
        assert str(bot.db_path.parent) not in said  # a name, never the server's path
        assert "removed after 24 hours" in said
        path = bot.db_path.parent / "reports" / name
        written = await asyncio.to_thread(path.read_text, encoding="utf-8")
        assert REF in written
        assert "could not send" in bot.log  # a warning for the operator, not an error


async def test_the_case_view_shows_a_correction_and_who_made_it(
    emulator: Emulator, bot: BotProcess
):
    async with someone(emulator, bot, "Casey") as casey, someone(emulator, bot, "Sam") as sam:
        await enrolled(casey, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await open_drill(casey)
        await press_labelled(casey, "No")
        await settle(casey, last_says("Why?"))
        await press_labelled(casey, "Awaiting allocation")
        await settle(casey, last_says("Records request"))
        await press_labelled(casey, "Back")
        await settle(casey, last_says("Investigation plan"))
        await press_labelled(casey, "Yes")
        await settle(casey, last_says("Records request"))
        await sam.command(f"/case {REF}")
        await settle(sam, last_says("Why are you looking at", REF))
        await press_labelled(sam, "Case progression")
        chat = await settle(sam, last_says("Review drill v1"))
        assert "✓ Investigation plan opened?: Yes · Casey" in chat[-1].text
        assert "changed from No: Casey" in chat[-1].text


async def test_typing_after_the_last_answer_does_not_edit_the_answered_question_again(
    emulator: Emulator, bot: BotProcess
):
    """After a run's last typed answer, later messages leave it be: no wasted, refused edit."""
    async with someone(emulator, bot, "Casey") as casey:
        await enrolled(casey, bot, "investigator")
        await drill_submitted(casey)
        for text in ("/cases", "/help"):
            before = len(await casey.messages())
            await casey.command(text)
            await settle(casey, lambda m, before=before: len(m) > before)
        await asyncio.sleep(0.5)  # any edit of the old question would have been made by now
    assert "not modified" not in bot.log


async def test_the_access_log_lists_each_view_and_the_export_with_its_purpose(
    emulator: Emulator, bot: BotProcess
):
    """s.62: a case's views and the team's export, each with the purpose tapped, are in
    `soteria-bot access-log --case REF`; the export's button is answered like `/export`."""
    async with someone(emulator, bot, "Casey") as casey, someone(emulator, bot, "Sam") as sam:
        await enrolled(casey, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await drill_submitted(casey)
        await sam.command(f"/case {REF}")
        await settle(sam, last_says("Why are you looking at", REF))
        await press_labelled(sam, "Supervision")
        await settle(sam, last_says("Review drill v1"))
        await sam.command(f"/case {REF}")  # the same day: not asked again
        await settle(sam, lambda m: sum("Review drill v1" in x.text for x in m) == 2)
        await sam.command("/export")
        await settle(sam, last_says("Why are you exporting"))
        await press_labelled(sam, "Disclosure")
        await settle(sam, last_says("saved on the bot's server"))

        listed = bot.cli("access-log", "--case", REF)

        lines = listed.splitlines()[1:]
        assert [line.split()[4] for line in lines] == ["view", "view", "export"]
        assert sum("supervision" in line for line in lines) == 2
        assert "disclosure" in lines[2]
        assert "/export, html, to their chat" in lines[2]
        # Two enrolments, two views and the export.
        assert "Access log verified: 5 records, chain intact." in bot.cli("verify")
