-- CreateEnum
CREATE TYPE "ScoreDataType" AS ENUM ('NUMERIC', 'BOOLEAN', 'CATEGORICAL');

-- CreateEnum
CREATE TYPE "EvaluatorRunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "score_configs" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data_type" "ScoreDataType" NOT NULL,
    "min_value" DOUBLE PRECISION,
    "max_value" DOUBLE PRECISION,
    "categories" JSONB,
    "description" TEXT,
    "shortcut" TEXT,
    "is_archived" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "score_configs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "llm_connections" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "encrypted_api_key" TEXT,
    "api_key_preview" TEXT,
    "default_model" TEXT NOT NULL,
    "requests_per_minute" INTEGER NOT NULL DEFAULT 60,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "llm_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluators" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "filter" JSONB NOT NULL,
    "sampling_rate" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "score_name" TEXT NOT NULL,
    "llm_connection_id" TEXT,
    "is_enabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "evaluators_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluator_runs" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "evaluator_id" TEXT NOT NULL,
    "trace_id" TEXT NOT NULL,
    "status" "EvaluatorRunStatus" NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "score_id" TEXT,
    "judge_trace_id" TEXT,
    "cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "evaluator_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "annotation_queues" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "filter" JSONB NOT NULL,
    "score_config_ids" TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "annotation_queues_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "project_eval_settings" (
    "project_id" TEXT NOT NULL,
    "low_confidence_rules" JSONB NOT NULL DEFAULT '[]',
    "require_score_config" BOOLEAN NOT NULL DEFAULT false,
    "monthly_judge_budget_usd" DOUBLE PRECISION,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "project_eval_settings_pkey" PRIMARY KEY ("project_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "score_configs_project_id_name_key" ON "score_configs"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "llm_connections_project_id_name_key" ON "llm_connections"("project_id", "name");

-- CreateIndex
CREATE INDEX "evaluators_project_id_is_enabled_idx" ON "evaluators"("project_id", "is_enabled");

-- CreateIndex
CREATE UNIQUE INDEX "evaluators_project_id_name_key" ON "evaluators"("project_id", "name");

-- CreateIndex
CREATE INDEX "evaluator_runs_project_id_created_at_idx" ON "evaluator_runs"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "evaluator_runs_evaluator_id_status_idx" ON "evaluator_runs"("evaluator_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "evaluator_runs_evaluator_id_trace_id_key" ON "evaluator_runs"("evaluator_id", "trace_id");

-- CreateIndex
CREATE UNIQUE INDEX "annotation_queues_project_id_name_key" ON "annotation_queues"("project_id", "name");
