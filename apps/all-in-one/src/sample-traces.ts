import { randomBytes } from "node:crypto";

/**
 * A first-run sample so a new project is not empty: RAG question-answer traces sent
 * through the real OTLP endpoint, including a low-scoring retrieval, a slow step and a
 * failure. OTLP/JSON is built here directly because the server carries no SDK; the demo
 * bot replaces this with traces from the instrumented example.
 */
interface TSampleQuestion {
  question: string;
  answer: string;
  domain: string;
  userId: string;
  sessionId: string;
  documents: { id: string; content: string; score: number; source: string }[];
  retrieveMs: number;
  generateMs: number;
  error?: { type: string; message: string };
}

const QUESTIONS: TSampleQuestion[] = [
  {
    question: "How many vacation days do new employees get?",
    answer: "New employees get 25 vacation days per year.",
    domain: "hr",
    userId: "alice",
    sessionId: "s-alice-1",
    documents: [
      {
        id: "handbook#12",
        content: "Full-time employees receive 25 vacation days per calendar year.",
        score: 0.86,
        source: "handbook.md",
      },
      {
        id: "handbook#13",
        content: "Unused vacation days carry over until March 31.",
        score: 0.71,
        source: "handbook.md",
      },
    ],
    retrieveMs: 42,
    generateMs: 820,
  },
  {
    question: "Can I expense a home office chair?",
    answer: "Yes, up to 300 EUR once every three years.",
    domain: "finance",
    userId: "bob",
    sessionId: "s-bob-1",
    documents: [
      {
        id: "expenses#4",
        content: "Home office equipment is reimbursed up to 300 EUR every three years.",
        score: 0.79,
        source: "expenses.md",
      },
    ],
    retrieveMs: 38,
    generateMs: 640,
  },
  {
    question: "What is the parental leave policy?",
    answer: "Parental leave is 12 weeks.",
    domain: "hr",
    userId: "carol",
    sessionId: "s-carol-1",
    // An out-of-date chunk wins retrieval with a weak score: the answer is wrong.
    documents: [
      { id: "handbook-2019#7", content: "(2019) Parental leave is 12 weeks.", score: 0.41, source: "handbook-2019.md" },
    ],
    retrieveMs: 51,
    generateMs: 700,
  },
  {
    question: "How do I reset my VPN token?",
    answer: "Open the IT portal, choose Security, then Reset token.",
    domain: "it",
    userId: "alice",
    sessionId: "s-alice-1",
    documents: [
      {
        id: "it#22",
        content: "VPN tokens are reset from the IT portal under Security.",
        score: 0.83,
        source: "it-faq.md",
      },
    ],
    retrieveMs: 35,
    // A slow generation step.
    generateMs: 6400,
  },
  {
    question: "Who approves travel over 2,000 EUR?",
    answer: "",
    domain: "finance",
    userId: "dave",
    sessionId: "s-dave-1",
    documents: [
      {
        id: "travel#3",
        content: "Travel above 2,000 EUR needs approval from the department head.",
        score: 0.77,
        source: "travel.md",
      },
    ],
    retrieveMs: 40,
    generateMs: 1200,
    error: { type: "RateLimitError", message: "429 Too Many Requests: rate limit reached for gpt-4o-mini" },
  },
];

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const nanos = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();
const str = (value: string) => ({ stringValue: value });
const attr = (key: string, value: string | number | string[]) => ({
  key,
  value:
    typeof value === "string"
      ? str(value)
      : typeof value === "number"
        ? Number.isInteger(value)
          ? { intValue: String(value) }
          : { doubleValue: value }
        : { arrayValue: { values: value.map(str) } },
});

function sampleTrace(sample: TSampleQuestion, startMs: number) {
  const traceId = hex(16);
  const rootId = hex(8);
  const retrieveId = hex(8);
  const generateId = hex(8);
  const retrieveEnd = startMs + sample.retrieveMs;
  const generateEnd = retrieveEnd + sample.generateMs;
  const prompt = `Answer using only the context.\n\nContext:\n${sample.documents.map((d) => d.content).join("\n")}\n\nQuestion: ${sample.question}`;
  const failed = sample.error !== undefined;
  const documentAttributes = sample.documents.flatMap((document, index) => [
    attr(`retrieval.documents.${index}.document.id`, document.id),
    attr(`retrieval.documents.${index}.document.content`, document.content),
    attr(`retrieval.documents.${index}.document.score`, document.score),
    attr(`retrieval.documents.${index}.document.metadata`, JSON.stringify({ source: document.source })),
  ]);
  const base = (spanId: string, parentSpanId: string, name: string, start: number, end: number) => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: 1,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(end),
  });
  return [
    {
      ...base(rootId, "", "rag.answer_question", startMs, generateEnd + 5),
      attributes: [
        attr("user.id", sample.userId),
        attr("session.id", sample.sessionId),
        attr("tag.tags", [`domain:${sample.domain}`, "intent:policy_lookup"]),
        attr("input.value", sample.question),
        ...(failed ? [] : [attr("output.value", sample.answer)]),
      ],
      status: failed ? { code: 2, message: sample.error?.message } : { code: 1 },
    },
    {
      ...base(retrieveId, rootId, "rag.retrieve", startMs + 1, retrieveEnd),
      attributes: [
        attr("openinference.span.kind", "RETRIEVER"),
        attr("input.value", sample.question),
        ...documentAttributes,
      ],
      status: { code: 1 },
    },
    {
      ...base(generateId, rootId, "llm.generate", retrieveEnd + 1, generateEnd),
      attributes: [
        attr("gen_ai.operation.name", "chat"),
        attr("gen_ai.provider.name", "openai"),
        attr("gen_ai.request.model", "gpt-4o-mini"),
        attr("gen_ai.request.temperature", 0.2),
        attr("gen_ai.prompt.name", "rag-answer"),
        attr("gen_ai.input.messages", JSON.stringify([{ role: "user", parts: [{ type: "text", content: prompt }] }])),
        ...(failed
          ? []
          : [
              attr(
                "gen_ai.output.messages",
                JSON.stringify([
                  { role: "assistant", parts: [{ type: "text", content: sample.answer }], finish_reason: "stop" },
                ]),
              ),
              attr("gen_ai.usage.input_tokens", Math.round(prompt.length / 4)),
              attr("gen_ai.usage.output_tokens", Math.round(sample.answer.length / 4)),
            ]),
      ],
      events: failed
        ? [
            {
              name: "exception",
              timeUnixNano: nanos(generateEnd),
              attributes: [
                attr("exception.type", sample.error?.type ?? ""),
                attr("exception.message", sample.error?.message ?? ""),
              ],
            },
          ]
        : [],
      status: failed ? { code: 2, message: sample.error?.message } : { code: 1 },
    },
  ];
}

/** An OTLP/JSON ExportTraceServiceRequest with one trace per sample question, spread over the last hour. */
export function buildSampleTraces(now = Date.now()) {
  const spans = QUESTIONS.flatMap((sample, index) =>
    sampleTrace(sample, now - (QUESTIONS.length - index) * 9 * 60_000),
  );
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr("service.name", "rag-qa-bot"), attr("deployment.environment.name", "demo")] },
        scopeSpans: [{ scope: { name: "spanlens-demo-seed", version: "1" }, spans }],
      },
    ],
  };
}

/** Sends the sample through the running server's own OTLP endpoint with the demo key. */
export async function sendSampleTraces(baseUrl: string, secretKey: string): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${secretKey}` },
    body: JSON.stringify(buildSampleTraces()),
  });
  if (!response.ok) throw new Error(`sample traces were refused: ${response.status} ${await response.text()}`);
}
