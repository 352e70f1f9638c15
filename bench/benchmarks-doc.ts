import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fromRoot } from '../infra/paths.js';

const PATH = fromRoot('docs/benchmarks.md');
const HEADER = '# Benchmarks\n\nEach section is written by its `npm run bench...` command; numbers are from one run on the machine named.\n';

/**
 * Replaces one bench's section of docs/benchmarks.md, the text between
 * `<!-- bench:<id> -->` and `<!-- /bench:<id> -->`, and leaves every other section as it is.
 * A section not there yet is added at the end. Returns the file's path.
 */
export function writeBenchmarkSection(id: string, markdown: string): string {
  const open = `<!-- bench:${id} -->`;
  const close = `<!-- /bench:${id} -->`;
  const block = `${open}\n${markdown.trim()}\n${close}`;
  const current = existsSync(PATH) ? readFileSync(PATH, 'utf8') : HEADER;
  const start = current.indexOf(open);
  const end = current.indexOf(close);
  const next = start >= 0 && end > start ? current.slice(0, start) + block + current.slice(end + close.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(PATH, next);
  return PATH;
}

/** The Node options the Dockerfile gives every service (`npm start` and `npm run router` give the router the same). */
export const DEPLOYED_NODE_OPTIONS = /^ENV NODE_OPTIONS=(.+)$/m.exec(readFileSync(fromRoot('Dockerfile'), 'utf8'))?.[1] ?? '';

/** The CPU model, as /proc/cpuinfo names it. */
export function cpuModel(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1]?.trim() ?? 'unknown CPU';
  } catch {
    return 'unknown CPU';
  }
}
