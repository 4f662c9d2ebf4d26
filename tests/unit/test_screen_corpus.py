"""The screen over the labelled corpus in bench/screen-corpus meets its targets, kind by kind."""

from __future__ import annotations

import pytest

from tests.bench_scripts import load_script

bench = load_script("screen_corpus")
PERSONAL = sorted(bench.CORPUS.glob("personal*.txt"))
ORDINARY = sorted(bench.CORPUS.glob("ordinary*.txt"))
# A kind may miss the odd line, but losing most of one kind must fail even when the overall
# recall still clears its target.
KIND_RECALL_FLOOR = 0.8


@pytest.mark.parametrize("name", ["personal.txt", "ordinary.txt"])
def test_the_main_corpus_files_hold_at_least_300_sentences(name):
    sections = bench.read_corpus(bench.CORPUS / name)
    assert sum(len(section.lines) for section in sections) >= 300


@pytest.mark.parametrize("path", PERSONAL, ids=lambda path: path.name)
def test_personal_data_is_refused_with_recall_of_at_least_0_95(path):
    result = bench.tally(bench.read_corpus(path), personal=True)
    missed = [line for _, line, _ in result.wrong]
    assert bench.share_refused(result) >= bench.RECALL_TARGET, missed


@pytest.mark.parametrize("path", PERSONAL, ids=lambda path: path.name)
def test_every_kind_of_personal_data_is_mostly_refused(path):
    result = bench.tally(bench.read_corpus(path), personal=True)
    for kind, (refused, lines) in result.by_kind.items():
        assert refused / lines >= KIND_RECALL_FLOOR, kind


@pytest.mark.parametrize("path", ORDINARY, ids=lambda path: path.name)
def test_ordinary_notes_pass_with_a_false_positive_rate_of_at_most_0_03(path):
    result = bench.tally(bench.read_corpus(path), personal=False)
    alarms = [(line, kinds) for _, line, kinds in result.wrong]
    assert bench.share_refused(result) <= bench.FALSE_POSITIVE_TARGET, alarms
