import { setTimeout as sleep } from "node:timers/promises";
import { childLogger } from "@spanlens/core";
import {
  type Job,
  type JobJsonRaw,
  type Processor,
  type RedisClient,
  WaitingError,
  Worker,
  type WorkerOptions,
} from "bullmq";

const log = childLogger("queue");

export interface TConsumerWorkerSettings {
  /**
   * Once a fetch has found the queue empty, wait this long before the next one, so the jobs
   * that arrive meanwhile are taken in one burst instead of each waking the worker and Redis
   * on its own (0: fetch as soon as a job is announced).
   */
  gatherMs?: number;
  /**
   * A job that this many workers stopped under while they held it (BullMQ's stalled count: the
   * process crashed, was killed or ran out of memory) runs apart (0: never). See {@link runsApart}.
   */
  apartAfterStalls?: number;
  /**
   * Run by `close()` once the worker has closed (its active jobs ended), before it resolves:
   * for what the processor uses and must release or flush, so that a process that awaits
   * `close()` and then closes its connections loses nothing.
   */
  afterClose?: () => Promise<void>;
}

/** How much smaller the group a job runs in gets with each further stall (see {@link runsApart}). */
export const APART_GROUP_SHRINK = 8;

/** The jobs of every worker in this process that run apart. */
const apartJobs = new WeakSet<Job>();

/**
 * Whether a job runs apart: its worker holds it among fewer jobs than usual, and on its last
 * chance alone. A processor that batches results across jobs should store this job's at once,
 * as few or no other jobs will join them.
 *
 * Why: a worker holds many jobs at once, and when one of them crashes the process (a fatal
 * error, memory run out), every job held beside it stalls too. BullMQ hands stalled jobs out
 * again, first of all, and fails each for good past its `maxStalledCount`; so a job that crashes
 * every worker it reaches took every job fetched beside it down with it, crash after crash,
 * until they all failed.
 *
 * Once a job has stalled `apartAfterStalls` times, its worker fetches no more than a group of
 * jobs while it holds it: the usual concurrency divided by {@link APART_GROUP_SHRINK} for each
 * stall from there on (1,024, then 128, 16, 2), and on its last delivery (`maxStalledCount`
 * stalls) one, itself, once the jobs held before it have ended. A job that crashes every worker
 * then takes fewer jobs down with it each time, and fails alone; a job held beside it ends up in
 * a smaller group, or alone, and is stored.
 */
export function runsApart(job: Job): boolean {
  return apartJobs.has(job);
}

/**
 * The worker behind every consumer (see `createConsumer`): a BullMQ worker that gathers jobs
 * when traffic is light ({@link TConsumerWorkerSettings.gatherMs}) and runs the jobs that keep
 * stalling apart ({@link runsApart}).
 *
 * Gathering: a drained BullMQ worker blocks on the queue's marker, and each job that arrives
 * wakes it to fetch that one job, then fetch again to find the queue empty, then block again:
 * several Redis round trips, and as many wakeups of the worker and of Redis, per job. Under load
 * none of that happens, because completing a job fetches the next in the same script. Waiting
 * `gatherMs` after an empty fetch lets the jobs of that interval be fetched back to back, so the
 * fixed cost of waking up is shared; jobs wait at most `gatherMs` longer, and a busy queue never
 * waits.
 *
 * BullMQ has no option for either (its rate limiter delays jobs but does not gather them, and
 * its concurrency applies to every job alike); the hooks are its protected `moveToActive`,
 * through which every fetch outside a completion goes, `nextJobFromJobData`, through which every
 * fetch's result goes, `processJob`, which runs a fetched job to its end, and `callProcessJob`,
 * which calls the processor. Lowering `concurrency` stops both BullMQ's fetch loop and the fetch
 * that a completion makes while the worker holds as many jobs.
 */
export class ConsumerWorker<TData, TResult> extends Worker<TData, TResult> {
  private readonly gatherMs: number;
  private readonly apartAfterStalls: number;
  private readonly afterClose: (() => Promise<void>) | undefined;
  private closeOnce: Promise<void> | undefined;
  private lastFetchFoundNothing = false;
  /** Ends a gathering wait at once when the worker closes. */
  private readonly stopGathering = new AbortController();
  /** Jobs fetched and not yet ended. */
  private held = 0;
  /** Of them, those running apart, each with how many jobs may be held beside it. */
  private readonly heldApart = new Map<Job<TData, TResult>, number>();
  /** The concurrency to go back to once no job held runs apart (null: not lowered). */
  private configuredConcurrency: number | null = null;
  /** The job running alone, from when it starts waiting for the others to end. */
  private aloneJob: Job<TData, TResult> | null = null;
  /** Resolved once the job running alone is the only one held. */
  private othersEnded: (() => void) | null = null;

  constructor(
    name: string,
    processor: Processor<TData, TResult>,
    options: WorkerOptions,
    { gatherMs = 0, apartAfterStalls = 0, afterClose }: TConsumerWorkerSettings = {},
  ) {
    super(name, processor, options);
    this.gatherMs = gatherMs;
    this.apartAfterStalls = apartAfterStalls;
    this.afterClose = afterClose;
  }

  protected override async moveToActive(
    client: RedisClient,
    token: string,
    name?: string,
  ): Promise<Job<TData, TResult>> {
    if (this.lastFetchFoundNothing && this.gatherMs > 0) {
      await sleep(this.gatherMs, undefined, { signal: this.stopGathering.signal }).catch(() => undefined);
    }
    // Fetch even when closing or paused meanwhile, as BullMQ does once woken: the wake-up
    // signal this fetch answers is already taken, and a job left waiting without it would
    // wait for some worker's next timed-out block. Fetches that gather nothing (after a
    // delayed job comes due, a rate limit, or a job moved back to waiting) also wait,
    // which at `gatherMs` is harmless.
    return super.moveToActive(client, token, name);
  }

  override close(force?: boolean): Promise<void> {
    // Once, however often it is called: `afterClose` releases what it releases one time.
    this.closeOnce ??= (async () => {
      this.stopGathering.abort();
      await super.close(force);
      await this.afterClose?.();
    })();
    return this.closeOnce;
  }

  protected override async nextJobFromJobData(
    jobData?: JobJsonRaw,
    jobId?: string,
    token?: string,
  ): Promise<Job<TData, TResult>> {
    this.lastFetchFoundNothing = !jobData;
    // No job comes as null or undefined.
    const group = jobData ? this.apartGroup(jobData) : null;
    // Before anything is awaited: BullMQ's fetch loop checks the concurrency again as soon as
    // this fetch resolves, and a completion fetches the next job only within it.
    if (group !== null && group < this.concurrency) {
      if (this.configuredConcurrency === null) {
        log.warn(
          { queue: this.name, jobId, stalled: Number(jobData?.stc), concurrency: group },
          "a job that stalled under workers that stopped runs apart: fewer jobs are fetched while it is held",
        );
      }
      this.configuredConcurrency ??= this.concurrency;
      this.concurrency = group;
    }
    const job = await super.nextJobFromJobData(jobData, jobId, token);
    if (job) {
      this.held += 1;
      if (group !== null) {
        this.heldApart.set(job, group);
        apartJobs.add(job);
      }
    } else if (group !== null) {
      // Not handed out after all (BullMQ failed to schedule a repeatable job's next run).
      this.resetConcurrency();
    }
    return job;
  }

  override async processJob(
    job: Job<TData, TResult>,
    token: string,
    fetchNextCallback?: () => boolean,
  ): ReturnType<Worker<TData, TResult>["processJob"]> {
    try {
      return await super.processJob(job, token, fetchNextCallback);
    } finally {
      this.held -= 1;
      if (this.heldApart.delete(job)) this.resetConcurrency();
      if (this.held === 1 && this.aloneJob) this.othersEnded?.();
    }
  }

  protected override async callProcessJob(job: Job<TData, TResult>, token: string, signal?: AbortSignal) {
    if (this.heldApart.get(job) !== 1) return super.callProcessJob(job, token, signal);
    if (this.aloneJob) {
      // Fetched beside another job that runs alone (two completions each fetched the next job
      // at once): back to the head of the queue, no attempt or stall counted, to be fetched
      // again once that one has ended. Held here, it would stall with it.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    this.aloneJob = job;
    try {
      // The jobs fetched before this one end on their own; none is fetched meanwhile.
      if (this.held > 1) {
        await new Promise<void>((resolve) => {
          this.othersEnded = resolve;
        });
        this.othersEnded = null;
      }
      return await super.callProcessJob(job, token, signal);
    } finally {
      this.aloneJob = null;
    }
  }

  /**
   * While jobs run apart: how many are held, and how many the worker fetches at most meanwhile
   * (its health endpoint shows it). Null when none is.
   */
  runningApart(): { jobs: number; concurrency: number } | null {
    return this.heldApart.size === 0 ? null : { jobs: this.heldApart.size, concurrency: this.concurrency };
  }

  /**
   * How many jobs may be held while this one is (see {@link runsApart}), or null for a job run as
   * usual. A job stalled past `maxStalledCount` carries BullMQ's deferred failure, and is failed
   * as soon as it is fetched, without running.
   */
  private apartGroup(jobData: JobJsonRaw): number | null {
    const stalled = Number(jobData.stc ?? 0);
    if (this.apartAfterStalls === 0 || jobData.defa || stalled < this.apartAfterStalls) return null;
    if (stalled >= (this.opts.maxStalledCount ?? 1)) return 1;
    const usual = this.configuredConcurrency ?? this.concurrency;
    return Math.max(1, Math.floor(usual / APART_GROUP_SHRINK ** (stalled - this.apartAfterStalls + 1)));
  }

  /** The smallest group among the jobs held apart, or the configured concurrency once none is. */
  private resetConcurrency(): void {
    if (this.configuredConcurrency === null) return;
    if (this.heldApart.size === 0) {
      this.concurrency = this.configuredConcurrency;
      this.configuredConcurrency = null;
      return;
    }
    this.concurrency = Math.min(...this.heldApart.values());
  }
}
