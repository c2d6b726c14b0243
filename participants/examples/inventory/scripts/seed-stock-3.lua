--[[
  Sets the units available of some SKUs (inventory example, seeding). The initial stock follows,
  so that `stock + reserved = initial` holds whatever is reserved at the time.

  KEYS[1]  stock     hash sku -> units available
  KEYS[2]  reserved  hash sku -> units reserved
  KEYS[3]  initial   hash sku -> units the SKU was seeded with (plus what was reserved then)
  ARGV     sku, units, sku, units, ...

  Returns the number of SKUs set.
]]
for i = 1, #ARGV, 2 do
  local reserved = tonumber(redis.call('HGET', KEYS[2], ARGV[i]) or '0')
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[3], ARGV[i], tonumber(ARGV[i + 1]) + reserved)
end
return #ARGV / 2
