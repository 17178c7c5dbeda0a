import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { ConnectionRequests } from "./connection-requests.js";
import { errorBody, type ErrorBody } from "./http-error.filter.js";

/** Node's parser errors, as the status and words the API answers them with. */
function describe(code: string | undefined): Pick<ErrorBody, "statusCode" | "message"> {
  if (code === "HPE_HEADER_OVERFLOW") return { statusCode: 431, message: "the request line and headers are too large" };
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { statusCode: 408, message: "the request did not arrive in time" };
  return { statusCode: 400, message: "the request is not valid HTTP/1.1" };
}

/**
 * Answers requests Node cannot parse (a malformed request line or header, headers too large, a
 * request that never finishes arriving) as the API answers everything else: the error body, an
 * `x-request-id` and an access-log line. Fastify's default writes a body of its own at once and
 * destroys the connection, which also threw away the answers of valid requests pipelined
 * before the bad one, after their writes were performed; this waits for those answers first.
 */
export function clientErrorHandler(connections: ConnectionRequests, logger: Logger): (error: NodeJS.ErrnoException, socket: Socket) => void {
  const answered = new WeakSet<Socket>();
  return (error, socket) => {
    // A reset connection has no one to answer; Node may report one bad stream more than once.
    if (error.code === "ECONNRESET" || socket.destroyed || answered.has(socket)) return;
    answered.add(socket);
    void connections.whenIdle(socket).then(() => {
      if (socket.destroyed) return;
      // Bytes after a request that said `Connection: close`: nothing to answer, the connection ends with that answer.
      if (error.code === "HPE_CLOSED_CONNECTION") {
        socket.destroy();
        return;
      }
      const requestId = randomUUID();
      const { statusCode, message } = describe(error.code);
      const body = JSON.stringify(errorBody(statusCode, message));
      socket.end(
        `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
      );
      logger.info({ requestId, request: { ip: socket.remoteAddress }, statusCode, err: { code: error.code, message: error.message } }, "request completed");
    });
  };
}
