-- wrk script of `bingfa bench serve`: settings reads, GET /v1/settings/app-NNNNNN for random apps.
-- Usage: wrk ... -s settings.lua URL -- APPS     (APPS: how many apps the table holds, ids 0 .. APPS-1)
-- Each wrk thread draws from its own random sequence (seeded with the time and its thread number).
-- The request text of every app is formatted once, in init (before wrk starts its clock), so that each
-- request costs wrk one random number and one table read instead of two string.format and a wrk.format:
-- wrk shares the two cores with the service it measures, and what wrk spends per request is taken from
-- the service (about 1-2 us of wrk's 15-20 us per request on the reference machine). The apps drawn are
-- the same: uniform over all APPS, independently per request.
-- At the end it prints one line `bingfa-settings: threads=T apps=N` so that the caller knows the
-- script really ran; wrk itself reports non-2xx answers, which the caller counts as failures.

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  apps = tonumber(args[1])
  if apps == nil or apps < 1 then
    error("settings.lua needs the number of apps as its argument, was " .. tostring(args[1]))
  end
  math.randomseed(os.time() * 1000 + number)
  texts = {}
  for i = 1, apps do
    texts[i] = wrk.format("GET", string.format("/v1/settings/app-%06d", i - 1))
  end
end

function request()
  return texts[math.random(apps)]
end

function done(summary, latency, requests)
  io.write(string.format("bingfa-settings: threads=%d apps=%d\n", #threads, threads[1]:get("apps")))
end
