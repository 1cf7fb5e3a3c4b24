import { unknownPublicPath } from "../../../../../server/public-api/unknown-path";

// Every path under /api/public/v1 that no endpoint's route matches (Next.js tries those first).
export const dynamic = "force-dynamic";

export const GET = unknownPublicPath;
export const POST = unknownPublicPath;
export const PUT = unknownPublicPath;
export const PATCH = unknownPublicPath;
export const DELETE = unknownPublicPath;
