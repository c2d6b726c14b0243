--[[
  read-outbox: the relay's read of a shard's outbox, oldest first. A read that found entries
  counts one batch started, so that a pause (which takes a saga's entries out of the outbox) can
  wait for a batch read before it, and perhaps holding that saga's commands, to be published
  (outbox.ts `relayIdle`). An empty read counts nothing: it publishes nothing.

  Fenced: the relay passes the shard epoch it took the shard with (shard-epochs.ts). When the
  shard's epoch has moved since, another instance owns the shard now: nothing is read or counted.

  KEYS[1] outbox stream        <prefix>:{s<n>}:outbox
  KEYS[2] relay batches hash   <prefix>:{s<n>}:relay-batches (fields 'read', 'done')
  KEYS[3] owner epoch          <prefix>:{s<n>}:owner-epoch

  ARGV[1] how many entries at most
  ARGV[2] the caller's epoch of the shard ('' to read without the check: tools and tests)

  Returns the entries as XRANGE does: { { id, { field, value, … } }, … }, or -4 (fenced).
]]
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then
  return -4
end
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', ARGV[1])
if #entries > 0 then
  redis.call('HINCRBY', KEYS[2], 'read', 1)
end
return entries
