import { createServer } from "node:http";
import { childLogger, parseEnv, ZPort } from "@spanlens/core";
import { z } from "zod";
import { createWebHandler } from "./index.js";

const log = childLogger("web");

const env = parseEnv(
  z.object({
    PORT: ZPort.default(3000),
    HOST: z.string().default("0.0.0.0"),
    NODE_ENV: z.enum(["development", "test", "production"]).default("production"),
  }),
);

const web = await createWebHandler({ dev: env.NODE_ENV === "development", port: env.PORT, hostname: env.HOST });

const server = createServer((req, res) => {
  web.handle(req, res).catch((error: unknown) => {
    log.error({ err: error, url: req.url }, "request failed");
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "INTERNAL", message: "Internal server error" } }));
  });
});

server.listen(env.PORT, env.HOST, () => log.info({ port: env.PORT, hostname: env.HOST }, "web listening"));

async function shutdown(signal: string): Promise<void> {
  log.info({ signal }, "shutting down");
  server.close();
  await web.close();
  process.exit(0);
}

process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
