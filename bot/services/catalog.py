"""The published playbooks: the newest version of each, which new runs start on, and every
version a run may be pinned to."""

from __future__ import annotations

import logging

from bot.core.errors import SoteriaError
from bot.core.playbook import Duration, Milestone, Playbook
from bot.store.playbook_files import Library, LibraryInvalid
from bot.store.versions import Version, VersionRepository
from bot.store.versions import content_hash as content_hash

logger = logging.getLogger(__name__)


class Catalog:
    """What is published, read again only when someone publishes (one cheap query to ask)."""

    def __init__(self, versions: VersionRepository, files: Library) -> None:
        #: The files read at start: their milestones and settings, and playbooks to publish.
        self.files = files
        self._versions = versions
        self.library = Library(milestones=files.milestones, settings=files.settings)
        self._current: dict[str, int] = {}
        self._newest = -1

    @property
    def milestones(self) -> dict[str, Milestone]:
        """The milestones this force records, by name, in the catalogue's order."""
        return self.files.milestones

    @property
    def settings(self) -> dict[str, Duration]:
        """The force's values for the settings playbooks use."""
        return self.files.settings

    def refresh(self) -> bool:
        """Start new runs on the latest published versions, once someone publishes; True if so."""
        newest = self._versions.newest_id()
        if newest == self._newest:
            return False
        try:
            library = self._versions.published_library(self.files.settings)
        except LibraryInvalid as invalid:
            if self._newest < 0:
                raise SoteriaError(f"A published playbook cannot be read: {invalid}") from None
            # Published elsewhere against milestones this process has not loaded: keep going
            # on the versions it can read, and say what a restart would fix.
            logger.error("A newly published playbook cannot be read; restart the bot: %s", invalid)
            self._newest = newest
            return False
        self.library = library
        self._current = {pid: version.id for pid, version in self._versions.latest().items()}
        self._newest = newest
        return True

    def current_version_id(self, playbook_id: str) -> int:
        """The version new runs of a playbook start on (KeyError when it was never published)."""
        return self._current[playbook_id]

    def newest_of(self, playbook_id: str) -> int | None:
        """The newest published version's id of a playbook, if it was ever published."""
        return self._current.get(playbook_id)

    def playbook_of_version(self, version_id: int) -> Playbook:
        """The playbook exactly as it was when a run started on it."""
        return self._versions.playbook(version_id)

    def playbook(self, playbook_id: str) -> Playbook:
        """The newest published playbook with this id (KeyError when there is none)."""
        return self.library.playbook(playbook_id)

    def suggested(self) -> list[Playbook]:
        """Playbooks that start on the report: the ones to offer when a case is opened."""
        return [e.playbook for e in self.library.playbooks if "report" in e.playbook.starts]

    def published(self) -> dict[str, Version]:
        """The newest published version of each playbook, by id."""
        return self._versions.latest()

    def history(self, playbook_id: str) -> list[Version]:
        """Every published version of one playbook, oldest first."""
        return self._versions.history(playbook_id)

    def runs_under_way(self) -> dict[str, dict[int, int]]:
        """Runs under way per playbook and version number."""
        return self._versions.runs_by_version()
