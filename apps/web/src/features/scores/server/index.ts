export { createScoreRoute, createScoresBatchRoute, deleteScoreRoute, listScoresRoute } from "./score-routes";
export { createScores } from "./score-service";
