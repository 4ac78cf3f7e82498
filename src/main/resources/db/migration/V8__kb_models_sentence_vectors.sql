-- Each knowledge base records the embedding model its vectors were made with (model@version and dimensions); its
-- chunk vectors, sentence vectors and queries all use that model. Null on rows made before this migration: the KB is
-- then taken to use the server's default model, and the first ingestion records it.
alter table kbs add column embedding_model text;
alter table kbs add column embedding_dims integer;
-- Whether ingestion stores the vectors of each chunk's sentences (the extractive generator's candidates), so an ask
-- embeds only its question. Costs about one more embedding per sentence at ingestion.
alter table kbs add column sentence_vectors boolean not null default true;

-- The sentences of a chunk (SentenceSpans) with their vectors: starts/ends are document offsets, vectors the
-- concatenated little-endian float32 vectors (one per sentence, in order). Read only for the chunks a search returned.
create table chunk_sentences (
  kb_id         bigint not null,
  document_id   text not null,
  idx           integer not null,
  starts        integer[] not null,
  ends          integer[] not null,
  vectors       bytea not null,
  primary key (kb_id, document_id, idx),
  foreign key (kb_id, document_id, idx) references chunks(kb_id, document_id, idx) on delete cascade
);
