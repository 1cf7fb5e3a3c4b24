"use client";

import { ChoicePicker } from "../../../components/list-parts";
import { TIME_RANGE_PRESETS, type TTimeRangePreset } from "../../traces/lib/trace-filter-query";

export function RangePicker({
  value,
  onChange,
}: {
  value: TTimeRangePreset;
  onChange: (range: TTimeRangePreset) => void;
}) {
  return <ChoicePicker choices={TIME_RANGE_PRESETS} value={value} onChange={onChange} />;
}
