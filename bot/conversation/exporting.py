"""/export's press: the team report as an HTML file, once the supervisor has said why."""

from __future__ import annotations

from pathlib import Path

from bot.conversation import actions as act
from bot.conversation import purposes
from bot.conversation.replies import Reply
from bot.core.people import User
from bot.reports.formats import write_team_html
from bot.reports.oversight import gather
from bot.services import consultation
from bot.services.context import Context
from bot.wording.labels import counted


def export_for(ctx: Context, export_dir: Path, user: User, action: act.Action) -> list[Reply]:
    """Write the report of the user's teams for the purpose pressed; the access log keeps it."""
    assert isinstance(action, act.ExportFor)
    purpose = purposes.chosen(action.purpose)
    teams = None if user.role == "admin" else list(user.teams)
    oversight = gather(ctx, teams=teams)
    consultation.viewed_teams(
        ctx,
        user,
        teams,
        [case.id for case in oversight.cases],
        purpose,
        {"via": "/export", "format": "html", "to": "their chat"},
        action="export",
    )
    stamp = ctx.now().astimezone(ctx.zone)
    export_dir.mkdir(parents=True, exist_ok=True)
    name = "-".join("".join(c for c in team if c.isalnum()) for team in oversight.teams)
    path = export_dir / f"team-report-{name or 'all'}-{stamp:%Y%m%d-%H%M%S}.html"
    write_team_html(oversight, path)
    return [
        Reply(
            f"Team report for {', '.join(oversight.teams) or 'all teams'}, "
            f"{counted(len(oversight.cases), 'case')}. It holds case references: keep it on "
            "force systems.",
            document=path,
        )
    ]
