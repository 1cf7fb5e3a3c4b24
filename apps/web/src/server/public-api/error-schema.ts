import { ERROR_STATUS } from "@spanlens/core";
import { z } from "zod";

const errorCodes = Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]];

/** The body of every public API error, as produced by `toErrorResponse`. */
export const ZPublicApiError = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: "Error" });
