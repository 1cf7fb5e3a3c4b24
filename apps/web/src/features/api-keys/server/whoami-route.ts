import { z } from "zod";
import { withPublicApi } from "../../../server/public-api/with-public-api";

export const ZWhoamiResponse = z
  .object({
    projectId: z.string().meta({ description: "The project the API key belongs to" }),
    apiKeyId: z.string().meta({ description: "The API key that authenticated this request" }),
  })
  .meta({ id: "WhoamiResponse" });

/** Lets a client check its credentials and learn which project they write to. */
export const whoamiRoute = withPublicApi(
  {
    method: "GET",
    path: "/whoami",
    summary: "Identify the project and API key behind the credentials",
    tags: ["auth"],
    request: {},
    response: ZWhoamiResponse,
  },
  async ({ projectId, apiKeyId }) => ({ projectId, apiKeyId }),
);
