import { createServer, type Server } from "node:http";
import { childLogger } from "@spanlens/core";
import { readIngestConfig, type TIngestConfig } from "./config.js";
import { createIngestHandler, isIngestPath } from "./handler.js";

const log = childLogger("ingest");

/**
 * Applies the receiver's connection settings to a server that serves OTLP, on its own or
 * in front of the dashboard: idle exporter connections are kept `keepAliveTimeoutMs`.
 */
export function configureIngestServer(server: Server, config: Pick<TIngestConfig, "keepAliveTimeoutMs">): void {
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
}

const CLOSE_SWEEP_MS = 100;

/**
 * Stops accepting connections and resolves once every open one has closed. `server.close()`
 * closes the idle connections, but one still answering a request stays open for keep-alive
 * once it is answered, and with a two-minute idle timeout it would hold the shutdown that
 * long: such connections are closed as soon as they go idle.
 */
export async function closeGracefully(server: Server): Promise<void> {
  // A server that was not listening has nothing to wait for: its error is not one.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), CLOSE_SWEEP_MS);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
  }
}

/** Starts the receiver on its own port (separate-process mode). */
export async function startIngest(options: {
  port: number;
  hostname?: string;
  config?: TIngestConfig;
}): Promise<Server> {
  const config = options.config ?? readIngestConfig();
  const handle = createIngestHandler(config);
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
  configureIngestServer(server, config);
  await new Promise<void>((resolve) => server.listen(options.port, options.hostname ?? "0.0.0.0", resolve));
  log.info({ port: options.port }, "ingest listening");
  return server;
}
