import { readFileSync } from 'node:fs';
import { Kind, parse, type DocumentNode, type StringValueNode } from 'graphql';
import { ConfigError, subgraphUrlVariable } from '../infra/config.js';
import { holdOneByteNames } from '../infra/graphql/one-byte-names.js';

export interface SubgraphEndpoint {
  /** The name given at composition (join__graph's `name`). */
  name: string;
  url: string;
}

export interface Supergraph {
  sdl: string;
  subgraphs: SubgraphEndpoint[];
}

/**
 * Reads a Federation 2 supergraph and the subgraphs its join__Graph enum names. Its names are
 * held as one-byte strings before anything builds a schema from it (infra/graphql/one-byte-names.ts).
 */
export function readSupergraph(path: string): Supergraph {
  let sdl: string;
  let document: DocumentNode;
  try {
    sdl = readFileSync(path, 'utf8');
    document = parse(sdl);
  } catch (error) {
    throw new ConfigError(`SUPERGRAPH_PATH=${JSON.stringify(path)}: cannot read a supergraph there (${error instanceof Error ? error.message : String(error)})`);
  }
  holdOneByteNames(document);
  const graphs = document.definitions.find((definition) => definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph');
  if (!graphs || graphs.kind !== Kind.ENUM_TYPE_DEFINITION) {
    throw new ConfigError(`SUPERGRAPH_PATH=${JSON.stringify(path)}: not a Federation 2 supergraph (no join__Graph enum)`);
  }
  const subgraphs = (graphs.values ?? []).map((value) => {
    const directive = value.directives?.find((d) => d.name.value === 'join__graph');
    const argument = (name: string) => (directive?.arguments?.find((a) => a.name.value === name)?.value as StringValueNode | undefined)?.value;
    return { name: argument('name') ?? value.name.value.toLowerCase(), url: argument('url') ?? '' };
  });
  return { sdl, subgraphs };
}

/**
 * The supergraph's URLs, each overridable by SUBGRAPH_<NAME>_URL. An override that names
 * no subgraph of this supergraph (a typo) is an error, not silently ignored.
 */
export function subgraphUrlsFromEnv(subgraphs: SubgraphEndpoint[], env: Record<string, string | undefined> = process.env): Record<string, string> {
  const known = new Set(subgraphs.map(({ name }) => subgraphUrlVariable(name)));
  const unknown = Object.keys(env).filter((key) => /^SUBGRAPH_.+_URL$/.test(key) && !known.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${unknown.map((key) => `  ${key}: names no subgraph of this supergraph (it has ${[...known].join(', ')})`).join('\n')}`);
  }
  const urls: Record<string, string> = {};
  for (const { name, url } of subgraphs) {
    const variable = subgraphUrlVariable(name);
    const override = env[variable];
    if (override !== undefined && override !== '') {
      if (!/^https?:\/\/\S+$/.test(override)) throw new ConfigError(`Invalid configuration:\n  ${variable}=${JSON.stringify(override)}: must be an http:// or https:// URL`);
      urls[name] = override;
    } else if (!url) {
      throw new ConfigError(`The supergraph gives no URL for subgraph ${name}; set ${variable}`);
    } else {
      urls[name] = url;
    }
  }
  return urls;
}
