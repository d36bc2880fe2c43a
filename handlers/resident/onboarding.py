"""Onboarding screens: language, then community (paginated), then the main menu.

The same screens serve `/language` and `/community` later on (flows/onboarding.py).
"""

from __future__ import annotations

from html import escape

from telegram import Update

from flows.flow import Step
from flows.fsm import State
from flows.onboarding import (
    COMMUNITIES_PER_PAGE,
    OnboardingEffects,
    OnboardingFlow,
    OnboardingForm,
    OnboardingProblem,
    page_count,
)
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.core.steps import after_flow, enter_flow, run_flow
from handlers.shared.ids import parse_id
from handlers.shared.keyboards import Button, data, keyboard, pager
from handlers.shared.names import community_name

router = Router()

# Each language's own name, the same in every interface language (not translated).
LANGUAGE_NAMES = {"uk": "Українська", "ru": "Русский"}


async def begin(ctx: HromadaContext, *, at: State | None = None) -> None:
    """Start (or restart) onboarding at the language step, or at `at`. A flow running
    meanwhile (`/language` in the middle of a question) is parked and comes back after."""
    onboarded = ctx.user.community_id is not None
    state = at or OnboardingForm.language
    await enter_flow(ctx, state, OnboardingFlow.start_data(return_to_menu=onboarded))
    await ctx.reprompt()


@router.prompt(OnboardingForm.language)
async def ask_language(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    text = _(
        "Welcome! This bot connects you with your community's working group: "
        "police, social services, schools, clinics and NGOs.\n\nPlease choose your language:"
    )
    ctx.replies.show(
        text, keyboard([[(name, data("lang", code))] for code, name in LANGUAGE_NAMES.items()])
    )


@router.prompt(OnboardingForm.community)
async def ask_community(ctx: HromadaContext) -> None:
    """The community list; with none seeded, a plain line saying so. The person stays at
    this step, so whatever they send gets that line again, and the list once there is one."""
    _ = ctx.i18n.gettext
    language = ctx.i18n.language
    everyone = await ctx.services.communities.sorted_for(ctx.db, language)
    if not everyone:  # nothing seeded yet: no buttons to offer (the Bot API refuses none)
        ctx.replies.show(
            _(
                "This bot is not set up for any community yet, so you cannot choose one. "
                "Please try again later: send /start."
            )
        )
        return
    pages = page_count(len(everyone))
    page = min(int(await ctx.fsm.get_value("page", 0) or 0), pages - 1)
    items = everyone[page * COMMUNITIES_PER_PAGE : (page + 1) * COMMUNITIES_PER_PAGE]
    rows: list[list[Button]] = [[(community_name(c, language), data("com", c.id))] for c in items]
    nav = pager(page, page < pages - 1, lambda n: data("page", n), _)
    if nav:
        rows.append(nav)
    text = _("Choose your community:")
    if pages > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    ctx.replies.show(text, keyboard(rows))


async def _render(ctx: HromadaContext, step: Step[OnboardingEffects, OnboardingProblem]) -> None:
    """Say a refusal; save what was chosen; a finished onboarding ends at the main menu."""
    _ = ctx.i18n.gettext
    if step.problem is OnboardingProblem.UNKNOWN_COMMUNITY:
        ctx.replies.notice(_("This community is no longer in the list."))
    elif step.problem is not None:
        stale_notice(ctx)
    chosen = step.effects
    if chosen.language is not None:
        ctx.user.language = chosen.language
        ctx.use_language(chosen.language)
        if step.state is None:
            await _finish(ctx, edited_text=ctx.i18n.gettext("Language changed."))
    if chosen.community_id is not None:
        ctx.user.community_id = chosen.community_id
        if ctx.user.language is None:
            ctx.user.language = ctx.i18n.language
        community = await ctx.services.communities.get(ctx.db, chosen.community_id)
        name = community_name(community, ctx.i18n.language) if community else ""
        await _finish(
            ctx, edited_text=_("Your community: {community}.").format(community=escape(name))
        )


@router.callback("lang", OnboardingForm.language)
async def chose_language(update: Update, ctx: HromadaContext, arg: str) -> None:
    await run_flow(ctx, OnboardingFlow, "choose_language", _render, code=arg)


@router.callback("page", OnboardingForm.community)
async def turned_page(update: Update, ctx: HromadaContext, arg: str) -> None:
    total = len(await ctx.services.communities.all(ctx.db))
    await run_flow(ctx, OnboardingFlow, "turn_page", _render, page=parse_id(arg), total=total)


@router.callback("com", OnboardingForm.community)
async def chose_community(update: Update, ctx: HromadaContext, arg: str) -> None:
    known = {c.id for c in await ctx.services.communities.all(ctx.db)}
    await run_flow(
        ctx,
        OnboardingFlow,
        "choose_community",
        _render,
        community_id=parse_id(arg),
        known_ids=known,
    )


async def _finish(ctx: HromadaContext, *, edited_text: str) -> None:
    """Said in place of the choice; then the flow `/language` or `/community` interrupted
    (at its step, in the new language), else the main menu."""
    ctx.replies.show(edited_text)
    await after_flow(ctx)
