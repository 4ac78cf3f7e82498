#!/usr/bin/env python3
"""SciFact retrieval quality through Ganglion's own HTTP API (BEIR train split).

Ingests ../shared/data/scifact/corpus.jsonl into a knowledge base (as an ingestion job), then runs every training
claim through POST /v1/kbs/{kb}/search in each mode and fusion setting, and prints nDCG@10 and Recall@100 per setting,
plus ingestion throughput. With --calibrate it also asks in-domain and out-of-domain questions and prints the
extractive generator's confidence distribution (for orchestration.extractive.minConfidence). With --folds N it runs
the tuning grid of search options over every training claim and cross-validates the choice over N folds.

  python3 bench/scifact.py --url http://127.0.0.1:8080 --key "$(cat data/admin-key)" [--data ../shared/data/scifact]

Standard library only. The corpus is read from the shared data folder and never copied into the repository.
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def call(args, method, path, body=None, timeout=600):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(args.url + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + args.key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def ingest(args, kb):
    """Ingests the corpus documents the knowledge base does not hold yet, as jobs of 200 documents one after the other,
    and submits again those a job reports failed (overloaded under load) until every document is stored."""
    status, _ = call(args, "POST", "/v1/kbs", {"name": kb})
    if status not in (201, 409):
        sys.exit(f"cannot create kb: {status}")
    docs = [json.loads(line) for line in open(os.path.join(args.data, "corpus.jsonl"))]
    _, info = call(args, "GET", f"/v1/kbs/{kb}")
    if info.get("documents", 0) >= len(docs):
        print(f"# kb {kb} already holds {info['documents']} documents, {info['chunks']} chunks", file=sys.stderr)
        return None
    with ThreadPoolExecutor(8) as pool:
        held = list(pool.map(lambda d: call(args, "GET", f"/v1/kbs/{kb}/documents/{d['_id']}")[0] == 200, docs))
    missing = [d for d, h in zip(docs, held) if not h]
    chunks_before = info.get("chunks", 0)
    print(f"# {len(missing)} of {len(docs)} documents to ingest", file=sys.stderr)
    started = time.time()
    for attempt in range(10):
        failed = []
        for i in range(0, len(missing), 200):
            batch = missing[i:i + 200]
            body = [{"id": d["_id"], "title": d.get("title") or None, "text": d["text"] or d.get("title") or "-"}
                    for d in batch]
            status, reply = call(args, "POST", f"/v1/kbs/{kb}/documents", {"documents": body})
            if status not in (200, 202):
                sys.exit(f"ingest failed: {status} {reply}")
            if "job" not in reply:
                failed_ids = {r["id"] for r in reply.get("results", []) if r.get("status") == "failed"}
            else:
                while True:
                    _, state = call(args, "GET", f"/v1/jobs/{reply['job']['id']}")
                    if state.get("status") in ("done", "failed"):
                        break
                    time.sleep(1)
                failed_ids = {e["id"] for e in state.get("errors", [])}
            failed += [d for d in batch if d["_id"] in failed_ids]
        if not failed:
            break
        print(f"# attempt {attempt + 1}: {len(failed)} documents failed (overloaded?), submitting them again",
              file=sys.stderr)
        missing = failed
    elapsed = time.time() - started
    _, info = call(args, "GET", f"/v1/kbs/{kb}")
    return {"documents": info["documents"], "chunks": info["chunks"] - chunks_before, "seconds": elapsed,
            "chunks_per_s": (info["chunks"] - chunks_before) / elapsed}


def load_qrels(args):
    qrels = {}
    with open(os.path.join(args.data, "qrels.train.tsv")) as f:
        next(f)
        for line in f:
            q, d, s = line.strip().split("\t")
            if int(s) > 0:
                qrels.setdefault(q, set()).add(d)
    queries = {}
    for line in open(os.path.join(args.data, "queries.train.jsonl")):
        q = json.loads(line)
        if q["_id"] in qrels:
            queries[q["_id"]] = q["text"]
    return queries, qrels


def ranked_docs(hits):
    seen, out = set(), []
    for h in hits:
        if h["documentId"] not in seen:
            seen.add(h["documentId"])
            out.append(h["documentId"])
    return out


def ndcg10(ranking, relevant):
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranking[:10]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal


def evaluate_each(args, kb, queries, qrels, params):
    """Mean nDCG@10, mean Recall@100, searches/s, and each query's (nDCG@10, Recall@100) by query id."""
    def one(item):
        qid, text = item
        body = dict(params, query=text, k=100)
        status, reply = call(args, "POST", f"/v1/kbs/{kb}/search", body)
        if status != 200:
            raise RuntimeError(f"search failed: {status} {reply}")
        ranking = ranked_docs(reply["hits"])
        rel = qrels[qid]
        return ndcg10(ranking, rel), len(rel & set(ranking[:100])) / len(rel)

    started = time.time()
    with ThreadPoolExecutor(args.concurrency) as pool:
        scores = list(pool.map(one, queries.items()))
    elapsed = time.time() - started
    n = len(scores)
    return (sum(s[0] for s in scores) / n, sum(s[1] for s in scores) / n, n / elapsed,
            dict(zip(queries.keys(), scores)))


def fold_of(qid, folds):
    """A query's cross-validation fold: a stable hash of its id, so folds never depend on file order."""
    return int(hashlib.sha256(qid.encode()).hexdigest(), 16) % folds


# the grid tuned with folds: every setting is a set of POST /v1/kbs/{kb}/search options
BASELINE = {"mode": "hybrid", "fusion": "weighted", "vectorWeight": 0.6, "aggregate": "chunk", "headingWeight": 0,
            "candidates": 100, "route": False}


def grid():
    settings = [("baseline (defaults before tuning)", BASELINE)]
    for aggregate in ("chunk", "document"):
        for heading in (0, 0.5, 1, 2):
            for w in (0.5, 0.6, 0.7, 0.8):
                settings.append((f"{aggregate} heading={heading} w={w}",
                                 dict(BASELINE, aggregate=aggregate, headingWeight=heading, vectorWeight=w)))
    for depth in ({"keyword": 50, "vector": 100}, {"keyword": 100, "vector": 200}, {"keyword": 200, "vector": 200},
                  {"keyword": 50, "vector": 50}):
        for w in (0.6, 0.7):
            settings.append((f"document heading=1 w={w} depth={depth['keyword']}/{depth['vector']}",
                             dict(BASELINE, aggregate="document", headingWeight=1, vectorWeight=w, candidates=depth)))
    for bm25 in ({"k1": 0.9, "b": 0.4}, {"k1": 1.2, "b": 0.5}, {"k1": 1.5, "b": 0.75}):
        settings.append((f"chunk w=0.6 bm25 k1={bm25['k1']} b={bm25['b']}", dict(BASELINE, bm25=bm25)))
    for exact in (0, 0.5):
        settings.append((f"chunk w=0.6 exactWeight={exact}", dict(BASELINE, exactWeight=exact)))
    for aggregate, w, bm25 in (("chunk", 0.7, None), ("document", 0.6, None), ("document", 0.7, None),
                               ("chunk", 0.6, {"k1": 0.9, "b": 0.4}), ("document", 0.7, {"k1": 0.9, "b": 0.4})):
        params = dict(BASELINE, aggregate=aggregate, vectorWeight=w, exactWeight=0)
        if bm25:
            params["bm25"] = bm25
        settings.append((f"{aggregate} w={w} exactWeight=0" + (" bm25 k1=0.9 b=0.4" if bm25 else ""), params))
    settings.append(("document w=0.7 bm25 k1=0.9 b=0.4 exactWeight=0.5",
                     dict(BASELINE, aggregate="document", vectorWeight=0.7, bm25={"k1": 0.9, "b": 0.4},
                          exactWeight=0.5)))
    return settings


def cross_validate(args, kb, queries, qrels):
    """Every grid setting over every training claim (cached per setting in --cache), then k folds: each fold's
    setting is the one with the best mean nDCG@10 on the other folds, scored on the fold itself."""
    cache = {}
    if os.path.exists(args.cache):
        cache = json.load(open(args.cache))
    results = {}
    for name, params in grid():
        key = json.dumps(params, sort_keys=True)
        if key not in cache:
            ndcg, recall, qps, each = evaluate_each(args, kb, queries, qrels, params)
            cache[key] = each
            json.dump(cache, open(args.cache, "w"))
            print(f"# {name}: nDCG@10 {ndcg:.4f}  Recall@100 {recall:.4f}  ({qps:.1f}/s)", file=sys.stderr, flush=True)
        results[name] = cache[key]
    names = list(results)
    folds = args.folds
    members = [[q for q in queries if fold_of(q, folds) == f] for f in range(folds)]

    def mean(name, qids, metric=0):
        return sum(results[name][q][metric] for q in qids) / len(qids)

    print(f"\n## {folds}-fold cross-validation on the SciFact train split ({len(queries)} claims, "
          f"{len(names)} settings through POST /v1/kbs/{{kb}}/search)")
    print("| fold | claims | chosen on the other folds | its nDCG@10 on the fold | baseline on the fold |")
    print("|---|---|---|---|---|")
    chosen_scores, base_scores = [], []
    for f in range(folds):
        train = [q for g in range(folds) if g != f for q in members[g]]
        best = max(names, key=lambda n: mean(n, train))
        chosen_scores.append(mean(best, members[f]))
        base_scores.append(mean(names[0], members[f]))
        print(f"| {f} | {len(members[f])} | {best} | {chosen_scores[-1]:.4f} | {base_scores[-1]:.4f} |")
    print(f"| mean | | | {sum(chosen_scores) / folds:.4f} | {sum(base_scores) / folds:.4f} |")
    print("\n| setting (all claims) | nDCG@10 | Recall@100 |")
    print("|---|---|---|")
    for n in sorted(names, key=lambda n: -mean(n, list(queries))):
        print(f"| {n} | {mean(n, list(queries)):.4f} | {mean(n, list(queries), 1):.4f} |")


OUT_OF_DOMAIN = [
    "How many vacation days do new employees get?", "What is the best recipe for lasagna?",
    "Who won the football world cup in 2014?", "How do I reset my router password?",
    "What time does the office open on Saturdays?", "Which programming language should I learn first?",
    "How do I file an expense report for a taxi ride?", "What is the capital of Australia?",
    "Can I bring my dog to the office?", "How much does a train ticket to Berlin cost?",
    "What is the plot of the movie Inception?", "How do I change a flat bicycle tire?",
    "What are the opening hours of the gym?", "Who is the CEO of the company?",
    "How do I configure two-factor authentication for my email?", "What is the weather forecast for tomorrow?",
    "Where can I park my car at headquarters?", "How do I cancel my streaming subscription?",
    "What is the dress code for the annual party?", "How many players are on a basketball team?",
]


def calibrate(args, kb, queries):
    def similarity(question):
        status, reply = call(args, "POST", f"/v1/kbs/{kb}/ask", {"question": question})
        if status != 200:
            return None
        _, trace = call(args, "GET", f"/v1/traces/{reply['traceId']}")
        for step in trace.get("steps", []):
            if step.get("name") == "generate":
                return step.get("confidence")
        return None

    inside = [similarity(q) for q in list(queries.values())[:60]]
    outside = [similarity(q) for q in OUT_OF_DOMAIN]
    inside = sorted(s for s in inside if s is not None)
    outside = sorted(s for s in outside if s is not None)
    print("\n## Extractive abstention calibration (the abstention model's confidence)")
    print(f"in-domain (SciFact claims, n={len(inside)}): min {inside[0]:.3f}  p10 {inside[len(inside) // 10]:.3f}  "
          f"median {inside[len(inside) // 2]:.3f}")
    print(f"out-of-domain (n={len(outside)}): median {outside[len(outside) // 2]:.3f}  p90 "
          f"{outside[int(len(outside) * 0.9)]:.3f}  max {outside[-1]:.3f}")
    best = max(((t / 100) for t in range(5, 96)),
               key=lambda t: sum(s >= t for s in inside) / len(inside) + sum(s < t for s in outside) / len(outside))
    print(f"threshold maximising balanced accuracy: {best:.2f} "
          f"(answers {sum(s >= best for s in inside)}/{len(inside)} in-domain, "
          f"abstains on {sum(s < best for s in outside)}/{len(outside)} out-of-domain)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--key", required=True)
    parser.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "scifact"))
    parser.add_argument("--kb", default="scifact")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="only the default settings")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--folds", type=int, default=0,
                        help="cross-validate the tuning grid with this many folds of the train split")
    parser.add_argument("--cache", default="/tmp/scifact-grid.json", help="per-query results of grid settings")
    args = parser.parse_args()

    throughput = ingest(args, args.kb)
    if throughput:
        print(f"ingestion: {throughput['documents']} documents held, {throughput['chunks']} chunks added in "
              f"{throughput['seconds']:.0f} s = {throughput['chunks_per_s']:.1f} chunks/s")
    queries, qrels = load_qrels(args)
    if args.folds:
        cross_validate(args, args.kb, queries, qrels)
        return
    settings = [("keyword", {"mode": "keyword"}), ("vector", {"mode": "vector"}),
                ("hybrid (server default)", {"mode": "hybrid"})]
    if not args.quick:
        settings += [(f"hybrid rrf k={k}", {"mode": "hybrid", "fusion": "rrf", "rrfK": k}) for k in (10, 30, 60, 100)]
        settings += [(f"hybrid weighted w={w}", {"mode": "hybrid", "fusion": "weighted", "vectorWeight": w})
                     for w in (0.3, 0.5, 0.6, 0.7, 0.8)]
    print(f"\n## SciFact train split through POST /v1/kbs/{{kb}}/search ({len(queries)} claims)")
    print(f"| setting | nDCG@10 | Recall@100 | searches/s (concurrency {args.concurrency}) |")
    print("|---|---|---|---|")
    by_fold = []
    for name, params in settings:
        ndcg, recall, qps, each = evaluate_each(args, args.kb, queries, qrels, params)
        by_fold.append((name, each))
        print(f"| {name} | {ndcg:.4f} | {recall:.4f} | {qps:.1f} |", flush=True)
    folds = 5
    print(f"\n## The same settings per fold of the train split (the {folds} folds of --folds, a hash of the claim id)")
    print("| setting | " + " | ".join(f"fold {f} nDCG@10 / R@100" for f in range(folds)) + " |")
    print("|---|" + "---|" * folds)
    for name, each in by_fold:
        cells = []
        for f in range(folds):
            scores = [each[q] for q in queries if fold_of(q, folds) == f]
            cells.append(f"{sum(s[0] for s in scores) / len(scores):.4f} / {sum(s[1] for s in scores) / len(scores):.4f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.calibrate:
        calibrate(args, args.kb, queries)


if __name__ == "__main__":
    main()
