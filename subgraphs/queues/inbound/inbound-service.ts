import { randomBytes } from 'node:crypto';
import DataLoader from 'dataloader';
import { toConnection, type Connection, type PageRequest } from '../../../infra/db/pagination.js';
import type { DomainEvent } from '../../../infra/events/event.js';
import type { Events } from '../../../infra/events/events.js';
import { notFound, type FieldError } from '../../../infra/errors.js';
import { parseInput } from '../../../infra/validation.js';
import type { QueuesRepository } from '../queues-repository.js';
import { createSourceInput, secretProblem, SOURCE_NAME, updateSourceInput } from './inbound-input.js';
import type { InboundRepository, InboundWebhookRow, SourceRow, SourceSettings } from './inbound-repository.js';

/** A new source and its secret, shown this once. */
export interface CreatedSource {
  source: SourceRow;
  secret: string;
}

/** A new Standard Webhooks secret: `whsec_` and 24 random bytes in base64 (a 192-bit key). */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Inbound webhook sources and the webhooks they sent, for the GraphQL API: validate, then one repository call. */
export class InboundService {
  constructor(
    private readonly repository: InboundRepository,
    private readonly queues: QueuesRepository,
    private readonly events: Events,
  ) {}

  listSources(): Promise<SourceRow[]> {
    return this.repository.listSources();
  }

  async createSource(input: object, requestId: string | null): Promise<CreatedSource> {
    const values = await parseInput(createSourceInput, input, async (parsed) => [
      ...(typeof parsed.secret === 'string' && parsed.scheme ? this.secretProblems(parsed.scheme, parsed.secret) : []),
      ...(await this.queueProblems(parsed.queue)),
    ]);
    const secret = values.secret ?? newSecret();
    const source = await this.repository.createSource({ name: values.name, scheme: values.scheme, secret, ...given(values) }, requestId);
    return { source, secret };
  }

  async updateSource(name: string, input: object, requestId: string | null): Promise<SourceRow> {
    const source = await this.source(name);
    const values = await parseInput(updateSourceInput, input, async (parsed) => [
      ...(typeof parsed.secret === 'string' ? this.secretProblems(source.scheme, parsed.secret) : []),
      ...(await this.queueProblems(parsed.queue)),
    ]);
    const patch: SourceSettings = { ...given(values), ...(values.secret != null && { secret: values.secret }), ...(values.queue !== undefined && { queue: values.queue }) };
    const row = Object.keys(patch).length > 0 ? await this.repository.updateSource(name, patch, requestId) : source;
    if (!row) throw notFound('InboundWebhookSource', name);
    return row;
  }

  async deleteSource(name: string, requestId: string | null): Promise<boolean> {
    if (!(await this.repository.deleteSource(name, requestId))) throw notFound('InboundWebhookSource', name);
    return true;
  }

  /** The source by name; NOT_FOUND for an unknown (or malformed) name. */
  async source(name: string): Promise<SourceRow> {
    const source = SOURCE_NAME.test(name) ? await this.repository.findSource(name) : undefined;
    if (!source) throw notFound('InboundWebhookSource', name);
    return source;
  }

  async webhooks(name: string, page: PageRequest, counted: boolean): Promise<Connection<InboundWebhookRow>> {
    const source = await this.source(name);
    const { rows, total } = await this.repository.page(source, page, counted);
    return toConnection(rows, page.first, total ?? (() => this.repository.count(source.id)));
  }

  /** The events of the source's accepted webhooks: with `after`, the stored ones after that event id first. */
  async subscribe(name: string, after: string | null | undefined): Promise<AsyncGenerator<DomainEvent>> {
    const source = await this.source(name);
    const prefix = `inbound.${source.name}.`;
    const stream = this.events.stream({ subjectType: 'InboundWebhook' }, after);
    return (async function* ofSource() {
      for await (const event of stream) if (event.type.startsWith(prefix)) yield event;
    })();
  }

  private secretProblems(scheme: 'STANDARD_WEBHOOKS' | 'STRIPE', secret: string): FieldError[] {
    const problem = secretProblem(scheme, secret);
    return problem ? [{ field: 'secret', message: problem }] : [];
  }

  /** A route must name a queue that exists now (it may be deleted later: then webhooks are answered 503 until it is back). */
  private async queueProblems(queue: unknown): Promise<FieldError[]> {
    if (typeof queue !== 'string') return [];
    return (await this.queues.findByNames([queue])).length > 0 ? [] : [{ field: 'queue', message: 'is not an existing queue' }];
  }
}

/** The settings given, without nulls (null or absent is "the default" or "unchanged"). */
function given(values: { toleranceSeconds?: number | null; queue?: string | null; enabled?: boolean | null }): SourceSettings {
  return {
    ...(values.toleranceSeconds != null && { toleranceSeconds: values.toleranceSeconds }),
    ...(values.queue != null && { queue: values.queue }),
    ...(values.enabled != null && { enabled: values.enabled }),
  };
}

/** Per request: each source's counters, one statement for all the sources a request shows. */
export interface InboundLoaders {
  countsBySourceId: DataLoader<string, ReadonlyMap<string, number>>;
  webhookById: DataLoader<string, InboundWebhookRow | null>;
}

export function createInboundLoaders(repository: InboundRepository): InboundLoaders {
  return {
    countsBySourceId: new DataLoader(async (ids) => {
      const counts = await repository.countsOf(ids);
      return ids.map((id) => counts.get(id) ?? new Map<string, number>());
    }),
    // Not cached: a subscription's context lives as long as the subscription.
    webhookById: new DataLoader(async (ids) => {
      const rows = new Map((await repository.findWebhooks(ids)).map((row) => [row.id, row]));
      return ids.map((id) => rows.get(id) ?? null);
    }, { cache: false }),
  };
}
