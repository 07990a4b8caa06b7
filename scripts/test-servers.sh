#!/usr/bin/env bash
# Install the distribution packages the test suite's real servers need
# (OpenSSH's sshd for SFTP, PostgreSQL's initdb/pg_ctl for the state store on
# PostgreSQL). The servers themselves are started by pytest fixtures on
# 127.0.0.1. Skips what is already there.
set -euo pipefail
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} for the test servers" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: ${need[*]} missing and cannot be installed here; SFTP tests will skip, PostgreSQL ones fail" >&2
  fi
fi
