"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { MutationErrorAlert, useMutationError } from "../../../lib/use-mutation-error";
import { buildEnvLines } from "../lib/env-lines";
import { CopyButton } from "./copy-button";

interface TApiKeysPanelProps {
  projectId: string;
  canWrite: boolean;
  otlpTracesEndpoint: string;
  otlpGrpcEndpoint: string | null;
  appBaseUrl: string;
}

const relativeTime = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

function formatAgo(date: Date | null): string {
  if (!date) return "never";
  const minutes = Math.round((date.getTime() - Date.now()) / 60_000);
  if (Math.abs(minutes) < 60) return relativeTime.format(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return relativeTime.format(hours, "hour");
  return relativeTime.format(Math.round(hours / 24), "day");
}

function EnvBlock({ title, text, testId }: { title: string; text: string; testId: string }) {
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-center justify-between">
        <span className="text-xs font-medium text-neutral-600">{title}</span>
        <CopyButton text={text} testId={`${testId}-copy`} />
      </div>
      <pre
        data-testid={testId}
        className="overflow-x-auto rounded-md bg-neutral-900 px-3 py-2 font-mono text-xs text-neutral-100"
      >
        {text}
      </pre>
    </div>
  );
}

/** Create, list and revoke a project's API keys; a new secret is shown once, with the lines to paste. */
export function ApiKeysPanel({
  projectId,
  canWrite,
  otlpTracesEndpoint,
  otlpGrpcEndpoint,
  appBaseUrl,
}: TApiKeysPanelProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKey.list.queryOptions({ projectId }));
  const failure = useMutationError();
  const [createdKey, setCreatedKey] = useState<{ publicKey: string; secretKey: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKey.list.queryKey({ projectId }) });
  const createKey = useMutation(
    trpc.apiKey.create.mutationOptions({
      onSuccess: async (key) => {
        setCreatedKey(key);
        await refresh();
      },
      onError: failure.onError,
    }),
  );
  const revokeKey = useMutation(trpc.apiKey.revoke.mutationOptions({ onSuccess: refresh, onError: failure.onError }));

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    failure.show(null);
    const form = event.currentTarget;
    const name = String(new FormData(form).get("name") ?? "").trim();
    createKey.mutate({ projectId, ...(name ? { name } : {}) }, { onSuccess: () => form.reset() });
  }

  const envLines = createdKey
    ? buildEnvLines({ otlpTracesEndpoint, otlpGrpcEndpoint, appBaseUrl, ...createdKey })
    : null;

  return (
    <div className="flex flex-col gap-4">
      <MutationErrorAlert message={failure.message} />
      {createdKey && envLines ? (
        <div
          className="flex flex-col gap-3 rounded-xl border border-amber-300 bg-amber-50 p-4"
          data-testid="new-api-key"
        >
          <p className="text-sm font-medium text-amber-900">
            Copy the secret key now: it is shown only once. Afterwards only its first characters are visible.
          </p>
          <div className="flex items-center gap-2">
            <span className="w-24 text-xs text-neutral-600">Secret key</span>
            <code
              data-testid="new-secret-key"
              className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs"
            >
              {createdKey.secretKey}
            </code>
            <CopyButton text={createdKey.secretKey} testId="copy-secret-key" />
          </div>
          <div className="flex items-center gap-2">
            <span className="w-24 text-xs text-neutral-600">Public key</span>
            <code
              data-testid="new-public-key"
              className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs"
            >
              {createdKey.publicKey}
            </code>
            <CopyButton text={createdKey.publicKey} testId="copy-public-key" />
          </div>
          <EnvBlock title="Any OpenTelemetry exporter" text={envLines.otel} testId="env-otel" />
          {envLines.otelGrpc ? (
            <EnvBlock title="An OpenTelemetry exporter over gRPC" text={envLines.otelGrpc} testId="env-otel-grpc" />
          ) : null}
          <EnvBlock title="Spanlens SDK" text={envLines.sdk} testId="env-sdk" />
          <button
            type="button"
            onClick={() => setCreatedKey(null)}
            className="self-start text-sm text-neutral-700 underline"
          >
            I have stored the secret key
          </button>
        </div>
      ) : null}

      {keys.isPending ? (
        <div className="h-20 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
          <span className="sr-only">Loading API keys</span>
        </div>
      ) : keys.isError ? (
        <p role="alert" className="text-sm text-red-700">
          API keys could not be loaded: {keys.error.message}. Reload the page to try again.
        </p>
      ) : keys.data.length === 0 ? (
        <p
          className="rounded-xl border border-dashed border-neutral-300 bg-white px-4 py-6 text-center text-sm text-neutral-600"
          data-testid="api-keys-empty"
        >
          No API keys yet. {canWrite ? "Create one to start sending traces." : "Ask a project member to create one."}
        </p>
      ) : (
        <table
          className="w-full overflow-hidden rounded-xl border border-neutral-200 bg-white text-sm"
          data-testid="api-keys-table"
        >
          <thead className="bg-neutral-50 text-left text-xs uppercase text-neutral-500">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-4 py-2 font-medium">Public key</th>
              <th className="px-4 py-2 font-medium">Secret key</th>
              <th className="px-4 py-2 font-medium">Created</th>
              <th className="px-4 py-2 font-medium">Last used</th>
              <th className="px-4 py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-neutral-200">
            {keys.data.map((key) => (
              <tr key={key.id} data-testid="api-key-row">
                <td className="px-4 py-2">{key.name ?? <span className="text-neutral-400">unnamed</span>}</td>
                <td className="px-4 py-2 font-mono text-xs">{key.publicKey}</td>
                <td className="px-4 py-2 font-mono text-xs">{key.secretPrefix}…</td>
                <td className="px-4 py-2 text-neutral-600">{formatAgo(key.createdAt)}</td>
                <td className="px-4 py-2 text-neutral-600" data-testid="api-key-last-used">
                  {formatAgo(key.lastUsedAt)}
                </td>
                <td className="px-4 py-2 text-right">
                  {canWrite ? (
                    <button
                      type="button"
                      data-testid="revoke-api-key"
                      disabled={revokeKey.isPending}
                      onClick={() => {
                        if (window.confirm("Revoke this key? Clients using it are rejected within seconds.")) {
                          revokeKey.mutate({ projectId, apiKeyId: key.id });
                        }
                      }}
                      className="text-sm text-red-700 hover:underline disabled:opacity-60"
                    >
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {canWrite ? (
        <form onSubmit={onCreate} className="flex flex-wrap items-end gap-3" data-testid="create-api-key-form">
          <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
            Key name <span className="text-xs font-normal text-neutral-500">optional, e.g. “production”</span>
            <input
              name="name"
              maxLength={100}
              data-testid="api-key-name"
              className="w-64 rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-normal outline-none focus:border-neutral-500"
            />
          </label>
          <button
            type="submit"
            disabled={createKey.isPending}
            data-testid="create-api-key"
            className="rounded-md bg-neutral-900 px-3 py-2 text-sm font-medium text-white hover:bg-neutral-700 disabled:opacity-60"
          >
            {createKey.isPending ? "Creating…" : "Create API key"}
          </button>
        </form>
      ) : null}
    </div>
  );
}
