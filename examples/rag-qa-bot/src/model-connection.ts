import { wrapOpenAI } from "@spanlens/sdk/openai";
import OpenAI from "openai";
import { LOCAL_CHAT_MODEL, LOCAL_EMBEDDING_MODEL, startLocalModelServer } from "./local-model/server.js";

export interface TModelConnection {
  openai: OpenAI;
  chatModel: string;
  embeddingModel: string;
  /** True when answers come from the bundled deterministic model, not a real LLM. */
  isOffline: boolean;
  close(): Promise<void>;
}

const env = (name: string) => process.env[name] || undefined;

/**
 * A traced `openai` client: against `OPENAI_BASE_URL`/`OPENAI_API_KEY` when set, otherwise
 * against the bundled local model served on loopback, through the same client code.
 */
export async function connectModel(options: { isOfflineForced?: boolean } = {}): Promise<TModelConnection> {
  const apiKey = options.isOfflineForced ? undefined : env("OPENAI_API_KEY");
  if (apiKey) {
    const baseURL = env("OPENAI_BASE_URL");
    return {
      openai: wrapOpenAI(new OpenAI({ apiKey, ...(baseURL ? { baseURL } : {}) })),
      chatModel: env("OPENAI_CHAT_MODEL") ?? "gpt-4o-mini",
      embeddingModel: env("OPENAI_EMBEDDING_MODEL") ?? "text-embedding-3-small",
      isOffline: false,
      close: async () => {},
    };
  }
  const local = await startLocalModelServer();
  return {
    openai: wrapOpenAI(new OpenAI({ apiKey: "local-offline", baseURL: local.baseUrl, maxRetries: 0 }), {
      provider: "northwind-local",
    }),
    chatModel: LOCAL_CHAT_MODEL,
    embeddingModel: LOCAL_EMBEDDING_MODEL,
    isOffline: true,
    close: local.close,
  };
}

export const OFFLINE_NOTICE =
  "Offline mode: answers come from the bundled deterministic local model (hashing embeddings + extractive answers). Set OPENAI_API_KEY (and OPENAI_BASE_URL for other OpenAI-compatible endpoints) to use a real model.";
