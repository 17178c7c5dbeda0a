/** A throwaway CA-less self-signed certificate and TLS-terminating proxies in front of the real services. */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TLSSocket, createServer as createTlsServer, createSecureContext, type SecureContext } from "node:tls";

export interface Certificate {
  certPath: string;
  cert: string;
  key: string;
  remove(): void;
}

/** A self-signed certificate for localhost and 127.0.0.1, made with the openssl CLI. */
export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), "nexiom-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  return { certPath, cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Proxy {
  port: number;
  /** Connections whose TLS handshake completed. */
  secureConnections: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as { port: number }).port;
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b).pipe(a);
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, "close");
  };
}

/** TLS on the outside, plain Redis protocol to the real Redis inside: what ElastiCache in-transit encryption looks like to a client. */
export async function redisTlsProxy(cert: Certificate, upstream: { host: string; port: number }): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const proxy: Proxy = { port: 0, secureConnections: 0, close: async () => undefined };
  const server = createTlsServer({ cert: cert.cert, key: cert.key }, (socket) => {
    proxy.secureConnections += 1;
    const inner = connect(upstream.port, upstream.host);
    sockets.add(socket).add(inner);
    pipeBoth(socket, inner);
  });
  server.on("tlsClientError", () => undefined);
  proxy.port = await listen(server);
  proxy.close = closer(server, sockets);
  return proxy;
}

const sslRequestCode = 80877103;

/**
 * PostgreSQL's TLS: the client sends an SSLRequest, the server answers "S" and the TLS handshake
 * follows on the same socket. This proxy does that with the certificate, then relays the
 * decrypted protocol to the real server, whose startup the client now sends.
 */
export function postgresTlsProxy(cert: Certificate, upstream: { host: string; port: number }): Promise<Proxy> {
  return postgresProxy(upstream, createSecureContext({ cert: cert.cert, key: cert.key }));
}

/**
 * A PostgreSQL server without TLS, whatever the real one's `ssl` setting (Debian's package turns it on):
 * it answers an SSLRequest with "N", as a server with `ssl = off` does, and relays the plain protocol.
 */
export function postgresWithoutTls(upstream: { host: string; port: number }): Promise<Proxy> {
  return postgresProxy(upstream, undefined);
}

async function postgresProxy(upstream: { host: string; port: number }, tls: SecureContext | undefined): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const proxy: Proxy = { port: 0, secureConnections: 0, close: async () => undefined };
  const relay = (client: Socket) => {
    const inner = connect(upstream.port, upstream.host);
    sockets.add(inner);
    pipeBoth(client, inner);
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("readable", () => {
      const request = socket.read(8) as Buffer | null;
      if (!request || request.readInt32BE(4) !== sslRequestCode) {
        socket.destroy(); // a client that does not ask for TLS gets nothing
        return;
      }
      if (!tls) {
        socket.write("N");
        relay(socket);
        return;
      }
      socket.write("S");
      const secure = new TLSSocket(socket, { isServer: true, secureContext: tls });
      secure.on("error", () => socket.destroy());
      secure.once("secure", () => {
        proxy.secureConnections += 1;
        relay(secure as unknown as Socket);
      });
    });
  });
  proxy.port = await listen(server);
  proxy.close = closer(server, sockets);
  return proxy;
}
