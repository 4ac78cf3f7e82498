-- Documents and their chunks are the source of truth of retrieval; the Lucene and JVector indexes are derived from
-- these rows (rebuilt from them, never re-embedded). version counts every change to a KB's content (caches key on it).
alter table kbs add column version bigint not null default 0;

create table documents (
  kb_id         bigint not null references kbs(id) on delete cascade,
  id            text not null,
  title         text,
  text          text not null,
  metadata      jsonb not null default '{}'::jsonb,
  content_type  text not null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (kb_id, id)
);

-- text is the citation text (= documents.text[start_offset, end_offset)); indexed_text adds title and headings.
-- embedding: the chunk's vector as little-endian float32.
create table chunks (
  kb_id         bigint not null,
  document_id   text not null,
  idx           integer not null,
  start_offset  integer not null,
  end_offset    integer not null,
  text          text not null,
  indexed_text  text not null,
  embedding     bytea not null,
  primary key (kb_id, document_id, idx),
  foreign key (kb_id, document_id) references documents(kb_id, id) on delete cascade
);

-- Ingestion jobs for large batches: progress and per-document failures.
create table ingest_jobs (
  id           uuid primary key,
  tenant_id    text not null references tenants(id),
  kb_id        bigint not null references kbs(id) on delete cascade,
  status       text not null check (status in ('queued', 'running', 'done', 'failed')),
  documents    integer not null,
  done         integer not null default 0,
  failed       integer not null default 0,
  chunks       integer not null default 0,
  errors       jsonb not null default '[]'::jsonb,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
create index ingest_jobs_tenant on ingest_jobs(tenant_id, created_at desc);
