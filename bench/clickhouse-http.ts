/**
 * The embedded engine (chdb) in a process of its own, behind the subset of ClickHouse's
 * HTTP interface that `@clickhouse/client` speaks. For the ingest benchmark only: no
 * ClickHouse server can be installed on these machines, and the worker's memory bound is
 * about a worker that talks to ClickHouse over HTTP, as in the scaled layout. The worker
 * then runs its real server-mode client code path; the engine is the same ClickHouse.
 *
 * Written by hand because chdb ships no server. It serves only what the client sends:
 * `GET /ping`, and `POST /` with the statement in the body, or in the `query` URL
 * parameter with the data in the body (inserts, whose bytes go to the engine's own insert
 * as a server's would: a quarter to a third less engine CPU per span than decoding them
 * into a string appended to the statement); `param_*` bound parameters; every other URL
 * parameter that is not part of the HTTP protocol is a setting. Errors answer 500 with
 * ClickHouse's `Code: N. DB::Exception: …` text and `X-ClickHouse-Exception-Code`, which
 * the client turns into its ClickHouseError.
 *
 * Usage: `node --conditions=@spanlens/source --import tsx bench/clickhouse-http.ts <data dir> <port> <database>`; prints
 * `listening` once it accepts requests.
 */
import { mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";
import { applyEmbeddedMallocConf } from "../packages/clickhouse/src/index.js";

// The engine's allocator options as the embedded mode sets them, before chdb loads.
applyEmbeddedMallocConf();
// chdb is the clickhouse package's (optional) dependency, resolved from there.
const requireChdb = createRequire(path.join(import.meta.dirname, "../packages/clickhouse/package.json"));
const { createChdbConnection } = requireChdb(
  "chdb/connection",
) as typeof import("../packages/clickhouse/node_modules/chdb/dist/connection/index.js");
const { Session } = requireChdb("chdb") as typeof import("../packages/clickhouse/node_modules/chdb/index.js");

// Parameters of the HTTP protocol itself, never forwarded as settings.
const PROTOCOL_PARAMETERS = new Set([
  "query",
  "database",
  "query_id",
  "session_id",
  "session_timeout",
  "session_check",
  "default_format",
  "user",
  "password",
  "compress",
  "decompress",
  "enable_http_compression",
  "wait_end_of_query",
  "buffer_size",
  "role",
]);

// Bound-parameter values arrive in ClickHouse's escaped text form; chdb escapes the
// strings it is given, so they are unescaped here and reach the engine unchanged.
const UNESCAPES: Record<string, string> = { b: "\b", f: "\f", r: "\r", n: "\n", t: "\t", "0": "\0" };
const unescapeParameter = (text: string) => text.replace(/\\(.)/gs, (_match, char: string) => UNESCAPES[char] ?? char);

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// The insert statement `@clickhouse/client` sends, with the settings the worker's inserts
// carry (`name = value, …`); its data goes to the engine as bytes.
const INSERT_STATEMENT =
  /^INSERT INTO `([^`]+)` \(([^)]*)\)(?: SETTINGS ((?:\w+ = \w+)(?:, \w+ = \w+)*))? FORMAT (JSONCompactEachRow|JSONEachRow)$/;

async function main() {
  const [dataDir, portText, database] = process.argv.slice(2);
  if (!dataDir || !portText || !database) throw new Error("usage: clickhouse-http.ts <data dir> <port> <database>");
  await mkdir(dataDir, { recursive: true });
  // `BENCH_CLICKHOUSE_ARGS`: start-up arguments for the engine, space-separated, as a
  // server's command line takes them (for example `--background_pool_size=1`), for server
  // settings no statement can change; unset or empty, the engine's defaults. The connection
  // API takes none, so a session opened first on the data directory starts the engine with
  // them; the connection joins that engine, which keeps them once the session is closed.
  const engineArgs = process.env.BENCH_CLICKHOUSE_ARGS?.split(" ").filter(Boolean) ?? [];
  const engineSession = engineArgs.length > 0 ? new Session(dataDir, { connectionArgs: engineArgs }) : undefined;
  const connection = createChdbConnection({ path: dataDir });
  engineSession?.close();
  await connection.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  await connection.command({ query: `USE ${database}` });
  if (engineArgs.length > 0) {
    const names = engineArgs.map((arg) => arg.replace(/^--/, "").split("=")[0]);
    const result = await connection.query({
      query: "SELECT name, value FROM system.server_settings WHERE has({names:Array(String)}, name) FORMAT JSONEachRow",
      query_params: { names },
    });
    const chunks: Buffer[] = [];
    for await (const chunk of result.stream) chunks.push(Buffer.from(chunk as Uint8Array));
    process.stderr.write(`engine settings: ${Buffer.concat(chunks).toString().trim().replaceAll("\n", " ")}\n`);
  }

  // Bound parameters travel in the URL; ClickHouse accepts URIs up to 1 MiB (http_max_uri_size).
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname === "/ping") {
      response.end("Ok.\n");
      return;
    }
    const queryId = url.searchParams.get("query_id") ?? crypto.randomUUID();
    try {
      const body = await readBody(request);
      const inUrl = url.searchParams.get("query");
      const queryParams: Record<string, string> = {};
      const settings: Record<string, string> = {};
      for (const [name, value] of url.searchParams) {
        if (name.startsWith("param_")) queryParams[name.slice("param_".length)] = unescapeParameter(value);
        else if (!PROTOCOL_PARAMETERS.has(name)) settings[name] = value;
      }
      const insert = inUrl === null ? null : INSERT_STATEMENT.exec(inUrl);
      if (insert) {
        // Like the server, the engine parses the body where it lies, instead of the body
        // being decoded into a string and appended to the statement.
        const [, table = "", columnList = "", statementSettings, format] = insert;
        for (const setting of statementSettings?.split(", ") ?? []) {
          const [name = "", value = ""] = setting.split(" = ");
          settings[name] = value;
        }
        const summary = await connection.chdb.rawInsert({
          table,
          columns: columnList.split(", ").map((column) => column.slice(1, -1)),
          format: format as "JSONCompactEachRow" | "JSONEachRow",
          values: body,
          settings,
        });
        response.setHeader("X-ClickHouse-Query-Id", queryId);
        response.setHeader(
          "X-ClickHouse-Summary",
          JSON.stringify({ written_rows: String(summary.rowsWritten), written_bytes: String(summary.bytesWritten) }),
        );
        response.end();
        return;
      }
      const params = {
        query: inUrl ?? body.toString("utf8"),
        query_params: queryParams,
        clickhouse_settings: settings,
        query_id: queryId,
      };
      const result =
        inUrl === null
          ? await connection.exec(params)
          : await connection.exec({ ...params, values: Readable.from([body.toString("utf8")]) });
      response.setHeader("X-ClickHouse-Query-Id", queryId);
      response.setHeader("X-ClickHouse-Summary", JSON.stringify(result.summary ?? {}));
      result.stream.pipe(response);
    } catch (error) {
      // The engine's own insert reports its code as `clickhouseCode`.
      const { clickhouseCode, code: errorCode } = error as { clickhouseCode?: number; code?: string };
      const code = clickhouseCode === undefined ? (errorCode ?? "1001") : String(clickhouseCode);
      const type = (error as { type?: string }).type ?? "STD_EXCEPTION";
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`clickhouse-http: ${type}: ${message.split("\n")[0]}\n`);
      response.statusCode = 500;
      response.setHeader("X-ClickHouse-Exception-Code", code);
      response.end(`Code: ${code}. DB::Exception: ${message}. (${type})\n`);
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(Number(portText), "127.0.0.1", resolve));
  process.stdout.write("listening\n");
  const stop = () => server.close(() => void connection.close().then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
