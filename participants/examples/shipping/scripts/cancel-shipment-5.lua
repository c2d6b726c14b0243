--[[
  Cancels an order's shipment and records the command as handled in the same step (shipping
  example). First it leaves a tombstone for the order, so a ConfirmOrder that arrives or
  finishes later is refused (confirm-order-6.lua checks it): cancel and confirm are safe in any
  order. An order without an active shipment (never confirmed, cancelled before) is a successful
  no-op apart from the tombstone: a compensation must tolerate "the action never happened".

  KEYS[1]  shipment   hash of this order's shipment
  KEYS[2]  shipments  set of order ids with an active shipment
  KEYS[3]  cancelled  set of order ids whose shipment was cancelled (tombstones)
  KEYS[4]  stats      hash of counters
  KEYS[5]  ledger     the command's ledger record (participant SDK)
  ARGV[1]  order id
  ARGV[2]  the ledger result when a shipment was cancelled (JSON)
  ARGV[3]  the ledger result when there was none (JSON)
  ARGV[4]  ledger TTL in ms
  ARGV[5]  command id
  ARGV[6]  now, ISO-8601

  Returns {'duplicate'}, {'cancelled'} or {'nothing'}.
]]
if redis.call('HGET', KEYS[5], 'state') == 'done' then
  return {'duplicate'}
end

local function record(result)
  redis.call('HSET', KEYS[5], 'state', 'done', 'result', result)
  redis.call('HDEL', KEYS[5], 'owner')
  redis.call('PEXPIRE', KEYS[5], ARGV[4])
end

redis.call('SADD', KEYS[3], ARGV[1])

if redis.call('SREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelledAt', ARGV[6],
    'cancelCommandId', ARGV[5])
  redis.call('HINCRBY', KEYS[4], 'cancellations', 1)
  record(ARGV[2])
  return {'cancelled'}
end

redis.call('HINCRBY', KEYS[4], 'cancellationsOfNothing', 1)
record(ARGV[3])
return {'nothing'}
