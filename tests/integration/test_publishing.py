"""Publishing playbook versions while runs are under way, and moving runs to the newest one.

Everything goes through the real service on a real SQLite file: runs stay on the version they
started on, a publish is all or nothing, the log never changes behind anyone, and a run moved
to a newer version keeps what still fits.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.conversation.dialogue import Dialogue
from bot.conversation.trainer import publish_lines
from bot.core.changes import compare
from bot.core.errors import NotAllowed
from bot.reports.oversight import gather
from bot.reports.team import render_team_table
from bot.services import access, cases, facts, investigating, moving, people, supervising
from bot.services.publishing import publish_files, publish_upload
from bot.store import log, versions
from bot.store.playbook_files import load_library
from bot.wording.changes import Wording, diff_text

from ..apps import make_app
from .oversight_world import DRILL, World, make_world

#: Version 2 of the drill: `records` removed, a required `suspect-contact` added.
DRILL_V2 = DRILL.replace("version: 1", "version: 2").replace(
    """      - id: records
        ask: Records request tested and justified?
        type: yes-no-na
        reason: [na]
        reasons: [No request made]
        countersign: true
        due: {within: 5d, of: report}
        focus: victim
""",
    """      - id: suspect-contact
        ask: Suspect's contact with the victim since the report checked?
        type: yes-no
        due: {within: 3d, of: report}
""",
)
#: Version 3: an answer of `plan` renamed, so answers to it no longer carry.
DRILL_V3 = DRILL_V2.replace("version: 2", "version: 3").replace(
    "        type: yes-no\n        reason: [no]\n        reasons: [Awaiting allocation",
    "        type: choice\n        options: [opened, not yet]\n        reason: [not yet]\n"
    "        reasons: [Awaiting allocation",
)


def folder_of(world: World) -> Path:
    folder = world.service.playbooks_dir
    assert folder is not None
    return folder


@pytest.fixture(name="world")
def _world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    world.service.playbooks_dir = tmp_path / "playbooks"
    return world


def write_drill(world: World, text: str) -> None:
    (folder_of(world) / "drill.yaml").write_text(text, encoding="utf-8")


def publish(world: World, by: str = "DS Trainer") -> list[str]:
    outcome = publish_files(world.service, [folder_of(world)], None, by)
    assert outcome.ok, publish_lines(outcome)
    return publish_lines(outcome)


def log_rows(world: World) -> list[tuple[object, ...]]:
    return world.service.uow.db.execute("select * from log order by seq").fetchall()


def test_a_version_that_removes_one_item_and_adds_a_required_one_breaks_no_run(world: World):
    """The acceptance: 20 runs under way keep working on version 1 after version 2 is out."""
    service, casey = world.service, world.people["Casey"]
    runs = [world.open("Casey", f"43/{10000 + n}/26") for n in range(20)]
    for run_id in runs[:10]:
        investigating.answer(service, casey, run_id, "plan", "yes")
    before = log_rows(world)

    write_drill(world, DRILL_V2)
    lines = publish(world)

    assert lines[0] == "Published drill version 2 (was 1): 1 item added, 1 removed."
    assert "20 runs under way stay on the version started on" in lines[1]
    # Nothing recorded before the publish changed.
    assert log_rows(world)[: len(before)] == before
    for run_id in runs:
        run = access.run(service, casey, run_id)
        assert run.playbook.version == 1
        assert run.current() is not None
        assert run.current().id in ("plan", "records")
    # Every run still takes answers on its own version, the removed item included.
    for run_id in runs[:10]:
        outcome = investigating.answer(service, casey, run_id, "records", "yes")
        assert outcome.run is not None
        assert outcome.run.status("records").status == "done"
    cases.open_case(service, casey, "43/20000/26")
    fresh = investigating.start_run(service, casey, "43/20000/26", "drill").run
    assert fresh is not None
    assert fresh.playbook.version == 2
    assert [item.id for item in fresh.playbook.items] == [
        "plan", "suspect-contact", "victim-update", "note",
    ]  # fmt: skip
    # The report names both versions, run by run.
    table = render_team_table(gather(service, teams=["North"]))
    assert "Review drill v1" in table
    assert "Review drill v2" in table
    assert log.verify(service.uow.db).ok


def test_the_diff_of_that_pair_says_both_changes_in_words(world: World):
    write_drill(world, DRILL_V2)
    publish(world)
    kept = world.service.catalog.history("drill")
    old, new = (world.service.catalog.playbook_of_version(v.id) for v in kept)
    text = diff_text(compare(old, new), Wording(world.service.catalog.files.milestones, {}))

    assert text.startswith("drill: version 1 → version 2 (1 item added, 1 removed)")
    assert (
        "+ suspect-contact: “Suspect's contact with the victim since the report checked?”" in text
    )
    assert "yes-no, required, due within 3 days of the report" in text
    assert "- records: “Records request tested and justified?”" in text
    assert "Changed" not in text


def test_one_invalid_file_among_valid_ones_publishes_nothing(world: World):
    write_drill(world, DRILL_V2)
    broken = folder_of(world) / "broken.yaml"
    broken.write_text(
        "playbook: broken\ntitle: Broken\nversion: 1\nsections:\n  - id: s\n    title: S\n"
        "    items:\n      - id: a\n        ask: A?\n        type: yes-maybe\n",
        encoding="utf-8",
    )
    outcome = publish_files(world.service, [folder_of(world)], None, "DS Trainer")

    assert not outcome.ok
    assert publish_lines(outcome)[0] == "Nothing was published: 1 problem."
    assert publish_lines(outcome)[1].startswith(f"{broken}:10:15: ")
    assert world.service.catalog.published()["drill"].version == 1
    assert world.service.catalog.library.playbook("drill").version == 1


def test_a_changed_text_under_a_published_number_is_refused_at_its_version_line(world: World):
    write_drill(world, DRILL_V2.replace("version: 2", "version: 1"))
    outcome = publish_files(world.service, [folder_of(world)], None, "DS Trainer")

    assert [str(problem) for problem in outcome.problems] == [
        f"{folder_of(world) / 'drill.yaml'}:3:10: version 1 is already published with "
        "different content; make it 2 to publish this change"
    ]
    write_drill(world, DRILL_V2)
    publish(world)
    write_drill(world, DRILL_V3.replace("version: 3", "version: 1"))
    outcome = publish_files(world.service, [folder_of(world)], None, "DS Trainer")
    assert (
        "version 1 is older than the published version 2; make it 3" in publish_lines(outcome)[1]
    )


def test_a_version_keeps_its_text_who_published_it_and_when(world: World):
    write_drill(world, DRILL_V2)
    publish(world, by="DS Trainer (command line)")
    first, second = world.service.catalog.history("drill")

    assert first.text == DRILL
    assert first.publisher == "the server, on first use"
    assert second.text == DRILL_V2
    assert second.publisher == "DS Trainer (command line)"
    assert second.content_hash == versions.content_hash(DRILL_V2)
    assert second.published_at.startswith("2026-11-02T09:00:00")
    with pytest.raises(sqlite3.IntegrityError, match="never changes"):
        world.service.uow.db.execute(
            "update playbook_versions set text = 'x' where id = ?", [first.id]
        )
    with pytest.raises(sqlite3.IntegrityError, match="never changes"):
        world.service.uow.db.execute("delete from playbook_versions where id = ?", [first.id])


def test_publishing_the_same_files_again_changes_nothing(world: World):
    assert publish(world) == ["Nothing to publish: all 1 playbook match their published versions."]
    assert len(world.service.catalog.history("drill")) == 1


def test_moving_carries_answers_and_needs_the_new_required_item_acknowledged(world: World):
    service, casey = world.service, world.people["Casey"]
    run_id = world.open("Casey", "43/30000/26")
    investigating.answer(service, casey, run_id, "plan", "no")
    investigating.give_reason(service, casey, run_id, "Awaiting allocation")
    investigating.answer(service, casey, run_id, "records", "yes")
    world.clock.days(1)
    write_drill(world, DRILL_V2)
    publish(world)

    offer = moving.move_offer(service, casey, run_id)
    assert offer is not None
    assert offer.carried == ("plan",)
    assert [item.id for item in offer.changes.newly_required] == ["suspect-contact"]
    with pytest.raises(NotAllowed, match="Acknowledge the new required items first"):
        moving.move_run(service, casey, run_id, offer.target, acknowledged=False)
    outcome = moving.move_run(service, casey, run_id, offer.target, acknowledged=True)

    moved = outcome.run
    assert moved is not None
    assert moved.playbook.version == 2
    plan = moved.status("plan")
    assert (plan.status, plan.value, plan.reason) == ("not-done", "no", "Awaiting allocation")
    # Carried answers keep who gave them and when, not the time of the move.
    assert plan.actor == f"user:{casey.id}"
    assert plan.at == world.clock.now.replace(day=2)
    assert moved.current() is not None
    assert moved.current().id == "suspect-contact"
    old = access.run(service, casey, run_id)
    assert old.state == "moved"
    moved_entry = list(log.entries(service.uow.db, run_id=run_id))[-1].entry
    assert moved_entry.kind == "version-moved"
    assert moved_entry.detail["to_run"] == str(moved.run_id)
    assert moved_entry.detail["removed"] == "records"
    assert moved_entry.detail["acknowledged"] == "suspect-contact"
    assert moving.move_offer(service, casey, moved.run_id) is None
    # The case's run of the drill is now the moved one: starting it again finds it.
    again = investigating.start_run(service, casey, "43/30000/26", "drill").run
    assert again is not None
    assert again.run_id == moved.run_id
    assert log.verify(service.uow.db).ok


def test_an_answer_whose_options_changed_does_not_carry_and_is_asked_again(world: World):
    service, casey = world.service, world.people["Casey"]
    write_drill(world, DRILL_V2)
    publish(world)
    run_id = world.open("Casey", "43/30001/26")
    investigating.answer(service, casey, run_id, "plan", "yes")
    investigating.answer(service, casey, run_id, "suspect-contact", "yes")
    write_drill(world, DRILL_V3)
    publish(world)

    offer = moving.move_offer(service, casey, run_id)
    assert offer is not None
    assert offer.carried == ("suspect-contact",)
    assert [item.id for item in offer.dropped] == ["plan"]
    moved = moving.move_run(service, casey, run_id, offer.target, acknowledged=False).run
    assert moved is not None
    assert moved.status("plan").status == "open"
    assert moved.current().id == "plan"
    assert moved.status("suspect-contact").status == "done"


def test_a_moved_run_is_in_the_read_model_as_a_replay_of_the_log_sees_it(world: World):
    """Found end to end: the run a move started was kept with no start time in the read model,
    so `verify` called the database inconsistent after any version move."""
    service, casey = world.service, world.people["Casey"]
    run_id = world.open("Casey", "43/30009/26")
    investigating.answer(service, casey, run_id, "plan", "yes")
    write_drill(world, DRILL_V2)
    publish(world)
    offer = moving.move_offer(service, casey, run_id)
    assert offer is not None
    moving.move_run(service, casey, run_id, offer.target, acknowledged=True)

    agreement = facts.check(service)

    assert agreement.ok, agreement


def test_a_stale_offer_is_refused_once_another_version_is_out(world: World):
    service, casey = world.service, world.people["Casey"]
    run_id = world.open("Casey", "43/30002/26")
    write_drill(world, DRILL_V2)
    publish(world)
    stale = moving.move_offer(service, casey, run_id)
    assert stale is not None
    write_drill(world, DRILL_V3)
    publish(world)

    with pytest.raises(NotAllowed, match="out of date"):
        moving.move_run(service, casey, run_id, stale.target, acknowledged=True)
    assert access.run(service, casey, run_id).state == "asking"


def test_only_the_officer_in_the_case_moves_it_and_never_over_an_open_challenge(world: World):
    service, casey = world.service, world.people["Casey"]
    run_id = world.open("Casey", "43/30003/26")
    investigating.answer(service, casey, run_id, "plan", "yes")
    supervising.challenge(service, world.people["Sam"], run_id, "plan", "Which plan?")
    write_drill(world, DRILL_V2)
    publish(world)
    offer = moving.move_offer(service, casey, run_id)
    assert offer is not None

    with pytest.raises(NotAllowed, match="Only the officer in the case"):
        moving.move_run(service, world.people["Sam"], run_id, offer.target, acknowledged=True)
    with pytest.raises(NotAllowed, match="Reply to the open challenge"):
        moving.move_run(service, casey, run_id, offer.target, acknowledged=True)
    assert access.run(service, casey, run_id).state == "asking"


def test_a_publish_from_another_process_reaches_a_running_service(world: World, tmp_path: Path):
    """The bot keeps running while `soteria-bot publish` writes: its next new run is on v2."""
    other = make_app(
        type(world.service.uow.db)(sqlite3.connect(tmp_path / "state" / "soteria.db")),
        load_library([folder_of(world)], folder_of(world)),
        world.clock,
        playbooks_dir=folder_of(world),
    )
    write_drill(world, DRILL_V2)
    assert publish_files(other, [folder_of(world)], None, "cli").ok

    casey = world.people["Casey"]
    cases.open_case(world.service, casey, "43/30004/26")
    run = investigating.start_run(world.service, casey, "43/30004/26", "drill").run
    assert run is not None
    assert run.playbook.version == 2


def test_a_restart_never_publishes_a_changed_file_by_itself(world: World, tmp_path: Path):
    write_drill(world, DRILL_V2)
    again = make_app(
        world.service.uow.db, load_library([folder_of(world)], folder_of(world)), world.clock
    )
    assert again.catalog.library.playbook("drill").version == 1
    assert len(again.catalog.history("drill")) == 1


def test_a_playbook_sent_as_a_file_is_checked_and_published(world: World):
    trainer = world.people["Sam"]
    bad = publish_upload(
        world.service, "../../drill.yaml", b"playbook: drill\nversion: [", trainer.id, "Tina"
    )
    assert not bad.ok
    assert publish_lines(bad)[1].startswith("drill.yaml:3:1: YAML syntax error")
    assert not publish_upload(world.service, "drill.txt", DRILL_V2.encode(), None, "Tina").ok
    assert (
        publish_lines(publish_upload(world.service, "drill.yaml", b"\xff\xfe", None, "Tina"))[1]
        == "drill.yaml:1:1: the file is not UTF-8 text (byte 0)"
    )

    good = publish_upload(world.service, "drill.yaml", DRILL_V2.encode(), None, "Tina")
    assert good.ok, publish_lines(good)
    latest = world.service.catalog.published()["drill"]
    assert (latest.version, latest.publisher, latest.source) == (2, "Tina", "drill.yaml")


def test_the_investigator_is_offered_the_move_in_the_chat_and_can_stay(world: World):
    service, casey = world.service, world.people["Casey"]
    dialogue = Dialogue(service)
    run_id = world.open("Casey", "43/30005/26")
    investigating.answer(service, casey, run_id, "plan", "yes")
    write_drill(world, DRILL_V2)
    publish(world)

    offer, question = dialogue.handle(casey, "/resume")
    assert offer.text.startswith(
        "Version 2 of 'Review drill' is published; 43/30005/26 is on version 1."
    )
    assert "+ New: “Suspect's contact with the victim since the report checked?” (required" in (
        offer.text
    )
    assert "- Removed: “Records request tested and justified?”" in offer.text
    labels = [option.label for row in offer.options for option in row]
    assert labels == ["Acknowledge 1 new required item and move", "Stay on version 1"]
    assert question.text.splitlines()[1] == "Records request tested and justified?"

    stayed = dialogue.press(casey, offer.options[1][0].action)
    assert stayed[0].text == "Staying on version 1."
    assert len(dialogue.handle(casey, "/resume")) == 1  # not offered twice in a session
    # A forged plain move (no acknowledgement) is refused and changes nothing.
    forged = dialogue.press(casey, offer.options[0][0].action.replace("mva:", "mv:"))
    assert forged[0].text == "Acknowledge the new required items first."
    moved = dialogue.press(casey, offer.options[0][0].action)
    # What the move did heads the question it leads to: one message.
    said = moved[0].text.splitlines()
    assert said[0] == "Moved to version 2 of 'Review drill'. 1 answer carried over."
    assert said[2].startswith("Suspect's contact")
    # Someone else's run cannot be moved with a copied button.
    robin = dialogue.press(world.people["Robin"], offer.options[0][0].action)
    assert "not one of yours" in robin[0].text or "out of date" in robin[0].text


def test_trainers_see_versions_and_runs_per_version_and_others_cannot_publish(world: World):
    service = world.service
    world.people["Tina"] = people.local_user(service, "Tina", "trainer")
    dialogue = Dialogue(service)
    world.open("Casey", "43/30006/26")
    write_drill(world, DRILL_V2)

    assert dialogue.handle(world.people["Casey"], "/reload")[0].text == "That is for trainers."
    listing = dialogue.handle(world.people["Tina"], "/playbooks")[0].text
    assert "Review drill (drill) v1" in listing
    assert "The file on the server is v2: /reload" in listing
    reloaded = dialogue.handle(world.people["Tina"], "/reload")[0].text
    assert reloaded.startswith("Published drill version 2 (was 1): 1 item added, 1 removed.")
    world.open("Robin", "43/30007/26")
    listing = dialogue.handle(world.people["Tina"], "/playbooks")[0].text
    assert "Review drill (drill) v2, published 2026-11-02 by Tina. Under way: v2: 1, v1: 1." in (
        listing
    )
    assert "/reload" not in listing.split("Under way")[-1]


def test_the_disclosure_schedule_says_what_a_move_carried_and_dropped(world: World):
    from bot.reports.disclosure import render_disclosure

    service, casey = world.service, world.people["Casey"]
    run_id = world.open("Casey", "43/30008/26")
    investigating.answer(service, casey, run_id, "plan", "yes")
    write_drill(world, DRILL_V2)
    publish(world)
    offer = moving.move_offer(service, casey, run_id)
    assert offer is not None
    moving.move_run(service, casey, run_id, offer.target, acknowledged=True)

    schedule = render_disclosure(service, "43/30008/26")
    assert "Moved to a newer version of the checklist" in schedule
    assert (
        "Work moved from version 1 to version 2 (run 2); carried: plan; removed: records; "
        "acknowledged as new: suspect-contact"
    ) in schedule
    assert "Checklist started: drill version 2, moved from run 1" in schedule
    assert "Answered 'Investigation plan opened?': Yes (carried from run 1)" in schedule


def test_stay_on_a_run_already_moved_is_refused_not_confirmed(world: World):
    service, casey = world.service, world.people["Casey"]
    dialogue = Dialogue(service)
    run_id = world.open("Casey", "43/30009/26")
    write_drill(world, DRILL_V2)
    publish(world)
    first = dialogue.handle(casey, "/summary")[-1]
    second = dialogue.handle(casey, "/summary")[-1]
    dialogue.press(casey, second.options[0][0].action)  # moves

    stay = dialogue.press(casey, first.options[1][0].action)
    assert stay[0].text.startswith("That offer is out of date")
    assert run_id not in dialogue.chat(casey).stayed


def test_reload_names_files_by_their_place_in_the_playbooks_folder(world: World):
    world.people["Tina"] = people.local_user(world.service, "Tina", "trainer")
    (folder_of(world) / "broken.yaml").write_text("playbook: [\n", encoding="utf-8")
    said = Dialogue(world.service).handle(world.people["Tina"], "/reload")[0].text
    assert said.splitlines()[1].startswith("broken.yaml:2:1: ")


def test_an_old_button_after_a_move_points_to_the_question_now_waiting(world: World):
    service, casey = world.service, world.people["Casey"]
    dialogue = Dialogue(service)
    run_id = world.open("Casey", "43/30010/26")
    old_question = dialogue.handle(casey, "/resume")[-1]
    write_drill(world, DRILL_V2)
    publish(world)
    offer = dialogue.handle(casey, "/summary")[-1]
    dialogue.press(casey, offer.options[0][0].action)

    replies = dialogue.press(casey, old_question.options[0][0].action)
    # A passing note; the question now waiting is the one the move showed, and /resume's.
    assert [reply.shown for reply in replies] == ["note"]
    assert replies[0].text.startswith("That button is from an earlier message")
    waiting = dialogue.handle(casey, "/resume")[-1]
    assert waiting.text.splitlines()[1] == "Investigation plan opened?"
    assert waiting.asks is not None
    assert waiting.asks[0] != run_id


def test_an_answer_carries_when_its_item_only_gained_an_option(world: World):
    """The trainers' guide: adding an option keeps answers; renaming or removing does not."""
    service, casey = world.service, world.people["Casey"]
    write_drill(world, DRILL_V2)
    publish(world)
    write_drill(world, DRILL_V3)
    publish(world)
    run_id = world.open("Casey", "43/30003/26")
    investigating.answer(service, casey, run_id, "plan", "opened")
    write_drill(
        world,
        DRILL_V3.replace("version: 3", "version: 4").replace(
            "options: [opened, not yet]", "options: [opened, not yet, refused]"
        ),
    )
    publish(world)

    offer = moving.move_offer(service, casey, run_id)
    assert offer is not None
    assert offer.carried == ("plan",)
    assert offer.dropped == ()
    moved = moving.move_run(service, casey, run_id, offer.target, acknowledged=False).run
    assert moved is not None
    assert moved.status("plan").value == "opened"
