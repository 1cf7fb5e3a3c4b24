import { createScoresBatchRoute } from "../../../../../../features/scores/server";

export const dynamic = "force-dynamic";

export const POST = createScoresBatchRoute;
