// Mocha's TypeScript loader: ts-node with SWC as its transpiler. TypeScript's own transpiler
// builds a program for every file it loads (about 30 ms each, seconds per test process);
// SWC takes about a millisecond. Types are checked by `npm test`'s typecheck, not here.
// BBWS_TS_LOADER hands the same loader to the plan's worker processes (offline/tenantWorkers.ts).
require("ts-node").register({ transpileOnly: true, swc: true });
process.env.BBWS_TS_LOADER = __filename;
