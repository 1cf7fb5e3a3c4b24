import { whoamiRoute } from "../../features/api-keys/server/whoami-route";
import { createKpiRoute, createKpisBatchRoute, listKpisRoute } from "../../features/kpis/server";
import {
  createScoreRoute,
  createScoresBatchRoute,
  deleteScoreRoute,
  listScoresRoute,
} from "../../features/scores/server";
import { getSpanRoute, getTraceRoute, getTraceTreeRoute, listTracesRoute } from "../../features/traces/server";
import { getUsageRoute, listIngestProblemsRoute } from "../../features/usage/server";
import type { TPublicApiRoute } from "./with-public-api";

/**
 * Every public endpoint, listed explicitly: the OpenAPI document must be complete even
 * when its own route module is the only one loaded, so nothing registers by side effect.
 */
export const publicApiRoutes: readonly TPublicApiRoute[] = [
  whoamiRoute,
  listTracesRoute,
  getTraceRoute,
  getTraceTreeRoute,
  getSpanRoute,
  createScoreRoute,
  createScoresBatchRoute,
  listScoresRoute,
  deleteScoreRoute,
  createKpiRoute,
  createKpisBatchRoute,
  listKpisRoute,
  getUsageRoute,
  listIngestProblemsRoute,
];
