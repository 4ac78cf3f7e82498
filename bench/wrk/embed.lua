-- POST /v1/embeddings with one ~60-token sentence per request (the sentence varies, so nothing can be cached).
-- KEY is read from the environment.
local key = os.getenv("KEY")
local counter = 0
local words = {"retrieval", "answers", "questions", "documents", "citations", "embedding", "server", "batch",
  "latency", "throughput", "vector", "keyword", "index", "shard", "cluster", "model"}
request = function()
  counter = counter + 1
  local parts = {}
  for i = 1, 40 do
    parts[i] = words[((counter * 7 + i * 13) % #words) + 1]
  end
  local body = '{"input":"' .. table.concat(parts, " ") .. ' ' .. counter .. '"}'
  return wrk.format("POST", "/v1/embeddings",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end
