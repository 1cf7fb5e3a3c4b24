export {
  EmployeeRecordNotFoundError,
  LOW_CONFIDENCE,
  RagBot,
  type TAnswer,
  type TAskOptions,
  type TRagBotOptions,
} from "./bot.js";
export { chunkDocument, type TChunk } from "./chunking.js";
export { DEMO_SCENARIOS, runDemo, type TDemoResult, type TDemoScenario, type TScenarioOutcome } from "./demo.js";
export { answerFromPrompt, NOT_FOUND_ANSWER } from "./local-model/answerer.js";
export { LOCAL_CHAT_MODEL, LOCAL_EMBEDDING_MODEL, startLocalModelServer } from "./local-model/server.js";
export { connectModel, OFFLINE_NOTICE, type TModelConnection } from "./model-connection.js";
export { POLICY_DOCUMENTS } from "./policies.js";
export { ANSWER_PROMPT } from "./prompt.js";
export { seedDemoTraces, type TSeedOptions } from "./seed.js";
