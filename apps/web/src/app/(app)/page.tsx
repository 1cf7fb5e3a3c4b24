import { redirect } from "next/navigation";
import { getSessionUser, SIGN_IN_PATH } from "../../server/auth";
import { getServerCaller } from "../../server/trpc/server-caller";

export default async function HomePage() {
  // Layouts and pages render concurrently: the layout's redirect does not stop this page
  // from running, so it checks the session itself instead of failing in the caller.
  if (!(await getSessionUser())) redirect(SIGN_IN_PATH);
  const caller = await getServerCaller();
  const projects = await caller.project.list();
  const firstProject = projects[0];
  if (firstProject) redirect(`/project/${firstProject.id}`);
  return (
    <div
      data-testid="no-projects"
      className="flex flex-col items-center gap-2 rounded-xl border border-dashed border-neutral-300 bg-white px-6 py-16 text-center"
    >
      <h1 className="text-lg font-semibold">No projects yet</h1>
      <p className="text-sm text-neutral-600">Ask an organization owner to add you to a project.</p>
    </div>
  );
}
