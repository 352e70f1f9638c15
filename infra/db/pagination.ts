import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { badUserInput } from '../errors.js';
import { isUuid } from '../ids.js';

/**
 * Cursor pagination shared by every list: newest first, ordered by (created_at, id) descending,
 * with the cursor naming the last row seen. created_at columns have millisecond precision
 * (timestamptz(3)) so that a JavaScript Date round-trips exactly.
 */

export const MAX_PAGE_SIZE = 100;

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: PageInfo;
  /** Counted only when a client selects totalCount: see connectionResolvers. */
  totalCount: () => Promise<number>;
}

/**
 * The resolvers every connection type needs: totalCount is counted on demand. (graphql-js's
 * default resolver would call the function; graphql-jit, which runs the subgraphs, reads
 * properties only.)
 */
export const connectionResolvers = {
  totalCount: <Node>(connection: Connection<Node>) => connection.totalCount(),
};

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export interface PageRequest {
  first: number;
  after: CursorPosition | null;
}

/** Rows per statement of an export (see keysetPages). */
export const EXPORT_PAGE_SIZE = 1_000;

/**
 * Every row a list reads, page after page by keyset (the cursor of each page's last row), for
 * exports: one statement per page, one page in memory at a time. `read` is the list's own
 * statement, which reads `first + 1` rows: the extra row tells that another page follows, so no
 * statement is spent on an empty last page. Pages are separate statements, not one snapshot: a
 * row created during the export (newer than the first page) is not in it; a row changed during
 * it is written as its page found it.
 */
export async function* keysetPages<Row extends CursorPosition>(read: (page: PageRequest) => Promise<Row[]>, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<Row[]> {
  let after: CursorPosition | null = null;
  for (;;) {
    const rows = await read({ first: pageSize, after });
    const page = rows.slice(0, pageSize);
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (rows.length <= pageSize || !last) return;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

export function encodeCursor(row: CursorPosition): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string, field: string, isId: (id: string) => boolean): CursorPosition {
  const invalid = () => badUserInput([{ field, message: 'is not a cursor returned by this API' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[0] !== 'string' || typeof decoded[1] !== 'string' || !isId(decoded[1])) throw invalid();
  const createdAt = new Date(decoded[0]);
  if (Number.isNaN(createdAt.getTime())) throw invalid();
  return { createdAt, id: decoded[1] };
}

/** Validates `first` and `after` as given by a client; errors name the argument. `isId` checks the id in a cursor (default: a UUID). */
export function pageRequest(args: { first?: number | null; after?: string | null }, prefix = '', isId: (id: string) => boolean = isUuid): PageRequest {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput([{ field: `${prefix}first`, message: `must be between 0 and ${MAX_PAGE_SIZE}` }]);
  }
  return { first, after: args.after ? decodeCursor(args.after, `${prefix}after`, isId) : null };
}

/** Its cursor is encoded when read: most operations select only pageInfo.endCursor, if any cursor at all. */
class Edge<Row extends CursorPosition> {
  constructor(readonly node: Row) {}

  // On the prototype, not in an object literal: see infra/graphql/request-release.ts on accessor pairs.
  get cursor(): string {
    return encodeCursor(this.node);
  }
}

class PageInfoOf<Row extends CursorPosition> implements PageInfo {
  constructor(
    readonly hasNextPage: boolean,
    private readonly last: Edge<Row> | undefined,
  ) {}

  get endCursor(): string | null {
    return this.last?.cursor ?? null;
  }
}

/**
 * Builds a connection from up to `first + 1` rows; the extra row only tells that a next page
 * exists. `totalCount`: the count, when the page's own statement counted it, or how to count.
 */
export function toConnection<Row extends CursorPosition>(rows: Row[], first: number, totalCount: number | (() => Promise<number>)): Connection<Row> {
  const edges = rows.slice(0, first).map((node) => new Edge(node));
  return {
    edges,
    pageInfo: new PageInfoOf(rows.length > first, edges.at(-1)),
    totalCount: typeof totalCount === 'number' ? () => Promise.resolve(totalCount) : totalCount,
  };
}

/**
 * Whether the page's own statement should count the matching rows (`count(*) over ()`) instead
 * of a second statement: on a first page (a later one's statement sees only the rows after its
 * cursor) whose connection field selects totalCount.
 */
export function countsWithPage(info: GraphQLResolveInfo, page: PageRequest): boolean {
  if (page.after) return false;
  const selects = (selectionSet: SelectionSetNode | undefined): boolean =>
    !!selectionSet?.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === 'totalCount';
      if (selection.kind === Kind.INLINE_FRAGMENT) return selects(selection.selectionSet);
      return selects(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => selects(node.selectionSet));
}

/**
 * A page read with a `windowTotal` column when `counted` (see countsWithPage): the rows without
 * it, and the count (0 when no row matched); no count when not `counted`.
 */
export function splitWindowTotal<Row>(rows: (Row & { windowTotal?: string | number | null })[], counted: boolean): { rows: Row[]; total?: number } {
  let total = counted ? 0 : undefined;
  const plain = rows.map(({ windowTotal, ...row }) => {
    if (windowTotal != null) total = Number(windowTotal);
    return row as Row;
  });
  return { rows: plain, total };
}
