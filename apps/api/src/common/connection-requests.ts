import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * The requests each connection has in flight.
 *
 * HTTP/1.1 lets a client send several requests on one connection before the first answer
 * (pipelining). Node parses and dispatches all of them at once and writes their answers in
 * order, so whoever ends such a connection (an unparseable request further down the stream,
 * the shutdown drain) must first let the answers of the requests already dispatched go out:
 * otherwise their writes are performed and never acknowledged. And once an answer has said
 * `Connection: close`, requests still arriving on that connection are dropped before they run,
 * since their answers could not be sent.
 */
export class ConnectionRequests {
  private readonly inFlight = new WeakMap<Socket, number>();
  private readonly idleWaiters = new WeakMap<Socket, (() => void)[]>();
  private readonly closing = new WeakSet<Socket>();

  /** Starts counting the server's requests; before any request arrives. */
  attach(fastify: FastifyInstance): void {
    fastify.server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      const socket = request.socket;
      this.inFlight.set(socket, this.count(socket) + 1);
      // "close" follows "finish", and also comes when the connection is lost first.
      response.once("close", () => this.settle(socket));
    });
  }

  /**
   * For the API's one onRequest hook (main.ts), before anything else: a request that arrived on a
   * connection whose answer already said `Connection: close` is dropped with the connection, and true
   * is returned; the hook must then stop.
   */
  dropIfClosing(request: FastifyRequest, reply: FastifyReply): boolean {
    if (!this.closing.has(request.raw.socket)) return false;
    void reply.hijack();
    request.raw.socket.destroy();
    return true;
  }

  /** Requests dispatched on this connection whose answer is not written yet. */
  count(socket: Socket): number {
    return this.inFlight.get(socket) ?? 0;
  }

  /** Resolves once every request dispatched on this connection has its answer written (at once if none). */
  whenIdle(socket: Socket): Promise<void> {
    if (this.count(socket) === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.set(socket, [...(this.idleWaiters.get(socket) ?? []), resolve]));
  }

  /** The answer being sent says `Connection: close`: later requests on this connection must not run. */
  markClosing(socket: Socket): void {
    this.closing.add(socket);
  }

  private settle(socket: Socket): void {
    const left = this.count(socket) - 1;
    this.inFlight.set(socket, left);
    if (left > 0) return;
    const waiters = this.idleWaiters.get(socket) ?? [];
    this.idleWaiters.delete(socket);
    for (const resolve of waiters) resolve();
  }
}
