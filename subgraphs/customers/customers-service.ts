import { notFound, type FieldError } from '../../infra/errors.js';
import { isUuid } from '../../infra/ids.js';
import { idempotencyKeyRule } from '../../infra/db/idempotency.js';
import { parseInput } from '../../infra/validation.js';
import { createCustomerInput, updateCustomerInput, upsertCustomerInput } from './customer-input.js';
import type { CustomerGroupRow, CustomerPatch, CustomerRow, CustomersRepository, NewCustomer } from './customers-repository.js';

/** Columns with a database default: null or absent in input means "use the default". */
const DEFAULTED: readonly string[] = ['customerGroup', 'creditLimit', 'tier'];

/** The columns to write: what the input names, without nulls for defaulted columns. */
export function columnsToWrite<T extends object>(values: T): T {
  // A plain loop: an import runs this for each of thousands of rows.
  const written: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && !(value === null && DEFAULTED.includes(key))) written[key] = value;
  }
  return written as T;
}

/** Customer mutations: validate everything, then write in one statement, so nothing is half-written. */
export class CustomersService {
  constructor(private readonly repository: CustomersRepository) {}

  async create(input: unknown, requestId: string | null): Promise<CustomerRow> {
    const values = await parseInput(createCustomerInput, input, (parsed) => this.checkGroup(parsed.customerGroup));
    return this.repository.create(columnsToWrite(values) as NewCustomer, requestId);
  }

  async update(id: string, input: unknown, requestId: string | null): Promise<CustomerRow> {
    if (!isUuid(id)) throw notFound('Customer', id);
    const values = await parseInput(updateCustomerInput, input, (parsed) => this.checkGroup(parsed.customerGroup));
    const patch = columnsToWrite(values) as CustomerPatch;
    const row = Object.keys(patch).length > 0 ? await this.repository.update(id, patch, requestId) : (await this.repository.findByIds([id]))[0];
    if (!row) throw notFound('Customer', id);
    return row;
  }

  /**
   * Fields absent from `input` keep their current value on update; `phone: null` clears it. With
   * `idempotencyKey`, a repeat with the same arguments answers the customer as it is now and changes nothing.
   */
  async upsertByExternalId(
    externalId: string,
    input: object,
    idempotencyKey: string | null | undefined,
    requestId: string | null,
  ): Promise<{ customer: CustomerRow; created: boolean }> {
    const { externalId: key, idempotencyKey: idempotency, ...values } = await parseInput(upsertCustomerInput.extend({ idempotencyKey: idempotencyKeyRule }), { ...input, externalId, idempotencyKey }, (parsed) =>
      this.checkGroup(parsed.customerGroup),
    );
    const written = columnsToWrite(values) as Omit<NewCustomer, 'externalId'>;
    const idempotent = idempotency ? { key: idempotency, operation: 'upsertCustomerByExternalId', args: { externalId: key, ...written } } : undefined;
    const { row, created } = await this.repository.upsertByExternalId(key, written, requestId, idempotent);
    return { customer: row, created };
  }

  private async checkGroup(value: unknown): Promise<FieldError[]> {
    if (typeof value !== 'string' || value.trim() === '') return [];
    return checkGroupAmong(value, await this.repository.groups());
  }
}

/** customerGroup's rule, given the stored groups (read once per call, however many inputs it checks). */
export function checkGroupAmong(value: unknown, groups: readonly CustomerGroupRow[]): FieldError[] {
  if (typeof value !== 'string' || value.trim() === '') return [];
  const group = value.trim();
  if (groups.some((known) => known.code === group)) return [];
  return [{ field: 'customerGroup', message: `must be one of ${groups.map((known) => known.code).join(', ')}` }];
}
