-- POST /v1/agents/<agent>/runs with a fixed input; KEY from the environment (bench/agents.sh sets it).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
wrk.body = '{"input":"Fetch the page and tell me what it says."}'

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  end
end
