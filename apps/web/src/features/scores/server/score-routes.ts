import { deleteScore, getClickHouse, listScores } from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import { withPublicApi } from "../../../server/public-api/with-public-api";
import {
  ZCreateScoreRequest,
  ZCreateScoreResponse,
  ZCreateScoresBatchRequest,
  ZCreateScoresBatchResponse,
  ZDeleteScoreResponse,
  ZListScoresQuery,
  ZListScoresResponse,
  ZScoreParams,
} from "./score-schemas";
import { createScores } from "./score-service";

export const createScoreRoute = withPublicApi(
  {
    method: "POST",
    path: "/scores",
    summary: "Create a score (feedback, annotation or evaluator result) on a trace, span or session",
    tags: ["scores"],
    request: { body: ZCreateScoreRequest },
    response: ZCreateScoreResponse,
    successStatus: 201,
  },
  async ({ projectId, body }) => {
    const [id] = await createScores(projectId, [body]);
    return { id: id as string };
  },
);

export const createScoresBatchRoute = withPublicApi(
  {
    method: "POST",
    path: "/scores/batch",
    summary: "Create up to 1,000 scores at once; all are validated before any is stored",
    tags: ["scores"],
    request: { body: ZCreateScoresBatchRequest },
    response: ZCreateScoresBatchResponse,
    successStatus: 201,
  },
  async ({ projectId, body }) => ({ ids: await createScores(projectId, body.scores, { isBatch: true }) }),
);

export const listScoresRoute = withPublicApi(
  {
    method: "GET",
    path: "/scores",
    summary: "List scores, newest first, filtered by target, name, source and time",
    tags: ["scores"],
    request: { query: ZListScoresQuery },
    response: ZListScoresResponse,
  },
  async ({ projectId, query }) =>
    listScores(getClickHouse(), {
      ...query,
      projectId,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    }),
);

export const deleteScoreRoute = withPublicApi(
  {
    method: "DELETE",
    path: "/scores/{scoreId}",
    summary: "Delete a score",
    tags: ["scores"],
    request: { params: ZScoreParams },
    response: ZDeleteScoreResponse,
  },
  async ({ projectId, params }) => {
    const deleted = await deleteScore(getClickHouse(), projectId, params.scoreId);
    if (!deleted) throw new AppError("NOT_FOUND", `Score ${params.scoreId} not found in this project`);
    return { id: params.scoreId, deleted: true as const };
  },
);
