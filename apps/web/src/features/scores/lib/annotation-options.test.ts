import { describe, expect, it } from "vitest";
import { annotationOptions, isSelectedOption, type TAnnotatableConfig } from "./annotation-options";

const base: TAnnotatableConfig = {
  id: "c1",
  name: "x",
  dataType: "NUMERIC",
  minValue: null,
  maxValue: null,
  categories: [],
  shortcut: null,
};

describe("annotationOptions", () => {
  it("offers yes/no, categories and small integer ranges as keyed options", () => {
    expect(annotationOptions({ ...base, dataType: "BOOLEAN" })?.map((option) => option.value)).toEqual([true, false]);
    expect(annotationOptions({ ...base, dataType: "CATEGORICAL", categories: [{ label: "good", value: 1 }] })).toEqual([
      { label: "good", value: "good" },
    ]);
    expect(annotationOptions({ ...base, minValue: 1, maxValue: 5 })?.map((option) => option.value)).toEqual([
      1, 2, 3, 4, 5,
    ]);
  });

  it("asks for a typed value when a numeric range is fractional, open or too wide", () => {
    expect(annotationOptions({ ...base, minValue: 0, maxValue: 0.5 })).toBeNull();
    expect(annotationOptions({ ...base, minValue: 0, maxValue: null })).toBeNull();
    expect(annotationOptions({ ...base, minValue: 0, maxValue: 100 })).toBeNull();
  });

  it("recognises the stored score of each option", () => {
    expect(isSelectedOption({ label: "No", value: false }, { value: 0, stringValue: "false" })).toBe(true);
    expect(isSelectedOption({ label: "good", value: "good" }, { value: 1, stringValue: "good" })).toBe(true);
    expect(isSelectedOption({ label: "3", value: 3 }, { value: 4, stringValue: null })).toBe(false);
  });
});
