"""The one registry of chat commands: each name, who may use it, its help, and how it is read.

Help texts, the command menus a channel shows each role, and the list of slow reads a face
answers off its main loop are all built from `COMMANDS`; the handler of each command lives in
the module of the person who uses it (investigator, supervisor, trainer).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.people import ROLES, Role

EVERYONE: frozenset[Role] = frozenset(ROLES)
INVESTIGATING: frozenset[Role] = frozenset({"investigator", "admin"})
SUPERVISING: frozenset[Role] = frozenset({"supervisor", "admin"})
TRAINING: frozenset[Role] = frozenset({"trainer", "admin"})
CASEWORK: frozenset[Role] = frozenset({"investigator", "supervisor", "admin"})


@dataclass(frozen=True, slots=True)
class Command:
    """A chat command: its name (without the slash), who it is for, and one line of help."""

    name: str
    help: str
    roles: frozenset[Role]
    #: Shown in the channel's command menu (the rest are answered, but not offered).
    menu: bool = True
    #: Reads a whole team or force and records nothing: a face may answer it off its loop.
    slow_read: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("start", "Enrol with your code, or say hello", EVERYONE, menu=False),
    Command("new", "Open a case: /new REF", INVESTIGATING),
    Command("cases", "Your cases and what is overdue", CASEWORK),
    Command("resume", "Carry on where you left off", INVESTIGATING),
    Command(
        "milestone", "Record an arrest, charge, bail, trial date…: /milestone REF", INVESTIGATING
    ),
    Command("summary", "Where this checklist stands", INVESTIGATING),
    Command("team", "Your team's cases, riskiest first", SUPERVISING, slow_read=True),
    Command("case", "A case's completion log: /case REF", CASEWORK),
    Command("review", "Hold the supervisory review due: /review REF", SUPERVISING),
    Command("close", "Close a case, with the reason: /close REF", SUPERVISING),
    Command("signoff", "Runs waiting for your sign-off", SUPERVISING, slow_read=True),
    Command("return", "Return a submitted run with a note", SUPERVISING, slow_read=True),
    Command("handover", "Hand a case to another officer: /handover REF", CASEWORK),
    Command("export", "The team report as a file", SUPERVISING, slow_read=True),
    Command("playbooks", "Each playbook's versions and runs on each", TRAINING),
    Command("reload", "Publish the playbook files changed on the server", TRAINING),
    Command("insights", "Items most often answered no, N/A or later", TRAINING, slow_read=True),
    Command("cancel", "Stop what you are doing", EVERYONE),
    Command("help", "What the bot can do", EVERYONE),
)
BY_NAME = {command.name: command for command in COMMANDS}
#: What a chat offers before its person is known: enrol with a code, or ask what this is.
STRANGERS_MENU = (("start", "Enrol with your code"), ("help", "What the bot can do"))
#: Commands answered off a face's main loop: they read a team or the force, and record nothing.
SLOW_READS = frozenset(f"/{command.name}" for command in COMMANDS if command.slow_read)


def command_name(text: str) -> str:
    """The command a message starts with: "/TEAM@bot x" -> "/team"."""
    words = text.split()
    return words[0].lower().split("@")[0] if words else ""


def is_slow_read(text: str) -> bool:
    """Tell whether typed text is one of the commands a face may answer off its main loop."""
    return command_name(text) in SLOW_READS


def for_role(role: Role) -> list[Command]:
    """The commands a role uses, in the registry's order."""
    return [command for command in COMMANDS if role in command.roles]


def menu(role: Role) -> list[tuple[str, str]]:
    """A role's command menu: (name, one line) for each command it is offered."""
    return [(c.name, c.help) for c in for_role(role) if c.menu]
