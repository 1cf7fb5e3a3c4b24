/**
 * The load generator's HTTP/1.1 client: keep-alive connections on raw sockets, one request
 * at a time on each (no pipelining, as OpenTelemetry's exporters send), with each request's
 * head and body written in one corked write.
 *
 * Written here instead of using node:http or undici because the generator shares the
 * machine's two cores with the pipeline it measures, and every microsecond it spends is
 * one the pipeline cannot (real exporters run on other machines). The generator's CPU per
 * request, posting the benchmark's requests to a local server that answers in 45 ms
 * (`pnpm bench:load-client`, docs/benchmarks.md, runs 26 and 27): 173–177 µs through
 * node:http's client with 32 senders and 221–230 µs at a fixed 700 requests per second;
 * 87–99 and 124–138 µs through this one, about half of it the kernel's loopback writes.
 * undici's `Pool` cost about as much as node:http (194–304 µs, measured once).
 *
 * It reads only what the ingest service answers: a status line, headers, and a body of
 * `Content-Length` bytes. Anything else (chunked bodies, a malformed head) fails the request
 * and closes the connection, so a change on the server side shows as failures, not as
 * silently wrong counts.
 */
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";

export class RawHttpError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** Whether the connection had carried an earlier request (a kept-alive one). */
    readonly reusedSocket: boolean,
  ) {
    super(message);
  }
}

const HEAD_END = Buffer.from("\r\n\r\n");

interface TPending {
  resolve: (status: number) => void;
  reject: (error: RawHttpError) => void;
}

/** One keep-alive connection; `post` waits for the answer before the next may be sent. */
class Connection {
  private readonly socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: TPending | undefined;
  private requests = 0;
  closed = false;

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (error: NodeJS.ErrnoException) => this.fail(error.code ?? "ERR_SOCKET", error.message));
    this.socket.on("close", () => this.fail("ECONNRESET", "the server closed the connection"));
  }

  post(head: Buffer, body: Buffer): Promise<number> {
    if (this.pending) throw new Error("a request is already in flight on this connection");
    this.requests += 1;
    if (this.closed) {
      return Promise.reject(new RawHttpError("the connection was closed", "ECONNRESET", this.requests > 1));
    }
    return new Promise<number>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(body);
      this.socket.uncork();
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) {
      this.fail("EBADRESPONSE", "bytes from the server with no request in flight");
      return;
    }
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headEnd = this.buffered.indexOf(HEAD_END);
    if (headEnd === -1) return;
    const head = this.buffered.toString("latin1", 0, headEnd);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!status || !length || /\r\ntransfer-encoding:/i.test(head)) {
      this.fail("EBADRESPONSE", `unexpected response head: ${JSON.stringify(head.slice(0, 200))}`);
      return;
    }
    const end = headEnd + HEAD_END.length + Number(length[1]);
    if (this.buffered.length < end) return;
    if (this.buffered.length > end) {
      this.fail("EBADRESPONSE", "bytes after the response, with no request in flight");
      return;
    }
    this.buffered = Buffer.alloc(0);
    const pending = this.pending;
    this.pending = undefined;
    if (/\r\nconnection: *close/i.test(head)) this.close();
    pending?.resolve(Number(status[1]));
  }

  private fail(code: string, message: string): void {
    this.close();
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(new RawHttpError(message, code, this.requests > 1));
  }
}

/** What the generator posts through: this module's pool, or node:http's for comparison. */
export interface THttpPool {
  post(body: Buffer): Promise<number>;
  destroy(): void;
}

/**
 * Keep-alive connections to one origin, at most `maxConnections`; a request waits for a free
 * one beyond that, as node:http's agent queues beyond `maxSockets`.
 */
export class RawHttpPool implements THttpPool {
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  private readonly headerLines: string;
  private readonly idle: Connection[] = [];
  private readonly waiting: ((connection: Connection) => void)[] = [];
  private open = 0;

  constructor(
    url: URL,
    headers: Record<string, string>,
    private readonly maxConnections: number,
  ) {
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.path = url.pathname + url.search;
    this.headerLines = Object.entries({ host: url.host, ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
  }

  /** POSTs the body and resolves with the response's status once the response is read. */
  async post(body: Buffer): Promise<number> {
    const connection = await this.acquire();
    const head = Buffer.from(
      `POST ${this.path} HTTP/1.1\r\n${this.headerLines}content-length: ${body.byteLength}\r\n\r\n`,
      "latin1",
    );
    try {
      return await connection.post(head, body);
    } finally {
      this.release(connection);
    }
  }

  destroy(): void {
    for (const connection of this.idle.splice(0)) connection.close();
  }

  private acquire(): Promise<Connection> {
    let connection = this.idle.pop();
    // One the server closed while idle (its keep-alive timeout) is dropped, not reused.
    while (connection?.closed) {
      this.open -= 1;
      connection = this.idle.pop();
    }
    if (connection) return Promise.resolve(connection);
    if (this.open < this.maxConnections) {
      this.open += 1;
      return Promise.resolve(new Connection(this.host, this.port));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(connection: Connection): void {
    if (connection.closed) {
      this.open -= 1;
      if (this.waiting.length > 0 && this.open < this.maxConnections) {
        this.open += 1;
        this.waiting.shift()?.(new Connection(this.host, this.port));
      }
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter(connection);
    else this.idle.push(connection);
  }
}

/**
 * The same posts through node:http's client and a keep-alive agent (the generator's client up
 * to run 25; `BENCH_LOAD_CLIENT=node-http`), failing with the same errors.
 */
export class NodeHttpPool implements THttpPool {
  private readonly agent: Agent;

  constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    maxConnections: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: maxConnections });
  }

  post(body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: "POST",
          agent: this.agent,
          headers: { ...this.headers, "content-length": String(body.byteLength) },
        },
        (res) => {
          res.on("data", () => undefined);
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", (error: NodeJS.ErrnoException) =>
            reject(new RawHttpError(error.message, error.code ?? "ERR_RESPONSE", req.reusedSocket)),
          );
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) =>
        reject(new RawHttpError(error.message, error.code ?? "ERR_REQUEST", req.reusedSocket)),
      );
      req.end(body);
    });
  }

  destroy(): void {
    this.agent.destroy();
  }
}
