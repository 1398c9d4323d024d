/** One HTTP request as the gateway hands it to the shop; `query` is the raw query string, with or without its "?". */
export interface ShopRequest {
  method: string;
  path: string;
  query: string;
  body?: string;
}

export interface ShopResponse {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

export function jsonResponse(status: number, value: unknown): ShopResponse {
  return {
    status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(value),
    headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  };
}
