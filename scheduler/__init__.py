"""Scheduled work: APScheduler runs periodic jobs; what is due lives in our own tables."""
