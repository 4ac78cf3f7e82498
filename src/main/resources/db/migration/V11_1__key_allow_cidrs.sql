-- Per-key IP allowlists: the networks (CIDR) a key may be used from; empty = wherever http.allowCidrs lets in.
alter table api_keys add column if not exists allow_cidrs text[] not null default '{}';
