import { AppError } from "@spanlens/core";
import { getPrisma } from "./client.js";

export interface TSavedView {
  id: string;
  name: string;
  /** The explorer's query string, without the leading `?`. */
  query: string;
  createdById: string;
  createdAt: Date;
}

const SELECT = { id: true, name: true, query: true, createdById: true, createdAt: true } as const;

/** The project's saved views, by name. */
export async function listSavedViews(projectId: string): Promise<TSavedView[]> {
  return getPrisma().savedView.findMany({ where: { projectId }, select: SELECT, orderBy: { name: "asc" } });
}

/** Saves a named view; a name already used in the project is replaced (a view is its latest filters). */
export async function saveView(input: {
  projectId: string;
  actorId: string;
  name: string;
  query: string;
}): Promise<TSavedView> {
  return getPrisma().savedView.upsert({
    where: { projectId_name: { projectId: input.projectId, name: input.name } },
    create: { projectId: input.projectId, name: input.name, query: input.query, createdById: input.actorId },
    update: { query: input.query },
    select: SELECT,
  });
}

/** Deletes a view of this project; an id from another project is not found. */
export async function deleteSavedView(projectId: string, viewId: string): Promise<void> {
  const { count } = await getPrisma().savedView.deleteMany({ where: { id: viewId, projectId } });
  if (count === 0) throw new AppError("NOT_FOUND", `Saved view ${viewId} not found in this project`);
}
