export { scoreRouter, type TScoreConfigDto } from "./score-router";
export { createScoreRoute, createScoresBatchRoute, deleteScoreRoute, listScoresRoute } from "./score-routes";
export { createScores } from "./score-service";
