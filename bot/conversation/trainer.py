"""The trainer's side of the conversation: playbooks and their versions, publishing, insights.

Trainers see each playbook's newest version and how many runs are under way on each version
(/playbooks), publish the files changed on the server (/reload) or a file sent in the chat, and
read which items investigators most often answer no, N/A or later (/insights). Publishing
never touches a run under way: runs stay on their version until their investigators move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.conversation.replies import Reply
from bot.core.errors import NotAllowed
from bot.core.people import User, actor_of
from bot.reports.insights import gather_insights, insights_text
from bot.services import consultation
from bot.services.context import Context
from bot.services.publishing import PublishOutcome, files_waiting, publish_files, publish_upload
from bot.wording.changes import headline
from bot.wording.labels import counted

Handler = Callable[[User, str], list[Reply]]
#: Telegram refuses messages over 4096 characters: a long list of problems is cut short.
LONGEST = 3800


class Trainer:
    """Turns trainers' commands and the playbook files they send into use cases."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def handlers(self) -> dict[str, Handler]:
        """The commands this side answers, by name."""
        return {
            "/playbooks": lambda user, _rest: [Reply(self._playbooks())],
            "/reload": lambda user, _rest: [self._reload(user)],
            "/insights": lambda user, _rest: [self._insights(user)],
        }

    def upload(self, user: User, filename: str, data: bytes) -> list[Reply]:
        """Check a playbook file sent in the chat and publish it if it is clean."""
        if user.role not in ("trainer", "admin"):
            raise NotAllowed("That is for trainers.")
        return [_said(publish_upload(self.ctx, filename, data, user.id, user.name))]

    def _insights(self, user: User) -> Reply:
        """Field feedback across the force; it names no case, but it reads every one."""
        found = gather_insights(self.ctx)
        consultation.record(
            self.ctx, actor_of(user), "view", "force", (), "training", {"via": "/insights"}
        )
        return Reply(insights_text(found))

    def _reload(self, user: User) -> Reply:
        folder = self.ctx.playbooks_dir
        if folder is None:
            return Reply("This bot has no playbooks folder to reload from.")
        outcome = publish_files(self.ctx, [folder], user.id, user.name)
        # A chat needs no server paths: name each file by its place in the folder.
        outcome.problems = [
            replace(problem, file=_inside(problem.file, folder)) for problem in outcome.problems
        ]
        return _said(outcome)

    def _playbooks(self) -> str:
        """Each playbook's newest version, who published it, runs under way per version, and the
        files on the server that differ or were never published."""
        catalog = self.ctx.catalog
        runs = catalog.runs_under_way()
        waiting = files_waiting(self.ctx)
        lines = ["Playbooks: newest version, and runs under way on each version."]
        published = catalog.published()
        for playbook_id, version in published.items():
            title = catalog.playbook(playbook_id).title
            when = version.published_at[:10]
            counts = runs.get(playbook_id, {})
            under_way = ", ".join(
                f"v{number}: {counts[number]}" for number in sorted(counts, reverse=True)
            )
            lines.append(
                f"• {title} ({playbook_id}) v{version.version}, published {when} by "
                f"{version.publisher}. Under way: {under_way or 'none'}."
            )
            if playbook_id in waiting:
                lines.append(
                    f"  The file on the server is v{waiting[playbook_id].version}: /reload"
                )
        for playbook_id, draft in waiting.items():
            if playbook_id not in published:
                lines.append(
                    f"• {draft.title} ({playbook_id}) v{draft.version}: a file on the server, "
                    "never published. /reload publishes it."
                )
        return "\n".join(lines)


def publish_lines(outcome: PublishOutcome) -> list[str]:
    """A publish's outcome in words, one line each, for a terminal or a chat."""
    if outcome.problems:
        return [
            f"Nothing was published: {counted(len(outcome.problems), 'problem')}.",
            *(str(problem) for problem in outcome.problems),
        ]
    lines = []
    for done in outcome.published:
        version = done.version
        if done.changes is None:
            lines.append(f"Published {version.playbook_id} version {version.version} (new).")
            continue
        old = done.changes.old.version
        lines.append(
            f"Published {version.playbook_id} version {version.version} "
            f"(was {old}): {headline(done.changes)}."
        )
        if done.runs_left:
            lines.append(
                f"  {counted(done.runs_left, 'run')} under way "
                f"{'stays' if done.runs_left == 1 else 'stay'} on the version "
                "started on until the investigator moves."
            )
    if not outcome.published and not outcome.behind and outcome.unchanged:
        count = counted(len(outcome.unchanged), "playbook")
        return [f"Nothing to publish: all {count} match their published versions."]
    for version in outcome.unchanged:
        lines.append(f"Unchanged: {version.playbook_id} version {version.version}.")
    for old_version, newest in outcome.behind:
        lines.append(
            f"Left alone: the file holds {old_version.playbook_id} version {old_version.version}, "
            f"published before; version {newest.version} is the newest."
        )
    return lines or ["No playbook files were found."]


def _inside(file: str, folder: Path) -> str:
    """A file's path from inside the folder, or as it was when it lies elsewhere."""
    try:
        return str(Path(file).resolve().relative_to(folder.resolve()))
    except ValueError:
        return file


def _said(outcome: PublishOutcome) -> Reply:
    """A publish's outcome as one message, cut short to fit Telegram."""
    text = "\n".join(publish_lines(outcome))
    if len(text) > LONGEST:
        text = text[:LONGEST].rsplit("\n", 1)[0] + "\n…and more: run `soteria-bot validate`."
    return Reply(text)
