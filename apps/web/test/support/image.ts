import { cpSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, posix, relative, resolve } from "node:path";
import { DockerfileParser, type ImageTemplate } from "dockerfile-ast";

/** apps/web */
export const webDir = resolve(__dirname, "../..");
/** The build context of apps/web/Dockerfile: the repository root. */
export const contextDir = resolve(webDir, "../..");
export const dockerfilePath = join(webDir, "Dockerfile");

export interface CopyStep {
  /** Build stage the files come from; undefined for the build context. */
  from?: string;
  sources: string[];
  destination: string;
}

export interface Stage {
  name: string;
  image: string;
  workdir: string;
  env: Record<string, string>;
  copies: CopyStep[];
  user?: string;
  template: ImageTemplate;
}

/** The stages of apps/web/Dockerfile as a real Dockerfile parser reads them. */
export function readStages(path = dockerfilePath): Stage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path, "utf8"));
  return dockerfile.getFROMs().map((from) => {
    const template = dockerfile.getContainingImage(from.getRange().start);
    if (!template) throw new Error(`no stage at line ${from.getRange().start.line + 1}`);
    let workdir = "/";
    for (const step of template.getInstructions().filter((i) => i.getKeyword() === "WORKDIR")) {
      workdir = posix.resolve(workdir, step.getArgumentsContent() ?? "");
    }
    const env: Record<string, string> = {};
    for (const step of template.getENVs()) {
      for (const property of step.getProperties()) env[property.getName()] = property.getUnescapedValue() ?? "";
    }
    const copies = template.getCOPYs().map((copy) => {
      const args = copy.getArguments().map((argument) => argument.getValue());
      const destination = args.pop();
      if (!destination) throw new Error(`COPY without a destination: ${copy.getRawArgumentsContent()}`);
      return { from: copy.getFromFlag()?.getValue() ?? undefined, sources: args, destination };
    });
    const users = template.getInstructions().filter((i) => i.getKeyword() === "USER");
    return {
      name: from.getBuildStage() ?? "",
      image: from.getImage() ?? "",
      workdir,
      env,
      copies,
      user: users.at(-1)?.getArgumentsContent() ?? undefined,
      template,
    };
  });
}

export function stage(stages: Stage[], name: string): Stage {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`apps/web/Dockerfile has no stage named ${name}`);
  return found;
}

/**
 * Lays out in `root` (an empty folder standing for the runner image's filesystem) exactly
 * what the runner stage copies: files from the build context, and files from the builder
 * stage, which builds the repository's own layout under its WORKDIR, so `/app/apps/web/dist`
 * there is `apps/web/dist` here (made by the same build script). Returns the runner stage.
 */
export function assembleRunner(root: string): Stage {
  const stages = readStages();
  const runner = stage(stages, "runner");
  for (const copy of runner.copies) {
    for (const source of copy.sources) {
      let from: string;
      if (copy.from) {
        const builder = stage(stages, copy.from);
        const inRepo = relative(builder.workdir, source);
        if (inRepo.startsWith("..") || isAbsolute(inRepo)) {
          throw new Error(`COPY --from=${copy.from} ${source}: outside the builder's WORKDIR ${builder.workdir}`);
        }
        from = join(contextDir, inRepo);
      } else {
        from = join(contextDir, source);
      }
      const isDir = statSync(from).isDirectory();
      // Docker's rules: a directory's contents go into the destination; a file goes into a
      // destination ending in / or becomes the destination.
      const target = join(root, copy.destination.endsWith("/") && !isDir ? join(copy.destination, posix.basename(source)) : copy.destination);
      mkdirSync(isDir ? target : dirname(target), { recursive: true });
      cpSync(from, target, { recursive: true });
    }
  }
  return runner;
}
