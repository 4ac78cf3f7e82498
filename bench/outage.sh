#!/usr/bin/env bash
# PostgreSQL outage of two minutes or more under mixed traffic, on one server with the embedded default
# (target/ganglion.jar, embedded PostgreSQL and Redis, its own data dir, 127.0.0.1). Not CI: it takes ~5 minutes.
#   1. Loads DOCS (200) SciFact documents (a job) and warms the answer cache.
#   2. Drives CONNECTIONS (8) closed-loop clients with a seeded mix for BEFORE (30) s, OUTAGE (130) s and AFTER (60) s:
#      cached asks, fresh asks (Cache-Control: no-cache), searches, embeddings, single-document synchronous ingests,
#      reads of a document and of the knowledge-base list (both need PostgreSQL).
#   3. After BEFORE seconds stops the embedded PostgreSQL (pg_ctl stop -m fast, in a user namespace when root, as the
#      server started it) and OUTAGE seconds later starts it again (pg_ctl restart: the same options, port and data).
#      Ganglion is not restarted.
# Every 10 s it records the status codes per kind (t = timeout after 35 s, e = connection error) with the slowest
# answer, and /ready's code and body; the table goes to bench/out/outage/table.md, the raw samples to samples.tsv.
# The outage is "longer than every cache in front of PostgreSQL": verified keys are kept http.keyStaleSeconds (300)
# while PostgreSQL is down, knowledge-base names an hour, answers in the cache by their TTL.
#   bench/outage.sh
#   OUTAGE=150 CONNECTIONS=4 bench/outage.sh
# Needs a JDK 21+, python3 and util-linux's unshare when run as root; SCIFACT (../shared/data/scifact).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DOCS=${DOCS:-200}
CONNECTIONS=${CONNECTIONS:-8}
BEFORE=${BEFORE:-30}
OUTAGE=${OUTAGE:-130}
AFTER=${AFTER:-60}
PORT=${PORT:-18191}
SCIFACT=${SCIFACT:-$ROOT/../shared/data/scifact}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
OUT=$ROOT/bench/out/outage
BASE=http://127.0.0.1:$PORT
rm -rf "$OUT" && mkdir -p "$OUT"
DATA=$OUT/data
PID=
DRIVER=
PG_STOPPED=

pg_ctl_as_started() { # pg_ctl arguments...
  local pg_ctl
  pg_ctl=$(ls "$DATA"/runtime/postgres/*/bin/pg_ctl "$DATA"/runtime/postgres/bin/pg_ctl 2>/dev/null | head -1)
  if [[ $(id -u) == 0 ]]; then unshare -U "$pg_ctl" "$@"; else "$pg_ctl" "$@"; fi
}

# the processes of our data directory: the embedded PostgreSQL and Redis (their command lines name it)
leftovers() {
  local pid
  for pid in $(pgrep -f -- "$DATA" 2>/dev/null || true); do
    [[ "$pid" != "$$" ]] && grep -qa -- "$DATA" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
  done
  return 0
}

cleanup() {
  [[ -n "$DRIVER" ]] && kill "$DRIVER" 2>/dev/null || true
  # PostgreSQL must be up for a clean stop of the server to stop it too
  if [[ -n "$PG_STOPPED" ]]; then
    pg_ctl_as_started -D "$DATA/postgres" restart -w -l "$OUT/postgres-restart.log" >/dev/null 2>&1 || true
  fi
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; fi
  local left
  left=$(leftovers)
  if [[ -n "$left" ]]; then
    echo "outage: stopping processes left in $DATA: $left" >&2
    kill -TERM $left 2>/dev/null || true
    for _ in $(seq 1 50); do [[ -z "$(leftovers)" ]] && break; sleep 0.2; done
    left=$(leftovers); [[ -n "$left" ]] && kill -KILL $left 2>/dev/null || true
  fi
}
trap cleanup EXIT

[[ -f target/ganglion.jar && -z "${BUILD:-}" ]] || ./mvnw -B -ntp -q package -DskipTests
cp target/ganglion.jar "$OUT/ganglion.jar"

"$JAVA" --add-modules jdk.incubator.vector -Xmx2g -Dlogback.configurationFile="$ROOT/bench/logback-quiet.xml" \
  -jar "$OUT/ganglion.jar" --dataDir="$DATA" --http.host=127.0.0.1 --http.port="$PORT" >>"$OUT/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  curl -sf "$BASE/ready" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "outage: server died" >&2; tail -20 "$OUT/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$BASE/ready" >/dev/null || { echo "outage: server not ready after 60 s" >&2; exit 1; }
KEY=$(cat "$DATA/admin-key")
echo "outage: machine $(nproc) vCPU, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$BASE" "$KEY" "$SCIFACT" "$OUT" "$DOCS" "$CONNECTIONS" "$BEFORE" "$OUTAGE" "$AFTER" <<'PY' &
import json, random, sys, threading, time, urllib.request, urllib.error, socket
base, key, scifact, out, docs, conns, before, outage, after = sys.argv[1:]
docs, conns, before, outage, after = int(docs), int(conns), int(before), int(outage), int(after)

def call(method, path, body=None, headers=None, timeout=35):
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(), method=method)
    req.add_header("Authorization", "Bearer " + key)
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (socket.timeout, TimeoutError):
        return "t", ""
    except Exception as e:  # connection refused or reset
        return "e", str(e)

corpus = [json.loads(l) for _, l in zip(range(docs + 2000), open(scifact + "/corpus.jsonl"))]
questions = [json.loads(l)["text"] for l in open(scifact + "/queries.train.jsonl")]
doc = lambda d, i: {"id": f"sf-{d['_id']}-{i}", "title": d["title"], "text": d["text"]}
call("POST", "/v1/kbs", {"name": "ops"})
code, body = call("POST", "/v1/kbs/ops/documents", {"documents": [doc(d, 0) for d in corpus[:docs]]},
                  {"Prefer": "respond-async"}, 60)
job = json.loads(body)["job"]["id"]
while json.loads(call("GET", "/v1/jobs/" + job)[1]).get("status") not in ("done", "failed"):
    time.sleep(1)
cached = questions[:5]
for q in cached:
    call("POST", "/v1/kbs/ops/ask", {"question": q})
known = f"sf-{corpus[0]['_id']}-0"

MIX = [("cached-ask", 0.25), ("fresh-ask", 0.10), ("search", 0.25), ("embed", 0.10), ("ingest", 0.10),
       ("get-document", 0.10), ("list-kbs", 0.10)]
def request(kind, r, n):
    q = questions[r.randrange(len(questions))]
    if kind == "cached-ask":
        return call("POST", "/v1/kbs/ops/ask", {"question": cached[r.randrange(len(cached))]})
    if kind == "fresh-ask":
        return call("POST", "/v1/kbs/ops/ask", {"question": q}, {"Cache-Control": "no-cache"})
    if kind == "search":
        return call("POST", "/v1/kbs/ops/search", {"query": q, "k": 5})
    if kind == "embed":
        return call("POST", "/v1/embeddings", {"input": q})
    if kind == "ingest":
        return call("POST", "/v1/kbs/ops/documents", {"documents": [doc(corpus[docs + n % 2000], n)]})
    if kind == "get-document":
        return call("GET", "/v1/kbs/ops/documents/" + known)
    return call("GET", "/v1/kbs")

samples, lock = [], threading.Lock()
start = time.time()
end = start + before + outage + after
with open(out + "/phases.json", "w") as f:
    json.dump({"start": start, "stop": start + before, "restart": start + before + outage, "end": end}, f)
counter = [0]
def client(seed):
    r = random.Random(seed)
    while time.time() < end:
        x, kind = r.random(), "list-kbs"
        for k, w in MIX:
            x -= w
            if x < 0:
                kind = k
                break
        with lock:
            counter[0] += 1
            n = counter[0]
        t0 = time.time()
        status, body = request(kind, r, n)
        code = ""
        if status not in (200, 201, 202):
            try:
                code = json.loads(body)["error"]["code"]
            except Exception:
                code = "-"
        with lock:
            samples.append((t0 - start, kind, str(status), code, time.time() - t0))
def ready():
    while time.time() < end:
        t0 = time.time()
        try:
            with urllib.request.urlopen(base + "/ready", timeout=10) as r:
                status, body = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode()
        except Exception as e:
            status, body = "e", str(e)
        with lock:
            samples.append((t0 - start, "/ready", str(status), body.replace("\t", " ").replace("\n", " "), time.time() - t0))
        time.sleep(max(0, 10 - (time.time() - t0)))
threads = [threading.Thread(target=client, args=(s,)) for s in range(conns)] + [threading.Thread(target=ready)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out + "/samples.tsv", "w") as f:
    for s in sorted(samples):
        f.write("%.3f\t%s\t%s\t%s\t%.3f\n" % s)
PY
DRIVER=$!

# wait for the driver's clock, then the outage
while [[ ! -f "$OUT/phases.json" ]]; do kill -0 "$DRIVER" 2>/dev/null || { echo "outage: driver died" >&2; exit 1; }; sleep 0.5; done
stop_at=$(python3 -c "import json;print(json.load(open('$OUT/phases.json'))['stop'])")
restart_at=$(python3 -c "import json;print(json.load(open('$OUT/phases.json'))['restart'])")
sleep "$(python3 -c "import time;print(max(0, $stop_at - time.time()))")"
echo "outage: stopping PostgreSQL at $(date -u +%T) (load average $(cut -d' ' -f1-3 /proc/loadavg))"
# fast shutdown by signal: the postmaster runs in the user namespace it was started in, where a new one cannot reach it
pg_pid=$(head -1 "$DATA/postgres/postmaster.pid")
PG_STOPPED=1
kill -INT "$pg_pid"
for _ in $(seq 1 300); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pg_pid" 2>/dev/null && { echo "outage: PostgreSQL did not stop" >&2; exit 1; }
sleep "$(python3 -c "import time;print(max(0, $restart_at - time.time()))")"
echo "outage: starting PostgreSQL at $(date -u +%T) (load average $(cut -d' ' -f1-3 /proc/loadavg))"
# pg_ctl restart finds no pid file (it was stopped) and starts with the recorded options; its exit status then says
# nothing useful, so wait for the new postmaster's pid file instead
pg_ctl_as_started -D "$DATA/postgres" restart -w -l "$OUT/postgres-restart.log" >"$OUT/postgres-start.log" 2>&1 || true
for _ in $(seq 1 300); do [[ -f "$DATA/postgres/postmaster.pid" ]] && break; sleep 0.1; done
[[ -f "$DATA/postgres/postmaster.pid" ]] || { echo "outage: PostgreSQL did not start again" >&2; exit 1; }
PG_STOPPED=
wait "$DRIVER"; DRIVER=
echo "outage: traffic done (load average $(cut -d' ' -f1-3 /proc/loadavg))"

python3 - "$OUT" <<'PY' | tee "$OUT/table.md"
import json, sys, collections
out = sys.argv[1]
phases = json.load(open(out + "/phases.json"))
stop, restart = phases["stop"] - phases["start"], phases["restart"] - phases["start"]
rows = [l.rstrip("\n").split("\t") for l in open(out + "/samples.tsv")]
kinds = ["cached-ask", "fresh-ask", "search", "embed", "ingest", "get-document", "list-kbs"]
buckets = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
slowest = collections.defaultdict(float)
ready = {}
for t, kind, status, code, secs in rows:
    b = int(float(t) // 10)
    if kind == "/ready":
        try:
            body = json.loads(code)
            ready[b] = f"{status} {body.get('status')}, postgres {body.get('checks', {}).get('postgres', '?')[:60]}"
        except ValueError:
            ready[b] = f"{status} {code[:60]}"
        continue
    label = status if status in ("200", "201", "202") else f"{status} {code}".strip()
    buckets[b][kind][label] += 1
    slowest[b] = max(slowest[b], float(secs))
print(f"PostgreSQL stopped at {stop:.0f} s, started again at {restart:.0f} s ({restart - stop:.0f} s down)\n")
print("| t (s) | PG | " + " | ".join(kinds) + " | slowest s | /ready |")
print("|---|---|" + "---|" * len(kinds) + "---|---|")
for b in sorted(set(buckets) | set(ready)):
    lo = b * 10
    pg = "down" if stop <= lo + 5 < restart else "up"
    cells = [", ".join(f"{k}×{n}" for k, n in sorted(buckets[b][kind].items())) or "-" for kind in kinds]
    print(f"| {lo}–{lo + 10} | {pg} | " + " | ".join(cells) + f" | {slowest[b]:.1f} | {ready.get(b, '-')} |")
total = collections.Counter()
for b in buckets:
    for kind in kinds:
        for label, n in buckets[b][kind].items():
            total[label.split(" ")[0]] += n
print("\nall answers by status:", dict(sorted(total.items())))
print("500s:", total.get("500", 0), " timeouts:", total.get("t", 0), " 504s:", total.get("504", 0))
PY
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=
for _ in $(seq 1 100); do [[ -z "$(leftovers)" ]] && break; sleep 0.2; done
left=$(leftovers)
echo "after the stop: ${left:-no} process of the data directory left"
