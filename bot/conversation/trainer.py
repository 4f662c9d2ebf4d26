"""The trainer's side of the conversation: playbooks and their versions, publishing, insights.

Trainers see each playbook's newest version and how many runs are under way on each version
(/playbooks), publish the files changed on the server (/reload) or a file sent in the chat, and
read which items investigators most often answer no, N/A or later (/insights). Publishing
never touches a run under way: runs stay on their version until their investigators move.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.conversation.replies import Reply
from bot.core.errors import NotAllowed
from bot.services.publishing import PublishOutcome, publish_files, publish_upload
from bot.services.service import Service
from bot.store import versions
from bot.store.playbook_files import load_library
from bot.store.users import User

COMMANDS = ("/playbooks", "/reload", "/insights")
TRAINER_HELP = (
    "Trainer commands: /playbooks for each playbook's version and the runs on each version, "
    "/reload to publish the playbook files changed on the server, /insights for the items "
    "investigators most often answer no, N/A or later. Send a playbook .yaml file to publish it."
)
#: Telegram refuses messages over 4096 characters: a long list of problems is cut short.
LONGEST = 3800
ROLES = ("trainer", "admin")


class Workshop:
    """Turns trainers' commands and the playbook files they send into service calls."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def command(self, user: User, name: str) -> list[Reply] | None:
        """Answer a trainer's command; None when it is not one of this workshop's."""
        if name not in COMMANDS:
            return None
        self._require_trainer(user)
        if name == "/playbooks":
            return [Reply(self._playbooks())]
        if name == "/reload":
            if self.service.playbooks_dir is None:
                return [Reply("This bot has no playbooks folder to reload from.")]
            folder = self.service.playbooks_dir
            outcome = publish_files(self.service, [folder], user.id, user.name)
            # A chat needs no server paths: name each file by its place in the folder.
            outcome.problems = [
                replace(problem, file=_inside(problem.file, folder))
                for problem in outcome.problems
            ]
            return [_said(outcome)]
        from bot.reports.insights import gather_insights, insights_text

        return [Reply(insights_text(gather_insights(self.service)))]

    def upload(self, user: User, filename: str, data: bytes) -> list[Reply]:
        """Check a playbook file sent in the chat and publish it if it is clean."""
        self._require_trainer(user)
        return [_said(publish_upload(self.service, filename, data, user.id, user.name))]

    def _require_trainer(self, user: User) -> None:
        if user.role not in ROLES:
            raise NotAllowed("That is for trainers.")

    def _playbooks(self) -> str:
        """Each playbook's newest version, who published it, and runs under way per version."""
        latest = versions.latest(self.service.db)
        runs = versions.runs_by_version(self.service.db)
        waiting = self._files_waiting(latest)
        lines = ["Playbooks: newest version, and runs under way on each version."]
        for playbook_id, version in latest.items():
            title = self.service.library.playbook(playbook_id).title
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
                lines.append(f"  The file on the server is v{waiting[playbook_id]}: /reload")
        return "\n".join(lines)

    def _files_waiting(self, latest: dict[str, versions.Version]) -> dict[str, int]:
        """Playbooks whose file on the server differs from every published version."""
        if self.service.playbooks_dir is None:
            return {}
        folder = self.service.playbooks_dir
        files = load_library([folder], folder)
        waiting = {}
        for entry in files.playbooks:
            playbook = entry.playbook
            digest = versions.content_hash(files.texts[playbook.id])
            kept = {v.content_hash for v in versions.history(self.service.db, playbook.id)}
            if digest not in kept:
                waiting[playbook.id] = playbook.version
        return waiting


def _inside(file: str, folder: Path) -> str:
    """A file's path from inside the folder, or as it was when it lies elsewhere."""
    try:
        return str(Path(file).resolve().relative_to(folder.resolve()))
    except ValueError:
        return file


def _said(outcome: PublishOutcome) -> Reply:
    """A publish's outcome as one message, cut short to fit Telegram."""
    text = "\n".join(outcome.lines())
    if len(text) > LONGEST:
        text = text[:LONGEST].rsplit("\n", 1)[0] + "\n…and more: run `soteria-bot validate`."
    return Reply(text)
