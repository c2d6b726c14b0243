--[[
  Reserves every item of an order, or none, and records the command as handled in the same step
  (inventory example). Exactly once in effect: a re-delivered command finds its record and
  changes nothing.

  KEYS[1]  stock         hash sku -> units available
  KEYS[2]  reserved      hash sku -> units reserved
  KEYS[3]  reservation   hash sku -> units, of this order
  KEYS[4]  reservations  set of order ids holding a reservation
  KEYS[5]  stats         hash of counters
  KEYS[6]  ledger        the command's ledger record (participant SDK)
  ARGV[1]  order id
  ARGV[2]  the ledger result for success (JSON)
  ARGV[3]  ledger TTL in ms
  ARGV[4..] sku, quantity, sku, quantity, ... (each sku once)

  Returns an array of strings:
    {'duplicate'}                the command was handled before: nothing changed
    {'exists'}                   the order already holds a reservation (a retried step): recorded
    {'reserved'}                 reserved and recorded
    {'short', sku, wanted, available, ...}  not enough stock: nothing changed, nothing recorded
]]
if redis.call('HGET', KEYS[6], 'state') == 'done' then
  return {'duplicate'}
end

local function record()
  redis.call('HSET', KEYS[6], 'state', 'done', 'result', ARGV[2])
  redis.call('HDEL', KEYS[6], 'owner')
  redis.call('PEXPIRE', KEYS[6], ARGV[3])
end

if redis.call('EXISTS', KEYS[3]) == 1 then
  record()
  return {'exists'}
end

local short = {'short'}
for i = 4, #ARGV, 2 do
  local have = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  local want = tonumber(ARGV[i + 1])
  if have < want then
    table.insert(short, ARGV[i])
    table.insert(short, tostring(want))
    table.insert(short, tostring(have))
  end
end
if #short > 1 then
  return short
end

for i = 4, #ARGV, 2 do
  local want = tonumber(ARGV[i + 1])
  redis.call('HINCRBY', KEYS[1], ARGV[i], -want)
  redis.call('HINCRBY', KEYS[2], ARGV[i], want)
  redis.call('HSET', KEYS[3], ARGV[i], want)
end
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('HINCRBY', KEYS[5], 'reservations', 1)
record()
return {'reserved'}
