/**
 * Stand-in for `pulumi-language-nodejs`, the Pulumi CLI's Node.js language host.
 *
 * Why a stand-in: the Go module proxy this machine reaches refuses the module
 * `github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3` (403, "not available"), and no
 * other source of the binary is reachable. The Pulumi CLI itself builds from the proxy and is real.
 *
 * The contract kept (what the CLI relies on): started with the engine's address as the last
 * argument, it serves the `pulumirpc.LanguageRuntime` gRPC service on a free port and prints that
 * port on stdout. `Run` executes the program with the harness `@pulumi/pulumi` ships
 * (`cmd/run`), exactly as the real host does: config in `PULUMI_CONFIG`, secret keys in
 * `PULUMI_CONFIG_SECRET_KEYS`, TypeScript through the SDK's vendored ts-node when the project's
 * runtime option `typescript` is not false, and exit code 32 meaning "the error was already shown".
 * `GetRequiredPlugins` lists the resource plugins of every package under node_modules whose
 * package.json says `"pulumi": { "resource": true }`.
 *
 * Not implemented (the CLI falls back or does not call them for up/preview/refresh/destroy):
 * GetRequiredPackages (the CLI falls back to GetRequiredPlugins on UNIMPLEMENTED), code generation,
 * packing, linking, templates, policy packs, and `pulumi install`'s dependency installation.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

// The gRPC runtime and generated stubs that @pulumi/pulumi itself uses, so the wire format matches the CLI's.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const sdkRequire = (id: string) => require(require.resolve(id, { paths: [sdkDir] }));
const grpc = sdkRequire("@grpc/grpc-js");
const languageRpc = require(path.join(sdkDir, "proto/language_grpc_pb.js"));
const languageProto = require(path.join(sdkDir, "proto/language_pb.js"));
const pluginProto = require(path.join(sdkDir, "proto/plugin_pb.js"));
const emptyProto = sdkRequire("google-protobuf/google/protobuf/empty_pb.js");

/** The version this stand-in reports: the SDK's, as the real host (built with the CLI) would be. */
const version: string = require(path.join(sdkDir, "package.json")).version;
/** The harness exit code that means "the program's error was already reported to the user". */
const errorAlreadyReported = 32;

type Callback = (error: unknown, response?: unknown) => void;
interface Call<T> { request: T }

const engineAddress = process.argv[process.argv.length - 1];

/** Every resource plugin the program's dependencies declare, as the real host discovers them. */
function requiredPlugins(programDirectory: string): { name: string; version: string; server: string }[] {
  const found = new Map<string, { name: string; version: string; server: string }>();
  const visit = (dir: string, inNodeModules: boolean, depth: number) => {
    if (depth > 12) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDirectory = fs.statSync(full).isDirectory();
        } catch {
          continue;
        }
      }
      if (isDirectory) {
        if (entry.name === ".pnpm" || (!inNodeModules && entry.name !== "node_modules")) continue;
        visit(full, inNodeModules || path.basename(dir) === "node_modules" || entry.name === "node_modules", depth + 1);
      } else if (inNodeModules && entry.name === "package.json") {
        const pkg = JSON.parse(fs.readFileSync(full, "utf8"));
        if (!pkg.pulumi?.resource) continue;
        const name = pkg.pulumi.name ?? String(pkg.name).replace(/^@pulumi\//, "").replace(/^@/, "");
        const pluginVersion = `v${String(pkg.pulumi.version ?? pkg.version).replace(/^v/, "")}`;
        found.set(`${name}@${pluginVersion}`, { name, version: pluginVersion, server: pkg.pulumi.server ?? "" });
      }
    }
  };
  visit(programDirectory, false, 0);
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs the program through the SDK's harness and resolves with (error message, bail). */
function runProgram(request: any): Promise<{ error: string; bail: boolean }> {
  const info = request.getInfo();
  const options = info?.getOptions()?.toJavaScript() ?? {};
  const programDirectory: string = info?.getProgramDirectory() || request.getPwd();
  const entryPoint: string = info?.getEntryPoint() || request.getProgram() || ".";
  const harness = require.resolve("@pulumi/pulumi/cmd/run", { paths: [programDirectory] });

  const args = [
    harness,
    `--monitor=${request.getMonitorAddress()}`,
    `--engine=${engineAddress}`,
    `--project=${request.getProject()}`,
    `--stack=${request.getStack()}`,
    `--pwd=${request.getPwd()}`,
    `--organization=${request.getOrganization()}`,
    `--root-directory=${info?.getRootDirectory() ?? programDirectory}`,
  ];
  if (request.getDryrun()) args.push("--dry-run");
  if (request.getParallel() > 0) args.push(`--parallel=${request.getParallel()}`);
  args.push(entryPoint, ...request.getArgsList());

  const config: Record<string, string> = {};
  request.getConfigMap().forEach((value: string, key: string) => (config[key] = value));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.getConfigsecretkeysList()),
    PULUMI_NODEJS_TYPESCRIPT: String(options.typescript !== false),
  };
  if (typeof options.tsconfig === "string") env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;

  return new Promise((resolve) => {
    // The program's output goes straight to the CLI, which shows it as the real host's would be.
    const child = spawn(process.execPath, args, { cwd: request.getPwd(), env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (error) => resolve({ error: `could not start node: ${error.message}`, bail: false }));
    child.on("close", (code, signal) => {
      if (code === 0) resolve({ error: "", bail: false });
      else if (code === errorAlreadyReported) resolve({ error: "", bail: true });
      else resolve({ error: `Program exited with ${signal ? `signal ${signal}` : `exit code ${code}`}`, bail: false });
    });
  });
}

const service = {
  handshake(_call: Call<unknown>, callback: Callback) {
    callback(null, new languageProto.LanguageHandshakeResponse());
  },
  getPluginInfo(_call: Call<unknown>, callback: Callback) {
    const response = new pluginProto.PluginInfo();
    response.setVersion(version);
    callback(null, response);
  },
  getRequiredPlugins(call: Call<any>, callback: Callback) {
    try {
      const directory = call.request.getInfo()?.getProgramDirectory() || call.request.getPwd() || process.cwd();
      const response = new languageProto.GetRequiredPluginsResponse();
      response.setPluginsList(
        requiredPlugins(directory).map((plugin) => {
          const dependency = new pluginProto.PluginDependency();
          dependency.setName(plugin.name);
          dependency.setKind("resource");
          dependency.setVersion(plugin.version);
          dependency.setServer(plugin.server);
          return dependency;
        }),
      );
      callback(null, response);
    } catch (error) {
      callback(error);
    }
  },
  run(call: Call<any>, callback: Callback) {
    runProgram(call.request).then(({ error, bail }) => {
      const response = new languageProto.RunResponse();
      response.setError(error);
      response.setBail(bail);
      callback(null, response);
    }, callback);
  },
  runtimeOptionsPrompts(_call: Call<unknown>, callback: Callback) {
    callback(null, new languageProto.RuntimeOptionsResponse());
  },
  about(_call: Call<unknown>, callback: Callback) {
    const response = new languageProto.AboutResponse();
    response.setExecutable(process.execPath);
    response.setVersion(process.version);
    callback(null, response);
  },
  getProgramDependencies(_call: Call<unknown>, callback: Callback) {
    callback(null, new languageProto.GetProgramDependenciesResponse());
  },
  cancel(_call: Call<unknown>, callback: Callback) {
    callback(null, new emptyProto.Empty());
  },
};

const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
server.addService(languageRpc.LanguageRuntimeService, service);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error: Error | null, port: number) => {
  if (error) {
    console.error(`pulumi-language-nodejs (stand-in): could not listen: ${error.message}`);
    process.exit(1);
  }
  // The CLI reads the port from the first line of stdout.
  process.stdout.write(`${port}\n`);
});
