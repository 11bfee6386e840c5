/** Words the generated workspace draws its names, texts and types from (seeded picks). */
import type { Rng } from './rng.js';
import { DAY } from './clock.js';

export const FIRST = [
  'Ada',
  'Brian',
  'Chloe',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kira',
  'Luca',
  'Maya',
  'Nils',
  'Olga',
  'Pablo',
  'Qi',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wen',
  'Xavier',
  'Yara',
  'Zoe',
];
export const LAST = [
  'Ahmed',
  'Berg',
  'Costa',
  'Dubois',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Murphy',
  'Nowak',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Silva',
  'Tanaka',
  'Ueda',
  'Varga',
  'Wright',
  'Xu',
  'Young',
  'Zimmer',
];
export const WORDS = [
  'acme',
  'blue',
  'cedar',
  'delta',
  'ember',
  'fjord',
  'granite',
  'harbor',
  'iris',
  'juniper',
  'kelp',
  'lumen',
  'maple',
  'nova',
  'orbit',
  'pine',
  'quartz',
  'river',
  'summit',
  'tundra',
];
export const INDUSTRIES = ['Software', 'Retail', 'Finance', 'Healthcare', 'Education', 'Logistics', 'Media'];
export const PLANS = ['free', 'pro', 'enterprise'];
export const CITIES: Array<[string, string, string]> = [
  ['Ireland', 'Dublin', 'Dublin'],
  ['United States', 'California', 'San Francisco'],
  ['Germany', 'Berlin', 'Berlin'],
  ['Japan', 'Tokyo', 'Tokyo'],
  ['Brazil', 'Sao Paulo', 'Sao Paulo'],
  ['Australia', 'New South Wales', 'Sydney'],
];
export const BROWSERS = ['chrome', 'firefox', 'safari', 'edge'];
export const OSES = ['OS X 14.1', 'Windows 11', 'Linux', 'iOS 17.2', 'Android 14'];
export const EVENT_NAMES = [
  'invited-friend',
  'placed-order',
  'viewed-pricing',
  'exported-report',
  'upgraded-plan',
  'logged-in',
];
export const TAG_NAMES = [
  'vip',
  'churn-risk',
  'beta',
  'newsletter',
  'partner',
  'trial',
  'billing',
  'bug',
  'feature-request',
  'priority',
];
export const ACTIVITY_TYPES = [
  'admin_login_success',
  'admin_logout',
  'admin_away_mode_change',
  'app_name_change',
  'admin_permission_change',
  'message_state_change',
  'conversation_topic_change',
  'admin_assignment_limit_change',
];
export const COMMENT_BODIES = [
  '<p>Hi, I cannot <b>log in</b> since this morning.</p>',
  '<p>Thanks &amp; have a nice day!</p>',
  '<p>Could you check invoice <a href="https://example.com/inv/42">#42</a>?</p>',
  '<p>We&#39;ve shipped a fix, please retry.</p>',
  '<p>Line one<br>line two &lt;escaped&gt;</p>',
  '<p>Is there an export API?</p>',
];

/** Spreads timestamps over the last `spanDays` days: several records per day, some just before UTC midnight, some ties. */
export class TimeSpreader {
  private readonly days: number[];
  constructor(
    private readonly now: number,
    count: number,
    rng: Rng,
    spanDays = 400,
  ) {
    const today = Math.floor(now / DAY);
    const n = Math.max(1, Math.min(spanDays, Math.ceil(count / 4)));
    const offsets = rng.sample(spanDays, n);
    if (!offsets.includes(0) && n > 3) offsets[0] = 0; // always some records today
    this.days = offsets.map((o) => (today - o) * DAY);
  }
  ts(rng: Rng): number {
    const day = rng.pick(this.days);
    const r = rng.next();
    let sec: number;
    if (r < 0.1)
      sec = DAY - 1 - rng.int(0, 3); // last seconds before UTC midnight
    else if (r < 0.14)
      sec = rng.int(0, 2); // first seconds of the day
    else if (r < 0.2)
      sec = 43_200; // shared timestamp: ties
    else sec = rng.int(0, DAY - 1);
    let t = day + sec;
    if (t > this.now) t = this.now - rng.int(0, Math.max(0, Math.min(3600, this.now - day)));
    return t;
  }
}
