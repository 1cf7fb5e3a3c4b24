import { z } from "zod";

export const ZRole = z.enum(["OWNER", "ADMIN", "MEMBER", "VIEWER"]);
export type TRole = z.infer<typeof ZRole>;

export const ZOrgDto = z.object({ id: z.string(), name: z.string(), role: ZRole, projectCount: z.number() });
export type TOrgDto = z.infer<typeof ZOrgDto>;

export const ZMemberDto = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: ZRole,
  joinedAt: z.date(),
});
export type TMemberDto = z.infer<typeof ZMemberDto>;

export const ZInviteDto = z.object({
  id: z.string(),
  email: z.string(),
  role: ZRole,
  createdAt: z.date(),
  expiresAt: z.date(),
});
export type TInviteDto = z.infer<typeof ZInviteDto>;

export const ZOrgName = z.string().trim().min(1, "is required").max(100, "must be at most 100 characters");

/** Who may do what, for the UI; the server enforces the same rules in its procedure types. */
export function isOrgAdmin(role: TRole): boolean {
  return role === "OWNER" || role === "ADMIN";
}
