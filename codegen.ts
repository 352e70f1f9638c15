import type { CodegenConfig } from '@graphql-codegen/cli';
import { SUBGRAPHS } from './subgraphs/index.js';

/**
 * Typed resolvers for every subgraph of subgraphs/index.ts: `npm run codegen` writes
 * subgraphs/<name>/__generated__/resolvers-types.ts from schema/<name>.graphql. GraphQL types
 * that resolvers return as database rows are mapped to the row types the subgraph's descriptor names.
 */
const resolverPlugins = ['typescript', 'typescript-resolvers'];

const shared = {
  federation: true,
  useIndexSignature: true,
  useTypeImports: true,
  enumsAsTypes: true,
  avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
  scalars: { DateTime: 'Date | string', Decimal: 'string', ID: 'string', JSON: 'unknown' },
};

const config: CodegenConfig = {
  overwrite: true,
  hooks: {},
  generates: Object.fromEntries(
    SUBGRAPHS.map(({ name, codegen }) => [
      `subgraphs/${name}/__generated__/resolvers-types.ts`,
      {
        schema: `schema/${name}.graphql`,
        plugins: resolverPlugins,
        config: { ...shared, contextType: `../context.js#${codegen.context}`, mappers: codegen.mappers },
      },
    ]),
  ),
};

export default config;
