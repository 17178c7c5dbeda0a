/**
 * The nexiom product, declared once: images → database → cache → api → web.
 *
 * The only place that reads configuration. `nexiom:environment` picks the platform (environments/dev.ts:
 * local Docker; environments/prod.ts: AWS); everything below is the same for both.
 */
import * as pulumi from "@pulumi/pulumi";
import { apiContainerEnvironment, apiDatabasePassword } from "./components/api-environment";
import { Cache } from "./components/cache";
import { Database } from "./components/database";
import { Image, type BuildDefinition } from "./components/image";
import { Service } from "./components/service";
import { apiHostPort, ConfigError, validateConfig, type NexiomConfig, type RawConfig } from "./config";
import * as dev from "./environments/dev";
import * as prod from "./environments/prod";

const config = readConfig();
const platform = (config.environment === "dev" ? dev : prod).createPlatform(config);

// The same build in every stack: loaded into the local engine on Docker, pushed to ECR on AWS.
const appBuild = (app: "api" | "web"): BuildDefinition => ({
  context: ".",
  dockerfile: `apps/${app}/Dockerfile`,
  target: "runner",
  buildArgs: {},
});
const apiImage = new Image("api", { platform, build: appBuild("api") });
const webImage = new Image("web", { platform, build: appBuild("web") });

const database = new Database("db", {
  platform,
  minCapacity: config.databaseMinCapacity,
  maxCapacity: config.databaseMaxCapacity,
});
const cache = new Cache("cache", { platform, nodeType: config.cacheNodeType });

const apiPort = 3000;
const databasePassword = apiDatabasePassword(database.password);
const api = new Service("api", {
  platform,
  image: apiImage,
  port: apiPort,
  // Liveness, not readiness: a Redis outage must not make the load balancer drop every API task.
  healthCheckPath: "/api/health",
  ...apiContainerEnvironment({
    PORT: String(apiPort),
    DATABASE_HOST: database.host,
    DATABASE_PORT: database.port.apply(String),
    DATABASE_USER: database.user,
    ...databasePassword.variables,
    DATABASE_NAME: database.databaseName,
    DATABASE_TLS: String(database.tls),
    REDIS_HOST: cache.host,
    REDIS_PORT: cache.port.apply(String),
    REDIS_PASSWORD: cache.password,
    REDIS_TLS: String(cache.tls),
  }),
  secretsReadAtRunTime: databasePassword.secretsReadAtRunTime,
  links: [database, cache],
  ingress: { hostPort: apiHostPort, pathPattern: "/api/*", priority: 10 },
  size: config.api,
  user: "1000", // `node` in the official Node image
});

const web = new Service("web", {
  platform,
  image: webImage,
  port: 8080,
  healthCheckPath: "/healthz",
  environment: { API_UPSTREAM: api.address, NGINX_PORT: "8080" },
  links: [api],
  ingress: { hostPort: config.webHostPort, pathPattern: "/*", priority: 100 },
  size: config.web,
  user: "101", // `nginx` in the unprivileged nginx image
  // nginx writes its pid and temp files under /tmp; the image's entrypoint writes the filled template to conf.d.
  writablePaths: ["/tmp", "/etc/nginx/conf.d"],
});

/** The product, for a browser. */
export const url = web.url;
/** The API's base URL (its routes start with /api). */
export const apiUrl = api.url;
export const https = platform.https;
export const notice = platform.https || config.environment === "dev"
  ? undefined
  : "Plain HTTP on the load balancer's DNS name: set nexiom:domain for HTTPS with an ACM certificate (Security Hub ELB.1, ELB.17 and ELB.18 need it).";
/** Content tags of the images this stack runs. */
export const imageTags = { api: apiImage.tag, web: webImage.tag };
/** Prod: what each ECS service must run once `pulumi up` is done (scripts/verify-deploy.ts checks it). */
export const deployments = api.deployment && web.deployment ? pulumi.output({ api: api.deployment, web: web.deployment }) : undefined;
export const databaseHost = database.host;
export const cacheHost = cache.host;

function readConfig(): NexiomConfig {
  // Every nexiom:* key the stack sets, not only the known ones (which is all `pulumi.Config` could ask for),
  // so that a misspelt key in a stack file is an error rather than a setting silently ignored.
  const prefix = "nexiom:";
  const raw: RawConfig = Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig())
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
  try {
    return validateConfig(raw);
  } catch (error) {
    // A RunError prints its message without a stack trace: the message alone says what to fix.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
