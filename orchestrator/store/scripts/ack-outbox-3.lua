--[[
  ack-outbox: deletes the entries a relay batch published and counts the batch done (see
  read-outbox-3.lua). One call, as the plain XDEL it replaces.

  Fenced like read-outbox: when the shard's epoch moved since the caller took the shard, nothing
  is deleted or counted (the new owner counted every earlier batch done when it took the shard,
  and publishes these entries again: a duplicate the participants' deduplication absorbs).

  KEYS[1] outbox stream        <prefix>:{s<n>}:outbox
  KEYS[2] relay batches hash   <prefix>:{s<n>}:relay-batches
  KEYS[3] owner epoch          <prefix>:{s<n>}:owner-epoch

  ARGV[1] the caller's epoch of the shard ('' for no check)
  ARGV[2…] the stream ids of the entries published

  Returns how many entries were deleted, or -4 (fenced).
]]
if ARGV[1] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return -4
end
local deleted = redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
redis.call('HINCRBY', KEYS[2], 'done', 1)
return deleted
