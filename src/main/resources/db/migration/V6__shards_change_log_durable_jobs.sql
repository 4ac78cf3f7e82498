-- Clustering: the shard count each knowledge base was created with (changing retrieval.shards later affects only new
-- knowledge bases), each document's shard (a copy of one shard reads only its rows), a per-knowledge-base change log
-- that copies catch up from after missing changes, and node leases on running ingestion jobs (whose documents
-- V11_2 stores with them).

-- null: a knowledge base created before this migration; the first node to start fills in its retrieval.shards
alter table kbs add column shards integer check (shards between 1 and 1024);
-- every change with a version up to and including changes_from has been pruned from kb_changes: a copy of a shard
-- older than that rebuilds from the documents instead of replaying the log
alter table kbs add column changes_from bigint not null default 0;
update kbs set changes_from = version;

-- null: stored before this migration; filled in at start (the hash is computed in Java, see ShardRouter)
alter table documents add column shard integer;
create index documents_kb_shard on documents(kb_id, shard);

-- One row per change of a document (upsert or delete), numbered by the knowledge base's version after the change.
create table kb_changes (
  kb_id        bigint not null references kbs(id) on delete cascade,
  version      bigint not null,
  shard        integer not null,
  document_id  text not null,
  deleted      boolean not null,
  changed_at   timestamptz not null default now(),
  primary key (kb_id, version)
);
create index kb_changes_shard on kb_changes(kb_id, shard, version);

-- A running job is held by one node (lease_owner) until lease_expires_at, renewed by its heartbeat; a job whose lease
-- expired is taken over by another node (FOR UPDATE SKIP LOCKED).
alter table ingest_jobs add column lease_owner text;
alter table ingest_jobs add column lease_expires_at timestamptz;
create index ingest_jobs_runnable on ingest_jobs(lease_expires_at) where status in ('queued', 'running');
