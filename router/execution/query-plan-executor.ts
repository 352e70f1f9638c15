import { buildOperationContext, type ApolloGateway, type ServiceMap } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { prettyFormatQueryPlan, QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { PerOperation } from '../../infra/graphql/per-operation.js';
import { executePlan, type ExecutionResult, type RequestContext } from './plan-execution.js';
import { ResponseShaper } from './response-shaper.js';

type GatewayInterface = Pick<ApolloGateway, 'load' | 'onSchemaLoadOrUpdate' | 'stop'>;

/** What one operation of one document needs, worked out on its first request. */
export interface PreparedOperation {
  operationContext: ReturnType<typeof buildOperationContext>;
  queryPlan: QueryPlan;
  shaper: ResponseShaper;
}

/**
 * Runs @apollo/query-planner's plans for queries and mutations in place of @apollo/gateway's
 * executor, with the same answers: the same plan, the same subgraph requests through the same
 * data sources, the same merging, error paths and response shaping (plan-execution.ts). What it does not redo on
 * every request is the gateway's: the operation is parsed into the federation model, planned and
 * compiled for shaping once per document Apollo Server keeps (the gateway rebuilds the model
 * and hashes the text per request), and no telemetry span or usage-reporting trace node is made.
 */
export class QueryPlanExecutor {
  /** The API schema: operations' variables are checked and answers shaped against it. */
  readonly schema: GraphQLSchema;
  /** The supergraph as graphql-js sees it, for entity representations. */
  readonly supergraphSchema: GraphQLSchema;
  private readonly apiSchema: Schema;
  private readonly planner: QueryPlanner;
  private readonly prepared = new PerOperation((document, operationName) => this.prepare(document, operationName));

  /**
   * `supergraphSdl` as the gateway gets it (without `for: SECURITY` links). `exposeQueryPlan`:
   * answer the `Apollo-Query-Plan-Experimental` header with the plan in `extensions`, as the
   * gateway does outside production (Apollo Sandbox shows it).
   */
  constructor(
    supergraphSdl: string,
    private readonly options: { exposeQueryPlan: boolean } = { exposeQueryPlan: false },
  ) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  /**
   * The gateway as Apollo Server sees it: the ApolloGateway loads the supergraph and gives the
   * schema Apollo Server validates against; operations run here.
   */
  asGateway(gateway: ApolloGateway, serviceMap: () => ServiceMap): GatewayInterface {
    return {
      load: async (loadOptions) => {
        const loaded = await gateway.load(loadOptions);
        return { schema: loaded.schema, executor: (requestContext) => this.execute(requestContext as RequestContext, serviceMap()) };
      },
      onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
      stop: () => gateway.stop(),
    };
  }

  async execute(requestContext: RequestContext, serviceMap: ServiceMap): Promise<ExecutionResult> {
    // In gateway mode Apollo Server hands over a document whose operation it could not resolve.
    if (!requestContext.operation) return { errors: [operationNotFound(requestContext.request.operationName)] };
    const prepared = this.prepared.get(requestContext.document, requestContext.request.operationName);
    const variables = requestContext.request.variables;
    const definitions = prepared.operationContext.operation.variableDefinitions;
    if (definitions && definitions.length > 0) {
      const { errors } = getVariableValues(this.schema, definitions, variables ?? {});
      if (errors) return { errors };
    }
    const result = await executePlan(prepared.queryPlan, { supergraphSchema: this.supergraphSchema, shaper: prepared.shaper, serviceMap, requestContext, variables });
    const headers = requestContext.request.http?.headers;
    if (this.options.exposeQueryPlan && headers?.get('apollo-query-plan-experimental')) {
      const format = headers.get('apollo-query-plan-experimental-format') ?? 'prettified';
      const { queryPlan } = prepared;
      result.extensions = {
        __queryPlanExperimental: format === 'prettified' ? (queryPlan.node ? prettyFormatQueryPlan(queryPlan) : true) : format === 'internal' ? queryPlan : true,
      };
    }
    return result;
  }

  /** Plans an operation and compiles its shaping (`execute` keeps the result per document). */
  prepare(document: DocumentNode, operationName: string | undefined): PreparedOperation {
    const operationContext = buildOperationContext({ schema: this.schema, operationDocument: document, operationName });
    const queryPlan = this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
    const shaper = new ResponseShaper(this.schema, operationContext.operation, operationContext.fragments);
    return { operationContext, queryPlan, shaper };
  }
}

/** The request names an operation the document does not define (or names none in a document of several). */
function operationNotFound(operationName: string | undefined): GraphQLError {
  const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}
