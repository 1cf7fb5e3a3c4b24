import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { closePrisma, getPrisma } from "@spanlens/db";
import { closeRedis } from "@spanlens/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../../server/trpc/root-router";

/**
 * A local SMTP server speaking the real protocol (RFC 5321) just far enough to accept one
 * message, so invites go through nodemailer's real client code path. Hand-written because
 * the only mail server here would be an external one.
 */
function startSmtpServer(): Promise<{ server: Server; port: number; messages: { to: string[]; data: string }[] }> {
  const messages: { to: string[]; data: string }[] = [];
  const server = createServer((socket) => {
    let buffer = "";
    let isReadingData = false;
    let recipients: string[] = [];
    socket.write("220 localhost ESMTP test\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (isReadingData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          messages.push({ to: recipients, data: buffer.slice(0, end) });
          buffer = buffer.slice(end + 5);
          isReadingData = false;
          recipients = [];
          socket.write("250 2.0.0 queued\r\n");
          continue;
        }
        const lineEnd = buffer.indexOf("\r\n");
        if (lineEnd < 0) return;
        const line = buffer.slice(0, lineEnd);
        buffer = buffer.slice(lineEnd + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250-localhost\r\n250 8BITMIME\r\n");
        else if (verb === "MAIL") socket.write("250 2.1.0 ok\r\n");
        else if (verb === "RCPT") {
          recipients.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, "$1"));
          socket.write("250 2.1.5 ok\r\n");
        } else if (verb === "DATA") {
          isReadingData = true;
          socket.write("354 end with <CRLF>.<CRLF>\r\n");
        } else if (verb === "QUIT") {
          socket.end("221 2.0.0 bye\r\n");
          return;
        } else socket.write("250 ok\r\n");
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address ? address.port : 0, messages });
    });
  });
}

const suffix = randomUUID();
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
  process.env.EMAIL_FROM = "Spanlens <invites@spanlens.test>";
  process.env.NEXTAUTH_URL = "https://spanlens.example.com";
});

afterAll(async () => {
  await getPrisma().organization.deleteMany({ where: { name: { endsWith: suffix } } });
  await getPrisma().user.deleteMany({ where: { email: { endsWith: `${suffix}@example.test` } } });
  await new Promise((resolve) => smtp.server.close(resolve));
  await closeRedis();
  await closePrisma();
});

describe("invite email", () => {
  it("sends the invite link through SMTP when SMTP_URL is set", async () => {
    const owner = await getPrisma().user.create({ data: { email: `owner-${suffix}@example.test` } });
    const caller = createCaller({ user: { id: owner.id, email: owner.email, name: null }, clientIp: "smtp-test" });
    const org = await caller.org.create({ name: `Mailers ${suffix}` });
    const invitee = `invitee-${suffix}@example.test`;

    const result = await caller.org.invite({ orgId: org.id, email: invitee, role: "MEMBER" });

    expect(result.isEmailed).toBe(true);
    expect(result.inviteUrl).toMatch(/^https:\/\/spanlens\.example\.com\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(smtp.messages).toHaveLength(1);
    const [message] = smtp.messages;
    expect(message?.to).toEqual([invitee]);
    // Long headers are folded onto continuation lines and the body is quoted-printable.
    const unfolded = (message?.data ?? "").replace(/\r\n[ \t]+/g, " ");
    expect(unfolded).toContain(`Subject: You are invited to Mailers ${suffix} on Spanlens`);
    expect(unfolded).toContain("From: Spanlens <invites@spanlens.test>");
    expect((message?.data ?? "").replace(/=\r\n/g, "")).toContain(result.inviteUrl);
  });
});
