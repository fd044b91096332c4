/* log: see log.h. The process has one logging destination, chosen once at
 * start-up, so this is the daemon's only global state besides main's. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
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

void log_event(int priority, const struct np_event_fields *fields, const char *fmt, ...)
{
    if (priority > log_max_priority)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (!log_to_journal || !fields) {
        log_va(priority, fmt, ap);
        va_end(ap);
        return;
    }
    char message[1024], prio[16];
    int len = snprintf(message, sizeof(message), "MESSAGE=");
    vsnprintf(message + len, sizeof(message) - (size_t)len, fmt, ap);
    va_end(ap);
    snprintf(prio, sizeof(prio), "PRIORITY=%d", priority & 7);
    struct iovec iov[2 + NP_EVENT_FIELDS_MAX];
    size_t n = 0;
    iov[n++] = (struct iovec){.iov_base = message, .iov_len = strlen(message)};
    iov[n++] = (struct iovec){.iov_base = prio, .iov_len = strlen(prio)};
    for (size_t i = 0; i < fields->n && i < NP_EVENT_FIELDS_MAX; i++)
        iov[n++] = (struct iovec){.iov_base = (void *)fields->field[i], .iov_len = strlen(fields->field[i])};
    /* The journal may be gone (stopped, socket full): nothing else to tell. */
    (void)sd_journal_sendv(iov, (int)n);
}

void log_action(const struct np_action *a, const char *text)
{
    char line[512];
    struct np_event_fields fields;
    if (!text) {
        np_action_format(a, line, sizeof(line));
        text = line;
    }
    np_action_event_fields(a, &fields);
    int level = a->result == NP_ACT_OK ? LOG_INFO : a->result == NP_ACT_CANCELLED ? LOG_NOTICE : LOG_WARNING;
    log_event(level, &fields, "%s", text);
}

void log_given_up(const struct np_proc_view *v)
{
    struct np_event_fields fields;
    np_refusal_event_fields(&(struct np_refusal){.kind = NP_EVENT_GIVEN_UP, .pid = v->pid, .comm = v->comm,
                                                 .client_uid = -1, .reason = v->detail},
                            &fields);
    log_event(LOG_WARNING, &fields, "pid %d (%s): no longer managed: %s", v->pid, v->comm, v->detail);
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
