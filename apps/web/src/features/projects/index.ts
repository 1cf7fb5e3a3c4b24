export { ProjectOverview } from "./components/project-overview";
export { ProjectSwitcher } from "./components/project-switcher";
export { TopBar } from "./components/top-bar";
export { TracesEmptyState } from "./components/traces-empty-state";
export { type TProjectDto, ZProjectDto } from "./lib/project-dto";
