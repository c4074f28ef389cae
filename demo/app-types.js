// @ts-check
// The demo's shared shapes, as JSDoc types for `npm run typecheck` (demo/tsconfig.json maps
// '/rtsmesh.js' to the SDK's browser entry, so the SDK's own types are checked against). Nothing
// here runs: the modules import these with `import('./app-types.js')` in JSDoc only.

/** @typedef {typeof import('/rtsmesh.js')} Sdk */
/** @typedef {import('/rtsmesh.js').RTS} RTS */
/** @typedef {import('/rtsmesh.js').RTSRoom} RTSRoom */
/** @typedef {import('/rtsmesh.js').PeerLinkState} PeerLinkState */
/** @typedef {ReturnType<typeof import('./demo.js').collectElements>} Elements */
/** @typedef {ReturnType<typeof import('./codes.js').createCodes>} Codes */
/** @typedef {ReturnType<typeof import('./chat.js').createChat>} Chat */
/** @typedef {ReturnType<typeof import('./room.js').createRoomController>} RoomController */
/** @typedef {ReturnType<typeof import('./session.js').createSession>} Session */

/**
 * @typedef {object} Views
 * @property {ReturnType<typeof import('./messages-view.js').createMessagesView>} messages
 * @property {ReturnType<typeof import('./mesh-view.js').createMeshView>} mesh
 * @property {ReturnType<typeof import('./members-view.js').createMembersView>} members
 */

/**
 * The page state (see demo.js); refresh() derives every widget from it.
 * @typedef {object} App
 * @property {Sdk} sdk
 * @property {Codes} codes
 * @property {Elements} el
 * @property {RTS | null} rts
 * @property {RTSRoom | null} room
 * @property {string | null} uid
 * @property {string | null} roomId
 * @property {'none' | 'joining' | 'joined'} roomPhase
 * @property {boolean} loggedIn
 * @property {Map<string, PeerLinkState>} linkStates uid → last onPeerLinkStateChanged state; engine-wide, so members joining later get theirs.
 * @property {() => void} refresh
 * @property {Views} views
 * @property {Chat} chat
 * @property {RoomController} roomCtl
 * @property {Session} session
 */

export {};
