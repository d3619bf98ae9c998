-- wrk script of `bingfa bench serve`: challenge+verify pairs.
-- Usage: wrk ... -s pairs.lua URL -- APPS
--
-- A connection that is free sends the oldest verify waiting in its thread's queue, else a new challenge
-- (POST /v1/challenges {"app": random app}). A 201 answer is parsed for its id and question and queues
-- POST /v1/verify {"id": id, "answer": question reversed}, the contract's expected answer. wrk asks for the
-- next request of a connection right after that connection's response, so each connection alternates
-- challenge, verify, challenge, ... (wrk gives scripts no connection identity; the queue is per thread).
--
-- At the end one line sums every thread's counts:
--   bingfa-pairs: challenges=C ok=K wrong=W missing=M errors=E
-- ok/wrong: verify answers {"ok":true} / {"ok":false}; missing: verify answered 404; errors: anything else
-- (a challenge without id or question, another status). A pair is a verify answered ok or wrong.

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  apps = tonumber(args[1])
  if apps == nil or apps < 1 then
    error("pairs.lua needs the number of apps as its argument, was " .. tostring(args[1]))
  end
  math.randomseed(os.time() * 1000 + number)
  queue, head, tail = {}, 1, 0
  challenges, ok, wrong, missing, errors = 0, 0, 0, 0, 0
  json = { ["Content-Type"] = "application/json" }
end

function request()
  if head <= tail then
    local body = queue[head]
    queue[head] = nil
    head = head + 1
    return wrk.format("POST", "/v1/verify", json, body)
  end
  local app = string.format("app-%06d", math.random(0, apps - 1))
  return wrk.format("POST", "/v1/challenges", json, '{"app":"' .. app .. '"}')
end

function response(status, headers, body)
  if status == 201 then
    local id = body:match('"id"%s*:%s*"(%x+)"')
    local question = body:match('"question"%s*:%s*"([^"]*)"')
    if id == nil or question == nil then
      errors = errors + 1
      return
    end
    challenges = challenges + 1
    tail = tail + 1
    queue[tail] = '{"id":"' .. id .. '","answer":"' .. question:reverse() .. '"}'
  elseif status == 200 then
    if body:find('"ok"%s*:%s*true') then
      ok = ok + 1
    elseif body:find('"ok"%s*:%s*false') then
      wrong = wrong + 1
    else
      errors = errors + 1
    end
  elseif status == 404 and body:find("challenge") then
    missing = missing + 1
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local sum = { challenges = 0, ok = 0, wrong = 0, missing = 0, errors = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(sum) do
      sum[k] = sum[k] + t:get(k)
    end
  end
  io.write(string.format("bingfa-pairs: challenges=%d ok=%d wrong=%d missing=%d errors=%d\n",
      sum.challenges, sum.ok, sum.wrong, sum.missing, sum.errors))
end
