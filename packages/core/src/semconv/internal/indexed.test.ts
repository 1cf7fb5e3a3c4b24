import { describe, expect, it } from "vitest";
import { groupIndexed } from "./indexed.js";

describe("groupIndexed", () => {
  it("groups prefix.N.rest keys by index, in numeric order, closing gaps", () => {
    const groups = groupIndexed(
      {
        "llm.input_messages.10.message.role": "user",
        "llm.input_messages.2.message.role": "system",
        "llm.input_messages.2.message.content": "Be brief.",
        "llm.input_messages_extra": "ignored",
        "llm.input_messages.x.message.role": "ignored",
      },
      "llm.input_messages",
    );
    expect(groups.map(({ index, fields }) => ({ index, fields }))).toEqual([
      { index: 2, fields: { "message.role": "system", "message.content": "Be brief." } },
      { index: 10, fields: { "message.role": "user" } },
    ]);
  });
});
