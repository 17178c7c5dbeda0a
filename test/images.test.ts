import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { contextDigest, type BuildDefinition } from "../components/image/build-definition";
import { DockerfileParser } from "dockerfile-ast";
import { apiTaskContainer, taskContainer } from "./support/containers";
import { evaluateOk, find, ofType } from "../offline/evaluate";
import { digestOf } from "../offline/mocks";

const buildKeys = ["context", "dockerfile", "target", "buildArgs"] as const;

describe("shared image builds", () => {
  it("build each app from the same Dockerfile, context, target and build args in both stacks", async () => {
    const dev = await evaluateOk("dev");
    const prod = await evaluateOk("prod");
    for (const app of ["api", "web"]) {
      const inDev = find(dev, "docker-build:index:Image", `${app}-build`).inputs;
      const inProd = find(prod, "docker-build:index:Image", `${app}-build`).inputs;
      for (const key of buildKeys) assert.deepEqual(inDev[key], inProd[key], `${app} ${key}`);
      assert.deepEqual(inDev.dockerfile, { location: `apps/${app}/Dockerfile` });
      assert.deepEqual(inDev.context, { location: "." });
      assert.equal(inDev.target, "runner");
    }
  });

  it("the target stage named in the program exists in both Dockerfiles", () => {
    for (const app of ["api", "web"]) {
      const dockerfile = fs.readFileSync(path.resolve(__dirname, `../apps/${app}/Dockerfile`), "utf8");
      assert.match(dockerfile, /^FROM\s+\S+\s+AS\s+runner\s*$/im, app);
    }
  });

  it("dev loads the image into the local engine and does not push it", async () => {
    const dev = await evaluateOk("dev");
    const build = find(dev, "docker-build:index:Image", "api-build").inputs;
    assert.equal(build.load, true);
    assert.equal(build.push, false);
    assert.deepEqual(build.tags, [`nexiom-api:${(dev.outputs.imageTags as Record<string, string>).api}`]);
  });

  it("prod pushes to its ECR repository for Fargate's platform, with a registry layer cache", async () => {
    const prod = await evaluateOk("prod");
    const build = find(prod, "docker-build:index:Image", "api-build").inputs;
    const repositoryUrl = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/nexiom/api";
    assert.equal(build.push, true);
    assert.deepEqual(build.platforms, ["linux/amd64"]);
    assert.deepEqual(build.tags, [`${repositoryUrl}:${(prod.outputs.imageTags as Record<string, string>).api}`]);
    assert.deepEqual(build.cacheFrom, [{ registry: { ref: `${repositoryUrl}:cache` } }]);
    assert.deepEqual(build.cacheTo, [{ registry: { ref: `${repositoryUrl}:cache`, mode: "max", imageManifest: true, ociMediaTypes: true } }]);
    assert.equal(build.registries, undefined, "short-lived ECR tokens must not be resource inputs");
  });

  it("dev containers run the engine's image ID, not a tag, so an unchanged image never recreates them", async () => {
    const dev = await evaluateOk("dev");
    const local = find(dev, "docker:index/remoteImage:RemoteImage", "api-local");
    const container = find(dev, "docker:index/container:Container", "api-container");
    const [builtTag] = find(dev, "docker-build:index:Image", "api-build").inputs.tags as string[];
    assert.equal(local.inputs.name, builtTag);
    assert.equal(local.inputs.keepLocally, true);
    // The mock engine's ID for that tag: the container gets exactly what the engine reports for the loaded build.
    assert.equal(container.inputs.image, `sha256:${digestOf(["image", builtTag])}`);
  });

  it("prod task definitions pin the image by the digest the push reported", async () => {
    const container = await apiTaskContainer();
    assert.match(container.image, /^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/nexiom\/api@sha256:[0-9a-f]{64}$/);
  });

  it("previews need neither a build nor a Docker engine", async () => {
    for (const stack of ["dev", "prod"]) {
      for (const image of ofType(await evaluateOk(stack), "docker-build:index:Image")) assert.equal(image.inputs.buildOnPreview, false);
    }
  });

  it("ECR repositories scan on push, keep tags immutable except the ones the build writes, and expire old images", async () => {
    const prod = await evaluateOk("prod");
    for (const repository of ofType(prod, "aws:ecr/repository:Repository")) {
      assert.deepEqual(repository.inputs.imageScanningConfiguration, { scanOnPush: true });
      assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
      assert.deepEqual(repository.inputs.imageTagMutabilityExclusionFilters, [
        { filter: "cache", filterType: "WILDCARD" },
        { filter: "build-*", filterType: "WILDCARD" },
      ]);
    }
    assert.equal(ofType(prod, "aws:ecr/lifecyclePolicy:LifecyclePolicy").length, 2);
  });

  it("ECR never refuses a push of the deploy: every tag the build writes may be written again, other tags stay immutable", async () => {
    const prod = await evaluateOk("prod");
    // ECR's WILDCARD filters: `*` matches any run of characters.
    const rewritable = (repository: string, tag: string) => {
      const filters = find(prod, "aws:ecr/repository:Repository", `${repository}-repository`).inputs.imageTagMutabilityExclusionFilters as { filter: string }[];
      return filters.some(({ filter }) => new RegExp(`^${filter.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(tag));
    };
    for (const app of ["api", "web"]) {
      const build = find(prod, "docker-build:index:Image", `${app}-build`).inputs;
      const written = [...(build.tags as string[]), ...(build.cacheTo as { registry: { ref: string } }[]).map((c) => c.registry.ref)].map((ref) => ref.split(":").pop()!);
      assert.equal(written.length, 2);
      for (const tag of written) assert.ok(rewritable(app, tag), `${app}: ECR would refuse to rewrite ${tag}`);
      for (const releaseTag of ["v1.2.0", "latest", "prod"]) assert.ok(!rewritable(app, releaseTag), `${app}: ${releaseTag} should stay immutable`);
    }
  });

  it("the pushed tag names one image: it covers file permissions and the platform, so it moves only off images no task uses", async () => {
    const prod = await evaluateOk("prod");
    const dev = await evaluateOk("dev");
    const tags = (record: typeof prod) => record.outputs.imageTags as Record<string, string>;
    assert.match(tags(prod).api, /^build-[0-9a-f]{16}$/);
    assert.match(tags(dev).api, /^[0-9a-f]{16}$/);
    assert.notEqual(tags(prod).api.slice("build-".length), tags(dev).api, "dev's tag leaves out permissions and platform");
  });
});

describe("images and the program agree", () => {
  /** Paths declared with VOLUME in a Dockerfile's runner stage. */
  const runnerVolumes = (app: string): string[] => {
    const dockerfile = DockerfileParser.parse(fs.readFileSync(path.resolve(__dirname, `../apps/${app}/Dockerfile`), "utf8"));
    const runnerStart = dockerfile.getFROMs().findIndex((from) => from.getBuildStage() === "runner");
    assert.ok(runnerStart >= 0, `${app} has a runner stage`);
    const runnerLine = dockerfile.getFROMs()[runnerStart].getRange().start.line;
    return dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === "VOLUME" && i.getRange().start.line > runnerLine)
      .flatMap((i) => JSON.parse(i.getArgumentsContent() ?? "[]") as string[]);
  };

  for (const app of ["api", "web"]) {
    it(`${app}: every path the program keeps writable is a VOLUME in the image, so Fargate's task volume gets the image's ownership`, async () => {
      const container = await taskContainer(app);
      const writable = (container.mountPoints as { containerPath: string }[]).map((m) => m.containerPath).sort();
      assert.ok(writable.length > 0);
      assert.deepEqual(runnerVolumes(app).sort(), writable);
    });
  }
});

describe("content-derived image tags", () => {
  let root: string;
  const build: BuildDefinition = { context: ".", dockerfile: "apps/api/Dockerfile", target: "runner", buildArgs: {} };
  const write = (file: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-context-"));
    write("apps/api/Dockerfile", "FROM node:24-alpine AS runner\nCOPY apps/api/src ./src\n");
    write("apps/api/Dockerfile.dockerignore", "*\n!apps/api\n!package.json\napps/api/node_modules\n");
    write("apps/api/src/main.ts", "console.log('api');\n");
    write("apps/web/src/main.tsx", "console.log('web');\n");
    write("package.json", "{}\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("is the same for the same content, wherever the checkout lives", () => {
    const first = contextDigest(build, root);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "nexiom-copy-"));
    fs.cpSync(root, copy, { recursive: true });
    assert.equal(contextDigest(build, copy), first);
    fs.rmSync(copy, { recursive: true, force: true });
  });

  it("changes when a file in the build context changes", () => {
    const before = contextDigest(build, root);
    write("apps/api/src/main.ts", "console.log('api v2');\n");
    assert.notEqual(contextDigest(build, root), before);
  });

  it("does not change for files the Dockerfile's own .dockerignore excludes (another app, node_modules)", () => {
    const before = contextDigest(build, root);
    write("apps/web/src/main.tsx", "console.log('web v2');\n");
    write("apps/api/node_modules/pkg/index.js", "module.exports = 1;\n");
    write("README.md", "# changed\n");
    assert.equal(contextDigest(build, root), before);
  });

  it("changes with the target stage and with build args", () => {
    const before = contextDigest(build, root);
    assert.notEqual(contextDigest({ ...build, target: "builder" }, root), before);
    assert.notEqual(contextDigest({ ...build, buildArgs: { NODE_ENV: "production" } }, root), before);
  });

  it("for ECR, also changes with a file's permissions and with the target platform; dev's tag does not", () => {
    const identity = { fileModes: true, platform: "linux/amd64" };
    const before = contextDigest(build, root, identity);
    const devBefore = contextDigest(build, root);
    fs.chmodSync(path.join(root, "apps/api/src/main.ts"), 0o755);
    assert.notEqual(contextDigest(build, root, identity), before, "a checkout with other file modes builds other bytes");
    assert.equal(contextDigest(build, root), devBefore);
    assert.notEqual(contextDigest(build, root, { ...identity, platform: "linux/arm64" }), contextDigest(build, root, identity));
  });

  it("changes when the Dockerfile changes", () => {
    const before = contextDigest(build, root);
    write("apps/api/Dockerfile", "FROM node:24-alpine AS runner\nCOPY apps/api/src ./app/src\n");
    assert.notEqual(contextDigest(build, root), before);
  });
});
