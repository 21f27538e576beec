"""The chat's wire format (docs/chat-protocol.md): what a frame from a client must be, and the
events the server sends. The consumers call `parse` for every frame, `check_kind`, and the
field readers of its type; each refusal is a `Refused` carrying the documented error code, and
the socket goes on.

One frame-size rule for every server: a frame is measured in characters of its decoded text
(UTF-8 decoded and JSON escapes resolved, without insignificant whitespace), at most
MAX_FRAME. So 2,000 emoji sent as escaped surrogate pairs are one 2,000-character text, not a
24,000-character frame. A frame as received may be longer only by its escapes: one decoded
character is at most 12 characters escaped (a surrogate pair), so anything over
MAX_RAW_FRAME is refused unread. Longer still (MAX_TRANSPORT_BYTES) the server itself closes
the connection with 1009 (uvicorn's `ws_max_size`, set by `transport_limits`).

A string holding a lone surrogate ("\\ud800", which a browser's JSON.stringify makes of an
unpaired half) cannot be encoded as UTF-8, so it could not be passed on to the other side or
through Redis: a frame with one anywhere is refused as `bad_request`.
"""

import functools
import json
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from samverkan.chat.services import MAX_MESSAGE_LENGTH
from samverkan.chat.store import ENDED, Conversation

MAX_FRAME = 16_000  # characters of the decoded frame
MAX_RAW_FRAME = 12 * MAX_FRAME  # characters as received (escapes included)
MAX_MESSAGE_ID = 64  # a message's own id from the client
MAX_TOKEN = 100  # a resume token (ours are 43 characters)
CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

YOUNG_TYPES = frozenset({"start", "resume", "message", "ack", "typing", "end", "feedback"})
VOLUNTEER_TYPES = frozenset(
    {
        "take",
        "message",
        "ack",
        "typing",
        "note",
        "refer",
        "end",
        "block",
        "discard",
        "colleagues",
        "transfer",
    }
)
MAX_SEQ = 2**53 - 1  # a sequence number stays exact in JavaScript
FEEDBACK_ANSWERS = frozenset({"yes", "partly", "no"})

# Close codes (4000-4999 are the application's own).
CLOSE_CLOSED = 4001  # outside opening hours
CLOSE_FORBIDDEN = 4003  # a blocked client
CLOSE_REPLACED = 4009  # another socket took this one's place (a newer console, a resume)
CLOSE_RATE_LIMITED = 4029
CLOSE_SIGNED_OUT = 4401  # the console's session signed out or expired
# A young person's `start` refused: the error's code and the close code that follows it.
CLOSE_FOR = {"closed": CLOSE_CLOSED, "blocked": CLOSE_FORBIDDEN, "rate_limited": CLOSE_RATE_LIMITED}


class Refused(Exception):  # noqa: N818 (a refusal, answered, not an error of the server)
    """A frame answered with an `error` event of this code (and these fields)."""

    def __init__(self, code: str, **fields: Any) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


def parse(text_data: str | None) -> dict[str, Any]:
    """The frame's JSON object, or Refused("bad_request")."""
    if text_data is None or len(text_data) > MAX_RAW_FRAME:
        raise Refused("bad_request")
    try:
        content = json.loads(text_data)
    except (ValueError, RecursionError):  # not JSON, a number too long, nesting too deep
        raise Refused("bad_request") from None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        raise Refused("bad_request")
    if len(text_data) <= MAX_FRAME and "\\u" not in text_data:
        # Decoding only shortens (escapes, whitespace), so the frame is within the limit, and
        # without \u escapes its strings are those of the text as received.
        if not text_data.isascii():
            _encodable(text_data)
        return content
    decoded = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    if len(decoded) > MAX_FRAME:
        raise Refused("bad_request")
    _encodable(decoded)
    return content


def _encodable(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        raise Refused("bad_request") from None


def check_kind(content: dict[str, Any], kinds: frozenset[str]) -> str:
    kind = content["type"]
    if kind not in kinds:
        raise Refused("unknown_type")
    return kind


def conversation_id(content: dict[str, Any]) -> str:
    """A console frame's `conversation`: an id of our form, or bad_request."""
    value = content.get("conversation")
    if not isinstance(value, str) or not CONVERSATION_ID.fullmatch(value):
        raise Refused("bad_request")
    return value


def message_id(content: dict[str, Any], **fields: Any) -> str | None:
    """A message's optional own id: absent, or a string of 1-64 characters."""
    if "id" not in content:
        return None
    value = content["id"]
    if not isinstance(value, str) or not 0 < len(value) <= MAX_MESSAGE_ID:
        raise Refused("bad_request", **fields)
    return value


def seq(content: dict[str, Any], **fields: Any) -> int:
    """An `ack`'s `seq`: a whole number from 0 (not a boolean), or bad_request."""
    value = content.get("seq")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEQ:
        raise Refused("bad_request", **fields)
    return value


def text(content: dict[str, Any], **fields: Any) -> str:
    """A message's text: a string (else bad_request), not blank (`empty`), at most 2,000
    characters (`too_long`)."""
    value = content.get("text")
    if not isinstance(value, str):
        raise Refused("bad_request", **fields)
    if not value.strip():
        raise Refused("empty", **fields)
    if len(value) > MAX_MESSAGE_LENGTH:
        raise Refused("too_long", limit=MAX_MESSAGE_LENGTH, **fields)
    return value


def active(content: dict[str, Any], **fields: Any) -> bool:
    value = content.get("active")
    if not isinstance(value, bool):
        raise Refused("bad_request", **fields)
    return value


def colleague(content: dict[str, Any], **fields: Any) -> int:
    """A `transfer`'s `to`: a colleague's id from `colleagues`, a whole number (not a
    boolean), or bad_request."""
    value = content.get("to")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_SEQ:
        raise Refused("bad_request", **fields)
    return value


def token(content: dict[str, Any]) -> str:
    value = content.get("token")
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TOKEN:
        raise Refused("bad_request")
    return value


def feedback_answer(content: dict[str, Any]) -> str:
    value = content.get("answer")
    if value not in FEEDBACK_ANSWERS:
        raise Refused("bad_request")
    return value


def notes(content: dict[str, Any], **fields: Any) -> dict[str, Any]:
    value = content.get("notes")
    if not isinstance(value, dict):
        raise Refused("bad_request", **fields)
    return value


def error(code: str, message: str = "", **fields: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, **fields}


@functools.cache
def record_path() -> str:
    """The post-chat form's path. Cached: the first `reverse` of a process loads the URL
    configuration and took seconds, on the event loop that every socket of the worker shares;
    chat/routing.py calls it at start-up."""
    return reverse("records:chat_create")


def record_url(conversation_id: str) -> str:
    return f"{record_path()}?samtal={conversation_id}"


def summary(conversation: Conversation) -> dict[str, Any]:
    """A conversation as the console sees it (never a message)."""
    now = timezone.now()
    return {
        "id": conversation.id,
        "state": conversation.state,
        "waiting_since": conversation.created_at.isoformat(),
        "waited_seconds": int(
            ((conversation.taken_at or now) - conversation.created_at).total_seconds()
        ),
        "intake": conversation.intake,
        "notes": conversation.notes,
        "codes": [{"code": c["code"], "destination": c["destination"]} for c in conversation.codes],
        "away": conversation.young_away_since is not None,
        "ended_by": conversation.ended_by,
        "record": record_url(conversation.id) if conversation.state == ENDED else "",
    }


def young_outbox_frame(entry: dict[str, Any]) -> dict[str, Any]:
    """What the young person's socket hands over from their outbox: a message or a code."""
    if entry["kind"] == "referral":
        referral = {k: v for k, v in entry["referral"].items() if k != "service"}
        return {"type": "referral", **referral, "seq": entry["seq"]}
    frame = {"type": "message", "text": entry["text"], "seq": entry["seq"]}
    if "id" in entry:
        frame["id"] = entry["id"]
    return frame


def console_outbox_frame(conversation_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    """What a console hands over from the volunteer's outbox of a conversation."""
    frame = {"type": "message", "conversation": conversation_id, "text": entry["text"]}
    if "id" in entry:
        frame["id"] = entry["id"]
    frame["seq"] = entry["seq"]
    return frame


def console_ended(conversation_id: str, by: str) -> dict[str, Any]:
    return {
        "type": "ended",
        "conversation": conversation_id,
        "by": by,
        "record": record_url(conversation_id),
    }


def hello(queue: list[Conversation], mine: list[Conversation]) -> dict[str, Any]:
    """A console's first event: the queue and the volunteer's conversations."""
    return {
        "type": "hello",
        "queue": [summary(c) for c in queue],
        "conversations": [summary(c) for c in mine],
    }


def console_presence(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "presence", **{k: event[k] for k in ("conversation", "who", "state")}}
