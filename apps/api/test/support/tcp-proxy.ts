/** A plain TCP relay in front of a real service that a test can cut (an outage) and restore on the same port. */
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";

export interface CuttableProxy {
  /** The port the API is pointed at; the same before and after a cut. */
  readonly port: number;
  /** Connections relayed so far (a reconnect after a cut shows up here). */
  readonly connections: number;
  /** Destroys every relayed connection and stops listening: to the API, the service is gone. */
  cut(): Promise<void>;
  /** Listens again on the same port: the service is back. */
  restore(): Promise<void>;
  /** Cuts, for good. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (a free port, or `port`) and relays each connection to upstream.
 *
 * A cut resets both sides at once, as a crashed server or a dropped network path would, and
 * closes the listener, so new connections are refused rather than left hanging.
 */
export async function cuttableProxy(upstream: { host: string; port: number }, port = 0): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let server: Server | undefined;
  let boundPort = port;

  const relay = (client: Socket): void => {
    connections += 1;
    const inner = connect(upstream.port, upstream.host);
    for (const socket of [client, inner]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined); // the other side is destroyed below through "close"
    }
    client.on("close", () => inner.destroy());
    inner.on("close", () => client.destroy());
    client.pipe(inner).pipe(client);
  };

  const listen = async (): Promise<void> => {
    const next = createServer(relay);
    next.listen(boundPort, "127.0.0.1");
    await once(next, "listening");
    boundPort = (next.address() as { port: number }).port;
    server = next;
  };

  const cut = async (): Promise<void> => {
    const current = server;
    server = undefined;
    // resetAndDestroy sends RST, like a peer that vanished; destroy alone would send FIN, a polite goodbye.
    for (const socket of sockets) socket.resetAndDestroy();
    sockets.clear();
    if (current) {
      current.close();
      await once(current, "close");
    }
  };

  await listen();
  return {
    get port() {
      return boundPort;
    },
    get connections() {
      return connections;
    },
    cut,
    restore: async () => {
      if (!server) await listen();
    },
    close: cut,
  };
}
