#!lua
--[[
  apply-step: create a saga, or commit one step of it, atomically with everything the step writes.

  The `#!lua` line opts into Redis 7 script flags with none set, so Redis Cluster refuses any key
  outside the slot of KEYS (the index keys read from ARGV and from the hash share the tag).

  KEYS[1] saga hash            <prefix>:{s<n>}:saga:<id>
  KEYS[2] history list         <prefix>:{s<n>}:history:<id>
  KEYS[3] outbox stream        <prefix>:{s<n>}:outbox
  KEYS[4] timers zset          <prefix>:{s<n>}:timers
  KEYS[5] counters hash        <prefix>:{s<n>}:counts
  KEYS[6] expiry zset          <prefix>:{s<n>}:expiry

  ARGV[1] expected revision: '0' = create (the saga must not exist), else the stored revision
          (the record's revision lives in the hash field 'version', its first name: renaming it
          would need a migration of every running installation's stored sagas)
  ARGV[2] saga id
  ARGV[3] index member of the saga (`<createdAt>:<id>`; ids hold no line break)
  ARGV[4] index keys the saga belongs in after this step, joined by '\n'
  ARGV[5] counter field after this step (`<type>:<state>:<status>`)
  ARGV[6] purge time (ms) if the saga has ended, '0' to keep it
  ARGV[7] history limit (entries kept per saga)
  ARGV[8] F, then F arguments: the record as field, value, … pairs (HSET)
  then  D, then D record fields to delete (the record has no value for them now)
  then  C, then C timer members to remove (cancelled timers; before the ones set)
  then  S, then S × (dueAt, member) timers to add or move
  then  H, then H history entries (JSON) to append
  then  O, then O × (topic, key, value, headers JSON or '', value encoding or '') outbox messages
  then  the outbox hold: '' (most steps), 'hold' (the step pauses the saga: its entries still in
        the outbox stream, those keyed by its id, move into the hash field '_held') or 'release'
        (the step resumes it: the held entries go back to the stream, before the step's own),
        or 'release:<ms>': the same, each entry carrying how long it was held in its field 'p'
        (added to the 'p' an earlier pause gave it)
  then, only when the step ends the saga: its whole history sealed (history-codec.ts: the entries'
        texts, the H new ones included, deflated, base64), the history list's length when that
        was read, and how many of the oldest entries the seal cut (past the history limit)

  The hash keeps, beside the record, '_where' (counter field, index member, then the index keys
  without the shard's base, one per line; purge-expired reads it too) and an ended saga's sealed
  history 'historyZ' (which then replaces the list). The purge time is only the expiry set's score
  (records written before also kept it in '_expireAt', which the next step deletes).

  Returns (codes: orchestrator/store/script-status.ts)
   { 1 }                         applied
   { -1, { field, value, … } }   create: a saga with this id exists (its stored hash)
   { -2 }                        commit: no such saga
   { -3, storedVersion }         commit: the saga is at another revision; nothing written
]]
local sagaKey, historyKey, outboxKey = KEYS[1], KEYS[2], KEYS[3]
local timersKey, countersKey, expiryKey = KEYS[4], KEYS[5], KEYS[6]
local expected, sagaId, member = ARGV[1], ARGV[2], ARGV[3]
local indexes, counter, expireAt = ARGV[4], ARGV[5], ARGV[6]
local historyLimit = tonumber(ARGV[7])
-- The statuses a saga ends in (wire/contract: ENDED_SAGA_STATUSES).
local ENDED = { completed = true, compensated = true, failed = true, cancelled = true }

local old
if expected == '0' then
  if redis.call('EXISTS', sagaKey) == 1 then
    return { -1, redis.call('HGETALL', sagaKey) }
  end
  old = {}
else
  local stored = redis.call('HGET', sagaKey, 'version')
  if not stored then
    return { -2 }
  end
  if stored ~= expected then
    return { -3, tonumber(stored) }
  end
  old = redis.call('HMGET', sagaKey, '_where', '_expireAt', 'id', '_indexes', '_indexMember',
    '_counter')
end
local oldExpireAt = old[2]
-- A record of the first encoding (one field per meta value, 'id' among them) is being rewritten
-- in the second one (the meta values in 'm'): its meta fields go (record-codec.ts).
local firstEncoding = old[3]

local function lines(text)
  local list = {}
  if text then
    for line in string.gmatch(text, '[^\n]+') do
      list[#list + 1] = line
    end
  end
  return list
end

-- Where the store finds the saga: '_where' is its counter field, its index member, then its index
-- keys without the shard's base (`<prefix>:{s<n>}:`, the counters key's start), one per line.
-- Records written before kept them in '_counter', '_indexMember' and '_indexes' (full keys).
local base = string.sub(countersKey, 1, #countersKey - #'counts')
local oldIndexes, oldMember, oldCounter = {}, nil, nil
local separateWhereFields = old[4] or old[5] or old[6]
if old[1] then
  local where = lines(old[1])
  oldCounter, oldMember = where[1], where[2]
  for i = 3, #where do
    oldIndexes[#oldIndexes + 1] = base .. where[i]
  end
elseif separateWhereFields then
  oldIndexes, oldMember, oldCounter = lines(old[4]), old[5], old[6]
end
local newIndexes = lines(indexes)
local where = { counter, member }
for _, key in ipairs(newIndexes) do
  where[#where + 1] = string.sub(key, #base + 1)
end

-- The record, and where the store finds it again (indexes, counter, purge time).
local pos = 8
local fieldCount = tonumber(ARGV[pos])
local hset = {}
for i = 1, fieldCount do
  hset[i] = ARGV[pos + i]
end
pos = pos + fieldCount + 1
local deleteCount = tonumber(ARGV[pos])
local hdel = {}
for i = 1, deleteCount do
  hdel[i] = ARGV[pos + i]
end
pos = pos + deleteCount + 1
if firstEncoding then
  for _, field in ipairs({ 'id', 'type', 'definitionVersion', 'status', 'state', 'createdAt',
      'updatedAt', 'idempotencyKey', 'stateEnteredAt' }) do
    hdel[#hdel + 1] = field
  end
end
if separateWhereFields then
  hdel[#hdel + 1] = '_indexes'
  hdel[#hdel + 1] = '_indexMember'
  hdel[#hdel + 1] = '_counter'
end
hset[#hset + 1] = '_where'
hset[#hset + 1] = table.concat(where, '\n')
redis.call('HSET', sagaKey, unpack(hset))
if #hdel > 0 then
  redis.call('HDEL', sagaKey, unpack(hdel))
end

-- The purge time is the expiry set's score alone. Records written before also kept it in
-- '_expireAt' (deleted here); otherwise a saga that had ended says so by its old counter field.
if oldExpireAt then
  redis.call('HDEL', sagaKey, '_expireAt')
end
if expireAt ~= '0' then
  redis.call('ZADD', expiryKey, expireAt, sagaId)
elseif oldExpireAt or (oldCounter and ENDED[string.match(oldCounter, ':([^:]*)$')]) then
  redis.call('ZREM', expiryKey, sagaId)
end

-- Timers: cancel first, then set, so one step may cancel and re-arm the same timer id.
local cancelCount = tonumber(ARGV[pos])
for i = 1, cancelCount do
  redis.call('ZREM', timersKey, ARGV[pos + i])
end
pos = pos + cancelCount + 1
local setCount = tonumber(ARGV[pos])
for i = 1, setCount do
  redis.call('ZADD', timersKey, ARGV[pos + 2 * i - 1], ARGV[pos + 2 * i])
end
pos = pos + 2 * setCount + 1

-- History, bounded: the oldest entries go, and the hash counts how many went. A step that ends the
-- saga replaces the list by the sealed history, if the list is still what it was when read (a
-- record put back by a restore may have a shorter one: then the entries go to the list as usual).
local historyCount = tonumber(ARGV[pos])
local outboxAt = pos + historyCount + 1
local holdAt = outboxAt + 1 + 5 * tonumber(ARGV[outboxAt])
local hold, heldFor = string.match(ARGV[holdAt], '^(%a*):?(%d*)$')
local sealAt = holdAt + 1
local sealed = ARGV[sealAt]
if sealed and redis.call('LLEN', historyKey) == tonumber(ARGV[sealAt + 1]) then
  redis.call('DEL', historyKey)
  redis.call('HSET', sagaKey, 'historyZ', sealed)
  local cut = tonumber(ARGV[sealAt + 2])
  if cut > 0 then
    redis.call('HINCRBY', sagaKey, '_historyDropped', cut)
  end
elseif historyCount > 0 then
  local length = 0
  for i = 1, historyCount do
    length = redis.call('RPUSH', historyKey, ARGV[pos + i])
  end
  local excess = length - historyLimit
  if excess > 0 then
    redis.call('LTRIM', historyKey, excess, -1)
    redis.call('HINCRBY', sagaKey, '_historyDropped', excess)
  end
end
pos = pos + historyCount + 1

-- A pause takes the saga's unpublished messages out of the outbox (a relay that read them before
-- this runs is waited for by the runtime, outbox.ts); a resume puts them back, in their order.
if hold == 'hold' then
  local held = {}
  local stored = redis.call('HGET', sagaKey, '_held')
  if stored then
    held = cjson.decode(stored)
  end
  local taken = 0
  for _, entry in ipairs(redis.call('XRANGE', outboxKey, '-', '+')) do
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'k' then
        if fields[i + 1] == sagaId then
          held[#held + 1] = fields
          redis.call('XDEL', outboxKey, entry[1])
          taken = taken + 1
        end
        break
      end
    end
  end
  if taken > 0 then
    redis.call('HSET', sagaKey, '_held', cjson.encode(held))
  end
elseif hold == 'release' then
  local stored = redis.call('HGET', sagaKey, '_held')
  if stored then
    for _, fields in ipairs(cjson.decode(stored)) do
      if heldFor ~= '' then
        local total, at = tonumber(heldFor), #fields + 1
        for i = 1, #fields, 2 do
          if fields[i] == 'p' then
            total, at = total + tonumber(fields[i + 1]), i
          end
        end
        fields[at], fields[at + 1] = 'p', string.format('%.0f', total)
      end
      redis.call('XADD', outboxKey, '*', unpack(fields))
    end
    redis.call('HDEL', sagaKey, '_held')
  end
end

-- Outbox, in the order given; the stream id orders the shard's messages.
local outboxCount = tonumber(ARGV[pos])
for i = 0, outboxCount - 1 do
  local at = pos + 1 + i * 5
  local entry = { 't', ARGV[at], 'k', ARGV[at + 1], 'v', ARGV[at + 2] }
  if ARGV[at + 3] ~= '' then
    entry[#entry + 1] = 'h'
    entry[#entry + 1] = ARGV[at + 3]
  end
  if ARGV[at + 4] ~= '' then
    entry[#entry + 1] = 'e'
    entry[#entry + 1] = ARGV[at + 4]
  end
  redis.call('XADD', outboxKey, '*', unpack(entry))
end

-- Indexes: leave the ones the saga no longer belongs in, join the new ones.
local inNew, inOld = {}, {}
if oldMember == member then
  for _, key in ipairs(newIndexes) do
    inNew[key] = true
  end
  for _, key in ipairs(oldIndexes) do
    inOld[key] = true
  end
end
for _, key in ipairs(oldIndexes) do
  if not inNew[key] then
    redis.call('ZREM', key, oldMember)
  end
end
for _, key in ipairs(newIndexes) do
  if not inOld[key] then
    redis.call('ZADD', key, 0, member)
  end
end

-- Counters: one saga leaves its old (type, state, status) and joins the new one.
if oldCounter ~= counter then
  if oldCounter and redis.call('HINCRBY', countersKey, oldCounter, -1) <= 0 then
    redis.call('HDEL', countersKey, oldCounter)
  end
  redis.call('HINCRBY', countersKey, counter, 1)
end

return { 1 }
