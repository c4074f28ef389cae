#!/usr/bin/env node
// Runs the built signaling server CLI (npm run build compiles signaling/cli/server-cli.ts to dist/).
import '../dist/signaling/cli/server-cli.js';
