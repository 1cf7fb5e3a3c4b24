import { createServer, type Server } from "node:http";
import { childLogger } from "@spanlens/core";
import { createIngestHandler, isIngestPath } from "./handler.js";

const log = childLogger("ingest");

/** Starts the receiver on its own port (separate-process mode). */
export async function startIngest(options: { port: number; hostname?: string }): Promise<Server> {
  const handle = createIngestHandler();
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (isIngestPath(pathname)) {
      void handle(req, res);
      return;
    }
    res.statusCode = pathname === "/health" ? 200 : 404;
    res.setHeader("Content-Type", "application/json");
    res.end(
      JSON.stringify(
        pathname === "/health" ? { status: "ok" } : { error: { code: "NOT_FOUND", message: `No route ${pathname}` } },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.hostname ?? "0.0.0.0", resolve));
  log.info({ port: options.port }, "ingest listening");
  return server;
}
