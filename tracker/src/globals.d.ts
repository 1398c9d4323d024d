/** Replaced at build time (tracker/build.ts): true only in dev builds, so esbuild drops dev-only code from tw.js. */
declare const TW_DEV: boolean;
