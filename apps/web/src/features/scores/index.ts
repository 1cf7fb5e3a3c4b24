export { AnnotationPanel, type TAnnotationPanelProps } from "./components/annotation-panel";
export { EvalSettingsPanel } from "./components/eval-settings-panel";
export { ScoreConfigsPanel } from "./components/score-configs-panel";
