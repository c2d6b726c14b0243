--[[
  Extends a claim's lease while its handler still runs (participant SDK, command ledger).

  KEYS[1]  the command's ledger record
  ARGV[1]  owner token
  ARGV[2]  new lease in ms

  Returns 1 when the claim is still this owner's (and was extended), 0 otherwise.
]]
if redis.call('HGET', KEYS[1], 'state') == 'claimed' and redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
