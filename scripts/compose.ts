import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { fromRoot } from '../infra/paths.js';

export interface SubgraphEntry {
  name: string;
  url: string;
  /** SDL file, relative to the config file. */
  schema: string;
}

export const DEFAULT_CONFIG = fromRoot('schema/subgraphs.json');
export const DEFAULT_OUTPUT = fromRoot('schema/supergraph.graphql');

/** Composes the subgraphs named in `configPath`; throws with every composition error's message. */
export function composeSupergraph(configPath = DEFAULT_CONFIG): string {
  const { subgraphs } = JSON.parse(readFileSync(configPath, 'utf8')) as { subgraphs: SubgraphEntry[] };
  const result = composeServices(
    subgraphs.map((subgraph) => ({
      name: subgraph.name,
      url: subgraph.url,
      typeDefs: parse(readFileSync(resolve(dirname(configPath), subgraph.schema), 'utf8')),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [configPath = DEFAULT_CONFIG, outputPath = DEFAULT_OUTPUT] = process.argv.slice(2);
  try {
    writeFileSync(outputPath, composeSupergraph(resolve(configPath)));
    console.log(`wrote ${outputPath}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
