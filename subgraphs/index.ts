import { access } from './access/subgraph.js';
import { customers } from './customers/subgraph.js';
import { health } from './health/subgraph.js';
import { orders } from './orders/subgraph.js';
import { queues } from './queues/subgraph.js';
import { sap } from './sap/subgraph.js';

/**
 * The hub's domain subgraphs, in the order they start (a subgraph after those it calls).
 * `npm start`, the test hub, codegen and the compose-file test go through this list: a new
 * domain is a folder with a subgraph.ts, one line here, and its entry in schema/subgraphs.json.
 */
export const SUBGRAPHS = [customers, orders, access, queues, sap, health] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];
