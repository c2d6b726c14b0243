#!lua
--[[
  purge-expired: delete the ended sagas of one shard whose retention has passed, with their
  history, index entries, counter share and any timer still in the set, one saga at a time
  inside this one atomic call, so no index ever points at a deleted saga.

  Only ended sagas are in the expiry set: apply-step adds a saga when it reaches completed,
  compensated, failed or cancelled, and removes it if it ever moves on (parked, running).

  KEYS[1] expiry zset      <prefix>:{s<n>}:expiry (saga ids scored by purge time)
  KEYS[2] counters hash    <prefix>:{s<n>}:counts
  KEYS[3] timers zset      <prefix>:{s<n>}:timers

  ARGV[1] now (ms): sagas scored at or before it are purged
  ARGV[2] most sagas to purge
  ARGV[3] saga key prefix     <prefix>:{s<n>}:saga:
  ARGV[4] history key prefix  <prefix>:{s<n>}:history:

  Returns the ids purged.
]]
local expiryKey, countersKey, timersKey = KEYS[1], KEYS[2], KEYS[3]
local ids = redis.call('ZRANGEBYSCORE', expiryKey, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))

-- The shard's base (`<prefix>:{s<n>}:`), which '_where' leaves out of its index keys.
local base = string.sub(countersKey, 1, #countersKey - #'counts')

for _, sagaId in ipairs(ids) do
  local sagaKey = ARGV[3] .. sagaId
  local fields = redis.call('HMGET', sagaKey, '_where', 'timers', '_indexes', '_indexMember',
    '_counter')
  local timers = fields[2]
  -- '_where': counter, member, then index keys without the base, one per line (apply-step);
  -- records written before kept them in '_counter', '_indexMember' and '_indexes' (full keys).
  local indexes, member, counter = {}, fields[4], fields[5]
  if fields[1] then
    local position = 0
    for line in string.gmatch(fields[1], '[^\n]+') do
      position = position + 1
      if position == 1 then
        counter = line
      elseif position == 2 then
        member = line
      else
        indexes[#indexes + 1] = base .. line
      end
    end
  elseif fields[3] then
    for key in string.gmatch(fields[3], '[^\n]+') do
      indexes[#indexes + 1] = key
    end
  end
  if member then
    for _, key in ipairs(indexes) do
      redis.call('ZREM', key, member)
    end
  end
  if counter and redis.call('HINCRBY', countersKey, counter, -1) <= 0 then
    redis.call('HDEL', countersKey, counter)
  end
  if timers then
    local ok, list = pcall(cjson.decode, timers)
    if ok and type(list) == 'table' then
      for _, timer in ipairs(list) do
        if type(timer) == 'table' and type(timer.timerId) == 'string' then
          redis.call('ZREM', timersKey, sagaId .. '\0' .. timer.timerId)
        end
      end
    end
  end
  redis.call('DEL', sagaKey, ARGV[4] .. sagaId)
  redis.call('ZREM', expiryKey, sagaId)
end

return ids
