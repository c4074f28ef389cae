#!/usr/bin/env node
// Prints an access token (built from signaling/cli/token-cli.ts).
import '../dist/signaling/cli/token-cli.js';
