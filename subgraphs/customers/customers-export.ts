import { csvExportRoute, type CsvColumn } from '../../infra/http/csv-export.js';
import type { SubgraphRoute } from '../../infra/graphql/subgraph-server.js';
import { customerFilterParameters } from './customer-input.js';
import type { CustomerRow, CustomersRepository } from './customers-repository.js';

/** Where the router forwards GET /exports/customers.csv (the same path on both). */
export const CUSTOMERS_EXPORT_PATH = '/exports/customers.csv';

/** One row per customer, the Customer type's fields in its SDL order. */
const COLUMNS: readonly CsvColumn<CustomerRow>[] = [
  { name: 'id', value: (row) => row.id },
  { name: 'externalId', value: (row) => row.externalId, userText: true },
  { name: 'name', value: (row) => row.name, userText: true },
  { name: 'email', value: (row) => row.email, userText: true },
  { name: 'phone', value: (row) => row.phone, userText: true },
  { name: 'customerGroup', value: (row) => row.customerGroup, userText: true },
  { name: 'creditLimit', value: (row) => row.creditLimit },
  { name: 'tier', value: (row) => row.tier },
  { name: 'createdAt', value: (row) => row.createdAt.toISOString() },
  { name: 'updatedAt', value: (row) => row.updatedAt.toISOString() },
];

/** GET /exports/customers.csv: the customers `customers(filter:)` lists, every page of them (customers:read). */
export function customersExport(repository: CustomersRepository): SubgraphRoute {
  return csvExportRoute({
    filename: 'customers.csv',
    scope: 'customers:read',
    filter: customerFilterParameters,
    columns: COLUMNS,
    pages: (filter) => repository.exportPages(filter),
  });
}
