/** The window a project's share is measured over, by default. */
export const FAIR_SHARE_WINDOW_S = 10;

/** How far past an even split a project's share may go before it counts as taking more than its own. */
const SHARE_TOLERANCE = 1.25;

export interface TProjectShare {
  /** The project's part of the bytes taken over the window, 0 to 1. */
  share: number;
  /** Projects that sent anything taken over the window. */
  projects: number;
  /** Whether the project takes more than an even split allows (by a quarter); never when it is alone. */
  isOver: boolean;
}

export interface TFairShare {
  /** Counts an accepted export's decompressed bytes for its project. */
  add(projectId: string, bytes: number): void;
  share(projectId: string): TProjectShare;
}

/**
 * Each project's share of the exports this receiver took lately, so that once the queue
 * fills past half its bound the projects sending most are slowed first and the rest keep
 * being served; without it one project's backfill fills the queue and every project gets
 * 503s. Counted in memory per receiver process, over two buckets of half the window each
 * (the share covers the last half-window to whole window): no Redis round trip per request,
 * and with several receivers behind a balancer each sees about the same mix. Written here
 * because rate-limit libraries cap each caller at a fixed rate, which would also throttle a
 * project sending alone; this compares a project with the others sending at the time.
 */
export function createFairShare(options: { windowMs?: number; now?: () => number } = {}): TFairShare {
  const now = options.now ?? Date.now;
  const halfWindow = (options.windowMs ?? FAIR_SHARE_WINDOW_S * 1000) / 2;
  let current = new Map<string, number>();
  let previous = new Map<string, number>();
  let currentTotal = 0;
  let previousTotal = 0;
  let bucketStart = now();
  const rotate = () => {
    const at = now();
    const elapsed = at - bucketStart;
    if (elapsed < halfWindow) return;
    if (elapsed < 2 * halfWindow) {
      previous = current;
      previousTotal = currentTotal;
    } else {
      previous = new Map();
      previousTotal = 0;
    }
    current = new Map();
    currentTotal = 0;
    bucketStart = at;
  };
  return {
    add(projectId, bytes) {
      rotate();
      current.set(projectId, (current.get(projectId) ?? 0) + bytes);
      currentTotal += bytes;
    },
    share(projectId) {
      rotate();
      const total = currentTotal + previousTotal;
      if (total === 0) return { share: 0, projects: 0, isOver: false };
      const share = ((current.get(projectId) ?? 0) + (previous.get(projectId) ?? 0)) / total;
      let projects = current.size;
      for (const id of previous.keys()) if (!current.has(id)) projects += 1;
      return { share, projects, isOver: projects > 1 && share > SHARE_TOLERANCE / projects };
    },
  };
}
