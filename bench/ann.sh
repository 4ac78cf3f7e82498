#!/usr/bin/env bash
# JVector vs Lucene HNSW: recall@10 against exact search and queries per second at 1 and 2 threads, on the same
# synthetic clustered unit vectors. Builds the bench profile, runs AnnBenchmark briefly, prints one table.
#
#   bench/ann.sh                 # 100k x 384, ef 50
#   SIZE=20000 EF=100 bench/ann.sh
#
# Both graphs are built once (minutes at 100k on two cores) and shared by the four benchmarks, hence JMH in-process
# (-f 0) with the JVM flags given here. Measured, never asserted: compare the two rows of one run on one machine.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-100000}
DIM=${DIM:-384}
EF=${EF:-50}
WARMUP=${WARMUP:-3s}
MEASURE=${MEASURE:-5s}
OUT=target/bench-ann
mkdir -p "$OUT"

./mvnw -B -ntp -q -Pbench -DskipTests test-compile
./mvnw -B -ntp -q -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt"
CP="target/test-classes:target/classes:$(cat "$OUT/classpath.txt")"

java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx3g -cp "$CP" \
  org.openjdk.jmh.Main 'io.ganglion.bench.AnnBenchmark' -f 0 -wi 1 -w "$WARMUP" -i 2 -r "$MEASURE" \
  -p size="$SIZE" -p dimension="$DIM" -p ef="$EF" -rf csv -rff "$OUT/results.csv" 2>&1 | tee "$OUT/run.log" \
  | grep -E '^(BUILD|RECALL)|^# (Run|Warmup Iteration)' || true

awk -v size="$SIZE" -v dim="$DIM" -v ef="$EF" '
  FNR == NR && /^RECALL/ { recall[$2] = $3; next }
  FNR == NR && /^BUILD/ { build[$2] = $3; next }
  FNR == NR { next }
  FNR > 1 {
    gsub(/"/, ""); split($0, f, ",");
    name = f[1]; sub(/.*\./, "", name);
    index_name = substr(name, 1, length(name) - 1); threads = substr(name, length(name));
    qps[index_name, threads] = f[5]; err[index_name, threads] = f[6]; seen[index_name] = 1
  }
  END {
    printf "\nANN on %s x %s clustered unit vectors, top 10, search beam %s\n", size, dim, ef
    printf "%-8s %10s %10s %14s %14s\n", "index", "build s", "recall@10", "QPS 1 thread", "QPS 2 threads"
    for (i in seen) printf "%-8s %10s %10s %14.0f %14.0f\n", i, build[i], recall[i], qps[i, 1], qps[i, 2]
  }' "$OUT/run.log" FS=',' "$OUT/results.csv"
