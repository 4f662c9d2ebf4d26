"""The Bot API emulator for the end-to-end tests, one per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .emulator import Emulator


# One per module rather than per session: the emulator keeps every message, and each request
# scans them all, so a long-lived one slows down.
@pytest.fixture(name="emulator", scope="module")
def _emulator() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator
