// X-Request-Id: a caller's (or the gateway's) id is echoed back; a request
// without a usable one gets a fresh UUID. Handlers find it in
// res.locals.requestId, to put in their logs.
import { randomUUID } from "node:crypto";
import type { Request, Response, NextFunction } from "express";

export const REQUEST_ID_HEADER = "X-Request-Id";

// Ids are echoed into a response header and logs: accept only short, plain ones.
const USABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.get(REQUEST_ID_HEADER);
  const id = given !== undefined && USABLE_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.set(REQUEST_ID_HEADER, id);
  next();
}
