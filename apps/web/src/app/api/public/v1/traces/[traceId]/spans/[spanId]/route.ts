import { getSpanRoute } from "../../../../../../../../features/traces/server";

export const dynamic = "force-dynamic";

export const GET = getSpanRoute;
