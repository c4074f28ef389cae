// The server's version is the package's, read once from package.json.
import { packageVersion } from './package-root.js';

export const SERVER_VERSION: string = packageVersion();
