import { deleteScoreRoute } from "../../../../../../features/scores/server";

export const dynamic = "force-dynamic";

export const DELETE = deleteScoreRoute;
