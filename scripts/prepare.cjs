// `npm install -g git+https://...` runs only `prepare` in its clone, not `prepack`: build dist/ there.
// A no-op where there are no sources (Docker stages, tarball installs) or dist/ is already built.
const fs = require('node:fs');
const { execSync } = require('node:child_process');

if (fs.existsSync('src') && fs.existsSync('tsconfig.json') && !fs.existsSync('dist/src/cli/tap-intercom.js')) {
  if (!fs.existsSync('node_modules/typescript')) {
    // npm prepares a global git install without the devDependencies (the compiler): add them here, in this folder.
    execSync('npm install --no-save --include=dev --global=false --prefix . --ignore-scripts --no-audit --no-fund', { stdio: 'inherit' });
  }
  execSync('npm run build', { stdio: 'inherit' });
}
