-- wrk script: non-cached extractive answers from one knowledge base.
--   KEY=$(cat data/admin-key) KB=handbook wrk -t2 -c32 -d30s --latency -s bench/wrk/ask.lua http://localhost:8080
-- Each request asks a different question (a counter is appended), so no response cache can answer it; the extractive
-- generator is forced so no upstream LLM is involved. QUESTIONS=../shared/data/scifact/queries.train.jsonl asks
-- SciFact's train claims (one per line, in turn) instead of the handbook questions below. For SSE time-to-first-token
-- use STREAM=1: wrk then measures the whole stream; bench/wrk/ttft.sh times the first "event: token" instead.
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

-- QUESTIONS names a JSON-lines file of {"text": ...} questions (e.g. SciFact's queries.train.jsonl) to ask instead, in
-- turn; each line's "text" is used as it is written there (already JSON-escaped)
local file = os.getenv("QUESTIONS")
if file and file ~= "" then
  local loaded = {}
  local f = assert(io.open(file, "r"), "cannot read QUESTIONS file " .. file)
  for line in f:lines() do
    local text = line:match('"text"%s*:%s*"(.-[^\\])"')
    if text then
      loaded[#loaded + 1] = text
    end
  end
  f:close()
  assert(#loaded > 0, "no \"text\" field in " .. file)
  questions = loaded
end

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local n = 0

request = function()
  n = n + 1
  local q = questions[(n % #questions) + 1] .. " (" .. id .. "-" .. n .. ")?"
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
