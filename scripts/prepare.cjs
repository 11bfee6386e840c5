// `npm install -g git+https://...` runs only `prepare` in its clone, not `prepack`: build dist/ there.
// A no-op where there are no sources (Docker stages, tarball installs) or dist/ is already built.
const fs = require('node:fs');
const { execSync } = require('node:child_process');

if (fs.existsSync('src') && fs.existsSync('tsconfig.json') && !fs.existsSync('dist/bin/tap-intercom.js')) {
  if (!fs.existsSync('node_modules/typescript')) {
    // npm prepares a global git install without the devDependencies (the compiler): add them here, in this
    // folder, without the outer install's global settings (-g, --prefix, --allow-scripts) it passes down.
    const env = { ...process.env };
    for (const key of Object.keys(env))
      if (/^npm_config_(global|prefix|location|allow_scripts)$/i.test(key)) delete env[key];
    execSync('npm install --no-save --include=dev --ignore-scripts --no-audit --no-fund', { stdio: 'inherit', env });
  }
  execSync('npm run build', { stdio: 'inherit' });
}
