#!/usr/bin/env bash
# Builds the JMH benchmarks (-Pbench) and runs EmbedBusBenchmark: one 256-text embed request through the event bus,
# JSON vectors on ganglion.inference.embed vs records by reference on ganglion.inference.embed.local. First with fake
# consumers (fixed vectors: only the bus and the encoding are measured), then with the real model. Extra arguments go
# to JMH, e.g. -prof gc. Results: bench/out/embed-bus-jmh-{fake,model}.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
OFFLINE=${OFFLINE:--o}
./mvnw -B -ntp -q $OFFLINE -Pbench test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
mkdir -p bench/out
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
uptime
java -cp "$CP" org.openjdk.jmh.Main 'io.ganglion.bench.EmbedBusBenchmark' -p backend=fake \
  -rf text -rff bench/out/embed-bus-jmh-fake.txt "$@"
uptime
java -cp "$CP" org.openjdk.jmh.Main 'io.ganglion.bench.EmbedBusBenchmark' -p backend=model -wi 2 -i 3 -w 10 -r 10 \
  -rf text -rff bench/out/embed-bus-jmh-model.txt "$@"
uptime
