// Entry of the browser bundle. The WebRTC implementation defaults to the page's own
// globalThis.RTCPeerConnection; Node-only code paths (network interfaces) detect the platform
// at run time, so the same modules serve both.
export * from './index.js';
