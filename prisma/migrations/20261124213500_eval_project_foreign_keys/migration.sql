-- Scores, evaluators and annotation rows belong to their project: deleting the project
-- (or its organization) removes them.
-- Rows left behind by projects deleted before this migration have nothing to belong to.
DELETE FROM "score_configs" WHERE "project_id" NOT IN (SELECT "id" FROM "projects");
DELETE FROM "llm_connections" WHERE "project_id" NOT IN (SELECT "id" FROM "projects");
DELETE FROM "evaluators" WHERE "project_id" NOT IN (SELECT "id" FROM "projects");
DELETE FROM "evaluator_runs" WHERE "project_id" NOT IN (SELECT "id" FROM "projects");
DELETE FROM "annotation_queues" WHERE "project_id" NOT IN (SELECT "id" FROM "projects");
DELETE FROM "project_eval_settings" WHERE "project_id" NOT IN (SELECT "id" FROM "projects");

-- AddForeignKey
ALTER TABLE "score_configs" ADD CONSTRAINT "score_configs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "llm_connections" ADD CONSTRAINT "llm_connections_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluators" ADD CONSTRAINT "evaluators_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluator_runs" ADD CONSTRAINT "evaluator_runs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "annotation_queues" ADD CONSTRAINT "annotation_queues_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_eval_settings" ADD CONSTRAINT "project_eval_settings_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey

