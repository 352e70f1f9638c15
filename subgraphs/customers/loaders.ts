import type DataLoader from 'dataloader';
import { rowLoader } from '../../infra/db/loader.js';
import type { CustomerRow, CustomersRepository } from './customers-repository.js';

export interface CustomerLoaders {
  customerById: DataLoader<string, CustomerRow | null>;
  /** For references by the second key, `{ __typename: "Customer", externalId }`. */
  customerByExternalId: DataLoader<string, CustomerRow | null>;
}

/** Created per request, so batches never mix requests and nothing is cached across them. */
export function createLoaders(repository: CustomersRepository): CustomerLoaders {
  return {
    customerById: rowLoader((ids) => repository.findByIds(ids), (row) => row.id),
    customerByExternalId: rowLoader((externalIds) => repository.findByExternalIds(externalIds), (row) => row.externalId!),
  };
}
