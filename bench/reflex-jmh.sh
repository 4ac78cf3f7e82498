#!/usr/bin/env bash
# Builds the JMH benchmarks (-Pbench) and runs the reflex DetectorBenchmark briefly: one fork, 2 warm-up and
# 3 measured iterations per benchmark (about half a minute). Extra arguments go to JMH, e.g. -prof gc.
# piiScanMixedText is reported per character: ops/us is MB/s for ASCII text.
set -euo pipefail
cd "$(dirname "$0")/.."
OFFLINE=${OFFLINE:--o}
./mvnw -B -ntp -q $OFFLINE -Pbench test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
mkdir -p bench/out
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main \
  'io.ganglion.bench.DetectorBenchmark' -rf text -rff bench/out/reflex-jmh.txt "$@"
