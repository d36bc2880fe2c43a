"""The HTTP client behind every Bot API call of the bot (HTTP_CLIENT: aiohttp or httpx)."""

from __future__ import annotations

from telegram.request import BaseRequest, HTTPXRequest

from bot.aiohttp_request import AiohttpRequest
from bot.settings import Settings

__all__ = ["bot_request"]


def bot_request(settings: Settings, connection_pool_size: int) -> BaseRequest:
    """A new client with `connection_pool_size` connections, HTTPXRequest's default timeouts."""
    if settings.http_client == "httpx":
        return HTTPXRequest(connection_pool_size=connection_pool_size)
    return AiohttpRequest(connection_pool_size=connection_pool_size)
