import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closePrisma, getPrisma } from "./client.js";
import { updateProjectEvalSettings } from "./eval-settings.js";
import { deleteProject } from "./projects.js";
import { createScoreConfig, listScoreConfigs } from "./score-configs.js";

const suffix = randomUUID();
const orgIds: string[] = [];

afterAll(async () => {
  await getPrisma().organization.deleteMany({ where: { id: { in: orgIds } } });
  await closePrisma();
});

async function projectWithEvalData() {
  const prisma = getPrisma();
  const org = await prisma.organization.create({ data: { name: `deletion ${suffix}` } });
  orgIds.push(org.id);
  const project = await prisma.project.create({ data: { orgId: org.id, name: "doomed" } });
  await createScoreConfig(project.id, { name: "correctness", dataType: "NUMERIC", minValue: 0, maxValue: 1 });
  await updateProjectEvalSettings(project.id, {
    lowConfidenceRules: [{ scoreName: "correctness", operator: "lt", threshold: 0.5 }],
    requireScoreConfig: false,
    monthlyJudgeBudgetUsd: null,
  });
  await prisma.savedView.create({
    data: { projectId: project.id, name: "errors", query: "status=error", createdById: "u" },
  });
  return { orgId: org.id, projectId: project.id };
}

async function rowsOf(projectId: string) {
  const prisma = getPrisma();
  const [configs, settings, views] = await Promise.all([
    prisma.scoreConfig.count({ where: { projectId } }),
    prisma.projectEvalSettings.count({ where: { projectId } }),
    prisma.savedView.count({ where: { projectId } }),
  ]);
  return { configs, settings, views };
}

describe("deleting a project", () => {
  it("removes its score configs, evaluation settings and saved views", async () => {
    const { projectId } = await projectWithEvalData();
    expect(await rowsOf(projectId)).toEqual({ configs: 1, settings: 1, views: 1 });
    expect(await listScoreConfigs(projectId)).toHaveLength(1);

    await deleteProject({ projectId, actorId: "tester" });

    expect(await rowsOf(projectId)).toEqual({ configs: 0, settings: 0, views: 0 });
  });

  it("removes them when the whole organization goes", async () => {
    const { orgId, projectId } = await projectWithEvalData();
    await getPrisma().organization.delete({ where: { id: orgId } });
    expect(await rowsOf(projectId)).toEqual({ configs: 0, settings: 0, views: 0 });
  });
});
