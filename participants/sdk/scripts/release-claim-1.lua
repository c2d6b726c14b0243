--[[
  Gives up a claim without recording a result, e.g. when the command expired while its handler
  was being retried (participant SDK, command ledger).

  KEYS[1]  the command's ledger record
  ARGV[1]  owner token

  Returns 1 when the claim was this owner's and is gone, 0 otherwise (nothing changed).
]]
if redis.call('HGET', KEYS[1], 'state') == 'claimed' and redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
