import { GoStruct } from './values.js';

/** A time.Time (UTC), as sprig's date functions take and return it. */
export class GoTime extends GoStruct {
  constructor(readonly ms: number) {
    super();
  }
  goType(): string {
    return 'time.Time';
  }
  String(): string {
    return formatGoTime(this.ms, '2006-01-02 15:04:05.999999999 -0700 MST');
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

/** time.Time.Format for a UTC time. */
export function formatGoTime(ms: number, layout: string): string {
  const date = new Date(ms);
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
        out += 'UTC';
        break;
      case 'Z07:00:00':
      case 'Z07:00':
      case 'Z0700':
      case 'Z07':
        out += 'Z';
        break;
      case '-07:00:00':
        out += '+00:00:00';
        break;
      case '-07:00':
        out += '+00:00';
        break;
      case '-0700':
        out += '+0000';
        break;
      case '-07':
        out += '+00';
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
