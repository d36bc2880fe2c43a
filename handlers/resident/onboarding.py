"""Onboarding screens: language, then community (paginated), then the main menu.

The same screens serve `/language` and `/community` later on (flows/onboarding.py).
"""

from __future__ import annotations

from html import escape

from telegram import Update

from flows.flow import StaleEvent, Step
from flows.fsm import State
from flows.onboarding import COMMUNITIES_PER_PAGE, OnboardingFlow, OnboardingForm, page_count
from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.resident.menu import show_main_menu
from handlers.shared.keyboards import Button, data, keyboard, pager
from storage.models import Community
from storage.repositories import communities

router = Router()

# Each language's own name, the same in every interface language (not translated).
LANGUAGE_NAMES = {"uk": "Українська", "ru": "Русский"}


def community_name(community: Community | communities.CommunityInfo, language: str) -> str:
    return community.name_ru if language == "ru" else community.name_uk


async def begin(ctx: HromadaContext, *, at: State | None = None) -> None:
    """Start (or restart) onboarding at the language step, or at `at`."""
    onboarded = ctx.user.community_id is not None
    state = at or OnboardingForm.language
    await ctx.fsm.set_state(state)
    await ctx.fsm.set_data(OnboardingFlow.start_data(return_to_menu=onboarded))
    await router.reprompt(ctx, state.state)


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
    _ = ctx.i18n.gettext
    language = ctx.i18n.language
    everyone = await ctx.services.communities.sorted_for(ctx.db, language)
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


async def _run(ctx: HromadaContext, event: str, **kwargs: object) -> Step | None:
    """Run a flow event; None (after saying so) when the button belongs to another step."""
    state = await ctx.fsm.get_state()
    data_ = await ctx.fsm.get_data()
    try:
        return OnboardingFlow.handle(state or "", data_, event, **kwargs)
    except StaleEvent:
        ctx.replies.notice(ctx.i18n.gettext("This button is no longer active."))
        await router.reprompt(ctx, state)
        return None


async def _store(ctx: HromadaContext, step: Step) -> None:
    await ctx.fsm.set_state(step.state)
    await ctx.fsm.set_data(step.data)


@router.callback("lang", OnboardingForm.language)
async def chose_language(update: Update, ctx: HromadaContext, arg: str) -> None:
    step = await _run(ctx, "choose_language", code=arg)
    if step is None:
        return
    if not step.accepted:
        ctx.replies.notice(ctx.i18n.gettext("This button is no longer active."))
        await ask_language(ctx)
        return
    ctx.user.language = step.effects["language"]
    ctx.use_language(ctx.user.language)
    await _store(ctx, step)
    if step.state is None:
        await _finish(ctx, edited_text=ctx.i18n.gettext("Language changed."))
    else:
        await ask_community(ctx)


@router.callback("page", OnboardingForm.community)
async def turned_page(update: Update, ctx: HromadaContext, arg: str) -> None:
    total = len(await ctx.services.communities.all(ctx.db))
    step = await _run(ctx, "turn_page", page=_int(arg), total=total)
    if step is None:
        return
    if step.accepted:
        await _store(ctx, step)
    else:
        ctx.replies.notice(ctx.i18n.gettext("This button is no longer active."))
    await ask_community(ctx)


@router.callback("com", OnboardingForm.community)
async def chose_community(update: Update, ctx: HromadaContext, arg: str) -> None:
    known = {c.id for c in await ctx.services.communities.all(ctx.db)}
    step = await _run(ctx, "choose_community", community_id=_int(arg), known_ids=known)
    if step is None:
        return
    if not step.accepted:
        ctx.replies.notice(ctx.i18n.gettext("This community is no longer in the list."))
        await ask_community(ctx)
        return
    ctx.user.community_id = step.effects["community_id"]
    if ctx.user.language is None:
        ctx.user.language = ctx.i18n.language
    await _store(ctx, step)
    community = await ctx.services.communities.get(ctx.db, ctx.user.community_id)
    name = community_name(community, ctx.i18n.language) if community else ""
    text = ctx.i18n.gettext("Your community: {community}.").format(community=escape(name))
    await _finish(ctx, edited_text=text)


async def _finish(ctx: HromadaContext, *, edited_text: str) -> None:
    ctx.replies.show(edited_text)
    await show_main_menu(ctx, fresh=True)


def _int(arg: str) -> int | None:
    return int(arg) if arg.isascii() and arg.isdigit() and len(arg) < 10 else None
