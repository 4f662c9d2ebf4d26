"""Who may reach which case and run: every lookup a use case makes goes through here.

A missing case and someone else's case get the same sentence: an investigator learns nothing
about cases outside their reach, not even whether they exist. The sentence may differ by the
asker's role (an investigator is pointed to their supervisor), never by the case.
"""

from __future__ import annotations

from bot.core.case import Case, can_see
from bot.core.errors import NotFound
from bot.core.people import User
from bot.core.run import Run
from bot.core.typed_input import normalise_crime_reference
from bot.services.context import Context
from bot.store.cases import normalise_handle
from bot.store.runs import StoredRun

NOT_YOURS = "That checklist is not one of yours."


def case_key_of(ctx: Context, typed: str) -> str:
    """A case's key as typed, in the form it is stored: a handle or a crime reference."""
    if ctx.case_key == "handle":
        return normalise_handle(typed)
    return normalise_crime_reference(typed, ctx.crime_reference)


def stored_key(ctx: Context, typed: str) -> str:
    """The key a case is stored under, given its handle or the crime reference linked to it."""
    return ctx.uow.cases.key_for(typed)


def missing_case(user: User, ref: str) -> NotFound:
    """What a case out of the user's reach says: the words of a case that does not exist."""
    if user.role == "investigator":
        return NotFound(
            f"No case {ref} of yours was found. Check the reference; if the case should be "
            "yours, ask your supervisor to hand it over."
        )
    return NotFound(f"No case {ref} of yours was found. Check the reference.")


def find_case(ctx: Context, user: User, ref: str) -> Case:
    """The case with this key, if the user may see it; the same sentence otherwise."""
    case = ctx.uow.cases.by_ref(ref)
    if case is None or not can_see(user, case):
        raise missing_case(user, ref)
    return case


def case_by_id(ctx: Context, user: User, case_id: int) -> Case:
    """The case a button names by id, if the user may see it.

    A forged button must not name the case it points at: a case out of reach gets the same
    sentence as a case that does not exist.
    """
    case = ctx.uow.cases.by_id(case_id)
    if case is None or not can_see(user, case):
        raise NotFound("That case was not found.")
    return case


def load(ctx: Context, user: User, run_id: int) -> StoredRun:
    """A run the user may see, as its log says it stands; the same refusal otherwise."""
    stored = ctx.uow.runs.get(run_id)
    if stored is None or not can_see(user, stored.case):
        raise NotFound(NOT_YOURS)
    return stored


def run(ctx: Context, user: User, run_id: int) -> Run:
    """A run the user may see, as its log says it stands."""
    ctx.fresh()
    return load(ctx, user, run_id).run


def is_officer_of(ctx: Context, user: User, run_id: int) -> bool:
    """Tell whether the user is the officer in the case a run belongs to."""
    return ctx.uow.runs.officer_of(run_id) == user.id
