#!/usr/bin/env bash
# SSE time to first token of an extractive ask: curl's time to the first "event: token" line, N runs, p50/p95.
#   KEY=$(cat data/admin-key) KB=handbook N=50 bench/wrk/ttft.sh http://localhost:8080
# QUESTIONS names a file of questions, one per line (run i asks line i); without it one handbook question is asked.
set -euo pipefail
base=${1:-http://localhost:8080}; kb=${KB:-handbook}; n=${N:-50}
: "${KEY:?set KEY to an API key with the chat scope}"
for i in $(seq 1 "$n"); do
  question="How many vacation days do employees get ($i)?"
  [ -n "${QUESTIONS:-}" ] && question="$(sed -n "${i}p" "$QUESTIONS") ($i)"
  body=$(python3 -c 'import json, sys; print(json.dumps({"question": sys.argv[1], "generator": "extractive"}))' "$question")
  start=$(date +%s%N)
  curl -sN -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
    -d "$body" "$base/v1/kbs/$kb/ask" | grep -m1 -q '^event: token' || true
  echo $(( ($(date +%s%N) - start) / 1000000 ))
done | sort -n | awk '{a[NR]=$1} END {printf "ttft p50=%dms p95=%dms runs=%d\n", a[int(NR*0.5)+0], a[int(NR*0.95)+0], NR}'
