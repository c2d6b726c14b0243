--[[
  Releases an order's live authorization and records the command as handled in the same step
  (payment example). An order without one (never authorized, voided before) is a successful no-op
  and is not logged as a void: a compensation must tolerate "the action never happened".

  KEYS[1]  used            hash customerId -> minor units held
  KEYS[2]  authorization   hash of this order's live authorization
  KEYS[3]  authorizations  set of order ids holding one
  KEYS[4]  log             list of JSON audit entries
  KEYS[5]  stats           hash of counters
  KEYS[6]  ledger          the command's ledger record (participant SDK)
  ARGV[1]  order id
  ARGV[2]  the ledger result when voided (JSON)
  ARGV[3]  the ledger result when there was nothing to void (JSON)
  ARGV[4]  ledger TTL in ms
  ARGV[5]  command id (for the audit log)
  ARGV[6]  now, ISO-8601 (for the audit log)

  Returns {'duplicate'}, {'voided'} or {'nothing'}.
]]
if redis.call('HGET', KEYS[6], 'state') == 'done' then
  return {'duplicate'}
end

local function record(result)
  redis.call('HSET', KEYS[6], 'state', 'done', 'result', result)
  redis.call('HDEL', KEYS[6], 'owner')
  redis.call('PEXPIRE', KEYS[6], ARGV[4])
end

local auth = redis.call('HMGET', KEYS[2], 'authorizationId', 'customerId', 'amount', 'currency')
if not auth[1] then
  redis.call('HINCRBY', KEYS[5], 'voidsOfNothing', 1)
  record(ARGV[3])
  return {'nothing'}
end

local amount = tonumber(auth[3])
redis.call('HINCRBY', KEYS[1], auth[2], -amount)
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('RPUSH', KEYS[4], cjson.encode({
  op = 'void', orderId = ARGV[1], customerId = auth[2], amount = amount, currency = auth[4],
  authorizationId = auth[1], commandId = ARGV[5], at = ARGV[6],
}))
redis.call('HINCRBY', KEYS[5], 'voids', 1)
record(ARGV[2])
return {'voided'}
