// nginx as a reverse proxy with one worker, configured the usual way for keep-alive to the
// upstream. The config is generated into a temp dir (no system files are touched) and nginx
// runs in the foreground as a single process, so the process we measure is the worker.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function findNginx() {
  for (const bin of [process.env.NGINX, 'nginx', '/usr/sbin/nginx'].filter(Boolean)) {
    try {
      execFileSync(bin, ['-v'], { stdio: 'ignore' })
      return bin
    } catch {
      // try the next
    }
  }
  return undefined
}

/** Writes nginx.conf under `dir` and returns the command line that runs it. */
export function nginxCommand({ bin, dir, port, upstreamPort }) {
  mkdirSync(join(dir, 'logs'), { recursive: true })
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  keepalive_requests 1000000;
  # a 16 KB body stays in memory instead of a temp file
  client_body_buffer_size 64k;
  upstream backend {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${port} reuseport;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`
  const file = join(dir, 'nginx.conf')
  writeFileSync(file, conf)
  return { cmd: bin, args: ['-p', dir, '-e', 'stderr', '-c', file] }
}
