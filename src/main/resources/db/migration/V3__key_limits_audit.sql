-- Per-key limits (null = the configured default) and the audit log.
alter table api_keys add column rpm integer;
alter table api_keys add column tokens_per_day bigint;

create table audit_log (
  id          bigserial primary key,
  at          timestamptz not null default now(),
  request_id  text,
  principal   text,
  tenant      text,
  action      text not null,
  target      text,
  source      text,
  detail      jsonb not null default '{}'::jsonb
);
create index audit_log_at on audit_log (at desc);
create index audit_log_tenant_at on audit_log (tenant, at desc);
