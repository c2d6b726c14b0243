#!lua
--[[
  discard-timer: remove a claimed timer that will not be consumed by a commit (the engine ignored
  it), unless it was re-armed since the claim. A re-armed timer has a new score (its new due
  time), so the timer is removed only while its score is still the claim's lease end.

  KEYS[1] timers zset      <prefix>:{s<n>}:timers
  ARGV[1] timer member     `<sagaId>\0<timerId>`
  ARGV[2] lease end (ms) the claim gave it

  Returns 1 when removed, 0 when it was re-armed or is gone.
]]
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
