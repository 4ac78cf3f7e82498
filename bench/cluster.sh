#!/usr/bin/env bash
# A three-node Ganglion cluster on this machine against one PostgreSQL and one Redis (Debian's `postgresql` and
# `redis-server`, installed when missing via .ci/debian-packages), all on 127.0.0.1, for trying it and for the
# cluster benchmark. Needs a built jar (./mvnw -B package -DskipTests) and a JDK 21+.
#
#   bench/cluster.sh start     start the stores and node-1..3; prints their HTTP ports and the admin key
#   bench/cluster.sh status    GET /v1/cluster from node-1
#   bench/cluster.sh stop      stop the nodes (SIGTERM), Redis and PostgreSQL
#   bench/cluster.sh bench     start, load SciFact documents, measure (table below), stop
#
# The benchmark (wrk, installed when missing) prints, with `uptime`'s load average:
#   - failure detection (kill -9 of node-3 -> node-1 lists 2 members), the slowest search through a survivor while
#     the dead node's copies were still routed to, failed searches, and the time until every shard has two copies again;
#   - search latency of a 1-shard knowledge base through a node holding a copy vs through the node that holds none;
#   - chunks held and heap used per node with 3 nodes vs with node-1 alone (replication 2: about 2/3 vs all);
#   - the cost of a search scattered over the cluster vs the same search on one unclustered node holding every shard.
# Environment: CLUSTER_DIR (/tmp/ganglion-cluster), DOCS (1000 SciFact documents), SCIFACT (../shared/data/scifact),
# WRK_ARGS (-t1 -c4 -d15s), JAVA_HOME.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${CLUSTER_DIR:-/tmp/ganglion-cluster}
DOCS=${DOCS:-1000}
SCIFACT=${SCIFACT:-$ROOT/../shared/data/scifact}
WRK_ARGS=${WRK_ARGS:-"-t1 -c4 -d15s"}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JCMD=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
"$JAVA" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])' || { echo "needs a JDK 21+ (set JAVA_HOME)" >&2; exit 1; }
PG_PORT=${PG_PORT:-25432}
REDIS_PORT=${REDIS_PORT:-26379}
KEY_FILE=$DIR/admin-key
declare -A HTTP=([1]=18081 [2]=18082 [3]=18083 [single]=18090)
declare -A HZ=([1]=15701 [2]=15702 [3]=15703)
declare -A BUS=([1]=15711 [2]=15712 [3]=15713)

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
key() { cat "$KEY_FILE"; }
url() { echo "http://127.0.0.1:${HTTP[$1]}"; }
api() { local node=$1 method=$2 path=$3; shift 3; curl -sf -X "$method" -H "Authorization: Bearer $(key)" \
  -H "Content-Type: application/json" "$@" "$(url "$node")$path"; }

start_stores() {
  "$ROOT/.ci/debian-packages" postgresql redis-server
  mkdir -p "$DIR"
  [[ -f $KEY_FILE ]] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$KEY_FILE"
  if [[ ! -f $DIR/pg/PG_VERSION ]]; then
    mkdir -p "$DIR/pg"
    chmod 755 "$DIR"
    # PostgreSQL refuses to run as root: as root, its directory belongs to the postgres user
    if [[ $(id -u) -eq 0 ]]; then chown -R postgres "$DIR/pg"; fi
    as_pg "$(pg_bin)/initdb" -D "$DIR/pg" -U ganglion --auth=trust -E UTF8 >/dev/null
  fi
  as_pg "$(pg_bin)/pg_ctl" -D "$DIR/pg" -l "$DIR/pg/server.log" -w -o "-p $PG_PORT -k $DIR/pg -c listen_addresses=127.0.0.1" start >/dev/null
  as_pg "$(pg_bin)/createdb" -h 127.0.0.1 -p "$PG_PORT" -U ganglion ganglion 2>/dev/null || true
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR"
}

# start_node N [--key=value...]: node-N, clustered with the other two
start_node() {
  local n=$1; shift
  local members="127.0.0.1:${HZ[1]},127.0.0.1:${HZ[2]},127.0.0.1:${HZ[3]}"
  "$JAVA" --add-modules jdk.incubator.vector -Xmx2g -Dlogback.configurationFile=bench/logback-quiet.xml \
    -jar target/ganglion.jar --dataDir="$DIR/node-$n" --http.host=127.0.0.1 --http.port="${HTTP[$n]}" \
    --postgres.url="postgresql://ganglion@127.0.0.1:$PG_PORT/ganglion" --redis.url="redis://127.0.0.1:$REDIS_PORT" \
    --admin.key="$(key)" --cluster.enabled=true --cluster.name=bench --cluster.nodeId="node-$n" \
    --cluster.host=127.0.0.1 --cluster.port="${HZ[$n]}" --cluster.eventBusPort="${BUS[$n]}" \
    --cluster.members="$members" "$@" >"$DIR/node-$n.log" 2>&1 &
  echo $! > "$DIR/node-$n.pid"
}

await_ready() {
  local pidfile=$DIR/node-$1.pid log=$DIR/node-$1.log
  [[ $1 == single ]] && pidfile=$DIR/single.pid log=$DIR/single.log
  for _ in $(seq 1 240); do
    curl -sf "$(url "$1")/ready" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "node $1 exited:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.5
  done
  echo "node $1 not ready; its log:" >&2; tail -30 "$log" >&2; exit 1
}

cluster_json() { api "$1" GET /v1/cluster; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
members() { cluster_json "$1" | field 'len(d["members"])'; }
colour() { cluster_json "$1" | field 'd["status"]'; }
await_view() { # await_view NODE MEMBERS STATUS
  for _ in $(seq 1 600); do
    [[ "$(members "$1" 2>/dev/null)" == "$2" && "$(colour "$1" 2>/dev/null)" == "$3" ]] && return 0
    sleep 0.2
  done
  echo "node $1 never saw $2 members, $3" >&2; exit 1
}
now_ms() { date +%s%3N; }

start() {
  start_stores
  start_node 1 --retrieval.shards=1 "$@"
  start_node 2 --retrieval.shards=4 "$@"
  start_node 3 --retrieval.shards=4 "$@"
  for n in 1 2 3; do await_ready "$n"; done
  await_view 1 3 green
  echo "cluster up: node-1 $(url 1), node-2 $(url 2), node-3 $(url 3); admin key $(key) (data in $DIR)"
}

stop() {
  for f in "$DIR"/node-*.pid "$DIR"/single.pid; do
    [[ -f $f ]] || continue
    kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$DIR"/node-*.pid "$DIR"/single.pid; do
    [[ -f $f ]] || continue
    while kill -0 "$(cat "$f")" 2>/dev/null; do sleep 0.2; done
    rm -f "$f"
  done
  [[ -f $DIR/redis.pid ]] && kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true
  [[ -f $DIR/pg/postmaster.pid ]] && as_pg "$(pg_bin)/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null || true
}

load_corpus() { # load_corpus NODE KB: SciFact's first $DOCS documents, as jobs of 100
  api "$1" POST /v1/kbs -d "{\"name\":\"$2\"}" >/dev/null
  rm -rf "$DIR/batches" && mkdir -p "$DIR/batches"
  python3 - "$SCIFACT/corpus.jsonl" "$DOCS" "$DIR/batches" <<'PY'
import json, sys
docs = []
with open(sys.argv[1]) as f:
    for line in f:
        d = json.loads(line)
        docs.append({"id": "sf-" + str(d["_id"]), "title": d.get("title") or None, "text": d["text"]})
        if len(docs) == int(sys.argv[2]):
            break
for i in range(0, len(docs), 100):
    with open("%s/%05d.json" % (sys.argv[3], i), "w") as out:
        json.dump({"documents": docs[i:i + 100]}, out)
PY
  local jobs=()
  for batch in "$DIR"/batches/*.json; do
    jobs+=("$(api "$1" POST "/v1/kbs/$2/documents" --data-binary "@$batch" | field 'd["job"]["id"]')")
  done
  for job in "${jobs[@]}"; do
    until [[ "$(api "$1" GET "/v1/jobs/$job" | field 'd["status"]')" =~ ^(done|failed)$ ]]; do sleep 1; done
  done
}

wrk_search() { # wrk_search BASE KB -> "req/s p50 p99"
  local out
  out=$(KEY=$(key) KB=$2 MODE=hybrid wrk $WRK_ARGS --latency -s bench/wrk/search.lua "$1")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="50%" {print $2}') \
$(echo "$out" | awk '$1=="99%" {print $2}')"
}

heap_mb() { "$JCMD" "$1" GC.run >/dev/null; "$JCMD" "$1" GC.heap_info | awk '/used/ {for(i=1;i<=NF;i++) if($i=="used") {v=$(i+1); sub("K,?","",v); print int(v/1024); exit}}'; }
chunks() { curl -sf "$(url "$1")/ready" | field 'd["cluster"]["chunks"]'; }

bench() {
  "$ROOT/.ci/debian-packages" wrk python3
  stop 2>/dev/null || true
  rm -rf "$DIR"
  # a short re-replication delay, so the benchmark also sees the copies rebuilt after a node loss
  start --cluster.rebalanceDelayMs=5000
  trap stop EXIT
  echo "loading $DOCS SciFact documents into 'four' (4 shards) and 'one' (1 shard)..."
  load_corpus 2 four
  load_corpus 1 one
  await_view 1 3 green
  local results=$DIR/results.txt
  : > "$results"
  row() { echo "$*" | tee -a "$results"; }
  row "load average at start: $(uptime | sed 's/.*load average: //')"

  # search through a node without a copy of the 1-shard KB vs through one with a copy
  local non owner
  read -r -a owner_list <<< "$(cluster_json 1 | field '" ".join(next(k for k in d["kbs"] if k["name"]=="one")["shards"][0]["active"])')"
  for n in 1 2 3; do [[ " ${owner_list[*]} " == *" node-$n "* ]] || non=$n; done
  owner=${owner_list[0]#node-}
  read -r rps_o p50_o p99_o <<< "$(wrk_search "$(url "$owner")" one)"
  read -r rps_n p50_n p99_n <<< "$(wrk_search "$(url "$non")" one)"
  row "1-shard KB via owner node-$owner: $rps_o req/s p50 $p50_o p99 $p99_o | via non-owner node-$non: $rps_n req/s p50 $p50_n p99 $p99_n"

  # the scatter over three nodes vs one unclustered node holding all four shards (same PostgreSQL)
  read -r rps_c p50_c p99_c <<< "$(wrk_search "$(url 1)" four)"
  "$JAVA" --add-modules jdk.incubator.vector -Xmx2g -Dlogback.configurationFile=bench/logback-quiet.xml -jar target/ganglion.jar \
    --dataDir="$DIR/single" --http.host=127.0.0.1 --http.port="${HTTP[single]}" --cluster.nodeId=single \
    --postgres.url="postgresql://ganglion@127.0.0.1:$PG_PORT/ganglion" --redis.url="redis://127.0.0.1:$REDIS_PORT" \
    --admin.key="$(key)" >"$DIR/single.log" 2>&1 &
  echo $! > "$DIR/single.pid"
  await_ready single
  curl -sf -H "Authorization: Bearer $(key)" -H "Content-Type: application/json" -d '{"query":"warm up","k":10}' \
    "$(url single)/v1/kbs/four/search" >/dev/null
  read -r rps_s p50_s p99_s <<< "$(wrk_search "$(url single)" four)"
  kill -TERM "$(cat "$DIR/single.pid")"; while kill -0 "$(cat "$DIR/single.pid")" 2>/dev/null; do sleep 0.2; done
  rm -f "$DIR/single.pid"
  row "4-shard KB scattered over 3 nodes (via node-1): $rps_c req/s p50 $p50_c p99 $p99_c | one node holding all: $rps_s req/s p50 $p50_s p99 $p99_s"

  # chunks and heap per node, 3 nodes
  local line="3 nodes:"
  for n in 1 2 3; do line="$line node-$n $(chunks "$n") chunks $(heap_mb "$(cat "$DIR/node-$n.pid")") MiB heap;"; done
  row "$line"

  # kill -9 of node-3 while node-1 searches
  local log=$DIR/failover.tsv
  touch "$DIR/searching"
  ( while [[ -f $DIR/searching ]]; do
      t0=$(now_ms)
      code=$(curl -s -o "$DIR/last.json" -w '%{http_code}' -H "Authorization: Bearer $(key)" -H "Content-Type: application/json" \
        -d '{"query":"gene expression in cancer","k":10}' "$(url 1)/v1/kbs/four/search")
      partial=$(python3 -c "import json; print(json.load(open('$DIR/last.json')).get('partial', False))" 2>/dev/null || echo err)
      echo -e "$t0\t$(( $(now_ms) - t0 ))\t$code\t$partial" >> "$log"
    done ) &
  local searcher=$!
  sleep 3
  local killed detected green
  killed=$(now_ms)
  kill -9 "$(cat "$DIR/node-3.pid")"; rm -f "$DIR/node-3.pid"
  until [[ "$(members 1)" == 2 ]]; do sleep 0.1; done
  detected=$(now_ms)
  await_view 1 2 green
  green=$(now_ms)
  sleep 2
  rm -f "$DIR/searching"; wait "$searcher"
  local worst failed
  worst=$(awk -F'\t' -v k="$killed" '$1 >= k - 2000 {if ($2 > m) m = $2} END {print m+0}' "$log")
  failed=$(awk -F'\t' '$3 != 200 || $4 != "False" {n++} END {print n+0}' "$log")
  row "kill -9 node-3: detected after $((detected - killed)) ms (heartbeat 2 s, timeout 10 s); slowest search meanwhile $worst ms; failed or partial searches $failed of $(wc -l < "$log"); two copies of every shard again after $((green - killed)) ms (rebalanceDelayMs 5000 + rebuild)"

  # node-1 alone
  kill -TERM "$(cat "$DIR/node-2.pid")"; while kill -0 "$(cat "$DIR/node-2.pid")" 2>/dev/null; do sleep 0.2; done
  rm -f "$DIR/node-2.pid"
  await_view 1 1 green
  row "node-1 alone: $(chunks 1) chunks $(heap_mb "$(cat "$DIR/node-1.pid")") MiB heap"
  row "load average at end: $(uptime | sed 's/.*load average: //')"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) cluster_json 1 | python3 -m json.tool ;;
  bench) bench ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac
