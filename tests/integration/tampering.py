"""Changing a database file behind the store's back, as someone with shell access could."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def tamper(db_path: Path, *statements: str) -> None:
    """Run statements on the file over a plain connection, and commit them."""
    conn = sqlite3.connect(db_path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
