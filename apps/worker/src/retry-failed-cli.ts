// `pnpm queue:retry-failed`: puts the OTLP ingest jobs that failed for good back in the queue,
// once what failed them is fixed (see docs/deployment.md, "Failed ingest jobs").
import { QueueName } from "@spanlens/core";
import {
  assertRedisReachable,
  closeQueues,
  closeRedis,
  ingestBodiesGone,
  OTLP_BODY_TTL_SECONDS,
  retryFailedJobs,
} from "@spanlens/queue";

const BODY_DAYS = OTLP_BODY_TTL_SECONDS / 86_400;

try {
  await assertRedisReachable();
  const name = QueueName.OtlpIngest;
  const { retried, removed } = await retryFailedJobs(name, {
    onProgress: (message) => console.error(`${name}: ${message}`),
    isUnstorable: ingestBodiesGone,
  });
  if (removed.jobs > 0) {
    const projects = Object.entries(removed.byProject)
      .sort(([, a], [, b]) => b - a)
      .map(([project, jobs]) => `  project ${project}: ${jobs}`);
    console.log(
      [
        `${name}: removed ${removed.jobs} failed jobs whose request bodies are gone from Redis (kept ${BODY_DAYS} days from arrival, or deleted once their rows were stored): no retry can store them. Jobs per project:`,
        ...projects,
      ].join("\n"),
    );
  }
  if (retried > 0) console.log(`${name}: ${retried} failed jobs are back in the queue; running workers store them now`);
  else if (removed.jobs === 0) console.log(`${name}: no failed jobs`);
  await Promise.all([closeQueues(), closeRedis()]);
} catch (error) {
  console.error(`spanlens queue:retry-failed: ${(error as Error).message}`);
  process.exit(1);
}
