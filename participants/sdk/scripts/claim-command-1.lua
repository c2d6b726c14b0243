--[[
  Claims a command for one delivery, atomically (participant SDK, command ledger).

  KEYS[1]  the command's ledger record (a hash: state, owner, result)
  ARGV[1]  owner token of this delivery
  ARGV[2]  lease in ms (the claim disappears after it unless extended or completed)

  Returns a two-element array of strings:
    {'claimed', ''}            this delivery owns the command and runs the handler
    {'done', <result json>}    handled before: re-send the recorded result
    {'busy', <lease left ms>}  another delivery holds the claim
]]
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'done' then
  return {'done', redis.call('HGET', KEYS[1], 'result')}
end
if state == 'claimed' then
  return {'busy', tostring(redis.call('PTTL', KEYS[1]))}
end
redis.call('HSET', KEYS[1], 'state', 'claimed', 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'claimed', ''}
