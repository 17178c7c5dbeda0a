import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import dockerignoreModule from "@balena/dockerignore";
import { Copy, DockerfileParser, PropertyInstruction, type From, type Instruction } from "dockerfile-ast";
import { apiRoot, repoRoot } from "./support/api-process.js";
import { args, dockerfilePath, healthcheckCommand, keyword, parseStages, stage } from "./support/dockerfile.js";

// CommonJS module.exports = factory; its typings declare an ES default export instead.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

const pinnedNodeAlpine = /^node:24\.\d+\.\d+-alpine3\.2\d$/;

/** What `docker build` would send with context = repository root, after Dockerfile.dockerignore. */
function contextFiles(): string[] {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  const ignore = dockerignore({ ignorecase: false }).add(readFileSync(join(apiRoot, "Dockerfile.dockerignore"), "utf8").split("\n"));
  return ignore.filter(files);
}

describe("apps/api/Dockerfile", () => {
  it("has exactly the stages builder and runner, both on the same pinned node alpine image", () => {
    const stages = parseStages();
    assert.deepEqual(stages.map((s) => s.name), ["builder", "runner"]);
    for (const s of stages) assert.match(s.image, pinnedNodeAlpine);
    assert.equal(stages[0].image, stages[1].image);
  });

  it("installs from the lockfile before copying sources, so source changes reuse the install layer", () => {
    const builder = stage("builder").instructions.map((i) => `${i.getKeyword()} ${i.getArgumentsContent()}`);
    const install = builder.findIndex((line) => /^RUN .*pnpm install --frozen-lockfile --filter @nexiom\/api\.\.\./s.test(line));
    const sources = builder.findIndex((line) => /^COPY apps\/api\/ /.test(line));
    const lockfile = builder.findIndex((line) => /^COPY .*pnpm-lock\.yaml/.test(line));
    assert.ok(lockfile >= 0 && install > lockfile, "lockfile copied, then install");
    assert.ok(sources > install, "sources copied after install");
    assert.ok(builder.some((line) => /^RUN pnpm --filter @nexiom\/api run build$/.test(line)));
  });

  it("runs as the unprivileged node user in the runner", () => {
    assert.deepEqual(keyword(stage("runner"), "USER").map((u) => args(u)[0]), ["node"]);
  });

  it("starts node dist/main.js", () => {
    assert.deepEqual(keyword(stage("runner"), "CMD").map(args), [["node", "dist/main.js"]]);
  });

  it("exposes 3000", () => {
    assert.deepEqual(keyword(stage("runner"), "EXPOSE").map((e) => args(e)[0]), ["3000"]);
  });

  it("health-checks the runner with node itself, not curl", () => {
    const [healthcheck] = keyword(stage("runner"), "HEALTHCHECK");
    assert.ok(healthcheck);
    const command = healthcheckCommand(healthcheck);
    assert.equal(command[0], "node");
    assert.match(command.join(" "), /\/api\/health/);
  });
});

// CIS Docker Benchmark, section 4 (images and build files), and the Dockerfile rules in
// shared/REFERENCES.md. Each rule reads a Dockerfile's text with dockerfile-ast and returns its
// violations, one readable line each, so a failure says what to fix.

interface ParsedStage {
  name: string;
  from: From;
  /** The stage's instructions after its FROM. */
  steps: Instruction[];
}

function parse(text: string): ParsedStage[] {
  const dockerfile = DockerfileParser.parse(text);
  return dockerfile.getFROMs().map((from, index) => ({
    name: from.getBuildStage() ?? String(index),
    from,
    steps: dockerfile.getContainingImage(from.getRange().start)!.getInstructions().filter((i) => i.getKeyword() !== "FROM"),
  }));
}

const steps = (s: ParsedStage, keyword: string) => s.steps.filter((i) => i.getKeyword() === keyword);
const line = (i: Instruction) => `line ${i.getRange().start.line + 1}: ${i.getKeyword()} ${i.getArgumentsContent() ?? ""}`;
/** The image that runs: the last stage. */
const final = (parsed: ParsedStage[]) => parsed.at(-1)!;
/** A COPY's sources (dockerfile-ast leaves the --flags out of the arguments). */
const copySources = (copy: Instruction) => copy.getArguments().slice(0, -1).map((a) => a.getValue());
const copyFrom = (copy: Instruction) => (copy instanceof Copy ? copy.getFromFlag()?.getValue() : undefined) ?? undefined;

/** Exec form: a JSON array of strings, which Docker runs without a shell (signals reach the process). */
function execForm(i: Instruction): boolean {
  try {
    const value: unknown = JSON.parse(i.getArgumentsContent() ?? "");
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string");
  } catch {
    return false;
  }
}

/** Names that are never root in the images we build on (node: uid 1000, nginx: uid 101). */
const knownNonRootUsers = new Set(["node", "nginx", "nobody", "www-data"]);
const secretWords = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE/i;
/** Literals shaped like secrets: private keys, AWS access keys, GitHub and npm tokens, passwords in URLs. */
const secretShapes = /-----BEGIN [A-Z ]*PRIVATE KEY|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}|\bnpm_[A-Za-z0-9]{20,}|:\/\/[^/\s:@]+:[^/\s@]+@/;
const packageManagers = /\b(apk|apt-get|apt|dnf|yum|npm|npx|pnpm|yarn|corepack|pip3?|curl|wget)\b/;
/** What a runner never needs from the builder: sources, manifests, dependencies, the workspace itself. */
const notBuildOutput = /(^|\/)(src|node_modules|\.pnpm-store|\.git|package\.json|pnpm-lock\.yaml|pnpm-workspace\.yaml|tsconfig[^/]*\.json)(\/|$)|^(\.|\/|\.\/)?$/;

const rules = {
  /** CIS 4.1: the final stage's last USER is a uid other than 0, or a known non-root name. */
  nonRootUser(parsed: ParsedStage[]): string[] {
    const user = steps(final(parsed), "USER").at(-1);
    if (!user) return ["the final stage sets no USER, so it runs as root"];
    const name = (user.getArgumentsContent() ?? "").split(":")[0]!;
    const nonRoot = /^\d+$/.test(name) ? Number(name) !== 0 : knownNonRootUsers.has(name);
    return nonRoot ? [] : [`${line(user)}: not a non-root uid or a known non-root user`];
  },

  /** CIS 4.2: every base image has an exact x.y.z version tag (not latest, not a bare major or major.minor). */
  pinnedBaseImages(parsed: ParsedStage[]): string[] {
    const earlier = new Set<string>();
    const violations: string[] = [];
    for (const s of parsed) {
      const image = s.from.getImageName() ?? "";
      const tag = s.from.getImageTag() ?? "";
      if (!earlier.has(image) && !/^v?\d+\.\d+\.\d+([-_.+][\w.-]+)?$/.test(tag)) {
        violations.push(`${line(s.from)}: tag ${tag || "(none, so latest)"} is not an exact version`);
      }
      earlier.add(s.name);
    }
    return violations;
  },

  /** CIS 4.6: the final stage declares a HEALTHCHECK with a command (not NONE). */
  healthcheck(parsed: ParsedStage[]): string[] {
    const healthcheck = steps(final(parsed), "HEALTHCHECK").at(-1);
    const subcommand = healthcheck?.getArguments()[0]?.getValue().toUpperCase();
    return subcommand === "CMD" ? [] : ["the final stage has no HEALTHCHECK CMD"];
  },

  /** Exec form for CMD and ENTRYPOINT: no /bin/sh -c in between, so SIGTERM/SIGQUIT reach the server. */
  execFormCommands(parsed: ParsedStage[]): string[] {
    return parsed.flatMap((s) => [...steps(s, "CMD"), ...steps(s, "ENTRYPOINT")].filter((i) => !execForm(i)).map((i) => `${line(i)}: not a JSON array`));
  },

  /** CIS 4.9: COPY, never ADD (which fetches URLs and unpacks archives). */
  noAdd(parsed: ParsedStage[]): string[] {
    return parsed.flatMap((s) => steps(s, "ADD").map(line));
  },

  /** CIS 4.10: no ARG or ENV whose name or value looks like a secret; secrets come in as build secrets. */
  noSecrets(parsed: ParsedStage[]): string[] {
    return parsed.flatMap((s) =>
      s.steps
        .flatMap((i) => (i instanceof PropertyInstruction && ["ARG", "ENV"].includes(i.getKeyword()) ? i.getProperties() : []))
        .filter((p) => secretWords.test(p.getName()) || secretWords.test(p.getValue() ?? "") || secretShapes.test(p.getValue() ?? ""))
        .map((p) => `stage ${s.name}: ${p.getName()} looks like a secret`),
    );
  },

  /** A RUN that pipes comes after a SHELL with -o pipefail, or a failing command before `|` goes unnoticed. */
  pipefail(parsed: ParsedStage[]): string[] {
    return parsed.flatMap((s) => {
      let pipefail = false;
      const violations: string[] = [];
      for (const i of s.steps) {
        if (i.getKeyword() === "SHELL") {
          const shell = execForm(i) ? (JSON.parse(i.getArgumentsContent()!) as string[]) : [];
          pipefail = shell.some((arg, k) => arg === "pipefail" && /^-\w*o$/.test(shell[k - 1] ?? ""));
        }
        if (i.getKeyword() === "RUN" && !execForm(i) && /(^|[^|])\|([^|]|$)/.test(i.getArgumentsContent() ?? "") && !pipefail) {
          violations.push(`${line(i)}: pipes without SHELL ["/bin/sh", "-o", "pipefail", "-c"]`);
        }
      }
      return violations;
    });
  },

  /** CIS 4.3: the final stage copies from an earlier stage only, never from the build context or another image. */
  runnerCopiesFromBuilderOnly(parsed: ParsedStage[]): string[] {
    const earlier = new Set(parsed.slice(0, -1).map((s) => s.name));
    return steps(final(parsed), "COPY")
      .filter((copy) => !earlier.has(copyFrom(copy) ?? ""))
      .map((copy) => `${line(copy)}: not from the builder`);
  },

  /** CIS 4.3: what the final stage takes from the builder is build output: no sources, manifests, node_modules or whole workspace. */
  runnerTakesBuildOutputOnly(parsed: ParsedStage[]): string[] {
    const workdirs = new Set(parsed.flatMap((s) => steps(s, "WORKDIR").map((w) => posix.normalize(w.getArgumentsContent() ?? ""))));
    return steps(final(parsed), "COPY")
      .filter((copy) => copySources(copy).some((source) => notBuildOutput.test(source) || workdirs.has(posix.normalize(source))))
      .map((copy) => `${line(copy)}: copies more than build output`);
  },

  /** CIS 4.3: the final stage starts from a base image, not from the builder with its toolchain. */
  runnerStartsClean(parsed: ParsedStage[]): string[] {
    const earlier = new Set(parsed.slice(0, -1).map((s) => s.name));
    const from = final(parsed).from;
    return earlier.has(from.getImageName() ?? "") ? [`${line(from)}: builds on an earlier stage`] : [];
  },

  /** CIS 4.3: nothing is installed or downloaded in the final stage. */
  runnerInstallsNothing(parsed: ParsedStage[]): string[] {
    return steps(final(parsed), "RUN")
      .filter((run) => packageManagers.test(run.getArgumentsContent() ?? ""))
      .map((run) => `${line(run)}: installs or downloads in the runner`);
  },
};

describe("apps/api/Dockerfile follows the CIS Docker Benchmark (section 4)", () => {
  const text = readFileSync(dockerfilePath, "utf8");
  const parsed = parse(text);

  it("the final stage is the runner", () => {
    assert.equal(final(parsed).name, "runner");
  });

  it("runs as a non-root user, by uid or a known non-root name (4.1)", () => {
    assert.deepEqual(rules.nonRootUser(parsed), []);
  });

  it("pins every base image to an exact version tag (4.2)", () => {
    assert.deepEqual(rules.pinnedBaseImages(parsed), []);
  });

  it("health-checks the runner (4.6)", () => {
    assert.deepEqual(rules.healthcheck(parsed), []);
  });

  it("writes CMD and ENTRYPOINT in exec form, so SIGTERM reaches node", () => {
    assert.deepEqual(rules.execFormCommands(parsed), []);
  });

  it("uses COPY, never ADD (4.9)", () => {
    assert.deepEqual(rules.noAdd(parsed), []);
  });

  it("declares no ARG or ENV that looks like a secret (4.10)", () => {
    assert.deepEqual(rules.noSecrets(parsed), []);
  });

  it("pipes in RUN only under a SHELL with pipefail", () => {
    assert.deepEqual(rules.pipefail(parsed), []);
  });

  it("the runner copies from the builder only, never from the context (4.3)", () => {
    assert.deepEqual(rules.runnerCopiesFromBuilderOnly(parsed), []);
  });

  it("the runner takes build output only: no sources, manifests or node_modules (4.3)", () => {
    assert.deepEqual(rules.runnerTakesBuildOutputOnly(parsed), []);
  });

  it("the runner starts from a base image, not from the builder and its toolchain (4.3)", () => {
    assert.deepEqual(rules.runnerStartsClean(parsed), []);
  });

  it("the runner installs and downloads nothing (4.3)", () => {
    assert.deepEqual(rules.runnerInstallsNothing(parsed), []);
  });

  // Each rule must be able to fail: one typical mistake, applied to the real Dockerfile.
  const mistakes: Array<[keyof typeof rules, string, RegExp, string]> = [
    ["nonRootUser", "USER root", /^USER node$/m, "USER root"],
    ["nonRootUser", "no USER", /^USER node\n/m, ""],
    ["pinnedBaseImages", "a bare major tag", /node:24\.\d+\.\d+-alpine3\.\d+/, "node:24-alpine"],
    ["pinnedBaseImages", "no tag (latest)", /^FROM \S+ AS runner$/m, "FROM node AS runner"],
    ["healthcheck", "no HEALTHCHECK", /^HEALTHCHECK (.*\\\n)*.*\n/m, ""],
    ["execFormCommands", "a shell-form CMD", /^CMD \[.*\]$/m, "CMD node dist/main.js"],
    ["noAdd", "ADD", /^COPY apps\/api\/ /m, "ADD apps/api/ "],
    ["noSecrets", "a password in ENV", /^ENV NODE_ENV=production$/m, "ENV NODE_ENV=production DATABASE_PASSWORD=hunter2"],
    ["pipefail", "a pipe without pipefail", /^RUN pnpm --filter @nexiom\/api run build$/m, "RUN pnpm --filter @nexiom/api run build | tee build.log"],
    ["runnerCopiesFromBuilderOnly", "a COPY from the context", /^COPY --from=builder /m, "COPY "],
    ["runnerTakesBuildOutputOnly", "node_modules", /\/repo\/apps\/api\/dist /, "/repo/node_modules "],
    ["runnerStartsClean", "FROM builder", /^FROM \S+ AS runner$/m, "FROM builder AS runner"],
    ["runnerInstallsNothing", "apk add", /^USER node$/m, "RUN apk add --no-cache curl\nUSER node"],
  ];
  for (const [rule, mistake, regex, replacement] of mistakes) {
    it(`${rule} catches ${mistake}`, () => {
      assert.match(text, regex, "the Dockerfile changed: update this mistake's pattern");
      assert.notDeepEqual(rules[rule](parse(text.replace(regex, replacement))), []);
    });
  }
});

describe("apps/api/Dockerfile.dockerignore (context = repository root)", () => {
  it("lets in every path the builder copies from the context", () => {
    const files = contextFiles();
    for (const copy of keyword(stage("builder"), "COPY")) {
      const sources = args(copy).slice(0, -1);
      for (const source of sources) {
        const path = source.replace(/\/$/, "");
        assert.ok(files.some((file) => file === path || file.startsWith(`${path}/`)), `${source} is not in the build context`);
      }
    }
  });

  it("leaves out apps/web, the Pulumi program and the API's tests, so their changes do not touch the API build", () => {
    const files = contextFiles();
    const outside = files.filter((file) => !/^(package\.json|pnpm-lock\.yaml|pnpm-workspace\.yaml|tsconfig\.base\.json|apps\/api\/.*)$/.test(file));
    assert.deepEqual(outside, []);
    assert.ok(!files.some((file) => file.startsWith("apps/api/test/") || file.startsWith("apps/api/bench/")));
  });
});
