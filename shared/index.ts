export * from './codes.js';
export * from './limits.js';
export * from './token.js';
export * from './frame.js';
export { socketParser } from './socket-parser.js';
export * as protocol from './protocol.js';
