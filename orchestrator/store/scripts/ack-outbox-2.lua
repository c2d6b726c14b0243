--[[
  ack-outbox: deletes the entries a relay batch published and counts the batch done (see
  read-outbox-2.lua). One call, as the plain XDEL it replaces.

  KEYS[1] outbox stream        <prefix>:{s<n>}:outbox
  KEYS[2] relay batches hash   <prefix>:{s<n>}:relay-batches

  ARGV    the stream ids of the entries published

  Returns how many entries were deleted.
]]
local deleted = redis.call('XDEL', KEYS[1], unpack(ARGV))
redis.call('HINCRBY', KEYS[2], 'done', 1)
return deleted
