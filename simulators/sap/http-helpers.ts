import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body the simulator reads; a larger one is answered 413. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** Reads the whole request body; rejects with BodyTooLargeError past MAX_BODY_BYTES. */
export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export type Headers = Record<string, string | number | readonly string[]>;

/** Answers with a complete body (Content-Length set by node), so keep-alive connections stay reusable. */
export function send(response: ServerResponse, status: number, headers: Headers, body: string | Buffer = ''): void {
  response.writeHead(status, headers as Record<string, string | number | string[]>);
  response.end(body);
}

export function sendText(response: ServerResponse, status: number, text: string, headers: Headers = {}): void {
  send(response, status, { 'content-type': 'text/plain; charset=utf-8', ...headers }, text);
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Headers = {}): void {
  send(response, status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
}

/** The cookies of a request, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(index + 1).trim());
  }
  return cookies;
}

/** A header's single value (the first of a repeated one), or undefined. */
export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text escaped for XML element content and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return /[&<>"]/.test(text) ? text.replace(/[&<>"]/g, (char) => XML_ESCAPES[char]!) : text;
}
