/**
 * Ingestion: files to structured plain text ({@link io.ganglion.retrieval.ingest.DocumentFormat}), and structured
 * text to token-bounded chunks with exact character offsets ({@link io.ganglion.retrieval.ingest.Chunker}).
 * <p>
 * <b>NOTE</b>: everything here is CPU-bound and blocking (PDF parsing especially); run it on the retrieval worker
 * pool, never on an event loop. Parsers and the chunker are stateless and thread-safe.
 */
package io.ganglion.retrieval.ingest;
