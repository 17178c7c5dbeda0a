import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { AccessLog } from "../logging/access-log.js";
import { errorBody } from "./http-error.filter.js";

/** The router's errors that mean "no such note or route": the path cannot name anything the API has. */
const notFound: Record<string, string> = {
  FST_ERR_BAD_URL: "no note or route matches this URL: its percent-encoding is malformed",
  FST_ERR_MAX_PARAM_LENGTH: "no note has an id this long",
};

/**
 * Errors Fastify's router raises before any hook runs: a path with malformed percent-encoding
 * (`/api/notes/%zz`) or a path parameter over the router's length limit (a 101-character id).
 * Fastify answers them itself with a body of its own (400 and 414), no `x-request-id` and no
 * access-log line; here they get the API's contract like any other request: a malformed id
 * is a 404 in the error body, with its request id and its log line.
 */
export function frameworkErrorHandler(accessLog: AccessLog): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    reply.raw.once("finish", () => accessLog.requestCompleted(null, request, reply));
    const message = notFound[error.code];
    const statusCode = message ? 404 : 500;
    if (!message) request.log.error({ err: error }, "unhandled router error");
    void reply.code(statusCode).header("x-request-id", request.id).send(errorBody(statusCode, message ?? "internal server error"));
  };
}
