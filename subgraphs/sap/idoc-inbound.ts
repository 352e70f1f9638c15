import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import { ErrorCode } from '../../infra/errors.js';
import type { NewEvent } from '../../infra/events/event.js';
import { RouterUnreachable, type RouterClient } from '../../infra/graphql/router-client.js';
import type { SubgraphRoute } from '../../infra/graphql/subgraph-server.js';
import { sendJson } from '../../infra/http/http-server.js';
import type { Logger } from '../../infra/logger.js';
import { pause, retryDelay } from '../../infra/pause.js';
import { idocInvalid, parseIdoc, type ParsedIdoc } from './connector/index.js';
import type { ForwardedMessage, InboundIdocRow, NewInboundIdoc, SapRepository } from './sap-repository.js';

/** The route's path on the sap subgraph. */
export const IDOC_PATH = '/sap/idoc';

/** Largest IDoc accepted: master data IDocs with many segments stay far below. */
export const MAX_IDOC_BYTES = 5 * 1024 * 1024;

/** Forwarding attempts per round, and how often a replica looks for documents to forward. */
const FORWARD_BATCH = 50;
const FORWARD_INTERVAL_MS = 2_000;

const PUBLISH = `mutation SapForwardIdoc($queue: String!, $input: PublishMessageInput!) {
  publishMessage(queue: $queue, input: $input) { id }
}`;

export interface InboundIdocDeps {
  repository: SapRepository;
  router: RouterClient | undefined;
  logger: Logger;
  /** Basic-auth credentials of SAP's HTTP port; no password closes the route. */
  user: string;
  password: string | undefined;
  /** The queue a DEBMAS becomes a customer_updated message on. */
  customerQueue: string;
}

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authorized(req: IncomingMessage, user: string, password: string): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.toLowerCase().startsWith('basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 && sameSecret(decoded.slice(0, colon), user) && sameSecret(decoded.slice(colon + 1), password);
}

/** What a valid document becomes: DEBMAS a message to forward, MATMAS and ORDERS events now. */
function outcomeOf(parsed: ParsedIdoc, customerQueue: string): { forward: ForwardedMessage | null; events: (row: InboundIdocRow) => NewEvent[] } {
  const event = (type: string, data: Record<string, unknown>) => (row: InboundIdocRow) => [{ type, source: 'sap', subject: { typename: 'InboundIdoc', id: row.id }, data: { docnum: parsed.docnum, ...data }, requestId: null }];
  switch (parsed.type) {
    case 'DEBMAS': {
      const customer = parsed.customer;
      // The hub's customers have a name and an e-mail address (UpsertCustomerInput); a DEBMAS without them could never be applied.
      if (!customer.name) throw idocInvalid(`DEBMAS ${parsed.docnum}: the customer has no name (E1KNA1M NAME1)`);
      if (!customer.email) throw idocInvalid(`DEBMAS ${parsed.docnum}: the customer has no e-mail address, which the hub's customers need`);
      return {
        forward: {
          queue: customerQueue,
          payload: { externalId: customer.customerNumber, name: customer.name, email: customer.email, ...(customer.phone ? { phone: customer.phone } : {}) },
          headers: { type: 'customer_updated', source: 'sap', idoc: parsed.docnum },
          dedupKey: `sap-idoc:${parsed.docnum}`,
        },
        events: event('sap.customer_master_received', { customerNumber: customer.customerNumber }),
      };
    }
    case 'MATMAS':
      return { forward: null, events: event('sap.material_changed', { material: parsed.material.materialNumber, description: parsed.material.description }) };
    case 'ORDERS':
      return { forward: null, events: event('sap.order_received', { soldTo: parsed.order.soldTo, reference: parsed.order.reference, items: parsed.order.items }) };
    default: {
      const unknown: never = parsed;
      throw new Error(`unknown IDoc ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * POST /sap/idoc: the IDoc-XML inbound port SAP's HTTP port (an RFC destination of type G) posts
 * to, with basic authentication. Every document is kept as received. A DEBMAS becomes a
 * customer_updated message on the queues domain (forwarded through the router, retried until it
 * is there, with the IDoc number as the dedup key so a retry adds nothing); MATMAS and ORDERS
 * become the events sap.material_changed and sap.order_received. Answers 202 `{ id, status }`,
 * or 400 `{ error: { code: IDOC_INVALID, message, id } }` for a document it cannot take.
 */
export class InboundIdocs {
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: InboundIdocDeps) {}

  readonly route: SubgraphRoute = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const refuse = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => {
      if (!req.complete) req.resume();
      sendJson(res, status, { error: { code, message, requestId, ...extra } });
    };
    if ((req.url ?? '').split('?', 1)[0] !== IDOC_PATH) return refuse(404, ErrorCode.BadRequest, `Post IDocs to ${IDOC_PATH}`);
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return refuse(405, ErrorCode.BadRequest, 'Use POST');
    }
    if (!this.deps.password) return refuse(401, ErrorCode.Unauthenticated, 'The IDoc inbound port is closed: set SAP_IDOC_INBOUND_PASSWORD');
    if (!authorized(req, this.deps.user, this.deps.password)) {
      res.setHeader('www-authenticate', 'Basic realm="Interchange IDoc inbound"');
      return refuse(401, ErrorCode.Unauthenticated, 'Basic authentication with the IDoc inbound user and password is required');
    }
    const body = await readRaw(req, MAX_IDOC_BYTES);
    if (!body) return refuse(413, ErrorCode.PayloadTooLarge, `The IDoc is larger than ${MAX_IDOC_BYTES} bytes`);
    const raw = body.toString('utf8');

    let parsed: ParsedIdoc;
    try {
      parsed = parseIdoc(raw);
    } catch (error) {
      if ((error as GraphQLError).extensions?.code !== ErrorCode.IdocInvalid) throw error;
      const reason = (error as Error).message;
      const row = await this.deps.repository.recordInbound({ messageType: null, docnum: null, status: 'REJECTED', error: reason, raw, forward: null }, () => []);
      this.deps.logger.warn({ inboundIdoc: row.id, reason }, 'refused an inbound IDoc');
      return refuse(400, ErrorCode.IdocInvalid, reason, { id: row.id });
    }
    let outcome;
    try {
      outcome = outcomeOf(parsed, this.deps.customerQueue);
    } catch (error) {
      if ((error as GraphQLError).extensions?.code !== ErrorCode.IdocInvalid) throw error;
      const reason = (error as Error).message;
      const row = await this.deps.repository.recordInbound({ messageType: parsed.type, docnum: parsed.docnum, status: 'REJECTED', error: reason, raw, forward: null }, () => []);
      return refuse(400, ErrorCode.IdocInvalid, reason, { id: row.id });
    }
    const idoc: NewInboundIdoc = { messageType: parsed.type, docnum: parsed.docnum, status: outcome.forward ? 'RECEIVED' : 'PROCESSED', error: null, raw, forward: outcome.forward };
    const row = await this.deps.repository.recordInbound(idoc, outcome.events);
    if (row.status === 'RECEIVED') this.wake?.();
    sendJson(res, 202, { id: row.id, status: row.status, messageType: row.messageType, docnum: row.docnum });
  };

  /** Starts forwarding accepted documents' messages (in the background, every replica). */
  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      await this.forwardDue().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not forward inbound IDocs; trying again'));
      await Promise.race([pause(FORWARD_INTERVAL_MS, signal), new Promise<void>((resolve) => (this.wake = resolve))]);
      this.wake = undefined;
    }
  }

  /** Publishes the messages of the documents due, through the router; returns how many went. */
  async forwardDue(): Promise<number> {
    const router = this.deps.router;
    if (!router) return 0;
    let forwarded = 0;
    for (const row of await this.deps.repository.dueForwards(FORWARD_BATCH)) {
      const message = row.forward!;
      let failure: string | undefined;
      try {
        const result = await router.execute(PUBLISH, { queue: message.queue, input: { payload: message.payload, headers: message.headers, dedupKey: message.dedupKey } }, `sap-idoc-${row.id}`);
        if (result.errors) failure = `${result.errors[0]!.code}: ${result.errors[0]!.message}`;
      } catch (error) {
        if (!(error instanceof RouterUnreachable)) throw error;
        failure = error.message;
      }
      if (failure === undefined) {
        await this.deps.repository.markForwarded(row.id);
        forwarded++;
      } else {
        const delayMs = retryDelay(row.attempts + 1);
        await this.deps.repository.markForwardFailed(row.id, failure, Math.ceil(delayMs / 1000));
        this.deps.logger.warn({ inboundIdoc: row.id, reason: failure }, 'could not publish an inbound IDoc\'s message; it is retried');
      }
    }
    return forwarded;
  }
}
