"""The outboxes of the chat's state in Redis (the keys out:, outseq:, outids: of redis_store.py):
what is on its way to one side of a conversation, numbered, until that side acknowledges it. A
part of `RedisChatStore`, apart because it is the delivery's own concern (docs/chat-protocol.md,
Delivery); posting is the script "post" (redis_scripts.py), atomic with its numbering.
"""

import json
from typing import Any

from samverkan.chat.store import OUTBOX_KEPT


class RedisOutboxes:
    """`ChatStore`'s outbox methods for `RedisChatStore`, which gives them `_redis` (the loop's
    client), `_script` and `_key`."""

    def _outbox_keys(self, conversation_id: str, side: str) -> list[str]:
        return [
            self._key("out", conversation_id, side),
            self._key("outseq", conversation_id, side),
            self._key("outids", conversation_id, side),
        ]

    async def post(
        self, conversation_id: str, side: str, entry: dict[str, Any], message_id: str | None
    ) -> tuple[int, bool]:
        seq, new = await self._script(
            "post",
            [*self._outbox_keys(conversation_id, side), self._key("conv", conversation_id)],
            [message_id or "", json.dumps(entry), int(OUTBOX_KEPT.total_seconds())],
        )
        return int(seq), bool(new)

    async def pending(self, conversation_id: str, side: str, after: int) -> list[dict[str, Any]]:
        members = await self._redis().zrangebyscore(
            self._key("out", conversation_id, side), f"({after}", "+inf"
        )
        entries = []
        for member in members:
            seq, _, raw = member.partition(":")
            entries.append({**json.loads(raw), "seq": int(seq)})
        return entries

    async def acknowledge(self, conversation_id: str, side: str, upto: int) -> None:
        await self._redis().zremrangebyscore(self._key("out", conversation_id, side), "-inf", upto)

    async def drop_outbox(
        self, conversation_id: str, side: str | None = None, *, within: float = 0
    ) -> None:
        keys = [
            key
            for each in ([side] if side else ["young", "volunteer"])
            for key in self._outbox_keys(conversation_id, each)
        ]
        if within <= 0:
            await self._redis().delete(*keys)
            return
        async with self._redis().pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.expire(key, max(1, round(within)))
            await pipe.execute()
