import type { FastifyBodyParser, FastifyInstance } from "fastify";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * JSON bodies must be UTF-8 (RFC 8259). The default parser decodes the bytes leniently, so a body
 * with invalid bytes became a note holding U+FFFD where the client sent something else, and the
 * client got a 201 for text it never wrote. This decodes strictly and answers 400 instead, then
 * hands the text to Fastify's parser, which keeps its prototype-poisoning checks.
 */
export function strictUtf8JsonParser(fastify: FastifyInstance): FastifyBodyParser<Buffer> {
  const parseJson = fastify.getDefaultJsonParser("error", "error");
  return (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(Object.assign(new Error("body is not valid UTF-8"), { statusCode: 400 }), undefined);
      return;
    }
    parseJson(request, text, done);
  };
}
