export { ProjectGeneralSettings } from "./components/project-general-settings";
export { ProjectOverview } from "./components/project-overview";
export { ProjectSwitcher } from "./components/project-switcher";
export { ProjectTabs } from "./components/project-tabs";
export { TopBar } from "./components/top-bar";
export { TracesEmptyState } from "./components/traces-empty-state";
export { type TProjectDto, ZProjectDto } from "./lib/project-dto";
