import type { HttpResponse } from 'uWebSockets.js';

/** A response that may be written after an await: uWS forbids touching an aborted response. */
export class ResponseWriter {
  aborted = false;
  /** Ends the body read under way: uWS calls onData no more once the request is aborted. */
  private endRead: (() => void) | undefined;

  constructor(private readonly res: HttpResponse) {
    res.onAborted(() => {
      this.aborted = true;
      this.endRead?.();
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

  /**
   * Reads the request body, up to `limit` bytes. Resolves undefined, with nothing left to answer,
   * when it is larger (it answers 413) or when the client goes away before its end: the chunks
   * read so far are dropped then, not held by a read that would never finish.
   */
  readBody(limit: number): Promise<Buffer | undefined> {
    if (this.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let chunks: Buffer[] = [];
      let size = 0;
      let reading = true;
      const end = (body: Buffer | undefined): void => {
        reading = false;
        chunks = [];
        this.endRead = undefined;
        resolve(body);
      };
      this.endRead = () => end(undefined);
      this.res.onData((chunk, isLast) => {
        if (!reading) return;
        size += chunk.byteLength;
        if (size > limit) {
          this.json(413, { k: 'err', c: 'TW_FRAME_TOO_LARGE', m: `the body exceeds ${limit} bytes` });
          end(undefined);
          return;
        }
        // The chunk's memory is reused by uWS after this callback: copy it.
        chunks.push(Buffer.from(new Uint8Array(chunk)));
        if (isLast) end(Buffer.concat(chunks));
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
