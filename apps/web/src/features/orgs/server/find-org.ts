import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { getServerCaller } from "../../../server/trpc/server-caller";
import type { TOrgDto } from "../lib/org-dto";

/** The organization through the same procedure the browser uses; 404 page when the user is no member. */
export async function findOrgOrNotFound(orgId: string): Promise<TOrgDto> {
  const caller = await getServerCaller();
  try {
    return await caller.org.byId({ orgId });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  }
}
