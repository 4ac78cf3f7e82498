// What every view shares: the status line, the page frame and paging parameters.
import { ApiError } from './api.js';
import { h, clear, append } from './dom.js';

export const PAGE = 20;

const main = () => document.getElementById('main');

export function say(message, isError = false) {
  const status = document.getElementById('status');
  status.textContent = message;
  status.className = isError ? 'error' : '';
}

export function failed(e) {
  say(e instanceof ApiError ? `${e.message} (${e.code ?? e.status}, request ${e.requestId ?? '-'})` : String(e), true);
}

/** Replaces the page with a title and children, and moves focus to it (for screen readers and keyboard users). */
export function view(title, ...children) {
  clear(main());
  document.title = `${title} · Ganglion`;
  append(main(), [h('h1', {}, title), ...children]);
  main().focus();
}

/** `?limit=PAGE[&after=…]` plus extra parameters. */
export function paged(after, extra = {}) {
  const query = new URLSearchParams({ limit: String(PAGE), ...extra });
  if (after) query.set('after', after);
  return `?${query}`;
}

/** A "Next page" button in pager when the page says there is one. */
export function nextPage(pager, page, open) {
  if (page.next) pager.append(h('button', { type: 'button', class: 'secondary', onclick: () => open(page.next) }, 'Next page'));
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

export function table(id, headings, body) {
  return h('table', { id }, h('thead', {}, h('tr', {}, headings.map((t) => h('th', {}, t)))), body);
}
