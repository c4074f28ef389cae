// @ts-check
// The chat log: room messages, direct messages, files and system notices, newest at the bottom.
// Each entry is `<li data-testid="message" data-kind data-from>`; own messages carry a delivery
// status (data-status pending → delivered | failed) that send results update later.
import { formatBytes, formatTime, h, svg } from './dom.js';

/** @typedef {'room' | 'direct' | 'file'} Kind */
/** @typedef {{ name: string, type: string, data: Uint8Array }} FileData */
/**
 * A chat message: `from` its sender, `own` true for what we sent, `to` the receiver of a direct
 * message, `via` room | direct for files.
 * @typedef {object} ChatMessage
 * @property {Kind} kind
 * @property {string} from
 * @property {string} [text]
 * @property {boolean} [own]
 * @property {string} [to]
 * @property {'room' | 'direct'} [via]
 * @property {FileData} [file]
 * @property {boolean} [pending] shown as sending… until setStatus(); default: own
 */
/** @typedef {'pending' | 'delivered' | 'failed'} Status */

/**
 * @param {HTMLElement} listEl
 * @param {HTMLElement} emptyEl
 */
export function createMessagesView(listEl, emptyEl) {
  /** @type {string[]} Blob URLs we created, revoked on clear() so old downloads do not pin memory. */
  const blobUrls = [];

  /** Keeps the newest message in view unless the user scrolled up to read older ones. */
  function scrollToEnd() {
    if (listEl.dataset.follow !== '0') listEl.scrollTop = listEl.scrollHeight;
  }

  // Stop following the end while the user reads older messages; follow again once back at the end.
  listEl.addEventListener('scroll', () => {
    const atEnd = listEl.scrollHeight - listEl.scrollTop - listEl.clientHeight < 40;
    listEl.dataset.follow = atEnd ? '1' : '0';
  });

  // The list also shrinks when the composer grows (an error line appears): stay at the end then too.
  new ResizeObserver(scrollToEnd).observe(listEl);

  /** @param {HTMLLIElement} li */
  function append(li) {
    emptyEl.hidden = true;
    listEl.append(li);
    scrollToEnd();
    return li;
  }

  /** @param {ChatMessage} message */
  function addMessage({ kind, from, text = '', own = false, to, via, file, pending = own }) {
    const meta = h('div', { class: 'msg-meta' },
      h('span', { class: 'msg-from', text: own ? `${from} (you)` : from }),
      to ? h('span', { class: 'msg-to', text: `→ ${to}` }) : null,
      h('span', { class: `kind-tag kind-${kind}`, text: via && via !== kind ? `${kind} · ${via}` : kind }),
      h('time', { class: 'msg-time', text: formatTime() }),
      own ? h('span', { class: 'msg-status', 'aria-live': 'polite' }) : null,
    );
    const body = h('div', { class: 'msg-body' });
    if (file) body.append(fileBody(file, own));
    else body.textContent = text;

    const li = h('li', {
      class: `msg msg-${kind}${own ? ' msg-own' : ''}`,
      dataset: { testid: 'message', kind, from, ...(to ? { to } : {}), ...(via ? { via } : {}) },
    }, meta, body);
    if (own) setStatus(li, pending ? 'pending' : 'delivered');
    return append(li);
  }

  /**
   * A line from the demo itself (joins, leaves, errors).
   * @param {string} text
   * @param {'info' | 'warn' | 'error'} [level]
   */
  function addSystem(text, level = 'info') {
    const li = h('li', {
      class: `msg msg-system level-${level}`,
      dataset: { testid: 'message', kind: 'system', from: 'system', level },
    },
    h('time', { class: 'msg-time', text: formatTime() }),
    h('span', { class: 'msg-body', text }));
    return append(li);
  }

  /**
   * @param {FileData} file
   * @param {boolean} own
   */
  function fileBody(file, own) {
    // Received bytes are served as octet-stream whatever type the sender claimed: a peer-chosen
    // text/html blob opened in a tab would run in this page's origin.
    // (A cast: the bytes never live in a SharedArrayBuffer, which is all BlobPart rules out.)
    const blob = new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (file.data)], { type: own ? file.type || 'application/octet-stream' : 'application/octet-stream' });
    const url = URL.createObjectURL(blob);
    blobUrls.push(url);
    return h('div', { class: 'file-card' },
      fileIcon(),
      h('span', { class: 'file-label', text: `file: ${file.name} (${formatBytes(file.data.length)})` }),
      h('a', { class: 'file-link', href: url, download: file.name, dataset: { testid: 'file-link' }, text: 'Download' }),
    );
  }

  /** A document outline (inline SVG: emoji fonts are not installed everywhere). */
  function fileIcon() {
    return svg('svg', { class: 'file-icon', viewBox: '0 0 16 20', 'aria-hidden': 'true' },
      svg('path', { d: 'M2 1h8l4 4v14H2z', fill: 'none', 'stroke-width': '1.5', 'stroke-linejoin': 'round' }),
      svg('path', { d: 'M10 1v4h4M5 10h6M5 13h6M5 16h4', fill: 'none', 'stroke-width': '1.5' }));
  }

  /**
   * Marks one of our messages: 'pending' (sent, no result yet), 'delivered', or 'failed' with a reason.
   * @param {HTMLElement} li
   * @param {Status} status
   * @param {string} [reason]
   */
  function setStatus(li, status, reason) {
    li.dataset.status = status;
    const badge = li.querySelector('.msg-status');
    if (badge) {
      badge.textContent = status === 'pending' ? 'sending…' : status === 'delivered' ? '✓ delivered' : '✕ failed';
      badge.className = `msg-status status-${status}`;
    }
    if (status === 'failed') {
      li.append(h('div', { class: 'msg-error', dataset: { testid: 'send-error' }, text: `Not delivered: ${reason}` }));
      scrollToEnd();
    }
  }

  function clear() {
    listEl.replaceChildren();
    emptyEl.hidden = false;
    for (const url of blobUrls.splice(0)) URL.revokeObjectURL(url);
  }

  return { addMessage, addSystem, setStatus, clear };
}
