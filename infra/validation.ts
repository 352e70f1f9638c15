import type { z } from 'zod';
import { badUserInput, type FieldError } from './errors.js';

/** zod issues as the `extensions.fields` entries of a BAD_USER_INPUT error. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({ field: prefix + issue.path.join('.'), message: issue.message }));
}

/**
 * Validates and normalises `input`. `extra` adds checks that need more than the value
 * (a database lookup) and must accept raw input too; every bad field, from both, is reported
 * in one BAD_USER_INPUT error.
 */
export async function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  extra?: (parsed: Partial<z.output<Schema>>) => Promise<FieldError[]> | FieldError[],
  prefix = '',
): Promise<z.output<Schema>> {
  const result = schema.safeParse(input);
  const errors = result.success ? [] : fieldErrors(result.error, prefix);
  // When the schema fails, the extra checks still run on the raw input, so the client learns every bad field at once.
  const extraErrors = extra ? await extra((result.success ? result.data : input ?? {}) as Partial<z.output<Schema>>) : [];
  const all = [...errors, ...extraErrors.filter((e) => !errors.some((known) => known.field === e.field))];
  if (all.length > 0 || !result.success) throw badUserInput(all);
  return result.data;
}

/** Decimal strings (already shaped by the Decimal scalar) within a range and a number of decimal places. */
export function decimalWithin(text: string, options: { min: number; max: number; scale: number }): string | undefined {
  const point = text.indexOf('.');
  if (point !== -1 && text.length - point - 1 > options.scale) return `may have at most ${options.scale} decimal places`;
  const value = Number(text);
  if (value < options.min || value > options.max) return `must be between ${options.min} and ${options.max.toLocaleString('en-US')}`;
  return undefined;
}
