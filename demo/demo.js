// @ts-check
// Entry point of the rtsmesh demo page: loads the SDK bundle (/rtsmesh.js, served by the
// signaling server), builds the views and wires the controls. The page state lives in `app`;
// refresh() derives every enabled/visible flag from it, so no handler toggles widgets itself.
import { createChat } from './chat.js';
import { createCodes } from './codes.js';
import { byTestId, errorText, h, onEnter, show } from './dom.js';
import { createMembersView } from './members-view.js';
import { createMeshView } from './mesh-view.js';
import { createMessagesView } from './messages-view.js';
import { createRoomController } from './room.js';
import { createSession } from './session.js';

/** @typedef {import('./app-types.js').App} App */
/** @typedef {import('./app-types.js').Elements} Elements */
/** @typedef {import('./app-types.js').Sdk} Sdk */

/** Every element the demo drives, found once and checked to be what the code expects. */
export function collectElements() {
  const [I, B, E, S] = [HTMLInputElement, HTMLButtonElement, HTMLElement, HTMLSelectElement];
  const stats = byTestId('sys-stats', E);
  return {
    uidInput: byTestId('uid-input', I),
    loginButton: byTestId('login-button', B),
    logoutButton: byTestId('logout-button', B),
    relayOnly: byTestId('relay-only', I),
    loginError: byTestId('login-error', E),
    roomInput: byTestId('room-input', I),
    joinButton: byTestId('join-button', B),
    leaveButton: byTestId('leave-button', B),
    roomStatus: byTestId('room-status', E),
    memberList: byTestId('member-list', E),
    selfMember: byTestId('self-member', E),
    memberCount: byTestId('member-count', E),
    membersEmpty: byTestId('members-empty', E),
    statusUid: byTestId('status-uid', I),
    statusButton: byTestId('status-button', B),
    statusResult: byTestId('status-result', E),
    chatTitle: byTestId('chat-title', E),
    messages: byTestId('messages', E),
    messagesEmpty: required(document.querySelector('.messages-empty'), '.messages-empty', E),
    chatInput: byTestId('chat-input', I),
    sendButton: byTestId('send-button', B),
    dmTarget: byTestId('dm-target', I),
    dmInput: byTestId('dm-input', I),
    dmSendButton: byTestId('dm-send-button', B),
    fileTarget: byTestId('file-target', S),
    fileInput: byTestId('file-input', I),
    fileError: byTestId('file-error', E),
    meshSvg: byTestId('mesh-svg', SVGSVGElement),
    stats,
    statsValues: [...stats.querySelectorAll('dd')],
    connectionState: byTestId('connection-state', E),
    whoami: byTestId('whoami', E),
    relayPill: byTestId('relay-only-pill', E),
    loadError: byTestId('load-error', E),
    memberUids: required(document.getElementById('member-uids'), '#member-uids', E),
  };
}

/**
 * @template {Element} T
 * @param {Element | null} found
 * @param {string} what
 * @param {{ new (): T, prototype: T }} type
 * @returns {T}
 */
function required(found, what, type) {
  if (!(found instanceof type)) throw new Error(`demo: ${what} is missing from index.html`);
  return found;
}

/**
 * ?uid=alice&room=lobby&relayOnly=1 prefill the form (relayOnly=1 is how tests open a relay-only page).
 * @param {Elements} el
 */
function applyUrlParams(el) {
  const params = new URLSearchParams(location.search);
  const flag = (params.get('relayOnly') ?? '').toLowerCase();
  el.relayOnly.checked = flag === '1' || flag === 'true' || flag === 'yes';
  el.uidInput.value = params.get('uid') || el.uidInput.value;
  el.roomInput.value = params.get('room') || el.roomInput.value;
}

/** @param {App} app */
function refresh(app) {
  const { el, views } = app;
  const fetching = app.session?.isFetching() ?? false;
  const hasEngine = Boolean(app.rts);
  const loggedIn = hasEngine && app.loggedIn;
  const inRoom = Boolean(app.room);
  const joined = inRoom && app.roomPhase === 'joined';

  document.body.dataset.session = loggedIn ? 'in' : hasEngine || fetching ? 'connecting' : 'out';
  document.body.dataset.room = inRoom ? app.roomPhase : 'none';

  el.uidInput.disabled = hasEngine || fetching;
  show(el.loginButton, !hasEngine);
  el.loginButton.disabled = fetching;
  el.loginButton.textContent = fetching ? 'Logging in…' : 'Log in';
  show(el.logoutButton, hasEngine);
  el.logoutButton.textContent = loggedIn ? 'Log out' : 'Cancel';

  el.roomInput.disabled = !loggedIn || inRoom;
  show(el.joinButton, !inRoom);
  el.joinButton.disabled = !loggedIn;
  show(el.leaveButton, inRoom);
  const others = views.members.list().length;
  el.roomStatus.replaceChildren(...(
    !loggedIn ? ['Log in to join a room.']
      : !inRoom ? ['Not in a room.']
        : !joined ? ['Joining ', h('strong', { text: app.roomId }), '…']
          : ['In ', h('strong', { text: app.roomId }), ` with ${others} other${others === 1 ? '' : 's'}.`]));

  el.chatInput.disabled = !joined;
  el.sendButton.disabled = !joined;
  el.chatInput.placeholder = joined ? `Message #${app.roomId}` : 'Join a room to chat';
  el.chatTitle.textContent = joined ? `# ${app.roomId}` : inRoom ? `# ${app.roomId} (joining…)` : 'Not in a room';
  for (const control of [el.dmTarget, el.dmInput, el.dmSendButton, el.fileTarget, el.fileInput, el.statusUid, el.statusButton]) {
    control.disabled = !loggedIn;
  }

  show(el.whoami, loggedIn);
  el.whoami.replaceChildren(...(loggedIn ? ['Logged in as ', h('strong', { text: app.uid })] : []));
  show(el.relayPill, el.relayOnly.checked);
  el.memberUids.replaceChildren(...views.members.list().map(({ uid }) => h('option', { value: uid })));

  views.mesh.render({
    selfUid: loggedIn ? app.uid : null,
    roomId: joined ? app.roomId : null,
    members: views.members.list(),
  });
}

/** @param {App} app */
function wire(app) {
  const { el, session, roomCtl, chat } = app;
  el.loginButton.addEventListener('click', () => session.login());
  onEnter(el.uidInput, () => session.login());
  el.logoutButton.addEventListener('click', () => session.logout());
  el.relayOnly.addEventListener('change', () => session.setRelayOnly(el.relayOnly.checked));

  el.joinButton.addEventListener('click', () => roomCtl.join());
  onEnter(el.roomInput, () => roomCtl.join());
  el.leaveButton.addEventListener('click', () => roomCtl.leave());

  el.sendButton.addEventListener('click', () => chat.sendRoomText());
  onEnter(el.chatInput, () => chat.sendRoomText());
  el.dmSendButton.addEventListener('click', () => chat.sendDirectText());
  onEnter(el.dmInput, () => chat.sendDirectText());
  el.fileInput.addEventListener('change', () => chat.sendFile());

  el.statusButton.addEventListener('click', () => session.queryStatus());
  onEnter(el.statusUid, () => session.queryStatus());
}

async function main() {
  const el = collectElements();
  applyUrlParams(el);

  /** @type {Sdk} */
  let sdk;
  try {
    // Imported here, not at the top: a page without the bundle still explains what is missing.
    sdk = await import('/rtsmesh.js');
    if (typeof sdk.createRTS !== 'function') throw new Error('it does not export createRTS');
  } catch (err) {
    el.loadError.textContent = `The rtsmesh SDK (/rtsmesh.js) could not be loaded: ${errorText(err)}. ` +
      'Build it with `npm run build` and reload.';
    el.loadError.hidden = false;
    el.loginButton.disabled = true;
    document.body.dataset.ready = 'error';
    return;
  }

  // chat, roomCtl and session need `app` to be built: they are set right below.
  const app = /** @type {App} */ ({
    sdk,
    codes: createCodes(sdk),
    el,
    rts: null,
    room: null,
    uid: null,
    roomId: null,
    roomPhase: 'none',
    loggedIn: false,
    /** uid → last onPeerLinkStateChanged state; engine-wide, so members joining later get theirs. */
    linkStates: new Map(),
    refresh: () => refresh(app),
  });
  app.views = {
    messages: createMessagesView(el.messages, el.messagesEmpty),
    mesh: createMeshView(el.meshSvg),
    members: createMembersView({
      listEl: el.memberList,
      selfEl: el.selfMember,
      countEl: el.memberCount,
      emptyEl: el.membersEmpty,
      onPick: (uid) => {
        el.dmTarget.value = uid;
        el.dmInput.focus();
      },
    }),
  };
  app.chat = createChat(app);
  app.roomCtl = createRoomController(app, app.chat);
  app.session = createSession(app, app.chat, app.roomCtl);
  wire(app);
  app.session.setConnectionState(app.codes.ConnectionState.Disconnected);
  refresh(app);

  // For tests and for poking around in the console: the live engine and room.
  Object.assign(window, {
    rtsDemo: {
      get rts() { return app.rts; },
      get room() { return app.room; },
      sdk,
      app,
    },
  });
  document.body.dataset.ready = '1';
}

main();
