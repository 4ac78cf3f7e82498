/**
 * The search index of a knowledge base: {@link io.ganglion.retrieval.index.KnowledgeBaseIndex} over shards, each a
 * Lucene BM25 index (English-stemmed and exact-identifier fields) and a JVector graph of unit vectors; keyword,
 * vector and hybrid search with metadata filters applied inside candidate search; reciprocal-rank and weighted
 * score {@link io.ganglion.retrieval.index.Fusion}; snapshots and rebuilds from stored records.
 * <p>
 * <b>NOTE</b>: all writes, snapshots, loads and rebuilds block and belong on the retrieval worker pool.
 * {@code search} is asynchronous and runs on the executor it is given, which should be a fixed pool of platform
 * threads (JVector keeps one searcher per thread and shard).
 */
package io.ganglion.retrieval.index;
