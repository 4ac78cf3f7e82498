-- Changing a knowledge base's embedding model (PUT /v1/kbs/{kb} with "model") re-embeds it into a hidden shadow
-- knowledge base (a kbs row named '~' || the job id, which no request can name) and switches names when done.
-- The change is a job in ingest_jobs of kind 'model': its target model and the shadow it fills are recorded with it,
-- and the knowledge base names the change under way (null when none), so a second change is refused (409) while
-- the first one's lease is alive.
alter table ingest_jobs add column kind text not null default 'ingest' check (kind in ('ingest', 'model'));
alter table ingest_jobs add column model text;
alter table ingest_jobs add column target_kb_id bigint;
alter table kbs add column model_change uuid;
