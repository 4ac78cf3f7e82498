-- Durable ingestion jobs (single node): a job's documents are stored with the job before the client hears 202, so a
-- job cut short by a crash resumes at the next start from the first document it had not settled (done + failed).
-- Rows are removed when the job finishes. (The cluster work extends this with leases.)
create table if not exists ingest_job_documents (
  job_id    uuid not null references ingest_jobs(id) on delete cascade,
  position  integer not null,
  document  jsonb not null,
  primary key (job_id, position)
);
