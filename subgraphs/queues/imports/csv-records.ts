import { isUtf8 } from 'node:buffer';
import { parse, CsvError } from 'csv-parse';
import type { ImportEncoding } from './import-kinds.js';

/** The file cannot be read as CSV: binary, a spreadsheet, not in its encoding, a broken quote. */
export class FileInvalid extends Error {
  override name = 'FileInvalid';

  constructor(
    message: string,
    /** The row it was found at (the header is row 1), when known. */
    readonly row: number | null = null,
  ) {
    super(message);
  }
}

/** The longest record read (in bytes): an unclosed quote would otherwise swallow the rest of the file into memory. */
const MAX_RECORD_BYTES = 1024 * 1024;

const ZIP_MAGIC = Buffer.from('PK\u0003\u0004', 'latin1');

/** Why the file's first bytes say it is not CSV text, or undefined when they do not. */
export function notCsv(head: Buffer): string | undefined {
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) return 'The file is a zip archive (an .xlsx spreadsheet?), not CSV: save it as CSV (UTF-8) and upload that';
  if (head.includes(0)) return 'The file holds binary data (a NUL byte): it is not a CSV text file';
  return undefined;
}

export interface CsvRecord {
  /** Its row number: the header is row 1, as a spreadsheet numbers them. */
  row: number;
  cells: string[];
}

/** Parsed records waiting for the consumer before the next chunk is parsed: less than a chunk (about 2,200 rows of 120 bytes), so about one chunk is parsed ahead. */
const QUEUED_RECORDS = 1_000;

/** The length of `bytes` up to the start of a UTF-8 character it cuts off at its end (all of it when none is cut). */
function wholeCharacters(bytes: Buffer): number {
  let start = bytes.length - 1;
  while (start > 0 && bytes.length - start < 4 && (bytes[start]! & 0xc0) === 0x80) start--;
  const lead = bytes[start] ?? 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + length > bytes.length ? start : bytes.length;
}

/**
 * The file's records, given a chunk's worth at a time: read chunk by chunk and parsed by
 * csv-parse from the bytes (UTF-8, checked strictly and without its byte order mark, or
 * Latin-1), the next chunk only once the consumer has taken most of the last one's records, so
 * memory holds about one chunk whatever the file's size. Blank lines are skipped but keep their
 * row number. Records with another number of cells than the header are given as they are: the
 * caller reports them. Every record before a fault is given before FileInvalid is thrown for it
 * (but a chunk's last line, which csv-parse keeps until it sees what follows).
 */
export async function* csvRecords(chunks: AsyncIterable<Buffer>, options: { delimiter: string; encoding: ImportEncoding }): AsyncGenerator<CsvRecord[]> {
  const utf8 = options.encoding === 'UTF8';
  const parser = parse({ delimiter: options.delimiter, relax_column_count: true, max_record_size: MAX_RECORD_BYTES, encoding: utf8 ? 'utf8' : 'latin1', bom: utf8 });
  // Records arrive by 'data' events, synchronously as each chunk is parsed, so none is lost when
  // a later chunk fails (a stream's async iterator drops what it had buffered when it errors).
  let records: string[][] = [];
  let failure: unknown;
  let ended = false;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeFeeder: (() => void) | undefined;
  const wake = (which: 'consumer' | 'feeder') => {
    const resolve = which === 'consumer' ? wakeConsumer : wakeFeeder;
    if (which === 'consumer') wakeConsumer = undefined;
    else wakeFeeder = undefined;
    resolve?.();
  };
  parser.on('data', (record: string[]) => {
    records.push(record);
    wake('consumer');
  });
  parser.on('error', (error) => {
    failure ??= error;
    wake('consumer');
  });
  parser.on('end', () => {
    ended = true;
    wake('consumer');
  });
  let bytes = 0;
  const feeding = (async () => {
    try {
      // UTF-8: the bytes of a character cut by a chunk's end wait for the next chunk.
      let cut: Buffer | undefined;
      for await (const chunk of chunks) {
        while (records.length > QUEUED_RECORDS && !stopped) await new Promise<void>((resolve) => (wakeFeeder = resolve));
        if (stopped) return;
        const invalid = notCsv(chunk);
        if (invalid) throw new FileInvalid(invalid);
        let data = chunk;
        if (utf8) {
          const joined = cut ? Buffer.concat([cut, chunk]) : chunk;
          const whole = wholeCharacters(joined);
          data = joined.subarray(0, whole);
          cut = whole < joined.length ? joined.subarray(whole) : undefined;
          if (!isUtf8(data)) throw new FileInvalid(`The file is not valid UTF-8 (within bytes ${bytes} to ${bytes + chunk.length}): if it is Latin-1, import it with encoding LATIN1`);
        }
        bytes += chunk.length;
        parser.write(data);
      }
      if (cut) throw new FileInvalid('The file is not valid UTF-8 (it ends inside a character): if it is Latin-1, import it with encoding LATIN1');
      parser.end();
    } catch (error) {
      failure ??= error;
      wake('consumer');
    }
  })();
  let row = 0;
  try {
    for (;;) {
      if (records.length > 0) {
        const taken = records;
        records = [];
        wake('feeder');
        const given: CsvRecord[] = [];
        for (const record of taken) {
          row++;
          if (record.length !== 1 || record[0] !== '') given.push({ row, cells: record });
        }
        if (given.length > 0) yield given;
        continue;
      }
      if (failure !== undefined) break;
      if (ended) return;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    stopped = true;
    wake('feeder');
    parser.destroy();
    await feeding;
  }
  if (failure instanceof FileInvalid) throw failure;
  if (failure instanceof CsvError) throw new FileInvalid(`The file is not well-formed CSV at row ${row + 1}: ${failure.message}`, row + 1);
  throw failure;
}
