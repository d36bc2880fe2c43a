"""The main menu: what a resident can do once they have a language and a community."""

from __future__ import annotations

from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.shared.keyboards import data, keyboard
from locales import n_
from storage.repositories import meetings as meetings_repo

router = Router()

# Menu entries; those in NOT_READY are built by later issues and say so politely.
ENTRIES = {
    "ask": n_("Ask a question"),
    "mine": n_("My requests"),
    "groups": n_("Self-help groups"),
    "meetings": n_("Meetings"),
    "polls": n_("Polls"),
    "clear": n_("Clear this chat"),
}
NOT_READY: frozenset[str] = frozenset()


async def show_main_menu(ctx: HromadaContext, *, fresh: bool = False) -> None:
    """The menu, as a new message (`fresh`) or in place of the pressed one."""
    _ = ctx.i18n.gettext

    def item(key: str) -> tuple[str, str]:
        if key == "meetings":  # handlers/resident/meetings.py
            return (_(ENTRIES[key]), data("mtg", "list"))
        if key == "groups":  # handlers/resident/groups.py
            return (_(ENTRIES[key]), data("grp", "list:0"))
        if key == "polls":  # handlers/resident/polls.py
            return (_(ENTRIES[key]), data("pl", "open"))
        return (_(ENTRIES[key]), data("menu", key))

    opted = await meetings_repo.opted_in(ctx.db, ctx.user.id)
    meeting_toggle = (
        _("🔕 Working-group meetings: on") if opted else _("🔔 Working-group meetings: off")
    )

    rows = [
        [item("ask")],
        [item("mine"), item("groups")],
        [item("meetings"), item("polls")],
        [(meeting_toggle, data("set", "mtg:menu"))],  # handlers/resident/settings.py
        [(_("Language"), data("menu", "language")), (_("Community"), data("menu", "community"))],
        [(_("Help"), data("menu", "help")), item("clear")],
    ]
    text = _("Main menu. What would you like to do?")
    if fresh:
        ctx.replies.send(text, keyboard(rows))
    else:
        ctx.replies.show(text, keyboard(rows))


@router.prompt(None)
async def idle(ctx: HromadaContext) -> None:
    """No conversation running: the menu, or the way into onboarding."""
    if ctx.user.community_id is not None:
        await show_main_menu(ctx, fresh=True)
        return
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("To begin, choose your language and community."),
        keyboard([[(_("Start"), data("start"))]]),
    )
