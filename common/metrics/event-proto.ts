/**
 * The subset of TensorFlow's `Event` and `Summary` messages that scalar logging needs, declared
 * for protobufjs. Field numbers (facts from tensorflow/core/util/event.proto and
 * tensorflow/core/framework/summary.proto):
 *
 *   Event          wall_time: double = 1, step: int64 = 2, file_version: string = 3, summary: Summary = 5
 *   Summary        value: repeated Summary.Value = 1
 *   Summary.Value  tag: string = 1, simple_value: float = 2
 *
 * Fields we do not declare are skipped on decode, so files from other writers still parse.
 */
import { Root } from 'protobufjs';

const root = Root.fromJSON({
  nested: {
    tensorflow: {
      nested: {
        Event: {
          fields: {
            wall_time: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            file_version: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              fields: {
                tag: { type: 'string', id: 1 },
                simple_value: { type: 'float', id: 2 },
              },
            },
          },
        },
      },
    },
  },
});
const eventType = root.lookupType('tensorflow.Event');

export interface ScalarValue {
  tag: string;
  /** Stored as float32, so reading it back gives Math.fround(value). */
  simpleValue: number;
}

/** One event; exactly one of fileVersion and scalars is meaningful for the events we write. */
export interface EventMessage {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: ScalarValue[];
}

export function encodeEvent(event: EventMessage): Uint8Array {
  const message: Record<string, unknown> = { wall_time: event.wallTime, step: event.step };
  if (event.fileVersion !== undefined) message.file_version = event.fileVersion;
  if (event.scalars !== undefined) {
    message.summary = { value: event.scalars.map((s) => ({ tag: s.tag, simple_value: s.simpleValue })) };
  }
  return eventType.encode(eventType.fromObject(message)).finish();
}

export function decodeEvent(bytes: Uint8Array): EventMessage {
  const object = eventType.toObject(eventType.decode(bytes), { longs: Number }) as {
    wall_time?: number;
    step?: number;
    file_version?: string;
    summary?: { value?: { tag?: string; simple_value?: number }[] };
  };
  const event: EventMessage = { wallTime: object.wall_time ?? 0, step: object.step ?? 0 };
  if (object.file_version !== undefined) event.fileVersion = object.file_version;
  if (object.summary !== undefined) {
    event.scalars = (object.summary.value ?? []).map((v) => ({ tag: v.tag ?? '', simpleValue: v.simple_value ?? 0 }));
  }
  return event;
}
