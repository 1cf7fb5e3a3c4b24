import { describe, expect, it } from "vitest";
import { createFairShare } from "./fair-share.js";

function setup() {
  let clock = 1_000_000;
  const shares = createFairShare({ windowMs: 10_000, now: () => clock });
  return { shares, advance: (ms: number) => (clock += ms) };
}

describe("createFairShare", () => {
  it("never counts a project sending alone as over its share", () => {
    const { shares } = setup();
    expect(shares.share("a")).toEqual({ share: 0, projects: 0, isOver: false });
    shares.add("a", 1_000_000);
    expect(shares.share("a")).toEqual({ share: 1, projects: 1, isOver: false });
  });

  it("counts a project over its share past an even split by a quarter, by bytes taken", () => {
    const { shares } = setup();
    shares.add("a", 620);
    shares.add("b", 380);
    // 62% of two projects' bytes: under 62.5%.
    expect(shares.share("a")).toMatchObject({ projects: 2, isOver: false });
    shares.add("a", 20);
    expect(shares.share("a")).toMatchObject({ share: 640 / 1020, projects: 2, isOver: true });
    expect(shares.share("b").isOver).toBe(false);
    // A third project lowers the even split to a third: b's 37% stays under 1.25 / 3 (42%).
    shares.add("c", 1);
    expect(shares.share("b")).toMatchObject({ projects: 3, isOver: false });
    expect(shares.share("a")).toMatchObject({ projects: 3, isOver: true });
    // A project that sent nothing has no share, and is never over it.
    expect(shares.share("d")).toMatchObject({ share: 0, projects: 3, isOver: false });
  });

  it("forgets what was taken more than a window ago, bucket by bucket", () => {
    const { shares, advance } = setup();
    shares.add("a", 900);
    advance(5_000);
    // The first bucket still counts, beside the second.
    shares.add("b", 100);
    expect(shares.share("a")).toMatchObject({ share: 0.9, projects: 2, isOver: true });
    advance(5_000);
    // a's bucket has rotated out: only b's remains.
    expect(shares.share("a")).toMatchObject({ share: 0, projects: 1, isOver: false });
    expect(shares.share("b")).toMatchObject({ share: 1, projects: 1, isOver: false });
    advance(10_000);
    expect(shares.share("b")).toEqual({ share: 0, projects: 0, isOver: false });
  });
});
