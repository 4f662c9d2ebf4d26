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
