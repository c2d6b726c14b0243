#!lua
--[[
  pause-timers: the orchestrator could not do its work (broker or Redis unreachable, not in its
  consumer group) from `since` to `until`; a deadline must not count that time. Every timer of
  the shard due at or after the outage's start fires later by the outage's length.

  Several instances may report the same outage, each with its own view of when it began and
  ended. The shard keeps the end of the last outage it was paused for, and only the part of a
  report after that end moves timers: overlapping reports add up to their union, a report applied
  twice moves nothing the second time.

  KEYS[1] timers zset          <prefix>:{s<n>}:timers
  KEYS[2] paused-through       <prefix>:{s<n>}:timers-paused-through (ms, a string)

  ARGV[1] since (ms): the last moment the reporting instance knew it was able to work
  ARGV[2] until (ms): when it was able again
  ARGV[3] how long to remember paused-through (ms)

  Returns { timers moved, ms they moved by }.
]]
local timersKey, pausedKey = KEYS[1], KEYS[2]
local pausedThrough = tonumber(redis.call('GET', pausedKey) or '0') or 0
local from = math.max(tonumber(ARGV[1]), pausedThrough)
local untilMs = tonumber(ARGV[2])
if untilMs <= from then
  return { 0, 0 }
end
local shift = untilMs - from

local entries = redis.call('ZRANGEBYSCORE', timersKey, string.format('%.0f', from), '+inf', 'WITHSCORES')
for i = 1, #entries, 2 do
  redis.call('ZADD', timersKey, string.format('%.0f', tonumber(entries[i + 1]) + shift), entries[i])
end
redis.call('SET', pausedKey, string.format('%.0f', untilMs), 'PX', ARGV[3])
return { #entries / 2, shift }
