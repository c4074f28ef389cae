#!/usr/bin/env node
// Runs the built signaling server CLI (npm run build compiles signaling/cli.ts to dist/).
import '../dist/signaling/cli.js';
