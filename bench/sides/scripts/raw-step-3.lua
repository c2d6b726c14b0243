--[[
  raw-step (benchmark only): the smallest write with the shape of the store's apply-step — a
  version check, the record, one history entry and (unless the saga ends) one outbox message —
  with arguments about as large as apply-step's for the order saga (≈ 3.9 KB per step). It
  leaves out what the store adds on top (indexes, counters, timers, expiry): that is the
  orchestrator's own cost, which the transport limit is meant to exclude.

  KEYS[1] saga hash     KEYS[2] history list     KEYS[3] outbox stream (the saga's shard)
  ARGV[1] expected version, '0' = create
  ARGV[2] record blob   ARGV[3] history entry
  ARGV[4..7] outbox message: topic, key, value, headers JSON (absent when the saga ends)

  Returns 1, or -3 when the stored version is not the expected one.
]]
local stored = redis.call('HGET', KEYS[1], 'version')
if ARGV[1] ~= '0' and stored ~= ARGV[1] then
  return -3
end
redis.call('HSET', KEYS[1], 'version', tonumber(ARGV[1]) + 1, 'record', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
if ARGV[4] then
  redis.call('XADD', KEYS[3], '*', 't', ARGV[4], 'k', ARGV[5], 'v', ARGV[6], 'h', ARGV[7])
end
return 1
