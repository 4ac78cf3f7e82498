#!/usr/bin/env python3
"""SciFact retrieval quality through Ganglion's own HTTP API (BEIR train split).

Ingests ../shared/data/scifact/corpus.jsonl into a knowledge base (as an ingestion job), then runs every training
claim through POST /v1/kbs/{kb}/search in each mode and fusion setting, and prints nDCG@10 and Recall@100 per setting,
plus ingestion throughput. With --calibrate it also asks in-domain and out-of-domain questions and prints the
extractive generator's best-similarity distribution (for orchestration.extractive.minSimilarity).

  python3 bench/scifact.py --url http://127.0.0.1:8080 --key "$(cat data/admin-key)" [--data ../shared/data/scifact]

Standard library only. The corpus is read from the shared data folder and never copied into the repository.
"""
import argparse
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


def evaluate(args, kb, queries, qrels, params):
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
    return sum(s[0] for s in scores) / n, sum(s[1] for s in scores) / n, n / elapsed


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
                return step.get("similarity")
        return None

    inside = [similarity(q) for q in list(queries.values())[:60]]
    outside = [similarity(q) for q in OUT_OF_DOMAIN]
    inside = sorted(s for s in inside if s is not None)
    outside = sorted(s for s in outside if s is not None)
    print("\n## Extractive abstention calibration (best question-sentence cosine)")
    print(f"in-domain (SciFact claims, n={len(inside)}): min {inside[0]:.3f}  p10 {inside[len(inside) // 10]:.3f}  "
          f"median {inside[len(inside) // 2]:.3f}")
    print(f"out-of-domain (n={len(outside)}): median {outside[len(outside) // 2]:.3f}  p90 "
          f"{outside[int(len(outside) * 0.9)]:.3f}  max {outside[-1]:.3f}")
    best = max(((t / 100) for t in range(40, 90)),
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
    args = parser.parse_args()

    throughput = ingest(args, args.kb)
    if throughput:
        print(f"ingestion: {throughput['documents']} documents held, {throughput['chunks']} chunks added in "
              f"{throughput['seconds']:.0f} s = {throughput['chunks_per_s']:.1f} chunks/s")
    queries, qrels = load_qrels(args)
    settings = [("keyword", {"mode": "keyword"}), ("vector", {"mode": "vector"}),
                ("hybrid (server default)", {"mode": "hybrid"})]
    if not args.quick:
        settings += [(f"hybrid rrf k={k}", {"mode": "hybrid", "fusion": "rrf", "rrfK": k}) for k in (10, 30, 60, 100)]
        settings += [(f"hybrid weighted w={w}", {"mode": "hybrid", "fusion": "weighted", "vectorWeight": w})
                     for w in (0.3, 0.5, 0.6, 0.7, 0.8)]
    print(f"\n## SciFact train split through POST /v1/kbs/{{kb}}/search ({len(queries)} claims)")
    print(f"| setting | nDCG@10 | Recall@100 | searches/s (concurrency {args.concurrency}) |")
    print("|---|---|---|---|")
    for name, params in settings:
        ndcg, recall, qps = evaluate(args, args.kb, queries, qrels, params)
        print(f"| {name} | {ndcg:.4f} | {recall:.4f} | {qps:.1f} |", flush=True)
    if args.calibrate:
        calibrate(args, args.kb, queries)


if __name__ == "__main__":
    main()
