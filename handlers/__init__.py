"""Telegram glue: the pipeline, the router and the handlers, registered in one visible order."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, TypeHandler

from handlers.core.pipeline import Pipeline
from handlers.core.router import Router
from handlers.resident import ask, edits, follow_up, menu, my_requests, navigation, onboarding
from handlers.resident import clear_chat as resident_clear_chat
from handlers.resident import groups as resident_groups
from handlers.resident import meetings as resident_meetings
from handlers.resident import polls as resident_polls
from handlers.resident import privacy as resident_privacy
from handlers.resident import settings as resident_settings
from handlers.staff import buttons as staff_buttons
from handlers.staff import commands as staff_commands
from handlers.staff import group_chat as staff_group_chat
from handlers.staff import group_members as staff_group_members
from handlers.staff import groups_edit as staff_groups_edit
from handlers.staff import invites as staff_invites
from handlers.staff import meetings as staff_meetings
from handlers.staff import meetings_manage as staff_meetings_manage
from handlers.staff import polls as staff_polls
from handlers.staff import staff_chat
from handlers.staff import texts as staff_texts


def build_router() -> Router:
    """Every handler module's router. Order does not decide precedence (the router does:
    commands, then buttons of the current state, then messages); a clash raises."""
    root = Router()
    root.include(navigation.router)  # commands and the main menu's buttons
    root.include(onboarding.router)  # language and community screens
    root.include(menu.router)  # the idle screen
    root.include(ask.router)  # a resident asks a question
    root.include(my_requests.router)  # a resident's requests, replies, ratings
    root.include(resident_privacy.router)  # /privacy, /mydata, /forget
    root.include(resident_clear_chat.router)  # /clear: delete this chat's messages (48 h)
    root.include(follow_up.router)  # a text offered as a follow-up; the idle message
    root.include(edits.router)  # a person edited a message they sent
    root.include(resident_meetings.router)  # "Meetings" and the RSVP buttons (mr:)
    root.include(resident_settings.router)  # /settings and the meeting-notice toggle
    root.include(resident_groups.router)  # self-help groups: browse, join, leave (grp:)
    root.include(staff_invites.router)  # /start inv_... (a staff invitation link)
    root.include(staff_commands.router)  # /queue, /inbox, /stats, /link_staff_chat
    root.include(staff_buttons.router)  # buttons on request cards
    root.include(staff_texts.router)  # what staff type after pressing Answer etc.
    root.include(resident_polls.router)  # voting on a poll (pv:, pr:)
    root.include(staff_polls.router)  # /poll: creating, publishing, closing, CSV
    root.include(staff_meetings.router)  # creating a meeting (moderators, facilitators)
    root.include(staff_meetings_manage.router)  # /meetings, a meeting's card and changes
    root.include(staff_group_members.router)  # /groups, requests to join (gf:)
    root.include(staff_group_chat.router)  # /link CODE in a group's own chat
    root.include(staff_groups_edit.router)  # moderators create and edit groups (gxs:, gx:)
    root.include(staff_chat.router)  # a staff chat removed or upgraded (group events)
    return root


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """One PTB handler: every update goes through the pipeline."""
    app.add_handler(TypeHandler(Update, Pipeline(build_router())))
