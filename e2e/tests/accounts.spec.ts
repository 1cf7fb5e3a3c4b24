import { randomBytes, randomUUID } from "node:crypto";
import { expect, type Locator, type Page, test } from "@playwright/test";

const PASSWORD = "a long enough password";

/** A one-span OTLP/JSON request body, as any OpenTelemetry exporter would send it. */
function otlpJsonPayload(): string {
  const nowNanos = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "accounts-e2e" } }] },
        scopeSpans: [
          {
            scope: { name: "accounts-e2e" },
            spans: [
              {
                traceId: randomBytes(16).toString("hex"),
                spanId: randomBytes(8).toString("hex"),
                name: "first trace with a fresh key",
                kind: 2,
                startTimeUnixNano: String(nowNanos - 2_000_000n),
                endTimeUnixNano: String(nowNanos),
                attributes: [],
                status: { code: 1 },
              },
            ],
          },
        ],
      },
    ],
  });
}

/**
 * For `expect.poll`: reloads the page, waits for `settled` (the part that shows once its data
 * loaded), then counts the elements with `testId`. What the worker stores and what the
 * receiver flushes arrive after the requests' answers, so the page is read until it shows them.
 */
function countAfterReload(page: Page, settled: Locator, testId: string): () => Promise<number> {
  return async () => {
    await page.reload();
    await settled.waitFor();
    return page.getByTestId(testId).count();
  };
}

const RELOAD_POLL = { timeout: 20_000, intervals: [1_000] };

async function signUp(page: Page, email: string, password = PASSWORD) {
  await page.goto("/sign-up");
  await page.getByTestId("sign-up-email").fill(email);
  await page.getByTestId("sign-up-password").fill(password);
  await page.getByTestId("sign-up-submit").click();
}

test("sign-up answers bad input with a message naming the field", async ({ page }) => {
  await signUp(page, "", PASSWORD);
  await expect(page.getByTestId("sign-up-error")).toHaveText(/^email: is required/);

  const email = `short-${randomUUID()}@example.test`;
  await signUp(page, email, "short");
  await expect(page.getByTestId("sign-up-error")).toHaveText("password: must be at least 10 characters");
});

test("a new user signs up, creates an org, a project and an API key, sends a trace with it, then revokes it", async ({
  page,
  context,
  request,
  baseURL,
}, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const email = `founder-${randomUUID()}@example.test`;

  await signUp(page, email);
  await expect(page.getByTestId("no-projects")).toBeVisible();
  await page.getByTestId("org-name-input").fill("Acme Research");
  await page.getByTestId("create-org-submit").click();
  await expect(page.getByTestId("org-name")).toHaveText("Acme Research");
  await expect(page.getByTestId("org-projects-empty")).toBeVisible();

  await page.getByTestId("project-name-input").fill("Support bot");
  await page.getByTestId("create-project-submit").click();
  await expect(page).toHaveURL(/\/project\/[^/]+\/settings$/);
  const projectId = new URL(page.url()).pathname.split("/")[2] ?? "";
  await expect(page.getByTestId("settings-project-name")).toHaveText("Support bot settings");
  await expect(page.getByTestId("api-keys-empty")).toBeVisible();
  await expect(page.getByTestId("ingest-usage-empty")).toBeVisible();
  await expect(page.getByTestId("ingest-problems-empty")).toBeVisible();

  await page.getByTestId("api-key-name").fill("production");
  await page.getByTestId("create-api-key").click();
  const shownSecret = (await page.getByTestId("new-secret-key").textContent())?.trim() ?? "";
  expect(shownSecret).toMatch(/^sk-sl-/);
  await page.getByTestId("copy-secret-key").click();
  await expect(page.getByTestId("copy-secret-key")).toHaveText("Copied");
  const secretKey = await page.evaluate<string>("navigator.clipboard.readText()");
  expect(secretKey).toBe(shownSecret);

  const publicKey = (await page.getByTestId("new-public-key").textContent())?.trim() ?? "";
  await expect(page.getByTestId("env-otel")).toHaveText(
    `OTEL_EXPORTER_OTLP_ENDPOINT=${baseURL}\nOTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20${secretKey}`,
  );
  // All-in-one serves OTLP/gRPC on the web app's host, on the port next to it (playwright.config.ts).
  const grpcEndpoint = `http://127.0.0.1:${Number(new URL(baseURL ?? "").port) + 1}`;
  await expect(page.getByTestId("env-otel-grpc")).toHaveText(
    `OTEL_EXPORTER_OTLP_PROTOCOL=grpc\nOTEL_EXPORTER_OTLP_ENDPOINT=${grpcEndpoint}\nOTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20${secretKey}`,
  );
  await expect(page.getByTestId("env-sdk")).toHaveText(
    `SPANLENS_BASE_URL=${baseURL}\nSPANLENS_PUBLIC_KEY=${publicKey}\nSPANLENS_SECRET_KEY=${secretKey}`,
  );
  await expect(page.getByTestId("api-key-row")).toHaveCount(1);
  await expect(page.getByTestId("api-key-row")).not.toContainText(secretKey);
  await testInfo.attach("new-api-key", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  await page.screenshot({ path: testInfo.outputPath("new-api-key.png"), fullPage: true });

  const auth = { Authorization: `Bearer ${secretKey}` };
  // A first export with the wrong content type: the empty overview says why nothing arrived.
  const wrongType = await request.post("/v1/traces", {
    headers: { ...auth, "Content-Type": "text/plain" },
    data: "hello",
  });
  expect(wrongType.status()).toBe(415);
  await page.goto(`/project/${projectId}`);
  await expect(page.getByTestId("traces-empty-state")).toBeVisible();
  await expect
    .poll(countAfterReload(page, page.getByTestId("traces-empty-state"), "latest-refusal"), RELOAD_POLL)
    .toBe(1);
  await expect(page.getByTestId("latest-refusal")).toContainText("refused (415)");
  await expect(page.getByTestId("latest-refusal")).toContainText("send application/x-protobuf or application/json");
  await page.getByTestId("traces-empty-state").screenshot({ path: testInfo.outputPath("latest-refusal.png") });
  await page.getByRole("link", { name: "See every ingest problem" }).click();
  await expect(page).toHaveURL(new RegExp(`/project/${projectId}/settings#usage$`));
  await expect(page.getByTestId("ingest-problem-row")).toHaveCount(1);

  const ingest = await request.post("/v1/traces", {
    headers: { ...auth, "Content-Type": "application/json" },
    data: otlpJsonPayload(),
  });
  expect(ingest.status()).toBe(200);
  // The all-in-one port keeps an exporter's idle connection as the receiver does.
  expect(ingest.headers()["keep-alive"]).toBe("timeout=120");
  const whoami = await request.get("/api/public/v1/whoami", { headers: auth });
  expect(whoami.status()).toBe(200);
  expect((await whoami.json()).projectId).toBe(projectId);

  await page.reload();
  await expect(page.getByTestId("api-key-last-used")).not.toHaveText("never");
  // The worker stores the request after its 200: reload until the project's usage counts it.
  const usageShown = page.getByTestId("ingest-usage-table").or(page.getByTestId("ingest-usage-empty"));
  await expect
    .poll(countAfterReload(page, usageShown, "ingest-usage-row"), { ...RELOAD_POLL, intervals: [500] })
    .toBe(1);
  await expect(page.getByTestId("ingest-usage-totals")).toContainText("1 span in 1 request");
  const usage = await request.get("/api/public/v1/usage", { headers: auth });
  expect(usage.status()).toBe(200);
  expect((await usage.json()).totals).toMatchObject({ requests: 1, spans: 1 });
  await page.getByTestId("ingest-usage").screenshot({ path: testInfo.outputPath("ingest-usage.png") });

  // An exporter given one endpoint for every signal also posts metrics: the project sees what it was told.
  const metrics = await request.post("/v1/metrics", {
    headers: {
      ...auth,
      "Content-Type": "application/x-protobuf",
      "User-Agent": "OTel-OTLP-Exporter-JavaScript/0.301.1",
    },
    data: Buffer.alloc(0),
  });
  expect(metrics.status()).toBe(404);
  const problemsShown = page.getByTestId("ingest-problems-table").or(page.getByTestId("ingest-problems-empty"));
  await expect.poll(countAfterReload(page, problemsShown, "ingest-problem-row"), RELOAD_POLL).toBe(2);
  // Newest first: the metrics export, then the first export's 415.
  const problem = page.getByTestId("ingest-problem-row").first();
  await expect(page.getByTestId("ingest-problem-row").last()).toContainText("415");
  await expect(problem).toContainText("404");
  await expect(problem).toContainText("OTEL_METRICS_EXPORTER=none");
  await expect(problem).toContainText("OTLP/HTTP metrics");
  await expect(problem).toContainText("OTel-OTLP-Exporter-JavaScript/0.301.1");
  const problems = await request.get("/api/public/v1/usage/problems", { headers: auth });
  expect(problems.status()).toBe(200);
  expect((await problems.json()).data).toEqual([
    expect.objectContaining({ status: 404, signal: "metrics", count: 1 }),
    expect.objectContaining({ status: 415, signal: "traces", count: 1 }),
  ]);
  await page.getByTestId("ingest-problems").screenshot({ path: testInfo.outputPath("ingest-problems.png") });
  await testInfo.attach("api-keys", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

  page.once("dialog", (dialog) => dialog.accept());
  await page.getByTestId("revoke-api-key").click();
  await expect(page.getByTestId("api-keys-empty")).toBeVisible();
  const revokedAt = Date.now();
  // Lookups are cached for a few seconds per process; the key must be refused within that bound.
  await expect
    .poll(async () => (await request.get("/api/public/v1/whoami", { headers: auth })).status(), {
      timeout: 10_000,
      intervals: [100],
    })
    .toBe(401);
  await expect
    .poll(
      async () =>
        (
          await request.post("/v1/traces", {
            headers: { ...auth, "Content-Type": "application/json" },
            data: otlpJsonPayload(),
          })
        ).status(),
      { timeout: 10_000, intervals: [100] },
    )
    .toBe(401);
  const refusedAfterMs = Date.now() - revokedAt;
  testInfo.annotations.push({ type: "revoked-key-refused-after-ms", description: String(refusedAfterMs) });
  console.log(`revoked key refused by the public API and OTLP ingest ${refusedAfterMs} ms after revocation`);
  const refused = await request.get("/api/public/v1/whoami", { headers: auth });
  expect((await refused.json()).error.message).toMatch(/unknown or has been revoked/);
  // The project sees that an exporter still sends with the revoked key, and which key it was.
  await expect
    .poll(countAfterReload(page, page.getByTestId("ingest-problems-table"), "ingest-problem-note"), RELOAD_POLL)
    .toBeGreaterThan(0);
  await expect(page.getByTestId("ingest-problem-row").first()).toContainText("401");
  await expect(page.getByTestId("ingest-problem-note").first()).toContainText(
    `The key "production" (${publicKey}) was revoked on`,
  );

  await page.getByTestId("manage-members").click();
  await expect(page.getByTestId("member-row")).toHaveCount(1);
  await page.getByTestId("invite-email").fill(`teammate-${randomUUID()}@example.test`);
  await page.getByTestId("invite-submit").click();
  await expect(page.getByTestId("invite-link")).toContainText(`${baseURL}/invite/`);

  // Sign in again: now that the user belongs to an organization, the sign-in is audited there.
  const auditUrl = page.url().replace(/\/members$/, "/audit");
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByTestId("sign-in-email").fill(email);
  await page.getByTestId("sign-in-password").fill(PASSWORD);
  await page.getByTestId("sign-in-submit").click();
  await expect(page).toHaveURL(new RegExp(`/project/${projectId}`));
  await expect(page.getByTestId("project-tabs")).toBeVisible();

  await page.goto(auditUrl);
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  const actions = await page.getByTestId("audit-row").evaluateAll((rows) => rows.map((row) => row.dataset.action));
  expect(actions).toEqual([
    "user.signed_in",
    "member.invited",
    "api_key.revoked",
    "api_key.created",
    "project.created",
    "org.created",
  ]);
  await testInfo.attach("audit-log", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  await page.screenshot({ path: testInfo.outputPath("audit-log.png"), fullPage: true });
});

test("a duplicate sign-up is refused, and the existing account signs in", async ({ page }) => {
  const email = `twice-${randomUUID()}@example.test`;
  await signUp(page, email);
  await expect(page.getByTestId("no-projects")).toBeVisible();
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/sign-in/);

  await signUp(page, email);
  await expect(page.getByTestId("sign-up-error")).toHaveText(
    "email: an account with this email already exists; sign in instead",
  );
  await page.goto("/sign-in");
  await page.getByTestId("sign-in-email").fill(email);
  await page.getByTestId("sign-in-password").fill(PASSWORD);
  await page.getByTestId("sign-in-submit").click();
  await expect(page.getByTestId("no-projects")).toBeVisible();
});
