import { AppError } from "@spanlens/core";

/** One request's share of the budget: grown once its decompressed size is known, released when answered. */
export interface TInFlightReservation {
  /** Holds `bytes` in all for this request; a 503 if that passes the budget while others hold some. */
  resize(bytes: number): void;
  release(): void;
}

export interface TInFlightBudget {
  /**
   * Waits up to `waitMs` for room, then a 503. Room goes first to the waiting export whose
   * project holds the fewest bytes, first come first served within a project.
   */
  reserve(bytes: number, projectId?: string): Promise<TInFlightReservation>;
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
 * A request that finds no room waits for it before its body is read: the socket's flow control
 * holds the rest of the body at the client meanwhile. One that waits longer than `waitMs` is
 * answered 503 with Retry-After. A request alone is always admitted, however large, so no
 * export is refused for good.
 *
 * Room goes to the waiting request whose project holds the fewest bytes in flight, in arrival
 * order within a project: a project posting large exports many at a time (a backfill) would
 * otherwise keep every other project's small ones waiting behind its own, to a 503. The chosen
 * one is admitted only once it fits, and none overtakes it meanwhile, so a large export is not
 * starved by a stream of small ones; its project's holdings fall as its exports finish, and
 * with them its place.
 */
export function createInFlightBudget(maxBytes: number, waitMs: number): TInFlightBudget {
  let inFlight = 0;
  const heldByProject = new Map<string, number>();
  const waiters: { bytes: number; projectId: string; admit: () => void }[] = [];
  const fits = (bytes: number) => inFlight === 0 || inFlight + bytes <= maxBytes;
  const heldBy = (projectId: string) => heldByProject.get(projectId) ?? 0;
  const addHeld = (projectId: string, bytes: number) => {
    const held = heldBy(projectId) + bytes;
    if (held === 0) heldByProject.delete(projectId);
    else heldByProject.set(projectId, held);
  };
  /** The waiter to admit next: the earliest of the project holding least (a linear scan; few wait at once). */
  const nextWaiter = () => {
    let chosen = 0;
    for (let index = 1; index < waiters.length; index += 1) {
      const waiter = waiters[index];
      const best = waiters[chosen];
      if (waiter && best && heldBy(waiter.projectId) < heldBy(best.projectId)) chosen = index;
    }
    return chosen;
  };
  const full = (others: number) =>
    new AppError(
      "UNAVAILABLE",
      `The receiver holds ${Math.ceil(others / MIB)} MiB of other exports, its limit (INGEST_MAX_BYTES_IN_FLIGHT): retry after the delay`,
    );
  const admitWaiting = () => {
    for (;;) {
      const index = nextWaiter();
      const next = waiters[index];
      if (!next || !fits(next.bytes)) return;
      waiters.splice(index, 1);
      next.admit();
    }
  };
  const hold = (initial: number, projectId: string): TInFlightReservation => {
    let held = initial;
    inFlight += initial;
    addHeld(projectId, initial);
    return {
      resize(bytes) {
        const others = inFlight - held;
        if (bytes > held && others > 0 && others + bytes > maxBytes) throw full(others);
        inFlight += bytes - held;
        addHeld(projectId, bytes - held);
        held = bytes;
        admitWaiting();
      },
      release() {
        inFlight -= held;
        addHeld(projectId, -held);
        held = 0;
        admitWaiting();
      },
    };
  };
  return {
    reserve(bytes, projectId = "") {
      if (waiters.length === 0 && fits(bytes)) return Promise.resolve(hold(bytes, projectId));
      return new Promise((resolve, reject) => {
        const waiter = {
          bytes,
          projectId,
          admit: () => {
            clearTimeout(timer);
            resolve(hold(bytes, projectId));
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(full(inFlight));
          // The one that gave up may have been what kept smaller ones behind it waiting.
          admitWaiting();
        }, waitMs);
        waiters.push(waiter);
        // Ahead of the others when its project holds least and it fits now.
        admitWaiting();
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
