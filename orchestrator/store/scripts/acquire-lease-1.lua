#!lua
--[[
  acquire-lease: take a shard's lease if it is free, or extend it if the caller holds it.

  KEYS[1] lease key   <prefix>:{s<n>}:lease
  ARGV[1] owner id
  ARGV[2] time to live (ms), counted by Redis

  Returns 1 when the caller holds the lease now, 0 when another owner does.
]]
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
