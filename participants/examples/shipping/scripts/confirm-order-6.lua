--[[
  Books an order's shipment and records the command as handled in the same step (shipping
  example). One shipment per order: confirming an order that has one (a retried step) answers
  with it and books nothing more. An order whose shipment was cancelled (a tombstone, see
  cancel-shipment-5.lua) is never booked: a confirm that arrives, or finishes, after the cancel is
  refused. The check and the booking are one script, so no cancel can fall between them.

  KEYS[1]  shipment   hash of this order's shipment
  KEYS[2]  shipments  set of order ids with an active shipment
  KEYS[3]  cancelled  set of order ids whose shipment was cancelled (tombstones)
  KEYS[4]  log        list of JSON entries, one per shipment booked
  KEYS[5]  stats      hash of counters
  KEYS[6]  ledger     the command's ledger record (participant SDK)
  ARGV[1]  order id
  ARGV[2]  customer id
  ARGV[3]  shipment id
  ARGV[4]  items (JSON)
  ARGV[5]  the ledger result for success (JSON)
  ARGV[6]  ledger TTL in ms
  ARGV[7]  command id (for the log)
  ARGV[8]  now, ISO-8601 (for the log)

  Returns {'duplicate'}, {'cancelled'} (refused: nothing changed, nothing recorded; the SDK
  records the refusal), {'exists'} or {'confirmed'}.
]]
if redis.call('HGET', KEYS[6], 'state') == 'done' then
  return {'duplicate'}
end

if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[5], 'confirmsRefused', 1)
  return {'cancelled'}
end

local function record()
  redis.call('HSET', KEYS[6], 'state', 'done', 'result', ARGV[5])
  redis.call('HDEL', KEYS[6], 'owner')
  redis.call('PEXPIRE', KEYS[6], ARGV[6])
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  record()
  return {'exists'}
end

redis.call('HSET', KEYS[1], 'shipmentId', ARGV[3], 'customerId', ARGV[2], 'items', ARGV[4],
  'status', 'booked')
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('RPUSH', KEYS[4], cjson.encode({
  orderId = ARGV[1], customerId = ARGV[2], shipmentId = ARGV[3], commandId = ARGV[7], at = ARGV[8],
}))
redis.call('HINCRBY', KEYS[5], 'shipments', 1)
record()
return {'confirmed'}
