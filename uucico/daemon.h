/*
 * daemon.h - uucico --daemon: the long-running transfer daemon.  It
 * watches the spool, calls neighbours when their Systems time field, the
 * queued grades, poll requests and the retry wait allow (sched.h decides),
 * one forked child per call, answers TCP calls on the configuration's
 * "listen" addresses, and reloads on SIGHUP, ends cleanly on SIGTERM.
 *
 * Configuration keywords it reads (besides the node's usual ones):
 *   listen ADDRESS:PORT     answer TCP calls there (several lines allowed)
 *   max-call-time SECONDS   end a call that runs longer (default 3600)
 *   max-calls N             calls placed at the same time (default 8)
 *   queue-check SECONDS     how often the spool is looked at (default 10;
 *                           fractions allowed)
 *   retry-time SECONDS      the first wait after a failed call when the
 *                           Systems entry has no ";N" (default 300)
 *   pollfile PATH           the HDB Poll file (default DIR/Poll)
 *   syslog yes              log to syslog (facility uucp) instead of the
 *                           log file
 */
#ifndef BRIGADE_DAEMON_H
#define BRIGADE_DAEMON_H

#include "uucico/uucico.h"

/* uucico_daemon - run the daemon on the loaded context c until SIGTERM;
 * 0 after a clean end, -1 when it could not start.  c->conf and c->hdb
 * are replaced on SIGHUP. */
int uucico_daemon(struct uucico_ctx *c);

#endif
