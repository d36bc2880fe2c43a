"""Screens for staff (moderators and providers): commands, card buttons, texts, invitations."""
