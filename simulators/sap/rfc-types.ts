import type { PendingChange, SapSystem } from './sap-system.js';

/** A flat structure (one row of a table): field name -> value in ABAP's external form. */
export type RfcStructure = Record<string, string>;

/** Exporting and table parameters of a call, in the order they are written: a string, a structure, or a table (array). */
export type RfcOutput = Record<string, string | RfcStructure | RfcStructure[]>;

/** Importing and table parameters as parsed from the SOAP request (fast-xml-parser's shape, `item` always an array). */
export type RfcInput = Record<string, unknown>;

/** The logical unit of work a call runs in: a stateful context's, or a throwaway one for a stateless request. */
export interface RfcUnit {
  id: string;
  pending: PendingChange[];
}

export interface RfcCallContext {
  system: SapSystem;
  unit: RfcUnit;
}

/** A function module: importing parameters in, exporting and table parameters out. Throws RfcException for an ABAP exception. */
export type RfcFunction = (input: RfcInput, context: RfcCallContext) => RfcOutput;

/** An ABAP exception raised by a function module (RAISE TABLE_NOT_AVAILABLE …): answered as a SOAP fault. */
export class RfcException extends Error {
  constructor(
    /** The exception's name, e.g. TABLE_NOT_AVAILABLE. */
    readonly key: string,
    message: string,
    readonly messageId: readonly [string, string] = ['', ''],
  ) {
    super(message);
  }
}

export function textParameter(input: RfcInput, name: string): string {
  const value = input[name];
  return typeof value === 'string' ? value : '';
}

export function structureParameter(input: RfcInput, name: string): RfcStructure | undefined {
  const value = input[name];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([field, entry]) => [field, typeof entry === 'string' ? entry : ''])) as RfcStructure;
}

export function tableParameter(input: RfcInput, name: string): RfcStructure[] {
  const value = input[name] as { item?: unknown[] } | undefined;
  if (!value || typeof value !== 'object' || !Array.isArray(value.item)) return [];
  return value.item.map((row) =>
    row && typeof row === 'object' ? (Object.fromEntries(Object.entries(row).map(([field, entry]) => [field, typeof entry === 'string' ? entry : ''])) as RfcStructure) : {},
  );
}

/** Fields of SAP's return structures, in their order. */
const RETURN_FIELDS = {
  BAPIRET1: ['TYPE', 'ID', 'NUMBER', 'MESSAGE', 'LOG_NO', 'LOG_MSG_NO', 'MESSAGE_V1', 'MESSAGE_V2', 'MESSAGE_V3', 'MESSAGE_V4'],
  BAPIRETURN1: ['TYPE', 'ID', 'NUMBER', 'MESSAGE', 'LOG_NO', 'LOG_MSG_NO', 'MESSAGE_V1', 'MESSAGE_V2', 'MESSAGE_V3', 'MESSAGE_V4'],
  BAPIRET2: ['TYPE', 'ID', 'NUMBER', 'MESSAGE', 'LOG_NO', 'LOG_MSG_NO', 'MESSAGE_V1', 'MESSAGE_V2', 'MESSAGE_V3', 'MESSAGE_V4', 'PARAMETER', 'ROW', 'FIELD', 'SYSTEM'],
  BAPIRETURN: ['TYPE', 'CODE', 'MESSAGE', 'LOG_NO', 'LOG_MSG_NO', 'MESSAGE_V1', 'MESSAGE_V2', 'MESSAGE_V3', 'MESSAGE_V4'],
} as const;

export type ReturnStructure = keyof typeof RETURN_FIELDS;

export interface ReturnMessage {
  type: 'S' | 'E' | 'W' | 'I' | 'A';
  id: string;
  number: string;
  message: string;
  variables?: readonly string[];
}

/** A RETURN structure of the given DDIC type; without a message, the initial (all blank) one a successful BAPI returns. */
export function returnStructure(kind: ReturnStructure, message?: ReturnMessage): RfcStructure {
  const out: RfcStructure = {};
  for (const name of RETURN_FIELDS[kind]) out[name] = '';
  out.LOG_MSG_NO = '000000';
  if ('NUMBER' in out) out.NUMBER = '000';
  if ('ROW' in out) out.ROW = '0';
  if (!message) return out;
  out.TYPE = message.type;
  out.MESSAGE = message.message.slice(0, 220);
  if (kind === 'BAPIRETURN') out.CODE = `${message.id}${message.number}`.slice(0, 5);
  else {
    out.ID = message.id;
    out.NUMBER = message.number.padStart(3, '0');
  }
  (message.variables ?? []).slice(0, 4).forEach((value, index) => (out[`MESSAGE_V${index + 1}`] = value.slice(0, 50)));
  return out;
}
