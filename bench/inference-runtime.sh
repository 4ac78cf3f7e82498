#!/usr/bin/env bash
# DJL's ONNX Runtime engine vs ONNX Runtime's Java API on bge-small-en-v1.5 int8 (EmbeddingBenchmark, batch 1/8/32),
# forked and interleaved: ROUNDS rounds (default 5), each one JVM fork of each runtime in turn, so load that drifts
# over the run hits both alike. Prints every fork's sentences/s and, per batch, the median ratio djl/ort with the
# spread (min-max) of the per-round ratios. JMH_RUN replaces a fork's run lengths (default -wi 1 -w 5s -i 3 -r 5s).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
MVN_OPTS=(-B -ntp -q -Pbench)
[[ "${OFFLINE:-1}" == 1 ]] && MVN_OPTS+=(-o)
./mvnw "${MVN_OPTS[@]}" test-compile
./mvnw "${MVN_OPTS[@]}" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
out=target/inference-runtime
rm -rf "$out" && mkdir -p "$out/classes" "$out/test-classes"
# the forks run from a copy, so a build in the work tree meanwhile cannot change what later forks load
cp -r target/classes/. "$out/classes/" && cp -r target/test-classes/. "$out/test-classes/"
echo "# load before: $(uptime)"
for round in $(seq 1 "$ROUNDS"); do
  for runtime in ort djl; do
    "${JAVA_HOME:+$JAVA_HOME/bin/}java" --enable-native-access=ALL-UNNAMED \
      -cp "$out/test-classes:$out/classes:$(cat target/bench.classpath)" \
      org.openjdk.jmh.Main 'io.ganglion.bench.EmbeddingBenchmark\.' -f 1 ${JMH_RUN:--wi 1 -w 5s -i 3 -r 5s} \
      -p runtime="$runtime" -rf csv -rff "$out/$runtime-$round.csv" \
      -jvmArgsAppend '--enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=bench/logback-quiet.xml' \
      > "$out/$runtime-$round.log"
    echo "# round $round $runtime done; load: $(uptime | sed 's/.*load average: //')"
  done
done
echo "# load after: $(uptime)"
python3 - "$out" "$ROUNDS" <<'PY'
import csv, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def rate(runtime, r):
    rows = {}
    with open(f"{out}/{runtime}-{r}.csv") as f:
        for row in csv.DictReader(f):
            if row["Benchmark"].endswith(":sentences"):
                rows[int(row["Param: batch"])] = float(row["Score"])
    return rows
print("| batch | ort sentences/s (median, min-max) | djl sentences/s (median, min-max) | djl/ort median (min-max of the rounds) |")
print("|---|---|---|---|")
for batch in (1, 8, 32):
    ort = [rate("ort", r)[batch] for r in range(1, rounds + 1)]
    djl = [rate("djl", r)[batch] for r in range(1, rounds + 1)]
    ratios = [d / o for d, o in zip(djl, ort)]
    print(f"| {batch} | {statistics.median(ort):.0f} ({min(ort):.0f}-{max(ort):.0f}) | "
          f"{statistics.median(djl):.0f} ({min(djl):.0f}-{max(djl):.0f}) | "
          f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}) |")
PY
