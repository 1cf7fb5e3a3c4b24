import { getRedis, readIngestProblems } from "@spanlens/queue";
import type { z } from "zod";
import type { ZIngestProblems } from "./usage-schemas";

/** The project's recorded ingest problems, as the API and the settings page show them. */
export async function listIngestProblems(projectId: string): Promise<z.input<typeof ZIngestProblems>> {
  const problems = await readIngestProblems(getRedis(), projectId);
  return {
    data: problems.map((problem) => ({
      ...problem,
      at: new Date(problem.at).toISOString(),
      firstAt: new Date(problem.firstAt).toISOString(),
    })),
  };
}
