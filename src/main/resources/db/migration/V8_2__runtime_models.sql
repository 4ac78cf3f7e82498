-- Models loaded at runtime (POST /v1/admin/models): the source of truth for the loaded-model set beyond
-- inference.models. A load that succeeded on every serving member writes its row (the inference.models entry it was
-- loaded from); an unload deletes it. Every node loads the rows it lacks while it starts, before /ready, so a
-- restarted node or a whole cluster started again serves the same models.
create table runtime_models (
  ref text primary key,
  entry jsonb not null,
  loaded_at timestamptz not null default now()
);
