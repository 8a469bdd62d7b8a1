// The session's TimeZone setting, parsed once per distinct value: resolving
// an IANA zone builds an Intl formatter, too slow to repeat per statement.

import { parseTimeZoneSetting } from '../types/datetime/time-zone.js';
import type { TimeZone } from '../types/datetime/time-zone.js';

const zones = new Map<string, TimeZone>();
const zonesMax = 256;

/** The zone a TimeZone setting names; UTC when the setting is not a valid zone (the engine validated it on SET). */
export function sessionTimeZone(setting: string): TimeZone {
  let zone = zones.get(setting);
  if (zone === undefined) {
    try {
      zone = parseTimeZoneSetting(setting);
    } catch {
      zone = parseTimeZoneSetting('UTC');
    }
    if (zones.size >= zonesMax) zones.clear();
    zones.set(setting, zone);
  }
  return zone;
}
