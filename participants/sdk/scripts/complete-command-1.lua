--[[
  Records a command's result; the first result recorded wins (participant SDK, command ledger).

  KEYS[1]  the command's ledger record (a hash: state, owner, result)
  ARGV[1]  owner token of this delivery
  ARGV[2]  the result as JSON
  ARGV[3]  how long to keep the record, in ms

  Returns a two-element array of strings:
    {'recorded', '0'|'1'}       this result is recorded; '1' when the claim was no longer ours
    {'existing', <result json>} a result was recorded before (by another delivery, or by the
                                handler in its own transaction): that one stands
]]
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'done' then
  return {'existing', redis.call('HGET', KEYS[1], 'result')}
end
local owner = redis.call('HGET', KEYS[1], 'owner')
redis.call('HSET', KEYS[1], 'state', 'done', 'result', ARGV[2])
redis.call('HDEL', KEYS[1], 'owner')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if state == 'claimed' and owner == ARGV[1] then
  return {'recorded', '0'}
end
return {'recorded', '1'}
