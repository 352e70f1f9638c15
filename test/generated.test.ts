import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generate } from '@graphql-codegen/cli';
import { fromRoot } from '../infra/paths.js';
import { composeSupergraph, DEFAULT_OUTPUT } from '../scripts/compose.js';
import codegenConfig from '../codegen.js';

/** Generated files are checked in; these fail when someone changes an SDL file and forgets to regenerate. */
describe('generated files', () => {
  it('has a supergraph.graphql composed from the current subgraph SDL (run `npm run compose`)', () => {
    assert.equal(readFileSync(DEFAULT_OUTPUT, 'utf8'), composeSupergraph());
  });

  it('has resolver types generated from the current subgraph SDL (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...codegenConfig, cwd: fromRoot('.'), silent: true }, false);
    assert.ok(outputs.length >= 2);
    for (const output of outputs) {
      assert.equal(readFileSync(fromRoot(output.filename), 'utf8'), output.content, `${output.filename} is stale`);
    }
  });

  it('fails composition with the composer’s messages when subgraphs disagree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])';
    writeFileSync(join(dir, 'a.graphql'), `${link}\ntype Query { a: Thing } type Thing @key(fields: "id") { id: ID! size: Int! }`);
    writeFileSync(join(dir, 'b.graphql'), `${link}\ntype Query { b: Thing } type Thing @key(fields: "id") { id: ID! size: String! }`);
    writeFileSync(
      join(dir, 'subgraphs.json'),
      JSON.stringify({ subgraphs: [{ name: 'a', url: 'http://a/graphql', schema: 'a.graphql' }, { name: 'b', url: 'http://b/graphql', schema: 'b.graphql' }] }),
    );
    assert.throws(() => composeSupergraph(join(dir, 'subgraphs.json')), /Composition failed:[\s\S]*Thing\.size/);
  });
});
