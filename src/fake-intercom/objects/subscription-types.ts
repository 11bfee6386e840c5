/** Subscription types: a few fixed ones, rendered by index. */
import type { Json } from '../model.js';

export function renderSubscriptionType(i: number): Json {
  const name = ['Newsletter', 'Product updates', 'Billing notices', 'Events'][i % 4] as string;
  const tr = { name: i >= 4 ? `${name} ${i}` : name, description: `${name} we send`, locale: 'en' };
  return {
    type: 'subscription',
    id: String(100 + i),
    state: i % 5 === 4 ? 'draft' : 'live',
    default_translation: tr,
    translations: [tr],
    consent_type: i % 2 === 0 ? 'opt_out' : 'opt_in',
    content_types: i % 3 === 2 ? ['sms_message'] : ['email'],
  };
}
