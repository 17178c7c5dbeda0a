// Loads the program the way `pulumi up` does: @pulumi/pulumi/cmd/run/run.js registers ts-node (its vendored
// 7.0.1 unless the project installs one) with the project's TypeScript and tsconfig, type-checking on, then
// requires index.ts. Plain JavaScript, because nothing TypeScript can load before ts-node is registered.
//   node test/support/load-like-pulumi.js <stack>
"use strict";
const path = require("path");
const root = path.resolve(__dirname, "../..");
const stack = process.argv[2];
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [root] }));
const tsutils = require(path.join(pulumiDir, "tsutils.js"));
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const tsconfig = path.join(root, "tsconfig.json");
// The same options run.js passes for a CommonJS project on TypeScript >= 4.7.
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly: undefined,
  project: tsconfig,
  skipProject: false,
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...tsutils.loadTypeScriptCompilerOptions(tsconfig) },
});
const pulumi = require(path.join(pulumiDir, "index.js"));
const { mocks } = require(path.join(root, "offline/mocks.ts"));
const { stackConfig } = require(path.join(root, "offline/evaluate-stack.ts"));
pulumi.runtime.setAllConfig(stackConfig(stack, {}));
pulumi.runtime.setMocks(mocks, "nexiom", stack, false).then(() => {
  process.chdir(root);
  const program = require(path.join(root, "index.ts"));
  program.url.apply((url) => console.log(`loaded with ${path.basename(tsnodeRequire)}: url ${url}`));
});
