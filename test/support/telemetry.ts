import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { vi } from 'vitest';

/** A Powertools logger (at DEBUG) and metrics whose output lands in `output`, one entry per line written. */
export function capturedTelemetry(service: string): { logger: Logger; metrics: Metrics; output: string[] } {
  const output: string[] = [];
  const capture = (...parts: unknown[]): void => {
    output.push(parts.map(String).join(' '));
  };
  const sink = { ...console, info: capture, warn: capture, error: capture, debug: capture, log: capture };
  const logger = new Logger({ serviceName: service, logLevel: 'DEBUG' });
  // Powertools writes through a `console` getter of its own; pointing it at the sink captures every line.
  vi.spyOn(logger as unknown as { console: Console }, 'console', 'get').mockReturnValue(sink);
  const metrics = new Metrics({ namespace: service, serviceName: service });
  vi.spyOn(metrics as unknown as { console: Console }, 'console', 'get').mockReturnValue(sink);
  return { logger, metrics, output };
}
