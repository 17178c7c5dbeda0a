import type { FastifyInstance } from "fastify";

export const livenessPath = "/api/health";
const body = JSON.stringify({ status: "ok" });

/**
 * Liveness: the process serves HTTP. No dependency, so a Redis or database outage never restarts
 * tasks. It is a Fastify route rather than a Nest controller: it needs no injection, guard, pipe or
 * interceptor, and Nest's per-route pipeline was most of its cost (the bench's table). Fastify's hooks
 * still run for it, so it keeps the request id, the Host check, the access log and the drain on close.
 */
export function registerLiveness(fastify: FastifyInstance): void {
  fastify.get(livenessPath, (_request, reply) => {
    void reply.type("application/json; charset=utf-8").send(body);
  });
}
