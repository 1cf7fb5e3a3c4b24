"use client";

import { TIME_RANGE_PRESETS, type TTimeRangePreset } from "../../traces/lib/trace-filter-query";

export function RangePicker({
  value,
  onChange,
}: {
  value: TTimeRangePreset;
  onChange: (range: TTimeRangePreset) => void;
}) {
  return (
    <div className="flex overflow-hidden rounded border border-neutral-300 bg-white text-sm">
      {TIME_RANGE_PRESETS.map((preset) => (
        <button
          key={preset}
          type="button"
          className={`px-2.5 py-1 ${value === preset ? "bg-neutral-900 text-white" : "hover:bg-neutral-100"}`}
          onClick={() => onChange(preset)}
        >
          {preset}
        </button>
      ))}
    </div>
  );
}
