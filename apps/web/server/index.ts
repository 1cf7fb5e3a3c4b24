import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import type { NextServerOptions, RequestHandler } from "next/dist/server/next.js";

// `next` is CommonJS typed as an ES module: under Node ESM the default import is the
// factory itself, while bundler-style resolution sees it behind `.default`.
type TCreateNextServer = (options: NextServerOptions) => {
  prepare: () => Promise<void>;
  getRequestHandler: () => RequestHandler;
  close: () => Promise<void>;
};
const createNextServer = ((next as { default?: unknown }).default ?? next) as TCreateNextServer;

const NEXT_CONFIG_FILES = ["next.config.ts", "next.config.mjs", "next.config.js"];

/**
 * The web app's root, found by walking up from this file: it runs both from `server/`
 * (sources, under tsx) and from `dist/server/` (compiled), one and two levels down.
 */
export function findWebAppDir(startUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(startUrl));
  for (;;) {
    if (NEXT_CONFIG_FILES.some((file) => existsSync(join(dir, file)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No Next.js config found above ${fileURLToPath(startUrl)}`);
    dir = parent;
  }
}

export interface TWebHandlerOptions {
  dev?: boolean;
  port: number;
  hostname?: string;
}

export interface TWebHandler {
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  close: () => Promise<void>;
}

/** Prepares the Next.js app and returns a node:http request handler for it. */
export async function createWebHandler(options: TWebHandlerOptions): Promise<TWebHandler> {
  const app = createNextServer({
    dev: options.dev ?? false,
    dir: findWebAppDir(),
    port: options.port,
    hostname: options.hostname ?? "localhost",
  });
  await app.prepare();
  const requestHandler = app.getRequestHandler();
  return {
    handle: (req, res) => requestHandler(req, res),
    close: () => app.close(),
  };
}
