/* log: see log.h. The process has one logging destination, chosen once at
 * start-up, so this is the daemon's only global state besides main's. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>

static int log_max_priority = LOG_INFO;
static int log_to_journal;

void log_setup(int max_priority, int use_journal)
{
    log_max_priority = max_priority;
    log_to_journal = use_journal;
}

static void log_va(int priority, const char *fmt, va_list ap)
{
    if (priority > log_max_priority)
        return;
    if (log_to_journal) {
        sd_journal_printv(priority, fmt, ap);
        return;
    }
    static const char *const names[] = {"emerg", "alert", "crit", "error",
                                        "warning", "notice", "info", "debug"};
    fprintf(stderr, "numaplaced[%s]: ", names[priority & 7]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void log_msg(int priority, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_va(priority, fmt, ap);
    va_end(ap);
}

int log_errno(int r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_msg(LOG_ERR, "%s: %s", buf, strerror(r < 0 ? -r : r));
    return r;
}
