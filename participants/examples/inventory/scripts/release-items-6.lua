--[[
  Gives an order's reservation back to stock and records the command as handled in the same step
  (inventory example). An order without a reservation (never reserved, released before) is a
  successful no-op: a compensation must tolerate "the action never happened".

  KEYS[1]  stock         hash sku -> units available
  KEYS[2]  reserved      hash sku -> units reserved
  KEYS[3]  reservation   hash sku -> units, of this order
  KEYS[4]  reservations  set of order ids holding a reservation
  KEYS[5]  stats         hash of counters
  KEYS[6]  ledger        the command's ledger record (participant SDK)
  ARGV[1]  order id
  ARGV[2]  the ledger result when released (JSON)
  ARGV[3]  the ledger result when there was nothing to release (JSON)
  ARGV[4]  ledger TTL in ms

  Returns {'duplicate'}, {'released'} or {'nothing'}.
]]
if redis.call('HGET', KEYS[6], 'state') == 'done' then
  return {'duplicate'}
end

local function record(result)
  redis.call('HSET', KEYS[6], 'state', 'done', 'result', result)
  redis.call('HDEL', KEYS[6], 'owner')
  redis.call('PEXPIRE', KEYS[6], ARGV[4])
end

local held = redis.call('HGETALL', KEYS[3])
if #held == 0 then
  redis.call('HINCRBY', KEYS[5], 'releasesOfNothing', 1)
  record(ARGV[3])
  return {'nothing'}
end

for i = 1, #held, 2 do
  local units = tonumber(held[i + 1])
  redis.call('HINCRBY', KEYS[1], held[i], units)
  redis.call('HINCRBY', KEYS[2], held[i], -units)
end
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('HINCRBY', KEYS[5], 'releases', 1)
record(ARGV[2])
return {'released'}
