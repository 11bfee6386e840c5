/** `--about --format markdown`: what the plugin is and a table of its settings, from the config spec. */
interface SettingSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  airbyte_secret?: boolean;
  airbyte_hidden?: boolean;
  order?: number;
}

export interface AboutInfo {
  name: string;
  description: string;
  version: string;
  capabilities: string[];
  settings: { properties?: Record<string, SettingSchema>; required?: string[] };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function typeOf(s: SettingSchema): string {
  const type = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  return s.enum ? `${type}: ${s.enum.map((v) => JSON.stringify(v)).join(', ')}` : type;
}

export function aboutMarkdown(about: AboutInfo): string {
  const required = new Set(about.settings.required ?? []);
  const rows = Object.entries(about.settings.properties ?? {})
    .sort(([, a], [, b]) => (a.order ?? 0) - (b.order ?? 0))
    .map(([name, s]) => {
      const notes = [s.description ?? s.title ?? ''];
      if (required.has(name)) notes.push('Required.');
      if (s.airbyte_secret) notes.push('Secret: never printed.');
      return `| \`${name}\` | ${cell(typeOf(s))} | ${s.default === undefined ? '' : `\`${cell(JSON.stringify(s.default))}\``} | ${cell(notes.filter(Boolean).join(' '))} |`;
    });
  return [
    `# ${about.name}`,
    '',
    about.description,
    '',
    `Version: ${about.version}`,
    '',
    `Capabilities: ${about.capabilities.join(', ')}`,
    '',
    '## Settings',
    '',
    '| Setting | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
