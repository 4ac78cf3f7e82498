#!/usr/bin/env bash
# Raw embedding throughput (bge-small-en-v1.5 int8, ONNX Runtime on CPU) at batch 1, 8 and 32: builds the JMH
# benchmarks (-Pbench) and runs EmbeddingBenchmark briefly. Extra arguments go to JMH, e.g. -p threads=1;
# JMH_RUN replaces the run lengths (default: -f 1 -wi 1 -w 5s -i 3 -r 5s).
# The "embed:sentences" rows are sentences/s. BENCH=BatchedEmbeddingBenchmark runs the micro-batched vs
# one-at-a-time comparison (32 callers through the inference verticle) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
MVN_OPTS=(-B -ntp -q -Pbench)
[[ "${OFFLINE:-1}" == 1 ]] && MVN_OPTS+=(-o)
# BUILT=1 skips the build (it ran before, e.g. before a quiet window in which no build should run)
if [[ "${BUILT:-0}" != 1 ]]; then
  ./mvnw "${MVN_OPTS[@]}" test-compile
  ./mvnw "${MVN_OPTS[@]}" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
fi
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" --enable-native-access=ALL-UNNAMED \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.openjdk.jmh.Main "io.ganglion.bench.${BENCH:-EmbeddingBenchmark}\\." ${JMH_RUN:--f 1 -wi 1 -w 5s -i 3 -r 5s} \
  -jvmArgsAppend '--enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-quiet.xml' "$@"
