"use client";

import { useState } from "react";

/** Copies `text`; shows `caption` (default "copy") and confirms with "copied". */
export function CopyButton({ text, label, caption = "copy" }: { text: string; label: string; caption?: string }) {
  const [isCopied, setIsCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      className="rounded px-1 text-xs text-neutral-500 hover:bg-neutral-100"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setIsCopied(true);
          setTimeout(() => setIsCopied(false), 1500);
        });
      }}
    >
      {isCopied ? "copied" : caption}
    </button>
  );
}
