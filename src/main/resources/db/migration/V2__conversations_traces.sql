-- Conversations keep the turns of a chat with one knowledge base, so follow-up questions can be rewritten with
-- their history. Every row belongs to a tenant; reads always filter on tenant_id (another tenant's id is a 404).
create table conversations (
  id          uuid primary key,
  tenant_id   text not null references tenants(id),
  kb          text not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index conversations_tenant on conversations(tenant_id, updated_at desc);

create table messages (
  id               bigserial primary key,
  conversation_id  uuid not null references conversations(id) on delete cascade,
  role             text not null check (role in ('user', 'assistant')),
  content          text not null,
  trace_id         uuid,
  created_at       timestamptz not null default now()
);
create index messages_conversation on messages(conversation_id, id);

-- One row per answer: what was asked, what was retrieved and answered, by which generator, each pipeline step with
-- its duration, tokens and latency; and the user's feedback on it. Question and answer are stored after the reflex
-- layer redacted them.
create table traces (
  id                 uuid primary key,
  tenant_id          text not null references tenants(id),
  kb                 text not null,
  conversation_id    uuid references conversations(id) on delete set null,
  question           text not null,
  query              text not null,
  answer             text not null,
  outcome            text not null,
  generator          text not null,
  abstained          boolean not null,
  groundedness       double precision,
  steps              jsonb not null,
  chunk_ids          text[] not null,
  citations          jsonb not null,
  prompt_tokens      integer not null,
  completion_tokens  integer not null,
  latency_ms         integer not null,
  created_at         timestamptz not null default now(),
  feedback_rating    smallint check (feedback_rating in (-1, 1)),
  feedback_comment   text,
  feedback_at        timestamptz
);
create index traces_tenant on traces(tenant_id, created_at desc);
