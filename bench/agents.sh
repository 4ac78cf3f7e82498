#!/usr/bin/env bash
# Agent runs under wrk against the scripted upstream (AgentBench): runs/s at CONNECTIONS (default 32) for SECONDS
# (default 15), then the orchestration overhead per model step and per tool step, from the stored runs. Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
OFFLINE=${OFFLINE:--o}
./mvnw -B -ntp -q $OFFLINE -Pbench test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
uptime
java --add-modules jdk.incubator.vector -Dlogback.configurationFile=bench/logback-quiet.xml -cp "$CP" \
  io.ganglion.bench.AgentBench "${1:-${CONNECTIONS:-32}}" "${2:-${SECONDS_:-15}}"
uptime
