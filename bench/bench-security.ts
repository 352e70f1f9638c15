/**
 * The security the chaos and subscription benches run the hub with, as in production: every
 * subgraph requires the signed internal header (one INTERNAL_TOKEN_SECRET shared with the
 * router), and the router verifies bearer JWTs signed with TEST_JWT_SECRET (the test helpers'
 * tokens: `asRole`, `graphql()`) and limits no caller, since one client sends all the load.
 */
import { TEST_INTERNAL_SECRET } from '../test/support/hub.js';
import { TEST_JWT_SECRET } from '../test/support/tokens.js';

/** For each subgraph process. */
export const subgraphSecurityEnv: Readonly<Record<string, string>> = Object.freeze({ INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET });

/** For the router process. */
export const routerSecurityEnv: Readonly<Record<string, string>> = Object.freeze({
  ...subgraphSecurityEnv,
  JWT_SECRET: TEST_JWT_SECRET,
  RATE_LIMIT_PER_CLIENT: '0',
});
