// The one zod every schema of the wire protocol is built with: zod 4's functional "mini" API
// (smaller in the browser bundle), with its JIT switched off. The JIT compiles object parsers
// with `new Function`, and merely probing whether that is allowed is reported as an `unsafe-eval`
// violation on pages with a strict Content-Security-Policy. zod decides when a schema is
// created, so every schema module imports `z` from here: the config runs before any schema.
//
// Consumers write `import * as z from '…/shared/zod.js'` and use its members statically, so a
// bundler keeps only the schema kinds actually used (re-exporting zod's namespace as one object
// would keep all of it, its 60 locale files included).
import { config } from 'zod/mini';

config({ jitless: true });

export * from 'zod/mini';
