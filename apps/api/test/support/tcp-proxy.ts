/** A plain TCP relay in front of a real service that a test can cut (an outage), stall (silence) and restore on the same port. */
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";

export interface CuttableProxy {
  /** The port the API is pointed at; the same before and after a cut. */
  readonly port: number;
  /** Connections relayed so far (a reconnect after a cut shows up here). */
  readonly connections: number;
  /** Destroys every relayed connection and stops listening: to the API, the service is gone. */
  cut(): Promise<void>;
  /**
   * Keeps every connection open, and accepts new ones, but forwards nothing either way: a service
   * that stopped answering, or a network path that drops packets, as opposed to one that refuses.
   */
  stall(): void;
  /** Listens again on the same port, and forwards again what stalled connections held back (as TCP does when a path heals): the service is back. */
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
  const pairs = new Set<[Socket, Socket]>();
  let stalled = false;
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
    const pair: [Socket, Socket] = [client, inner];
    pairs.add(pair);
    client.on("close", () => {
      inner.destroy();
      pairs.delete(pair);
    });
    inner.on("close", () => client.destroy());
    if (stalled) hold(pair);
    else forward(pair);
  };

  const forward = ([client, inner]: [Socket, Socket]): void => {
    client.pipe(inner);
    inner.pipe(client);
  };
  // Unread bytes stay in the sockets' buffers, so a resumed connection carries on where it stopped.
  const hold = ([client, inner]: [Socket, Socket]): void => {
    client.unpipe(inner);
    inner.unpipe(client);
    client.pause();
    inner.pause();
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
    stall: () => {
      stalled = true;
      for (const pair of pairs) hold(pair);
    },
    restore: async () => {
      if (stalled) {
        stalled = false;
        for (const pair of pairs) forward(pair);
      }
      if (!server) await listen();
    },
    close: cut,
  };
}
