// @ts-check
// One room at a time: join, leave, the room's callbacks, and the member list they keep current.
import { errorText } from './dom.js';

/** @typedef {import('./app-types.js').App} App */
/** @typedef {import('./app-types.js').Chat} Chat */
/** @typedef {import('./app-types.js').PeerLinkState} PeerLinkState */
/** @typedef {import('/rtsmesh.js').RTSRoomEventHandler} RTSRoomEventHandler */

/**
 * What a room error means for the person looking at the page (codes: SPEC §4).
 * @type {Record<string, string>}
 */
const ROOM_ERROR_HINT = {
  '-1000': 'the token is not valid',
  '-1001': 'joining failed',
  '-1004': 'this user joined the room from another session',
  '-1006': 'kicked by the app server',
  '-1007': 'the room id is not valid',
  '-1009': 'the token expired',
  '-1011': 'the app server dismissed the room',
  '-1013': 'this room already exists in this engine',
  '-1014': 'all rooms of an engine must use the same user id',
  '-1084': 'the server reported an abnormal state',
  '-2001': 'joining failed, retrying',
  '-2011': 'sent while not in the room',
};

/**
 * @param {App} app
 * @param {Chat} chat
 */
export function createRoomController(app, chat) {
  const { el, codes, views } = app;
  /** @type {object | null} Identifies the current room's callbacks; callbacks of a room we left are ignored. */
  let roomToken = null;

  /** @param {number} code */
  function describe(code) {
    const hint = ROOM_ERROR_HINT[String(code)];
    return hint ? `${codes.roomError(code)} — ${hint}` : codes.roomError(code);
  }

  function join() {
    if (!app.rts || !app.loggedIn || app.room) return;
    const roomId = el.roomInput.value.trim();
    if (!codes.isValidId(roomId)) {
      views.messages.addSystem(`"${roomId}" is not a valid room id (1–128 of A–Z a–z 0–9 _ @ . -).`, 'error');
      el.roomInput.focus();
      return;
    }
    let room;
    try {
      room = app.rts.createRoom(roomId);
    } catch (err) {
      views.messages.addSystem(`Could not create room ${roomId}: ${errorText(err)}`, 'error');
      return;
    }
    // A refused createRoom is explained by onCreateRoomStateChanged (see session.js).
    if (!room) return;

    const token = {};
    roomToken = token;
    app.room = room;
    app.roomId = roomId;
    app.roomPhase = 'joining';
    room.setRTSRoomDelegate(roomHandlers(token, roomId));
    app.refresh();
    // The result comes in onRoomStateChanged; a negative return means the call was refused.
    const refused = room.joinRoom();
    if (refused < 0) {
      views.messages.addSystem(`Could not join room ${roomId}: ${codes.callError(refused)}`, 'error');
      close();
    }
  }

  /** Leaves the room (user action): the others see us leave at once (Quit). */
  function leave() {
    if (!app.room) return;
    const roomId = app.roomId;
    close();
    views.messages.addSystem(`You left room ${roomId}.`);
  }

  /** Forgets the room locally and releases it in the SDK, so the same id can be joined again. */
  function close() {
    const room = app.room;
    roomToken = null;
    app.room = null;
    app.roomId = null;
    app.roomPhase = 'none';
    views.members.clear();
    if (room) {
      try { room.leaveRoom(); } catch { /* already gone: nothing to undo */ }
      try { room.destroy(); } catch { /* idem */ }
    }
    app.refresh();
  }

  /**
   * @param {object} token
   * @param {string} roomId
   * @returns {RTSRoomEventHandler}
   */
  function roomHandlers(token, roomId) {
    /**
     * Every callback checks it still belongs to the room on screen.
     * @template {unknown[]} A
     * @param {(...args: A) => void} fn
     * @returns {(...args: A) => void}
     */
    const live = (fn) => (...args) => { if (roomToken === token) fn(...args); };
    return {
      onRoomStateChanged: live((_roomId, uid, state, extraInfoJson) => {
        if (state === 0) {
          /** @type {{ join_type?: number, elapsed?: number }} */
          let info = {};
          try { info = JSON.parse(extraInfoJson || '{}'); } catch { /* shown without details */ }
          const rejoin = info.join_type === 1;
          const wasJoined = app.roomPhase === 'joined';
          app.roomPhase = 'joined';
          views.members.setSelf(uid || app.uid);
          if (rejoin) views.messages.addSystem(`Rejoined room ${roomId} after reconnecting.`);
          else if (!wasJoined) {
            const elapsed = typeof info.elapsed === 'number' ? ` in ${Math.round(info.elapsed)} ms` : '';
            views.messages.addSystem(`You joined room ${roomId}${elapsed}.`);
          }
          app.refresh();
          return;
        }
        if (codes.isRoomWarning(state)) {
          views.messages.addSystem(`Room ${roomId}: ${describe(state)}.`, 'warn');
          return;
        }
        views.messages.addSystem(`Room ${roomId}: ${describe(state)}. You are no longer in the room.`, 'error');
        close();
      }),
      onUserJoined: live((userInfo) => {
        const uid = userInfo?.uid;
        if (!uid || uid === app.uid) return;
        const path = app.linkStates.get(uid) ?? 'relay';
        if (views.members.upsert(uid, userInfo.extraInfo ?? '', path)) {
          views.messages.addSystem(`${uid} joined the room.`);
        }
        app.refresh();
      }),
      onUserLeave: live((uid, reason) => {
        if (!views.members.remove(uid)) return;
        const why = codes.offlineReason(reason);
        views.messages.addSystem(`${uid} left the room (${why}).`);
        app.refresh();
      }),
      onRoomMessageReceived: live((uid, text) => chat.receivedText('room', uid, text)),
      onRoomBinaryMessageReceived: live((uid, bytes) => chat.receivedBinary('room', uid, bytes)),
      onUserMessageReceived: live((uid, text) => chat.receivedText('direct', uid, text)),
      onUserBinaryMessageReceived: live((uid, bytes) => chat.receivedBinary('direct', uid, bytes)),
      // Results are keyed by the engine's message id: still wanted after leaving the room.
      onRoomMessageSendResult: (msgId, code) => chat.onSendResult(msgId, code),
      onUserMessageSendResult: (msgId, code) => chat.onSendResult(msgId, code),
    };
  }

  /**
   * A path change for `uid` (engine-wide): update the member's badge if they are in the room.
   * @param {string} uid
   * @param {PeerLinkState} path
   */
  function setPath(uid, path) {
    views.members.setPath(uid, path);
  }

  /**
   * Where messages to `uid` really go (direct / via TURN / via server), from getPeerLinkStats.
   * @param {string} uid
   * @param {import('./members-view.js').Route} route
   */
  function setRoute(uid, route) {
    views.members.setRoute(uid, route);
  }

  return { join, leave, close, setPath, setRoute };
}
