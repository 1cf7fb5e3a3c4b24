import { getRequestContext } from "./baggage.js";
import { postJson, type TClientOptions } from "./http.js";
import { getCurrentTraceId } from "./ids.js";

export interface TKpiEventInput {
  /** Idempotency key; generated when absent. */
  id?: string;
  /** The business event: `ticket_resolved`, `conversion`, `csat`. */
  name: string;
  value: number;
  timestamp?: Date | string;
  traceId?: string;
  sessionId?: string;
  userId?: string;
  metadata?: Record<string, unknown>;
}

export interface TKpiClient {
  /**
   * Records a business event (`POST /api/public/v1/kpis`). Trace, session and user default
   * to the active span and request context, so events correlate with the traces behind them.
   */
  record(event: TKpiEventInput): Promise<{ id: string }>;
}

export function createKpiClient(options: TClientOptions = {}): TKpiClient {
  return {
    record(event) {
      if (!Number.isFinite(event.value)) throw new TypeError(`KPI "${event.name}" needs a finite numeric value`);
      const request = getRequestContext();
      const traceId = event.traceId ?? getCurrentTraceId() ?? undefined;
      const sessionId = event.sessionId ?? request.sessionId;
      const userId = event.userId ?? request.userId;
      const { timestamp, ...rest } = event;
      return postJson<{ id: string }>(options, "/api/public/v1/kpis", {
        ...rest,
        id: event.id ?? crypto.randomUUID(),
        ...(traceId ? { traceId } : {}),
        ...(sessionId ? { sessionId } : {}),
        ...(userId ? { userId } : {}),
        ...(timestamp ? { timestamp: typeof timestamp === "string" ? timestamp : timestamp.toISOString() } : {}),
      });
    },
  };
}
