import { listAuditEvents } from "@spanlens/db";
import { z } from "zod";
import { createTRPCRouter, orgAdminProcedure } from "../../../server/trpc/init";

const ZAuditEventDto = z.object({
  id: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.date(),
  actor: z.object({ id: z.string(), email: z.string() }).nullable(),
});
export type TAuditEventDto = z.infer<typeof ZAuditEventDto>;

export const auditRouter = createTRPCRouter({
  /** The organization's audit log, newest first; owners and admins only. */
  list: orgAdminProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50), cursor: z.string().min(1).optional() }))
    .output(z.object({ events: z.array(ZAuditEventDto), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listAuditEvents(ctx.org.id, { limit: input.limit, cursor: input.cursor })),
});
