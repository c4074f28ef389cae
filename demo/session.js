// @ts-check
// The engine's life: dev token → createRTS → login, the engine callbacks, logout, online-status
// lookups and the relay-only switch. One engine per login; a new login makes a new engine.
import { errorText } from './dom.js';
import { routeOf } from './members-view.js';

/** @typedef {import('./app-types.js').App} App */
/** @typedef {import('./app-types.js').Chat} Chat */
/** @typedef {import('./app-types.js').RoomController} RoomController */
/** @typedef {import('/rtsmesh.js').RTSEventHandler} RTSEventHandler */
/** @typedef {import('/rtsmesh.js').SysStats} SysStats */

/**
 * Asks the dev server for a login token (GET /dev/token, only with `--dev`).
 * @param {string} uid
 * @returns {Promise<{ appId: string, token: string }>}
 */
async function fetchDevToken(uid) {
  let res;
  try {
    res = await fetch(`/dev/token?uid=${encodeURIComponent(uid)}`, { cache: 'no-store' });
  } catch (err) {
    throw new Error(`Cannot reach the server for a token: ${errorText(err)}`);
  }
  if (res.status === 404) {
    throw new Error('This server has no /dev/token endpoint: start it with --dev (npm start does) to use the demo.');
  }
  const body = await res.text();
  if (!res.ok) throw new Error(`Token request failed: HTTP ${res.status} ${body.slice(0, 200)}`);
  let creds;
  try { creds = JSON.parse(body); } catch { creds = null; }
  if (typeof creds?.appId !== 'string' || typeof creds?.token !== 'string') {
    throw new Error('Token request returned an unexpected answer (expected JSON {appId, token}).');
  }
  return creds;
}

/**
 * ?iceAddresses=127.0.0.1 (comma list) keeps peer links to those IP addresses (the SDK's
 * iceAddresses parameter): tests use it to stay on loopback. Absent = no restriction.
 */
function iceAddressesFromUrl() {
  const list = (new URLSearchParams(location.search).get('iceAddresses') ?? '')
    .split(',').map((a) => a.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/**
 * @param {App} app
 * @param {Chat} chat
 * @param {RoomController} roomCtl
 */
export function createSession(app, chat, roomCtl) {
  const { el, codes, views, sdk } = app;
  /** @type {object | null} Identifies the current engine's callbacks; callbacks of an engine we let go are ignored. */
  let engineToken = null;
  let fetching = false;

  /** @param {string} text */
  function loginError(text) {
    el.loginError.textContent = text;
    el.loginError.hidden = !text;
  }

  async function login() {
    if (app.rts || fetching) return;
    const uid = el.uidInput.value.trim();
    if (!codes.isValidId(uid)) {
      loginError('A user id is 1–128 characters: letters, digits and _ @ . -');
      el.uidInput.focus();
      return;
    }
    loginError('');
    fetching = true;
    app.refresh();
    let creds;
    try {
      creds = await fetchDevToken(uid);
    } catch (err) {
      loginError(errorText(err));
      return;
    } finally {
      fetching = false;
      app.refresh();
    }

    const token = {};
    engineToken = token;
    let rts;
    try {
      const iceAddresses = iceAddressesFromUrl();
      rts = sdk.createRTS(creds.appId, engineHandlers(token), {
        server: location.origin,
        relayOnly: el.relayOnly.checked,
        ...(iceAddresses ? { iceAddresses } : {}),
      });
    } catch (err) {
      engineToken = null;
      loginError(`Could not create the engine: ${errorText(err)}`);
      return;
    }
    app.rts = rts;
    app.uid = uid;
    app.refresh();
    // The result comes in onLoginResult; a negative return means the call was refused.
    const refused = rts.login(creds.token, uid);
    if (refused < 0 && engineToken === token) {
      loginError(`Login failed: ${codes.callError(refused)}`);
      teardown();
    }
  }

  /** The user logs out: leave the room, log out, release the engine. */
  function logout() {
    if (!app.rts) return;
    const uid = app.uid;
    teardown({ callLogout: true });
    setConnectionState(codes.ConnectionState.Disconnected);
    views.messages.addSystem(`${uid} logged out.`);
  }

  /**
   * Lets the engine go. The badge keeps the last reported state unless the caller sets one.
   * @param {{ callLogout?: boolean }} [options]
   */
  function teardown({ callLogout = false } = {}) {
    const rts = app.rts;
    engineToken = null;
    roomCtl.close();
    chat.reset();
    app.rts = null;
    app.uid = null;
    app.loggedIn = false;
    app.linkStates.clear();
    views.members.setSelf(null);
    if (rts) {
      if (callLogout) try { rts.logout(); } catch { /* destroyRTS below logs out anyway */ }
      // Deferred: teardown may run inside one of this engine's own callbacks.
      setTimeout(() => { try { rts.destroyRTS(); } catch { /* already destroyed */ } }, 0);
    }
    el.statsValues.forEach((dd) => { dd.textContent = '–'; });
    app.refresh();
  }

  /** @param {number} state */
  function setConnectionState(state) {
    const name = codes.connectionStateName(state);
    el.connectionState.textContent = name;
    el.connectionState.dataset.state = String(state);
    el.connectionState.className = `state-badge state-${name.toLowerCase().replace(/[^a-z]/g, '')}`;
  }

  /**
   * After InvalidToken on a re-login: fetch a fresh token and hand it over (the SDK logs in again by itself).
   * @param {object} token
   * @param {string} uid
   */
  async function renewToken(token, uid) {
    try {
      const creds = await fetchDevToken(uid);
      if (engineToken !== token || !app.rts) return;
      app.rts.updateLoginToken(creds.token);
      views.messages.addSystem('Fetched a fresh token; logging in again.');
    } catch (err) {
      views.messages.addSystem(`Could not renew the token: ${errorText(err)}`, 'error');
    }
  }

  /**
   * @param {object} token
   * @returns {RTSEventHandler}
   */
  function engineHandlers(token) {
    /**
     * Every callback checks it still belongs to the engine on screen.
     * @template {unknown[]} A
     * @param {(...args: A) => void} fn
     * @returns {(...args: A) => void}
     */
    const live = (fn) => (...args) => { if (engineToken === token) fn(...args); };
    return {
      onLoginResult: live((uid, code, elapsed) => {
        if (code === 0) {
          const again = app.loggedIn;
          app.loggedIn = true;
          loginError('');
          if (!again) {
            const ms = typeof elapsed === 'number' ? ` in ${Math.round(elapsed)} ms` : '';
            views.messages.addSystem(`Logged in as ${uid}${ms}.`);
          }
          app.refresh();
          return;
        }
        if (!app.loggedIn) {
          loginError(`Login failed: ${codes.loginError(code)}`);
          views.messages.addSystem(`Login as ${uid} failed: ${codes.loginError(code)}.`, 'error');
          teardown();
          // The SDK reports Failed for a refused login; say so even if that event comes late or not at all.
          setConnectionState(codes.ConnectionState.Failed);
          return;
        }
        views.messages.addSystem(`Logging in again failed: ${codes.loginError(code)}.`, 'error');
        if (code === sdk.LoginErrorCode.InvalidToken && app.uid) renewToken(token, app.uid);
      }),
      onLogout: live((reason) => {
        const why = reason === 1 ? ' — this user id logged in somewhere else' : '';
        views.messages.addSystem(`Logged out by the server: ${codes.logoutReason(reason)}${why}.`, 'warn');
        loginError(reason === 1 ? 'Logged out: this user id logged in somewhere else.' : '');
        teardown();
        setConnectionState(codes.ConnectionState.Disconnected);
      }),
      onConnectionStateChanged: live((state) => {
        const previous = Number(el.connectionState.dataset.state);
        setConnectionState(state);
        const CS = codes.ConnectionState;
        if (state === CS.Reconnecting && previous !== CS.Reconnecting) {
          views.messages.addSystem('Connection to the server lost; reconnecting… (direct links keep working)', 'warn');
        } else if (state === CS.Reconnected) {
          views.messages.addSystem('Reconnected to the server.');
        } else if (state === CS.Lost) {
          views.messages.addSystem('Gave up reconnecting to the server. Log out and in again.', 'error');
        }
      }),
      onGetPeerOnlineStatus: live((uid, status) => {
        const name = codes.onlineStatusName(status);
        el.statusResult.textContent = `${uid}: ${name}`;
        el.statusResult.dataset.status = name.toLowerCase();
        el.statusResult.dataset.uid = uid;
      }),
      onMessageReceived: live((uid, text) => chat.receivedText('direct', uid, text)),
      onBinaryMessageReceived: live((uid, bytes) => chat.receivedBinary('direct', uid, bytes)),
      onMessageSendResult: live((msgId, code) => chat.onSendResult(msgId, code)),
      onPeerLinkStateChanged: live((uid, state) => {
        // 'closed' is not remembered: someone who joins later starts from the default, 'relay'.
        if (state === 'closed') app.linkStates.delete(uid);
        else app.linkStates.set(uid, state);
        roomCtl.setPath(uid, state);
        showRoute(uid);
        app.refresh();
      }),
      onCreateRoomStateChanged: live((roomId, code) => {
        if (code !== 0) views.messages.addSystem(`Could not create room ${roomId}: ${codes.roomError(code)}.`, 'error');
      }),
      onSysStats: live((stats) => {
        showStats(stats);
        // A link's route can change under it (an ICE restart may find a direct pair).
        for (const [uid, state] of app.linkStates) if (state === 'p2p') showRoute(uid);
      }),
    };
  }

  /**
   * Asks the engine which path `uid` really uses and shows it on the member.
   * @param {string} uid
   */
  function showRoute(uid) {
    const rts = app.rts;
    if (!rts) return;
    void rts.getPeerLinkStats(uid).then((stats) => {
      if (app.rts === rts) roomCtl.setRoute(uid, routeOf(stats));
    });
  }

  /** @param {SysStats} stats */
  function showStats(stats) {
    /**
     * @param {string} key
     * @param {string} text
     */
    const set = (key, text) => {
      const dd = el.stats.querySelector(`[data-stat="${key}"]`);
      if (dd) dd.textContent = text;
    };
    set('p2pLinks', String(stats?.p2pLinks ?? '–'));
    set('frames', `${stats?.p2pSent ?? 0} / ${stats?.relayedSent ?? 0}`);
    set('messages', `${stats?.sentMessages ?? 0} / ${stats?.receivedMessages ?? 0}`);
    set('rtt', typeof stats?.rttMs === 'number' ? `${Math.round(stats.rttMs)} ms` : '–');
  }

  function queryStatus() {
    const uid = el.statusUid.value.trim();
    el.statusResult.dataset.uid = uid;
    if (!app.rts || !app.loggedIn) {
      el.statusResult.textContent = 'Log in first.';
      el.statusResult.dataset.status = 'error';
      return;
    }
    if (!codes.isValidId(uid)) {
      el.statusResult.textContent = 'Enter a valid user id.';
      el.statusResult.dataset.status = 'error';
      return;
    }
    el.statusResult.textContent = `Checking ${uid}…`;
    el.statusResult.dataset.status = 'pending';
    const r = app.rts.getPeerOnlineStatus(uid);
    if (r < 0) {
      el.statusResult.textContent = `${uid}: lookup refused, ${codes.callError(r)}`;
      el.statusResult.dataset.status = 'error';
    }
  }

  /**
   * Relay-only applies to a new engine at createRTS; a running one is switched with setRuntimeParameters.
   * @param {boolean} on
   */
  function setRelayOnly(on) {
    app.refresh();
    if (!app.rts) return;
    try {
      const r = app.rts.setRuntimeParameters({ relayOnly: on });
      if (r < 0) throw new Error(codes.callError(r));
      views.messages.addSystem(on
        ? 'Relay-only mode on: messages now go through the server.'
        : 'Relay-only mode off: direct WebRTC links are allowed again.');
    } catch (err) {
      views.messages.addSystem(`Could not switch relay-only mode: ${errorText(err)}`, 'error');
    }
  }

  return { login, logout, queryStatus, setRelayOnly, setConnectionState, isFetching: () => fetching };
}
