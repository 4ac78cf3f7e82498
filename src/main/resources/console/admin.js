// Admin views (an admin key): tenants and their API keys, and the cluster as the node answering sees it.
import { api } from './api.js';
import { h, clear } from './dom.js';
import { view, say, failed, paged, nextPage, when, table } from './ui.js';

const SCOPES = ['kb:read', 'kb:write', 'chat', 'agents:write', 'webhooks:write', 'tools:*', 'admin'];
const DEFAULT_SCOPES = new Set(['kb:read', 'kb:write', 'chat']);

/** Tenants (paged, create) and keys (paged, of one tenant or all; create with scopes; revoke). */
export async function keysView(tenant, tenantsAfter, keysAfter) {
  const tenantRows = h('tbody');
  const tenantPager = h('div', { class: 'pager' });
  const newTenant = h('input', { type: 'text', id: 'tenant-id', name: 'tenant', pattern: '[a-z0-9][a-z0-9_\\-]{0,62}', required: true });
  const tenantForm = h('form', { class: 'row', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api('POST', '/v1/admin/tenants', { id: newTenant.value.trim() });
      say(`Created tenant ${newTenant.value.trim()}.`);
      keysView(newTenant.value.trim());
    } catch (e) { failed(e); }
  } }, h('div', { class: 'grow' }, h('label', { for: 'tenant-id' }, 'New tenant'), newTenant),
  h('button', { type: 'submit', id: 'create-tenant' }, 'Create tenant'));

  const keyTenant = h('input', { type: 'text', id: 'key-tenant', name: 'tenant', required: true, value: tenant ?? 'default' });
  const keyName = h('input', { type: 'text', id: 'key-name', name: 'name', value: 'api' });
  const boxes = SCOPES.map((scope) => h('input', { type: 'checkbox', id: `scope-${scope}`, name: 'scopes', value: scope,
    checked: DEFAULT_SCOPES.has(scope) }));
  const created = h('p', { id: 'key-created', role: 'status' });
  const keyForm = h('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    const scopes = boxes.filter((b) => b.checked).map((b) => b.value);
    try {
      const key = await api('POST', '/v1/admin/keys', { tenant: keyTenant.value.trim(), name: keyName.value.trim() || 'api', scopes });
      await keysView(key.tenant);
      document.getElementById('key-created').append('New key for ', key.tenant, ' (shown once): ', h('code', { id: 'new-key' }, key.key));
    } catch (e) { failed(e); }
  } }, h('h2', {}, 'New API key'),
  h('div', { class: 'row' }, h('div', { class: 'grow' }, h('label', { for: 'key-tenant' }, 'Tenant'), keyTenant),
    h('div', { class: 'grow' }, h('label', { for: 'key-name' }, 'Name'), keyName)),
  h('fieldset', { class: 'scopes' }, h('legend', {}, 'Scopes'),
    SCOPES.map((scope, i) => h('span', { class: 'scope' }, boxes[i], h('label', { for: `scope-${scope}` }, scope)))),
  h('p', {}, h('button', { type: 'submit', id: 'create-key' }, 'Create key')), created);

  const keyRows = h('tbody');
  const keyPager = h('div', { class: 'pager' });
  const shown = tenant ? `Keys of ${tenant}` : 'Keys of all tenants';
  view('Tenants and keys',
    h('section', {}, h('h2', {}, 'Tenants'), tenantForm, table('tenants', ['Tenant', 'Created', ''], tenantRows), tenantPager),
    keyForm,
    h('section', {}, h('h2', { id: 'keys-heading' }, shown), tenant ? h('p', {}, h('a', { href: '#/keys' }, 'Show every tenant\'s keys')) : '',
      table('keys', ['Tenant', 'Name', 'Prefix', 'Scopes', 'State'], keyRows), keyPager));
  try {
    const tenants = await api('GET', `/v1/admin/tenants${paged(tenantsAfter)}`);
    for (const t of tenants.tenants) {
      tenantRows.append(h('tr', {}, h('td', {}, t.id), h('td', {}, when(t.createdAt)),
        h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Show the keys of ${t.id}`,
          onclick: () => keysView(t.id) }, 'Keys'))));
    }
    nextPage(tenantPager, tenants, (next) => keysView(tenant, next, keysAfter));
    const keys = await api('GET', `/v1/admin/keys${paged(keysAfter, tenant ? { tenant } : {})}`);
    for (const k of keys.keys) {
      keyRows.append(h('tr', {}, h('td', {}, k.tenant), h('td', {}, k.name), h('td', {}, h('code', {}, k.prefix)),
        h('td', {}, k.scopes.join(' ')), h('td', {}, k.revokedAt ? `revoked ${when(k.revokedAt)}`
          : h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.prefix}`, onclick: async () => {
            try { await api('DELETE', `/v1/admin/keys/${k.id}`); say(`Revoked ${k.prefix}.`); keysView(tenant); } catch (e) { failed(e); }
          } }, 'Revoke'))));
    }
    if (!keys.keys.length) keyRows.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No keys.')));
    nextPage(keyPager, keys, (next) => keysView(tenant, tenantsAfter, next));
  } catch (e) { failed(e); }
}

/** GET /v1/cluster: colour, quorum, members, and each knowledge base's shard copies. */
export async function clusterView() {
  try {
    const c = await api('GET', '/v1/cluster');
    const members = h('tbody');
    for (const m of c.members ?? []) {
      members.append(h('tr', {}, h('td', {}, m.id, m.id === c.self ? ' (this node)' : ''), h('td', {}, m.host ?? ''),
        h('td', {}, m.httpPort ?? ''), h('td', {}, m.busPort ?? ''), h('td', {}, m.state ?? ''), h('td', {}, when(m.since))));
    }
    const kbs = h('tbody');
    for (const kb of c.kbs ?? []) {
      const shards = kb.shards ?? [];
      const owned = shards.reduce((n, s) => n + (s.owners ?? []).length, 0);
      const active = shards.reduce((n, s) => n + (s.active ?? []).length, 0);
      const loading = shards.reduce((n, s) => n + (s.loading ?? []).length, 0);
      const detail = shards.map((s) => `shard ${s.shard}: ${(s.active ?? []).length}/${(s.owners ?? []).length} active`
        + ((s.loading ?? []).length ? `, ${(s.loading ?? []).length} loading` : '')).join('; ');
      kbs.append(h('tr', {}, h('td', {}, kb.name), h('td', {}, kb.tenant), h('td', {}, shards.length),
        h('td', {}, `${active}/${owned}`), h('td', {}, loading), h('td', { class: 'muted' }, detail)));
    }
    if (!(c.kbs ?? []).length) kbs.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No knowledge bases.')));
    view('Cluster', h('section', {},
      h('p', { id: 'cluster-summary' }, h('span', { class: `colour ${c.status}`, id: 'cluster-status' }, c.status), ' · ',
        `${(c.members ?? []).length} member${(c.members ?? []).length === 1 ? '' : 's'} · quorum ${c.quorum ? 'yes' : 'no'}`,
        c.clustered ? '' : ' · not clustered (a single node)'),
      h('h2', {}, 'Members'), table('members', ['Member', 'Host', 'HTTP', 'Bus', 'State', 'Since'], members),
      h('h2', {}, 'Shard copies'), table('shards', ['Knowledge base', 'Tenant', 'Shards', 'Copies active/owned', 'Loading', 'Per shard'], kbs)),
    h('p', {}, h('button', { type: 'button', class: 'secondary', id: 'cluster-refresh', onclick: clusterView }, 'Refresh')));
  } catch (e) { failed(e); }
}
