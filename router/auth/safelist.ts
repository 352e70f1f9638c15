import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GraphQLError, parse, print, type DocumentNode } from 'graphql';
import { ConfigError } from '../../infra/config.js';
import { ErrorCode } from '../../infra/errors.js';

const APQ_PREFIX = 'apq:';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The persisted operations a locked-down router runs, and nothing else (SAFELIST_PATH).
 * An operation is listed when its text hashes (SHA-256, as automatic persisted queries) to a
 * listed hash, or when it prints the same as a listed one (whitespace, commas and comments aside).
 */
export class Safelist {
  private readonly byHash = new Map<string, string>();
  private readonly printed = new Set<string>();
  /** print() of each document checked, once per parsed document. */
  private readonly printedDocuments = new WeakMap<DocumentNode, string>();

  /** `entries`: hash -> query text; a hash that is not the text's SHA-256 is refused. */
  constructor(entries: Iterable<[hash: string | undefined, text: string]>) {
    for (const [declared, text] of entries) {
      const hash = sha256(text);
      if (declared !== undefined && declared.toLowerCase() !== hash) throw new Error(`the hash ${declared} is not the SHA-256 of its operation (${hash})`);
      this.byHash.set(hash, text);
      this.printed.add(print(parse(text, { noLocation: true })));
    }
  }

  /** Reads a JSON file: `{ "<sha256>": "<operation text>" }` or `["<operation text>", ...]`. */
  static fromFile(path: string): Safelist {
    try {
      const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (Array.isArray(json) && json.every((text) => typeof text === 'string')) return new Safelist(json.map((text) => [undefined, text]));
      if (json && typeof json === 'object' && !Array.isArray(json) && Object.values(json).every((text) => typeof text === 'string')) {
        return new Safelist(Object.entries(json as Record<string, string>));
      }
      throw new Error('expected an object of hash -> operation text, or an array of operation texts');
    } catch (error) {
      throw new ConfigError(`Invalid configuration:\n  SAFELIST_PATH=${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Whether the operation may run: by the hash of its text first, else by its printed form. */
  allows(queryHash: string | undefined, document: DocumentNode): boolean {
    if (queryHash !== undefined && this.byHash.has(queryHash)) return true;
    let printed = this.printedDocuments.get(document);
    if (printed === undefined) this.printedDocuments.set(document, (printed = print(document)));
    return this.printed.has(printed);
  }

  /**
   * Apollo Server's persisted-query cache over the safelist: a listed hash is found without the
   * client registering it first, and nothing else is ever registered.
   */
  persistedQueryCache() {
    return {
      get: async (key: string) => this.byHash.get(key.startsWith(APQ_PREFIX) ? key.slice(APQ_PREFIX.length) : key),
      set: async () => {},
      delete: async () => {},
    };
  }
}

export function notSafelistedError(): GraphQLError {
  return new GraphQLError('This router runs only the operations of its safelist, and this is not one of them', {
    extensions: { code: ErrorCode.PersistedQueryNotAllowed, http: { status: 400 } },
  });
}
