--[[
  Books an order's shipment and records the command as handled in the same step (shipping
  example). One shipment per order: confirming an order that has one (a retried step) answers
  with it and books nothing more.

  KEYS[1]  shipment   hash of this order's shipment
  KEYS[2]  shipments  set of order ids with a shipment
  KEYS[3]  log        list of JSON entries, one per shipment booked
  KEYS[4]  stats      hash of counters
  KEYS[5]  ledger     the command's ledger record (participant SDK)
  ARGV[1]  order id
  ARGV[2]  customer id
  ARGV[3]  shipment id
  ARGV[4]  items (JSON)
  ARGV[5]  the ledger result for success (JSON)
  ARGV[6]  ledger TTL in ms
  ARGV[7]  command id (for the log)
  ARGV[8]  now, ISO-8601 (for the log)

  Returns {'duplicate'}, {'exists'} or {'confirmed'}.
]]
if redis.call('HGET', KEYS[5], 'state') == 'done' then
  return {'duplicate'}
end

local function record()
  redis.call('HSET', KEYS[5], 'state', 'done', 'result', ARGV[5])
  redis.call('HDEL', KEYS[5], 'owner')
  redis.call('PEXPIRE', KEYS[5], ARGV[6])
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  record()
  return {'exists'}
end

redis.call('HSET', KEYS[1], 'shipmentId', ARGV[3], 'customerId', ARGV[2], 'items', ARGV[4])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('RPUSH', KEYS[3], cjson.encode({
  orderId = ARGV[1], customerId = ARGV[2], shipmentId = ARGV[3], commandId = ARGV[7], at = ARGV[8],
}))
redis.call('HINCRBY', KEYS[4], 'shipments', 1)
record()
return {'confirmed'}
