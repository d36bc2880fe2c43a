"""Screens for residents: onboarding, the menu, asking, their own requests, what they are told."""
