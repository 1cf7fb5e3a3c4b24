import { AppError } from "@spanlens/core";

/** One request's share of the budget: grown once its decompressed size is known, released when answered. */
export interface TInFlightReservation {
  /** Holds `bytes` in all for this request; a 503 if that passes the budget while others hold some. */
  resize(bytes: number): void;
  release(): void;
}

export interface TInFlightBudget {
  /** Waits, first come first served, up to `waitMs` for room; then a 503. */
  reserve(bytes: number): Promise<TInFlightReservation>;
  readonly bytesInFlight: number;
  readonly waiting: number;
}

const MIB = 1024 * 1024;

/**
 * Bounds the export bytes a receiver holds at once. A request's body, its decompressed form
 * and the records decoded from it all scale with its decompressed size, and every request in
 * flight holds them until Redis has its job. A burst of large exports (a backfill posting
 * 16 MB batches, many at a time) would otherwise grow the process past its memory, and the
 * event loop decoding them all at once would answer none within the exporters' timeouts.
 *
 * A request that finds no room waits for it, in arrival order, before its body is read: the
 * socket's flow control holds the rest of the body at the client meanwhile. One that waits
 * longer than `waitMs` is answered 503 with Retry-After. A request alone is always admitted,
 * however large, so no export is refused for good.
 */
export function createInFlightBudget(maxBytes: number, waitMs: number): TInFlightBudget {
  let inFlight = 0;
  const waiters: { bytes: number; admit: () => void }[] = [];
  const fits = (bytes: number) => inFlight === 0 || inFlight + bytes <= maxBytes;
  const full = (others: number) =>
    new AppError(
      "UNAVAILABLE",
      `The receiver holds ${Math.ceil(others / MIB)} MiB of other exports, its limit (INGEST_MAX_BYTES_IN_FLIGHT): retry after the delay`,
    );
  const admitWaiting = () => {
    for (let next = waiters[0]; next && fits(next.bytes); next = waiters[0]) {
      waiters.shift();
      next.admit();
    }
  };
  const hold = (initial: number): TInFlightReservation => {
    let held = initial;
    inFlight += initial;
    return {
      resize(bytes) {
        const others = inFlight - held;
        if (bytes > held && others > 0 && others + bytes > maxBytes) throw full(others);
        inFlight += bytes - held;
        held = bytes;
        admitWaiting();
      },
      release() {
        inFlight -= held;
        held = 0;
        admitWaiting();
      },
    };
  };
  return {
    reserve(bytes) {
      if (waiters.length === 0 && fits(bytes)) return Promise.resolve(hold(bytes));
      return new Promise((resolve, reject) => {
        const waiter = {
          bytes,
          admit: () => {
            clearTimeout(timer);
            resolve(hold(bytes));
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(full(inFlight));
          // The one that gave up may have been what kept smaller ones behind it waiting.
          admitWaiting();
        }, waitMs);
        waiters.push(waiter);
      });
    },
    get bytesInFlight() {
      return inFlight;
    },
    get waiting() {
      return waiters.length;
    },
  };
}
