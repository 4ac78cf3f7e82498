-- Webhooks (#16): a tenant's subscriptions, the deliveries queued for them and every attempt at one.
--
-- A delivery is enqueued in the same transaction as the state change it reports (a job's end, a document's
-- deletion, a run's end or pause), so an event is never lost and never reported for a change that rolled back.
-- Delivery nodes claim due rows with FOR UPDATE SKIP LOCKED and push next_attempt_at past the attempt's deadline
-- while they hold one: a node that dies mid-attempt leaves the row due again once that passes (at least once).
create table webhooks (
  id                   uuid primary key,
  tenant_id            text not null references tenants(id),
  url                  text not null,
  events               text[] not null,
  secret               text not null,
  -- during a rotation: the secret being replaced, still signed with until previous_expires_at
  previous_secret      text,
  previous_expires_at  timestamptz,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);
create index webhooks_tenant on webhooks (tenant_id, created_at, id);

create table webhook_deliveries (
  id               uuid primary key,
  webhook_id       uuid not null references webhooks(id) on delete cascade,
  tenant_id        text not null,
  event_id         uuid not null,
  event            text not null,
  -- the exact bytes POSTed, fixed at enqueue time so every attempt sends the same body
  body             text not null,
  status           text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null default now(),
  claimed_by       text,
  last_status      integer,
  last_error       text,
  created_at       timestamptz not null default now(),
  finished_at      timestamptz
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, created_at desc, id);

create table webhook_attempts (
  delivery_id  uuid not null references webhook_deliveries(id) on delete cascade,
  attempt      integer not null,
  started_at   timestamptz not null,
  duration_ms  integer not null,
  status_code  integer,
  error        text,
  primary key (delivery_id, attempt)
);
