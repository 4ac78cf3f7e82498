// DOM building with text only: untrusted strings (documents, chunks, model output) never become HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** The text with [start, end) marked, as text nodes and a <mark>. */
export function highlighted(text, start, end) {
  const frag = document.createDocumentFragment();
  frag.append(document.createTextNode(text.slice(0, start)));
  const mark = h('mark', { id: 'cited' }, text.slice(start, end));
  frag.append(mark, document.createTextNode(text.slice(end)));
  return frag;
}
