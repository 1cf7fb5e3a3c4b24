import protobuf from "protobufjs";
import { OTLP_CONTENT_TYPE_HEADERS } from "./content-type.js";

/**
 * google.rpc.Status and RetryInfo from their published schemas (google/rpc/status.proto,
 * error_details.proto), read by protobufjs, so tests decode what the receiver encodes by hand
 * with a reader it does not share.
 */
export const googleRpcTypes = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } },
            Duration: { fields: { seconds: { type: "int64", id: 1 }, nanos: { type: "int32", id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: "int32", id: 1 },
                message: { type: "string", id: 2 },
                details: { rule: "repeated", type: "google.protobuf.Any", id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: "google.protobuf.Duration", id: 1 } } },
          },
        },
      },
    },
  },
});

/** What an OTLP/HTTP failure says: its google.rpc.Status, and the encoding it came in. */
export interface TOtlpFailure {
  encoding: "protobuf" | "json";
  code: number;
  message: string;
}

/**
 * Reads the body of a 4xx or 5xx OTLP/HTTP answer as the spec defines it: a google.rpc.Status,
 * protobuf when the answer is `application/x-protobuf`, its JSON mapping when `application/json`.
 * Throws on any other content type, so a test also checks the answer's encoding.
 */
export async function readOtlpFailure(response: Response): Promise<TOtlpFailure> {
  const contentType = response.headers.get("content-type");
  if (contentType === OTLP_CONTENT_TYPE_HEADERS.protobuf) {
    const statusType = googleRpcTypes.lookupType("google.rpc.Status");
    const status = statusType.toObject(statusType.decode(new Uint8Array(await response.arrayBuffer())), {
      defaults: true,
    }) as { code: number; message: string };
    return { encoding: "protobuf", code: status.code, message: status.message };
  }
  if (contentType === OTLP_CONTENT_TYPE_HEADERS.json) {
    const status = (await response.json()) as { code?: unknown; message?: unknown };
    if (typeof status.code !== "number" || typeof status.message !== "string") {
      throw new Error(`not a google.rpc.Status in JSON: ${JSON.stringify(status)}`);
    }
    return { encoding: "json", code: status.code, message: status.message };
  }
  throw new Error(`an OTLP/HTTP failure answered with Content-Type ${contentType}`);
}
