-- wrk script of `bingfa bench serve`: settings reads, GET /v1/settings/app-NNNNNN for random apps.
-- Usage: wrk ... -s settings.lua URL -- APPS     (APPS: how many apps the table holds, ids 0 .. APPS-1)
-- Each wrk thread draws from its own random sequence (seeded with the time and its thread number).
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
end

function request()
  return wrk.format("GET", string.format("/v1/settings/app-%06d", math.random(0, apps - 1)))
end

function done(summary, latency, requests)
  io.write(string.format("bingfa-settings: threads=%d apps=%d\n", #threads, threads[1]:get("apps")))
end
