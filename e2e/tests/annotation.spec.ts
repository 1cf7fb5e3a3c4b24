import { expect, test } from "@playwright/test";
import { readDemoCredentials } from "./demo-credentials.js";

test("a reviewer walks a queue of flagged traces and annotates a trace with the keyboard", async ({
  page,
  request,
}, testInfo) => {
  const demo = readDemoCredentials();
  const auth = { Authorization: `Bearer ${demo.secretKey}` };
  const traces = await expect
    .poll(
      async () => {
        const response = await request.get("/api/public/v1/traces", { headers: auth });
        return ((await response.json()) as { data: { traceId: string }[] }).data;
      },
      { timeout: 30_000 },
    )
    .not.toHaveLength(0)
    .then(async () => {
      const response = await request.get("/api/public/v1/traces", { headers: auth });
      return ((await response.json()) as { data: { traceId: string; name: string }[] }).data;
    });
  const target = traces[0];
  if (!target) throw new Error("the demo project has no trace");

  // A support agent flags the answer through the public API (the demo's own user feedback
  // already marks other traces, so the queue below keys on this flag alone).
  const feedback = await request.post("/api/public/v1/scores", {
    headers: auth,
    data: { traceId: target.traceId, name: "support_flag", value: 0, comment: "customer complained", source: "sdk" },
  });
  expect(feedback.status()).toBe(201);

  await page.goto("/sign-in");
  await page.getByTestId("sign-in-email").fill(demo.email);
  await page.getByTestId("sign-in-password").fill(demo.password);
  await page.getByTestId("sign-in-submit").click();
  await expect(page).toHaveURL(new RegExp(`/project/${demo.projectId}`));

  // Two score configs: a boolean and a categorical one with its own shortcut key.
  await page.goto(`/project/${demo.projectId}/scores`);
  const configForm = page.getByTestId("score-config-form");
  await configForm.getByLabel("Name", { exact: true }).fill("correct");
  await configForm.getByLabel("Type").selectOption("BOOLEAN");
  await configForm.getByRole("button", { name: "Add score config" }).click();
  await expect(page.getByTestId("score-configs-table")).toContainText("correct");
  await configForm.getByLabel("Name", { exact: true }).fill("tone");
  await configForm.getByLabel("Type").selectOption("CATEGORICAL");
  await configForm.getByLabel(/Categories/).fill("friendly=1, curt=0");
  await configForm.getByLabel("Shortcut key").fill("t");
  await configForm.getByRole("button", { name: "Add score config" }).click();
  await expect(page.getByTestId("score-configs-table")).toContainText("friendly=1, curt=0");

  await page.goto(`/project/${demo.projectId}/annotation`);
  const queueForm = page.getByTestId("annotation-queue-form");
  await queueForm.getByLabel("Name", { exact: true }).fill("Flagged by support");
  await queueForm.getByLabel("With score").fill("support_flag");
  await queueForm.getByRole("button", { name: "Create queue" }).click();
  await page.getByRole("link", { name: "Flagged by support" }).click();

  await expect(page.getByTestId("queue-progress")).toContainText("0 of 1 done");
  await expect(page.getByTestId("queue-trace-id")).toHaveText(target.traceId);
  await expect(page.getByTestId("annotation-config-correct")).toHaveAttribute("data-active", "true");

  // 2 = "No" on the active config; T jumps to "tone"; 2 = its second category.
  await page.keyboard.press("2");
  await expect(page.getByTestId("annotation-current-correct")).toHaveText("yours: false");
  await page.keyboard.press("t");
  await expect(page.getByTestId("annotation-config-tone")).toHaveAttribute("data-active", "true");
  await page.keyboard.press("c");
  await page.keyboard.type("cites an outdated policy");
  await page.keyboard.press("Escape");
  await page.keyboard.press("2");
  await expect(page.getByTestId("annotation-current-tone")).toHaveText("yours: curt");
  await expect(page.getByTestId("queue-progress")).toContainText("1 of 1 done");
  await page.screenshot({ path: testInfo.outputPath("annotation-queue.png"), fullPage: true });

  const scores = await request.get(`/api/public/v1/scores?traceId=${target.traceId}&source=annotation`, {
    headers: auth,
  });
  const annotations = ((await scores.json()) as { data: Record<string, unknown>[] }).data;
  expect(annotations).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ name: "correct", value: 0, dataType: "boolean", source: "annotation" }),
      expect.objectContaining({
        name: "tone",
        value: 0,
        stringValue: "curt",
        comment: "cites an outdated policy",
        source: "annotation",
      }),
    ]),
  );
  expect(annotations).toHaveLength(2);
});

test("an evaluator is configured in the UI and explains what it saw", async ({ page }, testInfo) => {
  const demo = readDemoCredentials();
  await page.goto("/sign-in");
  await page.getByTestId("sign-in-email").fill(demo.email);
  await page.getByTestId("sign-in-password").fill(demo.password);
  await page.getByTestId("sign-in-submit").click();
  await expect(page).toHaveURL(new RegExp(`/project/${demo.projectId}`));

  await page.goto(`/project/${demo.projectId}/evaluators`);
  await expect(page.getByText("No evaluators yet.")).toBeVisible();
  await page.getByLabel("Name", { exact: true }).first().fill("no apologies");
  await page.getByLabel("Score name").fill("no_apology");
  await page.getByLabel("Evaluator type").selectOption("contains");
  await page.getByLabel("Tags (all required, comma separated)").fill("domain:hr");
  await page.getByLabel("Sampling (% of matching traces)").fill("50");
  await page.getByRole("button", { name: "Add evaluator" }).click();
  const list = page.getByTestId("evaluators-list");
  await expect(list).toContainText("no apologies");
  await expect(list).toContainText("contains → no_apology · v1");
  await expect(list).toContainText("50% of traces tagged domain:hr");
  await list.getByRole("button", { name: "Why / runs" }).click();
  await expect(page.getByTestId("evaluator-details")).toContainText("No trace has reached this evaluator yet");

  // A bad settings box is refused with the field named, not saved.
  await page.getByLabel("Name", { exact: true }).first().fill("broken");
  await page.getByLabel("Score name").fill("broken");
  await page.getByLabel("Evaluator type").selectOption("regex");
  await page.getByLabel("Evaluator settings (JSON)").fill('{"type": "regex", "field": "output", "pattern": "("}');
  await page.getByRole("button", { name: "Add evaluator" }).click();
  await expect(page.getByText("evaluator.config.pattern: not a valid regular expression")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("evaluators.png"), fullPage: true });
});
