import { parse, print } from 'graphql';
import type { PathElement, PlanNode, QueryPlan, RequiredSelection } from './plan.js';

/**
 * A plan as text, in the shape of @apollo/query-planner's prettyFormatQueryPlan, for Apollo
 * Sandbox's query plan panel when Hive's planner made the plan.
 */
export function formatPlan(plan: QueryPlan): string {
  if (!plan.node) return '';
  const node = plan.node.kind === 'Subscription' ? `Subscription {\n${indent(`Primary: {\n${indent(nodeText(plan.node.primary))}\n},`)}${plan.node.rest ? `\n${indent(`Rest: {\n${indent(nodeText(plan.node.rest))}\n},`)}` : ''}\n},` : nodeText(plan.node);
  return `QueryPlan {\n${indent(node)}\n}`;
}

function nodeText(node: PlanNode): string {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return `${node.kind} {\n${indent(node.nodes.map(nodeText).join('\n'))}\n},`;
    case 'Flatten':
      return `Flatten(path: "${pathText(node.path)}") {\n${indent(nodeText(node.node))}\n},`;
    case 'Condition':
      return `Include(if: $${node.condition}) {\n${indent(node.ifClause ? nodeText(node.ifClause) : '')}\n}${node.elseClause ? ` Else {\n${indent(nodeText(node.elseClause))}\n}` : ''},`;
    case 'Fetch':
      return `Fetch(service: "${node.serviceName}") {\n${indent(`${node.requires ? `${requiresText(node.requires)} =>\n` : ''}${operationText(node.operation)}`)}\n},`;
    case 'BatchFetch': {
      const aliases = node.aliases.map((alias) => `${alias.alias}: ${alias.paths.map((path) => `"${pathText(path)}"`).join(', ')} ${requiresText(alias.requires)}`);
      return `BatchFetch(service: "${node.serviceName}") {\n${indent(`${aliases.join('\n')} =>\n${operationText(node.operation)}`)}\n},`;
    }
  }
}

function pathText(path: readonly PathElement[]): string {
  return path.map((element) => (typeof element === 'string' ? element : `|[${element.typeCondition.join('|')}]`)).join('.');
}

function requiresText(selections: readonly RequiredSelection[]): string {
  const inner = selections.map((selection) => {
    if (selection.kind === 'Field') return `${selection.key === selection.source ? selection.key : `${selection.key}: ${selection.source}`}${selection.selections ? ` ${requiresText(selection.selections)}` : ''}`;
    return `... on ${selection.typeCondition ?? ''} ${requiresText(selection.selections)}`;
  });
  return `{\n${indent(inner.join('\n'))}\n}`;
}

function operationText(operation: string): string {
  try {
    return print(parse(operation));
  } catch {
    return operation;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
}
