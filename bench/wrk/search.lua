-- POST /v1/kbs/$KB/search (k=10) with varying queries. KEY, KB and MODE (default hybrid) come from the environment.
local key = os.getenv("KEY")
local kb = os.getenv("KB") or "bench"
local mode = os.getenv("MODE") or "hybrid"
local queries = {"protein folding in cells", "vaccine efficacy trial", "gene expression in cancer",
  "immune response to infection", "brain development in infants", "drug resistance mechanisms",
  "cardiovascular risk factors", "stem cell differentiation", "microbiome and obesity", "DNA repair pathways"}
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"query":"' .. queries[(counter % #queries) + 1] .. '","k":10,"mode":"' .. mode .. '"}'
  return wrk.format("POST", "/v1/kbs/" .. kb .. "/search",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end
