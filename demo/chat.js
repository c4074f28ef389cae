// @ts-check
// Sending and receiving: room chat, direct messages and files, plus the send results that turn
// an own message from "sending…" into "delivered" or "failed: <reason>".
import { errorText, formatBytes } from './dom.js';
import { decodeFile, encodeFile, encodedSize } from './file-codec.js';

/** @typedef {import('./app-types.js').App} App */
/** @typedef {import('./app-types.js').RTSRoom} RTSRoom */
/** @typedef {'room' | 'user'} Scope where a send result comes from: a room broadcast, or a message to one user */
/** @typedef {{ li: HTMLLIElement, scope: Scope }} Pending */

/** Results that arrived before the send call returned its id (an SDK may report synchronously). */
const MAX_UNCLAIMED = 256;

/** @param {App} app */
export function createChat(app) {
  const { el, codes } = app;
  const messages = app.views.messages;
  /** @type {Map<number, Pending>} msgId → the message on screen; one id sequence per engine, so one map is enough. */
  const pending = new Map();
  /** @type {Map<number, number>} msgId → result code */
  const unclaimed = new Map();

  /**
   * Remembers a sent message until its result arrives; a negative id means the call was refused.
   * @param {number} id
   * @param {HTMLLIElement} li
   * @param {Scope} scope
   */
  function track(id, li, scope) {
    if (typeof id !== 'number' || !Number.isFinite(id)) {
      messages.setStatus(li, 'failed', `the SDK returned ${String(id)} instead of a message id`);
      return;
    }
    if (id < 0) {
      messages.setStatus(li, 'failed', codes.callError(id));
      return;
    }
    const code = unclaimed.get(id);
    if (code !== undefined) {
      unclaimed.delete(id);
      settle({ li, scope }, code);
      return;
    }
    pending.set(id, { li, scope });
  }

  /**
   * @param {Pending} sent
   * @param {number} code
   */
  function settle({ li, scope }, code) {
    const ok = scope === 'room' ? code === 200 : code === 0;
    const reason = scope === 'room' ? codes.roomSendResult(code) : codes.userSendResult(code);
    messages.setStatus(li, ok ? 'delivered' : 'failed', reason);
  }

  /**
   * onRoomMessageSendResult / onUserMessageSendResult / onMessageSendResult.
   * @param {number} msgId
   * @param {number} code
   */
  function onSendResult(msgId, code) {
    const entry = pending.get(msgId);
    if (!entry) {
      unclaimed.set(msgId, code);
      const oldest = unclaimed.keys().next();
      if (unclaimed.size > MAX_UNCLAIMED && !oldest.done) unclaimed.delete(oldest.value);
      return;
    }
    pending.delete(msgId);
    settle(entry, code);
  }

  function sendRoomText() {
    const text = el.chatInput.value;
    if (!text.trim()) return;
    if (!app.room || app.roomPhase !== 'joined') {
      messages.addSystem('Join a room before sending room messages.', 'warn');
      return;
    }
    const id = app.room.sendRoomMessage(text);
    // The sender is not among the receivers of a broadcast (SPEC §9), so show it here.
    const li = messages.addMessage({ kind: 'room', from: app.uid ?? '', text, own: true });
    track(id, li, 'room');
    el.chatInput.value = '';
    el.chatInput.focus();
  }

  /** The uid in the direct-message field, or null after telling the user what is wrong. */
  function directTarget() {
    const target = el.dmTarget.value.trim();
    if (!target) {
      messages.addSystem('Enter the user id to send a direct message to.', 'warn');
      el.dmTarget.focus();
      return null;
    }
    if (!codes.isValidId(target)) {
      messages.addSystem(`"${target}" is not a valid user id (1–128 of A–Z a–z 0–9 _ @ . -).`, 'error');
      return null;
    }
    return target;
  }

  function sendDirectText() {
    const text = el.dmInput.value;
    if (!text.trim() || !app.rts || !app.loggedIn) return;
    const target = directTarget();
    if (!target) return;
    const id = app.rts.sendMessage(target, text);
    const li = messages.addMessage({ kind: 'direct', from: app.uid ?? '', to: target, text, own: true });
    track(id, li, 'user');
    el.dmInput.value = '';
    el.dmInput.focus();
  }

  /**
   * `short` next to the file picker, `text` (the full explanation) in the chat log.
   * @param {string} text
   * @param {string} [short]
   */
  function fileError(text, short = text) {
    el.fileError.textContent = short;
    el.fileError.hidden = false;
    messages.addSystem(text, 'error');
  }

  /** Sends the chosen file as one binary message, to the room or to the direct target. */
  async function sendFile() {
    const file = el.fileInput.files?.[0];
    el.fileError.hidden = true;
    if (!file) return;
    try {
      if (!app.rts || !app.loggedIn) return fileError('Log in before sending a file.');
      const toRoom = el.fileTarget.value === 'room';
      if (toRoom && (!app.room || app.roomPhase !== 'joined')) {
        return fileError('Join a room to send a file to it, or choose "to the direct target".');
      }
      const target = toRoom ? null : directTarget();
      if (!toRoom && !target) return;
      const type = file.type || 'application/octet-stream';
      const size = encodedSize(file.name, type, file.size);
      if (size > codes.maxMessageBytes) {
        return fileError(
          `File too large: "${file.name}" is ${formatBytes(file.size)} (${file.size.toLocaleString('en')} bytes). ` +
          `A message carries at most 64 KiB (${codes.maxMessageBytes.toLocaleString('en')} bytes), ` +
          `including ${size - file.size} bytes of file header. Nothing was sent.`,
          `File too large: ${formatBytes(file.size)}, the limit is 64 KiB per message. Nothing was sent.`,
        );
      }
      const data = new Uint8Array(await file.arrayBuffer());
      const bytes = encodeFile(file.name, type, data);
      const id = toRoom ? /** @type {RTSRoom} */ (app.room).sendRoomBinaryMessage(bytes) : app.rts.sendBinaryMessage(/** @type {string} */ (target), bytes);
      const li = messages.addMessage({
        kind: 'file', from: app.uid ?? '', own: true, to: target ?? undefined, via: toRoom ? 'room' : 'direct',
        file: { name: file.name, type, data },
      });
      track(id, li, toRoom ? 'room' : 'user');
    } catch (err) {
      fileError(`Could not send "${file.name}": ${errorText(err)}`);
    } finally {
      // Lets the same file be picked again (a change event needs a new value).
      el.fileInput.value = '';
    }
  }

  /**
   * @param {'room' | 'direct'} kind
   * @param {string} from
   * @param {string} text
   */
  function receivedText(kind, from, text) {
    messages.addMessage({ kind, from, text: String(text) });
  }

  /**
   * @param {'room' | 'direct'} via where the binary message came from
   * @param {string} from
   * @param {Uint8Array} bytes
   */
  function receivedBinary(via, from, bytes) {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const file = decodeFile(data);
    messages.addMessage({ kind: 'file', from, via, file });
  }

  /** Forgets results still awaited (the engine that would report them is gone). */
  function reset() {
    for (const { li } of pending.values()) messages.setStatus(li, 'failed', 'logged out before a result arrived');
    pending.clear();
    unclaimed.clear();
  }

  return { sendRoomText, sendDirectText, sendFile, onSendResult, receivedText, receivedBinary, reset };
}
