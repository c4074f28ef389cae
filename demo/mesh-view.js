// @ts-check
// Live picture of the room's mesh as seen from here: members on a circle, the local user
// highlighted, and one line from the local user to each member coloured by the path in use
// (p2p green, relay orange, connecting grey dashed). Links between two *other* members are not
// known locally, so they are not drawn.
import { svg } from './dom.js';
import { initials, PATH_LABEL } from './members-view.js';

const WIDTH = 340;
const HEIGHT = 320;
const CX = WIDTH / 2;
const CY = 165;
const RING = 118;
const MAX_LABEL_CHARS = 11;

/** @typedef {import('./members-view.js').MemberPath} MemberPath */
/** @typedef {{ uid: string, self: boolean, path?: MemberPath['path'], x: number, y: number }} MeshNode */

/** @param {string} uid */
function shortLabel(uid) {
  return uid.length > MAX_LABEL_CHARS ? `${uid.slice(0, MAX_LABEL_CHARS - 1)}…` : uid;
}

/** @param {SVGSVGElement} svgEl */
export function createMeshView(svgEl) {
  svgEl.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svgEl.setAttribute('role', 'img');

  /** @param {string} text */
  function placeholder(text) {
    svgEl.replaceChildren(
      svg('circle', { cx: CX, cy: CY, r: RING, class: 'mesh-ring' }),
      svg('text', { x: CX, y: CY + 4, class: 'mesh-placeholder', 'text-anchor': 'middle', text }),
    );
    svgEl.setAttribute('aria-label', text);
  }

  /**
   * @param {object} state
   * @param {string | null} state.selfUid
   * @param {string | null} state.roomId
   * @param {MemberPath[]} state.members the other members, in join order
   */
  function render({ selfUid, roomId, members }) {
    svgEl.dataset.members = String(members.length);
    if (!selfUid) return placeholder('Log in to see the mesh');
    if (!roomId) return placeholder('Join a room to see the mesh');

    const placed = [{ uid: selfUid, self: true }, ...members.map((m) => ({ ...m, self: false }))];
    const radius = placed.length > 12 ? 11 : placed.length > 7 ? 14 : 18;
    /** @type {MeshNode[]} */
    const nodes = placed.map((node, i) => {
      if (placed.length === 1) return { ...node, x: CX, y: CY };
      const angle = -Math.PI / 2 + (i * 2 * Math.PI) / placed.length;
      return { ...node, x: CX + RING * Math.cos(angle), y: CY + RING * Math.sin(angle) };
    });
    const [self, ...others] = nodes;

    const ring = svg('circle', { cx: CX, cy: CY, r: RING, class: 'mesh-ring' });
    const links = others.map((node) => link(self, node, others.length <= 6));
    const drawn = nodes.map((node) => nodeGroup(node, radius));
    const caption = others.length === 0
      ? svg('text', { x: CX, y: CY + 58, class: 'mesh-placeholder', 'text-anchor': 'middle', text: 'Waiting for others to join…' })
      : null;
    svgEl.replaceChildren(ring, ...links, ...drawn, ...(caption ? [caption] : []));
    svgEl.setAttribute('aria-label', `Mesh of room ${roomId}: ${others.map((n) => `${n.uid} ${n.path}`).join(', ') || 'only you'}`);
  }

  /**
   * @param {MeshNode} from
   * @param {MeshNode} to
   * @param {boolean} withLabel
   */
  function link(from, to, withLabel) {
    const group = svg('g', { class: `mesh-link link-${to.path}`, 'data-uid': to.uid, 'data-path': to.path },
      svg('title', { text: `${from.uid} ↔ ${to.uid}: ${to.path ? PATH_LABEL[to.path] : ''}` }),
      svg('line', { x1: from.x, y1: from.y, x2: to.x, y2: to.y }));
    // Only settled paths get a label; a grey dashed line already says "connecting".
    if (withLabel && (to.path === 'p2p' || to.path === 'relay')) {
      // Nearer the member than the middle: lines all start at the local node, so middles crowd.
      const mx = from.x + (to.x - from.x) * 0.6;
      const my = from.y + (to.y - from.y) * 0.6;
      const text = PATH_LABEL[to.path];
      const w = text.length * 6.2 + 10;
      group.append(
        svg('rect', { x: mx - w / 2, y: my - 8, width: w, height: 16, rx: 8, class: 'mesh-link-pill' }),
        svg('text', { x: mx, y: my + 3.5, 'text-anchor': 'middle', class: 'mesh-link-label', text }),
      );
    }
    return group;
  }

  /**
   * @param {MeshNode} node
   * @param {number} radius
   */
  function nodeGroup(node, radius) {
    // Names go under the nodes (the local node at the top gets its name above, clear of its lines).
    const above = node.self && isAtTop(node);
    const ly = above ? node.y - radius - 9 : node.y + radius + 14;
    return svg('g', { class: `mesh-node${node.self ? ' mesh-self' : ''}`, 'data-uid': node.uid },
      svg('title', { text: node.self ? `${node.uid} (you)` : node.uid }),
      node.self ? svg('circle', { cx: node.x, cy: node.y, r: radius + 5, class: 'mesh-self-halo' }) : null,
      svg('circle', { cx: node.x, cy: node.y, r: radius }),
      svg('text', { x: node.x, y: node.y + 4, 'text-anchor': 'middle', class: 'mesh-initials', text: initials(node.uid) }),
      svg('text', {
        x: node.x,
        y: ly,
        'text-anchor': 'middle',
        class: 'mesh-label',
        text: node.self ? `${shortLabel(node.uid)} (you)` : shortLabel(node.uid),
      }));
  }

  /**
   * True when the node sits at the top of the ring (not alone in the centre).
   * @param {MeshNode} node
   */
  function isAtTop(node) {
    return node.y < CY - 1;
  }

  placeholder('Log in to see the mesh');
  return { render };
}
