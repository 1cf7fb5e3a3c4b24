import { createHash } from "node:crypto";

/** Backtick-quotes a name already validated as a plain identifier. */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** ` ON CLUSTER \`name\`` when a cluster is configured, otherwise nothing. */
export function onCluster(cluster: string | undefined): string {
  return cluster === undefined ? "" : ` ON CLUSTER ${quoteIdentifier(cluster)}`;
}

/**
 * Splits a migration file into statements. A statement ends with `;` at the end of a
 * line, so a `;` inside a string or mid-line never splits; whole-line `--` comments are
 * dropped because a comment-only statement is an error in ClickHouse.
 */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.replace(/\r\n/g, "\n").split("\n")) {
    if (line.trim().startsWith("--")) continue;
    const trimmedEnd = line.trimEnd();
    if (trimmedEnd.endsWith(";")) {
      current.push(trimmedEnd.slice(0, -1));
      statements.push(current.join("\n"));
      current = [];
    } else {
      current.push(line);
    }
  }
  statements.push(current.join("\n"));
  return statements.map((statement) => statement.trim()).filter((statement) => statement !== "");
}

const CLUSTER_CLAUSE = /\s+ON\s+CLUSTER\s+\{cluster\}/gi;

/**
 * Migrations write `ON CLUSTER {cluster}` after each DDL target; it becomes the
 * configured cluster, or disappears on a single node. Other `{…}` text (such as
 * Replicated engine macros like `{shard}`) is left to the server.
 */
export function applyClusterPlaceholder(statement: string, cluster: string | undefined): string {
  return statement.replace(CLUSTER_CLAUSE, onCluster(cluster));
}

/** SHA-256 of a migration file; line endings are normalized so a CRLF checkout is not a "changed" file. */
export function checksumSql(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}
