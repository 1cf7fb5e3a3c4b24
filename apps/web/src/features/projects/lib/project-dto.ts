import { z } from "zod";

export const ZProjectRole = z.enum(["OWNER", "ADMIN", "MEMBER", "VIEWER"]);

/** A project as the UI sees it, with the caller's role in its organization. */
export const ZProjectDto = z.object({
  id: z.string(),
  name: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  role: ZProjectRole,
});

export type TProjectDto = z.infer<typeof ZProjectDto>;
