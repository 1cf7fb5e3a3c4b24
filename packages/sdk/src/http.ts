import { resolveConnection, type TResolvedConnection, type TSpanlensConnection } from "./config.js";
import { getInitializedConnection } from "./init.js";

/** A non-2xx answer from the public API, with its status and the server's message. */
export class SpanlensApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SpanlensApiError";
  }
}

export interface TClientOptions extends TSpanlensConnection {
  /** A fetch implementation (default the global one). */
  fetch?: typeof fetch;
  /** Attempts for retryable failures: network errors, 429, 502, 503, 504 (default 3). */
  maxAttempts?: number;
}

/** The status codes OTLP and the public API ask clients to retry. */
const RETRYABLE = new Set([429, 502, 503, 504]);

export function resolveClientConnection(options: TClientOptions): TResolvedConnection {
  const hasOwnConnection = options.baseUrl || options.secretKey;
  return (!hasOwnConnection && getInitializedConnection()) || resolveConnection(options);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryDelayMs(response: Response | null, attempt: number): number {
  const retryAfter = Number(response?.headers.get("retry-after"));
  return Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : 200 * 2 ** attempt;
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (message) return message;
  } catch {
    // Not JSON: the text itself is the best description.
  }
  return text || response.statusText;
}

/**
 * POSTs JSON to the public API. Bodies carry an idempotency `id`, so a retry after a lost
 * answer stores the record once.
 */
export async function postJson<T>(options: TClientOptions, path: string, body: unknown): Promise<T> {
  const connection = resolveClientConnection(options);
  const doFetch = options.fetch ?? fetch;
  const maxAttempts = options.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt += 1) {
    let response: Response | null = null;
    try {
      response = await doFetch(`${connection.baseUrl}${path}`, {
        method: "POST",
        headers: { ...connection.headers, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (error) {
      if (attempt >= maxAttempts) throw error;
    }
    if (response?.ok) return (await response.json()) as T;
    if (response && (!RETRYABLE.has(response.status) || attempt >= maxAttempts))
      throw new SpanlensApiError(response.status, `${path}: ${response.status} ${await errorMessage(response)}`);
    await sleep(retryDelayMs(response, attempt));
  }
}
