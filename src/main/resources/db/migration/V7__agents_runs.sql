-- Agents a tenant defined (POST /v1/agents). The spec is the agent's JSON as validated by AgentSpec.
create table agents (
  tenant_id   text not null references tenants(id),
  name        text not null,
  spec        jsonb not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, name)
);

-- One row per agent run. status moves only by compare-and-set on (status, version), so one node and one request
-- win each transition; a running run is held by owner until lease_until (renewed each step), after which another
-- node may take it over. messages is the model's conversation so far (PII-redacted like traces), needed to resume
-- a paused or interrupted run; it is cleared when the run ends. principal is what the run acts for (subject,
-- scopes, key limits), never a secret.
create table runs (
  id                 uuid primary key,
  tenant_id          text not null references tenants(id),
  agent              text not null,
  agent_spec         jsonb not null,
  status             text not null check (status in ('running', 'waiting_approval', 'completed', 'max_steps',
                       'budget_exceeded', 'repeated_call', 'rejected', 'cancelled', 'failed')),
  input              text not null,
  output             text,
  error              jsonb,
  principal          jsonb not null,
  conversation_id    uuid,
  detach             boolean not null default false,
  messages           jsonb,
  repeats            jsonb not null default '{}'::jsonb,
  steps_count        integer not null default 0,
  prompt_tokens      integer not null default 0,
  completion_tokens  integer not null default 0,
  cost_usd           double precision not null default 0,
  owner              text,
  lease_until        timestamptz,
  version            integer not null default 0,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  finished_at        timestamptz
);
create index runs_tenant_agent on runs (tenant_id, agent, created_at desc, id);
create index runs_active on runs (status, lease_until) where status in ('running', 'waiting_approval');

-- The steps of a run, in order. A tool step is written as 'started' before the tool runs and 'done' after, so a
-- call interrupted by a crash is found 'started' on resume and reported to the model as interrupted, never re-run.
-- Texts are PII-redacted (direction stored) before they are written.
create table run_steps (
  run_id      uuid not null references runs(id) on delete cascade,
  seq         integer not null,
  type        text not null,
  call_id     text,
  tool        text,
  state       text not null check (state in ('started', 'done')),
  detail      jsonb not null,
  created_at  timestamptz not null default now(),
  primary key (run_id, seq)
);

-- The calls a paused run waits to have approved, with their arguments as the model wrote them (not redacted: the
-- tool needs them). Kept apart from the steps and deleted once decided, or after expires_at.
create table run_approvals (
  run_id      uuid primary key references runs(id) on delete cascade,
  calls       jsonb not null,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null
);
