// JSON errors for everything the routes do not answer: 404 for unknown paths,
// 400 for a malformed JSON body, the client error body-parser reports (413 for
// a body over the limit, ...), and 500 for anything else, logged with the
// request id but never sent to the client.
import type { Request, Response, NextFunction } from "express";

interface HttpError extends Error {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
}

export function notFound(_req: Request, res: Response): void {
  res.status(404).json({ error: "Not found" });
}

export function errorHandler(
  err: unknown,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  const e = (err ?? {}) as HttpError;
  const status = e.status ?? e.statusCode;
  if (e instanceof SyntaxError && e.type === "entity.parse.failed") {
    res.status(400).json({ error: "Invalid JSON body" });
    return;
  }
  if (status !== undefined && status >= 400 && status < 500 && e.expose !== false) {
    res.status(status).json({ error: e.message || "Bad request" });
    return;
  }
  const id = String(res.locals.requestId ?? "-");
  console.error(`[${id}] ${req.method} ${req.originalUrl}:`, err);
  res.status(500).json({ error: "Internal server error" });
}
