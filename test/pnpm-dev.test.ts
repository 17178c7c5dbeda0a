import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import { connect, createServer } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Whether something accepts TCP connections on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

async function status(url: string): Promise<number | string> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status;
  } catch (error) {
    return (error as Error).message;
  }
}

/** This machine's first non-loopback IPv4 address: where a colleague on the network would connect. */
function networkAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
  if (!address) throw new Error("this machine has no non-loopback IPv4 address to check that pnpm dev does not listen on");
  return address;
}

describe("pnpm dev", function () {
  this.timeout(300_000);

  it("serves the API and Vite on loopback only, and SIGTERM to pnpm frees both ports", async () => {
    const [apiPort, webPort] = [await freePort(), await freePort()];
    // Output to a file, not a pipe: processes left behind by a failure would hold a pipe open and keep mocha waiting.
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-pnpm-dev-")), "output.log");
    const fd = fs.openSync(log, "w");
    const dev = spawn("pnpm", ["dev"], { cwd: root, env: { ...process.env, PORT: String(apiPort), WEB_PORT: String(webPort) }, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    const output = () => fs.readFileSync(log, "utf8");
    const exited = once(dev, "exit");
    try {
      // Ready when the API answers directly and through Vite's proxy (which must follow PORT).
      const deadline = Date.now() + 240_000;
      let last: (number | string)[] = [];
      while (Date.now() < deadline && dev.exitCode === null) {
        last = [await status(`http://127.0.0.1:${apiPort}/api/health`), await status(`http://127.0.0.1:${webPort}/api/health`)];
        if (last.every((s) => s === 200)) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.deepEqual(last, [200, 200], `pnpm dev did not serve /api/health directly and through Vite:\n${output()}`);

      const address = networkAddress();
      assert.equal(await accepts(address, apiPort), false, `the API accepts connections on ${address}`);
      assert.equal(await accepts(address, webPort), false, `Vite accepts connections on ${address}`);
    } finally {
      dev.kill("SIGTERM");
      await exited;
    }
    // pnpm exits at once; the apps below it must follow within their grace period, not linger.
    const deadline = Date.now() + 15_000;
    let held = [true, true];
    while (Date.now() < deadline && held.some(Boolean)) {
      held = [await accepts("127.0.0.1", apiPort), await accepts("127.0.0.1", webPort)];
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.deepEqual(held, [false, false], `ports still held after SIGTERM (API, Vite):\n${output()}`);
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  });
});
