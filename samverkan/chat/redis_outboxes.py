"""The outboxes of the chat's state in Redis (the keys out:, outseq:, outids: of redis_store.py):
what is on its way to one side of a conversation, numbered, until that side acknowledges it. A
part of `RedisChatStore`, apart because it is the delivery's own concern (docs/chat-protocol.md,
Delivery); posting is the script "post" (redis_scripts.py), atomic with its numbering.
"""

import asyncio
import json
import logging
from typing import Any

from samverkan.chat.redis_scripts import encode_value
from samverkan.chat.store import OUTBOX_KEPT

logger = logging.getLogger("samverkan.chat")


class RedisOutboxes:
    """`ChatStore`'s outbox methods for `RedisChatStore`, which gives them `_redis` (the loop's
    client, with `samverkan_acks`, the acknowledgements not yet applied, and
    `samverkan_ack_task`, the task applying them), `_script` and `_key`."""

    def _outbox_keys(self, conversation_id: str, side: str) -> list[str]:
        return [
            self._key("out", conversation_id, side),
            self._key("outseq", conversation_id, side),
            self._key("outids", conversation_id, side),
        ]

    async def post(
        self,
        conversation_id: str,
        side: str,
        entry: dict[str, Any],
        message_id: str | None,
        *,
        only_if: dict[str, list[Any]] | None = None,
    ) -> tuple[int, bool, int]:
        condition: list[Any] = []
        for name, values in (only_if or {}).items():
            condition += [name, len(values), *(encode_value(name, value) for value in values)]
        seq, new, oldest = await self._script(
            "post",
            [*self._outbox_keys(conversation_id, side), self._key("conv", conversation_id)],
            [message_id or "", json.dumps(entry), int(OUTBOX_KEPT.total_seconds()), *condition],
        )
        return int(seq), bool(new), int(oldest)

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
        """Applied a moment later, with the other acknowledgements that came meanwhile, in one
        round trip (`_apply_acknowledgements`): the socket that received the `ack` goes on with
        its client's next frame at once. An acknowledgement not applied (the worker killed in
        between, Redis away) is as one the client had not sent yet: its entries are handed over
        again by the next socket that holds the side, and the client drops the numbers it has
        shown (docs/chat-protocol.md, Delivery)."""
        client = self._redis()
        waiting = client.samverkan_acks
        key = self._key("out", conversation_id, side)
        waiting[key] = max(upto, waiting.get(key, 0))
        task = client.samverkan_ack_task
        if task is None or task.done():
            client.samverkan_ack_task = asyncio.ensure_future(self._apply_acknowledgements(client))

    async def _apply_acknowledgements(self, client: Any) -> None:
        while client.samverkan_acks:
            batch, client.samverkan_acks = client.samverkan_acks, {}
            try:
                async with client.pipeline(transaction=False) as pipe:
                    for key, upto in batch.items():
                        pipe.zremrangebyscore(key, "-inf", upto)
                    await pipe.execute()
            except Exception as error:  # noqa: BLE001 (handed over again, and dropped as shown)
                logger.warning("chat acknowledgements not applied: %s", type(error).__name__)

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
