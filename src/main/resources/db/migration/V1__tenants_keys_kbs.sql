-- Tenants own everything else; the bootstrap admin key belongs to tenant 'default'.
create table tenants (
  id          text primary key,
  created_at  timestamptz not null default now()
);

-- API keys are stored as a salted SHA-256 of the key. lookup is the first 16 hex chars of an unsalted SHA-256,
-- an index to find the row (not enough to verify); display_prefix is the key's visible start, for people.
create table api_keys (
  id              uuid primary key default gen_random_uuid(),
  tenant_id       text not null references tenants(id),
  name            text not null,
  lookup          text not null unique,
  display_prefix  text not null,
  salt            bytea not null,
  hash            bytea not null,
  scopes          text[] not null,
  created_at      timestamptz not null default now(),
  expires_at      timestamptz,
  revoked_at      timestamptz
);

create table kbs (
  id          bigserial primary key,
  tenant_id   text not null references tenants(id),
  name        text not null,
  created_at  timestamptz not null default now(),
  unique (tenant_id, name)
);
