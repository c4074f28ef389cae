// @ts-check
// Small DOM helpers shared by the demo's views. No framework: the page is small enough that
// building elements by hand stays readable, and nothing has to be fetched or compiled.

/**
 * The element with `data-testid="id"` — the same hooks the e2e tests use, so the code and the
 * tests agree — checked to be a `type` (e.g. HTMLInputElement), so its type is known here too.
 * @template {Element} T
 * @param {string} id
 * @param {{ new (): T, prototype: T }} type
 * @param {ParentNode} [root]
 * @returns {T}
 */
export function byTestId(id, type, root = document) {
  const found = root.querySelector(`[data-testid="${id}"]`);
  if (!found) throw new Error(`demo: element data-testid="${id}" is missing from index.html`);
  if (!(found instanceof type)) throw new Error(`demo: element data-testid="${id}" is not a ${type.name}`);
  return found;
}

/**
 * `attrs` of h() and svg(): `class`, `text`, `dataset` (object), `on` (event → listener),
 * anything else becomes an attribute (false/null/undefined are skipped).
 * @typedef {Record<string, unknown> & { dataset?: Record<string, string>, on?: Record<string, EventListener> }} Attrs
 */
/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * Creates an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Same as h() for SVG elements (they need the SVG namespace).
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  applyAttrs(el, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * @param {HTMLElement | SVGElement} el
 * @param {Attrs} attrs
 */
function applyAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, attrs.dataset);
    else if (key === 'on') for (const [event, fn] of Object.entries(attrs.on ?? {})) el.addEventListener(event, fn);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

/**
 * 14:03:27 — messages in a live chat only need the time of day.
 * @param {Date} [date]
 */
export function formatTime(date = new Date()) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/**
 * 512 B, 12.3 KiB, 1.5 MiB.
 * @param {number} n
 */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Calls `fn` when Enter is pressed in `input` (without Shift), so every form works from the keyboard.
 * @param {HTMLElement} input
 * @param {() => void} fn
 */
export function onEnter(input, fn) {
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      fn();
    }
  });
}

/**
 * Shows `el` (removes `hidden`) when `visible`, hides it otherwise.
 * @param {HTMLElement} el
 * @param {boolean} visible
 */
export function show(el, visible) {
  el.hidden = !visible;
}

/**
 * The message of whatever a failed call threw or rejected with.
 * @param {unknown} err
 */
export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}
