#!/usr/bin/env bash
# Cache-hit path versus a bare route, in one run on one machine: starts the server (target/ganglion.jar, embedded
# PostgreSQL and Redis, its own data dir, 127.0.0.1 only), creates a knowledge base with a few documents, warms the
# cache with one ask, warms the JIT on both routes (WARM, 20 s each: unwarmed, the C2 compiler threads still take a
# core during the measured ask), then runs wrk against GET /health and against the cached ask
# (bench/wrk/cached-ask.lua) in ROUNDS alternating slices of SLICE seconds each (health, ask, health, ask, ...), so a
# drift in the machine's speed during the run falls on both routes alike, and prints each round and the totals:
# req/s, the median slice's p50 and p99, the server's CPU per request, and their ratios, with the load average before
# and after. Rate limiting and the token budget are on (limits.defaultRpm 10,000,000, limits.defaultTokensPerDay
# 10^12: every request goes through both), as are the PII and injection detectors (the defaults). The targets: the
# cached ask at >= 0.7x /health's throughput with a p99 <= 1.5x /health's.
#   bench/cache.sh                      # defaults: -t2 -c64, 4 rounds of 10 s per route, port 18080
#   ROUNDS=1 SLICE=15 bench/cache.sh    # one 15 s run per route (the figures before 2026-12-03)
#   WRK_ARGS="-t2 -c32" PORT=18081 bench/cache.sh
#   WARM=0 bench/cache.sh               # no warm-up runs (the figures before 2026-12-02 midday)
#   LIMITS=off bench/cache.sh           # without rate limit and budget
#   EXTRA="--limits.leasePermits=1024" bench/cache.sh   # more server options
#   JFR=/tmp/rounds.jfr bench/cache.sh  # a JFR recording of the measured rounds, both routes (jfr print --events ...)
#   ASPROF=/tmp/ap/linux-x64/libasyncProfiler.so PROFILE=/tmp/prof bench/cache.sh
#                                       # async-profiler on every slice (cpu, 200 us): PROFILE/{health,ask}-N.collapsed,
#                                       # then bench/profile-split.py PROFILE prints each stage's samples per request
#   JAR=/tmp/main.jar bench/cache.sh    # another build (a before/after pair: run both, one after the other)
#   FLOOR=976 bench/cache.sh            # the same rounds against BareServer's floor instead of Ganglion: both routes
#                                       # with Ganglion's headers and body sizes (976: the cached reply's bytes) and
#                                       # nothing behind them, i.e. what HTTP alone leaves of /health's throughput
# async-profiler: curl -sfLO https://repo1.maven.org/maven2/tools/profiler/async-profiler/4.2/async-profiler-4.2.jar
# and unzip its linux-x64/libasyncProfiler.so.
# Needs wrk (apt-get install -y wrk) and a built jar (./mvnw -B package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
JAR=${JAR:-target/ganglion.jar}
FLOOR=${FLOOR:-}
if [[ -n "$FLOOR" ]]; then
  [[ -f target/bench.classpath && -f target/test-classes/io/ganglion/bench/BareServer.class ]] || { echo "build the" \
    "bench classes first: ./mvnw -B -Pbench test-compile dependency:build-classpath -Dmdep.includeScope=test" \
    "-Dmdep.outputFile=target/bench.classpath" >&2; exit 1; }
else
  [[ -f "$JAR" ]] || { echo "build the jar first: ./mvnw -B package -DskipTests ($JAR)" >&2; exit 1; }
fi
PORT=${PORT:-18080}
WRK_ARGS=${WRK_ARGS:-"-t2 -c64"}
ROUNDS=${ROUNDS:-4}
SLICE=${SLICE:-10}
EXTRA=${EXTRA:-}
PROFILE=${PROFILE:-}
if [[ -n "${ASPROF:-}" ]]; then
  [[ -n "$PROFILE" ]] || { echo "ASPROF needs PROFILE, a directory for the stacks" >&2; exit 1; }
  mkdir -p "$PROFILE"
fi
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

SERVED=$JAR
if [[ -n "$FLOOR" ]]; then
  SERVED="BareServer floor $FLOOR"
  "$JAVA" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.ganglion.bench.BareServer "$PORT" \
    floor "$FLOOR" >"$LOG" 2>&1 &
  READY=$BASE/health
else
  "$JAVA" --add-modules jdk.incubator.vector -Dlogback.configurationFile=bench/logback-quiet.xml \
    -jar "$JAR" --dataDir="$DATA" --http.host=127.0.0.1 --http.port="$PORT" "${LIMIT_ARGS[@]}" $EXTRA >"$LOG" 2>&1 &
  READY=$BASE/ready
fi
PID=$!
for _ in $(seq 1 180); do
  curl -sf "$READY" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$LOG" >&2; exit 1; }
  sleep 1
done
curl -sf "$READY" >/dev/null || { echo "server not ready after 180 s" >&2; tail -20 "$LOG" >&2; exit 1; }
KEY=$([[ -n "$FLOOR" ]] && echo floor || cat "$DATA/admin-key")
auth=(-H "Authorization: Bearer $KEY" -H "Content-Type: application/json")

if [[ -z "$FLOOR" ]]; then
  curl -sf "${auth[@]}" -d '{"name":"handbook"}' "$BASE/v1/kbs" >/dev/null
  curl -sf "${auth[@]}" "$BASE/v1/kbs/handbook/documents" -d @bench/handbook.json >/dev/null
fi

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

# one slice: wrk's requests, the 50%/99% lines of --latency in milliseconds, and the server's JVM and children's
# (the embedded PostgreSQL and Redis) CPU ticks over it
run() {
  local out before after cbefore cafter
  before=$(jvm_ticks); cbefore=$(child_ticks)
  out=$(wrk $WRK_ARGS -d"${SLICE}s" --latency "$@")
  after=$(jvm_ticks); cafter=$(child_ticks)
  echo "$out" >>"$DATA/wrk.txt"
  local requests
  requests=$(awk '/requests in/{print $1}' <<<"$out")
  echo "$requests $(ms "$(awk '$1=="50%"{print $2}' <<<"$out")") $(ms "$(awk '$1=="99%"{print $2}' <<<"$out")")" \
    "$((after - before)) $((cafter - cbefore))"
}
ms() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }

# JIT warm-up, not measured: both routes for WARM seconds each, with WRK_ARGS' threads and connections (wrk takes
# the last -d it is given)
if [[ "$WARM" != 0 ]]; then
  wrk $WRK_ARGS -d"${WARM}s" "$BASE/health" >/dev/null
  KEY=$KEY KB=handbook wrk $WRK_ARGS -d"${WARM}s" -s bench/wrk/cached-ask.lua "$BASE" >/dev/null
fi
profile() { # start|stop NAME: async-profiler on the server for one slice
  [[ -n "${ASPROF:-}" ]] || return 0
  if [[ "$1" == start ]]; then
    "$JCMD" "$PID" JVMTI.agent_load "$ASPROF" "\"start,event=cpu,interval=200us\"" >/dev/null
  else
    "$JCMD" "$PID" JVMTI.agent_load "$ASPROF" "\"stop,file=$PROFILE/$2.collapsed,collapsed\"" >/dev/null
  fi
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# the rounds: each line "route round requests p50 p99 jvm-ticks child-ticks"
[[ -n "${JFR:-}" ]] && "$JCMD" "$PID" JFR.start name=ask settings=profile >/dev/null
for round in $(seq 1 "$ROUNDS"); do
  profile start
  echo "health $round $(run "$BASE/health")" >>"$DATA/rounds.txt"
  profile stop "health-$round"
  profile start
  echo "ask $round $(KEY=$KEY KB=handbook run -s bench/wrk/cached-ask.lua "$BASE")" >>"$DATA/rounds.txt"
  profile stop "ask-$round"
done
[[ -n "${JFR:-}" ]] && "$JCMD" "$PID" JFR.stop name=ask filename="$JFR" >/dev/null
[[ -n "${ASPROF:-}" ]] && cp "$DATA/rounds.txt" "$PROFILE/rounds.txt"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
grep -E "cached-ask|non-2xx|Non-2xx|Socket errors" "$DATA/wrk.txt" || true

printf '\n%s, %s rounds of %s s per route (%s, warm-up %s s, limits %s; load average %s before, %s after)\n' \
  "wrk $WRK_ARGS" "$ROUNDS" "$SLICE" "$SERVED" "$WARM" "$LIMITS" "$load_before" "$load_after"
awk -v slice="$SLICE" -v hz="$HZ" '
  function median(list, n,   i, j, t, a) {
    split(list, a, " "); n = length(a)
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { req[$1, $2] = $3; p50[$1] = p50[$1] " " $4; p99[$1] = p99[$1] " " $5; p99r[$1, $2] = $5
    cpu[$1, $2] = ($6 + $7) * 1e6 / hz; jvm[$1] += $6; kids[$1] += $7; n[$1] += $3; rounds = $2 }
  END {
    printf "%-8s %12s %12s %10s %12s %12s %10s %10s\n", "round", "health req/s", "ask req/s", "ratio", "health p99",
      "ask p99", "p99 ratio", "cpu ratio"
    for (r = 1; r <= rounds; r++)
      printf "%-8d %12.0f %12.0f %9.2fx %12.2f %12.2f %9.2fx %9.2fx\n", r, req["health", r] / slice,
        req["ask", r] / slice, req["ask", r] / req["health", r], p99r["health", r], p99r["ask", r],
        p99r["ask", r] / p99r["health", r], (cpu["ask", r] / req["ask", r]) / (cpu["health", r] / req["health", r])
    printf "\n%-22s %12s %10s %10s %14s\n", "all rounds", "req/s", "p50 ms", "p99 ms", "cpu us/req"
    hc = (jvm["health"] + kids["health"]) * 1e6 / hz / n["health"]; ac = (jvm["ask"] + kids["ask"]) * 1e6 / hz / n["ask"]
    printf "%-22s %12.0f %10.2f %10.2f %9.1f+%.1f\n", "GET /health", n["health"] / slice / rounds, median(p50["health"]),
      median(p99["health"]), jvm["health"] * 1e6 / hz / n["health"], kids["health"] * 1e6 / hz / n["health"]
    printf "%-22s %12.0f %10.2f %10.2f %9.1f+%.1f\n", "cached ask (hit)", n["ask"] / slice / rounds, median(p50["ask"]),
      median(p99["ask"]), jvm["ask"] * 1e6 / hz / n["ask"], kids["ask"] * 1e6 / hz / n["ask"]
    printf "%-22s %11.2fx %21.2fx %13.2fx   (targets >= 0.70x, p99 <= 1.50x; p99: the median slice'"'"'s)\n", "ratio",
      n["ask"] / n["health"], median(p99["ask"]) / median(p99["health"]), ac / hc
  }' "$DATA/rounds.txt"
