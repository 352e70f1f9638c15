import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { fromRoot } from '../infra/paths.js';
import { QueryPlanExecutor } from '../router/execution/query-plan-executor.js';
import { readSupergraph } from '../router/supergraph.js';
import { SDL, twoByte } from './fixtures/one-byte-subgraph.js';

// Which copy of a name V8 internalized first decides, for the life of the process, whether
// answers holding it are one- or two-byte strings (infra/graphql/one-byte-names.ts). So each
// case has names no other code of its process has used: the subgraph cases run in a process of
// their own, the router case renames a schema's names before the router reads it.

/** test/fixtures/one-byte-subgraph.ts's answer in a new process, with its names held or not. */
async function subgraphAnswer(mode: 'held' | 'unheld'): Promise<{ answer: string; twoByte: boolean }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fromRoot('test/fixtures/one-byte-subgraph.ts'), mode], { cwd: fromRoot() });
  return JSON.parse(stdout) as { answer: string; twoByte: boolean };
}

const EXPECTED = '{"data":{"zqParts":[{"zqSerial":"p1","zqGauge":"M6"}]}}';

describe('schema names held as one-byte strings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'interchange-one-byte-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('make a subgraph’s answers one-byte strings', async () => {
    assert.deepEqual(await subgraphAnswer('held'), { answer: EXPECTED, twoByte: false });
  });

  it('make the router read subgraph answers into one-byte keys, after Apollo’s and Hive’s planners built their schemas', () => {
    const { supergraphSdl, errors } = composeServices([{ name: 'parts', url: 'http://127.0.0.1:1/graphql', typeDefs: parse(SDL) }]);
    assert.deepEqual(errors ?? [], []);
    // Composing internalized the names it composed: the router reads the supergraph renamed.
    const path = join(dir, 'supergraph.graphql');
    writeFileSync(path, supergraphSdl!.replaceAll('zq', 'zr').replaceAll('Zq', 'Zr').replaceAll('ZQ', 'ZR'));
    const { sdl } = readSupergraph(path);
    new QueryPlanExecutor(sdl, { planner: 'hive', exposeQueryPlan: false });
    const answer = JSON.stringify(JSON.parse('{"data":{"zrParts":[{"zrSerial":"p1","zrGauge":"M6"}]}}'));
    assert.equal(answer, '{"data":{"zrParts":[{"zrSerial":"p1","zrGauge":"M6"}]}}');
    assert.equal(twoByte(answer), false);
  });

  it('are needed: without, Apollo Federation’s copies of the names are internalized, two bytes a character', async (t) => {
    const { answer, twoByte: unheld } = await subgraphAnswer('unheld');
    assert.equal(answer, EXPECTED);
    // Should a later V8 or Apollo Federation stop making two-byte copies, holding the names is
    // no longer needed, and this says so rather than fail.
    if (!unheld) t.diagnostic('this V8 and Apollo Federation keep the names one-byte: holding them is no longer needed');
  });
});
