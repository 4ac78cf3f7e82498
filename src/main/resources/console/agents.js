// Agents and their runs: list agents, start a run and watch its events stream, open a run, approve or deny the calls
// a run waits on. Run events (step, tool_call, tool_result, token, done) are read with fetch like the chat's answer.
import { api, events, ApiError } from './api.js';
import { h, clear } from './dom.js';
import { view, say, failed, paged, nextPage, when, table } from './ui.js';

const enc = encodeURIComponent;

export async function agentsView(after) {
  const rows = h('tbody');
  const pager = h('div', { class: 'pager' });
  view('Agents', h('section', {}, table('agents', ['Name', 'Description', 'Kind', 'Tools', 'Approval'], rows), pager));
  try {
    const page = await api('GET', `/v1/agents${paged(after)}`);
    for (const a of page.agents) {
      rows.append(h('tr', {}, h('td', {}, h('a', { href: `#/agent/${enc(a.name)}` }, a.name)), h('td', {}, a.description ?? ''),
        h('td', {}, a.kind), h('td', {}, (a.tools ?? []).join(' ')), h('td', {}, (a.approval ?? []).join(' '))));
    }
    if (!page.agents.length) {
      rows.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No agents yet (POST /v1/agents, or agents: in the configuration).')));
    }
    nextPage(pager, page, agentsView);
  } catch (e) { failed(e); }
}

export async function agentView(name, after) {
  const input = h('textarea', { id: 'run-input', name: 'input', rows: 3, required: true });
  const start = h('button', { type: 'submit', id: 'start-run' }, 'Run');
  const live = liveRun();
  const runs = h('tbody');
  const pager = h('div', { class: 'pager' });
  const about = h('p', { class: 'muted' }, '…');
  const form = h('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    start.disabled = true;
    live.reset();
    try {
      await events('POST', `/v1/agents/${enc(name)}/runs`, { input: input.value, stream: true }, live.onEvent);
      await loadRuns(name, runs, pager);
    } catch (e) { failed(e); } finally { start.disabled = false; }
  } }, h('label', { for: 'run-input' }, `Run ${name} on`), input, h('p', {}, start));
  view(`Agent · ${name}`, about, form, live.element,
    h('section', {}, h('h2', {}, 'Runs'), table('runs', ['Run', 'Status', 'Input', 'Tokens', 'Started'], runs), pager));
  input.focus();
  try {
    const a = await api('GET', `/v1/agents/${enc(name)}`);
    about.textContent = `${a.description ?? ''} · ${a.kind} · tools: ${(a.tools ?? []).join(', ') || 'none'}`
      + ((a.approval ?? []).length ? ` · approval needed for: ${a.approval.join(', ')}` : '');
  } catch (e) { failed(e); }
  await loadRuns(name, runs, pager, after);
}

async function loadRuns(name, rows, pager, after) {
  clear(rows);
  clear(pager);
  try {
    const page = await api('GET', `/v1/agents/${enc(name)}/runs${paged(after)}`);
    for (const r of page.runs) {
      rows.append(h('tr', {}, h('td', {}, h('a', { href: `#/run/${enc(r.id)}` }, r.id.slice(0, 8))), h('td', {}, r.status),
        h('td', {}, r.input ?? ''), h('td', {}, r.usage?.totalTokens ?? ''), h('td', {}, when(r.createdAt))));
    }
    if (!page.runs.length) rows.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No runs yet.')));
    nextPage(pager, page, (next) => loadRuns(name, rows, pager, next));
  } catch (e) { failed(e); }
}

/** A section that shows a run's events as they arrive: the steps and calls in a list, the answer text below. */
function liveRun() {
  const list = h('ol', { id: 'run-events', class: 'events' });
  const output = h('div', { class: 'answer', id: 'run-output', 'aria-live': 'polite' });
  const state = h('p', { id: 'run-state', role: 'status' });
  const element = h('section', { 'aria-label': 'Run in progress' }, h('h2', {}, 'Events'), list, h('h2', {}, 'Output'), output, state);
  return {
    element,
    reset() { clear(list); clear(output); clear(state); },
    onEvent(name, data) {
      if (name === 'token') output.append(data.text);
      else if (name === 'tool_call') {
        list.append(h('li', {}, `calls ${data.tool} ${JSON.stringify(data.arguments ?? {})}`,
          data.approval ? h('strong', {}, ' — waits for approval') : ''));
      } else if (name === 'tool_result') {
        list.append(h('li', {}, `${data.tool} ${data.error ? `failed: ${data.error.message ?? data.error}` : 'answered'}`
          + (data.ms !== undefined ? ` in ${data.ms} ms` : '')));
      } else if (name === 'step') {
        list.append(h('li', { class: 'muted' }, `step ${data.index ?? ''}: ${data.type}${data.tool ? ` ${data.tool}` : ''}`
          + (data.ms !== undefined ? ` (${data.ms} ms)` : '')));
      } else if (name === 'done') {
        clear(state).append(`Run ${data.status}. `, h('a', { href: `#/run/${enc(data.id)}`, id: 'open-run' },
          data.status === 'waiting_approval' ? 'Review the pending calls' : 'Open the run'));
        if (data.output && !output.textContent) output.append(data.output);
        say(`Run ${data.status}.`, data.status === 'failed');
      } else if (name === 'error') throw new ApiError(data?.error?.status ?? 500, data);
    },
  };
}

export async function runView(id) {
  try {
    const run = await api('GET', `/v1/runs/${enc(id)}`);
    const steps = h('tbody');
    for (const s of run.steps ?? []) {
      steps.append(h('tr', {}, h('td', {}, s.type), h('td', {}, s.tool ?? ''),
        h('td', {}, s.error ? `error: ${s.error.message ?? JSON.stringify(s.error)}` : s.result !== undefined ? String(s.result).slice(0, 200) : ''),
        h('td', {}, s.ms ?? '')));
    }
    const live = liveRun();
    const decision = h('div', {});
    if (run.status === 'waiting_approval') decision.append(pendingCalls(run, live));
    view(`Run · ${run.agent}`, h('section', {},
      h('p', {}, h('strong', {}, 'Status: '), h('span', { id: 'run-status' }, run.status),
        ` · ${run.usage?.totalTokens ?? 0} tokens · $${(run.costUsd ?? 0).toFixed(4)}`),
      run.input !== undefined ? h('p', {}, h('strong', {}, 'Input: '), run.input ?? '') : '',
      h('p', {}, h('strong', {}, 'Output: '), h('span', { id: 'run-final' }, run.output ?? '')),
      run.error ? h('p', { class: 'error' }, `${run.error.code}: ${run.error.message}`) : '',
      table('run-steps', ['Step', 'Tool', 'Result', 'ms'], steps)), decision,
    h('p', {}, h('a', { href: `#/agent/${enc(run.agent)}` }, `Back to ${run.agent}`)));
  } catch (e) { failed(e); }
}

/** The calls a paused run waits on, with Approve (the run goes on, its events stream in) and Deny (with a reason). */
function pendingCalls(run, live) {
  const rows = h('tbody');
  for (const p of run.pending ?? []) {
    rows.append(h('tr', {}, h('td', {}, p.tool), h('td', {}, h('code', {}, JSON.stringify(p.arguments ?? {})))));
  }
  const reason = h('input', { type: 'text', id: 'deny-reason', name: 'reason' });
  const approve = h('button', { type: 'button', id: 'approve', onclick: async () => {
    approve.disabled = true; deny.disabled = true;
    live.reset();
    try {
      await events('POST', `/v1/runs/${enc(run.id)}/approve`, { stream: true }, live.onEvent);
    } catch (e) { failed(e); }
    await refreshAfter(run.id, live);
  } }, 'Approve');
  const deny = h('button', { type: 'button', id: 'deny', class: 'danger', onclick: async () => {
    approve.disabled = true; deny.disabled = true;
    try {
      const done = await api('POST', `/v1/runs/${enc(run.id)}/reject`, reason.value.trim() ? { reason: reason.value.trim() } : {});
      say(`Run ${done.status}.`);
    } catch (e) { failed(e); }
    await refreshAfter(run.id, live);
  } }, 'Deny');
  return h('section', { class: 'card', 'aria-label': 'Waiting for approval' }, h('h2', {}, 'Waiting for approval'),
    table('pending', ['Tool', 'Arguments'], rows),
    h('div', { class: 'row' }, h('div', { class: 'grow' }, h('label', { for: 'deny-reason' }, 'Reason (when denying)'), reason),
      approve, deny), live.element);
}

/** Shows the run as stored once the decision's stream ended, keeping the streamed events above it. */
async function refreshAfter(id, live) {
  const kept = live.element;
  await runView(id);
  if (!document.getElementById('run-events')) document.getElementById('main').append(kept);
}
