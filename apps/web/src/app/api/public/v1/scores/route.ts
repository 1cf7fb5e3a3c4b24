import { createScoreRoute, listScoresRoute } from "../../../../../features/scores/server";

export const dynamic = "force-dynamic";

export const POST = createScoreRoute;
export const GET = listScoresRoute;
