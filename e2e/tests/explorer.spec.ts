import { randomBytes } from "node:crypto";
import { expect, type Page, type TestInfo, test } from "@playwright/test";
import { readDemoCredentials } from "./demo-credentials.js";

// This spec seeds its own traces (OTLP/JSON to /v1/traces) and scores (OTLP logs with
// gen_ai.evaluation.result to /v1/logs), tagged with a run tag so other data in the demo
// project never changes what it sees.
const RUN_TAG = `run:${randomBytes(4).toString("hex")}`;
const hex = (bytes: number) => randomBytes(bytes).toString("hex");

type TAttr = { key: string; value: Record<string, unknown> };
const str = (key: string, value: string): TAttr => ({ key, value: { stringValue: value } });
const num = (key: string, value: number): TAttr => ({ key, value: { doubleValue: value } });
const list = (key: string, values: string[]): TAttr => ({
  key,
  value: { arrayValue: { values: values.map((value) => ({ stringValue: value })) } },
});

interface TSeededTrace {
  traceId: string;
  rootSpanId: string;
  retrievalSpanId: string;
  generationSpanId: string;
  toolSpanId: string;
}

function buildTrace(options: {
  question: string;
  domain: string;
  chunk: string;
  topScore: number;
  isFailing: boolean;
}) {
  const ids: TSeededTrace = {
    traceId: hex(16),
    rootSpanId: hex(8),
    retrievalSpanId: hex(8),
    generationSpanId: hex(8),
    toolSpanId: hex(8),
  };
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const at = (ms: number) => String(start + BigInt(ms) * 1_000_000n);
  const span = (
    spanId: string,
    parent: string,
    name: string,
    from: number,
    to: number,
    attributes: TAttr[],
    extra = {},
  ) => ({
    traceId: ids.traceId,
    spanId,
    parentSpanId: parent,
    name,
    kind: 1,
    startTimeUnixNano: at(from),
    endTimeUnixNano: at(to),
    attributes,
    status: { code: 1 },
    ...extra,
  });
  const spans = [
    span(ids.rootSpanId, "", "answer_question", 0, 1500, [
      str("openinference.span.kind", "CHAIN"),
      str("input.value", options.question),
      list("tag.tags", [`domain:${options.domain}`, RUN_TAG]),
      str("user.id", "e2e-user"),
      str("session.id", `e2e-session-${RUN_TAG}`),
    ]),
    span(ids.retrievalSpanId, ids.rootSpanId, "retrieve_policy", 10, 200, [
      str("openinference.span.kind", "RETRIEVER"),
      str("input.value", options.question),
      str("retrieval.documents.0.document.id", "handbook-12"),
      str("retrieval.documents.0.document.content", options.chunk),
      num("retrieval.documents.0.document.score", options.topScore),
      str("retrieval.documents.0.document.metadata", JSON.stringify({ source: "handbook.pdf", section: "Leave" })),
      str("retrieval.documents.1.document.id", "handbook-40"),
      str("retrieval.documents.1.document.content", "Expense reports are due monthly."),
      num("retrieval.documents.1.document.score", options.topScore / 2),
    ]),
    span(ids.generationSpanId, ids.rootSpanId, "chat", 250, 1400, [
      str("openinference.span.kind", "LLM"),
      str("llm.model_name", "gpt-4o-mini"),
      str("llm.prompt_template.template", "Answer using only this context:\n{context}\n\nQuestion: {question}"),
      str("llm.prompt_template.variables", JSON.stringify({ context: options.chunk, question: options.question })),
      str("llm.input_messages.0.message.role", "system"),
      str("llm.input_messages.0.message.content", "You answer HR questions."),
      str("llm.input_messages.1.message.role", "user"),
      str("llm.input_messages.1.message.content", options.question),
      str("llm.output_messages.0.message.role", "assistant"),
      str("llm.output_messages.0.message.content", "Employees get 25 vacation days."),
    ]),
  ];
  if (options.isFailing) {
    spans.push(
      span(
        ids.toolSpanId,
        ids.rootSpanId,
        "lookup_employee",
        1410,
        1490,
        [str("openinference.span.kind", "TOOL"), str("input.value", '{"employee_id": "E-404"}')],
        {
          status: { code: 2, message: "employee E-404 not found" },
          events: [
            {
              name: "exception",
              timeUnixNano: at(1489),
              attributes: [
                str("exception.type", "EmployeeNotFound"),
                str("exception.message", "employee E-404 not found"),
                str("exception.stacktrace", "EmployeeNotFound: employee E-404 not found\n    at lookup (hr.ts:12)"),
              ],
            },
          ],
        },
      ),
    );
  }
  return { ids, spans };
}

async function seed(page: Page) {
  const demo = readDemoCredentials();
  const headers = { Authorization: `Bearer ${demo.secretKey}`, "Content-Type": "application/json" };
  const chunk = "Full-time employees accrue 25 vacation days per year.";
  const traces = {
    lowHr: buildTrace({ question: "How many vacation days?", domain: "hr", chunk, topScore: 0.42, isFailing: false }),
    highHr: buildTrace({ question: "What is parental leave?", domain: "hr", chunk, topScore: 0.91, isFailing: false }),
    lowFinance: buildTrace({
      question: "When are expenses due?",
      domain: "finance",
      chunk,
      topScore: 0.3,
      isFailing: false,
    }),
    failing: buildTrace({ question: "Who is employee E-404?", domain: "hr", chunk, topScore: 0.88, isFailing: true }),
  };
  const confidence = { lowHr: 0.2, highHr: 0.9, lowFinance: 0.1, failing: 0.8 };
  const tracesResponse = await page.request.post("/v1/traces", {
    headers,
    data: {
      resourceSpans: [
        {
          resource: { attributes: [str("service.name", "e2e-explorer")] },
          scopeSpans: [{ scope: { name: "e2e" }, spans: Object.values(traces).flatMap((trace) => trace.spans) }],
        },
      ],
    },
  });
  expect(tracesResponse.status()).toBe(200);
  const logsResponse = await page.request.post("/v1/logs", {
    headers,
    data: {
      resourceLogs: [
        {
          resource: { attributes: [str("service.name", "e2e-explorer")] },
          scopeLogs: [
            {
              scope: { name: "e2e" },
              logRecords: (Object.keys(traces) as (keyof typeof traces)[]).map((key) => ({
                timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                eventName: "gen_ai.evaluation.result",
                traceId: traces[key].ids.traceId,
                spanId: traces[key].ids.generationSpanId,
                attributes: [
                  str("gen_ai.evaluation.name", "confidence"),
                  num("gen_ai.evaluation.score.value", confidence[key]),
                ],
              })),
            },
          ],
        },
      ],
    },
  });
  expect(logsResponse.status()).toBe(200);
  // Stored asynchronously by the worker: wait until the list API sees every trace with its score.
  await expect
    .poll(
      async () => {
        const response = await page.request.get(`/api/public/v1/traces?tags=${encodeURIComponent(RUN_TAG)}&range=1h`, {
          headers,
        });
        const body = (await response.json()) as { data: { scores: unknown[] }[] };
        return body.data.filter((trace) => trace.scores.length > 0).length;
      },
      { timeout: 30_000 },
    )
    .toBe(4);
  // The trace reply, written span by span, through the server as an API client reads it.
  const detail = await page.request.get(`/api/public/v1/traces/${traces.failing.ids.traceId}`, { headers });
  expect(detail.status()).toBe(200);
  const trace = (await detail.json()) as { traceId: string; spans: { spanId: string }[]; scores: { name: string }[] };
  expect(trace.traceId).toBe(traces.failing.ids.traceId);
  expect(trace.spans.map((span) => span.spanId).sort()).toEqual(traces.failing.spans.map((span) => span.spanId).sort());
  expect(trace.scores.map((score) => score.name)).toEqual(["confidence"]);
  return { demo, traces };
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByTestId("sign-in-email").fill(email);
  await page.getByTestId("sign-in-password").fill(password);
  await page.getByTestId("sign-in-submit").click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}

async function attachScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.screenshot({ fullPage: true });
  await testInfo.attach(name, { body, contentType: "image/png" });
}

test.describe.configure({ mode: "serial" });

let seeded: Awaited<ReturnType<typeof seed>>;

test("filters to low-confidence answers in domain:hr, opens the trace and shows the retrieved chunk and the prompt", async ({
  page,
}, testInfo) => {
  seeded = await seed(page);
  await signIn(page, seeded.demo.email, seeded.demo.password);
  await page.goto(`/project/${seeded.demo.projectId}/traces?range=1h`);
  await expect(page.getByRole("heading", { name: "Traces" })).toBeVisible();

  const tags = page.getByTestId("filter-tags");
  await tags.fill(`domain:hr, ${RUN_TAG}`);
  await tags.press("Enter");
  await expect(page.getByTestId("trace-row")).toHaveCount(3);

  await page.getByTestId("more-filters").click();
  const scores = page.getByTestId("filter-scores");
  await scores.fill("confidence<0.5");
  await scores.press("Enter");
  await expect(page).toHaveURL(/scores=confidence%3C0\.5/);
  await expect(page.getByTestId("trace-row")).toHaveCount(1);
  await expect(page.getByTestId("trace-row").first()).toContainText("confidence 0.2");
  await attachScreenshot(page, testInfo, "low-confidence-hr-list");

  // The filtered view is a link: reloading it shows the same single trace.
  await page.reload();
  await expect(page.getByTestId("trace-row")).toHaveCount(1);

  await page.getByTestId("trace-row").first().getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/traces/${seeded.traces.lowHr.ids.traceId}`));
  await expect(page.getByTestId("span-row")).toHaveCount(3);
  await expect(page.getByTestId("trace-score")).toContainText("confidence");

  await page.locator(`[data-span-id="${seeded.traces.lowHr.ids.retrievalSpanId}"]`).first().click();
  const document = page.getByTestId("retrieved-document").first();
  await expect(document).toContainText("Full-time employees accrue 25 vacation days per year.");
  await expect(document.getByTestId("document-score")).toContainText("score 0.42");
  await expect(document).toContainText("source: handbook.pdf");
  await attachScreenshot(page, testInfo, "retrieved-chunk");

  await page.locator(`[data-span-id="${seeded.traces.lowHr.ids.generationSpanId}"]`).first().click();
  const prompt = page.getByTestId("prompt-template");
  await expect(prompt).toContainText("Answer using only this context:");
  await expect(prompt.getByTestId("prompt-variable").first()).toHaveText(
    "Full-time employees accrue 25 vacation days per year.",
  );
  await expect(page.getByTestId("chat-message").filter({ hasText: "You answer HR questions." })).toHaveAttribute(
    "data-role",
    "system",
  );
  // This generation was exported without token counts: say so rather than show zeros.
  await expect(page.getByTestId("usage-not-reported")).toBeVisible();
  await attachScreenshot(page, testInfo, "prompt");

  await page.getByTestId("raw-toggle").click();
  await expect(page.getByTestId("raw-attributes")).toContainText("gpt-4o-mini");
});

test("opens a failing trace on its error", async ({ page }, testInfo) => {
  await signIn(page, seeded.demo.email, seeded.demo.password);
  await page.goto(`/project/${seeded.demo.projectId}/traces?range=1h&status=error&tags=${encodeURIComponent(RUN_TAG)}`);
  await expect(page.getByTestId("trace-row")).toHaveCount(1);
  await page.getByTestId("trace-row").first().getByRole("link").click();

  const failing = seeded.traces.failing.ids;
  await expect(page).toHaveURL(new RegExp(`span=${failing.toolSpanId}`));
  await expect(page.locator(`[data-span-id="${failing.toolSpanId}"][aria-selected="true"]`)).toBeVisible();
  const error = page.getByTestId("span-error");
  await expect(error).toContainText("employee E-404 not found");
  await expect(error).toContainText("EmployeeNotFound");
  await expect(page.getByTestId("span-input")).toContainText("E-404");
  await attachScreenshot(page, testInfo, "failing-trace-error");

  // Jump to error returns to it after looking elsewhere.
  await page.locator(`[data-span-id="${failing.rootSpanId}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`span=${failing.rootSpanId}`));
  await page.getByTestId("jump-to-error").click();
  await expect(page).toHaveURL(new RegExp(`span=${failing.toolSpanId}`));
});

test("shows the run's session in order and its user with feedback counts", async ({ page }) => {
  await signIn(page, seeded.demo.email, seeded.demo.password);
  await page.goto(`/project/${seeded.demo.projectId}/sessions/${encodeURIComponent(`e2e-session-${RUN_TAG}`)}`);
  await expect(page.getByTestId("session-turn")).toHaveCount(4);
  await page.goto(`/project/${seeded.demo.projectId}/users`);
  await expect(page.getByTestId("user-row").filter({ hasText: "e2e-user" })).toBeVisible();
});

test("saves the filtered view and loads it back from the list", async ({ page }) => {
  await signIn(page, seeded.demo.email, seeded.demo.password);
  const filtered = `range=1h&tags=${encodeURIComponent(RUN_TAG)}&status=error`;
  await page.goto(`/project/${seeded.demo.projectId}/traces?${filtered}`);
  await expect(page.getByTestId("trace-row")).toHaveCount(1);
  const viewName = `Errors ${RUN_TAG}`;
  await page.getByLabel("View name").fill(viewName);
  await page.getByRole("button", { name: "Save view" }).click();
  await expect(page.getByLabel("Saved views")).toHaveValue(/.+/);

  await page.goto(`/project/${seeded.demo.projectId}/traces?range=1h&tags=${encodeURIComponent(RUN_TAG)}`);
  await expect(page.getByTestId("trace-row")).toHaveCount(4);
  await page.getByLabel("Saved views").selectOption({ label: viewName });
  await expect(page).toHaveURL(/status=error/);
  await expect(page.getByTestId("trace-row")).toHaveCount(1);
});
