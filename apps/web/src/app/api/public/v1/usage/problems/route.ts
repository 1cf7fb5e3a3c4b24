import { listIngestProblemsRoute } from "../../../../../../features/usage/server/usage-routes";

export const dynamic = "force-dynamic";

export const GET = listIngestProblemsRoute;
