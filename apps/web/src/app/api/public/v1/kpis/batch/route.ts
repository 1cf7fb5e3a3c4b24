import { createKpisBatchRoute } from "../../../../../../features/kpis/server";

export const dynamic = "force-dynamic";

export const POST = createKpisBatchRoute;
