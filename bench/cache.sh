#!/usr/bin/env bash
# Cache-hit path versus a bare route, in one run on one machine: starts the server (target/ganglion.jar, embedded
# PostgreSQL and Redis, its own data dir, 127.0.0.1 only), creates a knowledge base with a few documents, warms the
# cache with one ask, then runs wrk against GET /health and against the cached ask (bench/wrk/cached-ask.lua) and prints
# req/s, p50 and p99 of each and their ratio. The target: the cached ask at >= 50% of /health's throughput.
#   bench/cache.sh                      # defaults: -t2 -c32 -d15s, port 18080
#   WRK_ARGS="-t2 -c64 -d30s" PORT=18081 bench/cache.sh
# Needs wrk (apt-get install -y wrk) and a built jar (./mvnw -B package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
[[ -f target/ganglion.jar ]] || { echo "build the jar first: ./mvnw -B package -DskipTests" >&2; exit 1; }
PORT=${PORT:-18080}
WRK_ARGS=${WRK_ARGS:-"-t2 -c32 -d15s"}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
BASE=http://127.0.0.1:$PORT
DATA=$(mktemp -d "${TMPDIR:-/tmp}/ganglion-bench-cache.XXXXXX")
LOG=$DATA/server.log
PID=

cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

"$JAVA" --add-modules jdk.incubator.vector -Dlogback.configurationFile=bench/logback-quiet.xml -jar target/ganglion.jar \
  --dataDir="$DATA" --http.host=127.0.0.1 --http.port="$PORT" >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 1 180); do
  curl -sf "$BASE/ready" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$LOG" >&2; exit 1; }
  sleep 1
done
curl -sf "$BASE/ready" >/dev/null || { echo "server not ready after 180 s" >&2; tail -20 "$LOG" >&2; exit 1; }
KEY=$(cat "$DATA/admin-key")
auth=(-H "Authorization: Bearer $KEY" -H "Content-Type: application/json")

curl -sf "${auth[@]}" -d '{"name":"handbook"}' "$BASE/v1/kbs" >/dev/null
curl -sf "${auth[@]}" "$BASE/v1/kbs/handbook/documents" -d '{"documents":[
 {"id":"vacation","title":"Vacation policy","text":"Employees receive 25 days of paid vacation per calendar year. Vacation requests are approved by the team lead. Unused vacation days can be carried over until March 31 of the following year."},
 {"id":"expenses","title":"Expense reimbursement","text":"Travel expenses are reimbursed within 14 days of submitting a receipt. Meals during business travel are covered up to 60 euros per day. Taxi rides are reimbursed only after 10 pm."},
 {"id":"security","title":"Laptop security","text":"All laptops must use full-disk encryption. Lost or stolen laptops must be reported to the security team within 24 hours. Passwords must be at least 14 characters long."},
 {"id":"onboarding","title":"Onboarding","text":"New employees receive their laptop on the first day. The onboarding buddy program pairs each new hire with a colleague for three months."}
]}' >/dev/null

ask() { curl -s -o /dev/null -D - "${auth[@]}" -d '{"question":"How many vacation days do employees get?"}' \
  "$BASE/v1/kbs/handbook/ask" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-ganglion-cache"{print $2}'; }
first=$(ask); second=$(ask)
echo "warm-up: first ask $first, second ask $second"
[[ "$second" == hit ]] || { echo "the second ask was not a cache hit" >&2; exit 1; }

# wrk's "Requests/sec" line, and the 50%/99% lines of --latency, in milliseconds
run() {
  local out
  out=$(wrk $WRK_ARGS --latency "$@")
  echo "$out" >>"$DATA/wrk.txt"
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  echo "$rps $(ms "$p50") $(ms "$p99")"
}
ms() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }

read -r h_rps h_p50 h_p99 < <(run "$BASE/health")
read -r c_rps c_p50 c_p99 < <(KEY=$KEY KB=handbook run -s bench/wrk/cached-ask.lua "$BASE")
grep -E "cached-ask|non-2xx|Non-2xx|Socket errors" "$DATA/wrk.txt" || true

printf '\n%-22s %12s %10s %10s\n' "wrk $WRK_ARGS" "req/s" "p50 ms" "p99 ms"
printf '%-22s %12.0f %10s %10s\n' "GET /health" "$h_rps" "$h_p50" "$h_p99"
printf '%-22s %12.0f %10s %10s\n' "cached ask (hit)" "$c_rps" "$c_p50" "$c_p99"
awk -v c="$c_rps" -v h="$h_rps" 'BEGIN{ printf "%-22s %11.0f%%   (target >= 50%%)\n", "ratio", 100*c/h }'
