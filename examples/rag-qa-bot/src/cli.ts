import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createKpiClient, createScoresClient, init, type TSpanlensHandle } from "@spanlens/sdk";
import { z } from "zod";
import { LOW_CONFIDENCE, RagBot } from "./bot.js";
import { runDemo } from "./demo.js";
import { connectModel, OFFLINE_NOTICE } from "./model-connection.js";

const ZDemoCredentials = z.object({ baseUrl: z.string(), publicKey: z.string(), secretKey: z.string() });
const usage = 'usage: rag-qa-bot "your question"   |   rag-qa-bot --demo';

/** SPANLENS_* env vars, else the demo project a local `npm start` wrote to `.data/demo-credentials.json`. */
function resolveSpanlens(): { baseUrl: string; publicKey?: string; secretKey: string } | null {
  if (process.env.SPANLENS_SECRET_KEY) return null;
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../.data/demo-credentials.json");
  if (!existsSync(file)) return null;
  return ZDemoCredentials.parse(JSON.parse(readFileSync(file, "utf8")));
}

function startTracing(): { handle: TSpanlensHandle | null; target: string } {
  const fromFile = resolveSpanlens();
  if (!fromFile && !process.env.SPANLENS_SECRET_KEY) return { handle: null, target: "" };
  const handle = init({
    ...(fromFile ?? {}),
    serviceName: "rag-qa-bot",
    environment: process.env.SPANLENS_ENVIRONMENT ?? "local",
  });
  return { handle, target: fromFile?.baseUrl ?? process.env.SPANLENS_BASE_URL ?? "" };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  const isDemo = args[0] === "--demo";
  const question = args.join(" ").trim();
  if (!isDemo && !question) {
    console.error(usage);
    process.exit(2);
  }
  const tracing = startTracing();
  const model = await connectModel();
  if (model.isOffline) console.log(`(${OFFLINE_NOTICE})\n`);
  if (!tracing.handle)
    console.log(
      "(Not tracing: set SPANLENS_BASE_URL and SPANLENS_SECRET_KEY, or run `npm start` at the repository root first.)\n",
    );
  // The clients reuse the connection init() resolved.
  const scores = tracing.handle ? createScoresClient() : undefined;
  const kpis = tracing.handle ? createKpiClient() : undefined;
  const onWarning = (message: string) => console.warn(`warning: ${message}`);
  const bot = new RagBot({ ...model, ...(scores ? { scores } : {}), onWarning });
  try {
    await bot.index();
    const answers = isDemo
      ? await runDemo(bot, { ...(scores ? { scores } : {}), ...(kpis ? { kpis } : {}), onWarning })
      : [await bot.ask(question, { userId: process.env.USER ?? "cli-user", sessionId: `cli-${Date.now()}` })];
    for (const answer of answers) {
      console.log(`Q: ${answer.question}`);
      console.log(`A: ${answer.answer}`);
      const confidence = `${answer.confidence.toFixed(2)}${answer.confidence < LOW_CONFIDENCE ? " (low)" : ""}`;
      console.log(
        `   confidence ${confidence} · ${answer.route.domain}/${answer.route.intent} · sources: ${
          answer.documents
            .slice(0, 2)
            .map((document) => document.chunk.id)
            .join(", ") || "none"
        }`,
      );
      if (tracing.handle) console.log(`   trace ${answer.traceId}${tracing.target ? ` at ${tracing.target}` : ""}`);
      console.log("");
    }
  } finally {
    await tracing.handle
      ?.shutdown()
      .catch((error: unknown) =>
        console.warn(
          `warning: could not send traces to ${tracing.target}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    await model.close();
  }
}

main().catch((error: unknown) => {
  console.error(`rag-qa-bot: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
