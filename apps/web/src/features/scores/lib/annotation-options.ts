/** A score config as the annotation panel needs it. */
export interface TAnnotatableConfig {
  id: string;
  name: string;
  dataType: "NUMERIC" | "BOOLEAN" | "CATEGORICAL";
  minValue: number | null;
  maxValue: number | null;
  categories: { label: string; value: number }[];
  shortcut: string | null;
}

export interface TAnnotationOption {
  label: string;
  value: number | boolean | string;
}

/** Most keyboards reach 1–9 without a modifier; configs with more options use the input. */
const MAX_KEYED_OPTIONS = 9;

/**
 * The choices a reviewer picks with keys 1–9: yes/no for booleans, the categories, and
 * each integer of a small numeric range (1–5 stars, 0/1). Null when a numeric config
 * needs a typed value instead.
 */
export function annotationOptions(config: TAnnotatableConfig): TAnnotationOption[] | null {
  if (config.dataType === "BOOLEAN") {
    return [
      { label: "Yes", value: true },
      { label: "No", value: false },
    ];
  }
  if (config.dataType === "CATEGORICAL") {
    return config.categories
      .slice(0, MAX_KEYED_OPTIONS)
      .map((category) => ({ label: category.label, value: category.label }));
  }
  const { minValue, maxValue } = config;
  if (minValue === null || maxValue === null || !Number.isInteger(minValue) || !Number.isInteger(maxValue)) return null;
  if (maxValue - minValue + 1 > MAX_KEYED_OPTIONS) return null;
  return Array.from({ length: maxValue - minValue + 1 }, (_, index) => ({
    label: String(minValue + index),
    value: minValue + index,
  }));
}

/** Whether a stored score (value + stringValue) is this option. */
export function isSelectedOption(
  option: TAnnotationOption,
  score: { value: number | null; stringValue: string | null } | undefined,
): boolean {
  if (!score) return false;
  if (typeof option.value === "boolean") return score.value === (option.value ? 1 : 0);
  if (typeof option.value === "string") return score.stringValue === option.value;
  return score.value === option.value;
}
