"""The read model reports read: built, brought up to date, and checked against the log.

Its rows follow the log in the same transaction as each record (`bot.store.facts`). Two things
can still leave them behind, and both are put right here: a database from before the read
model existed has none (the first start with the playbooks builds them), and due dates counted
with other force settings or another year's list of bank holidays are worked out again when
the bot starts with the new ones. `verify` checks every row against a replay of the log.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from bot.core.facts import Calendar, ItemRow, first_difference, item_rows, run_row
from bot.services.calendar import calendar_version
from bot.services.context import Context
from bot.store.cases import Scope
from bot.store.runs import StoredRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Whether the read model agrees with a replay of the log, and where it first does not."""

    ok: bool
    runs: int
    message: str


def calendar(ctx: Context) -> Calendar:
    """How due dates are counted now: the bank holidays and the force's settings."""
    return Calendar(ctx.holidays(), ctx.catalog.settings)


def basis(ctx: Context) -> str:
    """What the read model's due dates depend on beyond the log: the force's settings and the
    list of bank holidays, as one text to compare."""
    settings = {name: str(span) for name, span in sorted(ctx.catalog.settings.items())}
    return json.dumps({"settings": settings, "holidays": calendar_version()}, sort_keys=True)


def bring_up_to_date(ctx: Context) -> int:
    """Build the read model where it was never built, or count its due dates again where the
    settings or the bank holidays changed; how many runs were written (0 when none needed)."""
    kept, built = ctx.uow.facts.state()
    now = basis(ctx)
    if built and kept == now:
        return 0
    if built and kept is None:
        # Written record by record since the database was made: only the basis is unsaid.
        with ctx.uow.transaction() as uow:
            uow.facts.mark(now)
        return 0
    why = "built for the first time" if not built else "counted again with new settings"
    logger.warning("The read model is being %s; reports wait until it is done.", why)
    started = time.perf_counter()
    written = rebuild(ctx)
    logger.warning(
        "The read model was %s: %d runs in %.1f s.", why, written, time.perf_counter() - started
    )
    return written


def rebuild(ctx: Context) -> int:
    """Write every run's rows again from a replay of the log, one team at a time; how many
    runs were written."""
    ctx.fresh()
    now, written = basis(ctx), set()
    with ctx.uow.transaction() as uow:
        uow.facts.mark(now, built=False)
    # A team at a time, each in a transaction of its own: the bot's own writes wait for one
    # team, not the whole force, and reports meanwhile read each run as it was or as it is.
    for team in ctx.uow.cases.teams():
        with ctx.uow.transaction() as uow:
            counted = calendar(ctx)
            for stored in uow.runs.replay_in(Scope((team,))):
                uow.facts.write(stored, counted)
                written.add(stored.run.run_id)
    with ctx.uow.transaction() as uow:
        for run_id in uow.facts.runs_with_rows() - written:
            uow.facts.drop(run_id)
        uow.facts.mark(now)
    return len(written)


def check(ctx: Context) -> Agreement:
    """Compare every row of the read model with a replay of the log; name the first that
    disagrees."""
    ctx.fresh()
    uow = ctx.uow
    kept_basis, built = uow.facts.state()
    if not built:
        return Agreement(
            False, 0, "The read model was never built: run `soteria-bot rebuild-read-model`."
        )
    if kept_basis is not None and kept_basis != basis(ctx):
        return Agreement(
            False,
            0,
            "The read model's due dates were counted with other settings or bank holidays: "
            "run `soteria-bot rebuild-read-model`.",
        )
    counted = calendar(ctx)
    with uow.reading():
        unexplained = uow.facts.runs_with_rows()
        checked = 0
        for team in uow.cases.teams():
            for stored in uow.runs.replay_in(Scope((team,))):
                unexplained.discard(stored.run.run_id)
                problem = _disagreement(ctx, stored, counted)
                if problem is not None:
                    return Agreement(False, checked, problem)
                checked += 1
        if unexplained:
            run_id = min(unexplained)
            return Agreement(
                False,
                checked,
                f"Read model: run {run_id} has rows but no such run is in the log "
                "(or it moved to a newer version).",
            )
    return Agreement(True, checked, f"Read model agrees with the log: {checked} runs.")


def _disagreement(ctx: Context, stored: StoredRun, counted: Calendar) -> str | None:
    """Where a run's kept rows differ from its replay, in one sentence; None when they agree."""
    run = stored.run
    name = f"run {run.run_id} ({stored.case.ref}, {run.playbook.id})"
    if stored.state != run.state:
        return _differs(name, "state", stored.state, run.state)
    kept_run = ctx.uow.facts.kept_run(run.run_id)
    replayed_run = run_row(run)
    if kept_run is None:
        return f"Read model: {name} has no row."
    column = first_difference(kept_run, replayed_run)
    if column is not None:
        return _differs(name, column, getattr(kept_run, column), getattr(replayed_run, column))
    kept: dict[int, ItemRow] = {row.place: row for row in ctx.uow.facts.kept_items(run.run_id)}
    for row in item_rows(run, counted):
        mine = kept.pop(row.place, None)
        if mine is None:
            return f"Read model: {name} has no row for item {row.item}."
        column = first_difference(mine, row)
        if column is not None:
            return _differs(
                f"{name} item {row.item}", column, getattr(mine, column), getattr(row, column)
            )
    if kept:
        extra = kept[min(kept)]
        return f"Read model: {name} has a row for item {extra.item}, which the run does not ask."
    return None


def _differs(name: str, column: str, kept: object, replayed: object) -> str:
    return (
        f"Read model: {name}: {column} is {kept!r} in the read model but {replayed!r} "
        "in a replay of the log."
    )
