import { expect, test } from "@playwright/test";
import { readDemoCredentials } from "./demo-credentials.js";

test("health reports every dependency ok", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.status).toBe("ok");
  for (const dependency of ["postgres", "redis", "clickhouse"]) {
    expect(body.checks[dependency].status).toBe("ok");
  }
});

test("a visitor is sent to sign in, and the demo login opens the demo project with its sample traces", async ({
  page,
  request,
}, testInfo) => {
  const demo = readDemoCredentials();
  // The first run answers the demo questions with the bundled RAG bot through the SDK and
  // OTLP (seven questions plus the indexing run); wait until the pipeline has stored them.
  await expect
    .poll(
      async () => {
        // Other specs send their own traces with the demo key; the seed's carry environment "demo".
        const response = await request.get("/api/public/v1/traces?environment=demo", {
          headers: { Authorization: `Bearer ${demo.secretKey}` },
        });
        return ((await response.json()) as { data: unknown[] }).data.length;
      },
      { timeout: 30_000 },
    )
    .toBe(8);

  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);

  await page.getByTestId("sign-in-email").fill(demo.email);
  await page.getByTestId("sign-in-password").fill("not-the-password");
  await page.getByTestId("sign-in-submit").click();
  await expect(page.getByText("Invalid email or password")).toBeVisible();

  await page.getByTestId("sign-in-password").fill(demo.password);
  await page.getByTestId("sign-in-submit").click();
  await expect(page).toHaveURL(new RegExp(`/project/${demo.projectId}`));
  await expect(page.getByTestId("project-name")).toHaveText("RAG Q&A bot");
  await page.goto(`/project/${demo.projectId}/traces?environment=demo`);
  await expect(page.getByTestId("trace-row")).toHaveCount(8);
  // Vacation days, the outdated work-from-home answer and the failing leave-balance lookup.
  await expect(page.getByTestId("trace-row").filter({ hasText: "domain:hr" })).toHaveCount(3);
  await expect(page.getByTestId("trace-row").filter({ hasText: "error" })).toHaveCount(1);

  // The demo project defines low confidence as `confidence < 0.5`: the toggle must show
  // exactly the traces the explicit score filter finds.
  const lowByScore = await request.get("/api/public/v1/traces?environment=demo&scores=confidence%3C0.5", {
    headers: { Authorization: `Bearer ${demo.secretKey}` },
  });
  const expectedLow = ((await lowByScore.json()) as { data: unknown[] }).data.length;
  expect(expectedLow).toBeGreaterThan(0);
  expect(expectedLow).toBeLessThan(8);
  await page.getByTestId("low-confidence-toggle").click();
  await expect(page).toHaveURL(/lowConfidence=true/);
  await expect(page.getByTestId("trace-row")).toHaveCount(expectedLow);
  await page.getByTestId("low-confidence-toggle").click();
  await expect(page.getByTestId("trace-row")).toHaveCount(8);

  await testInfo.attach("project-page", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  await page.screenshot({ path: testInfo.outputPath("project-page.png"), fullPage: true });
});

test("the public API accepts the demo key and rejects a wrong one", async ({ request }) => {
  const demo = readDemoCredentials();
  const ok = await request.get("/api/public/v1/whoami", { headers: { Authorization: `Bearer ${demo.secretKey}` } });
  expect(ok.status()).toBe(200);
  expect((await ok.json()).projectId).toBe(demo.projectId);

  const basic = Buffer.from(`${demo.publicKey}:${demo.secretKey}`).toString("base64");
  const viaBasic = await request.get("/api/public/v1/whoami", { headers: { Authorization: `Basic ${basic}` } });
  expect(viaBasic.status()).toBe(200);

  const wrong = await request.get("/api/public/v1/whoami", { headers: { Authorization: "Bearer sk-sl-unknown" } });
  expect(wrong.status()).toBe(401);
  expect((await wrong.json()).error.message).toMatch(/unknown or has been revoked/);

  // A path no endpoint serves, at any depth, gets the API's JSON 404, not the dashboard's page.
  for (const path of ["/api/public/v1/nope", "/api/public/v1/traces/0af7651916cd43dd8448eb211c80319c/nope"]) {
    const unknown = await request.get(path, { headers: { Authorization: `Bearer ${demo.secretKey}` } });
    expect(unknown.status()).toBe(404);
    expect((await unknown.json()).error).toEqual({
      code: "NOT_FOUND",
      message: `No public API endpoint GET ${path}: see /api/public/v1/openapi.json for the endpoints`,
    });
  }
});
