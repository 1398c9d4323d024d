import { z } from 'zod';
import { scenarioFileSchema } from './scenario-schema.js';

/**
 * The JSON Schema of a scenario file, derived from the schema the compiler validates with, so
 * the two can never disagree. Editors use it for completion and inline errors (docs/scenarios.md).
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioFileSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://tripwire.dev/schemas/scenario.schema.json',
    title: 'Tripwire scenario',
    description: 'One scenario file: when it fires, what it does, and its policies. Durations are written as 500ms, 30s, 30m, 1h, 3d or 2w.',
  };
}
