// Builds the express app: request ids, a JSON body parser (1 MB limit), the
// health endpoint, the API routes under API_PREFIX, and JSON errors.
import express, { type Express } from "express";
import { healthHandler, type HealthChecker } from "./health";
import { errorHandler, notFound } from "./middleware/errors";
import { requestId } from "./middleware/request-id";
import { API_PREFIX, router } from "./routes";

export interface AppOptions {
  /** The checks GET /health runs (default: the service's own). */
  healthChecker?: HealthChecker;
}

export function createApp(options: AppOptions = {}): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(requestId);
  app.use(express.json({ limit: "1mb" }));
  app.get("/health", healthHandler(options.healthChecker));
  app.use(API_PREFIX, router);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

export default createApp;
