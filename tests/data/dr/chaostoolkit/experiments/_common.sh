#!/bin/sh
# Start/stop a throw-away HTTP server on 127.0.0.1:18765 (the "service" the drills fail over), serving
# /tmp/ctk-drill-www, whose healthz.txt the hypothesis fetches; break/repair remove/restore that file.
PIDFILE=/tmp/ctk-drill-server.pid
WWW=/tmp/ctk-drill-www
case "$1" in
  start) mkdir -p "$WWW"; echo ok > "$WWW/healthz.txt"
         python3 -m http.server 18765 --bind 127.0.0.1 --directory "$WWW" >/dev/null 2>&1 &
         echo $! > "$PIDFILE"; sleep 1 ;;
  stop) [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null; rm -f "$PIDFILE"; sleep 0.5 ;;
  break) rm -f "$WWW/healthz.txt" ;;
  repair) echo ok > "$WWW/healthz.txt" ;;
esac
exit 0
