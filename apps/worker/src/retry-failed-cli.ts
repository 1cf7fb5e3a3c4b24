// `pnpm queue:retry-failed`: puts the OTLP ingest jobs that failed for good back in the queue,
// once what failed them is fixed (see docs/deployment.md, "Failed ingest jobs").
import { QueueName } from "@spanlens/core";
import { assertRedisReachable, closeQueues, retryFailedJobs } from "@spanlens/queue";

try {
  await assertRedisReachable();
  const name = QueueName.OtlpIngest;
  const retried = await retryFailedJobs(name, (stillFailed) => {
    console.error(`${name}: ${stillFailed} failed jobs still to move back…`);
  });
  console.log(
    retried === 0
      ? `${name}: no failed jobs`
      : `${name}: ${retried} failed jobs are back in the queue; running workers store them now`,
  );
  await closeQueues();
} catch (error) {
  console.error(`spanlens queue:retry-failed: ${(error as Error).message}`);
  process.exit(1);
}
