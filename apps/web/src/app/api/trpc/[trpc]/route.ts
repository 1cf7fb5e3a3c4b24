import { childLogger } from "@spanlens/core";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { clientIpFromHeaders } from "../../../../features/auth/server/client-ip";
import { getSessionUser } from "../../../../server/auth";
import { appRouter } from "../../../../server/trpc/root-router";

export const dynamic = "force-dynamic";

const log = childLogger("trpc");

function handleTRPC(req: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ user: await getSessionUser(), clientIp: clientIpFromHeaders(req.headers) }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR" || error.code === "SERVICE_UNAVAILABLE") {
        log.error({ err: error.cause ?? error, path }, "tRPC procedure failed");
      }
    },
  });
}

export { handleTRPC as GET, handleTRPC as POST };
