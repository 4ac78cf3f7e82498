-- wrk script: one repeated, authenticated ask, answered from the reflex response cache after the first request.
--   KEY=$(cat data/admin-key) KB=handbook wrk -t2 -c32 -d15s --latency -s bench/wrk/cached-ask.lua http://127.0.0.1:8080
-- QUESTION overrides the question. Every response must say X-Ganglion-Cache: hit; misses and non-2xx are counted and
-- reported (bench/cache.sh warms the cache first, so a miss there means the cache is not doing its job).
local key = os.getenv("KEY") or error("set KEY to an API key with the chat scope")
local kb = os.getenv("KB") or "handbook"
local question = os.getenv("QUESTION") or "How many vacation days do employees get?"
local body = string.format('{"question":"%s"}', question)
local headers = { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
local path = "/v1/kbs/" .. kb .. "/ask"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

request = function()
  return wrk.format("POST", path, headers, body)
end

misses = 0 -- global: done() reads it from each thread
local failures = 0

response = function(status, hdrs, text)
  if status ~= 200 then
    failures = failures + 1
    if failures <= 5 then
      io.stderr:write("status " .. status .. ": " .. text .. "\n")
    end
  elseif hdrs["X-Ganglion-Cache"] ~= "hit" and hdrs["x-ganglion-cache"] ~= "hit" then
    misses = misses + 1
  end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("misses") or 0)
  end
  io.write(string.format("cached-ask requests=%d non-2xx=%d not-hit=%d\n", summary.requests, summary.errors.status, total))
end
