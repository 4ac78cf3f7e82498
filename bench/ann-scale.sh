#!/usr/bin/env bash
# The retrieval index itself at scale: one shard of SIZE synthetic vectors (the bench/ann.sh generator), rebuilt
# through KnowledgeBaseIndex.rebuild as from PostgreSQL, then measured in one JVM with native memory tracking:
# kind, build time, heap and native memory it holds, files, recall@10 at the default beam, filtered recall at 1% and
# 10%, QPS and p50/p99 at one thread (QPS at two), snapshot and reload times, then INSERTS new vectors into the
# reloaded shard and the background merge they start (last: it extends the 1M graph with them; it takes at least
# retrieval.vectors.mergeAbove inserts and a tenth of the shard, else the run says merge.skipped). The data set and its
# exact neighbours (SIMD, one slice per core) are computed once and kept under target/bench-ann/data-SIZE-DIM.
# With LUCENE=1 it also builds Lucene HNSW on the same vectors (bench/ann.sh's lucene-hnsw) for the size of its vector
# and graph files, and measures its recall and QPS.
#
#   bench/ann-scale.sh                           # 1M x 384, 100k inserts
#   SIZE=200000 INSERTS=20000 bench/ann-scale.sh
#   SNAPSHOT=/var/tmp/ganglion-1m BEAMS=100,200,300 INSERTS=0 bench/ann-scale.sh   # build once, sweep beams later
#
# Environment: SIZE (1000000), DIM (384), INSERTS (100000), MEASURE (s, 10), HEAP (-Xmx, 6g), LUCENE (0),
# SNAPSHOT (a directory outside target/ that keeps the built shard's snapshot; a later run with the same SNAPSHOT
# reloads it instead of rebuilding), BEAMS (search beams to measure recall and latency at, each on a fresh reload),
# JAVA_OPTS (extra JVM options, e.g. -DpqSubspaces=192 -Dbeam=400). Takes about an hour at 1M on two cores;
# start it with nice -n 10 on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-1000000}
DIM=${DIM:-384}
INSERTS=${INSERTS:-100000}
MEASURE=${MEASURE:-10}
HEAP=${HEAP:-6g}
OUT=target/bench-ann
DATA=$OUT/data-$SIZE-$DIM
WORK=$OUT/scale-$SIZE-$DIM
LOG=$OUT/scale-$SIZE-$DIM.log
mkdir -p "$OUT"

./mvnw -B -ntp -q -Pbench -DskipTests test-compile
./mvnw -B -ntp -q -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt"
rm -rf "$OUT/classes-scale" && mkdir -p "$OUT/classes-scale" && cp -r target/classes "$OUT/classes-scale/main" \
  && cp -r target/test-classes "$OUT/classes-scale/test"
CP="$OUT/classes-scale/test:$OUT/classes-scale/main:$(cat "$OUT/classpath.txt")"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JVM=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:NativeMemoryTracking=summary
     -Xmx"$HEAP" -Djava.util.logging.config.file=/dev/null -Dlogback.configurationFile=bench/logback-quiet.xml
     ${SNAPSHOT:+-Dsnapshot=$SNAPSHOT} ${BEAMS:+-Dbeams=$BEAMS} ${JAVA_OPTS:-} -cp "$CP")

echo "machine: $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ {print $2}') GiB, $("$JAVA" -version 2>&1 | head -1)" | tee "$LOG"
t0=$(date +%s)
# the data set and its exact neighbours, computed once and kept under $DATA (delete it to regenerate)
"$JAVA" "${JVM[@]}" io.ganglion.bench.ann.AnnBuild "$DATA" "$SIZE" "$DIM" 2>&1 | tee -a "$LOG"
echo "SCALE data.seconds $(($(date +%s) - t0)) (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$LOG"
rm -rf "$WORK"
"$JAVA" "${JVM[@]}" io.ganglion.bench.ann.ShardScale "$DATA" "$SIZE" "$DIM" "$WORK" "$INSERTS" "$MEASURE" \
  2>>"$OUT/stderr-scale.log" | tee -a "$LOG"
rm -rf "$WORK"
if [ "${LUCENE:-0}" = 1 ]; then
  "$JAVA" "${JVM[@]}" io.ganglion.bench.ann.AnnBuild "$DATA" "$SIZE" "$DIM" lucene-hnsw 2 | tee -a "$LOG"
  "$JAVA" "${JVM[@]}" io.ganglion.bench.ann.AnnSearch "$DATA" "$SIZE" "$DIM" lucene-hnsw 40,80,160 5 "$MEASURE" \
    | tee -a "$LOG"
fi
python3 - "$LOG" <<'PY'
import sys
kv = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 3 and f[0] == "SCALE":
        kv[f[1]] = " ".join(f[2:])
    elif f and f[0] in ("RESULT", "MEMORY"):
        kv.setdefault("lucene", []).append(line.strip())
print("\none shard, %s vectors: %s" % (kv.get("vectors"), kv.get("config")))
for k in ("kind", "rebuild.seconds", "heap.bytes.measured", "native.bytes.measured", "heap.bytes.estimated",
          "disk.bytes", "mapped.resident.bytes", "recall@10", "qps.1", "p50.ms", "p99.ms", "qps.2",
          "filter1%.recall@10", "filter1%.mean.ms", "filter10%.recall@10", "filter10%.mean.ms",
          "insert.seconds", "insert.found.at.once", "insert.search.max.ms", "merge.skipped", "merge.seconds", "merge.vectors",
          "merged.kind", "merged.recall@10", "merged.qps.1", "merged.p50.ms", "merged.p99.ms",
          "snapshot.seconds", "snapshot.disk.bytes", "load.seconds", "loaded.kind", "loaded.recall@10",
          "loaded.qps.1", "loaded.p99.ms", "snapshot.reused", "loadavg.start", "loadavg.search", "loadavg.filtered", "loadavg.snapshot",
          "loadavg.loaded", "loadavg.insert", "loadavg.merge", "loadavg.merged", "loadavg.end"):
    if k in kv:
        print(f"  {k:<24} {kv[k]}")
beams = sorted({int(k[4:k.index(".")]) for k in kv if k.startswith("beam") and "." in k})
if beams:
    print("  beam  recall@10  QPS 1 thread  p50 ms  p99 ms  QPS 2 threads  load")
for b in beams:
    g = lambda k: kv.get("beam%d.%s" % (b, k), "-")
    print(f"  {b:<5} {g('recall@10'):<10} {g('qps.1'):<13} {g('p50.ms'):<7} {g('p99.ms'):<7} {g('qps.2'):<14} "
          + kv.get("loadavg.beam%d" % b, "").split(" ")[0])
n = float(kv.get("vectors", "0") or 0)
if n:
    for k in ("heap.bytes.measured", "native.bytes.measured", "disk.bytes"):
        if k in kv:
            print(f"  {k + ' per vector':<24} {float(kv[k]) / n:.1f}")
for line in kv.get("lucene", []):
    print("  " + line)
PY
