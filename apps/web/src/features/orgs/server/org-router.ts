import {
  acceptInvite,
  createInvite,
  createOrganization,
  getInviteDetails,
  listMembers,
  listOrganizationsForUser,
  listPendingInvites,
  removeMember,
  revokeInvite,
  updateMemberRole,
  ZEmail,
} from "@spanlens/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createTRPCRouter, orgAdminProcedure, orgProcedure, protectedProcedure } from "../../../server/trpc/init";
import { ZInviteDto, ZMemberDto, ZOrgDto, ZOrgName, ZRole } from "../lib/org-dto";
import { buildInviteUrl, sendInviteEmail } from "./send-invite-email";

const ZInviteToken = z.string().min(20).max(100);

export const orgRouter = createTRPCRouter({
  list: protectedProcedure.output(z.array(ZOrgDto)).query(({ ctx }) => listOrganizationsForUser(ctx.user.id)),

  create: protectedProcedure
    .input(z.object({ name: ZOrgName }))
    .output(ZOrgDto)
    .mutation(({ ctx, input }) => createOrganization(ctx.user.id, input.name)),

  byId: orgProcedure.output(ZOrgDto).query(({ ctx }) => ctx.org),

  members: orgProcedure.output(z.array(ZMemberDto)).query(({ ctx }) => listMembers(ctx.org.id)),

  updateMemberRole: orgAdminProcedure
    .input(z.object({ userId: z.string().min(1), role: ZRole }))
    .output(ZMemberDto)
    .mutation(({ ctx, input }) =>
      updateMemberRole({
        orgId: ctx.org.id,
        actorId: ctx.user.id,
        actorRole: ctx.org.role,
        userId: input.userId,
        role: input.role,
      }),
    ),

  removeMember: orgAdminProcedure
    .input(z.object({ userId: z.string().min(1) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeMember({ orgId: ctx.org.id, actorId: ctx.user.id, actorRole: ctx.org.role, userId: input.userId });
      return { ok: true as const };
    }),

  invites: orgAdminProcedure.output(z.array(ZInviteDto)).query(({ ctx }) => listPendingInvites(ctx.org.id)),

  /** Creates an invite; the link is returned for the UI to show, and emailed when SMTP is set. */
  invite: orgAdminProcedure
    .input(z.object({ email: ZEmail, role: ZRole }))
    .output(z.object({ invite: ZInviteDto, inviteUrl: z.string(), isEmailed: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const { token, ...invite } = await createInvite({
        orgId: ctx.org.id,
        actorId: ctx.user.id,
        actorRole: ctx.org.role,
        email: input.email,
        role: input.role,
      });
      const inviteUrl = buildInviteUrl(token);
      const isEmailed = await sendInviteEmail({ to: invite.email, orgName: ctx.org.name, inviteUrl });
      return { invite, inviteUrl, isEmailed };
    }),

  revokeInvite: orgAdminProcedure
    .input(z.object({ inviteId: z.string().min(1) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeInvite({ orgId: ctx.org.id, actorId: ctx.user.id, inviteId: input.inviteId });
      return { ok: true as const };
    }),

  /** What an invite link offers, for the signed-in user about to accept it. */
  inviteDetails: protectedProcedure
    .input(z.object({ token: ZInviteToken }))
    .output(z.object({ orgId: z.string(), orgName: z.string(), email: z.string(), role: ZRole }))
    .query(({ input }) => getInviteDetails(input.token)),

  acceptInvite: protectedProcedure
    .input(z.object({ token: ZInviteToken }))
    .output(z.object({ orgId: z.string() }))
    .mutation(({ ctx, input }) => {
      if (!ctx.user.email) throw new TRPCError({ code: "FORBIDDEN", message: "Your account has no email address" });
      return acceptInvite(input.token, { id: ctx.user.id, email: ctx.user.email });
    }),
});
