/** Bytes on one TCP connection, for requests no HTTP client would send: pipelined, malformed, with duplicate headers. */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** One request's bytes, as a client writes them. */
export function requestBytes(method: string, path: string, options: { headers?: string[]; json?: unknown } = {}): string {
  const body = options.json === undefined ? "" : JSON.stringify(options.json);
  const lines = [`${method} ${path} HTTP/1.1`, "Host: api", ...(options.headers ?? [])];
  if (body) lines.push("Content-Type: application/json", `Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** Splits what the server sent into responses, by Content-Length (every API response has one or no body); `rest` is an incomplete one. */
function parseResponses(data: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) return { responses, rest };
    const [statusLine, ...headerLines] = rest.subarray(0, end).toString("latin1").split("\r\n");
    const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
    const length = Number(headers["content-length"] ?? 0);
    if (rest.length < end + 4 + length) return { responses, rest };
    responses.push({ status: Number(statusLine.split(" ")[1]), headers, body: rest.subarray(end + 4, end + 4 + length).toString("utf8") });
    rest = rest.subarray(end + 4 + length);
  }
}

/**
 * Writes `bytes` in one go on a new connection and collects every response until the server
 * closes the connection, or `quietMs` pass without data (a kept-alive connection); 200 ms
 * after `expected` responses when given, which leaves time for an unexpected extra one.
 */
export function exchange(url: string, bytes: string, expected?: number, quietMs = 1_500): Promise<{ responses: RawResponse[]; closedByServer: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const { responses, rest } = parseResponses(Buffer.concat(chunks));
      if (rest.length > 0) reject(new Error(`incomplete response: ${rest.toString("utf8").slice(0, 200)}`));
      else resolve({ responses, closedByServer });
    };
    const quiet = () => {
      clearTimeout(timer);
      const done = expected !== undefined && parseResponses(Buffer.concat(chunks)).responses.length >= expected;
      timer = setTimeout(() => finish(false), done ? 200 : quietMs);
    };
    quiet();
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      quiet();
    });
    socket.on("end", () => finish(true));
    socket.on("error", reject);
  });
}
