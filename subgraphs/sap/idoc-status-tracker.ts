import type { NewEvent } from '../../infra/events/event.js';
import type { Logger } from '../../infra/logger.js';
import { pause } from '../../infra/pause.js';
import type { SapConnector } from './connector/index.js';
import type { IdocRow, IdocStatus, IdocStatusUpdate, SapRepository } from './sap-repository.js';

/** IDocs read back per round, at most. */
const BATCH = 200;

/**
 * SAP's IDoc status codes (EDIDS) that end an inbound IDoc's processing: 53 posted; 51, 56, 60,
 * 63 and 65 errors. The others (64 ready, 62, 66, …) mean SAP is still working on it.
 */
export function finalStatus(code: string): Exclude<IdocStatus, 'SENT'> | undefined {
  if (code === '53') return 'POSTED';
  if (['51', '56', '60', '63', '65'].includes(code)) return 'FAILED';
  return undefined;
}

export function idocEvent(row: IdocRow, requestId: string | null = null): NewEvent {
  const type = row.status === 'POSTED' ? 'sap.idoc_posted' : row.status === 'FAILED' ? 'sap.idoc_failed' : 'sap.idoc_sent';
  return {
    type,
    source: 'sap',
    subject: { typename: 'SapIdoc', id: row.id },
    data: { system: row.system, docnum: row.docnum, orderId: row.orderId, orderNumber: row.orderNumber, status: row.status, statusCode: row.statusCode, statusText: row.statusText },
    requestId,
  };
}

/**
 * Follows the IDocs the hub sent until SAP has posted or failed them: every `intervalMs` it reads
 * the status of the open ones from each system's control records (EDIDC, through RFC_READ_TABLE),
 * and records each final status with its event (`sap.idoc_posted`, `sap.idoc_failed`) in one
 * transaction. Every replica runs it; a status applied twice changes nothing the second time.
 */
export class IdocStatusTracker {
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: { connector: SapConnector; repository: SapRepository; logger: Logger; intervalMs: number },
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.controller.signal.aborted) {
      await this.round().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not read IDoc statuses from SAP; trying again'));
      await pause(this.deps.intervalMs, this.controller.signal);
    }
  }

  /** Reads the open IDocs' statuses once; returns how many became final. */
  async round(): Promise<number> {
    const open = await this.deps.repository.openIdocs(BATCH);
    const bySystem = new Map<string, IdocRow[]>();
    for (const row of open) bySystem.set(row.system, [...(bySystem.get(row.system) ?? []), row]);
    let changed = 0;
    for (const [systemId, rows] of bySystem) {
      const system = this.deps.connector.systems().find((candidate) => candidate.id === systemId);
      if (!system) continue; // a system no longer configured: its IDocs stay SENT
      try {
        const statuses = new Map((await system.idoc.status(rows.map((row) => row.docnum))).map((status) => [status.docnum, status]));
        const updates: IdocStatusUpdate[] = [];
        for (const row of rows) {
          const read = statuses.get(row.docnum);
          const status = read && finalStatus(read.status);
          if (read && status) updates.push({ id: row.id, status, statusCode: read.status, statusText: read.statusText || null });
        }
        changed += (await this.deps.repository.applyStatuses(updates, (row) => idocEvent(row))).length;
      } catch (error) {
        this.deps.logger.warn({ err: error, system: systemId }, 'could not read IDoc statuses from an SAP system');
      }
    }
    return changed;
  }
}
