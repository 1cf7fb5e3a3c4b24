export { AcceptInvite } from "./components/accept-invite";
export { CreateOrgForm } from "./components/create-org-form";
export { OrgMembers } from "./components/org-members";
export { OrgProjects } from "./components/org-projects";
export { OrgSwitcher } from "./components/org-switcher";
export { OrgTabs } from "./components/org-tabs";
export { isOrgAdmin, type TOrgDto, type TRole, ZOrgDto } from "./lib/org-dto";
