-- wrk script: non-cached extractive answers from one knowledge base.
--   KEY=$(cat data/admin-key) KB=handbook wrk -t2 -c32 -d30s --latency -s bench/wrk/ask.lua http://localhost:8080
-- Each request asks a different question (a counter is appended), so no response cache can answer it; the extractive
-- generator is forced so no upstream LLM is involved. For SSE time-to-first-token use STREAM=1: wrk then measures the
-- whole stream; bench/wrk/ttft.sh times the first "event: token" instead.
-- QUESTIONS names a file of questions, one per line (bench/run writes the SciFact train claims there), so the
-- retrieved passages vary as a cold knowledge base's would; without it six handbook questions cycle.
local key = os.getenv("KEY") or error("set KEY to an API key with the chat scope")
local kb = os.getenv("KB") or "handbook"
local stream = os.getenv("STREAM") == "1"

local questions = {
  "How many vacation days do employees get",
  "When must a lost laptop be reported",
  "How long do expense reimbursements take",
  "What is covered for meals during business travel",
  "How long are passwords",
  "Can unused vacation days be carried over",
}

local file = os.getenv("QUESTIONS")
if file then
  questions = {}
  for line in io.lines(file) do
    if line ~= "" then
      questions[#questions + 1] = line:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("[?.]+$", "")
    end
  end
  assert(#questions > 0, "no questions in " .. file)
end

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local n = 0

request = function()
  n = n + 1
  local q = questions[((id * 7919 + n) % #questions) + 1] .. " (" .. id .. "-" .. n .. ")?"
  local body = string.format('{"question":"%s","generator":"extractive","stream":%s}', q, stream and "true" or "false")
  return wrk.format("POST", "/v1/kbs/" .. kb .. "/ask", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end

local failures = 0

response = function(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    if failures <= 5 then
      io.stderr:write("status " .. status .. ": " .. body .. "\n")
    end
  end
end

done = function(summary, latency, requests)
  io.write(string.format("ask p50=%.1fms p95=%.1fms p99=%.1fms requests=%d non-2xx=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status))
end
