// Ganglion console: plain ES modules served from the jar. Views are rebuilt from the hash route; every text that
// comes from the server is inserted as text (dom.js), and the page's CSP forbids inline script.
import { api, events, session, ApiError } from './api.js';
import { h, clear, highlighted } from './dom.js';
import { view, say, failed, paged, nextPage, when, table } from './ui.js';
import { agentsView, agentView, runView } from './agents.js';
import { keysView, clusterView } from './admin.js';

// ---- sign in

function signIn(message) {
  document.getElementById('nav').hidden = true;
  const input = h('input', { type: 'password', id: 'key', name: 'key', autocomplete: 'off', required: true });
  const form = h('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    session.set(input.value.trim());
    try {
      const who = await api('GET', '/v1/me');
      me = { key: session.key(), admin: who.scopes.includes('admin') };
      say('Signed in.');
      location.hash = '#/kbs';
      route();
    } catch (e) {
      session.clear();
      failed(e);
    }
  } }, h('label', { for: 'key' }, 'API key'), input, h('p', { class: 'muted' },
    'The key stays in this tab (sessionStorage) and is sent only in the Authorization header.'),
  h('button', { type: 'submit', id: 'sign-in' }, 'Sign in'));
  view('Sign in', form);
  if (message) say(message, true);
  input.focus();
}

// ---- knowledge bases

async function kbsView(after) {
  const list = h('tbody');
  const pager = h('div', { class: 'pager' });
  const name = h('input', { type: 'text', id: 'kb-name', name: 'name', pattern: '[a-z0-9][a-z0-9_\\-]{0,62}', required: true });
  const create = h('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api('POST', '/v1/kbs', { name: name.value.trim() });
      say(`Created ${name.value.trim()}.`);
      kbsView();
    } catch (e) { failed(e); }
  } }, h('div', { class: 'row' }, h('div', { class: 'grow' }, h('label', { for: 'kb-name' }, 'New knowledge base'), name),
    h('button', { type: 'submit', id: 'create-kb' }, 'Create')));
  view('Knowledge bases', create, h('section', {}, h('table', {},
    h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Documents'), h('th', {}, 'Chunks'), h('th', {}, 'Created'),
      h('th', {}, h('span', { class: 'muted' }, 'Actions')))), list), pager));
  try {
    const page = await api('GET', `/v1/kbs${paged(after)}`);
    for (const kb of page.kbs) {
      const docs = h('td', {}, '…');
      const chunks = h('td', {}, '…');
      list.append(h('tr', {}, h('td', {}, h('a', { href: `#/kb/${encodeURIComponent(kb.name)}` }, kb.name)), docs, chunks,
        h('td', {}, new Date(kb.createdAt).toLocaleString()),
        h('td', {}, h('a', { href: `#/kb/${encodeURIComponent(kb.name)}/chat` }, 'Chat'), ' ',
          h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${kb.name}`, onclick: async () => {
            if (!confirm(`Delete ${kb.name} and all its documents?`)) return;
            try { await api('DELETE', `/v1/kbs/${encodeURIComponent(kb.name)}`); say(`Deleted ${kb.name}.`); kbsView(); }
            catch (e) { failed(e); }
          } }, 'Delete'))));
      api('GET', `/v1/kbs/${encodeURIComponent(kb.name)}`).then((d) => {
        docs.textContent = d.documents; chunks.textContent = d.chunks;
      }).catch(() => { docs.textContent = '?'; chunks.textContent = '?'; });
    }
    if (!page.kbs.length) list.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No knowledge bases yet.')));
    nextPage(pager, page, kbsView);
  } catch (e) { failed(e); }
}

async function kbView(kb, after) {
  const counts = h('p', { class: 'muted' }, '…');
  const docs = h('tbody');
  const pager = h('div', { class: 'pager' });
  const files = h('input', { type: 'file', id: 'files', name: 'files', multiple: true, accept: '.txt,.md,.markdown,.html,.htm,.pdf' });
  const progress = h('progress', { id: 'upload-progress', max: 1, value: 0, 'aria-label': 'Upload progress' });
  const progressText = h('span', { id: 'upload-status', role: 'status' });
  const refresh = () => loadDocuments(kb, counts, docs, pager, after);
  const upload = h('form', { class: 'card', onsubmit: (event) => { event.preventDefault(); uploadFiles(kb, [...files.files], progress, progressText, refresh); } },
    h('label', { for: 'files' }, 'Upload documents (.txt .md .html .pdf)'), files,
    h('p', {}, h('button', { type: 'submit', id: 'upload' }, 'Upload')), progress, progressText);
  view(kb, counts, h('p', {}, h('a', { href: `#/kb/${encodeURIComponent(kb)}/chat`, id: 'open-chat' }, 'Chat with this knowledge base')),
    upload, h('section', {}, h('h2', {}, 'Documents'), h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Id'),
      h('th', {}, 'Title'), h('th', {}, 'Chunks'), h('th', {}, 'Updated'))), docs), pager));
  await refresh();
}

async function loadDocuments(kb, counts, docs, pager, after) {
  clear(docs);
  clear(pager);
  try {
    const d = await api('GET', `/v1/kbs/${encodeURIComponent(kb)}`);
    counts.textContent = `${d.documents} documents, ${d.chunks} chunks, ${d.pending} pending`;
    const page = await api('GET', `/v1/kbs/${encodeURIComponent(kb)}/documents${paged(after)}`);
    for (const doc of page.documents) {
      docs.append(h('tr', {}, h('td', {}, h('a', { href: `#/kb/${encodeURIComponent(kb)}/doc/${encodeURIComponent(doc.id)}` }, doc.id)),
        h('td', {}, doc.title ?? ''), h('td', {}, doc.chunks), h('td', {}, new Date(doc.updatedAt).toLocaleString())));
    }
    if (!page.documents.length) docs.append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No documents yet.')));
    nextPage(pager, page, (next) => kbView(kb, next));
  } catch (e) { failed(e); }
}

/** Uploads in batches within the server's limits; a 202 job's progress comes from its event stream. */
async function uploadFiles(kb, files, progress, label, refresh) {
  if (!files.length) { say('Choose files first.', true); return; }
  const limits = await api('GET', '/v1/limits');
  progress.max = files.length;
  progress.value = 0;
  let done = 0;
  const failures = [];
  const batches = [];
  let batch = [];
  let bytes = 0;
  for (const file of files) {
    if (batch.length && (batch.length >= limits.maxDocumentsPerRequest || bytes + file.size > limits.bodyLimitBytes * 0.9)) {
      batches.push(batch); batch = []; bytes = 0;
    }
    batch.push(file); bytes += file.size;
  }
  if (batch.length) batches.push(batch);
  const show = () => { progress.value = done; label.textContent = `${done} of ${files.length} files`; };
  show();
  try {
    for (const part of batches) {
      const form = new FormData();
      part.forEach((file) => form.append('file', file, file.name));
      const response = await fetch(`/v1/kbs/${encodeURIComponent(kb)}/documents`, {
        method: 'POST', headers: { Authorization: `Bearer ${session.key()}` }, body: form });
      const body = await response.json();
      if (response.status === 202) {
        const start = done;
        for (const r of body.rejected ?? []) failures.push(`${r.id}: ${r.error?.message}`);
        await events('GET', `/v1/jobs/${body.job.id}/events`, undefined, (name, job) => {
          done = start + (body.rejected?.length ?? 0) + job.done + job.failed;
          show();
        });
        const job = await api('GET', `/v1/jobs/${body.job.id}`);
        for (const r of job.errors ?? []) failures.push(`${r.id}: ${r.error?.message}`);
        done = start + part.length;
      } else {
        for (const r of body.documents ?? []) if (r.status === 'failed') failures.push(`${r.id}: ${r.error?.message}`);
        if (!response.ok && !body.documents) throw new ApiError(response.status, body);
        done += part.length;
      }
      show();
    }
    label.textContent = `Done: ${files.length - failures.length} of ${files.length} files indexed.`
      + (failures.length ? ` Failed: ${failures.join('; ')}` : '');
    await refresh();
    say(label.textContent, failures.length > 0);
  } catch (e) { failed(e); }
}

async function documentView(kb, id, start, end) {
  view(id);
  try {
    const doc = await api('GET', `/v1/kbs/${encodeURIComponent(kb)}/documents/${encodeURIComponent(id)}`);
    const text = h('div', { class: 'passage', id: 'document-text', tabindex: 0 });
    if (start !== undefined && end !== undefined) text.append(highlighted(doc.text, start, end));
    else text.append(doc.text);
    view(doc.title ?? doc.id, h('p', { class: 'muted' }, `${doc.id} · ${doc.contentType ?? ''} · ${doc.chunks.length} chunks`),
      text, h('p', {}, h('a', { href: `#/kb/${encodeURIComponent(kb)}` }, `Back to ${kb}`)));
    document.getElementById('cited')?.scrollIntoView({ block: 'center' });
  } catch (e) { failed(e); }
}

// ---- chat

function chatView(kb) {
  const question = h('textarea', { id: 'question', name: 'question', rows: 2, required: true });
  const answer = h('div', { class: 'answer', id: 'answer', 'aria-live': 'polite' });
  const citations = h('ol', { class: 'citations', id: 'citations' });
  const meta = h('p', { class: 'muted', id: 'answer-meta' });
  const ask = h('button', { type: 'submit', id: 'ask' }, 'Ask');
  const form = h('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    clear(answer); clear(citations); meta.textContent = '';
    ask.disabled = true;
    try {
      let final = null;
      await events('POST', `/v1/kbs/${encodeURIComponent(kb)}/ask`, { question: question.value, stream: true }, (name, data) => {
        if (name === 'token') answer.append(data.text);
        else if (name === 'citation') citations.append(citation(kb, data));
        else if (name === 'done') final = data;
        else if (name === 'error') throw new ApiError(500, data);
      });
      if (final) {
        meta.append(`${final.generator}${final.abstained ? ' · abstained' : ''} · `,
          h('a', { href: `#/trace/${final.traceId}`, id: 'trace-link' }, 'trace'));
      }
    } catch (e) { failed(e); } finally { ask.disabled = false; }
  } }, h('label', { for: 'question' }, `Ask ${kb}`), question, h('p', {}, ask));
  question.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  view(`Chat · ${kb}`, form, h('h2', {}, 'Answer'), answer, h('h2', {}, 'Sources'), citations, meta);
  question.focus();
}

function citation(kb, c) {
  return h('li', { value: c.n }, h('a', { href: `#/kb/${encodeURIComponent(kb)}/doc/${encodeURIComponent(c.documentId)}/${c.start}/${c.end}`,
    class: 'citation' }, c.title ?? c.documentId), ' ', h('span', { class: 'muted' }, `“${c.quote}”`));
}

async function tracesView(after) {
  const rows = h('tbody');
  const pager = h('div', { class: 'pager' });
  view('Traces', h('section', {}, table('traces', ['Question', 'Knowledge base', 'Outcome', 'ms', 'When'], rows), pager));
  try {
    const page = await api('GET', `/v1/traces${paged(after)}`);
    for (const t of page.traces) {
      rows.append(h('tr', {}, h('td', {}, h('a', { href: `#/trace/${encodeURIComponent(t.id)}` }, t.question)), h('td', {}, t.kb),
        h('td', {}, t.outcome), h('td', {}, t.latencyMs), h('td', {}, when(t.createdAt))));
    }
    if (!page.traces.length) rows.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No answers traced yet.')));
    nextPage(pager, page, tracesView);
  } catch (e) { failed(e); }
}

async function traceView(id) {
  try {
    const t = await api('GET', `/v1/traces/${encodeURIComponent(id)}`);
    const steps = h('tbody');
    for (const s of t.steps) steps.append(h('tr', {}, h('td', {}, s.name), h('td', {}, s.status), h('td', {}, s.ms ?? '')));
    view('Trace', h('section', {}, h('p', {}, h('strong', {}, 'Question: '), t.question),
      h('p', {}, h('strong', {}, 'Outcome: '), `${t.outcome} · ${t.generator ?? ''} · ${t.latencyMs} ms`),
      h('table', { id: 'trace-steps' }, h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, 'Status'), h('th', {}, 'ms'))), steps)),
      h('p', {}, h('a', { href: `#/kb/${encodeURIComponent(t.kb)}/chat` }, `Back to chat with ${t.kb}`)));
  } catch (e) { failed(e); }
}

// ---- routing

// the admin views are linked only for a credential that holds `admin` (GET /v1/me), asked once per key
let me = { key: null, admin: false };
async function adminLinks() {
  const key = session.key();
  if (me.key !== key) {
    me = { key, admin: false };
    try { me.admin = (await api('GET', '/v1/me')).scopes.includes('admin'); } catch (e) { /* the view's own call says why */ }
  }
  for (const id of ['nav-keys', 'nav-cluster']) document.getElementById(id).hidden = !me.admin;
  document.getElementById('nav').dataset.admin = String(me.admin);
}

function route() {
  if (!session.key()) { signIn(); return; }
  document.getElementById('nav').hidden = false;
  adminLinks();
  say('');
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  switch (parts[0]) {
    case 'kb':
      if (parts[2] === 'chat') chatView(parts[1]);
      else if (parts[2] === 'doc') documentView(parts[1], parts[3], parts[4] && Number(parts[4]), parts[5] && Number(parts[5]));
      else kbView(parts[1]);
      break;
    case 'trace': traceView(parts[1]); break;
    case 'traces': tracesView(); break;
    case 'agents': agentsView(); break;
    case 'agent': agentView(parts[1]); break;
    case 'run': runView(parts[1]); break;
    case 'keys': keysView(); break;
    case 'cluster': clusterView(); break;
    default: kbsView();
  }
}

// a #key= fragment signs in once and leaves the address bar (and the history) at once
if (location.hash.startsWith('#key=')) {
  session.set(decodeURIComponent(location.hash.slice(5)));
  history.replaceState(null, '', location.pathname + '#/kbs');
}
document.getElementById('sign-out').addEventListener('click', () => { session.clear(); location.hash = ''; signIn(); });
window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (event) => failed(event.reason));
route();
