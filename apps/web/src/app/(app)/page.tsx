import { redirect } from "next/navigation";
import { CreateOrgForm } from "../../features/orgs";
import { getSessionUser, SIGN_IN_PATH } from "../../server/auth";
import { getServerCaller } from "../../server/trpc/server-caller";

export default async function HomePage() {
  // Layouts and pages render concurrently: the layout's redirect does not stop this page
  // from running, so it checks the session itself instead of failing in the caller.
  if (!(await getSessionUser())) redirect(SIGN_IN_PATH);
  const caller = await getServerCaller();
  const [projects, orgs] = await Promise.all([caller.project.list(), caller.org.list()]);
  const firstProject = projects[0];
  if (firstProject) redirect(`/project/${firstProject.id}`);
  const firstOrg = orgs[0];
  if (firstOrg) redirect(`/orgs/${firstOrg.id}`);
  return (
    <div
      data-testid="no-projects"
      className="flex flex-col items-center gap-6 rounded-xl border border-dashed border-neutral-300 bg-white px-6 py-16 text-center"
    >
      <div className="flex flex-col gap-2">
        <h1 className="text-lg font-semibold">Welcome to Spanlens</h1>
        <p className="text-sm text-neutral-600">
          Create an organization for your team, then a project and an API key. Joining a team instead? Open the invite
          link you were sent.
        </p>
      </div>
      <CreateOrgForm />
    </div>
  );
}
