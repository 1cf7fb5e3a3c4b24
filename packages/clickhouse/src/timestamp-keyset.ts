import { AppError } from "@spanlens/core";
import { toClickHouseTime } from "./spans/span-row.js";

/** A list read newest first by `(timestamp, id)`: scores and KPI events share it. */
export interface TTimestampKeysetFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The cursor after a page's last row: opaque to clients, checked when it comes back. */
export function encodeTimestampCursor(row: { timestamp: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.timestamp, row.id])).toString("base64url");
}

function decodeTimestampCursor(cursor: string): { timestamp: string; id: string } {
  try {
    const [timestamp, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof timestamp === "string" && !Number.isNaN(Date.parse(timestamp)) && typeof id === "string") {
      return { timestamp, id };
    }
  } catch {
    // fall through
  }
  throw new AppError("BAD_REQUEST", "cursor: not a cursor returned by this endpoint");
}

/**
 * Adds the conditions such a list shares to `where`/`params`: string columns that must
 * equal the filter's value (`equals` maps filter keys to columns), the time window, and
 * the keyset cursor. Read one row more than `limit` (`params.limit` is set so) to know
 * whether a next page exists.
 */
export function addTimestampKeysetConditions<TFilter extends TTimestampKeysetFilter>(
  filter: TFilter,
  equals: Partial<Record<keyof TFilter & string, string>>,
  where: string[],
  params: Record<string, unknown>,
): void {
  params.limit = filter.limit + 1;
  for (const [key, column] of Object.entries(equals) as [keyof TFilter & string, string][]) {
    const value = filter[key];
    if (value !== undefined) {
      where.push(`${column} = {${key}:String}`);
      params[key] = value;
    }
  }
  if (filter.from) {
    where.push("timestamp >= {from:DateTime64(3)}");
    params.from = toClickHouseTime(filter.from.getTime());
  }
  if (filter.to) {
    where.push("timestamp < {to:DateTime64(3)}");
    params.to = toClickHouseTime(filter.to.getTime());
  }
  if (filter.cursor) {
    const cursor = decodeTimestampCursor(filter.cursor);
    where.push("(timestamp, id) < ({cursorTime:DateTime64(3)}, {cursorId:String})");
    params.cursorTime = toClickHouseTime(Date.parse(cursor.timestamp));
    params.cursorId = cursor.id;
  }
}
