// @ts-check
// The room's member list: one `<li data-testid="member" data-uid data-path>` per *other* member,
// with a badge for the path messages to that member take right now. The local user is shown
// above the list (data-testid="self-member"), not as a member entry.
import { h } from './dom.js';

/** @typedef {import('./app-types.js').PeerLinkState} PeerLinkState */
/** @typedef {{ uid: string, path: PeerLinkState }} MemberPath */
/** @typedef {'direct' | 'turn' | 'server'} Route */

/** @type {Record<Route, string>} */
const ROUTE_LABEL = { direct: 'direct', turn: 'via TURN', server: 'via server' };
/** @type {Record<Route, string>} */
const ROUTE_HINT = {
  direct: 'Peer to peer, straight between the two devices',
  turn: 'Peer to peer through a TURN relay server (the two cannot reach each other directly)',
  server: 'Through the signaling server',
};

/**
 * Where messages to a member really go, from rts.getPeerLinkStats (SPEC §10).
 * @param {import('/rtsmesh.js').PeerLinkStats | null} stats
 * @returns {Route}
 */
export function routeOf(stats) {
  if (!stats || stats.state !== 'p2p') return 'server';
  return stats.candidateType === 'relay' || stats.remoteCandidateType === 'relay' ? 'turn' : 'direct';
}

/** @type {Record<PeerLinkState, string>} */
export const PATH_LABEL = { p2p: 'P2P', relay: 'Relay', connecting: 'Connecting…', closed: 'Closed' };
/** @type {Record<PeerLinkState, string>} */
const PATH_HINT = {
  p2p: 'Direct WebRTC data channel',
  relay: 'Through the signaling server',
  connecting: 'Setting up a direct link; the server relays meanwhile',
  closed: 'Direct link closed; the server relays',
};

/**
 * Initials for an avatar: "alice" → "AL", "bob.smith" → "BS".
 * @param {string} uid
 */
export function initials(uid) {
  const parts = uid.split(/[._@-]+/).filter(Boolean);
  const text = parts.length >= 2 ? parts[0][0] + parts[1][0] : uid.slice(0, 2);
  return text.toUpperCase();
}

/**
 * @param {object} parts
 * @param {HTMLElement} parts.listEl
 * @param {HTMLElement} parts.selfEl
 * @param {HTMLElement} parts.countEl
 * @param {HTMLElement} parts.emptyEl
 * @param {(uid: string) => void} [parts.onPick] a member was clicked
 */
export function createMembersView({ listEl, selfEl, countEl, emptyEl, onPick }) {
  /** @type {Map<string, { li: HTMLLIElement, path: PeerLinkState, extraInfo: string }>} in join order */
  const members = new Map();

  /** @param {PeerLinkState} path */
  function pathBadge(path) {
    return h('span', {
      class: `path-badge path-${path}`,
      title: PATH_HINT[path] ?? path,
      dataset: { testid: 'member-path' },
      text: PATH_LABEL[path] ?? path,
    });
  }

  /** @param {Route} route */
  function routeTag(route) {
    return h('span', { class: `route-tag route-${route}`, title: ROUTE_HINT[route], dataset: { testid: 'member-route', route }, text: ROUTE_LABEL[route] });
  }

  function render() {
    countEl.textContent = String(members.size);
    emptyEl.hidden = members.size > 0;
  }

  /** @param {string | null} uid */
  function setSelf(uid) {
    selfEl.replaceChildren();
    selfEl.hidden = !uid;
    if (!uid) return;
    selfEl.dataset.uid = uid;
    selfEl.append(
      h('span', { class: 'avatar avatar-self', 'aria-hidden': 'true', text: initials(uid) }),
      h('span', { class: 'member-name', text: uid }),
      h('span', { class: 'you-tag', text: 'you' }),
    );
  }

  /**
   * Adds a member, or refreshes one already listed (a rejoin announces everyone again). Returns true if new.
   * @param {string} uid
   * @param {string} extraInfo
   * @param {PeerLinkState} path
   */
  function upsert(uid, extraInfo, path) {
    const known = members.get(uid);
    if (known) {
      known.extraInfo = extraInfo;
      setPath(uid, path);
      return false;
    }
    const li = h('li', { class: 'member', dataset: { testid: 'member', uid, path }, tabindex: '0', title: `Click to send ${uid} a direct message` },
      h('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(uid) }),
      h('span', { class: 'member-text' },
        h('span', { class: 'member-name', text: uid }),
        extraInfo ? h('span', { class: 'member-extra', text: extraInfo }) : null,
        routeTag(path === 'p2p' ? 'direct' : 'server')),
      pathBadge(path));
    const pick = () => onPick?.(uid);
    li.addEventListener('click', pick);
    li.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
    members.set(uid, { li, path, extraInfo });
    listEl.append(li);
    render();
    return true;
  }

  /** @param {string} uid */
  function remove(uid) {
    const known = members.get(uid);
    if (!known) return false;
    known.li.remove();
    members.delete(uid);
    render();
    return true;
  }

  /**
   * @param {string} uid
   * @param {PeerLinkState} path
   */
  function setPath(uid, path) {
    const known = members.get(uid);
    if (!known || known.path === path) return;
    known.path = path;
    known.li.dataset.path = path;
    known.li.querySelector('.path-badge')?.replaceWith(pathBadge(path));
  }

  /**
   * @param {string} uid
   * @param {Route} route
   */
  function setRoute(uid, route) {
    const tag = members.get(uid)?.li.querySelector('.route-tag');
    if (tag instanceof HTMLElement && tag.dataset.route !== route) tag.replaceWith(routeTag(route));
  }

  function clear() {
    members.clear();
    listEl.replaceChildren();
    render();
  }

  /**
   * The members in join order (what the mesh picture draws).
   * @returns {MemberPath[]}
   */
  function list() {
    return [...members].map(([uid, m]) => ({ uid, path: m.path }));
  }

  render();
  return { setSelf, upsert, remove, setPath, setRoute, clear, list, has: (/** @type {string} */ uid) => members.has(uid) };
}
