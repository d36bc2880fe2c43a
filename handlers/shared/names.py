"""How communities, organisations and staff are named, for residents and for staff."""

from __future__ import annotations

from locales import Translator, n_
from storage.models import Community, StaffRole
from storage.repositories.communities import CommunityInfo


def community_name(community: Community | CommunityInfo, language: str) -> str:
    """The community's name in `language` (uk or ru)."""
    return community.name_ru if language == "ru" else community.name_uk


def organisation(role: StaffRole, language: str) -> str | None:
    """The organisation's name in `language` (providers have one in uk and ru)."""
    return role.org_name_ru if language == "ru" else role.org_name_uk


def signature(role: StaffRole | None, community: Community, t: Translator) -> str:
    """How staff sign for residents: their organisation, never their own name; moderators
    (and anyone without an organisation) as the community's working group."""
    if role is not None and role.role == "provider":
        name = organisation(role, t.language)
        if name:
            return name
    return t.gettext("Working group of {community}").format(
        community=community_name(community, t.language)
    )


# A role without an organisation or a label of its own: its kind and number, translated.
NUMBERED_ROLE = {
    "moderator": n_("Moderator {n}"),
    "provider": n_("Provider {n}"),
    "facilitator": n_("Facilitator {n}"),
    "admin": n_("Administrator {n}"),
}


def staff_label(role: StaffRole, t: Translator) -> str:
    """How a role is named for other staff, in the reader's language: its organisation,
    else the label an administrator gave it (a person's own words, kept as written), else
    "Moderator 7" (its kind and id)."""
    named = organisation(role, t.language) or role.label
    if named:
        return named
    numbered = NUMBERED_ROLE.get(role.role)
    return t.gettext(numbered).format(n=role.id) if numbered else t.gettext("Working group")
