import { findTraceIdOfSpan, getClickHouse, insertScores, newScoreId, type TScoreInsert } from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import { checkScoreValue, findScoreConfigsFor, getProjectEvalSettings } from "@spanlens/db";
import type { TCreateScoreRequest } from "./score-schemas";

/** Metadata values are stored as strings; structured values keep their JSON. */
function toStringMap(metadata: Record<string, unknown> | undefined): Record<string, string> {
  const entries = Object.entries(metadata ?? {}).map(([key, value]) => [
    key,
    typeof value === "string" ? value : JSON.stringify(value),
  ]);
  return Object.fromEntries(entries);
}

/**
 * Validates scores against the project's score configs and stores them. Every error
 * names its field (prefixed `scores.N.` in a batch) so a client can fix its request.
 * Returns the ids in request order.
 */
export async function createScores(
  projectId: string,
  requests: readonly TCreateScoreRequest[],
  options: { author?: string | null; isBatch?: boolean } = {},
): Promise<string[]> {
  const [settings, configs] = await Promise.all([
    getProjectEvalSettings(projectId),
    findScoreConfigsFor(projectId, requests),
  ]);
  const now = Date.now();
  const spanTraces = await resolveSpanTraces(projectId, requests, options.isBatch ?? false);
  const scores = requests.map((request, index): TScoreInsert => {
    const fieldPrefix = options.isBatch ? `scores.${index}.` : "";
    const config = request.configId
      ? (configs.byId.get(request.configId) ?? null)
      : (configs.byName.get(request.name) ?? null);
    if (config?.isArchived && request.source === "annotation") {
      throw new AppError("BAD_REQUEST", `${fieldPrefix}name: score config "${config.name}" is archived`);
    }
    const checked = checkScoreValue(request, config, {
      requireConfig: settings.requireScoreConfig || request.source === "annotation",
      fieldPrefix,
    });
    return {
      id: request.id ?? newScoreId(),
      traceId: request.traceId ?? spanTraces.get(index) ?? null,
      spanId: request.spanId ?? null,
      sessionId: request.sessionId ?? null,
      name: request.name,
      value: checked.value,
      stringValue: checked.stringValue,
      dataType: checked.dataType,
      label: request.label ?? null,
      comment: request.comment ?? null,
      source: request.source,
      author: options.author ?? null,
      evaluatorVersion: null,
      evaluatorId: null,
      judgeTraceId: null,
      configId: checked.configId,
      metadata: toStringMap(request.metadata),
      timestampMs: request.timestamp ? Date.parse(request.timestamp) : now,
    };
  });
  await insertScores(getClickHouse(), projectId, scores);
  return scores.map((score) => score.id);
}

/** Scores sent with a span id only are stored under the span's trace, so they show on it. */
async function resolveSpanTraces(
  projectId: string,
  requests: readonly TCreateScoreRequest[],
  isBatch: boolean,
): Promise<Map<number, string>> {
  const traces = new Map<number, string>();
  for (const [index, request] of requests.entries()) {
    if (!request.spanId || request.traceId) continue;
    const traceId = await findTraceIdOfSpan(getClickHouse(), projectId, request.spanId);
    if (!traceId) {
      throw new AppError(
        "BAD_REQUEST",
        `${isBatch ? `scores.${index}.` : ""}spanId: span ${request.spanId} is not stored (yet); send its traceId too`,
      );
    }
    traces.set(index, traceId);
  }
  return traces;
}
