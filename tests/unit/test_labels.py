"""How the chat says counts and occurrences."""

import pytest

from bot.wording.labels import ordinal


@pytest.mark.parametrize(
    ("number", "said"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
    ],
)
def test_an_occurrence_is_said_as_people_say_it(number, said):
    assert ordinal(number) == said


def test_a_long_label_is_cut_at_a_word_with_an_ellipsis():
    from bot.wording.labels import cut

    assert (
        cut("Sexual risk order (or interim SRO) considered?", 36)
        == "Sexual risk order (or interim SRO)…"
    )
    assert cut("Short enough", 36) == "Short enough"
    assert cut("Supercalifragilisticexpialidocious words", 10) == "Supercali…"
    assert len(cut("Written confirmation of the report sent, with", 40)) <= 40
    assert cut("Written confirmation of the report sent, with", 40).endswith("sent…")


def test_counts_take_the_plural_only_when_they_should():
    from bot.wording.labels import counted

    assert counted(1, "open case") == "1 open case"
    assert counted(2, "open case") == "2 open cases"
    assert counted(0, "item") == "0 items"
    assert counted(1, "run") == "1 run"


def test_dates_are_said_in_one_style():
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from bot.core.playbook import Item
    from bot.wording.labels import full_date, shown_value, stamp

    assert full_date(date(2026, 11, 28)) == "Sat 28 Nov 2026"
    today = date(2026, 12, 2)
    at = datetime(2026, 12, 2, 6, 6, tzinfo=UTC).astimezone(ZoneInfo("Europe/London"))
    assert stamp(at, today) == "Wed 2 Dec 06:06"
    assert stamp(at, date(2027, 1, 5)) == "Wed 2 Dec 2026 06:06"
    item = Item(id="when", ask="When?", type="date")
    assert shown_value(item, "2026-11-28") == "Sat 28 Nov 2026"


def test_state_and_risk_words_are_never_the_code_s_own():
    from bot.core.lifecycle import STATES
    from bot.wording.labels import RISK_WORDS, run_state

    for state in STATES:
        assert "_" not in run_state(state)
        assert run_state(state) != "asking"
    assert RISK_WORDS["due-soon"] == "due soon"
    assert RISK_WORDS["on-track"] == "on track"


def test_several_options_are_said_in_the_trainer_s_order():
    from bot.core.playbook import Item
    from bot.wording.labels import shown_value

    item = Item(id="m", ask="Which?", type="multi", options=("violence", "fraud", "stalking"))
    assert shown_value(item, '["fraud", "stalking", "violence"]') == "violence, fraud, stalking"
