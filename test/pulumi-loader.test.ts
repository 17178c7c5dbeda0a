import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

describe("the program under `pulumi up`'s own TypeScript loader", () => {
  for (const stack of ["dev", "prod"]) {
    it(`${stack}: loads and type-checks with the ts-node and TypeScript that Pulumi's Node.js runtime picks`, () => {
      const result = spawnSync(process.execPath, [path.join(__dirname, "support/load-like-pulumi.js"), stack], { encoding: "utf8", timeout: 120_000 });
      assert.equal(result.status, 0, result.stderr);
      // The env contract lives in apps/api, an ES module package: it must still load into this CommonJS program.
      assert.match(result.stdout, /^loaded with ts-node@7\.0\.1: url http/m);
    });
  }
});
