import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePrisma, getPrisma } from "./client.js";
import { deleteSavedView, listSavedViews, saveView } from "./saved-views.js";

// Its own org with two projects, removed afterwards (views go with their project).
const suffix = randomUUID();
const fixture = { orgId: "", projectA: "", projectB: "", userId: "" };

beforeAll(async () => {
  const prisma = getPrisma();
  const user = await prisma.user.create({ data: { email: `views-${suffix}@example.test`, passwordHash: "x" } });
  const org = await prisma.organization.create({ data: { name: `Views ${suffix}` } });
  const [projectA, projectB] = await Promise.all(
    ["a", "b"].map((name) => prisma.project.create({ data: { orgId: org.id, name } })),
  );
  Object.assign(fixture, { orgId: org.id, projectA: projectA?.id, projectB: projectB?.id, userId: user.id });
});

afterAll(async () => {
  await getPrisma().organization.deleteMany({ where: { id: fixture.orgId } });
  await getPrisma().user.deleteMany({ where: { id: fixture.userId } });
  await closePrisma();
});

describe("saved views", () => {
  it("saves per project, replaces a view saved again under its name, and deletes only within the project", async () => {
    const base = { projectId: fixture.projectA, actorId: fixture.userId };
    await saveView({ ...base, name: "Low confidence HR", query: "tags=domain%3Ahr&scores=confidence%3C0.5" });
    await saveView({ ...base, name: "Errors", query: "status=error" });
    const replaced = await saveView({ ...base, name: "Errors", query: "status=error&environment=prod" });
    await saveView({ projectId: fixture.projectB, actorId: fixture.userId, name: "Errors", query: "status=error" });

    const views = await listSavedViews(fixture.projectA);
    expect(views.map((view) => [view.name, view.query])).toEqual([
      ["Errors", "status=error&environment=prod"],
      ["Low confidence HR", "tags=domain%3Ahr&scores=confidence%3C0.5"],
    ]);

    await expect(deleteSavedView(fixture.projectB, replaced.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await deleteSavedView(fixture.projectA, replaced.id);
    expect((await listSavedViews(fixture.projectA)).map((view) => view.name)).toEqual(["Low confidence HR"]);
    expect(await listSavedViews(fixture.projectB)).toHaveLength(1);
  });

  it("removes a project's views with the project", async () => {
    await getPrisma().project.delete({ where: { id: fixture.projectB } });
    expect(await getPrisma().savedView.count({ where: { projectId: fixture.projectB } })).toBe(0);
  });
});
