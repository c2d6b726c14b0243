#!lua
--[[
  renew-lease: extend a shard's lease, only for the owner that holds it.

  KEYS[1] lease key   <prefix>:{s<n>}:lease
  ARGV[1] owner id
  ARGV[2] time to live (ms), counted by Redis

  Returns 1 when renewed, 0 when the caller does not hold the lease (it expired or moved on).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
