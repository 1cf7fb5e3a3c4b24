import { childLogger } from "@spanlens/core";
import { createTransport } from "nodemailer";
import { getAuthEnv } from "../../auth/server/auth-env";

const log = childLogger("invites");

/** Absolute invite link; NEXTAUTH_URL is the public origin the app is served on. */
export function buildInviteUrl(token: string): string {
  const origin = process.env.NEXTAUTH_URL ?? "http://localhost:3000";
  return `${origin.replace(/\/+$/, "")}/invite/${token}`;
}

/**
 * Emails the invite link when SMTP_URL is configured; returns whether it was sent. A
 * failed send is logged and reported as not sent, so the admin shares the link instead.
 */
export async function sendInviteEmail(input: { to: string; orgName: string; inviteUrl: string }): Promise<boolean> {
  const { SMTP_URL, EMAIL_FROM } = getAuthEnv();
  if (!SMTP_URL) return false;
  try {
    await createTransport(SMTP_URL).sendMail({
      from: EMAIL_FROM,
      to: input.to,
      subject: `You are invited to ${input.orgName} on Spanlens`,
      text: `You have been invited to join ${input.orgName} on Spanlens.\n\nAccept the invite: ${input.inviteUrl}\n\nThe link expires in 7 days.`,
    });
    return true;
  } catch (error) {
    log.warn({ err: error }, "invite email could not be sent");
    return false;
  }
}
