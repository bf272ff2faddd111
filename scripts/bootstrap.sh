# shellcheck shell=bash
# Makes Node (at least the floor in package.json's engines, 22.18: `node file.ts` needs type stripping on
# by default) and the pinned pnpm available, from the npm registry only (no download-based version managers
# work on our machines). Source it so PATH changes reach your shell:
#   . scripts/bootstrap.sh
# Idempotent: the second run only checks versions (well under a second).
__lb_bootstrap() {
  local root node_ver pnpm_ver tools want_node want_pnpm floor
  root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
  tools="$root/.tools"
  want_node="22"
  want_pnpm="$(sed -n 's/.*"packageManager": *"pnpm@\([0-9.]*\)".*/\1/p' "$root/package.json")"
  floor="$(sed -n 's/.*"node": *">=\([0-9]*\.[0-9]*\)".*/\1/p' "$root/package.json")"

  # Prefer what is already installed when it is new enough.
  if [ -x "$tools/node_modules/.bin/node" ]; then
    case ":$PATH:" in *":$tools/node_modules/.bin:"*) ;; *) PATH="$tools/node_modules/.bin:$PATH" ;; esac
  fi
  node_ver="$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)"
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number),[c,d]=process.argv[1].split(".").map(Number);process.exit(a>c||(a===c&&b>=d)?0:1)' "$floor" 2>/dev/null; then
    echo "bootstrap: node $node_ver is older than $floor; installing node@$want_node into .tools/ from the npm registry" >&2
    npm install --silent --no-audit --no-fund --prefix "$tools" "node@$want_node" "pnpm@$want_pnpm" >&2 || return 1
    case ":$PATH:" in *":$tools/node_modules/.bin:"*) ;; *) PATH="$tools/node_modules/.bin:$PATH" ;; esac
  fi
  pnpm_ver="$(pnpm --version 2>/dev/null || echo none)"
  if [ "$pnpm_ver" != "$want_pnpm" ]; then
    echo "bootstrap: pnpm $pnpm_ver is not the pinned $want_pnpm; installing it into .tools/" >&2
    npm install --silent --no-audit --no-fund --prefix "$tools" "pnpm@$want_pnpm" >&2 || return 1
    case ":$PATH:" in *":$tools/node_modules/.bin:"*) ;; *) PATH="$tools/node_modules/.bin:$PATH" ;; esac
  fi
  export PATH
  echo "bootstrap: node $(node --version), pnpm $(pnpm --version)" >&2
}
__lb_bootstrap
__lb_status=$?
unset -f __lb_bootstrap
# Sourced: return the status; executed: exit with it.
return $__lb_status 2>/dev/null || exit $__lb_status
