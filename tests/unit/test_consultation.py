"""The access log's vocabulary: purposes as typed, what a record names, and who."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.consultation import (
    PURPOSES,
    Access,
    case_subject,
    channel_actor,
    cli_actor,
    purpose_refusal,
    read_purpose,
    team_subject,
)
from bot.core.errors import InputRefused


@pytest.mark.parametrize("typed", ["audit", "Audit", " case-progression ", "case_progression"])
def test_a_purpose_may_be_typed_with_hyphens_or_in_capitals(typed):
    assert read_purpose(typed) in PURPOSES


@pytest.mark.parametrize("typed", [None, "", "curiosity", "audit trail"])
def test_any_other_purpose_is_refused_with_the_list(typed):
    with pytest.raises(InputRefused, match="'supervision', 'case progression'"):
        read_purpose(typed)


def test_subjects_name_cases_by_id_and_teams_by_name():
    assert case_subject(7) == "case:7"
    assert team_subject(["North", "South"]) == "team:North, South"
    assert team_subject(None) == team_subject([]) == "force"


def test_people_at_the_command_line_and_strangers_are_named_apart_from_users():
    assert cli_actor("  DS   Jo Bloggs ") == "cli:DS Jo Bloggs"
    assert channel_actor("telegram", "123") == "telegram:123"


def test_the_refusal_lists_every_purpose_in_one_sentence():
    said = purpose_refusal()
    assert all(f"'{purpose}'" in said for purpose in PURPOSES)
    assert said.count(".") == 1


def test_an_access_needs_an_aware_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        Access(datetime(2026, 1, 1), "user:1", "view", "case:1")  # noqa: DTZ001
