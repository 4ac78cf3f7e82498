#!/usr/bin/env bash
# PII recall and precision per type through POST /v1/guard: starts the server (target/ganglion.jar, embedded
# PostgreSQL and Redis, its own data dir, 127.0.0.1 only) and runs the evaluator (PiiEvaluation, test classes) on a
# split of the PII evaluation set (src/test/resources/pii-eval/). Direction "stored" so every type is reported
# (IP addresses pass input and output by default).
#   bench/pii-eval.sh              # the report split
#   SPLIT=tune bench/pii-eval.sh   # the tuning split; MISSES=1 lists every miss and false alarm
# Needs a built jar and test classes: ./mvnw -B package -DskipTests (the test classes come with it).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/ganglion.jar ]] || { echo "build the jar first: ./mvnw -B package -DskipTests" >&2; exit 1; }
PORT=${PORT:-18082}
SPLIT=${SPLIT:-report}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
BASE=http://127.0.0.1:$PORT
DATA=$(mktemp -d "${TMPDIR:-/tmp}/ganglion-bench-pii.XXXXXX")
PID=
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT
./mvnw -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/eval-classpath.txt \
  -Dmdep.includeScope=test >/dev/null
"$JAVA" --add-modules jdk.incubator.vector -Dlogback.configurationFile=bench/logback-quiet.xml -jar target/ganglion.jar \
  --dataDir="$DATA" --http.host=127.0.0.1 --http.port="$PORT" --limits.defaultRpm=0 >"$DATA/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 180); do
  curl -sf "$BASE/ready" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$DATA/server.log" >&2; exit 1; }
  sleep 1
done
KEY=$(cat "$DATA/admin-key")
"$JAVA" -Dlogback.configurationFile=bench/logback-quiet.xml \
  -cp "target/test-classes:target/classes:$(cat target/eval-classpath.txt)" io.ganglion.reflex.pii.eval.PiiEvaluation \
  "$SPLIT" ${MISSES:+misses} "$BASE" "$KEY"
