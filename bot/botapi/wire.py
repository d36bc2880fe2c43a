"""How Bot API calls travel over HTTP: decoding requests and encoding answers.

Clients send parameters in the query string, as a JSON body, as
``application/x-www-form-urlencoded`` or as ``multipart/form-data``.  In forms every value is
a string: python-telegram-bot JSON-encodes each value except strings, which it sends raw, so
:func:`bot.botapi.spec.decode_form_value` decodes by the parameter's type in the spec.  A
file part becomes an :class:`~bot.botapi.spec.Upload`, either under the parameter's own name
(PTB's way for a single file) or referenced from a value as ``attach://<part name>``.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .spec import Upload, decode_form_value

__all__ = ["answer", "read_params"]

JSON = dict[str, Any]
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def answer(status: int, body: JSON) -> web.Response:
    return web.json_response(
        body, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False)
    )


async def read_params(request: web.Request, method: str) -> JSON:
    """Decode query string, JSON, urlencoded or multipart parameters (uploads as Upload)."""
    params: JSON = {k: decode_form_value(method, k, v) for k, v in request.query.items()}
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params
    if request.content_type not in _FORM_TYPES:
        return params
    uploads: dict[str, Upload] = {}
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            uploads[key] = Upload(value.filename, value.content_type, value.file.read())
        else:
            params[key] = decode_form_value(method, key, str(value))
    used: set[str] = set()
    params = {key: _attach(value, uploads, used) for key, value in params.items()}
    for key, upload in uploads.items():
        if key not in used:
            params.setdefault(key, upload)
    return params


def _attach(value: Any, uploads: dict[str, Upload], used: set[str]) -> Any:
    """Replace ``attach://<name>`` references by the uploaded file."""
    if isinstance(value, str) and value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name in uploads:
            used.add(name)
            return uploads[name]
        return value
    if isinstance(value, list):
        return [_attach(item, uploads, used) for item in value]
    if isinstance(value, dict):
        return {key: _attach(item, uploads, used) for key, item in value.items()}
    return value
