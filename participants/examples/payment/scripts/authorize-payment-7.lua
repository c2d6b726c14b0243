--[[
  Holds an amount against a customer's credit limit and records the command as handled in the
  same step (payment example). One live authorization per order: authorizing an order that holds
  one (a retried step) answers with it and holds nothing more.

  KEYS[1]  limits          hash customerId -> limit in minor units ('*' = default)
  KEYS[2]  used            hash customerId -> minor units held
  KEYS[3]  authorization   hash of this order's live authorization
  KEYS[4]  authorizations  set of order ids holding one
  KEYS[5]  log             list of JSON audit entries
  KEYS[6]  stats           hash of counters
  KEYS[7]  ledger          the command's ledger record (participant SDK)
  ARGV[1]  order id
  ARGV[2]  customer id
  ARGV[3]  amount in minor units (integer)
  ARGV[4]  currency
  ARGV[5]  authorization id
  ARGV[6]  the ledger result for success (JSON)
  ARGV[7]  ledger TTL in ms
  ARGV[8]  command id (for the audit log)
  ARGV[9]  now, ISO-8601 (for the audit log)

  Returns an array of strings:
    {'duplicate'}                    handled before: nothing changed
    {'exists', authorizationId}      the order already holds an authorization: recorded
    {'authorized'}                   held and recorded
    {'declined', limit, used}        over the limit ('' for no limit): nothing changed or recorded
]]
if redis.call('HGET', KEYS[7], 'state') == 'done' then
  return {'duplicate'}
end

local function record()
  redis.call('HSET', KEYS[7], 'state', 'done', 'result', ARGV[6])
  redis.call('HDEL', KEYS[7], 'owner')
  redis.call('PEXPIRE', KEYS[7], ARGV[7])
end

local existing = redis.call('HGET', KEYS[3], 'authorizationId')
if existing then
  record()
  return {'exists', existing}
end

local limit = redis.call('HGET', KEYS[1], ARGV[2]) or redis.call('HGET', KEYS[1], '*')
local used = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
local amount = tonumber(ARGV[3])
if not limit or used + amount > tonumber(limit) then
  return {'declined', limit or '', tostring(used)}
end

redis.call('HINCRBY', KEYS[2], ARGV[2], amount)
redis.call('HSET', KEYS[3], 'authorizationId', ARGV[5], 'customerId', ARGV[2],
  'amount', ARGV[3], 'currency', ARGV[4])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('RPUSH', KEYS[5], cjson.encode({
  op = 'authorize', orderId = ARGV[1], customerId = ARGV[2], amount = amount,
  currency = ARGV[4], authorizationId = ARGV[5], commandId = ARGV[8], at = ARGV[9],
}))
redis.call('HINCRBY', KEYS[6], 'authorizations', 1)
record()
return {'authorized'}
