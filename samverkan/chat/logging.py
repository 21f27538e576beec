"""Keeps the chat's traffic out of the log.

The servers' access lines (daphne's `runserver`, logger django.channels.server; Django's own
django.server) name the path and the client's address. Lines about the chat's paths are dropped
entirely; other lines keep their path but lose the address, which nobody needs to read.
"""

import logging

CHAT_PATHS = ("/chatt/", "/ws/chatt/")


class ChatTrafficFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        details = record.args if isinstance(record.args, dict) else None
        if details is not None:
            if str(details.get("path", "")).startswith(CHAT_PATHS):
                return False
            if "client" in details:
                record.args = {**details, "client": "-"}
        request = getattr(record, "request", None)
        path = getattr(request, "path", None) or ""
        if isinstance(path, str) and path.startswith(CHAT_PATHS):
            return False
        message = record.msg if isinstance(record.msg, str) else ""
        # Django's "Not Found: /chatt/..." and similar lines carry the path in their arguments.
        if record.args and not isinstance(record.args, dict):
            if any(str(arg).startswith(CHAT_PATHS) for arg in record.args):
                return False
        return not any(path in message for path in CHAT_PATHS)
