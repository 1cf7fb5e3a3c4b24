import { afterAll, describe, expect, it } from "vitest";
import { authenticateApiKey } from "./api-keys.js";
import { closePrisma, getPrisma } from "./client.js";
import { DEMO_EMAIL, DEMO_LOW_CONFIDENCE_THRESHOLD, seedDemoAccount } from "./demo.js";
import { getLowConfidenceRules } from "./eval-settings.js";
import { verifyUserCredentials } from "./users.js";

afterAll(async () => {
  const prisma = getPrisma();
  const user = await prisma.user.findUnique({ where: { email: DEMO_EMAIL }, include: { memberships: true } });
  if (user) {
    await prisma.organization.deleteMany({ where: { id: { in: user.memberships.map((m) => m.orgId) } } });
    await prisma.user.delete({ where: { id: user.id } });
  }
  await closePrisma();
});

describe("seedDemoAccount", () => {
  it("creates a working login, key and a low-confidence rule once, and nothing on a second call", async () => {
    const seeded = await seedDemoAccount("demo-password-1");
    expect(seeded).not.toBeNull();
    if (!seeded) return;
    expect(await verifyUserCredentials(DEMO_EMAIL, "demo-password-1")).toMatchObject({ email: DEMO_EMAIL });
    expect(await authenticateApiKey(`Bearer ${seeded.secretKey}`)).toMatchObject({ projectId: seeded.projectId });
    expect(await getLowConfidenceRules(seeded.projectId)).toEqual([
      { scoreName: "confidence", operator: "lt", threshold: DEMO_LOW_CONFIDENCE_THRESHOLD },
    ]);

    expect(await seedDemoAccount("another-password")).toBeNull();
  });
});
