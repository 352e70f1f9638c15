import { randomBytes } from 'node:crypto';
import { notFound } from '../../../infra/errors.js';
import type { Connection, PageRequest } from '../../../infra/db/pagination.js';
import { toConnection } from '../../../infra/db/pagination.js';
import type { DeliveryUpdates } from './delivery-updates.js';
import { isUuid } from '../../../infra/ids.js';
import { parseInput } from '../../../infra/validation.js';
import { createEndpointInput, DEFAULT_MAX_CONCURRENCY, DEFAULT_RETRY_SCHEDULE, replayRange, updateEndpointInput } from './webhook-input.js';
import type { DeliveryRow, EndpointPatch, EndpointRow, WebhookDeliveryStatus, WebhooksRepository } from './webhooks-repository.js';

/** How long a rotated secret keeps signing beside the new one. */
export const SECRET_OVERLAP_SECONDS = 86_400;

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface EndpointWithSecret {
  endpoint: EndpointRow;
  secret: string;
}

/** Webhook operations for the resolvers: validate, then one transaction in the repository. */
export class WebhooksService {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly deliveryUpdates: DeliveryUpdates,
    /** Called after an endpoint was created or changed, so that this process's sender looks at once. */
    private readonly changed: (endpointId: string) => void,
  ) {}

  list(): Promise<EndpointRow[]> {
    return this.repository.listEndpoints();
  }

  /** Null for an unknown (or malformed) id. */
  async find(id: string): Promise<EndpointRow | null> {
    return (isUuid(id) && (await this.repository.endpointsByIds([id]))[0]) || null;
  }

  async create(input: object, requestId: string | null): Promise<EndpointWithSecret> {
    const values = await parseInput(createEndpointInput, input);
    const secret = newSecret();
    const endpoint = await this.repository.createEndpoint(
      {
        url: values.url,
        description: values.description ?? null,
        eventTypes: values.eventTypes,
        enabled: values.enabled ?? true,
        rateLimitPerSecond: values.rateLimitPerSecond ?? null,
        maxConcurrency: values.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
        retrySchedule: [...(values.retrySchedule ?? DEFAULT_RETRY_SCHEDULE)],
        secret,
      },
      requestId,
    );
    this.changed(endpoint.id);
    return { endpoint, secret };
  }

  async update(id: string, input: Record<string, unknown>, requestId: string | null): Promise<EndpointRow> {
    const endpoint = await this.endpoint(id);
    const values = await parseInput(updateEndpointInput, input);
    const patch: EndpointPatch = {};
    if (values.url != null) patch.url = values.url;
    if (values.eventTypes != null) patch.eventTypes = values.eventTypes;
    if (values.enabled != null) patch.enabled = values.enabled;
    if (values.maxConcurrency != null) patch.maxConcurrency = values.maxConcurrency;
    if (values.retrySchedule != null) patch.retrySchedule = values.retrySchedule;
    // Null clears these two; absent leaves them.
    if ('description' in input) patch.description = values.description ?? null;
    if ('rateLimitPerSecond' in input) patch.rateLimitPerSecond = values.rateLimitPerSecond ?? null;
    if (Object.keys(patch).length === 0) return endpoint;
    const row = await this.repository.updateEndpoint(id, patch, requestId);
    if (!row) throw notFound('WebhookEndpoint', id);
    this.changed(id);
    return row;
  }

  async rotateSecret(id: string, requestId: string | null): Promise<EndpointWithSecret> {
    await this.endpoint(id);
    const secret = newSecret();
    const endpoint = await this.repository.rotateSecret(id, secret, SECRET_OVERLAP_SECONDS, requestId);
    if (!endpoint) throw notFound('WebhookEndpoint', id);
    this.changed(id);
    return { endpoint, secret };
  }

  async delete(id: string, requestId: string | null): Promise<boolean> {
    if (!isUuid(id) || !(await this.repository.deleteEndpoint(id, requestId))) throw notFound('WebhookEndpoint', id);
    this.changed(id);
    return true;
  }

  async deliveries(endpointId: string, status: WebhookDeliveryStatus | null, page: PageRequest, counted: boolean): Promise<Connection<DeliveryRow>> {
    await this.endpoint(endpointId);
    const { rows, total } = await this.repository.deliveriesPage(endpointId, status, page, counted);
    return toConnection(rows, page.first, total ?? (() => this.repository.countDeliveries(endpointId, status)));
  }

  async replayDelivery(id: string, requestId: string | null): Promise<DeliveryRow> {
    if (!isUuid(id) || (await this.repository.replay([id], requestId)) === 0) throw notFound('WebhookDelivery', id);
    return (await this.repository.deliveriesByIds([id]))[0]!;
  }

  async replayEndpoint(id: string, since: Date, until: Date | null | undefined, requestId: string | null): Promise<number> {
    await this.endpoint(id);
    const range = await parseInput(replayRange, { since, until: until ?? new Date() });
    return this.repository.replay(await this.repository.deliveryIdsBetween(id, range.since, range.until), requestId);
  }

  /** The endpoint's deliveries as they change, from now on, each read when its change is announced. */
  async updates(endpointId: string): Promise<AsyncGenerator<DeliveryRow>> {
    await this.endpoint(endpointId);
    const { deliveryUpdates, repository } = this;
    const changed = deliveryUpdates.follow(endpointId);
    return (async function* () {
      try {
        for await (const deliveryId of changed) {
          const [delivery] = await repository.deliveriesByIds([deliveryId]);
          if (delivery) yield delivery;
        }
      } finally {
        await changed.return();
      }
    })();
  }

  private async endpoint(id: string): Promise<EndpointRow> {
    const endpoint = await this.find(id);
    if (!endpoint) throw notFound('WebhookEndpoint', id);
    return endpoint;
  }
}
