/**
 * Stand-in for AWS Secrets Manager's GetSecretValue, the one call the API makes, in AWS's JSON 1.1
 * protocol (POST /, X-Amz-Target: secretsmanager.GetSecretValue), so that the real AWS SDK client talks
 * to it through its endpoint setting (AWS_ENDPOINT_URL_SECRETS_MANAGER).
 *
 * It keeps the contract the API relies on: versions carry staging labels (AWSCURRENT, AWSPENDING) that
 * a rotation moves; a stage no version carries is a ResourceNotFoundException; requests must be SigV4
 * signed for the secret's region. It does not check signatures (no real credentials exist here).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface SecretsManagerStub {
  endpoint: string;
  arn: string;
  /** GetSecretValue calls so far, by requested stage. */
  calls: Record<string, number>;
  /** Rotation step createSecret: a new version labelled AWSPENDING. */
  stagePending(secretString: string): void;
  /** Rotation step finishSecret: AWSCURRENT moves to the pending version, which loses AWSPENDING. */
  promotePending(): void;
  close(): Promise<void>;
}

export async function startSecretsManagerStub(arn: string, secretString: string): Promise<SecretsManagerStub> {
  const region = arn.split(":")[3];
  let versions: { id: string; value: string; stages: string[] }[] = [{ id: "v1", value: secretString, stages: ["AWSCURRENT"] }];
  const calls: Record<string, number> = {};

  const fail = (status: number, type: string, message: string) => ({ status, body: { __type: type, message } });
  const answer = async (request: IncomingMessage): Promise<{ status: number; body: unknown }> => {
    let raw = "";
    for await (const chunk of request) raw += chunk;
    if (request.method !== "POST" || request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
      return fail(400, "UnknownOperationException", `only GetSecretValue is served; got ${request.method} ${String(request.headers["x-amz-target"])}`);
    }
    const scope = `/${region}/secretsmanager/aws4_request`;
    if (!String(request.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 ") || !String(request.headers.authorization).includes(scope)) {
      return fail(400, "IncompleteSignature", `requests must be SigV4-signed for ${scope}`);
    }
    const { SecretId, VersionStage = "AWSCURRENT" } = JSON.parse(raw) as { SecretId?: string; VersionStage?: string };
    calls[VersionStage] = (calls[VersionStage] ?? 0) + 1;
    if (SecretId !== arn) return fail(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    const version = versions.find((v) => v.stages.includes(VersionStage));
    if (!version) return fail(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: " + VersionStage);
    return {
      status: 200,
      body: { ARN: arn, Name: arn.split(":")[6], VersionId: version.id, SecretString: version.value, VersionStages: version.stages, CreatedDate: Date.now() / 1000 },
    };
  };

  const server: Server = createServer((request, response) => {
    answer(request).then(
      ({ status, body }) => {
        response.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(body));
      },
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    arn,
    calls,
    stagePending(value) {
      versions.push({ id: `v${versions.length + 1}`, value, stages: ["AWSPENDING"] });
    },
    promotePending() {
      const pending = versions.find((v) => v.stages.includes("AWSPENDING"));
      if (!pending) throw new Error("no AWSPENDING version to promote");
      versions = versions.map((v) =>
        v === pending ? { ...v, stages: ["AWSCURRENT"] } : { ...v, stages: v.stages.includes("AWSCURRENT") ? ["AWSPREVIOUS"] : [] },
      );
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
