import type { DocumentNode } from 'graphql';

/**
 * What is worked out once per operation of a parsed document (a plan, compiled code, a policy)
 * and kept as long as the document: Apollo Server keeps one DocumentNode per query text, so a
 * repeated query finds its entry, and an entry goes when its document is dropped. `input` is
 * what the computation needs besides the document (the schema it was validated against, say):
 * it is read on the first call only, so it must be the same for every call with that document.
 */
export class PerOperation<T, Input = void> {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, T>>();

  constructor(private readonly compute: (document: DocumentNode, operationName: string | undefined, input: Input) => T) {}

  /** Whether the value for this operation of `document` was worked out already. */
  has(document: DocumentNode, operationName: string | null | undefined): boolean {
    return this.byDocument.get(document)?.has(operationName ?? '') ?? false;
  }

  get(document: DocumentNode, operationName: string | null | undefined, input: Input): T {
    let byName = this.byDocument.get(document);
    if (!byName) this.byDocument.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let value = byName.get(key);
    if (value === undefined) {
      value = this.compute(document, operationName ?? undefined, input);
      byName.set(key, value);
    }
    return value;
  }
}
