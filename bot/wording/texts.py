"""Fixed sentences and sentence templates shared by every face of the product."""

from __future__ import annotations

# --- Telegram ------------------------------------------------------------------------------------

NOT_ENROLLED = (
    "This bot is only for enrolled officers. If you should have access, ask your administrator "
    "for an enrolment code."
)
PRIVATE_ONLY = "I only work in a private chat. Please message me directly."
ENROLLED = "Welcome, {name}. You are enrolled as {role} in team {team}."
#: Said after the welcome: where the name on their records came from.
NAMED_BY_TELEGRAM = "Your Telegram name is used as your name here; an administrator can change it."
NAMED_BY_INVITE = "Your administrator gave you this name and can change it."
UPLOAD_NOT_FETCHED = (
    "This Telegram server does not let me fetch files, so nothing was published. Put the file "
    "in the playbooks folder on the server and send /reload, or run `soteria-bot publish --as NAME`."
)
UPLOAD_TOO_LARGE = (
    "That file is too large for a playbook (the limit is 256 KB); nothing was published."
)
NOT_TEXT = (
    "I can only read typed text and button taps. Never send photos, files, contacts or "
    "locations from a case here."
)
SOMETHING_WENT_WRONG = "Something went wrong on our side. Nothing you had answered was lost: send /resume to carry on."
SLOW_DOWN = (
    "You are sending faster than I can take, so I skipped some of it. Wait a few seconds, "
    "then carry on: every answer I confirmed is saved."
)
#: The toast for a note too long for one, shown in the question's message instead.
SHOWN_UNDER = "Shown under the question."
NO_SUCH_BUTTON = "That button no longer works. Send /resume to see where you are."
# --- notices (what one person's action tells another) ---------------------------------------------

SUBMITTED = "For your review: {ref} · {title}, submitted by {name}."
SIGNED_OFF = "Signed off: {ref} · {title}, by {name}."
RETURNED = "Returned to you: {ref} · {title}, by {name}: “{note}”"
CHALLENGED = (
    "Challenge from {name} on {ref} · {title}: “{question}” (on: {ask}). "
    "Reply before it can be signed off."
)
CHALLENGE_ANSWERED = "{name} replied on {ref} ({ask}): “{reply}”"
COUNTERSIGN_NEEDED = "Countersignature needed: {ref} · {ask}, answered by {name} (in training)."
ESCALATED = "Escalated: {ref} · {ask} was due {due} ({late}). Officer: {name}."
ESCALATED_OFFICER = "Escalated to your supervisor: {ref} · {ask} was due {due} ({late})."
HANDOVER_OFFERED_OFFICER = "{name} offered {ref} to {to}. It stays with you until {to} accepts it."
ANSWERED_FOR_OFFICER = "{name} answered on {ref} · {title}: {ask} {value}"
HANDOVER_OFFERED = (
    "{ref} is being handed over to you by {by}. Open items:\n{items}\nAccept it to take it on."
)
HANDOVER_ACCEPTED = "{name} accepted the handover of {ref}."
CASE_ASKED_FOR = (
    "{by} ({team}) tried to open {ref} with /new; {officer} holds it. If it should be theirs, "
    "hand it over with /handover {ref}."
)
NOTICES_HEADING = "{count} notices:"
NOTICES_MORE = "…and {more} more. {where}"
MORE_ON_TEAM = "/team lists every case with anything overdue or escalating."
MORE_ON_CASES = "/cases lists what is overdue on your cases."
UNREACHABLE = (
    "{who} ({role}, {team}) cannot be reached: Telegram said “{why}”. Their notices wait "
    "until they write to the bot again (/start is enough). `soteria-bot users list` shows "
    "everyone in this state."
)
EXPORT_NOT_SENT = (
    "This Telegram server cannot take files from the bot, so the report was not sent here. "
    "It is saved on the bot's server as {name}; ask your administrator for it. It is removed "
    "after {hours} hours."
)

# --- what a command set going ---------------------------------------------------------------------

MILESTONE_RECORDED = "Recorded: {title}, {when}."
MILESTONE_MOVED = "Moved: {title}, now {when} (was {was})."
PLAYBOOK_STARTED = "Started the checklist '{title}' on this case."
PLAYBOOK_OPENED = "Opened the checklist '{title}' on this case."
RUN_MOVED = "Moved to version {version} of '{title}'. {carried} carried over."
REOPENED = "Reopened after {after}: {title} on {ref} has {open} ({why})."
REOPENED_OFFICER = "New work on a {done} checklist: {title} on {ref} has {open} to answer ({why})."
RETENTION_DUE = (
    "Retention: {due}. On the server, "
    "`soteria-bot retention` lists them; `--retain` keeps one, with why, and `--apply` disposes "
    "of those due."
)
REVIEW_MISSED = "Review not held: {title} on {ref} was due {due} ({days} days ago)."
REVIEWS_MISSED = (
    "Reviews not held: {missed} of {title} on {ref}, the latest due {due} ({days} days ago)."
)
