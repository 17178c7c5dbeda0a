/**
 * Both images against the CIS Docker Benchmark, section 4 (images and build files), and the Dockerfile
 * rules in shared/REFERENCES.md, with a real parser (dockerfile-ast). The apps' own tests check what is
 * particular to each image (stages, install order, command, port, build context).
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { final, frontendImages, parse, rules } from "./support/dockerfile-rules";

type Mistake = [keyof typeof rules, string, RegExp, string];

/** The pattern's first match after `AS runner`: earlier stages have the same lines (the API's compile-cache stage). */
const inRunner = (pattern: RegExp) => new RegExp(`(?<=AS runner[\\s\\S]*)${pattern.source}`, pattern.flags);

/** One typical mistake per rule, applied to each real Dockerfile: every rule must be able to fail. */
const mistakes: Record<string, Mistake[]> = {
  api: [
    ["nonRootUser", "USER root", inRunner(/^USER node$/m), "USER root"],
    ["nonRootUser", "no USER", inRunner(/^USER node\n/m), ""],
    ["pinnedBaseImages", "a bare major tag", /node:24\.\d+\.\d+-alpine3\.\d+/, "node:24-alpine"],
    ["pinnedBaseImages", "no tag (latest)", /^FROM \S+ AS runner$/m, "FROM node AS runner"],
    ["healthcheck", "no HEALTHCHECK", /^HEALTHCHECK (.*\\\n)*.*\n/m, ""],
    ["execFormCommands", "a shell-form CMD", /^CMD \[.*\]$/m, "CMD node dist/main.js"],
    ["noAdd", "ADD", /^COPY apps\/api\/ /m, "ADD apps/api/ "],
    ["noSecrets", "a password in ENV", /^ENV NODE_ENV=production /m, "ENV NODE_ENV=production DATABASE_PASSWORD=hunter2 "],
    ["pipefail", "a pipe without pipefail", /^RUN pnpm --filter @nexiom\/api run build$/m, "RUN pnpm --filter @nexiom/api run build | tee build.log"],
    ["runnerCopiesFromBuilderOnly", "a COPY from the context", inRunner(/^COPY --from=builder /m), "COPY "],
    ["runnerTakesBuildOutputOnly", "node_modules", inRunner(/\/repo\/apps\/api\/dist /), "/repo/node_modules "],
    ["runnerStartsClean", "FROM builder", /^FROM \S+ AS runner$/m, "FROM builder AS runner"],
    ["runnerInstallsNothing", "apk add", inRunner(/^USER node$/m), "RUN apk add --no-cache curl\nUSER node"],
  ],
  web: [
    ["nonRootUser", "USER 0", /^USER 101$/m, "USER 0"],
    ["nonRootUser", "no USER", /^USER 101\n/m, ""],
    ["pinnedBaseImages", "a bare major tag", /node:24\.\d+\.\d+-alpine3\.\d+/, "node:24-alpine"],
    ["pinnedBaseImages", "latest", /nginx-unprivileged:\S+/, "nginx-unprivileged:latest"],
    ["healthcheck", "no HEALTHCHECK", /^HEALTHCHECK (.*\\\n)*.*\n/m, ""],
    ["execFormCommands", "a shell-form CMD", /^CMD \[.*\]$/m, 'CMD nginx -g "daemon off;"'],
    ["noAdd", "ADD", /^COPY apps\/web\/src /m, "ADD apps/web/src "],
    ["noSecrets", "a token in ARG", /^WORKDIR \/app$/m, "ARG NPM_TOKEN\nWORKDIR /app"],
    ["pipefail", "a pipe without pipefail", /^RUN corepack enable$/m, "RUN corepack enable | tee /dev/null"],
    ["runnerCopiesFromBuilderOnly", "a COPY from the context", /^COPY --from=builder \/app\/apps\/web\/nginx\//m, "COPY apps/web/nginx/"],
    ["runnerTakesBuildOutputOnly", "node_modules", /\/app\/apps\/web\/dist /, "/app/node_modules "],
    ["runnerStartsClean", "FROM builder", /^FROM \S+ AS runner$/m, "FROM builder AS runner"],
    ["runnerInstallsNothing", "apk add", /^USER 101$/m, "RUN apk add --no-cache curl\nUSER 101"],
  ],
};

for (const app of ["api", "web"]) {
  describe(`apps/${app}/Dockerfile follows the CIS Docker Benchmark (section 4)`, () => {
    const text = readFileSync(path.resolve(__dirname, `../apps/${app}/Dockerfile`), "utf8");
    const parsed = parse(text);

    it("the final stage is the runner", () => {
      assert.equal(final(parsed).name, "runner");
    });

    const checks: [keyof typeof rules, string][] = [
      ["nonRootUser", "runs as a non-root user, by uid or a known non-root name (4.1)"],
      ["pinnedBaseImages", "pins every base image to an exact version tag (4.2)"],
      ["healthcheck", "health-checks the runner (4.6)"],
      ["execFormCommands", "writes CMD and ENTRYPOINT in exec form, so signals reach the server"],
      ["noAdd", "uses COPY, never ADD (4.9)"],
      ["noSecrets", "declares no ARG or ENV that looks like a secret (4.10)"],
      ["pipefail", "pipes in RUN only under a SHELL with pipefail"],
      ["runnerCopiesFromBuilderOnly", "the runner copies from the builder only, never from the context (4.3)"],
      ["runnerTakesBuildOutputOnly", "the runner takes build output only: no sources, manifests or node_modules (4.3)"],
      ["runnerStartsClean", "the runner starts from a base image, not from the builder and its toolchain (4.3)"],
      ["runnerInstallsNothing", "the runner installs and downloads nothing (4.3)"],
    ];
    for (const [rule, behaviour] of checks) {
      it(behaviour, () => assert.deepEqual(rules[rule](parsed), []));
    }

    it("names no frontend image (`# syntax=`), so building needs no registry for BuildKit's frontend", () => {
      assert.deepEqual(frontendImages(text), []);
      assert.notDeepEqual(frontendImages(`# syntax=docker/dockerfile:1\n${text}`), [], "the check catches a syntax line");
    });

    for (const [rule, mistake, regex, replacement] of mistakes[app]) {
      it(`${rule} catches ${mistake}`, () => {
        assert.match(text, regex, "the Dockerfile changed: update this mistake's pattern");
        assert.notDeepEqual(rules[rule](parse(text.replace(regex, replacement))), []);
      });
    }
  });
}
