/* log: the daemon's one way to say things. Under systemd (JOURNAL_STREAM
 * set, or not in the foreground) lines go to the journal with a priority;
 * otherwise to stderr. lib/ never logs; the daemon logs each error once,
 * where it decides what to do about it. */
#ifndef NP_DAEMON_LOG_H
#define NP_DAEMON_LOG_H

#include <syslog.h>
#include "engine.h"

void log_setup(int max_priority, int use_journal);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs an event: in the journal the message comes with FIELDS (MESSAGE_ID,
 * NUMAPLACE_PID, ...; see numaplaced(8)); on stderr only the message. */
void log_event(int priority, const struct np_event_fields *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An action (moved, failed, cancelled) with its event fields. TEXT is the
 * message when the caller already wrote one (NULL: np_action_format). */
void log_action(const struct np_action *a, const char *text);
/* A process numaplaced stops managing, with its event fields. */
void log_given_up(const struct np_proc_view *v);
/* Logs and returns R (a negative errno), systemd style. */
int log_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_msg(LOG_ERR, __VA_ARGS__)

#endif
