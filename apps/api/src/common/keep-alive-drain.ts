import { once } from "node:events";
import { Server as NetServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import type { ConnectionRequests } from "./connection-requests.js";

/**
 * After SIGTERM, how long a kept-alive connection may stay open without carrying a request before
 * it is closed. A busy client (nginx's upstream pool, the ALB) sends its next request within
 * milliseconds and gets its answer with `Connection: close`; one idle for a whole second is closed,
 * which is the ordinary keep-alive timeout race every HTTP/1.1 client already lives with.
 */
export const keepAliveDrainMs = 1_000;

/**
 * Shutdown without losing requests on kept-alive connections.
 *
 * Node's `http.Server.close()` destroys every idle keep-alive connection at once. A client that
 * has just written a request on one of them (nginx reuses its upstream connections constantly)
 * then sees the connection reset, and a POST that is reset is neither retried nor known to have
 * failed. So on close: stop accepting connections but leave the open ones alone; answer every
 * request still arriving on them normally, with `Connection: close`, so each client stops reusing
 * its connection by itself; close what is still idle after `drainMs`; then let Fastify's close
 * wait for the requests in flight as before.
 *
 * Needs `return503OnClosing: false`: a 503 to a request the server accepted is a failed request
 * too, and nothing here sheds load.
 *
 * On a pipelined connection only the last request in flight gets `Connection: close`: Node ends
 * the connection after that answer, and would drop the answers queued behind an earlier one.
 */
export function drainKeepAliveOnClose(fastify: FastifyInstance, connections: ConnectionRequests, drainMs = keepAliveDrainMs): void {
  let draining = false;
  fastify.addHook("onSend", (request, reply, payload, done) => {
    const socket = request.raw.socket;
    if (draining && connections.count(socket) <= 1) {
      void reply.header("connection", "close");
      connections.markClosing(socket);
    }
    done(null, payload);
  });
  fastify.addHook("preClose", async () => {
    draining = true;
    const server = fastify.server;
    if (!server.listening) return;
    // net.Server's close stops accepting and leaves open connections be; http.Server's would also destroy the idle ones.
    const allClosed = once(server, "close");
    NetServer.prototype.close.call(server);
    await Promise.race([allClosed, sleep(drainMs)]);
    server.closeIdleConnections();
  });
}
