import { positiveInt } from '../../../infra/config.js';
import { allowedHostsSetting } from '../../../infra/http/outbound-http.js';

/** What the outbound webhooks read, spread into the queues subgraph's environment. */
export const webhooksEnv = {
  /**
   * Hosts (as written in an endpoint's URL, no port) that deliveries may reach although they are
   * loopback, private, link-local or metadata addresses: comma-separated, default none. For
   * development and tests (`127.0.0.1,localhost`); see infra/http/outbound-http.ts.
   */
  WEBHOOK_ALLOWED_HOSTS: allowedHostsSetting,
  /** One delivery attempt, from the connection to the end of the response (redirects included); then it counts as failed. */
  WEBHOOK_TIMEOUT_MS: positiveInt(15_000, 120_000),
  /** An endpoint whose attempts have all failed for this long (no success in between) is disabled. Default 5 days. */
  WEBHOOK_DISABLE_AFTER_SECONDS: positiveInt(432_000, 31_536_000),
  /**
   * Settled outbound deliveries (with their attempts) and stored inbound webhooks are removed this
   * many days after they were created; pending deliveries stay. Default 30.
   */
  WEBHOOK_RETENTION_DAYS: positiveInt(30, 3_650),
  /** Connections of the webhook workers' own pool (the delivery consumer and the sender), beside the subgraph's DB_POOL_MAX. */
  WEBHOOK_DB_POOL_MAX: positiveInt(4, 100),
};
