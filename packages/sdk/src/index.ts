export { ATTR, type TStepKind } from "./attributes.js";
export {
  BaggageSpanProcessor,
  contextWithRequest,
  getRequestContext,
  type TBaggageSpanProcessorOptions,
  type TRequestContext,
  withRequestContext,
} from "./baggage.js";
export { authorizationHeader, type TSpanlensConnection } from "./config.js";
export { SpanlensApiError, type TClientOptions } from "./http.js";
export { getCurrentSpanId, getCurrentTraceId } from "./ids.js";
export {
  createSpanlensExporter,
  createSpanlensSpanProcessors,
  flush,
  init,
  shutdown,
  type TInitOptions,
  type TSpanlensHandle,
} from "./init.js";
export { createKpiClient, type TKpiClient, type TKpiEventInput } from "./kpis.js";
export type { TChatMessage, TGenAiMessage, TGenAiPart } from "./messages.js";
export {
  createScoresClient,
  currentScoreTarget,
  type TScoreInput,
  type TScoresClient,
  type TScoreTarget,
  type TScoreValue,
  type TThumbsInput,
} from "./scores.js";
export { currentStep, observe, step, type TStepOptions } from "./step.js";
export {
  StepSpan,
  type TDocument,
  type TGenerationInput,
  type TModelParameters,
  type TPromptInput,
  type TRerankInput,
  type TRetrievalInput,
  type TToolCallInput,
  type TUsageInput,
} from "./step-span.js";
