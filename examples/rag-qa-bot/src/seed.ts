import { createKpiClient, createScoresClient, init } from "@spanlens/sdk";
import { RagBot } from "./bot.js";
import { runDemo, type TDemoResult } from "./demo.js";
import { connectModel } from "./model-connection.js";

export interface TSeedOptions {
  baseUrl: string;
  publicKey?: string;
  secretKey: string;
  onWarning?: (message: string) => void;
}

/**
 * Runs the scripted demo through the real SDK and OTLP path into a Spanlens server and
 * flushes before returning. Uses its own tracer provider (not the global one), so a host
 * process's own instrumentation is left alone.
 */
export async function seedDemoTraces(options: TSeedOptions): Promise<TDemoResult[]> {
  const connection = {
    baseUrl: options.baseUrl,
    secretKey: options.secretKey,
    ...(options.publicKey ? { publicKey: options.publicKey } : {}),
  };
  const spanlens = init({
    ...connection,
    serviceName: "rag-qa-bot",
    environment: "demo",
    release: "demo-seed",
    registerGlobal: false,
    flushOnExit: false,
    scheduledDelayMillis: 200,
  });
  // Always the bundled model: a first start must not spend tokens on a real endpoint.
  const model = await connectModel({ isOfflineForced: true });
  const warned = new Set<string>();
  const onWarning = (message: string) => {
    const kind = message.split(":")[0] ?? message;
    if (warned.has(kind)) return;
    warned.add(kind);
    options.onWarning?.(message);
  };
  try {
    const scores = createScoresClient({ ...connection, maxAttempts: 1 });
    const kpis = createKpiClient({ ...connection, maxAttempts: 1 });
    const bot = new RagBot({ ...model, scores, onWarning });
    await bot.index();
    return await runDemo(bot, { scores, kpis, onWarning });
  } finally {
    await spanlens.shutdown();
    await model.close();
  }
}
