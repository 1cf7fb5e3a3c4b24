/**
 * The tabs of a project, in display order. Each feature adds its own entry here; the
 * project layout renders them as links to `/project/<projectId>/<segment>`.
 * `segment: ""` is the project's landing page.
 */
export interface TProjectNavItem {
  label: string;
  segment: string;
}

export const PROJECT_NAV_ITEMS: readonly TProjectNavItem[] = [
  { label: "Overview", segment: "" },
  { label: "Traces", segment: "traces" },
  { label: "Sessions", segment: "sessions" },
  { label: "Users", segment: "users" },
  { label: "Annotation", segment: "annotation" },
  { label: "Evaluators", segment: "evaluators" },
  { label: "Scores", segment: "scores" },
  { label: "Settings", segment: "settings" },
];
