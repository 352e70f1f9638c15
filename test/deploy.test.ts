import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { parse, parseAllDocuments } from 'yaml';
import type { ZodRawShape } from 'zod';
import { scopesOf, type Principal } from '../infra/auth/principal.js';
import { loadConfig, shownValue, subgraphUrlVariable, TRIAL_SECRETS } from '../infra/config.js';
import { ErrorCode } from '../infra/errors.js';
import { fromRoot } from '../infra/paths.js';
import { routerEnv } from '../router/config.js';
import { readSupergraph } from '../router/supergraph.js';
import { SUBGRAPHS } from '../subgraphs/index.js';
import { eventually } from './support/eventually.js';
import { graphql, internalHeaders, startTestHub, TEST_INTERNAL_SECRET, type SubgraphName, type TestHub } from './support/hub.js';
import { asRole, TEST_JWT_SECRET, testToken } from './support/tokens.js';

/**
 * Keeps deploy/ honest. The Prometheus rules and the Grafana dashboard name only metrics, labels
 * and label values that the services' /metrics really serve (read from the test hub after it has
 * done what makes every series appear). The Kubernetes manifests run each service from the image
 * with the variables its configuration reads, on its port, probed at the paths it serves, with
 * every secret taken from a Secret that this repository does not hold.
 */

const DEPLOY = fromRoot('deploy');
const RULES_PATH = join(DEPLOY, 'prometheus/interchange-rules.yaml');
const DASHBOARD_PATH = join(DEPLOY, 'grafana/interchange-dashboard.json');
const KUBERNETES = join(DEPLOY, 'kubernetes');
const BASE = join(KUBERNETES, 'base');

const supergraph = readSupergraph(fromRoot('schema/supergraph.graphql'));

// ---------------------------------------------------------------------------------------------
// PromQL, as far as these files need it: a tokenizer and one pass that finds every selector (its
// metric, matchers, whether it takes a range, the function around it) and every label list.
// ---------------------------------------------------------------------------------------------

const AGGREGATIONS: ReadonlySet<string> = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);

/** Functions over a range vector: their selector must carry `[range]`, and no other may. */
const RANGE_FUNCTIONS: ReadonlySet<string> = new Set([
  'rate', 'irate', 'increase', 'resets', 'delta', 'idelta', 'deriv', 'predict_linear', 'changes', 'holt_winters', 'double_exponential_smoothing',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time', 'stddev_over_time',
  'stdvar_over_time', 'last_over_time', 'present_over_time', 'absent_over_time', 'mad_over_time',
]);

/** Functions whose argument must be a counter (a histogram's _bucket, _sum and _count are counters). */
const COUNTER_FUNCTIONS: ReadonlySet<string> = new Set(['rate', 'irate', 'increase', 'resets']);

const FUNCTIONS: ReadonlySet<string> = new Set([
  ...RANGE_FUNCTIONS,
  'abs', 'absent', 'ceil', 'clamp', 'clamp_max', 'clamp_min', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'exp', 'floor',
  'histogram_count', 'histogram_sum', 'histogram_fraction', 'histogram_quantile', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar',
  'hour', 'label_join', 'label_replace', 'ln', 'log2', 'log10', 'minute', 'month', 'round', 'scalar', 'sgn', 'sort', 'sort_desc',
  'sqrt', 'time', 'timestamp', 'vector', 'year',
]);

const LABEL_CLAUSES: ReadonlySet<string> = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const BINARY_KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'unless', 'atan2']);

interface Token {
  kind: 'identifier' | 'string' | 'number' | 'range' | 'punctuation' | 'operator';
  text: string;
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const patterns: [Token['kind'] | 'skip', RegExp][] = [
    ['skip', /^(\s+|#[^\n]*)/],
    ['string', /^("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/],
    ['range', /^\[\s*(\d+(?:ms|s|m|h|d|w|y))+\s*(:\s*((\d+(?:ms|s|m|h|d|w|y))+)?\s*)?\]/],
    ['number', /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/],
    ['identifier', /^[a-zA-Z_:][a-zA-Z0-9_:]*/],
    ['operator', /^(==|!=|<=|>=|=~|!~|[-+*/%^<>=])/],
    ['punctuation', /^[(){},]/],
  ];
  let rest = expr;
  while (rest.length > 0) {
    const match = patterns.map(([kind, pattern]) => [kind, pattern.exec(rest)?.[0]] as const).find(([, text]) => text !== undefined);
    if (!match) throw new Error(`cannot read PromQL at «${rest.slice(0, 30)}» in ${expr}`);
    const [kind, text] = match;
    if (kind !== 'skip') tokens.push({ kind, text: text! });
    rest = rest.slice(text!.length);
  }
  return tokens;
}

interface Matcher {
  label: string;
  operator: string;
  value: string;
}

interface Selector {
  metric: string;
  matchers: Matcher[];
  /** Followed by `[range]`. */
  range: boolean;
  /** The innermost function or aggregation it is an argument of. */
  within: string | undefined;
}

interface Analysis {
  selectors: Selector[];
  /** Labels of by, without, on, ignoring, group_left and group_right clauses. */
  clauseLabels: string[];
  calls: string[];
}

/** A Go string literal's value (the matchers' values use only \\ and \" escapes). */
function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

function analyze(expr: string): Analysis {
  const tokens = tokenize(expr);
  const analysis: Analysis = { selectors: [], clauseLabels: [], calls: [] };
  const stack: (string | undefined)[] = [];
  let pendingAggregation: string | undefined;
  const expect = (index: number, text: string) => assert.equal(tokens[index]?.text, text, `PromQL: expected «${text}» after «${tokens[index - 1]?.text}» in ${expr}`);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.kind === 'punctuation' && token.text === '(') {
      stack.push(pendingAggregation);
      pendingAggregation = undefined;
      continue;
    }
    if (token.kind === 'punctuation' && token.text === ')') {
      assert.ok(stack.length > 0, `PromQL: unbalanced ) in ${expr}`);
      stack.pop();
      continue;
    }
    if (token.kind === 'punctuation' && token.text === '{') assert.fail(`PromQL: a selector without a metric name in ${expr}`);
    if (token.kind === 'range') assert.fail(`PromQL: ${token.text} follows no selector in ${expr}`);
    if (token.kind !== 'identifier') continue;
    const word = token.text;
    if (BINARY_KEYWORDS.has(word) || word === 'bool' || word === 'inf' || word === 'nan') continue;
    if (word === 'offset') {
      assert.match(tokens[++i]?.text ?? '', /^\d/, `PromQL: offset without a duration in ${expr}`);
      continue;
    }
    if (LABEL_CLAUSES.has(word)) {
      if (next?.text !== '(') continue;
      i += 2;
      while (tokens[i]?.text !== ')') {
        const label = tokens[i];
        assert.equal(label?.kind, 'identifier', `PromQL: a label list of ${word} holds «${label?.text}» in ${expr}`);
        analysis.clauseLabels.push(label!.text);
        i++;
        if (tokens[i]?.text === ',') i++;
      }
      continue;
    }
    if (AGGREGATIONS.has(word)) {
      assert.ok(next?.text === '(' || next?.text === 'by' || next?.text === 'without', `PromQL: aggregation ${word} without its argument in ${expr}`);
      analysis.calls.push(word);
      pendingAggregation = word;
      continue;
    }
    if (next?.text === '(') {
      assert.ok(FUNCTIONS.has(word), `PromQL: unknown function ${word}() in ${expr}`);
      analysis.calls.push(word);
      pendingAggregation = word;
      continue;
    }
    const selector: Selector = { metric: word, matchers: [], range: false, within: [...stack].reverse().find((call) => call !== undefined) };
    if (next?.text === '{') {
      i += 2;
      while (tokens[i]?.text !== '}') {
        const [label, operator, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
        assert.equal(label?.kind, 'identifier', `PromQL: a matcher's label is «${label?.text}» in ${expr}`);
        assert.ok(['=', '!=', '=~', '!~'].includes(operator?.text ?? ''), `PromQL: a matcher's operator is «${operator?.text}» in ${expr}`);
        assert.equal(value?.kind, 'string', `PromQL: a matcher's value is «${value?.text}» in ${expr}`);
        selector.matchers.push({ label: label!.text, operator: operator!.text, value: unquote(value!.text) });
        i += 3;
        if (tokens[i]?.text === ',') i++;
        else expect(i, '}');
      }
    }
    if (tokens[i + 1]?.kind === 'range') {
      selector.range = true;
      i++;
    }
    analysis.selectors.push(selector);
  }
  assert.equal(stack.length, 0, `PromQL: unbalanced ( in ${expr}`);
  return analysis;
}

/** Grafana's interval variables stand for a duration; any other `$` left outside a string is an error of the panel. */
function withoutGrafanaIntervals(expr: string): string {
  return expr.replace(/\[\$__(rate_interval|interval|range)\]/g, '[5m]');
}

// ---------------------------------------------------------------------------------------------
// What the services serve: families (from `# TYPE`), their sample names, labels and label values.
// ---------------------------------------------------------------------------------------------

interface Family {
  type: string;
  services: Set<string>;
  /** Label names and the values seen, from the samples. */
  labels: Map<string, Set<string>>;
}

type Catalog = Map<string, Family>;

/** The names a family's samples have in the text format: a histogram's _bucket, _sum and _count. */
function sampleNames(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

function addExposition(catalog: Catalog, service: string, text: string): void {
  let current: Family | undefined;
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      current = catalog.get(name) ?? { type: kind, services: new Set(), labels: new Map() };
      assert.equal(current.type, kind, `${name} is a ${current.type} in one service and a ${kind} in another`);
      current.services.add(service);
      catalog.set(name, current);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    assert.ok(sample && current, `${service}'s /metrics has a line this test cannot read: ${line}`);
    for (const [, label, value] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      const values = current.labels.get(label!) ?? new Set<string>();
      values.add(value!);
      current.labels.set(label!, values);
    }
  }
}

/** Labels Prometheus gives every series it scrapes: the target's, not the exposition's. */
const TARGET_LABELS: ReadonlySet<string> = new Set(['job', 'instance']);

/**
 * Label values the metrics can take, where the code enumerates them: a rule that matches another
 * value (a misspelt error code) would never fire.
 */
const KNOWN_VALUES: Readonly<Record<string, (metric: string) => ReadonlySet<string> | undefined>> = {
  service: () => new Set(['router', ...SUBGRAPHS.map(({ name }) => name)]),
  status: (metric) =>
    metric === 'api_gateway_requests_total' ? new Set(['ok', 'error', ...Object.values(ErrorCode), ...Object.values(ApolloServerErrorCode)]) : undefined,
  subgraph: () => new Set(supergraph.subgraphs.map(({ name }) => name)),
};

/** The literal alternatives of a matcher (`a|b|c`), or undefined for a real pattern or a dashboard variable. */
function literalAlternatives(matcher: Matcher): string[] | undefined {
  if (matcher.operator === '=' || matcher.operator === '!=') return matcher.value.includes('$') ? undefined : [matcher.value];
  return /^[A-Za-z0-9_.-]+(\|[A-Za-z0-9_.-]+)*$/.test(matcher.value) ? matcher.value.split('|') : undefined;
}

interface CheckedExpression {
  where: string;
  expr: string;
  /** Labels its result may be templated with (`$labels.x`, `{{x}}`). */
  templateLabels?: string[];
}

/** Every metric, label, label value and function of `expr` is one the services serve as it is used; returns the problems. */
function problemsOf(catalog: Catalog, recorded: ReadonlySet<string>, { where, expr, templateLabels = [] }: CheckedExpression): string[] {
  const problems: string[] = [];
  const analysis = analyze(withoutGrafanaIntervals(expr));
  const labelsInExpression = new Set<string>(TARGET_LABELS);
  for (const selector of analysis.selectors) {
    const { metric } = selector;
    if (RANGE_FUNCTIONS.has(selector.within ?? '') !== selector.range) {
      problems.push(`${where}: ${metric} ${selector.range ? 'has a range but is not' : 'has no range but is'} an argument of ${selector.within ?? 'nothing'}()`);
    }
    if (recorded.has(metric)) {
      for (const matcher of selector.matchers) labelsInExpression.add(matcher.label);
      continue;
    }
    const family = [...catalog].find(([name, { type }]) => sampleNames(name, type).includes(metric));
    if (!family) {
      problems.push(`${where}: ${metric} is not served by any service's /metrics${metric.includes(':') ? ' nor recorded by the rules' : ''}`);
      continue;
    }
    const [name, { type, services, labels }] = family;
    if (labels.size === 0) {
      problems.push(`${where}: ${name} printed no sample in the test hub: make the test do what produces one, so that its labels can be checked`);
      continue;
    }
    if (COUNTER_FUNCTIONS.has(selector.within ?? '') && type !== 'counter' && !(type === 'histogram' && metric !== name)) {
      problems.push(`${where}: ${selector.within}() over ${metric}, a ${type}`);
    }
    const own = new Set([...labels.keys(), ...TARGET_LABELS, ...(metric.endsWith('_bucket') ? ['le'] : [])]);
    own.forEach((label) => labelsInExpression.add(label));
    for (const matcher of selector.matchers) {
      if (!own.has(matcher.label)) problems.push(`${where}: ${metric} has no label ${matcher.label}`);
      const known = KNOWN_VALUES[matcher.label]?.(name);
      for (const value of (known && literalAlternatives(matcher)) ?? []) {
        if (!known!.has(value)) problems.push(`${where}: ${metric}{${matcher.label}} is never ${JSON.stringify(value)}`);
      }
      if (matcher.label === 'service' && matcher.operator === '=' && !services.has(matcher.value)) {
        problems.push(`${where}: the ${matcher.value} service does not serve ${name}`);
      }
    }
  }
  for (const label of analysis.clauseLabels) {
    if (!labelsInExpression.has(label)) problems.push(`${where}: label ${label} of a by/on clause is on none of the expression's metrics`);
  }
  if (analysis.calls.includes('histogram_quantile') && !analysis.clauseLabels.includes('le')) {
    problems.push(`${where}: histogram_quantile over buckets not kept apart by le`);
  }
  for (const label of templateLabels) {
    if (!labelsInExpression.has(label)) problems.push(`${where}: templates label ${label}, which its expression does not have`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The rules and the dashboard, read once.
// ---------------------------------------------------------------------------------------------

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = parse(readFileSync(RULES_PATH, 'utf8')) as { groups: { name: string; interval?: string; rules: Rule[] }[] };
const allRules = rules.groups.flatMap((group) => group.rules.map((rule) => ({ group: group.name, rule })));
const recordedNames: ReadonlySet<string> = new Set(allRules.flatMap(({ rule }) => (rule.record ? [rule.record] : [])));

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; legendFormat?: string; datasource?: { type: string; uid: string } }[];
  panels?: Panel[];
}

interface TemplateVariable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: TemplateVariable[] };
};
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);

/** `{{ $labels.x }}` in an alert's annotations, `{{x}}` in a legend. */
const labelsTemplated = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => match[1]!);

/** Every PromQL expression of the rules and the dashboard, with where it is and the labels it is templated with. */
function expressions(): CheckedExpression[] {
  const fromRules = allRules.map(({ group, rule }) => ({
    where: `${group}/${rule.alert ?? rule.record}`,
    expr: rule.expr,
    templateLabels: Object.values(rule.annotations ?? {}).flatMap((text) => labelsTemplated(text, /\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g)),
  }));
  const fromPanels = panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      where: `panel "${panel.title}" ${target.refId}`,
      expr: target.expr,
      templateLabels: labelsTemplated(target.legendFormat ?? '', /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g),
    })),
  );
  return [...fromRules, ...fromPanels];
}

// ---------------------------------------------------------------------------------------------
// The test hub, made to print a sample of every family, and read.
// ---------------------------------------------------------------------------------------------

let hub: TestHub;
let receiver: Server | undefined;
const catalog: Catalog = new Map();
const OPERATOR: Principal = { kind: 'user', id: 'deploy-operator', roles: ['readonly'], scopes: scopesOf(['readonly']) };
const serviceRoot = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');

async function routerExposition(url: string): Promise<string> {
  const response = await fetch(`${serviceRoot(url)}/metrics`, { headers: await asRole('readonly') });
  assert.equal(response.status, 200);
  return response.text();
}

async function subgraphExposition(name: SubgraphName): Promise<string> {
  const response = await fetch(`${serviceRoot(hub.urls[name])}/metrics`, { headers: await internalHeaders(OPERATOR, name) });
  assert.equal(response.status, 200);
  return response.text();
}

/**
 * What makes the families whose series appear only once something happened print a sample:
 * operations answered and refused, a rate limit and a circuit breaker hit (on routers of their
 * own), a queue used, a webhook delivered, SAP asked.
 */
async function exercise(): Promise<void> {
  const tag = `${Date.now()}`;
  await hub.query('query DeployProbe { customers(first: 1) { totalCount } }');
  await hub.request('query DeployForbidden { sapSystems { id } }', undefined, await asRole('api_user'));
  await hub.request('{ __typename }', undefined, { authorization: `Bearer ${await testToken({ roles: ['admin'], expiresIn: -60 })}` });
  await hub.request(`query DeployTooManyAliases { ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} }`);

  const limited = await hub.startRouter({}, { RATE_LIMIT_PER_CLIENT: '1' });
  await graphql(limited.url, '{ __typename }');
  assert.equal((await graphql(limited.url, '{ __typename }')).status, 429);
  addExposition(catalog, 'router', await routerExposition(limited.url));
  const broken = await hub.startRouter({ orders: 'http://127.0.0.1:9/graphql' }, { SUBGRAPH_BREAKER_FAILURES: '1', SUBGRAPH_BREAKER_RESET_MS: '60000' });
  await graphql(broken.url, '{ orders(first: 1) { totalCount } }');
  addExposition(catalog, 'router', await routerExposition(broken.url));

  const queue = `deploy-${tag}`;
  await hub.query('mutation ($input: CreateQueueInput!) { createQueue(input: $input) { name } }', { input: { name: queue, kind: 'STANDARD' } });
  await hub.query('mutation ($queue: String!) { publishMessage(queue: $queue, input: { payload: { n: 1 } }) { id } }', { queue });
  const { receiveMessages } = await hub.query<{ receiveMessages: { receipt: string }[] }>('mutation ($queue: String!) { receiveMessages(queue: $queue, max: 1) { receipt } }', { queue });
  await hub.query('mutation ($receipts: [String!]!) { ackMessages(receipts: $receipts) }', { receipts: receiveMessages.map(({ receipt }) => receipt) });

  receiver = createServer((request, response) => request.resume().on('end', () => response.writeHead(204).end()));
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  await hub.query('mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }', { input: { url, eventTypes: ['customer.created'] } });
  await hub.query('mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', { input: { name: `Deploy ${tag}`, email: `deploy-${tag}@example.com` } });
  await eventually(async () => (await subgraphExposition('queues')).includes('interchange_webhook_deliveries_total{'), Boolean, 'a webhook delivery counted');

  await hub.query('{ businessPartners(first: 1) { totalCount } }');
}

before(async () => {
  hub = await startTestHub({ env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
  await exercise();
  addExposition(catalog, 'router', await routerExposition(hub.routerUrl));
  for (const { name } of SUBGRAPHS) addExposition(catalog, name, await subgraphExposition(name));
});

after(async () => {
  await hub?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

describe('the Prometheus rules and the Grafana dashboard', () => {
  it('name only metrics that /metrics serves, with labels and values they have, through the right functions', () => {
    const all = expressions();
    assert.ok(all.length > 40, `only ${all.length} expressions found`);
    assert.deepEqual(all.flatMap((expression) => problemsOf(catalog, recordedNames, expression)), []);
  });

  it('take every metric of the dashboard from /metrics, none from the rules, so that it works without them', () => {
    const recordedInPanels = panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => analyze(withoutGrafanaIntervals(target.expr)).selectors.map((s) => s.metric))).filter((metric) => recordedNames.has(metric));
    assert.deepEqual(recordedInPanels, []);
  });

  it('show in the dashboard every metric a service serves, but the runtime\'s (process_*, nodejs_*)', () => {
    const used = new Set(panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => analyze(withoutGrafanaIntervals(target.expr)).selectors.map((s) => s.metric))));
    const unused = [...catalog]
      .filter(([name, family]) => !/^(process|nodejs)_/.test(name) && !sampleNames(name, family.type).some((sample) => used.has(sample)))
      .map(([name]) => name);
    assert.deepEqual(unused, []);
  });
});

describe('deploy/prometheus/interchange-rules.yaml', () => {
  it('has alerts with an expression, a duration, a severity and a summary and description', () => {
    const names = new Set<string>();
    for (const { group, rule } of allRules) {
      assert.ok(rule.alert || rule.record, `${group}: a rule with neither alert nor record`);
      assert.ok(!(rule.alert && rule.record), `${group}: ${rule.alert} both alerts and records`);
      assert.equal(typeof rule.expr, 'string', `${group}/${rule.alert ?? rule.record}: no expr`);
      if (rule.record) {
        assert.match(rule.record, /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/, `${rule.record} is not level:metric:operations`);
        assert.equal(rule.for, undefined);
        continue;
      }
      const name = rule.alert!;
      assert.ok(!names.has(name), `alert ${name} twice`);
      names.add(name);
      assert.match(name, /^Interchange[A-Z][A-Za-z]+$/);
      if (rule.for !== undefined) assert.match(rule.for, /^(\d+(ms|s|m|h|d|w|y))+$/, `${name}: for ${rule.for}`);
      assert.ok(['critical', 'warning', 'info'].includes(rule.labels?.severity ?? ''), `${name}: severity ${rule.labels?.severity}`);
      assert.ok(rule.annotations?.summary && rule.annotations.description, `${name}: summary and description`);
    }
  });

  it('has the issue\'s alerts that the metrics can express', () => {
    const expressionOf = (alert: string) => allRules.find(({ rule }) => rule.alert === alert)?.rule;
    const breaker = expressionOf('InterchangeCircuitBreakerOpen');
    assert.match(breaker?.expr ?? '', /api_gateway_circuit_breaker_state/);
    assert.equal(breaker?.for, '30s');
    const errors = expressionOf('InterchangeHighErrorRate');
    assert.match(errors?.expr ?? '', /> 0\.05/);
    assert.equal(errors?.for, '5m');
    assert.match(expressionOf('InterchangeQueueDepth')?.expr ?? '', /message_broker_queue_size/);
    assert.match(expressionOf('InterchangeLatencySLABreach')?.expr ?? '', /p95/);
    assert.match(expressionOf('InterchangeAvailabilitySLABreach')?.expr ?? '', /< 0\.99/);
  });

  it('counts as the hub\'s failures only codes that say the hub failed, not the caller', () => {
    const callers = new Set<string>([ErrorCode.BadUserInput, ErrorCode.Unauthenticated, ErrorCode.Forbidden, ErrorCode.RateLimited, ErrorCode.OperationLimitExceeded, ErrorCode.NotFound, ErrorCode.Conflict]);
    for (const { rule } of allRules) {
      for (const selector of analyze(rule.expr).selectors.filter((s) => s.metric === 'api_gateway_requests_total')) {
        for (const matcher of selector.matchers.filter((m) => m.label === 'status' && m.operator === '=~')) {
          for (const code of literalAlternatives(matcher) ?? []) assert.ok(!callers.has(code), `${rule.alert ?? rule.record} counts ${code}, the caller's doing, as the hub's failure`);
        }
      }
    }
  });
});

describe('deploy/grafana/interchange-dashboard.json', () => {
  it('is a Grafana dashboard on a Prometheus data source variable', () => {
    assert.ok(dashboard.schemaVersion >= 36, `schemaVersion ${dashboard.schemaVersion}`);
    assert.ok(dashboard.uid && dashboard.title);
    const datasource = dashboard.templating.list.find((variable) => variable.type === 'datasource');
    assert.equal(datasource?.query, 'prometheus');
    for (const panel of panels.filter((p) => p.targets)) {
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: `\${${datasource!.name}}` }, `panel "${panel.title}"`);
      for (const target of panel.targets!) assert.deepEqual(target.datasource ?? panel.datasource, panel.datasource, `panel "${panel.title}" ${target.refId}`);
    }
  });

  it('lays its panels out without overlap, each with an id of its own', () => {
    const ids = panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids repeat');
    for (const [i, a] of panels.entries()) {
      assert.ok(a.gridPos.x >= 0 && a.gridPos.x + a.gridPos.w <= 24, `panel "${a.title}" is wider than the grid`);
      for (const b of panels.slice(i + 1)) {
        const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        assert.ok(apart, `panels "${a.title}" and "${b.title}" overlap`);
      }
    }
  });

  it('draws its variables\' values from metrics and labels that /metrics serves', () => {
    const problems: string[] = [];
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      const labelValues = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query);
      assert.ok(labelValues, `variable ${variable.name}: ${query} is not label_values(selector, label)`);
      problems.push(...problemsOf(catalog, new Set(), { where: `variable ${variable.name}`, expr: labelValues[1]!, templateLabels: [labelValues[2]!] }));
    }
    assert.deepEqual(problems, []);
  });
});

// ---------------------------------------------------------------------------------------------
// The Kubernetes manifests.
// ---------------------------------------------------------------------------------------------

interface Probe {
  httpGet?: { path: string; port: number | string };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

function documentsOf(path: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const document of documents) assert.deepEqual(document.errors.map((error) => error.message), [], `${relative(DEPLOY, path)} does not parse`);
  return documents.map((document) => document.toJS() as Manifest).filter(Boolean);
}

const isKustomization = (path: string) => /kustomization\.ya?ml$/.test(path);
const baseFiles = yamlFiles(BASE).filter((path) => !isKustomization(path));
const base: Manifest[] = baseFiles.flatMap(documentsOf);
const byKind = (kind: string) => base.filter((manifest) => manifest.kind === kind);

function find(kind: string, name: string): Manifest {
  const found = base.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  assert.ok(found, `no ${kind} ${name} in ${relative(fromRoot(), BASE)}`);
  return found;
}

/** Each service the image runs: its entry point, the config shape it reads, its port. */
const apps = [
  { name: 'router', entry: 'router/index', shape: routerEnv as ZodRawShape, port: 4000, nodeArgs: undefined as readonly string[] | undefined },
  ...SUBGRAPHS.map((subgraph) => ({ name: subgraph.name as string, entry: `subgraphs/${subgraph.name}/index`, shape: subgraph.env as ZodRawShape, port: subgraph.defaultPort, nodeArgs: subgraph.nodeArgs })),
];

const deploymentName = (app: string) => `interchange-${app}`;

function containerOf(app: string): Container {
  const containers = find('Deployment', deploymentName(app)).spec.template.spec.containers as Container[];
  assert.equal(containers.length, 1, `${app} runs one container`);
  return containers[0]!;
}

function configMapData(name: string): Record<string, string> {
  return find('ConfigMap', name).data ?? {};
}

/** Stand-ins for what the operator's Secret holds, as production accepts them. */
const SECRET_STANDINS: Readonly<Record<string, string>> = Object.freeze({
  DATABASE_URL: 'postgres://interchange:standin@postgres:5432/interchange',
  REDIS_URL: 'redis://redis:6379',
  INTERNAL_TOKEN_SECRET: 'standin-internal-token-secret-0123456789abcdef',
  JWT_SECRET: 'standin-jwt-secret-0123456789abcdefghijklmnop',
});

/**
 * A variable whose value the configuration never shows by name (a secret, or a `*_URL`, which may
 * carry credentials, shown by its length when it is not a URL): only such a variable belongs in a Secret.
 */
const readAsSecret = (name: string) => shownValue(name, 'x') === '(1 characters, hidden)';

/**
 * A container's environment as the kubelet gives it: its ConfigMaps' data, then its `env` (literal
 * values, and stand-ins for Secret references; optional ones only with `optionalSecrets`).
 */
function environment(app: string, optionalSecrets: boolean): Record<string, string> {
  const container = containerOf(app);
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) if (source.configMapRef) Object.assign(env, configMapData(source.configMapRef.name));
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref && (optionalSecrets || !ref.optional)) env[variable.name] = SECRET_STANDINS[variable.name] ?? `standin-${variable.name.toLowerCase()}-0123456789abcdefghijklmnop`;
    if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  return env;
}

function portNumber(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((candidate) => candidate.name === port);
  assert.ok(named, `${container.name} has no port named ${port}`);
  return named.containerPort;
}

/** The Services whose selector picks `app`'s pods. */
function servicesSelecting(app: string): Manifest[] {
  const podLabels = find('Deployment', deploymentName(app)).spec.template.metadata.labels as Record<string, string>;
  return byKind('Service').filter((service) => Object.entries(service.spec.selector as Record<string, string>).every(([key, value]) => podLabels[key] === value));
}

/** Asserts that `url` is http://<the Service of `app`>:<its port>/graphql. */
function assertPointsAt(variable: string, url: string | undefined, app: string): void {
  assert.ok(url, `${variable} is not set`);
  const parsed = new URL(url);
  const [service] = servicesSelecting(app);
  assert.equal(parsed.hostname, service?.metadata.name, `${variable} must name the Service of ${app}`);
  const port = (service!.spec.ports as { name: string; port: number }[]).find((candidate) => candidate.name === 'http')?.port;
  assert.equal(Number(parsed.port), port, `${variable} must use ${app}'s Service port`);
  assert.equal(parsed.pathname, '/graphql');
}

describe('the Kubernetes base (deploy/kubernetes/base)', () => {
  it('lists every resource file in its kustomization.yaml, and nothing else', () => {
    const kustomization = parse(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')) as { resources: string[]; secretGenerator?: unknown };
    assert.deepEqual([...kustomization.resources].sort(), baseFiles.map((path) => relative(BASE, path)).sort());
    for (const resource of kustomization.resources) assert.ok(existsSync(join(BASE, resource)), `${resource} does not exist`);
  });

  it('has a Deployment and a Service for the router and every subgraph, an HPA and a PDB for the router, and its ConfigMaps', () => {
    const named = (kind: string) => byKind(kind).map((manifest) => manifest.metadata.name).sort();
    const all = apps.map((app) => deploymentName(app.name)).sort();
    assert.deepEqual(named('Deployment'), all);
    assert.deepEqual(named('Service'), all);
    assert.deepEqual(named('HorizontalPodAutoscaler'), [deploymentName('router')]);
    assert.deepEqual(named('PodDisruptionBudget'), [deploymentName('router')]);
    assert.ok(byKind('ConfigMap').length > 0);
  });

  it('is namespace-agnostic: no resource names its namespace', () => {
    assert.deepEqual(base.filter((manifest) => manifest.metadata.namespace !== undefined).map((manifest) => manifest.metadata.name), []);
  });

  for (const app of apps) {
    describe(`the ${app.name} Deployment`, () => {
      it(`runs the compiled ${app.entry}.ts from the image`, () => {
        const container = containerOf(app.name);
        assert.deepEqual(container.command, ['node', ...(app.nodeArgs ?? []), `dist/${app.entry}.js`]);
        assert.ok(existsSync(fromRoot(`${app.entry}.ts`)));
        assert.equal(container.image.split(':')[0], 'interchange');
      });

      it('sets only variables its configuration reads, to values it accepts, with and without the optional secrets', () => {
        const declared = new Set(Object.keys(app.shape));
        if (app.name === 'router') for (const subgraph of supergraph.subgraphs) declared.add(subgraphUrlVariable(subgraph.name));
        assert.deepEqual(Object.keys(environment(app.name, true)).filter((key) => !declared.has(key)), [], `${app.name} sets variables no code reads`);
        assert.doesNotThrow(() => loadConfig(app.shape, environment(app.name, true)));
        assert.doesNotThrow(() => loadConfig(app.shape, environment(app.name, false)));
        assert.equal(loadConfig(app.shape, environment(app.name, true)).NODE_ENV, 'production');
      });

      it(`listens on ${app.port} and serves its metrics on the port Prometheus is told`, () => {
        const container = containerOf(app.name);
        const config = loadConfig(app.shape, environment(app.name, true));
        assert.equal(config.PORT, app.port);
        assert.equal(portNumber(container, 'http'), app.port);
        assert.equal(typeof config.METRICS_PORT, 'number', 'METRICS_PORT is not set: Prometheus could not scrape without credentials');
        assert.equal(portNumber(container, 'metrics'), config.METRICS_PORT);
        const annotations = find('Deployment', deploymentName(app.name)).spec.template.metadata.annotations as Record<string, string>;
        assert.equal(Number(annotations['prometheus.io/port']), config.METRICS_PORT);
        assert.equal(annotations['prometheus.io/path'], '/metrics');
      });

      it('is alive while /health answers and ready while /ready does (the router: /health), on its own port', () => {
        const container = containerOf(app.name);
        // The router keeps answering (partial results) while a subgraph is down: its readiness is its own.
        const probes = { startupProbe: '/health', livenessProbe: '/health', readinessProbe: app.name === 'router' ? '/health' : '/ready' } as const;
        for (const [probe, path] of Object.entries(probes) as [keyof typeof probes, string][]) {
          const httpGet = container[probe]?.httpGet;
          assert.ok(httpGet, `${app.name} has no ${probe}`);
          assert.equal(httpGet.path, path, `${app.name}'s ${probe}`);
          assert.equal(portNumber(container, httpGet.port), app.port, `${app.name}'s ${probe} port`);
        }
      });

      it('gives the probes time for what the service does before it answers', () => {
        const container = containerOf(app.name);
        const config = loadConfig(app.shape, environment(app.name, true));
        const startup = container.startupProbe!;
        const budget = (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3);
        // A subgraph listens once PostgreSQL answers (it waits DB_STARTUP_TIMEOUT_MS) and its migrations ran.
        if ('DB_STARTUP_TIMEOUT_MS' in config) assert.ok(budget > (config.DB_STARTUP_TIMEOUT_MS as number) / 1000, `${app.name}'s startup probe gives up after ${budget} s`);
      });

      it('lets in-flight requests drain before it is killed', () => {
        const pod = find('Deployment', deploymentName(app.name)).spec.template.spec;
        const container = containerOf(app.name);
        const config = loadConfig(app.shape, environment(app.name, true));
        const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
        const sleeps = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
        // SHUTDOWN_TIMEOUT_MS to finish requests, then up to 5 s to close pools (README: Shutdown).
        const needs = sleeps + (config.SHUTDOWN_TIMEOUT_MS as number) / 1000 + 5;
        assert.ok((pod.terminationGracePeriodSeconds ?? 30) >= needs, `terminationGracePeriodSeconds must be at least ${needs}`);
      });

      it('has a Service of its own that sends its port to the container\'s', () => {
        const services = servicesSelecting(app.name);
        assert.deepEqual(services.map((service) => service.metadata.name), [deploymentName(app.name)]);
        const ports = services[0]!.spec.ports as { name: string; port: number; targetPort: number | string }[];
        const http = ports.find((port) => port.name === 'http');
        assert.equal(http?.port, app.port);
        assert.equal(portNumber(containerOf(app.name), http!.targetPort), app.port);
      });
    });
  }

  it('gives the router a URL for every subgraph in the supergraph, each the Service that runs it', () => {
    const env = environment('router', true);
    for (const subgraph of supergraph.subgraphs) assertPointsAt(subgraphUrlVariable(subgraph.name), env[subgraphUrlVariable(subgraph.name)], subgraph.name);
  });

  it('points every service that calls another at that one\'s Service', () => {
    for (const subgraph of SUBGRAPHS) {
      const env = environment(subgraph.name, true);
      for (const [variable, called] of Object.entries(('calls' in subgraph ? subgraph.calls : undefined) ?? {})) assertPointsAt(variable, env[variable], called);
      if ('callsRouter' in subgraph && subgraph.callsRouter) assertPointsAt('ROUTER_URL', env.ROUTER_URL, 'router');
    }
  });

  it('scales the router between at least two replicas on CPU, which the router requests', () => {
    const hpa = find('HorizontalPodAutoscaler', deploymentName('router'));
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName('router') });
    assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas >= hpa.spec.minReplicas);
    assert.ok(containerOf('router').resources?.requests?.cpu, 'a CPU utilization target needs a CPU request');
    assert.equal(find('Deployment', deploymentName('router')).spec.replicas, undefined, 'the HPA owns the router\'s replicas');
  });

  it('keeps a router up through voluntary disruptions', () => {
    const pdb = find('PodDisruptionBudget', deploymentName('router'));
    const podLabels = find('Deployment', deploymentName('router')).spec.template.metadata.labels as Record<string, string>;
    for (const [key, value] of Object.entries(pdb.spec.selector.matchLabels as Record<string, string>)) assert.equal(podLabels[key], value);
    assert.ok(pdb.spec.minAvailable >= 1 && pdb.spec.minAvailable < find('HorizontalPodAutoscaler', deploymentName('router')).spec.minReplicas);
  });

  it('gives the router and every subgraph the same INTERNAL_TOKEN_SECRET, from the Secret', () => {
    const refs = apps.map((app) => JSON.stringify(containerOf(app.name).env?.find((variable) => variable.name === 'INTERNAL_TOKEN_SECRET')?.valueFrom?.secretKeyRef));
    assert.equal(new Set(refs).size, 1);
    assert.ok(JSON.parse(refs[0]!)?.key, 'INTERNAL_TOKEN_SECRET comes from no Secret');
    assert.equal(JSON.parse(refs[0]!).optional, undefined, 'INTERNAL_TOKEN_SECRET must not be optional');
  });
});

describe('secrets in deploy/', () => {
  const everyFile = (dir: string): string[] => readdirSync(dir).flatMap((entry) => (statSync(join(dir, entry)).isDirectory() ? everyFile(join(dir, entry)) : [join(dir, entry)]));

  it('takes from a Secret only variables the services read as secrets', () => {
    for (const app of apps) {
      for (const variable of containerOf(app.name).env ?? []) {
        if (variable.valueFrom?.secretKeyRef) assert.ok(readAsSecret(variable.name), `${app.name} takes ${variable.name} from a Secret, but it is no secret`);
      }
      for (const source of containerOf(app.name).envFrom ?? []) {
        if (source.secretRef) assert.ok(app.name === 'sap' && source.secretRef.optional, `${app.name} takes a whole Secret: only sap does, for SAP_<ID>_* whose names depend on the systems`);
      }
    }
  });

  it('writes no secret: no Secret resource, no generator, no value the services would hide', () => {
    for (const path of yamlFiles(KUBERNETES)) {
      for (const manifest of documentsOf(path)) {
        assert.notEqual(manifest.kind, 'Secret', `${relative(DEPLOY, path)} holds a Secret`);
        assert.equal((manifest as { secretGenerator?: unknown }).secretGenerator, undefined, `${relative(DEPLOY, path)} generates a Secret`);
        for (const [key, value] of Object.entries(manifest.data ?? {})) assert.equal(shownValue(key, value), JSON.stringify(value), `${manifest.metadata.name} holds ${key}, a secret`);
      }
    }
    for (const app of apps) {
      for (const variable of containerOf(app.name).env ?? []) {
        if (variable.value !== undefined) assert.equal(shownValue(variable.name, variable.value), JSON.stringify(variable.value), `${app.name} sets ${variable.name}, a secret, in the manifest`);
      }
    }
  });

  it('holds no known secret and no URL with a password in any file', () => {
    const known = [...TRIAL_SECRETS, TEST_INTERNAL_SECRET, TEST_JWT_SECRET];
    for (const path of everyFile(DEPLOY)) {
      const text = readFileSync(path, 'utf8');
      for (const secret of known) assert.ok(!text.includes(secret), `${relative(DEPLOY, path)} holds a published secret`);
      assert.doesNotMatch(text, /[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']+:[^\s/@"']+@/i, `${relative(DEPLOY, path)} holds a URL with a password`);
    }
  });
});

describe('the running services', () => {
  it('answer the probes\' /health and /ready with 200 on the ports the manifests probe', async () => {
    const urls: Record<string, string> = { router: hub.routerUrl, ...hub.urls };
    for (const app of apps) {
      for (const path of ['/health', '/ready']) {
        const response = await fetch(`${serviceRoot(urls[app.name]!)}${path}`);
        assert.equal(response.status, 200, `${app.name} ${path}`);
      }
    }
  });
});

describe('kubectl kustomize', () => {
  const kubectl = (dir: string) => spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });

  for (const dir of [BASE, ...readdirSync(join(KUBERNETES, 'overlays')).map((overlay) => join(KUBERNETES, 'overlays', overlay))]) {
    it(`builds ${relative(KUBERNETES, dir)} into the base's resources`, (t) => {
      const result = kubectl(dir);
      if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return t.skip('kubectl is not on PATH: the manifests were checked as parsed YAML only');
      assert.equal(result.status, 0, result.stderr);
      const built = parseAllDocuments(result.stdout).map((document) => document.toJS() as Manifest);
      const names = (manifests: Manifest[]) => manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`).sort();
      assert.deepEqual(names(built), names(base));
      for (const manifest of built) assert.equal(manifest.metadata.labels?.['app.kubernetes.io/part-of'], 'interchange', `${manifest.kind}/${manifest.metadata.name}`);
      if (dir !== BASE) for (const manifest of built) assert.ok(manifest.metadata.namespace, `${manifest.kind}/${manifest.metadata.name} has no namespace in the overlay`);
    });
  }
});
