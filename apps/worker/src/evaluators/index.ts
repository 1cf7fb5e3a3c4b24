export { evaluatorRunProcessor } from "./evaluator-run-processor.js";
export { isTraceSampled, matchEvaluatorFilter } from "./filter-and-sampling.js";
export { parseJudgeReply, renderJudgePrompt } from "./llm-judge.js";
export { createTraceEvaluationScheduler } from "./schedule-trace-evaluation.js";
export { EVALUATOR_RUN_ATTEMPTS, traceEvaluationProcessor } from "./trace-evaluation-processor.js";
