"""Long cases over HTTP: the summary paged to every item, 'Not yet', /milestone with the
reference typed, and a run signed off and then reopened by a charge."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import FIXTURES, PLAYBOOKS_DIR
from .bot_process import BotProcess
from .emulator import BotMessage, Client, Emulator
from .test_supervision import enrolled, press_labelled, someone
from .test_telegram_bot import last_says, settle

pytestmark = pytest.mark.e2e

REF = "43/12345/26"


@pytest.fixture(name="bot")
def _bot(emulator: Emulator, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot on the long-case playbooks, sending notices twice a second."""
    folder = tmp_path / "playbooks"
    shutil.copytree(FIXTURES / "long-case", folder)
    shutil.copy(PLAYBOOKS_DIR / "milestones.yaml", folder / "milestones.yaml")
    token = emulator.new_token()
    process = BotProcess(emulator.bot_api_base_url, token, tmp_path / "state" / "soteria.db")
    process.env.update(SOTERIA_PLAYBOOKS=str(folder), SOTERIA_NOTICE_SECONDS="0.5")
    process.token = token  # type: ignore[attr-defined]
    process.start()
    yield process
    process.stop()
    assert not process.problems(), process.log


async def open_on(casey: Client, ref: str, playbook: str, first_ask: str) -> None:
    """Open a case by typing its reference with /new, and start one checklist on it."""
    await casey.command(f"/new {ref}")
    await settle(casey, last_says("Which checklist first?"))
    await press_labelled(casey, playbook)
    await settle(casey, last_says(first_ask))


def newest_with(messages: list[BotMessage], words: str) -> BotMessage:
    return next(m for m in reversed(messages) if words in m.text)


async def test_the_summary_pages_to_every_item_of_a_long_run(emulator: Emulator, bot: BotProcess):
    """Thirty-two items: four pages of eight, and the last item answered from the last page."""
    async with someone(emulator, bot, "Casey") as casey:
        await enrolled(casey, bot, "investigator")
        await open_on(casey, REF, "Long list", "Scene check 1 done?")
        await casey.command("/summary")
        chat = await settle(casey, last_says("page 1 of 4"))
        seen = [label for label in chat[-1].labels if label.startswith("Answer:")]
        for page in (2, 3, 4):
            await press_labelled(casey, "More ›")
            chat = await settle(casey, last_says(f"page {page} of 4"))
            seen += [label for label in chat[-1].labels if label.startswith("Answer:")]
        assert len(seen) == len(set(seen)) == 32
        await press_labelled(casey, "Answer: Disclosure check 32 done?")
        await settle(
            casey, lambda m: "Disclosure check 32 done?" in m[-1].text and "Yes" in m[-1].labels
        )
        await press_labelled(casey, "Yes")
        await settle(casey, lambda m: any("✓ Yes · Casey" in x.text for x in m))


async def test_not_yet_then_a_charge_reopens_a_signed_off_run_and_the_supervisor_sees_it(
    emulator: Emulator, bot: BotProcess
):
    """The plea is 'not yet'; the run is signed off; /milestone with the reference typed in the
    other spelling records a charge; the officer is asked the new item and the supervisor told."""
    async with (
        someone(emulator, bot, "Casey") as casey,
        someone(emulator, bot, "Sam") as sam,
    ):
        await enrolled(casey, bot, "investigator")
        await enrolled(sam, bot, "supervisor")
        await open_on(casey, REF, "First steps", "Investigation plan opened?")
        await press_labelled(casey, "Yes")
        chat = await settle(casey, last_says("Date of the not-guilty plea"))
        assert "Not yet" in chat[-1].labels
        await press_labelled(casey, "Not yet")
        await settle(casey, last_says("Submit it for review?"))
        await press_labelled(casey, "Submit")
        await settle(casey, last_says("Submitted for review"))

        await sam.command("/signoff")
        await settle(sam, last_says("waiting for review"))
        await press_labelled(sam, "Sign off")
        await settle(sam, last_says("Tap Sign off, or type a note"))
        await press_labelled(sam, "Sign off")
        await settle(sam, last_says("Signed off"))

        await casey.command("/milestone 43-12345-26")
        await settle(casey, last_says(f"Which milestone for {REF}?"))
        await press_labelled(casey, "Charge")
        await settle(casey, last_says("Send the date"))
        await press_labelled(casey, "Today")
        chat = await settle(casey, last_says("Charge file reviewed?"))
        assert any(m.text.startswith("Recorded: Charge") for m in chat)

        told = await settle(sam, lambda m: any("Reopened after sign-off" in x.text for x in m))
        assert newest_with(told, "Reopened after sign-off").text == (
            f"Reopened after sign-off: First steps on {REF} has 1 new item (the charge)."
        )
        await sam.command(f"/case {REF}")
        await settle(sam, last_says("Why are you looking at", REF))
        await press_labelled(sam, "Supervision")
        chat = await settle(sam, lambda m: "Events:" in m[-1].text)
        assert "Reopened after sign-off (Sam" in chat[-1].text
        assert "Charge file reviewed? · new" in chat[-1].text
