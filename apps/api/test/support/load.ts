/** Steady concurrent HTTP load over keep-alive connections, recording how each request ended and on which kind of connection. */
import { randomUUID } from "node:crypto";
import { Agent } from "node:http";
import { sendRaw } from "./http-request.js";

export interface LoadRequest {
  method: "GET" | "POST";
  path: string;
  /** JSON body, for POST. */
  body?: unknown;
}

export interface Outcome {
  request: LoadRequest;
  /** Sent as x-request-id, so that the server's access log can be matched to this request. */
  requestId: string;
  /** The status, when a response arrived. */
  status?: number;
  /** The response body, parsed, for 2xx JSON answers. */
  json?: unknown;
  /** Error code when no response arrived (ECONNREFUSED, ECONNRESET, TIMEOUT...). */
  error?: string;
  /**
   * The request was written on a keep-alive connection that had already carried a response, i.e. one
   * the server had accepted: losing it there is the server's fault, unlike a refused new connection.
   */
  reusedSocket: boolean;
  /** performance.now() when the request was sent and when it ended. */
  sentAt: number;
  endedAt: number;
}

export interface LoadOptions {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Workers, each with one request in flight at a time, over as many keep-alive connections. */
  concurrency: number;
  /** The n-th request to send. */
  next: (n: number) => LoadRequest;
  /** Checked before each request: the load ends when it returns true. */
  done: () => boolean;
  /** Hard stop, whatever `done` says, so that a stuck server cannot keep the test running. */
  maxDurationMs: number;
  /** A request that gets no answer within this is recorded as error TIMEOUT (a hang), not waited for. */
  requestTimeoutMs: number;
  /** Pause after a refused connection, so a closed port does not turn into a busy loop. */
  pauseAfterRefusalMs?: number;
}

async function send(agent: Agent, base: URL, load: LoadRequest, timeoutMs: number): Promise<Outcome> {
  const requestId = randomUUID();
  const sentAt = performance.now();
  const payload = load.body === undefined ? undefined : Buffer.from(JSON.stringify(load.body));
  const headers = {
    "x-request-id": requestId,
    ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
  };
  const { status, body, error, reusedSocket, endedAt } = await sendRaw(agent, base, { method: load.method, path: load.path, headers, body: payload }, timeoutMs);
  return { request: load, requestId, reusedSocket, sentAt, endedAt, status, error, json: body === undefined ? undefined : parseJson(body) };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the load until `done()` or maxDurationMs; resolves with every request's outcome, in completion order. */
export async function runLoad(options: LoadOptions): Promise<Outcome[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const base = new URL(options.url);
  const outcomes: Outcome[] = [];
  const deadline = performance.now() + options.maxDurationMs;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (!options.done() && performance.now() < deadline) {
      const outcome = await send(agent, base, options.next(n++), options.requestTimeoutMs);
      outcomes.push(outcome);
      if (outcome.error === "ECONNREFUSED") await new Promise((resolve) => setTimeout(resolve, options.pauseAfterRefusalMs ?? 20));
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return outcomes;
}
