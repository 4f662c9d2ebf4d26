"""The trainers' commands as a trainer types them: publish, diff, walk a draft, diagrams, feedback."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.services import cases, investigating, people

from .oversight_world import DRILL, PLAYBOOKS_DIR
from .test_publishing import DRILL_V2


@pytest.fixture(name="env")
def _env(tmp_path: Path) -> dict[str, str]:
    """A playbooks folder with the drill, and a database beside it."""
    folder = tmp_path / "playbooks"
    folder.mkdir()
    shutil.copy(PLAYBOOKS_DIR / "milestones.yaml", folder / "milestones.yaml")
    (folder / "drill.yaml").write_text(DRILL, encoding="utf-8")
    return {
        "SOTERIA_DB": str(tmp_path / "state" / "soteria.db"),
        "SOTERIA_PLAYBOOKS": str(folder),
        # The report below opens cases by crime reference; new installations use handles.
        "SOTERIA_CASE_KEY": "crime-reference",
    }


def run(env: dict[str, str], *args: str, given: str | None = None) -> tuple[int, str]:
    result = CliRunner(env=env).invoke(cli, list(args), input=given)
    return result.exit_code, result.output


def drill_file(env: dict[str, str]) -> Path:
    return Path(env["SOTERIA_PLAYBOOKS"]) / "drill.yaml"


#: A playbook a trainer drafts in the folder once the drill is live: 4 items in 2 sections.
DIGITAL = DRILL.replace("playbook: drill", "playbook: digital").replace(
    "title: Review drill", "title: Digital lines of enquiry"
)


def playbooks_listing(env: dict[str, str]) -> str:
    """What a trainer's /playbooks says, asked in the terminal chat."""
    code, output = run(
        env, "chat", "--role", "trainer", "--as", "Tess", given="/playbooks\n/quit\n"
    )
    assert code == 0, output
    return output


def test_a_new_playbook_stays_a_draft_until_someone_publishes_it_by_name(env):
    """UX walk 2, #4: diff, report and a restart only read; `publish --as NAME` publishes."""
    assert run(env, "chat", given="/quit\n")[0] == 0  # a fresh install: the drill goes live
    digital = Path(env["SOTERIA_PLAYBOOKS"]) / "digital.yaml"
    digital.write_text(DIGITAL, encoding="utf-8")

    new = "digital: new playbook, never published: 4 items in 2 sections.\n"
    assert run(env, "diff", "digital") == (0, new)
    assert run(env, "diff", str(digital)) == (0, new)
    assert run(env, "report", "--purpose", "audit")[0] == 0
    assert run(env, "report", "--trainer", "--purpose", "training")[0] == 0
    assert run(env, "validate")[0] == 0
    assert run(env, "chat", given="/quit\n")[0] == 0  # a restart
    listing = playbooks_listing(env)
    assert "• Review drill (drill) v1, published " in listing
    assert "• Digital lines of enquiry (digital) v1: a file on the server, never published" in (
        listing
    )
    assert run(env, "diff", "digital") == (0, new)

    code, output = run(env, "publish", "--as", "DS Trainer")
    assert (code, output) == (
        0,
        "Published digital version 1 (new).\nUnchanged: drill version 1.\n",
    )
    listing = playbooks_listing(env)
    assert "never published" not in listing
    assert "• Digital lines of enquiry (digital) v1, published " in listing
    assert " by DS Trainer (command line). Under way: none." in listing


def test_publish_without_a_name_asks_for_one_and_publishes_nothing(env):
    code, output = run(env, "publish")
    assert code == 2
    assert 'Say who is publishing: add --as NAME, for example --as "DS Trainer".' in output
    assert run(env, "diff", "drill")[1].startswith("drill: new playbook, never published")


def test_diff_of_a_playbook_neither_in_the_folder_nor_published_says_so(env):
    code, output = run(env, "diff", "nonesuch")
    assert code == 1
    assert "Error: No playbook 'nonesuch' is in " in output
    assert "nor was one published" in output


def test_publish_lists_what_it_published_and_diff_says_the_two_changes(env):
    assert run(env, "publish", "--as", "DS Trainer") == (0, "Published drill version 1 (new).\n")
    assert run(env, "publish", "--as", "DS Trainer") == (
        0,
        "Nothing to publish: all 1 playbook match their published versions.\n",
    )
    drill_file(env).write_text(DRILL_V2, encoding="utf-8")

    code, output = run(env, "publish", "--as", "DS Trainer")
    assert code == 0, output
    assert output == "Published drill version 2 (was 1): 1 item added, 1 removed.\n"
    code, output = run(env, "diff", "drill", "1", "2")
    assert code == 0, output
    assert output.splitlines()[0] == "drill: version 1 → version 2 (1 item added, 1 removed)"
    assert (
        "  + suspect-contact: “Suspect's contact with the victim since the report checked?”"
        in (output)
    )
    assert "  - records: “Records request tested and justified?”" in output


def test_publish_with_a_bad_file_exits_1_listing_every_problem(env, tmp_path: Path):
    run(env, "publish", "--as", "DS Trainer")
    drill_file(env).write_text(DRILL_V2, encoding="utf-8")
    bad = Path(env["SOTERIA_PLAYBOOKS"]) / "bad.yaml"
    bad.write_text("playbook: bad\ntitle: Bad\nversion: one\nsections: []\n", encoding="utf-8")

    code, output = run(env, "publish", "--as", "DS Trainer")
    assert code == 1
    lines = output.splitlines()
    assert lines[0].startswith("Nothing was published: ")
    assert all(line.startswith(f"{bad}:") for line in lines[1:]), output
    assert run(env, "diff", "drill")[1].startswith("Comparing published version 1 with the file.")


def test_diff_of_a_version_never_published_names_the_ones_that_were(env):
    run(env, "publish", "--as", "DS Trainer")
    code, output = run(env, "diff", "drill", "1", "7")
    assert code == 1
    assert "drill has no published version 7. Published: 1." in output
    assert "nothing to compare" in run(env, "diff", "drill")[1]


def test_walking_a_draft_shows_its_questions_and_due_dates_and_keeps_nothing(env, tmp_path: Path):
    draft = tmp_path / "draft.yaml"
    draft.write_text(DRILL_V2, encoding="utf-8")

    code, output = run(env, "preview", "--walk", str(draft), given="1\n1\n/quit\n")
    assert code == 0, output
    assert "Walking " in output
    assert "throwaway database" in output
    assert "Investigation plan opened?" in output
    assert "Suspect's contact with the victim since the report checked?" in output
    assert "Due in 3 days" in output or "Due in 2 days" in output
    assert not Path(env["SOTERIA_DB"]).exists()  # the real database was never touched
    same = run(env, "chat", "--playbook", str(draft), "--draft", given="/quit\n")
    assert same[0] == 0
    assert "Investigation plan opened?" in same[1]
    assert run(env, "chat", "--playbook", str(draft))[0] == 2  # --draft is required


def test_walking_a_draft_where_the_force_uses_handles_walks_it_under_a_handle(env, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text(DRILL_V2, encoding="utf-8")

    code, output = run({**env, "SOTERIA_CASE_KEY": "handle"}, "preview", "--walk", str(draft),
                       given="/quit\n")  # fmt: skip

    assert code == 0, output
    assert re.search(r"on a throwaway database, as case C-[0-9A-Z]{6}\.", output)
    assert "Investigation plan opened?" in output


def test_a_draft_with_a_mistake_is_not_walked(env, tmp_path: Path):
    draft = tmp_path / "draft.yaml"
    draft.write_text(DRILL.replace("type: yes-no-na", "type: yes-maybe"), encoding="utf-8")
    code, output = run(env, "preview", "--walk", str(draft), given="/quit\n")
    assert code == 1
    assert f"{draft}:19:15: item 'records': unknown type 'yes-maybe'" in output
    assert "1 problem in 1 file." in output


def test_preview_mermaid_prints_a_state_diagram(env):
    code, output = run(env, "preview", "--mermaid", str(drill_file(env)))
    assert code == 0, output
    assert output.startswith("stateDiagram-v2")
    assert "Investigation plan opened?" in output


def test_the_trainer_report_gives_per_item_rates_without_naming_cases(env):
    run(env, "publish", "--as", "DS Trainer")
    from bot.config import Settings

    from ..apps import open_app

    service = open_app(Settings.from_env(env))
    casey = people.local_user(service, "Casey", "investigator")
    cases.open_case(service, casey, "43/11111/26")
    run_id = investigating.start_run(service, casey, "43/11111/26", "drill").run.run_id  # type: ignore[union-attr]
    investigating.answer(service, casey, run_id, "plan", "no")
    investigating.give_reason(service, casey, run_id, "Awaiting allocation")
    service.uow.db.close()

    code, output = run(env, "report", "--trainer", "--purpose", "training")
    assert code == 0, output
    assert "drill v1 · 1 run" in output
    assert "Awaiting allocation" in output
    assert "43/11111/26" not in output
    code, output = run(env, "report", "--trainer", "--format", "json", "--purpose", "training")
    assert json.loads(output)["playbooks"]["drill"]["versions"]["1"]["runs"] == 1
    assert run(env, "report", "--trainer", "--format", "html", "--purpose", "training")[0] == 2
