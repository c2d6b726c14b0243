#!lua
--[[
  release-lease: give a shard's lease up, only for the owner that holds it.

  KEYS[1] lease key   <prefix>:{s<n>}:lease
  ARGV[1] owner id

  Returns 1 when released, 0 when the caller did not hold the lease.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
