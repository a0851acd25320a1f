/**
 * OpenAI `stop` semantics on generated text: generation ends at the first occurrence of any stop
 * string, and the text is cut before it. Matching is on decoded text, so a stop string spread over
 * several tokens is found too. Streaming holds back the last (longest stop − 1) characters, which
 * could still become the start of a stop string.
 */
export class StopStrings {
  private readonly stops: string[];
  /** Characters at the end of the text that may not be streamed yet. */
  readonly holdBack: number;

  constructor(stops: string[]) {
    this.stops = stops;
    this.holdBack = stops.reduce((most, s) => Math.max(most, s.length - 1), 0);
  }

  /**
   * Index where the earliest stop string starts in `text`, or -1. `previousLength` is the text's
   * length at the last call: only matches ending after it are new.
   */
  find(text: string, previousLength: number): number {
    let earliest = -1;
    for (const stop of this.stops) {
      const at = text.indexOf(stop, Math.max(0, previousLength - stop.length + 1));
      if (at >= 0 && (earliest < 0 || at < earliest)) earliest = at;
    }
    return earliest;
  }
}
