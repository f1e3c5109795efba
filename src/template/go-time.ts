import { GoStruct } from './values.js';

/** A time.Time (UTC), as sprig's date functions take and return it. */
export class GoTime extends GoStruct {
  constructor(
    readonly ms: number,
    /** The zone it is shown in: offset east of UTC in minutes and its abbreviation. */
    readonly zone: { offsetMinutes: number; name: string } = { offsetMinutes: 0, name: 'UTC' },
  ) {
    super();
  }
  goType(): string {
    return 'time.Time';
  }
  String(): string {
    return formatGoTime(this.ms, '2006-01-02 15:04:05.999999999 -0700 MST', this.zone);
  }
  Unix(): bigint {
    return BigInt(Math.floor(this.ms / 1000));
  }
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Go's layout elements, longest first so that `2006` wins over `2` and `January` over `Jan`.
const ELEMENTS = [
  'January',
  'Monday',
  'Z07:00:00',
  '-07:00:00',
  'Z07:00',
  '-07:00',
  'Z0700',
  '-0700',
  'Z07',
  '-07',
  '2006',
  '.000000000',
  '.999999999',
  '.000000',
  '.999999',
  '.000',
  '.999',
  'Jan',
  'Mon',
  'MST',
  '002',
  '__2',
  '_2',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

/** The offset and abbreviation of an IANA zone at an instant; undefined for an unknown zone. */
export function zoneAt(ms: number, zone: string): { offsetMinutes: number; name: string } | undefined {
  if (zone === 'UTC' || zone === '' || zone === 'Local') return { offsetMinutes: 0, name: 'UTC' };
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      timeZoneName: 'shortOffset',
      year: 'numeric',
    }).formatToParts(new Date(ms));
    const offset = parts.find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
    const match = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(offset);
    const offsetMinutes = match
      ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0))
      : 0;
    const short = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })
      .formatToParts(new Date(ms))
      .find((part) => part.type === 'timeZoneName')?.value;
    // Go prints the zone's own abbreviation; where ICU only knows "GMT+9", Go prints "+09".
    const name =
      short && !short.startsWith('GMT')
        ? short
        : `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}${Math.abs(offsetMinutes) % 60 ? String(Math.abs(offsetMinutes) % 60).padStart(2, '0') : ''}`;
    return { offsetMinutes, name };
  } catch {
    return undefined;
  }
}

/** time.Time.Format, in the given zone (UTC by default). */
export function formatGoTime(ms: number, layout: string, zone = { offsetMinutes: 0, name: 'UTC' }): string {
  const date = new Date(ms + zone.offsetMinutes * 60_000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const hour = date.getUTCHours();
  const nanos = (((ms % 1000) + 1000) % 1000) * 1_000_000;
  let out = '';
  for (let at = 0; at < layout.length; ) {
    const element = ELEMENTS.find((candidate) => layout.startsWith(candidate, at));
    if (!element) {
      out += layout[at++];
      continue;
    }
    at += element.length;
    switch (element) {
      case 'January':
        out += MONTHS[date.getUTCMonth()];
        break;
      case 'Jan':
        out += MONTHS[date.getUTCMonth()]!.slice(0, 3);
        break;
      case 'Monday':
        out += DAYS[date.getUTCDay()];
        break;
      case 'Mon':
        out += DAYS[date.getUTCDay()]!.slice(0, 3);
        break;
      case '2006':
        out += pad(date.getUTCFullYear(), 4);
        break;
      case '06':
        out += pad(date.getUTCFullYear() % 100);
        break;
      case '01':
        out += pad(date.getUTCMonth() + 1);
        break;
      case '1':
        out += date.getUTCMonth() + 1;
        break;
      case '02':
        out += pad(date.getUTCDate());
        break;
      case '2':
        out += date.getUTCDate();
        break;
      case '_2':
        out += String(date.getUTCDate()).padStart(2, ' ');
        break;
      case '002':
      case '__2': {
        const start = Date.UTC(date.getUTCFullYear(), 0, 1);
        const day = Math.floor((ms - start) / 86_400_000) + 1;
        out += element === '002' ? pad(day, 3) : String(day).padStart(3, ' ');
        break;
      }
      case '15':
        out += pad(hour);
        break;
      case '03':
        out += pad(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case '3':
        out += hour % 12 === 0 ? 12 : hour % 12;
        break;
      case '04':
        out += pad(date.getUTCMinutes());
        break;
      case '4':
        out += date.getUTCMinutes();
        break;
      case '05':
        out += pad(date.getUTCSeconds());
        break;
      case '5':
        out += date.getUTCSeconds();
        break;
      case 'PM':
        out += hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        out += zone.name;
        break;
      case 'Z07:00:00':
      case 'Z07:00':
      case 'Z0700':
      case 'Z07':
        out += zone.offsetMinutes === 0 ? 'Z' : offsetText(zone.offsetMinutes, element.slice(1));
        break;
      case '-07:00:00':
      case '-07:00':
      case '-0700':
      case '-07':
        out += offsetText(zone.offsetMinutes, element);
        break;
      default: {
        // Fractional seconds: .000 keeps zeros, .999 drops trailing zeros (and the dot when none are left).
        const digits = element.length - 1;
        const fraction = String(nanos).padStart(9, '0').slice(0, digits);
        if (element[1] === '0') out += `.${fraction}`;
        else {
          const trimmed = fraction.replace(/0+$/, '');
          if (trimmed) out += `.${trimmed}`;
        }
      }
    }
  }
  return out;
}

function offsetText(offsetMinutes: number, layout: string): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  if (layout === '-07') return `${sign}${hours}`;
  if (layout === '-0700') return `${sign}${hours}${minutes}`;
  if (layout === '-07:00:00') return `${sign}${hours}:${minutes}:00`;
  return `${sign}${hours}:${minutes}`;
}

/** time.Parse for the common layout elements, in UTC; throws when the text does not fit. */
export function parseGoTime(layout: string, text: string): number {
  const fields: Record<string, number> = {
    year: 1,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    millis: 0,
    offset: 0,
  };
  let pattern = '';
  const order: string[] = [];
  for (let at = 0; at < layout.length; ) {
    const element = ELEMENTS.find((candidate) => layout.startsWith(candidate, at));
    if (!element) {
      pattern += layout[at]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      at++;
      continue;
    }
    at += element.length;
    const groups: Record<string, [string, string]> = {
      '2006': ['year', '(\\d{4})'],
      '01': ['month', '(\\d{2})'],
      '1': ['month', '(\\d{1,2})'],
      Jan: ['monthName', '([A-Za-z]{3})'],
      January: ['monthName', '([A-Za-z]+)'],
      '02': ['day', '(\\d{2})'],
      '2': ['day', '(\\d{1,2})'],
      _2: ['day', ' ?(\\d{1,2})'],
      '15': ['hour', '(\\d{2})'],
      '04': ['minute', '(\\d{2})'],
      '4': ['minute', '(\\d{1,2})'],
      '05': ['second', '(\\d{2})'],
      '5': ['second', '(\\d{1,2})'],
      'Z07:00': ['zone', '(Z|[+-]\\d{2}:\\d{2})'],
      '-07:00': ['zone', '([+-]\\d{2}:\\d{2})'],
      '-0700': ['zone', '([+-]\\d{4})'],
      MST: ['ignore', '([A-Z]{3,4})'],
      Mon: ['ignore', '([A-Za-z]{3})'],
      Monday: ['ignore', '([A-Za-z]+)'],
      '.000': ['millis', '\\.(\\d{3})'],
      '.999': ['millis', '(?:\\.(\\d+))?'],
    };
    const group = groups[element];
    if (!group)
      throw new Error(`parsing time ${JSON.stringify(text)}: layout element ${element} is not supported`);
    pattern += group[1];
    order.push(group[0]);
  }
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match)
    throw new Error(`parsing time ${JSON.stringify(text)} as ${JSON.stringify(layout)}: cannot parse`);
  order.forEach((name, index) => {
    const value = match[index + 1];
    if (value === undefined || name === 'ignore') return;
    if (name === 'monthName')
      fields.month =
        MONTHS.findIndex((month) => month.toLowerCase().startsWith(value.toLowerCase().slice(0, 3))) + 1;
    else if (name === 'zone') {
      const zone = /([+-])(\d{2}):?(\d{2})/.exec(value);
      fields.offset = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
    } else if (name === 'millis') fields.millis = Number(value.padEnd(3, '0').slice(0, 3));
    else fields[name] = Number(value);
  });
  return (
    Date.UTC(
      fields.year!,
      fields.month! - 1,
      fields.day!,
      fields.hour!,
      fields.minute!,
      fields.second!,
      fields.millis!,
    ) -
    fields.offset! * 60_000
  );
}

/** time.ParseDuration, in nanoseconds. */
export function parseGoDuration(text: string): bigint {
  const match = /^([+-]?)((?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h))+|0)$/.exec(text);
  if (!match) throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  for (const [, value, unit] of match[2]!.matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(value) * units[unit!]!;
  return BigInt(Math.round(total)) * (match[1] === '-' ? -1n : 1n);
}

/** time.Duration.String. */
export function formatDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const negative = nanoseconds < 0n;
  let rest = negative ? -nanoseconds : nanoseconds;
  let out: string;
  if (rest < 1_000_000_000n) {
    const [unit, size] = rest < 1_000n ? ['ns', 1n] : rest < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
    out = `${fraction(rest, size)}${unit}`;
  } else {
    const hours = rest / 3_600_000_000_000n;
    rest %= 3_600_000_000_000n;
    const minutes = rest / 60_000_000_000n;
    rest %= 60_000_000_000n;
    out = `${hours > 0n ? `${hours}h` : ''}${hours > 0n || minutes > 0n ? `${minutes}m` : ''}${fraction(rest, 1_000_000_000n)}s`;
  }
  return negative ? `-${out}` : out;
}

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const part = value % unit;
  if (part === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  return `${whole}.${part.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
