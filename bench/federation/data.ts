/**
 * The in-memory data behind the federation benchmark's subgraphs: six users, nine products,
 * their stock, and eleven reviews. Shaped like the public gateways benchmark (the same types,
 * fields and nesting), with data of our own: each review has one author, and a user's reviews
 * are the ones they wrote.
 */

export interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

export interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

export interface Review {
  id: string;
  body: string;
  productUpc: string;
  authorId: string;
}

export const users: readonly User[] = [
  { id: '1', name: 'Ada Lovelace', username: 'ada', birthday: 1234567890 },
  { id: '2', name: 'Alan Turing', username: 'alan', birthday: 1234567890 },
  { id: '3', name: 'Grace Hopper', username: 'grace', birthday: 1234567890 },
  { id: '4', name: 'Edsger Dijkstra', username: 'edsger', birthday: 1234567890 },
  { id: '5', name: 'Barbara Liskov', username: 'barbara', birthday: 1234567890 },
  { id: '6', name: 'Donald Knuth', username: 'donald', birthday: 1234567890 },
];

export const products: readonly Product[] = [
  { upc: '1', name: 'Table', price: 899, weight: 100 },
  { upc: '2', name: 'Couch', price: 1299, weight: 1000 },
  { upc: '3', name: 'Glass', price: 15, weight: 20 },
  { upc: '4', name: 'Chair', price: 499, weight: 100 },
  { upc: '5', name: 'TV', price: 1299, weight: 1000 },
  { upc: '6', name: 'Lamp', price: 6999, weight: 300 },
  { upc: '7', name: 'Grill', price: 3999, weight: 2000 },
  { upc: '8', name: 'Fridge', price: 100000, weight: 6000 },
  { upc: '9', name: 'Sofa', price: 9999, weight: 800 },
];

/** Stock by upc; what the inventory subgraph owns. */
export const inStock: Readonly<Record<string, boolean>> = { '1': true, '2': false, '3': false, '4': false, '5': true, '6': true, '7': true, '8': false, '9': true };

const WORDS = ['the', 'table', 'arrived', 'quickly', 'and', 'looks', 'solid', 'though', 'assembly', 'took', 'longer', 'than', 'expected', 'with', 'a', 'few', 'missing', 'screws', 'customer', 'service', 'replaced', 'them', 'within', 'days', 'finish', 'is', 'smooth', 'colour', 'matches', 'photos', 'would', 'buy', 'again', 'for', 'price'];

/** Review text of a given length, the same on every run. */
function text(seed: number, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += (out ? ' ' : '') + WORDS[(seed * 7 + i * 13) % WORDS.length];
  return `${out.slice(0, length - 1).trimEnd()}.`;
}

// Products as in the public benchmark; authors two reviews each; lengths such that the
// TestQuery's response is about 88 KB, as the public benchmark's is.
const shape: [productUpc: string, authorId: string, length: number][] = [
  ['1', '1', 678],
  ['1', '1', 456],
  ['1', '2', 420],
  ['1', '2', 222],
  ['2', '3', 678],
  ['2', '3', 456],
  ['2', '4', 420],
  ['2', '4', 222],
  ['3', '5', 222],
  ['4', '5', 222],
  ['4', '6', 1353],
];

export const reviews: readonly Review[] = shape.map(([productUpc, authorId, length], i) => ({
  id: String(i + 1),
  body: text(i + 1, length),
  productUpc,
  authorId,
}));
