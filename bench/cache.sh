#!/usr/bin/env bash
# Cache-hit path versus a bare route, in one run on one machine: starts the server (target/ganglion.jar, embedded
# PostgreSQL and Redis, its own data dir, 127.0.0.1 only), creates a knowledge base with a few documents, warms the
# cache with one ask, warms the JIT on both routes (WARM, 20 s each: unwarmed, the C2 compiler threads still take a
# core during the measured ask), then runs wrk against GET /health and against the cached ask
# (bench/wrk/cached-ask.lua) and prints req/s, p50 and p99 of each and their ratios, with the load average before and
# after. Rate limiting and the token budget are on (limits.defaultRpm 10,000,000, limits.defaultTokensPerDay 10^12:
# every request goes through both), as are the PII and injection detectors (the defaults). The targets: the cached
# ask at >= 0.7x /health's throughput with a p99 <= 1.5x /health's.
#   bench/cache.sh                      # defaults: -t2 -c64 -d15s, port 18080
#   WRK_ARGS="-t2 -c64 -d30s" PORT=18081 bench/cache.sh
#   WARM=0 bench/cache.sh               # no warm-up runs (the figures before 2026-12-02 midday)
#   LIMITS=off bench/cache.sh           # without rate limit and budget
#   JFR=/tmp/ask.jfr bench/cache.sh     # a JFR recording of the cached-ask run (jfr print --events jdk.ExecutionSample)
#   JAR=/tmp/main.jar bench/cache.sh    # another build (a before/after pair: run both, one after the other)
# Needs wrk (apt-get install -y wrk) and a built jar (./mvnw -B package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
JAR=${JAR:-target/ganglion.jar}
[[ -f "$JAR" ]] || { echo "build the jar first: ./mvnw -B package -DskipTests ($JAR)" >&2; exit 1; }
PORT=${PORT:-18080}
WRK_ARGS=${WRK_ARGS:-"-t2 -c64 -d15s"}
WARM=${WARM:-20}
LIMITS=${LIMITS:-on}
LIMIT_ARGS=()
[[ "$LIMITS" == on ]] && LIMIT_ARGS=(--limits.defaultRpm=10000000 --limits.defaultTokensPerDay=1000000000000)
JCMD=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
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

"$JAVA" --add-modules jdk.incubator.vector -Dlogback.configurationFile=bench/logback-quiet.xml \
  -jar "$JAR" --dataDir="$DATA" --http.host=127.0.0.1 --http.port="$PORT" "${LIMIT_ARGS[@]}" >"$LOG" 2>&1 &
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
curl -sf "${auth[@]}" "$BASE/v1/kbs/handbook/documents" -d @bench/handbook.json >/dev/null

ask() { curl -s -o /dev/null -D - "${auth[@]}" -d '{"question":"How many vacation days do employees get?"}' \
  "$BASE/v1/kbs/handbook/ask" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-ganglion-cache"{print $2}'; }
first=$(ask); second=$(ask)
echo "warm-up: first ask $first, second ask $second"
[[ "$second" == hit ]] || { echo "the second ask was not a cache hit" >&2; exit 1; }

# CPU time (clock ticks) of the server's JVM, and of its children (the embedded PostgreSQL and Redis)
jvm_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
child_ticks() {
  local total=0 p
  for p in $(pgrep -P "$PID" || true) $(for c in $(pgrep -P "$PID" || true); do pgrep -P "$c" || true; done); do
    [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
HZ=$(getconf CLK_TCK)

# wrk's "Requests/sec" line, the 50%/99% lines of --latency in milliseconds, and the server's CPU microseconds per
# request as JVM+children (a figure the other load on a shared machine disturbs less than throughput)
run() {
  local out before after cbefore cafter
  before=$(jvm_ticks); cbefore=$(child_ticks)
  out=$(wrk $WRK_ARGS --latency "$@")
  after=$(jvm_ticks); cafter=$(child_ticks)
  echo "$out" >>"$DATA/wrk.txt"
  local rps p50 p99 requests
  rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  requests=$(awk '/requests in/{print $1}' <<<"$out")
  echo "$rps $(ms "$p50") $(ms "$p99") $(awk -v t=$((after - before)) -v c=$((cafter - cbefore)) -v n="$requests" \
    -v hz="$HZ" 'BEGIN{printf "%.1f+%.1f", t*1e6/hz/n, c*1e6/hz/n}')"
}
ms() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }

# JIT warm-up, not measured: both routes for WARM seconds each, with WRK_ARGS' threads and connections (wrk takes
# the last -d it is given)
if [[ "$WARM" != 0 ]]; then
  wrk $WRK_ARGS -d"${WARM}s" "$BASE/health" >/dev/null
  KEY=$KEY KB=handbook wrk $WRK_ARGS -d"${WARM}s" -s bench/wrk/cached-ask.lua "$BASE" >/dev/null
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
read -r h_rps h_p50 h_p99 h_cpu < <(run "$BASE/health")
# the recording covers the cached-ask run only
[[ -n "${JFR:-}" ]] && "$JCMD" "$PID" JFR.start name=ask settings=profile >/dev/null
read -r c_rps c_p50 c_p99 c_cpu < <(KEY=$KEY KB=handbook run -s bench/wrk/cached-ask.lua "$BASE")
[[ -n "${JFR:-}" ]] && "$JCMD" "$PID" JFR.stop name=ask filename="$JFR" >/dev/null
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
grep -E "cached-ask|non-2xx|Non-2xx|Socket errors" "$DATA/wrk.txt" || true

printf '\n%-22s %12s %10s %10s %12s   (%s, limits %s; load average %s before, %s after)\n' "wrk $WRK_ARGS" "req/s" \
  "p50 ms" "p99 ms" "cpu us/req" "$JAR, warm-up ${WARM} s" "$LIMITS" "$load_before" "$load_after"
printf '%-22s %12.0f %10s %10s %12s\n' "GET /health" "$h_rps" "$h_p50" "$h_p99" "$h_cpu"
printf '%-22s %12.0f %10s %10s %12s\n' "cached ask (hit)" "$c_rps" "$c_p50" "$c_p99" "$c_cpu"
awk -v c="$c_rps" -v h="$h_rps" -v cp="$c_p99" -v hp="$h_p99" -v cc="$c_cpu" -v hc="$h_cpu" \
  'BEGIN{ split(cc, a, "+"); split(hc, b, "+");
          printf "%-22s %11.2fx %21.2fx %11.2fx   (targets >= 0.70x, p99 <= 1.50x)\n", "ratio", c/h, cp/hp,
            (a[1] + a[2]) / (b[1] + b[2]) }'
