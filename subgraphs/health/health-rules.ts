import { z } from 'zod';

/** What a component is, as the schema's HealthComponentKind names it. */
export const COMPONENT_KINDS = ['ROUTER', 'SUBGRAPH', 'POSTGRESQL', 'REDIS', 'SAP_SYSTEM', 'QUEUE', 'WEBHOOK_ENDPOINT', 'EVENT_STORE'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

export const SEVERITIES = ['CRITICAL', 'WARNING', 'INFO'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * What a rule measures, per component (undefined where it does not apply, which never fires):
 * - `status`: 0 UP, 1 DEGRADED, 2 DOWN (`above: 1` is DOWN, `above: 0` anything not UP);
 * - `circuitOpenSeconds`: how long its circuit has not been closed;
 * - `errorRate`, `p95LatencyMs`: over the rule's `windowMinutes` of checks (as the SLA report counts them);
 * - `queueDepth`, `deadLetters`, `consumerLagSeconds`: a queue's (dead letters: a webhook endpoint's too);
 * - `eventLag`: the event store's most-behind durable consumer, in events;
 * - `slaBreaches`: how many of its LAST_HOUR SLA numbers miss their target (read once a minute).
 */
export const ALERT_METRICS = ['status', 'circuitOpenSeconds', 'errorRate', 'p95LatencyMs', 'queueDepth', 'deadLetters', 'consumerLagSeconds', 'eventLag', 'slaBreaches'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

const alertRule = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be 1 to 63 lower-case letters, digits, `.`, `_` or `-`'),
    metric: z.enum(ALERT_METRICS),
    /** Fires while the value is greater than this. */
    above: z.number().default(0),
    /** ... for at least this many seconds in a row. */
    forSeconds: z.number().int().min(0).max(86_400).default(0),
    severity: z.enum(SEVERITIES),
    /** Only components of these kinds; default all. */
    kinds: z.array(z.enum(COMPONENT_KINDS)).min(1).optional(),
    /** Only these components, by name; a trailing `*` matches a prefix (`queue:orders*`). */
    components: z.array(z.string().min(1)).min(1).optional(),
    /** For errorRate and p95LatencyMs: the minutes of checks they are computed over. */
    windowMinutes: z.number().int().min(1).max(1_440).default(5),
  })
  .strict();

export type AlertRule = z.output<typeof alertRule>;

/**
 * The shipped rules: the issue's examples, at the thresholds of deploy/prometheus's rules where
 * those have the same alert (so that the hub and a Prometheus beside it agree).
 */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = Object.freeze(
  z.array(alertRule).parse([
    { name: 'component-down', metric: 'status', above: 1, forSeconds: 60, severity: 'CRITICAL' },
    { name: 'circuit-open', metric: 'circuitOpenSeconds', above: 30, severity: 'CRITICAL' },
    { name: 'error-rate', metric: 'errorRate', above: 5, windowMinutes: 5, forSeconds: 300, severity: 'CRITICAL', kinds: ['ROUTER', 'WEBHOOK_ENDPOINT'] },
    { name: 'slow-answers', metric: 'p95LatencyMs', above: 1_000, windowMinutes: 10, forSeconds: 600, severity: 'WARNING', kinds: ['ROUTER'] },
    { name: 'queue-depth', metric: 'queueDepth', above: 1_000, forSeconds: 600, severity: 'WARNING' },
    { name: 'queue-consumer-lag', metric: 'consumerLagSeconds', above: 300, forSeconds: 600, severity: 'WARNING' },
    { name: 'dead-letters', metric: 'deadLetters', above: 0, forSeconds: 60, severity: 'WARNING' },
    { name: 'event-lag', metric: 'eventLag', above: 1_000, forSeconds: 600, severity: 'WARNING' },
    { name: 'sla-breach', metric: 'slaBreaches', above: 0, severity: 'WARNING' },
  ]),
);

/** A JSON setting: parsed and checked by `shape`, its problems named by their path in the JSON. */
function jsonSetting<Schema extends z.ZodType>(shape: Schema) {
  return z
    .string()
    .transform((text, ctx): z.output<Schema> => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is not JSON: ${(error as Error).message}` });
        return z.NEVER;
      }
      const parsed = shape.safeParse(value);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}` });
      }
      return z.NEVER;
    })
    .optional();
}

/** HEALTH_ALERT_RULES: a JSON array of rules, which replaces the shipped ones; names must be unique. */
export const alertRulesSetting = jsonSetting(
  z.array(alertRule).superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      if (seen.has(rule.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index, 'name'], message: `${rule.name} is named twice` });
      seen.add(rule.name);
    });
  }),
);

const slaTarget = z
  .object({
    /** Percent of checks not DOWN, at least. */
    availability: z.number().min(0).max(100).optional(),
    p95LatencyMs: z.number().positive().optional(),
    /** Percent, at most. */
    errorRate: z.number().min(0).max(100).optional(),
  })
  .strict();

export type SlaTarget = Required<z.output<typeof slaTarget>>;

/** The targets where SLA_TARGETS says nothing: those of deploy/prometheus's SLA alerts. */
export const DEFAULT_SLA_TARGET: SlaTarget = Object.freeze({ availability: 99, p95LatencyMs: 1_000, errorRate: 5 });

/** SLA_TARGETS: `default`, a kind (`SAP_SYSTEM`) or a component's name (`sap:ERP1`), each with some of the three targets. */
export const slaTargetsSetting = jsonSetting(z.record(z.string().min(1), slaTarget));

export type SlaTargets = z.output<NonNullable<typeof slaTargetsSetting>>;

/** A component's targets: its name's, over its kind's, over `default`, over DEFAULT_SLA_TARGET. */
export function slaTargetOf(targets: SlaTargets | undefined, name: string, kind: ComponentKind): SlaTarget {
  return { ...DEFAULT_SLA_TARGET, ...targets?.default, ...targets?.[kind], ...targets?.[name] };
}

/** Whether the rule covers the component. */
export function ruleCovers(rule: AlertRule, component: { name: string; kind: ComponentKind }): boolean {
  if (rule.kinds && !rule.kinds.includes(component.kind)) return false;
  if (!rule.components) return true;
  return rule.components.some((pattern) => (pattern.endsWith('*') ? component.name.startsWith(pattern.slice(0, -1)) : component.name === pattern));
}
