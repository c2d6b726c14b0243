--[[
  read-outbox: the relay's read of a shard's outbox, oldest first. A read that found entries
  counts one batch started, so that a pause (which takes a saga's entries out of the outbox) can
  wait for a batch read before it, and perhaps holding that saga's commands, to be published
  (outbox.ts `relayIdle`). An empty read counts nothing: it publishes nothing.

  KEYS[1] outbox stream        <prefix>:{s<n>}:outbox
  KEYS[2] relay batches hash   <prefix>:{s<n>}:relay-batches (fields 'read', 'done')

  ARGV[1] how many entries at most

  Returns the entries as XRANGE does: { { id, { field, value, … } }, … }
]]
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', ARGV[1])
if #entries > 0 then
  redis.call('HINCRBY', KEYS[2], 'read', 1)
end
return entries
