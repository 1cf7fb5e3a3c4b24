import { createKpiRoute, listKpisRoute } from "../../../../../features/kpis/server";

export const dynamic = "force-dynamic";

export const POST = createKpiRoute;
export const GET = listKpisRoute;
