"""The table of implemented Bot API methods: official name -> async handler.

Add a method by writing ``async def handler(state, params) -> result`` (raise
:class:`~bot.botapi.state.ApiError` to refuse) and adding one line to :data:`METHODS`, or to
the table of the module it belongs in.  Methods in ``api.json`` but not here are answered with
``400 ... not implemented by test server`` and recorded as violations.
"""

from __future__ import annotations

from .api_members import MEMBER_METHODS
from .api_messages import MESSAGE_METHODS, Handler
from .api_misc import MISC_METHODS

__all__ = ["METHODS", "Handler"]

METHODS: dict[str, Handler] = {
    **MISC_METHODS,
    **MESSAGE_METHODS,
    **MEMBER_METHODS,
}
