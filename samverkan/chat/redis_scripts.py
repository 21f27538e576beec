"""The chat's changes in Redis that must be atomic, as Lua scripts, and a conversation's encoding
as a Redis hash (one JSON value per field): what `RedisChatStore` (redis_store.py, where the keys
are listed) runs and reads. Two workers racing on a change (take, end, the rate limit, a
console's going, the sweep after a dead worker, a post to an outbox) meet in Redis, which runs
one script at a time.
"""

import datetime
import json
from dataclasses import fields
from typing import Any

from samverkan.chat.store import ENDED_KEPT, Conversation

# A conversation and the indexes live at most this long after their last change.
KEPT = int(ENDED_KEPT.total_seconds())
TIMES = {"created_at", "taken_at", "ended_at", "young_away_since"}
FIELDS = [f.name for f in fields(Conversation)]
LOADED = "_redis_loaded"  # the encoded fields as read, kept on the instance for `save`

# KEYS: outbox, its last number, its ids, the conversation; ARGV: the message's id (or ""),
# the entry, kept, then the condition: a field's name, the number of its allowed values, the
# values (encoded), and so on. Nothing is posted for a conversation that is not there
# (forgotten, or lost with a restart of Redis between the sender's reading it and this): the
# sender is answered (0, 0, 0), and no `sent`; nor if a field has none of its allowed values
# (-1, 0, 0). Else the number, whether it is new, and the oldest number still in the outbox
# (`ChatStore.post`).
_POST = """
if redis.call('EXISTS', KEYS[4]) == 0 then return {0, 0, 0} end
local i = 4
while ARGV[i] do
  local value, count, allowed = redis.call('HGET', KEYS[4], ARGV[i]), tonumber(ARGV[i + 1]), false
  for j = i + 2, i + 1 + count do
    if value == ARGV[j] then allowed = true end
  end
  if not allowed then return {-1, 0, 0} end
  i = i + 2 + count
end
local function oldest()
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if first[2] then return tonumber(first[2]) end
  return tonumber(redis.call('GET', KEYS[2]) or '0') + 1
end
if ARGV[1] ~= '' then
  local known = redis.call('HGET', KEYS[3], ARGV[1])
  if known then return {tonumber(known), 0, oldest()} end
end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], seq, seq .. ':' .. ARGV[2])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], seq) end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
return {seq, 1, oldest()}
"""

_TAKE = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'volunteer_id', ARGV[3], 'taken_at', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZREM', KEYS[2], ARGV[5])
redis.call('SADD', KEYS[3], ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[6])
return redis.call('HGETALL', KEYS[1])
"""

# KEYS: conv, the giver's vol set, the receiver's; ARGV: active state, giver, receiver, no
# channel, id, kept. A transfer: only the giver's conversation under way changes hands.
_HAND_OVER = """
if redis.call('HGET', KEYS[1], 'state') ~= ARGV[1] then return false end
if redis.call('HGET', KEYS[1], 'volunteer_id') ~= ARGV[2] then return false end
redis.call('HSET', KEYS[1], 'volunteer_id', ARGV[3], 'volunteer_channel', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('SREM', KEYS[2], ARGV[5])
redis.call('SADD', KEYS[3], ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[6])
return redis.call('HGETALL', KEYS[1])
"""

# KEYS: conv, waiting, all, away, vol-prefix, resume-prefix; ARGV: ended state, null, by, now,
# id, kept. An untaken conversation has no record to write: it is forgotten at once.
_END = """
local state = redis.call('HGET', KEYS[1], 'state')
if (not state) or state == ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'ended_at', ARGV[4], 'ended_by', ARGV[3])
local found = redis.call('HGETALL', KEYS[1])
local token = cjson.decode(redis.call('HGET', KEYS[1], 'resume_token'))
redis.call('DEL', KEYS[6] .. token)
redis.call('ZREM', KEYS[2], ARGV[5])
redis.call('ZREM', KEYS[4], ARGV[5])
if redis.call('HGET', KEYS[1], 'volunteer_id') == ARGV[2] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[5])
else
  redis.call('EXPIRE', KEYS[1], ARGV[6])
end
return found
"""

# KEYS: window; ARGV: now, window start, limit, window seconds, a unique member.
_ALLOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS: consoles of the volunteer, online; ARGV: channel, volunteer id.
_OFFLINE = """
redis.call('SREM', KEYS[1], ARGV[1])
if redis.call('SCARD', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
  return 1
end
return 0
"""

# KEYS: workers, all, away, online; ARGV: prefix, ended state, now, now's score, kept, no
# channel. A worker whose key has expired is dead (its heartbeat stopped): it leaves `workers`,
# so it is swept once, and what its sockets held is let go as their `disconnect` would have.
# Nothing dead (the usual case) costs one EXISTS per worker; a death, one look at each
# conversation and each online volunteer's consoles.
_SWEEP = """
local dead, any = {}, false
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'worker:' .. worker) == 0 then
    dead[worker], any = true, true
    redis.call('SREM', KEYS[1], worker)
  end
end
if not any then return {{}, {}} end
local function held_by_dead(channel)
  local bang = string.find(channel, '!', 1, true)
  return bang ~= nil and dead[string.sub(channel, 1, bang - 1)] == true
end
local away = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local conv = ARGV[1] .. 'conv:' .. id
  local found = redis.call('HMGET', conv, 'state', 'young_channel')
  if found[1] and found[1] ~= ARGV[2] and found[2] then
    local channel = cjson.decode(found[2])
    if type(channel) == 'string' and held_by_dead(channel) then
      redis.call('HSET', conv, 'young_channel', ARGV[6], 'young_away_since', ARGV[3])
      redis.call('EXPIRE', conv, ARGV[5])
      redis.call('ZADD', KEYS[3], ARGV[4], id)
      redis.call('EXPIRE', KEYS[3], ARGV[5])
      table.insert(away, id)
    end
  end
end
local offline = {}
for _, volunteer in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local consoles = ARGV[1] .. 'consoles:' .. volunteer
  for _, channel in ipairs(redis.call('SMEMBERS', consoles)) do
    if held_by_dead(channel) then redis.call('SREM', consoles, channel) end
  end
  if redis.call('SCARD', consoles) == 0 then
    redis.call('SREM', KEYS[4], volunteer)
    table.insert(offline, volunteer)
  end
end
return {away, offline}
"""

# KEYS: old token's key, new token's key; ARGV: conv prefix, ended state, new token (JSON),
# kept. The old token is gone whatever the answer: it is good for one resume.
_REDEEM = """
local id = redis.call('GET', KEYS[1])
if not id then return false end
redis.call('DEL', KEYS[1])
local conv = ARGV[1] .. id
local state = redis.call('HGET', conv, 'state')
if (not state) or state == ARGV[2] then return false end
redis.call('HSET', conv, 'resume_token', ARGV[3])
redis.call('SET', KEYS[2], id, 'EX', ARGV[4])
return redis.call('HGETALL', conv)
"""

# KEYS: conv, waiting, all, vol of its volunteer (or ""), its resume key (or ""); ARGV: kept,
# id, arrival score, waiting (1/0), then field, value pairs. Only when the conversation is gone.
_RESTORE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[1])
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[1])
end
if KEYS[4] ~= '' then
  redis.call('SADD', KEYS[4], ARGV[2])
  redis.call('EXPIRE', KEYS[4], ARGV[1])
end
if KEYS[5] ~= '' then redis.call('SET', KEYS[5], ARGV[2], 'EX', ARGV[1]) end
return 1
"""

# KEYS: conv; ARGV: kept, then field, value pairs. Writes only to a conversation that still
# exists (one ended and forgotten meanwhile stays forgotten).
_SAVE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""


def encode_value(name: str, value: Any) -> str:
    if name in TIMES and value is not None:
        value = value.isoformat()
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def encode(conversation: Conversation) -> dict[str, str]:
    return {name: encode_value(name, getattr(conversation, name)) for name in FIELDS}


def decode(raw: dict[str, str]) -> Conversation:
    values = {}
    for name in FIELDS:
        if name not in raw:  # a field added since the conversation was written: its default
            continue
        value = json.loads(raw[name])
        if name in TIMES and value is not None:
            value = datetime.datetime.fromisoformat(value)
        values[name] = value
    conversation = Conversation(**values)
    setattr(conversation, LOADED, {name: raw[name] for name in FIELDS if name in raw})
    return conversation


def pairs(flat: list[str] | None) -> dict[str, str] | None:
    """HGETALL's answer from a Lua script (a flat list) as a dict."""
    if not flat:
        return None
    return dict(zip(flat[0::2], flat[1::2], strict=True))


def score(moment: datetime.datetime) -> float:
    return moment.timestamp()


# Registered on each client (redis_store.py) by these names.
SCRIPTS = {
    "take": _TAKE,
    "hand_over": _HAND_OVER,
    "end": _END,
    "allow": _ALLOW,
    "offline": _OFFLINE,
    "save": _SAVE,
    "sweep": _SWEEP,
    "redeem": _REDEEM,
    "restore": _RESTORE,
    "post": _POST,
}
