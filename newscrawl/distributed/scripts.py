"""The Lua scripts that make each multi-step change of the frontier atomic (see frontier.py for the key layout).

Redis runs a script without interleaving any other command, so two workers can never pop the same request, and
two reapers never give the same lease back twice. Scripts name extra keys through KEYS only, as Redis asks.
"""

# Shared by the scripts that give leases back: `r|score|request` goes back on the queue, `s|0|message` on the start
# list (at its head: it was first in line).
REQUEUE = """
local function requeue(value, queue, start)
  local kind = string.sub(value, 1, 1)
  local rest = string.sub(value, 3)
  local bar = string.find(rest, '|', 1, true)
  local score, data = string.sub(rest, 1, bar - 1), string.sub(rest, bar + 1)
  if kind == 'r' then redis.call('ZADD', queue, score, data) else redis.call('LPUSH', start, data) end
end
local function owner(field) return string.match(field, '^(.*):[0-9a-f]+$') end
"""

# KEYS: dupefilter, requests; ARGV: fingerprint, score, request → 1 queued, 0 already seen in the run
ENQUEUE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: requests, leases; ARGV: worker → {lease, request} or nil
POP_REQUEST = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
local lease = ARGV[1] .. ':' .. redis.sha1hex(found[1])
redis.call('HSET', KEYS[2], lease, 'r|' .. found[2] .. '|' .. found[1])
return {lease, found[1]}
"""

# KEYS: start_urls, leases; ARGV: worker, count → {lease, message, lease, message, …}
POP_START = """
local out = {}
for _ = 1, tonumber(ARGV[2]) do
  local message = redis.call('LPOP', KEYS[1])
  if not message then break end
  local lease = ARGV[1] .. ':' .. redis.sha1hex(message)
  redis.call('HSET', KEYS[2], lease, 's|0|' .. message)
  table.insert(out, lease)
  table.insert(out, message)
end
return out
"""

# KEYS: current, workers; ARGV: run id, worker → 0 when the run is over (then nothing is written)
HEARTBEAT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local now = redis.call('TIME')
redis.call('HSET', KEYS[2], ARGV[2], now[1] .. '.' .. string.format('%06d', tonumber(now[2])))
return 1
"""

# KEYS: workers, leases, requests, start_urls; ARGV: lease timeout (s) → leases given back
REAP = REQUEUE + """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local beats = redis.call('HGETALL', KEYS[1])
for i = 1, #beats, 2 do
  if now - tonumber(beats[i + 1]) > tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], beats[i]) end
end
local leases = redis.call('HGETALL', KEYS[2])
local given_back = 0
for i = 1, #leases, 2 do
  if redis.call('HEXISTS', KEYS[1], owner(leases[i])) == 0 then
    requeue(leases[i + 1], KEYS[3], KEYS[4])
    redis.call('HDEL', KEYS[2], leases[i])
    given_back = given_back + 1
  end
end
return given_back
"""

# KEYS: workers, leases, requests, start_urls; ARGV: worker → leases given back
LEAVE = REQUEUE + """
local leases = redis.call('HGETALL', KEYS[2])
local given_back = 0
for i = 1, #leases, 2 do
  if owner(leases[i]) == ARGV[1] then
    requeue(leases[i + 1], KEYS[3], KEYS[4])
    redis.call('HDEL', KEYS[2], leases[i])
    given_back = given_back + 1
  end
end
redis.call('HDEL', KEYS[1], ARGV[1])
return given_back
"""

# KEYS: current, requests, leases, start_urls, then every other key of the run; ARGV: run id
# → 1 finished, 0 not the current run any more, -1 not drained
FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('HLEN', KEYS[3]) > 0 or redis.call('LLEN', KEYS[4]) > 0 then
  return -1
end
redis.call('DEL', unpack(KEYS))
return 1
"""

# KEYS: discoveries; ARGV: article key, one JSON line → every line recorded for that key
APPEND_DISCOVERY = """
local lines = (redis.call('HGET', KEYS[1], ARGV[1]) or '') .. ARGV[2] .. '\\n'
redis.call('HSET', KEYS[1], ARGV[1], lines)
return lines
"""
