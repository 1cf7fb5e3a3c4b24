import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { getServerCaller } from "../../../server/trpc/server-caller";
import type { TProjectDto } from "../lib/project-dto";

/** The project through the same procedure the browser uses; 404 page when the user cannot see it. */
export async function findProjectOrNotFound(projectId: string): Promise<TProjectDto> {
  const caller = await getServerCaller();
  try {
    return await caller.project.byId({ projectId });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  }
}
