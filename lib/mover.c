/* mover: worker threads copying memory for the event loop. See mover.h. */
#include "mover.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct np_mover {
    const struct np_actuator *act;
    const struct np_root *root;
    bool bind_workers;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct np_move_job *queue_head, *queue_tail;   /* waiting, oldest first */
    struct np_move_job *done_head, *done_tail;     /* finished, oldest first */
    struct np_move_job *running[NP_MOVER_MAX_WORKERS];
    atomic_uint in_flight;
    bool stopping;
    int pipe_rd, pipe_wr;
    unsigned nworkers;
    pthread_t workers[NP_MOVER_MAX_WORKERS];
    struct np_pacer pacer;      /* every worker's copies under one rate */
    struct np_pacer *node_pacers;   /* NP_MAX_NODES: each target node's own rate */
    atomic_int nice;            /* the workers' nice value, applied before each job */
    atomic_int nice_error;      /* -errno of a failure to apply it, 0 none */
    np_mover_busy_fn *busy_hook;    /* set before the first job, called by submitters */
    void *busy_ctx;
};

int np_mover_set_nice(struct np_mover *m, int nice)
{
    if (!m || nice < NP_MOVER_NICE_MIN || nice > NP_MOVER_NICE_MAX)
        return -EINVAL;
    atomic_store(&m->nice_error, 0);
    atomic_store(&m->nice, nice);
    return 0;
}

int np_mover_nice_error(const struct np_mover *m)
{
    return m ? atomic_load(&m->nice_error) : -EINVAL;
}

/* The calling worker takes the mover's nice value unless it already has
 * it (*APPLIED). Linux keeps a nice value per thread. A failure (no
 * CAP_SYS_NICE for a negative value) is recorded once per value for the
 * loop to report and only costs speed. */
static void apply_nice(struct np_mover *m, int *applied)
{
    int want = atomic_load(&m->nice);
    if (want == *applied)
        return;
    *applied = want;
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), want) < 0)
        atomic_store(&m->nice_error, -errno);
}

int np_mover_set_rate(struct np_mover *m, double mb_per_s)
{
    return m ? np_pacer_set_rate(&m->pacer, mb_per_s, np_monotonic_ns()) : -EINVAL;
}

static void destroy_node_pacers(struct np_pacer *p)
{
    for (unsigned i = 0; p && i < NP_MAX_NODES; i++)
        np_pacer_destroy(&p[i]);
    free(p);
}

int np_mover_set_node_rate(struct np_mover *m, double mb_per_s)
{
    if (!m)
        return -EINVAL;
    uint64_t now = np_monotonic_ns();
    for (unsigned i = 0; i < NP_MAX_NODES; i++) {
        int r = np_pacer_set_rate(&m->node_pacers[i], mb_per_s, now);
        if (r < 0)
            return r;
    }
    return 0;
}

void np_move_job_cancel(struct np_move_job *job)
{
    if (job)
        atomic_store(&job->cancel, true);
}

/* The calling worker runs on CPUS (the copy's writes then land on the
 * target node's caches and memory controller). A failure only costs speed. */
static void bind_self(const struct np_cpuset *cpus)
{
    cpu_set_t *set = CPU_ALLOC(NP_MAX_CPUS);
    if (!set)
        return;
    size_t size = CPU_ALLOC_SIZE(NP_MAX_CPUS);
    CPU_ZERO_S(size, set);
    unsigned n = 0;
    for (int c = np_bits_next(NP_CPUS(cpus), 0); c >= 0; c = np_bits_next(NP_CPUS(cpus), (unsigned)c + 1)) {
        CPU_SET_S((size_t)c, size, set);
        n++;
    }
    if (n)
        (void)pthread_setaffinity_np(pthread_self(), size, set);
    CPU_FREE(set);
}

/* Appends JOB to the done list and wakes the loop (lock held). */
static void finish_locked(struct np_mover *m, struct np_move_job *job)
{
    job->next = NULL;
    if (m->done_tail)
        m->done_tail->next = job;
    else
        m->done_head = job;
    m->done_tail = job;
    atomic_fetch_sub(&m->in_flight, 1);
    char byte = 1;
    /* A full pipe already says "look": losing this byte loses nothing. */
    ssize_t w = write(m->pipe_wr, &byte, 1);
    (void)w;
}

struct worker_arg {
    struct np_mover *m;
    unsigned index;
    int nice_at_start;          /* its creator's: a new thread inherits it */
};

static void *worker_main(void *arg)
{
    struct worker_arg wa = *(struct worker_arg *)arg;
    free(arg);
    struct np_mover *m = wa.m;
    int nice_applied = wa.nice_at_start;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        while (!m->queue_head && !m->stopping)
            pthread_cond_wait(&m->wake, &m->lock);
        struct np_move_job *job = m->queue_head;
        if (!job)
            break;    /* stopping and nothing queued */
        m->queue_head = job->next;
        if (!m->queue_head)
            m->queue_tail = NULL;
        if (m->stopping || atomic_load(&job->cancel)) {
            job->r = -ECANCELED;
            job->res.cls = NP_ACT_CANCELLED;
            job->res.error = -ECANCELED;
            snprintf(job->res.step, sizeof(job->res.step), "migrate");
            finish_locked(m, job);
            continue;
        }
        m->running[wa.index] = job;
        pthread_mutex_unlock(&m->lock);

        if (m->bind_workers)
            bind_self(&job->pl.cpus);
        apply_nice(m, &nice_applied);
        struct np_act_control ctl = {
            .cancel = &job->cancel,
            .done_kb = &job->done_kb,
            .call_started_ns = &job->call_started_ns,
            .pacer = &m->pacer,
            .node_pacers = m->node_pacers,
        };
        uint64_t t0 = np_monotonic_ns();
        job->r = np_act_apply_memory(m->act, m->root, &job->pl, &ctl, &job->res);
        job->run_ms = (double)(np_monotonic_ns() - t0) / 1e6;

        pthread_mutex_lock(&m->lock);
        m->running[wa.index] = NULL;
        finish_locked(m, job);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int np_mover_new(const struct np_actuator *a, const struct np_root *root, unsigned nworkers,
                 bool bind_workers, struct np_mover **ret)
{
    if (!a || !a->ops || !root || nworkers == 0 || nworkers > NP_MOVER_MAX_WORKERS ||
        (nworkers > 1 && !a->ops->concurrent))
        return -EINVAL;
    struct np_mover *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->node_pacers = calloc(NP_MAX_NODES, sizeof(*m->node_pacers));
    if (!m->node_pacers) {
        free(m);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < NP_MAX_NODES; i++)   /* unlimited until set */
        (void)np_pacer_init(&m->node_pacers[i], 0, 0, 0);
    m->act = a;
    m->root = root;
    m->bind_workers = bind_workers;
    /* Workers start with the creating thread's nice value; that is the
     * value until np_mover_set_nice. */
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)gettid());
    if (errno)
        nice = 0;
    atomic_store(&m->nice, nice);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        int r = -errno;
        destroy_node_pacers(m->node_pacers);
        free(m);
        return r;
    }
    m->pipe_rd = fds[0];
    m->pipe_wr = fds[1];
    pthread_mutex_init(&m->lock, NULL);
    (void)np_pacer_init(&m->pacer, 0, 0, np_monotonic_ns());   /* unlimited until set */
    pthread_cond_init(&m->wake, NULL);
    for (unsigned i = 0; i < nworkers; i++) {
        struct worker_arg *wa = malloc(sizeof(*wa));
        int r = wa ? 0 : ENOMEM;
        if (wa) {
            wa->m = m;
            wa->index = i;
            wa->nice_at_start = nice;
            r = pthread_create(&m->workers[i], NULL, worker_main, wa);
            if (r)
                free(wa);
        }
        if (r) {
            np_mover_free(m);
            return -r;
        }
        m->nworkers++;
    }
    *ret = m;
    return 0;
}

int np_mover_fd(const struct np_mover *m)
{
    return m->pipe_rd;
}

int np_mover_submit(struct np_mover *m, struct np_move_job *job)
{
    if (!m || !job)
        return -EINVAL;
    pthread_mutex_lock(&m->lock);
    if (m->stopping) {
        pthread_mutex_unlock(&m->lock);
        return -ESHUTDOWN;
    }
    job->next = NULL;
    if (m->queue_tail)
        m->queue_tail->next = job;
    else
        m->queue_head = job;
    m->queue_tail = job;
    unsigned before = atomic_fetch_add(&m->in_flight, 1);
    pthread_mutex_unlock(&m->lock);
    /* Before a worker is woken: what the caller does for the copies (the
     * daemon's loop takes their priority) is in place when they begin. */
    if (before == 0 && m->busy_hook)
        m->busy_hook(m->busy_ctx);
    pthread_cond_signal(&m->wake);
    return 0;
}

void np_mover_set_busy_hook(struct np_mover *m, np_mover_busy_fn *fn, void *ctx)
{
    if (!m)
        return;
    m->busy_hook = fn;
    m->busy_ctx = ctx;
}

struct np_move_job *np_mover_take_done(struct np_mover *m)
{
    char buf[256];
    while (read(m->pipe_rd, buf, sizeof(buf)) > 0)
        ;
    pthread_mutex_lock(&m->lock);
    struct np_move_job *list = m->done_head;
    m->done_head = m->done_tail = NULL;
    pthread_mutex_unlock(&m->lock);
    return list;
}

unsigned np_mover_in_flight(const struct np_mover *m)
{
    return atomic_load(&m->in_flight);
}

double np_mover_longest_call(const struct np_mover *m, uint64_t now)
{
    struct np_mover *mm = (struct np_mover *)m;
    double longest = 0;
    pthread_mutex_lock(&mm->lock);
    for (unsigned i = 0; i < mm->nworkers; i++) {
        const struct np_move_job *job = mm->running[i];
        uint64_t since = job ? atomic_load(&job->call_started_ns) : 0;
        if (since && now > since && (double)(now - since) / 1e9 > longest)
            longest = (double)(now - since) / 1e9;
    }
    pthread_mutex_unlock(&mm->lock);
    return longest;
}

static void free_list(struct np_move_job *j)
{
    while (j) {
        struct np_move_job *next = j->next;
        free(j);
        j = next;
    }
}

void np_mover_free(struct np_mover *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->stopping = true;
    for (struct np_move_job *j = m->queue_head; j; j = j->next)
        atomic_store(&j->cancel, true);
    for (unsigned i = 0; i < m->nworkers; i++)
        if (m->running[i])
            atomic_store(&m->running[i]->cancel, true);
    pthread_cond_broadcast(&m->wake);
    pthread_mutex_unlock(&m->lock);
    for (unsigned i = 0; i < m->nworkers; i++)
        pthread_join(m->workers[i], NULL);
    free_list(m->queue_head);
    free_list(m->done_head);
    close(m->pipe_rd);
    close(m->pipe_wr);
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    np_pacer_destroy(&m->pacer);
    destroy_node_pacers(m->node_pacers);
    free(m);
}
