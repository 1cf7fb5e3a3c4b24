import { changePassword, getUserSummary, signUpUser, ZSignUpInput } from "@spanlens/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../../../server/trpc/init";
import { consumeRateLimit } from "./rate-limit";

const ZUserDto = z.object({ id: z.string(), email: z.string(), name: z.string().nullable() });

export const accountRouter = createTRPCRouter({
  /** Creates an account; the client then signs in through NextAuth with the same credentials. */
  signUp: publicProcedure
    .input(ZSignUpInput)
    .output(ZUserDto)
    .mutation(async ({ ctx, input }) => {
      await consumeRateLimit("signUpPerIp", ctx.clientIp);
      return signUpUser(input);
    }),

  me: protectedProcedure.output(ZUserDto).query(async ({ ctx }) => {
    const user = await getUserSummary(ctx.user.id);
    if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
    return user;
  }),

  /** Signs out every other session; the caller signs in again with the new password. */
  changePassword: protectedProcedure
    .input(z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await consumeRateLimit("passwordChangePerUser", ctx.user.id);
      await changePassword(ctx.user.id, input.currentPassword, input.newPassword);
      return { ok: true as const };
    }),
});
