#!/usr/bin/env node
// Prints an access token (built from signaling/token-cli.ts).
import '../dist/signaling/token-cli.js';
