import { posix } from "node:path";
import { Copy, DockerfileParser, PropertyInstruction, type From, type Instruction } from "dockerfile-ast";

// CIS Docker Benchmark, section 4 (images and build files), and the Dockerfile rules in
// shared/REFERENCES.md. Each rule reads a Dockerfile's text with dockerfile-ast and returns its
// violations, one readable line each, so a failure says what to fix.

export interface ParsedStage {
  name: string;
  from: From;
  /** The stage's instructions after its FROM. */
  steps: Instruction[];
}

export function parse(text: string): ParsedStage[] {
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
export const final = (parsed: ParsedStage[]) => parsed.at(-1)!;
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

/**
 * A `# syntax=` directive makes BuildKit pull that frontend image from a registry before it reads the
 * file, so a build fails wherever Docker Hub cannot be reached (an air-gapped or proxied network, this
 * CI). The built-in frontend supports everything the Dockerfiles use (`RUN --mount=type=cache` included).
 */
export function frontendImages(text: string): string[] {
  return DockerfileParser.parse(text)
    .getDirectives()
    .filter((directive) => directive.getName().toLowerCase() === "syntax")
    .map((directive) => `line ${directive.getRange().start.line + 1}: # syntax=${directive.getValue()} pulls a frontend image from a registry`);
}

export const rules = {
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
