"""Composition root: settings, the Application factory and the command line."""
