#!lua
--[[
  claim-timers: hand the due timers of one shard to the caller for a while.

  A claimed timer stays in the set with its score moved to the lease's end, so if the caller
  dies before the step that consumes it (and cancels it) is committed, it becomes due again.
  A due entry is removed instead when its saga is gone, has ended (it is scheduled for purge:
  nothing moves it any more), or no longer has that timer armed.

  Fenced: the poller passes the shard epoch it took the shard with; when the epoch has moved
  since (another instance owns the shard now), nothing is claimed.

  KEYS[1] timers zset      <prefix>:{s<n>}:timers (members `<sagaId>\0<timerId>`)
  KEYS[2] owner epoch      <prefix>:{s<n>}:owner-epoch

  ARGV[1] now (ms): entries scored at or before it are due
  ARGV[2] most entries to look at
  ARGV[3] lease end (ms): the new score of a claimed entry
  ARGV[4] saga key prefix  <prefix>:{s<n>}:saga:  (a saga's hash is this plus its id)
  ARGV[5] the caller's epoch of the shard ('' for no check)

  Returns { dropped, { sagaId, timerId, dueAt, … } } in due order; dueAt is the record's; or -4
  (fenced).
]]
if ARGV[5] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[5] then
  return -4
end
local timersKey = KEYS[1]
-- The statuses a saga ends in (wire/contract: ENDED_SAGA_STATUSES).
local ENDED = { completed = true, compensated = true, failed = true, cancelled = true }
local due = redis.call('ZRANGEBYSCORE', timersKey, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
local dropped = 0

for _, member in ipairs(due) do
  local armed = nil
  local separator = string.find(member, '\0', 1, true)
  if separator then
    local sagaId = string.sub(member, 1, separator - 1)
    local timerId = string.sub(member, separator + 1)
    -- Ended: the status at the end of '_where''s first line (the counter field), or, for records
    -- written before, the '_expireAt' they kept.
    local saga = redis.call('HMGET', ARGV[4] .. sagaId, 'timers', '_expireAt', '_where')
    local timers, ended = saga[1], saga[2]
    if not ended and saga[3] then
      ended = ENDED[string.match(saga[3], '^[^\n]*:([^:\n]*)\n')]
    end
    if timers and not ended then
      local ok, list = pcall(cjson.decode, timers)
      if ok and type(list) == 'table' then
        for _, timer in ipairs(list) do
          if type(timer) == 'table' and timer.timerId == timerId then
            armed = timer
            break
          end
        end
      end
    end
    if armed then
      redis.call('ZADD', timersKey, ARGV[3], member)
      claimed[#claimed + 1] = sagaId
      claimed[#claimed + 1] = timerId
      claimed[#claimed + 1] = tonumber(armed.dueAt) or 0
    end
  end
  if not armed then
    redis.call('ZREM', timersKey, member)
    dropped = dropped + 1
  end
end

return { dropped, claimed }
