import { setTimeout as sleep } from "node:timers/promises";
import { childLogger } from "@spanlens/core";
import { type Job, type JobJsonRaw, type Processor, type RedisClient, Worker, type WorkerOptions } from "bullmq";

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
   * process crashed, was killed or ran out of memory) runs alone (0: never). See {@link runsAlone}.
   */
  aloneAfterStalls?: number;
}

/** The jobs of every worker in this process that run alone. */
const aloneJobs = new WeakSet<Job>();

/**
 * Whether a job runs alone: its worker fetched it with nothing else held, fetches nothing else
 * until it ends, and waits for it to end before running the next one. A processor that batches
 * results across jobs should store this job's at once, as no other job will join them.
 *
 * Why: a worker holds many jobs at once, and when one of them crashes the process (a fatal
 * error, memory run out), every job held beside it stalls too. BullMQ hands stalled jobs out
 * again, first of all, and fails each for good past its `maxStalledCount`; so a job that crashes
 * every worker it reaches took every job fetched beside it down with it, crash after crash,
 * until they all failed. Once a job has stalled `aloneAfterStalls` times it runs alone: the one
 * that crashes the worker then fails by itself, and the others are stored.
 */
export function runsAlone(job: Job): boolean {
  return aloneJobs.has(job);
}

/**
 * The worker behind every consumer (see `createConsumer`): a BullMQ worker that gathers jobs
 * when traffic is light ({@link TConsumerWorkerSettings.gatherMs}) and runs the jobs that keep
 * stalling alone ({@link runsAlone}).
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
 * which calls the processor.
 */
export class ConsumerWorker<TData, TResult> extends Worker<TData, TResult> {
  private readonly gatherMs: number;
  private readonly aloneAfterStalls: number;
  private lastFetchFoundNothing = false;
  /** Ends a gathering wait at once when the worker closes. */
  private readonly stopGathering = new AbortController();
  /** Jobs fetched and not yet ended, and how many of them run alone. */
  private held = 0;
  private heldAlone = 0;
  /** The concurrency to go back to once no job held runs alone (null: not lowered). */
  private loweredFrom: number | null = null;
  /** The turn of the last job to run alone: they run one after another. */
  private aloneTurn: Promise<void> = Promise.resolve();
  /** Resolved once no job held runs with others, for the job whose turn it is. */
  private othersEnded: (() => void) | null = null;

  constructor(
    name: string,
    processor: Processor<TData, TResult>,
    options: WorkerOptions,
    { gatherMs = 0, aloneAfterStalls = 0 }: TConsumerWorkerSettings = {},
  ) {
    super(name, processor, options);
    this.gatherMs = gatherMs;
    this.aloneAfterStalls = aloneAfterStalls;
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
    this.stopGathering.abort();
    return super.close(force);
  }

  protected override async nextJobFromJobData(
    jobData?: JobJsonRaw,
    jobId?: string,
    token?: string,
  ): Promise<Job<TData, TResult>> {
    this.lastFetchFoundNothing = !jobData;
    // No job comes as null or undefined.
    const alone = !!jobData && this.mustRunAlone(jobData);
    // Before anything is awaited: BullMQ's fetch loop checks the concurrency again as soon as
    // this fetch resolves, and a completion fetches the next job only within it.
    if (alone && this.loweredFrom === null) {
      this.loweredFrom = this.concurrency;
      this.concurrency = 1;
      log.warn(
        { queue: this.name, jobId, stalled: Number(jobData?.stc) },
        "a job that stalled under workers that stopped runs alone: no other job is fetched until it ends",
      );
    }
    const job = await super.nextJobFromJobData(jobData, jobId, token);
    if (job) {
      this.held += 1;
      if (alone) {
        this.heldAlone += 1;
        aloneJobs.add(job);
      }
    } else if (alone) {
      // Not handed out after all (BullMQ failed to schedule a repeatable job's next run).
      this.restoreConcurrency();
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
      if (aloneJobs.has(job)) {
        this.heldAlone -= 1;
        if (this.heldAlone === 0) this.restoreConcurrency();
      }
      if (this.held === this.heldAlone) this.othersEnded?.();
    }
  }

  protected override async callProcessJob(job: Job<TData, TResult>, token: string, signal?: AbortSignal) {
    if (!aloneJobs.has(job)) return super.callProcessJob(job, token, signal);
    const previous = this.aloneTurn;
    let endTurn = () => {};
    this.aloneTurn = new Promise<void>((resolve) => {
      endTurn = resolve;
    });
    try {
      await previous;
      // The jobs fetched before this one end with their batch; none is fetched meanwhile.
      if (this.held > this.heldAlone) {
        await new Promise<void>((resolve) => {
          this.othersEnded = resolve;
        });
        this.othersEnded = null;
      }
      return await super.callProcessJob(job, token, signal);
    } finally {
      endTurn();
    }
  }

  /**
   * Stalled often enough, and to be run: a job stalled past `maxStalledCount` carries BullMQ's
   * deferred failure, and is failed as soon as it is fetched, without running.
   */
  private mustRunAlone(jobData: JobJsonRaw): boolean {
    return this.aloneAfterStalls > 0 && !jobData.defa && Number(jobData.stc ?? 0) >= this.aloneAfterStalls;
  }

  private restoreConcurrency(): void {
    if (this.loweredFrom === null || this.heldAlone > 0) return;
    this.concurrency = this.loweredFrom;
    this.loweredFrom = null;
  }
}
