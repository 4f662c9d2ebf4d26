"""Notices waiting for people on one channel, gathered into one message per person.

Every face delivers notices the same way: take what is due, word each batch, send it, and
only then mark it delivered, so a notice is never lost to a failed send. A person their
channel cannot reach (they blocked the bot) is left out until they write again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.conversation.dialogue import Dialogue
from bot.conversation.replies import Option, Reply
from bot.services import notifications, people, reaching
from bot.wording import texts

#: Buttons one batch of notices carries at most.
BUTTONS = 8
#: Notices one message lists at most; the rest are counted, with where to see them all. A
#: force's first escalation scan over cases brought in with their history can find thousands
#: of reviews missed for one supervisor: listed in full, they would be a hundred messages.
MOST_LISTED = 10
#: Kinds that come in floods: when a batch is cut short, every other kind is listed first, then
#: one of these for each case before a second for any.
FLOODS = frozenset({"escalation", "escalation-officer", "review-missed"})


@dataclass(frozen=True, slots=True)
class Batch:
    """One person's waiting notices, worded as one message, for one address on a channel."""

    user_id: int
    address: str
    reply: Reply
    notice_ids: tuple[int, ...]


def due_batches(
    dialogue: Dialogue, channel: str, interval: timedelta, only: int | None = None
) -> list[Batch]:
    """The batches due now for people reachable on `channel` (or one person, `only`)."""
    ctx = dialogue.ctx
    ctx.fresh()
    waiting = (
        notifications.waiting_for(ctx, only)
        if only is not None
        else notifications.ready(ctx, interval)
    )
    by_person: dict[int, list[notifications.Notice]] = {}
    for notice in waiting:
        by_person.setdefault(notice.user_id, []).append(notice)
    cut_off = reaching.unreachable(ctx, channel) if by_person else {}
    batches = []
    for user_id, batch in by_person.items():
        if user_id in cut_off:
            continue  # They blocked the bot: their notices wait until they write again.
        user = people.get(ctx, user_id)
        if user is None:
            continue  # Revoked: they never read them.
        address = people.address(ctx, user_id, channel)
        if address is None:
            continue  # Reached on another channel, which delivers them.
        listed = batch if len(batch) <= MOST_LISTED else first_listed(batch)
        replies = [dialogue.notice(notice) for notice in listed]
        reply = combined(replies, len(batch), user.role)
        batches.append(Batch(user_id, address, reply, tuple(n.id for n in batch)))
    return batches


def first_listed(batch: list[notifications.Notice]) -> list[notifications.Notice]:
    """The notices a batch cut short lists: every other kind first, then the floods' first
    notice of each case before any case's second, each group in the order they were kept."""
    seen: dict[str, int] = {}
    order: list[tuple[int, int]] = []
    for notice in batch:
        if notice.kind in FLOODS:
            case = notice.params.get("case_ref", "")
            rank = seen[case] = seen.get(case, -1) + 1
            order.append((1, rank))
        else:
            order.append((0, 0))
    ranked = sorted(range(len(batch)), key=order.__getitem__)
    return [batch[index] for index in ranked[:MOST_LISTED]]


def combined(replies: list[Reply], count: int | None = None, role: str = "") -> Reply:
    """Several notices as one message: a heading, a paragraph each, their buttons once each.

    Of `count` notices, those not among `replies` are counted at the end, with the command
    that shows them all to someone of that role.
    """
    count = len(replies) if count is None else count
    if count == 1:
        text = replies[0].text
    else:
        heading = texts.NOTICES_HEADING.format(count=f"{count:,}")
        text = heading + "\n\n" + "\n\n".join(f"• {reply.text}" for reply in replies)
    if count > len(replies):
        where = texts.MORE_ON_TEAM if role in ("supervisor", "admin") else texts.MORE_ON_CASES
        text += "\n\n" + texts.NOTICES_MORE.format(more=f"{count - len(replies):,}", where=where)
    seen: dict[str, str] = {}
    for reply in replies:
        for row in reply.options:
            for option in row:
                seen.setdefault(option.action, option.label)
    rows = tuple((Option(label, action),) for action, label in list(seen.items())[:BUTTONS])
    return Reply(text, rows)


def delivered(dialogue: Dialogue, batch: Batch) -> None:
    """Mark a batch's notices as delivered, once it reached its person."""
    notifications.mark_delivered(dialogue.ctx, batch.notice_ids)


def unreachable(dialogue: Dialogue, batch: Batch, channel: str, why: str) -> bool:
    """The channel says the batch's person cannot be reached, for good: stop sending to them
    and tell the administrators; False when that was known already."""
    return reaching.cannot_reach(dialogue.ctx, batch.user_id, channel, why)
