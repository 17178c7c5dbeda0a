import { strict as assert } from "node:assert";
import { evaluateOk, find, ofType, type RecordedResource } from "../offline/evaluate";

const container = async (name: string, overrides: Record<string, string> = {}) =>
  find(await evaluateOk("dev", overrides), "docker:index/container:Container", `${name}-container`);

describe("dev stack (local Docker)", () => {
  it("puts every container on the private nexiom-network, reachable by its service name", async () => {
    const dev = await evaluateOk("dev");
    assert.equal(find(dev, "docker:index/network:Network", "nexiom-network").inputs.name, "nexiom-network");
    for (const name of ["db", "cache", "api", "web"]) {
      assert.deepEqual((await container(name)).inputs.networksAdvanced, [{ name: "nexiom-network", aliases: [name] }], name);
    }
  });

  it("API starts only after PostgreSQL and Redis report healthy (Compose's service_healthy)", async () => {
    const api = await container("api");
    for (const name of ["db", "cache"]) {
      const dependency = await container(name);
      assert.ok(api.dependsOn.includes(dependency.urn), `api depends on ${name}`);
      assert.equal(dependency.inputs.wait, true, `${name} is awaited until healthy`);
      assert.ok((dependency.inputs.healthcheck as { tests: string[] }).tests.length > 0, `${name} has a health check`);
    }
  });

  it("web starts after the API is healthy, so nginx can resolve api:3000 when it loads its config", async () => {
    const web = await container("web");
    const api = await container("api");
    assert.ok(web.dependsOn.includes(api.urn));
    assert.equal(api.inputs.wait, true);
    assert.ok((web.inputs.envs as string[]).includes("API_UPSTREAM=api:3000"));
  });

  it("replaces the web container with the API's, since nginx resolves api:3000 only when it starts", async () => {
    const web = await container("web");
    const api = await container("api");
    assert.deepEqual(web.inputs.labels, [{ label: "nexiom.upstream.api", value: api.id }]);
    assert.deepEqual(web.replaceOnChanges, ["labels"]);
    assert.deepEqual(api.inputs.labels, [], "the API re-resolves PostgreSQL and Redis on reconnect, so it is not replaced with them");
  });

  it("publishes the API on 127.0.0.1:3001 (beside `pnpm dev` on 3000) and the web app on the configured port", async () => {
    assert.deepEqual((await container("api")).inputs.ports, [{ internal: 3000, external: 3001, ip: "127.0.0.1", protocol: "tcp" }]);
    assert.deepEqual((await container("web")).inputs.ports, [{ internal: 8080, external: 8080, ip: "127.0.0.1", protocol: "tcp" }]);
    const moved = await container("web", { webHostPort: "9090" });
    assert.deepEqual(moved.inputs.ports, [{ internal: 8080, external: 9090, ip: "127.0.0.1", protocol: "tcp" }]);
    assert.equal((await evaluateOk("dev", { webHostPort: "9090" })).outputs.url, "http://localhost:9090");
  });

  it("publishes nothing of PostgreSQL or Redis on the host", async () => {
    for (const name of ["db", "cache"]) assert.equal((await container(name)).inputs.ports, undefined, name);
  });

  it("keeps PostgreSQL's data on a named volume that survives `pulumi destroy` by default", async () => {
    const dev = await evaluateOk("dev");
    const volume = find(dev, "docker:index/volume:Volume", "db-data");
    assert.equal(volume.retainOnDelete, true);
    assert.deepEqual((await container("db")).inputs.mounts, [{ type: "volume", source: "nexiom-postgres-data", target: "/var/lib/postgresql/data" }]);
  });

  it("drops the volume on destroy when protectData is false", async () => {
    const dev = await evaluateOk("dev", { protectData: "false" });
    assert.equal(find(dev, "docker:index/volume:Volume", "db-data").retainOnDelete, false);
    assert.equal(find(dev, "docker:index/volume:Volume", "db-data").protect, false);
    assert.equal(find(dev, "random:index/randomPassword:RandomPassword", "db-password").protect, false);
  });

  it("keeps the database password exactly as long as the data it opens: both protected together", async () => {
    const dev = await evaluateOk("dev");
    assert.equal(find(dev, "docker:index/volume:Volume", "db-data").protect, true);
    assert.equal(find(dev, "random:index/randomPassword:RandomPassword", "db-password").protect, true);
    // The cache holds nothing: its password may be new on every re-creation.
    assert.equal(find(dev, "random:index/randomPassword:RandomPassword", "cache-password").protect, false);
  });

  it("runs PostgreSQL of the same major version as Aurora", async () => {
    const image = find(await evaluateOk("dev"), "docker:index/remoteImage:RemoteImage", "db-image");
    const cluster = find(await evaluateOk("prod"), "aws:rds/cluster:Cluster", "db-cluster");
    const major = (version: string) => version.split(".")[0];
    assert.match(String(image.inputs.name), /^postgres:\d+\.\d+-alpine$/);
    assert.equal(major(String(image.inputs.name).split(":")[1]), major(String(cluster.inputs.engineVersion)));
  });

  it("pins the PostgreSQL and Valkey images to a version, never latest", async () => {
    const pulled = ofType(await evaluateOk("dev"), "docker:index/remoteImage:RemoteImage").filter((i) => !String(i.inputs.name).startsWith("nexiom-"));
    assert.deepEqual(pulled.map((i) => i.name).sort(), ["cache-image", "db-image"]);
    for (const image of pulled) assert.match(String(image.inputs.name), /:[0-9]+\.[0-9]+[^:]*$/, String(image.inputs.name));
  });

  it("replaces fixed-name containers delete-first, so the name and host port are free for the new one", async () => {
    for (const name of ["db", "cache", "api", "web"]) assert.equal((await container(name)).deleteBeforeReplace, true, name);
  });

  it("brings every container back after an engine restart, unless someone stopped it (a reboot leaves none down)", async () => {
    for (const name of ["db", "cache", "api", "web"]) {
      const { inputs } = await container(name);
      assert.equal(inputs.restart, "unless-stopped", name);
      assert.equal(inputs.maxRetryCount, undefined, `${name}: Docker refuses a retry count with unless-stopped`);
    }
  });

  it("runs every container as a non-root user, read-only, without capabilities or privilege escalation, memory-capped", async () => {
    const users: Record<string, string> = { db: "postgres", cache: "valkey", api: "1000", web: "101" };
    for (const [name, user] of Object.entries(users)) {
      const { inputs } = await container(name);
      assert.equal(inputs.user, user, name);
      assert.equal(inputs.readOnly, true, name);
      assert.deepEqual(inputs.capabilities, { drops: ["ALL"] }, name);
      assert.deepEqual(inputs.securityOpts, ["no-new-privileges:true"], name);
      assert.ok(Number(inputs.memory) >= 128, name);
    }
  });

  it("gives nginx writable tmpfs for its temp files and its filled template, and nothing else", async () => {
    assert.deepEqual(Object.keys((await container("web")).inputs.tmpfs as object).sort(), ["/etc/nginx/conf.d", "/tmp"]);
  });

  it("owns each app's tmpfs mounts by the app's user, which Docker would otherwise leave to root", async () => {
    for (const [name, uid] of [["api", "1000"], ["web", "101"]]) {
      const tmpfs = (await container(name)).inputs.tmpfs as Record<string, string>;
      for (const [path, options] of Object.entries(tmpfs)) assert.match(options, new RegExp(`(^|,)uid=${uid}(,|$)`), `${name} ${path}`);
    }
  });

  it("generates the database and cache passwords and passes them only as secrets", async () => {
    const dev = await evaluateOk("dev");
    const secretEnv = (c: RecordedResource) =>
      (c.inputs.envs as string[]).filter((_, i) => c.secretPaths.includes(`envs[${i}]`)).map((e) => e.split("=")[0]);
    assert.deepEqual(secretEnv(await container("db")), ["POSTGRES_PASSWORD"]);
    assert.deepEqual(secretEnv(await container("cache")), ["REDIS_PASSWORD"]);
    assert.equal(ofType(dev, "random:index/randomPassword:RandomPassword").length, 2);
  });

  it("prints where to find the product", async () => {
    const { outputs } = await evaluateOk("dev");
    assert.equal(outputs.url, "http://localhost:8080");
    assert.equal(outputs.apiUrl, "http://localhost:3001/api");
  });
});
