export { EvaluatorsPanel } from "./components/evaluators-panel";
export { LlmConnectionsPanel } from "./components/llm-connections-panel";
