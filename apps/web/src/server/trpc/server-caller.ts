import { headers } from "next/headers";
import { cache } from "react";
import { clientIpFromHeaders } from "../../features/auth/server/client-ip";
import { getSessionUser } from "../auth";
import { createCaller } from "./root-router";

/** A tRPC caller for server components, going through the same procedures as the browser. */
export const getServerCaller = cache(async () =>
  createCaller({ user: await getSessionUser(), clientIp: clientIpFromHeaders(await headers()) }),
);
