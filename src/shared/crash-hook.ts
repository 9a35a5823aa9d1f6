/**
 * Test-only crash points. A process started with `TEST_CRASH_POINT` kills itself (SIGKILL, as an
 * operator's `kill -9` would) when it reaches the named point, so a chaos test stops it exactly
 * between two steps. The spec is `<point>[#<n>][@<EventType>]`:
 * - `after-apply`: the first time any code reaches `after-apply`;
 * - `after-apply#3`: the third time;
 * - `after-apply@BatchEssaysReadyV1`: the first time the step's outbox holds that event (the
 *   state is "ready written, not yet published").
 * Nothing here runs unless the setting is given.
 */
export const crashPoints = [
  // web: the upload was announced (it holds its batch) and its flow is not added yet
  'after-announce',
  // a transition of a batch (upload parent, late child, lifecycle job): before and after the
  // atomic step, after the events it caused went to the subscribing queues, and after they went
  // to the event log and left the outbox
  'before-apply',
  'after-apply',
  'after-enqueue',
  'after-publish',
] as const;
export type CrashPoint = (typeof crashPoints)[number];

export const crashSpecPattern = new RegExp(`^(${crashPoints.join('|')})(?:#(\\d+))?(?:@(\\w+))?$`);

/** What a point knows about the step it ends: the event types in its outbox. */
export interface CrashContext {
  outbox?: readonly string[];
}

export type CrashHook = (point: CrashPoint, context?: CrashContext) => void;

/** The hook for a spec, or undefined when there is none (production). */
export function crashHook(
  spec: string | undefined,
  die: () => void = () => process.kill(process.pid, 'SIGKILL'),
): CrashHook | undefined {
  if (!spec) return undefined;
  const m = crashSpecPattern.exec(spec);
  if (!m) throw new Error(`TEST_CRASH_POINT "${spec}" does not match ${crashSpecPattern}`);
  const [, point, nth, eventType] = m;
  let arrivals = 0;
  return (reached, context) => {
    if (reached !== point) return;
    if (eventType && !context?.outbox?.includes(eventType)) return;
    if (++arrivals === Number(nth ?? 1)) die();
  };
}
