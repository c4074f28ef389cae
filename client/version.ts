// The package version (package.json "version"), reported by getSdkVersion() and sent at login.
// A test keeps the two in sync; importing package.json here would drag it into the browser bundle.
export const SDK_VERSION = '0.1.0';
