import type { TKpiClient, TScoresClient } from "@spanlens/sdk";
import type { RagBot, TAnswer } from "./bot.js";

export type TScenarioOutcome = "good" | "outdated_chunk" | "irrelevant_retrieval" | "slow_step" | "exception";

export interface TDemoScenario {
  question: string;
  userId: string;
  sessionId: string;
  outcome: TScenarioOutcome;
  rerankDelayMs?: number;
  feedback?: { isPositive: boolean; comment?: string };
  kpi?: { name: string; value: number };
}

/** Questions that show a healthy answer next to the common RAG failures. */
export const DEMO_SCENARIOS: readonly TDemoScenario[] = [
  {
    question: "How many vacation days do full-time employees get per year?",
    userId: "alice",
    sessionId: "session-alice-1",
    outcome: "good",
    feedback: { isPositive: true },
    kpi: { name: "question_resolved", value: 1 },
  },
  {
    question: "How do I connect to the VPN from home?",
    userId: "bob",
    sessionId: "session-bob-1",
    outcome: "good",
    feedback: { isPositive: true },
    kpi: { name: "question_resolved", value: 1 },
  },
  {
    // The 2021 policy's wording matches the question best, so the outdated chunk wins.
    question: "How many days a week can I work from home?",
    userId: "carol",
    sessionId: "session-carol-1",
    outcome: "outdated_chunk",
    feedback: { isPositive: false, comment: "Outdated: the 2024 policy allows 3 remote days." },
    kpi: { name: "ticket_escalated", value: 1 },
  },
  {
    // Nothing in the policies covers this: the retriever returns whatever is least unrelated.
    question: "What is on the cafeteria menu on Friday?",
    userId: "dave",
    sessionId: "session-dave-1",
    outcome: "irrelevant_retrieval",
    feedback: { isPositive: false, comment: "That is not what I asked." },
  },
  {
    question: "How do I report a phishing email?",
    userId: "erin",
    sessionId: "session-erin-1",
    outcome: "slow_step",
    rerankDelayMs: 1500,
  },
  {
    // frank has no HR record: the leave-balance tool throws.
    question: "How many vacation days do I have left this year?",
    userId: "frank",
    sessionId: "session-frank-1",
    outcome: "exception",
  },
  {
    question: "How long must a password be?",
    userId: "alice",
    sessionId: "session-alice-2",
    outcome: "good",
    kpi: { name: "question_resolved", value: 1 },
  },
];

export interface TDemoResult extends TAnswer {
  scenario: TDemoScenario;
}

export interface TDemoClients {
  scores?: TScoresClient;
  kpis?: TKpiClient;
  /** Told once per kind of failure to record feedback or KPIs; the run goes on. */
  onWarning?: (message: string) => void;
}

/** Asks every scenario's question, then records the scripted feedback and KPI events. */
export async function runDemo(
  bot: RagBot,
  clients: TDemoClients = {},
  scenarios = DEMO_SCENARIOS,
): Promise<TDemoResult[]> {
  const warned = new Set<string>();
  const warn = (kind: string, error: unknown) => {
    if (warned.has(kind)) return;
    warned.add(kind);
    clients.onWarning?.(`could not record ${kind}: ${error instanceof Error ? error.message : String(error)}`);
  };
  const results: TDemoResult[] = [];
  for (const scenario of scenarios) {
    const answer = await bot.ask(scenario.question, {
      userId: scenario.userId,
      sessionId: scenario.sessionId,
      ...(scenario.rerankDelayMs ? { rerankDelayMs: scenario.rerankDelayMs } : {}),
    });
    results.push({ ...answer, scenario });
    if (scenario.feedback && clients.scores && answer.traceId) {
      await clients.scores
        .thumbs({ traceId: answer.traceId, ...scenario.feedback })
        .catch((error: unknown) => warn("feedback", error));
    }
    if (scenario.kpi && clients.kpis && answer.traceId) {
      await clients.kpis
        .record({ ...scenario.kpi, traceId: answer.traceId, userId: scenario.userId, sessionId: scenario.sessionId })
        .catch((error: unknown) => warn("KPI events", error));
    }
  }
  return results;
}
