-- Retention purges by age: each purged table needs an index on the timestamp it is purged by (audit_log(at) exists).
create index if not exists traces_created_at on traces (created_at);
create index if not exists messages_created_at on messages (created_at);
create index if not exists conversations_updated_at on conversations (updated_at);
