/** One raw HTTP request for tests that must see every outcome, including the ones a client library would hide. */
import { type Agent, type OutgoingHttpHeaders, request } from "node:http";

export interface RawAnswer {
  /** The status, when a response arrived. */
  status?: number;
  /** The response body as text, when it arrived whole. */
  body?: string;
  /** Error code when no complete response arrived (ECONNREFUSED, ECONNRESET, TIMEOUT...). */
  error?: string;
  /** The request went out on a keep-alive connection that had already carried a response. */
  reusedSocket: boolean;
  /** performance.now() when the request ended. */
  endedAt: number;
}

/**
 * Sends one request over `agent` and settles exactly once: with the response, with the connection's
 * error code, or with TIMEOUT after `timeoutMs` without activity (a hang, which the caller counts as a failure).
 */
export function sendRaw(
  agent: Agent,
  base: URL,
  options: { method: string; path: string; headers?: OutgoingHttpHeaders; body?: string | Buffer },
  timeoutMs: number,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const req = request({ agent, host: base.hostname, port: base.port, method: options.method, path: options.path, headers: options.headers });
    let settled = false;
    const finish = (answer: Pick<RawAnswer, "status" | "body" | "error">) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, reusedSocket: req.reusedSocket, endedAt: performance.now() });
    };
    req.setTimeout(timeoutMs, () => {
      finish({ error: "TIMEOUT" });
      req.destroy();
    });
    req.on("error", (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error: NodeJS.ErrnoException) => finish({ status: res.statusCode, error: error.code ?? error.message }));
      res.on("end", () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.end(options.body);
  });
}
