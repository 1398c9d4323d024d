import type { HttpResponse } from 'uWebSockets.js';

/** A response that may be written after an await: uWS forbids touching an aborted response. */
export class ResponseWriter {
  aborted = false;

  constructor(private readonly res: HttpResponse) {
    res.onAborted(() => {
      this.aborted = true;
    });
  }

  write(status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
    if (this.aborted) return;
    this.aborted = true;
    this.res.cork(() => {
      this.res.writeStatus(STATUS[status] ?? `${status}`);
      this.res.writeHeader('Content-Type', contentType);
      for (const [name, value] of Object.entries(headers)) this.res.writeHeader(name, value);
      this.res.end(body);
    });
  }

  json(status: number, value: unknown, headers: Record<string, string> = {}): void {
    this.write(status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
  }

  /** Reads the request body, up to `limit` bytes; resolves undefined when it is larger (and answers 413). */
  readBody(limit: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.res.onData((chunk, isLast) => {
        if (size < 0) return;
        size += chunk.byteLength;
        if (size > limit) {
          size = -1;
          this.json(413, { k: 'err', c: 'TW_FRAME_TOO_LARGE', m: `the body exceeds ${limit} bytes` });
          resolve(undefined);
          return;
        }
        // The chunk's memory is reused by uWS after this callback: copy it.
        chunks.push(Buffer.from(new Uint8Array(chunk)));
        if (isLast) resolve(Buffer.concat(chunks));
      });
    });
  }
}

const STATUS: Record<number, string> = {
  200: '200 OK',
  204: '204 No Content',
  302: '302 Found',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  404: '404 Not Found',
  413: '413 Payload Too Large',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};
