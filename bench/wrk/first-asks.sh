#!/usr/bin/env bash
# The first asks after a start, one at a time: each one's time to the full non-streamed answer (curl's time_total, so
# no process start-up is counted), in order. Run it right after /ready turned 200, before anything else is asked.
#   KEY=$(cat data/admin-key) KB=handbook N=5 bench/wrk/first-asks.sh http://localhost:8080
# QUESTIONS names a file of questions, one per line (run i asks line OFFSET+i, default OFFSET 700); without it
# handbook questions are asked.
set -euo pipefail
base=${1:-http://localhost:8080}; kb=${KB:-handbook}; n=${N:-5}; offset=${OFFSET:-700}
: "${KEY:?set KEY to an API key with the chat scope}"
times=()
steps=()
for i in $(seq 1 "$n"); do
  question="How many vacation days do employees get after $i years?"
  [ -n "${QUESTIONS:-}" ] && question="$(sed -n "$((offset + i))p" "$QUESTIONS") (first $i)"
  body=$(python3 -c 'import json, sys; print(json.dumps({"question": sys.argv[1], "generator": "extractive"}))' "$question")
  reply=$(curl -s -w '\n%{time_total}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "$body" "$base/v1/kbs/$kb/ask")
  t=$(tail -n 1 <<< "$reply")
  times+=("$(python3 -c "print(round($t * 1000))")")
  # where the server spent it: the reply's step timings (retrieve, context screening, generate, persist, total)
  steps+=("$(head -n -1 <<< "$reply" | python3 -c 'import json, sys
t = json.load(sys.stdin).get("timings") or {}
print("/".join(str(round(t.get(k, 0))) for k in ("retrieve", "context", "generate", "persist", "total")))' 2>/dev/null \
    || echo "?")")
done
echo "first asks after start (ms, in order): ${times[*]}"
echo "  their server steps (retrieve/context/generate/persist/total ms): ${steps[*]}"
