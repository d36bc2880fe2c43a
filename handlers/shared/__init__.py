"""Rendering shared by residents and staff screens: keyboards, labels, cards, outbox rows."""
