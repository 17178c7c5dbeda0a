import { BadRequestException, type PipeTransform } from "@nestjs/common";
import type { z } from "zod";

/** One offending input: `field` is a dotted path such as "title", or the unknown key's name. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Validates and converts a body or query with a zod schema; a failure is a 400 naming every offending field. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    /** Names the whole input in messages when the problem is not one field ("body must be a JSON object"). */
    private readonly what: string,
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issues: FieldIssue[] = result.error.issues.flatMap((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({ field: [...issue.path, key].join("."), message: "is not a known field" }));
      }
      return [{ field: issue.path.length > 0 ? issue.path.join(".") : this.what, message: issue.message }];
    });
    throw new BadRequestException({
      message: issues.map((issue) => `${issue.field} ${issue.message}`).join("; "),
      issues,
    });
  }
}
