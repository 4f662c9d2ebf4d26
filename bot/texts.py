"""Wording shared by every face of the product."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """Say a count with its noun: '1 section', '3 sections'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
